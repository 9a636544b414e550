"""The engine: runs compiled streams over inserted data. It knows nothing of SQL; it gets
source and stream descriptions (runtime/program.py) and function addresses.

Data flow per inserted batch of a source: every pipeline reading the source runs its fused
loop over the batch (watermarks advance per row inside it); an aggregate then emits what its
watermark closed; emitted batches go to the stream's subscribers, its view, and the pipelines
reading it; finally their watermarks follow (an emitted row is never late downstream because
rows go before the watermark that closed them).
"""

from __future__ import annotations

import collections
import contextlib
import os
import threading
import weakref
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from .arrow import (
    Descriptors,
    ExportedSchema,
    OnesBuffer,
    check_not_null,
    describe,
    not_null_mask,
    schema_of,
)
from .errors import ExecutionError, LaminarError, StateError
from .native import INT64_MAX, INT64_MIN, check, ffi, lib
from .pipelines import Pipeline, ShardedPipeline, processing_time
from .program import SourceSpec, StreamSpec
from .subscription import Subscription
from .views import ViewStore


@dataclass
class Relation:
    """A named flow of batches: a source, a stream, or a relation internal to a stream."""

    name: str
    schema: pa.Schema
    readers: list[Pipeline] = field(default_factory=list)     # every pipeline reading it
    consumers: list[Pipeline] = field(default_factory=list)   # those that run (Engine._rewire)
    subscribers: list[Subscription] = field(default_factory=list)
    view: ViewStore | None = None
    wm: int = INT64_MIN
    ended: bool = False
    rows: int = 0
    producer: Pipeline | None = None
    inputs: list[str] = field(default_factory=list)
    # every consumer a pre-aggregated sharded pipeline: its chunks take the engine's shortest
    # path (set with the consumers, which change only with nothing in flight)
    preaggregated: bool = False
    # every consumer a sharded pipeline split by ranges: a small chunk with nothing in flight
    # runs in the calling thread (Engine._run_here)
    ranges: bool = False

    def set_consumers(self, consumers: list) -> None:
        self.consumers = consumers
        modes = {getattr(c, "mode", None) for c in consumers}
        self.preaggregated = modes == {"blocks"}
        self.ranges = modes == {"ranges"}


@dataclass
class Source:
    spec: SourceSpec
    relation: Relation
    batches: int = 0

    def __post_init__(self) -> None:
        # inputs whose types match these exactly skip conversion (nullability is checked)
        self.input_types = ExportedSchema(self.relation.schema)
        self.not_null = not_null_mask(self.spec.columns)


class Engine:
    """Runs compiled streams. `workers` > 1 runs each pipeline over a source as one shard per
    worker thread (pinned to the CPUs this process may use); pipelines over streams run in the
    calling thread.

    With workers, `insert` returns once its chunks are handed over (it blocks when `depth`
    chunks are already in flight); their results are delivered, in order, before anything can
    observe them: every other call (poll, query, metrics, watermark, end_input, ...) first
    collects what is in flight. Behaviour, and every result, is the same for any number of
    workers; only the time at which work happens differs."""

    def __init__(self, workers: int = 1, pin: bool = True, chunk_rows: int = 65_536,
                 depth: int = 16, inline_rows: int = 8192) -> None:
        self.sources: dict[str, Source] = {}
        self.streams: dict[str, StreamSpec] = {}
        self.relations: dict[str, Relation] = {}
        self.ones = OnesBuffer()
        self.lock = threading.RLock()
        self.closed = False
        self.failed: str | None = None
        self.workers = max(1, int(workers))
        self.chunk_rows = chunk_rows
        self._depth = depth
        self.inline_rows = inline_rows
        self.pool = None
        self.inflight: collections.deque = collections.deque()
        self.deferred: list = []   # the newest chunk's consuming tasks, not handed over yet
        self.proctime: list = []   # pipelines with windows over processing time
        self.cpus: list[int] = []
        # big blocks the runtime frees are kept for reuse while a database is open
        # (lc_malloc); a database never closed stops counting once it is collected
        lib.lc_keep_freed(1)
        self._keeping = weakref.finalize(self, lib.lc_keep_freed, -1)
        if self.workers > 1:
            allowed = sorted(os.sched_getaffinity(0))
            self.cpus = [allowed[i % len(allowed)] for i in range(self.workers)]
            pool = lib.lc_pool_new(self.workers, ffi.new("int32_t[]", self.cpus), int(pin))
            if pool == ffi.NULL:
                raise ExecutionError(f"laminarc: could not start {self.workers} worker threads"
                                     " (the system's limit on threads or memory)")
            self.pool = pool

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
            self.flush()
            pipelines = []
            for p in spec.pipelines:
                if p.from_source and self.pool is not None:
                    pipelines.append(ShardedPipeline(p, addresses, self.pool, self.workers,
                                                     self.depth, self.chunk_rows))
                else:
                    pipelines.append(Pipeline(p, addresses))
            for p in pipelines:
                src = self.relations[p.spec.input]
                if src.ended:
                    raise StateError(f"'{p.spec.input}' has ended; nothing more can read it")
                rel = self.relations.get(p.spec.produces)
                if rel is None:
                    rel = Relation(p.spec.produces, p.schema, inputs=[p.spec.input])
                    self.relations[p.spec.produces] = rel
                rel.producer = p
                src.readers = [*src.readers, p]
                if p.spec.proctime:
                    self.proctime.append(p)
            final = self.relations[spec.name]
            if spec.materialized:
                final.view = ViewStore(final.schema, spec.changelog)
            self.streams[spec.name] = spec
            self._rewire()

    def _rewire(self) -> None:
        """Which pipelines run (each relation's `consumers`), with nothing in flight. One with
        state (an aggregate, or windows over processing time) always runs: what it emits
        later depends on every row. One without runs only while its output is read (by a
        subscriber, a view, or a pipeline that runs): subscribers see the rows emitted after
        they subscribe, so a stateless stream nobody reads would make rows for no one (a named
        step that the streams reading it inlined, as Nexmark q12's `b`). A pipeline that
        starts, or starts again, starts from its input's watermark then."""
        runs: dict[int, bool] = {}

        def needed(p) -> bool:
            if id(p) not in runs:
                out = self.relations.get(p.spec.produces)
                runs[id(p)] = (p.spec.aggregate is not None or p.spec.proctime or out is None
                               or bool(out.subscribers) or out.view is not None
                               or any(needed(c) for c in out.readers))
            return runs[id(p)]

        # (relations were added after their inputs: a pipeline starting below one that starts
        # takes the watermark that one brings)
        for rel in self.relations.values():
            active = [p for p in rel.readers if needed(p)]
            for p in active:
                if p in rel.consumers or p.spec.proctime:
                    continue   # (over processing time: its watermark is the clock)
                if not p.spec.from_source:
                    p.set_wm(_offset(rel.wm, p.spec.watermark_offset))
                elif rel.wm != INT64_MIN:
                    p.set_wm(rel.wm)
                out = self.relations.get(p.spec.produces)
                if out is not None and p.spec.aggregate is None and p.wm > out.wm:
                    out.wm = p.wm
            if active != rel.consumers:
                rel.set_consumers(active)

    def drop(self, name: str) -> None:
        with self.lock:
            self.flush()
            if name in self.sources:
                rel = self.relations.pop(name)
                del self.sources[name]
                for sub in rel.subscribers:
                    sub._end()
                return
            spec = self.streams.pop(name)
            self.proctime = [c for c in self.proctime if c.spec not in spec.pipelines]
            for p in spec.pipelines:
                rel = self.relations.get(p.input)
                if rel is not None:
                    rel.readers = [c for c in rel.readers if c.spec is not p]
                produced = self.relations.pop(p.produces, None)
                if produced is not None:
                    for sub in produced.subscribers:
                        sub._end()
            self._rewire()

    @property
    def depth(self) -> int:
        """Chunks in flight at most. Fixed at construction: sharded pipelines keep depth + 2
        task slots each, and a slot reused while its chunk is in flight would never finish."""
        return self._depth

    # -- data --------------------------------------------------------------------------------
    def insert(self, source: str, data: object) -> int:
        # (the inserting thread's path, W1's 153 times a run: every call it makes here costs
        # the workers, as it shares their CPUs)
        with self.lock:
            if self.closed or self.failed:
                self._check_open()
            src = self.sources.get(source) or self._source(source)
            if src.relation.ended:
                raise StateError(f"source '{source}' has ended (end_input was called)")
            # SchemaError before anything runs
            descs = describe(data, src.spec.columns, source, src.input_types, self.ones)
            rows = 0
            for d in descs:
                if d.null_mask & src.not_null:   # a column that must not hold NULL may
                    check_not_null(d, src.spec.columns, src.not_null, source)
                rows += d.n
            self._guard(self._run_batches, src, descs)   # (one guard for all the batches)
            if self.proctime and not self.inflight:
                self._guard(self._tick)
            return rows

    def _run_batches(self, src: Source, descs: list[Descriptors]) -> None:
        rel = src.relation
        for desc in descs:
            src.batches += 1
            seq_base = rel.rows
            rel.rows += desc.n
            # (consumers change only by replacing the list: iterating it is safe)
            consumers = rel.consumers
            if self.pool is not None and consumers:
                self._run_sharded(src, desc, seq_base, consumers)
                continue
            # In this thread (the insert's shortest path: each step here costs its latency)
            for p in consumers:
                for out in p.run(desc, seq_base):
                    self._deliver(p.spec.produces, out)
                self._propagate(p.spec.produces, p.pipe.wm)
            if src.spec.time_column is not None:
                # the pipelines over the source computed it per row; without one, here
                wm = consumers[0].pipe.wm if consumers else self._chunk_watermark(src,
                                                                                  desc.batch)
                if wm > rel.wm:
                    rel.wm = wm

    def _hand_over_blocks(self, src: Source, desc: Descriptors, seq_base: int) -> None:
        """A chunk of a source whose pipelines are all pre-aggregated: each starts it and
        hands it over in one native call; nothing is deferred to the next chunk."""
        if self.deferred:
            self._submit_deferred()
        wm = src.relation.wm
        epoch = []
        for p in src.relation.consumers:
            epoch.append((p, p.start_blocks(desc, seq_base, wm, self.pool)))
        self._in_flight((epoch, [desc], src, desc.batch))

    def _run_sharded(self, src: Source, batch_desc: Descriptors, seq_base: int,
                     consumers: list) -> None:
        """Cut the batch into chunks and hand them to the workers; results are collected
        (in order) when too many chunks are in flight, or before anything observes them. A
        chunk's consuming tasks are handed over with the next chunk, after its partitioning
        (see lc_runtime.h, exchanges), or when the chunk is collected."""
        batch = batch_desc.batch
        n = batch.num_rows
        if n <= self.inline_rows and not self.inflight and src.relation.ranges:
            self._run_here(src, batch_desc, seq_base, consumers)
            return
        blocks = src.relation.preaggregated
        for lo in range(0, n, self.chunk_rows):
            # (a chunk of a larger batch: the batch's descriptors at the chunk's rows)
            desc = batch_desc if n <= self.chunk_rows else batch_desc.rows(
                lo, min(self.chunk_rows, n - lo))
            chunk = desc.batch
            keep: list = [desc]
            if blocks and (self.inflight or chunk.num_rows > self.inline_rows):
                self._hand_over_blocks(src, desc, seq_base + lo)
                continue
            last = lo + self.chunk_rows >= n
            epoch, now, later = [], [], []
            for p in consumers:
                first, results = p.prepare_run(desc, seq_base + lo, src.relation.wm, keep, last)
                epoch.append((p, results))
                now += first
                (later if first else now).extend(results)
            if chunk.num_rows <= self.inline_rows and not self.inflight:
                # Small and nothing in flight: the idle workers' shards run right here.
                tasks = now + later
                lib.lc_run_tasks_inline(ffi.new("lc_task*[]", tasks), len(tasks))
                self._collect_chunk(epoch, keep, src, chunk)
                continue
            self._submit(now + self.deferred)
            self.deferred = later
            self._in_flight((epoch, keep, src, chunk))

    def _in_flight(self, entry: tuple) -> None:
        """A chunk handed over; past `depth` in flight, collect in a burst, down to half,
        after one wait for the chunk after the burst: the workers finish their chunks in
        order, and merge a chunk's closed windows before they finish a later one, so the
        burst then needs no more sleeps."""
        self.inflight.append(entry)
        if len(self.inflight) > self._depth:
            keep_n = self._depth // 2
            self._await(self.inflight[len(self.inflight) - keep_n])
            self._collect_oldest(len(self.inflight) - keep_n)

    def _run_here(self, src: Source, desc: Descriptors, seq_base: int,
                  consumers: list) -> None:
        """A small batch for pipelines split by ranges, with nothing in flight: run in this
        thread on their first shards (handing it over would cost more than it saves), with
        the watermark and delivery _collect_chunk would give it."""
        results = [(p, p.run_here(desc, seq_base, src.relation.wm)) for p in consumers]
        if src.spec.time_column is not None:
            src.relation.wm = max(src.relation.wm, consumers[0].pipes[0].wm)
        wm = src.relation.wm
        for p, outs in results:
            if not p.spec.proctime:
                p.set_wm(wm)
            for out in outs:
                self._deliver(p.spec.produces, out)
            self._propagate(p.spec.produces, p.wm if p.spec.proctime else wm)

    def flush(self) -> None:
        """Deliver everything in flight (in order), and what the clock closed; raises the
        first native failure."""
        with self.lock:
            self._guard(self._flush)
            if self.proctime:
                self._guard(self._tick)

    def _tick(self) -> None:
        """Windows over processing time: their watermark is the clock (see PROCTIME())."""
        now = processing_time()
        for p in list(self.proctime):
            if now <= p.wm or self.relations[p.spec.input].ended:
                continue
            self._advance_pipeline(p, now)
            self._propagate(p.spec.produces, p.wm)

    def _advance_pipeline(self, p, wm: int) -> None:
        if not p.sharded:
            for out in p.advance(wm):
                self._deliver(p.spec.produces, out)
            return
        keep: list = []
        epoch = [(p, p.prepare_advance(wm, keep))]
        self._run_advance(epoch)
        self._collect(epoch, keep, p.wm)

    def _flush(self) -> None:
        try:
            if self.inflight:   # one sleep for them all (see _run_sharded's bursts)
                self._submit_deferred()
                self._await(self.inflight[-1])
            self._collect_oldest(len(self.inflight))
        finally:
            # on an error, wait for what is still running before its buffers go away
            self._submit_deferred()
            while self.inflight:
                _abandon(self.inflight.popleft()[0])

    def _submit_deferred(self) -> None:
        if self.deferred:
            tasks, self.deferred = self.deferred, []
            self._submit(tasks)

    def _chunk_watermark(self, src: Source, chunk: pa.RecordBatch) -> int:
        t = src.spec.time_column
        if t is None or chunk.num_rows == 0:
            return src.relation.wm
        mx = pc.max(chunk.column(t).cast(pa.int64()))
        if not mx.is_valid:
            return src.relation.wm
        v = mx.as_py() - src.spec.watermark_delay
        return max(src.relation.wm, max(v, INT64_MIN + 1))

    def _submit(self, tasks: list) -> None:
        """Hand the tasks over: each worker's, in order, as one chain."""
        if tasks:
            check(lib.lc_pool_submit_all(self.pool, ffi.new("lc_task*[]", tasks), len(tasks)),
                  "handing tasks to the workers")

    def _await(self, entry: tuple) -> None:
        """Wait for an in-flight chunk's tasks (all handed over: not the newest, or no tasks
        are deferred)."""
        for _, tasks in entry[0]:
            for t in tasks:
                lib.lc_pool_wait(self.pool, t)

    def _collect_chunk(self, epoch: list, keep: list, src: Source, chunk: pa.RecordBatch) -> None:
        """Deliver a chunk's results, then advance the watermarks it reached."""
        if not self.inflight:   # the newest chunk: its consuming tasks may still wait here
            self._submit_deferred()
        if src.relation.preaggregated:
            self._collect_blocks([(epoch, keep, src, chunk)])
            return
        if src.spec.time_column is not None and epoch:
            p, tasks = epoch[0]   # every pipeline over the source saw the same rows
            src.relation.wm = max(src.relation.wm, p.chunk_watermark(tasks))
        for p, _ in epoch:
            if not p.spec.proctime:
                p.set_wm(src.relation.wm)
        self._collect(epoch, keep, src.relation.wm)

    def _collect(self, epoch: list, keep: list, wm: int) -> None:
        collected = 0
        try:
            for p, tasks in epoch:
                collected += 1
                for out in p.collect(tasks):
                    self._deliver(p.spec.produces, out)
                self._propagate(p.spec.produces, p.wm if p.spec.proctime else wm)
        except BaseException:
            _abandon(epoch[collected:])
            raise
        del keep

    def _collect_oldest(self, n: int) -> None:
        """Collect the n oldest chunks in flight, in order; consecutive chunks of a source whose
        pipelines are all pre-aggregated together (_collect_blocks)."""
        inflight = self.inflight
        while n > 0:
            src = inflight[0][2]
            if not src.relation.preaggregated:
                self._collect_chunk(*inflight.popleft())
                n -= 1
                continue
            run = 1
            while run < n and inflight[run][2] is src:
                run += 1
            self._collect_blocks([inflight.popleft() for _ in range(run)])
            n -= run

    def _collect_blocks(self, entries: list) -> None:
        """_collect_chunk of chunks of one source whose pipelines are all pre-aggregated
        (in-flight entries, oldest first): each pipeline collects them in one native call
        (collect_blocks: the waits, merges and watermarks), then they are delivered chunk by
        chunk, each chunk's pipelines all collected before the source's watermark moves and
        anything is delivered, as _collect_chunk orders it."""
        epoch, _, src, _ = entries[0]   # (every entry has the source's pipelines, in order)
        collected = []
        upto, failure = len(entries), None
        try:
            for i, (p, _) in enumerate(epoch):
                status, wms, batches = p.collect_blocks([e[0][i][1] for e in entries])
                collected.append((wms, batches))
                if status and len(wms) - 1 < upto:
                    upto, failure = len(wms) - 1, (status, p.spec.produces)
        except BaseException:
            for e in entries:
                _abandon(e[0])
            raise
        if failure is not None:
            for e in entries[upto:]:
                _abandon(e[0])
        rel = src.relation
        timed = src.spec.time_column is not None
        for j in range(upto):
            if timed:
                rel.wm = max(rel.wm, collected[0][0][j])
            wm = rel.wm
            for (p, _), (_, batches) in zip(epoch, collected, strict=True):
                if not p.spec.proctime:
                    p.set_wm(wm)
                if batches[j] is not None:
                    self._deliver(p.spec.produces, batches[j])
                self._propagate(p.spec.produces, p.wm if p.spec.proctime else wm)
        if failure is not None:
            check(*failure)

    def watermark(self, source: str, value: int) -> None:
        """Advance a source's watermark explicitly (in units of its time column)."""
        with self.lock:
            self._check_open()
            self.flush()
            src = self._source(source)
            if src.relation.ended:
                return
            self._guard(self._advance_source, src, value)

    def _advance_source(self, src: Source, value: int) -> None:
        if value > src.relation.wm:
            src.relation.wm = value
        consumers = list(src.relation.consumers)
        if self.pool is None:
            for p in consumers:
                if p.spec.proctime and value != INT64_MAX:
                    continue   # its watermark is the clock
                for out in p.advance(value):
                    self._deliver(p.spec.produces, out)
                self._propagate(p.spec.produces, p.wm)
            return
        keep: list = []
        consumers = [p for p in consumers if value == INT64_MAX or not p.spec.proctime]
        epoch = [(p, p.prepare_advance(value, keep)) for p in consumers]
        self._run_advance(epoch)
        self._collect(epoch, keep, max(value, src.relation.wm))

    def _run_advance(self, epoch: list) -> None:
        """A watermark's tasks (nothing is in flight). Pre-aggregated pipelines' run here:
        each detaches its closed windows and the last merges them, which is one thread's work
        anyway, and the workers' wake-ups would cost more (two round trips at W1's end). Other
        pipelines emit their shards' windows on the workers, in parallel."""
        here = [t for p, tasks in epoch if p.mode == "blocks" for t in tasks]
        if here:
            lib.lc_run_tasks_inline(ffi.new("lc_task*[]", here), len(here))
        self._submit([t for p, tasks in epoch if p.mode != "blocks" for t in tasks])

    def end_input(self, source: str) -> None:
        with self.lock:
            self._check_open()
            self.flush()
            src = self._source(source)
            if src.relation.ended:
                return
            self._guard(self._advance_source, src, INT64_MAX)
            src.relation.ended = True
            self._mark_ended(src.relation)

    def _guard(self, fn, *args) -> None:
        """Run fn; a native failure (ExecutionError, or MemoryError, raised as an
        ExecutionError) stops the workers and leaves the engine failed."""
        try:
            fn(*args)
        except MemoryError as e:
            self._fail(str(e))
            raise ExecutionError(str(e)) from e
        except ExecutionError as e:
            self._fail(str(e))
            raise

    def _fail(self, why: str) -> None:
        self.failed = why
        if self.pool is not None:
            lib.lc_pool_stop(self.pool)   # runs what was handed over, then stops
            self.pool = None
            # What was in flight is dropped; pre-aggregated chunks first give their partial
            # tables back (no worker will merge them now).
            for epoch, *_ in self.inflight:
                for p, tasks in epoch:
                    p.settle(tasks)
            self.inflight.clear()

    def subscribe(self, stream: str) -> Subscription:
        with self.lock:
            self._check_open()
            self.flush()
            if stream not in self.streams:
                if stream in self.sources:
                    raise StateError(f"'{stream}' is a source; subscribe to a stream")
                raise StateError(f"unknown stream '{stream}'")
            rel = self.relations[stream]
            sub = Subscription(stream, rel.schema, on_close=self._unsubscribe,
                               pump=self._pump)
            if rel.ended:
                sub._end()
            rel.subscribers.append(sub)
            self._rewire()
            return sub

    def snapshot(self, view: str) -> pa.Table:
        with self.lock:
            self.flush()
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
            for out in p.run(desc, rel.rows - batch.num_rows):
                self._deliver(p.spec.produces, out)

    def _propagate(self, relation: str, wm: int) -> None:
        rel = self.relations[relation]
        if wm <= rel.wm:
            return
        rel.wm = wm
        for p in list(rel.consumers):
            if p.spec.proctime and wm != INT64_MAX:
                continue   # its watermark is the clock (Engine._tick), or the end of input
            for out in p.advance(_offset(wm, p.spec.watermark_offset)):
                self._deliver(p.spec.produces, out)
            self._propagate(p.spec.produces, p.wm)

    def _mark_ended(self, rel: Relation) -> None:
        rel.ended = True
        for s in rel.subscribers:
            s._end()
        for p in rel.readers:
            out_rel = self.relations.get(p.spec.produces)
            if out_rel is not None and not out_rel.ended and all(
                    self.relations[i].ended for i in out_rel.inputs if i in self.relations):
                self._mark_ended(out_rel)

    def _pump(self) -> None:
        """Subscriptions call this before reading: results in flight become visible."""
        with self.lock:
            if (self.inflight or self.proctime) and not self.closed and not self.failed:
                self.flush()

    def _unsubscribe(self, sub: Subscription) -> None:
        with self.lock:
            rel = self.relations.get(sub.stream)
            if rel is not None and sub in rel.subscribers:
                if not self.closed and not self.failed:
                    # what is in flight was run for it: delivered first (a failure leaves the
                    # engine failed, and the next call that observes anything reports it)
                    with contextlib.suppress(LaminarError):
                        self.flush()
                rel.subscribers.remove(sub)
                if not self.closed and not self.failed:
                    self._rewire()

    def _check_open(self) -> None:
        if self.closed:
            raise StateError("the database is closed")
        if self.failed:
            raise StateError(f"the database failed earlier ({self.failed}); open a new one")

    # -- metrics -----------------------------------------------------------------------------
    def metrics(self) -> dict:
        with self.lock:
            if not self.closed and not self.failed:
                self.flush()
            cache: dict[int, dict] = {}   # a source's pipelines are also streams' producers

            def metrics_of(p) -> dict:
                if id(p) not in cache:
                    cache[id(p)] = p.metrics()
                return cache[id(p)]

            sources = {}
            for name, s in self.sources.items():
                late = sum(metrics_of(p)["late_rows"] for p in s.relation.readers)
                sources[name] = {
                    "rows": s.relation.rows, "batches": s.batches,
                    "watermark": None if s.relation.wm == INT64_MIN else s.relation.wm,
                    "late_rows": late, "ended": s.relation.ended,
                }
            streams = {}
            for name, spec in self.streams.items():
                pipes = [self.relations[p.produces].producer for p in spec.pipelines
                         if p.produces in self.relations]
                pm = [metrics_of(p) for p in pipes if p is not None]
                rel = self.relations[name]
                streams[name] = {
                    "rows_out": rel.rows,
                    "late_rows": sum(m["late_rows"] for m in pm),
                    "expression_errors": sum(m["errors"] for m in pm),
                    "groups": sum(m.get("groups", 0) for m in pm),
                    "open_windows": sum(m.get("open_windows", 0) for m in pm),
                    # a pre-aggregated TUMBLE or sliced HOP routed by key: from which
                    # window on (else None)
                    "routed_from_window": next((m["routed_from_window"] for m in pm
                                                if m.get("routed_from_window") is not None),
                                               None),
                    # a TUMBLE over its source's event time dealing whole windows to
                    # workers now: from which window on (else None)
                    "dealt_from_window": next((m["dealt_from_window"] for m in pm
                                               if m.get("dealt_from_window") is not None),
                                              None),
                    "watermark": None if rel.wm == INT64_MIN else rel.wm,
                    "subscribers": len(rel.subscribers),
                    # a stream without state runs only while read (Engine._rewire): its
                    # figures are of the time it ran
                    "running": any(rel.producer in self.relations[i].consumers
                                   for i in rel.inputs if i in self.relations),
                }
            workers = []
            if self.pool is not None:
                shards = [p for s in self.sources.values() for p in s.relation.readers
                          if p.sharded]
                for w in range(self.workers):
                    entry = {"cpu": self.cpus[w],
                             "busy_seconds": lib.lc_pool_busy_ns(self.pool, w) / 1e9,
                             **_thread_times(lib.lc_pool_tid(self.pool, w))}
                    # where a worker's time went in keyed exchanges and pre-aggregation
                    # (see lc_pipe.ns_*)
                    for phase in ("partition", "wait", "select", "run"):
                        ns = sum(getattr(p.pipes[w], "ns_" + phase) for p in shards
                                 if p.mode != "ranges")
                        entry[phase + "_seconds"] = ns / 1e9
                    workers.append(entry)
            return {
                "rows_in": sum(s["rows"] for s in sources.values()),
                "rows_out": sum(s["rows_out"] for s in streams.values()),
                "late_rows": sum(s["late_rows"] for s in sources.values()),
                "expression_errors": sum(s["expression_errors"] for s in streams.values()),
                "sources": sources,
                "streams": streams,
                "workers": workers,
                "native_bytes": lib.lc_bytes_live(),
            }

    def close(self) -> None:
        with self.lock:
            if self.closed:
                return
            if not self.failed:
                # closing anyway; a failure was reported to whoever caused it
                with contextlib.suppress(LaminarError):
                    self.flush()
            self.closed = True
            for rel in self.relations.values():
                for s in rel.subscribers:
                    s._cut_off()
            self.relations.clear()
            self.sources.clear()
            self.streams.clear()
            if self.pool is not None:
                lib.lc_pool_stop(self.pool)
                self.pool = None
            self._keeping()


def _thread_times(tid: int) -> dict:
    """A worker thread's time on its CPU and waiting for it (runnable while another thread
    ran there: on a machine with as many workers as CPUs, the inserting thread's), from the
    kernel's scheduler statistics; None where the kernel does not keep them."""
    try:
        with open(f"/proc/self/task/{tid}/schedstat") as f:
            on_cpu, queued = f.read().split()[:2]
    except (OSError, ValueError):
        return {"on_cpu_seconds": None, "queued_seconds": None}
    return {"on_cpu_seconds": int(on_cpu) / 1e9, "queued_seconds": int(queued) / 1e9}


def _abandon(epoch: list) -> None:
    """Wait for an epoch's tasks and free their outputs (after an error elsewhere)."""
    for p, tasks in epoch:
        p.discard(tasks)


def _offset(wm: int, offset: int) -> int:
    """wm + offset without leaving int64 (the extremes mean 'nothing' and 'everything')."""
    if wm in (INT64_MIN, INT64_MAX):
        return wm
    return max(INT64_MIN + 1, min(INT64_MAX - 1, wm + offset))
