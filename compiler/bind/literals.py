"""Type names, literals and intervals: from sqlglot nodes to SqlTypes and Python values in the
representation generated code uses (see compiler/types.py)."""

from __future__ import annotations

import decimal as pydecimal
import re

from sqlglot import exp

from ...runtime import native
from ..dialect import sql_text
from ..errors import SqlError, error_at
from ..types import (
    BIGINT,
    BOOLEAN,
    DATE,
    DOUBLE,
    INT,
    INTERVAL,
    MAX_DECIMAL_PRECISION,
    REAL,
    SMALLINT,
    TIMESTAMP_MS,
    TIMESTAMP_US,
    TINYINT,
    VARCHAR,
    SqlType,
    decimal,
    text_parser,
)

_SIMPLE_TYPES = {
    exp.DType.BOOLEAN: BOOLEAN,
    exp.DType.TINYINT: TINYINT,
    exp.DType.SMALLINT: SMALLINT,
    exp.DType.INT: INT,
    exp.DType.BIGINT: BIGINT,
    exp.DType.FLOAT: REAL,
    exp.DType.DOUBLE: DOUBLE,
    exp.DType.VARCHAR: VARCHAR,
    exp.DType.CHAR: VARCHAR,
    exp.DType.NVARCHAR: VARCHAR,
    exp.DType.NCHAR: VARCHAR,
    exp.DType.TEXT: VARCHAR,
    exp.DType.DATE: DATE,
    exp.DType.INTERVAL: INTERVAL,
}
SUPPORTED_TYPES = (
    "BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, REAL, DOUBLE, DECIMAL(p,s) with p <= 18, "
    "VARCHAR, DATE, TIMESTAMP(3), TIMESTAMP(6), INTERVAL"
)


def bind_type(node: exp.DataType, what: str = "") -> SqlType:
    """The SqlType a type name denotes. Errors point into `node`, or (the parser records
    positions only for a type's parameters) at what encloses it; `what` (a column's name, say)
    prefixes their messages."""

    def fail(message: str) -> SqlError:
        return error_at(node, f"{what}: {message}" if what else message)

    kind = node.this
    if kind in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[kind]
    params = [int(p.this.this) for p in node.expressions if isinstance(p.this, exp.Literal)]
    if kind in (exp.DType.DECIMAL, exp.DType.BIGDECIMAL):
        precision, scale = (*params, 18, 3)[:2] if params else (18, 3)
        if len(params) == 1:
            scale = 0
        if not 1 <= precision <= MAX_DECIMAL_PRECISION:
            raise fail(f"DECIMAL precision must be between 1 and 18, got {precision}")
        if not 0 <= scale <= precision:
            raise fail(f"DECIMAL scale must be between 0 and {precision}, got {scale}")
        return decimal(precision, scale)
    if kind in (exp.DType.TIMESTAMP, exp.DType.DATETIME):
        if not params:
            return TIMESTAMP_US
        if params[0] > 6:
            raise fail("TIMESTAMP precision above 6 (microseconds) is not supported")
        return TIMESTAMP_MS if params[0] <= 3 else TIMESTAMP_US
    if kind in (exp.DType.TIMESTAMP_MS, exp.DType.TIMESTAMP_S):
        return TIMESTAMP_MS
    if kind in (exp.DType.TIMESTAMPTZ, exp.DType.TIMESTAMPLTZ):
        raise fail("TIMESTAMP WITH TIME ZONE is not supported; use TIMESTAMP (UTC)")
    raise fail(f"type {sql_text(node)} is not supported (supported: {SUPPORTED_TYPES})")


def bind_number(node: exp.Literal) -> tuple[object, SqlType]:
    text = node.this
    if re.fullmatch(r"\d+", text):
        v = int(text)
        if v <= 2**31 - 1:
            return v, INT
        if v <= 2**63 - 1:
            return v, BIGINT
        return float(v), DOUBLE
    if re.fullmatch(r"\d*\.\d*", text):
        whole, _, frac = text.partition(".")
        digits = len(whole.lstrip("0")) + len(frac)
        if digits <= MAX_DECIMAL_PRECISION:
            scale = len(frac)
            precision = max(digits, scale, 1)
            return int((whole or "0") + frac), decimal(precision, scale)
        return float(text), DOUBLE
    try:
        return float(text), DOUBLE
    except ValueError:
        raise error_at(node, f"invalid number {text!r}") from None


# ---------------------------------------------------------------------------------------------
# intervals: (months, microseconds)
# ---------------------------------------------------------------------------------------------
_MICROS = {
    "microsecond": 1, "us": 1,
    "millisecond": 1000, "ms": 1000,
    "second": 1_000_000, "s": 1_000_000, "sec": 1_000_000,
    "minute": 60_000_000, "min": 60_000_000, "m": 60_000_000,
    "hour": 3_600_000_000, "h": 3_600_000_000, "hr": 3_600_000_000,
    "day": 86_400_000_000, "d": 86_400_000_000,
    "week": 7 * 86_400_000_000, "w": 7 * 86_400_000_000,
}
_MONTHS = {"month": 1, "mon": 1, "quarter": 3, "year": 12, "y": 12, "yr": 12}


def _unit(name: str) -> tuple[int, int] | None:
    """(months, micros) of one unit, accepting plurals."""
    n = name.lower()
    for cand in (n, n[:-1] if n.endswith("s") else n):
        if cand in _MICROS:
            return 0, _MICROS[cand]
        if cand in _MONTHS:
            return _MONTHS[cand], 0
    return None


def bind_interval(node: exp.Interval) -> tuple[int, int]:
    """INTERVAL '1' SECOND, INTERVAL '1.5 seconds', INTERVAL '1 day 2 hours'."""
    this = node.this
    text = this.name if isinstance(this, exp.Literal) else sql_text(this) if this else ""
    unit = node.args.get("unit")
    parts: list[tuple[str, str]]
    if unit is not None:
        parts = [(text.strip(), unit.name)]
    else:
        tokens = text.split()
        if len(tokens) % 2:
            raise error_at(node, f"invalid interval {text!r}: expected '<number> <unit> ...'")
        parts = [(tokens[i], tokens[i + 1]) for i in range(0, len(tokens), 2)]
    months = micros = 0
    for amount, unit_name in parts:
        u = _unit(unit_name)
        if u is None:
            raise error_at(node, f"unknown interval unit {unit_name!r}")
        try:
            q = pydecimal.Decimal(amount)
        except pydecimal.InvalidOperation:
            raise error_at(node, f"invalid interval amount {amount!r}") from None
        if u[0]:
            if q != q.to_integral_value():
                raise error_at(node, "fractional months or years are not supported")
            months += int(q) * u[0]
        else:
            v = q * u[1]
            if v != v.to_integral_value():
                raise error_at(node, "interval is finer than a microsecond")
            micros += int(v)
    if not (-(2**63) < months < 2**63 and -(2**63) < micros < 2**63):
        raise error_at(node, f"interval {text!r} is out of range")
    return months, micros


# ---------------------------------------------------------------------------------------------
# temporal literals: parsed by the runtime's own parsers, so a literal means what the same text
# in a column means
# ---------------------------------------------------------------------------------------------
def parse_date(text: str) -> int | None:
    """Days since 1970-01-01 of a date or date-time text: the date as written (a time and an
    offset are checked, then dropped); None if invalid or out of range."""
    return parse_text_as(text, DATE)


def parse_timestamp(text: str, t: SqlType) -> int | None:
    """A TIMESTAMP(6) in microseconds, or a TIMESTAMP(3) in milliseconds rounded half away
    from zero, of a date-time text; None if invalid or out of range."""
    return parse_text_as(text, t)


def parse_text_as(text: str, t: SqlType) -> int | float | None:
    """What the runtime's parser of t (types.text_parser) makes of text, None where it fails
    (as generated code takes it: a REAL as a DOUBLE, an integer as a BIGINT)."""
    name, args = text_parser(t)
    return native.parse_text(name, text.encode("utf-8", "surrogateescape"), *args)
