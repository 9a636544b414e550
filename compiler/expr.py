"""Scalar expression IR: one small frozen node type tagged by an `Op`.

Expressions are bound: a column is an index into the row of the operator's input, never a
name. Types are resolved and every implicit conversion is an explicit CAST, so the code
generator never guesses. `nullable` is False only where NULL is impossible.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field, replace
from typing import Any

from .types import BOOLEAN, Kind, SqlType


class Op(enum.Enum):
    COLUMN = "col"          # value: input column index
    LITERAL = "lit"         # value: Python value in the type's representation (None for NULL)
    # arithmetic; operands have the result type (CAST inserted by the binder), except
    # temporal +/- interval where args are (temporal, INTERVAL) and DIV/MOD by zero -> NULL
    NEG = "neg"
    ADD = "+"
    SUB = "-"
    MUL = "*"
    DIV = "/"
    MOD = "%"
    # comparison: operands share one type
    EQ = "="
    NE = "<>"
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    # three-valued logic
    AND = "and"
    OR = "or"
    NOT = "not"
    IS_NULL = "is_null"
    IS_NOT_NULL = "is_not_null"
    # conditionals: CASE args are (when1, then1, when2, then2, ..., else)
    CASE = "case"
    COALESCE = "coalesce"
    CAST = "cast"           # to `type`; value: WIDENED for a comparison's own conversion
    # strings
    LIKE = "like"           # args (s, pattern); value: escape character or None
    UPPER = "upper"
    LOWER = "lower"
    SUBSTRING = "substring"  # args (s, start[, count])
    CONCAT = "concat"       # NULL arguments are skipped (CONCAT); see DPIPE for ||
    DPIPE = "||"            # NULL if any argument is NULL
    CHAR_LENGTH = "char_length"
    TRIM = "trim"           # args (s, chars); value: "both" | "leading" | "trailing"
    # math
    ABS = "abs"
    ROUND = "round"         # args (x, digits)
    FLOOR = "floor"
    CEIL = "ceil"
    # date-time; value: field name (lower case)
    EXTRACT = "extract"
    DATE_TRUNC = "date_trunc"
    DATE_FORMAT = "date_format"  # args (t); value: (pattern, program bytes, longest result)
    TIME_BUCKET = "time_bucket"  # args (t); value: a unit in t's units; floor(t / unit), BIGINT
    PROCTIME = "proctime"        # the wall-clock time a row is processed (TIMESTAMP(3))
    # strings (Flink's)
    SPLIT_INDEX = "split_index"        # args (s, separator, index)
    REGEXP_EXTRACT = "regexp_extract"  # args (s, group); value: the pattern (compiler/regex.py)
    COUNT_CHAR = "count_char"          # args (s, c): occurrences of c in s
    # membership: args (x,); value: (members, has_null): the distinct constants of a long IN
    # list in x's type and representation, sorted (see in_set), and whether it held a NULL
    IN_SET = "in_set"


# The value of a CAST that a comparison (=, IN, BETWEEN, a CASE operand, NULLIF) put on its
# operand to reach the common type. A comparison never overflows, so code generation compares
# such an operand exactly where the cast could overflow (BIGINT vs DECIMAL(18,4)); any other
# CAST under a comparison is a conversion the query asked for, and overflows as it would
# anywhere else. Rewrites keep the mark: they rebuild nodes with `with_args`.
WIDENED = "widened"

COMPARISONS = (Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE)
ARITHMETIC = (Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.MOD)
# Ops whose evaluation can fail on some rows (and then count an error and yield NULL).
FALLIBLE = (Op.DIV, Op.MOD, Op.CAST, Op.ADD, Op.SUB, Op.MUL, Op.NEG, Op.ABS, Op.ROUND,
            Op.SUBSTRING, Op.LIKE, Op.DATE_TRUNC)


@dataclass(frozen=True)
class Expr:
    op: Op
    type: SqlType
    args: tuple[Expr, ...] = ()
    value: Any = None
    nullable: bool = True
    # Free-form name used only by plan printers (e.g. the column name a COLUMN came from).
    label: str = field(default="", compare=False)

    def walk(self):
        """This node and all its descendants, parents first."""
        yield self
        for a in self.args:
            yield from a.walk()

    def can_fail(self) -> bool:
        """Can evaluating this count an expression error on some row? Folding and AND/OR
        must then not evaluate it where the row would not."""
        return any(n.op in FALLIBLE for n in self.walk())

    def with_args(self, args: tuple[Expr, ...]) -> Expr:
        return replace(self, args=args)


def col(index: int, type_: SqlType, nullable: bool = True, label: str = "") -> Expr:
    return Expr(Op.COLUMN, type_, value=index, nullable=nullable, label=label)


def lit(value: Any, type_: SqlType) -> Expr:
    return Expr(Op.LITERAL, type_, value=value, nullable=value is None)


def balanced(op: Op, operands: list[Expr], join=lambda e: e) -> Expr:
    """operands[0] op operands[1] op ..., AND or OR, as a tree of depth log2(len), joined
    pairwise in order (three are (a op b) op c, as the parser groups them); `join` may
    simplify each node as it is made."""
    while len(operands) > 1:
        pairs = [join(Expr(op, BOOLEAN, (a, c), nullable=a.nullable or c.nullable))
                 for a, c in zip(operands[0::2], operands[1::2], strict=False)]
        operands = pairs + operands[len(pairs) * 2:]
    return operands[0]


def in_set(x: Expr, members, has_null: bool) -> Expr:
    """x IN (members..., NULL if has_null): TRUE if x equals a member (floats by the engine's
    equality: NaN = NaN, -0.0 = 0.0), else NULL if x is NULL or the list held one, else
    FALSE. Members are kept distinct and in order, so equal lists make equal nodes."""
    if x.type.is_float:
        members = {0.0 if v == 0 else math.nan if math.isnan(v) else v for v in members}
        ordered = sorted(members, key=lambda v: (math.isnan(v), 0.0 if math.isnan(v) else v))
    elif x.type.kind is Kind.VARCHAR:
        ordered = sorted(set(members), key=str.encode)
    else:
        ordered = sorted(set(members))
    return Expr(Op.IN_SET, BOOLEAN, (x,), value=(tuple(ordered), has_null),
                nullable=x.nullable or has_null)


def columns_used(e: Expr) -> set[int]:
    return {n.value for n in e.walk() if n.op is Op.COLUMN}


def remap_columns(e: Expr, mapping: dict[int, int] | list[int]) -> Expr:
    """Renumber column references (mapping: old index -> new index)."""
    if e.op is Op.COLUMN:
        return replace(e, value=mapping[e.value])
    if not e.args:
        return e
    return e.with_args(tuple(remap_columns(a, mapping) for a in e.args))


def substitute(e: Expr, inputs: tuple[Expr, ...] | list[Expr]) -> Expr:
    """Replace column i by inputs[i] (inline a projection into the expression above it)."""
    if e.op is Op.COLUMN:
        return inputs[e.value]
    if not e.args:
        return e
    return e.with_args(tuple(substitute(a, inputs) for a in e.args))


def conjuncts(e: Expr) -> list[Expr]:
    """The AND-ed parts of a predicate."""
    if e.op is Op.AND:
        return [c for a in e.args for c in conjuncts(a)]
    return [e]


def conjoin(parts: list[Expr]) -> Expr | None:
    if not parts:
        return None
    out = parts[0]
    for p in parts[1:]:
        out = Expr(Op.AND, BOOLEAN, (out, p), nullable=out.nullable or p.nullable)
    return out


def fmt(e: Expr, names: list[str] | None = None) -> str:
    """Deterministic text of an expression, for plan printers and golden tests."""
    if e.op is Op.COLUMN:
        if names is not None and e.value < len(names):
            return f"{names[e.value]}#{e.value}"
        return f"#{e.value}"
    if e.op is Op.LITERAL:
        return _fmt_literal(e)
    args = [fmt(a, names) for a in e.args]
    if e.op in COMPARISONS or e.op in ARITHMETIC or e.op is Op.DPIPE:
        return f"({args[0]} {e.op.value} {args[1]})"
    if e.op in (Op.AND, Op.OR):
        return "(" + f" {e.op.value.upper()} ".join(args) + ")"
    if e.op is Op.CAST:
        return f"CAST({args[0]} AS {e.type})"
    if e.op is Op.CASE:
        parts = [f"WHEN {args[i]} THEN {args[i + 1]}" for i in range(0, len(args) - 1, 2)]
        return f"CASE {' '.join(parts)} ELSE {args[-1]} END"
    if e.op is Op.IN_SET:
        members, has_null = e.value
        items = [_fmt_literal(lit(v, e.args[0].type)) for v in members] + ["NULL"] * has_null
        return f"({args[0]} IN ({', '.join(items)}))"
    value = e.value[0] if e.op is Op.DATE_FORMAT else e.value   # its pattern, not the program
    extra = f"[{value}]" if value is not None else ""
    return f"{e.op.name}{extra}({', '.join(args)})"


def _fmt_literal(e: Expr) -> str:
    if e.value is None:
        return "NULL"
    if e.type.kind is Kind.VARCHAR:
        return "'" + str(e.value).replace("'", "''") + "'"
    if e.type.kind is Kind.BOOLEAN:
        return "TRUE" if e.value else "FALSE"
    if e.type.kind in (Kind.DECIMAL, Kind.DATE, Kind.TIMESTAMP, Kind.INTERVAL):
        return f"{e.value}::{e.type}"
    return repr(e.value)
