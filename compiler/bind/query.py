"""SELECT statements to logical plans.

A query reads one relation (a source, a stream, a window table function over either, or a
subquery), filters it, optionally groups it (per window or not), and projects. Streaming
queries may not ORDER BY or LIMIT; one-shot queries (`db.query`) may, and read materialized
views only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlglot import exp

from ..catalog import Catalog, Source, Stream
from ..dialect import Descriptor, Emit, TableArg, WindowCall, sql_text
from ..errors import error_at
from ..expr import Expr, Op, col
from ..plan import (
    OP_FIELD,
    AggCall,
    AggFunc,
    Aggregate,
    EmitMode,
    Field,
    Filter,
    Node,
    Project,
    Scan,
    Window,
    find_window_keys,
    has_aggregate,
    window_fields,
)
from ..types import BIGINT, Kind, SqlType
from .expressions import AggregateSlots, ExprBinder, GroupWindow, contains_aggregate
from .literals import bind_interval
from .scope import Scope, normalize

# Each row of a HOP window is aggregated into (or copied to) every window holding it, so the
# work of a row grows with size / slide; past this, a query could never keep up (or fit its
# output in memory), and it is refused when it is declared instead.
MAX_WINDOWS_PER_ROW = 100_000


@dataclass
class BoundQuery:
    plan: Node
    changelog: bool
    inputs: set[str] = field(default_factory=set)
    order: list[tuple[int, bool, bool]] = field(default_factory=list)  # (column, desc, nulls first)
    limit: int | None = None
    offset: int = 0


@dataclass
class Relation:
    """The FROM clause once bound: its plan, scope and what is known about windows in it."""

    node: Node
    scope: Scope
    changelog: bool
    window: Window | None = None   # a window table function directly in FROM


class QueryBinder:
    def __init__(self, catalog: Catalog, one_shot: bool = False):
        self.catalog = catalog
        self.one_shot = one_shot
        self.inputs: set[str] = set()

    # -----------------------------------------------------------------------------------
    def bind(self, query: exp.Expr) -> BoundQuery:
        if isinstance(query, exp.Subquery):
            query = query.this
        if not isinstance(query, exp.Select):
            raise error_at(query, f"{query.key.upper()} queries are not supported; use SELECT")
        for unsupported in ("with_", "joins", "laterals", "pivots", "qualify", "windows", "match",
                            "connect", "sort", "cluster", "distribute", "locks", "sample"):
            part = query.args.get(unsupported)
            if part:
                what = {"with_": "WITH (common table expressions)", "joins": "joins"}.get(
                    unsupported, unsupported.upper())
                first = part[0] if isinstance(part, list) else part
                raise error_at(first, f"{what} are not supported yet" if unsupported in (
                    "with_", "joins") else f"{what} is not supported")
        if not query.args.get("from_"):
            raise error_at(query, "a query needs a FROM clause")
        rel = self.bind_from(query.args["from_"].this)
        node = rel.node
        where = query.args.get("where")
        if where is not None:
            if contains_aggregate(where.this):
                raise error_at(where.this, "aggregate functions are not allowed in WHERE")
            pred = ExprBinder(rel.scope).bind_predicate(where.this, "WHERE")
            node = Filter(node.fields, node, pred)
        rel = Relation(node, rel.scope, rel.changelog, rel.window)

        selects = query.expressions
        group = query.args.get("group")
        having = query.args.get("having")
        distinct = query.args.get("distinct")
        is_agg = bool(group) or any(contains_aggregate(s) for s in selects) or (
            having is not None)
        if distinct is not None:
            if is_agg:
                raise error_at(distinct, "SELECT DISTINCT with GROUP BY, HAVING or aggregate "
                               "functions is not supported yet")
            if distinct.args.get("on"):
                raise error_at(distinct, "DISTINCT ON is not supported")
        emit = query.args.get("emit")
        if is_agg or distinct is not None:
            node, names, changelog = self.bind_aggregate(query, rel, distinct is not None, emit)
        else:
            if emit is not None:
                raise error_at(emit, "EMIT applies to aggregating queries")
            node, names = self.bind_select_list(selects, rel)
            changelog = rel.changelog
        bound = BoundQuery(node, changelog, self.inputs)
        self.bind_order_limit(query, bound, names)
        return bound

    # -----------------------------------------------------------------------------------
    # FROM
    # -----------------------------------------------------------------------------------
    def bind_from(self, item: exp.Expr) -> Relation:
        if isinstance(item, exp.Subquery):
            inner = QueryBinder(self.catalog, self.one_shot)
            bq = inner.bind(item.this)
            if bq.order or bq.limit is not None:
                raise error_at(item, "ORDER BY / LIMIT in a subquery are not supported")
            self.inputs |= bq.inputs
            alias = normalize(item.args["alias"].this) if item.args.get("alias") else ""
            hidden = ("_op",) if bq.changelog else ()
            return Relation(bq.plan, Scope.of(bq.plan.fields, alias, hidden), bq.changelog)
        if not isinstance(item, exp.Table):
            raise error_at(item, f"unsupported FROM item: {sql_text(item)}")
        alias = normalize(item.args["alias"].this) if item.args.get("alias") else ""
        inner = item.this
        if isinstance(inner, exp.Anonymous) and inner.name.upper() == "TABLE":
            if len(inner.expressions) != 1 or not isinstance(inner.expressions[0], WindowCall):
                raise error_at(inner, "TABLE(...) takes a window function: TUMBLE or HOP")
            return self.bind_window_tvf(inner.expressions[0], alias)
        if isinstance(inner, WindowCall):
            return self.bind_window_tvf(inner, alias)
        if item.args.get("db") or item.args.get("catalog"):
            raise error_at(item, "qualified relation names are not supported")
        node, changelog, relation = self.scan(item)
        hidden = ("_op",) if changelog else ()
        return Relation(node, Scope.of(node.fields, alias or relation, hidden), changelog)

    def scan(self, table: exp.Table) -> tuple[Node, bool, str]:
        """The plan that reads a named relation: a Scan, or the whole plan of a stateless stream
        (inlined, so per-row watermarks of its source stay exact)."""
        name = normalize(table.this if isinstance(table.this, exp.Identifier) else None)
        rel = self.catalog.lookup(name)
        if rel is None:
            known = ", ".join(sorted([*self.catalog.sources, *self.catalog.streams])) or "none"
            raise error_at(table, f"unknown relation '{name}' (known: {known})")
        self.inputs.add(name)
        if self.one_shot:
            if not (isinstance(rel, Stream) and rel.materialized):
                kind = "source" if isinstance(rel, Source) else "stream"
                raise error_at(table, f"one-shot queries read materialized views; '{name}' is a "
                               f"{kind}: subscribe to it, or CREATE MATERIALIZED VIEW over it")
            fields = tuple(replace(f, time_offset=None) for f in rel.fields if f.name != "_op")
            return Scan(fields, relation=name, is_source=True), False, name
        if isinstance(rel, Source):
            return Scan(rel.fields, relation=name, is_source=True), False, name
        if not has_aggregate(rel.plan):
            return rel.plan, rel.changelog, name
        scan = Scan(rel.fields, relation=name, is_source=False, changelog=rel.changelog)
        return scan, rel.changelog, name

    def bind_window_tvf(self, call: WindowCall, alias: str) -> Relation:
        func = call.name.upper()
        if func not in ("TUMBLE", "HOP"):
            raise error_at(call, f"{func} windows are not supported yet (TUMBLE and HOP are)")
        names = ["DATA", "TIMECOL", *(["SIZE"] if func == "TUMBLE" else ["SLIDE", "SIZE"]),
                 "OFFSET"]
        args: dict[str, exp.Expr] = {}
        for i, a in enumerate(call.expressions or []):
            if i >= len(names):
                raise error_at(a, f"too many arguments to {func}")
            args[names[i]] = a
        for a in call.args.get("named") or []:
            key = a.this.name.upper()
            if key not in names:
                raise error_at(a, f"{func} has no argument named {key}")
            args[key] = a.expression
        for required in names[:-1]:
            if required not in args:
                raise error_at(call, f"{func} needs the argument {required}")
        data = args["DATA"]
        if not isinstance(data, TableArg):
            raise error_at(data, f"the first argument of {func} is TABLE <name>")
        node, changelog, relation = self.scan(data.this)
        if changelog:
            raise error_at(data, f"{func} over the changelog stream '{relation}' is not supported")
        scope = Scope.of(node.fields, relation)
        desc = args["TIMECOL"]
        if not isinstance(desc, Descriptor) or len(desc.expressions) != 1:
            raise error_at(desc, f"the time argument of {func} is DESCRIPTOR(column)")
        time_col = scope.resolve(desc.expressions[0])
        window = self.make_window(func, node, time_col.index, args, desc.expressions[0])
        return Relation(window, window_scope(window, alias or relation), False, window)

    def make_window(self, func: str, node: Node, time: int, args: dict[str, exp.Expr],
                    time_node: exp.Expr) -> Window:
        tf = node.fields[time]
        if tf.type.kind is not Kind.TIMESTAMP and tf.type != BIGINT:
            raise error_at(time_node, f"window time column '{tf.name}' must be TIMESTAMP or "
                           f"BIGINT epoch milliseconds, not {tf.type}")
        if not self.one_shot and tf.time_offset is None and not tf.proctime:
            raise error_at(time_node, f"column '{tf.name}' has no watermark: declare "
                           f"WATERMARK FOR {tf.name} in its source, or window on a column that "
                           "carries event time (or processing time: PROCTIME())")
        size = self.duration(args["SIZE"], tf.type)
        slide = self.duration(args["SLIDE"], tf.type) if func == "HOP" else size
        if -(-size // slide) > MAX_WINDOWS_PER_ROW:
            raise error_at(args["SIZE"], f"HOP puts each row in {-(-size // slide):,} windows "
                           f"(size / slide); at most {MAX_WINDOWS_PER_ROW:,} are supported")
        # An offset shifts the windows by itself modulo the slide (Flink's, positive or
        # negative): reduced to 0 <= offset < slide, window arithmetic never overflows.
        offset = self.duration(args["OFFSET"], tf.type, signed=True) % slide \
            if "OFFSET" in args else 0
        start, end = window_fields(tf)
        return Window((*node.fields, start, end), node, func, time, size, slide, offset)

    def duration(self, node: exp.Expr, time_type: SqlType, signed: bool = False) -> int:
        """A window size or slide (positive), or an offset (`signed`: any sign), in units of
        the time column."""
        if signed and isinstance(node, exp.Neg):
            return -self.duration(node.this, time_type, signed)
        if isinstance(node, exp.Interval):
            months, micros = bind_interval(node)
            if months:
                raise error_at(node, "windows sized in months or years are not supported")
            unit = time_type.time_unit_us
            if micros % unit:
                raise error_at(node, f"interval is finer than the time column's unit ({time_type})")
            v = micros // unit
        elif isinstance(node, exp.Literal) and not node.is_string and node.this.isdigit() and \
                time_type == BIGINT:
            v = int(node.this)   # BIGINT event time: plain integers are milliseconds
        else:
            raise error_at(node, "expected an INTERVAL literal")
        if not signed and v <= 0:
            raise error_at(node, "window sizes and slides must be positive")
        if abs(v) > 2**63 - 1:
            raise error_at(node, "window offset is out of range" if signed else
                           "window size is out of range")
        return v

    # -----------------------------------------------------------------------------------
    # SELECT list without aggregation
    # -----------------------------------------------------------------------------------
    def bind_select_list(self, selects: list[exp.Expr], rel: Relation) -> tuple[Node, list[str]]:
        binder = ExprBinder(rel.scope)
        exprs: list[Expr] = []
        fields: list[Field] = []
        for item in selects:
            for e, f in self.select_item(item, rel.scope, binder):
                exprs.append(e)
                fields.append(f)
        names = [f.name for f in fields]
        if rel.changelog:
            i = len(rel.node.fields) - 1
            exprs.append(col(i, OP_FIELD.type, False, "_op"))
            fields.append(OP_FIELD)
        return Project(tuple(fields), rel.node, tuple(exprs)), names

    def select_item(self, item: exp.Expr, scope: Scope, binder: ExprBinder):
        """(expr, field) pairs of one select item; `*` expands to several."""
        if is_star(item):
            for e, f in star_columns(item, scope):
                if not binder.output:
                    yield e, f
                    continue
                # Over an aggregate `*` names its input's columns, each of which must be a
                # GROUP BY key, and reads the aggregate's column of that key (whose time
                # attribute, a window bound's, bind_aggregate sets as for any key).
                key = binder.output_key(e)
                if key is None:
                    raise error_at(item, f"column '{f.name}' (from *) must appear in the "
                                   "GROUP BY clause or be used in an aggregate function")
                yield key, Field(f.name, key.type, key.nullable)
            return
        name, node = output_name(item)
        e = binder.bind(node)
        if e.type.kind is Kind.NULL:
            raise error_at(node, "the type of a bare NULL is unknown; CAST it")
        time_offset, proctime = None, e.op is Op.PROCTIME
        if e.op is Op.COLUMN and not binder.output:
            source_field = scope.columns[e.value].field
            time_offset, proctime = source_field.time_offset, source_field.proctime
        yield e, Field(name, e.type, e.nullable, time_offset, proctime)

    # -----------------------------------------------------------------------------------
    # aggregation
    # -----------------------------------------------------------------------------------
    def bind_aggregate(self, query: exp.Select, rel: Relation, distinct: bool,
                       emit: Emit | None) -> tuple[Node, list[str], bool]:
        if rel.changelog:
            raise error_at(query.args["from_"], "aggregating a changelog stream (the output of "
                           "an unwindowed GROUP BY) is not supported yet")
        node, scope = rel.node, rel.scope
        group = query.args.get("group")
        group_items = list(group.expressions) if group else []
        if group and (group.args.get("rollup") or group.args.get("cube") or
                      group.args.get("grouping_sets")):
            raise error_at(group, "ROLLUP, CUBE and GROUPING SETS are not supported")
        # A window in GROUP BY (group-window form) adds hidden window_start/window_end columns.
        gwindow: GroupWindow | None = None
        calls = [g for g in group_items if isinstance(g, WindowCall)]
        if len(calls) > 1:
            raise error_at(calls[1], "GROUP BY can hold one window")
        if calls:
            node, scope, gwindow = self.group_window(calls[0], node, scope)
        selects = query.expressions
        if distinct:
            group_items = [s if is_star(s) else output_name(s)[1] for s in selects]
        # GROUP BY keys, bound over the input; aliases and ordinals of the select list work too.
        keys: list[Expr] = []
        input_binder = ExprBinder(scope, window=gwindow)
        for g in group_items:
            if is_star(g):   # SELECT DISTINCT *: every column a key
                keys += [k for k, _ in star_columns(g, scope) if k not in keys]
                continue
            if isinstance(g, WindowCall):
                keys.append(col(gwindow.start_column, gwindow.time_type, False, "window_start"))
                keys.append(col(gwindow.end_column, gwindow.time_type, False, "window_end"))
                continue
            if not distinct:   # DISTINCT's keys are the select list's expressions themselves
                g = self.resolve_group_alias(g, selects, scope)
            if contains_aggregate(g):
                raise error_at(g, "aggregate functions are not allowed in GROUP BY")
            k = input_binder.bind(g)
            if k not in keys:
                keys.append(k)
        slots = AggregateSlots(keys)
        out_binder = ExprBinder(scope, slots, gwindow, output=True)
        out_exprs: list[Expr] = []
        out_fields: list[Field] = []
        for item in selects:
            for e, f in self.select_item(item, scope, out_binder):
                out_exprs.append(e)
                out_fields.append(f)
        having = query.args.get("having")
        having_pred = out_binder.bind_predicate(having.this, "HAVING") if having else None

        # Pre-projection: keys, then the aggregates' arguments and filters.
        pre: list[Expr] = list(keys)

        def slot(e: Expr | None) -> int | None:
            if e is None:
                return None
            if e not in pre:
                pre.append(e)
            return pre.index(e)

        calls_bound = [
            AggCall(func, slot(arg), dist, slot(filt), arg.type if arg is not None else None)
            for func, arg, dist, filt in slots.calls
        ]
        pre_fields = tuple(
            Field(f"${i}", e.type, e.nullable,
                  scope.columns[e.value].field.time_offset if e.op is Op.COLUMN else None)
            for i, e in enumerate(pre)
        )
        for i, e in enumerate(keys):
            if e.op is Op.COLUMN:
                pre_fields = (*pre_fields[:i], replace(pre_fields[i], name=e.label or f"${i}"),
                              *pre_fields[i + 1:])
        pre_node = Project(pre_fields, node, tuple(pre))

        agg = Aggregate((), pre_node, tuple(range(len(keys))), tuple(calls_bound))
        wk = find_window_keys(agg)
        mode = self.emit_mode(emit, wk is not None)
        agg_fields = [
            Field(pre_fields[i].name, keys[i].type, keys[i].nullable) for i in range(len(keys))
        ]
        if wk is not None and mode is EmitMode.WINDOW_CLOSE:
            # The emitted rows' window bounds are event-time attributes downstream.
            window, start_key, end_key = wk
            if end_key is not None:
                agg_fields[end_key] = replace(agg_fields[end_key], time_offset=0)
            if start_key is not None:
                agg_fields[start_key] = replace(agg_fields[start_key], time_offset=-window.size)
        agg_fields += [
            Field(f"${len(keys) + i}", c.type, c.nullable) for i, c in enumerate(calls_bound)
        ]
        changelog = mode is EmitMode.CHANGES
        if changelog:
            agg_fields.append(OP_FIELD)
        out: Node = Aggregate(tuple(agg_fields), pre_node, agg.keys, agg.aggs, mode)
        if having_pred is not None:
            out = Filter(out.fields, out, having_pred)
        for i, e in enumerate(out_exprs):
            if e.op is Op.COLUMN and out.fields[e.value].time_offset is not None:
                out_fields[i] = replace(out_fields[i], time_offset=out.fields[e.value].time_offset)
        if changelog:
            out_exprs.append(col(len(agg_fields) - 1, OP_FIELD.type, False, "_op"))
            out_fields.append(OP_FIELD)
        names = [f.name for f in out_fields if f is not OP_FIELD]
        return Project(tuple(out_fields), out, tuple(out_exprs)), names, changelog

    def group_window(self, call: WindowCall, node: Node, scope: Scope):
        func = call.name.upper()
        if func not in ("TUMBLE", "HOP"):
            raise error_at(call, f"{func} windows are not supported yet (TUMBLE and HOP are)")
        names = ["TIMECOL", *(["SIZE"] if func == "TUMBLE" else ["SLIDE", "SIZE"]), "OFFSET"]
        positional = call.expressions or []
        if len(positional) < len(names) - 1 or len(positional) > len(names):
            raise error_at(call, f"GROUP BY {func}(time_column, "
                           + ("size" if func == "TUMBLE" else "slide, size") + "[, offset])")
        args = dict(zip(names, positional, strict=False))
        time_node = args["TIMECOL"]
        if not isinstance(time_node, exp.Column):
            raise error_at(time_node, f"the first argument of {func} is a time column")
        time_col = scope.resolve(time_node)
        window = self.make_window(func, node, time_col.index, args, time_node)
        n = len(node.fields)
        new_scope = Scope([*scope.columns, *Scope.of(window.fields, "", (
            "window_start", "window_end")).columns[n:]])
        bound_args = tuple(ExprBinder(scope).bind(a) for a in positional)
        gw = GroupWindow(func, bound_args, n, n + 1, node.fields[time_col.index].type)
        return window, new_scope, gw

    @staticmethod
    def resolve_group_alias(g: exp.Expr, selects: list[exp.Expr], scope: Scope) -> exp.Expr:
        """GROUP BY 1 and GROUP BY <select alias> (input columns win over aliases)."""
        if isinstance(g, exp.Literal) and not g.is_string and g.this.isdigit():
            i = int(g.this)
            if not 1 <= i <= len(selects):
                raise error_at(g, f"GROUP BY position {i} is not in the select list")
            return output_name(selects[i - 1])[1]
        if isinstance(g, exp.Column) and not g.args.get("table"):
            name = normalize(g.this)
            if not any(c.field.name == name for c in scope.columns if not c.hidden):
                for s in selects:
                    if isinstance(s, exp.Alias) and normalize(s.args["alias"]) == name:
                        return s.this
        return g

    def emit_mode(self, emit: Emit | None, windowed: bool) -> EmitMode:
        if self.one_shot:
            if emit is not None:
                raise error_at(emit, "EMIT applies to streams, not one-shot queries")
            return EmitMode.WINDOW_CLOSE if windowed else EmitMode.FINAL
        if emit is None:
            return EmitMode.WINDOW_CLOSE if windowed else EmitMode.CHANGES
        if emit.this == "ON WINDOW CLOSE":
            if not windowed:
                raise error_at(emit, "EMIT ON WINDOW CLOSE needs GROUP BY window_start/window_end "
                               "of a window (TUMBLE or HOP)")
            return EmitMode.WINDOW_CLOSE
        return EmitMode.CHANGES

    # -----------------------------------------------------------------------------------
    # ORDER BY / LIMIT (one-shot queries)
    # -----------------------------------------------------------------------------------
    def bind_order_limit(self, query: exp.Select, bound: BoundQuery, names: list[str]) -> None:
        order = query.args.get("order")
        limit = query.args.get("limit")
        offset = query.args.get("offset")
        if not self.one_shot:
            for part, what in ((order, "ORDER BY"), (limit, "LIMIT"), (offset, "OFFSET")):
                if part is not None:
                    raise error_at(part, f"{what} is not supported in a stream; use it in a "
                                   "one-shot query over a materialized view")
            return
        if order is not None:
            selects = [output_name(s) for s in query.expressions]
            for o in order.expressions:
                target = o.this
                index = None
                if isinstance(target, exp.Literal) and not target.is_string:
                    index = int(target.this) - 1
                    if not 0 <= index < len(names):
                        raise error_at(target, f"ORDER BY position {index + 1} is not selected")
                elif isinstance(target, exp.Column) and not target.args.get("table") and \
                        normalize(target.this) in names:
                    index = names.index(normalize(target.this))
                else:
                    for i, (_, node) in enumerate(selects):
                        if node == target:
                            index = i
                if index is None:
                    raise error_at(target, "ORDER BY must name a selected column")
                desc = bool(o.args.get("desc"))
                nulls_first = o.args.get("nulls_first")
                bound.order.append((index, desc, bool(nulls_first) if nulls_first is not None
                                    else desc))
        if limit is not None:
            bound.limit = _count(limit.expression, "LIMIT")
        if offset is not None:
            bound.offset = _count(offset.expression, "OFFSET")


def window_scope(window: Window, table: str) -> Scope:
    """Scope over a window TVF's output: its window_start/window_end shadow same-named input
    columns (e.g. when windowing the output of another window aggregate)."""
    n = len(window.input.fields)
    cols = Scope.of(window.fields, table).columns
    return Scope([
        replace(c, hidden=c.index < n and c.field.name in ("window_start", "window_end"))
        for c in cols
    ])


def _count(node: exp.Expr, what: str) -> int:
    if isinstance(node, exp.Literal) and not node.is_string and node.this.isdigit():
        return int(node.this)
    raise error_at(node, f"{what} takes a non-negative integer")


def is_star(item: exp.Expr) -> bool:
    """`*` or `t.*` in a select list."""
    return isinstance(item, exp.Star) or (isinstance(item, exp.Column) and
                                          isinstance(item.this, exp.Star))


def star_columns(item: exp.Expr, scope: Scope) -> list[tuple[Expr, Field]]:
    """The columns a `*` or `t.*` names, each as an expression over the scope and its field."""
    table = normalize(item.args.get("table")) if isinstance(item, exp.Column) else None
    if table and not scope.has_table(table):
        raise error_at(item, f"unknown table or alias '{table}'")
    return [(col(c.index, c.field.type, c.field.nullable, c.field.name), c.field)
            for c in scope.star(table)]


def output_name(item: exp.Expr) -> tuple[str, exp.Expr]:
    """(column name, expression) of a select item."""
    if isinstance(item, exp.Alias):
        return normalize(item.args["alias"]), item.this
    if isinstance(item, exp.Column):
        return normalize(item.this), item
    if isinstance(item, exp.Anonymous) and item.name.upper() in (
            "TUMBLE_START", "TUMBLE_END", "HOP_START", "HOP_END"):
        return "window_" + item.name.split("_")[1].lower(), item
    return sql_text(item).lower(), item


__all__ = ["AggFunc", "BoundQuery", "QueryBinder"]
