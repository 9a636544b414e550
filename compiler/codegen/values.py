"""Values in generated code: the LLVM type of each SQL type, and `Val`, an SSA value with its
NULL flag (and byte length, for strings)."""

from __future__ import annotations

from dataclasses import dataclass

from llvmlite import ir

from ..types import Kind, SqlType
from .abi import F32, F64, I1, I8, I16, I32, I64, PTR

LLVM_TYPES: dict[Kind, ir.Type] = {
    Kind.BOOLEAN: I1,
    Kind.TINYINT: I8,
    Kind.SMALLINT: I16,
    Kind.INT: I32,
    Kind.BIGINT: I64,
    Kind.REAL: F32,
    Kind.DOUBLE: F64,
    Kind.DECIMAL: I64,
    Kind.VARCHAR: PTR,
    Kind.DATE: I32,
    Kind.TIMESTAMP: I64,
    Kind.INTERVAL: I64,
    Kind.NULL: I32,
}
# Bytes a value takes in an Arrow buffer (decimals are 128-bit in Arrow; booleans are bits).
ARROW_WIDTH: dict[Kind, int] = {
    Kind.BOOLEAN: 0, Kind.TINYINT: 1, Kind.SMALLINT: 2, Kind.INT: 4, Kind.BIGINT: 8,
    Kind.REAL: 4, Kind.DOUBLE: 8, Kind.DECIMAL: 16, Kind.VARCHAR: -1, Kind.DATE: 4,
    Kind.TIMESTAMP: 8, Kind.INTERVAL: 8,
}
# Bytes a value takes inside an aggregate entry (strings: pointer + length).
SLOT_WIDTH: dict[Kind, int] = {**ARROW_WIDTH, Kind.BOOLEAN: 1, Kind.DECIMAL: 8, Kind.VARCHAR: 16}

FALSE = ir.Constant(I1, 0)
TRUE = ir.Constant(I1, 1)


def llvm_type(t: SqlType) -> ir.Type:
    return LLVM_TYPES[t.kind]


@dataclass
class Val:
    v: ir.Value
    null: ir.Value = FALSE
    len: ir.Value | None = None    # strings only: byte length (i64)

    @property
    def maybe_null(self) -> bool:
        return not (isinstance(self.null, ir.Constant) and self.null.constant == 0)


def truth(b: ir.IRBuilder, v: Val) -> ir.Value:
    """Whether a BOOLEAN value is TRUE: NULL counts as not (WHERE, HAVING, CASE, FILTER)."""
    return b.and_(v.v, b.not_(v.null)) if v.maybe_null else v.v


def i64(v: int) -> ir.Constant:
    return ir.Constant(I64, v)


def zero(t: SqlType) -> ir.Constant:
    """A placeholder value of type t (what a NULL's value slot holds)."""
    lt = llvm_type(t)
    if t.kind is Kind.VARCHAR:
        return ir.Constant(PTR, None)
    if isinstance(lt, ir.FloatType | ir.DoubleType):
        return ir.Constant(lt, 0.0)
    return ir.Constant(lt, 0)


def canonical_float(b: ir.IRBuilder, v: ir.Value) -> ir.Value:
    """-0.0 as 0.0 and every NaN as one NaN, so equal floats (NaN = NaN, -0.0 = 0.0) have
    equal bits."""
    z = ir.Constant(v.type, 0.0)
    v = b.select(b.fcmp_ordered("==", v, z), z, v)
    return b.select(b.fcmp_unordered("uno", v, v), ir.Constant(v.type, float("nan")), v)
