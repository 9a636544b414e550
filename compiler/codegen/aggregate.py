"""Aggregates in generated code: the entry layout of a group, the per-row update (the sink of
a pipeline), and the emitters the runtime calls when windows close or changes are due.

An entry (a group) holds, 8-byte aligned:
    u64 hash | stored key slots | aggregate states | flag bytes | u64 $seq
    [changelog: snapshot of the states and flags as last emitted | dirty byte | emitted byte]
States: COUNT i64 · SUM/AVG exact: i128 sum + i64 count · SUM/AVG float: f64 per lane + i64
count · MIN/MAX: value slot. A pre-aggregated aggregate (workers aggregate their own blocks of
rows and merge a window's partial states when it closes; see LC_LANES) keeps one float sum per
lane, added in lane order when emitted, and a float MIN/MAX as a key in IEEE total order
(-0.0 before 0.0, NaNs one NaN), so no result depends on which worker saw which row first. Flag bytes: one per nullable key (NULL), then one per MIN/MAX (has a
value), padded to 8; they follow the states so a snapshot copies both in one piece. An entry of
at most 64 bytes is padded to a power of two, so it never straddles a cache line (tables
align their entries to 64 bytes). The window bounds of a window aggregate are not stored: they
follow from the table's window id.

The DISTINCT aggregates over one argument keep, per table, a set of (group index, value)
entries (DistinctSet); a value updates an aggregate's state only the first time that aggregate
sees it in the group.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from functools import reduce

from llvmlite import ir

from ..plan import AggCall, AggFunc, Field, Filter, Project
from ..types import Kind, SqlType
from .abi import (
    F32,
    F64,
    I1,
    I8,
    I32,
    I64,
    I128,
    LC_AGG,
    LC_CTX,
    LC_TABLE,
    NEED_GROW,
    NEED_STRINGS,
    NEED_THAW,
    NEED_WINDOW,
    PTR,
)
from .exprs import ValuesEnv, compare_values, keep_if, lower, window_bounds
from .function import FnGen
from .output import OutputWriter
from .values import FALSE, SLOT_WIDTH, TRUE, Val, canonical_float, i64, llvm_type, truth

NULL_HASH = 0x5BD1E9955BD1E995
SEED = 0x243F6A8885A308D3
EMPTY_WINDOW = -(2**63)   # the runtime's LC_MIN_WINDOW: a window directory's empty slot
# How many entries ahead a merge asks for the entries it will fold (and an emission for the
# entries it will emit). 16 rather than 8: merges of ~64 K groups each into a table of 1 M
# ran 1.84x as fast as without the dst prefetches with 16, 1.77x with 8 (medians of 5).
MERGE_AHEAD = 16
# The row loop's look-ahead over a big table (see AggregateCodegen.prefetch_group): the slot
# of the row this far ahead, the entry of the row half as far. Tables with fewer slots than
# BIG_TABLE_SLOTS stay in cache, and the loop then skips the look-ahead.
ROW_AHEAD = 32
BIG_TABLE_SLOTS = 1 << 15


def _align(n: int) -> int:
    return (n + 7) // 8 * 8


@dataclass
class AggState:
    call: AggCall
    offset: int               # relative to the start of the states region
    arg_type: SqlType | None
    exact: bool               # SUM/AVG over integers or decimals (i128 accumulator)
    has_offset: int = -1      # MIN/MAX: its flag byte, relative to the states region
    lanes: int = 1            # float SUM/AVG: partial sums (f64 each)

    @property
    def count_offset(self) -> int:
        if self.call.func not in (AggFunc.SUM, AggFunc.AVG):
            return self.offset
        return self.offset + (16 if self.exact else 8 * self.lanes)


class EntryLayout:
    def __init__(self, sink):
        node = sink.node
        fields = node.input.fields
        self.sink = sink
        off = 8
        self.keys: dict[int, tuple[int, Field]] = {}
        for p in sink.stored_keys:
            f = fields[node.keys[p]]
            self.keys[p] = (off, f)
            off += _align(max(SLOT_WIDTH[f.type.kind], 1))
        self.states_begin = off
        self.states: list[AggState] = []
        rel = 0
        for a in node.aggs:
            arg_t = fields[a.arg].type if a.arg is not None else None
            exact = arg_t is not None and (arg_t.is_integer or arg_t.kind is Kind.DECIMAL)
            st = AggState(a, rel, arg_t, exact, lanes=1 if exact else sink.lanes)
            self.states.append(st)
            if a.func in (AggFunc.COUNT, AggFunc.COUNT_STAR):
                rel += 8
            elif a.func in (AggFunc.SUM, AggFunc.AVG):
                rel += 24 if exact else 8 * st.lanes + 8
            else:
                rel += _align(max(SLOT_WIDTH[arg_t.kind], 1))
        # flag bytes, after the states: nullable keys, then MIN/MAX
        flags = rel
        self.key_nulls: dict[int, int] = {}
        for p, (_, f) in self.keys.items():
            if f.nullable:
                self.key_nulls[p] = self.states_begin + flags
                flags += 1
        for st in self.states:
            if st.call.func in (AggFunc.MIN, AggFunc.MAX):
                st.has_offset = flags
                flags += 1
        rel = _align(flags)
        self.states_size = rel
        off += rel
        self.snapshot = self.dirty = self.emitted = None
        # The source position of the group's first row (changelog: first since the last
        # emission), emitted as `$seq` to merge workers' outputs in one worker's order.
        self.seq = off
        off += 8
        if sink.changelog:
            self.snapshot = off
            off += rel
            self.dirty = off
            self.emitted = off + 1
            off += 8
        self.size = _entry_size(off)
        self.sets = distinct_sets(self.states)
        self.set_sizes = [s.size for s in self.sets]


@dataclass(frozen=True)
class DistinctSet:
    """The set of (group index, value) pairs seen by the DISTINCT aggregates over one
    argument: entries of (hash u64, group index i64, value slot [, mask]). Aggregates that
    differ only in their FILTER (Nexmark q15/q16 count each of two columns' distinct values
    under four filters) share one set, as Flink shares their state: a row then probes once
    per argument, not once per aggregate, and the set holds each pair once. With several
    members an entry keeps a mask of the members that have seen its value; a member folds
    the value in the first time its bit is set."""
    members: tuple[int, ...]   # indices of the aggregates, at most MAX_SHARED
    arg_type: SqlType

    @property
    def mask_offset(self) -> int:
        return 16 + _align(max(SLOT_WIDTH[self.arg_type.kind], 1))

    @property
    def mask_type(self) -> ir.IntType:
        return ir.IntType(max(8, 1 << (len(self.members) - 1).bit_length()))

    @property
    def size(self) -> int:
        if len(self.members) == 1:
            return self.mask_offset
        return _align(self.mask_offset + self.mask_type.width // 8)


MAX_SHARED = 64


def distinct_sets(states: list[AggState]) -> list[DistinctSet]:
    """The DISTINCT aggregates grouped by argument, in order of their first member."""
    by_arg: dict[int, list[int]] = {}
    for i, st in enumerate(states):
        if st.call.distinct:
            by_arg.setdefault(st.call.arg, []).append(i)
    return [DistinctSet(tuple(m[at:at + MAX_SHARED]), states[m[0]].arg_type)
            for m in by_arg.values() for at in range(0, len(m), MAX_SHARED)]


def _entry_size(n: int) -> int:
    """Up to 64 bytes: the next power of two (an aligned entry then sits in one cache line)."""
    if n > 64:
        return _align(n)
    size = 16
    while size < n:
        size *= 2
    return size


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def _at(g: FnGen, base: ir.Value, offset: int) -> ir.Value:
    return g.b.gep(base, [i64(offset)], source_etype=I8)


def _prefetch_entry(g: FnGen, entry: ir.Value, size: int) -> None:
    """Ask for every cache line an entry of `size` bytes spans (a prefetch never faults)."""
    for at in sorted({*range(0, size, 64), size - 1}):
        g.prefetch(_at(g, entry, at))


def _prefetch_probe(g: FnGen, table: ir.Value, h_slot: ir.Value, h_entry: ir.Value,
                    size: int) -> None:
    """Ask for the slot of hash h_slot and for the entry of `size` bytes that the slot of
    h_entry names. (An empty slot names "entry -1", an address before the block: a prefetch
    never faults. A collision's entry is not asked for.)"""
    b = g.b
    slots, mask = LC_TABLE.load(b, table, "slots"), LC_TABLE.load(b, table, "mask")
    g.prefetch(b.gep(slots, [b.and_(h_slot, mask)], source_etype=I32))
    named = b.zext(b.load(b.gep(slots, [b.and_(h_entry, mask)], source_etype=I32), typ=I32),
                   I64)
    _prefetch_entry(g, b.gep(LC_TABLE.load(b, table, "entries"),
                             [b.mul(b.sub(named, i64(1)), i64(size))], source_etype=I8), size)


def key_value(g: FnGen, v: Val, t: SqlType) -> Val:
    if t.is_float:
        return Val(canonical_float(g.b, v.v), v.null, v.len)
    return v


def _hash_one(g: FnGen, v: Val, t: SqlType) -> ir.Value:
    b = g.b
    k = t.kind
    if k is Kind.VARCHAR:
        h = g.call("lc_hash_bytes", [v.v, v.len])
    elif t.is_float:
        bits = b.bitcast(v.v, ir.IntType(32 if k is Kind.REAL else 64))
        h = b.zext(bits, I64) if k is Kind.REAL else bits
    elif k is Kind.BOOLEAN:
        h = b.zext(v.v, I64)
    else:
        h = b.sext(v.v, I64) if v.v.type.width < 64 else v.v
    if v.maybe_null:
        h = b.select(v.null, i64(NULL_HASH), h)
    return h


def _mix(g: FnGen, h: ir.Value, x: ir.Value) -> ir.Value:
    """One multiply per key: (h ^ x) * golden ratio. The multiply carries every input bit
    upwards; _finish folds the high half down for the low bits tables index by."""
    b = g.b
    return b.mul(b.xor(h, x), i64(0x9E3779B97F4A7C15))


def _finish(g: FnGen, h: ir.Value) -> ir.Value:
    b = g.b
    return b.xor(h, b.lshr(h, i64(32)))


def hash_keys(g: FnGen, keys: list[tuple[Val, SqlType]]) -> ir.Value:
    if not keys:
        return i64(SEED)
    h = i64(SEED)
    for v, t in keys:
        h = _mix(g, h, _hash_one(g, v, t))
    return _finish(g, h)


def load_slot(g: FnGen, ptr: ir.Value, t: SqlType) -> Val:
    b = g.b
    if t.kind is Kind.VARCHAR:
        return Val(b.load(ptr, typ=PTR), FALSE, b.load(_at(g, ptr, 8), typ=I64))
    if t.kind is Kind.BOOLEAN:
        return Val(b.trunc(b.load(ptr, typ=I8), I1))
    return Val(b.load(ptr, typ=llvm_type(t)))


def store_slot(g: FnGen, ptr: ir.Value, v: Val, t: SqlType, arena: ir.Value | None) -> None:
    """Store a value; strings are copied into `arena` (room was checked) when given."""
    b = g.b
    if t.kind is Kind.VARCHAR:
        # A NULL's bytes are not kept (Arrow lets a NULL slot have a length; room was
        # counted without it).
        n = _len_if(g, v) if v.maybe_null else v.len
        data = v.v
        if arena is not None:
            cur_p = LC_TABLE.gep(b, arena, "strings.cur")
            cur = b.load(cur_p, typ=PTR)
            g.memcpy(cur, v.v, n)
            b.store(b.gep(cur, [n], source_etype=I8), cur_p)
            data = cur
        b.store(data, ptr)
        b.store(n, _at(g, ptr, 8))
    elif t.kind is Kind.BOOLEAN:
        b.store(b.zext(v.v, I8), ptr)
    else:
        b.store(v.v, ptr)


def values_equal(g: FnGen, a: Val, c: Val, t: SqlType) -> ir.Value:
    """NULL-aware equality (NULL equals NULL), bitwise for canonical floats."""
    b = g.b
    if t.kind is Kind.VARCHAR:
        same_len = b.icmp_signed("==", a.len, c.len)
        eq = b.and_(same_len, b.icmp_signed("==", g.call("lc_str_cmp", [a.v, a.len, c.v, c.len]),
                                             ir.Constant(I32, 0)))
    elif t.is_float:
        eq = compare_values(g, "==", t, a, c)
    else:
        eq = b.icmp_signed("==", a.v, c.v)
    if not (a.maybe_null or c.maybe_null):
        return eq
    both_null = b.and_(a.null, c.null)
    same_null = b.icmp_unsigned("==", a.null, c.null)
    return b.or_(both_null, b.and_(same_null, b.and_(b.not_(a.null), eq)))


def _strings_room(g: FnGen, table: ir.Value) -> ir.Value:
    b = g.b
    cur = b.ptrtoint(LC_TABLE.load(b, table, "strings.cur"), I64)
    end = b.ptrtoint(LC_TABLE.load(b, table, "strings.end"), I64)
    return b.sub(end, cur)


def _len_if(g: FnGen, v: Val) -> ir.Value:
    return g.b.select(v.null, i64(0), v.len) if v.maybe_null else v.len


# ---------------------------------------------------------------------------------------------
# probing
# ---------------------------------------------------------------------------------------------
def find_or_insert(g: FnGen, table: ir.Value, h: ir.Value, size: int,
                   keys: list[tuple[int, Val, SqlType, bool]],
                   on_insert: list[tuple[int, ir.Value]] = (), grow_exit: bool = False
                   ) -> tuple[ir.Value, ir.Value, ir.Value]:
    """(entry pointer, entry index, inserted?) of the entry with hash h and these keys,
    inserting it when absent. keys: (offset, value, type, offset of the key's NULL byte or
    None); on_insert: (offset, i64) stored in a new entry. Room for the entry was checked by
    the caller, or with grow_exit here, where an absent key exits for it (NEED_GROW) before
    anything changes: found keys, nearly every row, then never look at the table's fill."""
    b = g.b
    entries = LC_TABLE.load(b, table, "entries")
    slots = LC_TABLE.load(b, table, "slots")
    mask = LC_TABLE.load(b, table, "mask")
    start = b.block
    probe = g.fn.append_basic_block("probe")
    check = g.fn.append_basic_block("probe.check")
    nxt = g.fn.append_basic_block("probe.next")
    insert = g.fn.append_basic_block("probe.insert")
    found = g.fn.append_basic_block("probe.found")
    s0 = b.and_(h, mask)
    b.branch(probe)

    b.position_at_end(probe)
    s = b.phi(I64, name="slot")
    s.add_incoming(s0, start)
    slot_ptr = b.gep(slots, [s], source_etype=I32)
    e1 = b.load(slot_ptr, typ=I32)
    b.cbranch(b.icmp_unsigned("==", e1, ir.Constant(I32, 0)), insert, check)

    b.position_at_end(check)
    idx_existing = b.sub(b.zext(e1, I64), i64(1))
    entry_existing = b.gep(entries, [b.mul(idx_existing, i64(size))], source_etype=I8)
    # The stored hash is a quick way out before comparing strings; fixed-width keys compare
    # in a few instructions, and equal keys have equal hashes, so theirs is not looked at.
    eq = TRUE
    if any(t.kind is Kind.VARCHAR for _, _, t, _ in keys):
        eq = b.icmp_unsigned("==", b.load(entry_existing, typ=I64), h)
    for off, v, t, null_off in keys:
        stored = load_slot(g, _at(g, entry_existing, off), t)
        if null_off is not None:
            stored.null = b.trunc(b.load(_at(g, entry_existing, null_off), typ=I8), I1)
        eq = b.and_(eq, values_equal(g, stored, v, t))
    check_end = b.block
    b.cbranch(eq, found, nxt)

    b.position_at_end(nxt)
    s_next = b.and_(b.add(s, i64(1)), mask)
    s.add_incoming(s_next, nxt)
    b.branch(probe)

    b.position_at_end(insert)
    idx_new = LC_TABLE.load(b, table, "count")
    if grow_exit:
        g.exit_unless(b.icmp_signed("<", idx_new, LC_TABLE.load(b, table, "limit")), NEED_GROW,
                      table)
    entry_new = b.gep(entries, [b.mul(idx_new, i64(size))], source_etype=I8)
    g.memset(entry_new, 0, i64(size))
    b.store(h, entry_new)
    for off, v, t, null_off in keys:
        store_slot(g, _at(g, entry_new, off), v, t, table)
        if null_off is not None:
            b.store(b.zext(v.null, I8), _at(g, entry_new, null_off))
    for off, v in on_insert:
        b.store(v, _at(g, entry_new, off))
    b.store(b.trunc(b.add(idx_new, i64(1)), I32), slot_ptr)
    LC_TABLE.store(b, b.add(idx_new, i64(1)), table, "count")
    insert_end = b.block
    b.branch(found)

    b.position_at_end(found)
    entry = b.phi(PTR, name="entry")
    entry.add_incoming(entry_existing, check_end)
    entry.add_incoming(entry_new, insert_end)
    idx = b.phi(I64, name="entry_index")
    idx.add_incoming(idx_existing, check_end)
    idx.add_incoming(idx_new, insert_end)
    inserted = b.phi(I1, name="inserted")
    inserted.add_incoming(FALSE, check_end)
    inserted.add_incoming(TRUE, insert_end)
    return entry, idx, inserted


def window_slot(g: FnGen, k: ir.Value) -> ir.Value:
    """Must match window_slot_hash in lc_runtime.c."""
    b = g.b
    h = b.mul(k, i64(0x9E3779B97F4A7C15))
    return b.xor(h, b.lshr(h, i64(32)))


# ---------------------------------------------------------------------------------------------
# the aggregate sink of a pipeline
# ---------------------------------------------------------------------------------------------
class AggregateCodegen:
    def __init__(self, module: ir.Module, sink):
        self.module = module
        self.sink = sink
        self.node = sink.node
        self.layout = EntryLayout(sink)
        self.fields = self.node.input.fields
        # pre-aggregated: byte offset of the lane being run within a float sum (the pipeline
        # loads it from lc_pipe.lane)
        self.lane_off: ir.Value | None = None
        # The row loop's look-ahead (PipelineCodegen.look_ahead): variables of the loop naming
        # the table the last window looked up (or the one table) and whether it is big, set
        # where a table is looked up, not per row. Rows mostly go where the last went.
        self.ahead: tuple[ir.Value, ir.Value] | None = None

    # -- window tables --------------------------------------------------------------------
    def window_table(self, g: FnGen, agg: ir.Value, k: ir.Value) -> ir.Value:
        """The table of window k, through a small direct-mapped cache of this call: one
        entry for TUMBLE (scalars, which stay in registers), 16 for HOP."""
        b = g.b
        slots = 1 if self.sink.window.function == "TUMBLE" or self.sink.slice else 16
        if not hasattr(g, "_wcache"):
            if slots == 1:
                ids = g.alloca(I64, "wcache_id", i64(EMPTY_WINDOW))
                tabs = g.alloca(PTR, "wcache_tab", ir.Constant(PTR, None))
            else:
                ids = g.alloca(I64, "wcache_ids", count=slots)
                tabs = g.alloca(PTR, "wcache_tabs", count=slots)

                def init(bb: ir.IRBuilder) -> None:
                    for j in range(slots):
                        bb.store(i64(EMPTY_WINDOW), bb.gep(ids, [i64(j)], source_etype=I64))

                g.in_entry(init)
            g._wcache = (ids, tabs)
        ids, tabs = g._wcache
        if slots == 1:
            id_p, tab_p = ids, tabs
        else:
            slot = b.and_(k, i64(slots - 1))
            id_p = b.gep(ids, [slot], source_etype=I64)
            tab_p = b.gep(tabs, [slot], source_etype=PTR)
        hit = b.icmp_signed("==", b.load(id_p, typ=I64), k)
        start = b.block
        miss = g.fn.append_basic_block("wdir.miss")
        probe = g.fn.append_basic_block("wdir.probe")
        step = g.fn.append_basic_block("wdir.step")
        absent = g.fn.append_basic_block("wdir.absent")
        got = g.fn.append_basic_block("wdir.found")
        done = g.fn.append_basic_block("wdir.done")
        cached = b.load(tab_p, typ=PTR)
        b.cbranch(hit, done, miss)

        b.position_at_end(miss)
        dir_ids = LC_AGG.load(b, agg, "win_ids")
        dir_tabs = LC_AGG.load(b, agg, "win_tables")
        mask = LC_AGG.load(b, agg, "win_mask")
        s0 = b.and_(window_slot(g, k), mask)
        b.branch(probe)
        b.position_at_end(probe)
        s = b.phi(I64)
        s.add_incoming(s0, miss)
        cur = b.load(b.gep(dir_ids, [s], source_etype=I64), typ=I64)
        is_k = b.icmp_signed("==", cur, k)
        is_empty = b.icmp_signed("==", cur, i64(EMPTY_WINDOW))
        b.cbranch(is_k, got, step)
        b.position_at_end(step)
        s.add_incoming(b.and_(b.add(s, i64(1)), mask), step)
        b.cbranch(is_empty, absent, probe)
        b.position_at_end(absent)
        g.exit(NEED_WINDOW, agg, k)
        b.position_at_end(got)
        found = b.load(b.gep(dir_tabs, [s], source_etype=PTR), typ=PTR)
        if self.sink.slice:
            # A slice that a cached block of the runtime holds is thawed before it changes
            # (the block is dropped). Blocks are built only between calls, and this cache
            # starts empty at each call, so every slice a call changes passes here first.
            frozen = b.icmp_signed("!=", LC_TABLE.load(b, found, "frozen"), i64(0))
            thaw = g.fn.append_basic_block("wdir.thaw")
            thawed = g.fn.append_basic_block("wdir.thawed")
            b.cbranch(frozen, thaw, thawed)
            b.position_at_end(thaw)
            g.exit(NEED_THAW, agg, k)
            b.position_at_end(thawed)
        b.store(k, id_p)
        b.store(found, tab_p)
        if self.ahead is not None:
            self.note_table(b, found)
        b.branch(done)
        found_in = b.block
        b.position_at_end(done)
        t = b.phi(PTR)
        t.add_incoming(cached, start)
        t.add_incoming(found, found_in)
        return t

    # -- looking ahead --------------------------------------------------------------------
    def hash_key_columns(self) -> list[int]:
        """The aggregate input's columns whose values a group's hash is made of, in order."""
        return [self.node.keys[p] for p in self.layout.keys]

    def hash_of(self, g: FnGen, vals: list[Val]) -> ir.Value:
        """The group hash of key values (hash_key_columns' order), as consume computes it."""
        return hash_keys(g, [(key_value(g, v, f.type), f.type) for v, (_, f) in zip(
            vals, self.layout.keys.values(), strict=True)])

    def distinct_arg_columns(self) -> list[int]:
        """The aggregate input's column each distinct set holds values of (layout.sets'
        order)."""
        return [self.node.aggs[ds.members[0]].arg for ds in self.layout.sets]

    def set_hash(self, g: FnGen, h_group: ir.Value, ds: DistinctSet, v: Val) -> ir.Value:
        """A distinct set's hash of (group, value): made of the group's hash rather than its
        index, so that the look-ahead can compute it for rows whose group it has not found."""
        kv = key_value(g, Val(v.v, FALSE, v.len), ds.arg_type)
        return _finish(g, _mix(g, _mix(g, i64(SEED), h_group), _hash_one(g, kv, ds.arg_type)))

    def note_table(self, b: ir.IRBuilder, table: ir.Value) -> None:
        """Set the look-ahead's variables to this table: it looks ahead when the table or one
        of its distinct sets is big."""
        table_var, big_var = self.ahead
        b.store(table, table_var)
        big = b.icmp_unsigned(">=", LC_TABLE.load(b, table, "mask"), i64(BIG_TABLE_SLOTS - 1))
        if self.layout.sets:
            sets = LC_TABLE.load(b, table, "sets")
            for d in range(len(self.layout.sets)):
                st = b.load(b.gep(sets, [i64(d)], source_etype=PTR), typ=PTR)
                big = b.or_(big, b.icmp_unsigned(">=", LC_TABLE.load(b, st, "mask"),
                                                 i64(BIG_TABLE_SLOTS - 1)))
        b.store(big, big_var)

    def prefetch_group(self, g: FnGen, table: ir.Value, h_slot: ir.Value,
                       h_entry: ir.Value) -> None:
        """Ask for the group of hash h_slot's slot and for the entry h_entry's slot names (a
        group further ahead, and one nearer whose slot was asked for before: the row loop's
        and the merge's look-ahead). In a table of a million groups each is a miss that the
        lookup would otherwise wait for."""
        _prefetch_probe(g, table, h_slot, h_entry, self.layout.size)

    def prefetch_sets(self, g: FnGen, table: ir.Value,
                      hashes: list[tuple[ir.Value, ir.Value] | None]) -> None:
        """prefetch_group for the distinct sets' (group, value) entries, per set (None: that
        set's value is not computed ahead)."""
        b = g.b
        sets = LC_TABLE.load(b, table, "sets")
        for d, (ds, hs) in enumerate(zip(self.layout.sets, hashes, strict=True)):
            if hs is not None:
                st = b.load(b.gep(sets, [i64(d)], source_etype=PTR), typ=PTR)
                _prefetch_probe(g, st, *hs, ds.size)

    # -- per-row update -----------------------------------------------------------------------
    def consume(self, g: FnGen, agg: ir.Value, vals: list[Val], k: ir.Value | None,
                cont: ir.Block, row_seq: ir.Value | None = None) -> None:
        b = g.b
        lay = self.layout
        node = self.node
        if self.sink.window is not None:
            table = self.window_table(g, agg, k)
        else:
            table = g.in_entry(lambda bb: LC_AGG.load(bb, agg, "table"))
            if self.ahead is not None:
                g.in_entry(lambda bb: self.note_table(bb, table))
        keys = []
        for p, (off, f) in lay.keys.items():
            keys.append((off, key_value(g, vals[node.keys[p]], f.type), f.type,
                         lay.key_nulls.get(p)))
        args = [vals[a.arg] if a.arg is not None else None for a in node.aggs]
        filters = [vals[a.filter] if a.filter is not None else None for a in node.aggs]

        # prepare: everything that may need room, before anything changes (room for a new
        # group is checked where one is inserted, before it changes anything)
        need = i64(0)
        strings = False
        for _, v, t, _ in keys:
            if t.kind is Kind.VARCHAR:
                need = b.add(need, _len_if(g, v))
                strings = True
        for a, v in zip(node.aggs, args, strict=True):
            if a.func in (AggFunc.MIN, AggFunc.MAX) and v is not None and \
                    self.fields[a.arg].type.kind is Kind.VARCHAR:
                need = b.add(need, _len_if(g, v))
                strings = True
        if strings:
            g.exit_unless(b.icmp_signed("<=", need, _strings_room(g, table)), NEED_STRINGS,
                          table, need)
        sets = []
        if lay.sets:
            sets_arr = LC_TABLE.load(b, table, "sets")
            for d, ds in enumerate(lay.sets):
                st = b.load(b.gep(sets_arr, [i64(d)], source_etype=PTR), typ=PTR)
                sets.append(st)
                g.exit_unless(b.icmp_signed("<", LC_TABLE.load(b, st, "count"),
                                            LC_TABLE.load(b, st, "limit")), NEED_GROW, st)
                if ds.arg_type.kind is Kind.VARCHAR:
                    n = _len_if(g, args[ds.members[0]])
                    g.exit_unless(b.icmp_signed("<=", n, _strings_room(g, st)), NEED_STRINGS, st, n)

        # commit
        h = hash_keys(g, [(v, t) for _, v, t, _ in keys])
        extra = [] if lay.dirty is not None else [(lay.seq, row_seq)]
        entry, idx, _ = find_or_insert(g, table, h, lay.size, keys,
                                       extra + self._initial_keys(every_row=True),
                                       grow_exit=True)
        states = _at(g, entry, lay.states_begin)
        actives = [TRUE if f is None else truth(b, f) for f in filters]
        for st, v, active in zip(lay.states, args, actives, strict=True):
            if not st.call.distinct:
                self._update(g, table, st, states, v, active)
        for ds, st_set in zip(lay.sets, sets, strict=True):
            self._distinct_update(g, table, ds, st_set, h, idx, states, args[ds.members[0]],
                                  [actives[j] for j in ds.members])
        if lay.dirty is not None:
            flag = _at(g, entry, lay.dirty)
            with b.if_then(b.icmp_unsigned("==", b.load(flag, typ=I8), ir.Constant(I8, 0))):
                b.store(ir.Constant(I8, 1), flag)
                b.store(row_seq, _at(g, entry, lay.seq))
                nd = LC_TABLE.load(b, table, "ndirty")
                dirty = LC_TABLE.load(b, table, "dirty")
                b.store(b.trunc(idx, I32), b.gep(dirty, [nd], source_etype=I32))
                LC_TABLE.store(b, b.add(nd, i64(1)), table, "ndirty")
        b.branch(cont)

    def _update(self, g: FnGen, table: ir.Value, st: AggState, states: ir.Value, v: Val | None,
                active: ir.Value) -> None:
        """Fold one value into a state. Straight-line where it can be (selects, not branches)."""
        b = g.b
        func = st.call.func
        if v is not None and v.maybe_null:
            active = b.and_(active, b.not_(v.null)) if active is not TRUE else b.not_(v.null)
        inc = i64(1) if active is TRUE else b.zext(active, I64)
        if func in (AggFunc.COUNT_STAR, AggFunc.COUNT):
            p = _at(g, states, st.offset)
            b.store(b.add(b.load(p, typ=I64), inc), p)
            return
        if func in (AggFunc.SUM, AggFunc.AVG):
            p = _at(g, states, st.offset)
            c = _at(g, states, st.count_offset)
            if st.exact:
                x = b.sext(v.v, I128)
                if active is not TRUE:
                    x = b.select(active, x, ir.Constant(I128, 0))
                b.store(b.add(b.load(p, typ=I128, align=8), x), p, align=8)
            else:
                x = b.fpext(v.v, F64) if v.v.type == F32 else v.v
                if self.lane_off is not None:
                    p = b.gep(p, [self.lane_off], source_etype=I8)
                acc = b.load(p, typ=F64)
                new = b.fadd(acc, x)
                b.store(new if active is TRUE else b.select(active, new, acc), p)
            b.store(b.add(b.load(c, typ=I64), inc), c)
            return
        # MIN / MAX
        t = st.arg_type
        p = _at(g, states, st.offset)
        has_p = _at(g, states, st.has_offset)
        if self._keyed_float(st):
            # The key starts at MIN's or MAX's identity (_initial_keys): no test of `has`.
            k = self._float_key(g, v.v)
            cur_k = b.load(p, typ=k.type)
            new = self._extreme(g, func, cur_k, k)
            b.store(new if active is TRUE else b.select(active, new, cur_k), p)
            if not self._has_from_insert(st):
                has = b.trunc(b.load(has_p, typ=I8), I1)
                b.store(b.zext(b.or_(has, active), I8), has_p)
            return
        has = b.trunc(b.load(has_p, typ=I8), I1)
        self._fold_extreme(g, table, func, t, p, has_p, has, v, active)

    @staticmethod
    def _fold_extreme(g: FnGen, table: ir.Value, func: AggFunc, t: SqlType, p: ir.Value,
                      has_p: ir.Value, has: ir.Value, v: Val, active: ir.Value) -> None:
        """MIN/MAX: v replaces the slot's value (and sets `has`) when active and better, or
        when the slot has none. A string is copied into the table's arena (room was checked)."""
        b = g.b
        cur = load_slot(g, p, t)
        better = compare_values(g, "<" if func is AggFunc.MIN else ">", t, v, cur)
        take = b.and_(active, b.or_(b.not_(has), better))
        if t.kind is Kind.VARCHAR:
            with b.if_then(take):
                store_slot(g, p, v, t, table)
                b.store(ir.Constant(I8, 1), has_p)
            return
        store_slot(g, p, Val(b.select(take, v.v, cur.v)), t, None)
        b.store(b.zext(b.or_(has, take), I8), has_p)

    def _keyed_float(self, st: AggState) -> bool:
        """A pre-aggregated float MIN/MAX keeps its value as a key in IEEE total order (NaNs
        made one NaN, the greatest, as in DuckDB): an integer comparison that also orders
        -0.0 before 0.0, so no result depends on which of two equal values came first."""
        return self.sink.preaggregated and st.arg_type.is_float

    def _has_from_insert(self, st: AggState) -> bool:
        """Every row of the group counts (a NOT NULL argument, no FILTER): the entry has a
        value from its first row on, set when it is inserted."""
        return st.call.filter is None and not self.fields[st.call.arg].nullable

    def _initial_keys(self, every_row: bool) -> list[tuple[int, ir.Value]]:
        """Stores in a new entry: each keyed float MIN/MAX starts at its identity (the
        largest key for MIN, the smallest for MAX); with `every_row` (the row loop), its
        `has` byte too where _has_from_insert."""
        out = []
        for st in self.layout.states:
            if not (st.call.func in (AggFunc.MIN, AggFunc.MAX) and self._keyed_float(st)):
                continue
            width = 32 if st.arg_type.kind is Kind.REAL else 64
            ident = 2 ** (width - 1) - 1 if st.call.func is AggFunc.MIN else -(2 ** (width - 1))
            out.append((self.layout.states_begin + st.offset, ir.Constant(ir.IntType(width),
                                                                          ident)))
            if every_row and self._has_from_insert(st):
                out.append((self.layout.states_begin + st.has_offset, ir.Constant(I8, 1)))
        return out

    @staticmethod
    def _extreme(g: FnGen, func: AggFunc, a: ir.Value, c: ir.Value) -> ir.Value:
        name = "smin" if func is AggFunc.MIN else "smax"
        return g.intrinsic(f"llvm.{name}.i{a.type.width}", a.type, [a, c])

    @staticmethod
    def _float_key(g: FnGen, v: ir.Value) -> ir.Value:
        b = g.b
        it = ir.IntType(32 if v.type == F32 else 64)
        nan = b.bitcast(ir.Constant(v.type, float("nan")), it)
        bits = b.select(b.fcmp_unordered("uno", v, v), nan, b.bitcast(v, it))
        return b.xor(bits, b.lshr(b.ashr(bits, ir.Constant(it, it.width - 1)),
                                  ir.Constant(it, 1)))

    @staticmethod
    def _key_float(g: FnGen, k: ir.Value, ft: ir.Type) -> ir.Value:
        """The inverse of _float_key."""
        b = g.b
        it = k.type
        bits = b.xor(k, b.lshr(b.ashr(k, ir.Constant(it, it.width - 1)), ir.Constant(it, 1)))
        return b.bitcast(bits, ft)

    def _distinct_update(self, g: FnGen, table: ir.Value, ds: DistinctSet, st_set: ir.Value,
                         h_group: ir.Value, idx: ir.Value, states: ir.Value, v: Val,
                         actives: list[ir.Value]) -> None:
        """Fold v into each member whose filter passes, the first time that member sees v in
        this group: one probe of the shared set for all of them (see DistinctSet)."""
        b = g.b
        if v.maybe_null:
            actives = [b.not_(v.null) if a is TRUE else b.and_(a, b.not_(v.null))
                       for a in actives]
        t = ds.arg_type
        any_active = TRUE if any(a is TRUE for a in actives) else reduce(b.or_, actives)
        with b.if_then(any_active) if any_active is not TRUE else nullcontext():
            kv = key_value(g, Val(v.v, FALSE, v.len), t)
            h = self.set_hash(g, h_group, ds, v)
            keys = [(8, Val(idx), SqlType(Kind.BIGINT), None), (16, kv, t, None)]
            if len(ds.members) == 1:
                _, _, inserted = find_or_insert(g, st_set, h, ds.size, keys)
                with b.if_then(inserted):
                    self._update(g, table, self.layout.states[ds.members[0]], states, kv, TRUE)
                return
            mt = ds.mask_type
            bits = ir.Constant(mt, 0)
            for k, a in enumerate(actives):
                bits = b.or_(bits, ir.Constant(mt, 1 << k) if a is TRUE else
                             b.shl(b.zext(a, mt), ir.Constant(mt, k)))
            entry, _, _ = find_or_insert(g, st_set, h, ds.size, keys)   # a new mask is 0
            mask_p = _at(g, entry, ds.mask_offset)
            seen = b.load(mask_p, typ=mt)
            new = b.and_(bits, b.not_(seen))
            b.store(b.or_(seen, bits), mask_p)
            for k, j in enumerate(ds.members):
                first = b.trunc(b.lshr(new, ir.Constant(mt, k)), I1)
                self._update(g, table, self.layout.states[j], states, kv, first)

    # -- finalizing and emitting ------------------------------------------------------------
    def finalize(self, g: FnGen, states: ir.Value, count_errors: bool) -> list[Val]:
        """Aggregate results from a states region."""
        b = g.b
        out = []
        for st in self.layout.states:
            func = st.call.func
            result_t = st.call.type
            if func in (AggFunc.COUNT, AggFunc.COUNT_STAR):
                out.append(Val(b.load(_at(g, states, st.offset), typ=I64)))
                continue
            if func in (AggFunc.SUM, AggFunc.AVG):
                n = b.load(_at(g, states, st.count_offset), typ=I64)
                empty = b.icmp_signed("==", n, i64(0))
                p = _at(g, states, st.offset)
                if func is AggFunc.AVG:
                    if st.exact:
                        acc = b.load(p, typ=I128, align=8)
                        hi = b.trunc(b.ashr(acc, ir.Constant(I128, 64)), I64)
                        s = g.call("lc_i128_to_f64", [hi, b.trunc(acc, I64)])
                        if st.arg_type.kind is Kind.DECIMAL and st.arg_type.scale:
                            s = b.fdiv(s, ir.Constant(F64, float(10**st.arg_type.scale)))
                    else:
                        s = self._float_sum(g, st, p)
                    safe_n = b.select(empty, i64(1), n)
                    out.append(Val(b.fdiv(s, b.sitofp(safe_n, F64)), empty))
                    continue
                if not st.exact:
                    out.append(Val(self._float_sum(g, st, p), empty))
                    continue
                acc = b.load(p, typ=I128, align=8)
                if result_t.kind is Kind.DECIMAL:
                    limit = 10**result_t.precision
                    fits = b.and_(b.icmp_signed("<", acc, ir.Constant(I128, limit)),
                                  b.icmp_signed(">", acc, ir.Constant(I128, -limit)))
                else:
                    fits = b.icmp_signed("==", b.sext(b.trunc(acc, I64), I128), acc)
                bad = b.and_(b.not_(fits), b.not_(empty))
                if count_errors:
                    g.count_error(bad)
                out.append(Val(b.trunc(acc, I64), b.or_(empty, bad)))
                continue
            t = st.arg_type
            if self._keyed_float(st):
                ft = llvm_type(t)
                k = b.load(_at(g, states, st.offset), typ=ir.IntType(32 if ft == F32 else 64))
                v = Val(self._key_float(g, k, ft))
            else:
                v = load_slot(g, _at(g, states, st.offset), t)
            has = b.trunc(b.load(_at(g, states, st.has_offset), typ=I8), I1)
            v.null = b.not_(has)
            out.append(v)
        return out

    @staticmethod
    def _float_sum(g: FnGen, st: AggState, p: ir.Value) -> ir.Value:
        """A float sum: its lanes added in order."""
        b = g.b
        s = b.load(p, typ=F64)
        for lane in range(1, st.lanes):
            s = b.fadd(s, b.load(_at(g, p, 8 * lane), typ=F64))
        return s

    def group_env(self, g: FnGen, entry: ir.Value, table: ir.Value, states: ir.Value,
                  op: int | None, count_errors: bool = True) -> list[Val]:
        """The aggregate's output row of one entry: keys, results (and _op)."""
        b = g.b
        sink, lay, node = self.sink, self.layout, self.node
        vals: list[Val] = []
        if sink.window is not None:
            start, end = window_bounds(g, sink.window, LC_TABLE.load(b, table, "window"))
        for p in range(len(node.keys)):
            if p == sink.start_key:
                vals.append(Val(start))
            elif p == sink.end_key:
                vals.append(Val(end))
            else:
                off, f = lay.keys[p]
                v = load_slot(g, _at(g, entry, off), f.type)
                if p in lay.key_nulls:
                    v.null = b.trunc(b.load(_at(g, entry, lay.key_nulls[p]), typ=I8), I1)
                vals.append(v)
        vals += self.finalize(g, states, count_errors)
        if op is not None:
            vals.append(Val(ir.Constant(I8, op)))
        return vals

    def _emit_fn(self, name: str) -> tuple[FnGen, ir.Value, ir.Value, ir.Value, ir.Value]:
        g = FnGen(self.module, name, I64, [PTR, PTR, PTR, I64], ["ctx", "table", "out", "start"])
        ctx, table, out, start = (g.args[k] for k in ("ctx", "table", "out", "start"))
        g.setup_ctx(ctx)
        return g, ctx, table, out, start

    def _commit_errors(self, g: FnGen, ctx: ir.Value) -> None:
        def save(bb: ir.IRBuilder) -> None:
            old = LC_CTX.load(bb, ctx, "errors")
            LC_CTX.store(bb, bb.add(old, bb.load(self._committed, typ=I64)), ctx, "errors")

        g.on_exit(save)

    def gen_emit_rows(self, name: str) -> str:
        """int64_t emit_rows(ctx, table, out, start): every entry from `start` as output rows
        (start = -1: the one row of a global aggregate over no input)."""
        g, ctx, table, out, start = self._emit_fn(name)
        b = g.b
        lay = self.layout
        writer = OutputWriter(g, out, self.sink.emitted_fields)
        self._committed = g.alloca(I64, "errors", i64(0))
        row_err = g.alloca(I64, "row_errors", i64(0))
        g.err_var = row_err
        self._commit_errors(g, ctx)
        e_var = g.alloca(I64, "e", start)
        g.exit_block = g.fn.append_basic_block("exit")
        g.start_body()
        count = LC_TABLE.load(b, table, "count")
        entries = LC_TABLE.load(b, table, "entries")
        # a merged window lists its entries in order of their first rows (merged_order); a
        # routed window's view lists other tables' entries by address (emit_disjoint)
        ordered = b.icmp_signed("!=", LC_TABLE.load(b, table, "ordered"), i64(0))
        order = LC_TABLE.load(b, table, "dirty")
        listed = LC_TABLE.load(b, table, "listed")
        by_address = b.icmp_unsigned("!=", listed, ir.Constant(PTR, None))
        head = g.fn.append_basic_block("head")
        row = g.fn.append_basic_block("row")
        nxt = g.fn.append_basic_block("next")
        done = g.fn.append_basic_block("done")
        empty_row = g.fn.append_basic_block("global.empty")
        b.cbranch(b.icmp_signed("<", start, i64(0)), empty_row, head)

        # The single row of a global aggregate over no rows: from zeroed state.
        b.position_at_end(empty_row)
        zeros = g.alloca(I8, "zero_entry", count=lay.size)
        g.memset(zeros, 0, i64(lay.size))
        after_empty = g.fn.append_basic_block("global.done")
        self._emit_one(g, writer, zeros, table, after_empty)
        b.position_at_end(after_empty)
        b.store(b.add(b.load(self._committed, typ=I64), b.load(row_err, typ=I64)), self._committed)
        g.save_state(b)
        b.ret(i64(0))

        b.position_at_end(head)
        e = b.load(e_var, typ=I64)
        b.cbranch(b.icmp_signed("<", e, count), row, done)
        b.position_at_end(row)
        b.store(i64(0), row_err)
        b.store(i64(0), g.scratch_used)
        in_view = g.fn.append_basic_block("row.view")
        in_table = g.fn.append_basic_block("row.table")
        have = g.fn.append_basic_block("row.entry")
        b.cbranch(by_address, in_view, in_table)
        b.position_at_end(in_view)
        viewed = b.load(b.gep(listed, [e], source_etype=PTR), typ=PTR)
        b.branch(have)
        b.position_at_end(in_table)
        index = b.sext(b.load(b.gep(order, [e], source_etype=I32), typ=I32), I64)
        at = b.select(ordered, index, e)
        own = b.gep(entries, [b.mul(at, i64(lay.size))], source_etype=I8)
        b.branch(have)
        b.position_at_end(have)
        entry = b.phi(PTR)
        entry.add_incoming(viewed, in_view)
        entry.add_incoming(own, in_table)
        self._emit_one(g, writer, entry, table, nxt)
        b.position_at_end(nxt)
        b.store(b.add(b.load(self._committed, typ=I64), b.load(row_err, typ=I64)), self._committed)
        b.store(b.add(e, i64(1)), e_var)
        b.branch(head)

        g.loop_returns(done, count, e_var)
        return g.fn.name

    def _emit_one(self, g: FnGen, writer: OutputWriter, entry: ir.Value, table: ir.Value,
                  cont: ir.Block) -> None:
        b = g.b
        op = 1 if self.sink.changelog else None
        vals = self.group_env(g, entry, table, _at(g, entry, self.layout.states_begin), op)
        env = ValuesEnv(vals)
        for op in self.sink.post:
            if isinstance(op, Filter):
                keep_if(g, op.predicate, env, cont, "having.pass")
            else:
                env = ValuesEnv([lower(g, e, env) for e in op.exprs])
        row = [env.get(c) for c in range(len(self.sink.out_fields))] + self._hidden(g, entry,
                                                                                   table)
        writer.prepare([(row, None)])
        writer.write(row)
        b.branch(cont)

    def _hidden(self, g: FnGen, entry: ir.Value, table: ir.Value) -> list[Val]:
        """`$wend` and `$seq` of an entry's output rows (see AggregateSink.hidden_fields)."""
        if not self.sink.hidden_fields:
            return []
        b = g.b
        w = self.sink.window
        wend = i64(0) if w is None else window_bounds(g, w, LC_TABLE.load(b, table, "window"))[1]
        return [Val(wend), Val(b.load(_at(g, entry, self.layout.seq), typ=I64))]

    def _post_values(self, g: FnGen, vals: list[Val]) -> tuple[ir.Value, list[Val]]:
        """Apply the post-aggregation filters and projections without branching:
        (does the row pass?, its values)."""
        b = g.b
        env = ValuesEnv(vals)
        passed = TRUE
        for op in self.sink.post:
            if isinstance(op, Filter):
                keep = truth(b, lower(g, op.predicate, env))
                passed = keep if passed is TRUE else b.and_(passed, keep)
            elif isinstance(op, Project):
                env = ValuesEnv([lower(g, e, env) for e in op.exprs])
        return passed, [env.get(c) for c in range(len(self.sink.out_fields))]

    def gen_emit_changes(self, name: str) -> str:
        """int64_t emit_changes(ctx, table, out, start): for each dirty entry from `start`,
        the retraction of its last emitted row and its new row (nothing when equal)."""
        g, ctx, table, out, start = self._emit_fn(name)
        b = g.b
        lay = self.layout
        writer = OutputWriter(g, out, self.sink.emitted_fields)
        self._committed = g.alloca(I64, "errors", i64(0))
        row_err = g.alloca(I64, "row_errors", i64(0))
        discard = g.alloca(I64, "old_row_errors", i64(0))
        self._commit_errors(g, ctx)
        d_var = g.alloca(I64, "d", start)
        g.exit_block = g.fn.append_basic_block("exit")
        g.start_body()
        ndirty = LC_TABLE.load(b, table, "ndirty")
        entries = LC_TABLE.load(b, table, "entries")
        dirty = LC_TABLE.load(b, table, "dirty")
        d, done = g.loop_head(d_var, ndirty)
        b.store(i64(0), row_err)
        b.store(i64(0), g.scratch_used)
        # The entries are wherever their groups were inserted: ask for one a few ahead
        ahead = g.smin(b.add(d, i64(MERGE_AHEAD)), b.sub(ndirty, i64(1)))
        later = b.sext(b.load(b.gep(dirty, [ahead], source_etype=I32), typ=I32), I64)
        _prefetch_entry(g, b.gep(entries, [b.mul(later, i64(lay.size))], source_etype=I8),
                        lay.size)
        idx = b.sext(b.load(b.gep(dirty, [d], source_etype=I32), typ=I32), I64)
        entry = b.gep(entries, [b.mul(idx, i64(lay.size))], source_etype=I8)
        emitted = b.trunc(b.load(_at(g, entry, lay.emitted), typ=I8), I1)
        g.err_var = row_err
        new_pass, new_row = self._post_values(
            g, self.group_env(g, entry, table, _at(g, entry, lay.states_begin), 1))
        # The old row was counted when it was new: its errors are not counted again.
        g.err_var = discard
        old_pass, old_row = self._post_values(
            g, self.group_env(g, entry, table, _at(g, entry, lay.snapshot), -1, count_errors=False))
        g.err_var = row_err
        same = b.and_(old_pass, new_pass)
        for c, f in enumerate(self.sink.out_fields[:-1]):   # all but _op
            same = b.and_(same, values_equal(g, old_row[c], new_row[c], f.type))
        hidden = self._hidden(g, entry, table)
        old_row, new_row = old_row + hidden, new_row + hidden
        write_old = b.and_(emitted, b.and_(old_pass, b.not_(same)))
        write_new = b.and_(new_pass, b.not_(b.and_(emitted, same)))
        writer.prepare([(old_row, write_old), (new_row, write_new)])
        with b.if_then(write_old):
            writer.write(old_row)
        with b.if_then(write_new):
            writer.write(new_row)
        g.memcpy(_at(g, entry, lay.snapshot), _at(g, entry, lay.states_begin),
                 i64(lay.states_size))
        b.store(ir.Constant(I8, 1), _at(g, entry, lay.emitted))
        b.store(ir.Constant(I8, 0), _at(g, entry, lay.dirty))
        b.store(b.add(b.load(self._committed, typ=I64), b.load(row_err, typ=I64)), self._committed)
        b.store(b.add(d, i64(1)), d_var)
        b.branch(g.head)

        g.loop_returns(done, ndirty, d_var)
        return g.fn.name

    # -- merging partial states (pre-aggregated) ----------------------------------------------
    def gen_merge(self, name: str, earliest: bool = False) -> str:
        """int64_t merge(ctx, dst, src, start, where): fold the entries [start, count) of
        table src (another worker's partial states of one window) into table dst, noting in
        where[i] the index of src's entry i's group in dst. A group new to dst takes the
        entry's first row; otherwise dst's stays (the runtime orders the groups, see
        merged_order). `earliest`: a group keeps the earlier of the two first rows (the fold
        of a sliced HOP's slices, which the runtime then orders by them)."""
        g = FnGen(self.module, name, I64, [PTR, PTR, PTR, I64, PTR],
                  ["ctx", "dst", "src", "start", "where"])
        ctx, dst, src, start, where = (g.args[k] for k in ("ctx", "dst", "src", "start",
                                                           "where"))
        g.setup_ctx(ctx)
        b = g.b
        lay = self.layout
        e_var = g.alloca(I64, "e", start)
        g.exit_block = g.fn.append_basic_block("exit")
        g.start_body()
        n = LC_TABLE.load(b, src, "count")
        entries = LC_TABLE.load(b, src, "entries")
        e, done = g.loop_head(e_var, n, "entry")
        # Another worker's entries come from its cache: ask for them a few entries ahead
        # (a prefetch never faults, past the last entry too).
        later = b.gep(entries, [b.mul(b.add(e, i64(MERGE_AHEAD)), i64(lay.size))],
                      source_etype=I8)
        _prefetch_entry(g, later, lay.size)
        # ... and for the groups' entries in dst, which a big table has in no cache: the
        # slot of the group half as far ahead (its entry in src is in by then), and the entry
        # of the group a quarter as far
        last = b.sub(n, i64(1))

        def ahead_hash(k: int) -> ir.Value:
            j = g.smin(b.add(e, i64(k)), last)
            return b.load(b.gep(entries, [b.mul(j, i64(lay.size))], source_etype=I8), typ=I64)

        self.prefetch_group(g, dst, ahead_hash(MERGE_AHEAD // 2), ahead_hash(MERGE_AHEAD // 4))
        part = b.gep(entries, [b.mul(e, i64(lay.size))], source_etype=I8)
        keys = []
        for p, (off, f) in lay.keys.items():
            v = load_slot(g, _at(g, part, off), f.type)
            null_off = lay.key_nulls.get(p)
            if null_off is not None:
                v.null = b.trunc(b.load(_at(g, part, null_off), typ=I8), I1)
            keys.append((off, v, f.type, null_off))
        states_s = _at(g, part, lay.states_begin)
        # room first: nothing changes before every need is met
        g.exit_unless(b.icmp_signed("<", LC_TABLE.load(b, dst, "count"),
                                    LC_TABLE.load(b, dst, "limit")), NEED_GROW, dst)
        need = i64(0)
        for _, v, t, _ in keys:
            if t.kind is Kind.VARCHAR:   # (a NULL key stored no bytes: its length is 0)
                need = b.add(need, v.len)
        minmax_strings = [st for st in lay.states if st.call.func in (AggFunc.MIN, AggFunc.MAX)
                          and st.arg_type.kind is Kind.VARCHAR]
        for st in minmax_strings:
            has = b.trunc(b.load(_at(g, states_s, st.has_offset), typ=I8), I1)
            slen = b.load(_at(g, states_s, st.offset + 8), typ=I64)
            need = b.add(need, b.select(has, slen, i64(0)))
        if any(t.kind is Kind.VARCHAR for _, _, t, _ in keys) or minmax_strings:
            g.exit_unless(b.icmp_signed("<=", need, _strings_room(g, dst)), NEED_STRINGS, dst,
                          need)
        h = b.load(part, typ=I64)
        seq = b.load(_at(g, part, lay.seq), typ=I64)
        entry, idx, _ = find_or_insert(g, dst, h, lay.size, keys,
                                       [(lay.seq, seq), *self._initial_keys(every_row=False)])
        if earliest:
            p = _at(g, entry, lay.seq)
            b.store(g.smin(b.load(p, typ=I64), seq), p)
        b.store(b.trunc(idx, I32), b.gep(where, [e], source_etype=I32))
        states_d = _at(g, entry, lay.states_begin)
        for st in lay.states:
            self._combine(g, dst, st, states_d, states_s)
        b.store(b.add(e, i64(1)), e_var)
        b.branch(g.head)

        g.loop_returns(done, n, e_var)
        return g.fn.name

    def _combine(self, g: FnGen, dst: ir.Value, st: AggState, states_d: ir.Value,
                 states_s: ir.Value) -> None:
        """Fold one partial state into another (a new entry's states are zero: the same)."""
        b = g.b
        func = st.call.func

        def add(offset: int, t: ir.Type, fadd: bool = False) -> None:
            pd, ps = _at(g, states_d, offset), _at(g, states_s, offset)
            align = 8 if t == I128 else None
            x, y = b.load(pd, typ=t, align=align), b.load(ps, typ=t, align=align)
            b.store(b.fadd(x, y) if fadd else b.add(x, y), pd, align=align)

        if func in (AggFunc.COUNT, AggFunc.COUNT_STAR):
            add(st.offset, I64)
            return
        if func in (AggFunc.SUM, AggFunc.AVG):
            if st.exact:
                add(st.offset, I128)
            else:
                # Each lane was summed by one worker (the others' are 0.0): exact. As one
                # vector: LLVM cannot tell the two tables apart, so lane by lane it keeps
                # every load and store (W1's merge: 90 instructions an entry).
                vt = ir.VectorType(F64, st.lanes)
                pd, ps = _at(g, states_d, st.offset), _at(g, states_s, st.offset)
                b.store(b.fadd(b.load(pd, typ=vt, align=8), b.load(ps, typ=vt, align=8)), pd,
                        align=8)
            add(st.count_offset, I64)
            return
        t = st.arg_type
        pd, ps = _at(g, states_d, st.offset), _at(g, states_s, st.offset)
        hd_p, hs_p = _at(g, states_d, st.has_offset), _at(g, states_s, st.has_offset)
        has_d = b.trunc(b.load(hd_p, typ=I8), I1)
        has_s = b.trunc(b.load(hs_p, typ=I8), I1)
        if self._keyed_float(st):   # a partial without a value holds the identity
            it = ir.IntType(32 if t.kind is Kind.REAL else 64)
            b.store(self._extreme(g, func, b.load(pd, typ=it), b.load(ps, typ=it)), pd)
            b.store(b.zext(b.or_(has_d, has_s), I8), hd_p)
            return
        self._fold_extreme(g, dst, func, t, pd, hd_p, has_d, load_slot(g, ps, t), has_s)


__all__ = ["AggregateCodegen", "EntryLayout"]
