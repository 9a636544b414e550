"""fold_constants: evaluate constant subexpressions at compile time and simplify logic.

    Filter (v > CAST(15::DECIMAL(2,1) AS DOUBLE))   ->   Filter (v > 1.5)
    Filter (TRUE AND (k > 1))                       ->   Filter (k > 1)

Folding follows the runtime's semantics exactly; where an expression would fail at run time
(overflow, division by zero, a bad cast), it is left for the runtime, which yields NULL and
counts the error. A filter that is always TRUE disappears; one that is never TRUE stays (its
pipeline still advances watermarks).
"""

from __future__ import annotations

import decimal as pydecimal
import math
import struct
from dataclasses import replace

from ...runtime import native
from ..bind.literals import parse_text_as
from ..expr import Expr, Op, balanced, in_set, lit
from ..plan import Aggregate, Filter, Node, Project, Scan, Window
from ..types import BOOLEAN, Kind, SqlType, text_formatter, text_parser


def fold_constants(plan: Node) -> Node:
    if isinstance(plan, Scan):
        return plan
    child = fold_constants(plan.input)
    if isinstance(plan, Filter):
        pred = fold(plan.predicate)
        if pred.op is Op.LITERAL and pred.value is True:
            return child
        return replace(plan, input=child, predicate=pred)
    if isinstance(plan, Project):
        return replace(plan, input=child, exprs=tuple(fold(e) for e in plan.exprs))
    if isinstance(plan, Window | Aggregate):
        return replace(plan, input=child)
    raise AssertionError(f"fold_constants does not know {plan.kind}")


def fold(e: Expr) -> Expr:
    """The expression with constant parts evaluated and boolean identities applied."""
    if not e.args:
        return e
    if e.op in (Op.AND, Op.OR):
        return _fold_chain(e)
    return _fold_node(e.with_args(tuple(fold(a) for a in e.args)))


def _fold_node(e: Expr) -> Expr:
    """e, whose arguments are folded, simplified or evaluated."""
    simplified = _simplify_logic(e)
    if simplified is not None:
        return simplified
    if all(a.op is Op.LITERAL for a in e.args):
        fn = _EVAL.get(e.op)
        if fn is not None:
            try:
                value = fn(e, [a.value for a in e.args])
            except _Unfoldable:
                return e
            return lit(value, e.type)
    return e


# ---------------------------------------------------------------------------------------------
# chains: x = c1 OR x = c2 OR ... (an IN list) with many constants becomes one IN_SET, and
# x <> c1 AND x <> c2 AND ... (NOT IN) its negation
# ---------------------------------------------------------------------------------------------
# The fewest constants that make an IN_SET: below these, LLVM's code for the comparisons is
# as fast (it vectorizes or switches on numbers; strings cost a call per comparison).
SET_MIN = 48
SET_MIN_STRINGS = 8
SET_TYPES = (Kind.TINYINT, Kind.SMALLINT, Kind.INT, Kind.BIGINT, Kind.DECIMAL, Kind.DATE,
             Kind.TIMESTAMP, Kind.REAL, Kind.DOUBLE, Kind.VARCHAR)


def _fold_chain(e: Expr) -> Expr:
    """An AND or OR tree, its operands gathered without recursion (an IN list of ten
    thousand values is one), folded, grouped into IN_SETs and joined again as a balanced tree
    in their order (AND and OR are associative in three-valued logic, and the order keeps
    which operands run)."""
    operands, stack = [], [e]
    while stack:
        n = stack.pop()
        if n.op is e.op:
            stack += [n.args[1], n.args[0]]   # (the left one is taken first)
        else:
            operands.append(fold(n))
    return balanced(e.op, _group_memberships(e.op, operands), join=_fold_node)


def _membership(chain: Op, e: Expr) -> tuple[Expr, list, bool] | None:
    """(x, constants, has NULL) of an operand of an OR that is `x = constant` or an IN_SET,
    or of an AND that is `x <> constant` or NOT of an IN_SET; else None."""
    test, positive = (Op.EQ, True) if chain is Op.OR else (Op.NE, False)
    if not positive and e.op is Op.NOT:
        e = e.args[0]
        positive = True
    if positive and e.op is Op.IN_SET:
        members, has_null = e.value
        return e.args[0], list(members), has_null
    if e.op is test and e.args[1].op is Op.LITERAL and e.args[0].op is not Op.LITERAL:
        v = e.args[1].value
        return e.args[0], [] if v is None else [v], v is None
    return None


def _group_memberships(chain: Op, operands: list[Expr]) -> list[Expr]:
    """The operands with the (in)equalities of each x to enough constants made one IN_SET (or
    NOT IN_SET) where the first of them was. Operands only move earlier, so none runs for a
    row it did not run for before; and none moves past an operand that can count an error
    (other than another (in)equality), which so runs for exactly the rows it ran for. x is
    evaluated once, not once per constant: a failing x counts one error, not one per
    constant."""
    out: list[Expr] = []
    run: list[tuple[Expr, tuple | None]] = []
    for op in operands:
        m = _membership(chain, op)
        if m is None and op.can_fail():
            out += [*_group_run(chain, run), op]
            run = []
        else:
            run.append((op, m))
    return out + _group_run(chain, run)


def _group_run(chain: Op, run: list[tuple[Expr, tuple | None]]) -> list[Expr]:
    """_group_memberships within operands (each with its _membership) none of which moves
    past another."""
    groups: dict[Expr, list[tuple]] = {}
    for _, m in run:
        if m is not None and m[0].type.kind in SET_TYPES:
            groups.setdefault(m[0], []).append(m)
    chosen = {x: ms for x, ms in groups.items() if sum(len(m[1]) for m in ms)
              >= (SET_MIN_STRINGS if x.type.kind is Kind.VARCHAR else SET_MIN)}
    out: list[Expr] = []
    for op, m in run:
        if m is None or m[0] not in chosen:
            out.append(op)
        elif m is chosen[m[0]][0]:
            ms = chosen[m[0]]
            test = in_set(m[0], [v for _, values, _ in ms for v in values],
                          any(null for _, _, null in ms))
            out.append(test if chain is Op.OR
                       else Expr(Op.NOT, BOOLEAN, (test,), nullable=test.nullable))
    return out


class _Unfoldable(Exception):
    """The runtime must evaluate this (it would fail, or folding it is not implemented)."""


def _simplify_logic(e: Expr) -> Expr | None:
    if e.op in (Op.AND, Op.OR):
        a, b = e.args
        absorbing = e.op is Op.OR   # TRUE absorbs OR, FALSE absorbs AND
        for x, y in ((a, b), (b, a)):
            if x.op is Op.LITERAL and x.value is not None:
                if bool(x.value) == absorbing:
                    # Generated code evaluates AND/OR left to right and skips the right side
                    # once the left decides; a left side that can count errors still runs.
                    if x is b and a.can_fail():
                        continue
                    return lit(absorbing, BOOLEAN)
                return y
    if e.op is Op.NOT and e.args[0].op is Op.NOT:
        return e.args[0].args[0]
    if e.op is Op.CASE:
        args = list(e.args)
        kept: list[Expr] = []
        for i in range(0, len(args) - 1, 2):
            cond, value = args[i], args[i + 1]
            if cond.op is Op.LITERAL:
                if cond.value is True:
                    return value if not kept else Expr(Op.CASE, e.type, (*kept, value),
                                                       nullable=e.nullable)
                continue   # FALSE or NULL: the branch never runs
            kept += [cond, value]
        if not kept:
            return args[-1]
        if len(kept) != len(args) - 1:
            return Expr(Op.CASE, e.type, (*kept, args[-1]), nullable=e.nullable)
    if e.op is Op.COALESCE:
        kept = []
        for a in e.args:
            if a.op is Op.LITERAL and a.value is None:
                continue
            kept.append(a)
            if not a.nullable:
                break
        if not kept:
            return lit(None, e.type)
        if len(kept) == 1:
            return kept[0]
        if len(kept) != len(e.args):
            return Expr(Op.COALESCE, e.type, tuple(kept), nullable=e.nullable)
    return None


# ---------------------------------------------------------------------------------------------
# evaluation of literal operands (values in generated code's representation)
# ---------------------------------------------------------------------------------------------
_INT_BITS = {Kind.TINYINT: 8, Kind.SMALLINT: 16, Kind.INT: 32, Kind.BIGINT: 64,
             Kind.DATE: 32, Kind.TIMESTAMP: 64, Kind.INTERVAL: 64}


def _check(v: int, t: SqlType) -> int:
    if t.kind is Kind.DECIMAL:
        if abs(v) >= 10**t.precision:
            raise _Unfoldable
        return v
    bits = _INT_BITS.get(t.kind)
    if bits is not None and not -(2 ** (bits - 1)) <= v < 2 ** (bits - 1):
        raise _Unfoldable
    return v


def _real(x: float) -> float:
    """x rounded to a REAL (IEEE: beyond its range is infinity, as float32 arithmetic gives)."""
    try:
        return struct.unpack("f", struct.pack("f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def _int_to_real(v: int) -> float:
    """An integer rounded once to a REAL, half to even, as the machine's sitofp does (going
    through a DOUBLE first would round twice)."""
    if abs(v) < 2**24:
        return float(v)
    shift = abs(v).bit_length() - 24
    q, r = divmod(abs(v), 1 << shift)
    half = 1 << (shift - 1)
    if r > half or (r == half and q & 1):
        q += 1
    return _real(math.copysign(float(q << shift), v))


def _float_result(t: SqlType, x: float) -> float:
    return _real(x) if t.kind is Kind.REAL else x


def _round_half_away(x: float) -> int:
    """Exactly (x + 0.5 in floating point can round up: 0.49999999999999994 + 0.5 == 1.0)."""
    return int(pydecimal.Decimal(x).to_integral_value(rounding=pydecimal.ROUND_HALF_UP))


def _div_round(a: int, b: int) -> int:
    """a / b rounded half away from zero (b > 0)."""
    q, r = divmod(abs(a), b)
    if 2 * r >= b:
        q += 1
    return q if a >= 0 else -q


def _cast(e: Expr, vals: list) -> object:
    (v,) = vals
    src, dst = e.args[0].type, e.type
    if v is None:
        return None
    if src.kind is Kind.VARCHAR:
        return _from_text(v, dst)
    if dst.kind is Kind.VARCHAR:
        return _to_text(v, src)
    if dst.kind is Kind.BOOLEAN:
        if src.is_integer:
            return v != 0
        raise _Unfoldable
    if src.kind is Kind.BOOLEAN:
        return _check(int(v), dst) if dst.is_integer else _raise()
    if dst.is_float:
        if src.kind is Kind.DECIMAL:
            # as generated code: the scaled integer to DOUBLE, then one division
            return _float_result(dst, float(v) / float(10**src.scale))
        if src.is_integer:
            return _int_to_real(v) if dst.kind is Kind.REAL else float(v)
        return _cast_to_real(v) if dst.kind is Kind.REAL else float(v)
    if dst.is_integer:
        if src.is_integer:
            return _check(v, dst)
        if src.is_float:
            if math.isnan(v) or math.isinf(v):
                raise _Unfoldable
            return _check(_round_half_away(v), dst)
        if src.kind is Kind.DECIMAL:
            return _check(_div_round(v, 10**src.scale), dst)
    if dst.kind is Kind.DECIMAL:
        if src.is_integer:
            return _check(v * 10**dst.scale, dst)
        if src.kind is Kind.DECIMAL:
            if dst.scale >= src.scale:
                return _check(v * 10 ** (dst.scale - src.scale), dst)
            return _check(_div_round(v, 10 ** (src.scale - dst.scale)), dst)
        if src.is_float:
            if math.isnan(v) or math.isinf(v):
                raise _Unfoldable
            scaled = v * 10**dst.scale
            if math.isinf(scaled):   # past any DECIMAL: the runtime's overflow (a NULL)
                raise _Unfoldable
            return _check(_round_half_away(scaled), dst)
    raise _Unfoldable   # temporal conversions are the runtime's


def _from_text(v: str, dst: SqlType) -> object:
    """A text constant converted to dst by the runtime's own parser, which generated code calls
    (so `x > CAST('1.5' AS DOUBLE)` compares with a constant, not a parse per row)."""
    if text_parser(dst) is None:
        raise _Unfoldable
    x = parse_text_as(v, dst)
    if x is None:
        raise _Unfoldable   # the runtime's NULL and error
    if dst.is_float:
        return _float_result(dst, x)
    return x != 0 if dst.kind is Kind.BOOLEAN else _check(x, dst)


def _to_text(v: object, src: SqlType) -> str:
    """A constant's text, written by the runtime's own formatter."""
    if src.kind is Kind.BOOLEAN:
        return "true" if v else "false"
    formatter = text_formatter(src)
    if formatter is None:
        raise _Unfoldable
    name, args = formatter
    return native.format_text(name, v, *args).decode()


def _raise() -> object:
    raise _Unfoldable


def _cast_to_real(x: float) -> float:
    """A DOUBLE converted to REAL: a finite value beyond REAL's range is an overflow error."""
    r = _real(x)
    if math.isinf(r) and not math.isinf(x):
        raise _Unfoldable
    return r


def _arith(e: Expr, vals: list) -> object:
    a, b = vals
    if a is None or b is None:
        return None
    t = e.type
    if t.kind in (Kind.INTERVAL, Kind.DATE, Kind.TIMESTAMP):
        raise _Unfoldable   # temporal arithmetic is the runtime's
    if e.args[0].type != e.args[1].type and not (e.op is Op.MUL and t.kind is Kind.DECIMAL):
        raise _Unfoldable
    if t.is_float:
        try:
            r = {Op.ADD: a + b, Op.SUB: a - b, Op.MUL: a * b}.get(e.op)
            if e.op is Op.DIV:
                r = a / b
            elif e.op is Op.MOD:
                r = math.fmod(a, b)
        except (ZeroDivisionError, ValueError):
            raise _Unfoldable from None
        return _float_result(t, r)
    if e.op is Op.ADD:
        return _check(a + b, t)
    if e.op is Op.SUB:
        return _check(a - b, t)
    if e.op is Op.MUL:
        return _check(a * b, t)   # decimal scales add up: the binder typed the result so
    if b == 0:
        raise _Unfoldable
    q = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)   # truncating, as in C
    if e.op is Op.DIV:
        return _check(q, t)
    return a - b * q


def _neg(e: Expr, vals: list) -> object:
    (a,) = vals
    if a is None:
        return None
    if e.type.kind is Kind.INTERVAL:
        raise _Unfoldable
    return -a if e.type.is_float else _check(-a, e.type)


def _compare(e: Expr, vals: list) -> object:
    a, b = vals
    if a is None or b is None:
        return None
    t = e.args[0].type
    if t.kind is Kind.INTERVAL:
        raise _Unfoldable
    if t.kind is Kind.VARCHAR:
        a, b = a.encode(), b.encode()   # byte order, like the runtime
    if t.is_float and (math.isnan(a) or math.isnan(b)):
        raise _Unfoldable
    return {Op.EQ: a == b, Op.NE: a != b, Op.LT: a < b, Op.LE: a <= b, Op.GT: a > b,
            Op.GE: a >= b}[e.op]


def _and(e: Expr, vals: list) -> object:
    a, b = vals
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def _in_set(e: Expr, vals: list) -> object:
    (x,) = vals
    members, has_null = e.value
    if x is None:
        return None
    if e.args[0].type.is_float and math.isnan(x):
        raise _Unfoldable
    return True if x in members else None if has_null else False


def _or(e: Expr, vals: list) -> object:
    a, b = vals
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False


_EVAL = {
    Op.CAST: _cast,
    Op.ADD: _arith,
    Op.SUB: _arith,
    Op.MUL: _arith,
    Op.DIV: _arith,
    Op.MOD: _arith,
    Op.NEG: _neg,
    Op.EQ: _compare,
    Op.NE: _compare,
    Op.LT: _compare,
    Op.LE: _compare,
    Op.GT: _compare,
    Op.GE: _compare,
    Op.AND: _and,
    Op.OR: _or,
    Op.IN_SET: _in_set,
    Op.NOT: lambda e, v: None if v[0] is None else not v[0],
    Op.IS_NULL: lambda e, v: v[0] is None,
    Op.IS_NOT_NULL: lambda e, v: v[0] is not None,
    Op.DPIPE: lambda e, v: None if None in v else v[0] + v[1],
    Op.CONCAT: lambda e, v: "".join(x for x in v if x is not None),
}
