"""Lowering of scalar expressions to LLVM IR: `lower(g, e, env) -> Val`, one function per Op
in LOWER, all with the same signature.

Semantics kept here (and mirrored by fold_constants):
- three-valued logic; a NULL operand makes most results NULL; AND/OR evaluate left to right
  and skip the right side once the left decides, CASE/COALESCE only what they return;
- exact arithmetic (integers, decimals) that overflows, integer division or modulo by zero,
  invalid casts, a negative SUBSTRING length, a LIKE pattern ending in its escape character and
  date-time results beyond their type yield NULL and count an error (RisingWave's streaming
  convention: a bad row does not stop the stream); floating point follows IEEE, but a finite
  DOUBLE beyond REAL's range is a cast error;
- comparisons never fail: exact numbers whose common DECIMAL can not hold both (BIGINT vs
  DECIMAL(18,4)) compare in 128 bits;
- floats order NaN above every number and NaN = NaN (as DuckDB), and -0.0 = 0.0;
- casts to integers and decimals, ROUND, and TIMESTAMP(6) -> TIMESTAMP(3) round half away
  from zero;
- strings compare by bytes; string results live in per-row scratch or point into inputs.

An expression whose `nullable` is False must never produce NULL (its column has no validity
bitmap): the binder marks every operation that can fail as nullable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Protocol

from llvmlite import ir

from ..errors import SqlError
from ..expr import COMPARISONS, WIDENED, Expr, Op
from ..regex import compile_regex
from ..types import Kind, SqlType, decimal_cast_overflows, text_formatter, text_parser
from . import sets
from .abi import (
    F32,
    F64,
    I1,
    I8,
    I32,
    I64,
    I128,
    LC_PIPE,
    PTR,
)
from .abi import NEED_SCRATCH as SCRATCH
from .function import FnGen
from .runtime_api import FIELD_CODES
from .values import FALSE, TRUE, Val, canonical_float, i64, llvm_type, truth, zero

# What lc_add_months / lc_date_trunc return for a result beyond the unit's range (INT64_MIN)
TIME_OVERFLOW = -(2**63)


class Env(Protocol):
    def get(self, index: int) -> Val: ...


class ValuesEnv:
    """An operator's output: values already computed."""

    def __init__(self, vals: list[Val]):
        self.vals = vals
        self.memo: dict[Expr, tuple[Val, ir.Block]] = {}   # see lower

    def get(self, index: int) -> Val:
        return self.vals[index]


def lower(g: FnGen, e: Expr, env: Env) -> Val:
    fn = LOWER.get(e.op)
    if fn is None:
        raise SqlError(f"code generation does not support {e.op.name} yet")
    memo = getattr(env, "memo", None)
    if memo is None or e.op in _UNSHARED or cheap(e):
        return fn(g, e, env)
    # An expression that calls into the runtime (a regular expression, LOWER, a cast of a
    # text, ...) is computed once a row where it repeats (q21's filter and select list), when
    # the first computation's block dominates the repeat: its errors then count once.
    done = memo.get(e)
    if done is not None and g.dominates(done[1], g.b.block):
        return done[0]
    v = fn(g, e, env)
    memo[e] = (v, g.b.block)
    return v


def or_nulls(g: FnGen, *vals: Val) -> ir.Value:
    out = FALSE
    for v in vals:
        if v.maybe_null:
            out = v.null if out is FALSE else g.b.or_(out, v.null)
    return out


def not_null(g: FnGen, *vals: Val) -> ir.Value:
    n = or_nulls(g, *vals)
    return TRUE if n is FALSE else g.b.not_(n)


# ---------------------------------------------------------------------------------------------
# leaves
# ---------------------------------------------------------------------------------------------
def _column(g: FnGen, e: Expr, env: Env) -> Val:
    return env.get(e.value)


def const_string(g: FnGen, text: str) -> tuple[ir.Value, ir.Value]:
    return const_bytes(g, text.encode())


def const_bytes(g: FnGen, data: bytes, align: int = 1) -> tuple[ir.Value, ir.Value]:
    """A private constant holding `data` (a string literal, a compiled pattern), and its
    length; one per content and alignment in a module."""
    key = f"lcb{align}." + hashlib.sha256(data).hexdigest()[:24]
    gv = g.module.globals.get(key)
    if gv is None:
        t = ir.ArrayType(I8, max(len(data), 1))
        gv = ir.GlobalVariable(g.module, t, name=key)
        gv.global_constant = True
        gv.linkage = "private"
        gv.align = align
        gv.initializer = ir.Constant(t, bytearray(data or b"\0"))
    return gv, i64(len(data))


def literal_val(g: FnGen, e: Expr) -> Val:
    t = e.type
    if e.value is None:
        if t.kind is Kind.VARCHAR:
            return Val(ir.Constant(PTR, None), TRUE, i64(0))
        return Val(zero(t), TRUE)
    if t.kind is Kind.VARCHAR:
        ptr, n = const_string(g, e.value)
        return Val(ptr, FALSE, n)
    if t.kind is Kind.INTERVAL:
        months, micros = e.value
        if months:
            raise SqlError("intervals of months or years can only be added to or subtracted "
                           "from a timestamp or date")
        return Val(i64(micros))
    if t.kind is Kind.BOOLEAN:
        return Val(ir.Constant(I1, int(bool(e.value))))
    return Val(ir.Constant(llvm_type(t), e.value))


def _literal(g: FnGen, e: Expr, env: Env) -> Val:
    return literal_val(g, e)


# ---------------------------------------------------------------------------------------------
# arithmetic
# ---------------------------------------------------------------------------------------------
def _decimal_in_range(g: FnGen, v: ir.Value, precision: int) -> ir.Value:
    """|v| < 10^precision."""
    b = g.b
    limit = ir.Constant(v.type, 10**precision)
    neg_limit = ir.Constant(v.type, -(10**precision))
    return b.and_(b.icmp_signed("<", v, limit), b.icmp_signed(">", v, neg_limit))


def _checked(g: FnGen, op: str, a: ir.Value, c: ir.Value) -> tuple[ir.Value, ir.Value]:
    """(result, overflowed) of integer +, -, *."""
    fn = {"+": g.b.sadd_with_overflow, "-": g.b.ssub_with_overflow, "*": g.b.smul_with_overflow}[op]
    r = fn(a, c)
    return g.b.extract_value(r, 0), g.b.extract_value(r, 1)


def _fail(g: FnGen, bad: ir.Value, ok_inputs: ir.Value) -> None:
    """Count an error for rows where `bad` holds and the inputs were not NULL."""
    cond = bad if ok_inputs is TRUE else g.b.and_(bad, ok_inputs)
    g.count_error(cond)


def _arith(g: FnGen, e: Expr, env: Env) -> Val:
    t = e.type
    ta = e.args[0].type
    if t.kind in (Kind.TIMESTAMP, Kind.DATE) or ta.is_temporal or (
            t.kind is Kind.INTERVAL and e.op is not Op.MUL):
        return _temporal(g, e, env)
    a, c = lower(g, e.args[0], env), lower(g, e.args[1], env)
    b = g.b
    null = or_nulls(g, a, c)
    ok = not_null(g, a, c)
    sym = e.op.value
    if t.is_float:
        fn = {"+": b.fadd, "-": b.fsub, "*": b.fmul, "/": b.fdiv, "%": b.frem}[sym]
        return Val(fn(a.v, c.v), null)
    if e.op in (Op.DIV, Op.MOD):
        return _int_divide(g, e, a, c, null, ok)
    if t.kind is Kind.DECIMAL:
        if e.op is Op.MUL:
            wide = b.mul(b.sext(a.v, I128), b.sext(c.v, I128))
            bad = b.not_(_decimal_in_range(g, wide, t.precision))
            _fail(g, bad, ok)
            return Val(b.trunc(wide, I64), b.or_(null, bad) if null is not FALSE else bad)
        r = b.add(a.v, c.v) if e.op is Op.ADD else b.sub(a.v, c.v)
        bad = b.not_(_decimal_in_range(g, r, t.precision))
        _fail(g, bad, ok)
        return Val(r, b.or_(null, bad) if null is not FALSE else bad)
    r, bad = _checked(g, sym, a.v, c.v)
    _fail(g, bad, ok)
    return Val(r, b.or_(null, bad) if null is not FALSE else bad)


def _int_divide(g: FnGen, e: Expr, a: Val, c: Val, null: ir.Value, ok: ir.Value) -> Val:
    """Integer or decimal (same scale) division/modulo; x / 0 and MIN / -1 are NULL + error.
    The divisor is replaced before the instruction, which would trap otherwise."""
    b = g.b
    lt = a.v.type
    zero_div = b.icmp_signed("==", c.v, ir.Constant(lt, 0))
    minimum = ir.Constant(lt, -(1 << (lt.width - 1)))
    ovf = b.and_(b.icmp_signed("==", a.v, minimum), b.icmp_signed("==", c.v, ir.Constant(lt, -1)))
    bad = b.or_(zero_div, ovf)
    safe = b.select(bad, ir.Constant(lt, 1), c.v)
    _fail(g, zero_div, ok)
    if e.op is Op.DIV:
        _fail(g, ovf, ok)
        r = b.sdiv(a.v, safe)
        return Val(r, b.or_(null, bad) if null is not FALSE else bad)
    r = b.srem(a.v, safe)   # MIN % -1 is 0, which srem with divisor 1 also gives
    return Val(r, b.or_(null, zero_div) if null is not FALSE else zero_div)


def _to_units(g: FnGen, micros: ir.Value, t: SqlType) -> ir.Value:
    """Microseconds to units of timestamp type t (truncating, like the interval literal)."""
    unit = t.time_unit_us
    return micros if unit == 1 else g.b.sdiv(micros, i64(unit))


def _temporal(g: FnGen, e: Expr, env: Env) -> Val:
    b = g.b
    t = e.type
    x, y = e.args
    if t.kind is Kind.INTERVAL and x.type.kind is Kind.INTERVAL:    # interval +/- interval
        a, c = lower(g, x, env), lower(g, y, env)
        r, bad = _checked(g, e.op.value, a.v, c.v)
        _fail(g, bad, not_null(g, a, c))
        return Val(r, b.or_(or_nulls(g, a, c), bad))
    if t.kind is Kind.INTERVAL:                                     # ts - ts
        a, c = lower(g, x, env), lower(g, y, env)
        r, bad = _checked(g, "-", a.v, c.v)
        unit = x.type.time_unit_us          # the operands share a unit; intervals are in us
        if unit != 1:
            r, scaled_bad = _checked(g, "*", r, i64(unit))
            bad = b.or_(bad, scaled_bad)
        _fail(g, bad, not_null(g, a, c))
        return Val(r, b.or_(or_nulls(g, a, c), bad))
    if t.kind is Kind.BIGINT:                                       # date - date
        a, c = lower(g, x, env), lower(g, y, env)
        return Val(b.sub(b.sext(a.v, I64), b.sext(c.v, I64)), or_nulls(g, a, c))
    if t.kind is Kind.DATE:                                         # date +/- days
        a, c = lower(g, x, env), lower(g, y, env)
        r, bad = _checked(g, e.op.value, a.v, c.v)
        # +-(2^31 - 1) days are no dates: DuckDB (and Arrow readers after it) take them
        # for +-infinity
        edge = ir.Constant(r.type, 2**31 - 1)
        bad = b.or_(bad, b.icmp_signed("==", r, edge))
        bad = b.or_(bad, b.icmp_signed("==", r, b.neg(edge)))
        _fail(g, bad, not_null(g, a, c))
        return Val(r, b.or_(or_nulls(g, a, c), bad))
    # timestamp +/- interval (the interval may hold months when it is a literal)
    a = lower(g, x, env)
    months = 0
    if y.op is Op.LITERAL and y.value is not None:
        months, micros = y.value
        c = Val(i64(micros))
    else:
        c = lower(g, y, env)
    v = a.v
    sign = 1 if e.op is Op.ADD else -1
    month_bad = FALSE
    if months:
        v = g.call("lc_add_months", [v, i64(sign * months), g.i32(_unit_code(t))])
        month_bad = b.icmp_signed("==", v, i64(TIME_OVERFLOW))
    delta = _to_units(g, c.v, t)
    r, bad = _checked(g, e.op.value, v, delta)
    bad = b.or_(bad, month_bad)
    _fail(g, bad, not_null(g, a, c))
    return Val(r, b.or_(or_nulls(g, a, c), bad))


def _unit_code(t: SqlType) -> int:
    """Unit argument of the runtime's date-time helpers: 0 days, 1 ms, 2 us."""
    if t.kind is Kind.DATE:
        return 0
    return 2 if t.time_unit_us == 1 else 1


def _time_arg(g: FnGen, v: ir.Value, t: SqlType) -> tuple[ir.Value, ir.Value]:
    """A DATE or TIMESTAMP value of type t as the runtime's date-time helpers take it: an
    int64 (a DATE's int32 days widened) and its unit code."""
    return (g.b.sext(v, I64) if t.kind is Kind.DATE else v), g.i32(_unit_code(t))


def _neg(g: FnGen, e: Expr, env: Env) -> Val:
    a = lower(g, e.args[0], env)
    b = g.b
    if e.type.is_float:
        return Val(b.fneg(a.v), a.null)
    if e.type.kind is Kind.DECIMAL:
        return Val(b.neg(a.v), a.null)
    r, bad = _checked(g, "-", ir.Constant(a.v.type, 0), a.v)
    _fail(g, bad, not_null(g, a))
    return Val(r, b.or_(a.null, bad))


# ---------------------------------------------------------------------------------------------
# comparison and logic
# ---------------------------------------------------------------------------------------------
def compare_values(g: FnGen, op: str, t: SqlType, a: Val, c: Val) -> ir.Value:
    """i1 of `a op c` for non-NULL values of type t (floats in DuckDB's total order)."""
    b = g.b
    if t.kind is Kind.VARCHAR:
        r = g.call("lc_str_cmp", [a.v, a.len, c.v, c.len])
        return b.icmp_signed(op, r, ir.Constant(I32, 0))
    if t.is_float:
        a_nan = b.fcmp_unordered("uno", a.v, a.v)
        c_nan = b.fcmp_unordered("uno", c.v, c.v)
        both = b.and_(a_nan, c_nan)
        if op in ("==", "!="):
            eq = b.or_(b.fcmp_ordered("==", a.v, c.v), both)
            return eq if op == "==" else b.not_(eq)
        if op in ("<", "<="):
            base = b.fcmp_ordered(op, a.v, c.v)
            nan_side = b.and_(b.not_(a_nan), c_nan)
            r = b.or_(base, nan_side)
            return b.or_(r, both) if op == "<=" else r
        base = b.fcmp_ordered(op, a.v, c.v)
        nan_side = b.and_(a_nan, b.not_(c_nan))
        r = b.or_(base, nan_side)
        return b.or_(r, both) if op == ">=" else r
    if t.kind is Kind.BOOLEAN:
        return b.icmp_unsigned(op, a.v, c.v)
    return b.icmp_signed(op, a.v, c.v)


def _compare(g: FnGen, e: Expr, env: Env) -> Val:
    sym = {Op.EQ: "==", Op.NE: "!=", Op.LT: "<", Op.LE: "<=", Op.GT: ">", Op.GE: ">="}[e.op]
    if any(_lossy_widening(x) for x in e.args):
        return _compare_exact(g, sym, e, env)
    a, c = lower(g, e.args[0], env), lower(g, e.args[1], env)
    return Val(compare_values(g, sym, e.args[0].type, a, c), or_nulls(g, a, c))


def _lossy_widening(e: Expr) -> bool:
    """A comparison's own CAST that can overflow: an exact number to a DECIMAL (BIGINT to
    DECIMAL(18,4)), a DATE or TIMESTAMP(3) to TIMESTAMP(6). A CAST the query wrote, or a
    CASE's that the folder exposed, overflows."""
    if e.op is not Op.CAST or e.value != WIDENED:
        return False
    src, dst = e.args[0].type, e.type
    if dst.kind is Kind.DECIMAL:
        return (src.is_integer or src.kind is Kind.DECIMAL) and decimal_cast_overflows(src, dst)
    return dst.kind is Kind.TIMESTAMP and dst.time_unit_us == 1 and (
        src.kind is Kind.DATE or (src.kind is Kind.TIMESTAMP and src.time_unit_us > 1))


def _widening_factor(src: SqlType, dst: SqlType) -> int:
    """What a value of src is multiplied by to be in dst's units (dst the finer type)."""
    if dst.kind is Kind.TIMESTAMP:
        per = 86_400_000_000 if src.kind is Kind.DATE else src.time_unit_us
        return per // dst.time_unit_us
    return 10 ** (dst.scale - (src.scale if src.kind is Kind.DECIMAL else 0))


def _widened_exactly(g: FnGen, x: Expr, env: Env) -> tuple[Val, ir.Value]:
    """x, a comparison's operand, lowered without its own lossy widening: its value and that
    value in x's type's units in 128 bits (19 digits times at most 10^18 or 8.64 * 10^10)."""
    inner = x.args[0] if _lossy_widening(x) else x
    v = lower(g, inner, env)
    wide = g.b.sext(v.v, I128)
    factor = _widening_factor(inner.type, x.type)
    return v, (wide if factor == 1 else g.b.mul(wide, ir.Constant(I128, factor)))


def _compare_exact(g: FnGen, sym: str, e: Expr, env: Env) -> Val:
    """Compare operands whose common type can not hold both (BIGINT vs DECIMAL(18,4), a
    TIMESTAMP(3) of year 10^6 vs a TIMESTAMP(6)): a comparison never overflows, so compare
    the unconverted values in 128 bits in the common type's units."""
    (a, wa), (c, wc) = (_widened_exactly(g, x, env) for x in e.args)
    return Val(g.b.icmp_signed(sym, wa, wc), or_nulls(g, a, c))


def _in_set(g: FnGen, e: Expr, env: Env) -> Val:
    """x IN (constants): a probe of a hash table built here (codegen/sets.py)."""
    b = g.b
    members, has_null = e.value
    x = e.args[0]
    t = x.type
    if t.kind is Kind.VARCHAR:
        slots, bits, blob = sets.str_table(list(members))
        xv = lower(g, x, env)
        table, _ = const_bytes(g, slots, align=8)
        text, _ = const_bytes(g, blob)
        # (a NULL's length is not always 0, and the probe reads that many bytes)
        n = b.select(xv.null, i64(0), xv.len) if xv.maybe_null else xv.len
        found = g.call("lc_set_has_str", [table, g.i32(bits), text, xv.v, n])
        hit = b.icmp_signed("!=", found, ir.Constant(I32, 0))
    elif _lossy_widening(x):
        # a comparison's own widening that can overflow: the value in 128 bits is in the set
        # only if it fits the members' type (as _compare_exact compares)
        xv, wide = _widened_exactly(g, x, env)
        key = b.trunc(wide, I64)
        fits = (_decimal_in_range(g, wide, t.precision) if t.kind is Kind.DECIMAL
                else b.icmp_signed("==", b.sext(key, I128), wide))
        hit = b.and_(_probe_int_set(g, sets.int_table(list(members)), key), fits)
    else:
        xv = lower(g, x, env)
        keys = [sets.float_key(v) for v in members] if t.is_float else list(members)
        hit = _probe_int_set(g, sets.int_table(keys), _set_key(g, xv.v, t))
    null = xv.null if xv.maybe_null else FALSE
    if has_null:
        null = b.or_(null, b.not_(hit)) if null is not FALSE else b.not_(hit)
    return Val(hit, null)


def _probe_int_set(g: FnGen, built: tuple[bytes, int, int], key: ir.Value) -> ir.Value:
    """i1: the int64 key is in sets.int_table's (slots, bits, empty key): a loop over the
    slots from the key's hash to the key or an empty slot."""
    b = g.b
    slots, bits, empty = built
    table, _ = const_bytes(g, slots, align=8)
    start = b.lshr(b.mul(key, i64(sets.GOLDEN - 2**64)), i64(64 - bits))
    before = b.block
    loop = g.fn.append_basic_block("set.probe")
    step = g.fn.append_basic_block("set.next")
    done = g.fn.append_basic_block("set.end")
    b.branch(loop)
    b.position_at_end(loop)
    i = b.phi(I64)
    i.add_incoming(start, before)
    v = b.load(b.gep(table, [i], source_etype=I64), typ=I64)
    found = b.icmp_signed("==", v, key)
    b.cbranch(b.or_(found, b.icmp_signed("==", v, i64(empty))), done, step)
    b.position_at_end(step)
    i.add_incoming(b.and_(b.add(i, i64(1)), i64((1 << bits) - 1)), step)
    b.branch(loop)
    b.position_at_end(done)
    return b.and_(found, b.icmp_signed("!=", key, i64(empty)))   # (the empty key is no member)


def _set_key(g: FnGen, v: ir.Value, t: SqlType) -> ir.Value:
    """The int64 key of a value of type t (sets.float_key for floats)."""
    b = g.b
    if not t.is_float:
        return b.sext(v, I64) if v.type != I64 else v
    return b.bitcast(canonical_float(b, b.fpext(v, F64) if t.kind is Kind.REAL else v), I64)


def _combine_logic(g: FnGen, op: Op, a: Val, c: Val) -> Val:
    b = g.b
    if op is Op.AND:
        # FALSE wins; else NULL if either is NULL; else TRUE.
        a_false = b.and_(b.not_(a.null), b.not_(a.v)) if a.maybe_null else b.not_(a.v)
        c_false = b.and_(b.not_(c.null), b.not_(c.v)) if c.maybe_null else b.not_(c.v)
        decided = b.or_(a_false, c_false)
        null = b.and_(b.not_(decided), or_nulls(g, a, c)) if a.maybe_null or c.maybe_null else FALSE
        return Val(b.not_(decided), null)
    a_true = b.and_(b.not_(a.null), a.v) if a.maybe_null else a.v
    c_true = b.and_(b.not_(c.null), c.v) if c.maybe_null else c.v
    decided = b.or_(a_true, c_true)
    null = b.and_(b.not_(decided), or_nulls(g, a, c)) if a.maybe_null or c.maybe_null else FALSE
    return Val(decided, null)


def _logic(g: FnGen, e: Expr, env: Env) -> Val:
    if not e.args[1].can_fail():
        a, c = lower(g, e.args[0], env), lower(g, e.args[1], env)
        return _combine_logic(g, e.op, a, c)
    # Short-circuit: the right side may count errors; do not evaluate it when the left side
    # already decides (FALSE for AND, TRUE for OR).
    b = g.b
    a = lower(g, e.args[0], env)
    decides = b.not_(a.v) if e.op is Op.AND else a.v
    if a.maybe_null:
        decides = b.and_(b.not_(a.null), decides)
    start = b.block
    rhs = g.fn.append_basic_block("logic.rhs")
    merge = g.fn.append_basic_block("logic.end")
    b.cbranch(decides, merge, rhs)
    b.position_at_end(rhs)
    c = lower(g, e.args[1], env)
    r = _combine_logic(g, e.op, a, c)
    rhs_end = b.block
    b.branch(merge)
    b.position_at_end(merge)
    v = b.phi(I1)
    v.add_incoming(ir.Constant(I1, 0 if e.op is Op.AND else 1), start)
    v.add_incoming(r.v, rhs_end)
    n = b.phi(I1)
    n.add_incoming(FALSE, start)
    n.add_incoming(r.null, rhs_end)
    return Val(v, n)


def _not(g: FnGen, e: Expr, env: Env) -> Val:
    a = lower(g, e.args[0], env)
    return Val(g.b.not_(a.v), a.null)


def _is_null(g: FnGen, e: Expr, env: Env) -> Val:
    a = lower(g, e.args[0], env)
    null = a.null if a.maybe_null else FALSE
    return Val(null if e.op is Op.IS_NULL else g.b.not_(null))


# ---------------------------------------------------------------------------------------------
# conditionals
# ---------------------------------------------------------------------------------------------
def _phi_val(g: FnGen, t: SqlType, incoming: list[tuple[Val, ir.Block]]) -> Val:
    b = g.b
    v = b.phi(llvm_type(t))
    n = b.phi(I1)
    ln = b.phi(I64) if t.kind is Kind.VARCHAR else None
    for val, block in incoming:
        v.add_incoming(val.v, block)
        n.add_incoming(val.null, block)
        if ln is not None:
            ln.add_incoming(val.len if val.len is not None else i64(0), block)
    return Val(v, n, ln)


def _case(g: FnGen, e: Expr, env: Env) -> Val:
    b = g.b
    merge = g.fn.append_basic_block("case.end")
    incoming: list[tuple[Val, ir.Block]] = []
    args = e.args
    for i in range(0, len(args) - 1, 2):
        cond = lower(g, args[i], env)
        taken = truth(b, cond)
        then = g.fn.append_basic_block("case.then")
        nxt = g.fn.append_basic_block("case.next")
        b.cbranch(taken, then, nxt)
        b.position_at_end(then)
        v = lower(g, args[i + 1], env)
        incoming.append((v, b.block))
        b.branch(merge)
        b.position_at_end(nxt)
    v = lower(g, args[-1], env)
    incoming.append((v, b.block))
    b.branch(merge)
    b.position_at_end(merge)
    return _phi_val(g, e.type, incoming)


def _coalesce(g: FnGen, e: Expr, env: Env) -> Val:
    b = g.b
    merge = g.fn.append_basic_block("coalesce.end")
    incoming: list[tuple[Val, ir.Block]] = []
    for a in e.args[:-1]:
        v = lower(g, a, env)
        if not v.maybe_null:
            incoming.append((v, b.block))
            b.branch(merge)
            b.position_at_end(merge)
            return _phi_val(g, e.type, incoming)
        nxt = g.fn.append_basic_block("coalesce.next")
        incoming.append((v, b.block))
        b.cbranch(v.null, nxt, merge)
        b.position_at_end(nxt)
    v = lower(g, e.args[-1], env)
    incoming.append((v, b.block))
    b.branch(merge)
    b.position_at_end(merge)
    return _phi_val(g, e.type, incoming)


# ---------------------------------------------------------------------------------------------
# casts
# ---------------------------------------------------------------------------------------------
def _round_half_away_div(g: FnGen, v: ir.Value, divisor: int) -> ir.Value:
    """v / divisor rounded half away from zero (divisor > 0)."""
    return _round_half_away_div_v(g, v, ir.Constant(v.type, divisor))


def _round_half_away_div_v(g: FnGen, v: ir.Value, divisor: ir.Value) -> ir.Value:
    """v / divisor rounded half away from zero, for a divisor > 0 known only at run time.
    2 * remainder can not overflow: |remainder| < divisor <= the type's maximum / 2."""
    b = g.b
    # q = trunc(v / d); move one away from zero when the remainder is at least half of d.
    q = b.sdiv(v, divisor)
    r = b.srem(v, divisor)
    twice = b.mul(r, ir.Constant(v.type, 2))
    up = b.icmp_signed(">=", twice, divisor)
    down = b.icmp_signed("<=", twice, b.neg(divisor))
    return b.add(q, b.sub(b.zext(up, v.type), b.zext(down, v.type)))


def cast_val(g: FnGen, a: Val, src: SqlType, dst: SqlType) -> Val:
    """Convert a value; failures (overflow, unparsable text) are NULL and counted."""
    b = g.b
    sk, dk = src.kind, dst.kind
    ok = not_null(g, a)
    if src == dst:
        return a
    if sk is Kind.NULL:
        return Val(zero(dst), TRUE, i64(0) if dk is Kind.VARCHAR else None)
    if dk is Kind.VARCHAR:
        return _to_string(g, a, src)
    if sk is Kind.VARCHAR:
        return _from_string(g, a, dst)
    dt = llvm_type(dst)
    if dk is Kind.BOOLEAN:
        return Val(b.icmp_signed("!=", a.v, ir.Constant(a.v.type, 0)), a.null)
    if sk is Kind.BOOLEAN:
        return Val(b.zext(a.v, dt), a.null)
    if src.is_integer and dst.is_integer:
        if dt.width >= a.v.type.width:
            return Val(b.sext(a.v, dt), a.null)
        r = b.trunc(a.v, dt)
        bad = b.icmp_signed("!=", b.sext(r, a.v.type), a.v)
        _fail(g, bad, ok)
        return Val(r, b.or_(a.null, bad))
    if src.is_integer and dst.is_float:
        return Val(b.sitofp(a.v, dt), a.null)
    if src.is_float and dst.is_float:
        if dk is Kind.DOUBLE:
            return Val(b.fpext(a.v, dt), a.null)
        # A finite DOUBLE beyond REAL's range is an overflow (as in DuckDB and PostgreSQL), not
        # infinity; infinities and NaN convert as they are.
        r = b.fptrunc(a.v, dt)
        r_inf = b.fcmp_ordered("==", g.intrinsic("llvm.fabs.f32", F32, [r]),
                               ir.Constant(F32, float("inf")))
        a_finite = b.fcmp_ordered("!=", g.intrinsic("llvm.fabs.f64", F64, [a.v]),
                                  ir.Constant(F64, float("inf")))
        bad = b.and_(r_inf, a_finite)
        _fail(g, bad, ok)
        return Val(r, b.or_(a.null, bad))
    if src.is_float and (dst.is_integer or dk is Kind.DECIMAL):
        x = b.fpext(a.v, F64) if sk is Kind.REAL else a.v
        if dk is Kind.DECIMAL:
            x = b.fmul(x, ir.Constant(F64, float(10**dst.scale)))
            lo, hi = -(10**dst.precision), 10**dst.precision
        else:
            lo, hi = -(2 ** (dt.width - 1)), 2 ** (dt.width - 1)
        r = g.intrinsic("llvm.round.f64", F64, [x])   # half away from zero
        # Integers: lo itself is a value (-2^31); decimals: |v| < 10^precision.
        inside = b.and_(b.fcmp_ordered(">=" if dst.is_integer else ">", r,
                                       ir.Constant(F64, float(lo))),
                        b.fcmp_ordered("<", r, ir.Constant(F64, float(hi))))
        bad = b.not_(inside)   # also NaN
        safe = b.select(bad, ir.Constant(F64, 0.0), r)
        _fail(g, bad, ok)
        return Val(b.fptosi(safe, dt), b.or_(a.null, bad))
    if sk is Kind.DECIMAL and dst.is_float:
        x = b.sitofp(a.v, F64)
        if src.scale:
            x = b.fdiv(x, ir.Constant(F64, float(10**src.scale)))
        return Val(b.fptrunc(x, F32) if dk is Kind.REAL else x, a.null)
    if src.is_integer and dk is Kind.DECIMAL:
        wide = b.mul(b.sext(a.v, I128), ir.Constant(I128, 10**dst.scale))
        bad = b.not_(_decimal_in_range(g, wide, dst.precision))
        _fail(g, bad, ok)
        return Val(b.trunc(wide, I64), b.or_(a.null, bad))
    if sk is Kind.DECIMAL and (dst.is_integer or dk is Kind.DECIMAL):
        v = a.v
        target_scale = dst.scale if dk is Kind.DECIMAL else 0
        if target_scale >= src.scale:
            wide = b.mul(b.sext(v, I128), ir.Constant(I128, 10 ** (target_scale - src.scale)))
        else:
            wide = b.sext(_round_half_away_div(g, v, 10 ** (src.scale - target_scale)), I128)
        if dk is Kind.DECIMAL:
            bad = b.not_(_decimal_in_range(g, wide, dst.precision))
        else:
            r = b.trunc(wide, dt)
            bad = b.icmp_signed("!=", b.sext(r, I128), wide)
        _fail(g, bad, ok)
        return Val(b.trunc(wide, dt), b.or_(a.null, bad))
    if sk is Kind.DATE and dk is Kind.TIMESTAMP:
        # DATE spans 5.8 million years, TIMESTAMP(6) 292 thousand: this can overflow
        per_day = 86_400_000_000 // dst.time_unit_us
        r, bad = _checked(g, "*", b.sext(a.v, I64), i64(per_day))
        _fail(g, bad, ok)
        return Val(r, b.or_(a.null, bad))
    if sk is Kind.TIMESTAMP and dk is Kind.DATE:
        per_day = 86_400_000_000 // src.time_unit_us
        days = floor_div(g, a.v, per_day)
        r = b.trunc(days, I32)
        if src.time_unit_us == 1:   # 2^63 us is 106 million days: always a DATE
            return Val(r, a.null)
        bad = b.icmp_signed("!=", b.sext(r, I64), days)
        _fail(g, bad, ok)
        return Val(r, b.or_(a.null, bad))
    if sk is Kind.TIMESTAMP and dk is Kind.TIMESTAMP:
        if dst.precision > src.precision:
            r, bad = _checked(g, "*", a.v, i64(1000))
            _fail(g, bad, ok)
            return Val(r, b.or_(a.null, bad))
        # Microseconds to milliseconds round half away from zero (as DuckDB and PostgreSQL).
        return Val(_round_half_away_div(g, a.v, 1000), a.null)
    raise SqlError(f"code generation can not cast {src} to {dst}")


def floor_divmod(g: FnGen, v: ir.Value, d: int) -> tuple[ir.Value, ir.Value]:
    """(v // d, v mod d) rounding down, 0 <= v mod d < d, for a positive constant d."""
    b = g.b
    dc = ir.Constant(v.type, d)
    q, r = b.sdiv(v, dc), b.srem(v, dc)
    below = b.icmp_signed("<", r, ir.Constant(v.type, 0))   # truncated towards zero
    return b.sub(q, b.zext(below, v.type)), b.add(r, b.select(below, dc, ir.Constant(v.type, 0)))


def floor_div(g: FnGen, v: ir.Value, d: int) -> ir.Value:
    return floor_divmod(g, v, d)[0]


def window_number(g: FnGen, w, ts: ir.Value) -> tuple[ir.Value, ir.Value]:
    """(k, into) for time ts: k numbers the last window of w starting at or before ts (its
    start is k * slide + offset), and ts lies `into` units into it (0 <= into < slide).
    Exact for every i64 ts: the binder reduces the offset to 0 <= offset < slide, so
    ts - offset (which could overflow) is never formed."""
    q, r = floor_divmod(g, ts, w.slide)
    if not w.offset:
        return q, r
    b = g.b
    before = b.icmp_signed("<", r, i64(w.offset))   # ts lies before this slide's window
    return (b.sub(q, b.zext(before, I64)),
            b.add(b.sub(r, i64(w.offset)), b.select(before, i64(w.slide), i64(0))))


def clamp_i64(g: FnGen, v: ir.Value) -> ir.Value:
    b = g.b
    lo, hi = ir.Constant(I128, -(2**63)), ir.Constant(I128, 2**63 - 1)
    v = b.select(b.icmp_signed("<", v, lo), lo, v)
    return b.trunc(b.select(b.icmp_signed(">", v, hi), hi, v), I64)


def window_bounds(g: FnGen, w, k: ir.Value) -> tuple[ir.Value, ir.Value]:
    """Start and end of window number k of a TUMBLE/HOP window w, computed in i128 and
    saturated to i64: a window at the end of time ends at INT64_MAX (closed by end_input)
    and one at its beginning starts at INT64_MIN, rather than wrapping around."""
    b = g.b
    start = b.add(b.mul(b.sext(k, I128), ir.Constant(I128, w.slide)), ir.Constant(I128, w.offset))
    return clamp_i64(g, start), clamp_i64(g, b.add(start, ir.Constant(I128, w.size)))


# Ops that cost no more than a mispredicted branch on any row: no strings (copies, scratch,
# calls), integer division (tens of cycles), date-time arithmetic (calendar calls) or float
# remainder (a call to fmod).
_CHEAP = frozenset((Op.COLUMN, Op.LITERAL, Op.NEG, Op.ADD, Op.SUB, Op.MUL, Op.DIV, *COMPARISONS,
                    Op.AND, Op.OR, Op.NOT, Op.IS_NULL, Op.IS_NOT_NULL, Op.CASE, Op.COALESCE,
                    Op.CAST, Op.ABS, Op.FLOOR, Op.CEIL, Op.TIME_BUCKET))


# lower computes an expression once a row when it is not cheap (LLVM shares cheap ones
# itself), except PROCTIME, which reads the clock.
_UNSHARED = frozenset((Op.COLUMN, Op.LITERAL, Op.PROCTIME))


def cheap(e: Expr) -> bool:
    """Whether e may be evaluated for rows whose result is then discarded, in place of a
    branch around it (see pipeline.branch_free_eligible). Errors it counts on such rows are
    discarded with them (FnGen.guard)."""
    for x in e.walk():
        if x.op is Op.COLUMN:   # (loaded for every row anyway)
            continue
        if x.op is Op.TIME_BUCKET:   # a time's integer divided by a constant, any unit
            continue
        if x.op not in _CHEAP or not all(_plain(t) for t in (x.type, *(a.type for a in x.args))):
            return False
        if x.op is Op.DIV and not x.type.is_float:
            return False
    return True


def _plain(t: SqlType) -> bool:
    return t.kind not in (Kind.VARCHAR, Kind.INTERVAL) and not t.is_temporal


def keep_if(g: FnGen, predicate: Expr, env: Env, cont: ir.Block, name: str) -> None:
    """Continue in a new block where predicate is TRUE; FALSE and NULL go to cont."""
    b = g.b
    keep = truth(b, lower(g, predicate, env))
    passed = g.fn.append_basic_block(name)
    b.cbranch(keep, passed, cont)
    b.position_at_end(passed)


_FORMAT_BYTES = {Kind.DOUBLE: 32, Kind.REAL: 32, Kind.DECIMAL: 24, Kind.DATE: 32,
                 Kind.TIMESTAMP: 48}


def _to_string(g: FnGen, a: Val, src: SqlType) -> Val:
    b = g.b
    if src.kind is Kind.BOOLEAN:
        # One constant "falsetrue": the two words differ in length, and so in LLVM array type.
        text, _ = const_string(g, "falsetrue")
        ptr = b.gep(text, [b.select(a.v, i64(5), i64(0))], source_etype=I8)
        return Val(ptr, a.null, b.select(a.v, i64(4), i64(5)))
    formatter = text_formatter(src)
    if formatter is None:
        raise SqlError(f"code generation can not cast {src} to VARCHAR")
    name, args = formatter
    dst = g.scratch(i64(_FORMAT_BYTES.get(src.kind, 24)), SCRATCH)
    v = b.sext(a.v, I64) if src.is_integer else a.v
    n = g.call(name, [v, *(g.i32(x) for x in args), dst])
    return Val(dst, a.null, n)


# what each parser writes its result as
_PARSED = {"lc_parse_f64": F64, "lc_parse_i64": I64, "lc_parse_decimal": I64,
           "lc_parse_bool": I32, "lc_parse_date": I32, "lc_parse_timestamp": I64}


def _from_string(g: FnGen, a: Val, dst: SqlType) -> Val:
    b = g.b
    parser = text_parser(dst)
    if parser is None:
        raise SqlError(f"code generation can not cast VARCHAR to {dst}")
    name, args = parser
    ok = not_null(g, a)
    out = g.alloca(_PARSED[name], "parsed")
    rc = g.call(name, [a.v, a.len, *(g.i32(x) for x in args), out])
    v = b.load(out, typ=_PARSED[name])
    if dst.kind is Kind.REAL:
        v = b.fptrunc(v, F32)
    elif dst.kind is Kind.DECIMAL:
        rc = b.select(_decimal_in_range(g, v, dst.precision), rc, g.i32(1))
    elif dst.kind is Kind.BOOLEAN:
        v = b.trunc(v, I1)
    elif dst.is_integer and dst.kind is not Kind.BIGINT:
        wide, v = v, b.trunc(v, llvm_type(dst))
        rc = b.select(b.icmp_signed("==", b.sext(v, I64), wide), rc, g.i32(1))
    bad = b.icmp_signed("!=", rc, g.i32(0))
    # Parsing a NULL's placeholder bytes is harmless: the result is discarded.
    _fail(g, bad, ok)
    return Val(v, b.or_(a.null, bad))


def _time_bucket(g: FnGen, e: Expr, env: Env) -> Val:
    """floor(t / unit) (optimizer/bucket_time_keys.py): a division by a constant, which LLVM
    makes a multiplication."""
    a = lower(g, e.args[0], env)
    return Val(floor_div(g, a.v, e.value), a.null)


def _cast(g: FnGen, e: Expr, env: Env) -> Val:
    a = lower(g, e.args[0], env)
    return cast_val(g, a, e.args[0].type, e.type)


# ---------------------------------------------------------------------------------------------
# strings
# ---------------------------------------------------------------------------------------------
def _like(g: FnGen, e: Expr, env: Env) -> Val:
    b = g.b
    s = lower(g, e.args[0], env)
    pat = e.args[1]
    null = or_nulls(g, s)
    if pat.op is Op.LITERAL and pat.value is not None and e.value is None and "_" not in pat.value:
        text = pat.value
        core = text.strip("%")
        if "%" not in core:
            p, pn = const_string(g, core)
            starts, ends = text.startswith("%"), text.endswith("%")
            if not starts and not ends:    # exact
                eq = b.icmp_signed("==", s.len, pn)
                n = b.select(eq, pn, i64(0))   # never read past a shorter string
                cmp = g.call("lc_str_cmp", [s.v, n, p, n])
                return Val(b.and_(eq, b.icmp_signed("==", cmp, g.i32(0))), null)
            if not starts and ends:        # prefix
                long_enough = b.icmp_signed(">=", s.len, pn)
                n = b.select(long_enough, pn, i64(0))
                cmp = g.call("lc_str_cmp", [s.v, n, p, n])
                return Val(b.and_(long_enough, b.icmp_signed("==", cmp, g.i32(0))), null)
            if starts and not ends:        # suffix
                long_enough = b.icmp_signed(">=", s.len, pn)
                off = b.select(long_enough, b.sub(s.len, pn), i64(0))
                n = b.select(long_enough, pn, i64(0))
                tail = b.gep(s.v, [off], source_etype=I8)
                cmp = g.call("lc_str_cmp", [tail, n, p, n])
                return Val(b.and_(long_enough, b.icmp_signed("==", cmp, g.i32(0))), null)
    p = lower(g, pat, env)
    escape = g.i32(ord(e.value) if e.value is not None else -1)
    r = g.call("lc_like", [s.v, s.len, p.v, p.len, escape])
    null = or_nulls(g, s, p)
    if e.value is None:
        return Val(b.icmp_signed("!=", r, g.i32(0)), null)
    # a pattern ending in its escape character is invalid: NULL and an error
    bad = b.icmp_signed("<", r, g.i32(0))
    _fail(g, bad, not_null(g, s, p))
    return Val(b.icmp_signed(">", r, g.i32(0)), b.or_(null, bad))


def _case_map(g: FnGen, e: Expr, env: Env) -> Val:
    b = g.b
    s = lower(g, e.args[0], env)
    dst = g.scratch(b.add(b.mul(s.len, i64(2)), i64(4)), SCRATCH)
    name = "lc_utf8_upper" if e.op is Op.UPPER else "lc_utf8_lower"
    n = g.call(name, [s.v, s.len, dst])
    return Val(dst, s.null, n)


def _char_length(g: FnGen, e: Expr, env: Env) -> Val:
    s = lower(g, e.args[0], env)
    return Val(g.call("lc_utf8_length", [s.v, s.len]), s.null)


def _substring(g: FnGen, e: Expr, env: Env) -> Val:
    b = g.b
    s = lower(g, e.args[0], env)
    start = lower(g, e.args[1], env)
    vals = [s, start]
    if len(e.args) > 2:
        count = lower(g, e.args[2], env)
        vals.append(count)
        negative = b.icmp_signed("<", count.v, i64(0))
        _fail(g, negative, not_null(g, *vals))
        n = b.select(negative, i64(0), count.v)
        null = b.or_(or_nulls(g, *vals), negative)
    else:
        n = i64(-1)
        null = or_nulls(g, *vals)
    return _span(g, s, "sub", "lc_utf8_substring", [s.v, s.len, start.v, n], null)


def _trim(g: FnGen, e: Expr, env: Env) -> Val:
    s = lower(g, e.args[0], env)
    chars = lower(g, e.args[1], env)
    mode = {"both": 0, "leading": 1, "trailing": 2}[e.value]
    return _span(g, s, "trim", "lc_utf8_trim", [s.v, s.len, chars.v, chars.len, g.i32(mode)],
                 (s, chars))


def concat_vals(g: FnGen, parts: list[Val], skip_nulls: bool) -> Val:
    b = g.b
    total = i64(0)
    lens = []
    for p in parts:
        n = b.select(p.null, i64(0), p.len) if (skip_nulls and p.maybe_null) else p.len
        lens.append(n)
        total = b.add(total, n)
    dst = g.scratch(total, SCRATCH)
    pos = i64(0)
    for p, n in zip(parts, lens, strict=True):
        g.memcpy(b.gep(dst, [pos], source_etype=I8), p.v, n)
        pos = b.add(pos, n)
    null = FALSE if skip_nulls else or_nulls(g, *parts)
    return Val(dst, null, total)


def _concat(g: FnGen, e: Expr, env: Env) -> Val:
    parts = [lower(g, a, env) for a in e.args]
    return concat_vals(g, parts, skip_nulls=e.op is Op.CONCAT)


# ---------------------------------------------------------------------------------------------
# math
# ---------------------------------------------------------------------------------------------
def _abs(g: FnGen, e: Expr, env: Env) -> Val:
    b = g.b
    a = lower(g, e.args[0], env)
    t = e.type
    if t.is_float:
        name = "llvm.fabs.f64" if t.kind is Kind.DOUBLE else "llvm.fabs.f32"
        return Val(g.intrinsic(name, a.v.type, [a.v]), a.null)
    neg = b.icmp_signed("<", a.v, ir.Constant(a.v.type, 0))
    if t.kind is Kind.DECIMAL:
        return Val(b.select(neg, b.neg(a.v), a.v), a.null)
    r, bad = _checked(g, "-", ir.Constant(a.v.type, 0), a.v)
    bad = b.and_(bad, neg)
    _fail(g, bad, not_null(g, a))
    return Val(b.select(neg, r, a.v), b.or_(a.null, bad))


def _round(g: FnGen, e: Expr, env: Env) -> Val:
    b = g.b
    x, digits = e.args
    a = lower(g, x, env)
    d = lower(g, digits, env)
    t = x.type
    if t.is_float:
        v = b.fpext(a.v, F64) if t.kind is Kind.REAL else a.v
        r = g.call("lc_round_f64", [v, d.v])
        return Val(b.fptrunc(r, F32) if t.kind is Kind.REAL else r, or_nulls(g, a, d))
    return _round_exact(g, e, a, d)


_MAX_POW10 = 20   # 10^20 exceeds twice any int64: dividing by it rounds every value to 0


def _pow10_i128(g: FnGen, k: ir.Value) -> ir.Value:
    """10^k as i128 for a run-time k in [0, _MAX_POW10], from a constant table."""
    t = ir.ArrayType(I128, _MAX_POW10 + 1)
    gv = g.module.globals.get("lc.pow10_i128")
    if gv is None:
        gv = ir.GlobalVariable(g.module, t, name="lc.pow10_i128")
        gv.global_constant = True
        gv.linkage = "private"
        gv.initializer = ir.Constant(t, [ir.Constant(I128, 10**i) for i in range(_MAX_POW10 + 1)])
    return g.b.load(g.b.gep(gv, [i64(0), k], source_etype=t), typ=I128)


def _round_exact(g: FnGen, e: Expr, a: Val, d: Val) -> Val:
    """ROUND of an integer or decimal, half away from zero, computed in i128 in one division
    (rounding twice, first to the target scale and then to tens, would be wrong: 14.5 -> 15 ->
    20). A result beyond its type is NULL and counts an overflow."""
    b = g.b
    x, digits = e.args
    t, rt = x.type, e.type
    scale = t.scale if t.kind is Kind.DECIMAL else 0
    wide = b.sext(a.v, I128)
    if digits.op is Op.LITERAL:
        n = digits.value
        if n >= 0:
            div_exp, mul_exp = scale - min(scale, n), 0
        else:
            div_exp, mul_exp = scale - n, -n
        if div_exp == 0:
            return Val(a.v, a.null)
        step = ir.Constant(I128, 10 ** min(div_exp, _MAX_POW10))
        mul = ir.Constant(I128, 10 ** min(mul_exp, _MAX_POW10))
    else:
        # Integers only (the binder asks decimals for constant digits): n >= 0 keeps the value.
        # k = clamp(-digits, 0, _MAX_POW10), comparing first: -INT64_MIN overflows
        k = b.select(b.icmp_signed("<", d.v, i64(0)), b.neg(d.v), i64(0))
        k = b.select(b.icmp_signed("<", d.v, i64(-_MAX_POW10)), i64(_MAX_POW10), k)
        step = mul = _pow10_i128(g, k)
    q = _round_half_away_div_v(g, wide, step)
    r = b.mul(q, mul)
    lt = llvm_type(rt)
    if rt.kind is Kind.DECIMAL:
        bad = b.not_(_decimal_in_range(g, r, rt.precision))
    else:
        bad = b.icmp_signed("!=", b.sext(b.trunc(r, lt), I128), r)
    _fail(g, bad, not_null(g, a, d))
    return Val(b.trunc(r, lt), b.or_(or_nulls(g, a, d), bad))


def _floor_ceil(g: FnGen, e: Expr, env: Env) -> Val:
    b = g.b
    a = lower(g, e.args[0], env)
    t = e.args[0].type
    if t.is_float:
        suffix = "f64" if t.kind is Kind.DOUBLE else "f32"
        name = f"llvm.{'floor' if e.op is Op.FLOOR else 'ceil'}.{suffix}"
        return Val(g.intrinsic(name, a.v.type, [a.v]), a.null)
    if t.kind is Kind.DECIMAL and t.scale:
        p = 10**t.scale
        q = floor_div(g, a.v, p)
        if e.op is Op.CEIL:
            exact = b.icmp_signed("==", b.mul(q, i64(p)), a.v)
            q = b.add(q, b.zext(b.not_(exact), I64))
        return Val(q, a.null)
    return Val(a.v, a.null)


# ---------------------------------------------------------------------------------------------
# date-time
# ---------------------------------------------------------------------------------------------
def _extract(g: FnGen, e: Expr, env: Env) -> Val:
    b = g.b
    a = lower(g, e.args[0], env)
    t = e.args[0].type
    if t.kind is Kind.INTERVAL:   # (EPOCH: the binder allows no other field)
        return Val(b.fdiv(b.sitofp(a.v, F64), ir.Constant(F64, 1e6)), a.null)
    v, unit = _time_arg(g, a.v, t)
    if e.value == "epoch":
        x = b.sitofp(v, F64)
        if t.kind is Kind.DATE:   # days * 86400 is exact; dividing by 1/86400 would round
            return Val(b.fmul(x, ir.Constant(F64, 86400.0)), a.null)
        per_second = 1_000_000 // t.time_unit_us
        return Val(b.fdiv(x, ir.Constant(F64, float(per_second))), a.null)
    return Val(g.call("lc_extract", [v, g.i32(FIELD_CODES[e.value]), unit]), a.null)


def _date_format(g: FnGen, e: Expr, env: Env) -> Val:
    a = lower(g, e.args[0], env)
    v, unit = _time_arg(g, a.v, e.args[0].type)
    _, program, longest = e.value
    prog, n = const_bytes(g, program)
    dst = g.scratch(i64(longest), SCRATCH)
    written = g.call("lc_date_format", [v, unit, prog, n, dst])
    return Val(dst, a.null, written)


def _proctime(g: FnGen, e: Expr, env: Env) -> Val:
    pipe = g.args.get("pipe")
    if pipe is None:
        raise SqlError("PROCTIME() can only be computed in a pipeline's row loop (not after an "
                       "aggregate or as a grouping key of one)")
    return Val(g.in_entry(lambda bb: LC_PIPE.load(bb, pipe, "proc_now")))


def _span(g: FnGen, s: Val, name: str, helper: str, args: list[ir.Value],
          null: ir.Value | tuple[Val, ...]) -> Val:
    """The piece of s that runtime helper `helper` picks: called with `args` and two
    pointers, it writes the piece's offset and length there. A helper that returns an int32
    returns whether there is a piece (none is NULL); a void one always finds one. `null` is an
    i1 that makes the result NULL, or the values whose NULL does."""
    b = g.b
    off_p = g.alloca(I64, f"{name}_off")
    len_p = g.alloca(I64, f"{name}_len")
    found = g.call(helper, [*args, off_p, len_p])
    if isinstance(found.type, ir.VoidType):
        ptr = b.gep(s.v, [b.load(off_p, typ=I64)], source_etype=I8)
        null = or_nulls(g, *null) if isinstance(null, tuple) else null
        return Val(ptr, null, b.load(len_p, typ=I64))
    null = or_nulls(g, *null) if isinstance(null, tuple) else null
    found = b.icmp_unsigned("!=", found, ir.Constant(I32, 0))
    off = b.select(found, b.load(off_p, typ=I64), i64(0))
    return Val(b.gep(s.v, [off], source_etype=I8), b.or_(null, b.not_(found)),
               b.select(found, b.load(len_p, typ=I64), i64(0)))


def _split_index(g: FnGen, e: Expr, env: Env) -> Val:
    s, sep, index = (lower(g, a, env) for a in e.args)
    return _span(g, s, "split", "lc_split_index", [s.v, s.len, sep.v, sep.len, index.v],
                 (s, sep, index))


def _regexp_extract(g: FnGen, e: Expr, env: Env) -> Val:
    b = g.b
    s, group = (lower(g, a, env) for a in e.args)
    program = compile_regex(e.value)   # the binder checked the pattern
    prog, _ = const_bytes(g, program.to_bytes(), align=4)
    instructions = i64(program.instructions)
    extra = g.call("lc_regex_backtrack_bytes", [instructions, s.len])
    scratch = g.scratch(b.add(i64(4 * program.scratch_words()), extra), SCRATCH)
    # a group index beyond int32 can not exist: make it one that does not
    too_big = b.icmp_unsigned(">", group.v, i64(1 << 20))
    g32 = b.trunc(b.select(too_big, i64(-1), group.v), I32)
    return _span(g, s, "regex", "lc_regex_extract",
                 [prog, instructions, g.i32(program.slots), i64(program.first), s.v, s.len,
                  g32, scratch], (s, group))


def _count_char(g: FnGen, e: Expr, env: Env) -> Val:
    s, c = (lower(g, a, env) for a in e.args)
    return Val(g.call("lc_count_substring", [s.v, s.len, c.v, c.len]), or_nulls(g, s, c))


def _date_trunc(g: FnGen, e: Expr, env: Env) -> Val:
    b = g.b
    a = lower(g, e.args[0], env)
    t = e.type
    if e.value == "microsecond":
        return a
    v, unit = _time_arg(g, a.v, t)
    r = g.call("lc_date_trunc", [v, g.i32(FIELD_CODES[e.value]), unit])
    # Truncating moves back in time: past the smallest value of the type is an overflow.
    if t.kind is Kind.DATE:
        bad = b.icmp_signed("<", r, i64(-(2**31)))
        r = b.trunc(r, I32)
    else:
        bad = b.icmp_signed("==", r, i64(TIME_OVERFLOW))
    _fail(g, bad, not_null(g, a))
    return Val(r, b.or_(a.null, bad))


LOWER: dict[Op, Callable[[FnGen, Expr, Env], Val]] = {
    Op.COLUMN: _column,
    Op.LITERAL: _literal,
    Op.NEG: _neg,
    Op.ADD: _arith,
    Op.SUB: _arith,
    Op.MUL: _arith,
    Op.DIV: _arith,
    Op.MOD: _arith,
    Op.EQ: _compare,
    Op.NE: _compare,
    Op.LT: _compare,
    Op.LE: _compare,
    Op.GT: _compare,
    Op.GE: _compare,
    Op.AND: _logic,
    Op.OR: _logic,
    Op.NOT: _not,
    Op.IS_NULL: _is_null,
    Op.IS_NOT_NULL: _is_null,
    Op.CASE: _case,
    Op.COALESCE: _coalesce,
    Op.CAST: _cast,
    Op.LIKE: _like,
    Op.UPPER: _case_map,
    Op.LOWER: _case_map,
    Op.SUBSTRING: _substring,
    Op.CONCAT: _concat,
    Op.DPIPE: _concat,
    Op.CHAR_LENGTH: _char_length,
    Op.TRIM: _trim,
    Op.ABS: _abs,
    Op.ROUND: _round,
    Op.FLOOR: _floor_ceil,
    Op.CEIL: _floor_ceil,
    Op.EXTRACT: _extract,
    Op.DATE_FORMAT: _date_format,
    Op.TIME_BUCKET: _time_bucket,
    Op.PROCTIME: _proctime,
    Op.SPLIT_INDEX: _split_index,
    Op.REGEXP_EXTRACT: _regexp_extract,
    Op.COUNT_CHAR: _count_char,
    Op.DATE_TRUNC: _date_trunc,
    Op.IN_SET: _in_set,
}
