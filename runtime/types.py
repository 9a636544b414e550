"""Column types as the runtime sees them: names in manifests, their Arrow types and layouts.

The compiler's richer `SqlType` prints to these names; the runtime, which never imports the
compiler, reads them back here: this module is the one place both sides learn them from.
pyarrow loads only when an Arrow type is first asked for (the compiler's command-line paths
never need it).
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

# name -> output width in bytes (0: bit-packed, -1: string)
_WIDTHS: dict[str, int] = {
    "BOOLEAN": 0, "TINYINT": 1, "SMALLINT": 2, "INT": 4, "BIGINT": 8, "REAL": 4, "DOUBLE": 8,
    "VARCHAR": -1, "DATE": 4, "TIMESTAMP(3)": 8, "TIMESTAMP(6)": 8, "INTERVAL": 8,
}
_DECIMAL = re.compile(r"DECIMAL\((\d+),(\d+)\)")


@cache
def arrow_type(name: str) -> pa.DataType:
    """The Arrow type a column of this type is exchanged as."""
    import pyarrow as pa

    fixed = {
        "BOOLEAN": pa.bool_(), "TINYINT": pa.int8(), "SMALLINT": pa.int16(),
        "INT": pa.int32(), "BIGINT": pa.int64(), "REAL": pa.float32(), "DOUBLE": pa.float64(),
        "VARCHAR": pa.string(), "DATE": pa.date32(), "TIMESTAMP(3)": pa.timestamp("ms"),
        "TIMESTAMP(6)": pa.timestamp("us"), "INTERVAL": pa.duration("us"),
    }
    if name in fixed:
        return fixed[name]
    m = _DECIMAL.fullmatch(name)
    if m:
        return pa.decimal128(int(m.group(1)), int(m.group(2)))
    raise ValueError(f"unknown column type {name!r}")


def out_width(name: str) -> int:
    """Bytes per value in an output buffer (decimals are written as 128-bit Arrow decimals)."""
    if name in _WIDTHS:
        return _WIDTHS[name]
    if _DECIMAL.fullmatch(name):
        return 16
    raise ValueError(f"unknown column type {name!r}")


def time_unit_of(name: str) -> str:
    """Unit of an event-time column's integer values."""
    return "us" if name == "TIMESTAMP(6)" else "ms"
