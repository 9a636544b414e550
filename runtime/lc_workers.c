/* Workers: one pinned thread per CPU, each running the compiled loops of its pipeline shards.
 *
 * The inserting thread submits chains of tasks to each worker through a single-producer
 * single-consumer ring; a full ring blocks the submitter (memory stays bounded). A worker runs
 * a chain's tasks in order and marks each done; the submitter waits for the tasks of an epoch
 * and merges their outputs. Threads sleep on futexes after a short spin, so idle workers cost
 * nothing and a busy pipeline hands work over in microseconds.
 *
 * Memory: a worker sets its memory policy to prefer its CPU's NUMA node before it touches
 * anything, so the state it grows (tables, arenas, output batches) is node-local. On a
 * single-node machine (like the development machines) this is a no-op that still exercises
 * the call.
 */
#define _GNU_SOURCE
#include "lc_runtime.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define RING_CAP 64           /* chains in flight per worker before submit blocks */
#define SPIN_ITERATIONS 256   /* a few microseconds of polling before sleeping: longer spins
                               * steal the core of the thread that is about to hand over work */
#define MPOL_PREFERRED 1

typedef struct ring {
    lc_task* slots[RING_CAP];
    int64_t head;             /* next slot the consumer reads */
    int64_t tail;             /* next slot the producer writes */
    int32_t seq;              /* futex word: changes on every push and pop */
    int32_t sleepers;
} ring;

typedef struct worker {
    struct lc_pool* pool;
    int64_t id;
    int32_t cpu;
    int32_t pin;
    ring in;
    int64_t busy_ns;
    int64_t tid;              /* the kernel's id of the thread (for pinning checks) */
    pthread_t thread;
} worker;

struct lc_pool {
    int64_t n;
    worker* workers;
    int32_t done_seq;         /* futex word: bumped whenever a task completes */
    int32_t waiters;
    int64_t started;
};

static void futex_wait(int32_t* addr, int32_t expected) {
    syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void futex_wake(int32_t* addr) {
    syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
}

static void cpu_relax(void) { __builtin_ia32_pause(); }

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ------------------------------------------------------------------------------------------
 * tasks
 * ---------------------------------------------------------------------------------------- */
/* Output batches are made only when there is something to write, so a steady state in which
 * nothing is due allocates nothing. */
static int64_t ensure_out(lc_task* t) {
    if (t->out) return LC_OK;
    t->out = lc_out_new(t->out_ncols, t->out_widths, t->out_nullable);
    if (!t->out) return LC_ERR_NOMEM;
    return t->out_rows ? lc_out_reserve(t->out, t->out_rows) : LC_OK;
}

static int64_t emit(lc_pipe* p, lc_task* t) {
    lc_agg* a = p->agg;
    lc_ctx* ctx = &p->ctx;
    int64_t rc;
    switch (t->emit) {
    case LC_EMIT_CLOSE:
        if (!lc_agg_due(a, p->wm, 0)) return LC_OK;
        if ((rc = ensure_out(t))) return rc;
        return lc_agg_close(a, p->wm, 1, t->out, ctx);
    case LC_EMIT_CHANGES: {
        if (!lc_agg_due(a, p->wm, 1)) return LC_OK;
        if ((rc = ensure_out(t))) return rc;
        rc = lc_agg_emit_changes(a, t->out, ctx);
        if (rc || !a->windowed) return rc;
        return lc_agg_close(a, p->wm, 0, NULL, ctx);
    }
    case LC_EMIT_FINAL:
        if (p->wm != INT64_MAX) return LC_OK;
        if ((rc = ensure_out(t))) return rc;
        return lc_agg_emit_all(a, t->out, ctx);
    default:
        return LC_OK;
    }
}

static int64_t run_keyed(lc_task* t);

int64_t lc_run_task(lc_task* t) {
    lc_pipe* p = t->pipe;
    int64_t rc = LC_OK;
    if (t->kind == LC_TASK_RUN_KEYED) return run_keyed(t);
    if (t->kind == LC_TASK_RUN && t->n > t->start) {
        if (!p->agg) {
            if ((rc = ensure_out(t))) return rc;
            p->out = t->out;
        }
        p->sel = NULL;
        p->seq_base = t->seq_base;
        rc = lc_pipe_run_from(p, t->cols, t->start, t->n, t->nulls);
        p->out = NULL;
        if (rc) return rc;
    }
    if (t->wm > p->wm) p->wm = t->wm;
    if (p->agg) rc = emit(p, t);
    return rc;
}

/* ------------------------------------------------------------------------------------------
 * rings
 * ---------------------------------------------------------------------------------------- */
static void ring_push(ring* r, lc_task* t) {
    for (;;) {
        int64_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
        if (r->tail - head < RING_CAP) break;
        int32_t s = __atomic_load_n(&r->seq, __ATOMIC_ACQUIRE);
        head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
        if (r->tail - head < RING_CAP) break;
        __atomic_add_fetch(&r->sleepers, 1, __ATOMIC_SEQ_CST);
        futex_wait(&r->seq, s);
        __atomic_sub_fetch(&r->sleepers, 1, __ATOMIC_SEQ_CST);
    }
    r->slots[r->tail % RING_CAP] = t;
    __atomic_store_n(&r->tail, r->tail + 1, __ATOMIC_RELEASE);
    __atomic_add_fetch(&r->seq, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&r->sleepers, __ATOMIC_SEQ_CST)) futex_wake(&r->seq);
}

static lc_task* ring_pop(ring* r) {
    int64_t head = r->head;
    for (int i = 0;; i++) {
        if (__atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) != head) break;
        if (i < SPIN_ITERATIONS) {
            cpu_relax();
            continue;
        }
        int32_t s = __atomic_load_n(&r->seq, __ATOMIC_ACQUIRE);
        if (__atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) != head) break;
        __atomic_add_fetch(&r->sleepers, 1, __ATOMIC_SEQ_CST);
        futex_wait(&r->seq, s);
        __atomic_sub_fetch(&r->sleepers, 1, __ATOMIC_SEQ_CST);
        i = 0;
    }
    lc_task* t = r->slots[head % RING_CAP];
    __atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
    __atomic_add_fetch(&r->seq, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&r->sleepers, __ATOMIC_SEQ_CST)) futex_wake(&r->seq);   /* a full ring */
    return t;
}

/* ------------------------------------------------------------------------------------------
 * threads
 * ---------------------------------------------------------------------------------------- */
static void prefer_local_memory(int cpu) {
    /* The node of `cpu` from sysfs; with no sysfs entry (or one node) node 0. */
    int node = 0;
    char path[96];
    for (int n = 0; n < 1024; n++) {
        snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/node%d", cpu, n);
        if (access(path, F_OK) == 0) {
            node = n;
            break;
        }
    }
    unsigned long mask[16] = {0};
    mask[node / (8 * sizeof(unsigned long))] |= 1UL << (node % (8 * sizeof(unsigned long)));
    /* set_mempolicy(MPOL_PREFERRED, mask, maxnode): ignored where NUMA is not compiled in */
    syscall(SYS_set_mempolicy, MPOL_PREFERRED, mask, (unsigned long)(16 * 8 * sizeof(long)));
}

static void* worker_main(void* arg) {
    worker* w = (worker*)arg;
    if (w->pin) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(w->cpu, &set);
        pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
    }
    prefer_local_memory(w->cpu);
    /* published once the thread is pinned and its memory policy set */
    __atomic_store_n(&w->tid, (int64_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
    for (;;) {
        lc_task* t = ring_pop(&w->in);
        int64_t t0 = now_ns();
        int stop = 0;
        for (; t; t = t->next) {
            if (t->kind == LC_TASK_STOP) {
                stop = 1;
            } else {
                t->status = lc_run_task(t);
            }
            __atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
        }
        __atomic_add_fetch(&w->busy_ns, now_ns() - t0, __ATOMIC_RELAXED);
        __atomic_add_fetch(&w->pool->done_seq, 1, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&w->pool->waiters, __ATOMIC_SEQ_CST)) futex_wake(&w->pool->done_seq);
        if (stop) return NULL;
    }
}

lc_pool* lc_pool_new(int64_t nworkers, const int32_t* cpus, int32_t pin) {
    if (nworkers < 1) return NULL;
    lc_pool* p = (lc_pool*)lc_calloc(sizeof(lc_pool));
    if (!p) return NULL;
    p->workers = (worker*)lc_calloc(nworkers * (int64_t)sizeof(worker));
    if (!p->workers) {
        lc_free(p);
        return NULL;
    }
    p->n = nworkers;
    for (int64_t i = 0; i < nworkers; i++) {
        worker* w = &p->workers[i];
        w->pool = p;
        w->id = i;
        w->cpu = cpus ? cpus[i] : (int32_t)i;
        w->pin = pin;
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            p->n = i;
            lc_pool_stop(p);
            return NULL;
        }
        p->started++;
    }
    return p;
}

int64_t lc_pool_submit(lc_pool* p, int64_t w, lc_task* first) {
    if (w < 0 || w >= p->n) return LC_ERR_LIMIT;
    ring_push(&p->workers[w].in, first);
    return LC_OK;
}

int64_t lc_pool_wait(lc_pool* p, lc_task* t) {
    for (int i = 0; i < SPIN_ITERATIONS; i++) {
        if (__atomic_load_n(&t->done, __ATOMIC_ACQUIRE)) return t->status;
        cpu_relax();
    }
    for (;;) {
        int32_t s = __atomic_load_n(&p->done_seq, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&t->done, __ATOMIC_ACQUIRE)) return t->status;
        __atomic_add_fetch(&p->waiters, 1, __ATOMIC_SEQ_CST);
        if (!__atomic_load_n(&t->done, __ATOMIC_ACQUIRE)) futex_wait(&p->done_seq, s);
        __atomic_sub_fetch(&p->waiters, 1, __ATOMIC_SEQ_CST);
    }
}

int64_t lc_pool_stop(lc_pool* p) {
    if (!p) return LC_OK;
    lc_task* stops = (lc_task*)lc_calloc((p->n ? p->n : 1) * (int64_t)sizeof(lc_task));
    for (int64_t i = 0; i < p->n; i++) {
        stops[i].kind = LC_TASK_STOP;
        ring_push(&p->workers[i].in, &stops[i]);
    }
    for (int64_t i = 0; i < p->n; i++) pthread_join(p->workers[i].thread, NULL);
    lc_free(stops);
    lc_free(p->workers);
    lc_free(p);
    return LC_OK;
}

int64_t lc_pool_workers(lc_pool* p) { return p->n; }

int64_t lc_pool_busy_ns(lc_pool* p, int64_t w) {
    return __atomic_load_n(&p->workers[w].busy_ns, __ATOMIC_RELAXED);
}

int64_t lc_pool_cpu(lc_pool* p, int64_t w) { return p->workers[w].cpu; }

int64_t lc_pool_tid(lc_pool* p, int64_t w) {
    int64_t tid;
    while (!(tid = __atomic_load_n(&p->workers[w].tid, __ATOMIC_ACQUIRE))) cpu_relax();
    return tid;
}

int64_t lc_numa_nodes(void) {
    int64_t n = 0;
    char path[64];
    for (int i = 0; i < 1024; i++) {
        snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", i);
        if (access(path, F_OK) == 0) n++;
    }
    return n ? n : 1;
}

/* ------------------------------------------------------------------------------------------
 * exchanges: partitioning a chunk with all workers
 * ---------------------------------------------------------------------------------------- */
static void part_free(lc_part* k) {
    if (!k) return;
    for (int64_t w = 0; w < k->nworkers; w++) {
        if (k->bp_pos) lc_free(k->bp_pos[w]);
        if (k->bp_wm) lc_free(k->bp_wm[w]);
    }
    lc_free(k->bp_pos);
    lc_free(k->bp_wm);
    lc_free(k->nbp);
    lc_free(k->last_wm);
    lc_free(k->ctx.scratch);
    lc_free(k);
}

static lc_part* part_new(int64_t nworkers) {
    lc_part* k = (lc_part*)lc_calloc(sizeof(lc_part));
    if (!k) return NULL;
    k->nworkers = nworkers;
    k->bp_pos = (int64_t**)lc_calloc(nworkers * 8);
    k->bp_wm = (int64_t**)lc_calloc(nworkers * 8);
    k->nbp = (int64_t*)lc_calloc(nworkers * 8);
    k->last_wm = (int64_t*)lc_calloc(nworkers * 8);
    if (!k->bp_pos || !k->bp_wm || !k->nbp || !k->last_wm) {
        part_free(k);
        return NULL;
    }
    return k;
}

static int part_reserve(lc_part* k, int64_t cap) {
    if (cap <= k->cap) return LC_OK;
    for (int64_t w = 0; w < k->nworkers; w++) {
        int64_t* bp = (int64_t*)lc_realloc(k->bp_pos[w], k->cap * 8, cap * 8);
        if (!bp) return LC_ERR_NOMEM;
        k->bp_pos[w] = bp;
        bp = (int64_t*)lc_realloc(k->bp_wm[w], k->cap * 8, cap * 8);
        if (!bp) return LC_ERR_NOMEM;
        k->bp_wm[w] = bp;
    }
    k->cap = cap;
    return LC_OK;
}

void lc_exchange_free(lc_exchange* ex) {
    if (!ex) return;
    for (int64_t w = 0; w < ex->nworkers; w++) {
        if (ex->parts) part_free(ex->parts[w]);
        if (ex->sel) lc_free(ex->sel[w]);
        if (ex->bp_pos) lc_free(ex->bp_pos[w]);
        if (ex->bp_wm) lc_free(ex->bp_wm[w]);
    }
    lc_free(ex->parts);
    lc_free(ex->sel);
    lc_free(ex->bp_pos);
    lc_free(ex->bp_wm);
    lc_free(ex->nbp);
    lc_free(ex->dest);
    lc_free(ex);
}

lc_exchange* lc_exchange_new(int64_t nworkers, lc_part_fn dense, lc_part_fn nulls) {
    lc_exchange* ex = (lc_exchange*)lc_calloc(sizeof(lc_exchange));
    if (!ex) return NULL;
    ex->nworkers = nworkers;
    ex->kernels[0] = dense;
    ex->kernels[1] = nulls;
    ex->parts = (lc_part**)lc_calloc(nworkers * 8);
    ex->sel = (int32_t**)lc_calloc(nworkers * 8);
    ex->bp_pos = (int64_t**)lc_calloc(nworkers * 8);
    ex->bp_wm = (int64_t**)lc_calloc(nworkers * 8);
    ex->nbp = (int64_t*)lc_calloc(nworkers * 8);
    if (!ex->parts || !ex->sel || !ex->bp_pos || !ex->bp_wm || !ex->nbp) {
        lc_exchange_free(ex);
        return NULL;
    }
    for (int64_t w = 0; w < nworkers; w++) {
        ex->parts[w] = part_new(nworkers);
        if (!ex->parts[w]) {
            lc_exchange_free(ex);
            return NULL;
        }
    }
    return ex;
}

int lc_exchange_reserve(lc_exchange* ex, int64_t rows) {
    if (rows <= ex->cap) return LC_OK;
    int64_t cap = ex->cap ? ex->cap : 1024;
    while (cap < rows) cap *= 2;
    int64_t N = ex->nworkers;
    uint8_t* dest = (uint8_t*)lc_realloc(ex->dest, ex->cap, cap);
    if (!dest) return LC_ERR_NOMEM;
    ex->dest = dest;
    for (int64_t w = 0; w < N; w++) {
        /* one extra slot: the branch-free compaction writes one past the last row it keeps */
        int32_t* sel = (int32_t*)lc_realloc(ex->sel[w], (ex->cap + 1) * 4, (cap + 1) * 4);
        if (!sel) return LC_ERR_NOMEM;
        ex->sel[w] = sel;
        /* merged breakpoints: at most one per row, plus one per slice */
        int64_t* bp = (int64_t*)lc_realloc(ex->bp_pos[w], (ex->cap + N) * 8, (cap + N) * 8);
        if (!bp) return LC_ERR_NOMEM;
        ex->bp_pos[w] = bp;
        bp = (int64_t*)lc_realloc(ex->bp_wm[w], (ex->cap + N) * 8, (cap + N) * 8);
        if (!bp) return LC_ERR_NOMEM;
        ex->bp_wm[w] = bp;
        int rc = part_reserve(ex->parts[w], cap / N + 1);
        if (rc) return rc;
    }
    ex->cap = cap;
    return LC_OK;
}

static void barrier(lc_exchange* ex) {
    int32_t seq = __atomic_load_n(&ex->barrier_seq, __ATOMIC_ACQUIRE);
    if (__atomic_add_fetch(&ex->arrived, 1, __ATOMIC_ACQ_REL) == ex->nworkers) {
        __atomic_add_fetch(&ex->barrier_seq, 1, __ATOMIC_RELEASE);
        futex_wake(&ex->barrier_seq);
        return;
    }
    for (int i = 0; __atomic_load_n(&ex->barrier_seq, __ATOMIC_ACQUIRE) == seq; i++) {
        if (i < SPIN_ITERATIONS) cpu_relax();
        else futex_wait(&ex->barrier_seq, seq);
    }
}

static int64_t slice_lo(int64_t n, int64_t N, int64_t s) { return n * s / N; }

/* Phase 1: the kernel over this worker's slice (with exit-and-resume for scratch). */
static int64_t partition_slice(lc_exchange* ex, lc_task* t, int64_t wm_before) {
    int64_t N = ex->nworkers, w = t->worker;
    lc_part* k = ex->parts[w];
    k->dest = ex->dest;
    k->wm = wm_before;
    for (int64_t d = 0; d < N; d++) {
        k->nbp[d] = 0;
        k->last_wm[d] = wm_before;
    }
    lc_part_fn fn = ex->kernels[t->nulls ? 1 : 0];
    int64_t pos = slice_lo(ex->n, N, w), end = slice_lo(ex->n, N, w + 1);
    for (int stalls = 0; pos < end;) {
        int64_t r = fn(k, t->cols, pos, end);
        if (r >= end) break;
        if (++stalls > 64 || k->ctx.need != LC_NEED_SCRATCH) return LC_ERR_STALL;
        int64_t cap = k->ctx.scratch_cap < 4096 ? 4096 : k->ctx.scratch_cap * 2;
        while (cap < k->ctx.need_arg) cap *= 2;
        uint8_t* s = (uint8_t*)lc_realloc(k->ctx.scratch, k->ctx.scratch_cap, cap);
        if (!s) return LC_ERR_NOMEM;
        k->ctx.scratch = s;
        k->ctx.scratch_cap = cap;
        k->ctx.need = LC_NEED_NONE;
        pos = r;
    }
    return LC_OK;
}

/* Phase 2: this worker's rows of every slice, in order, and their merged breakpoints. */
static int64_t gather(lc_exchange* ex, int64_t w, int64_t wm_before) {
    int64_t N = ex->nworkers, n = ex->n;
    const uint8_t* dest = ex->dest;
    int32_t* sel = ex->sel[w];
    int64_t j = 0;
    for (int64_t i = 0; i < n; i++) {
        sel[j] = (int32_t)i;                  /* branch-free: kept only when it is ours */
        j += dest[i] == (uint8_t)w;
    }
    int64_t m = 0, prefix = wm_before;
    for (int64_t s = 0; s < N; s++) {
        lc_part* k = ex->parts[s];
        if (s > 0) {
            ex->bp_pos[w][m] = slice_lo(n, N, s);
            ex->bp_wm[w][m++] = prefix;
        }
        for (int64_t b = 0; b < k->nbp[w]; b++) {
            ex->bp_pos[w][m] = k->bp_pos[w][b];
            ex->bp_wm[w][m++] = k->bp_wm[w][b] > prefix ? k->bp_wm[w][b] : prefix;
        }
        if (k->wm > prefix) prefix = k->wm;
    }
    ex->nbp[w] = m;
    return j;
}

/* The source's watermark after the chunk: stable once every worker passed the barrier, so any
 * worker (and, after the tasks are done, the caller) may compute it. */
int64_t lc_exchange_wm_after(lc_exchange* ex) {
    int64_t wm = ex->parts[0]->wm;
    for (int64_t s = 1; s < ex->nworkers; s++)
        if (ex->parts[s]->wm > wm) wm = ex->parts[s]->wm;
    return wm;
}

static int64_t keyed_wm_before(lc_exchange* ex) {
    return ex->prev ? lc_exchange_wm_after(ex->prev) : ex->wm_before;
}

/* Phase 2 of a keyed chunk: this worker's rows through its shard, then emission. */
static int64_t keyed_phase2(lc_task* t) {
    lc_exchange* ex = t->ex;
    lc_pipe* p = t->pipe;
    int64_t w = t->worker, rc;
    int64_t nsel = gather(ex, w, keyed_wm_before(ex));
    int64_t wm_after = lc_exchange_wm_after(ex);
    p->sel = ex->sel[w];
    p->bp_pos = ex->bp_pos[w];
    p->bp_wm = ex->bp_wm[w];
    p->nbp = ex->nbp[w];
    p->bp_next = 0;
    p->seq_base = t->seq_base;
    if (nsel) {
        rc = lc_pipe_run_from(p, t->cols, 0, nsel, t->nulls);
        if (rc) return rc;
    }
    if (wm_after > p->wm) p->wm = wm_after;
    return emit(p, t);
}

static int64_t run_keyed(lc_task* t) {
    lc_exchange* ex = t->ex;
    int64_t rc = partition_slice(ex, t, keyed_wm_before(ex));
    if (rc) __atomic_store_n(&ex->failed, 1, __ATOMIC_RELEASE);
    barrier(ex);
    if (rc) return rc;
    if (__atomic_load_n(&ex->failed, __ATOMIC_ACQUIRE)) return LC_ERR_STALL;
    return keyed_phase2(t);
}

/* The tasks of one chunk run in the calling thread, one after the other (small batches: no
 * hand-over is worth its wake-ups). A keyed exchange's slices are all partitioned before any
 * shard runs, as the barrier would ensure. Only valid while the workers are idle. */
int64_t lc_run_tasks_inline(lc_task** tasks, int64_t n) {
    int64_t rc = LC_OK;
    for (int64_t i = 0; i < n; i++) {
        lc_task* t = tasks[i];
        if (t->kind == LC_TASK_RUN_KEYED && t->worker == 0) {
            for (int64_t j = i; j < n && tasks[j]->ex == t->ex; j++) {
                int64_t r = partition_slice(t->ex, tasks[j], keyed_wm_before(t->ex));
                if (r && !rc) rc = r;
            }
        }
        if (!rc) t->status = t->kind == LC_TASK_RUN_KEYED ? keyed_phase2(t) : lc_run_task(t);
        else t->status = rc;
        if (t->status && !rc) rc = t->status;
        __atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
    }
    return rc;
}
