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

/* ---- status codes returned to Python ---- */
#define LC_OK 0
#define LC_ERR_NOMEM 1
#define LC_ERR_STALL 2        /* a loop kept asking for the same thing: internal error */
#define LC_ERR_LIMIT 3        /* a single value exceeds a hard limit (e.g. 2 GiB string batch) */

/* ---- expression error codes (counted in lc_ctx.errors; the value becomes NULL) ---- */
#define LC_EXPR_DIV_ZERO 1
#define LC_EXPR_OVERFLOW 2
#define LC_EXPR_CAST 3

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
} lc_table;

/* ---- output batch under construction; buffers are handed to pyarrow without copying ---- */
typedef struct lc_outcol {
    uint8_t* values;          /* fixed-width values, bit-packed booleans, or string bytes */
    uint8_t* validity;        /* zeroed bitmap, or NULL for a column that is never NULL */
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
    int64_t errors;
    int64_t first_error;      /* LC_EXPR_* code of the first expression error */
    uint8_t* scratch;
    int64_t scratch_cap;
} lc_ctx;

struct lc_agg;
struct lc_pipe;
typedef int64_t (*lc_run_fn)(struct lc_pipe* p, const lc_col* cols, int64_t start, int64_t n);
typedef int64_t (*lc_emit_fn)(lc_ctx* ctx, lc_table* t, lc_out* out, int64_t start);

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
    int64_t pooled;
    int64_t initial_entries;
    int64_t* close_ids;       /* reusable buffer for the ids of windows being closed */
    int64_t close_cap;
    int64_t global_agg;       /* no GROUP BY: a final emission of no rows still has one row */
} lc_agg;

/* ---- a compiled pipeline: generated loop + its sink state ---- */
typedef struct lc_pipe {
    lc_run_fn run_dense;      /* variant for batches without NULLs in the columns it reads */
    lc_run_fn run_nulls;      /* general variant */
    int64_t wm;               /* watermark of the pipeline's input, event-time units */
    lc_agg* agg;              /* aggregate sink, or NULL */
    lc_out* out;              /* output sink of a stateless pipeline, or NULL */
    lc_ctx ctx;
} lc_pipe;

/* memory accounting (every runtime allocation goes through these) */
void* lc_malloc(int64_t bytes);
void* lc_calloc(int64_t bytes);
void* lc_realloc(void* p, int64_t old_bytes, int64_t bytes);
void lc_free(void* p);
int64_t lc_alloc_calls(void);
int64_t lc_bytes_live(void);

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
int64_t lc_agg_entries(lc_agg* a);
int64_t lc_agg_due(lc_agg* a, int64_t wm, int32_t changes);
int64_t lc_agg_close(lc_agg* a, int64_t wm, int32_t emit, lc_out* out, lc_ctx* ctx);
int64_t lc_agg_emit_changes(lc_agg* a, lc_out* out, lc_ctx* ctx);
int64_t lc_agg_emit_all(lc_agg* a, lc_out* out, lc_ctx* ctx);

/* output batches */
lc_out* lc_out_new(int64_t ncols, const int64_t* widths, const int32_t* nullable);
int lc_out_reserve(lc_out* o, int64_t rows);
int lc_out_reserve_data(lc_out* o, int64_t col, int64_t bytes);
void lc_out_free(lc_out* o);

/* pipelines */
lc_pipe* lc_pipe_new(void);
void lc_pipe_free(lc_pipe* p);
int64_t lc_pipe_run(lc_pipe* p, const lc_col* cols, int64_t n, int32_t nulls);
const char* lc_status_message(int64_t status);

/* ---- helpers called by generated code (pure: they never allocate) ---- */
uint64_t lc_hash_bytes(const uint8_t* s, int64_t n);
int32_t lc_str_cmp(const uint8_t* a, int64_t an, const uint8_t* b, int64_t bn);
int64_t lc_utf8_length(const uint8_t* s, int64_t n);
int64_t lc_utf8_upper(const uint8_t* s, int64_t n, uint8_t* dst);
int64_t lc_utf8_lower(const uint8_t* s, int64_t n, uint8_t* dst);
void lc_utf8_substring(const uint8_t* s, int64_t n, int64_t start, int64_t count,
                       int64_t* out_offset, int64_t* out_len);
void lc_utf8_trim(const uint8_t* s, int64_t n, const uint8_t* chars, int64_t nchars,
                  int32_t mode, int64_t* out_offset, int64_t* out_len);
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
int64_t lc_date_trunc(int64_t v, int32_t field, int32_t unit);
int64_t lc_add_months(int64_t v, int64_t months, int32_t unit);
double lc_round_f64(double v, int64_t digits);
double lc_i128_to_f64(int64_t hi, uint64_t lo);   /* exact sums to double, correctly rounded */

/* cdef-end */

#endif
