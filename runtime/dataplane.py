"""The verbs on data that the embedded database and an ahead-of-time artifact share: insert,
watermark, end_input, subscribe, metrics, view snapshots and close, over an Engine. Nothing
here knows SQL; `laminarc.Database` adds the compiler on top, a generated artifact package adds
the specs and the shared library it was compiled into."""

from __future__ import annotations

import datetime as dt
import numbers
import operator
import os

import pyarrow as pa

from .engine import Engine
from .errors import StateError
from .native import INT64_MAX, INT64_MIN
from .subscription import Subscription

_EPOCH = dt.datetime(1970, 1, 1)


class DataPlane:
    """Streams over an engine of `workers` threads (default: the CPUs this process may use)."""

    def __init__(self, workers: int | None = None) -> None:
        if workers is None:
            workers = len(os.sched_getaffinity(0))
        if isinstance(workers, bool) or not hasattr(workers, "__index__"):
            raise TypeError(f"workers must be an integer, not {type(workers).__name__}")
        workers = operator.index(workers)   # (numpy's integers too)
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.engine = Engine(workers=workers)

    def insert(self, source: str, data: object) -> int:
        """Append rows to a source; returns how many. Raises SchemaError (and applies nothing)
        when the data does not fit the source's schema."""
        # (the engine checks it is open; the name as in _source_name, a call less an insert)
        engine = self.engine
        return engine.insert(source if source in engine.sources else source.lower(), data)

    def watermark(self, source: str, ts: dt.datetime | dt.date | int) -> None:
        """Declare that `source` will have no more rows before `ts` (datetime, or epoch
        milliseconds): windows ending at or before it close."""
        self._check_open()
        name = self._source_name(source)
        spec = self.engine._source(name).spec
        if spec.time_column is None:
            raise StateError(f"source '{name}' has no event time (declare WATERMARK FOR)")
        self.engine.watermark(name, to_time_units(ts, spec.time_unit))

    def end_input(self, source: str) -> None:
        """No more data for `source`: its watermark goes to infinity and every window closes."""
        self._check_open()
        self.engine.end_input(self._source_name(source))

    def subscribe(self, stream: str) -> Subscription:
        """Rows the stream emits from now on."""
        self._check_open()
        return self.engine.subscribe(self._stream_name(stream))

    def view(self, name: str) -> pa.Table:
        """The current contents of a materialized view."""
        self._check_open()
        return self.engine.snapshot(self._stream_name(name))

    def metrics(self) -> dict:
        """Counters: rows in and out, late rows per source and stream, expression errors,
        watermarks, state sizes, and per worker where its time went."""
        return self.engine.metrics()

    def close(self) -> None:
        self.engine.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _check_open(self) -> None:
        self.engine._check_open()

    # Names are case-insensitive unless quoted: an exact match first, then the folded name.
    def _source_name(self, source: str) -> str:
        return source if source in self.engine.sources else source.lower()

    def _stream_name(self, stream: str) -> str:
        return stream if stream in self.engine.streams else stream.lower()


def to_time_units(ts: dt.datetime | dt.date | int, unit: str) -> int:
    """A watermark in a time column's units ("ms" or "us"); an integer (numpy's too) is epoch
    milliseconds. One beyond the time range is clamped to it: a watermark only bounds the
    times still to come, and none lie outside."""
    if isinstance(ts, bool):
        raise TypeError("a watermark is a datetime or epoch milliseconds")
    if isinstance(ts, numbers.Integral):
        v = int(ts) if unit == "ms" else int(ts) * 1000
        return max(INT64_MIN, min(INT64_MAX, v))
    if isinstance(ts, dt.datetime):
        if ts.tzinfo is not None:
            ts = ts.astimezone(dt.UTC).replace(tzinfo=None)
        delta = ts - _EPOCH
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return micros // 1000 if unit == "ms" else micros
    if isinstance(ts, dt.date):
        return to_time_units(dt.datetime(ts.year, ts.month, ts.day), unit)
    if hasattr(ts, "to_pydatetime"):
        return to_time_units(ts.to_pydatetime(), unit)
    raise TypeError(f"a watermark is a datetime or epoch milliseconds, not {type(ts).__name__}")
