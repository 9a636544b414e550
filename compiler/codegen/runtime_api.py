"""The C runtime functions generated code may call (all declared in runtime/lc_runtime.h).
The JIT resolves exactly these names to the loaded runtime's addresses; an artifact links
them statically."""

from __future__ import annotations

from llvmlite import ir

from .abi import F32, F64, I32, I64, PTR

SIGNATURES: dict[str, tuple[ir.Type, tuple[ir.Type, ...]]] = {
    "lc_hash_bytes": (I64, (PTR, I64)),
    "lc_str_cmp": (I32, (PTR, I64, PTR, I64)),
    "lc_set_has_str": (I32, (PTR, I32, PTR, PTR, I64)),
    "lc_utf8_length": (I64, (PTR, I64)),
    "lc_utf8_upper": (I64, (PTR, I64, PTR)),
    "lc_utf8_lower": (I64, (PTR, I64, PTR)),
    "lc_utf8_substring": (ir.VoidType(), (PTR, I64, I64, I64, PTR, PTR)),
    "lc_utf8_trim": (ir.VoidType(), (PTR, I64, PTR, I64, I32, PTR, PTR)),
    "lc_like": (I32, (PTR, I64, PTR, I64, I32)),
    "lc_parse_i64": (I32, (PTR, I64, PTR)),
    "lc_parse_f64": (I32, (PTR, I64, PTR)),
    "lc_parse_decimal": (I32, (PTR, I64, I32, PTR)),
    "lc_parse_bool": (I32, (PTR, I64, PTR)),
    "lc_parse_date": (I32, (PTR, I64, PTR)),
    "lc_parse_timestamp": (I32, (PTR, I64, I32, PTR)),
    "lc_format_i64": (I64, (I64, PTR)),
    "lc_format_f64": (I64, (F64, PTR)),
    "lc_format_f32": (I64, (F32, PTR)),
    "lc_format_decimal": (I64, (I64, I32, PTR)),
    "lc_format_date": (I64, (I32, PTR)),
    "lc_format_timestamp": (I64, (I64, I32, PTR)),
    "lc_extract": (I64, (I64, I32, I32)),
    "lc_date_trunc": (I64, (I64, I32, I32)),
    "lc_add_months": (I64, (I64, I64, I32)),
    "lc_round_f64": (F64, (F64, I64)),
    "lc_i128_to_f64": (F64, (I64, I64)),
    "lc_date_format": (I64, (I64, I32, PTR, I64, PTR)),
    "lc_split_index": (I32, (PTR, I64, PTR, I64, I64, PTR, PTR)),
    "lc_count_substring": (I64, (PTR, I64, PTR, I64)),
    "lc_regex_extract": (I32, (PTR, I64, I32, I64, PTR, I64, I32, PTR, PTR, PTR)),
    "lc_regex_backtrack_bytes": (I64, (I64, I64)),
}

# Field codes of lc_extract / lc_date_trunc (LC_F_* in the header).
FIELD_CODES = {
    "year": 0, "quarter": 1, "month": 2, "week": 3, "day": 4, "hour": 5, "minute": 6,
    "second": 7, "millisecond": 8, "microsecond": 9, "dow": 10, "doy": 11, "isodow": 12,
    "decade": 13, "century": 14, "millennium": 15,
}


def declare(module: ir.Module, name: str) -> ir.Function:
    """The declaration of runtime function `name` in `module` (added once)."""
    existing = module.globals.get(name)
    if existing is not None:
        return existing
    ret, args = SIGNATURES[name]
    fn = ir.Function(module, ir.FunctionType(ret, args), name)
    fn.attributes.add("nounwind")
    return fn
