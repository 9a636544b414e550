"""Physical planning: a stream's optimized plan becomes pipelines.

A pipeline reads one relation (a source, a stream, or a relation internal to this stream),
runs a chain of stateless operators in one fused loop, and ends in a sink: an aggregate, or
the output of rows. Every aggregate ends a pipeline; the filters and projections directly
above it run when it emits. Whatever follows (another window, another aggregate) reads the
emitted rows in a new pipeline, from an internal relation named `stream$N`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from .catalog import Catalog, Source
from .expr import Expr, Op
from .plan import (
    Aggregate,
    EmitMode,
    Field,
    Filter,
    Node,
    Project,
    Scan,
    Window,
    explain,
    find_window_keys,
)
from .types import BIGINT

# Lanes of a pre-aggregated window aggregate: its float SUM/AVG keep a partial sum per lane
# (LC_LANES in runtime/lc_runtime.h, which explains them; tests check the two agree).
LANES = 8


@dataclass(frozen=True)
class AggregateSink:
    node: Aggregate
    window: Window | None          # the Window in the chain that the aggregate groups by
    start_key: int | None          # positions of window_start / window_end among the keys
    end_key: int | None
    post: tuple[Node, ...]         # Filter / Project applied to emitted rows
    out_fields: tuple[Field, ...]  # fields of emitted rows
    # Pre-aggregated across workers (see PipelinePlan.preaggregable): a float SUM/AVG keeps
    # this many partial sums, one per lane of blocks (LC_LANES); else 1.
    lanes: int = 1
    # A pre-aggregated HOP whose rows count the same in each of their windows: each row goes
    # to one *slice* of this many time units (the gcd of size and slide), and a window is the
    # fold of its size / slice slices when it closes (0: a row updates each of its windows).
    slice: int = 0

    @property
    def preaggregated(self) -> bool:
        return self.lanes > 1

    @property
    def stored_keys(self) -> list[int]:
        """Key positions stored in table entries (window bounds come from the table)."""
        return [i for i in range(len(self.node.keys)) if i not in (self.start_key, self.end_key)]

    @property
    def changelog(self) -> bool:
        return self.node.emit is EmitMode.CHANGES

    @property
    def hidden_fields(self) -> tuple[Field, ...]:
        """Emitted rows carry hidden `$wend, $seq` columns: the window's end (0 without a
        window) and, per group, the source position of its first row (of its first row since
        the last emission, for a changelog). One worker emits in exactly that order; sorting
        by them merges the outputs of several workers into the same order. A pre-aggregated
        sink needs none: its windows are merged before they are emitted, and in that order
        (from the entries' own `seq`)."""
        if self.preaggregated:
            return ()
        return (Field("$wend", BIGINT, False), Field("$seq", BIGINT, False))

    @property
    def emitted_fields(self) -> tuple[Field, ...]:
        """What it writes: the fields of emitted rows, then the hidden merge columns."""
        return self.out_fields + self.hidden_fields


@dataclass(frozen=True)
class PipelinePlan:
    name: str                      # symbol prefix, unique per compiled statement
    produces: str                  # relation this pipeline's sink produces
    input: str                     # relation it reads
    input_fields: tuple[Field, ...]
    from_source: bool
    time_column: int | None        # source-rooted: event time, for per-row watermarks
    watermark_delay: int
    ops: tuple[Node, ...]          # Filter / Project / Window, bottom-up
    aggregate: AggregateSink | None
    out_fields: tuple[Field, ...]

    @property
    def emitted_fields(self) -> tuple[Field, ...]:
        """What the sink writes: the relation's fields, then any hidden merge columns."""
        return self.aggregate.emitted_fields if self.aggregate is not None else self.out_fields

    @property
    def partition_keys(self) -> list[int] | None:
        """Positions (in the aggregate's input) of the keys rows are partitioned by across
        workers: the group keys except window bounds. None when the pipeline is split by
        ranges instead (no aggregate), or cannot be partitioned: pre-aggregated, unless
        `routable`."""
        a = self.aggregate
        if a is None or not self.from_source or (a.preaggregated and not self.routable):
            return None
        return [a.node.keys[p] for p in a.stored_keys]

    @property
    def routable(self) -> bool:
        """A pre-aggregated TUMBLE or sliced HOP with group keys besides its window bounds:
        once its windows hold many groups, its rows may be routed by key instead, from one
        window on (see lc_combine.route_from in runtime/lc_runtime.h; a sliced HOP's slices
        are re-dealt by key then, lc_agg_reshard)."""
        a = self.aggregate
        return (a is not None and a.preaggregated and a.window is not None
                and (a.window.function == "TUMBLE" or bool(a.slice)) and bool(a.stored_keys))

    @property
    def window(self) -> Window | None:
        return next((op for op in self.ops if isinstance(op, Window)), None)

    @property
    def windows_per_row(self) -> int:
        """Upper bound of output rows per input row (HOP windows duplicate rows)."""
        w = self.window
        return 1 if w is None else -(-w.size // w.slide) + 1

    @property
    def preaggregable(self) -> bool:
        """Workers may each aggregate their own blocks of rows and merge the partial states
        of a window when it closes (instead of routing rows by key): a window aggregate over
        a source, emitted once per window, over event time, without DISTINCT (whose sets do
        not merge). A changelog would need the merged state after every insert."""
        a = self.aggregate
        return (a is not None and self.from_source and a.window is not None
                and a.node.emit is EmitMode.WINDOW_CLOSE and not self.proctime
                and not any(c.distinct for c in a.node.aggs))

    @property
    def dealable(self) -> bool:
        """Pre-aggregated over a TUMBLE of its source's event-time column itself: the runtime
        can number each row's window from that column alone, so it may deal whole windows to
        workers rather than blocks (see lc_combine.deal in runtime/lc_runtime.h)."""
        a = self.aggregate
        return (a is not None and a.preaggregated and a.window is not None
                and a.window.function == "TUMBLE" and self.time_column is not None
                and _window_time(self.ops, a.window) == self.time_column)

    @property
    def proctime(self) -> bool:
        """Its window is over processing time: its watermark is the wall clock, advanced by
        the engine, never the rows' event time."""
        if self.aggregate is None or self.aggregate.window is None:
            return False
        t = _window_time(self.ops, self.aggregate.window)
        if isinstance(t, Expr):
            return t.op is Op.PROCTIME
        return t is not None and self.input_fields[t].proctime

    @property
    def watermark_offset(self) -> int:
        """How far this pipeline's watermark is from its input relation's watermark: the
        time-attribute offset of the column its window aggregate is keyed on."""
        if self.aggregate is None or self.aggregate.window is None or self.from_source:
            return 0
        t = _window_time(self.ops, self.aggregate.window)
        return self.input_fields[t].time_offset or 0 if isinstance(t, int) else 0

    def describe(self) -> str:
        lines = [f"Pipeline {self.name}: {self.input} -> {self.produces}"]
        for op in reversed(self.ops):
            lines.append("  " + explain(op).splitlines()[0])
        if self.aggregate:
            a = self.aggregate
            kind = "window " if a.window is not None else ""
            sliced = f", in slices of {a.slice}" if a.slice else ""
            lines.append(f"  sink: {kind}aggregate, emit {a.node.emit.value}{sliced}")
            for op in reversed(a.post):
                lines.append("    on emit: " + explain(op).splitlines()[0])
        else:
            lines.append("  sink: output rows")
        return "\n".join(lines)


def _window_time(ops: tuple[Node, ...], target: Window) -> int | Expr | None:
    """Where the window's time column comes from, through projections: an input-relation
    column, the expression computing it here, or None (a bound of an earlier window)."""
    col = target.time
    for op in reversed(ops[: ops.index(target)]):
        if isinstance(op, Project):
            e = op.exprs[col]
            if e.op is not Op.COLUMN:
                return e
            col = e.value
        elif isinstance(op, Window) and col >= len(op.input.fields):
            return None
    return col


def _slice_width(ops: tuple[Node, ...], sink: AggregateSink) -> int:
    """The slice of a pre-aggregated HOP (AggregateSink.slice), or 0 when a row may not go
    to one slice: a TUMBLE, a HOP with at most one window a row, or a pipeline where anything
    but the grouping by window bounds depends on which window a row is in (a filter on
    window_end, an argument or another key computed from window_start, ...)."""
    w = sink.window
    at = next((i for i, op in enumerate(ops) if op is w), None)
    if w is None or w.function != "HOP" or w.size <= w.slide or at is None:
        return 0
    width = len(w.input.fields)
    bound = {width, width + 1}          # columns that depend on the row's window
    for op in ops[at + 1:]:
        if isinstance(op, Project):
            bound = {i for i, e in enumerate(op.exprs) if _reads(e, bound)}
        elif isinstance(op, Filter):
            if _reads(op.predicate, bound):
                return 0
        else:
            return 0
    node = sink.node   # (its window keys come from the table: a window's, once folded)
    if any(node.keys[p] in bound for p in sink.stored_keys):
        return 0
    if any(c in bound for a in node.aggs for c in (a.arg, a.filter) if c is not None):
        return 0
    return math.gcd(w.size, w.slide)


def _reads(e: Expr, columns: set[int]) -> bool:
    return any(x.op is Op.COLUMN and x.value in columns for x in e.walk())


def _chain(plan: Node) -> list[Node]:
    out = [plan]
    while out[-1].inputs:
        out.append(out[-1].inputs[0])
    return list(reversed(out))


def plan_pipelines(name: str, plan: Node, catalog: Catalog) -> list[PipelinePlan]:
    chain = _chain(plan)
    scan = chain[0]
    assert isinstance(scan, Scan), "every plan starts with a scan"
    ops = chain[1:]
    pipelines: list[PipelinePlan] = []
    input_name = scan.relation
    input_fields = scan.fields
    from_source = scan.is_source
    current: list[Node] = []

    def source_time() -> tuple[int | None, int]:
        if not from_source:
            return None, 0
        src = catalog.sources.get(input_name)
        if isinstance(src, Source):
            return src.time_column, src.watermark_delay
        return None, 0   # one-shot query over a view snapshot: no watermark

    i = 0
    while i < len(ops):
        op = ops[i]
        if not isinstance(op, Aggregate):
            current.append(op)
            i += 1
            continue
        post: list[Node] = []
        j = i + 1
        while j < len(ops) and isinstance(ops[j], Filter | Project):
            post.append(ops[j])
            j += 1
        produces = name if j == len(ops) else f"{name}${len(pipelines) + 1}"
        out_fields = post[-1].fields if post else op.fields
        wk = find_window_keys(op)
        sink = AggregateSink(op, *(wk if wk else (None, None, None)), tuple(post), out_fields)
        time_col, delay = source_time()
        plan_ = PipelinePlan(
            f"{name}_p{len(pipelines)}", produces, input_name, input_fields, from_source,
            time_col, delay, tuple(current), sink, out_fields,
        )
        if plan_.proctime:   # the clock, not the rows, moves its watermark
            plan_ = replace(plan_, time_column=None)
        if plan_.preaggregable:
            plan_ = replace(plan_, aggregate=replace(sink, lanes=LANES,
                                                     slice=_slice_width(plan_.ops, sink)))
        pipelines.append(plan_)
        input_name, input_fields, from_source = produces, out_fields, False
        current = []
        i = j
    if current or not pipelines:
        time_col, delay = source_time()
        pipelines.append(PipelinePlan(
            f"{name}_p{len(pipelines)}", name, input_name, input_fields, from_source, time_col,
            delay, tuple(current), None, plan.fields,
        ))
    return pipelines
