/* laminarc C runtime: file I/O through io_uring, with a pread/pwrite fallback.
 *
 * The kernel interface is used directly (io_uring_setup/io_uring_enter and mmap of the rings) so
 * that no library or system package is needed. Every call is synchronous from the caller's point
 * of view: it splits its requests into chunks, keeps up to `depth` chunks in flight, and returns
 * only once the kernel has completed (and we have reaped) every chunk it submitted, so a caller's
 * buffer is never touched by the kernel after the call returns.
 *
 * Each lc_file owns its ring: one file is used by one thread at a time, and files in different
 * threads share nothing (the only global is the cached probe result, read and written
 * atomically). Declarations and the contract are in lc_runtime.h.
 */
#include "lc_runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------------------------
 * kernel ABI. These layouts and numbers are a stable ABI (Linux >= 5.6 for IORING_OP_READ and
 * IORING_OP_WRITE), so we declare the part we use ourselves; when the system header exists we
 * let the C compiler check that our copy agrees with it.
 * ---------------------------------------------------------------------------------------- */
#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425   /* the same number on every architecture but alpha */
#endif
#ifndef SYS_io_uring_enter
#define SYS_io_uring_enter 426
#endif

struct lc_sqring_offsets {
    uint32_t head, tail, ring_mask, ring_entries, flags, dropped, array, resv1;
    uint64_t resv2;
};

struct lc_cqring_offsets {
    uint32_t head, tail, ring_mask, ring_entries, overflow, cqes, flags, resv1;
    uint64_t resv2;
};

struct lc_uring_params {
    uint32_t sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd;
    uint32_t resv[3];
    struct lc_sqring_offsets sq_off;
    struct lc_cqring_offsets cq_off;
};

struct lc_uring_sqe {          /* 64 bytes; only the fields of READ, WRITE and FSYNC are named */
    uint8_t opcode;
    uint8_t flags;
    uint16_t ioprio;
    int32_t fd;
    uint64_t off;
    uint64_t addr;
    uint32_t len;
    uint32_t op_flags;         /* rw_flags, fsync_flags */
    uint64_t user_data;
    uint64_t pad[3];
};

struct lc_uring_cqe {
    uint64_t user_data;
    int32_t res;
    uint32_t flags;
};

#define LC_OP_FSYNC 3
#define LC_OP_READ 22
#define LC_OP_WRITE 23
#define LC_FSYNC_DATASYNC 1u
#define LC_OFF_SQ_RING 0ull
#define LC_OFF_CQ_RING 0x8000000ull
#define LC_OFF_SQES 0x10000000ull
#define LC_ENTER_GETEVENTS 1u
#define LC_SETUP_CLAMP (1u << 4)
#define LC_SETUP_COOP_TASKRUN (1u << 8)   /* 5.19: no IPI to run completions; we always enter */
#define LC_FEAT_SINGLE_MMAP (1u << 0)
#define LC_FEAT_NODROP (1u << 1)
#define LC_FEAT_RW_CUR_POS (1u << 3)      /* came with IORING_OP_READ/WRITE in 5.6 */

_Static_assert(sizeof(struct lc_uring_sqe) == 64, "io_uring_sqe is 64 bytes");
_Static_assert(sizeof(struct lc_uring_cqe) == 16, "io_uring_cqe is 16 bytes");
_Static_assert(sizeof(struct lc_uring_params) == 120, "io_uring_params is 120 bytes");

#if defined(__has_include) && !defined(LC_IO_OWN_ABI)
#if __has_include(<linux/io_uring.h>)
#include <linux/io_uring.h>
_Static_assert(sizeof(struct io_uring_sqe) == sizeof(struct lc_uring_sqe), "sqe size");
_Static_assert(offsetof(struct io_uring_sqe, off) == offsetof(struct lc_uring_sqe, off), "off");
_Static_assert(offsetof(struct io_uring_sqe, addr) == offsetof(struct lc_uring_sqe, addr), "addr");
_Static_assert(offsetof(struct io_uring_sqe, len) == offsetof(struct lc_uring_sqe, len), "len");
_Static_assert(offsetof(struct io_uring_sqe, fsync_flags) ==
               offsetof(struct lc_uring_sqe, op_flags), "fsync_flags");
_Static_assert(offsetof(struct io_uring_sqe, user_data) ==
               offsetof(struct lc_uring_sqe, user_data), "user_data");
_Static_assert(sizeof(struct io_uring_params) == sizeof(struct lc_uring_params), "params size");
_Static_assert(offsetof(struct io_uring_params, cq_off) ==
               offsetof(struct lc_uring_params, cq_off), "cq_off");
_Static_assert(offsetof(struct io_cqring_offsets, cqes) ==
               offsetof(struct lc_cqring_offsets, cqes), "cqes");
_Static_assert(offsetof(struct io_sqring_offsets, array) ==
               offsetof(struct lc_sqring_offsets, array), "array");
_Static_assert(IORING_OP_FSYNC == LC_OP_FSYNC, "IORING_OP_FSYNC");
_Static_assert(IORING_OFF_SQES == LC_OFF_SQES && IORING_OFF_CQ_RING == LC_OFF_CQ_RING, "offsets");
#ifdef IORING_FEAT_RW_CUR_POS   /* a header old enough to lack it lacks IORING_OP_READ too */
_Static_assert(IORING_OP_READ == LC_OP_READ && IORING_OP_WRITE == LC_OP_WRITE, "READ/WRITE");
#endif
#endif
#endif

/* ------------------------------------------------------------------------------------------
 * the ring
 * ---------------------------------------------------------------------------------------- */
typedef struct lc_ring {
    int fd;
    uint32_t* sq_khead;        /* written by the kernel */
    uint32_t* sq_ktail;        /* written by us */
    uint32_t* sq_array;
    uint32_t sq_mask;
    uint32_t sq_entries;
    uint32_t sq_tail;          /* our copy of *sq_ktail */
    uint32_t sq_head;          /* the kernel's head when we last looked */
    uint32_t* cq_khead;        /* written by us */
    uint32_t* cq_ktail;        /* written by the kernel */
    uint32_t cq_mask;
    struct lc_uring_cqe* cqes;
    struct lc_uring_sqe* sqes;
    void* sq_map;
    size_t sq_map_len;
    void* cq_map;              /* NULL when the kernel maps both rings at once */
    size_t cq_map_len;
    size_t sqes_len;
} lc_ring;

static int sys_uring_setup(uint32_t entries, struct lc_uring_params* p) {
    return (int)syscall(SYS_io_uring_setup, entries, p);
}

static int sys_uring_enter(int fd, uint32_t submit, uint32_t wait, uint32_t flags) {
    return (int)syscall(SYS_io_uring_enter, fd, submit, wait, flags, NULL, 0);
}

static void ring_unmap(lc_ring* r) {
    if (r->sqes && r->sqes != MAP_FAILED) munmap(r->sqes, r->sqes_len);
    if (r->cq_map && r->cq_map != MAP_FAILED) munmap(r->cq_map, r->cq_map_len);
    if (r->sq_map && r->sq_map != MAP_FAILED) munmap(r->sq_map, r->sq_map_len);
    if (r->fd >= 0) close(r->fd);
    memset(r, 0, sizeof(*r));
    r->fd = -1;
}

/* Set up a ring of at least `entries` entries; 0 or the errno that rules io_uring out. */
static int ring_init(lc_ring* r, uint32_t entries) {
    memset(r, 0, sizeof(*r));
    r->fd = -1;
    struct lc_uring_params p;
    uint32_t tries[2] = {LC_SETUP_CLAMP | LC_SETUP_COOP_TASKRUN, LC_SETUP_CLAMP};
    int fd = -1;
    for (int i = 0; i < 2 && fd < 0; i++) {
        memset(&p, 0, sizeof(p));
        p.flags = tries[i];
        fd = sys_uring_setup(entries, &p);
        if (fd < 0 && errno != EINVAL) return errno;   /* ENOSYS, EPERM (seccomp), ENOMEM */
    }
    if (fd < 0) return errno;
    r->fd = fd;
    /* NODROP: completions are never lost; RW_CUR_POS: the kernel has IORING_OP_READ/WRITE. */
    if ((p.features & (LC_FEAT_NODROP | LC_FEAT_RW_CUR_POS)) !=
        (LC_FEAT_NODROP | LC_FEAT_RW_CUR_POS)) {
        ring_unmap(r);
        return EOPNOTSUPP;
    }
    r->sq_map_len = p.sq_off.array + p.sq_entries * sizeof(uint32_t);
    r->cq_map_len = p.cq_off.cqes + p.cq_entries * sizeof(struct lc_uring_cqe);
    int single = (p.features & LC_FEAT_SINGLE_MMAP) != 0;
    if (single && r->cq_map_len > r->sq_map_len) r->sq_map_len = r->cq_map_len;
    r->sq_map = mmap(NULL, r->sq_map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                     fd, LC_OFF_SQ_RING);
    if (r->sq_map == MAP_FAILED) goto fail;
    uint8_t* cq = (uint8_t*)r->sq_map;
    if (!single) {
        r->cq_map = mmap(NULL, r->cq_map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                         fd, LC_OFF_CQ_RING);
        if (r->cq_map == MAP_FAILED) goto fail;
        cq = (uint8_t*)r->cq_map;
    }
    r->sqes_len = p.sq_entries * sizeof(struct lc_uring_sqe);
    r->sqes = (struct lc_uring_sqe*)mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE,
                                         MAP_SHARED | MAP_POPULATE, fd, LC_OFF_SQES);
    if (r->sqes == MAP_FAILED) goto fail;
    uint8_t* sq = (uint8_t*)r->sq_map;
    r->sq_khead = (uint32_t*)(sq + p.sq_off.head);
    r->sq_ktail = (uint32_t*)(sq + p.sq_off.tail);
    r->sq_array = (uint32_t*)(sq + p.sq_off.array);
    r->sq_mask = *(uint32_t*)(sq + p.sq_off.ring_mask);
    r->sq_entries = p.sq_entries;
    r->sq_tail = *r->sq_ktail;
    r->sq_head = *r->sq_khead;
    r->cq_khead = (uint32_t*)(cq + p.cq_off.head);
    r->cq_ktail = (uint32_t*)(cq + p.cq_off.tail);
    r->cq_mask = *(uint32_t*)(cq + p.cq_off.ring_mask);
    r->cqes = (struct lc_uring_cqe*)(cq + p.cq_off.cqes);
    return 0;
fail:;
    int e = errno;
    ring_unmap(r);
    return e;
}

/* Write one SQE at the tail and publish it. The release store orders the SQE's contents before
 * the new tail, which is all the kernel reads (without SQPOLL, only inside io_uring_enter). */
static void ring_push(lc_ring* r, uint8_t op, int fd, uint64_t addr, uint32_t len, uint64_t off,
                      uint32_t op_flags, uint64_t user_data) {
    uint32_t i = r->sq_tail & r->sq_mask;
    struct lc_uring_sqe* e = &r->sqes[i];
    memset(e, 0, sizeof(*e));
    e->opcode = op;
    e->fd = fd;
    e->addr = addr;
    e->len = len;
    e->off = off;
    e->op_flags = op_flags;
    e->user_data = user_data;
    r->sq_array[i] = i;
    r->sq_tail++;
    __atomic_store_n(r->sq_ktail, r->sq_tail, __ATOMIC_RELEASE);
}

/* ------------------------------------------------------------------------------------------
 * files
 * ---------------------------------------------------------------------------------------- */
#define LC_IO_DEFAULT_DEPTH 16
#define LC_IO_DEFAULT_CHUNK (1 << 20)
#define LC_IO_MAX_DEPTH 1024
#define LC_IO_MAX_CHUNK (1 << 30)     /* an SQE's length is 32 bits; pread stops at 2 GiB */
#define LC_IO_RETRIES 10000           /* EINTR/EAGAIN in a row before we give up on a chunk */
#define LC_SYNC_TAG (1ull << 63)      /* in an fsync's user_data; data chunks carry a slot index */

/* A chunk of one request in flight: the part of the request not yet transferred. */
typedef struct lc_slot {
    int64_t req;
    uint8_t* buf;
    int64_t len;
    int64_t offset;
    int32_t retries;
    int32_t pad;
} lc_slot;

struct lc_file {
    int fd;
    int32_t backend;           /* LC_IO_URING or LC_IO_PREAD */
    int32_t uring_error;       /* why io_uring is not used (an errno), or 0 */
    int32_t depth;             /* chunks in flight at most (slots) */
    int64_t chunk;
    int64_t end;               /* where the next append goes */
    int32_t regular;           /* a regular file (else a pipe, FIFO, socket or device) */
    uint64_t syncs;            /* fsyncs submitted: tells a late completion from the current */
    lc_ring ring;
    lc_slot* slots;
    int32_t* free_slots;       /* a stack of free slot indices */
};

static int g_uring_probe = -1;   /* -1 not probed yet, else lc_io_uring_probe()'s answer */

int32_t lc_io_uring_probe(void) {
    int known = __atomic_load_n(&g_uring_probe, __ATOMIC_RELAXED);
    if (known >= 0) return known;
    lc_ring r;
    int e = ring_init(&r, 1);
    if (!e) ring_unmap(&r);
    __atomic_store_n(&g_uring_probe, e, __ATOMIC_RELAXED);
    return e;
}

int32_t lc_file_open(const char* path, int32_t flags, int32_t backend, int32_t depth,
                     int64_t chunk, lc_file** out) {
    *out = NULL;
    if (backend != LC_IO_AUTO && backend != LC_IO_URING && backend != LC_IO_PREAD) return -EINVAL;
    int rw = (flags & LC_IO_READ) && (flags & LC_IO_WRITE) ? O_RDWR
             : (flags & LC_IO_WRITE)                       ? O_WRONLY
                                                           : O_RDONLY;
    /* Never O_APPEND: Linux then ignores pwrite's offset, and appends of a batch are written
     * concurrently at offsets we choose (lc_file.end), which keeps their order exact. */
    int oflags = rw | O_CLOEXEC | ((flags & LC_IO_CREATE) ? O_CREAT : 0) |
                 ((flags & LC_IO_TRUNCATE) ? O_TRUNC : 0);
    lc_file* f = (lc_file*)lc_calloc(sizeof(lc_file));
    if (!f) return -ENOMEM;
    f->ring.fd = -1;
    f->depth = depth <= 0 ? LC_IO_DEFAULT_DEPTH : depth > LC_IO_MAX_DEPTH ? LC_IO_MAX_DEPTH : depth;
    f->chunk = chunk <= 0 ? LC_IO_DEFAULT_CHUNK : chunk > LC_IO_MAX_CHUNK ? LC_IO_MAX_CHUNK : chunk;
    int e = 0;
    /* (EINTR is returned, not retried: opening a FIFO waits for a writer, and the caller
     * must be able to run its signal handlers, Python's KeyboardInterrupt among them) */
    f->fd = open(path, oflags, 0666);
    if (f->fd < 0) {
        e = errno;
        goto fail;
    }
    struct stat st;
    if (fstat(f->fd, &st) != 0) {
        e = errno;
        goto fail;
    }
    if (S_ISDIR(st.st_mode)) {   /* O_RDONLY opens a directory; say so now, not at the read */
        e = EISDIR;
        goto fail;
    }
    f->end = st.st_size;
    f->regular = S_ISREG(st.st_mode) ? 1 : 0;
    f->backend = LC_IO_PREAD;
    if (backend != LC_IO_PREAD) {
        /* Once the probe has ruled io_uring out, auto does not pay for a failing setup again. */
        int probe = __atomic_load_n(&g_uring_probe, __ATOMIC_RELAXED);
        int ue = probe > 0 ? probe : ring_init(&f->ring, (uint32_t)f->depth);
        if (ue && backend == LC_IO_URING) {
            e = ue;
            goto fail;
        }
        f->uring_error = ue;
        if (!ue) {
            f->backend = LC_IO_URING;
            if ((uint32_t)f->depth > f->ring.sq_entries) f->depth = (int32_t)f->ring.sq_entries;
        }
    }
    f->slots = (lc_slot*)lc_calloc((int64_t)sizeof(lc_slot) * f->depth);
    f->free_slots = (int32_t*)lc_calloc((int64_t)sizeof(int32_t) * f->depth);
    if (!f->slots || !f->free_slots) {
        e = ENOMEM;
        goto fail;
    }
    *out = f;
    return 0;
fail:
    lc_file_close(f);
    return -e;
}

int32_t lc_file_close(lc_file* f) {
    if (!f) return 0;
    int e = 0;
    if (f->ring.fd >= 0) ring_unmap(&f->ring);
    /* close() is not retried on EINTR: on Linux the descriptor is released either way. */
    if (f->fd >= 0 && close(f->fd) != 0) e = errno;
    lc_free(f->slots);
    lc_free(f->free_slots);
    lc_free(f);
    return -e;
}

int32_t lc_file_backend(const lc_file* f) { return f->backend; }
int32_t lc_file_uring_error(const lc_file* f) { return f->uring_error; }
int32_t lc_file_depth(const lc_file* f) { return f->depth; }
int64_t lc_file_chunk(const lc_file* f) { return f->chunk; }
int64_t lc_file_end(const lc_file* f) { return f->end; }

int32_t lc_file_regular(const lc_file* f) { return f->regular; }

int64_t lc_file_size(lc_file* f) {
    struct stat st;
    if (fstat(f->fd, &st) != 0) return -errno;
    return st.st_size;
}

int32_t lc_file_truncate(lc_file* f, int64_t size) {
    int r;
    do {
        r = ftruncate(f->fd, size);
    } while (r != 0 && errno == EINTR);
    if (r != 0) return -errno;
    f->end = size;
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * the two engines. Both take requests whose `result` holds the request's limit: its length at
 * first, lowered to the end of file when a read finds it, or a negative errno once it failed.
 * Chunks are handed out below the limit only, so the limit is also the final result.
 * ---------------------------------------------------------------------------------------- */
static void backoff(void) {
    struct timespec ts = {0, 50 * 1000};   /* the kernel is short of memory; let it recover */
    nanosleep(&ts, NULL);
}

static int64_t sync_chunk(int fd, int32_t op, uint8_t* buf, int64_t len, int64_t off) {
    return op == LC_IO_OP_READ ? pread(fd, buf, (size_t)len, off)
                               : pwrite(fd, buf, (size_t)len, off);
}

static void pread_run(lc_file* f, lc_io_req* reqs, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        lc_io_req* q = &reqs[i];
        int64_t pos = 0;
        int32_t retries = 0;
        while (pos < q->result) {
            int64_t len = q->result - pos < f->chunk ? q->result - pos : f->chunk;
            int64_t got = sync_chunk(f->fd, q->op, q->buf + pos, len, q->offset + pos);
            if (got < 0 && (errno == EINTR || errno == EAGAIN) && ++retries < LC_IO_RETRIES) {
                continue;
            }
            if (got < 0) {
                q->result = -errno;
            } else if (got == 0 && q->op == LC_IO_OP_READ) {
                q->result = pos;   /* end of file */
            } else if (got == 0 && ++retries >= LC_IO_RETRIES) {
                q->result = -EIO;  /* a write that keeps making no progress */
            } else {
                pos += got;
                retries = 0;
            }
        }
    }
}

/* A chunk finished with `res` (bytes or -errno): requeue what is left, or release the slot. */
static int complete(lc_file* f, lc_io_req* reqs, int32_t s, int32_t res, int* nfree) {
    lc_slot* c = &f->slots[s];
    lc_io_req* q = &reqs[c->req];
    int requeue = 0;
    if ((res == -EINTR || res == -EAGAIN) && ++c->retries < LC_IO_RETRIES) {
        requeue = 1;
    } else if (res < 0) {
        if (q->result >= 0) q->result = res;
    } else if (res == 0 && q->op == LC_IO_OP_READ) {
        int64_t eof = c->offset - q->offset;
        if (q->result > eof) q->result = eof;
    } else if (res == 0) {
        requeue = ++c->retries < LC_IO_RETRIES;
        if (!requeue && q->result >= 0) q->result = -EIO;
    } else if (res < c->len) {   /* short transfer: the rest goes again */
        c->buf += res;
        c->len -= res;
        c->offset += res;
        c->retries = 0;
        requeue = 1;
    }
    if (!requeue) f->free_slots[(*nfree)++] = s;
    return requeue;
}

static void push_slot(lc_file* f, lc_io_req* reqs, int32_t s) {
    lc_slot* c = &f->slots[s];
    uint8_t op = reqs[c->req].op == LC_IO_OP_READ ? LC_OP_READ : LC_OP_WRITE;
    ring_push(&f->ring, op, f->fd, (uint64_t)(uintptr_t)c->buf, (uint32_t)c->len,
              (uint64_t)c->offset, 0, (uint64_t)s);
}

/* Submit queued SQEs and wait for at least one completion; returns the number of SQEs the
 * kernel took, or -errno when it took none and the error is not transient. */
static int64_t ring_enter(lc_ring* r, uint32_t queued, uint32_t wait) {
    int ret = sys_uring_enter(r->fd, queued, wait, LC_ENTER_GETEVENTS);
    int e = ret < 0 ? errno : 0;
    /* The kernel's head says how many it consumed, even when the wait part failed. */
    uint32_t head = __atomic_load_n(r->sq_khead, __ATOMIC_ACQUIRE);
    uint32_t taken = head - r->sq_head;
    r->sq_head = head;
    if (taken || !e || e == EINTR) return taken;
    if (e == EAGAIN || e == EBUSY) {
        backoff();
        return 0;
    }
    return -e;
}

static void uring_run(lc_file* f, lc_io_req* reqs, int64_t n) {
    lc_ring* r = &f->ring;
    int nfree = 0;
    for (int32_t s = f->depth - 1; s >= 0; s--) f->free_slots[nfree++] = s;
    int64_t cursor = 0, next = 0;   /* the next chunk to hand out: request cursor, byte next */
    uint32_t queued = 0, inflight = 0;
    int32_t stuck = 0;
    for (;;) {
        while (nfree > 0) {
            while (cursor < n && next >= reqs[cursor].result) {
                cursor++;
                next = 0;
            }
            if (cursor == n) break;
            lc_io_req* q = &reqs[cursor];
            int32_t s = f->free_slots[--nfree];
            lc_slot* c = &f->slots[s];
            c->req = cursor;
            c->buf = q->buf + next;
            c->len = q->result - next < f->chunk ? q->result - next : f->chunk;
            c->offset = q->offset + next;
            c->retries = 0;
            next += c->len;
            push_slot(f, reqs, s);
            queued++;
        }
        if (!queued && !inflight) return;
        int64_t taken = ring_enter(r, queued, 1);
        if (taken < 0 && queued) {
            /* The kernel refused the SQEs outright: take them back, so no later enter can ever
             * submit a buffer the caller may have freed, and fail their requests. */
            for (uint32_t t = r->sq_head; t != r->sq_tail; t++) {
                int32_t s = (int32_t)r->sqes[t & r->sq_mask].user_data;
                lc_io_req* q = &reqs[f->slots[s].req];
                if (q->result >= 0) q->result = taken;
                f->free_slots[nfree++] = s;
            }
            r->sq_tail = r->sq_head;
            __atomic_store_n(r->sq_ktail, r->sq_tail, __ATOMIC_RELEASE);
            queued = 0;
            for (int64_t i = cursor; i < n; i++) {
                if (reqs[i].result >= 0) reqs[i].result = taken;
            }
            cursor = n;
            taken = 0;
        } else if (taken < 0) {
            if (++stuck > LC_IO_RETRIES) {
                /* Requests are in flight and the kernel will not let us wait for them. Their
                 * buffers belong to the caller, who may free them once we return: the only
                 * safe way out is to stop the process. This has no known cause. */
                fprintf(stderr, "laminarc: io_uring_enter keeps failing (%s) with %u requests "
                        "in flight; aborting\n", strerror((int)-taken), inflight);
                abort();
            }
            backoff();
            taken = 0;
        } else {
            stuck = 0;
        }
        queued -= (uint32_t)taken;
        inflight += (uint32_t)taken;
        /* Reap: the acquire load of the tail orders our reads of the CQEs after the kernel's
         * writes; the release store of the head lets the kernel reuse them only afterwards. */
        uint32_t head = *r->cq_khead;
        uint32_t tail = __atomic_load_n(r->cq_ktail, __ATOMIC_ACQUIRE);
        for (; head != tail; head++) {
            struct lc_uring_cqe* e = &r->cqes[head & r->cq_mask];
            if (e->user_data & LC_SYNC_TAG) continue;   /* of an fsync that gave up waiting */
            int32_t s = (int32_t)e->user_data;
            inflight--;
            if (complete(f, reqs, s, e->res, &nfree)) {
                push_slot(f, reqs, s);
                queued++;
            }
        }
        __atomic_store_n(r->cq_khead, head, __ATOMIC_RELEASE);
    }
}

static uint64_t push_sync(lc_file* f, int32_t datasync) {
    uint64_t tag = LC_SYNC_TAG | ++f->syncs;
    ring_push(&f->ring, LC_OP_FSYNC, f->fd, 0, 0, 0, datasync ? LC_FSYNC_DATASYNC : 0, tag);
    return tag;
}

static int32_t uring_sync(lc_file* f, int32_t datasync) {
    lc_ring* r = &f->ring;
    uint64_t tag = push_sync(f, datasync);
    uint32_t queued = 1;
    int64_t res = -EIO;
    for (int32_t tries = 0; tries < LC_IO_RETRIES; tries++) {
        int64_t taken = ring_enter(r, queued, 1);
        if (taken < 0 && queued) {
            r->sq_tail = r->sq_head;   /* refused: take the SQE back */
            __atomic_store_n(r->sq_ktail, r->sq_tail, __ATOMIC_RELEASE);
            return (int32_t)taken;
        }
        if (taken < 0) {
            res = taken;
            continue;
        }
        if (taken > 0) queued = 0;
        int done = 0;
        uint32_t head = *r->cq_khead;
        uint32_t tail = __atomic_load_n(r->cq_ktail, __ATOMIC_ACQUIRE);
        for (; head != tail; head++) {
            struct lc_uring_cqe* e = &r->cqes[head & r->cq_mask];
            if (e->user_data != tag) continue;   /* an fsync that was given up on */
            res = e->res;
            done = 1;
        }
        __atomic_store_n(r->cq_khead, head, __ATOMIC_RELEASE);
        if (done && res != -EINTR && res != -EAGAIN) return (int32_t)res;
        if (done) {
            tag = push_sync(f, datasync);
            queued = 1;
        }
    }
    /* Giving up leaves at most an fsync in flight: it holds no caller memory, and its late
     * completion is recognised by its tag and skipped. */
    return (int32_t)res;
}

static int32_t sync_file(lc_file* f, int32_t datasync) {
    if (f->backend == LC_IO_URING) return uring_sync(f, datasync);
    int r;
    do {
        r = datasync ? fdatasync(f->fd) : fsync(f->fd);
    } while (r != 0 && errno == EINTR);
    return r ? -errno : 0;
}

int32_t lc_file_sync(lc_file* f, int32_t datasync) { return sync_file(f, datasync); }

int64_t lc_file_submit(lc_file* f, lc_io_req* reqs, int64_t n, int32_t flags) {
    int writes = 0;
    for (int64_t i = 0; i < n; i++) {
        lc_io_req* q = &reqs[i];
        if ((q->op != LC_IO_OP_READ && q->op != LC_IO_OP_WRITE) || q->len < 0 ||
            (q->op == LC_IO_OP_READ && q->offset < 0) || (q->len > 0 && !q->buf)) {
            q->result = -EINVAL;
            continue;
        }
        if (q->op == LC_IO_OP_WRITE) {
            writes = 1;
            if (q->offset < 0) q->offset = f->end;   /* an append, in the order of the array */
            if (q->offset + q->len > f->end) f->end = q->offset + q->len;
        }
        q->result = q->len;
    }
    if (f->backend == LC_IO_URING) {
        uring_run(f, reqs, n);
    } else {
        pread_run(f, reqs, n);
    }
    for (int64_t i = 0; i < n; i++) {
        if (reqs[i].result < 0) return reqs[i].result;
    }
    /* The sync goes after every write completed, not linked behind them: a short write is
     * resubmitted, and a linked fsync could overtake its second half. */
    if ((flags & (LC_IO_SYNC | LC_IO_DATASYNC)) && writes) {
        return sync_file(f, (flags & LC_IO_SYNC) ? 0 : 1);
    }
    return 0;
}

int64_t lc_file_read(lc_file* f, uint8_t* buf, int64_t len, int64_t offset) {
    lc_io_req q = {LC_IO_OP_READ, 0, buf, len, offset, 0};
    int64_t r = lc_file_submit(f, &q, 1, 0);
    return r < 0 ? r : q.result;
}

/* A pipe, FIFO or socket has no offsets (pread fails with ESPIPE) and no size, and a file
 * under /proc reports a size of 0: such files are read in order from the descriptor's
 * position until the end, with read(2) on either backend (their speed is the writer's).
 * A read waiting for a writer returns on a signal, with what it has, so the caller's
 * handlers run. */
int64_t lc_file_read_stream(lc_file* f, uint8_t* buf, int64_t len) {
    int64_t pos = 0;
    int32_t retries = 0;
    while (pos < len) {
        int64_t want = len - pos < f->chunk ? len - pos : f->chunk;
        int64_t got = read(f->fd, buf + pos, (size_t)want);
        if (got < 0 && errno == EAGAIN && ++retries < LC_IO_RETRIES) {
            backoff();   /* (a descriptor someone made non-blocking) */
            continue;
        }
        if (got < 0) return pos ? pos : -errno;
        if (got == 0) break;   /* end of file: every writer closed */
        pos += got;
        retries = 0;
    }
    return pos;
}

int64_t lc_file_write(lc_file* f, const uint8_t* buf, int64_t len, int64_t offset) {
    /* The engines never write through a write request's buffer. */
    lc_io_req q = {LC_IO_OP_WRITE, 0, (uint8_t*)(uintptr_t)buf, len, offset, 0};
    int64_t r = lc_file_submit(f, &q, 1, 0);
    return r < 0 ? r : q.offset;
}
