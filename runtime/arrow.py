"""Arrow at the runtime's edges.

In: whatever a user inserts (pyarrow batches and tables, pandas, lists of dicts, dicts of
lists, any object exporting the Arrow PyCapsule interface) becomes record batches of exactly
a source's schema, or a SchemaError naming the column, before anything runs.
Out: an lc_out batch the generated code filled becomes a pyarrow RecordBatch without copying;
the buffers are freed when the last Arrow reference goes.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .errors import SchemaError
from .native import ffi, lib
from .program import Column
from .types import arrow_type, out_width


def schema_of(columns: list[Column]) -> pa.Schema:
    return pa.schema([pa.field(c.name, arrow_type(c.type), c.nullable) for c in columns])


# ---------------------------------------------------------------------------------------------
# input
# ---------------------------------------------------------------------------------------------
def to_table(data: object, source: str) -> pa.Table:
    """Any supported input as a pyarrow Table (no schema checks yet)."""
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if isinstance(data, pa.RecordBatchReader):
        return data.read_all()
    if isinstance(data, list):
        if not data:
            return pa.table({})
        if not all(isinstance(r, dict) for r in data):
            raise SchemaError(f"insert into '{source}': a list must hold dicts (one per row)")
        # The columns are every key of any row (Table.from_pylist takes the first row's
        # only, dropping a key first given later); a row without a key holds NULL there.
        names = list(dict.fromkeys(k for r in data for k in r))
        if not names:
            raise SchemaError(f"insert into '{source}': {len(data)} rows without columns")
        try:
            return pa.table({n: [r.get(n) for r in data] for n in names})
        except (pa.ArrowException, TypeError, ValueError, OverflowError) as e:
            raise SchemaError(f"insert into '{source}': {e}") from None
    if isinstance(data, dict):
        try:
            return pa.table(data)
        except (pa.ArrowException, TypeError, ValueError, OverflowError) as e:
            raise SchemaError(f"insert into '{source}': {e}") from None
    type_name = type(data).__module__ + "." + type(data).__name__
    try:
        # (pandas first: a DataFrame may also export an Arrow stream, index and all)
        if type_name.startswith("pandas."):
            return pa.Table.from_pandas(data, preserve_index=False)
        if hasattr(data, "__arrow_c_stream__"):
            return pa.RecordBatchReader.from_stream(data).read_all()
        if hasattr(data, "__arrow_c_array__"):
            return pa.Table.from_batches([pa.record_batch(data)])
    except (pa.ArrowException, TypeError, ValueError) as e:
        raise SchemaError(f"insert into '{source}': {e}") from None
    raise SchemaError(
        f"insert into '{source}': unsupported data of type {type_name}; use a pyarrow "
        "RecordBatch or Table, a pandas DataFrame, a list of dicts, or an Arrow stream"
    )


def _conform_column(arr: pa.ChunkedArray, target: pa.DataType, source: str, name: str
                    ) -> pa.ChunkedArray:
    t = arr.type
    if t == target:
        return arr
    if pa.types.is_dictionary(t):
        arr = arr.cast(t.value_type)
        t = arr.type
        if t == target:
            return arr
    if pa.types.is_timestamp(t) and pa.types.is_timestamp(target) and t.tz is not None:
        arr = arr.cast(pa.timestamp(t.unit))   # zone-aware values are UTC instants
        t = arr.type
    allowed = (
        pa.types.is_null(t)
        or (_is_number(t) and _is_number(target))
        or (pa.types.is_decimal(t) and (pa.types.is_decimal(target) or _is_number(target)))
        or ((pa.types.is_integer(t) or pa.types.is_floating(t)) and pa.types.is_decimal(target))
        or (_is_string(t) and pa.types.is_string(target))
        or (pa.types.is_timestamp(t) and pa.types.is_timestamp(target))
        # integers into a TIMESTAMP(p) column are epoch values in its unit (ms or us)
        or (pa.types.is_integer(t) and pa.types.is_timestamp(target))
        or (pa.types.is_date(t) and (pa.types.is_date(target) or pa.types.is_timestamp(target)))
        or (pa.types.is_timestamp(t) and pa.types.is_date(target))
        or (pa.types.is_duration(t) and pa.types.is_duration(target))
        or (pa.types.is_boolean(t) and pa.types.is_boolean(target))
    )
    if not allowed:
        raise SchemaError(
            f"insert into '{source}': column '{name}' has type {t}, which does not convert to "
            f"{target}", name)
    try:
        if pa.types.is_integer(t) and pa.types.is_timestamp(target) and t != pa.int64():
            arr = pc.cast(arr, pa.int64(), safe=True)   # Arrow casts only int64 to timestamps
        if pa.types.is_integer(t) and pa.types.is_decimal(target):
            # Arrow refuses an integer type whose every value could not fit, whatever the
            # values; through a DECIMAL that holds any of them, each value is checked.
            arr = pc.cast(arr, pa.decimal128(20 + target.scale, target.scale), safe=True)
        if pa.types.is_floating(t) and pa.types.is_decimal(target):
            return _float_to_decimal(arr, target, source, name)
        out = pc.cast(arr, target, safe=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
        raise SchemaError(
            f"insert into '{source}': column '{name}' of type {t} does not fit {target}: {e}",
            name) from None
    # What Arrow's safe casts let through although values change: a DOUBLE beyond REAL's
    # range becomes infinite, and a time of day is dropped on the way to a DATE.
    if pa.types.is_floating(t) and pa.types.is_float32(target) and t != target:
        changed = pc.and_(pc.is_inf(out), pc.invert(pc.is_inf(arr)))
    elif pa.types.is_timestamp(t) and pa.types.is_date(target):
        changed = pc.not_equal(pc.cast(out, t), arr)
    else:
        return out
    if pc.any(changed).as_py():
        raise SchemaError(f"insert into '{source}': column '{name}' of type {t} holds values "
                          f"that {target} can not hold exactly", name)
    return out


def _float_to_decimal(arr: pa.ChunkedArray, target: pa.DataType, source: str, name: str
                      ) -> pa.ChunkedArray:
    """Floats into a DECIMAL exactly as CAST converts them: the value times 10^scale in
    doubles, rounded half away from zero (Arrow's own cast rounds half to even, so 0.125 went
    in as 0.12 where CAST gives 0.13). NaN, infinities and values of too many digits do not
    fit."""
    col = arr.combine_chunks()
    x = np.asarray(col.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):   # (inf - inf: NaN, refused below)
        y = x * float(10**target.scale)
        whole = np.trunc(y)
        r = whole + np.where(np.abs(y - whole) >= 0.5, np.copysign(1.0, y), 0.0)
        fits = np.abs(r) < float(10**target.precision)   # (False for NaN)
    if not fits.all():
        bad = float(x[~fits][0])
        raise SchemaError(f"insert into '{source}': column '{name}' of type {arr.type} holds "
                          f"{bad!r}, which does not fit {target}", name)
    unscaled = r.astype(np.int64)
    words = np.empty((len(unscaled), 2), np.int64)   # int128, little-endian
    words[:, 0] = unscaled
    words[:, 1] = unscaled >> 63
    out = pa.Array.from_buffers(target, len(col), [None, pa.py_buffer(words)])
    if col.null_count:
        out = pc.if_else(pc.is_valid(col), out, pa.scalar(None, target))
    return pa.chunked_array([out], target)


def _is_number(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_floating(t)


def _is_string(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)


def describe(data: object, columns: list[Column], source: str, want: ExportedSchema,
             ones: OnesBuffer) -> list[Descriptors]:
    """Descriptors of `data` as record batches of exactly the source's types (`want`), or
    SchemaError. A record batch that already has them is described as it is (its types
    compared in C, on the export its descriptors come from); anything else is conformed
    first. NOT NULL columns are checked on the descriptors (check_not_null), which see every
    column's NULL count in one call."""
    if isinstance(data, pa.RecordBatch) and data.num_rows:
        desc = Descriptors(data, ones, want)
        if desc.exact:
            return [desc]
    return [Descriptors(b, ones) for b in conform(data, columns, source)]


def conform(data: object, columns: list[Column], source: str) -> list[pa.RecordBatch]:
    """Non-empty record batches of exactly the source's types, or SchemaError."""
    table = to_table(data, source)
    if table.num_columns == 0 and table.num_rows == 0:
        return []
    # Each given column to the source's column of its name, or else of its name in any case
    # (when one column has it); two given for one column clash (`s` and `S` for s).
    by_lower: dict[str, list[str]] = {}
    for c in columns:
        by_lower.setdefault(c.name.lower(), []).append(c.name)
    exact = {c.name for c in columns}
    given: dict[str, str] = {}
    for n in table.column_names:
        match = [n] if n in exact else by_lower.get(n.lower(), [])
        if len(match) != 1:
            raise SchemaError(f"insert into '{source}': column '{n}' is not in the source "
                              f"(columns: {', '.join(c.name for c in columns)})", n)
        target = match[0]
        if target in given:
            raise SchemaError(f"insert into '{source}': column '{target}' is given more than "
                              f"once ({given[target]!r} and {n!r})", target)
        given[target] = n
    arrays = []
    for c in columns:
        if c.name not in given:
            raise SchemaError(f"insert into '{source}': column '{c.name}' is missing", c.name)
        arrays.append(_conform_column(table.column(given[c.name]), arrow_type(c.type), source,
                                      c.name))
    out = pa.Table.from_arrays(arrays, schema=schema_of(columns))
    return [b for b in out.to_batches() if b.num_rows]


def not_null_mask(columns: list[Column]) -> int:
    """Bit c: column c may not hold NULL (compared with Descriptors.null_mask)."""
    return sum(1 << i for i, c in enumerate(columns) if not c.nullable)


def check_not_null(desc: Descriptors, columns: list[Column], mask: int, source: str) -> None:
    """SchemaError if a NOT NULL column (bit set in `mask`) of the batch holds a NULL (called
    when the batch's null_mask says one may)."""
    for i, c in enumerate(columns):
        # (a column whose export did not give its NULL count is counted here)
        if (mask >> i) & 1 and desc.batch.column(i).null_count:
            what = "event-time column" if c.time_offset is not None else "NOT NULL column"
            raise SchemaError(f"insert into '{source}': {what} '{c.name}' contains NULL", c.name)


class Descriptors:
    """lc_col descriptors of one record batch, valid as long as this is (it keeps the batch,
    whose buffers they point into, and the all-valid bitmap). Built in C from the batch's
    Arrow C data interface export, released at once: one call, no per-buffer Python objects,
    and nothing to release later. The export goes through `ones`' scratch, reused by every
    batch (one at a time: the engine's lock). (Slots, and few steps: an insert builds one, and
    on the path of a small insert each step costs its latency.)"""

    __slots__ = ("batch", "cols", "exact", "n", "null_mask", "ones")

    def __init__(self, batch: pa.RecordBatch, ones: OnesBuffer,
                 want: ExportedSchema | None = None):
        """With `want`, `exact` says whether the batch has exactly its types (compared in C
        on the same export); without it they are not compared, and the batch must have the
        expected number of columns."""
        self.batch = batch
        n = batch.num_columns
        self.cols = cols = ffi.new(_COLS, n or 1)
        flags = ones.flags if n <= ones.nflags else ones.grow_flags(n)
        self.n = rows = batch.num_rows
        # (with `want`, the batch's schema is exported too, for C to compare)
        if want is None:
            batch._export_to_c(ones.export_address)
            schema = want_ptr = ffi.NULL
        else:
            batch._export_to_c(ones.export_address, ones.schema_address)
            schema, want_ptr = ones.schema, want.ptr
        self.ones = buf = ones.buf if rows <= ones.bits else ones.pointer(rows)
        got = lib.lc_cols_from_arrow(ones.export, schema, want_ptr, cols, n, buf, ones.bits,
                                     flags, ones.flagged)
        if got != rows:
            self.exact = False
            if got == -2:
                return
            # once more, for sliced arrays reaching past the bitmap
            self.ones = buf = ones.pointer(rows + max_offset(batch))
            batch._export_to_c(ones.export_address)
            got = lib.lc_cols_from_arrow(ones.export, ffi.NULL, ffi.NULL, cols, n, buf,
                                         ones.bits, flags, ones.flagged)
            if got != rows:
                raise ValueError("laminarc: unexpected Arrow layout in an input batch")
        self.exact = True
        # bit c: column c may hold a NULL (pipelines test it against the columns they read)
        self.null_mask = 0
        if ones.flagged[0]:
            raw = ffi.buffer(flags, n)[:]
            self.null_mask = sum(1 << c for c, f in enumerate(raw) if f)

    def rows(self, lo: int, n: int) -> Descriptors:
        """Descriptors of rows [lo, lo + n): the same buffers at offsets moved by lo. Their
        null_mask is these', which may flag a column the rows hold no NULL of (the loop then
        reads its bitmap)."""
        part = Descriptors.__new__(Descriptors)
        part.batch = self.batch.slice(lo, n)
        part.n = n
        k = self.batch.num_columns
        part.cols = ffi.new(_COLS, max(k, 1))
        ffi.memmove(part.cols, self.cols, ffi.sizeof("lc_col") * k)
        for c in range(k):
            part.cols[c].offset += lo
        part.ones = self.ones   # (long enough: it covers every row of the whole)
        part.null_mask = self.null_mask
        part.exact = self.exact
        return part


_COLS = ffi.typeof("lc_col[]")


def max_offset(batch: pa.RecordBatch) -> int:
    """The largest offset of the batch's columns (a slice's start, for a sliced batch)."""
    return max((batch.column(i).offset for i in range(batch.num_columns)), default=0)


class ExportedSchema:
    """A schema exported through the Arrow C data interface, for lc_cols_from_arrow to compare
    batches' types with; released with this object."""

    def __init__(self, schema: pa.Schema):
        self.ptr = ffi.new("lc_arrow_schema*")   # (the export owns copies of what it needs)
        schema._export_to_c(int(ffi.cast("uintptr_t", self.ptr)))

    def __del__(self) -> None:
        lib.lc_arrow_schema_release(self.ptr)


class OnesBuffer:
    """An all-valid bitmap for columns without one (the nulls variant reads every bitmap), and
    the scratch Descriptors export batches through.

    A column at offset o of n rows reads bits [o, o + n): a batch's descriptors ask for a
    bitmap that long, and its chunks' (Descriptors.rows) read within it. A larger bitmap
    replaces the buffer; the old one lives on as long as descriptors pointing into it do
    (Descriptors keep their buffer)."""

    BLOCK = 8192   # bytes: sizes are rounded up to a multiple

    def __init__(self) -> None:
        self.buf = self._new(self.BLOCK)
        self.bits = self.BLOCK * 8
        # (allocating these per batch took a fifth of building its descriptors)
        self.export = ffi.new("lc_arrow_array*")
        self.export_address = int(ffi.cast("uintptr_t", self.export))
        self.schema = ffi.new("lc_arrow_schema*")
        self.schema_address = int(ffi.cast("uintptr_t", self.schema))
        self.flagged = ffi.new("int64_t*")
        self.grow_flags(64)

    def grow_flags(self, n: int):
        self.nflags = max(n, 64)
        self.flags = ffi.new("uint8_t[]", self.nflags)
        return self.flags

    def pointer(self, bits: int):
        if bits > self.bits:
            size = -(-bits // (8 * self.BLOCK)) * self.BLOCK
            self.buf = self._new(size)
            self.bits = size * 8
        return self.buf

    @staticmethod
    def _new(size: int):
        buf = ffi.new("uint8_t[]", size)
        ffi.memmove(buf, b"\xff" * size, size)
        return buf


# ---------------------------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------------------------
class OutputLayout:
    """How to build and read lc_out batches of one schema."""

    def __init__(self, columns: list[Column]):
        self.schema = schema_of(columns)
        self.widths = ffi.new("int64_t[]", [out_width(c.type) for c in columns] or [0])
        self.nullable = ffi.new("int32_t[]", [int(c.nullable) for c in columns] or [0])
        self.n = len(columns)
        # One export struct for every batch: pyarrow's import moves it out (marking it
        # released), so it is free again once to_batch returns.
        self.export = ffi.new("lc_arrow_array*")
        self.export_address = int(ffi.cast("uintptr_t", self.export))

    def new(self):
        out = lib.lc_out_new(self.n, self.widths, self.nullable)
        if out == ffi.NULL:
            raise MemoryError("laminarc: out of memory for an output batch")
        return ffi.gc(out, lib.lc_out_free)

    def to_batch(self, out) -> pa.RecordBatch:
        """The rows written into `out` as a RecordBatch over its buffers (no copy). `out` is
        an owning object from new() / ffi.gc; its buffers now belong to the batch."""
        status = lib.lc_out_export(out, self.export)
        if status:
            raise MemoryError("laminarc: out of memory exporting an output batch")
        ffi.gc(out, None)   # pyarrow's release callback frees it now
        return pa.RecordBatch._import_from_c(self.export_address, self.schema)
