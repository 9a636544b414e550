"""File sources: Arrow IPC (file and stream formats), Parquet, CSV and JSON lines.

The file's bytes are read in one go through the runtime's I/O layer (`laminarc.runtime.files`:
io_uring with several chunks in flight, or pread) into one pyarrow buffer, and pyarrow decodes
them from memory. Arrow IPC batches are zero-copy views of that buffer (uncompressed files);
Parquet, CSV and JSON are decoded from it. The whole file is held in memory while its batches
are alive, so this suits files that fit in memory.

    for batch in read_arrow("events.parquet"):
        db.insert("events", batch)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any, Literal, TypeAlias

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.ipc as pa_ipc
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from ..runtime.files import Backend, read_file

Format: TypeAlias = Literal["arrow", "arrow_stream", "parquet", "csv", "json"]

EXTENSIONS: dict[str, Format] = {
    ".arrow": "arrow",
    ".feather": "arrow",
    ".ipc": "arrow",
    ".arrows": "arrow_stream",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".jsonl": "json",
    ".ndjson": "json",
    ".json": "json",
}
STREAM_CONTINUATION = b"\xff\xff\xff\xff"   # how every message of an IPC stream starts


def decode_arrow_file(data: pa.Buffer) -> Iterator[pa.RecordBatch]:
    reader = pa_ipc.open_file(data)
    for i in range(reader.num_record_batches):
        yield reader.get_batch(i)


def decode_arrow_stream(data: pa.Buffer) -> Iterator[pa.RecordBatch]:
    yield from pa_ipc.open_stream(data)


def decode_parquet(data: pa.Buffer) -> Iterator[pa.RecordBatch]:
    yield from pq.ParquetFile(pa.BufferReader(data)).iter_batches()


def decode_csv(data: pa.Buffer) -> Iterator[pa.RecordBatch]:
    yield from pa_csv.open_csv(pa.BufferReader(data))


def decode_json(data: pa.Buffer) -> Iterator[pa.RecordBatch]:
    yield from pa_json.open_json(pa.BufferReader(data))


DECODERS: dict[Format, Callable[[pa.Buffer], Iterator[pa.RecordBatch]]] = {
    "arrow": decode_arrow_file,
    "arrow_stream": decode_arrow_stream,
    "parquet": decode_parquet,
    "csv": decode_csv,
    "json": decode_json,
}


def detect_format(path: str, head: bytes) -> Format:
    """The format from the file's magic bytes (Arrow file, Parquet), else its extension, else
    an IPC stream's continuation marker."""
    if head.startswith(b"ARROW1"):
        return "arrow"
    if head.startswith(b"PAR1"):
        return "parquet"
    ext = os.path.splitext(path)[1].lower()
    if ext in EXTENSIONS:
        return EXTENSIONS[ext]
    if head.startswith(STREAM_CONTINUATION):
        return "arrow_stream"
    raise UnknownFormat(
        f"cannot tell the format of {path!r}; pass format= one of {sorted(DECODERS)}"
    )


class UnknownFormat(ValueError):
    """Neither the file's first bytes nor its name tell its format."""


def read_arrow(
    path: str | os.PathLike[str],
    backend: Backend = "auto",
    format: Format | None = None,
    on_signal: Callable[[], None] | None = None,
) -> Iterator[pa.RecordBatch]:
    """The record batches of an Arrow IPC, Parquet, CSV or JSON-lines file, or of a pipe or
    FIFO carrying one. The file is read now (so a missing file fails here); its batches are
    decoded as they are iterated. `on_signal`: as for `runtime.files.open_file`."""
    if format is not None and format not in DECODERS:
        raise ValueError(f"unknown file format {format!r}; expected one of {sorted(DECODERS)}")
    name = os.fsdecode(path)
    data = read_file(name, backend, on_signal)
    fmt = format or detect_format(name, data[:8].to_pybytes())
    return DECODERS[fmt](data)


class FileSource:
    """One file as a bounded source: `poll()` returns its batches in order, then None. Its
    position is the number of batches delivered, which `restore` skips again."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        format: Format | None = None,
        backend: Backend = "auto",
    ):
        self._batches = read_arrow(path, backend, format)
        self.position = 0
        self.done = False

    def poll(self) -> pa.RecordBatch | None:
        batch = next(self._batches, None)
        if batch is None:
            self.done = True
        else:
            self.position += 1
        return batch

    def snapshot(self) -> dict[str, Any]:
        return {"batches": self.position}

    def restore(self, state: dict[str, Any]) -> None:
        while self.position < state["batches"] and self.poll() is not None:
            pass


class FileWriter:
    """Record batches to an Arrow IPC (file or stream), Parquet, CSV or JSON-lines file, the
    format chosen by the extension (or `format`). The file is complete and readable after
    `close()`, however many batches were written (none included)."""

    def __init__(self, path: str | os.PathLike[str], schema: pa.Schema,
                 format: Format | None = None):
        self.path = os.fsdecode(path)
        fmt = format or EXTENSIONS.get(os.path.splitext(self.path)[1].lower())
        if fmt is None:
            raise ValueError(f"cannot tell which format to write {self.path!r} in: use one of "
                             f"the extensions {', '.join(sorted(EXTENSIONS))}")
        self.format = fmt
        self.schema = schema
        self.rows = 0
        self._sink = pa.OSFile(self.path, "wb")
        if fmt == "arrow":
            self._writer = pa_ipc.new_file(self._sink, schema)
        elif fmt == "arrow_stream":
            self._writer = pa_ipc.new_stream(self._sink, schema)
        elif fmt == "parquet":
            self._writer = pq.ParquetWriter(self._sink, schema)
        elif fmt == "csv":
            self._writer = pa_csv.CSVWriter(self._sink, schema)
        else:
            self._writer = None   # JSON lines: one object per row, written here

    def write(self, batch: pa.RecordBatch) -> None:
        self.rows += batch.num_rows
        if self._writer is not None:
            self._writer.write_batch(batch)
            return
        import json

        lines = "".join(json.dumps(row, default=_json_value) + "\n" for row in batch.to_pylist())
        self._sink.write(lines.encode())

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._sink.close()

    def __enter__(self) -> FileWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _json_value(v: object) -> object:
    """Values JSON has no type for: timestamps and dates as ISO 8601 text, decimals as text."""
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)
