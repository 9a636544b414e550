"""Partition kernels: choose, for each row of a slice of a chunk, the worker that owns its
group.

    int64_t <name>_part_{dense,nulls}(lc_part* k, const lc_col* cols, int64_t start, int64_t n)

A kernel runs the pipeline's operators only as far as the partition keys need them (filters
that drop a row drop it here too, except filters on window bounds, which differ per window),
hashes the keys, and writes the row's destination into k->dest[row] (255: dropped). Nothing
else: the watermark breakpoints come from a scan of the event-time column in the runtime, and
workers evaluate the operators again on their own rows. Without filters or string keys the
loop is straight-line code that LLVM vectorizes. See runtime/lc_workers.c (exchanges).

A row a filter drops here never reaches a worker, so its expression errors are counted here
(in k->ctx), as one worker would count them: every column of a projection before the filter is
evaluated, and filters past a window (whose rows the workers evaluate once per window) are left
to the workers. A routed row's errors here are not counted; its worker counts them.
"""

from __future__ import annotations

from llvmlite import ir

from ..expr import columns_used
from ..physical import LANES
from ..plan import Filter, Node, Project, Window
from .abi import I8, I64, LC_CTX, LC_PART, PTR
from .aggregate import hash_keys, key_value
from .exprs import ValuesEnv, keep_if, lower, window_number
from .function import FnGen
from .pipeline import ScanEnv
from .values import FALSE, TRUE, Val, i64


class PartitionCodegen:
    def __init__(self, module: ir.Module, plan, nulls: bool):
        self.module = module
        self.plan = plan
        self.nulls = nulls
        variant = "nulls" if nulls else "dense"
        self.g = FnGen(module, f"{plan.name}_part_{variant}", I64, [PTR, PTR, I64, I64],
                       ["k", "cols", "start", "n"])

    @property
    def symbol(self) -> str:
        return self.g.fn.name

    def generate(self) -> None:
        g, plan = self.g, self.plan
        b = g.b
        k, cols, start, n = (g.args[x] for x in ("k", "cols", "start", "n"))
        g.setup_ctx(g.in_entry(lambda bb: LC_PART.gep(bb, k, "ctx")))
        row_err = g.err_var = g.alloca(I64, "row_errors", i64(0))
        dropped_err = g.alloca(I64, "dropped_errors", i64(0))
        i_var = g.alloca(I64, "i", start)
        dest = g.in_entry(lambda bb: LC_PART.load(bb, k, "dest"))
        nworkers = g.in_entry(lambda bb: LC_PART.load(bb, k, "nworkers"))

        head = g.fn.append_basic_block("head")
        row = g.fn.append_basic_block("row")
        loads = g.fn.append_basic_block("row.loads")
        body = g.fn.append_basic_block("row.body")
        row_end = g.fn.append_basic_block("row.end")
        dropped = g.fn.append_basic_block("row.dropped")
        done = g.fn.append_basic_block("done")
        g.exit_block = g.fn.append_basic_block("exit")
        g.start_body()
        b.branch(head)
        b.position_at_end(head)
        i = b.load(i_var, typ=I64, name="i")
        b.cbranch(b.icmp_signed("<", i, n), row, done)
        b.position_at_end(row)
        b.store(i64(0), g.scratch_used)
        b.store(i64(0), row_err)
        dest_p = b.gep(dest, [i], source_etype=I8)
        b.store(ir.Constant(I8, 255), dest_p)        # dropped, unless routed below
        b.branch(loads)
        b.position_at_end(loads)
        b.branch(body)
        b.position_at_end(body)
        env = ScanEnv(g, cols, plan.input_fields, self.nulls, loads, i)
        self.env = env
        keys = plan.partition_keys
        self.window_k: ir.Value | None = None
        vals, tainted = self.run_ops(list(plan.ops), env, set(), set(keys), dropped)
        window_keys = any(c in tainted for c in keys)
        # (a sliced HOP's keys never do: _slice_width lets nothing but the grouping read a
        # window's bounds, and its route re-deals slices by the tables' own hashes)
        assert not (window_keys and plan.aggregate.slice)
        if window_keys:
            h = i64(0)   # keys that depend on the window: every row to worker 0
        else:
            key_types = [plan.aggregate.node.input.fields[c].type for c in keys]
            h = hash_keys(g, [(key_value(g, vals.get(c), t), t) for c, t in zip(
                keys, key_types, strict=True)])
        # Lemire's multiply-shift on the hash's high half: the low half indexes tables.
        w = b.lshr(b.mul(b.lshr(h, i64(32)), nworkers), i64(32), name="worker")
        if plan.aggregate.preaggregated and not plan.aggregate.slice:
            w = self.lane_owner_before_route(w, i, nworkers, window_keys)
        b.store(b.trunc(w, I8), dest_p)
        b.branch(row_end)

        b.position_at_end(dropped)
        b.store(b.add(b.load(dropped_err, typ=I64), b.load(row_err, typ=I64)), dropped_err)
        b.branch(row_end)

        b.position_at_end(row_end)
        b.store(b.add(i, i64(1)), i_var)
        b.branch(head)

        def save(bb: ir.IRBuilder) -> None:
            errors = bb.add(LC_CTX.load(bb, g.ctx, "errors"), bb.load(dropped_err, typ=I64))
            LC_CTX.store(bb, errors, g.ctx, "errors")

        g.on_exit(save)
        g.loop_returns(done, n, i_var)

    def lane_owner_before_route(self, w: ir.Value, i: ir.Value, nworkers: ir.Value,
                                window_keys: bool) -> ir.Value:
        """A pre-aggregated TUMBLE (PipelinePlan.routable): a row whose window is numbered
        below k->route_from goes where it would without a route, to the worker of its
        block's lane (LC_LANES), as does every row when the keys depend on the window (no
        route could spread those). A sliced HOP's kernel has no such rows: its route
        re-deals every open slice by key first (lc_agg_reshard), so every row then goes to
        its group's worker, a late one too."""
        g = self.g
        b = g.b
        k = g.args["k"]
        route_from = g.in_entry(lambda bb: LC_PART.load(bb, k, "route_from"))
        rows = g.in_entry(lambda bb: LC_PART.load(bb, k, "block_rows"))
        base = g.in_entry(lambda bb: LC_PART.load(bb, k, "seq_base"))
        out = g.alloca(I64, "dest_worker")
        b.store(w, out)
        before = TRUE if window_keys else b.icmp_signed("<", self.window_k, route_from)
        with b.if_then(before, likely=False):
            lane = b.urem(b.udiv(b.add(base, i), rows), i64(LANES))
            b.store(b.urem(lane, nworkers), out)
        return b.load(out, typ=I64)

    def run_ops(self, ops: list[Node], env, tainted: set[int], needed_top: set[int],
                cont: ir.Block):
        """Evaluate what the partition keys need; returns (env, window-derived columns)."""
        g = self.g
        applied = _applied_filters(ops)
        agg = self.plan.aggregate
        numbered = agg.window if agg.preaggregated and not agg.slice else None   # (above)
        needs = _needed(ops, needed_top, applied, numbered)
        for idx, (op, needed) in enumerate(zip(ops, needs, strict=True)):
            if isinstance(op, Filter):
                if idx in applied:
                    keep_if(g, op.predicate, env, cont, "filter.pass")
            elif isinstance(op, Project):
                zero = Val(i64(0), FALSE)
                vals = [lower(g, e, env) if c in needed else zero
                        for c, e in enumerate(op.exprs)]
                tainted = {c for c, e in enumerate(op.exprs) if columns_used(e) & tainted}
                env = ValuesEnv(vals)
            elif isinstance(op, Window):
                if op is numbered:
                    self.window_k = window_number(g, op, env.get(op.time).v)[0]
                width = len(op.input.fields)
                inner, placeholder = env, Val(i64(0), FALSE)

                class Appended:
                    def get(self, c: int, inner=inner, width=width,
                            placeholder=placeholder) -> Val:
                        return inner.get(c) if c < width else placeholder

                env = Appended()
                tainted = tainted | {width, width + 1}
        return env, tainted


def _applied_filters(ops: list[Node]) -> set[int]:
    """The positions of the filters a kernel applies: those before any window (past one, the
    workers evaluate a filter once per window, errors included)."""
    end = next((i for i, op in enumerate(ops) if isinstance(op, Window)), len(ops))
    return {i for i, op in enumerate(ops[:end]) if isinstance(op, Filter)}


def _needed(ops: list[Node], top: set[int], applied: set[int],
            numbered: Window | None) -> list[set[int]]:
    """For each op, which of its output columns the kernel must compute: what the keys and
    the applied filters read, the event time of `numbered` (a pre-aggregated pipeline's
    window, which routing numbers), and the whole of a projection before an applied filter
    (a row that filter drops has then counted the errors one worker would count)."""
    out: list[set[int]] = []
    need = set(top)
    last = max(applied, default=-1)
    for idx in reversed(range(len(ops))):
        op = ops[idx]
        if isinstance(op, Project) and idx < last:
            need = set(range(len(op.exprs)))
        out.append(need)
        if isinstance(op, Filter):
            if idx in applied:
                need = need | columns_used(op.predicate)
        elif isinstance(op, Project):
            need = set().union(*(columns_used(op.exprs[c]) for c in need)) if need else set()
        elif isinstance(op, Window):
            width = len(op.input.fields)
            need = {c for c in need if c < width}
            if op is numbered:   # the kernel numbers its windows by their event time
                need.add(op.time)
    return list(reversed(out))
