"""Scalar expressions: sqlglot nodes to typed `Expr`s, through one dispatch table.

Every implicit conversion becomes an explicit CAST here, so later stages see operands of the
exact types the operation needs. In an aggregate query the binder runs in *output* mode: an
expression equal to a GROUP BY key becomes a reference to that key, an aggregate call becomes
a reference to its result, and any other column reference is an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlglot import exp

from ..dialect import WindowCall, sql_text
from ..errors import error_at
from ..expr import WIDENED, Expr, Op, balanced, col, lit
from ..plan import AggFunc
from ..regex import RegexError, compile_regex
from ..types import (
    BIGINT,
    BOOLEAN,
    DATE,
    DOUBLE,
    INT,
    INTERVAL,
    MAX_DECIMAL_PRECISION,
    NULLTYPE,
    TIMESTAMP_MS,
    TIMESTAMP_US,
    VARCHAR,
    Kind,
    SqlType,
    as_decimal,
    common_type,
    decimal,
    decimal_cast_overflows,
    numeric_result,
)
from .literals import bind_interval, bind_number, bind_type, parse_date, parse_timestamp
from .scope import Scope

AGGREGATES: dict[type, AggFunc] = {
    exp.Count: AggFunc.COUNT,
    exp.Sum: AggFunc.SUM,
    exp.Min: AggFunc.MIN,
    exp.Max: AggFunc.MAX,
    exp.Avg: AggFunc.AVG,
}
EXTRACT_FIELDS = (
    "year", "quarter", "month", "week", "day", "hour", "minute", "second", "millisecond",
    "microsecond", "dow", "doy", "isodow", "decade", "century", "millennium", "epoch",
)
_FIELD_ALIASES = {
    "years": "year", "months": "month", "weeks": "week", "days": "day", "hours": "hour",
    "minutes": "minute", "seconds": "second", "milliseconds": "millisecond",
    "microseconds": "microsecond", "dayofweek": "dow", "dayofyear": "doy",
    "day_of_week": "dow", "day_of_year": "doy", "ms": "millisecond", "us": "microsecond",
}
TRUNC_FIELDS = (
    "millennium", "century", "decade", "year", "quarter", "month", "week", "day", "hour",
    "minute", "second", "millisecond", "microsecond",
)


def is_aggregate_call(node: exp.Expr) -> bool:
    if isinstance(node, exp.Filter):
        return is_aggregate_call(node.this)
    return type(node) in AGGREGATES


def contains_aggregate(node: exp.Expr) -> bool:
    return any(is_aggregate_call(n) for n in node.walk())


@dataclass
class AggregateSlots:
    """The aggregate calls of one query, deduplicated, with their arguments bound over the
    aggregate's input; `keys` are the bound GROUP BY expressions."""

    keys: list[Expr]
    calls: list[tuple[AggFunc, Expr | None, bool, Expr | None]] = field(default_factory=list)

    def add(self, call: tuple[AggFunc, Expr | None, bool, Expr | None]) -> int:
        if call not in self.calls:
            self.calls.append(call)
        return self.calls.index(call)

    def result_type(self, index: int) -> tuple[SqlType, bool]:
        from ..plan import agg_result_type

        func, arg, _, _ = self.calls[index]
        t = agg_result_type(func, arg.type if arg is not None else None)
        return t, func not in (AggFunc.COUNT, AggFunc.COUNT_STAR)


@dataclass
class GroupWindow:
    """A window in GROUP BY (TUMBLE(ts, size) form): its bound arguments, and the input
    columns of window_start / window_end that TUMBLE_START / TUMBLE_END refer to."""

    function: str
    args: tuple[Expr, ...]
    start_column: int
    end_column: int
    time_type: SqlType


class ExprBinder:
    def __init__(
        self,
        scope: Scope,
        aggregates: AggregateSlots | None = None,
        window: GroupWindow | None = None,
        output: bool = False,
    ):
        self.scope = scope
        self.aggregates = aggregates
        self.window = window
        self.output = output   # bind over the aggregate's output (keys and aggregates)
        self.in_aggregate = False

    # -- entry points -------------------------------------------------------------------
    def bind(self, node: exp.Expr) -> Expr:
        if self.output:
            if not contains_aggregate(node):
                e = self.input_binder().bind(node)
                key = self.output_key(e)
                if key is not None:
                    return col(key.value, key.type, key.nullable, label=_label(node))
                if isinstance(node, exp.Column):
                    raise error_at(
                        node,
                        f"column '{node.name}' must appear in the GROUP BY clause or be used "
                        "in an aggregate function",
                    )
                if e.op is Op.LITERAL:
                    return e
            if is_aggregate_call(node):
                return self.aggregate(node)
        handler = HANDLERS.get(type(node))
        if handler is None:
            raise error_at(node, f"unsupported expression: {sql_text(node)}")
        return handler(self, node)

    def output_key(self, e: Expr) -> Expr | None:
        """The aggregate output's column of the GROUP BY key `e` (bound over the input), or
        None when `e` is no key."""
        for i, k in enumerate(self.aggregates.keys):
            if e == k:
                return col(i, k.type, k.nullable, label=e.label)
        return None

    def bind_predicate(self, node: exp.Expr, clause: str) -> Expr:
        e = self.bind(node)
        if e.type.kind is Kind.NULL:
            return lit(None, BOOLEAN)
        if e.type != BOOLEAN:
            raise error_at(node, f"{clause} must be a BOOLEAN expression, not {e.type}")
        return e

    def input_binder(self) -> ExprBinder:
        return ExprBinder(self.scope, self.aggregates, self.window, output=False)

    # -- aggregates -----------------------------------------------------------------------
    def aggregate(self, node: exp.Expr) -> Expr:
        if isinstance(node, exp.Filter) and type(node.this) not in AGGREGATES:
            raise error_at(node.this, "FILTER (WHERE ...) follows an aggregate function, not "
                           f"{sql_text(node.this)}")
        if self.aggregates is None:
            raise error_at(node, f"aggregate function {sql_text(node)} is not allowed here")
        if self.in_aggregate:
            raise error_at(node, "aggregate functions can not be nested")
        filt = None
        if isinstance(node, exp.Filter):
            inner = self.input_binder()
            inner.in_aggregate = True
            cond = node.expression.this if isinstance(node.expression, exp.Where) else None
            if cond is None:
                raise error_at(node, "FILTER needs (WHERE condition)")
            filt = inner.bind_predicate(cond, "FILTER condition")
            node = node.this
        func = AGGREGATES[type(node)]
        arg_node = node.this
        distinct = isinstance(arg_node, exp.Distinct)
        if distinct:
            if len(arg_node.expressions) != 1:
                raise error_at(node, f"{func.value}(DISTINCT ...) takes exactly one argument")
            arg_node = arg_node.expressions[0]
        if isinstance(arg_node, exp.Star):
            if func is not AggFunc.COUNT or distinct:
                raise error_at(node, f"{func.value}(*) is not valid; only COUNT(*) is")
            call = (AggFunc.COUNT_STAR, None, False, filt)
        else:
            if arg_node is None:
                raise error_at(node, f"{func.value} needs an argument")
            inner = self.input_binder()
            inner.in_aggregate = True
            arg = inner.bind(arg_node)
            if arg.type.kind is Kind.NULL:
                arg = cast(arg, INT)
            if func in (AggFunc.SUM, AggFunc.AVG) and not arg.type.is_numeric:
                raise error_at(arg_node, f"{func.value} needs a numeric argument, not {arg.type}")
            if func in (AggFunc.MIN, AggFunc.MAX) and arg.type.kind is Kind.INTERVAL:
                raise error_at(arg_node, f"{func.value} of INTERVAL is not supported")
            call = (func, arg, distinct, filt)
        index = self.aggregates.add(call)
        t, nullable = self.aggregates.result_type(index)
        return col(len(self.aggregates.keys) + index, t, nullable, label=_label(node))


def _label(node: exp.Expr) -> str:
    return sql_text(node)


# ---------------------------------------------------------------------------------------------
# conversions and typing helpers
# ---------------------------------------------------------------------------------------------
def cast(e: Expr, t: SqlType, widened: bool = False) -> Expr:
    """e converted to t (a no-op when it already is); `widened` marks a comparison's own
    conversion of its operand (expr.WIDENED)."""
    if e.type == t:
        return e
    if e.op is Op.LITERAL and e.value is None:
        return lit(None, t)
    return Expr(Op.CAST, t, (e,), value=WIDENED if widened else None,
                nullable=e.nullable or _cast_can_fail(e.type, t))


def _castable(src: SqlType, dst: SqlType) -> bool:
    s, d = src.kind, dst.kind
    if s is Kind.NULL or (s == d and s not in (Kind.DECIMAL, Kind.TIMESTAMP)):
        return True
    numeric = src.is_numeric
    if numeric and dst.is_numeric:
        return True
    if d is Kind.VARCHAR:
        return s is not Kind.INTERVAL
    if s is Kind.VARCHAR:
        return d is not Kind.INTERVAL
    if (s is Kind.BOOLEAN and dst.is_integer) or (src.is_integer and d is Kind.BOOLEAN):
        return True
    return s in (Kind.DATE, Kind.TIMESTAMP) and d in (Kind.DATE, Kind.TIMESTAMP)


def _unify(b: ExprBinder, nodes: list[exp.Expr], what: str,
           compared: bool = False) -> list[Expr]:
    """Bind nodes and convert them to their common type (string literals adapt to a temporal
    type, as in PostgreSQL's untyped literals). `compared`: the conversions are a comparison's
    own, which never overflows (expr.WIDENED)."""
    return [converted for _, converted in _unified(b, nodes, what, compared)]


def _unified(b: ExprBinder, nodes: list[exp.Expr], what: str,
             compared: bool = False) -> list[tuple[Expr, Expr]]:
    """_unify's pairs: each expression before and after its conversion to the common type."""
    exprs = [b.bind(n) for n in nodes]
    target: SqlType | None = NULLTYPE
    for e in exprs:
        if e.op is Op.LITERAL and e.type == VARCHAR and e.value is not None:
            continue
        target = common_type(target, e.type) if target is not None else None
        if target is None:
            raise error_at(nodes[0], f"{what}: incompatible types "
                           + ", ".join(sorted({str(x.type) for x in exprs})))
    if target.kind is Kind.NULL:
        target = VARCHAR if any(e.type == VARCHAR for e in exprs) else INT
    out = []
    for n, e in zip(nodes, exprs, strict=True):
        c = e
        if e.op is Op.LITERAL and e.type == VARCHAR and target != VARCHAR and e.value is not None:
            c = _coerce_string_literal(n, e, target)
        out.append((c, cast(c, target, widened=compared)))
    return out


def _coerce_string_literal(node: exp.Expr, e: Expr, t: SqlType) -> Expr:
    if t.kind is Kind.DATE:
        v = parse_date(e.value)
    elif t.kind is Kind.TIMESTAMP:
        v = parse_timestamp(e.value, t)
    else:
        raise error_at(node, f"can not compare {t} with the string {e.value!r}")
    if v is None:
        raise error_at(node, f"invalid {t} literal {e.value!r}")
    return lit(v, t)


# ---------------------------------------------------------------------------------------------
# handlers
# ---------------------------------------------------------------------------------------------
def _paren(b: ExprBinder, node: exp.Paren) -> Expr:
    return b.bind(node.this)


def _column(b: ExprBinder, node: exp.Column) -> Expr:
    if isinstance(node.this, exp.Star):
        raise error_at(node, "* is only allowed in the select list and COUNT(*)")
    c = b.scope.resolve(node)
    return col(c.index, c.field.type, c.field.nullable, label=c.field.name)


def _literal(b: ExprBinder, node: exp.Literal) -> Expr:
    if node.is_string:
        return lit(node.this, VARCHAR)
    value, t = bind_number(node)
    return lit(value, t)


def _boolean(b: ExprBinder, node: exp.Boolean) -> Expr:
    return lit(bool(node.this), BOOLEAN)


def _null(b: ExprBinder, node: exp.Null) -> Expr:
    return lit(None, NULLTYPE)


def _interval(b: ExprBinder, node: exp.Interval) -> Expr:
    return lit(bind_interval(node), INTERVAL)


def _cast(b: ExprBinder, node: exp.Cast) -> Expr:
    target = bind_type(node.to)
    inner = node.this
    # (a text constant's conversion is folded by the runtime's parser: fold_constants)
    if isinstance(inner, exp.Literal) and inner.is_string and target.kind is Kind.INTERVAL:
        return lit(bind_interval(exp.Interval(this=inner)), INTERVAL)
    e = b.bind(inner)
    if not _castable(e.type, target):
        raise error_at(node, f"can not cast {e.type} to {target}")
    if e.type == target:
        return e
    return Expr(Op.CAST, target, (e,), nullable=e.nullable or _cast_can_fail(e.type, target))


def _cast_can_fail(src: SqlType, dst: SqlType) -> bool:
    """Can converting a value of src to dst fail (and so give NULL), as generated code does it?
    A NULL the expression's `nullable` does not admit would be written as a value."""
    s, d = src.kind, dst.kind
    if s is Kind.VARCHAR:
        return d is not Kind.VARCHAR
    if src.is_integer and dst.is_integer:
        return as_decimal(src).precision > as_decimal(dst).precision
    if (src.is_integer or s is Kind.DECIMAL) and d is Kind.DECIMAL:
        return decimal_cast_overflows(src, dst)
    if dst.is_integer:
        return src.is_float or s is Kind.DECIMAL
    if d is Kind.DECIMAL:
        return src.is_float
    if s is Kind.DOUBLE and d is Kind.REAL:
        return True   # a finite DOUBLE beyond REAL's range
    if d is Kind.TIMESTAMP:
        # DATE spans more than TIMESTAMP; TIMESTAMP(3) more than TIMESTAMP(6)
        return s is Kind.DATE or (s is Kind.TIMESTAMP and src.precision < dst.precision)
    if s is Kind.TIMESTAMP and d is Kind.DATE:
        return src.precision == 3   # milliseconds span more days than a DATE holds
    return False


def _neg(b: ExprBinder, node: exp.Neg) -> Expr:
    if isinstance(node.this, exp.Literal) and node.this.this == str(2**63):
        return lit(-(2**63), BIGINT)   # the smallest BIGINT, whose magnitude is no BIGINT
    e = b.bind(node.this)
    if e.op is Op.LITERAL and e.value is not None and e.type.is_numeric:
        v = -e.value
        if e.type.kind is Kind.INT and v < -(2**31):
            return lit(v, BIGINT)
        return lit(v, e.type)
    if e.op is Op.LITERAL and e.type.kind is Kind.INTERVAL:
        return lit((-e.value[0], -e.value[1]), INTERVAL)
    if not (e.type.is_numeric or e.type.kind is Kind.INTERVAL):
        raise error_at(node, f"can not negate {e.type}")
    can_fail = e.type.is_integer or e.type.kind is Kind.INTERVAL   # -MIN overflows
    return Expr(Op.NEG, e.type, (e,), nullable=e.nullable or can_fail)


def _arith(op: Op) -> Callable[[ExprBinder, exp.Expr], Expr]:
    def handler(b: ExprBinder, node: exp.Expr) -> Expr:
        left, right = b.bind(node.this), b.bind(node.expression)
        return arithmetic(op, left, right, node)

    return handler


def arithmetic(op: Op, a: Expr, c: Expr, node: exp.Expr) -> Expr:
    ta, tc = a.type, c.type
    nullable = a.nullable or c.nullable
    ka, kc = ta.kind, tc.kind
    # temporal arithmetic
    if op in (Op.ADD, Op.SUB) and (ta.is_temporal or tc.is_temporal or Kind.INTERVAL in (ka, kc)):
        return _temporal_arith(op, a, c, node)
    if op is Op.MUL and Kind.INTERVAL in (ka, kc):
        iv, n = (a, c) if ka is Kind.INTERVAL else (c, a)
        if not n.type.is_integer:
            raise error_at(node, "an INTERVAL can only be multiplied by an integer")
        return Expr(Op.MUL, INTERVAL, (iv, cast(n, BIGINT)), nullable=True)
    t = numeric_result(ta, tc)
    if t is None:
        raise error_at(node, f"operator {op.value} can not be applied to {ta} and {tc}")
    if ka is Kind.NULL and kc is Kind.NULL:
        return lit(None, INT)
    if op is Op.MUL and t.kind is Kind.DECIMAL:
        da, dc = as_decimal(ta), as_decimal(tc)
        scale = da.scale + dc.scale
        if scale > MAX_DECIMAL_PRECISION:
            raise error_at(node, "decimal product would need a scale above 18; cast to DOUBLE")
        t = decimal(min(MAX_DECIMAL_PRECISION, da.precision + dc.precision), scale)
        a2 = cast(a, decimal(da.precision, da.scale))
        c2 = cast(c, decimal(dc.precision, dc.scale))
        return Expr(Op.MUL, t, (a2, c2), nullable=True)
    if op is Op.DIV and t.kind is Kind.DECIMAL:
        # DuckDB divides decimals as DOUBLE; so do we.
        return Expr(Op.DIV, DOUBLE, (cast(a, DOUBLE), cast(c, DOUBLE)), nullable=nullable)
    if op in (Op.ADD, Op.SUB) and t.kind is Kind.DECIMAL:
        da, dc = as_decimal(ta), as_decimal(tc)
        digits = max(da.precision - da.scale, dc.precision - dc.scale) + 1
        t = decimal(min(MAX_DECIMAL_PRECISION, digits + t.scale), t.scale)
    # Exact arithmetic can overflow (and integer division divide by zero): the value is then
    # NULL and the error is counted.
    fallible = t.is_integer or t.kind is Kind.DECIMAL
    return Expr(op, t, (cast(a, t), cast(c, t)), nullable=nullable or fallible)


def _temporal_arith(op: Op, a: Expr, c: Expr, node: exp.Expr) -> Expr:
    ta, tc = a.type, c.type
    nullable = a.nullable or c.nullable
    if ta.kind is Kind.INTERVAL and tc.kind is Kind.INTERVAL:
        if op is Op.ADD and a.op is Op.LITERAL and c.op is Op.LITERAL:
            return lit((a.value[0] + c.value[0], a.value[1] + c.value[1]), INTERVAL)
        return Expr(op, INTERVAL, (a, c), nullable=True)   # can overflow
    if tc.kind is Kind.INTERVAL and ta.is_temporal:
        t = ta if ta.kind is Kind.TIMESTAMP else TIMESTAMP_US
        return Expr(op, t, (cast(a, t), c), nullable=True)
    if ta.kind is Kind.INTERVAL and tc.is_temporal and op is Op.ADD:
        return _temporal_arith(op, c, a, node)
    if ta.kind is Kind.DATE and tc.is_integer:
        return Expr(op, DATE, (a, cast(c, INT)), nullable=True)
    if tc.kind is Kind.DATE and ta.is_integer and op is Op.ADD:
        return Expr(op, DATE, (c, cast(a, INT)), nullable=True)
    if op is Op.SUB and ta.kind is Kind.DATE and tc.kind is Kind.DATE:
        # Days between the dates; the operands stay DATEs (there is no DATE -> BIGINT cast).
        return Expr(Op.SUB, BIGINT, (a, c), nullable=nullable)
    if op is Op.SUB and ta.is_temporal and tc.is_temporal:
        # Subtract in the finer of the operands' units, then convert the difference to the
        # interval's microseconds: converting each side first overflowed for times beyond
        # ~292,000 years even where their difference is small (t - t).
        t = TIMESTAMP_US if TIMESTAMP_US in (ta, tc) else TIMESTAMP_MS
        return Expr(Op.SUB, INTERVAL, (cast(a, t), cast(c, t)), nullable=True)
    raise error_at(node, f"operator {op.value} can not be applied to {ta} and {tc}")


def _compare(op: Op) -> Callable[[ExprBinder, exp.Expr], Expr]:
    def handler(b: ExprBinder, node: exp.Expr) -> Expr:
        a, c = _unify(b, [node.this, node.expression], f"comparison {op.value}", True)
        if a.type.kind is Kind.NULL:
            return lit(None, BOOLEAN)
        return Expr(op, BOOLEAN, (a, c), nullable=a.nullable or c.nullable)

    return handler


def _logic(op: Op) -> Callable[[ExprBinder, exp.Expr], Expr]:
    def handler(b: ExprBinder, node: exp.Expr) -> Expr:
        what = "AND" if op is Op.AND else "OR"
        # The parser chains `a AND b AND c ...` to the left, as deep as it is long; its
        # operands are gathered without recursion and joined as a balanced tree (AND and OR
        # are associative in three-valued logic too), so a condition of a thousand terms
        # compiles rather than exhausting Python's stack.
        operands, stack = [], [node]
        while stack:
            n = stack.pop()
            if type(n) is type(node):
                stack += [n.expression, n.this]   # (the left one is taken first)
            else:
                operands.append(b.bind_predicate(n, f"operand of {what}"))
        return balanced(op, operands)

    return handler


def _not(b: ExprBinder, node: exp.Not) -> Expr:
    a = b.bind_predicate(node.this, "operand of NOT")
    return Expr(Op.NOT, BOOLEAN, (a,), nullable=a.nullable)


def _is(b: ExprBinder, node: exp.Is) -> Expr:
    a = b.bind(node.this)
    target = node.expression
    if isinstance(target, exp.Null):
        return Expr(Op.IS_NULL, BOOLEAN, (a,), nullable=False)
    if isinstance(target, exp.Boolean):
        if a.type not in (BOOLEAN, NULLTYPE):
            raise error_at(node, f"IS {'TRUE' if target.this else 'FALSE'} needs a BOOLEAN")
        a = cast(a, BOOLEAN)
        # x IS TRUE is never NULL: COALESCE(x = TRUE, FALSE)
        value = a if target.this else Expr(Op.NOT, BOOLEAN, (a,), nullable=a.nullable)
        return Expr(Op.COALESCE, BOOLEAN, (value, lit(False, BOOLEAN)), nullable=False)
    raise error_at(node, f"unsupported IS expression: {sql_text(node)}")


def _in(b: ExprBinder, node: exp.In) -> Expr:
    if node.args.get("query") or not node.expressions:
        raise error_at(node, "IN (subquery) is not supported; use a list of values")
    exprs = _unify(b, [node.this, *node.expressions], "IN list", True)
    x, items = exprs[0], exprs[1:]
    return balanced(Op.OR, [Expr(Op.EQ, BOOLEAN, (x, item), nullable=x.nullable or item.nullable)
                            for item in items])


def _between(b: ExprBinder, node: exp.Between) -> Expr:
    x, lo, hi = _unify(b, [node.this, node.args["low"], node.args["high"]], "BETWEEN", True)
    ge = Expr(Op.GE, BOOLEAN, (x, lo), nullable=x.nullable or lo.nullable)
    le = Expr(Op.LE, BOOLEAN, (x, hi), nullable=x.nullable or hi.nullable)
    return Expr(Op.AND, BOOLEAN, (ge, le), nullable=ge.nullable or le.nullable)


def _case(b: ExprBinder, node: exp.Case) -> Expr:
    operand = node.this
    conds: list[Expr] = []
    for branch in node.args.get("ifs") or []:
        if operand is not None:
            x, v = _unify(b, [operand, branch.this], "CASE operand", True)
            conds.append(Expr(Op.EQ, BOOLEAN, (x, v), nullable=x.nullable or v.nullable))
        else:
            conds.append(b.bind_predicate(branch.this, "CASE WHEN condition"))
    results = [br.args["true"] for br in node.args.get("ifs") or []]
    default = node.args.get("default") or exp.Null()
    values = _unify(b, [*results, default], "CASE results")
    args: list[Expr] = []
    for c, v in zip(conds, values[:-1], strict=True):
        args += [c, v]
    args.append(values[-1])
    return Expr(Op.CASE, values[0].type, tuple(args), nullable=any(v.nullable for v in values))


def _coalesce(b: ExprBinder, node: exp.Coalesce) -> Expr:
    pairs = _unified(b, [node.this, *node.expressions], "COALESCE")
    exprs = [converted for _, converted in pairs]
    t = exprs[0].type
    nullable = all(e.nullable for e in exprs)
    if not any(_cast_can_fail(e.type, t) for e, _ in pairs[:-1]):
        return Expr(Op.COALESCE, t, tuple(exprs), nullable=nullable)
    # An argument whose conversion to the common type can overflow (BIGINT or DECIMAL(18,0)
    # to DECIMAL(18,3)) is chosen by its own nullness, as COALESCE is defined: CASE WHEN a IS
    # NOT NULL THEN a ... END. Its overflow is then the result's NULL, not the next argument.
    args: list[Expr] = []
    for e, converted in pairs[:-1]:
        args += [Expr(Op.NOT, BOOLEAN, (Expr(Op.IS_NULL, BOOLEAN, (e,), nullable=False),),
                      nullable=False), converted]
    args.append(exprs[-1])
    return Expr(Op.CASE, t, tuple(args), nullable=any(e.nullable for e in exprs))


def _nullif(b: ExprBinder, node: exp.Nullif) -> Expr:
    """CASE WHEN a = c THEN NULL ELSE a END: compared in their common type, the result is a
    in its own (NULLIF(d, 1.005) of a DECIMAL(10,2) stays one, as in DuckDB and the SQL
    standard); a bare NULL takes the other's type."""
    (a0, a), (_, c) = _unified(b, [node.this, node.expression], "NULLIF", True)
    eq = Expr(Op.EQ, BOOLEAN, (a, c), nullable=a.nullable or c.nullable)
    out = a if a0.type.kind is Kind.NULL else a0
    return Expr(Op.CASE, out.type, (eq, lit(None, out.type), out), nullable=True)


def _string_arg(b: ExprBinder, node: exp.Expr, what: str) -> Expr:
    e = b.bind(node)
    if e.type.kind is Kind.NULL:
        return lit(None, VARCHAR)
    if e.type != VARCHAR:
        raise error_at(node, f"{what} needs a VARCHAR argument, not {e.type}")
    return e


def _int_arg(b: ExprBinder, node: exp.Expr, what: str) -> Expr:
    e = b.bind(node)
    if not (e.type.is_integer or e.type.kind is Kind.NULL):
        raise error_at(node, f"{what} needs an integer argument, not {e.type}")
    if e.op is Op.LITERAL:
        return lit(e.value, BIGINT)   # widening a literal can not fail; keep it a constant
    return cast(e, BIGINT)


def _like(negate_default: bool = False, ilike: bool = False):
    def handler(b: ExprBinder, node: exp.Expr, escape: str | None = None) -> Expr:
        s = _string_arg(b, node.this, "LIKE")
        p = _string_arg(b, node.expression, "LIKE")
        if ilike:
            s = Expr(Op.LOWER, VARCHAR, (s,), nullable=s.nullable)
            p = Expr(Op.LOWER, VARCHAR, (p,), nullable=p.nullable)
        # with an ESCAPE, a pattern from data can be invalid (ending in the escape character)
        can_fail = escape is not None and p.op is not Op.LITERAL
        e = Expr(Op.LIKE, BOOLEAN, (s, p), value=escape,
                 nullable=s.nullable or p.nullable or can_fail)
        if node.args.get("negate"):
            e = Expr(Op.NOT, BOOLEAN, (e,), nullable=e.nullable)
        return e

    return handler


def _escape(b: ExprBinder, node: exp.Escape) -> Expr:
    esc = node.expression
    if not (isinstance(esc, exp.Literal) and esc.is_string and len(esc.this) == 1):
        raise error_at(esc, "ESCAPE takes a single-character string")
    if not esc.this.isascii():
        raise error_at(esc, "the ESCAPE character must be an ASCII character")
    inner = node.this
    handler = HANDLERS.get(type(inner))
    if not isinstance(inner, exp.Like | exp.ILike):
        raise error_at(node, "ESCAPE only follows LIKE")
    if isinstance(inner, exp.ILike) and esc.this.lower() != esc.this.upper():
        # ILIKE compares lower-cased text: a letter as escape would also match its other case
        raise error_at(esc, "the ESCAPE character of ILIKE can not be a letter")
    pattern = inner.expression
    if isinstance(pattern, exp.Literal) and pattern.is_string and _ends_in_escape(
            pattern.this, esc.this):
        raise error_at(pattern, "a LIKE pattern can not end with its ESCAPE character")
    return handler(b, inner, escape=esc.this)


def _ends_in_escape(pattern: str, escape: str) -> bool:
    """Does the pattern end with an escape character that escapes nothing?"""
    i = 0
    while i < len(pattern):
        if pattern[i] == escape:
            if i + 1 == len(pattern):
                return True
            i += 1
        i += 1
    return False


def _unary_string(op: Op, what: str):
    def handler(b: ExprBinder, node: exp.Expr) -> Expr:
        s = _string_arg(b, node.this, what)
        return Expr(op, VARCHAR, (s,), nullable=s.nullable)

    return handler


def _length(b: ExprBinder, node: exp.Length) -> Expr:
    _arity(node, [node.this, *_more_args(node, "this")], "CHAR_LENGTH", (1,))
    s = _string_arg(b, node.this, "CHAR_LENGTH")
    return Expr(Op.CHAR_LENGTH, BIGINT, (s,), nullable=s.nullable)


def _substring(b: ExprBinder, node: exp.Substring) -> Expr:
    s = _string_arg(b, node.this, "SUBSTRING")
    start = _int_arg(b, node.args["start"], "SUBSTRING") if node.args.get("start") else lit(1, BIGINT)
    args = [s, start]
    nullable = any(a.nullable for a in args)
    if node.args.get("length") is not None:
        count = _int_arg(b, node.args["length"], "SUBSTRING")
        args.append(count)
        # a negative count is an error (NULL)
        nullable = nullable or not (count.op is Op.LITERAL and count.value is not None
                                    and count.value >= 0)
    return Expr(Op.SUBSTRING, VARCHAR, tuple(args), nullable=nullable)


def _trim(b: ExprBinder, node: exp.Trim) -> Expr:
    s = _string_arg(b, node.this, "TRIM")
    chars = _string_arg(b, node.expression, "TRIM") if node.expression else lit(" ", VARCHAR)
    position = (node.args.get("position") or "BOTH").lower()
    return Expr(Op.TRIM, VARCHAR, (s, chars), value=position, nullable=s.nullable or chars.nullable)


def _to_string(b: ExprBinder, node: exp.Expr) -> Expr:
    e = b.bind(node)
    if e.type.kind is Kind.NULL:
        return lit(None, VARCHAR)
    if not _castable(e.type, VARCHAR):
        raise error_at(node, f"can not convert {e.type} to VARCHAR")
    return cast(e, VARCHAR)


def _concat(b: ExprBinder, node: exp.Concat) -> Expr:
    args = tuple(_to_string(b, a) for a in node.expressions)
    return Expr(Op.CONCAT, VARCHAR, args, nullable=False)


def _dpipe(b: ExprBinder, node: exp.DPipe) -> Expr:
    a, c = _to_string(b, node.this), _to_string(b, node.expression)
    return Expr(Op.DPIPE, VARCHAR, (a, c), nullable=a.nullable or c.nullable)


def _numeric_arg(b: ExprBinder, node: exp.Expr, what: str) -> Expr:
    e = b.bind(node)
    if e.type.kind is Kind.NULL:
        return lit(None, DOUBLE)
    if not e.type.is_numeric:
        raise error_at(node, f"{what} needs a numeric argument, not {e.type}")
    return e


def _abs(b: ExprBinder, node: exp.Abs) -> Expr:
    x = _numeric_arg(b, node.this, "ABS")
    return Expr(Op.ABS, x.type, (x,), nullable=x.nullable or x.type.is_integer)


def _round(b: ExprBinder, node: exp.Round) -> Expr:
    x = _numeric_arg(b, node.this, "ROUND")
    digits_node = node.args.get("decimals")
    if digits_node is None:
        digits = lit(0, BIGINT)
    else:
        digits = _int_arg(b, digits_node, "ROUND")
    t = x.type
    if t.kind is Kind.DECIMAL:
        if digits.op is not Op.LITERAL or digits.value is None:
            raise error_at(node, "ROUND of a DECIMAL needs a constant number of digits")
        # Rounding can carry into a new digit (99.9 -> 100): DuckDB's result width, at most 18.
        target = max(0, min(t.scale, digits.value))
        width = max(t.precision, t.precision - t.scale + target + 1)
        t = decimal(min(MAX_DECIMAL_PRECISION, width), target)
    return Expr(Op.ROUND, t, (x, digits), nullable=True)


def _floor_ceil(op: Op):
    def handler(b: ExprBinder, node: exp.Expr) -> Expr:
        if node.args.get("decimals") is not None:
            raise error_at(node, f"{op.name} takes one argument")
        x = _numeric_arg(b, node.this, op.name)
        t = x.type
        if t.kind is Kind.DECIMAL:
            t = decimal(t.precision, 0)
        return Expr(op, t, (x,), nullable=x.nullable or x.type.kind is Kind.DECIMAL)

    return handler


def _date_part(node: exp.Expr | str | None, allowed: tuple[str, ...], what: str,
               call: exp.Expr) -> str:
    name = node if isinstance(node, str) else (node.name if node is not None else "")
    name = name.lower()
    name = _FIELD_ALIASES.get(name, name)
    if name not in allowed:
        # the call's position: a unit given as a string is re-created without one
        raise error_at(call, f"{what} does not know the field {name!r} "
                       f"(known: {', '.join(allowed)})")
    return name


def _temporal_arg(b: ExprBinder, node: exp.Expr, what: str) -> Expr:
    return _as_temporal(b.bind(node), node, what)


def _as_temporal(e: Expr, node: exp.Expr, what: str) -> Expr:
    """e (bound from node), which must be a DATE or TIMESTAMP (or NULL)."""
    if e.type.kind is Kind.NULL:
        return lit(None, TIMESTAMP_US)
    if not e.type.is_temporal:
        raise error_at(node, f"{what} needs a DATE or TIMESTAMP, not {e.type}")
    return e


def _extract(b: ExprBinder, node: exp.Extract) -> Expr:
    field_name = _date_part(node.this, EXTRACT_FIELDS, "EXTRACT", node)
    x = b.bind(node.expression)
    if x.type.kind is Kind.INTERVAL:
        # An interval is a count of microseconds (day-time): its seconds are well defined,
        # but not its fields (is INTERVAL '25' HOUR one day and an hour, or 25 hours?).
        if field_name != "epoch":
            raise error_at(node, f"EXTRACT({field_name.upper()}) of an INTERVAL is not "
                           "defined; EXTRACT(EPOCH FROM interval) gives its seconds")
        return Expr(Op.EXTRACT, DOUBLE, (x,), value="epoch", nullable=x.nullable)
    x = _as_temporal(x, node.expression, "EXTRACT")
    return _extract_field(x, field_name, node, f"EXTRACT({field_name.upper()})")


def _extract_field(x: Expr, field_name: str, node: exp.Expr, what: str) -> Expr:
    """Field `field_name` of the DATE or TIMESTAMP x (a DATE has no time of day)."""
    if x.type.kind is Kind.DATE and field_name in ("hour", "minute", "second", "millisecond",
                                                   "microsecond"):
        raise error_at(node, f"{what} of a DATE is not defined")
    t = DOUBLE if field_name == "epoch" else BIGINT
    return Expr(Op.EXTRACT, t, (x,), value=field_name, nullable=x.nullable)


def _date_trunc(b: ExprBinder, node: exp.Expr) -> Expr:
    unit = node.args.get("unit")
    field_name = _date_part(unit, TRUNC_FIELDS, "DATE_TRUNC", node)
    x = _temporal_arg(b, node.this, "DATE_TRUNC")
    # truncating the smallest values of a type goes below its range (an overflow)
    can_fail = field_name != "microsecond"
    return Expr(Op.DATE_TRUNC, x.type, (x,), value=field_name, nullable=x.nullable or can_fail)


def _anonymous(b: ExprBinder, node: exp.Anonymous) -> Expr:
    name = node.name.upper()
    if name in ("TUMBLE_START", "TUMBLE_END", "HOP_START", "HOP_END"):
        return _window_bound(b, node, name)
    handler = _NAMED.get(name)
    if handler is not None:
        return handler(b, node, node.expressions)
    raise error_at(node, f"unknown function {node.name}")


def _arity(node: exp.Expr, args: list, what: str, counts: tuple[int, ...]) -> None:
    if len(args) not in counts:
        want = " or ".join(str(c) for c in counts)
        raise error_at(node, f"{what} takes {want} argument{'s' if counts[-1] != 1 else ''}, "
                       f"not {len(args)}")


def _more_args(node: exp.Func, *known: str) -> list[exp.Expr]:
    """The arguments of a call sqlglot parsed into a node type of its own, except the `known`
    ones, in sqlglot's order: where the rest went (CHAR_LENGTH(s, 2) gets `binary` 2)."""
    return [a for k in node.arg_types if k not in known
            and isinstance(a := node.args.get(k), exp.Expr)]


def _pattern_literal(b: ExprBinder, node: exp.Expr, what: str) -> str:
    if not (isinstance(node, exp.Literal) and node.is_string):
        raise error_at(node, f"the pattern of {what} must be a string literal")
    return node.this


def _date_format(b: ExprBinder, node: exp.Expr, args: list) -> Expr:
    """DATE_FORMAT(t, 'yyyy-MM-dd HH:mm:ss'): Flink's, with Java's pattern letters."""
    _arity(node, args, "DATE_FORMAT", (2,))
    x = _temporal_arg(b, args[0], "DATE_FORMAT")
    pattern = _pattern_literal(b, args[1], "DATE_FORMAT")
    try:
        program, longest = date_format_program(pattern)
    except ValueError as e:
        raise error_at(args[1], f"DATE_FORMAT: {e}") from None
    return Expr(Op.DATE_FORMAT, VARCHAR, (x,), value=(pattern, program, longest),
                nullable=x.nullable)


def _split_index(b: ExprBinder, node: exp.Expr, args: list) -> Expr:
    """SPLIT_INDEX(s, separator, index): field `index` (from 0) of s split at every separator;
    NULL when there is no such field (or s is empty, or the index negative)."""
    _arity(node, args, "SPLIT_INDEX", (3,))
    s = _string_arg(b, args[0], "SPLIT_INDEX")
    sep = _string_arg(b, args[1], "SPLIT_INDEX")
    index = _int_arg(b, args[2], "SPLIT_INDEX")
    return Expr(Op.SPLIT_INDEX, VARCHAR, (s, sep, index), nullable=True)


def _regexp_extract(b: ExprBinder, node: exp.RegexpExtract) -> Expr:
    """REGEXP_EXTRACT(s, pattern[, group]): capture `group` (default 0, the whole match) of
    the first match; NULL without a match, or when the group took no part in it. The value is
    the pattern, checked here and compiled by codegen."""
    # sqlglot names the third argument `position`
    args = [node.this, node.expression, *_more_args(node, "this", "expression")]
    _arity(node, args, "REGEXP_EXTRACT", (2, 3))
    s = _string_arg(b, args[0], "REGEXP_EXTRACT")
    pattern = _pattern_literal(b, args[1], "REGEXP_EXTRACT")
    try:
        compile_regex(pattern)
    except RegexError as e:
        raise error_at(args[1], f"REGEXP_EXTRACT: {e}") from None
    group = _int_arg(b, args[2], "REGEXP_EXTRACT") if len(args) == 3 else lit(0, BIGINT)
    return Expr(Op.REGEXP_EXTRACT, VARCHAR, (s, group), value=pattern, nullable=True)


def _count_char(b: ExprBinder, node: exp.Expr, args: list) -> Expr:
    """COUNT_CHAR(s, c): how often c occurs in s (the UDF Nexmark's q14 declares)."""
    _arity(node, args, "COUNT_CHAR", (2,))
    s = _string_arg(b, args[0], "COUNT_CHAR")
    c = _string_arg(b, args[1], "COUNT_CHAR")
    return Expr(Op.COUNT_CHAR, BIGINT, (s, c), nullable=s.nullable or c.nullable)


def _proctime(b: ExprBinder, node: exp.Expr, args: list) -> Expr:
    """PROCTIME(): when the row is processed, by the wall clock (a processing-time
    attribute: windows over it close as the clock passes their end)."""
    _arity(node, args, "PROCTIME", (0,))
    return Expr(Op.PROCTIME, TIMESTAMP_MS, (), nullable=False)


def _time_field(field_name: str, what: str):
    """HOUR(t), MINUTE(t), ...: Flink's shorthands for EXTRACT."""
    def handler(b: ExprBinder, node: exp.Expr) -> Expr:
        return _extract_field(_temporal_arg(b, node.this, what), field_name, node, what)

    return handler


def date_format_program(pattern: str) -> tuple[bytes, int]:
    """Java's date pattern (the letters y M d H m s S; text in single quotes, '' for a quote)
    as lc_date_format's program of (op, width) pairs, and the longest result in bytes."""
    out = bytearray()
    longest = 0
    literal = bytearray()

    def flush() -> None:
        nonlocal longest
        for k in range(0, len(literal), 255):
            piece = literal[k : k + 255]
            out.extend((1, len(piece)))
            out.extend(piece)
            longest += len(piece)
        literal.clear()

    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "'":
            j = pattern.find("'", i + 1)
            while j >= 0 and pattern[j + 1 : j + 2] == "'":   # '' inside quotes
                j = pattern.find("'", j + 2)
            if j < 0:
                raise ValueError(f"unterminated quote at position {i + 1} of the pattern")
            text = pattern[i + 1 : j].replace("''", "'") if j > i + 1 else "'"
            literal.extend(text.encode())
            i = j + 1
            continue
        if c.isascii() and c.isalpha():
            j = i
            while j < len(pattern) and pattern[j] == c:
                j += 1
            width = j - i
            if c not in "yMdHmsS":
                raise ValueError(f"the pattern letter '{c}' is not supported (known: y M d H "
                                 "m s S)")
            if width > 9 or (c == "M" and width > 2):
                raise ValueError(f"'{c * width}' is not supported")
            flush()
            out.extend((ord(c), width))
            # (a TIMESTAMP(3)'s years reach 292 million: a sign and 9 digits)
            longest += max(width, 10 if c == "y" else 2)
            i = j
            continue
        literal.extend(c.encode())
        i += 1
    flush()
    return bytes(out), longest


def _window_bound(b: ExprBinder, node: exp.Anonymous, name: str) -> Expr:
    func, bound = name.split("_")
    w = b.window
    if w is None or w.function != func:
        raise error_at(node, f"{name} needs GROUP BY {func}(...) with the same arguments")
    args = tuple(b.input_binder().bind(a) for a in node.expressions)
    if args != w.args:
        raise error_at(node, f"{name} arguments differ from those of {func} in GROUP BY")
    index = w.start_column if bound == "START" else w.end_column
    return col(index, w.time_type, False, label=f"window_{bound.lower()}")


def _aggregate(b: ExprBinder, node: exp.Expr) -> Expr:
    return b.aggregate(node)


def _window_call(b: ExprBinder, node: exp.Expr) -> Expr:
    raise error_at(node, f"{node.name} is only allowed in FROM TABLE(...) or in GROUP BY")


_NAMED: dict[str, Callable] = {
    "DATE_FORMAT": _date_format,
    "SPLIT_INDEX": _split_index,
    "COUNT_CHAR": _count_char,
    "PROCTIME": _proctime,
}

HANDLERS: dict[type, Callable] = {
    exp.Paren: _paren,
    exp.Column: _column,
    exp.Literal: _literal,
    exp.Boolean: _boolean,
    exp.Null: _null,
    exp.Interval: _interval,
    exp.Cast: _cast,
    exp.TryCast: _cast,
    exp.Neg: _neg,
    exp.Add: _arith(Op.ADD),
    exp.Sub: _arith(Op.SUB),
    exp.Mul: _arith(Op.MUL),
    exp.Div: _arith(Op.DIV),
    exp.IntDiv: _arith(Op.DIV),
    exp.Mod: _arith(Op.MOD),
    exp.EQ: _compare(Op.EQ),
    exp.NEQ: _compare(Op.NE),
    exp.LT: _compare(Op.LT),
    exp.LTE: _compare(Op.LE),
    exp.GT: _compare(Op.GT),
    exp.GTE: _compare(Op.GE),
    exp.And: _logic(Op.AND),
    exp.Or: _logic(Op.OR),
    exp.Not: _not,
    exp.Is: _is,
    exp.In: _in,
    exp.Between: _between,
    exp.Case: _case,
    exp.Coalesce: _coalesce,
    exp.Nullif: _nullif,
    exp.Like: _like(),
    exp.ILike: _like(ilike=True),
    exp.Escape: _escape,
    exp.Upper: _unary_string(Op.UPPER, "UPPER"),
    exp.Lower: _unary_string(Op.LOWER, "LOWER"),
    exp.Length: _length,
    exp.Substring: _substring,
    exp.Trim: _trim,
    exp.Concat: _concat,
    exp.DPipe: _dpipe,
    exp.Abs: _abs,
    exp.Round: _round,
    exp.Floor: _floor_ceil(Op.FLOOR),
    exp.Ceil: _floor_ceil(Op.CEIL),
    exp.Extract: _extract,
    exp.TimestampTrunc: _date_trunc,
    exp.DateTrunc: _date_trunc,
    exp.Anonymous: _anonymous,
    exp.RegexpExtract: _regexp_extract,
    exp.Hour: _time_field("hour", "HOUR"),
    exp.Minute: _time_field("minute", "MINUTE"),
    exp.Second: _time_field("second", "SECOND"),
    exp.Year: _time_field("year", "YEAR"),
    exp.Month: _time_field("month", "MONTH"),
    exp.Day: _time_field("day", "DAY"),
    exp.DayOfMonth: _time_field("day", "DAYOFMONTH"),
    exp.DayOfYear: _time_field("doy", "DAYOFYEAR"),
    exp.Quarter: _time_field("quarter", "QUARTER"),
    exp.Count: _aggregate,
    exp.Sum: _aggregate,
    exp.Min: _aggregate,
    exp.Max: _aggregate,
    exp.Avg: _aggregate,
    exp.Filter: _aggregate,
    WindowCall: _window_call,
}
