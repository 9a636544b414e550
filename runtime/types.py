"""Column types as the runtime sees them: names in manifests, their Arrow types and layouts.

The compiler's richer `SqlType` prints to these names; the runtime, which never imports the
compiler, reads them back here. One table, so the two can not disagree.
"""

from __future__ import annotations

import re

import pyarrow as pa

# name -> (arrow type, output width in bytes: 0 bit-packed, -1 string)
_FIXED: dict[str, tuple[pa.DataType, int]] = {
    "BOOLEAN": (pa.bool_(), 0),
    "TINYINT": (pa.int8(), 1),
    "SMALLINT": (pa.int16(), 2),
    "INT": (pa.int32(), 4),
    "BIGINT": (pa.int64(), 8),
    "REAL": (pa.float32(), 4),
    "DOUBLE": (pa.float64(), 8),
    "VARCHAR": (pa.string(), -1),
    "DATE": (pa.date32(), 4),
    "TIMESTAMP(3)": (pa.timestamp("ms"), 8),
    "TIMESTAMP(6)": (pa.timestamp("us"), 8),
    "INTERVAL": (pa.duration("us"), 8),
}
_DECIMAL = re.compile(r"DECIMAL\((\d+),(\d+)\)")


def arrow_type(name: str) -> pa.DataType:
    """The Arrow type a column of this type is exchanged as."""
    if name in _FIXED:
        return _FIXED[name][0]
    m = _DECIMAL.fullmatch(name)
    if m:
        return pa.decimal128(int(m.group(1)), int(m.group(2)))
    raise ValueError(f"unknown column type {name!r}")


def out_width(name: str) -> int:
    """Bytes per value in an output buffer (decimals are written as 128-bit Arrow decimals)."""
    if name in _FIXED:
        return _FIXED[name][1]
    if _DECIMAL.fullmatch(name):
        return 16
    raise ValueError(f"unknown column type {name!r}")


def time_unit_of(name: str) -> str:
    """Unit of an event-time column's integer values."""
    return "us" if name == "TIMESTAMP(6)" else "ms"
