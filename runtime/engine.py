"""The engine: runs compiled streams over inserted data. It knows nothing of SQL; it gets
source and stream descriptions (runtime/program.py) and function addresses.

Data flow per inserted batch of a source: every pipeline reading the source runs its fused
loop over the batch (watermarks advance per row inside it); an aggregate then emits what its
watermark closed; emitted batches go to the stream's subscribers, its view, and the pipelines
reading it; finally their watermarks follow (an emitted row is never late downstream because
rows go before the watermark that closed them).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pyarrow as pa

from .arrow import Descriptors, OnesBuffer, OutputLayout, conform, schema_of
from .errors import StateError
from .native import INT64_MAX, INT64_MIN, check, ffi, lib
from .program import PipelineSpec, SourceSpec, StreamSpec
from .subscription import Subscription
from .views import ViewStore

EMIT_MODES = ("window_close", "changes", "final")


class Pipeline:
    """A compiled pipeline bound to its native state."""

    def __init__(self, spec: PipelineSpec, addresses: dict[str, int]):
        self.spec = spec
        self.pipe = ffi.gc(lib.lc_pipe_new(), lib.lc_pipe_free)
        if self.pipe == ffi.NULL:
            raise MemoryError("laminarc: out of memory for a pipeline")
        self.pipe.run_dense = ffi.cast("lc_run_fn", addresses[spec.run_dense])
        self.pipe.run_nulls = ffi.cast("lc_run_fn", addresses[spec.run_nulls])
        self.output = OutputLayout(spec.output)
        self.agg = None
        a = spec.aggregate
        if a is not None:
            sizes = ffi.new("int64_t[]", a.set_entry_sizes or [0])
            agg = lib.lc_agg_new(a.entry_size, len(a.set_entry_sizes), sizes, int(a.windowed),
                                 a.size, a.slide, a.offset, 1024)
            if agg == ffi.NULL:
                raise MemoryError("laminarc: out of memory for an aggregate")
            self.agg = ffi.gc(agg, lib.lc_agg_free)
            emit_changes = ffi.cast("lc_emit_fn", addresses[a.emit_changes]) if a.emit_changes \
                else ffi.NULL
            lib.lc_agg_set_emitters(agg, ffi.cast("lc_emit_fn", addresses[a.emit_rows]),
                                    emit_changes)
            agg.global_agg = int(a.global_agg)
            self.pipe.agg = agg
        self.rows_in = 0
        self.finished = False

    @property
    def wm(self) -> int:
        return self.pipe.wm

    def run(self, desc: Descriptors) -> list[pa.RecordBatch]:
        """Run the loop over one batch; the batches its sink produced."""
        n = desc.batch.num_rows
        self.rows_in += n
        nulls = any(c in desc.null_columns for c in self.spec.columns_read)
        if self.agg is None:
            out = self.output.new()
            check(lib.lc_out_reserve(out, n * self.spec.windows_per_row), "output batch")
            self.pipe.out = out
            try:
                check(lib.lc_pipe_run(self.pipe, desc.cols, n, int(nulls)), self.spec.produces)
            finally:
                self.pipe.out = ffi.NULL
            return [self.output.to_batch(out)] if out.n else []
        check(lib.lc_pipe_run(self.pipe, desc.cols, n, int(nulls)), self.spec.produces)
        return self.emit()

    def advance(self, wm: int) -> list[pa.RecordBatch]:
        """Raise the watermark (never lowers it) and emit what that closes."""
        if wm > self.pipe.wm:
            self.pipe.wm = wm
        return self.emit() if self.agg is not None else []

    def emit(self) -> list[pa.RecordBatch]:
        a = self.spec.aggregate
        if not lib.lc_agg_due(self.agg, self.pipe.wm, int(a.emit == "changes")):
            return []
        out = self.output.new()
        ctx = ffi.addressof(self.pipe.ctx)
        if a.emit == "window_close":
            check(lib.lc_agg_close(self.agg, self.pipe.wm, 1, out, ctx), self.spec.produces)
        elif a.emit == "changes":
            check(lib.lc_agg_emit_changes(self.agg, out, ctx), self.spec.produces)
            if a.windowed:   # closed windows drop their state after their last changes
                check(lib.lc_agg_close(self.agg, self.pipe.wm, 0, ffi.NULL, ctx),
                      self.spec.produces)
        elif self.pipe.wm == INT64_MAX and not self.finished:
            self.finished = True
            check(lib.lc_agg_emit_all(self.agg, out, ctx), self.spec.produces)
        return [self.output.to_batch(out)] if out.n else []

    def metrics(self) -> dict:
        ctx = self.pipe.ctx
        m = {"rows_in": self.rows_in, "late_rows": ctx.late_rows, "errors": ctx.errors}
        if self.agg is not None:
            m["groups"] = lib.lc_agg_entries(self.agg)
            m["open_windows"] = lib.lc_agg_open_windows(self.agg)
        return m


@dataclass
class Relation:
    """A named flow of batches: a source, a stream, or a relation internal to a stream."""

    name: str
    schema: pa.Schema
    consumers: list[Pipeline] = field(default_factory=list)
    subscribers: list[Subscription] = field(default_factory=list)
    view: ViewStore | None = None
    wm: int = INT64_MIN
    ended: bool = False
    rows: int = 0
    producer: Pipeline | None = None
    inputs: list[str] = field(default_factory=list)


@dataclass
class Source:
    spec: SourceSpec
    relation: Relation
    batches: int = 0


class Engine:
    def __init__(self) -> None:
        self.sources: dict[str, Source] = {}
        self.streams: dict[str, StreamSpec] = {}
        self.relations: dict[str, Relation] = {}
        self.ones = OnesBuffer()
        self.lock = threading.RLock()
        self.closed = False

    # -- definitions -------------------------------------------------------------------------
    def add_source(self, spec: SourceSpec) -> None:
        with self.lock:
            self._check_open()
            rel = Relation(spec.name, schema_of(spec.columns))
            self.relations[spec.name] = rel
            self.sources[spec.name] = Source(spec, rel)

    def add_stream(self, spec: StreamSpec, addresses: dict[str, int]) -> None:
        with self.lock:
            self._check_open()
            pipelines = [Pipeline(p, addresses) for p in spec.pipelines]
            for p in pipelines:
                src = self.relations[p.spec.input]
                rel = self.relations.get(p.spec.produces)
                if rel is None:
                    rel = Relation(p.spec.produces, p.output.schema, inputs=[p.spec.input])
                    self.relations[p.spec.produces] = rel
                rel.producer = p
                src.consumers.append(p)
                # A pipeline over a relation that already has a watermark starts from it.
                if not p.spec.from_source:
                    p.pipe.wm = _offset(src.wm, p.spec.watermark_offset)
                elif src.wm != INT64_MIN:
                    p.pipe.wm = src.wm
                if src.ended:
                    raise StateError(f"'{p.spec.input}' has ended; nothing more can read it")
            final = self.relations[spec.name]
            if spec.materialized:
                final.view = ViewStore(schema_of(spec.columns), spec.changelog)
            self.streams[spec.name] = spec

    def drop(self, name: str) -> None:
        with self.lock:
            if name in self.sources:
                rel = self.relations.pop(name)
                del self.sources[name]
                for sub in rel.subscribers:
                    sub._end()
                return
            spec = self.streams.pop(name)
            for p in spec.pipelines:
                rel = self.relations.get(p.input)
                if rel is not None:
                    rel.consumers = [c for c in rel.consumers if c.spec is not p]
                produced = self.relations.pop(p.produces, None)
                if produced is not None:
                    for sub in produced.subscribers:
                        sub._end()

    # -- data --------------------------------------------------------------------------------
    def insert(self, source: str, data: object) -> int:
        with self.lock:
            self._check_open()
            src = self._source(source)
            if src.relation.ended:
                raise StateError(f"source '{source}' has ended (end_input was called)")
            # SchemaError before anything runs
            batches = conform(data, src.spec.columns, source, src.relation.schema)
            total = 0
            for batch in batches:
                src.batches += 1
                src.relation.rows += batch.num_rows
                total += batch.num_rows
                desc = Descriptors(batch, self.ones)
                for p in list(src.relation.consumers):
                    for out in p.run(desc):
                        self._deliver(p.spec.produces, out)
                    self._propagate(p.spec.produces, p.wm)
                self._source_watermark(src, batch)
            return total

    def watermark(self, source: str, value: int) -> None:
        """Advance a source's watermark explicitly (in units of its time column)."""
        with self.lock:
            self._check_open()
            src = self._source(source)
            if src.relation.ended:
                return
            if value > src.relation.wm:
                src.relation.wm = value
            for p in list(src.relation.consumers):
                for out in p.advance(value):
                    self._deliver(p.spec.produces, out)
                self._propagate(p.spec.produces, p.wm)

    def end_input(self, source: str) -> None:
        with self.lock:
            self._check_open()
            src = self._source(source)
            if src.relation.ended:
                return
            self.watermark(source, INT64_MAX)
            src.relation.ended = True
            self._mark_ended(src.relation)

    def subscribe(self, stream: str) -> Subscription:
        with self.lock:
            self._check_open()
            if stream not in self.streams:
                if stream in self.sources:
                    raise StateError(f"'{stream}' is a source; subscribe to a stream")
                raise StateError(f"unknown stream '{stream}'")
            rel = self.relations[stream]
            sub = Subscription(stream, rel.schema, on_close=self._unsubscribe)
            if rel.ended:
                sub._end()
            rel.subscribers.append(sub)
            return sub

    def snapshot(self, view: str) -> pa.Table:
        with self.lock:
            rel = self.relations.get(view)
            if rel is None or rel.view is None:
                raise StateError(f"'{view}' is not a materialized view")
            return rel.view.snapshot()

    # -- internals ---------------------------------------------------------------------------
    def _source(self, name: str) -> Source:
        src = self.sources.get(name)
        if src is None:
            hint = " (it is a stream)" if name in self.streams else ""
            raise StateError(f"unknown source '{name}'{hint}")
        return src

    def _source_watermark(self, src: Source, batch: pa.RecordBatch) -> None:
        t = src.spec.time_column
        if t is None:
            return
        # Any pipeline over the source computed it per row; without one, compute it here.
        for p in src.relation.consumers:
            if p.spec.from_source:
                src.relation.wm = max(src.relation.wm, p.wm)
                return
        col = batch.column(t)
        mx = pa.compute.max(col.cast(pa.int64()) if not pa.types.is_integer(col.type) else col)
        if mx.is_valid:
            src.relation.wm = max(src.relation.wm, mx.as_py() - src.spec.watermark_delay)

    def _deliver(self, relation: str, batch: pa.RecordBatch) -> None:
        rel = self.relations[relation]
        rel.rows += batch.num_rows
        for s in rel.subscribers:
            s._push(batch)
        if rel.view is not None:
            rel.view.append(batch)
        if not rel.consumers:
            return
        desc = Descriptors(batch, self.ones)
        for p in list(rel.consumers):
            for out in p.run(desc):
                self._deliver(p.spec.produces, out)

    def _propagate(self, relation: str, wm: int) -> None:
        rel = self.relations[relation]
        if wm <= rel.wm:
            return
        rel.wm = wm
        for p in list(rel.consumers):
            for out in p.advance(_offset(wm, p.spec.watermark_offset)):
                self._deliver(p.spec.produces, out)
            self._propagate(p.spec.produces, p.wm)

    def _mark_ended(self, rel: Relation) -> None:
        rel.ended = True
        for s in rel.subscribers:
            s._end()
        for p in rel.consumers:
            out_rel = self.relations.get(p.spec.produces)
            if out_rel is not None and not out_rel.ended and all(
                    self.relations[i].ended for i in out_rel.inputs if i in self.relations):
                self._mark_ended(out_rel)

    def _unsubscribe(self, sub: Subscription) -> None:
        with self.lock:
            rel = self.relations.get(sub.stream)
            if rel is not None and sub in rel.subscribers:
                rel.subscribers.remove(sub)

    def _check_open(self) -> None:
        if self.closed:
            raise StateError("the database is closed")

    # -- metrics -----------------------------------------------------------------------------
    def metrics(self) -> dict:
        with self.lock:
            sources = {}
            for name, s in self.sources.items():
                late = sum(p.pipe.ctx.late_rows for p in s.relation.consumers)
                sources[name] = {
                    "rows": s.relation.rows, "batches": s.batches,
                    "watermark": None if s.relation.wm == INT64_MIN else s.relation.wm,
                    "late_rows": late, "ended": s.relation.ended,
                }
            streams = {}
            for name, spec in self.streams.items():
                pipes = [self.relations[p.produces].producer for p in spec.pipelines
                         if p.produces in self.relations]
                pm = [p.metrics() for p in pipes if p is not None]
                rel = self.relations[name]
                streams[name] = {
                    "rows_out": rel.rows,
                    "late_rows": sum(m["late_rows"] for m in pm),
                    "expression_errors": sum(m["errors"] for m in pm),
                    "groups": sum(m.get("groups", 0) for m in pm),
                    "open_windows": sum(m.get("open_windows", 0) for m in pm),
                    "watermark": None if rel.wm == INT64_MIN else rel.wm,
                    "subscribers": len(rel.subscribers),
                }
            return {
                "rows_in": sum(s["rows"] for s in sources.values()),
                "rows_out": sum(s["rows_out"] for s in streams.values()),
                "late_rows": sum(s["late_rows"] for s in sources.values()),
                "expression_errors": sum(s["expression_errors"] for s in streams.values()),
                "sources": sources,
                "streams": streams,
                "native_bytes": lib.lc_bytes_live(),
            }

    def close(self) -> None:
        with self.lock:
            if self.closed:
                return
            self.closed = True
            for rel in self.relations.values():
                for s in rel.subscribers:
                    s._end()
            self.relations.clear()
            self.sources.clear()
            self.streams.clear()


def _offset(wm: int, offset: int) -> int:
    """wm + offset without leaving int64 (the extremes mean 'nothing' and 'everything')."""
    if wm in (INT64_MIN, INT64_MAX):
        return wm
    return max(INT64_MIN + 1, min(INT64_MAX - 1, wm + offset))
