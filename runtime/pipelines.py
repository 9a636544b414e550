"""Compiled pipelines bound to native state: run inline, or sharded across workers.

`Pipeline` runs its loop in the calling thread. `ShardedPipeline` owns one shard (an lc_pipe
and its aggregate state) per worker, in one of three modes:
- "keyed": rows are routed by the compiled partition kernel, so each worker sees only its
  groups;
- "blocks" (a window aggregate emitted when windows close): each worker aggregates its own
  blocks of rows, and the partial states of a window are merged when it closes (see LC_LANES
  in lc_runtime.h);
- "ranges" (no aggregate): a batch is split into row ranges.
Outputs come back per worker and are merged into exactly what one worker would emit: ranges in
order; keyed results (window rows and changelogs alike) by their hidden (`$wend`, `$seq`)
columns; pre-aggregated windows before they are emitted, in order of their groups' first rows.
"""

from __future__ import annotations

import os

import pyarrow as pa

from .arrow import Descriptors, OutputLayout
from .native import INT64_MAX, INT64_MIN, check, ffi, lib
from .program import AggregateSpec, PipelineSpec

# LC_TASK_*, LC_EMIT_*, LC_DEAL_ASK
TASK_RUN, TASK_ADVANCE, TASK_BLOCKS = 1, 2, 6
EMIT_NONE, EMIT_CLOSE, EMIT_CHANGES, EMIT_FINAL = 0, 1, 2, 3
DEAL_ASK = 2**31 - 1   # LC_DEAL_ASK: lc_combine_start's deal, chosen by the combine's dealer
# What a chunk's tasks emit per emit mode: a one-shot query ("final") emits nothing until the
# end of input, when its ADVANCE tasks emit everything (prepare_advance).
EMIT_CODES = {"window_close": EMIT_CLOSE, "changes": EMIT_CHANGES, "final": EMIT_NONE}
# Rows per block of a pre-aggregated pipeline (see LC_LANES): a float sum's result depends on
# it, never on the number of workers. Tests make it small to exercise merging.
BLOCK_ROWS = int(os.environ.get("LAMINARC_BLOCK_ROWS", "8192"))
# A pre-aggregated TUMBLE or sliced HOP is routed by key, its open windows (slices) re-dealt,
# once a worker's windows hold this many bytes of groups (see lc_combine.route_from). Tests
# make it small.
ROUTE_BYTES = int(os.environ.get("LAMINARC_ROUTE_BYTES", str(2 << 20)))


def processing_time() -> int:
    """The wall clock in epoch milliseconds, never going backwards within the process: what
    PROCTIME() gives the rows of a run, and the watermark of windows over it (the runtime's
    clock, which an insert's stateless run reads itself)."""
    return lib.lc_processing_time()


def _new_agg(a: AggregateSpec, addresses: dict[str, int]):
    sizes = ffi.new("int64_t[]", a.set_entry_sizes or [0])
    # A window's table starts small and doubles as its groups come: many windows may be open
    # at once (HOP: size / slide of them), each perhaps with few groups, and a closed window's
    # table is reused with the capacity it grew to.
    agg = lib.lc_agg_new(a.entry_size, len(a.set_entry_sizes), sizes, int(a.windowed), a.size,
                         a.slide, a.offset, 16 if a.windowed else 1024)
    if agg == ffi.NULL:
        raise MemoryError("laminarc: out of memory for an aggregate")
    emit_changes = ffi.cast("lc_emit_fn", addresses[a.emit_changes]) if a.emit_changes \
        else ffi.NULL
    lib.lc_agg_set_emitters(agg, ffi.cast("lc_emit_fn", addresses[a.emit_rows]), emit_changes)
    if a.merge:   # (a sliced HOP is pre-aggregated, so its fold is set here too)
        fold = ffi.cast("lc_merge_fn", addresses[a.fold]) if a.fold else ffi.NULL
        lib.lc_agg_set_merger(agg, ffi.cast("lc_merge_fn", addresses[a.merge]), fold,
                              a.seq_offset)
    if a.slice:
        lib.lc_agg_set_slices(agg, a.slice)
    agg.global_agg = int(a.global_agg)
    return ffi.gc(agg, lib.lc_agg_free)


def _new_pipe(dense: int, nulls: int, free: tuple[int, int] | None = None,
              window: tuple[int, int] | None = None):
    """An lc_pipe running the loops at these addresses; `free`: the branch-free variants
    (dense, nulls) of a stateless pipeline that has them (lc_pipe.free_dense); `window`: a
    dealable pipeline's loops over one window's rows (lc_pipe.win_dense)."""
    pipe = lib.lc_pipe_new()
    if pipe == ffi.NULL:
        raise MemoryError("laminarc: out of memory for a pipeline")
    pipe.run_dense = ffi.cast("lc_run_fn", dense)
    pipe.run_nulls = ffi.cast("lc_run_fn", nulls)
    if free is not None:
        pipe.free_dense = ffi.cast("lc_run_fn", free[0])
        pipe.free_nulls = ffi.cast("lc_run_fn", free[1])
    if window is not None:
        pipe.win_dense = ffi.cast("lc_run_fn", window[0])
        pipe.win_nulls = ffi.cast("lc_run_fn", window[1])
    return ffi.gc(pipe, lib.lc_pipe_free)


def _free_loops(spec: PipelineSpec, addresses: dict[str, int]) -> tuple[int, int] | None:
    if spec.run_free_dense is None:
        return None
    return addresses[spec.run_free_dense], addresses[spec.run_free_nulls]


def _window_loops(spec: PipelineSpec, addresses: dict[str, int]) -> tuple[int, int] | None:
    if spec.run_win_dense is None:
        return None
    return addresses[spec.run_win_dense], addresses[spec.run_win_nulls]


def run_stateless(pipe, spec: PipelineSpec, output: OutputLayout, desc: Descriptors,
                  seq_base: int, read_mask: int) -> list[pa.RecordBatch]:
    """Run a pipeline without an aggregate over a batch in the calling thread: the batch
    of rows its sink wrote (if any). One native call makes, fills and exports it."""
    n = desc.n
    rows = lib.lc_pipe_run_export(pipe, desc.cols, n, int(desc.null_mask & read_mask != 0),
                                  seq_base, n * spec.windows_per_row,
                                  output.n, output.widths, output.nullable, output.export)
    if rows > 0:
        return [pa.RecordBatch._import_from_c(output.export_address, output.schema)]
    check(-rows, spec.produces)
    return []


class Pipeline:
    """A compiled pipeline whose loop runs in the calling thread."""

    sharded = False

    def __init__(self, spec: PipelineSpec, addresses: dict[str, int]):
        self.spec = spec
        self.read_mask = sum(1 << c for c in set(spec.columns_read))   # see Descriptors
        self.pipe = _new_pipe(addresses[spec.run_dense], addresses[spec.run_nulls],
                              _free_loops(spec, addresses), _window_loops(spec, addresses))
        # (a dealable pipeline's blocks are run by window where they can: their event times)
        self.time_col = -1 if spec.run_win_dense is None else spec.time_column
        self.output = OutputLayout(spec.output)
        self.schema = _visible(self.output.schema, spec.hidden)
        self.agg = None
        if spec.aggregate is not None:
            self.agg = _new_agg(spec.aggregate, addresses)
            self.pipe.agg = self.agg
        self.rows_in = 0
        self.finished = False

    @property
    def wm(self) -> int:
        return self.pipe.wm

    def set_wm(self, wm: int) -> None:
        if wm > self.pipe.wm:
            self.pipe.wm = wm

    def run(self, desc: Descriptors, seq_base: int) -> list[pa.RecordBatch]:
        """Run the loop over one batch; the batches its sink produced."""
        self.rows_in += desc.n
        if self.agg is None:
            return run_stateless(self.pipe, self.spec, self.output, desc, seq_base,
                                 self.read_mask)
        self.pipe.seq_base = seq_base
        self.pipe.proc_now = processing_time()
        nulls = int(desc.null_mask & self.read_mask != 0)
        n = desc.n
        if self.spec.preaggregated:   # one worker: every block is its own, lane by lane
            status = lib.lc_pipe_run_blocks(self.pipe, desc.cols, n, nulls, 0, 1, BLOCK_ROWS,
                                            self.time_col, self.spec.watermark_delay, ffi.NULL)
        else:
            status = lib.lc_pipe_run(self.pipe, desc.cols, n, nulls)
        check(status, self.spec.produces)
        return self.emit()

    def advance(self, wm: int) -> list[pa.RecordBatch]:
        """Raise the watermark (never lowers it) and emit what that closes."""
        self.set_wm(wm)
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
        return _strip([self.output.to_batch(out)], self.spec.hidden) if out.n else []

    def metrics(self) -> dict:
        ctx = self.pipe.ctx
        m = {"rows_in": self.rows_in, "late_rows": ctx.late_rows, "errors": ctx.errors}
        if self.agg is not None:
            m["groups"] = lib.lc_agg_entries(self.agg)
            m["open_windows"] = lib.lc_agg_open_windows(self.agg)
        return m


class ShardedPipeline:
    """A pipeline over a source with one shard per worker of `pool`."""

    sharded = True

    def __init__(self, spec: PipelineSpec, addresses: dict[str, int], pool, nworkers: int,
                 depth: int, chunk_rows: int):
        self.spec = spec
        self.read_mask = sum(1 << c for c in set(spec.columns_read))   # see Descriptors
        self.pool = pool
        self.n = nworkers
        self.mode = "keyed" if spec.keyed else "blocks" if spec.preaggregated else "ranges"
        if spec.part_dense is not None:
            part_dense = ffi.cast("lc_part_fn", addresses[spec.part_dense])
            part_nulls = ffi.cast("lc_part_fn", addresses[spec.part_nulls])
        if self.mode == "keyed":
            dense, nulls = addresses[spec.run_sel_dense], addresses[spec.run_sel_nulls]
        else:
            dense, nulls = addresses[spec.run_dense], addresses[spec.run_nulls]
        free = _free_loops(spec, addresses)
        window = _window_loops(spec, addresses) if self.mode == "blocks" else None
        self.pipes = [_new_pipe(dense, nulls, free, window) for _ in range(nworkers)]
        self.output = OutputLayout(spec.output)
        # merged shard outputs come without the hidden columns they were merged by
        self.merged = (OutputLayout(spec.output[: len(spec.output) - spec.hidden])
                       if spec.hidden else self.output)
        # Per chunk in flight (and one being prepared), reused once the chunk is collected:
        # keyed, an exchange and its tasks (exchange, partition tasks, consume tasks); in
        # blocks, a combine and one BLOCKS task per worker (combine, task array, tasks); with
        # row ranges, one RUN task per worker (task array, tasks).
        self.slots: list[tuple] = []
        self.next_slot = 0
        tc = -1 if spec.time_column is None else spec.time_column
        # A routable pre-aggregated pipeline: the window from which rows are routed by key
        # (INT64_MAX: none yet), and the word a worker sets once its windows are big enough
        # to start (lc_combine.route_wanted).
        self.route_from = INT64_MAX
        self.route_wanted = ffi.new("int64_t*")
        self.exchanges = []   # every exchange (their kernels count dropped rows' errors)
        if self.mode == "blocks":
            # collect_blocks' arguments: the chunks, and per chunk its watermark and output;
            # the merges' expression errors and the first failure
            k = depth + 2
            self.burst = (ffi.new("lc_combine*[]", k), ffi.new("int64_t[]", k),
                          ffi.new("lc_out*[]", k), ffi.new("int64_t[2]"))
            if spec.routable:
                # The groups a worker's window may hold before it asks for the route. A
                # sliced HOP's windows count once for each table their folds read (one for
                # each power of two up to the slices a window holds): pre-aggregated, every
                # worker folds nearly every group of a window.
                a = spec.aggregate
                tables = (a.size // a.slice).bit_length() if a.slice else 1
                route_groups = min(ROUTE_BYTES // (a.entry_size * tables), INT64_MAX)
            for _ in range(k):
                slot = self._combined(tc, TASK_BLOCKS, chunk_rows)
                if spec.routable:
                    ex = lib.lc_exchange_new(nworkers, part_dense, part_nulls, tc,
                                             spec.watermark_delay)
                    if ex == ffi.NULL:
                        raise MemoryError("laminarc: out of memory for a partition exchange")
                    self.exchanges.append(ffi.gc(ex, lib.lc_exchange_free))
                    lib.lc_combine_set_route(
                        slot[0], ex, ffi.cast("lc_run_fn", addresses[spec.run_sel_dense]),
                        ffi.cast("lc_run_fn", addresses[spec.run_sel_nulls]),
                        self.route_wanted, route_groups)
                self.slots.append(slot)
            self.advance_slot = self._combined(tc, TASK_ADVANCE, 0)   # for prepare_advance
        elif self.mode == "keyed":
            for _ in range(depth + 2):
                ex = lib.lc_exchange_new(nworkers, part_dense, part_nulls, tc,
                                         spec.watermark_delay)
                if ex == ffi.NULL:
                    raise MemoryError("laminarc: out of memory for a partition exchange")
                ex = ffi.gc(ex, lib.lc_exchange_free)
                self.exchanges.append(ex)
                tasks = [ex.tasks + i for i in range(2 * nworkers)]
                for i, t in enumerate(tasks):
                    t.pipe = self.pipes[i % nworkers]
                    self._layout(t)
                self.slots.append((ex, tasks[:nworkers], tasks[nworkers:]))
        else:
            for _ in range(depth + 2):
                block = ffi.new("lc_task[]", nworkers)
                tasks = [block + w for w in range(nworkers)]
                for w, t in enumerate(tasks):
                    t.kind, t.worker, t.pipe = TASK_RUN, w, self.pipes[w]
                    self._layout(t)
                self.slots.append((block, tasks))
        self.aggs = []
        if spec.aggregate is not None:
            for pipe in self.pipes:
                agg = _new_agg(spec.aggregate, addresses)
                pipe.agg = agg
                self.aggs.append(agg)
        # A TUMBLE over the event time: whole windows may go to one worker each, as the
        # dealer chooses chunk by chunk (lc_dealer).
        self.dealer = None
        if self.mode == "blocks" and spec.dealable and nworkers > 1:
            dealer = lib.lc_dealer_new(spec.aggregate.size, nworkers, depth, BLOCK_ROWS, pool)
            if dealer == ffi.NULL:
                raise MemoryError("laminarc: out of memory for a pre-aggregated pipeline")
            self.dealer = ffi.gc(dealer, lib.lc_dealer_free)
            for pipe in self.pipes:
                check(lib.lc_pipe_set_deal(pipe), spec.produces)
            for comb, _, _ in self.slots:
                lib.lc_combine_set_dealer(comb, self.dealer)
        self.schema = _visible(self.output.schema, spec.hidden)
        self.emit_code = EMIT_CODES[spec.aggregate.emit] if spec.aggregate else EMIT_NONE
        self._wm = INT64_MIN
        self.rows_in = 0
        self.finished = False
        self.chunks = 0        # pre-aggregated: chunks started, and the newest not collected
        self.newest = None
        self.merge_errors = 0  # expression errors of merged windows' output rows

    @property
    def wm(self) -> int:
        return self._wm

    def set_wm(self, wm: int) -> None:
        self._wm = max(self._wm, wm)

    def _combined(self, time_col: int, kind: int, chunk_rows: int) -> tuple:
        """A slot for chunks of up to chunk_rows rows (0: a watermark's, without rows)."""
        comb = lib.lc_combine_new(self.n, BLOCK_ROWS, time_col, self.spec.watermark_delay,
                                  chunk_rows)
        if comb == ffi.NULL:
            raise MemoryError("laminarc: out of memory for a pre-aggregated pipeline")
        comb = ffi.gc(comb, lib.lc_combine_free)
        block = ffi.new("lc_task[]", self.n)
        tasks = [block + w for w in range(self.n)]
        for w, t in enumerate(tasks):
            t.kind, t.worker, t.pipe, t.comb = kind, w, self.pipes[w], comb
            self._layout(t)
        return comb, block, tasks

    def _start_combined(self, slot: tuple, emit: int, wm: int, merge_now: bool,
                        rows: tuple = (ffi.NULL, 0, 0, 0, 0), pool=ffi.NULL,
                        deal: int = 0) -> list:
        """The slot's tasks, set up for a chunk (rows: its columns, row count, NULL flag,
        source position and processing time) or, without rows, a watermark; handed over to
        `pool` in the same native call unless it is NULL."""
        comb, block, tasks = slot
        self.chunks += 1
        rc = lib.lc_combine_start(comb, block, self.chunks, self.newest or ffi.NULL,
                                  int(merge_now), emit, wm, *rows, self.route_from,
                                  deal, pool)
        if rc:
            check(rc, "handing tasks to the workers")
        self.newest = comb
        return tasks

    # -- tasks ---------------------------------------------------------------------------
    def prepare_run(self, desc: Descriptors, seq_base: int, source_wm: int, keep: list,
                    last_chunk: bool = True) -> tuple[list, list]:
        """Tasks running this chunk on every worker: (to submit now, whose completion gives the
        chunk's output). Keyed: every worker partitions a slice (lc_exchange), then each
        consumes its rows; the consuming tasks are the second list, which the engine may hand
        over one chunk later, after the next chunk's partitioning, so workers never wait for
        one another in step. A changelog emits once per insert, after its last chunk, as one
        worker does."""
        if self.mode == "blocks":
            return [], self.start_blocks(desc, seq_base, source_wm, ffi.NULL)
        n = desc.n
        self.rows_in += n
        nulls = int(desc.null_mask & self.read_mask != 0)
        now = processing_time()   # the workers set their shard's from the tasks
        slot = self.slots[self.next_slot]
        self.next_slot = (self.next_slot + 1) % len(self.slots)
        if self.mode == "keyed":
            ex, parts, tasks = slot
            emit = self.emit_code
            if not last_chunk and emit == EMIT_CHANGES:
                emit = EMIT_NONE   # a changelog emits after the insert's last chunk
            check(lib.lc_exchange_start(ex, n, desc.cols, nulls, seq_base, emit, now),
                  self.spec.produces)
            keep.append(ex)
            return parts, tasks
        # Without an aggregate: nothing to emit. Ranges of at least 4096 rows (tiny batches
        # stay on one worker).
        ranges = max(1, min(self.n, n // 4096))
        tasks = slot[1][:ranges]
        for w, t in enumerate(tasks):
            lo, hi = n * w // ranges, n * (w + 1) // ranges
            t.cols, t.start, t.n, t.nulls, t.seq_base = desc.cols, lo, hi, nulls, seq_base
            t.proc_now, t.wm = now, source_wm
            t.out_rows = (hi - lo) * self.spec.windows_per_row
            t.status, t.done, t.next = 0, 0, ffi.NULL
        return [], tasks

    def start_blocks(self, desc: Descriptors, seq_base: int, source_wm: int, pool) -> list:
        """A pre-aggregated pipeline's tasks for a chunk, started and, unless `pool` is NULL,
        handed over to the workers in the same native call (the engine's path for a source
        whose pipelines are all pre-aggregated)."""
        self.rows_in += desc.n
        if self.route_wanted[0] and self.route_from == INT64_MAX:
            self._start_route()
        slot = self.slots[self.next_slot]
        self.next_slot = (self.next_slot + 1) % len(self.slots)
        rows = (desc.cols, desc.n, int(desc.null_mask & self.read_mask != 0),
                seq_base, processing_time())
        return self._start_combined(slot, self.emit_code, source_wm, False, rows, pool,
                                    0 if self.dealer is None else DEAL_ASK)

    def _start_route(self) -> None:
        """Route by key from the first open window: once the chunks in flight are run (each
        worker runs its tasks in order, so the newest chunk's are the last), the workers,
        idle, re-deal the groups of their open windows, each to the worker routing sends its
        rows to (lc_agg_reshard), and every window from then on holds disjoint groups. A
        re-dealt (group, lane) partial state is one worker's, whole, as before, so results
        stay those of one worker.

        A sliced HOP's windows overlap: its slices are re-dealt, and it routes from the
        first window folded after that, once every worker has folded the same windows."""
        if self.newest is not None:
            lib.lc_combine_wait(self.pool, self.newest)
        aggs = ffi.new("lc_agg*[]", self.aggs)
        at = ffi.new("int64_t*")
        rc = lib.lc_agg_reshard(aggs, self.n, at, ffi.addressof(self.pipes[0].ctx))
        if rc != 1:   # (1: a HOP whose workers' folds differ; the next chunk tries again)
            check(rc, self.spec.produces)
            self.route_from = at[0]

    def run_here(self, desc: Descriptors, seq_base: int, source_wm: int) -> list[pa.RecordBatch]:
        """A small batch of a pipeline split by ranges (no aggregate), run on the first
        shard in the calling thread: what its one RUN task would do, without the task."""
        assert self.mode == "ranges"
        self.rows_in += desc.n
        pipe = self.pipes[0]
        out = run_stateless(pipe, self.spec, self.output, desc, seq_base, self.read_mask)
        if source_wm > pipe.wm:
            pipe.wm = source_wm
        return out

    def chunk_watermark(self, tasks: list) -> int:
        """Wait for this chunk's tasks; the source's watermark as far as the chunk's rows
        raise it: a keyed chunk's largest event time - delay; otherwise the largest of the
        watermarks the shards had right after their part (they may have run later chunks
        since; in blocks, every shard saw every event time)."""
        if self.mode == "blocks":
            return lib.lc_combine_wait(self.pool, tasks[0].comb)
        for t in tasks:
            lib.lc_pool_wait(self.pool, t)
        if self.mode == "keyed":
            return lib.lc_exchange_wm_after(tasks[0].ex)
        return max(t.wm for t in tasks)

    def prepare_advance(self, wm: int, keep: list) -> list:
        self.set_wm(wm)
        if self.spec.aggregate is None:
            return []
        emit = self.emit_code
        if wm == INT64_MAX and not self.finished:
            self.finished = True
            if self.spec.aggregate.emit == "final":
                emit = EMIT_FINAL   # a one-shot query emits everything once, at the end
        if self.mode == "blocks":   # (nothing else is in flight: the engine flushed)
            return self._start_combined(self.advance_slot, emit, wm, True)
        tasks = []
        for w in range(self.n):
            t = ffi.new("lc_task*")
            keep.append(t)
            t.kind, t.worker, t.pipe, t.emit, t.wm = TASK_ADVANCE, w, self.pipes[w], emit, wm
            self._layout(t)
            tasks.append(t)
        return tasks

    def _layout(self, task) -> None:
        task.out_ncols = self.output.n
        task.out_widths = self.output.widths
        task.out_nullable = self.output.nullable

    def collect(self, tasks: list) -> list[pa.RecordBatch]:
        """Wait for this pipeline's tasks of one chunk; merge their outputs."""
        if self.mode == "blocks":   # (its tasks emit nothing: the chunk's merge does)
            status, _, batches = self.collect_blocks([tasks])
            check(status, self.spec.produces)
            return [b for b in batches if b is not None]
        statuses = [lib.lc_pool_wait(self.pool, t) for t in tasks]
        outs = []
        failure = None
        for t, status in zip(tasks, statuses, strict=True):
            out = take_output(t)
            if status and failure is None:
                failure = status
            elif out is not None and out.n:
                outs.append(out)
        check(failure or 0, self.spec.produces)
        if not outs:
            return []
        if len(outs) == 1:
            return _strip([self.output.to_batch(outs[0])], self.spec.hidden)
        if not self.spec.hidden:   # ranges of rows: in order (as batches: no copy)
            return [self.output.to_batch(o) for o in outs]
        # Each shard's rows are sorted by ($wend, $seq): merge the runs into one worker's order
        # (ties keep their order: a changelog's -old row stays before its +new row), here
        # rather than by a worker (see lc_part), and without those two columns.
        ncols = len(self.spec.output)
        merged = lib.lc_out_merge(ffi.new("lc_out*[]", outs), len(outs), ncols - 2, ncols - 2,
                                  ncols - 1)
        if merged == ffi.NULL:
            raise MemoryError("laminarc: out of memory merging shard outputs")
        return [self.merged.to_batch(ffi.gc(merged, lib.lc_out_free))]

    def collect_blocks(self, chunks: list, imported: bool = True) -> tuple[int, list[int], list]:
        """Pre-aggregated chunks (each its tasks, oldest first) collected in one native call:
        each chunk's wait and merge (a worker's if a later chunk is in flight, see lc_combine;
        else done here). Stops after a chunk that failed: (its status or 0, per chunk
        collected its watermark as chunk_watermark gives it, and its output batch or None;
        not `imported`, the outputs are freed)."""
        cbs, wms, outs, nums = self.burst
        k = len(chunks)
        for j, tasks in enumerate(chunks):
            cbs[j] = tasks[0].comb
        newest = cbs[k - 1] == self.newest
        nums[0] = 0
        done = lib.lc_combine_collect(self.pool, cbs, k, int(newest), wms, outs, nums,
                                      nums + 1)
        self.merge_errors += nums[0]
        if newest and done == k:
            self.newest = None   # nothing of this pipeline is in flight any more
        got = []
        for j in range(done):
            out = outs[j]
            if out == ffi.NULL:
                got.append(None)
                continue
            out = ffi.gc(out, lib.lc_out_free)   # (its rows have no hidden columns)
            got.append(self.output.to_batch(out) if out.n and imported else None)
        return nums[1], wms[0:done], got

    def discard(self, tasks: list) -> None:
        """Wait for a chunk's tasks and free their outputs (after an error elsewhere)."""
        for t in tasks:
            lib.lc_pool_wait(self.pool, t)
        for t in tasks:
            take_output(t)
        if self.mode == "blocks":
            self.collect_blocks([tasks], False)   # gives the partial tables back to their owners

    def settle(self, tasks: list) -> None:
        """After the workers stopped: a pre-aggregated chunk's merge, if no one did it."""
        if self.mode == "blocks" and all(t.done for t in tasks):
            lib.lc_combine_finish(tasks[0].comb, 1)
            take_output(tasks[0].comb)

    def metrics(self) -> dict:
        m = {"rows_in": self.rows_in,
             "late_rows": sum(p.ctx.late_rows for p in self.pipes),
             "errors": sum(p.ctx.errors for p in self.pipes) + self.merge_errors
             + sum(ex.parts[w].ctx.errors for ex in self.exchanges for w in range(ex.nworkers))}
        if self.aggs:
            m["groups"] = sum(lib.lc_agg_entries(a) for a in self.aggs)
            m["open_windows"] = max(lib.lc_agg_open_windows(a) for a in self.aggs)
        if self.spec.routable:
            m["routed_from_window"] = None if self.route_from == INT64_MAX else self.route_from
        if self.dealer is not None:
            at = lib.lc_pipe_dealt_from(self.pipes[0])
            if at == INT64_MAX:
                m["dealt_from_window"] = None
            else:
                # A deal switched on before any row was seen starts at the least watermark's
                # window, far below any row's: the first window it dealt is the first opened.
                first = min(lib.lc_agg_min_opened(a) for a in self.aggs)
                m["dealt_from_window"] = at if first == INT64_MAX else max(at, first)
        return m


def take_output(holder):
    """The output batch of a task (or a combine: a pre-aggregated chunk's merged windows), now
    owned by Python (freed with its last Arrow buffer), or None."""
    if holder.out == ffi.NULL:
        return None
    out = ffi.gc(holder.out, lib.lc_out_free)
    holder.out = ffi.NULL
    return out


def _visible(schema: pa.Schema, hidden: int) -> pa.Schema:
    return pa.schema(list(schema)[: len(schema) - hidden]) if hidden else schema


def _strip(batches: list[pa.RecordBatch], hidden: int) -> list[pa.RecordBatch]:
    if not hidden:
        return batches
    return [b.select(list(range(b.num_columns - hidden))) for b in batches]
