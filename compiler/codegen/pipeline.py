"""The fused loop of a pipeline: one pass over a batch's rows doing filter, projection, window
assignment and the sink's work (output rows, or the aggregate update), reading Arrow buffers
in place.

    int64_t <name>_run_{dense,nulls}(lc_pipe* p, const lc_col* cols, int64_t start, int64_t n)

returns n when done, or the row to resume at after a need was recorded (see lc_runtime.h).
Per row, in order: expressions are evaluated (they may exit for scratch), the sink prepares
(it may exit for room), the sink commits (no exit after this point), then counters and the
watermark advance. A row that exits has therefore changed nothing, and resuming is exact.
The `dense` variant is used for batches with no NULLs in the columns the loop reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from llvmlite import ir

from ..expr import Expr, col, columns_used, substitute
from ..plan import Filter, Node, Project, Window
from ..types import Kind
from .abi import (
    I1,
    I8,
    I32,
    I64,
    I128,
    LC_AGG,
    LC_COL,
    LC_CTX,
    LC_PIPE,
    NEED_FOLD,
    PTR,
)
from .aggregate import EMPTY_WINDOW, ROW_AHEAD, AggregateCodegen
from .exprs import ValuesEnv, cheap, clamp_i64, keep_if, lower, window_bounds, window_number
from .function import FnGen
from .output import OutputWriter
from .values import FALSE, TRUE, Val, i64, llvm_type, truth

Sink = Callable[[FnGen, list[Val], ir.Block], None]


class ScanEnv:
    """The input row: columns loaded on first use, in a block that dominates the row body."""

    def __init__(self, g: FnGen, cols: ir.Value, fields, nulls: bool, loads: ir.Block,
                 i: ir.Value):
        self.g, self.cols, self.fields, self.nulls = g, cols, fields, nulls
        self.loads, self.i = loads, i
        self.cache: dict[int, Val] = {}
        self.memo: dict[Expr, tuple[Val, ir.Block]] = {}   # see exprs.lower
        self.desc: dict[int, tuple[ir.Value, ir.Value, ir.Value, ir.Value]] = {}

    def descriptor(self, c: int) -> tuple[ir.Value, ir.Value, ir.Value, ir.Value]:
        """(values, validity, offsets, offset) of column c, loaded once per call."""
        if c not in self.desc:
            def load(b: ir.IRBuilder):
                col = b.gep(self.cols, [i64(c)], source_etype=LC_COL.type)
                return tuple(LC_COL.load(b, col, f) for f in ("values", "validity", "offsets",
                                                               "offset"))
            self.desc[c] = self.g.in_entry(load)
        return self.desc[c]

    def get(self, c: int) -> Val:
        if c in self.cache:
            return self.cache[c]
        g = self.g
        values, validity, offsets, offset = self.descriptor(c)
        with g.b.goto_block(self.loads):
            val = load_arrow_value(g, self.fields[c], values, validity, offsets, offset, self.i,
                                   self.nulls)
        self.cache[c] = val
        return val


def load_arrow_value(g: FnGen, field, values, validity, offsets, offset, i, nulls: bool) -> Val:
    b = g.b
    t = field.type
    idx = b.add(offset, i)
    null = FALSE
    if nulls and field.nullable:
        null = b.not_(g.bit(validity, idx))
    k = t.kind
    if k is Kind.BOOLEAN:
        return Val(g.bit(values, idx), null)
    if k is Kind.VARCHAR:
        start = b.load(b.gep(offsets, [idx], source_etype=I32), typ=I32)
        end = b.load(b.gep(offsets, [b.add(idx, i64(1))], source_etype=I32), typ=I32)
        start64 = b.sext(start, I64)
        ptr = b.gep(values, [start64], source_etype=I8)
        return Val(ptr, null, b.sub(b.sext(end, I64), start64))
    if k is Kind.DECIMAL:
        wide = b.load(b.gep(values, [idx], source_etype=I128), typ=I128, align=8)
        return Val(b.trunc(wide, I64), null)
    lt = llvm_type(t)
    return Val(b.load(b.gep(values, [idx], source_etype=lt), typ=lt), null)


def branch_free_eligible(plan) -> bool:
    """Whether a pipeline's filters can also run without branches (PipelineCodegen's
    `branch_free`): a row's outputs are then computed and stored whether or not it passes,
    and the output's row count advances by whether it did. That saves a misprediction on
    about every row a filter keeps or drops at random, and costs the work after the first
    filter on every row it drops: so only for outputs of fixed width, and when that work is
    cheap (`cheap`). The runtime times both loops and runs the faster (lc_pipe.free_dense)."""
    if plan.aggregate is not None or any(f.type.kind is Kind.VARCHAR for f in plan.out_fields):
        return False
    filters = [k for k, op in enumerate(plan.ops) if isinstance(op, Filter)]
    if not filters or not all(isinstance(op, Filter | Project) for op in plan.ops):
        return False
    # (the first filter's predicate is evaluated on every row either way)
    return all(cheap(e) for op in plan.ops[filters[0] + 1:]
               for e in ((op.predicate,) if isinstance(op, Filter) else op.exprs))


class PipelineCodegen:
    """The row loop of a pipeline. `selected`: a shard on a worker, running over the rows a
    partition kernel selected for it (lc_pipe.sel), its per-row watermark from breakpoints.
    `branch_free`: filters without branches (see branch_free_eligible). `one_window`: a
    dealable pipeline's loop over rows the runtime found all in one window (lc_pipe.win_k),
    open for each of them: it neither numbers the rows' windows nor moves the watermark
    (the runtime does, from the block's largest event time), so it reads no event time for
    them (lc_pipe.win_dense)."""

    def __init__(self, module: ir.Module, plan, nulls: bool, selected: bool = False,
                 branch_free: bool = False, one_window: bool = False):
        self.module = module
        self.plan = plan
        self.nulls = nulls
        self.selected = selected
        self.branch_free = branch_free
        self.one_window = one_window
        variant = ("sel_" if selected else "") + ("free_" if branch_free else "") + (
            "win_" if one_window else "") + ("nulls" if nulls else "dense")
        self.g = FnGen(module, f"{plan.name}_run_{variant}", I64, [PTR, PTR, I64, I64],
                       ["pipe", "cols", "start", "n"])

    @property
    def symbol(self) -> str:
        return self.g.fn.name

    @property
    def columns_read(self) -> set[int]:
        """Input columns the loop reads (their NULLs decide which variant runs)."""
        return set(self.env.cache)

    def generate(self) -> None:
        g, plan = self.g, self.plan
        b = g.b
        pipe, cols, start, n = (g.args[k] for k in ("pipe", "cols", "start", "n"))
        ctx = g.in_entry(lambda bb: LC_PIPE.gep(bb, pipe, "ctx"))
        g.setup_ctx(ctx)
        i_var = g.alloca(I64, "i", start)
        wm_var = g.alloca(I64, "wm", g.in_entry(lambda bb: LC_PIPE.load(bb, pipe, "wm")))
        # the window of a HOP row an exit resumes at (only HOP windows loop over a row's
        # windows; a sliced one gives each row to one slice, as a TUMBLE to one window)
        sliced = self.sliced = plan.aggregate.window if plan.aggregate is not None and \
            plan.aggregate.slice else None
        hop = any(isinstance(op, Window) and op.function != "TUMBLE" and op is not sliced
                  for op in plan.ops)
        self.k_var = g.alloca(I64, "k", g.in_entry(lambda bb: LC_CTX.load(bb, ctx, "resume_k"))
                              if hop else i64(0))
        late_var = self.late_var = g.alloca(I64, "late", i64(0))
        err_var = g.alloca(I64, "errors", i64(0))    # committed errors
        row_err = g.alloca(I64, "row_errors", i64(0))
        self.reached_var = g.alloca(I1, "reached_window", FALSE)
        self.open_var = g.alloca(I1, "open_window", FALSE)
        self.wm_var = wm_var
        self.committed_err = err_var
        if self.one_window:
            self.win_k = g.in_entry(lambda bb: LC_PIPE.load(bb, pipe, "win_k"))
        seq_base = g.in_entry(lambda bb: LC_PIPE.load(bb, pipe, "seq_base"))
        if self.selected:
            sel = g.in_entry(lambda bb: LC_PIPE.load(bb, pipe, "sel"))
            bp_pos = g.in_entry(lambda bb: LC_PIPE.load(bb, pipe, "bp_pos"))
            bp_wm = g.in_entry(lambda bb: LC_PIPE.load(bb, pipe, "bp_wm"))
            nbp = g.in_entry(lambda bb: LC_PIPE.load(bb, pipe, "nbp"))
            bp_var = g.alloca(I64, "bp_next", g.in_entry(
                lambda bb: LC_PIPE.load(bb, pipe, "bp_next")))

        def save(bb: ir.IRBuilder) -> None:
            LC_PIPE.store(bb, bb.load(wm_var, typ=I64), pipe, "wm")
            if self.selected:
                LC_PIPE.store(bb, bb.load(bp_var, typ=I64), pipe, "bp_next")
            for field, var in (("late_rows", late_var), ("errors", err_var)):
                old = LC_CTX.load(bb, ctx, field)
                LC_CTX.store(bb, bb.add(old, bb.load(var, typ=I64)), ctx, field)

        g.on_exit(save)
        self.sink = self.make_sink(pipe)

        head = g.fn.append_basic_block("head")
        row = g.fn.append_basic_block("row")
        loads = g.fn.append_basic_block("row.loads")
        row_body = g.fn.append_basic_block("row.body")
        row_end = g.fn.append_basic_block("row.end")
        done = g.fn.append_basic_block("done")
        g.exit_block = g.fn.append_basic_block("exit")
        g.start_body()
        b.branch(head)

        b.position_at_end(head)
        j = b.load(i_var, typ=I64, name="j")
        b.cbranch(b.icmp_signed("<", j, n), row, done)

        b.position_at_end(row)
        if self.selected:
            i = b.sext(b.load(b.gep(sel, [j], source_etype=I32), typ=I32), I64, name="i")
            # The watermark before this row, as the partition kernels saw it over all rows:
            # apply every breakpoint at or before the row (rarely more than one).
            bp_head = g.fn.append_basic_block("bp.head")
            bp_check = g.fn.append_basic_block("bp.check")
            bp_take = g.fn.append_basic_block("bp.take")
            bp_done = g.fn.append_basic_block("bp.done")
            b.branch(bp_head)
            b.position_at_end(bp_head)
            bn = b.load(bp_var, typ=I64)
            b.cbranch(b.icmp_signed("<", bn, nbp), bp_check, bp_done)
            b.position_at_end(bp_check)
            pos = b.load(b.gep(bp_pos, [bn], source_etype=I64), typ=I64)
            b.cbranch(b.icmp_signed("<=", pos, i), bp_take, bp_done)
            b.position_at_end(bp_take)
            bw = b.load(b.gep(bp_wm, [bn], source_etype=I64), typ=I64)
            b.store(g.smax(b.load(wm_var, typ=I64), bw), wm_var)
            b.store(b.add(bn, i64(1)), bp_var)
            b.branch(bp_head)
            b.position_at_end(bp_done)
        else:
            i = j
        if self.aggcg is not None:
            self.look_ahead(cols, j, n, sel if self.selected else None)
        if sliced is not None:
            # The watermark before this row passed the end of the next window to close: the
            # runtime folds that window's slices now, before this row can reach one of them.
            limit = g.in_entry(lambda bb: LC_AGG.load(bb, self.agg_ptr, "fold_limit"))
            wm_now = b.load(wm_var, typ=I64)
            g.exit_unless(b.icmp_signed("<=", wm_now, limit), NEED_FOLD, self.agg_ptr, wm_now)
        self.row_seq = b.add(seq_base, i, name="row_seq")
        b.store(i64(0), row_err)
        b.store(i64(0), g.scratch_used)
        b.store(FALSE, self.reached_var)
        b.store(FALSE, self.open_var)
        b.branch(loads)
        b.position_at_end(loads)
        b.branch(row_body)

        b.position_at_end(row_body)
        g.err_var = row_err
        env = ScanEnv(g, cols, plan.input_fields, self.nulls, loads, i)
        self.env = env
        self.consume(list(plan.ops), env, row_end)

        b.position_at_end(row_end)
        b.store(b.add(b.load(err_var, typ=I64), b.load(row_err, typ=I64)), err_var)
        if plan.aggregate is not None and plan.aggregate.window is not None and \
                plan.aggregate.window.function != "TUMBLE" and sliced is None:
            # (TUMBLE and sliced HOP: see window_loop)
            late = b.and_(b.load(self.reached_var, typ=I1), b.not_(b.load(self.open_var, typ=I1)))
            b.store(b.add(b.load(late_var, typ=I64), b.zext(late, I64)), late_var)
        if plan.time_column is not None and not self.selected and not self.one_window:
            ts = env.get(plan.time_column).v
            candidate = g.intrinsic("llvm.ssub.sat.i64", I64, [ts, i64(plan.watermark_delay)])
            b.store(g.smax(b.load(wm_var, typ=I64), candidate), wm_var)
        if hop:
            b.store(i64(0), self.k_var)
        b.store(b.add(j, i64(1)), i_var)
        b.branch(head)

        b.position_at_end(done)
        g.save_state(b)
        LC_CTX.store(b, i64(0), ctx, "resume_k")
        b.ret(n)

        b.position_at_end(g.exit_block)
        g.save_state(b)
        LC_CTX.store(b, b.load(self.k_var, typ=I64), ctx, "resume_k")
        b.ret(b.load(i_var, typ=I64))

    # -- looking ahead -------------------------------------------------------------------
    def ahead_exprs(self) -> tuple[list[Expr], list[Expr | None]] | None:
        """The aggregate's hash keys as expressions of the input row, when every one is
        cheap to compute again for another row and depends on no window (see look_ahead),
        and each distinct set's argument where it is cheap too (None where not)."""
        cur: list[Expr | None] = [col(c, f.type, f.nullable)
                                  for c, f in enumerate(self.plan.input_fields)]
        for op in self.plan.ops:
            if isinstance(op, Project):
                cur = [None if any(cur[c] is None for c in columns_used(e)) else
                       substitute(e, cur) for e in op.exprs]
            elif isinstance(op, Window):
                cur = [*cur, None, None]    # window_start, window_end
        keys = [cur[c] for c in self.aggcg.hash_key_columns()]
        if any(k is None or not cheap(k) for k in keys):
            return None
        args = [a if a is not None and cheap(a) else None
                for a in (cur[c] for c in self.aggcg.distinct_arg_columns())]
        if not keys and all(a is None for a in args):
            return None
        return keys, args

    def look_ahead(self, cols: ir.Value, j: ir.Value, n: ir.Value, sel: ir.Value | None
                   ) -> None:
        """Prefetch the groups of rows ahead in a big table (AggregateCodegen.prefetch_group),
        and their values' entries in big distinct sets (prefetch_sets): their keys and values
        are computed again there (filters are not applied: a dropped row's prefetch is only
        wasted), counting no errors. A table smaller than BIG_TABLE_SLOTS, with sets as small,
        in cache, skips this for the test of a flag, set where the table is looked up (W1's
        loop took 5 instructions more a row when each row loaded the table's size)."""
        exprs = self.ahead_exprs()
        if exprs is None:
            return
        keys, args = exprs
        g = self.g
        b = g.b
        table_var = g.alloca(PTR, "ahead_table", ir.Constant(PTR, None))
        big_var = g.alloca(I1, "ahead_big", FALSE)
        self.aggcg.ahead = (table_var, big_var)
        ahead = g.fn.append_basic_block("ahead")
        after = g.fn.append_basic_block("ahead.done")
        b.cbranch(b.load(big_var, typ=I1), ahead, after).set_weights([1, 99])
        b.position_at_end(ahead)
        table = b.load(table_var, typ=PTR)
        guard, err_var = g.guard, g.err_var
        g.guard, g.err_var = FALSE, g.alloca(I64, "ahead_errors", i64(0))
        last = b.sub(n, i64(1))
        hashes, set_hashes = [], []
        for d in (ROW_AHEAD, ROW_AHEAD // 2):
            ja = g.smin(b.add(j, i64(d)), last)
            ia = ja if sel is None else b.sext(b.load(b.gep(sel, [ja], source_etype=I32),
                                                      typ=I32), I64)
            # Loads go to the block computing this row's index: a key with branches (CASE,
            # COALESCE) leaves the builder in a later block, past `ahead`.
            env = ScanEnv(g, cols, self.plan.input_fields, self.nulls, b.block, ia)
            h = self.aggcg.hash_of(g, [lower(g, k, env) for k in keys])
            hashes.append(h)
            set_hashes.append([None if a is None else
                               self.aggcg.set_hash(g, h, ds, lower(g, a, env))
                               for a, ds in zip(args, self.aggcg.layout.sets, strict=True)])
        g.guard, g.err_var = guard, err_var
        if keys:
            self.aggcg.prefetch_group(g, table, *hashes)
        if any(a is not None for a in args):
            self.aggcg.prefetch_sets(g, table, [None if a is None else (far, near) for a, far, near
                                                in zip(args, *set_hashes, strict=True)])
        b.branch(after)
        b.position_at_end(after)

    # -- sinks ---------------------------------------------------------------------------
    def make_sink(self, pipe: ir.Value) -> Sink:
        g, plan = self.g, self.plan
        if plan.aggregate is None:
            out = g.in_entry(lambda bb: LC_PIPE.load(bb, pipe, "out"))
            writer = OutputWriter(g, out, plan.out_fields)

            def output(g: FnGen, vals: list[Val], cont: ir.Block) -> None:
                writer.prepare([(vals, None)])
                writer.write(vals, g.guard)
                g.b.branch(cont)

            return output
        agg = self.agg_ptr = g.in_entry(lambda bb: LC_PIPE.load(bb, pipe, "agg"))
        self.aggcg = AggregateCodegen(self.module, plan.aggregate)
        if plan.aggregate.preaggregated:
            self.aggcg.lane_off = g.in_entry(
                lambda bb: bb.mul(LC_PIPE.load(bb, pipe, "lane"), i64(8)))
        return lambda g, vals, cont: self.aggcg.consume(g, agg, vals, self.window_id, cont,
                                                        self.row_seq)

    # -- operators -----------------------------------------------------------------------
    def consume(self, ops: list[Node], env, cont: ir.Block) -> None:
        """Generate ops[0] over env, then the rest, then the sink; rows an op drops and rows
        that are done continue at `cont`."""
        g = self.g
        if not ops:
            width = len(self.plan.aggregate.node.input.fields) if self.plan.aggregate else len(
                self.plan.out_fields)
            self.sink(g, [env.get(c) for c in range(width)], cont)
            return
        op, rest = ops[0], ops[1:]
        if isinstance(op, Filter) and self.branch_free:
            keep = truth(g.b, lower(g, op.predicate, env))
            g.guard = keep if g.guard is None else g.b.and_(g.guard, keep)
            self.consume(rest, env, cont)
        elif isinstance(op, Filter):
            keep_if(g, op.predicate, env, cont, "filter.pass")
            self.consume(rest, env, cont)
        elif isinstance(op, Project):
            vals = [lower(g, e, env) for e in op.exprs]
            self.consume(rest, ValuesEnv(vals), cont)
        elif isinstance(op, Window):
            self.window_loop(op, rest, env, cont)
        else:
            raise AssertionError(f"{op.kind} can not run inside a pipeline")

    window_id: ir.Value | None = None
    aggcg: AggregateCodegen | None = None

    def tumble_window(self, w: Window, ts: ir.Value, keyed: bool,
                      hop: Window | None = None) -> tuple[ir.Value, ir.Value, ir.Value]:
        """(number, start, end) of ts's TUMBLE window. The last window's range of times is kept
        across rows: rows in the same window as the row before (most rows, as event time
        mostly ascends) skip the division, which was a fifth of W1's loop. The range is exact
        (clamped to i64) and starts empty.

        A keyed window numbered INT64_MIN (the runtime's empty mark: only a one-unit slide
        reaches it, at the earliest instant) is given an end of INT64_MIN and never cached,
        so its rows take the rare late path, which counts them as overflow errors instead.

        `hop`: w is the slice of this sliced HOP. The end returned is then that of the last
        HOP window holding the slice (the row is late once it closed), and a row whose first
        windows would be numbered at or below INT64_MIN (which are not made) counts an
        overflow error, as without slices."""
        g, b = self.g, self.g.b
        if hop is not None:
            cut_var = g.alloca(I1, "win_cut", FALSE)
        lo_var = g.alloca(I64, "win_lo", i64(1))
        hi_var = g.alloca(I64, "win_hi", i64(0))
        k_var = g.alloca(I64, "win_k", i64(0))
        start_var = g.alloca(I64, "win_start", i64(0))
        end_var = g.alloca(I64, "win_end", i64(0))
        same = b.and_(b.icmp_signed(">=", ts, b.load(lo_var, typ=I64)),
                      b.icmp_signed("<=", ts, b.load(hi_var, typ=I64)))
        with b.if_then(b.not_(same), likely=False):
            k, into = window_number(g, w, ts)
            first_time = b.sub(b.sext(ts, I128), b.sext(into, I128))   # may be < INT64_MIN
            lo = clamp_i64(g, first_time)
            hi = clamp_i64(g, b.add(first_time, ir.Constant(I128, w.slide - 1)))
            start, end = window_bounds(g, w, k)
            if hop is not None:
                last, into = window_number(g, hop, ts)
                end = window_bounds(g, hop, last)[1]
                count = b.add(b.udiv(b.sub(i64(hop.size - 1), into), i64(hop.slide)), i64(1))
                cut = b.icmp_unsigned(">", count, b.sub(last, i64(EMPTY_WINDOW)))
                # (a row of the reserved slice counts its error on the late path)
                b.store(b.and_(cut, b.icmp_signed("!=", k, i64(EMPTY_WINDOW))), cut_var)
            if keyed:
                reserved = b.icmp_signed("==", k, i64(EMPTY_WINDOW))
                lo = b.select(reserved, i64(1), lo)
                hi = b.select(reserved, i64(0), hi)
                end = b.select(reserved, i64(EMPTY_WINDOW), end)
            b.store(lo, lo_var)
            b.store(hi, hi_var)
            b.store(k, k_var)
            b.store(start, start_var)
            b.store(end, end_var)
        if hop is not None:
            g.count_error(b.load(cut_var, typ=I1))
        return tuple(b.load(v, typ=I64) for v in (k_var, start_var, end_var))

    def window_loop(self, w: Window, rest: list[Node], env, cont: ir.Block) -> None:
        """For each window of the row (one for TUMBLE), in order of their ends: the rest of
        the pipeline sees window_start/window_end appended to the row."""
        g, b = self.g, self.g.b
        agg = self.plan.aggregate
        keyed = agg is not None and agg.window is w
        tumble = w.function == "TUMBLE" or w is self.sliced
        # one_window: every row is in window win_k, open for all of them (the runtime's
        # check): the row's event time is not read for the window
        given = self.one_window and keyed and w.function == "TUMBLE"
        ts = None if given else env.get(w.time).v
        if given:
            first = self.win_k
            start, end = window_bounds(g, w, first)
        elif w is self.sliced:
            unit = self.plan.aggregate.slice
            part = replace(w, function="TUMBLE", size=unit, slide=unit, offset=w.offset % unit)
            first, start, end = self.tumble_window(part, ts, keyed, hop=w)
        elif tumble:
            first, start, end = self.tumble_window(w, ts, keyed)
        else:
            # ts lies in windows last, last - 1, ... while into + j * slide < size (none when
            # a slide longer than the size leaves ts in a gap); all small, exact numbers.
            last, into = window_number(g, w, ts)
            size = i64(w.size)
            count = b.select(b.icmp_signed("<", into, size),
                             b.add(b.udiv(b.sub(b.sub(size, i64(1)), into), i64(w.slide)),
                                   i64(1)), i64(0))
            # Windows numbered below INT64_MIN (beyond i64), or at it when keyed (the
            # runtime's empty mark), are not made; a row that had some counts an overflow error.
            room = b.sub(last, i64(EMPTY_WINDOW))   # windows above INT64_MIN up to last (u64)
            if keyed:
                cut = b.icmp_unsigned(">", count, room)
            else:
                cut = b.and_(b.icmp_signed("!=", count, i64(0)),
                             b.icmp_unsigned(">", b.sub(count, i64(1)), room))
                room = b.add(room, i64(1))
            g.count_error(cut)
            count = b.select(cut, room, count)
            first = b.add(b.sub(last, count), i64(1))
            if keyed:
                # HOP windows with gaps (slide > size) leave some rows in no window: not late.
                b.store(b.icmp_signed(">", count, i64(0)), self.reached_var)
        win_err = g.alloca(I64, "window_errors", i64(0))
        body = g.fn.append_basic_block("window.body")
        nxt = g.fn.append_basic_block("window.next")
        if tumble:
            # One window per row: no loop (an exit inside resumes the row from the start).
            b.branch(body)
            b.position_at_end(body)
            kk = i64(0)
        else:
            kk_var = g.alloca(I64, "kk")
            b.store(b.load(self.k_var, typ=I64), kk_var)
            head = g.fn.append_basic_block("window.head")
            b.branch(head)
            b.position_at_end(head)
            kk = b.load(kk_var, typ=I64)
            b.cbranch(b.icmp_signed("<", kk, count), body, cont)
            b.position_at_end(body)
            b.store(kk, self.k_var)      # an exit inside resumes at this window
        b.store(i64(0), win_err)
        outer_err = g.err_var
        g.err_var = win_err
        k = b.add(first, kk)
        if not tumble:
            start, end = window_bounds(g, w, k)
        if keyed and not given:
            closed = b.icmp_signed("<=", end, b.load(self.wm_var, typ=I64))
            open_ = g.fn.append_basic_block("window.open")
            if tumble:
                # The row's one window is closed: the row is late, counted here (HOP's rows
                # are counted at the row's end, late if no window of theirs was open).
                late = g.fn.append_basic_block("window.late")
                # (late rows are rare: the open path gets the registers)
                b.cbranch(closed, late, open_).set_weights([1, 99])
                b.position_at_end(late)
                reserved = b.icmp_signed("==", k, i64(EMPTY_WINDOW))   # see tumble_window
                g.count_error(reserved)
                b.store(b.add(b.load(self.late_var, typ=I64), b.zext(b.not_(reserved), I64)),
                        self.late_var)
                b.branch(nxt)
                b.position_at_end(open_)
            else:
                b.cbranch(closed, nxt, open_)
                b.position_at_end(open_)
                b.store(TRUE, self.open_var)
        width = len(w.input.fields)
        start_v, end_v = Val(start), Val(end)   # window bounds are i64 like the time column

        class Appended:
            def get(self, c: int) -> Val:
                if c < width:
                    return env.get(c)
                return start_v if c == width else end_v

        saved = self.window_id
        self.window_id = k if keyed else None
        self.consume(rest, Appended(), nxt)
        self.window_id = saved
        b.position_at_end(nxt)
        committed = self.committed_err
        b.store(b.add(b.load(committed, typ=I64), b.load(win_err, typ=I64)), committed)
        g.err_var = outer_err
        if tumble:
            b.branch(cont)
        else:
            b.store(b.add(b.load(kk_var, typ=I64), i64(1)), kk_var)
            b.branch(head)


__all__ = ["PipelineCodegen", "load_arrow_value"]
