"""SQL types of the compiler, and the typing rules of arithmetic and comparison.

Values are represented in generated code as:
  BOOLEAN i1 · SMALLINT i16 · INT i32 · BIGINT i64 · REAL float · DOUBLE double
  DECIMAL(p, s) i64 holding value * 10^s (p <= 18) · VARCHAR (ptr, i64 length) UTF-8
  DATE i32 days since 1970-01-01 · TIMESTAMP(3) i64 ms · TIMESTAMP(6) i64 us
  INTERVAL i64 microseconds (day-time); year-month intervals only appear as constants
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.Enum):
    NULL = "NULL"            # the type of a bare NULL literal, before coercion
    BOOLEAN = "BOOLEAN"
    TINYINT = "TINYINT"      # only the changelog `_op` column
    SMALLINT = "SMALLINT"
    INT = "INT"
    BIGINT = "BIGINT"
    REAL = "REAL"
    DOUBLE = "DOUBLE"
    DECIMAL = "DECIMAL"
    VARCHAR = "VARCHAR"
    DATE = "DATE"
    TIMESTAMP = "TIMESTAMP"
    INTERVAL = "INTERVAL"


INTEGERS = (Kind.TINYINT, Kind.SMALLINT, Kind.INT, Kind.BIGINT)
FLOATS = (Kind.REAL, Kind.DOUBLE)
MAX_DECIMAL_PRECISION = 18
_INT_RANK = {k: i for i, k in enumerate(INTEGERS)}
_INT_DIGITS = {Kind.TINYINT: 3, Kind.SMALLINT: 5, Kind.INT: 10, Kind.BIGINT: 19}


@dataclass(frozen=True)
class SqlType:
    kind: Kind
    precision: int = 0   # DECIMAL precision, or TIMESTAMP fractional digits (3 or 6)
    scale: int = 0       # DECIMAL scale

    @property
    def name(self) -> str:
        """The type's name as printed in plans and manifests (see runtime/types.py)."""
        if self.kind is Kind.DECIMAL:
            return f"DECIMAL({self.precision},{self.scale})"
        if self.kind is Kind.TIMESTAMP:
            return f"TIMESTAMP({self.precision})"
        return self.kind.value

    def __str__(self) -> str:
        return self.name

    @property
    def is_integer(self) -> bool:
        return self.kind in INTEGERS

    @property
    def is_float(self) -> bool:
        return self.kind in FLOATS

    @property
    def is_numeric(self) -> bool:
        return self.kind in INTEGERS or self.kind in FLOATS or self.kind is Kind.DECIMAL

    @property
    def is_temporal(self) -> bool:
        return self.kind in (Kind.DATE, Kind.TIMESTAMP)

    @property
    def time_unit_us(self) -> int:
        """Microseconds per unit of a TIMESTAMP value (or of a BIGINT epoch-ms event time)."""
        if self.kind is Kind.TIMESTAMP and self.precision == 6:
            return 1
        if self.kind is Kind.DATE:
            return 86_400_000_000
        return 1000


BOOLEAN = SqlType(Kind.BOOLEAN)
TINYINT = SqlType(Kind.TINYINT)
SMALLINT = SqlType(Kind.SMALLINT)
INT = SqlType(Kind.INT)
BIGINT = SqlType(Kind.BIGINT)
REAL = SqlType(Kind.REAL)
DOUBLE = SqlType(Kind.DOUBLE)
VARCHAR = SqlType(Kind.VARCHAR)
DATE = SqlType(Kind.DATE)
TIMESTAMP_MS = SqlType(Kind.TIMESTAMP, 3)
TIMESTAMP_US = SqlType(Kind.TIMESTAMP, 6)
INTERVAL = SqlType(Kind.INTERVAL)
NULLTYPE = SqlType(Kind.NULL)


def decimal(precision: int, scale: int) -> SqlType:
    return SqlType(Kind.DECIMAL, precision, scale)


def as_decimal(t: SqlType) -> SqlType:
    """An exact numeric type as a decimal (integers have scale 0)."""
    if t.kind is Kind.DECIMAL:
        return t
    return decimal(_INT_DIGITS[t.kind], 0)


def text_parser(t: SqlType) -> tuple[str, tuple[int, ...]] | None:
    """The runtime's parser of text into t (runtime/lc_runtime.h) and its arguments between
    the text and the result: what generated code calls, and what folding a constant calls
    (REAL is parsed as a DOUBLE and rounded, integers as BIGINT and narrowed)."""
    k = t.kind
    if t.is_float:
        return "lc_parse_f64", ()
    if t.is_integer:
        return "lc_parse_i64", ()
    if k is Kind.DECIMAL:
        return "lc_parse_decimal", (t.scale,)
    if k is Kind.BOOLEAN:
        return "lc_parse_bool", ()
    if k is Kind.DATE:
        return "lc_parse_date", ()
    if k is Kind.TIMESTAMP:
        return "lc_parse_timestamp", (int(t.time_unit_us == 1),)
    return None


def text_formatter(t: SqlType) -> tuple[str, tuple[int, ...]] | None:
    """The runtime's formatter of a value of t (integers as BIGINT) and its arguments between
    the value and the buffer. A BOOLEAN's text is a constant, written by generated code."""
    k = t.kind
    if t.is_integer:
        return "lc_format_i64", ()
    if k is Kind.DOUBLE:
        return "lc_format_f64", ()
    if k is Kind.REAL:
        return "lc_format_f32", ()
    if k is Kind.DECIMAL:
        return "lc_format_decimal", (t.scale,)
    if k is Kind.DATE:
        return "lc_format_date", ()
    if k is Kind.TIMESTAMP:
        return "lc_format_timestamp", (int(t.time_unit_us == 1),)
    return None


def decimal_cast_overflows(src: SqlType, dst: SqlType) -> bool:
    """Can some value of the exact type src exceed DECIMAL dst? Too few integer digits, or as
    many but fewer decimals, where rounding can carry (DECIMAL(4,2) 99.99 is 100.0)."""
    s = as_decimal(src)
    whole, dst_whole = s.precision - s.scale, dst.precision - dst.scale
    return whole > dst_whole or (whole == dst_whole and dst.scale < s.scale)


def numeric_result(a: SqlType, b: SqlType) -> SqlType | None:
    """The common type of two numeric operands (DuckDB's promotion order), or None."""
    if not (a.is_numeric or a.kind is Kind.NULL) or not (b.is_numeric or b.kind is Kind.NULL):
        return None
    if a.kind is Kind.NULL:
        return b if b.kind is not Kind.NULL else INT
    if b.kind is Kind.NULL:
        return a
    if Kind.DOUBLE in (a.kind, b.kind):
        return DOUBLE
    if Kind.REAL in (a.kind, b.kind):
        return REAL
    if Kind.DECIMAL in (a.kind, b.kind):
        da, db = as_decimal(a), as_decimal(b)
        scale = max(da.scale, db.scale)
        digits = max(da.precision - da.scale, db.precision - db.scale)
        return decimal(min(MAX_DECIMAL_PRECISION, digits + scale), scale)
    return a if _INT_RANK[a.kind] >= _INT_RANK[b.kind] else b


def common_type(a: SqlType, b: SqlType) -> SqlType | None:
    """The type both operands of a comparison, CASE or COALESCE are converted to, or None."""
    if a == b:
        return a
    if a.kind is Kind.NULL:
        return b
    if b.kind is Kind.NULL:
        return a
    n = numeric_result(a, b)
    if n is not None:
        return n
    if a.kind is Kind.TIMESTAMP and b.kind is Kind.TIMESTAMP:
        return a if a.precision >= b.precision else b
    if {a.kind, b.kind} == {Kind.DATE, Kind.TIMESTAMP}:
        return a if a.kind is Kind.TIMESTAMP else b
    return None
