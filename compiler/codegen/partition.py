"""Partition kernels: choose, for each row of a slice of a chunk, the worker that owns its
group.

    int64_t <name>_part_{dense,nulls}(lc_part* k, const lc_col* cols, int64_t start, int64_t n)

A kernel runs the pipeline's operators only as far as the partition keys need them (filters
that drop a row drop it here too, except filters on window bounds, which differ per window),
hashes the keys, and writes the row's destination into k->dest[row] (255: dropped). Nothing
else: the watermark breakpoints come from a scan of the event-time column in the runtime, and
workers evaluate the operators again on their own rows. Without filters or string keys the
loop is straight-line code that LLVM vectorizes. See runtime/lc_workers.c (exchanges).
"""

from __future__ import annotations

from llvmlite import ir

from ..expr import columns_used
from ..physical import LANES
from ..plan import Filter, Node, Project, Window
from .abi import I8, I64, LC_PART, PTR
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
        g.err_var = g.alloca(I64, "ignored_errors", i64(0))   # workers count them
        i_var = g.alloca(I64, "i", start)
        dest = g.in_entry(lambda bb: LC_PART.load(bb, k, "dest"))
        nworkers = g.in_entry(lambda bb: LC_PART.load(bb, k, "nworkers"))

        head = g.fn.append_basic_block("head")
        row = g.fn.append_basic_block("row")
        loads = g.fn.append_basic_block("row.loads")
        body = g.fn.append_basic_block("row.body")
        row_end = g.fn.append_basic_block("row.end")
        done = g.fn.append_basic_block("done")
        g.exit_block = g.fn.append_basic_block("exit")
        g.start_body()
        b.branch(head)
        b.position_at_end(head)
        i = b.load(i_var, typ=I64, name="i")
        b.cbranch(b.icmp_signed("<", i, n), row, done)
        b.position_at_end(row)
        b.store(i64(0), g.scratch_used)
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
        vals, tainted = self.run_ops(list(plan.ops), env, set(), set(keys), row_end)
        window_keys = any(c in tainted for c in keys)
        if window_keys:
            h = i64(0)   # keys that depend on the window: every row to worker 0
        else:
            key_types = [plan.aggregate.node.input.fields[c].type for c in keys]
            h = hash_keys(g, [(key_value(g, vals.get(c), t), t) for c, t in zip(
                keys, key_types, strict=True)])
        # Lemire's multiply-shift on the hash's high half: the low half indexes tables.
        w = b.lshr(b.mul(b.lshr(h, i64(32)), nworkers), i64(32), name="worker")
        if plan.aggregate.preaggregated:
            w = self.lane_owner_before_route(w, i, nworkers, window_keys)
        b.store(b.trunc(w, I8), dest_p)
        b.branch(row_end)

        b.position_at_end(row_end)
        b.store(b.add(i, i64(1)), i_var)
        b.branch(head)
        g.loop_returns(done, n, i_var)

    def lane_owner_before_route(self, w: ir.Value, i: ir.Value, nworkers: ir.Value,
                                window_keys: bool) -> ir.Value:
        """A pre-aggregated TUMBLE (PipelinePlan.routable): a row whose window is numbered
        below k->route_from goes where it would without a route, to the worker of its
        block's lane (LC_LANES), as does every row when the keys depend on the window (no
        route could spread those)."""
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
        needs = _needed(ops, needed_top)
        for op, needed in zip(ops, needs, strict=True):
            if isinstance(op, Filter):
                if columns_used(op.predicate) & tainted:
                    continue   # a filter on window bounds: the workers decide per window
                keep_if(g, op.predicate, env, cont, "filter.pass")
            elif isinstance(op, Project):
                zero = Val(i64(0), FALSE)
                vals = [lower(g, e, env) if c in needed else zero
                        for c, e in enumerate(op.exprs)]
                tainted = {c for c, e in enumerate(op.exprs) if columns_used(e) & tainted}
                env = ValuesEnv(vals)
            elif isinstance(op, Window):
                if op is self.plan.aggregate.window and self.plan.aggregate.preaggregated:
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


def _needed(ops: list[Node], top: set[int]) -> list[set[int]]:
    """For each op, which of its output columns the kernel must compute."""
    out: list[set[int]] = []
    need = set(top)
    for op in reversed(ops):
        out.append(need)
        if isinstance(op, Filter):
            need = need | columns_used(op.predicate)
        elif isinstance(op, Project):
            need = set().union(*(columns_used(op.exprs[c]) for c in need)) if need else set()
        elif isinstance(op, Window):
            width = len(op.input.fields)
            need = {c for c in need if c < width}
    return list(reversed(out))
