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
#define SPIN_ITERATIONS 4000  /* ~ a few microseconds of polling before sleeping */
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

int64_t lc_run_task(lc_task* t) {
    lc_pipe* p = t->pipe;
    int64_t rc = LC_OK;
    if (t->kind == LC_TASK_RUN && t->n > t->start) {
        if (!p->agg) {
            if ((rc = ensure_out(t))) return rc;
            p->out = t->out;
        }
        p->sel = t->sel;
        p->bp_pos = t->bp_pos;
        p->bp_wm = t->bp_wm;
        p->nbp = t->nbp;
        p->bp_next = 0;
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
 * partition kernels
 * ---------------------------------------------------------------------------------------- */
void lc_part_free(lc_part* k) {
    if (!k) return;
    for (int64_t w = 0; w < k->nworkers; w++) {
        if (k->sel) lc_free(k->sel[w]);
        if (k->bp_pos) lc_free(k->bp_pos[w]);
        if (k->bp_wm) lc_free(k->bp_wm[w]);
    }
    lc_free(k->sel);
    lc_free(k->bp_pos);
    lc_free(k->bp_wm);
    lc_free(k->count);
    lc_free(k->nbp);
    lc_free(k->last_wm);
    lc_free(k->ctx.scratch);
    lc_free(k);
}

lc_part* lc_part_new(int64_t nworkers, int64_t cap) {
    lc_part* k = (lc_part*)lc_calloc(sizeof(lc_part));
    if (!k) return NULL;
    k->nworkers = nworkers;
    k->wm = INT64_MIN;
    k->sel = (int32_t**)lc_calloc(nworkers * 8);
    k->bp_pos = (int64_t**)lc_calloc(nworkers * 8);
    k->bp_wm = (int64_t**)lc_calloc(nworkers * 8);
    k->count = (int64_t*)lc_calloc(nworkers * 8);
    k->nbp = (int64_t*)lc_calloc(nworkers * 8);
    k->last_wm = (int64_t*)lc_calloc(nworkers * 8);
    if (!k->sel || !k->bp_pos || !k->bp_wm || !k->count || !k->nbp || !k->last_wm ||
        lc_part_reserve(k, cap)) {
        lc_part_free(k);
        return NULL;
    }
    return k;
}

int lc_part_reserve(lc_part* k, int64_t cap) {
    if (cap <= k->cap) return LC_OK;
    for (int64_t w = 0; w < k->nworkers; w++) {
        int32_t* s = (int32_t*)lc_realloc(k->sel[w], k->cap * 4, cap * 4);
        if (!s) return LC_ERR_NOMEM;
        k->sel[w] = s;
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

void lc_part_reset(lc_part* k) {
    for (int64_t w = 0; w < k->nworkers; w++) {
        k->count[w] = 0;
        k->nbp[w] = 0;
        k->last_wm[w] = k->wm;   /* every shard's watermark equals the source's here */
    }
}

int64_t lc_part_run(lc_part* k, lc_part_fn fn, const lc_col* cols, int64_t n) {
    int rc = lc_part_reserve(k, n);
    if (rc) return rc;
    lc_part_reset(k);
    int64_t pos = 0, last = -1, stalls = 0;
    while (pos < n) {
        int64_t r = fn(k, cols, pos, n);
        if (r >= n) break;
        if (r == last) {
            if (++stalls > 64) return LC_ERR_STALL;
        } else {
            stalls = 0;
        }
        last = r;
        /* a kernel only ever needs scratch (string keys); nothing else can grow here */
        if (k->ctx.need != LC_NEED_SCRATCH) return LC_ERR_STALL;
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
