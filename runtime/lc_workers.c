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
#include <signal.h>
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
    int32_t wake_later;       /* a chain was handed over while it slept; another thread wakes
                               * it (see hand_over) */
    lc_task* handing;         /* the chain hand_over is to give it (NULL: none); set by the
                               * thread handing over (the engine's lock: one at a time) */
    int64_t busy_ns;
    int64_t tid;              /* the kernel's id of the thread (for pinning checks) */
    pthread_t thread;
    lc_task stop;             /* its STOP task: stopping allocates nothing (it may follow an
                               * out-of-memory failure) */
} worker;

struct lc_pool {
    int64_t n;
    worker* workers;
    int32_t done_seq;         /* futex word: bumped whenever a chain of tasks completes */
    int32_t waiters;
    lc_task* want;            /* the task a sleeping lc_pool_wait waits for: only its worker
                               * wakes it (compared, never dereferenced: once done, the task
                               * may be gone) */
};

static void futex_wait(int32_t* addr, int32_t expected) {
    syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void futex_wait_ns(int32_t* addr, int32_t expected, long ns) {
    struct timespec timeout = {0, ns};
    syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, expected, &timeout, NULL, 0);
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

static int64_t run_partition(lc_task* t);
static int64_t run_consume(lc_task* t);
static int64_t run_combined(lc_task* t);

int64_t lc_run_task(lc_task* t) {
    lc_pipe* p = t->pipe;
    int64_t rc = LC_OK;
    if (t->comb) return run_combined(t);
    if (t->kind == LC_TASK_PARTITION) return run_partition(t);
    if (t->kind == LC_TASK_CONSUME) return run_consume(t);
    if (t->kind == LC_TASK_RUN && t->n > t->start) {
        if (!p->agg) {
            if ((rc = ensure_out(t))) return rc;
            p->out = t->out;
        }
        p->sel = NULL;
        p->seq_base = t->seq_base;
        p->proc_now = t->proc_now;
        rc = lc_pipe_run_from(p, t->cols, t->start, t->n, t->nulls);
        p->out = NULL;
        if (rc) return rc;
    }
    if (t->wm > p->wm) p->wm = t->wm;
    /* What the collecting thread reads as the task's watermark: by then this shard may have
     * run later chunks. */
    t->wm = p->wm;
    if (p->agg) rc = emit(p, t);
    return rc;
}

/* ------------------------------------------------------------------------------------------
 * rings
 * ---------------------------------------------------------------------------------------- */
/* The workers whose wake-up was left for later (worker.wake_later), woken now: by a worker
 * done with a chain, and by a thread about to sleep. */
static void wake_deferred(lc_pool* p) {
    for (int64_t w = 0; w < p->n; w++) {
        worker* v = &p->workers[w];
        if (__atomic_load_n(&v->wake_later, __ATOMIC_SEQ_CST) &&
            __atomic_exchange_n(&v->wake_later, 0, __ATOMIC_SEQ_CST))
            futex_wake(&v->in.seq);
    }
}

/* Push t (onto a ring of `p`'s); whether the consumer may sleep, for the caller to wake
 * (ring_push, or later). */
static int ring_put(lc_pool* p, ring* r, lc_task* t) {
    for (;;) {
        int64_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
        if (r->tail - head < RING_CAP) break;
        int32_t s = __atomic_load_n(&r->seq, __ATOMIC_ACQUIRE);
        head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
        if (r->tail - head < RING_CAP) break;
        wake_deferred(p);   /* (the full ring's worker may be one of them) */
        __atomic_add_fetch(&r->sleepers, 1, __ATOMIC_SEQ_CST);
        futex_wait(&r->seq, s);
        __atomic_sub_fetch(&r->sleepers, 1, __ATOMIC_SEQ_CST);
    }
    r->slots[r->tail % RING_CAP] = t;
    __atomic_store_n(&r->tail, r->tail + 1, __ATOMIC_RELEASE);
    __atomic_add_fetch(&r->seq, 1, __ATOMIC_SEQ_CST);
    return __atomic_load_n(&r->sleepers, __ATOMIC_SEQ_CST) != 0;
}

static void ring_push(lc_pool* p, ring* r, lc_task* t) {
    if (ring_put(p, r, t)) futex_wake(&r->seq);
}

/* Whether worker v runs on `cpu` (pinned there). */
static int on_cpu(const worker* v, int cpu) { return v->pin && v->cpu == cpu; }

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
    char name[16];            /* shown by top -H, perf and gdb */
    snprintf(name, sizeof(name), "laminarc-w%d", (int)w->id);
    pthread_setname_np(pthread_self(), name);
    /* published once the thread is pinned and its memory policy set */
    __atomic_store_n(&w->tid, (int64_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
    for (;;) {
        lc_task* t = ring_pop(&w->in);
        int64_t t0 = now_ns();
        int stop = 0;
        int wanted = 0;
        while (t) {
            /* Once done is set the submitter may free or reuse the task: read next first. */
            lc_task* next = t->next;
            if (t->kind == LC_TASK_STOP) {
                stop = 1;
            } else {
                t->status = lc_run_task(t);
            }
            __atomic_store_n(&t->done, 1, __ATOMIC_SEQ_CST);
            wanted |= __atomic_load_n(&w->pool->want, __ATOMIC_SEQ_CST) == t;
            t = next;
        }
        __atomic_add_fetch(&w->busy_ns, now_ns() - t0, __ATOMIC_RELAXED);
        __atomic_add_fetch(&w->pool->done_seq, 1, __ATOMIC_SEQ_CST);
        /* Wake the waiter only for its task: every other wake-up would cost it a switch and
         * take this core from a worker (W1: ~250 a run, against ~30). */
        if (wanted && __atomic_load_n(&w->pool->waiters, __ATOMIC_SEQ_CST))
            futex_wake(&w->pool->done_seq);
        wake_deferred(w->pool);
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
    /* Workers start with every signal blocked (a thread inherits its creator's mask), so the
     * kernel delivers Ctrl-C and its kind to a Python thread: a worker taking one would only
     * have its futex wait cut short, and Python's handler runs on the main thread anyway. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int64_t started = 0;
    for (; started < nworkers; started++) {
        worker* w = &p->workers[started];
        w->pool = p;
        w->id = started;
        w->cpu = cpus ? cpus[started] : (int32_t)started;
        w->pin = pin;
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) break;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (started < nworkers) {
        p->n = started;
        lc_pool_stop(p);
        return NULL;
    }
    return p;
}

/* Give every worker its chain (worker.handing, then cleared). A sleeping worker pinned to
 * this thread's own CPU, woken now, may take the CPU from this thread in the middle of
 * handing over chunks: the kernel lets a woken thread preempt one that has used more than its
 * share, as the inserting thread has at the start of a run, having compiled the query (W1's
 * first 16 chunks then took ~2.4 ms rather than ~0.25, each run by that worker before the
 * next was handed over). So its wake-up is left to the workers on other CPUs given a chain
 * here, each of which wakes it once done with its chain (given after the flag is set), or to
 * a thread about to wait; it is not left when no such worker is given one. */
static void hand_over(lc_pool* p) {
    int cpu = sched_getcpu();
    int elsewhere = 0;
    for (int64_t w = 0; w < p->n; w++)
        elsewhere |= p->workers[w].handing && !on_cpu(&p->workers[w], cpu);
    for (int pass = 0; pass < 2; pass++) {   /* those on this CPU first: see above */
        for (int64_t w = 0; w < p->n; w++) {
            worker* v = &p->workers[w];
            if (!v->handing || on_cpu(v, cpu) != (pass == 0)) continue;
            if (ring_put(p, &v->in, v->handing)) {
                if (pass == 0 && elsewhere) __atomic_store_n(&v->wake_later, 1, __ATOMIC_SEQ_CST);
                else futex_wake(&v->in.seq);
            }
            v->handing = NULL;
        }
    }
}

/* Hand over tasks[0..n): each worker's, in their order, as one chain. */
int64_t lc_pool_submit_all(lc_pool* p, lc_task* const* tasks, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        if (tasks[i]->worker < 0 || tasks[i]->worker >= p->n) return LC_ERR_LIMIT;
    for (int64_t w = 0; w < p->n; w++) {
        lc_task* first = NULL;
        lc_task* last = NULL;
        for (int64_t i = 0; i < n; i++) {
            if (tasks[i]->worker != w) continue;
            tasks[i]->next = NULL;
            if (last) last->next = tasks[i];
            else first = tasks[i];
            last = tasks[i];
        }
        p->workers[w].handing = first;
    }
    hand_over(p);
    return LC_OK;
}

int64_t lc_pool_wait(lc_pool* p, lc_task* t) {
    /* Only a short spin: the waiting thread would take a core from a worker it waits for. */
    for (int i = 0; i < SPIN_ITERATIONS / 8; i++) {
        if (__atomic_load_n(&t->done, __ATOMIC_ACQUIRE)) return t->status;
        cpu_relax();
    }
    for (;;) {
        int32_t s = __atomic_load_n(&p->done_seq, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&t->done, __ATOMIC_ACQUIRE)) return t->status;
        /* Announced before the last look at done (both sequentially consistent, as is the
         * worker's store of done and its load of want): either this thread sees done, or
         * t's worker sees want == t and wakes it. There is one waiter (the engine's lock);
         * were there two, the second would overwrite want, and the timeout bounds what that
         * costs the first. */
        __atomic_store_n(&p->want, t, __ATOMIC_SEQ_CST);
        wake_deferred(p);   /* (t's worker may be one of them) */
        __atomic_add_fetch(&p->waiters, 1, __ATOMIC_SEQ_CST);
        if (!__atomic_load_n(&t->done, __ATOMIC_SEQ_CST)) futex_wait_ns(&p->done_seq, s, 20000000);
        __atomic_sub_fetch(&p->waiters, 1, __ATOMIC_SEQ_CST);
    }
}

int64_t lc_combine_wait(lc_pool* p, lc_combine* cb) {
    int64_t wm = INT64_MIN;
    for (int64_t w = 0; w < cb->nworkers; w++) {
        lc_pool_wait(p, cb->tasks[w]);   /* (a failed task's status is cb->status) */
        if (cb->tasks[w]->wm > wm) wm = cb->tasks[w]->wm;
    }
    return wm;
}

int64_t lc_pool_stop(lc_pool* p) {
    if (!p) return LC_OK;
    for (int64_t i = 0; i < p->n; i++) {
        lc_task* stop = &p->workers[i].stop;
        memset(stop, 0, sizeof(*stop));
        stop->kind = LC_TASK_STOP;
        ring_push(p, &p->workers[i].in, stop);
    }
    for (int64_t i = 0; i < p->n; i++) pthread_join(p->workers[i].thread, NULL);
    lc_free(p->workers);
    lc_free(p);
    return LC_OK;
}

int64_t lc_pool_busy_ns(lc_pool* p, int64_t w) {
    return __atomic_load_n(&p->workers[w].busy_ns, __ATOMIC_RELAXED);
}

int64_t lc_pool_cpu(lc_pool* p, int64_t w) { return p->workers[w].cpu; }

int64_t lc_pool_queued(lc_pool* p, int64_t w) {
    ring* r = &p->workers[w].in;
    return __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) -
           __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
}

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
void lc_exchange_free(lc_exchange* ex) {
    if (!ex) return;
    for (int64_t w = 0; w < ex->nworkers; w++) {
        if (ex->parts && ex->parts[w]) {
            lc_free(ex->parts[w]->ctx.scratch);
            lc_free(ex->parts[w]);
        }
        if (ex->slice_bp_pos) lc_free(ex->slice_bp_pos[w]);
        if (ex->slice_bp_wm) lc_free(ex->slice_bp_wm[w]);
        if (ex->sel) lc_free(ex->sel[w]);
    }
    lc_free(ex->parts);
    lc_free(ex->slice_bp_pos);
    lc_free(ex->slice_bp_wm);
    lc_free(ex->slice_nbp);
    lc_free(ex->slice_wm);
    lc_free(ex->sel);
    lc_free(ex->bp_pos);
    lc_free(ex->bp_wm);
    lc_free(ex->claimed);
    lc_free(ex->tasks);
    lc_free(ex->dest);
    lc_free(ex);
}

lc_exchange* lc_exchange_new(int64_t nworkers, lc_part_fn dense, lc_part_fn nulls,
                             int64_t time_col, int64_t delay) {
    lc_exchange* ex = (lc_exchange*)lc_calloc(sizeof(lc_exchange));
    if (!ex) return NULL;
    int64_t N = nworkers;
    ex->nworkers = N;
    ex->kernels[0] = dense;
    ex->kernels[1] = nulls;
    ex->time_col = time_col;
    ex->delay = delay;
    ex->parts = (lc_part**)lc_calloc(N * 8);
    ex->slice_bp_pos = (int64_t**)lc_calloc(N * 8);
    ex->slice_bp_wm = (int64_t**)lc_calloc(N * 8);
    ex->slice_nbp = (int64_t*)lc_calloc(N * 8);
    ex->slice_wm = (int64_t*)lc_calloc(N * 8);
    ex->sel = (int32_t**)lc_calloc(N * 8);
    ex->claimed = (int32_t*)lc_calloc(N * 4);
    ex->tasks = (lc_task*)lc_calloc(2 * N * (int64_t)sizeof(lc_task));
    if (!ex->claimed || !ex->tasks || !ex->parts || !ex->slice_bp_pos || !ex->slice_bp_wm ||
        !ex->slice_nbp || !ex->slice_wm || !ex->sel) {
        lc_exchange_free(ex);
        return NULL;
    }
    for (int64_t w = 0; w < N; w++) {
        ex->parts[w] = (lc_part*)lc_calloc(sizeof(lc_part));
        if (!ex->parts[w]) {
            lc_exchange_free(ex);
            return NULL;
        }
        ex->parts[w]->nworkers = N;
    }
    return ex;
}

#define SEL_SLACK 16   /* the vector compaction stores 16 indices past the last one it keeps */

int lc_exchange_reserve(lc_exchange* ex, int64_t rows) {
    if (rows <= ex->cap) return LC_OK;
    int64_t cap = ex->cap ? ex->cap : 1024;
    while (cap < rows) cap *= 2;
    int64_t N = ex->nworkers, old = ex->cap;
    uint8_t* dest = (uint8_t*)lc_realloc(ex->dest, old, cap);
    if (!dest) return LC_ERR_NOMEM;
    ex->dest = dest;
    int64_t slice_old = old ? old / N + 1 : 0, slice = cap / N + 1;
    for (int64_t w = 0; w < N; w++) {
        ex->parts[w]->dest = dest;
        int32_t* sel = (int32_t*)lc_realloc(ex->sel[w], (old + SEL_SLACK) * 4,
                                            (cap + SEL_SLACK) * 4);
        if (!sel) return LC_ERR_NOMEM;
        ex->sel[w] = sel;
        /* breakpoints: at most one per row of a slice; merged, plus one per slice */
        int64_t* bp = (int64_t*)lc_realloc(ex->slice_bp_pos[w], slice_old * 8, slice * 8);
        if (!bp) return LC_ERR_NOMEM;
        ex->slice_bp_pos[w] = bp;
        bp = (int64_t*)lc_realloc(ex->slice_bp_wm[w], slice_old * 8, slice * 8);
        if (!bp) return LC_ERR_NOMEM;
        ex->slice_bp_wm[w] = bp;
    }
    int64_t* bp = (int64_t*)lc_realloc(ex->bp_pos, (old + N) * 8, (cap + N) * 8);
    if (!bp) return LC_ERR_NOMEM;
    ex->bp_pos = bp;
    bp = (int64_t*)lc_realloc(ex->bp_wm, (old + N) * 8, (cap + N) * 8);
    if (!bp) return LC_ERR_NOMEM;
    ex->bp_wm = bp;
    ex->cap = cap;
    return LC_OK;
}

int lc_exchange_start(lc_exchange* ex, int64_t n, const lc_col* cols, int32_t nulls,
                      int64_t seq_base, int32_t emit, int64_t proc_now) {
    int rc = lc_exchange_reserve(ex, n);
    if (rc) return rc;
    int64_t N = ex->nworkers;
    ex->n = n;
    ex->arrived = 0;
    ex->status = LC_OK;
    ex->ready = 0;
    ex->nbp = 0;
    ex->wm_after = INT64_MIN;
    memset(ex->claimed, 0, (size_t)N * sizeof(int32_t));
    for (int64_t i = 0; i < 2 * N; i++) {
        lc_task* t = &ex->tasks[i];
        t->kind = i < N ? LC_TASK_PARTITION : LC_TASK_CONSUME;
        t->worker = i % N;
        t->ex = ex;
        t->cols = cols;
        t->nulls = nulls;
        t->seq_base = seq_base;
        t->proc_now = proc_now;
        t->emit = i < N ? LC_EMIT_NONE : emit;
        t->out = NULL;
        t->status = LC_OK;
        t->done = 0;
        t->next = NULL;
    }
    return LC_OK;
}

static void merge_breakpoints(lc_exchange* ex);

/* A slice is partitioned (status: how that went). The last one merges the breakpoints and
 * wakes the consumers that went to sleep. */
static void arrive(lc_exchange* ex, int64_t status) {
    if (status) {   /* the first failure is the one reported */
        int32_t none = LC_OK;
        __atomic_compare_exchange_n(&ex->status, &none, (int32_t)status, 0, __ATOMIC_RELEASE,
                                    __ATOMIC_RELAXED);
    }
    if (__atomic_add_fetch(&ex->arrived, 1, __ATOMIC_ACQ_REL) == ex->nworkers) {
        /* (a failed slice's breakpoints are not this chunk's: nothing is merged) */
        if (!__atomic_load_n(&ex->status, __ATOMIC_ACQUIRE)) merge_breakpoints(ex);
        __atomic_store_n(&ex->ready, 1, __ATOMIC_RELEASE);
        __atomic_add_fetch(&ex->arrived_seq, 1, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&ex->waiters, __ATOMIC_SEQ_CST)) futex_wake(&ex->arrived_seq);
    }
}

/* Until every slice is partitioned and the breakpoints merged; the first failure, or LC_OK. */
static int64_t wait_partitioned(lc_exchange* ex) {
    for (int i = 0;; i++) {
        int32_t seq = __atomic_load_n(&ex->arrived_seq, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&ex->ready, __ATOMIC_ACQUIRE))
            return __atomic_load_n(&ex->status, __ATOMIC_ACQUIRE);
        if (i < SPIN_ITERATIONS) {
            cpu_relax();
            continue;
        }
        __atomic_add_fetch(&ex->waiters, 1, __ATOMIC_SEQ_CST);
        futex_wait(&ex->arrived_seq, seq);
        __atomic_sub_fetch(&ex->waiters, 1, __ATOMIC_SEQ_CST);
    }
}

static int64_t slice_lo(int64_t n, int64_t N, int64_t s) { return n * s / N; }

static int64_t sub_sat(int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r)) return b > 0 ? INT64_MIN : INT64_MAX;
    return r;
}

#define SCAN_BLOCK 16

/* Whether this CPU (and OS) runs the AVX-512 paths below; LAMINARC_NO_AVX512 turns them off
 * (tests run both). */
static int use_avx512(void) {
#if defined(__x86_64__)
    static int have = -1;
    if (have < 0) {
        __builtin_cpu_init();
        have = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vl") && !getenv("LAMINARC_NO_AVX512");
    }
    return have;
#else
    return 0;
#endif
}

static int64_t block_max_scalar(const int64_t* ts) {
    int64_t m = ts[0];
    for (int k = 1; k < SCAN_BLOCK; k++) m = ts[k] > m ? ts[k] : m;
    return m;
}

#if defined(__x86_64__)
#include <immintrin.h>
__attribute__((target("avx512f")))
static int64_t block_max_avx512(const int64_t* ts) {
    __m512i a = _mm512_loadu_si512(ts), b = _mm512_loadu_si512(ts + 8);
    return _mm512_reduce_max_epi64(_mm512_max_epi64(a, b));
}
#endif

/* The largest of SCAN_BLOCK event times, vectorized where `vec` (use_avx512()). */
static int64_t block_max(const int64_t* ts, int vec) {
#if defined(__x86_64__)
    if (vec) return block_max_avx512(ts);
#endif
    return block_max_scalar(ts);
}

/* The rows of [lo, hi) where the watermark (max event time - delay, from `wm`) rises, as
 * breakpoints (row after the rise, new watermark); returns the watermark at hi. Blocks whose
 * largest event time cannot raise it are skipped whole (in-order data rises rarely). */
static int64_t scan_watermark(const int64_t* ts, int64_t lo, int64_t hi, int64_t delay,
                              int64_t wm, int64_t* pos, int64_t* wms, int64_t* nbp) {
    int64_t nb = 0;
    int vec = use_avx512();
    for (int64_t i = lo; i < hi;) {
        if (hi - i >= SCAN_BLOCK) {
            if (sub_sat(block_max(ts + i, vec), delay) <= wm) {
                i += SCAN_BLOCK;
                continue;
            }
        }
        int64_t end = hi - i >= SCAN_BLOCK ? i + SCAN_BLOCK : hi;
        for (; i < end; i++) {
            int64_t c = sub_sat(ts[i], delay);
            if (c > wm) {
                wm = c;
                if (i + 1 < hi) {
                    pos[nb] = i + 1;
                    wms[nb++] = wm;
                }
            }
        }
    }
    *nbp = nb;
    return wm;
}

/* The kernel over this worker's slice (with exit-and-resume for scratch), and the slice's
 * watermark breakpoints, from nothing (the consumers add what came before). */
static int64_t partition_slice(lc_exchange* ex, int64_t w, const lc_col* cols, int32_t nulls) {
    int64_t N = ex->nworkers;
    lc_part* k = ex->parts[w];
    lc_part_fn fn = ex->kernels[nulls ? 1 : 0];
    int64_t lo = slice_lo(ex->n, N, w), end = slice_lo(ex->n, N, w + 1);
    for (int64_t pos = lo, stalls = 0; pos < end;) {
        int64_t r = fn(k, cols, pos, end);
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
    ex->slice_nbp[w] = 0;
    ex->slice_wm[w] = INT64_MIN;
    if (ex->time_col >= 0) {
        const lc_col* c = &cols[ex->time_col];
        ex->slice_wm[w] = scan_watermark((const int64_t*)c->values + c->offset, lo, end,
                                         ex->delay, INT64_MIN, ex->slice_bp_pos[w],
                                         ex->slice_bp_wm[w], &ex->slice_nbp[w]);
    }
    return LC_OK;
}

/* The indices i < n with dest[i] == w, in order, into sel (SEL_SLACK past the end may be
 * written). AVX-512 compresses 16 indices per instruction where the CPU has it. */
#if defined(__x86_64__)
__attribute__((target("avx512f,avx512bw,avx512vl")))
static int64_t select_avx512(const uint8_t* dest, int64_t n, uint8_t w, int32_t* sel) {
    const __m128i want = _mm_set1_epi8((char)w);
    const __m512i step = _mm512_set1_epi32(16);
    __m512i idx = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    int64_t i = 0, j = 0;
    for (; i + 16 <= n; i += 16) {
        __mmask16 m = _mm_cmpeq_epi8_mask(_mm_loadu_si128((const __m128i*)(dest + i)), want);
        /* compress in a register, then a plain store: the memory form is slow on some CPUs */
        _mm512_storeu_si512(sel + j, _mm512_maskz_compress_epi32(m, idx));
        j += __builtin_popcount(m);
        idx = _mm512_add_epi32(idx, step);
    }
    for (; i < n; i++) {
        sel[j] = (int32_t)i;
        j += dest[i] == w;
    }
    return j;
}
#endif

static int64_t select_scalar(const uint8_t* dest, int64_t n, uint8_t w, int32_t* sel) {
    int64_t j = 0;
    for (int64_t i = 0; i < n; i++) {
        sel[j] = (int32_t)i;   /* branch-free: kept only when it is ours */
        j += dest[i] == w;
    }
    return j;
}

static int64_t select_rows(const uint8_t* dest, int64_t n, uint8_t w, int32_t* sel) {
#if defined(__x86_64__)
    if (use_avx512()) return select_avx512(dest, n, w, sel);
#endif
    return select_scalar(dest, n, w, sel);
}

/* The slices' breakpoints as one list over the chunk, each raising the watermark of the rows
 * before it (a slice's own start from nothing: the slices before it are added at its first
 * row), and the chunk's largest event time - delay. Shards apply a breakpoint as the larger of
 * their watermark and its value, so the one list serves every shard. Run by the slice that
 * arrives last, once the others are in. */
static void merge_breakpoints(lc_exchange* ex) {
    int64_t N = ex->nworkers, n = ex->n;
    int64_t m = 0, prefix = INT64_MIN;
    int64_t *pos = ex->bp_pos, *wms = ex->bp_wm;
    for (int64_t s = 0; s < N; s++) {
        if (s > 0 && prefix != INT64_MIN) {   /* the slices before it raised the watermark */
            pos[m] = slice_lo(n, N, s);
            wms[m++] = prefix;
        }
        const int64_t *sp = ex->slice_bp_pos[s], *sw = ex->slice_bp_wm[s];
        for (int64_t b = 0; b < ex->slice_nbp[s]; b++) {
            if (sw[b] <= prefix) continue;
            pos[m] = sp[b];
            wms[m++] = sw[b];
        }
        if (ex->slice_wm[s] > prefix) prefix = ex->slice_wm[s];
    }
    ex->nbp = m;
    ex->wm_after = prefix;
}

/* The largest event time - delay in the chunk (INT64_MIN: none); the source's watermark after
 * it is the larger of this and the one before. Valid once every slice is partitioned. */
int64_t lc_exchange_wm_after(lc_exchange* ex) { return ex->wm_after; }

/* Partition slice s unless another worker took it; 1 if this call did. */
static int claim_slice(lc_exchange* ex, int64_t s, const lc_col* cols, int32_t nulls,
                       int64_t* rc) {
    if (__atomic_exchange_n(&ex->claimed[s], 1, __ATOMIC_ACQ_REL)) return 0;
    *rc = partition_slice(ex, s, cols, nulls);
    arrive(ex, *rc);
    return 1;
}

static int64_t run_partition(lc_task* t) {
    int64_t t0 = now_ns(), rc = LC_OK;
    if (claim_slice(t->ex, t->worker, t->cols, t->nulls, &rc))
        t->pipe->ns_partition += now_ns() - t0;
    return rc;
}

/* Every slice of the chunk no worker has started yet (its worker is behind, say preempted, or
 * the tasks run inline), partitioned here rather than waited for, this worker's own first;
 * *claimed says whether any was. The first failure, or LC_OK. */
static int64_t claim_rest(lc_exchange* ex, lc_task* t, int* claimed) {
    *claimed = 0;
    for (int64_t k = 0; k < ex->nworkers; k++) {
        int64_t s = (t->worker + k) % ex->nworkers, r = LC_OK;
        if (claim_slice(ex, s, t->cols, t->nulls, &r)) {
            if (r) return r;
            *claimed = 1;
        }
    }
    return LC_OK;
}

/* Once the chunk is partitioned: worker w's rows selected, and its shard set to run over them
 * with the exchange's breakpoints. Returns how many rows it has. */
static int64_t select_shard(lc_exchange* ex, lc_pipe* p, int64_t w) {
    int64_t nsel = select_rows(ex->dest, ex->n, (uint8_t)w, ex->sel[w]);
    p->sel = ex->sel[w];
    p->bp_pos = ex->bp_pos;
    p->bp_wm = ex->bp_wm;
    p->nbp = ex->nbp;
    p->bp_next = 0;
    return nsel;
}

/* This worker's rows of a partitioned chunk through its shard, then emission. */
static int64_t run_consume(lc_task* t) {
    lc_exchange* ex = t->ex;
    lc_pipe* p = t->pipe;
    int64_t w = t->worker, rc, t0 = now_ns();
    int claimed;
    if ((rc = claim_rest(ex, t, &claimed))) return rc;
    int64_t t1 = now_ns();
    if (claimed) p->ns_partition += t1 - t0;
    if ((rc = wait_partitioned(ex))) return rc;
    int64_t t2w = now_ns();
    p->ns_wait += t2w - t1;
    t1 = t2w;
    int64_t nsel = select_shard(ex, p, w);
    int64_t wm_after = ex->wm_after, t2 = now_ns();
    p->ns_select += t2 - t1;
    p->seq_base = t->seq_base;
    p->proc_now = t->proc_now;
    if (nsel) {
        rc = lc_pipe_run_from(p, t->cols, 0, nsel, t->nulls);
        if (rc) return rc;
    }
    if (wm_after > p->wm) p->wm = wm_after;
    rc = emit(p, t);   /* (the collector merges the shards' outputs: see lc_part) */
    p->ns_run += now_ns() - t2;
    return rc;
}

/* Tasks run in the calling thread, in order (small batches: no hand-over is worth its
 * wake-ups; a chunk's PARTITION tasks come before its CONSUME tasks). Only valid while the
 * workers are idle. */
int64_t lc_run_tasks_inline(lc_task** tasks, int64_t n) {
    int64_t rc = LC_OK;
    for (int64_t i = 0; i < n; i++) {
        lc_task* t = tasks[i];
        t->status = lc_run_task(t);
        if (t->status && !rc) rc = t->status;
        __atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
    }
    return rc;
}

/* ------------------------------------------------------------------------------------------
 * pre-aggregation: every worker runs its blocks of a chunk; one thread merges the windows
 * that closed (see lc_combine in the header)
 * ---------------------------------------------------------------------------------------- */
lc_combine* lc_combine_new(int64_t nworkers, int64_t block_rows, int64_t time_col,
                           int64_t delay, int64_t chunk_rows) {
    if (nworkers < 1 || block_rows < 1) return NULL;
    lc_combine* cb = (lc_combine*)lc_calloc(sizeof(lc_combine));
    if (!cb) return NULL;
    cb->nworkers = nworkers;
    cb->block_rows = block_rows;
    cb->time_col = time_col;
    cb->delay = delay;
    cb->tasks = (lc_task**)lc_calloc(nworkers * 8);
    if (time_col >= 0 && chunk_rows > 0) {   /* a chunk's blocks, a partial one at each end */
        cb->blocks_cap = chunk_rows / block_rows + 2;
        cb->block_wm = (int64_t*)lc_malloc(cb->blocks_cap * 8);
        cb->block_ready = (int32_t*)lc_malloc(cb->blocks_cap * 4);
        cb->block_min = (int64_t*)lc_malloc(cb->blocks_cap * 8);
        cb->block_max = (int64_t*)lc_malloc(cb->blocks_cap * 8);
        cb->block_seen = (int32_t*)lc_malloc(cb->blocks_cap * 4);
    }
    if (!cb->tasks || (cb->blocks_cap && (!cb->block_wm || !cb->block_ready || !cb->block_min
                                          || !cb->block_max || !cb->block_seen))) {
        lc_combine_free(cb);
        return NULL;
    }
    return cb;
}

void lc_combine_free(lc_combine* cb) {
    if (!cb) return;
    lc_free(cb->tasks);
    lc_free(cb->where);
    lc_free(cb->marks);
    lc_out_free(cb->out);
    lc_free(cb->ctx.scratch);
    lc_free(cb->block_wm);
    lc_free(cb->block_ready);
    lc_free(cb->block_min);
    lc_free(cb->block_max);
    lc_free(cb->block_seen);
    lc_free(cb);
}

void lc_combine_set_route(lc_combine* cb, lc_exchange* ex, lc_run_fn sel_dense,
                          lc_run_fn sel_nulls, int64_t* route_wanted, int64_t route_groups) {
    cb->ex = ex;
    cb->sel_fns[0] = sel_dense;
    cb->sel_fns[1] = sel_nulls;
    cb->route_wanted = route_wanted;
    cb->route_groups = route_groups;
}

/* (A task of a routable pipeline before its route) whether its shard now holds enough groups
 * in one window for the route (lc_combine.route_wanted). */
static void note_groups(const lc_task* t, lc_combine* cb) {
    lc_agg* agg = t->pipe->agg;
    /* (a sliced HOP's slices hold each group many times, so its windows' folds count) */
    int64_t groups = agg->slice_units ? 0 : lc_agg_entries(agg);
    for (lc_table* w = t->closed; w; w = w->next)
        if (w->count > groups) groups = w->count;
    if (groups > cb->route_groups && !__atomic_load_n(cb->route_wanted, __ATOMIC_RELAXED))
        __atomic_store_n(cb->route_wanted, 1, __ATOMIC_RELAXED);
}

/* Whether a chunk of n rows routes them by key (its exchange partitions it, and its BLOCKS
 * tasks run routed): it has rows, and the pipeline's route is set (lc_combine.route_from). */
static int chunk_routes(const lc_combine* cb, int64_t n) {
    return n > 0 && cb->route_from != INT64_MAX;
}

/* ---- choosing the deal (lc_dealer) ---- */
#define DEAL_MIN_BLOCKS 2   /* a window of fewer blocks is on few workers anyway */
#define DEAL_LAG_FREE 1     /* chunks a worker may be behind before it gives windows away */
#define DEAL_GAIN 4         /* m per chunk behind past that */
#define DEAL_MAX_SHARE 32   /* m at most: a worker keeps half its windows */

struct lc_dealer {
    int64_t size, nworkers, depth, block_rows;
    lc_pool* pool;
    int64_t top;                       /* the largest event time sampled so far */
    int64_t anchor_rows, anchor_top;   /* where rows a window are measured from (anchor_top
                                        * INT64_MIN: not yet) */
    double rows_per_window;            /* < 0: not measured yet */
    int32_t on;
    int64_t* queued;                   /* scratch: each worker's queue */
};

lc_dealer* lc_dealer_new(int64_t size, int64_t nworkers, int64_t depth, int64_t block_rows,
                         lc_pool* pool) {
    if (size < 1 || nworkers < 1) return NULL;
    lc_dealer* d = (lc_dealer*)lc_calloc(sizeof(lc_dealer));
    if (!d) return NULL;
    if (!(d->queued = (int64_t*)lc_calloc(nworkers * 8))) {
        lc_free(d);
        return NULL;
    }
    d->size = size;
    d->nworkers = nworkers;
    d->depth = depth;
    d->block_rows = block_rows;
    d->pool = pool;
    d->top = d->anchor_top = INT64_MIN;
    d->rows_per_window = -1;
    return d;
}

void lc_dealer_free(lc_dealer* d) {
    if (!d) return;
    lc_free(d->queued);
    lc_free(d);
}

void lc_combine_set_dealer(lc_combine* cb, lc_dealer* d) { cb->dealer = d; }

static int deal_by_rows(lc_dealer* d, int64_t rows, int64_t sampled, int64_t chunk_rows) {
    if (sampled > d->top) d->top = sampled;
    if (d->anchor_top == INT64_MIN) {
        d->anchor_rows = rows;
        d->anchor_top = d->top;
        return d->on;
    }
    __int128 span = (__int128)d->top - d->anchor_top;   /* (may exceed int64's range) */
    if (span >= 2 * (__int128)d->size) {
        d->rows_per_window = (double)(rows - d->anchor_rows) * (double)d->size / (double)span;
        d->anchor_rows = rows;
        d->anchor_top = d->top;
    }
    double r = d->rows_per_window;
    if (r < 0) return d->on;
    double low = (double)(DEAL_MIN_BLOCKS * d->block_rows);
    double high = (double)d->depth * (double)chunk_rows / (double)(d->nworkers + 1);
    if (d->on) d->on = low * 0.75 <= r && r <= high * 1.25;
    else d->on = low <= r && r <= high;
    return d->on;
}

int32_t lc_dealer_code(lc_dealer* d, int64_t rows, int64_t sampled, int64_t chunk_rows,
                       const int64_t* queued) {
    if (!deal_by_rows(d, rows, sampled, chunk_rows)) return 0;
    int64_t behind = 0, least = queued[0];
    for (int64_t w = 1; w < d->nworkers; w++) {
        if (queued[w] > queued[behind]) behind = w;
        if (queued[w] < least) least = queued[w];
    }
    int64_t m = DEAL_GAIN * (queued[behind] - least - DEAL_LAG_FREE);
    m = m < 0 ? 0 : m > DEAL_MAX_SHARE ? DEAL_MAX_SHARE : m;
    return (int32_t)(1 + (m ? behind * 65 + m : 0));
}

/* A chunk's code from its rows: the event times of its first, middle and last rows, its end
 * in the source (rows are only ever compared: from wherever the pipeline started), and the
 * queues now. */
static int32_t dealer_ask(lc_dealer* d, int64_t time_col, const lc_col* cols, int64_t n,
                          int64_t seq_base) {
    int64_t sampled = INT64_MIN;
    if (n > 0 && time_col >= 0) {
        const int64_t* ts = (const int64_t*)cols[time_col].values + cols[time_col].offset;
        sampled = ts[0];
        if (ts[n / 2] > sampled) sampled = ts[n / 2];
        if (ts[n - 1] > sampled) sampled = ts[n - 1];
    }
    for (int64_t w = 0; w < d->nworkers; w++)
        d->queued[w] = d->pool ? lc_pool_queued(d->pool, w) : 0;
    return lc_dealer_code(d, seq_base + n, sampled, n, d->queued);
}

/* Sets up a chunk's tasks (one per worker, `tasks[w]` worker w's), by the thread that
 * collects them, and with a pool hands them over (each on its own); `prev` is the pipeline's
 * chunk before it if that is still in flight, else NULL. (One call rather than a dozen field
 * stores per task and a hand-over from Python: this is on the inserting thread's path once
 * per chunk.) */
int64_t lc_combine_start(lc_combine* cb, lc_task* tasks, int64_t seq, lc_combine* prev,
                         int32_t merge_now, int32_t emit, int64_t wm, const lc_col* cols,
                         int64_t n, int32_t nulls, int64_t seq_base, int64_t proc_now,
                         int64_t route_from, int32_t deal, lc_pool* pool) {
    if (pool && pool->n != cb->nworkers) return LC_ERR_LIMIT;
    if (deal == LC_DEAL_ASK)
        deal = cb->dealer ? dealer_ask(cb->dealer, cb->time_col, cols, n, seq_base) : 0;
    cb->route_from = route_from;
    cb->deal = deal;
    if (chunk_routes(cb, n)) {
        lc_exchange* ex = cb->ex;
        if (!ex) return LC_ERR_LIMIT;
        int rc = lc_exchange_start(ex, n, cols, nulls, seq_base, LC_EMIT_NONE, proc_now);
        if (rc) return rc;
        for (int64_t w = 0; w < cb->nworkers; w++) {
            ex->parts[w]->route_from = route_from;
            ex->parts[w]->block_rows = cb->block_rows;
            ex->parts[w]->seq_base = seq_base;
        }
    }
    for (int64_t w = 0; w < cb->nworkers; w++) {
        lc_task* t = cb->tasks[w] = &tasks[w];
        t->emit = emit;
        t->wm = wm;
        t->out = NULL;
        t->closed = NULL;
        t->status = LC_OK;
        t->done = 0;
        t->next = NULL;
        t->cols = cols;
        t->n = n;
        t->nulls = nulls;
        t->seq_base = seq_base;
        t->proc_now = proc_now;
    }
    cb->arrived = 0;
    cb->status = LC_OK;
    cb->merge_now = merge_now;
    __atomic_store_n(&cb->prev, prev, __ATOMIC_RELEASE);
    cb->merged = 0;
    cb->merge_status = LC_OK;
    cb->ctx.errors = 0;
    cb->nblocks = 0;
    if (n > 0 && cb->time_col >= 0) {
        int64_t first = seq_base / cb->block_rows, count = (seq_base + n - 1) / cb->block_rows -
                                                          first + 1;
        if (count <= cb->blocks_cap) {   /* else (a longer chunk than announced): scans */
            memset(cb->block_ready, 0, (size_t)count * 4);
            memset(cb->block_seen, 0, (size_t)count * 4);
            cb->first_block = first;
            cb->nblocks = count;
        }
    }
    __atomic_store_n(&cb->merge, seq * 4 + LC_MERGE_OPEN, __ATOMIC_RELEASE);
    if (pool) {
        for (int64_t w = 0; w < cb->nworkers; w++) pool->workers[w].handing = &tasks[w];
        hand_over(pool);
    }
    return LC_OK;
}

/* The event times another worker's block scans are usually in no cache of this core (they
 * come from memory, as the block's owner reads them at about the same time): the scan is
 * bound by load latency, so it keeps many lines in flight, reading ahead of its loads, and
 * reduces its vector maxima once per range rather than per SCAN_BLOCK. */
#define SCAN_AHEAD 512   /* rows (4 KiB) */

#if defined(__x86_64__)
__attribute__((target("avx512f")))
static int64_t range_max_avx512(const int64_t* ts, int64_t n) {
    __m512i m0 = _mm512_set1_epi64(INT64_MIN), m1 = m0, m2 = m0, m3 = m0;
    int64_t i = 0;
    for (; n - i >= 32; i += 32) {
        /* (a prefetch past the end of the column is harmless: it never faults) */
        const char* ahead = (const char*)(ts + i + SCAN_AHEAD);
        _mm_prefetch(ahead, _MM_HINT_T0);
        _mm_prefetch(ahead + 64, _MM_HINT_T0);
        _mm_prefetch(ahead + 128, _MM_HINT_T0);
        _mm_prefetch(ahead + 192, _MM_HINT_T0);
        m0 = _mm512_max_epi64(m0, _mm512_loadu_si512(ts + i));
        m1 = _mm512_max_epi64(m1, _mm512_loadu_si512(ts + i + 8));
        m2 = _mm512_max_epi64(m2, _mm512_loadu_si512(ts + i + 16));
        m3 = _mm512_max_epi64(m3, _mm512_loadu_si512(ts + i + 24));
    }
    int64_t m = _mm512_reduce_max_epi64(_mm512_max_epi64(_mm512_max_epi64(m0, m1),
                                                         _mm512_max_epi64(m2, m3)));
    for (; i < n; i++) m = ts[i] > m ? ts[i] : m;
    return m;
}
#endif

/* The largest of ts[lo, hi), or INT64_MIN when empty. */
static int64_t scan_max(const int64_t* ts, int64_t lo, int64_t hi) {
#if defined(__x86_64__)
    if (use_avx512()) return range_max_avx512(ts + lo, hi - lo);
#endif
    int64_t m0 = INT64_MIN, m1 = INT64_MIN, m2 = INT64_MIN, m3 = INT64_MIN;
    for (; hi - lo >= 4; lo += 4) {
        __builtin_prefetch(ts + lo + SCAN_AHEAD);
        m0 = ts[lo] > m0 ? ts[lo] : m0;
        m1 = ts[lo + 1] > m1 ? ts[lo + 1] : m1;
        m2 = ts[lo + 2] > m2 ? ts[lo + 2] : m2;
        m3 = ts[lo + 3] > m3 ? ts[lo + 3] : m3;
    }
    for (; lo < hi; lo++) m0 = ts[lo] > m0 ? ts[lo] : m0;
    m0 = m1 > m0 ? m1 : m0;
    m2 = m3 > m2 ? m3 : m2;
    return m2 > m0 ? m2 : m0;
}

/* ---- dealing whole windows (see lc_combine.deal) ---- */
#define LC_DEAL_SWITCHES 8

/* A shard's switches: windows numbered from[i] up to from[i + 1] - 1 are dealt by window
 * (by_window[i]) or by blocks; windows below from[0] by blocks. Every worker's shard keeps
 * the same ones: each makes a switch at the same chunk, from the same watermark. (The
 * windows are its aggregate's: size and offset from lc_agg.) */
typedef struct lc_deal {
    int64_t n;
    int64_t from[LC_DEAL_SWITCHES];
    int64_t by_window[LC_DEAL_SWITCHES];
} lc_deal;

int64_t lc_pipe_set_deal(lc_pipe* p) {
    const lc_agg* a = p->agg;
    if (!a || !a->windowed || a->slice_units || a->slide != a->size) return LC_ERR_LIMIT;
    if (!p->deal && !(p->deal = (lc_deal*)lc_calloc(sizeof(lc_deal)))) return LC_ERR_NOMEM;
    return LC_OK;
}

/* How windows above every switch are dealt now (0: by blocks, else the code by window: see
 * lc_combine.deal). */
static int64_t deal_now(const lc_deal* d) {
    return d->n ? d->by_window[d->n - 1] : 0;
}

int64_t lc_pipe_dealt_from(const lc_pipe* p) {
    const lc_deal* d = p->deal;
    if (!d || !deal_now(d)) return INT64_MAX;
    int64_t i = d->n - 1;
    while (i > 0 && d->by_window[i - 1]) i--;   /* (switches between weights of the deal) */
    return d->from[i];
}

/* The number of the TUMBLE window holding event time ts (as the compiled loop numbers it:
 * window_number in compiler/codegen/exprs.py; 0 <= offset < size). */
static int64_t deal_window(const lc_agg* a, int64_t ts) {
    int64_t q = lc_floor_div(ts, a->size);
    return lc_floor_mod(ts, a->size) < a->offset ? q - 1 : q;
}

static int64_t add_sat(int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) return b > 0 ? INT64_MAX : INT64_MIN;
    return r;
}

static int64_t deal_by_window(const lc_deal* d, int64_t k) {
    for (int64_t i = d->n - 1; i >= 0; i--)
        if (d->from[i] <= k) return d->by_window[i];
    return 0;
}

/* The worker of window k's rows in a block of lane `lane`. Dealt by window (a code c > 0,
 * see lc_combine.deal), window k is worker k % nworkers's, except that the `slow` worker
 * gives m / 64 of its windows (spread evenly: m of each 64 in turn) to the others in turn.
 * Any function of k alone keeps results one worker's: a window's rows all meet in one
 * shard. */
static int64_t deal_owner(const lc_deal* d, int64_t k, int64_t lane, int64_t nworkers) {
    int64_t code = deal_by_window(d, k);
    if (!code) return lane % nworkers;
    int64_t w = lc_floor_mod(k, nworkers), slow = (code - 1) / 65, m = (code - 1) % 65;
    if (w != slow || !m || nworkers < 2) return w;
    int64_t j = (k - w) / nworkers, jm = lc_floor_mod(j, 64);   /* (exact: k - w is a multiple) */
    if (((jm + 1) * m) >> 6 == (jm * m) >> 6) return w;
    return (slow + 1 + lc_floor_mod(j, nworkers - 1)) % nworkers;
}

/* At a chunk's start, on every worker alike (same watermark, same switches): deal windows
 * above every event time seen so far the way `want` says, unless they already are. wm +
 * delay is at least every event time seen (the watermark follows every row, and an explicit
 * one only raises it), so the switch splits no window. Switches below the watermark's window
 * lead only to closed windows, whose rows are late wherever they go: they are dropped to make
 * room. With no room left the switch waits (the workers agree on that too). (A late row's
 * worker only counts it, once, wherever it goes.) */
static void deal_switch(lc_pipe* p, int64_t want, int64_t delay) {
    lc_deal* d = p->deal;
    if (want == deal_now(d)) return;
    int64_t top = add_sat(p->wm, delay);
    if (top == INT64_MAX) return;   /* (every window ahead may have rows already) */
    int64_t from = deal_window(p->agg, top) + 1, closed = deal_window(p->agg, p->wm) - 1;
    int64_t drop = 0;
    while (drop + 1 < d->n && d->from[drop + 1] <= closed) drop++;
    if (drop) {
        memmove(d->from, d->from + drop, (size_t)(d->n - drop) * 8);
        memmove(d->by_window, d->by_window + drop, (size_t)(d->n - drop) * 8);
        d->n -= drop;
    }
    /* A switch at the same window has met no row yet: it goes, and may not be needed. */
    if (d->n && d->from[d->n - 1] == from) {
        d->n--;
        if (want == deal_now(d)) return;
    }
    if (d->n == LC_DEAL_SWITCHES) return;
    d->from[d->n] = from;
    d->by_window[d->n++] = want;
}

#if defined(__x86_64__)
__attribute__((target("avx512f")))
static void range_minmax_avx512(const int64_t* ts, int64_t n, int64_t* mn, int64_t* mx) {
    __m512i a0 = _mm512_set1_epi64(INT64_MAX), a1 = a0;
    __m512i b0 = _mm512_set1_epi64(INT64_MIN), b1 = b0;
    int64_t i = 0;
    for (; n - i >= 16; i += 16) {
        const char* ahead = (const char*)(ts + i + SCAN_AHEAD);
        _mm_prefetch(ahead, _MM_HINT_T0);
        _mm_prefetch(ahead + 64, _MM_HINT_T0);
        __m512i x = _mm512_loadu_si512(ts + i), y = _mm512_loadu_si512(ts + i + 8);
        a0 = _mm512_min_epi64(a0, x);
        b0 = _mm512_max_epi64(b0, x);
        a1 = _mm512_min_epi64(a1, y);
        b1 = _mm512_max_epi64(b1, y);
    }
    int64_t lo = _mm512_reduce_min_epi64(_mm512_min_epi64(a0, a1));
    int64_t hi = _mm512_reduce_max_epi64(_mm512_max_epi64(b0, b1));
    for (; i < n; i++) {
        lo = ts[i] < lo ? ts[i] : lo;
        hi = ts[i] > hi ? ts[i] : hi;
    }
    *mn = lo;
    *mx = hi;
}
#endif

/* The smallest and largest of ts[lo, hi) (hi > lo). */
static void scan_minmax(const int64_t* ts, int64_t lo, int64_t hi, int64_t* mn, int64_t* mx) {
#if defined(__x86_64__)
    if (use_avx512()) {
        range_minmax_avx512(ts + lo, hi - lo, mn, mx);
        return;
    }
#endif
    int64_t a0 = ts[lo], a1 = a0, b0 = a0, b1 = a0;
    for (; hi - lo >= 2; lo += 2) {
        __builtin_prefetch(ts + lo + SCAN_AHEAD);
        a0 = ts[lo] < a0 ? ts[lo] : a0;
        a1 = ts[lo + 1] < a1 ? ts[lo + 1] : a1;
        b0 = ts[lo] > b0 ? ts[lo] : b0;
        b1 = ts[lo + 1] > b1 ? ts[lo + 1] : b1;
    }
    for (; lo < hi; lo++) {
        a0 = ts[lo] < a0 ? ts[lo] : a0;
        b0 = ts[lo] > b0 ? ts[lo] : b0;
    }
    *mn = a1 < a0 ? a1 : a0;
    *mx = b1 > b0 ? b1 : b0;
}

/* Whether a switch lies in (k0, k1]: windows k0 ... k1 are not all dealt alike. */
static int deal_switch_within(const lc_deal* d, int64_t k0, int64_t k1) {
    for (int64_t i = 0; i < d->n; i++)
        if (d->from[i] > k0 && d->from[i] <= k1) return 1;
    return 0;
}

#if defined(__x86_64__)
__attribute__((target("avx512f")))
static int64_t within_end_avx512(const int64_t* ts, int64_t j, int64_t hi, int64_t first,
                                 int64_t last) {
    __m512i a = _mm512_set1_epi64(first), b = _mm512_set1_epi64(last);
    for (; hi - j >= 8; j += 8) {
        __m512i x = _mm512_loadu_si512(ts + j);
        __mmask8 in = _mm512_cmpge_epi64_mask(x, a) & _mm512_cmple_epi64_mask(x, b);
        if (in != 0xFF) return j + __builtin_ctz((unsigned)(uint8_t)~in);
    }
    for (; j < hi && ts[j] >= first && ts[j] <= last; j++)
        ;
    return j;
}
#endif

/* The first of ts[j, hi) outside [first, last], or hi. */
static int64_t within_end(const int64_t* ts, int64_t j, int64_t hi, int64_t first,
                          int64_t last) {
#if defined(__x86_64__)
    if (use_avx512()) return within_end_avx512(ts, j, hi, first, last);
#endif
    for (; j < hi && ts[j] >= first && ts[j] <= last; j++)
        ;
    return j;
}

/* Rows [lo, hi) of one block (lane `lane`) whose windows go to different workers: run by
 * runs of one worker's rows, a run ending where a row's window has another worker (a
 * window's bounds are computed once, where its first row is met, not per row). */
static int64_t run_dealt_rows(lc_pipe* p, const lc_col* cols, const int64_t* ts, int64_t lo,
                              int64_t hi, int32_t nulls, int64_t worker, int64_t nworkers,
                              int64_t lane, int64_t delay) {
    const lc_deal* d = p->deal;
    const lc_agg* a = p->agg;
    while (lo < hi) {
        int64_t k = deal_window(a, ts[lo]), owner = deal_owner(d, k, lane, nworkers), j = lo;
        for (;;) {
            __int128 start = (__int128)k * a->size + a->offset, last = start + a->size - 1;
            int64_t first = start < INT64_MIN ? INT64_MIN : (int64_t)start;
            j = within_end(ts, j, hi, first, last > INT64_MAX ? INT64_MAX : (int64_t)last);
            if (j == hi) break;
            k = deal_window(a, ts[j]);
            if (deal_owner(d, k, lane, nworkers) != owner) break;
        }
        if (owner == worker) {
            int64_t rc = lc_pipe_run_from(p, cols, lo, j, nulls);
            if (rc) return rc;
        } else {
            int64_t c = sub_sat(scan_max(ts, lo, j), delay);
            if (c > p->wm) p->wm = c;
        }
        lo = j;
    }
    return LC_OK;
}

/* The least and largest of a chunk's block's event times ts[lo, hi), block `at` of cb's
 * (-1: none is published): taken from another worker if it published them, else scanned,
 * and published unless another worker is scanning them now. */
static void block_minmax(lc_combine* cb, int64_t at, const int64_t* ts, int64_t lo,
                         int64_t hi, int64_t* mn, int64_t* mx) {
    int32_t seen = 0;
    if (at >= 0 && __atomic_load_n(&cb->block_seen[at], __ATOMIC_ACQUIRE) == 2) {
        *mn = cb->block_min[at];
        *mx = cb->block_max[at];
        return;
    }
    int mine = at >= 0 && __atomic_compare_exchange_n(&cb->block_seen[at], &seen, 1, 0,
                                                      __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
    scan_minmax(ts, lo, hi, mn, mx);
    if (mine) {
        cb->block_min[at] = *mn;
        cb->block_max[at] = *mx;
        __atomic_store_n(&cb->block_seen[at], 2, __ATOMIC_RELEASE);
    }
}

/* The end of TUMBLE window k of a (saturated, as the compiled loops compute it). */
static int64_t window_end(const lc_agg* a, int64_t k) {
    __int128 end = (__int128)k * a->slide + a->offset + a->size;
    return end > INT64_MAX ? INT64_MAX : end < INT64_MIN ? INT64_MIN : (int64_t)end;
}

/* Rows [lo, hi) of the shard's, all in window k, their largest event time mx: the loop over
 * one window's rows (lc_pipe.win_dense) when that window is open for every one of them, as
 * it is unless they are late (the watermark before any of them is at most the larger of
 * the shard's and mx's), then the watermark those rows move it to; else the usual loop. */
static int64_t run_window(lc_pipe* p, const lc_col* cols, int64_t lo, int64_t hi,
                          int32_t nulls, int64_t k, int64_t mx, int64_t delay) {
    lc_run_fn fn = nulls ? p->win_nulls : p->win_dense;
    int64_t after = sub_sat(mx, delay);
    if (after < p->wm) after = p->wm;
    if (!fn || k == INT64_MIN || window_end(p->agg, k) <= after)
        return lc_pipe_run_from(p, cols, lo, hi, nulls);
    p->win_k = k;
    int64_t rc = lc_pipe_run_with(p, fn, cols, lo, hi);
    if (rc == LC_OK) p->wm = after;
    return rc;
}

/* Rows [lo, hi) of a block that is all the shard's (not dealt by window): through the loop
 * over one window's rows when its least and largest event times, scanned here, lie in one
 * window. The scan costs less than the loop saves (W1 on one worker: 3-4% faster), but only
 * when it finds one window: it is skipped when the first and last rows' windows differ
 * (W1 with 10 ms windows, every block across several, was 5% slower scanning each). */
static int64_t run_own_block(lc_pipe* p, const lc_col* cols, const int64_t* ts, int64_t lo,
                             int64_t hi, int32_t nulls, int64_t delay) {
    int64_t k = deal_window(p->agg, ts[lo]), mn, mx;
    if (k == deal_window(p->agg, ts[hi - 1])) {
        scan_minmax(ts, lo, hi, &mn, &mx);
        if (deal_window(p->agg, mn) == k && deal_window(p->agg, mx) == k)
            return run_window(p, cols, lo, hi, nulls, k, mx, delay);
    }
    return lc_pipe_run_from(p, cols, lo, hi, nulls);
}

/* Rows [lo, hi) of one block (lane `lane`, `at` in cb's) of a shard with switches: the
 * block's windows from its least and largest event times; if they all go to one worker, it
 * runs them and the others take their largest event time, else run_dealt_rows. */
static int64_t run_dealt(lc_pipe* p, const lc_col* cols, const int64_t* ts, int64_t lo,
                         int64_t hi, int32_t nulls, int64_t worker, int64_t nworkers,
                         int64_t lane, int64_t delay, lc_combine* cb, int64_t at) {
    const lc_deal* d = p->deal;
    int64_t mn, mx;
    block_minmax(cb, at, ts, lo, hi, &mn, &mx);
    int64_t k0 = deal_window(p->agg, mn), k1 = deal_window(p->agg, mx), owner;
    if (k0 == k1) owner = deal_owner(d, k0, lane, nworkers);
    else if (!deal_by_window(d, k0) && !deal_switch_within(d, k0, k1)) owner = lane % nworkers;
    else return run_dealt_rows(p, cols, ts, lo, hi, nulls, worker, nworkers, lane, delay);
    if (owner == worker)
        return k0 == k1 ? run_window(p, cols, lo, hi, nulls, k0, mx, delay)
                        : lc_pipe_run_from(p, cols, lo, hi, nulls);
    int64_t c = sub_sat(mx, delay);
    if (c > p->wm) p->wm = c;
    return LC_OK;
}

int64_t lc_pipe_run_blocks(lc_pipe* p, const lc_col* cols, int64_t n, int32_t nulls,
                           int64_t worker, int64_t nworkers, int64_t block_rows,
                           int64_t time_col, int64_t delay, lc_combine* cb) {
    const int64_t* ts = NULL;
    if (time_col >= 0) ts = (const int64_t*)cols[time_col].values + cols[time_col].offset;
    int64_t nblocks = cb ? cb->nblocks : 0;   /* (> 0 only with an event time) */
    /* (with switches, a block's least and largest event times are published instead of its
     * owner's watermark: see lc_combine.block_min) */
    int dealt = ts && p->deal && p->deal->n;
    for (int64_t lo = 0; lo < n;) {
        int64_t pos = p->seq_base + lo, block = pos / block_rows;
        int64_t hi = lo + (block + 1) * block_rows - pos;
        if (hi > n) hi = n;
        int64_t lane = block % LC_LANES, at = nblocks ? block - cb->first_block : -1;
        if (dealt) {
            p->lane = lane;
            int64_t rc = run_dealt(p, cols, ts, lo, hi, nulls, worker, nworkers, lane, delay,
                                   cb, at);
            if (rc) return rc;
        } else if (lane % nworkers == worker) {
            p->lane = lane;
            int64_t rc = ts && p->win_dense ? run_own_block(p, cols, ts, lo, hi, nulls, delay)
                                            : lc_pipe_run_from(p, cols, lo, hi, nulls);
            if (rc) return rc;
            if (at >= 0) {
                cb->block_wm[at] = p->wm;
                __atomic_store_n(&cb->block_ready[at], 1, __ATOMIC_RELEASE);
            }
        } else if (at >= 0 && __atomic_load_n(&cb->block_ready[at], __ATOMIC_ACQUIRE)) {
            /* Its owner is past it: its watermark there covers every row up to its end. */
            if (cb->block_wm[at] > p->wm) p->wm = cb->block_wm[at];
        } else if (ts) {
            /* Another worker's rows: their event times still move this shard's watermark,
             * exactly as the loop would have moved it row by row. */
            int64_t m = scan_max(ts, lo, hi);
            if (m != INT64_MIN) {
                int64_t c = sub_sat(m, delay);
                if (c > p->wm) p->wm = c;
            }
        }
        lo = hi;
    }
    return LC_OK;
}

/* Room for n entries in the merger's lists. */
static int64_t merge_room(lc_combine* cb, int64_t n) {
    if (n <= cb->where_cap) return LC_OK;
    int64_t cap = cb->where_cap ? cb->where_cap : 1024;
    while (cap < n) cap *= 2;
    int32_t* where = (int32_t*)lc_realloc(cb->where, cb->where_cap * 4, cap * 4);
    if (where) cb->where = where;
    uint8_t* marks = (uint8_t*)lc_realloc(cb->marks, cb->where_cap, cap);
    if (marks) cb->marks = marks;
    if (!where || !marks) return LC_ERR_NOMEM;   /* (each kept its old room) */
    cb->where_cap = cap;
    return LC_OK;
}

static int64_t entry_seq(const lc_table* t, int64_t i, int64_t seq_offset) {
    int64_t seq;
    memcpy(&seq, t->entries + i * t->entry_size + seq_offset, 8);
    return seq;
}

/* merged_order of two tables (two workers: the usual case), as a plain two-way merge of dst's
 * own first `own` entries with the other's (where they went: cb->where); marks are clear. W1's
 * merges spent a third of their instructions listing the groups with the k-way loop. */
static void merged_order2(lc_combine* cb, lc_table* dst, const lc_table* other, int64_t own,
                          int64_t seq_offset) {
    const uint8_t* a = dst->entries + seq_offset;
    const uint8_t* b = other->entries + seq_offset;
    size_t sa = (size_t)dst->entry_size, sb = (size_t)other->entry_size;
    const int32_t* where = cb->where;
    uint8_t* marks = cb->marks;
    int32_t* dirty = dst->dirty;
    int64_t nb = other->count, ia = 0, ib = 0, m = 0, qa = INT64_MAX, qb = INT64_MAX;
    if (own) memcpy(&qa, a, 8);
    if (nb) memcpy(&qb, b, 8);
    while (ia < own || ib < nb) {
        int32_t idx;
        if (qa < qb) {
            idx = (int32_t)ia++;
            qa = INT64_MAX;
            if (ia < own) memcpy(&qa, a + ia * sa, 8);
        } else {
            idx = where[ib++];
            qb = INT64_MAX;
            if (ib < nb) memcpy(&qb, b + ib * sb, 8);
        }
        if (marks[idx]) continue;
        marks[idx] = 1;
        dirty[m++] = idx;
    }
    dst->ordered = 1;
}

/* dst's groups in order of their first rows, as its `dirty` list: a k-way merge by seq of
 * the runs of entries (parts[d]: dst's own first `own`; the others: where they went, in
 * cb->where one part after another), each run in that order already (a worker meets its
 * rows in source order). A group is listed where it is first met. Each run's next seq is kept
 * (INT64_MAX once it is done), so a step reads one entry: the one taken. (No two runs share a
 * seq: a row goes to one worker.) */
static void merged_order(lc_combine* cb, lc_table** parts, int64_t k, int64_t d, int64_t own,
                         int64_t seq_offset) {
    lc_table* dst = parts[d];
    memset(cb->marks, 0, (size_t)dst->count);
    if (k == 2) {
        merged_order2(cb, dst, parts[1 - d], own, seq_offset);
        return;
    }
    int64_t at[k], len[k], head[k], total = 0;
    const int32_t* from[k];
    for (int64_t i = 0; i < k; i++) {
        at[i] = 0;
        len[i] = i == d ? own : parts[i]->count;
        from[i] = i == d ? NULL : cb->where + total;
        if (i != d) total += len[i];
        head[i] = len[i] ? entry_seq(parts[i], 0, seq_offset) : INT64_MAX;
    }
    total += own;
    uint8_t* marks = cb->marks;
    int32_t* dirty = dst->dirty;
    int64_t m = 0;
    for (int64_t j = 0; j < total; j++) {
        int64_t best = 0;
        for (int64_t i = 1; i < k; i++) best = head[i] < head[best] ? i : best;
        int64_t a = at[best]++;
        int32_t idx = from[best] ? from[best][a] : (int32_t)a;
        head[best] = a + 1 < len[best] ? entry_seq(parts[best], a + 1, seq_offset) : INT64_MAX;
        if (marks[idx]) continue;
        marks[idx] = 1;
        dirty[m++] = idx;
    }
    dst->ordered = 1;
}

/* A routed window's parts (k > 1 of them: no group is in two) emitted as one table would be,
 * in order of their groups' first rows, through views listing their entries by address: a
 * k-way merge by seq, each part being in that order already. Folding them into one table
 * instead would look up every group of the others (a cache miss each, when the window holds
 * many groups, which is why it was routed) to find none there. The merge lists LISTED_ROWS
 * entries at a time and emits them at once, while the entries it read are still in cache. */
#define LISTED_ROWS 1024

static int64_t emit_disjoint(lc_combine* cb, lc_agg* a, lc_table** parts, int64_t k,
                             int64_t window) {
    uint8_t* listed[LISTED_ROWS];
    uint8_t* at[k];
    uint8_t* end[k];
    int64_t head[k], size = parts[0]->entry_size, off = a->seq_offset, left = 0;
    for (int64_t i = 0; i < k; i++) {
        at[i] = parts[i]->entries;
        end[i] = at[i] + parts[i]->count * size;
        head[i] = INT64_MAX;
        if (at[i] < end[i]) memcpy(&head[i], at[i] + off, 8);
        left += parts[i]->count;
    }
    int64_t rc = lc_out_reserve(cb->out, left);   /* (once, not chunk after chunk) */
    if (rc) return rc;
    lc_table view;
    memset(&view, 0, sizeof view);
    view.window = window;
    view.entry_size = size;
    view.listed = listed;
    while (left > 0) {
        int64_t m = left < LISTED_ROWS ? left : LISTED_ROWS;
        for (int64_t j = 0; j < m; j++) {
            int64_t best = 0;
            for (int64_t i = 1; i < k; i++) best = head[i] < head[best] ? i : best;
            listed[j] = at[best];
            at[best] += size;
            __builtin_prefetch(at[best] + 8 * size);
            head[best] = INT64_MAX;
            if (at[best] < end[best]) memcpy(&head[best], at[best] + off, 8);
        }
        view.count = m;
        if ((rc = lc_agg_emit_table(a, &view, cb->out, &cb->ctx))) return rc;
        left -= m;
    }
    return LC_OK;
}

/* One closed window's partial tables (k of them) merged and emitted into the chunk's output.
 * The others are folded into parts[d] (the merging worker's own, which its cache may still
 * hold), and that table is emitted in order of the groups' first rows; a routed window's
 * parts, which share no group, are emitted as they are (emit_disjoint). */
static int64_t emit_merged(lc_combine* cb, lc_agg* a, lc_table** parts, int64_t k, int64_t d,
                           int64_t window) {
    int64_t rc, total = 0;
    for (int64_t i = 0; i < k; i++) total += parts[i]->count;
    if (!total) return LC_OK;
    if (!cb->out) {
        lc_task* t = cb->tasks[0];
        cb->out = lc_out_new(t->out_ncols, t->out_widths, t->out_nullable);
        if (!cb->out) return LC_ERR_NOMEM;
    }
    if (k == 1) return lc_agg_emit_table(a, parts[0], cb->out, &cb->ctx);
    if (window >= cb->route_from) return emit_disjoint(cb, a, parts, k, window);
    lc_table* dst = parts[d];
    int64_t own = dst->count;
    if ((rc = merge_room(cb, total))) return rc;   /* (dst ends with at most `total` groups) */
    int64_t at = 0;
    for (int64_t i = 0; i < k; i++) {
        if (i == d) continue;
        if ((rc = lc_agg_merge_into(a, dst, parts[i], cb->where + at, &cb->ctx))) return rc;
        at += parts[i]->count;
    }
    merged_order(cb, parts, k, d, own, a->seq_offset);
    return lc_agg_emit_table(a, dst, cb->out, &cb->ctx);
}

/* Every worker's detached windows, window by window in order of their ids: merged and
 * emitted (unless a task failed: that task reports it), then given back to their owners. Only
 * the aggregates' code and layout are used, never their state: any thread may run it. */
static int64_t merge_closed(lc_combine* cb, int64_t self) {
    int64_t N = cb->nworkers, rc = LC_OK;
    int failed = __atomic_load_n(&cb->status, __ATOMIC_ACQUIRE) != LC_OK;
    lc_table* heads[N];
    lc_table* parts[N];
    lc_agg* owners[N];
    for (int64_t w = 0; w < N; w++) {
        heads[w] = cb->tasks[w]->closed;
        cb->tasks[w]->closed = NULL;
    }
    for (;;) {
        int64_t id = 0, any = 0, k = 0;
        for (int64_t w = 0; w < N; w++)
            if (heads[w] && (!any || heads[w]->window < id)) {
                id = heads[w]->window;
                any = 1;
            }
        if (!any) return rc;
        int64_t d = 0;
        for (int64_t w = 0; w < N; w++) {
            if (!heads[w] || heads[w]->window != id) continue;
            if (w == self) d = k;
            parts[k] = heads[w];
            owners[k++] = cb->tasks[w]->pipe->agg;
            heads[w] = heads[w]->next;
        }
        if (!rc && !failed) rc = emit_merged(cb, owners[0], parts, k, d, id);
        for (int64_t i = 0; i < k; i++) lc_agg_give_back(owners[i], parts[i]);
    }
}

/* Merge chunk `seq` of cb if every task has arrived and no one has claimed it (self: the
 * merging worker, or -1). */
static int try_merge(lc_combine* cb, int64_t seq, int64_t self) {
    int64_t open = seq * 4 + LC_MERGE_OPEN;
    if (__atomic_load_n(&cb->merge, __ATOMIC_ACQUIRE) != open) return 0;
    if (__atomic_load_n(&cb->arrived, __ATOMIC_ACQUIRE) != cb->nworkers) return 0;
    if (!__atomic_compare_exchange_n(&cb->merge, &open, seq * 4 + LC_MERGE_CLAIMED, 0,
                                     __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
        return 0;
    cb->merge_status = merge_closed(cb, self);
    __atomic_store_n(&cb->merge, seq * 4 + LC_MERGE_DONE, __ATOMIC_RELEASE);
    __atomic_store_n(&cb->merged, 1, __ATOMIC_RELEASE);
    if (__atomic_load_n(&cb->waiters, __ATOMIC_SEQ_CST)) futex_wake(&cb->merged);
    return 1;
}

/* The chunks before cb still in flight, newest first, each merged if it can be: a worker ahead
 * of the others takes the merges the last of them would otherwise add to its own work. */
static void merge_earlier(lc_combine* prev, int64_t seq, int64_t self) {
    for (lc_combine* c = prev; c; c = __atomic_load_n(&c->prev, __ATOMIC_ACQUIRE)) {
        seq--;
        int64_t m = __atomic_load_n(&c->merge, __ATOMIC_ACQUIRE);
        if (m / 4 != seq) return;   /* collected (and maybe reused for a later chunk) */
        if (m % 4 == LC_MERGE_OPEN) try_merge(c, seq, self);
    }
}

/* Without `claim`, a worker ending a later chunk is expected to merge this one; still, after
 * each millisecond of waiting this thread merges it itself if no one has (a later chunk that
 * was prepared but never handed over, after an error, must not leave it waiting forever). */
int64_t lc_combine_finish(lc_combine* cb, int32_t claim) {
    int64_t seq = __atomic_load_n(&cb->merge, __ATOMIC_ACQUIRE) / 4;
    if (claim && try_merge(cb, seq, -1)) return cb->merge_status;
    for (int i = 0; !__atomic_load_n(&cb->merged, __ATOMIC_ACQUIRE); i++) {
        if (i < SPIN_ITERATIONS) {
            cpu_relax();
            continue;
        }
        __atomic_add_fetch(&cb->waiters, 1, __ATOMIC_SEQ_CST);
        if (!__atomic_load_n(&cb->merged, __ATOMIC_ACQUIRE))
            futex_wait_ns(&cb->merged, 0, 1000000);
        __atomic_sub_fetch(&cb->waiters, 1, __ATOMIC_SEQ_CST);
        if (try_merge(cb, seq, -1)) break;
    }
    return cb->merge_status;
}

/* The index of the first of sel[lo, hi) (ascending) that is at least `row`. */
static int64_t sel_lower_bound(const int32_t* sel, int64_t lo, int64_t hi, int64_t row) {
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (sel[mid] < row) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* A routed BLOCKS task (see lc_combine.ex): this worker's slice partitioned (and any slice
 * no one has started), then its rows run block by block, each in its block's lane, with the
 * per-row watermarks of the exchange's breakpoints. */
static int64_t run_routed(lc_task* t, lc_combine* cb) {
    lc_exchange* ex = cb->ex;
    lc_pipe* p = t->pipe;
    int64_t rc;
    int claimed;
    if ((rc = claim_rest(ex, t, &claimed)) || (rc = wait_partitioned(ex))) return rc;
    int64_t nsel = select_shard(ex, p, t->worker);
    const int32_t* sel = p->sel;
    lc_run_fn fn = cb->sel_fns[t->nulls ? 1 : 0];
    int64_t base = t->seq_base, rows = cb->block_rows;
    for (int64_t j = 0; j < nsel;) {
        int64_t block = (base + sel[j]) / rows;
        int64_t end = sel_lower_bound(sel, j, nsel, (block + 1) * rows - base);
        p->lane = block % LC_LANES;
        if ((rc = lc_pipe_run_with(p, fn, t->cols, j, end))) return rc;
        j = end;
    }
    if (ex->wm_after > p->wm) p->wm = ex->wm_after;
    return LC_OK;
}

/* A BLOCKS task (this worker's blocks of a chunk) or an ADVANCE task (a watermark) of a
 * pre-aggregated pipeline. */
static int64_t run_combined(lc_task* t) {
    lc_pipe* p = t->pipe;
    lc_combine* cb = t->comb;
    int64_t rc = LC_OK, t0 = now_ns();
    if (t->wm > p->wm) p->wm = t->wm;
    if (t->kind == LC_TASK_BLOCKS) {
        p->sel = NULL;
        p->seq_base = t->seq_base;
        p->proc_now = t->proc_now;
        if (chunk_routes(cb, t->n)) rc = run_routed(t, cb);
        else {
            if (p->deal && t->n > 0) deal_switch(p, cb->deal, cb->delay);
            rc = lc_pipe_run_blocks(p, t->cols, t->n, t->nulls, t->worker, cb->nworkers,
                                    cb->block_rows, cb->time_col, cb->delay, cb);
        }
        p->sel = NULL;
    }
    t->wm = p->wm;
    if (!rc && t->emit == LC_EMIT_CLOSE) rc = lc_agg_detach(p->agg, p->wm, &t->closed, &p->ctx);
    if (cb->ex && cb->route_from == INT64_MAX) note_groups(t, cb);
    if (rc) {
        int32_t none = LC_OK;
        __atomic_compare_exchange_n(&cb->status, &none, (int32_t)rc, 0, __ATOMIC_RELEASE,
                                    __ATOMIC_RELAXED);
    }
    /* Read before arriving: once every task has, the collector may reuse cb. */
    int64_t seq = __atomic_load_n(&cb->merge, __ATOMIC_ACQUIRE) / 4;
    int merge_now = cb->merge_now;
    lc_combine* prev = cb->prev;
    int last = __atomic_add_fetch(&cb->arrived, 1, __ATOMIC_ACQ_REL) == cb->nworkers;
    if (last && merge_now) try_merge(cb, seq, t->worker);
    else merge_earlier(prev, seq, t->worker);
    p->ns_run += now_ns() - t0;
    return rc;
}

int64_t lc_combine_collect(lc_pool* pool, lc_combine* const* cbs, int64_t k, int32_t claim_last,
                           int64_t* wms, lc_out** outs, int64_t* errors, int64_t* status) {
    *status = LC_OK;
    for (int64_t j = 0; j < k; j++) {
        lc_combine* cb = cbs[j];
        wms[j] = lc_combine_wait(pool, cb);
        int64_t rc = lc_combine_finish(cb, claim_last && j == k - 1);
        int32_t failed = __atomic_load_n(&cb->status, __ATOMIC_ACQUIRE);
        outs[j] = cb->out;
        cb->out = NULL;
        *errors += cb->ctx.errors;
        if (failed || rc) {
            *status = failed ? failed : rc;
            return j + 1;
        }
    }
    return k;
}
