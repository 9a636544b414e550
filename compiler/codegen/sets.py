"""Constant sets for long IN lists: open-addressed hash tables built at compile time, probed
by generated code for numbers (exprs._probe_int_set) and by the runtime's lc_set_has_str for
strings.

A list of a thousand constants compiled as a thousand comparisons costs LLVM seconds (its
time grows faster than the function) and the row a comparison per constant; a table costs
neither. Tables are at most a quarter full (2^bits slots, at least four times the members),
so the first slot probed decides most lookups (one well-predicted branch) and every probe
sequence reaches an empty slot.

Numbers are probed as int64 keys: integers, dates, timestamps and decimals as their values,
floats as the bits of the double after -0.0 becomes 0.0 and every NaN one NaN (the engine's
float equality: NaN = NaN and -0.0 = 0.0). The hashes here must be the runtime's, bit for bit.
"""

from __future__ import annotations

import math
import struct

MASK = 2**64 - 1
GOLDEN = 0x9E3779B97F4A7C15


def float_key(v: float) -> int:
    """A float's int64 key: the bits of values.canonical_float's double."""
    v = math.nan if math.isnan(v) else 0.0 if v == 0 else v
    return struct.unpack("<q", struct.pack("<d", v))[0]


def hash_bytes(s: bytes) -> int:
    """lc_hash_bytes."""
    h = GOLDEN ^ len(s)
    i = 0
    while len(s) - i >= 8:
        h = ((h ^ int.from_bytes(s[i:i + 8], "little")) * 0xFF51AFD7ED558CCD) & MASK
        h ^= h >> 32
        i += 8
    h = ((h ^ int.from_bytes(s[i:], "little")) * 0xC4CEB9FE1A85EC53) & MASK
    return h ^ (h >> 29)


def _bits(n: int) -> int:
    return max(4, (4 * n - 1).bit_length())


def int_table(keys: list[int]) -> tuple[bytes, int, int]:
    """(slots as little-endian int64, bits, the empty key) for distinct int64 keys."""
    members = set(keys)
    empty = -(2**63)
    while empty in members:
        empty += 1
    bits = _bits(len(keys))
    slots = [empty] * (1 << bits)
    for k in keys:
        i = ((k & MASK) * GOLDEN & MASK) >> (64 - bits)
        while slots[i] != empty:
            i = (i + 1) & ((1 << bits) - 1)
        slots[i] = k
    return struct.pack(f"<{len(slots)}q", *slots), bits, empty


def str_table(texts: list[str]) -> tuple[bytes, int, bytes]:
    """(slots as little-endian (offset, length) int64 pairs, bits, blob) for distinct
    strings; an empty slot's length is -1."""
    bits = _bits(len(texts))
    slots = [(0, -1)] * (1 << bits)
    blob = bytearray()
    for text in texts:
        data = text.encode()
        i = hash_bytes(data) >> (64 - bits)
        while slots[i][1] >= 0:
            i = (i + 1) & ((1 << bits) - 1)
        slots[i] = (len(blob), len(data))
        blob += data
    flat = [x for slot in slots for x in slot]
    return struct.pack(f"<{len(flat)}q", *flat), bits, bytes(blob)
