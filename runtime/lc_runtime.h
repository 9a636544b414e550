/* laminarc C runtime: the one header shared by cffi, the code generator and the runtime.
 *
 * Everything between the cdef markers is read verbatim by cffi (runtime/build_runtime.py), so it
 * holds only plain declarations: no preprocessor logic, no inline code. The code generator
 * mirrors the struct layouts below (compiler/codegen/abi.py); tests/test_abi.py checks that
 * every mirrored field offset agrees with the C compiler's.
 *
 * Contract with generated code ("exit and resume"): a generated row loop never allocates. When a
 * row needs more room (a new group in a full table, a new window, string bytes, output bytes,
 * scratch space), the loop records the need in lc_ctx and returns the index of the row it could
 * not finish; the row has not changed any state yet. lc_pipe_run satisfies the need outside the
 * loop and calls it again from that row.
 */
#ifndef LC_RUNTIME_H
#define LC_RUNTIME_H

#include <stdint.h>

/* cdef-begin */

/* ---- needs: why a generated loop returned early ---- */
#define LC_NEED_NONE 0
#define LC_NEED_GROW 1        /* need_ptr: lc_table* whose entry count reached its limit */
#define LC_NEED_WINDOW 2      /* need_ptr: lc_agg*; need_arg: window id to open */
#define LC_NEED_STRINGS 3     /* need_ptr: lc_table*; need_arg: bytes for its string arena */
#define LC_NEED_OUT_DATA 4    /* need_ptr: lc_out*; need_arg2: column; need_arg: bytes */
#define LC_NEED_SCRATCH 5     /* need_arg: bytes of per-row scratch */
#define LC_NEED_FOLD 6        /* need_ptr: lc_agg* (sliced); need_arg: the watermark before the
                               * row: fold the windows it closed */
#define LC_NEED_THAW 7        /* need_ptr: lc_agg* (sliced); need_arg: a frozen slice the row
                               * changes: drop the cached blocks holding it */

/* ---- status codes returned to Python ---- */
#define LC_OK 0
#define LC_ERR_NOMEM 1
#define LC_ERR_STALL 2        /* a loop kept asking for the same thing: internal error */
#define LC_ERR_LIMIT 3        /* a single value exceeds a hard limit (e.g. 2 GiB string batch) */

/* ---- date-time fields for lc_extract / lc_date_trunc; units: 0 days, 1 ms, 2 us ---- */
#define LC_F_YEAR 0
#define LC_F_QUARTER 1
#define LC_F_MONTH 2
#define LC_F_WEEK 3
#define LC_F_DAY 4
#define LC_F_HOUR 5
#define LC_F_MINUTE 6
#define LC_F_SECOND 7
#define LC_F_MILLISECOND 8
#define LC_F_MICROSECOND 9
#define LC_F_DOW 10
#define LC_F_DOY 11
#define LC_F_ISODOW 12
#define LC_F_DECADE 13
#define LC_F_CENTURY 14
#define LC_F_MILLENNIUM 15

/* ---- input: one Arrow array as seen by a generated loop ---- */
typedef struct lc_col {
    const uint8_t* values;    /* fixed-width values, bit-packed booleans, or string bytes */
    const uint8_t* validity;  /* validity bitmap (1 = valid); never NULL in the nulls variant */
    const int32_t* offsets;   /* string offsets; NULL for other types */
    int64_t offset;           /* the array's offset, in elements (and bits) */
} lc_col;

/* ---- chunked bump allocator; pointers into it stay valid until reset ---- */
struct lc_chunk;
typedef struct lc_arena {
    uint8_t* cur;
    uint8_t* end;
    struct lc_chunk* chunks;
    int64_t reserved;
} lc_arena;

/* ---- open-addressing hash table of fixed-size entries kept in creation order ----
 * Entry layout is the generated code's; its first 8 bytes hold the entry's 64-bit hash, which
 * is all the runtime reads (to rehash). count < limit guarantees room for one more entry. */
typedef struct lc_table {
    uint32_t* slots;          /* mask + 1 slots: 0 empty, else entry index + 1 */
    uint8_t* entries;         /* limit entries of entry_size bytes */
    int32_t* dirty;           /* changelog mode: entries changed since the last emission */
    int64_t mask;
    int64_t count;
    int64_t limit;
    int64_t ndirty;
    int64_t window;           /* window id, for a window's table */
    int64_t entry_size;
    struct lc_table** sets;   /* one distinct-value set per DISTINCT aggregate, or NULL */
    int64_t nsets;
    lc_arena strings;         /* copies of string keys and string aggregate values */
    struct lc_table* next;    /* free list of released window tables */
    uint8_t* entries_mem;     /* the allocation `entries` is 64-byte aligned within */
    int64_t ordered;          /* a merged window (pre-aggregation): emitted in the order of its
                               * `dirty` list, which such a table keeps for nothing else */
    int64_t frozen;           /* a slice that a cached block holds (sliced HOP): the generated
                               * loop asks for a thaw (LC_NEED_THAW) before it changes it */
    uint8_t** listed;         /* NULL, or the entries to emit, by address and in order: a view
                               * of other tables' entries with no entries of its own (a routed
                               * window's parts, see emit_disjoint in lc_workers.c) */
} lc_table;

/* ---- output batch under construction; buffers are handed to pyarrow without copying ---- */
typedef struct lc_outcol {
    uint8_t* values;          /* fixed-width values, bit-packed booleans, or string bytes */
    uint8_t* validity;        /* bitmap, all valid (1) until a NULL is written; NULL for a
                               * column that is never NULL */
    int32_t* offsets;         /* strings: cap + 1 offsets */
    int64_t data_len;         /* strings: bytes used */
    int64_t data_cap;         /* strings: bytes allocated */
    int64_t width;            /* bytes per value; 0 for bit-packed booleans; -1 for strings */
} lc_outcol;

typedef struct lc_out {
    int64_t n;
    int64_t cap;
    int64_t ncols;
    lc_outcol* cols;
} lc_out;

/* ---- per-pipeline context: needs, counters, scratch ---- */
typedef struct lc_ctx {
    int64_t need;
    void* need_ptr;
    int64_t need_arg;
    int64_t need_arg2;
    int64_t resume_k;         /* window of the returned row to resume at */
    int64_t late_rows;
    int64_t errors;           /* expression errors (each made a value NULL) */
    uint8_t* scratch;
    int64_t scratch_cap;
} lc_ctx;

struct lc_agg;
struct lc_pipe;
struct lc_deal;
typedef int64_t (*lc_run_fn)(struct lc_pipe* p, const lc_col* cols, int64_t start, int64_t n);
typedef int64_t (*lc_emit_fn)(lc_ctx* ctx, lc_table* t, lc_out* out, int64_t start);
/* Fold the entries of another table (partial states of the same window) into `dst`, from
 * entry `start`, noting where[i]: the index in dst of src's entry i's group; returns src's
 * count, or the entry to resume at after a need (lc_agg_merge_into). */
typedef int64_t (*lc_merge_fn)(lc_ctx* ctx, lc_table* dst, const lc_table* src, int64_t start,
                               int32_t* where);

/* Pre-aggregation across workers (window aggregates emitted when windows close): rows are
 * dealt to workers in blocks of source positions (block = position / block_rows), block b to
 * lane b % LC_LANES and lane l to worker l % nworkers. Each worker aggregates its blocks into
 * its own tables; a closed window's partial tables are merged, then emitted. A float SUM keeps
 * one partial sum per lane and adds the lanes in order when it is emitted, so its result is
 * the same for any number of workers (lanes, not workers, fix the order of the additions). */
#define LC_LANES 8

/* ---- a cached block of a sliced HOP: slices index << level ... + 2^level - 1, folded ---- */
typedef struct lc_block {
    int64_t level;            /* 0: an empty slot */
    int64_t index;
    lc_table* t;              /* NULL: none of its slices holds a row */
} lc_block;

/* ---- aggregate state: one table, or one table per open window ---- */
typedef struct lc_agg {
    int64_t* win_ids;         /* window directory: open addressing, empty = INT64_MIN */
    lc_table** win_tables;
    int64_t win_mask;
    int64_t nwin;
    lc_table* table;          /* the table of an unwindowed aggregate */
    int64_t entry_size;
    int64_t nsets;
    int64_t* set_entry_sizes;
    int64_t windowed;         /* window geometry in event-time units */
    int64_t size;
    int64_t slide;
    int64_t offset;
    lc_emit_fn emit_rows;     /* all entries of a table, as output rows */
    lc_emit_fn emit_changes;  /* dirty entries of a table, as -old/+new rows */
    lc_table* pool;           /* released window tables, ready for reuse */
    int64_t initial_entries;
    int64_t* close_ids;       /* reusable buffer for the ids of windows being closed */
    int64_t close_cap;
    int64_t global_agg;       /* no GROUP BY: a final emission of no rows still has one row */
    /* pre-aggregated (see LC_LANES): */
    lc_merge_fn merge;        /* folds partial states of other workers' tables into one */
    int64_t seq_offset;       /* where an entry keeps the source position of its first row */
    lc_table* returned;       /* tables given back by the worker that merged them (a stack
                               * others push to; the owner takes it whole when its pool is empty) */
    /* Sliced (a HOP, see AggregateSink.slice in compiler/physical.py): the directory holds
     * slices, not windows. Slice s covers [s * slice_units + offset % slice_units,
     * + slice_units); window w holds slices w * slice_r + slice_c ... + slice_m - 1. */
    int64_t slice_units;      /* 0: not sliced */
    int64_t slice_r;          /* slide / slice_units */
    int64_t slice_m;          /* size / slice_units */
    int64_t slice_c;
    int64_t fold_limit;       /* a row whose watermark is above this folds first (read by the
                               * generated loop): the end of the next window to close, - 1 */
    int64_t fold_next;        /* windows below this id are closed (folded, or empty) */
    lc_merge_fn fold;         /* the merger keeping each group's earliest first row */
    lc_table* folded;         /* closed windows, folded, in order of ids, not yet taken */
    lc_table* folded_tail;
    int32_t* fold_where;      /* scratch of the folds */
    int64_t* fold_order;
    uint8_t* fold_entries;
    int64_t fold_cap;         /* entries the three have room for */
    lc_block* blocks;         /* cached folds of aligned runs of 2^k slices (direct-mapped) */
    int64_t block_mask;       /* slots - 1 */
    int64_t block_levels;     /* the largest k a window can use: floor(log2(slice_m)) */
    int64_t max_opened;       /* the largest id of a window ever opened (INT64_MIN: none) */
    int64_t min_opened;       /* the least one (INT64_MAX: none) */
} lc_agg;

/* ---- a compiled pipeline: generated loop + its sink state ---- */
typedef struct lc_pipe {
    lc_run_fn run_dense;      /* variant for batches without NULLs in the columns it reads */
    lc_run_fn run_nulls;      /* general variant */
    int64_t wm;               /* watermark of the pipeline's input, event-time units */
    lc_agg* agg;              /* aggregate sink, or NULL */
    lc_out* out;              /* output sink of a stateless pipeline, or NULL */
    lc_ctx ctx;
    /* A shard on a worker runs over selected rows: row sel[j] for j in [start, n). Its
     * per-row watermark comes from breakpoints (the partition kernels saw every row): before
     * row i, wm = max(wm, bp_wm[b]) for each b with bp_pos[b] <= i. seq_base + row is a row's
     * position in its source's whole history (orders groups when workers' outputs merge). */
    const int32_t* sel;       /* NULL: rows [start, n) of the batch, watermark from the rows */
    const int64_t* bp_pos;
    const int64_t* bp_wm;
    int64_t nbp;
    int64_t bp_next;
    int64_t seq_base;
    /* time a shard on a worker spent, in ns: partitioning its slices, waiting for the other
     * workers' slices, selecting its rows, running its loop and emitting */
    int64_t ns_partition;
    int64_t ns_wait;
    int64_t ns_select;
    int64_t ns_run;
    int64_t proc_now;         /* PROCTIME() of the rows of the current run: epoch ms */
    int64_t lane;             /* pre-aggregated: the lane of the block being run */
    /* A stateless loop whose filters can run without branches has those variants too
     * (compiler: PipelineCodegen.branch_free), NULL otherwise. Which of the two is faster
     * depends on the data: a branch costs a misprediction per row a filter keeps or drops at
     * random, the branch-free loop the work of every dropped row. So lc_pipe_run_from times
     * both on this pipe's batches (of at least LC_LOOP_TIMED_ROWS) and runs the faster,
     * trying the other again every LC_LOOP_RETRY timed runs. */
    lc_run_fn free_dense;
    lc_run_fn free_nulls;
    int64_t loop_force;       /* 0: time and choose; 1: the branching loop; 2: branch-free */
    int64_t loop_pick;        /* 1 when the branch-free loop measured faster */
    int64_t loop_runs;        /* timed runs since the other loop was last tried */
    int64_t loop_cost_branching;  /* clock ticks per 1,024 rows of each loop, as last
                                   * measured; 0: not yet */
    int64_t loop_cost_free;
    /* A pre-aggregated TUMBLE over its source's event time may deal whole windows to
     * workers instead of blocks (see lc_combine.deal); NULL: it may not. */
    struct lc_deal* deal;
    /* A dealable pipeline's loops over rows that all lie in window win_k, open for every one
     * of them (compiler: PipelineCodegen.one_window): they read no event time for the window
     * and leave the watermark to the caller. A worker runs them on a block of its own whose
     * least and largest event times lie in one window: known from the scan a dealt block has
     * anyway (run_dealt), or scanned when its first and last rows share a window
     * (run_own_block). NULL: there are none. */
    lc_run_fn win_dense;
    lc_run_fn win_nulls;
    int64_t win_k;
} lc_pipe;

/* memory accounting (every runtime allocation goes through these) */
void* lc_malloc(int64_t bytes);
void* lc_calloc(int64_t bytes);
void* lc_realloc(void* p, int64_t old_bytes, int64_t bytes);
void lc_free(void* p);
int64_t lc_alloc_calls(void);
int64_t lc_bytes_live(void);
/* The cap on what the runtime holds, live and kept blocks together (0: none); an allocation
 * the live blocks would take past it fails (NOMEM), after the kept blocks gave way. */
void lc_set_memory_limit(int64_t bytes);
int64_t lc_memory_limit(void);
/* Freed big blocks kept for reuse while a database is open (see lc_malloc): delta +1 as one
 * opens, -1 as it closes (the last frees them all), returning how many are open; freeing
 * them all now (how many there were); the bytes kept, and their bound (0: this build keeps
 * none, as under AddressSanitizer). */
int64_t lc_keep_freed(int64_t delta);
int64_t lc_drop_kept(void);
int64_t lc_kept_bytes(void);
int64_t lc_keep_capacity(void);

/* arenas */
void lc_arena_init(lc_arena* a);
int lc_arena_reserve(lc_arena* a, int64_t bytes);
void lc_arena_reset(lc_arena* a);
void lc_arena_release(lc_arena* a);

/* tables */
lc_table* lc_table_new(int64_t entry_size, int64_t initial_entries, int64_t nsets,
                       const int64_t* set_entry_sizes);
int lc_table_grow(lc_table* t);
void lc_table_reset(lc_table* t);
void lc_table_free(lc_table* t);

/* aggregates */
lc_agg* lc_agg_new(int64_t entry_size, int64_t nsets, const int64_t* set_entry_sizes,
                   int64_t windowed, int64_t size, int64_t slide, int64_t offset,
                   int64_t initial_entries);
void lc_agg_set_emitters(lc_agg* a, lc_emit_fn emit_rows, lc_emit_fn emit_changes);
void lc_agg_free(lc_agg* a);
int lc_agg_open_window(lc_agg* a, int64_t id);
int64_t lc_agg_open_windows(lc_agg* a);
int64_t lc_agg_min_opened(const lc_agg* a);
int64_t lc_agg_entries(lc_agg* a);
int64_t lc_agg_due(lc_agg* a, int64_t wm, int32_t changes);
int64_t lc_agg_close(lc_agg* a, int64_t wm, int32_t emit, lc_out* out, lc_ctx* ctx);
int64_t lc_agg_emit_changes(lc_agg* a, lc_out* out, lc_ctx* ctx);
int64_t lc_agg_emit_all(lc_agg* a, lc_out* out, lc_ctx* ctx);
void lc_agg_set_merger(lc_agg* a, lc_merge_fn merge, lc_merge_fn fold, int64_t seq_offset);
int64_t lc_agg_detach(lc_agg* a, int64_t wm, lc_table** closed, lc_ctx* ctx);
void lc_agg_set_slices(lc_agg* a, int64_t units);
/* Before a TUMBLE's or sliced HOP's rows are routed by key (lc_combine.route_from): the n
 * workers' aggregates (all idle) re-deal the groups of their open windows, or slices, each to
 * the worker its hash routes it to (a sliced HOP's drop their cached blocks), and *route_from
 * is the first window whose parts hold disjoint groups from then on: a TUMBLE's lowest open
 * window, a sliced HOP's first window folded after this. A sliced HOP's return 1, changing
 * nothing, unless every worker folded the same windows (fold_next) and has none to detach. */
int64_t lc_agg_reshard(lc_agg** aggs, int64_t n, int64_t* route_from, lc_ctx* ctx);
void lc_agg_give_back(lc_agg* owner, lc_table* t);
int64_t lc_agg_merge_into(lc_agg* a, lc_table* dst, const lc_table* src, int32_t* where,
                          lc_ctx* ctx);
int64_t lc_agg_emit_table(lc_agg* a, lc_table* t, lc_out* out, lc_ctx* ctx);

/* output batches */
lc_out* lc_out_new(int64_t ncols, const int64_t* widths, const int32_t* nullable);
int lc_out_reserve(lc_out* o, int64_t rows);
int lc_out_reserve_data(lc_out* o, int64_t col, int64_t bytes);
void lc_out_free(lc_out* o);
lc_out* lc_out_merge(lc_out** outs, int64_t n, int64_t ncols, int64_t key1, int64_t key2);

/* The Arrow C data interface's ArrowArray (same layout), to hand a batch to pyarrow in one
 * call. lc_out_export moves the batch into `array` (a struct array of its columns; a column is
 * nullable when it has a validity bitmap); pyarrow's release frees the runtime's buffers when
 * the last Arrow reference goes. */
typedef struct lc_arrow_array {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void** buffers;
    struct lc_arrow_array** children;
    struct lc_arrow_array* dictionary;
    void (*release)(struct lc_arrow_array*);
    void* private_data;
} lc_arrow_array;
int64_t lc_out_export(lc_out* o, lc_arrow_array* array);
/* The Arrow C data interface's ArrowSchema (same layout). */
typedef struct lc_arrow_schema {
    const char* format;
    const char* name;
    const char* metadata;
    int64_t flags;
    int64_t n_children;
    struct lc_arrow_schema** children;
    struct lc_arrow_schema* dictionary;
    void (*release)(struct lc_arrow_schema*);
    void* private_data;
} lc_arrow_schema;
void lc_arrow_schema_release(lc_arrow_schema* schema);
/* Column descriptors of an exported record batch (a struct array from pyarrow's
 * _export_to_c): columns without a validity bitmap point at `ones` (all valid, `ones_bits`
 * long); nulls[c] says whether column c may hold a NULL, and *flagged how many columns may.
 * Returns the row count, -1 when the batch is not the expected shape, or -2 when `schema`
 * (the batch's exported schema, or NULL: not checked) does not have exactly the types of
 * `want` (the same formats and field names at every level, no dictionary and no field
 * metadata, such as an extension type's). Releases the exports before returning, whatever
 * the result: the layouts accepted (fixed width, boolean, 32-bit offsets) export the batch's
 * own buffers, which stay valid as long as the caller keeps the exported batch. */
int64_t lc_cols_from_arrow(lc_arrow_array* batch, lc_arrow_schema* schema,
                           const lc_arrow_schema* want, lc_col* cols, int64_t ncols,
                           const uint8_t* ones, int64_t ones_bits, uint8_t* nulls,
                           int64_t* flagged);

/* ---- partition kernels and workers ----
 * A chunk of a batch is partitioned by all workers at once: worker w runs the generated kernel
 * over its slice of rows (a PARTITION task), writing each row's destination worker into
 * `dest`, and scans the slice's event times for the rows where the slice's own running maximum
 * rises (breakpoints: the row, and max event time - delay over the slice up to it). The slice
 * that arrives last merges the slices' breakpoints into one list for every shard (a shard
 * applies a breakpoint as max(its watermark, bp_wm), so the list needs nothing of the shard's).
 * A worker's CONSUME task waits until that is done and picks its own rows out of `dest`, in row
 * order, so each shard sees exactly the rows and per-row watermarks one worker would have seen.
 * Partitioning needs nothing from earlier chunks, so a worker partitions chunk c and then
 * consumes chunk c - 1, which the other workers partitioned a whole step earlier; and a worker
 * about to consume a chunk partitions any slice no one has started yet itself: a worker that
 * falls behind for a moment (preempted) does not stall the others. A CONSUME task leaves its
 * shard's output, sorted by the hidden $wend and $seq, in the task; the thread that collects
 * the chunk merges them (lc_out_merge). A worker that merged would fall behind the others by
 * the merge, and so consume last and merge again, chunk after chunk, while the other waits. */
typedef struct lc_part {
    uint8_t* dest;            /* per row of the chunk (shared by the slices): worker or 255 */
    int64_t nworkers;
    lc_ctx ctx;
    /* A pre-aggregated TUMBLE routed by key (see lc_combine.route_from): a row whose window
     * is numbered below route_from goes to the worker of its block's lane instead. */
    int64_t route_from;
    int64_t block_rows;
    int64_t seq_base;         /* source position of the chunk's row 0 */
} lc_part;
typedef int64_t (*lc_part_fn)(lc_part* k, const lc_col* cols, int64_t start, int64_t n);

typedef struct lc_exchange {
    int64_t nworkers;
    int64_t n;                /* rows in the chunk */
    int64_t cap;
    uint8_t* dest;
    lc_part** parts;          /* one kernel state per slice (= per worker) */
    int64_t** slice_bp_pos;   /* per slice: its breakpoints */
    int64_t** slice_bp_wm;
    int64_t* slice_nbp;
    int64_t* slice_wm;        /* per slice: its largest event time - delay (INT64_MIN: none) */
    int32_t** sel;            /* per worker: its rows, in order */
    int64_t* bp_pos;          /* the slices' breakpoints merged (shared by every shard: each
                               * applies them as max(its watermark, bp_wm)) */
    int64_t* bp_wm;
    int64_t nbp;
    int64_t wm_after;         /* the largest event time - delay in the chunk (INT64_MIN: none) */
    int64_t time_col;         /* the source's event-time column, or -1 */
    int64_t delay;            /* watermark = event time - delay */
    lc_part_fn kernels[2];    /* dense, nulls */
    int64_t arrived;          /* slices partitioned */
    int32_t arrived_seq;      /* futex word: bumped when the last slice arrives */
    int32_t waiters;
    int32_t status;           /* the first slice's failure (LC_ERR_*), or LC_OK */
    int32_t ready;            /* every slice is in and the breakpoints are merged */
    int32_t* claimed;         /* per slice: taken by a worker (its own, or one that got ahead) */
    struct lc_task* tasks;    /* reused every chunk: N PARTITION tasks, then N CONSUME tasks */
} lc_exchange;

#define LC_TASK_RUN 1         /* run the shard over rows [start, n) of the chunk, then emit */
#define LC_TASK_ADVANCE 2     /* raise the shard's watermark to `wm`, then emit */
#define LC_TASK_STOP 3
#define LC_TASK_PARTITION 4   /* partition this worker's slice of an exchange's chunk */
#define LC_TASK_CONSUME 5     /* once every slice is partitioned: run the shard's rows, emit */
#define LC_TASK_BLOCKS 6      /* pre-aggregate this worker's blocks of the chunk (see LC_LANES) */
#define LC_EMIT_NONE 0
#define LC_EMIT_CLOSE 1       /* window aggregates: emit windows the watermark closed */
#define LC_EMIT_CHANGES 2     /* changelogs: emit changes (windowed: then drop closed windows) */
#define LC_EMIT_FINAL 3       /* one-shot queries: everything, once the watermark is +inf */

typedef struct lc_task {
    int64_t kind;
    lc_pipe* pipe;            /* this worker's shard */
    const lc_col* cols;
    int64_t start;            /* RUN: rows [start, n) of the chunk */
    int64_t n;
    int32_t nulls;
    int32_t emit;
    int64_t wm;               /* RUN, ADVANCE: the watermark to raise the shard's to; on
                               * return, the shard's watermark after the task */
    lc_exchange* ex;          /* PARTITION, CONSUME */
    int64_t worker;           /* which worker runs it (and, PARTITION, which slice) */
    int64_t seq_base;         /* source position of the chunk's row 0 */
    int64_t proc_now;         /* RUN, CONSUME: PROCTIME() of the chunk's rows (the worker sets
                               * its shard's lc_pipe.proc_now from it) */
    lc_out* out;              /* the shard's output rows: made by the worker when needed */
    int64_t out_ncols;        /* ... with this layout */
    const int64_t* out_widths;
    const int32_t* out_nullable;
    int64_t out_rows;         /* rows to reserve up front (stateless pipelines) */
    int64_t status;           /* set by the worker: LC_OK or an error */
    int64_t done;             /* set (release) by the worker when finished */
    struct lc_task* next;     /* tasks of one submission, run in order */
    struct lc_combine* comb;  /* BLOCKS, and ADVANCE of a pre-aggregated pipeline */
    lc_table* closed;         /* ... the partial tables of windows it closed, by window id */
} lc_task;

/* The tasks of one chunk (or watermark) of a pre-aggregated pipeline, one per worker. Each
 * runs its blocks, scanning the event times of the others' (or taking the watermark their
 * owner published after them, block_wm) so its watermark follows every row (as one worker's
 * would), then detaches the windows that closed. Once all have, the chunk's
 * merge (every worker's partial tables of those windows, emitted window by window, each in the
 * order of its groups' first rows, into `out`) is claimed by one thread: the first worker to
 * end a later chunk of the pipeline once this one is complete (usually a worker ahead of the
 * others), the last task of a chunk marked merge_now (a watermark: nothing follows it), or
 * the thread collecting the newest chunk in flight (lc_combine_finish with claim; for older
 * chunks it waits, as every task of the next one will try, and merges after a millisecond if
 * none has). The claim is a compare-and-swap
 * of `merge`, which holds the chunk's number with its state, so a stale look at a combine
 * being reused for a later chunk claims nothing. */
typedef struct lc_combine {
    int64_t nworkers;
    int64_t block_rows;
    int64_t time_col;         /* the source's event-time column, or -1 */
    int64_t delay;            /* watermark = event time - delay */
    int64_t arrived;
    int32_t status;           /* the first task's failure, or LC_OK */
    int32_t merge_now;
    int64_t merge;            /* chunk number * 4 + LC_MERGE_OPEN / _CLAIMED / _DONE */
    struct lc_combine* prev;  /* the pipeline's chunk before this one, while it is in flight */
    int32_t merged;           /* futex word: 1 once the merge is done */
    int32_t waiters;
    int64_t merge_status;
    struct lc_task** tasks;   /* per worker: its task of this chunk */
    /* The merger's (whichever thread merges): for the entries of the partial tables folded
     * into one of them, their groups' indices there; a mark per group (see emit_merged). */
    int32_t* where;
    uint8_t* marks;
    int64_t where_cap;
    lc_out* out;              /* the merged windows' rows (the collector takes it) */
    lc_ctx ctx;               /* the merger's (its errors count towards the pipeline's) */
    /* Per block of the chunk (block number - first_block, nblocks of them): its owner's
     * watermark right after running it, which is the watermark of every row up to its end;
     * published (block_ready) so that a worker behind need not scan the block's event times. */
    int64_t first_block;
    int64_t nblocks;          /* 0: nothing is published (no event time, or no room) */
    int64_t blocks_cap;
    int64_t* block_wm;
    int32_t* block_ready;
    /* Dealt by window (lc_combine.deal), per block instead: its least and largest event
     * times, which tell whose rows it holds; the first worker to reach a block scans it and
     * publishes them (block_seen: 1 while it scans, 2 once they are there), so a block's
     * event times are read once, not once by every worker. */
    int64_t* block_min;
    int64_t* block_max;
    int32_t* block_seen;
    /* Routed by key (a TUMBLE or sliced HOP whose windows hold many groups: each worker
     * would hold nearly all of them, so the state doubles and the merge folds every group
     * again). With an exchange, every worker partitions a slice of the chunk: a row of a
     * window numbered route_from or above goes to its group's worker, one below to its
     * block's lane's worker; each runs its rows (the selected loops, sel_fns) block by
     * block, each block in its own lane, so every (group, lane) partial state stays with one
     * worker and results remain those of one worker. A routed window that closes holds each
     * group in one worker's table only, so its parts are not folded into one: they are
     * emitted as they are, interleaved by first row (emit_disjoint, lc_table.listed).
     * route_from is fixed once chosen (ShardedPipeline): the workers first re-deal the
     * groups of their open windows by key (lc_agg_reshard), and route_from is the lowest
     * window open; a chunk with rows routes them once it is set (a watermark's has none). A
     * sliced HOP's workers re-deal their slices, route_from is the first window folded after
     * that, and every row is routed from then on. */
    lc_exchange* ex;          /* NULL: this pipeline never routes */
    lc_run_fn sel_fns[2];     /* dense, nulls */
    int64_t route_from;       /* the pipeline's; INT64_MAX: blocks only */
    /* Until route_from is set, a task that leaves its shard holding more than route_groups
     * groups in one window (its open windows together, or one it closed) sets the
     * pipeline's *route_wanted (one word all its combines share), which the thread handing
     * over chunks reads before each: the route starts as soon as a worker's windows are
     * big, not when that chunk is collected, several chunks later. */
    int64_t* route_wanted;
    int64_t route_groups;
    /* Dealt by window (a TUMBLE over its source's event time, lc_pipe.deal): the blocks give
     * every worker rows of nearly every window when a window holds many blocks, so each
     * aggregates nearly every group of it and the merge folds them all again. Dealt by
     * window, window k's rows all go to one worker (k % nworkers, but see the code below),
     * in their blocks' lanes still, so every (group, lane) partial state is again one
     * worker's and results stay those of one worker; a closed window is then one worker's
     * table, emitted as it is. It only pays when the chunks in flight hold a few windows
     * (else one worker runs while the others wait): the start of each chunk says which it
     * wants (`deal`: lc_dealer, from the rows it sees a window hold), and each worker,
     * at the chunk's start, from the same watermark, puts the switch at the first window
     * above every event time seen so far (no window is ever dealt both ways). The switches
     * are the workers' own (lc_deal), kept alike since each sees every chunk in order. A
     * routed chunk ignores it (the route re-deals every open window by key). `deal` is 0
     * (blocks) or a code 1 + slow * 65 + m (0 <= m <= 64): the worker `slow` gives m / 64 of
     * its windows to the others, so that a worker sharing its CPU (with the inserting
     * thread, or another tenant) takes fewer; whatever the code, a window's rows are all one
     * worker's. */
    int32_t deal;
    struct lc_dealer* dealer;   /* for lc_combine_start's LC_DEAL_ASK (NULL: 0, blocks) */
} lc_combine;
#define LC_DEAL_ASK 2147483647
#define LC_MERGE_OPEN 0
#define LC_MERGE_CLAIMED 1
#define LC_MERGE_DONE 2
lc_combine* lc_combine_new(int64_t nworkers, int64_t block_rows, int64_t time_col,
                           int64_t delay, int64_t chunk_rows);
void lc_combine_free(lc_combine* cb);
typedef struct lc_pool lc_pool;
int64_t lc_combine_start(lc_combine* cb, lc_task* tasks, int64_t seq, lc_combine* prev,
                         int32_t merge_now, int32_t emit, int64_t wm, const lc_col* cols,
                         int64_t n, int32_t nulls, int64_t seq_base, int64_t proc_now,
                         int64_t route_from, int32_t deal, lc_pool* pool);
/* Give a combine its route: an exchange whose kernels partition by key (the caller keeps it
 * as long as the combine), the selected loops, and when to ask for it (route_wanted, which
 * the caller keeps too, and route_groups). */
void lc_combine_set_route(lc_combine* cb, lc_exchange* ex, lc_run_fn sel_dense,
                          lc_run_fn sel_nulls, int64_t* route_wanted, int64_t route_groups);
int64_t lc_combine_finish(lc_combine* cb, int32_t claim);
/* How a dealable pipeline's next chunk deals its rows (lc_combine.deal): in blocks, or whole
 * windows, and then with which weights; chosen in the call that starts the chunk
 * (LC_DEAL_ASK), not by the inserting thread in Python, since that thread shares the
 * workers' CPUs and this is on its path once per chunk.
 *
 * Whole windows pay when a window holds many blocks (each worker would otherwise aggregate
 * nearly every group of it, and the merge fold them all again: at least two blocks) yet the
 * chunks in flight hold a few windows (else one worker runs while the others wait for the
 * next window: `depth` chunks hold a window a worker and one more). Rows a window holds are
 * estimated as the rows handed over while the largest event time sampled from them (each
 * chunk's first, middle and last rows, as it is handed over) rose by at least two windows,
 * over those windows: the watermark collected would lag by the chunks in flight, and the
 * first windows would go by before the estimate came. The way back to blocks needs the
 * estimate past its bound by a quarter (a rate hovering near it does not switch every
 * window).
 *
 * Dealt whole, windows go round the workers, but a worker that falls behind (its CPU shared
 * with the inserting thread, or another tenant) gives some of its windows to the others:
 * m / 64 of them, 4 more per chunk it has queued past one more than the worker least behind
 * (`pool`'s queues; NULL: none weighed), at most 32. Its queue is the integral of its
 * shortfall, so a fixed m holds it a few chunks behind instead of letting it fall behind by
 * every chunk in flight while the others wait. Nothing of this changes a result. */
typedef struct lc_dealer lc_dealer;
lc_dealer* lc_dealer_new(int64_t size, int64_t nworkers, int64_t depth, int64_t block_rows,
                         lc_pool* pool);
void lc_dealer_free(lc_dealer* d);
/* One chunk's code: `rows` where the chunk of `chunk_rows` ends in its source (only
 * differences count), `sampled` the largest event time sampled from it, `queued[w]` worker
 * w's chains of tasks queued. */
int32_t lc_dealer_code(lc_dealer* d, int64_t rows, int64_t sampled, int64_t chunk_rows,
                       const int64_t* queued);
void lc_combine_set_dealer(lc_combine* cb, lc_dealer* d);
/* Rows [0, n) of a chunk of a pre-aggregated pipeline on worker `worker` of `nworkers`,
 * block by block (block_rows each, by position in the source: lc_pipe.seq_base), each in its
 * block's lane: the blocks that are the worker's own (by lane, or by window where windows are
 * dealt: lc_combine.deal) run, the others only move its watermark. time_col is the event-time
 * column (-1: none) and delay its watermark's; with them, a block of the worker's own whose
 * rows lie in one open window runs through lc_pipe.win_dense when the pipe has it. cb: the
 * chunk's combine (NULL: one worker, no other to share a block's event times with). */
int64_t lc_pipe_run_blocks(lc_pipe* p, const lc_col* cols, int64_t n, int32_t nulls,
                           int64_t worker, int64_t nworkers, int64_t block_rows,
                           int64_t time_col, int64_t delay, lc_combine* cb);

lc_pool* lc_pool_new(int64_t nworkers, const int32_t* cpus, int32_t pin);
int64_t lc_pool_submit_all(lc_pool* pool, lc_task* const* tasks, int64_t n);
int64_t lc_pool_wait(lc_pool* pool, lc_task* task);
/* Wait for every task of a pre-aggregated chunk (or watermark); the largest of their
 * watermarks, which is the source's as far as the chunk's rows raise it. */
int64_t lc_combine_wait(lc_pool* pool, lc_combine* cb);
/* Collects chunks cbs[0..k) of one pre-aggregated pipeline, in order: for each,
 * lc_combine_wait, then lc_combine_finish (its merge, see lc_combine; claimed for the last one
 * with claim_last), its watermark in wms[j] and its merged windows' rows taken into outs[j]
 * (NULL: none), the merge's expression errors added to *errors. Stops after a chunk whose
 * task or merge failed, with that status in *status (else LC_OK); returns how many chunks it
 * collected. A burst of chunks in one call: collecting takes the inserting thread's time,
 * which it shares with a worker. */
int64_t lc_combine_collect(lc_pool* pool, lc_combine* const* cbs, int64_t k, int32_t claim_last,
                           int64_t* wms, lc_out** outs, int64_t* errors, int64_t* status);
int64_t lc_pool_stop(lc_pool* pool);
int64_t lc_pool_busy_ns(lc_pool* pool, int64_t worker);
int64_t lc_pool_cpu(lc_pool* pool, int64_t worker);
/* Chains of tasks handed to a worker and not yet begun (how far behind the others it is). */
int64_t lc_pool_queued(lc_pool* pool, int64_t worker);
int64_t lc_pool_tid(lc_pool* pool, int64_t worker);
int64_t lc_numa_nodes(void);
int64_t lc_run_task(lc_task* t);
int64_t lc_run_tasks_inline(lc_task** tasks, int64_t n);
lc_exchange* lc_exchange_new(int64_t nworkers, lc_part_fn dense, lc_part_fn nulls,
                             int64_t time_col, int64_t delay);
int lc_exchange_reserve(lc_exchange* ex, int64_t rows);
/* Ready the exchange (and its tasks) for a chunk of n rows; its previous chunk is done. */
int lc_exchange_start(lc_exchange* ex, int64_t n, const lc_col* cols, int32_t nulls,
                      int64_t seq_base, int32_t emit, int64_t proc_now);
void lc_exchange_free(lc_exchange* ex);
int64_t lc_exchange_wm_after(lc_exchange* ex);

/* pipelines */
lc_pipe* lc_pipe_new(void);
void lc_pipe_free(lc_pipe* p);
/* Let a pre-aggregated TUMBLE's shard (its aggregate set: the windows are its) deal whole
 * windows (lc_combine.deal); LC_ERR_LIMIT (not an unsliced TUMBLE), LC_ERR_NOMEM or LC_OK. */
int64_t lc_pipe_set_deal(lc_pipe* p);
/* The first window of those the shard deals by window now (since its newest switch), or
 * INT64_MAX while it deals blocks. */
int64_t lc_pipe_dealt_from(const lc_pipe* p);
int64_t lc_pipe_run(lc_pipe* p, const lc_col* cols, int64_t n, int32_t nulls);
int64_t lc_pipe_run_from(lc_pipe* p, const lc_col* cols, int64_t start, int64_t n,
                         int32_t nulls);
/* Rows [start, n) through loop `fn` (which reads them as lc_pipe_run_from's would), meeting
 * its needs until it is done. */
int64_t lc_pipe_run_with(lc_pipe* p, lc_run_fn fn, const lc_col* cols, int64_t start,
                         int64_t n);
/* A stateless pipeline over n rows, at the processing time of now, into a new output batch
 * of `ncols` columns (room for `reserve` rows), exported into `array` when it has rows:
 * lc_out_new, lc_out_reserve, the run and lc_out_export in one call, the way an insert that
 * runs in the calling thread needs them (a native call from Python costs as much as a few
 * hundred rows of a loop). Returns the rows written (0: nothing exported, the batch freed),
 * or -status. */
int64_t lc_pipe_run_export(lc_pipe* p, const lc_col* cols, int64_t n, int32_t nulls,
                           int64_t seq_base, int64_t reserve, int64_t ncols,
                           const int64_t* widths, const int32_t* nullable,
                           lc_arrow_array* array);
/* PROCTIME(): the wall clock in epoch milliseconds, never going backwards within the process
 * (the one clock of every path, Python's included). */
int64_t lc_processing_time(void);
const char* lc_status_message(int64_t status);

/* ---- helpers called by generated code (pure: they never allocate) ---- */
uint64_t lc_hash_bytes(const uint8_t* s, int64_t n);
int32_t lc_str_cmp(const uint8_t* a, int64_t an, const uint8_t* b, int64_t bn);
/* Membership in a constant set of strings (a long IN list): an open-addressed table of
 * 2^bits slots the compiler builds (compiler/codegen/sets.py), each an (offset into blob,
 * length) pair, length -1 when empty. */
int32_t lc_set_has_str(const int64_t* slots, int32_t bits, const uint8_t* blob,
                       const uint8_t* s, int64_t n);
int64_t lc_utf8_length(const uint8_t* s, int64_t n);
int64_t lc_utf8_upper(const uint8_t* s, int64_t n, uint8_t* dst);
int64_t lc_utf8_lower(const uint8_t* s, int64_t n, uint8_t* dst);
void lc_utf8_substring(const uint8_t* s, int64_t n, int64_t start, int64_t count,
                       int64_t* out_offset, int64_t* out_len);
void lc_utf8_trim(const uint8_t* s, int64_t n, const uint8_t* chars, int64_t nchars,
                  int32_t mode, int64_t* out_offset, int64_t* out_len);
/* 1 match, 0 no match, -1 pattern ending in its (ASCII) escape character */
int32_t lc_like(const uint8_t* s, int64_t n, const uint8_t* p, int64_t pn, int32_t escape);

int32_t lc_parse_i64(const uint8_t* s, int64_t n, int64_t* out);
int32_t lc_parse_f64(const uint8_t* s, int64_t n, double* out);
int32_t lc_parse_decimal(const uint8_t* s, int64_t n, int32_t scale, int64_t* out);
int32_t lc_parse_bool(const uint8_t* s, int64_t n, int32_t* out);
int32_t lc_parse_date(const uint8_t* s, int64_t n, int32_t* out);
int32_t lc_parse_timestamp(const uint8_t* s, int64_t n, int32_t micros, int64_t* out);
int64_t lc_format_i64(int64_t v, uint8_t* dst);
int64_t lc_format_f64(double v, uint8_t* dst);
int64_t lc_format_f32(float v, uint8_t* dst);
int64_t lc_format_decimal(int64_t v, int32_t scale, uint8_t* dst);
int64_t lc_format_date(int32_t days, uint8_t* dst);
int64_t lc_format_timestamp(int64_t v, int32_t micros, uint8_t* dst);

int64_t lc_extract(int64_t v, int32_t field, int32_t unit);
/* lc_date_trunc, lc_add_months: INT64_MIN when the result does not fit the unit */
int64_t lc_date_trunc(int64_t v, int32_t field, int32_t unit);
int64_t lc_add_months(int64_t v, int64_t months, int32_t unit);
double lc_round_f64(double v, int64_t digits);
double lc_i128_to_f64(int64_t hi, uint64_t lo);   /* exact sums to double, correctly rounded */

/* DATE_FORMAT: v (days, ms or us: unit 0, 1, 2) formatted by a program of (op, width) pairs
 * ('y' 'M' 'd' 'H' 'm' 's' 'S' fields; op 1: `width` literal bytes follow), written to dst
 * (room for compiler/codegen's bound); returns the length. */
int64_t lc_date_format(int64_t v, int32_t unit, const uint8_t* prog, int64_t plen, uint8_t* dst);
/* SPLIT_INDEX: field `index` (from 0) of s split at every sep; 0 when there is none. */
int32_t lc_split_index(const uint8_t* s, int64_t n, const uint8_t* sep, int64_t sepn,
                       int64_t index, int64_t* off, int64_t* len);
/* COUNT_CHAR: non-overlapping occurrences of c in s. */
int64_t lc_count_substring(const uint8_t* s, int64_t n, const uint8_t* c, int64_t cn);
/* REGEXP_EXTRACT (lc_regex.c): the span of capture `group` of the first match of a program
 * compiled by compiler/regex.py; 0 if no match or the group took no part. `first`: word
 * offset in prog of the bitmap of bytes a match may start with (-1: any). `scratch` holds
 * lc_regex_scratch_words(ninstr, nslots) int32 words, then lc_regex_backtrack_bytes. */
int32_t lc_regex_extract(const int32_t* prog, int64_t ninstr, int32_t nslots, int64_t first,
                         const uint8_t* s, int64_t n, int32_t group, int32_t* scratch,
                         int64_t* off, int64_t* len);
int64_t lc_regex_scratch_words(int64_t ninstr, int64_t nslots);
/* Extra scratch bytes that let short inputs use the faster backtracker (0: too long). */
int64_t lc_regex_backtrack_bytes(int64_t ninstr, int64_t n);

/* ---- file I/O (lc_io.c): io_uring with a pread/pwrite fallback ----
 * An lc_file is a descriptor plus, with the io_uring backend, its own ring. Every call is
 * synchronous: it splits requests into chunks of `chunk` bytes, keeps up to `depth` of them in
 * flight, resubmits short transfers and EINTR/EAGAIN, and returns only after every chunk it
 * submitted completed, so buffers are the caller's again on return. One lc_file is used by one
 * thread at a time; different files in different threads share nothing.
 *
 * Backend: LC_IO_AUTO takes io_uring when a ring can be set up (Linux >= 5.6, not blocked by
 * seccomp or kernel.io_uring_disabled, enough locked memory) and else pread/pwrite, recording
 * why in lc_file_uring_error. LC_IO_URING fails the open instead; LC_IO_PREAD never tries.
 *
 * For the write-ahead log and checkpoints: a write at offset -1 is an append at lc_file_end
 * (the size at open, moved past every write), and reports the offset it chose. lc_file_submit
 * takes a batch of reads and writes that go in flight together (group commit: many records, then
 * one fsync with LC_IO_SYNC / LC_IO_DATASYNC, issued after every write of the batch completed).
 * The file is never opened O_APPEND, which would make Linux ignore the offsets. If a write or an
 * fsync fails, the range's contents are unknown (the kernel may have dropped the dirty pages):
 * the log must treat it as fatal, not retry the fsync.
 *
 * Return values: 0 / bytes / an offset on success, a negative errno (-ENOENT, ...) on failure. */
#define LC_IO_AUTO 0
#define LC_IO_URING 1
#define LC_IO_PREAD 2

#define LC_IO_READ 1          /* open flags */
#define LC_IO_WRITE 2
#define LC_IO_CREATE 4
#define LC_IO_TRUNCATE 8

#define LC_IO_OP_READ 1       /* lc_io_req.op */
#define LC_IO_OP_WRITE 2

#define LC_IO_SYNC 1          /* lc_file_submit flags: fsync / fdatasync after the writes */
#define LC_IO_DATASYNC 2

typedef struct lc_file lc_file;

typedef struct lc_io_req {
    int32_t op;               /* LC_IO_OP_READ or LC_IO_OP_WRITE */
    int32_t pad;
    uint8_t* buf;             /* read into / written from; untouched by writes */
    int64_t len;
    int64_t offset;           /* a write at -1 appends: replaced by the offset chosen */
    int64_t result;           /* out: bytes (a read is short only at end of file), or -errno */
} lc_io_req;

int32_t lc_io_uring_probe(void);   /* 0 if io_uring works here, else the errno ruling it out */
int32_t lc_file_open(const char* path, int32_t flags, int32_t backend, int32_t depth,
                     int64_t chunk, lc_file** out);   /* depth, chunk <= 0: defaults (16, 1 MiB) */
int32_t lc_file_close(lc_file* f);                    /* always frees f */
int32_t lc_file_backend(const lc_file* f);            /* LC_IO_URING or LC_IO_PREAD */
int32_t lc_file_uring_error(const lc_file* f);        /* why auto chose pread (errno), or 0 */
int32_t lc_file_depth(const lc_file* f);
int64_t lc_file_chunk(const lc_file* f);
int64_t lc_file_size(lc_file* f);                     /* fstat size, or -errno */
int64_t lc_file_end(const lc_file* f);                /* where the next append goes */
int64_t lc_file_read(lc_file* f, uint8_t* buf, int64_t len, int64_t offset);   /* bytes read */
int32_t lc_file_regular(const lc_file* f);            /* 1 for a regular file */
/* Up to len bytes in order from the descriptor's position (read(2)), for pipes, FIFOs and
 * files whose size fstat does not give (/proc): 0 only at the end of the file, fewer than len
 * at the end or when a signal came (-EINTR if it came before any byte). lc_file_open also
 * returns -EINTR when a signal interrupts it (a FIFO's open waits for a writer). */
int64_t lc_file_read_stream(lc_file* f, uint8_t* buf, int64_t len);
int64_t lc_file_write(lc_file* f, const uint8_t* buf, int64_t len, int64_t offset); /* offset */
int64_t lc_file_submit(lc_file* f, lc_io_req* reqs, int64_t n, int32_t flags);
int32_t lc_file_sync(lc_file* f, int32_t datasync);
int32_t lc_file_truncate(lc_file* f, int64_t size);   /* also moves the append position */

/* cdef-end */

/* ---- shared by the runtime's C files (not part of the cdef) ---- */

/* Division rounding toward minus infinity, and its remainder (of b's sign). */
static inline int64_t lc_floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static inline int64_t lc_floor_mod(int64_t a, int64_t b) { return a - lc_floor_div(a, b) * b; }

/* The code point starting at s[0] (n > 0 bytes available) and its length in bytes, or 0 for a
 * byte that does not start a complete sequence (callers give it a marker of their own). */
static inline int lc_utf8_decode(const uint8_t* s, int64_t n, uint32_t* cp) {
    uint8_t c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int need = c >= 0xF8 ? -1 : c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;
    if (need < 0 || n <= need) return 0;
    uint32_t v = c & (0x3F >> need);
    for (int k = 1; k <= need; k++) {
        if ((s[k] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (s[k] & 0x3F);
    }
    *cp = v;
    return need + 1;
}

#endif
