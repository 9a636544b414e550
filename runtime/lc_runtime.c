/* laminarc C runtime: memory, hash tables, window directories, output batches, the
 * exit-and-resume driver of generated loops, and the pure helpers generated code calls.
 * Declarations and the contract are in lc_runtime.h. */
#include "lc_runtime.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#define LC_MIN_WINDOW INT64_MIN
/* choosing between a stateless loop's two variants (lc_pipe.free_dense): runs over fewer rows
 * are not timed (the clock's reads would be a noticeable part); a run in every LC_LOOP_RETRY
 * timed ones tries the loop that measured slower, as the data may have changed */
#define LC_LOOP_TIMED_ROWS 2048
#define LC_LOOP_RETRY 32

/* ------------------------------------------------------------------------------------------
 * memory accounting: every allocation of the runtime goes through here, so tests can check that
 * a steady-state run allocates nothing, and the memory cap (lc_set_memory_limit) holds. The
 * bytes counted are those a block holds (its capacity), and the cap covers the live blocks
 * and the kept ones together: kept blocks give way to live ones (trim_kept), so what the
 * runtime holds never passes the cap.
 * ---------------------------------------------------------------------------------------- */
static int64_t g_alloc_calls = 0;
static int64_t g_bytes_live = 0;
static int64_t g_memory_limit = 0;

void lc_set_memory_limit(int64_t bytes) {
    __atomic_store_n(&g_memory_limit, bytes, __ATOMIC_RELAXED);
}

int64_t lc_memory_limit(void) { return __atomic_load_n(&g_memory_limit, __ATOMIC_RELAXED); }

/* Every block starts with its size as asked for and as allocated (cap >= bytes). */
typedef struct { int64_t bytes; int64_t cap; } lc_hdr;   /* keeps 16-byte alignment */

/* ------------------------------------------------------------------------------------------
 * Big blocks kept for reuse. Output columns, grown tables and exchange buffers come and go in
 * blocks of megabytes; freed to the C library, they go back to the kernel (munmap, or a trim
 * of the heap), and the next block of that size is faulted in again page by page. In a VM
 * whose host takes back a guest's free pages (free page reporting), such a fault costs up to
 * 10 microseconds: a stateless stream on one worker, whose 65,536-row output columns came
 * and went so, ran at a third of its speed (docs/architecture.md, Runtime). So a freed block
 * of at least LC_KEEP_MIN bytes is kept, up to LC_KEEP_BYTES in all and, under a memory cap,
 * to what the live blocks leave of it (the oldest go first), and an allocation takes the
 * smallest kept block that holds it without wasting more than half (fits). Blocks are kept
 * only while a database is open (lc_keep_freed: the engine counts them in and out), and the
 * last one to close frees them all. Kept blocks are not live (lc_bytes_live). Under
 * AddressSanitizer nothing is kept, so that a use after free is still caught; and when the C
 * library runs out, the kept blocks are freed before it is asked again.
 * ---------------------------------------------------------------------------------------- */
#if defined(__SANITIZE_ADDRESS__)
#define LC_KEEP_BLOCKS 0
#else
#define LC_KEEP_BLOCKS 64
#endif
#define LC_KEEP_MIN (256 << 10)
#define LC_KEEP_BYTES ((int64_t)256 << 20)

static pthread_mutex_t g_keep_lock = PTHREAD_MUTEX_INITIALIZER;
static lc_hdr* g_kept[LC_KEEP_BLOCKS + 1];   /* oldest first */
static int64_t g_nkept = 0;                  /* (both written under the lock, read anywhere) */
static int64_t g_kept_bytes = 0;
static int64_t g_keepers = 0;                /* databases open */

/* Whether a block of capacity `cap` may serve `bytes`: it holds them, wasting at most half. */
static int fits(int64_t cap, int64_t bytes) { return cap >= bytes && cap - bytes <= bytes; }

/* What the kept blocks may hold: LC_KEEP_BYTES, or less of a cap than the live blocks left. */
static int64_t keep_room(void) {
    int64_t limit = __atomic_load_n(&g_memory_limit, __ATOMIC_RELAXED);
    int64_t left = limit - __atomic_load_n(&g_bytes_live, __ATOMIC_RELAXED);
    return limit > 0 && left < LC_KEEP_BYTES ? left : LC_KEEP_BYTES;
}

/* Under the lock, the oldest of the n kept blocks (g_kept's count not yet stored) moved to
 * `gone` until at most LC_KEEP_BLOCKS and `room` bytes are left; how many went. */
static int64_t evict(int64_t n, int64_t room, lc_hdr** gone) {
    int64_t drop = 0;
    while (drop < n && (n - drop > LC_KEEP_BLOCKS || g_kept_bytes > room)) {
        __atomic_store_n(&g_kept_bytes, g_kept_bytes - g_kept[drop]->cap, __ATOMIC_RELAXED);
        gone[drop] = g_kept[drop];
        drop++;
    }
    memmove(&g_kept[0], &g_kept[drop], (size_t)(n - drop) * sizeof(lc_hdr*));
    __atomic_store_n(&g_nkept, n - drop, __ATOMIC_RELAXED);
    return drop;
}

/* Frees kept blocks, oldest first, until they hold at most `room` bytes; how many went. */
static int64_t trim_kept(int64_t room) {
    lc_hdr* gone[LC_KEEP_BLOCKS + 1];
    pthread_mutex_lock(&g_keep_lock);
    int64_t ngone = evict(g_nkept, room < 0 ? 0 : room, gone);
    pthread_mutex_unlock(&g_keep_lock);
    for (int64_t i = 0; i < ngone; i++) free(gone[i]);   /* (outside the lock) */
    return ngone;
}

/* A kept block that holds `bytes` (NULL: none fits). */
static lc_hdr* take_kept(int64_t bytes) {
    if (bytes < LC_KEEP_MIN || !__atomic_load_n(&g_nkept, __ATOMIC_RELAXED)) return NULL;
    lc_hdr* h = NULL;
    pthread_mutex_lock(&g_keep_lock);
    int64_t best = -1;
    for (int64_t i = 0; i < g_nkept; i++) {
        int64_t cap = g_kept[i]->cap;
        if (fits(cap, bytes) && (best < 0 || cap < g_kept[best]->cap))
            best = i;
    }
    if (best >= 0) {
        h = g_kept[best];
        memmove(&g_kept[best], &g_kept[best + 1], (size_t)(g_nkept - best - 1) * sizeof(h));
        __atomic_store_n(&g_nkept, g_nkept - 1, __ATOMIC_RELAXED);
        __atomic_store_n(&g_kept_bytes, g_kept_bytes - h->cap, __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&g_keep_lock);
    return h;
}

/* h kept, or freed when it is small or too big to keep or no database is open; the oldest
 * kept go to make room. (lc_free has counted h out of the live bytes already.) */
static void keep(lc_hdr* h) {
    int64_t room = keep_room();
    if (LC_KEEP_BLOCKS == 0 || h->cap < LC_KEEP_MIN || h->cap > room) {
        free(h);
        return;
    }
    lc_hdr* gone[LC_KEEP_BLOCKS + 1];
    pthread_mutex_lock(&g_keep_lock);
    if (!g_keepers) {
        pthread_mutex_unlock(&g_keep_lock);
        free(h);
        return;
    }
    g_kept[g_nkept] = h;
    __atomic_store_n(&g_kept_bytes, g_kept_bytes + h->cap, __ATOMIC_RELAXED);
    int64_t ngone = evict(g_nkept + 1, room, gone);
    pthread_mutex_unlock(&g_keep_lock);
    for (int64_t i = 0; i < ngone; i++) free(gone[i]);   /* (outside the lock) */
}

int64_t lc_drop_kept(void) { return trim_kept(0); }

int64_t lc_keep_freed(int64_t delta) {
    pthread_mutex_lock(&g_keep_lock);
    int64_t open = g_keepers = g_keepers + delta > 0 ? g_keepers + delta : 0;
    pthread_mutex_unlock(&g_keep_lock);
    if (!open) lc_drop_kept();
    return open;
}

int64_t lc_keep_capacity(void) { return LC_KEEP_BLOCKS ? LC_KEEP_BYTES : 0; }

int64_t lc_kept_bytes(void) { return __atomic_load_n(&g_kept_bytes, __ATOMIC_RELAXED); }

/* Whether `more` live bytes would pass the cap; if not, kept blocks are freed as far as they
 * would (they give way to live ones). */
static int over_limit(int64_t more) {
    int64_t limit = __atomic_load_n(&g_memory_limit, __ATOMIC_RELAXED);
    if (limit <= 0 || more <= 0) return 0;
    int64_t live = __atomic_load_n(&g_bytes_live, __ATOMIC_RELAXED) + more;
    if (live > limit) return 1;
    if (live + __atomic_load_n(&g_kept_bytes, __ATOMIC_RELAXED) > limit) trim_kept(limit - live);
    return 0;
}

/* A kept block that holds `bytes`, to replace a live one holding `held` bytes (0: none),
 * unless the cap refuses it, which only a cap lowered since it was kept does: it is freed
 * then. NULL: none. */
static lc_hdr* reuse_kept(int64_t bytes, int64_t held) {
    lc_hdr* h = take_kept(bytes);
    if (h && over_limit(h->cap - held)) {
        free(h);
        return NULL;
    }
    return h;
}

/* h (of its capacity now) counted live, serving `bytes`, where it held `before` bytes. */
static void* count_live(lc_hdr* h, int64_t bytes, int64_t before) {
    h->bytes = bytes;
    __atomic_fetch_add(&g_alloc_calls, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&g_bytes_live, h->cap - before, __ATOMIC_RELAXED);
    return h + 1;
}

void* lc_malloc(int64_t bytes) {
    if (bytes < 0) return NULL;
    lc_hdr* h = reuse_kept(bytes, 0);
    if (!h) {
        if (over_limit(bytes)) return NULL;
        h = (lc_hdr*)malloc(sizeof(lc_hdr) + (size_t)bytes);
        if (!h && lc_drop_kept()) h = (lc_hdr*)malloc(sizeof(lc_hdr) + (size_t)bytes);
        if (!h) return NULL;
        h->cap = bytes;
    }
    return count_live(h, bytes, 0);
}

void* lc_calloc(int64_t bytes) {
    void* p = lc_malloc(bytes);
    if (p) memset(p, 0, (size_t)bytes);
    return p;
}

/* Grows or shrinks in place when the block's capacity allows, else into a kept block that
 * holds it (the old one kept in turn), else through the C library (which moves a big block's
 * pages rather than copying them). */
void* lc_realloc(void* p, int64_t old_bytes, int64_t bytes) {
    (void)old_bytes;
    if (!p) return lc_malloc(bytes);
    if (bytes < 0) return NULL;
    lc_hdr* h = (lc_hdr*)p - 1;
    int64_t held = h->cap;
    if (held < LC_KEEP_MIN ? bytes <= held : fits(held, bytes))
        return count_live(h, bytes, held);
    lc_hdr* n = reuse_kept(bytes, held);
    if (n) {
        memcpy(n + 1, h + 1, (size_t)(h->bytes < bytes ? h->bytes : bytes));
        lc_free(p);
        return count_live(n, bytes, 0);
    }
    if (over_limit(bytes - held)) return NULL;
    n = (lc_hdr*)realloc(h, sizeof(lc_hdr) + (size_t)bytes);
    if (!n && lc_drop_kept()) n = (lc_hdr*)realloc(h, sizeof(lc_hdr) + (size_t)bytes);
    if (!n) return NULL;
    n->cap = bytes;
    return count_live(n, bytes, held);
}

void lc_free(void* p) {
    if (!p) return;
    lc_hdr* h = (lc_hdr*)p - 1;
    __atomic_fetch_sub(&g_bytes_live, h->cap, __ATOMIC_RELAXED);
    keep(h);
}

int64_t lc_alloc_calls(void) { return __atomic_load_n(&g_alloc_calls, __ATOMIC_RELAXED); }
int64_t lc_bytes_live(void) { return __atomic_load_n(&g_bytes_live, __ATOMIC_RELAXED); }

/* ------------------------------------------------------------------------------------------
 * arenas: a list of chunks; reserve() makes [cur, end) at least `bytes` long, keeping earlier
 * chunks (and every pointer into them) alive until reset.
 * ---------------------------------------------------------------------------------------- */
struct lc_chunk {
    struct lc_chunk* next;
    int64_t size;
    /* data follows */
};

void lc_arena_init(lc_arena* a) { memset(a, 0, sizeof(*a)); }

int lc_arena_reserve(lc_arena* a, int64_t bytes) {
    if (a->end - a->cur >= bytes) return LC_OK;
    /* Reuse a following chunk of a reset arena when it is large enough. */
    int64_t size = a->reserved < 4096 ? 4096 : a->reserved;
    while (size < bytes) size *= 2;
    struct lc_chunk* c = (struct lc_chunk*)lc_malloc((int64_t)sizeof(struct lc_chunk) + size);
    if (!c) return LC_ERR_NOMEM;
    c->next = a->chunks;
    c->size = size;
    a->chunks = c;
    a->reserved += size;
    a->cur = (uint8_t*)(c + 1);
    a->end = a->cur + size;
    return LC_OK;
}

void lc_arena_reset(lc_arena* a) {
    /* Keep the largest chunk so a reused window table does not allocate again. */
    struct lc_chunk* keep = NULL;
    for (struct lc_chunk* c = a->chunks; c;) {
        struct lc_chunk* next = c->next;
        if (!keep || c->size > keep->size) {
            if (keep) lc_free(keep);
            keep = c;
        } else {
            lc_free(c);
        }
        c = next;
    }
    a->chunks = keep;
    if (keep) {
        keep->next = NULL;
        a->reserved = keep->size;
        a->cur = (uint8_t*)(keep + 1);
        a->end = a->cur + keep->size;
    } else {
        a->reserved = 0;
        a->cur = a->end = NULL;
    }
}

void lc_arena_release(lc_arena* a) {
    for (struct lc_chunk* c = a->chunks; c;) {
        struct lc_chunk* next = c->next;
        lc_free(c);
        c = next;
    }
    lc_arena_init(a);
}

/* ------------------------------------------------------------------------------------------
 * tables
 * ---------------------------------------------------------------------------------------- */
static int64_t pow2_at_least(int64_t n) {
    int64_t p = 8;
    while (p < n) p *= 2;
    return p;
}

static void table_insert_slot(uint32_t* slots, int64_t mask, uint64_t hash, uint32_t value) {
    int64_t s = (int64_t)(hash & (uint64_t)mask);
    while (slots[s]) s = (s + 1) & mask;
    slots[s] = value;
}

/* The slots (mask + 1 of them, zeroed) of t's entries, from the hashes they begin with. */
static void fill_slots(uint32_t* slots, int64_t mask, const lc_table* t) {
    for (int64_t i = 0; i < t->count; i++) {
        uint64_t h;
        memcpy(&h, t->entries + i * t->entry_size, sizeof(h));
        table_insert_slot(slots, mask, h, (uint32_t)(i + 1));
    }
}

/* t's slots rebuilt after its entries moved. */
static void rehash(lc_table* t) {
    memset(t->slots, 0, (size_t)(t->mask + 1) * sizeof(uint32_t));
    fill_slots(t->slots, t->mask, t);
}

/* Entries start on a cache line: an entry of 16, 32 or 64 bytes then never straddles two.
 * Growing reallocates the block (in place when it can, without a second copy alive), and
 * moves the entries only when the new block's alignment slack differs from the old one's. */
static int entries_alloc(lc_table* t, int64_t limit) {
    int64_t old_skew = t->entries ? t->entries - t->entries_mem : 0;
    uint8_t* mem = (uint8_t*)lc_realloc(t->entries_mem, t->limit * t->entry_size + 63,
                                        limit * t->entry_size + 63);
    if (!mem) return LC_ERR_NOMEM;
    uint8_t* entries = (uint8_t*)(((uintptr_t)mem + 63) & ~(uintptr_t)63);
    if (t->entries && entries - mem != old_skew)
        memmove(entries, mem + old_skew, (size_t)(t->count * t->entry_size));
    t->entries_mem = mem;
    t->entries = entries;
    return LC_OK;
}

lc_table* lc_table_new(int64_t entry_size, int64_t initial_entries, int64_t nsets,
                       const int64_t* set_entry_sizes) {
    lc_table* t = (lc_table*)lc_calloc(sizeof(lc_table));
    if (!t) return NULL;
    int64_t limit = pow2_at_least(initial_entries);
    t->entry_size = entry_size;
    t->limit = limit;
    t->mask = 2 * limit - 1;
    t->slots = (uint32_t*)lc_calloc((t->mask + 1) * (int64_t)sizeof(uint32_t));
    t->dirty = (int32_t*)lc_malloc(limit * (int64_t)sizeof(int32_t));
    lc_arena_init(&t->strings);
    if (!t->slots || !t->dirty || entries_alloc(t, limit)) {
        lc_table_free(t);
        return NULL;
    }
    if (nsets > 0) {
        t->sets = (lc_table**)lc_calloc(nsets * (int64_t)sizeof(lc_table*));
        if (!t->sets) {
            lc_table_free(t);
            return NULL;
        }
        t->nsets = nsets;
        for (int64_t i = 0; i < nsets; i++) {
            t->sets[i] = lc_table_new(set_entry_sizes[i], initial_entries, 0, NULL);
            if (!t->sets[i]) {
                lc_table_free(t);
                return NULL;
            }
        }
    }
    return t;
}

int lc_table_grow(lc_table* t) {
    int64_t limit = t->limit * 2;
    if (limit > (int64_t)UINT32_MAX / 2) return LC_ERR_LIMIT;
    if (entries_alloc(t, limit)) return LC_ERR_NOMEM;
    int32_t* dirty = (int32_t*)lc_realloc(t->dirty, t->limit * 4, limit * 4);
    if (!dirty) return LC_ERR_NOMEM;
    t->dirty = dirty;
    int64_t mask = 2 * limit - 1;
    uint32_t* slots = (uint32_t*)lc_calloc((mask + 1) * (int64_t)sizeof(uint32_t));
    if (!slots) return LC_ERR_NOMEM;
    fill_slots(slots, mask, t);
    lc_free(t->slots);
    t->slots = slots;
    t->mask = mask;
    t->limit = limit;
    return LC_OK;
}

void lc_table_reset(lc_table* t) {
    if (t->count) memset(t->slots, 0, (size_t)(t->mask + 1) * sizeof(uint32_t));
    t->count = 0;
    t->ndirty = 0;
    t->ordered = 0;
    t->frozen = 0;
    lc_arena_reset(&t->strings);
    for (int64_t i = 0; i < t->nsets; i++) lc_table_reset(t->sets[i]);
}

void lc_table_free(lc_table* t) {
    if (!t) return;
    if (t->sets) {
        for (int64_t i = 0; i < t->nsets; i++) lc_table_free(t->sets[i]);
        lc_free(t->sets);
    }
    lc_free(t->slots);
    lc_free(t->entries_mem);
    lc_free(t->dirty);
    lc_arena_release(&t->strings);
    lc_free(t);
}

/* ------------------------------------------------------------------------------------------
 * aggregates and their window directories
 * ---------------------------------------------------------------------------------------- */
static uint64_t window_slot_hash(int64_t id) {
    /* Must match compiler/codegen/aggregate.py (window_slot). */
    uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 32);
}

lc_agg* lc_agg_new(int64_t entry_size, int64_t nsets, const int64_t* set_entry_sizes,
                   int64_t windowed, int64_t size, int64_t slide, int64_t offset,
                   int64_t initial_entries) {
    lc_agg* a = (lc_agg*)lc_calloc(sizeof(lc_agg));
    if (!a) return NULL;
    a->entry_size = entry_size;
    a->nsets = nsets;
    a->initial_entries = initial_entries < 8 ? 8 : initial_entries;
    if (nsets) {
        a->set_entry_sizes = (int64_t*)lc_malloc(nsets * (int64_t)sizeof(int64_t));
        if (!a->set_entry_sizes) {
            lc_agg_free(a);
            return NULL;
        }
        memcpy(a->set_entry_sizes, set_entry_sizes, (size_t)nsets * sizeof(int64_t));
    }
    a->windowed = windowed;
    a->max_opened = INT64_MIN;
    a->min_opened = INT64_MAX;
    a->size = size;
    a->slide = slide;
    a->offset = offset;
    if (windowed) {
        a->win_mask = 7;
        a->win_ids = (int64_t*)lc_malloc(8 * (int64_t)sizeof(int64_t));
        a->win_tables = (lc_table**)lc_calloc(8 * (int64_t)sizeof(lc_table*));
        if (!a->win_ids || !a->win_tables) {
            lc_agg_free(a);
            return NULL;
        }
        for (int i = 0; i < 8; i++) a->win_ids[i] = LC_MIN_WINDOW;
    } else {
        a->table = lc_table_new(entry_size, a->initial_entries, nsets, a->set_entry_sizes);
        if (!a->table) {
            lc_agg_free(a);
            return NULL;
        }
    }
    return a;
}

void lc_agg_set_emitters(lc_agg* a, lc_emit_fn emit_rows, lc_emit_fn emit_changes) {
    a->emit_rows = emit_rows;
    a->emit_changes = emit_changes;
}

void lc_agg_free(lc_agg* a) {
    if (!a) return;
    lc_table_free(a->table);
    if (a->win_ids) {
        for (int64_t i = 0; i <= a->win_mask; i++)
            if (a->win_ids[i] != LC_MIN_WINDOW) lc_table_free(a->win_tables[i]);
    }
    for (int k = 0; k < 2; k++) {
        for (lc_table* t = k ? a->returned : a->pool; t;) {
            lc_table* next = t->next;
            lc_table_free(t);
            t = next;
        }
    }
    for (lc_table* t = a->folded; t;) {
        lc_table* next = t->next;
        lc_table_free(t);
        t = next;
    }
    lc_free(a->win_ids);
    lc_free(a->win_tables);
    lc_free(a->set_entry_sizes);
    lc_free(a->close_ids);
    lc_free(a->fold_where);
    lc_free(a->fold_order);
    lc_free(a->fold_entries);
    if (a->blocks)
        for (int64_t i = 0; i <= a->block_mask; i++) lc_table_free(a->blocks[i].t);
    lc_free(a->blocks);
    lc_free(a);
}

static void dir_put(int64_t* ids, lc_table** tables, int64_t mask, int64_t id, lc_table* t) {
    int64_t s = (int64_t)(window_slot_hash(id) & (uint64_t)mask);
    while (ids[s] != LC_MIN_WINDOW) s = (s + 1) & mask;
    ids[s] = id;
    tables[s] = t;
}

static int dir_grow(lc_agg* a) {
    int64_t mask = (a->win_mask + 1) * 2 - 1;
    int64_t* ids = (int64_t*)lc_malloc((mask + 1) * (int64_t)sizeof(int64_t));
    lc_table** tables = (lc_table**)lc_calloc((mask + 1) * (int64_t)sizeof(lc_table*));
    if (!ids || !tables) {
        lc_free(ids);
        lc_free(tables);
        return LC_ERR_NOMEM;
    }
    for (int64_t i = 0; i <= mask; i++) ids[i] = LC_MIN_WINDOW;
    for (int64_t i = 0; i <= a->win_mask; i++)
        if (a->win_ids[i] != LC_MIN_WINDOW) dir_put(ids, tables, mask, a->win_ids[i], a->win_tables[i]);
    lc_free(a->win_ids);
    lc_free(a->win_tables);
    a->win_ids = ids;
    a->win_tables = tables;
    a->win_mask = mask;
    return LC_OK;
}

/* A table for a window: one released earlier (by this aggregate, or given back by the worker
 * that merged it), else a new one. */
static lc_table* take_table(lc_agg* a) {
    if (!a->pool && __atomic_load_n(&a->returned, __ATOMIC_ACQUIRE))
        a->pool = __atomic_exchange_n(&a->returned, NULL, __ATOMIC_ACQ_REL);
    lc_table* t = a->pool;
    if (t) {
        a->pool = t->next;
        t->next = NULL;
        return t;
    }
    return lc_table_new(a->entry_size, a->initial_entries, a->nsets, a->set_entry_sizes);
}

static void thaw(lc_agg* a, int64_t slice);

int lc_agg_open_window(lc_agg* a, int64_t id) {
    if (id == LC_MIN_WINDOW) return LC_ERR_LIMIT;
    thaw(a, id);   /* (a sliced HOP's block may hold it as a slice without rows) */
    if ((a->nwin + 1) * 2 > a->win_mask + 1) {
        int rc = dir_grow(a);
        if (rc) return rc;
    }
    lc_table* t = take_table(a);
    if (!t) return LC_ERR_NOMEM;
    t->window = id;
    dir_put(a->win_ids, a->win_tables, a->win_mask, id, t);
    a->nwin++;
    if (id > a->max_opened) a->max_opened = id;
    if (id < a->min_opened) a->min_opened = id;
    return LC_OK;
}

int64_t lc_agg_min_opened(const lc_agg* a) { return a->min_opened; }

static void dir_remove(lc_agg* a, int64_t id) {
    int64_t mask = a->win_mask;
    int64_t s = (int64_t)(window_slot_hash(id) & (uint64_t)mask);
    while (a->win_ids[s] != id) s = (s + 1) & mask;
    /* Backward-shift deletion keeps every remaining id reachable from its home slot. */
    int64_t hole = s;
    int64_t j = s;
    for (;;) {
        j = (j + 1) & mask;
        if (a->win_ids[j] == LC_MIN_WINDOW) break;
        int64_t home = (int64_t)(window_slot_hash(a->win_ids[j]) & (uint64_t)mask);
        int64_t dist_j = (j - home) & mask;
        int64_t dist_hole = (hole - home) & mask;
        if (dist_hole <= dist_j) {
            a->win_ids[hole] = a->win_ids[j];
            a->win_tables[hole] = a->win_tables[j];
            hole = j;
        }
    }
    a->win_ids[hole] = LC_MIN_WINDOW;
    a->win_tables[hole] = NULL;
    a->nwin--;
}

static lc_table* dir_find(lc_agg* a, int64_t id) {
    int64_t mask = a->win_mask;
    int64_t s = (int64_t)(window_slot_hash(id) & (uint64_t)mask);
    while (a->win_ids[s] != LC_MIN_WINDOW) {
        if (a->win_ids[s] == id) return a->win_tables[s];
        s = (s + 1) & mask;
    }
    return NULL;
}

static int64_t sliced_open_windows(lc_agg* a);

int64_t lc_agg_open_windows(lc_agg* a) {
    if (!a->windowed) return 0;
    return a->slice_units ? sliced_open_windows(a) : a->nwin;
}

/* (sliced: the entries of its slices, of its cached blocks and of the closed windows not
 * yet taken) */
int64_t lc_agg_entries(lc_agg* a) {
    if (!a->windowed) return a->table->count;
    int64_t n = 0;
    for (int64_t i = 0; i <= a->win_mask; i++)
        if (a->win_ids[i] != LC_MIN_WINDOW) n += a->win_tables[i]->count;
    for (lc_table* t = a->folded; t; t = t->next) n += t->count;
    if (a->blocks)
        for (int64_t i = 0; i <= a->block_mask; i++)
            if (a->blocks[i].t) n += a->blocks[i].t->count;
    return n;
}

/* ------------------------------------------------------------------------------------------
 * needs: what a generated loop asked for before it returned early
 * ---------------------------------------------------------------------------------------- */
static int64_t fold_closed(lc_agg* a, int64_t wm, lc_ctx* ctx);

static int satisfy(lc_ctx* ctx) {
    int rc = LC_OK;
    switch (ctx->need) {
    case LC_NEED_FOLD:
        /* (its merges satisfy their own needs through ctx: read everything first) */
        ctx->need = LC_NEED_NONE;
        return (int)fold_closed((lc_agg*)ctx->need_ptr, ctx->need_arg, ctx);
    case LC_NEED_GROW:
        rc = lc_table_grow((lc_table*)ctx->need_ptr);
        break;
    case LC_NEED_WINDOW:
        rc = lc_agg_open_window((lc_agg*)ctx->need_ptr, ctx->need_arg);
        break;
    case LC_NEED_THAW:
        thaw((lc_agg*)ctx->need_ptr, ctx->need_arg);
        break;
    case LC_NEED_STRINGS:
        rc = lc_arena_reserve(&((lc_table*)ctx->need_ptr)->strings, ctx->need_arg);
        break;
    case LC_NEED_OUT_DATA:
        rc = lc_out_reserve_data((lc_out*)ctx->need_ptr, ctx->need_arg2, ctx->need_arg);
        break;
    case LC_NEED_SCRATCH: {
        int64_t cap = ctx->scratch_cap < 4096 ? 4096 : ctx->scratch_cap * 2;
        while (cap < ctx->need_arg) cap *= 2;
        uint8_t* s = (uint8_t*)lc_realloc(ctx->scratch, ctx->scratch_cap, cap);
        if (!s) return LC_ERR_NOMEM;
        ctx->scratch = s;
        ctx->scratch_cap = cap;
        break;
    }
    default:
        rc = LC_ERR_STALL;
    }
    ctx->need = LC_NEED_NONE;
    return rc;
}

/* A generated loop returned at r (< its total) with a need: satisfy it before calling again
 * from r. A loop that keeps stopping at the same place is an internal error, not a hang. */
typedef struct resume_guard {
    int64_t last;
    int64_t stalls;
} resume_guard;

static int resume_at(resume_guard* g, lc_ctx* ctx, int64_t r) {
    if (r == g->last) {
        if (++g->stalls > 64) return LC_ERR_STALL;
    } else {
        g->stalls = 0;
    }
    g->last = r;
    return satisfy(ctx);
}

/* Run an emitter over [0, total) of a table's entries (or dirty list) with exit-and-resume. */
static int64_t run_emitter(lc_emit_fn fn, lc_ctx* ctx, lc_table* t, lc_out* out, int64_t total) {
    resume_guard g = {-1, 0};
    for (int64_t pos = 0;;) {
        int64_t r = fn(ctx, t, out, pos);
        if (r >= total) return LC_OK;
        int rc = resume_at(&g, ctx, r);
        if (rc) return rc;
        pos = r;
    }
}

static int cmp_i64(const void* x, const void* y) {
    int64_t a = *(const int64_t*)x, b = *(const int64_t*)y;
    return (a > b) - (a < b);
}

static int64_t window_end(const lc_agg* a, int64_t id) {
    __int128 end = (__int128)id * a->slide + a->offset + a->size;
    if (end > INT64_MAX) return INT64_MAX;
    if (end < INT64_MIN) return INT64_MIN;
    return (int64_t)end;
}

/* A window this aggregate's own thread is done with: out of the directory, its table emptied
 * into the pool. */
static void release_window(lc_agg* a, lc_table* t) {
    dir_remove(a, t->window);
    lc_table_reset(t);
    t->next = a->pool;
    a->pool = t;
}

/* Whether closing at `wm` (or emitting changes) has anything to do: lets callers skip
 * preparing an output batch in the common case of nothing due. */
static int sliced_due(lc_agg* a, int64_t wm);

int64_t lc_agg_due(lc_agg* a, int64_t wm, int32_t changes) {
    if (!a->windowed) return changes ? a->table->ndirty > 0 : wm == INT64_MAX;
    if (a->slice_units) return sliced_due(a, wm);
    for (int64_t i = 0; i <= a->win_mask; i++) {
        int64_t id = a->win_ids[i];
        if (id == LC_MIN_WINDOW) continue;
        if (window_end(a, id) <= wm) return 1;
        if (changes && a->win_tables[i]->ndirty) return 1;
    }
    return 0;
}

/* Append id to a->close_ids (n ids so far). */
static int push_close_id(lc_agg* a, int64_t* n, int64_t id) {
    if (*n == a->close_cap) {
        int64_t cap = a->close_cap ? a->close_cap * 2 : 16;
        int64_t* ids = (int64_t*)lc_realloc(a->close_ids, a->close_cap * 8, cap * 8);
        if (!ids) return LC_ERR_NOMEM;
        a->close_ids = ids;
        a->close_cap = cap;
    }
    a->close_ids[(*n)++] = id;
    return LC_OK;
}

/* The ids of the open windows whose end is at most wm, ascending, in a->close_ids. */
static int64_t closing_ids(lc_agg* a, int64_t wm, int64_t* count) {
    int64_t n = 0;
    for (int64_t i = 0; i <= a->win_mask; i++) {
        int64_t id = a->win_ids[i];
        if (id == LC_MIN_WINDOW || window_end(a, id) > wm) continue;
        if (push_close_id(a, &n, id)) return LC_ERR_NOMEM;
    }
    /* Windows close in order of their end (ids are ordered like ends: fixed size). */
    if (n > 1) qsort(a->close_ids, (size_t)n, sizeof(int64_t), cmp_i64);
    *count = n;
    return LC_OK;
}

int64_t lc_agg_emit_table(lc_agg* a, lc_table* t, lc_out* out, lc_ctx* ctx) {
    if (!t->count) return LC_OK;
    int rc = lc_out_reserve(out, t->count);
    if (rc) return rc;
    return run_emitter(a->emit_rows, ctx, t, out, t->count);
}

static void pool_put(lc_agg* a, lc_table* t) {
    lc_table_reset(t);
    t->next = a->pool;
    a->pool = t;
}

int64_t lc_agg_close(lc_agg* a, int64_t wm, int32_t emit, lc_out* out, lc_ctx* ctx) {
    if (a->slice_units) {
        int64_t rc = fold_closed(a, wm, ctx);
        while (!rc && a->folded) {
            lc_table* t = a->folded;
            if (emit && (rc = lc_agg_emit_table(a, t, out, ctx))) break;
            a->folded = t->next;
            pool_put(a, t);
        }
        return rc;
    }
    if (!a->windowed || a->nwin == 0) return LC_OK;
    int64_t n, rc = closing_ids(a, wm, &n);
    if (rc) return rc;
    for (int64_t k = 0; k < n; k++) {
        lc_table* t = dir_find(a, a->close_ids[k]);
        if (emit && (rc = lc_agg_emit_table(a, t, out, ctx))) return rc;
        release_window(a, t);
    }
    return LC_OK;
}

/* ------------------------------------------------------------------------------------------
 * pre-aggregation (see LC_LANES in the header)
 * ---------------------------------------------------------------------------------------- */
/* merge: folds other workers' partial states of a window at its close; fold (or NULL): the
 * same keeping each group's earliest first row, for a sliced HOP's folds and re-dealing
 * windows by key (lc_agg_reshard). */
void lc_agg_set_merger(lc_agg* a, lc_merge_fn merge, lc_merge_fn fold, int64_t seq_offset) {
    a->merge = merge;
    a->fold = fold;
    a->seq_offset = seq_offset;
}

/* The windows closed at wm leave the directory, as a list (through lc_table.next) in order
 * of their ids: the worker that merges them gives them back (lc_agg_give_back). */
int64_t lc_agg_detach(lc_agg* a, int64_t wm, lc_table** closed, lc_ctx* ctx) {
    *closed = NULL;
    if (a->slice_units) {
        int64_t rc = fold_closed(a, wm, ctx);
        *closed = a->folded;
        a->folded = NULL;
        return rc;
    }
    if (!a->windowed || a->nwin == 0) return LC_OK;
    int64_t n, rc = closing_ids(a, wm, &n);
    if (rc) return rc;
    lc_table** tail = closed;
    for (int64_t k = 0; k < n; k++) {
        lc_table* t = dir_find(a, a->close_ids[k]);
        dir_remove(a, t->window);
        t->next = NULL;
        *tail = t;
        tail = &t->next;
    }
    return LC_OK;
}

/* Called by another thread than the owner's: the table joins the owner's stack of returned
 * tables (a push; the owner only ever takes the whole stack, so no ABA). */
void lc_agg_give_back(lc_agg* owner, lc_table* t) {
    lc_table_reset(t);
    lc_table* head = __atomic_load_n(&owner->returned, __ATOMIC_RELAXED);
    do {
        t->next = head;
    } while (!__atomic_compare_exchange_n(&owner->returned, &head, t, 1, __ATOMIC_RELEASE,
                                          __ATOMIC_RELAXED));
}

static int64_t merge_with(lc_merge_fn fn, lc_table* dst, const lc_table* src, int32_t* where,
                          lc_ctx* ctx) {
    resume_guard g = {-1, 0};
    for (int64_t pos = 0;;) {
        int64_t r = fn(ctx, dst, src, pos, where);
        if (r >= src->count) return LC_OK;
        int rc = resume_at(&g, ctx, r);
        if (rc) return rc;
        pos = r;
    }
}

/* Fold src's entries into dst with the generated merger, satisfying its needs. */
int64_t lc_agg_merge_into(lc_agg* a, lc_table* dst, const lc_table* src, int32_t* where,
                          lc_ctx* ctx) {
    return merge_with(a->merge, dst, src, where, ctx);
}

/* ------------------------------------------------------------------------------------------
 * sliced windows (a HOP whose rows count the same in each of their windows): a row updates
 * one slice, and a window is the fold of its slices when the watermark passes its end, the
 * same moment an unsliced HOP's window would stop taking rows. The generated loop checks
 * before each row whether its watermark passed the next window's end (fold_limit), and stops
 * for the fold there, so a window holds exactly the rows it would have held unsliced.
 *
 * A window is not folded slice by slice: it is the fold, in order, of the fewest aligned
 * blocks tiling its slices (block (k, j): slices j * 2^k ... (j + 1) * 2^k - 1, itself the
 * fold of its two halves), and the windows before it built most of those blocks, so a window
 * costs O(log slice_m) tables instead of slice_m. A block is folded from its slices as they
 * are at a fold and cached. A slice that a cached block holds is marked frozen, and a row
 * about to change it asks for a thaw first (LC_NEED_THAW: the loop looks the slice up in the
 * directory, as its one-table cache starts empty at each call and blocks are only built
 * between calls), which drops every block holding it. So a block is always the fold of its
 * slices as they are when it is used, and a float sum's lanes add up in an order that
 * depends on the slice ids and the rows' times only. A window's groups are then ordered by
 * their first rows, which is how a window's table is kept: the merge across workers relies
 * on it.
 * ---------------------------------------------------------------------------------------- */
static __int128 floor_div128(__int128 x, int64_t d) {
    __int128 q = x / d;
    return q * d > x ? q - 1 : q;
}

/* The windows of slice s: first_window(s) ... last_window(s). */
static __int128 first_window(const lc_agg* a, int64_t s) {
    return floor_div128((__int128)s - a->slice_c - a->slice_m + a->slice_r, a->slice_r);
}

static __int128 last_window(const lc_agg* a, int64_t s) {
    return floor_div128((__int128)s - a->slice_c, a->slice_r);
}

/* The first window whose end is after x (LC_MIN_WINDOW is no window). */
static int64_t window_after(const lc_agg* a, int64_t x) {
    __int128 w = floor_div128((__int128)x - a->offset - a->size, a->slide) + 1;
    return w <= LC_MIN_WINDOW ? LC_MIN_WINDOW + 1 : (int64_t)w;
}

static void set_fold_limit(lc_agg* a) {
    int64_t end = window_end(a, a->fold_next);
    a->fold_limit = end == INT64_MAX ? INT64_MAX - 1 : end - 1;
}

void lc_agg_set_slices(lc_agg* a, int64_t units) {
    a->slice_units = units;
    a->slice_r = a->slide / units;
    a->slice_m = a->size / units;
    a->slice_c = a->offset / units;   /* (the binder keeps 0 <= offset < slide) */
    a->fold_next = window_after(a, INT64_MIN);   /* (a window ending at INT64_MIN never opens) */
    set_fold_limit(a);
    a->block_levels = 0;
    while (a->block_levels < 62 && ((int64_t)2 << a->block_levels) <= a->slice_m)
        a->block_levels++;
}

/* The lowest window from fold_next on that holds a slice (found: 1). */
static int next_to_fold(const lc_agg* a, int64_t* window) {
    int found = 0;
    __int128 best = 0;
    for (int64_t i = 0; i <= a->win_mask; i++) {
        int64_t s = a->win_ids[i];
        if (s == LC_MIN_WINDOW || !a->win_tables[i]->count) continue;
        __int128 w = first_window(a, s);
        if (w < a->fold_next) w = a->fold_next;
        if (w > last_window(a, s)) continue;
        if (!found || w < best) best = w;
        found = 1;
    }
    *window = (int64_t)best;
    return found;
}

static int sliced_due(lc_agg* a, int64_t wm) {
    int64_t w;
    return a->folded || (wm > a->fold_limit && next_to_fold(a, &w) && window_end(a, w) <= wm);
}

static int64_t fold_room(lc_agg* a, int64_t n) {
    if (n <= a->fold_cap) return LC_OK;
    int64_t cap = a->fold_cap ? a->fold_cap : 256;
    while (cap < n) cap *= 2;
    int32_t* where = (int32_t*)lc_realloc(a->fold_where, a->fold_cap * 4, cap * 4);
    if (where) a->fold_where = where;
    int64_t* order = (int64_t*)lc_realloc(a->fold_order, a->fold_cap * 16, cap * 16);
    if (order) a->fold_order = order;
    uint8_t* entries = (uint8_t*)lc_realloc(a->fold_entries, a->fold_cap * a->entry_size,
                                            cap * a->entry_size);
    if (entries) a->fold_entries = entries;
    if (!where || !order || !entries) return LC_ERR_NOMEM;   /* (each kept its old room) */
    a->fold_cap = cap;
    return LC_OK;
}

static int cmp_pair(const void* x, const void* y) {
    const int64_t* a = (const int64_t*)x;
    const int64_t* b = (const int64_t*)y;
    return (a[0] > b[0]) - (a[0] < b[0]);
}

/* n (key, value) pairs sorted by key (unique keys), through tmp (room for n pairs): a radix
 * sort, RADIX_BITS of the keys' range a pass, or qsort when they are few. A comparison sort
 * of a window's 100,000 groups took ~15 ms; the radix sort's passes (two or three for first
 * rows or owners) are linear. */
#define RADIX_BITS 11

static void sort_pairs(int64_t* pairs, int64_t n, int64_t* tmp) {
    if (n < 256) {
        qsort(pairs, (size_t)n, 16, cmp_pair);
        return;
    }
    int64_t lo = pairs[0], hi = pairs[0];
    for (int64_t i = 1; i < n; i++) {
        if (pairs[2 * i] < lo) lo = pairs[2 * i];
        if (pairs[2 * i] > hi) hi = pairs[2 * i];
    }
    uint64_t range = (uint64_t)hi - (uint64_t)lo, mask = (1u << RADIX_BITS) - 1;
    int64_t* src = pairs;
    int64_t* dst = tmp;
    for (int shift = 0; shift < 64 && (range >> shift); shift += RADIX_BITS) {
        int64_t at[1 << RADIX_BITS];
        memset(at, 0, sizeof at);
        for (int64_t i = 0; i < n; i++)
            at[(((uint64_t)src[2 * i] - (uint64_t)lo) >> shift) & mask]++;
        for (int64_t d = 0, sum = 0; d <= (int64_t)mask; d++) {
            int64_t c = at[d];
            at[d] = sum;
            sum += c;
        }
        for (int64_t i = 0; i < n; i++) {
            int64_t p = at[(((uint64_t)src[2 * i] - (uint64_t)lo) >> shift) & mask]++;
            dst[2 * p] = src[2 * i];
            dst[2 * p + 1] = src[2 * i + 1];
        }
        int64_t* swap = src;
        src = dst;
        dst = swap;
    }
    if (src != pairs) memcpy(pairs, src, (size_t)n * 16);
}

/* t's entries in the order of the keys of their (key, index) pairs in a->fold_order (which
 * fold_room made room for), through a->fold_entries (first the pairs' scratch: an entry has
 * at least a hash and a first row, 16 bytes); their slots are left to the caller. */
static void sort_entries(lc_agg* a, lc_table* t) {
    int64_t n = t->count, es = t->entry_size;
    int64_t* pairs = a->fold_order;
    sort_pairs(pairs, n, (int64_t*)a->fold_entries);
    for (int64_t i = 0; i < n; i++)
        memcpy(a->fold_entries + i * es, t->entries + pairs[2 * i + 1] * es, (size_t)es);
    memcpy(t->entries, a->fold_entries, (size_t)(n * es));
}

/* Reorder t's entries by their first rows (seq; no two groups share one) and rehash them. */
static int64_t order_by_first_row(lc_agg* a, lc_table* t) {
    int64_t n = t->count, es = t->entry_size, sorted = 1, rc = fold_room(a, n);
    if (rc) return rc;
    int64_t* pairs = a->fold_order;
    for (int64_t i = 0; i < n; i++) {
        memcpy(&pairs[2 * i], t->entries + i * es + a->seq_offset, 8);
        pairs[2 * i + 1] = i;
        if (i && pairs[2 * i] < pairs[2 * i - 2]) sorted = 0;
    }
    if (sorted) return LC_OK;
    sort_entries(a, t);
    rehash(t);
    return LC_OK;
}

/* The block cache: direct-mapped, as a collision costs only a rebuild. About 2 slice_m
 * blocks are live at once (fewer, as a block's left half is dropped once it is built). */
static int64_t blocks_alloc(lc_agg* a) {
    int64_t slots = 64;
    while (slots < 65536 && slots / 4 < a->slice_m) slots *= 2;
    a->blocks = (lc_block*)lc_calloc(slots * (int64_t)sizeof(lc_block));
    if (!a->blocks) return LC_ERR_NOMEM;
    a->block_mask = slots - 1;
    return LC_OK;
}

static lc_block* block_slot(lc_agg* a, int64_t k, int64_t j) {
    uint64_t h = ((uint64_t)j + (uint64_t)k * 0xD6E8FEB86659FD93ull) * 0x9E3779B97F4A7C15ull;
    return &a->blocks[(h ^ (h >> 32)) & (uint64_t)a->block_mask];
}

static void block_drop(lc_agg* a, lc_block* b) {
    if (b->t) pool_put(a, b->t);
    b->level = 0;
    b->t = NULL;
}

static void block_forget(lc_agg* a, int64_t k, int64_t j) {
    lc_block* b = block_slot(a, k, j);
    if (b->level == k && b->index == j) block_drop(a, b);
}

/* A row is about to change this slice (or opens it): the blocks holding it are dropped.
 * (j = slice >> k floors: gcc shifts a signed value arithmetically.) */
static void thaw(lc_agg* a, int64_t slice) {
    if (!a->blocks) return;
    for (int64_t k = 1; k <= a->block_levels; k++) block_forget(a, k, slice >> k);
    lc_table* t = dir_find(a, slice);
    if (t) t->frozen = 0;
}

/* src's groups folded into *dst, which is taken from the pool the first time. */
static int64_t fold_into(lc_agg* a, lc_table** dst, const lc_table* src, lc_ctx* ctx) {
    if (!src || !src->count) return LC_OK;
    if (!*dst) {
        if (!(*dst = take_table(a))) return LC_ERR_NOMEM;
        (*dst)->next = NULL;
    }
    int64_t rc = fold_room(a, src->count);
    return rc ? rc : merge_with(a->fold, *dst, src, a->fold_where, ctx);
}

/* Whether a slice in the directory (ids: all of them, ascending) lies in [lo, hi]. */
static int any_slice_in(const int64_t* ids, int64_t n, __int128 lo, __int128 hi) {
    int64_t l = 0, r = n;   /* the first id >= lo */
    while (l < r) {
        int64_t m = l + (r - l) / 2;
        if (ids[m] < lo) l = m + 1;
        else r = m;
    }
    return l < n && ids[l] <= hi;
}

/* Block (k, j) (k = 0: a slice) in *out, NULL when none of its slices holds a row: cached,
 * else folded from its halves and cached (a run with no slice in the directory, `ids`, is
 * passed over without descending into it, so a sparse window costs its slices, not its
 * span). The left half is dropped then: a later window holding all of it holds the whole
 * block too (windows' ends only rise), so only a thaw could need it again, and a thaw
 * rebuilds it. */
static int64_t block_get(lc_agg* a, int64_t k, int64_t j, const int64_t* ids, int64_t n,
                         lc_table** out, lc_ctx* ctx) {
    if (k == 0) {
        *out = j == LC_MIN_WINDOW ? NULL : dir_find(a, j);
        return LC_OK;
    }
    lc_block* b = block_slot(a, k, j);
    if (b->level == k && b->index == j) {
        *out = b->t;
        return LC_OK;
    }
    *out = NULL;
    __int128 lo = (__int128)j << k;
    if (!any_slice_in(ids, n, lo, lo + ((__int128)1 << k) - 1)) return LC_OK;
    lc_table* dst = NULL;
    for (int64_t half = 0; half < 2; half++) {
        lc_table* h;
        int64_t rc = block_get(a, k - 1, j * 2 + half, ids, n, &h, ctx);
        if (!rc) rc = fold_into(a, &dst, h, ctx);
        if (rc) {
            if (dst) pool_put(a, dst);
            return rc;
        }
        if (k == 1 && h) h->frozen = 1;
        else if (k > 1 && !half) block_forget(a, k - 1, j * 2);
    }
    b = block_slot(a, k, j);
    if (b->level) block_drop(a, b);
    b->level = k;
    b->index = j;
    b->t = dst;
    *out = dst;
    return LC_OK;
}

/* Window w's slices folded into a table of its own, appended to the closed windows. */
static int64_t fold_window(lc_agg* a, int64_t w, lc_ctx* ctx) {
    __int128 first = (__int128)w * a->slice_r + a->slice_c, last = first + a->slice_m - 1;
    if (first <= LC_MIN_WINDOW) first = (__int128)LC_MIN_WINDOW + 1;   /* (no such slices) */
    if (last > INT64_MAX) last = INT64_MAX;
    int64_t rc, n = 0;
    if (!a->blocks && (rc = blocks_alloc(a))) return rc;
    for (int64_t i = 0; i <= a->win_mask; i++) {   /* the slices in the directory, ascending */
        int64_t s = a->win_ids[i];
        if (s != LC_MIN_WINDOW && s >= first && s <= last && push_close_id(a, &n, s))
            return LC_ERR_NOMEM;
    }
    if (!n) return LC_OK;
    if (n > 1) qsort(a->close_ids, (size_t)n, sizeof(int64_t), cmp_i64);
    lc_table* dst = NULL;
    for (__int128 x = first; x <= last;) {
        /* the largest block starting at x that is aligned there and ends by last */
        int64_t k = 0;
        while (k < a->block_levels && !(x & (((__int128)2 << k) - 1)) &&
               x + ((__int128)2 << k) - 1 <= last)
            k++;
        lc_table* p;
        if ((rc = block_get(a, k, (int64_t)(x >> k), a->close_ids, n, &p, ctx)) ||
            (rc = fold_into(a, &dst, p, ctx))) {
            if (dst) pool_put(a, dst);
            return rc;
        }
        x += (__int128)1 << k;
    }
    if (!dst) return LC_OK;
    dst->window = w;
    if ((rc = order_by_first_row(a, dst))) {   /* (a pass when they are in order already) */
        pool_put(a, dst);
        return rc;
    }
    if (a->folded) a->folded_tail->next = dst;
    else a->folded = dst;
    a->folded_tail = dst;
    return LC_OK;
}

/* Every window from fold_next on whose end is at most wm, folded (those without rows are
 * passed over); then the slices and blocks no open window holds go back to the pool. */
static int64_t fold_closed(lc_agg* a, int64_t wm, lc_ctx* ctx) {
    if (!a->slice_units || wm <= a->fold_limit) return LC_OK;
    int64_t w, rc;
    while (next_to_fold(a, &w) && window_end(a, w) <= wm) {
        if ((rc = fold_window(a, w, ctx))) return rc;
        if (w == INT64_MAX) break;
        a->fold_next = w + 1;
    }
    if (wm == INT64_MAX) {
        a->fold_next = INT64_MAX;
        a->fold_limit = INT64_MAX;
    } else {
        int64_t after = window_after(a, wm);
        if (after > a->fold_next) a->fold_next = after;
        set_fold_limit(a);
    }
    for (int64_t i = 0; i <= a->win_mask;) {
        int64_t s = a->win_ids[i];
        if (s != LC_MIN_WINDOW && (wm == INT64_MAX || last_window(a, s) < a->fold_next)) {
            release_window(a, a->win_tables[i]);   /* (shifts a later slice into slot i) */
            continue;
        }
        i++;
    }
    if (a->blocks) {   /* a block starting before the first open window's slices is no use */
        __int128 keep = (__int128)a->fold_next * a->slice_r + a->slice_c;
        for (int64_t i = 0; i <= a->block_mask; i++) {
            lc_block* b = &a->blocks[i];
            if (b->level && (wm == INT64_MAX || ((__int128)b->index << b->level) < keep))
                block_drop(a, b);
        }
    }
    return LC_OK;
}

/* The worker a group's hash belongs to, as the partition kernels choose it (Lemire's
 * multiply-shift on the hash's high half; compiler/codegen/partition.py). */
static int64_t owner_of(uint64_t h, int64_t nworkers) {
    return (int64_t)(((h >> 32) * (uint64_t)nworkers) >> 32);
}

static int64_t owner_at(const lc_table* t, int64_t i, int64_t nworkers) {
    uint64_t h;
    memcpy(&h, t->entries + i * t->entry_size, sizeof(h));
    return owner_of(h, nworkers);
}

/* Window (or slice) t of worker v: each run of groups another worker owns folded, in place
 * (through a view: no copy, and their strings stay in t's arena until the merger has copied
 * them), into that worker's table of the same window, each group keeping its earliest first
 * row; then t keeps its own, in their order. */
static int64_t reshard_table(lc_agg** aggs, int64_t n, int64_t v, lc_table* t, lc_ctx* ctx) {
    int64_t count = t->count, es = t->entry_size, own = 0, rc;
    for (int64_t i = 0, j; i < count; i = j) {
        int64_t w = owner_at(t, i, n);
        for (j = i + 1; j < count && owner_at(t, j, n) == w;) j++;
        if (w == v) {
            if (own != i)   /* (over groups already folded into their workers' tables) */
                memmove(t->entries + own * es, t->entries + i * es, (size_t)((j - i) * es));
            own += j - i;
            continue;
        }
        lc_table* dst = dir_find(aggs[w], t->window);
        if (!dst) {
            if ((rc = lc_agg_open_window(aggs[w], t->window))) return rc;
            dst = dir_find(aggs[w], t->window);
        }
        lc_table view = *t;
        view.entries = t->entries + i * es;
        view.count = j - i;
        if ((rc = fold_room(aggs[w], j - i)) ||
            (rc = merge_with(aggs[w]->fold, dst, &view, aggs[w]->fold_where, ctx)))
            return rc;
    }
    if (own < count) {
        t->count = own;
        rehash(t);
    }
    return LC_OK;
}

int64_t lc_agg_reshard(lc_agg** aggs, int64_t n, int64_t* route_from, lc_ctx* ctx) {
    int64_t sliced = aggs[0]->slice_units != 0, next = aggs[0]->fold_next, rc;
    if (sliced)
        for (int64_t v = 0; v < n; v++)
            if (aggs[v]->fold_next != next || aggs[v]->folded) return 1;   /* (not now) */
    for (int64_t v = 0; v < n; v++) {
        lc_agg* a = aggs[v];
        if (a->blocks)
            for (int64_t i = 0; i <= a->block_mask; i++)
                if (a->blocks[i].level) block_drop(a, &a->blocks[i]);
        for (int64_t i = 0; i <= a->win_mask; i++)
            if (a->win_ids[i] != LC_MIN_WINDOW) a->win_tables[i]->frozen = 0;
    }
    /* A TUMBLE routes from its first open window: each window from there on is re-dealt here
     * or has no rows yet, and those below it are closed (the idle workers are at one
     * watermark) or have no rows, and take any that come in blocks, as before. */
    int64_t first = INT64_MAX, top = INT64_MIN;
    for (int64_t v = 0; v < n; v++) {
        lc_agg* a = aggs[v];
        if (a->max_opened > top) top = a->max_opened;
        /* (only other workers' directories gain windows meanwhile) */
        for (int64_t i = 0; i <= a->win_mask; i++) {
            if (a->win_ids[i] == LC_MIN_WINDOW) continue;
            if (a->win_ids[i] < first) first = a->win_ids[i];
            if (a->win_tables[i]->count &&
                (rc = reshard_table(aggs, n, v, a->win_tables[i], ctx)))
                return rc;
        }
    }
    if (sliced) {
        *route_from = next;
        return LC_OK;
    }
    /* A routed window's parts list their groups by first row (emit_disjoint relies on it):
     * a worker's gained groups were appended, and the groups it had may now have an earlier
     * first row. */
    for (int64_t v = 0; v < n; v++)
        for (int64_t i = 0; i <= aggs[v]->win_mask; i++)
            if (aggs[v]->win_ids[i] != LC_MIN_WINDOW &&
                (rc = order_by_first_row(aggs[v], aggs[v]->win_tables[i])))
                return rc;
    *route_from = first < INT64_MAX ? first : top == INT64_MIN ? INT64_MIN + 1 : top + 1;
    return LC_OK;
}

/* The windows from fold_next on that hold a slice, and the closed ones not yet taken. */
static int64_t sliced_open_windows(lc_agg* a) {
    int64_t n = 0, k = 0;
    for (lc_table* t = a->folded; t; t = t->next) n++;
    __int128 lo = 0, hi = 0;
    int any = 0;
    /* (a slice's windows are an interval, and the intervals' ends rise with the slices' ids) */
    for (int64_t i = 0; i <= a->win_mask; i++)
        if (a->win_ids[i] != LC_MIN_WINDOW && a->win_tables[i]->count &&
            push_close_id(a, &k, a->win_ids[i]))
            return n;   /* (out of memory: a metric, so the closed windows at least) */
    int64_t* ids = a->close_ids;   /* (NULL until a fold or this needed it) */
    if (k > 1) qsort(ids, (size_t)k, sizeof(int64_t), cmp_i64);
    for (int64_t j = 0; j < k; j++) {
        __int128 f = first_window(a, ids[j]), l = last_window(a, ids[j]);
        if (f < a->fold_next) f = a->fold_next;
        if (f > l) continue;
        if (any && f <= hi) {
            if (l > hi) hi = l;
            continue;
        }
        if (any) n += (int64_t)(hi - lo + 1);
        lo = f;
        hi = l;
        any = 1;
    }
    if (any) n += (int64_t)(hi - lo + 1);
    return n;
}

static int64_t emit_table_changes(lc_agg* a, lc_table* t, lc_out* out, lc_ctx* ctx) {
    if (!t->ndirty) return LC_OK;
    int rc = lc_out_reserve(out, 2 * t->ndirty);
    if (rc) return rc;
    rc = (int)run_emitter(a->emit_changes, ctx, t, out, t->ndirty);
    if (rc) return rc;
    t->ndirty = 0;
    return LC_OK;
}

int64_t lc_agg_emit_changes(lc_agg* a, lc_out* out, lc_ctx* ctx) {
    if (!a->windowed) return emit_table_changes(a, a->table, out, ctx);
    int64_t n = 0;
    for (int64_t i = 0; i <= a->win_mask; i++) {
        if (a->win_ids[i] == LC_MIN_WINDOW || !a->win_tables[i]->ndirty) continue;
        if (push_close_id(a, &n, a->win_ids[i])) return LC_ERR_NOMEM;
    }
    qsort(a->close_ids, (size_t)n, sizeof(int64_t), cmp_i64);
    for (int64_t k = 0; k < n; k++) {
        int64_t rc = emit_table_changes(a, dir_find(a, a->close_ids[k]), out, ctx);
        if (rc) return rc;
    }
    return LC_OK;
}

int64_t lc_agg_emit_all(lc_agg* a, lc_out* out, lc_ctx* ctx) {
    if (a->windowed) return lc_agg_close(a, INT64_MAX, 1, out, ctx);
    lc_table* t = a->table;
    if (!t->count && a->global_agg) {
        /* SELECT COUNT(*) FROM empty: one row from the initial state (start = -1). */
        int rc = lc_out_reserve(out, 1);
        if (rc) return rc;
        for (int tries = 0; tries < 64; tries++) {
            if (a->emit_rows(ctx, t, out, -1) >= 0) return LC_OK;
            rc = satisfy(ctx);
            if (rc) return rc;
        }
        return LC_ERR_STALL;
    }
    if (!t->count) return LC_OK;
    int rc = lc_out_reserve(out, t->count);
    if (rc) return rc;
    return run_emitter(a->emit_rows, ctx, t, out, t->count);
}

/* ------------------------------------------------------------------------------------------
 * output batches
 * ---------------------------------------------------------------------------------------- */
static int64_t bitmap_bytes(int64_t rows) { return ((rows + 511) / 512) * 64; }

/* The rows a batch of capacity `cap` grows to so as to hold `need`: doubling from 64. */
static int64_t grown_cap(int64_t cap, int64_t need) {
    if (cap < 64) cap = 64;
    while (cap < need) cap *= 2;
    return cap;
}

/* An empty batch with room for `rows` rows, each buffer allocated once at its size (what
 * lc_out_reserve would grow them to), so every column has valid (non-NULL) pointers. */
static lc_out* out_with_room(int64_t ncols, const int64_t* widths, const int32_t* nullable,
                             int64_t rows) {
    lc_out* o = (lc_out*)lc_calloc(sizeof(lc_out));
    if (!o) return NULL;
    o->ncols = ncols;
    o->cols = (lc_outcol*)lc_calloc((ncols ? ncols : 1) * (int64_t)sizeof(lc_outcol));
    if (!o->cols) {
        lc_free(o);
        return NULL;
    }
    int64_t cap = rows > 0 ? grown_cap(0, rows) : 0;
    o->cap = cap;
    int64_t bitmap = cap ? bitmap_bytes(cap) : 64;
    for (int64_t c = 0; c < ncols; c++) {
        lc_outcol* col = &o->cols[c];
        col->width = widths[c];
        int64_t bytes = col->width > 0 ? cap * col->width : col->width == 0 ? bitmap : 64;
        /* (values need no zeroing but bit-packed booleans, whose writes set bits) */
        col->values = (uint8_t*)(col->width == 0 || !cap ? lc_calloc(bytes > 64 ? bytes : 64)
                                                         : lc_malloc(bytes > 64 ? bytes : 64));
        col->validity = nullable[c] ? (uint8_t*)lc_malloc(bitmap) : NULL;
        if (col->validity) memset(col->validity, 0xFF, (size_t)bitmap);   /* see lc_outcol */
        if (col->width < 0) {
            col->offsets = (int32_t*)lc_calloc(cap ? (cap + 1) * 4 : 64);
            col->data_cap = 64;
        }
        if (!col->values || (nullable[c] && !col->validity) || (col->width < 0 && !col->offsets)) {
            lc_out_free(o);
            return NULL;
        }
    }
    return o;
}

lc_out* lc_out_new(int64_t ncols, const int64_t* widths, const int32_t* nullable) {
    return out_with_room(ncols, widths, nullable, 0);
}

int lc_out_reserve(lc_out* o, int64_t rows) {
    int64_t need = o->n + rows;
    if (need <= o->cap) return LC_OK;
    int64_t cap = grown_cap(o->cap, need);
    for (int64_t c = 0; c < o->ncols; c++) {
        lc_outcol* col = &o->cols[c];
        if (col->width > 0) {
            uint8_t* v = (uint8_t*)lc_realloc(col->values, o->cap * col->width, cap * col->width);
            if (!v) return LC_ERR_NOMEM;
            col->values = v;
        } else if (col->width == 0) {
            int64_t old = o->cap ? bitmap_bytes(o->cap) : 64;
            uint8_t* v = (uint8_t*)lc_realloc(col->values, old, bitmap_bytes(cap));
            if (!v) return LC_ERR_NOMEM;
            memset(v + old, 0, (size_t)(bitmap_bytes(cap) - old));
            col->values = v;
        } else {
            int32_t* off = (int32_t*)lc_realloc(col->offsets, (o->cap + 1) * 4, (cap + 1) * 4);
            if (!off) return LC_ERR_NOMEM;
            col->offsets = off;
        }
        if (col->validity) {
            int64_t old = o->cap ? bitmap_bytes(o->cap) : 64;
            uint8_t* v = (uint8_t*)lc_realloc(col->validity, old, bitmap_bytes(cap));
            if (!v) return LC_ERR_NOMEM;
            memset(v + old, 0xFF, (size_t)(bitmap_bytes(cap) - old));
            col->validity = v;
        }
    }
    o->cap = cap;
    return LC_OK;
}

int lc_out_reserve_data(lc_out* o, int64_t c, int64_t bytes) {
    lc_outcol* col = &o->cols[c];
    int64_t need = col->data_len + bytes;
    if (need <= col->data_cap) return LC_OK;
    if (need > INT32_MAX) return LC_ERR_LIMIT;   /* Arrow utf8 offsets are 32-bit */
    int64_t cap = col->data_cap < 256 ? 256 : col->data_cap;
    while (cap < need) cap *= 2;
    if (cap > INT32_MAX) cap = INT32_MAX;
    uint8_t* v = (uint8_t*)lc_realloc(col->values, col->data_cap, cap);
    if (!v) return LC_ERR_NOMEM;
    col->values = v;
    col->data_cap = cap;
    return LC_OK;
}

/* Merge output batches that are each sorted by two BIGINT columns (key1, key2) into one
 * sorted batch of their first `ncols` columns (the keys, hidden columns, left out); ties keep
 * the order of the inputs (outs[0] first, then rows in order). The shards of a pipeline emit
 * such runs; merging them gives exactly one worker's order. The order is decided first, then
 * each column is gathered in one pass (typed, not per-row memcpy). */

/* dst bit k = bit at[k] of src[which[k]], a 64-bit word at a time (dst is sized in whole
 * 64-byte blocks). */
static void gather_bits(uint8_t* dst, const uint8_t* const* src, const int32_t* which,
                        const int32_t* at, int64_t total) {
    for (int64_t base = 0; base < total; base += 64) {
        uint64_t w = 0;
        int64_t end = total - base < 64 ? total - base : 64;
        for (int64_t t = 0; t < end; t++) {
            int64_t k = base + t;
            w |= (uint64_t)(src[which[k]][at[k] >> 3] >> (at[k] & 7) & 1) << t;
        }
        memcpy(dst + base / 8, &w, 8);
    }
}

/* Whether bits [0, n) of a validity bitmap are all set (no NULL was written). */
static int all_set(const uint8_t* bits, int64_t n) {
    int64_t whole = n / 8;
    for (int64_t i = 0; i < whole; i++)
        if (bits[i] != 0xFF) return 0;
    return n % 8 == 0 || (uint8_t)(bits[whole] | (0xFF << (n % 8))) == 0xFF;
}

#define GATHER_FIXED(T)                                                                       \
    {                                                                                         \
        T* out = (T*)d->values;                                                               \
        for (int64_t k = 0; k < total; k++) out[k] = ((const T*)src[which[k]])[at[k]];        \
    }

lc_out* lc_out_merge(lc_out** outs, int64_t n, int64_t ncols, int64_t key1, int64_t key2) {
    if (n < 1 || ncols > outs[0]->ncols) return NULL;
    int64_t total = 0;
    int64_t widths[ncols ? ncols : 1];
    int32_t nullable[ncols ? ncols : 1];
    for (int64_t c = 0; c < ncols; c++) {
        widths[c] = outs[0]->cols[c].width;
        nullable[c] = outs[0]->cols[c].validity != NULL;
    }
    for (int64_t i = 0; i < n; i++) total += outs[i]->n;
    lc_out* dst = out_with_room(ncols, widths, nullable, total);
    int32_t* which = (int32_t*)lc_malloc((total ? total : 1) * 4);
    int32_t* at = (int32_t*)lc_malloc((total ? total : 1) * 4);
    int64_t* pos = (int64_t*)lc_calloc(n * 8);
    const uint8_t** src = (const uint8_t**)lc_calloc(n * 8);
    const uint8_t** valid = (const uint8_t**)lc_calloc(n * 8);
    if (!dst || !which || !at || !pos || !src || !valid) goto fail;
    /* the keys' columns, hoisted: stores below may alias anything (-fno-strict-aliasing) */
    for (int64_t i = 0; i < n; i++) {
        src[i] = outs[i]->cols[key1].values;
        valid[i] = outs[i]->cols[key2].values;
    }
    if (n == 2) {   /* the common case (two workers): a two-pointer merge in registers */
        const int64_t *x1 = (const int64_t*)src[0], *x2 = (const int64_t*)valid[0];
        const int64_t *y1 = (const int64_t*)src[1], *y2 = (const int64_t*)valid[1];
        int64_t i = 0, j = 0, ni = outs[0]->n, nj = outs[1]->n;
        for (int64_t k = 0; k < total; k++) {
            int first = j >= nj || (i < ni && (x1[i] < y1[j] || (x1[i] == y1[j] && x2[i] <= y2[j])));
            which[k] = first ? 0 : 1;
            at[k] = (int32_t)(first ? i++ : j++);
        }
    }
    for (int64_t k = 0; n != 2 && k < total; k++) {
        int64_t best = -1, b1 = 0, b2 = 0;
        for (int64_t i = 0; i < n; i++) {
            if (pos[i] >= outs[i]->n) continue;
            int64_t v1 = ((const int64_t*)src[i])[pos[i]];
            int64_t v2 = ((const int64_t*)valid[i])[pos[i]];
            if (best < 0 || v1 < b1 || (v1 == b1 && v2 < b2)) {
                best = i;
                b1 = v1;
                b2 = v2;
            }
        }
        which[k] = (int32_t)best;
        at[k] = (int32_t)pos[best]++;
    }
    for (int64_t c = 0; c < ncols; c++) {
        lc_outcol* d = &dst->cols[c];
        int nulls = 0;   /* (a nullable column's bitmap stays all set when no input has a NULL) */
        for (int64_t i = 0; i < n; i++) {
            src[i] = outs[i]->cols[c].values;
            valid[i] = outs[i]->cols[c].validity;
            nulls |= valid[i] && !all_set(valid[i], outs[i]->n);
        }
        switch (d->width) {
        case 16: GATHER_FIXED(__int128) break;
        case 8: GATHER_FIXED(int64_t) break;
        case 4: GATHER_FIXED(int32_t) break;
        case 2: GATHER_FIXED(int16_t) break;
        case 1: GATHER_FIXED(int8_t) break;
        case 0:
            gather_bits(d->values, src, which, at, total);
            break;
        case -1: {
            int64_t bytes = 0;
            for (int64_t i = 0; i < n; i++) bytes += outs[i]->cols[c].data_len;
            if (lc_out_reserve_data(dst, c, bytes)) goto fail;
            for (int64_t k = 0; k < total; k++) {
                const lc_outcol* sc = &outs[which[k]]->cols[c];
                int32_t lo = sc->offsets[at[k]], len = sc->offsets[at[k] + 1] - lo;
                memcpy(d->values + d->data_len, sc->values + lo, (size_t)len);
                d->data_len += len;
                d->offsets[k + 1] = (int32_t)d->data_len;
            }
            break;
        }
        default:   /* other widths: byte copies */
            for (int64_t k = 0; k < total; k++)
                memcpy(d->values + k * d->width, src[which[k]] + at[k] * d->width,
                       (size_t)d->width);
        }
        if (d->validity && nulls) gather_bits(d->validity, valid, which, at, total);
    }
    dst->n = total;
    lc_free(which);
    lc_free(at);
    lc_free(pos);
    lc_free(src);
    lc_free(valid);
    return dst;
fail:
    lc_out_free(dst);
    lc_free(which);
    lc_free(at);
    lc_free(pos);
    lc_free(src);
    lc_free(valid);
    return NULL;
}
#undef GATHER_FIXED

typedef struct export_block {
    lc_out* out;
    int64_t ncols;
    /* then: ncols child arrays, ncols child pointers, 3 * ncols buffer pointers, 1 null */
} export_block;

static void release_child(lc_arrow_array* a) { a->release = NULL; }

static void release_batch(lc_arrow_array* a) {
    export_block* blk = (export_block*)a->private_data;
    lc_out_free(blk->out);
    lc_free(blk);
    a->release = NULL;
}

int64_t lc_out_export(lc_out* o, lc_arrow_array* array) {
    int64_t nc = o->ncols;
    int64_t size = (int64_t)sizeof(export_block) + nc * (int64_t)sizeof(lc_arrow_array) +
                   nc * 8 + 3 * nc * 8 + 8;
    export_block* blk = (export_block*)lc_calloc(size);
    if (!blk) return LC_ERR_NOMEM;
    blk->out = o;
    blk->ncols = nc;
    lc_arrow_array* kids = (lc_arrow_array*)(blk + 1);
    lc_arrow_array** kid_ptrs = (lc_arrow_array**)(kids + nc);
    const void** bufs = (const void**)(kid_ptrs + nc);
    const void** top_bufs = bufs + 3 * nc;   /* the struct array's one (absent) bitmap */
    for (int64_t c = 0; c < nc; c++) {
        lc_outcol* col = &o->cols[c];
        lc_arrow_array* k = &kids[c];
        const void** b = bufs + 3 * c;
        k->length = o->n;
        k->null_count = col->validity ? -1 : 0;   /* a nullable column has a bitmap */
        b[0] = col->validity;
        if (col->width < 0) {
            k->n_buffers = 3;
            b[1] = col->offsets;
            b[2] = col->values;
        } else {
            k->n_buffers = 2;
            b[1] = col->values;
        }
        k->buffers = b;
        k->release = release_child;
        kid_ptrs[c] = k;
    }
    memset(array, 0, sizeof(*array));
    array->length = o->n;
    array->n_buffers = 1;
    array->buffers = top_bufs;
    array->n_children = nc;
    array->children = kid_ptrs;
    array->release = release_batch;
    array->private_data = blk;
    return LC_OK;
}

static int64_t cols_from_arrow(const lc_arrow_array* batch, lc_col* cols, int64_t ncols,
                               const uint8_t* ones, int64_t ones_bits, uint8_t* nulls,
                               int64_t* flagged) {
    *flagged = 0;
    if (batch->n_children != ncols) return -1;
    for (int64_t c = 0; c < ncols; c++) {
        const lc_arrow_array* a = batch->children[c];
        int64_t offset = a->offset + batch->offset;
        if (offset + batch->length > ones_bits) return -1;
        const uint8_t* validity = a->n_buffers > 0 ? (const uint8_t*)a->buffers[0] : NULL;
        int has_nulls = validity && a->null_count != 0;
        cols[c].validity = has_nulls ? validity : ones;
        nulls[c] = (uint8_t)has_nulls;
        *flagged += has_nulls;
        cols[c].offset = offset;
        if (a->n_buffers == 3) {
            cols[c].offsets = (const int32_t*)a->buffers[1];
            cols[c].values = (const uint8_t*)a->buffers[2];
        } else if (a->n_buffers == 2) {
            cols[c].offsets = NULL;
            cols[c].values = a->buffers[1] ? (const uint8_t*)a->buffers[1] : ones;
        } else {
            return -1;
        }
    }
    return batch->length;
}

static int same_types(const lc_arrow_schema* got, const lc_arrow_schema* want) {
    if (strcmp(got->format, want->format) != 0 || got->n_children != want->n_children ||
        got->dictionary || want->dictionary)
        return 0;
    for (int64_t i = 0; i < got->n_children; i++) {
        const lc_arrow_schema* g = got->children[i];
        const lc_arrow_schema* w = want->children[i];
        if (g->metadata || !g->name != !w->name || (g->name && strcmp(g->name, w->name) != 0) ||
            !same_types(g, w))
            return 0;
    }
    return 1;
}

void lc_arrow_schema_release(lc_arrow_schema* schema) {
    if (schema->release) schema->release(schema);
}

int64_t lc_cols_from_arrow(lc_arrow_array* batch, lc_arrow_schema* schema,
                           const lc_arrow_schema* want, lc_col* cols, int64_t ncols,
                           const uint8_t* ones, int64_t ones_bits, uint8_t* nulls,
                           int64_t* flagged) {
    /* Comparing the exported types here costs a fraction of pyarrow's Schema.equals, which
     * formats a fingerprint of every new schema (a batch's own, usually). */
    int64_t rows = schema && !same_types(schema, want)
                       ? -2
                       : cols_from_arrow(batch, cols, ncols, ones, ones_bits, nulls, flagged);
    /* here, while the export's structures are in this core's cache (releasing it later, from
     * Python, took a finalizer and a second pass over them) */
    if (schema) lc_arrow_schema_release(schema);
    if (batch->release) batch->release(batch);
    return rows;
}

void lc_out_free(lc_out* o) {
    if (!o) return;
    for (int64_t c = 0; c < o->ncols; c++) {
        lc_free(o->cols[c].values);
        lc_free(o->cols[c].validity);
        lc_free(o->cols[c].offsets);
    }
    lc_free(o->cols);
    lc_free(o);
}

/* ------------------------------------------------------------------------------------------
 * pipelines
 * ---------------------------------------------------------------------------------------- */
lc_pipe* lc_pipe_new(void) {
    lc_pipe* p = (lc_pipe*)lc_calloc(sizeof(lc_pipe));
    if (!p) return NULL;
    p->wm = INT64_MIN;
    return p;
}

void lc_pipe_free(lc_pipe* p) {
    if (!p) return;
    lc_free(p->ctx.scratch);
    lc_free(p->deal);
    lc_free(p);
}

int64_t lc_pipe_run(lc_pipe* p, const lc_col* cols, int64_t n, int32_t nulls) {
    return lc_pipe_run_from(p, cols, 0, n, nulls);
}

int64_t lc_processing_time(void) {
    static int64_t last;
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    int64_t now = (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
    int64_t seen = __atomic_load_n(&last, __ATOMIC_RELAXED);
    while (now > seen &&
           !__atomic_compare_exchange_n(&last, &seen, now, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
    return now > seen ? now : seen;
}

int64_t lc_pipe_run_export(lc_pipe* p, const lc_col* cols, int64_t n, int32_t nulls,
                           int64_t seq_base, int64_t reserve, int64_t ncols,
                           const int64_t* widths, const int32_t* nullable,
                           lc_arrow_array* array) {
    lc_out* out = out_with_room(ncols, widths, nullable, reserve);
    if (!out) return -LC_ERR_NOMEM;
    p->seq_base = seq_base;
    p->proc_now = lc_processing_time();
    p->out = out;
    int64_t rc = lc_pipe_run(p, cols, n, nulls);
    p->out = NULL;
    int64_t rows = out->n;
    if (rc == LC_OK && rows) rc = lc_out_export(out, array);   /* the batch owns `out` now */
    if (rc != LC_OK || !rows) {
        lc_out_free(out);
        return -rc;
    }
    return rows;
}

/* A cheap clock for comparing two loops' runs: the TSC where there is one. */
static uint64_t loop_clock(void) {
#if defined(__x86_64__) || defined(__i386__)
    return __rdtsc();
#else
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
#endif
}

/* Which loop to run over rows [start, n): see lc_pipe.free_dense. Sets *timed when the run
 * is to be timed (its cost then goes to pick_loop_done). */
static lc_run_fn pick_loop(lc_pipe* p, int64_t rows, int32_t nulls, int* which, int* timed) {
    lc_run_fn branching = nulls ? p->run_nulls : p->run_dense;
    lc_run_fn free = nulls ? p->free_nulls : p->free_dense;
    *which = 0;
    *timed = 0;
    if (!free) return branching;
    if (p->loop_force) {
        *which = p->loop_force == 2;
    } else {
        *which = (int)p->loop_pick;
        if (rows >= LC_LOOP_TIMED_ROWS) {
            *timed = 1;
            int64_t other = *which ? p->loop_cost_branching : p->loop_cost_free;
            if (other == 0 || ++p->loop_runs >= LC_LOOP_RETRY) {
                *which = 1 - *which;
                p->loop_runs = 0;
            }
        }
    }
    return *which ? free : branching;
}

static void pick_loop_done(lc_pipe* p, int which, uint64_t ticks, int64_t rows) {
    int64_t cost = (int64_t)((double)ticks * 1024.0 / (double)rows) + 1;
    int64_t* slot = which ? &p->loop_cost_free : &p->loop_cost_branching;
    /* A run is never faster than its loop, but the host can make it slower: a lower cost is
     * taken as it is, a higher one halfway (a run slowed by the host flips the choice less,
     * and a loop made dearer by the data is still followed within a few runs). */
    *slot = *slot == 0 || cost < *slot ? cost : (*slot + cost) / 2;
    if (p->loop_cost_branching && p->loop_cost_free)
        p->loop_pick = p->loop_cost_free < p->loop_cost_branching;
}

int64_t lc_pipe_run_from(lc_pipe* p, const lc_col* cols, int64_t start, int64_t n,
                         int32_t nulls) {
    int which, timed;
    lc_run_fn fn = pick_loop(p, n - start, nulls, &which, &timed);
    uint64_t t0 = timed ? loop_clock() : 0;
    int64_t rc = lc_pipe_run_with(p, fn, cols, start, n);
    if (!rc && timed) pick_loop_done(p, which, loop_clock() - t0, n - start);
    return rc;
}

int64_t lc_pipe_run_with(lc_pipe* p, lc_run_fn fn, const lc_col* cols, int64_t start,
                         int64_t n) {
    int64_t pos = start, last = -1, last_k = -1, stalls = 0;
    p->ctx.resume_k = 0;
    while (pos < n) {
        int64_t r = fn(p, cols, pos, n);
        if (r >= n) break;
        if (r == last && p->ctx.resume_k == last_k) {
            if (++stalls > 64) return LC_ERR_STALL;
        } else {
            stalls = 0;
        }
        last = r;
        last_k = p->ctx.resume_k;
        int rc = satisfy(&p->ctx);
        if (rc) return rc;
        pos = r;
    }
    p->ctx.resume_k = 0;
    return LC_OK;
}

const char* lc_status_message(int64_t status) {
    switch (status) {
    case LC_OK: return "ok";
    case LC_ERR_NOMEM: return "out of memory";
    case LC_ERR_STALL: return "internal error: a compiled loop made no progress";
    case LC_ERR_LIMIT: return "a value exceeds a runtime limit (2 GiB of strings in one batch, "
                              "or 2^31 groups in one table)";
    default: return "unknown runtime status";
    }
}

/* ------------------------------------------------------------------------------------------
 * strings
 * ---------------------------------------------------------------------------------------- */
uint64_t lc_hash_bytes(const uint8_t* s, int64_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, (size_t)n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    return h;
}

/* A string's slot is its hash's top bits (the compiler's tables, codegen/sets.py), probed
 * linearly to an empty slot; numbers' tables are probed by generated code. */
int32_t lc_set_has_str(const int64_t* slots, int32_t bits, const uint8_t* blob,
                       const uint8_t* s, int64_t n) {
    uint64_t mask = ((uint64_t)1 << bits) - 1;
    uint64_t i = lc_hash_bytes(s, n) >> (64 - bits);
    for (;;) {
        int64_t len = slots[2 * i + 1];
        if (len < 0) return 0;
        if (len == n && (n == 0 || memcmp(blob + slots[2 * i], s, (size_t)n) == 0)) return 1;
        i = (i + 1) & mask;
    }
}

int32_t lc_str_cmp(const uint8_t* a, int64_t an, const uint8_t* b, int64_t bn) {
    int64_t m = an < bn ? an : bn;
    int r = m ? memcmp(a, b, (size_t)m) : 0;
    if (r) return r < 0 ? -1 : 1;
    return (an > bn) - (an < bn);
}

int64_t lc_utf8_length(const uint8_t* s, int64_t n) {
    int64_t chars = 0;
    for (int64_t i = 0; i < n; i++) chars += (s[i] & 0xC0) != 0x80;
    return chars;
}

/* Decode one code point; invalid bytes decode as themselves (one byte). */
static int64_t utf8_decode(const uint8_t* s, int64_t n, uint32_t* cp) {
    int len = lc_utf8_decode(s, n, cp);
    if (len) return len;
    *cp = 0xFFFFFFFFu;   /* marks an invalid byte: copied through unchanged */
    return 1;
}

static int64_t utf8_encode(uint32_t cp, uint8_t* d) {
    if (cp < 0x80) { d[0] = (uint8_t)cp; return 1; }
    if (cp < 0x800) { d[0] = 0xC0 | (cp >> 6); d[1] = 0x80 | (cp & 0x3F); return 2; }
    if (cp < 0x10000) {
        d[0] = 0xE0 | (cp >> 12); d[1] = 0x80 | ((cp >> 6) & 0x3F); d[2] = 0x80 | (cp & 0x3F);
        return 3;
    }
    d[0] = 0xF0 | (cp >> 18); d[1] = 0x80 | ((cp >> 12) & 0x3F);
    d[2] = 0x80 | ((cp >> 6) & 0x3F); d[3] = 0x80 | (cp & 0x3F);
    return 4;
}

#include "lc_casemap.inc"   /* lc_upper_map / lc_lower_map: sorted (from, to) code point pairs */

static uint32_t map_cp(const uint32_t (*map)[2], int64_t n, uint32_t cp) {
    int64_t lo = 0, hi = n - 1;
    while (lo <= hi) {
        int64_t mid = (lo + hi) / 2;
        if (map[mid][0] == cp) return map[mid][1];
        if (map[mid][0] < cp) lo = mid + 1; else hi = mid - 1;
    }
    return cp;
}

/* Simple (one code point to one code point) case mapping. dst must hold 3 * n bytes: no simple
 * mapping more than triples a character's UTF-8 length. */
static int64_t utf8_map(const uint8_t* s, int64_t n, uint8_t* dst, int upper) {
    int64_t o = 0;
    for (int64_t i = 0; i < n;) {
        uint8_t c = s[i];
        if (c < 0x80) {
            if (upper) dst[o++] = (c >= 'a' && c <= 'z') ? c - 32 : c;
            else dst[o++] = (c >= 'A' && c <= 'Z') ? c + 32 : c;
            i++;
            continue;
        }
        uint32_t cp;
        int64_t len = utf8_decode(s + i, n - i, &cp);
        if (cp == 0xFFFFFFFFu) {
            dst[o++] = c;
        } else {
            uint32_t m = upper ? map_cp(lc_upper_map, LC_UPPER_MAP_LEN, cp)
                               : map_cp(lc_lower_map, LC_LOWER_MAP_LEN, cp);
            o += utf8_encode(m, dst + o);
        }
        i += len;
    }
    return o;
}

int64_t lc_utf8_upper(const uint8_t* s, int64_t n, uint8_t* dst) { return utf8_map(s, n, dst, 1); }
int64_t lc_utf8_lower(const uint8_t* s, int64_t n, uint8_t* dst) { return utf8_map(s, n, dst, 0); }

/* SQL SUBSTRING: characters at 1-based positions [start, start + count) clipped to the string;
 * count < 0 means "to the end". */
void lc_utf8_substring(const uint8_t* s, int64_t n, int64_t start, int64_t count,
                       int64_t* out_offset, int64_t* out_len) {
    int64_t first = start < 1 ? 1 : start;
    int64_t last;   /* exclusive, 1-based */
    if (count < 0) {
        last = INT64_MAX;
    } else {
        __int128 l = (__int128)start + count;
        last = l > INT64_MAX ? INT64_MAX : (int64_t)l;
    }
    if (last <= first) {
        *out_offset = 0;
        *out_len = 0;
        return;
    }
    int64_t pos = 1, i = 0;
    while (i < n && pos < first) {
        i++;
        while (i < n && (s[i] & 0xC0) == 0x80) i++;
        pos++;
    }
    int64_t b = i;
    while (i < n && pos < last) {
        i++;
        while (i < n && (s[i] & 0xC0) == 0x80) i++;
        pos++;
    }
    *out_offset = b;
    *out_len = i - b;
}

static int cp_in(uint32_t cp, const uint8_t* chars, int64_t nchars) {
    for (int64_t i = 0; i < nchars;) {
        uint32_t c;
        i += utf8_decode(chars + i, nchars - i, &c);
        if (c == cp) return 1;
    }
    return 0;
}

/* mode: 0 both, 1 leading, 2 trailing. */
void lc_utf8_trim(const uint8_t* s, int64_t n, const uint8_t* chars, int64_t nchars,
                  int32_t mode, int64_t* out_offset, int64_t* out_len) {
    int64_t b = 0, e = n;
    if (mode != 2) {
        while (b < e) {
            uint32_t cp;
            int64_t len = utf8_decode(s + b, e - b, &cp);
            if (!cp_in(cp, chars, nchars)) break;
            b += len;
        }
    }
    if (mode != 1) {
        while (e > b) {
            int64_t k = e - 1;
            while (k > b && (s[k] & 0xC0) == 0x80) k--;
            uint32_t cp;
            utf8_decode(s + k, e - k, &cp);
            if (!cp_in(cp, chars, nchars)) break;
            e = k;
        }
    }
    *out_offset = b;
    *out_len = e - b;
}

static int64_t next_char(const uint8_t* s, int64_t n, int64_t i) {
    i++;
    while (i < n && (s[i] & 0xC0) == 0x80) i++;
    return i;
}

/* LIKE with % (any run), _ (one character) and an optional ASCII escape character (-1: none).
 * Iterative matching with one backtrack point: linear in practice, O(n*m) worst case.
 * Returns 1 on a match, 0 on none, -1 for a pattern ending in an escape that escapes nothing. */
int32_t lc_like(const uint8_t* s, int64_t n, const uint8_t* p, int64_t pn, int32_t escape) {
    if (escape >= 0) {
        /* Escapes pair up from the left, and the byte before a trailing run of escape
         * characters is not one, so the pattern ends in a lone escape exactly when that run
         * is odd (only the run is read, not the whole pattern). */
        int64_t run = 0;
        while (run < pn && p[pn - 1 - run] == (uint8_t)escape) run++;
        if (run & 1) return -1;
    }
    int64_t si = 0, pi = 0, star_p = -1, star_s = 0;
    while (si < n) {
        if (pi < pn) {
            uint8_t pc = p[pi];
            if (escape >= 0 && pc == (uint8_t)escape && pi + 1 < pn) {
                int64_t pe = next_char(p, pn, pi + 1);
                int64_t len = pe - (pi + 1);
                if (n - si >= len && memcmp(s + si, p + pi + 1, (size_t)len) == 0) {
                    si += len;
                    pi = pe;
                    continue;
                }
            } else if (pc == '%') {
                star_p = ++pi;
                star_s = si;
                continue;
            } else if (pc == '_') {
                si = next_char(s, n, si);
                pi++;
                continue;
            } else {
                int64_t pe = next_char(p, pn, pi);
                int64_t len = pe - pi;
                if (n - si >= len && memcmp(s + si, p + pi, (size_t)len) == 0) {
                    si += len;
                    pi = pe;
                    continue;
                }
            }
        }
        if (star_p < 0) return 0;
        star_s = next_char(s, n, star_s);
        si = star_s;
        pi = star_p;
    }
    while (pi < pn && p[pi] == '%') pi++;
    return pi == pn;
}

/* ------------------------------------------------------------------------------------------
 * casts: parsing (0 = ok, 1 = invalid) and formatting (returns bytes written)
 * ---------------------------------------------------------------------------------------- */
static int is_space(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static void strip(const uint8_t** s, int64_t* n) {
    while (*n && is_space((*s)[0])) { (*s)++; (*n)--; }
    while (*n && is_space((*s)[*n - 1])) (*n)--;
}

int32_t lc_parse_i64(const uint8_t* s, int64_t n, int64_t* out) {
    strip(&s, &n);
    if (!n) return 1;
    int neg = 0;
    int64_t i = 0;
    if (s[0] == '+' || s[0] == '-') { neg = s[0] == '-'; i = 1; }
    if (i == n) return 1;
    uint64_t v = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 1;
        if (v > (UINT64_C(9223372036854775808) - (uint64_t)(s[i] - '0')) / 10) return 1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (!neg && v > (uint64_t)INT64_MAX) return 1;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

/* Float text: [+-] (digits [. digits] | . digits) [(e|E) [+-] digits], or [+-] inf, infinity,
 * nan (any case). Stricter than strtod, which also reads hex floats and "nan(...)". */
static int float_syntax(const uint8_t* s, int64_t n) {
    int64_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    int64_t rest = n - i;
    static const char* const words[] = {"inf", "infinity", "nan"};
    for (int w = 0; w < 3; w++) {
        int64_t len = (int64_t)strlen(words[w]);
        if (rest != len) continue;
        int64_t k = 0;
        while (k < len && (s[i + k] | 0x20) == words[w][k]) k++;
        if (k == len) return 1;
    }
    int64_t digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') { i++; digits++; }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') { i++; digits++; }
    }
    if (!digits) return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        int64_t e = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') { i++; e++; }
        if (!e) return 0;
    }
    return i == n;
}

int32_t lc_parse_f64(const uint8_t* s, int64_t n, double* out) {
    strip(&s, &n);
    char buf[256];
    if (!n || n >= (int64_t)sizeof(buf) || !float_syntax(s, n)) return 1;
    memcpy(buf, s, (size_t)n);
    buf[n] = 0;
    char* end;
    double v = strtod(buf, &end);
    if (end != buf + n) return 1;
    *out = v;
    return 0;
}

/* Decimal text ([+-] digits [. digits] [(e|E) [+-] digits], as for floats but without inf/nan)
 * to an integer scaled by 10^scale, rounding half away from zero: only the first dropped digit
 * decides. Values beyond int64 are invalid; the caller checks the precision. */
int32_t lc_parse_decimal(const uint8_t* s, int64_t n, int32_t scale, int64_t* out) {
    strip(&s, &n);
    int64_t i = 0;
    int neg = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) { neg = s[i] == '-'; i++; }
    int64_t first = i, int_digits = 0, frac_digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') { i++; int_digits++; }
    int64_t point = i;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') { i++; frac_digits++; }
    }
    if (!int_digits && !frac_digits) return 1;
    int64_t exp10 = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0;
        if (i < n && (s[i] == '+' || s[i] == '-')) { eneg = s[i] == '-'; i++; }
        int64_t e = 0, ed = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (e < 100000) e = e * 10 + (s[i] - '0');   /* saturate: far beyond any result */
            i++;
            ed++;
        }
        if (!ed) return 1;
        exp10 = eneg ? -e : e;
    }
    if (i != n) return 1;
    /* Mantissa digit k (0-based, skipping the point) weighs 10^(int_digits - 1 - k + exp10);
     * the result keeps the digits k < keep and rounds on digit `keep`. */
    int64_t ndigits = int_digits + frac_digits;
    int64_t keep = int_digits + exp10 + scale;
    __int128 v = 0;
    int64_t k = 0;
    for (; k < ndigits && k < keep; k++) {
        uint8_t c = s[first + k + (first + k >= point)];
        v = v * 10 + (c - '0');
        if (v > (__int128)INT64_MAX) return 1;
    }
    for (; k < keep && v != 0; k++) {
        v *= 10;
        if (v > (__int128)INT64_MAX) return 1;
    }
    if (keep >= 0 && keep < ndigits) {
        uint8_t c = s[first + keep + (first + keep >= point)];
        if (c >= '5') v += 1;
    }
    if (v > (__int128)INT64_MAX) return 1;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

/* true/false, t/f, yes/no, y/n, 1/0 in any case (DuckDB's words), around white space. */
int32_t lc_parse_bool(const uint8_t* s, int64_t n, int32_t* out) {
    strip(&s, &n);
    char buf[8];
    if (!n || n > 5) return 1;
    for (int64_t i = 0; i < n; i++) buf[i] = (char)(s[i] | 0x20);
    buf[n] = 0;
    if (!strcmp(buf, "true") || !strcmp(buf, "t") || !strcmp(buf, "1") || !strcmp(buf, "yes") ||
        !strcmp(buf, "y")) { *out = 1; return 0; }
    if (!strcmp(buf, "false") || !strcmp(buf, "f") || !strcmp(buf, "0") || !strcmp(buf, "no") ||
        !strcmp(buf, "n")) { *out = 0; return 0; }
    return 1;
}

static int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t* y, int64_t* m, int64_t* d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int64_t month_days(int64_t y, int64_t m) {
    static const int8_t days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static int read_int(const uint8_t* s, int64_t n, int64_t* i, int min_digits, int max_digits,
                    int64_t* out) {
    int64_t v = 0;
    int k = 0;
    while (*i < n && k < max_digits && s[*i] >= '0' && s[*i] <= '9') {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        k++;
    }
    *out = v;
    return k >= min_digits;
}

static int parse_date_part(const uint8_t* s, int64_t n, int64_t* i, int64_t* days) {
    int64_t y, m, d;
    int bc = *i < n && s[*i] == '-';   /* an astronomical year before 1: -0001 is 2 BC */
    *i += bc;
    if (!read_int(s, n, i, 1, 6, &y) || *i >= n || s[*i] != '-') return 0;
    if (bc) y = -y;
    (*i)++;
    if (!read_int(s, n, i, 1, 2, &m) || *i >= n || s[*i] != '-') return 0;
    (*i)++;
    if (!read_int(s, n, i, 1, 2, &d)) return 0;
    if (m < 1 || m > 12 || d < 1 || d > month_days(y, m)) return 0;
    *days = days_from_civil(y, m, d);
    return 1;
}

/* Date-time text (compiler/bind/literals.py mirrors this grammar for literals):
 *   [-]Y{1,6}-M{1,2}-D{1,2} [(' '|'T') H{1,2}:M{1,2}[:S{1,2}[.digits]] [' '* offset]]
 *   offset: Z | (+|-) HH [[:] MM]
 * Fractions beyond microseconds are cut off; 24:00:00 is the next midnight; an offset converts
 * the time to UTC. Gives the day and the microseconds from its midnight (may be outside
 * [0, 1 day) after applying an offset). */
static int parse_datetime(const uint8_t* s, int64_t n, int64_t* days, int64_t* us) {
    int64_t i = 0, hh = 0, mi = 0, ss = 0, frac = 0;
    int frac_digits = 0;
    strip(&s, &n);
    if (!parse_date_part(s, n, &i, days)) return 0;
    *us = 0;
    if (i == n) return 1;
    if (s[i] != ' ' && s[i] != 'T') return 0;
    i++;
    if (!read_int(s, n, &i, 1, 2, &hh) || i >= n || s[i] != ':') return 0;
    i++;
    if (!read_int(s, n, &i, 1, 2, &mi)) return 0;
    if (i < n && s[i] == ':') {
        i++;
        if (!read_int(s, n, &i, 1, 2, &ss)) return 0;
        if (i < n && s[i] == '.') {
            i++;
            while (i < n && s[i] >= '0' && s[i] <= '9') {
                if (frac_digits < 6) {
                    frac = frac * 10 + (s[i] - '0');
                    frac_digits++;
                }
                i++;
            }
        }
    }
    for (; frac_digits < 6; frac_digits++) frac *= 10;
    if (mi > 59 || ss > 59 || hh > 24 || (hh == 24 && (mi || ss || frac))) return 0;
    int64_t offset = 0;
    while (i < n && s[i] == ' ') i++;
    if (i < n && s[i] == 'Z') {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i] == '-' ? -1 : 1;
        int64_t oh, om = 0;
        i++;
        if (!read_int(s, n, &i, 2, 2, &oh)) return 0;
        if (i < n && s[i] == ':') {
            i++;
            if (!read_int(s, n, &i, 2, 2, &om)) return 0;
        } else if (i < n && !read_int(s, n, &i, 2, 2, &om)) {
            return 0;
        }
        if (oh > 23 || om > 59) return 0;
        offset = sign * (oh * 3600 + om * 60) * 1000000LL;
    }
    if (i != n) return 0;
    *us = (hh * 3600 + mi * 60 + ss) * 1000000LL + frac - offset;
    return 1;
}

/* A DATE from date or date-time text: the date as written; a time and offset are checked,
 * then dropped (as PostgreSQL and DuckDB: '2020-01-01 24:00:00' is 2020-01-01). */
int32_t lc_parse_date(const uint8_t* s, int64_t n, int32_t* out) {
    int64_t days, us;
    if (!parse_datetime(s, n, &days, &us)) return 1;
    if (days < INT32_MIN || days > INT32_MAX) return 1;
    *out = (int32_t)days;
    return 0;
}

/* micros: 1 for TIMESTAMP(6); 0 for TIMESTAMP(3), rounding half away from zero (as the cast
 * TIMESTAMP(6) -> TIMESTAMP(3) does). */
int32_t lc_parse_timestamp(const uint8_t* s, int64_t n, int32_t micros, int64_t* out) {
    int64_t days, us_of_day;
    if (!parse_datetime(s, n, &days, &us_of_day)) return 1;
    __int128 us = (__int128)days * 86400000000LL + us_of_day;
    __int128 v = micros ? us : (us >= 0 ? (us + 500) / 1000 : -((-us + 500) / 1000));
    if (v > INT64_MAX || v < INT64_MIN) return 1;
    *out = (int64_t)v;
    return 0;
}

int64_t lc_format_i64(int64_t v, uint8_t* dst) {
    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%lld", (long long)v);
    memcpy(dst, buf, (size_t)n);
    return n;
}

/* The shortest digits that read back as the same value (as a float for REAL), printed like
 * Python's repr and DuckDB: plain notation for decimal exponents in [-4, 16) with at least one
 * fractional digit ("100.0"), else d.ddde+XX; "nan", "inf", "-inf". */
static int64_t format_float(double v, int max_precision, uint8_t* dst, int is_float) {
    char buf[48];
    int n = 0;
    if (isnan(v)) n = snprintf(buf, sizeof(buf), "nan");
    else if (isinf(v)) n = snprintf(buf, sizeof(buf), v > 0 ? "inf" : "-inf");
    else {
        for (int p = 1; p <= max_precision; p++) {
            n = snprintf(buf, sizeof(buf), "%.*e", p - 1, v);
            double back = strtod(buf, NULL);
            if (is_float ? (float)back == (float)v : back == v) break;
        }
        /* buf holds the last digits tried: the shortest, or max_precision of them */
        int e10 = atoi(strchr(buf, 'e') + 1);
        if (e10 >= -4 && e10 < 16) {
            /* Lay out the shortest digits in plain notation; printing the value with %f would
             * show the binary value's exact digits (999999986991104 for the REAL 1e15). */
            char digits[24];
            int nd = 0;
            for (const char* c = buf; *c && *c != 'e'; c++)
                if (*c >= '0' && *c <= '9') digits[nd++] = *c;
            char plain[48];
            int o = 0;
            if (signbit(v)) plain[o++] = '-';
            if (e10 < 0) {
                plain[o++] = '0';
                plain[o++] = '.';
                for (int k = 0; k < -e10 - 1; k++) plain[o++] = '0';
                for (int k = 0; k < nd; k++) plain[o++] = digits[k];
            } else {
                for (int k = 0; k <= e10; k++) plain[o++] = k < nd ? digits[k] : '0';
                plain[o++] = '.';
                if (nd > e10 + 1) {
                    for (int k = e10 + 1; k < nd; k++) plain[o++] = digits[k];
                } else {
                    plain[o++] = '0';
                }
            }
            memcpy(buf, plain, (size_t)o);
            n = o;
        }
    }
    memcpy(dst, buf, (size_t)n);
    return n;
}

int64_t lc_format_f64(double v, uint8_t* dst) { return format_float(v, 17, dst, 0); }
int64_t lc_format_f32(float v, uint8_t* dst) { return format_float((double)v, 9, dst, 1); }

int64_t lc_format_decimal(int64_t v, int32_t scale, uint8_t* dst) {
    char digits[24];
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int nd = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)a);
    int64_t o = 0;
    if (v < 0) dst[o++] = '-';
    if (scale <= 0) {
        memcpy(dst + o, digits, (size_t)nd);
        return o + nd;
    }
    if (nd <= scale) {
        dst[o++] = '0';
        dst[o++] = '.';
        for (int k = 0; k < scale - nd; k++) dst[o++] = '0';
        memcpy(dst + o, digits, (size_t)nd);
        return o + nd;
    }
    memcpy(dst + o, digits, (size_t)(nd - scale));
    o += nd - scale;
    dst[o++] = '.';
    memcpy(dst + o, digits + nd - scale, (size_t)scale);
    return o + scale;
}

static int64_t format_days(int64_t days, uint8_t* dst) {
    int64_t y, m, d;
    civil_from_days(days, &y, &m, &d);
    char buf[32];
    /* ISO 8601's astronomical years, four digits after the sign: year 0, then -0001 */
    int n = snprintf(buf, sizeof(buf), "%s%04lld-%02lld-%02lld", y < 0 ? "-" : "",
                     (long long)(y < 0 ? -y : y), (long long)m, (long long)d);
    memcpy(dst, buf, (size_t)n);
    return n;
}

int64_t lc_format_date(int32_t days, uint8_t* dst) { return format_days(days, dst); }

int64_t lc_format_timestamp(int64_t v, int32_t micros, uint8_t* dst) {
    int64_t per_sec = micros ? 1000000 : 1000;
    int64_t secs = lc_floor_div(v, per_sec);
    int64_t frac = lc_floor_mod(v, per_sec);
    int64_t days = lc_floor_div(secs, 86400);
    int64_t tod = lc_floor_mod(secs, 86400);
    int64_t o = format_days(days, dst);   /* beyond DATE's range for extreme timestamps */
    char buf[32];
    int n = snprintf(buf, sizeof(buf), " %02lld:%02lld:%02lld", (long long)(tod / 3600),
                     (long long)(tod / 60 % 60), (long long)(tod % 60));
    memcpy(dst + o, buf, (size_t)n);
    o += n;
    if (frac) {
        int width = micros ? 6 : 3;
        n = snprintf(buf, sizeof(buf), ".%0*lld", width, (long long)frac);
        while (buf[n - 1] == '0') n--;
        memcpy(dst + o, buf, (size_t)n);
        o += n;
    }
    return o;
}

/* ------------------------------------------------------------------------------------------
 * dates and times; unit: 0 = days (DATE), 1 = milliseconds, 2 = microseconds
 * ---------------------------------------------------------------------------------------- */
/* lc_date_trunc and lc_add_months return INT64_MIN when the result does not fit its unit
 * (generated code turns it into NULL and an overflow error; that one value is given up). */
#define LC_TIME_OVERFLOW INT64_MIN

static int64_t unit_per_day(int32_t unit) {
    return unit == 0 ? 1 : unit == 1 ? 86400000LL : 86400000000LL;
}

static void split(int64_t v, int32_t unit, int64_t* days, int64_t* us_of_day) {
    int64_t per_day = unit_per_day(unit);
    *days = lc_floor_div(v, per_day);
    int64_t rest = lc_floor_mod(v, per_day);
    *us_of_day = unit == 0 ? 0 : unit == 1 ? rest * 1000 : rest;
}

/* A day and a time of day as a value of the unit; LC_TIME_OVERFLOW when it does not fit. */
static int64_t join(int64_t days, int64_t us_of_day, int32_t unit) {
    __int128 v;
    if (unit == 0) v = days;
    else if (unit == 1) v = (__int128)days * 86400000LL + us_of_day / 1000;
    else v = (__int128)days * 86400000000LL + us_of_day;
    if (v <= INT64_MIN || v > INT64_MAX) return LC_TIME_OVERFLOW;
    return (int64_t)v;
}

static int64_t iso_week(int64_t days, int64_t y) {
    /* ISO 8601: week 1 holds the year's first Thursday. */
    int64_t isodow = lc_floor_mod(days + 3, 7) + 1;   /* 1970-01-01 was a Thursday */
    int64_t thursday = days - isodow + 4;
    int64_t ty, tm, td;
    civil_from_days(thursday, &ty, &tm, &td);
    (void)y;
    return (thursday - days_from_civil(ty, 1, 1)) / 7 + 1;
}

int64_t lc_extract(int64_t v, int32_t field, int32_t unit) {
    int64_t days, us;
    split(v, unit, &days, &us);
    int64_t y, m, d;
    civil_from_days(days, &y, &m, &d);
    switch (field) {
    case LC_F_YEAR: return y;
    case LC_F_QUARTER: return (m - 1) / 3 + 1;
    case LC_F_MONTH: return m;
    case LC_F_WEEK: return iso_week(days, y);
    case LC_F_DAY: return d;
    case LC_F_HOUR: return us / 3600000000LL;
    case LC_F_MINUTE: return us / 60000000LL % 60;
    case LC_F_SECOND: return us / 1000000 % 60;
    case LC_F_MILLISECOND: return us / 1000 % 60000;
    case LC_F_MICROSECOND: return us % 60000000LL;
    case LC_F_DOW: return lc_floor_mod(days + 4, 7);           /* 0 = Sunday */
    case LC_F_ISODOW: return lc_floor_mod(days + 3, 7) + 1;    /* 1 = Monday */
    case LC_F_DOY: return days - days_from_civil(y, 1, 1) + 1;
    case LC_F_DECADE: return lc_floor_div(y, 10);
    case LC_F_CENTURY: return y > 0 ? (y - 1) / 100 + 1 : -((-y) / 100 + 1);
    case LC_F_MILLENNIUM: return y > 0 ? (y - 1) / 1000 + 1 : -((-y) / 1000 + 1);
    default: return 0;
    }
}

int64_t lc_date_trunc(int64_t v, int32_t field, int32_t unit) {
    int64_t days, us;
    split(v, unit, &days, &us);
    int64_t y, m, d;
    civil_from_days(days, &y, &m, &d);
    switch (field) {
    case LC_F_MILLENNIUM:
        return join(days_from_civil(lc_floor_div(y - 1, 1000) * 1000 + 1, 1, 1), 0, unit);
    case LC_F_CENTURY:
        return join(days_from_civil(lc_floor_div(y - 1, 100) * 100 + 1, 1, 1), 0, unit);
    case LC_F_DECADE: return join(days_from_civil(lc_floor_div(y, 10) * 10, 1, 1), 0, unit);
    case LC_F_YEAR: return join(days_from_civil(y, 1, 1), 0, unit);
    case LC_F_QUARTER: return join(days_from_civil(y, (m - 1) / 3 * 3 + 1, 1), 0, unit);
    case LC_F_MONTH: return join(days_from_civil(y, m, 1), 0, unit);
    case LC_F_WEEK: return join(days - (lc_floor_mod(days + 3, 7)), 0, unit);
    case LC_F_DAY: return join(days, 0, unit);
    case LC_F_HOUR: return join(days, us - us % 3600000000LL, unit);
    case LC_F_MINUTE: return join(days, us - us % 60000000LL, unit);
    case LC_F_SECOND: return join(days, us - us % 1000000, unit);
    case LC_F_MILLISECOND: return join(days, us - us % 1000, unit);
    default: return v;
    }
}

int64_t lc_add_months(int64_t v, int64_t months, int32_t unit) {
    /* 2^63 ms is 292 million years: more months than that can only overflow */
    if (months > 4000000000LL || months < -4000000000LL) return LC_TIME_OVERFLOW;
    int64_t days, us;
    split(v, unit, &days, &us);
    int64_t y, m, d;
    civil_from_days(days, &y, &m, &d);
    int64_t total = y * 12 + (m - 1) + months;
    y = lc_floor_div(total, 12);
    m = lc_floor_mod(total, 12) + 1;
    int64_t md = month_days(y, m);
    if (d > md) d = md;   /* Jan 31 + 1 month = Feb 28/29 */
    return join(days_from_civil(y, m, d), us, unit);
}

double lc_round_f64(double v, int64_t digits) {
    if (isnan(v) || isinf(v)) return v;
    if (digits >= 0) {
        if (digits > 308) return v;
        double f = pow(10.0, (double)digits);
        double r = round(v * f) / f;
        return isinf(r) || isnan(r) ? v : r;
    }
    if (digits < -308) return 0.0;
    double f = pow(10.0, (double)-digits);
    return round(v / f) * f;
}

double lc_i128_to_f64(int64_t hi, uint64_t lo) {
    return (double)(__int128)(((unsigned __int128)(uint64_t)hi << 64) | lo);
}

/* ------------------------------------------------------------------------------------------
 * DATE_FORMAT, SPLIT_INDEX, COUNT_CHAR
 * ---------------------------------------------------------------------------------------- */
/* Digits of v (>= 0) left-padded with zeros to `width`; returns the length. (By hand: this
 * runs for every row of a DATE_FORMAT, and snprintf costs ten times more.) */
static int64_t put_number(uint8_t* dst, int64_t v, int width) {
    uint8_t buf[24];
    int n = 0;
    do {
        buf[n++] = (uint8_t)('0' + v % 10);
        v /= 10;
    } while (v);
    int o = 0;
    for (int k = n; k < width; k++) dst[o++] = '0';
    while (n) dst[o++] = buf[--n];
    return o;
}

int64_t lc_date_format(int64_t v, int32_t unit, const uint8_t* prog, int64_t plen, uint8_t* dst) {
    int64_t days, us;
    split(v, unit, &days, &us);
    int64_t y, m, d;
    civil_from_days(days, &y, &m, &d);
    int64_t o = 0;
    for (int64_t i = 0; i + 1 < plen;) {
        uint8_t op = prog[i], width = prog[i + 1];
        i += 2;
        switch (op) {
        case 1:   /* literal text of `width` bytes */
            memcpy(dst + o, prog + i, width);
            o += width;
            i += width;
            break;
        case 'y':
            if (y < 0) dst[o++] = '-';
            /* yy: the last two digits, as Java formats a two-letter year */
            o += put_number(dst + o, width == 2 ? (y < 0 ? -y : y) % 100 : (y < 0 ? -y : y),
                            width);
            break;
        case 'M': o += put_number(dst + o, m, width); break;
        case 'd': o += put_number(dst + o, d, width); break;
        case 'H': o += put_number(dst + o, us / 3600000000LL, width); break;
        case 'm': o += put_number(dst + o, us / 60000000LL % 60, width); break;
        case 's': o += put_number(dst + o, us / 1000000 % 60, width); break;
        case 'S': {   /* the fraction of the second, to `width` digits (truncated) */
            int64_t frac = us % 1000000;
            int digits = width > 6 ? 6 : width;
            for (int k = digits; k < 6; k++) frac /= 10;
            o += put_number(dst + o, frac, digits);
            for (int k = digits; k < width; k++) dst[o++] = '0';
            break;
        }
        default:
            break;
        }
    }
    return o;
}

int32_t lc_split_index(const uint8_t* s, int64_t n, const uint8_t* sep, int64_t sepn,
                       int64_t index, int64_t* off, int64_t* len) {
    if (index < 0 || n == 0 || sepn == 0) return 0;
    int64_t start = 0, field = 0;
    for (int64_t i = 0; i + sepn <= n;) {
        /* the next place the separator's first byte occurs, then the rest of it */
        const uint8_t* hit = (const uint8_t*)memchr(s + i, sep[0], (size_t)(n - sepn + 1 - i));
        if (!hit) break;
        i = hit - s;
        if (sepn > 1 && memcmp(s + i + 1, sep + 1, (size_t)(sepn - 1)) != 0) {
            i++;
            continue;
        }
        if (field == index) {
            *off = start;
            *len = i - start;
            return 1;
        }
        field++;
        i += sepn;
        start = i;
    }
    if (field != index) return 0;
    *off = start;
    *len = n - start;
    return 1;
}

int64_t lc_count_substring(const uint8_t* s, int64_t n, const uint8_t* c, int64_t cn) {
    if (cn == 0) return 0;
    int64_t count = 0;
    for (int64_t i = 0; i + cn <= n;) {
        if (s[i] == c[0] && memcmp(s + i, c, (size_t)cn) == 0) {
            count++;
            i += cn;
        } else {
            i++;
        }
    }
    return count;
}
