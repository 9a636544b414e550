/* Regular expressions for REGEXP_EXTRACT: a Pike VM over programs compiled by
 * compiler/regex.py.
 *
 * The VM runs every thread of the program in lock step over the input's code points, so its
 * time is linear in the input (times the program's size) whatever the pattern: no input can
 * make it backtrack for ever. Threads are kept in priority order, which gives the
 * leftmost-first matches and captures of a backtracking engine (Java's, which Flink uses):
 * greedy quantifiers prefer the longer path, lazy ones the shorter, alternatives the left.
 *
 * Program: `n` instructions of three int32 words (op, x, y), then the character-class ranges
 * (pairs of code points) that CLASS instructions point into.
 *     CHAR c          match code point c
 *     ANY             match any code point but '\n'
 *     CLASS o k       match a code point in ranges[o .. o + k) (k < 0: not in the -k ranges)
 *     SPLIT a b       continue at a, and at b with lower priority
 *     JMP a
 *     SAVE k          record the position in capture slot k
 *     BOL / EOL       assert the start / end of the input
 *     MATCH
 * The scratch area holds two thread lists and their capture slots (lc_regex_scratch_words).
 */
#include "lc_runtime.h"

#include <string.h>

enum { OP_CHAR = 1, OP_ANY, OP_CLASS, OP_SPLIT, OP_JMP, OP_SAVE, OP_BOL, OP_EOL, OP_MATCH };

typedef struct {
    int32_t* pcs;      /* threads, in priority order */
    int32_t* caps;     /* nslots per thread */
    int32_t n;
} thread_list;

/* The code point at s[i] and its length. A byte that does not start a valid sequence is one
 * unit of its own, 0xDC00 + the byte (Python's surrogateescape), so it equals no character. */
static int32_t decode(const uint8_t* s, int64_t n, int64_t i, int* len) {
    uint8_t c = s[i];
    *len = 1;
    if (c < 0x80) return c;
    int need = c >= 0xF8 ? -1 : c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;
    if (need < 0 || i + need >= n) return 0xDC00 + c;
    int32_t cp = c & (0x3F >> need);
    for (int k = 1; k <= need; k++) {
        uint8_t d = s[i + k];
        if ((d & 0xC0) != 0x80) return 0xDC00 + c;
        cp = (cp << 6) | (d & 0x3F);
    }
    *len = need + 1;
    return cp;
}

int64_t lc_regex_scratch_words(int64_t ninstr, int64_t nslots) {
    /* two lists: pcs, caps; plus the "on list" marks and one capture vector being built */
    return 2 * (ninstr + ninstr * nslots) + ninstr + nslots + 8;
}

/* Add the thread (pc, caps) and everything its epsilon moves reach, in priority order. The
 * recursion depth is bounded by the program's length (each pc is added once per step). */
static void add(const int32_t* prog, thread_list* l, int32_t* on, int32_t gen, int32_t pc,
                int32_t* caps, int32_t nslots, int64_t pos, int64_t n) {
    if (on[pc] == gen) return;
    on[pc] = gen;
    const int32_t* ins = prog + 3 * pc;
    switch (ins[0]) {
    case OP_JMP:
        add(prog, l, on, gen, ins[1], caps, nslots, pos, n);
        return;
    case OP_SPLIT:
        add(prog, l, on, gen, ins[1], caps, nslots, pos, n);
        add(prog, l, on, gen, ins[2], caps, nslots, pos, n);
        return;
    case OP_SAVE: {
        int32_t old = caps[ins[1]];
        caps[ins[1]] = (int32_t)pos;
        add(prog, l, on, gen, pc + 1, caps, nslots, pos, n);
        caps[ins[1]] = old;
        return;
    }
    case OP_BOL:
        if (pos == 0) add(prog, l, on, gen, pc + 1, caps, nslots, pos, n);
        return;
    case OP_EOL:
        if (pos == n) add(prog, l, on, gen, pc + 1, caps, nslots, pos, n);
        return;
    default:
        l->pcs[l->n] = pc;
        memcpy(l->caps + (int64_t)l->n * nslots, caps, (size_t)nslots * sizeof(int32_t));
        l->n++;
    }
}

static int in_class(const int32_t* ranges, int32_t count, int32_t cp) {
    int negate = count < 0;
    if (negate) count = -count;
    int hit = 0;
    for (int32_t k = 0; k < count && !hit; k++) hit = cp >= ranges[2 * k] && cp <= ranges[2 * k + 1];
    return hit != negate;
}

int32_t lc_regex_extract(const int32_t* prog, int64_t ninstr, int32_t nslots, const uint8_t* s,
                         int64_t n, int32_t group, int32_t* scratch, int64_t* off, int64_t* len) {
    if (n > INT32_MAX / 4) return 0;   /* positions and step marks are 32-bit */
    const int32_t* ranges = prog + 3 * ninstr;
    thread_list lists[2];
    int32_t* w = scratch;
    for (int k = 0; k < 2; k++) {
        lists[k].pcs = w;
        w += ninstr;
        lists[k].caps = w;
        w += ninstr * nslots;
        lists[k].n = 0;
    }
    int32_t* on = w;
    w += ninstr;
    int32_t* caps = w;
    for (int64_t k = 0; k < ninstr; k++) on[k] = -1;
    int32_t matched = 0, best[nslots > 0 ? nslots : 1];
    thread_list* cur = &lists[0];
    thread_list* next = &lists[1];
    int32_t gen = 0, cur_gen = gen++;   /* `on` marks: pcs already on the list being built */
    for (int64_t pos = 0;;) {
        if (!matched) {   /* a new attempt starting here, below every older thread */
            for (int32_t k = 0; k < nslots; k++) caps[k] = -1;
            add(prog, cur, on, cur_gen, 0, caps, nslots, pos, n);
        }
        if (cur->n == 0) break;
        int clen = 1;
        int32_t cp = pos < n ? decode(s, n, pos, &clen) : -1;
        int32_t next_gen = gen++;
        next->n = 0;
        for (int32_t t = 0; t < cur->n; t++) {
            const int32_t* ins = prog + 3 * cur->pcs[t];
            int32_t* tc = cur->caps + (int64_t)t * nslots;
            int take = 0;
            if (ins[0] == OP_MATCH) {
                memcpy(best, tc, (size_t)nslots * sizeof(int32_t));
                matched = 1;
                break;    /* lower-priority threads can not win any more */
            }
            if (ins[0] == OP_CHAR) take = cp == ins[1];
            else if (ins[0] == OP_ANY) take = cp >= 0 && cp != '\n';
            else if (ins[0] == OP_CLASS) take = cp >= 0 && in_class(ranges + ins[1], ins[2], cp);
            if (take) add(prog, next, on, next_gen, cur->pcs[t] + 1, tc, nslots, pos + clen, n);
        }
        thread_list* tmp = cur;
        cur = next;
        next = tmp;
        cur_gen = next_gen;
        if (pos >= n) break;
        pos += clen;
    }
    if (!matched || group < 0 || 2 * group + 1 >= nslots) return 0;
    int32_t a = best[2 * group], b = best[2 * group + 1];
    if (a < 0 || b < a) return 0;   /* the group took no part in the match */
    *off = a;
    *len = b - a;
    return 1;
}
