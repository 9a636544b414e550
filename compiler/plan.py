"""Logical operator IR: small frozen nodes tagged by `NodeKind`, one input each (no joins yet).

Every node knows its output `fields`. Expressions inside a node refer to the columns of its
input by position. A field may be an event-time attribute: `time_offset` is not None, and its
values are on time when >= the relation's watermark + time_offset (source columns: 0; a window
aggregate's window_end: 0, window_start: -size).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import ClassVar

from .expr import Expr, Op, columns_used, fmt
from .types import BIGINT, BOOLEAN, DOUBLE, TINYINT, Kind, SqlType, decimal


class NodeKind(enum.Enum):
    SCAN = "Scan"             # a source or a stream, the leaf of every plan
    FILTER = "Filter"         # keeps rows whose predicate is TRUE
    PROJECT = "Project"       # computes new columns from each row
    WINDOW = "Window"         # appends window_start, window_end (HOP: one row per window)
    AGGREGATE = "Aggregate"   # groups rows, optionally per window; a pipeline breaker


class EmitMode(enum.Enum):
    WINDOW_CLOSE = "ON WINDOW CLOSE"   # each window's rows once, when the watermark passes it
    CHANGES = "CHANGES"                # changelog: -old/+new rows per insert
    FINAL = "FINAL"                    # one-shot queries: the final state at end of input


class AggFunc(enum.Enum):
    COUNT_STAR = "COUNT(*)"
    COUNT = "COUNT"
    SUM = "SUM"
    MIN = "MIN"
    MAX = "MAX"
    AVG = "AVG"


@dataclass(frozen=True)
class Field:
    name: str
    type: SqlType
    nullable: bool = True
    time_offset: int | None = None
    proctime: bool = False    # a processing-time attribute (PROCTIME()): windows over it close
                              # as the wall clock passes their end

    def __str__(self) -> str:
        return self.name


OP_FIELD = Field("_op", TINYINT, nullable=False)


@dataclass(frozen=True)
class AggCall:
    func: AggFunc
    arg: int | None           # input column (None for COUNT(*))
    distinct: bool = False
    filter: int | None = None  # input BOOLEAN column of FILTER (WHERE ...)
    arg_type: SqlType | None = None

    @property
    def type(self) -> SqlType:
        return agg_result_type(self.func, self.arg_type)

    @property
    def nullable(self) -> bool:
        return self.func not in (AggFunc.COUNT, AggFunc.COUNT_STAR)


def agg_result_type(func: AggFunc, arg: SqlType | None) -> SqlType:
    """Result types follow DuckDB where it is the oracle (AVG is DOUBLE; SUM widens)."""
    if func in (AggFunc.COUNT, AggFunc.COUNT_STAR):
        return BIGINT
    assert arg is not None, "an aggregate other than COUNT(*) has an argument"
    if func is AggFunc.AVG:
        return DOUBLE
    if func is AggFunc.SUM:
        if arg.is_integer:
            return BIGINT
        if arg.kind is Kind.DECIMAL:
            return decimal(18, arg.scale)
        if arg.is_float:
            return DOUBLE
        return arg
    return arg


@dataclass(frozen=True)
class Node:
    kind: ClassVar[NodeKind]
    fields: tuple[Field, ...]

    @property
    def inputs(self) -> tuple[Node, ...]:
        return ()

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]


@dataclass(frozen=True)
class Scan(Node):
    kind: ClassVar[NodeKind] = NodeKind.SCAN
    relation: str = ""
    is_source: bool = True
    changelog: bool = False   # rows carry a trailing `_op` column (+1 insert, -1 retract)


@dataclass(frozen=True)
class Filter(Node):
    kind: ClassVar[NodeKind] = NodeKind.FILTER
    input: Node = None  # type: ignore[assignment]
    predicate: Expr = None  # type: ignore[assignment]

    @property
    def inputs(self) -> tuple[Node, ...]:
        return (self.input,)


@dataclass(frozen=True)
class Project(Node):
    kind: ClassVar[NodeKind] = NodeKind.PROJECT
    input: Node = None  # type: ignore[assignment]
    exprs: tuple[Expr, ...] = ()

    @property
    def inputs(self) -> tuple[Node, ...]:
        return (self.input,)


@dataclass(frozen=True)
class Window(Node):
    kind: ClassVar[NodeKind] = NodeKind.WINDOW
    input: Node = None  # type: ignore[assignment]
    function: str = "TUMBLE"  # TUMBLE | HOP
    time: int = 0             # input column of event time
    size: int = 0             # in units of the time column
    slide: int = 0            # HOP slide (TUMBLE: equal to size)
    offset: int = 0

    @property
    def inputs(self) -> tuple[Node, ...]:
        return (self.input,)


@dataclass(frozen=True)
class Aggregate(Node):
    kind: ClassVar[NodeKind] = NodeKind.AGGREGATE
    input: Node = None  # type: ignore[assignment]
    keys: tuple[int, ...] = ()
    aggs: tuple[AggCall, ...] = ()
    emit: EmitMode = EmitMode.CHANGES
    # Set by physical planning when keys include the window bounds of a Window below.
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def inputs(self) -> tuple[Node, ...]:
        return (self.input,)


def window_fields(time_field: Field) -> tuple[Field, Field]:
    """window_start and window_end, typed like the time column. They become event-time
    attributes of a window aggregate's output (see module docstring)."""
    return (
        Field("window_start", time_field.type, nullable=False),
        Field("window_end", time_field.type, nullable=False),
    )


def has_aggregate(node: Node) -> bool:
    return isinstance(node, Aggregate) or any(has_aggregate(c) for c in node.inputs)


def find_window_keys(agg: Aggregate) -> tuple[Window, int | None, int | None] | None:
    """When the aggregate groups by window_start and/or window_end of a Window below it
    (through filters and column-only projections): that window and the positions of the two
    bounds among the keys. Such an aggregate keeps one table per window and emits a window
    when the watermark passes its end."""
    traced = dict(enumerate(agg.keys))   # key position -> column of the current node
    node = agg.input
    while True:
        if isinstance(node, Window):
            n = len(node.input.fields)
            start = next((p for p, c in traced.items() if c == n), None)
            end = next((p for p, c in traced.items() if c == n + 1), None)
            return None if start is None and end is None else (node, start, end)
        if isinstance(node, Filter):
            node = node.input
        elif isinstance(node, Project):
            traced = {
                p: node.exprs[c].value for p, c in traced.items() if node.exprs[c].op is Op.COLUMN
            }
            node = node.input
        else:
            return None


# ---------------------------------------------------------------------------------------------
# printer
# ---------------------------------------------------------------------------------------------
def explain(node: Node, indent: int = 0) -> str:
    """Deterministic plan text, one operator per line, children indented."""
    pad = "  " * indent
    inner = node.inputs[0].names if node.inputs else []
    line = pad + _describe(node, inner)
    rest = "".join("\n" + explain(c, indent + 1) for c in node.inputs)
    return line + rest


def _describe(node: Node, inner: list[str]) -> str:
    if isinstance(node, Scan):
        kind = "source" if node.is_source else "stream"
        cl = " changelog" if node.changelog else ""
        return f"Scan {node.relation} ({kind}{cl}) [{', '.join(node.names)}]"
    if isinstance(node, Filter):
        return f"Filter {fmt(node.predicate, inner)}"
    if isinstance(node, Project):
        items = [
            fmt(e, inner) if e.op is Op.COLUMN and inner[e.value] == f.name
            else f"{fmt(e, inner)} AS {f.name}"
            for e, f in zip(node.exprs, node.fields, strict=True)
        ]
        return f"Project [{', '.join(items)}]"
    if isinstance(node, Window):
        t = inner[node.time] + f"#{node.time}"
        if node.function == "TUMBLE":
            args = f"size={node.size}"
        else:
            args = f"slide={node.slide}, size={node.size}"
        if node.offset:
            args += f", offset={node.offset}"
        return f"Window {node.function}({t}, {args})"
    if isinstance(node, Aggregate):
        keys = ", ".join(f"{inner[k]}#{k}" for k in node.keys)
        aggs = ", ".join(_fmt_agg(a, inner) for a in node.aggs)
        return f"Aggregate keys=[{keys}] aggs=[{aggs}] emit={node.emit.value}"
    raise AssertionError(f"no printer for {node.kind}")


def _fmt_agg(a: AggCall, inner: list[str]) -> str:
    if a.func is AggFunc.COUNT_STAR:
        text = "COUNT(*)"
    else:
        d = "DISTINCT " if a.distinct else ""
        text = f"{a.func.value}({d}{inner[a.arg]}#{a.arg})"
    if a.filter is not None:
        text += f" FILTER({inner[a.filter]}#{a.filter})"
    return text


# ---------------------------------------------------------------------------------------------
# verifier
# ---------------------------------------------------------------------------------------------
def verify(node: Node) -> None:
    """Check the invariants passes rely on; raises AssertionError naming the broken one."""
    for child in node.inputs:
        verify(child)
    width = len(node.inputs[0].fields) if node.inputs else 0
    if isinstance(node, Filter):
        assert node.predicate.type == BOOLEAN, "a filter predicate is BOOLEAN"
        assert max(columns_used(node.predicate), default=-1) < width, "filter columns in range"
        assert node.fields == node.input.fields, "a filter keeps its input's fields"
    elif isinstance(node, Project):
        assert len(node.exprs) == len(node.fields), "one expression per projected field"
        for e, f in zip(node.exprs, node.fields, strict=True):
            assert max(columns_used(e), default=-1) < width, "project columns in range"
            assert e.type == f.type, f"field {f.name} has its expression's type"
    elif isinstance(node, Window):
        assert 0 <= node.time < width, "window time column in range"
        assert node.size > 0 and node.slide > 0, "window size and slide are positive"
        assert len(node.fields) == width + 2, "a window appends window_start and window_end"
    elif isinstance(node, Aggregate):
        assert all(0 <= k < width for k in node.keys), "aggregate keys in range"
        for a in node.aggs:
            assert (a.arg is None) == (a.func is AggFunc.COUNT_STAR), "only COUNT(*) has no arg"
            assert a.arg is None or 0 <= a.arg < width, "aggregate argument in range"
            if a.filter is not None:
                assert node.input.fields[a.filter].type == BOOLEAN, "FILTER is BOOLEAN"
        assert len(node.fields) == len(node.keys) + len(node.aggs) + (
            1 if node.emit is EmitMode.CHANGES else 0
        ), "aggregate fields: keys, aggregates, and _op for a changelog"
