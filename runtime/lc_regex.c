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
 * While no thread is alive, the search skips bytes a match can not start with (a bitmap the
 * compiler derives from the program), which is most of the text for most patterns.
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
    uint32_t cp;
    *len = lc_utf8_decode(s + i, n - i, &cp);
    if (*len) return (int32_t)cp;
    *len = 1;
    return 0xDC00 + s[i];
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

/* ---- the bit-state backtracker (short inputs) ----
 * Depth-first in priority order, so the first MATCH it reaches is the leftmost-first match;
 * a bitmap of visited (instruction, position) pairs makes it linear: a pair that failed once
 * fails again (whatever the captures). Its memory grows with the input, so long inputs go to
 * the Pike VM. */
#define BT_STACK 4096
#define BT_MAX_BITS (1 << 18)

typedef struct {
    int32_t pc;        /* -1: restore capture slot `slot` to `pos` */
    int32_t slot;
    int32_t pos;
} bt_job;

int64_t lc_regex_backtrack_bytes(int64_t ninstr, int64_t n) {
    int64_t bits = ninstr * (n + 1);
    if (bits > BT_MAX_BITS) return 0;   /* too long: the Pike VM takes it */
    return (bits + 31) / 32 * 4 + BT_STACK * (int64_t)sizeof(bt_job);
}

/* 1 match (caps filled), 0 none, -1 out of stack (the caller falls back to the Pike VM). */
static int backtrack(const int32_t* prog, int64_t ninstr, int32_t nslots,
                     const uint32_t* starts, const uint8_t* s, int64_t n, int32_t* caps,
                     uint32_t* visited, bt_job* stack) {
    const int32_t* ranges = prog + 3 * ninstr;
    memset(visited, 0, (size_t)((ninstr * (n + 1) + 31) / 32 * 4));
    for (int64_t start = 0; start <= n; start++) {
        if (starts && start > 0) {
            while (start < n && s[start] < 0x80 &&
                   !(starts[s[start] >> 5] >> (s[start] & 31) & 1))
                start++;
        }
        for (int32_t k = 0; k < nslots; k++) caps[k] = -1;
        int32_t top = 0;
        stack[top++] = (bt_job){0, 0, (int32_t)start};
        while (top > 0) {
            bt_job job = stack[--top];
            if (job.pc < 0) {
                caps[job.slot] = job.pos;
                continue;
            }
            int32_t pc = job.pc;
            int64_t pos = job.pos;
            for (;;) {
                int64_t bit = (int64_t)pc * (n + 1) + pos;
                if (visited[bit >> 5] >> (bit & 31) & 1) break;
                visited[bit >> 5] |= 1u << (bit & 31);
                const int32_t* ins = prog + 3 * pc;
                int op = ins[0], clen = 1, ok = 0;
                int32_t cp = 0;
                if (op == OP_CHAR || op == OP_ANY || op == OP_CLASS) {
                    if (pos >= n) break;
                    cp = decode(s, n, pos, &clen);
                }
                switch (op) {
                case OP_CHAR: ok = cp == ins[1]; break;
                case OP_ANY: ok = cp != '\n'; break;
                case OP_CLASS: ok = in_class(ranges + ins[1], ins[2], cp); break;
                case OP_JMP: pc = ins[1]; continue;
                case OP_SPLIT:
                    if (top >= BT_STACK) return -1;
                    stack[top++] = (bt_job){ins[2], 0, (int32_t)pos};
                    pc = ins[1];
                    continue;
                case OP_SAVE:
                    if (top >= BT_STACK) return -1;
                    stack[top++] = (bt_job){-1, ins[1], caps[ins[1]]};
                    caps[ins[1]] = (int32_t)pos;
                    pc++;
                    continue;
                case OP_BOL: ok = pos == 0; clen = 0; break;
                case OP_EOL: ok = pos == n; clen = 0; break;
                case OP_MATCH: return 1;
                default: break;
                }
                if (!ok) break;
                pc++;
                pos += clen;
            }
        }
    }
    return 0;
}

int32_t lc_regex_extract(const int32_t* prog, int64_t ninstr, int32_t nslots, int64_t first,
                         const uint8_t* s, int64_t n, int32_t group, int32_t* scratch,
                         int64_t* off, int64_t* len) {
    const uint32_t* starts = first >= 0 ? (const uint32_t*)(prog + first) : NULL;
    if (group < 0 || 2 * group + 1 >= nslots) return 0;
    int64_t bt = lc_regex_backtrack_bytes(ninstr, n);
    if (bt) {   /* its memory follows the Pike VM's in the scratch area */
        int32_t* caps = scratch;
        uint8_t* rest = (uint8_t*)(scratch + lc_regex_scratch_words(ninstr, nslots));
        bt_job* stack = (bt_job*)rest;
        uint32_t* visited = (uint32_t*)(rest + BT_STACK * sizeof(bt_job));
        int found = backtrack(prog, ninstr, nslots, starts, s, n, caps, visited, stack);
        if (found >= 0) {
            if (!found) return 0;
            int32_t a = caps[2 * group], b = caps[2 * group + 1];
            if (a < 0 || b < a) return 0;
            *off = a;
            *len = b - a;
            return 1;
        }
    }
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
        if (!matched && cur->n == 0 && starts && pos > 0) {
            /* nothing under way: skip ASCII bytes no match can start with (a byte that is not
             * ASCII stops the skip: it may be inside a character) */
            while (pos < n && s[pos] < 0x80 && !(starts[s[pos] >> 5] >> (s[pos] & 31) & 1))
                pos++;
        }
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
    if (!matched) return 0;   /* (group was checked on entry) */
    int32_t a = best[2 * group], b = best[2 * group + 1];
    if (a < 0 || b < a) return 0;   /* the group took no part in the match */
    *off = a;
    *len = b - a;
    return 1;
}
