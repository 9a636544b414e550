"""Thread-per-core execution: shards on pinned workers give exactly the results of one worker,
under concurrent inserts, in-flight shutdown, back-pressure and native failures."""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import random
import signal
import struct
import subprocess
import sys
import threading
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from harness import CUTS, EVENTS_DDL, cuts_of, random_events, routing, workers_of
from laminarc.runtime.arrow import Descriptors
from laminarc.runtime.native import ffi, lib

import laminarc
from laminarc.workloads import W1_SQL, w1_batch, w1_batches, w1_check


def run_w1(workers: int, n: int, batch_rows: int) -> pa.Table:
    with laminarc.open(workers=workers) as db:
        db.execute(W1_SQL)
        sub = db.subscribe("w1")
        for b in w1_batches(n, batch_rows):
            db.insert("events", b)
        db.end_input("events")
        return sub.to_arrow()


def test_w1_is_identical_for_any_number_of_workers():
    base = run_w1(1, 500_000, 65_536)
    assert w1_check(base, 500_000)["exact"]
    for workers, rows in ((2, 65_536), (3, 10_000), (4, 100_003)):
        assert run_w1(workers, 500_000, rows).equals(base), workers


def test_workers_are_pinned_to_distinct_allowed_cpus():
    allowed = sorted(os.sched_getaffinity(0))
    with laminarc.open(workers=len(allowed)) as db:
        pool = db.engine.pool
        cpus = [lib.lc_pool_cpu(pool, w) for w in range(len(allowed))]
        assert cpus == allowed
        for w, cpu in enumerate(cpus):
            assert os.sched_getaffinity(lib.lc_pool_tid(pool, w)) == {cpu}
    assert lib.lc_numa_nodes() >= 1


def _blocked_signals(tid: int) -> int:
    with open(f"/proc/self/task/{tid}/status") as f:
        return next(int(line.split()[1], 16) for line in f if line.startswith("SigBlk:"))


def test_workers_block_signals_and_leave_them_to_python():
    """Workers block every signal, so Ctrl-C reaches a thread that Python runs (the kernel
    picks any thread that does not block it); the thread that opened the database keeps its
    mask."""
    before = _blocked_signals(threading.get_native_id())
    with laminarc.open(workers=2) as db:
        for w in range(2):
            blocked = _blocked_signals(lib.lc_pool_tid(db.engine.pool, w))
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGALRM):
                assert blocked >> (sig - 1) & 1, (w, sig)
        assert _blocked_signals(threading.get_native_id()) == before


def test_default_workers_are_the_allowed_cpus():
    with laminarc.open() as db:
        assert db.engine.workers == len(os.sched_getaffinity(0))


STRESS_DDL = """
CREATE SOURCE a (ts BIGINT, k BIGINT, v BIGINT, WATERMARK FOR ts AS ts - INTERVAL '50' MILLISECOND);
CREATE SOURCE b (ts BIGINT, k BIGINT, v BIGINT, WATERMARK FOR ts AS ts - INTERVAL '50' MILLISECOND);
CREATE STREAM wa AS SELECT k, window_start, COUNT(*) AS c, SUM(v) AS s FROM TABLE(TUMBLE(
    TABLE a, DESCRIPTOR(ts), INTERVAL '100' MILLISECOND)) GROUP BY k, window_start, window_end;
CREATE STREAM wb AS SELECT k, window_start, COUNT(*) AS c, SUM(v) AS s FROM TABLE(TUMBLE(
    TABLE b, DESCRIPTOR(ts), INTERVAL '100' MILLISECOND)) GROUP BY k, window_start, window_end;
CREATE STREAM pa_ AS SELECT k, v FROM a WHERE v % 3 = 0;
"""


def feeder(db, source: str, seed: int, errors: list) -> None:
    rng = random.Random(seed)
    ts, v = 0, 0
    try:
        while ts < 20_000:
            n = rng.randint(1, 40)
            rows = {"ts": [], "k": [], "v": []}
            for _ in range(n):
                ts += rng.randint(0, 3)
                v += 1
                rows["ts"].append(ts)
                rows["k"].append(v % 7)
                rows["v"].append(v)
            db.insert(source, rows)
            if rng.random() < 0.2:
                db.watermark(source, ts - 50)   # never beyond the natural watermark
    except Exception as e:
        errors.append(e)


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_two_threads_insert_into_two_sources(workers):
    with laminarc.open(workers=workers) as db:
        db.execute(STRESS_DDL)
        subs = {s: db.subscribe(s) for s in ("wa", "wb", "pa_")}
        errors: list = []
        threads = [threading.Thread(target=feeder, args=(db, s, i, errors))
                   for i, s in enumerate(("a", "b"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        db.end_input("a")
        db.end_input("b")
        out = {s: sub.to_arrow() for s, sub in subs.items()}
        rows = db.metrics()["sources"]
    for s in ("a", "b"):
        t = out["w" + s]
        total = rows[s]["rows"]
        # every row counted exactly once: no late rows (watermarks never passed a row)
        assert sum(t.column("c").to_pylist()) == total
        assert sum(t.column("s").to_pylist()) == total * (total + 1) // 2
        keys = list(zip(t.column("k").to_pylist(), t.column("window_start").to_pylist(),
                        strict=True))
        assert len(keys) == len(set(keys)), "a window was emitted twice"
    assert sorted(out["pa_"].column("v").to_pylist()) == list(range(3, rows["a"]["rows"] + 1, 3))


def test_close_while_data_is_in_flight():
    db = laminarc.open(workers=2)
    db.execute(W1_SQL)
    batches = w1_batches(2_000_000)
    stop = threading.Event()
    outcome: list = []

    def feed():
        try:
            for b in batches:
                if stop.is_set():
                    break
                db.insert("events", b)
            outcome.append("done")
        except laminarc.StateError:
            outcome.append("closed")

    t = threading.Thread(target=feed)
    t.start()
    while db.metrics()["rows_in"] < 300_000:
        pass
    db.close()          # waits for in-flight chunks, stops the workers
    stop.set()
    t.join(timeout=30)
    assert not t.is_alive() and outcome in (["done"], ["closed"])


BESIDE_DDL = """
CREATE SOURCE e (ts TIMESTAMP(3), k BIGINT, v DOUBLE, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);
CREATE STREAM w AS SELECT k, window_start, COUNT(*) AS c, SUM(v) AS s
    FROM TABLE(TUMBLE(TABLE e, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY k, window_start, window_end;
CREATE MATERIALIZED VIEW t AS SELECT k, COUNT(*) AS c FROM e GROUP BY k;
CREATE STREAM f AS SELECT k, v FROM e WHERE k < 3;
"""


def _beside_query(db, sub, got):
    db.query("SELECT k, c FROM t ORDER BY k LIMIT 3")


def _beside_ddl(db, sub, got):
    db.execute("CREATE STREAM x AS SELECT k, window_start, MAX(v) AS m FROM TABLE(TUMBLE(TABLE e, "
               "DESCRIPTOR(ts), INTERVAL '2' SECOND)) GROUP BY k, window_start, window_end")
    db.execute("DROP STREAM x")


BESIDE = {
    "query": _beside_query,
    "metrics": lambda db, sub, got: db.metrics(),
    "poll": lambda db, sub, got: got.append(sub.poll()),
    "watermark": lambda db, sub, got: db.watermark("e", 0),   # behind: changes nothing
    "create and drop": _beside_ddl,
    "subscribe": lambda db, sub, got: db.subscribe("f").poll(),
    "explain": lambda db, sub, got: db.explain("SELECT k FROM t"),
}


@pytest.fixture
def short_gil_switches():
    # A thread running Python beside the inserting one takes the GIL at the insert's native
    # calls and keeps it for up to the switch interval (5 ms by default): with 1 worker,
    # beside a looping EXPLAIN, a 65,536-row insert took a median of 26 ms instead of 0.3 ms
    # (README, Python API). That is slow, not wrong; a shorter interval keeps the test short.
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    yield
    sys.setswitchinterval(before)


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("other", sorted(BESIDE))
def test_another_thread_uses_the_database_while_one_inserts(workers, other, short_gil_switches):
    """Queries, polls, metrics, watermarks, DDL, subscriptions and EXPLAIN from a second
    thread while the first inserts: nothing fails or hangs, and every row counts once."""
    n, batches = 8192, 24
    ts = np.arange(n * batches, dtype=np.int64) // 40
    with laminarc.open(workers=workers) as db:
        db.execute(BESIDE_DDL)
        sub = db.subscribe("w")
        started, inserted = threading.Event(), threading.Event()
        errors: list = []
        got: list = []   # what the other thread polled

        def insert():
            try:
                assert started.wait(timeout=30)
                for i in range(batches):
                    part = ts[i * n:(i + 1) * n]
                    db.insert("e", pa.record_batch({"ts": pa.array(part, pa.timestamp("ms")),
                                                    "k": part % 97, "v": (part % 7) * 1.0}))
            except Exception as e:
                errors.append(e)
            finally:
                inserted.set()

        def beside():
            try:
                while not inserted.is_set():
                    BESIDE[other](db, sub, got)
                    started.set()   # the inserts start once it has run, and overlap it
            except Exception as e:
                errors.append(e)

        threads = [threading.Thread(target=insert), threading.Thread(target=beside)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in threads), "a thread hangs"
        assert not errors, errors
        db.end_input("e")
        rest = sub.to_arrow()
        polled = pa.Table.from_batches([b for b in got if b is not None], rest.schema)
        windows = pa.concat_tables([polled, rest])
        counts = db.query("SELECT SUM(c) AS n FROM t").column("n").to_pylist()
    assert counts == [n * batches]
    assert sum(windows.column("c").to_pylist()) == n * batches
    keys = list(zip(windows.column("k").to_pylist(), windows.column("window_start").to_pylist(),
                    strict=True))
    assert len(keys) == len(set(keys)) == 97 * len(np.unique(ts // 1000))


def test_inserts_block_when_enough_work_is_in_flight():
    with laminarc.open(workers=2) as db:
        db.execute(W1_SQL)
        for b in w1_batches(1_000_000):
            db.insert("events", b)
            assert len(db.engine.inflight) <= db.engine.depth


@contextlib.contextmanager
def memory_cap(more: int):
    """Native memory capped at what is live now plus `more` bytes; the cap before, after."""
    before = laminarc.memory_limit()
    laminarc.set_memory_limit(lib.lc_bytes_live() + more)
    try:
        yield
    finally:
        laminarc.set_memory_limit(before)


def test_native_memory_is_capped_by_default():
    """Without set_memory_limit, native memory is capped at 80% of the machine's (or the
    cgroup's, if less), so a runaway query fails with ExecutionError, as the tests below show
    under a tighter cap, instead of the kernel killing the process."""
    with open("/proc/meminfo") as f:
        total = int(next(line for line in f if line.startswith("MemTotal:")).split()[1]) * 1024
    limit = laminarc.memory_limit()
    assert limit is not None and limit <= total * 4 // 5
    assert limit > total // 100   # (a cgroup could lower it, never to nothing here)
    laminarc.set_memory_limit(None)
    try:
        assert laminarc.memory_limit() is None
    finally:
        laminarc.set_memory_limit(limit)


def test_native_failure_surfaces_and_stops_the_workers():
    """A worker running out of memory: an ExecutionError with a message, the database fails
    cleanly (no crash, workers stopped), and a new database works."""
    db = laminarc.open(workers=2)
    db.execute("""CREATE SOURCE s (k BIGINT, v BIGINT);
                  CREATE STREAM g AS SELECT k, COUNT(*) AS c FROM s GROUP BY k;""")
    with memory_cap(4 << 20), pytest.raises(laminarc.ExecutionError, match="out of memory"):
        for j in range(100):
            keys = np.arange(j * 200_000, (j + 1) * 200_000)
            db.insert("s", {"k": keys, "v": keys})
        db.metrics()   # collects what is in flight
    assert db.engine.pool is None            # workers stopped
    with pytest.raises(laminarc.StateError, match="failed"):
        db.insert("s", {"k": [1], "v": [1]})
    db.close()
    assert run_w1(2, 100_000, 10_000).num_rows == 1000


def test_out_of_memory_in_pre_aggregated_windows_stops_cleanly():
    """Pre-aggregated windows (rows dealt out in blocks, each closed window merged by whichever
    thread claims it) running out of memory for their groups: an ExecutionError with a
    message, every in-flight chunk is waited for and its partial tables handed back, the
    workers stop, and nothing crashes."""
    db = laminarc.open(workers=2)
    db.execute(W1_SQL)
    assert db.engine.sources["events"].relation.consumers[0].mode == "blocks"
    for b in w1_batches(400_000):   # warm: windows opened, merged and emitted
        db.insert("events", b)
    db.engine.flush()
    with memory_cap(4 << 20), pytest.raises(laminarc.ExecutionError, match="out of memory"):
        for j in range(60):   # new keys in every window: the tables must grow
            i = np.arange(j * 100_000, (j + 1) * 100_000)
            db.insert("events", {"ts": 4_000 + i // 1_000, "k": i, "v": i * 0.5})
        db.metrics()   # collects what is in flight
    assert db.engine.pool is None
    db.close()
    assert run_w1(2, 100_000, 10_000).num_rows == 1000


def test_a_chunk_no_worker_will_merge_is_merged_by_its_collector():
    """Collecting a pre-aggregated chunk that is not the newest waits for a worker ending a
    later chunk to merge it; if none will (a later chunk prepared but never handed over, as
    after an error), the collecting thread merges it itself after a millisecond instead of
    waiting forever."""
    from laminarc.runtime.pipelines import take_output

    with laminarc.open(workers=2) as db:
        db.execute(W1_SQL)
        p = db.engine.sources["events"].relation.consumers[0]
        assert p.mode == "blocks"
        desc = Descriptors(w1_batch(0, 300_000), db.engine.ones)   # event times 0..2999
        _, tasks = p.prepare_run(desc, 0, -(2**63), [])
        assert lib.lc_run_tasks_inline(ffi.new("lc_task*[]", tasks), len(tasks)) == 0
        comb = tasks[0].comb
        t0 = time.perf_counter()
        assert lib.lc_combine_finish(comb, 0) == 0   # 0: leave it to a later chunk's tasks
        assert 0.0005 < time.perf_counter() - t0 < 5
        out = take_output(comb)
        assert out.n == 1000   # the window [0, 1 s) closed: the watermark is 2999 - 1000
        assert lib.lc_combine_finish(comb, 0) == 0   # merged: returns at once
        p.newest = None


# -- exchanges -----------------------------------------------------------------------------
# A DISTINCT aggregate keeps this stream on the partition exchange (rows routed by key): its
# sets do not merge, so it is not pre-aggregated.
EXCHANGE_SQL = EVENTS_DDL.format(delay=800) + """
CREATE STREAM per_key AS
SELECT k, window_start, window_end, COUNT(*) AS c, SUM(v) AS sv, MAX(s) AS ms,
       COUNT(DISTINCT v) AS dv
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '2' SECOND))
GROUP BY k, window_start, window_end;
"""


def run_events(workers: int, data: pa.Table, rows: int) -> pa.Table:
    with laminarc.open(workers=workers) as db:
        db.execute(EXCHANGE_SQL)
        sub = db.subscribe("per_key")
        for b in data.to_batches(max_chunksize=rows):
            db.insert("events", b)
        db.end_input("events")
        return sub.to_arrow()


def test_a_worker_partitions_the_slices_no_one_started():
    """Worker 0 consumes a chunk before worker 1 began partitioning its slice (as when worker 1
    is preempted): worker 0 partitions that slice itself, worker 1's task then skips it, and
    the results are those of one worker."""
    data = random_events(30_000, seed=7, keys=50)
    expected = run_events(1, data, 30_000)
    with laminarc.open(workers=2) as db:
        db.execute(EXCHANGE_SQL)
        sub = db.subscribe("per_key")
        engine = db.engine
        src = engine.sources["events"]
        pipe = src.relation.consumers[0]
        batch = data.combine_chunks().to_batches()[0]
        batch = pa.record_batch(batch.columns, schema=src.relation.schema)
        desc = Descriptors(batch, engine.ones)
        keep: list = [desc]
        parts, consumes = pipe.prepare_run(desc, 0, src.relation.wm, keep)
        order = [parts[0], consumes[0], parts[1], consumes[1]]
        assert lib.lc_run_tasks_inline(ffi.new("lc_task*[]", order), 4) == 0
        assert pipe.pipes[0].ns_partition > 0 and pipe.pipes[1].ns_partition == 0
        assert pipe.pipes[0].ns_wait >= 0
        src.batches += 1
        src.relation.rows += batch.num_rows
        engine._collect_chunk([(pipe, consumes)], keep, src, batch)
        db.end_input("events")
        assert sub.to_arrow().equals(expected)


def test_row_selection_is_the_same_without_avx512(tmp_path):
    """The vector paths (row selection, watermark scan) against their scalar fallbacks: the
    flag is read once per process, so the fallback runs in a child process."""
    data = random_events(40_000, seed=11, keys=37)
    path = tmp_path / "events.arrow"
    with pa.OSFile(str(path), "wb") as f, pa.ipc.new_file(f, data.schema) as w:
        w.write_table(data)
    script = f"""
import sys, pyarrow as pa
sys.path.insert(0, {os.path.dirname(__file__)!r})
from test_workers import run_events
data = pa.ipc.open_file({str(path)!r}).read_all()
out = run_events(2, data, 9_999)
with pa.OSFile({str(tmp_path / "out.arrow")!r}, "wb") as f, pa.ipc.new_file(f, out.schema) as w:
    w.write_table(out)
"""
    env = dict(os.environ, LAMINARC_NO_AVX512="1")
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=300)
    scalar = pa.ipc.open_file(str(tmp_path / "out.arrow")).read_all()
    assert scalar.equals(run_events(2, data, 9_999))
    assert scalar.equals(run_events(1, data, 40_000))


@pytest.mark.parametrize("mode", ["keyed", "blocks"])
def test_workers_report_where_their_time_went(mode):
    data = random_events(200_000, seed=3, keys=100)
    with laminarc.open(workers=2) as db:
        db.execute(EXCHANGE_SQL if mode == "keyed" else W1_SQL)
        if mode == "keyed":
            for b in data.to_batches(max_chunksize=40_000):
                db.insert("events", b)
        else:
            for b in w1_batches(600_000, 65_536):
                db.insert("events", b)
        db.end_input("events")
        workers = db.metrics()["workers"]
        assert db.engine.sources["events"].relation.consumers[0].mode == mode
    phases = ("partition_seconds", "wait_seconds", "select_seconds", "run_seconds")
    for w in workers:
        assert all(w[p] >= 0 for p in phases)
        assert sum(w[p] for p in phases) <= w["busy_seconds"] + 1e-3
    if mode == "keyed":
        assert sum(w["partition_seconds"] for w in workers) > 0
    assert all(w["run_seconds"] > 0 for w in workers)
    if os.path.exists(f"/proc/self/task/{threading.get_native_id()}/schedstat"):
        # the scheduler's own account: time on the CPU, and runnable but waiting for it
        assert all(w["on_cpu_seconds"] > 0 and w["queued_seconds"] >= 0 for w in workers)


def test_out_of_memory_while_partitioning_is_reported_as_such():
    """A partition kernel that cannot get scratch memory (here for UPPER of a long key): every
    worker's task reports the out-of-memory status, not an internal error."""
    db = laminarc.open(workers=2)
    db.execute("""CREATE SOURCE s (k VARCHAR, v BIGINT);
                  CREATE STREAM g AS SELECT UPPER(k) AS u, COUNT(*) AS c FROM s
                  GROUP BY UPPER(k);""")
    for j in range(8):   # warm: every exchange has its buffers and some scratch
        db.insert("s", {"k": [f"key{i}" for i in range(j, j + 2000)], "v": list(range(2000))})
    db.engine.flush()
    with memory_cap(1 << 20), pytest.raises(laminarc.ExecutionError, match="out of memory"):
        db.insert("s", {"k": ["a", "x" * (8 << 20)], "v": [1, 2]})
        db.metrics()   # collects what is in flight
    assert db.engine.pool is None
    db.close()


STATELESS_SQL = """
CREATE SOURCE s (ts BIGINT, v BIGINT, WATERMARK FOR ts AS ts - INTERVAL '5' MILLISECOND);
CREATE STREAM f AS SELECT ts, v FROM s WHERE v >= 0;
"""


def _wait_in_flight(engine) -> None:
    for epoch, *_ in engine.inflight:
        for _, tasks in epoch:
            for t in tasks:
                lib.lc_pool_wait(engine.pool, t)


def test_a_chunk_watermark_is_that_of_its_own_rows():
    """Row ranges of a pipeline without a partition key: the watermark a chunk reached is
    recorded by its tasks, whatever the workers ran after it before it was collected."""
    with laminarc.open(workers=2) as db:
        db.execute(STATELESS_SQL)
        sub = db.subscribe("f")
        n = 2 * db.engine.chunk_rows
        db.insert("s", {"ts": np.arange(n), "v": np.arange(n)})
        engine = db.engine
        assert len(engine.inflight) == 2
        _wait_in_flight(engine)            # both chunks done before either is collected
        for k, (epoch, *_) in enumerate(engine.inflight):
            p, tasks = epoch[0]
            assert p.chunk_watermark(tasks) == (k + 1) * engine.chunk_rows - 1 - 5
        db.engine.flush()
        assert db.metrics()["sources"]["s"]["watermark"] == n - 1 - 5
        assert sub.poll().num_rows + sum(b.num_rows for b in iter(sub.poll, None)) == n


def test_in_flight_chunks_keep_their_all_valid_bitmap():
    """Chunks of one large insert are cut at growing offsets: the all-valid bitmap for columns
    without one is sized once for the insert, and every chunk in flight keeps it alive."""
    with laminarc.open(workers=2) as db:
        db.execute(STATELESS_SQL)
        db.subscribe("f")   # (a stateless stream runs only while read)
        n = 700_000   # 11 chunks: more than `depth` (collected in a burst down to half)
        db.insert("s", {"ts": np.arange(n), "v": np.arange(n)})
        engine = db.engine
        ones = engine.ones
        assert n <= ones.bits < 2 * n
        assert engine.depth // 2 < len(engine.inflight) <= engine.depth
        current = int(ffi.cast("uintptr_t", ones.buf))
        values = None
        for _, keep, _, chunk in engine.inflight:
            desc = keep[0]
            # one export an insert: every chunk reads the insert's buffers, at its own offset
            here = [int(ffi.cast("uintptr_t", desc.cols[c].values))
                    for c in range(chunk.num_columns)]
            assert values in (None, here)
            values = here
            for c in range(chunk.num_columns):
                assert int(ffi.cast("uintptr_t", desc.cols[c].validity)) == current
                assert desc.cols[c].offset + chunk.num_rows <= ones.bits
        db.engine.flush()


def test_chunks_of_a_sliced_batch_with_nulls_and_strings_read_their_own_rows():
    """A batch larger than a chunk is cut at offsets into its descriptors (no export of each
    chunk): a batch that is itself a slice, with NULLs and strings, gives through the workers'
    chunks exactly the rows one worker gives over the whole batch."""
    n = 300_000
    rng = np.random.default_rng(7)
    words = pa.array([None if i % 11 == 0 else f"w{i % 97}" for i in range(n + 1234)])
    vals = pa.array(rng.integers(-50, 50, n + 1234), mask=rng.random(n + 1234) < 0.1)
    whole = pa.record_batch({"ts": pa.array(np.arange(n + 1234), pa.int64()), "v": vals,
                             "w": words})
    batch = whole.slice(1234, n)
    sql = """CREATE SOURCE s (ts BIGINT, v BIGINT, w VARCHAR,
                              WATERMARK FOR ts AS ts - INTERVAL '5' MILLISECOND);
             CREATE STREAM f AS SELECT ts, v + 1 AS v1, w || '!' AS w2 FROM s
             WHERE v IS NULL OR v >= 0 OR w IS NULL;"""
    got = []
    for workers in (1, 2):
        with laminarc.open(workers=workers) as db:
            db.execute(sql)
            sub = db.subscribe("f")
            db.insert("s", batch)
            db.end_input("s")
            got.append(sub.to_arrow())
    assert got[1].num_rows > n // 2
    assert got[0].equals(got[1])


@pytest.mark.parametrize("sql", [
    "CREATE STREAM q AS SELECT v, PROCTIME() AS pt FROM s;",
    """CREATE STREAM q AS SELECT v % 7 AS k, COUNT(*) AS n,
       TUMBLE_START(pt, INTERVAL '1' SECOND) AS ws
       FROM (SELECT v, PROCTIME() AS pt FROM s) GROUP BY v % 7, TUMBLE(pt, INTERVAL '1' SECOND);""",
], ids=["ranges", "exchange"])
def test_each_chunk_runs_at_its_own_processing_time(sql, monkeypatch):
    """Two chunks prepared at different processing times (so the second is handed over
    while the first may still run) and then run in order: each sees its own PROCTIME()."""
    from laminarc.runtime import pipelines

    with laminarc.open(workers=2) as db:
        db.execute("CREATE SOURCE s (v BIGINT);" + sql)
        sub = db.subscribe("q")
        engine = db.engine
        src = engine.sources["s"]
        pipe = src.relation.consumers[0]
        # later than the clock: windows over it are still open (their watermark is the clock)
        base = (pipelines.processing_time() // 1000 + 3600) * 1000
        chunks, order = [], []
        for j, at in enumerate((base, base + 5_000)):
            batch = pa.record_batch({"v": np.arange(j * 20_000, (j + 1) * 20_000)},
                                    schema=src.relation.schema)
            monkeypatch.setattr(pipelines, "processing_time", lambda at=at: at)
            desc = Descriptors(batch, engine.ones)
            keep: list = [desc]
            first, results = pipe.prepare_run(desc, src.relation.rows, src.relation.wm, keep)
            src.batches += 1
            src.relation.rows += batch.num_rows
            chunks.append(([(pipe, results)], keep, src, batch))
            order += first + results
        monkeypatch.undo()
        assert lib.lc_run_tasks_inline(ffi.new("lc_task*[]", order), len(order)) == 0
        for chunk in chunks:
            engine._collect_chunk(*chunk)
        db.end_input("s")
        out = sub.to_arrow()
    if "ws" in out.column_names:
        by_window: dict = {}
        for ws, n in zip(out.column("ws").cast(pa.int64()).to_pylist(),
                         out.column("n").to_pylist(), strict=True):
            by_window[ws] = by_window.get(ws, 0) + n
        assert by_window == {base: 20_000, base + 5_000: 20_000}
    else:
        v = out.column("v").to_numpy()
        pt = out.column("pt").cast(pa.int64()).to_numpy()
        assert len(v) == 40_000
        assert (pt == np.where(v < 20_000, base, base + 5_000)).all()


PREAGG_SQL = """
CREATE SOURCE m (ts BIGINT, k BIGINT, v DOUBLE, r REAL, s VARCHAR, i BIGINT,
                 WATERMARK FOR ts AS ts - INTERVAL '0.3' SECOND);
CREATE STREAM per_window AS
SELECT k, window_start, COUNT(*) AS c, SUM(v) AS sv, AVG(v) AS av, MIN(v) AS mnv,
       MAX(v) AS mxv, MAX(r) AS mxr, MIN(s) AS mns, MAX(s) AS mxs, SUM(i) AS si,
       COUNT(v) FILTER (WHERE i > 0) AS cpos
FROM TABLE({window})
GROUP BY k, window_start, window_end
HAVING COUNT(*) > 1
EMIT ON WINDOW CLOSE;
"""
PREAGG_WINDOWS = {
    "tumble": "TUMBLE(TABLE m, DESCRIPTOR(ts), INTERVAL '1' SECOND)",
    # sliced: five 200 ms slices a window, each in five windows
    "hop": "HOP(TABLE m, DESCRIPTOR(ts), INTERVAL '0.2' SECOND, INTERVAL '1' SECOND)",
    # sliced, sixteen 100 ms slices a window: its windows add cached blocks of up to 8 slices,
    # which rows up to 0.5 s behind the watermark thaw (run under ASan by test_asan too)
    "hop16": "HOP(TABLE m, DESCRIPTOR(ts), INTERVAL '0.1' SECOND, INTERVAL '1.6' SECOND)",
}


def _preagg_data(n: int, seed: int) -> pa.Table:
    """Floats whose sums depend on the order of the additions (magnitudes 1e-3..1e16, signs
    mixed), both zeros, NaNs, NULLs, some late rows, strings and NULL keys."""
    rng = np.random.default_rng(seed)
    ts = np.sort(rng.integers(0, 20_000, n)) + rng.integers(-400, 400, n)
    v = rng.choice([1e16, -1e16, 1.0, 1e-3, 3.3, -7.25], n) * rng.random(n)
    v[rng.random(n) < 0.03] = 0.0
    v[rng.random(n) < 0.03] = -0.0
    v[rng.random(n) < 0.01] = np.nan
    k = rng.integers(0, 7, n).astype(object)
    k[rng.random(n) < 0.05] = None
    return pa.table({
        "ts": ts, "k": pa.array(k, pa.int64()),
        "v": pa.array(v, mask=rng.random(n) < 0.05),
        "r": pa.array(rng.choice([0.0, -0.0, 1.5, np.nan], n).astype(np.float32)),
        "s": pa.array([f"s{x}" for x in rng.integers(0, 500, n)], mask=rng.random(n) < 0.1),
        "i": pa.array(rng.integers(-5, 5, n)),
    })


def _bits(t: pa.Table) -> list[tuple]:
    """Rows with floats as their bit patterns: NaN equals NaN, -0.0 differs from 0.0."""
    out = []
    for row in t.to_pylist():
        out.append(tuple(struct.pack("<d", x) if isinstance(x, float) else x
                         for x in row.values()))
    return out


def _run_preagg(workers: int, data: pa.Table, seed: int, window: str = "tumble") -> pa.Table:
    rng = random.Random(seed)
    with laminarc.open(workers=workers) as db:
        db.execute(PREAGG_SQL.format(window=PREAGG_WINDOWS[window]))
        spec = db.engine.sources["m"].relation.consumers[0].spec
        assert spec.preaggregated and bool(spec.aggregate.slice) == window.startswith("hop")
        sub = db.subscribe("per_window")
        at = 0
        while at < data.num_rows:
            size = rng.choice([1, 7, 61, 500, 3000, 20_000])
            if rng.random() < 0.1:   # an explicit watermark between inserts
                db.watermark("m", int(data.column("ts")[max(0, at - 1)].as_py()) - 700)
            db.insert("m", data.slice(at, size))
            at += size
        db.end_input("m")
        return sub.to_arrow()


@pytest.mark.parametrize(("seed", "window"),
                         [(1, "tumble"), (2, "tumble"), (3, "hop"), (4, "hop16")])
def test_pre_aggregation_gives_one_workers_results_bit_for_bit(seed, window):
    """Workers aggregate their own blocks of rows and merge a window's partial states when it
    closes: every float sum, zero sign and NaN comes out as one worker's, for any number of
    workers and any cut of the input (a sliced HOP's windows folded from its slices too)."""
    data = _preagg_data(40_000, seed)
    base = _run_preagg(1, data, seed, window)
    assert base.num_rows > 50
    for workers, cut_seed in ((2, seed + 10), (3, seed + 20), (1, seed + 30)):
        assert _bits(_run_preagg(workers, data, cut_seed, window)) == _bits(base), workers


def _force_deals(monkeypatch, code) -> None:
    """Every chunk a dealer would choose for (lc_combine_start's LC_DEAL_ASK, as the pipelines
    call it) gets code(combine) instead."""
    from laminarc.runtime import pipelines
    real = pipelines.lib

    class Lib:
        def __getattr__(self, name: str):
            return getattr(real, name)

        @staticmethod
        def lc_combine_start(*args):
            if args[-2] == pipelines.DEAL_ASK:
                args = (*args[:-2], code(args[0]), args[-1])
            return real.lc_combine_start(*args)

    monkeypatch.setattr(pipelines, "lib", Lib())


def _flip_deals(monkeypatch, seed: int) -> None:
    """Every dealable pipeline's next chunk deals blocks or whole windows at random, with
    random weights (lc_combine.deal's codes: any worker slow, m from 0 to 64), whatever the
    rows a window holds."""
    flips = random.Random(seed)

    def code(comb) -> int:
        if flips.random() >= 0.6:
            return 0
        return 1 + flips.randrange(comb.nworkers) * 65 + flips.choice([0, 0, 1, 9, 32, 63, 64])

    _force_deals(monkeypatch, code)


@pytest.mark.parametrize(("window", "block_rows"), [
    ("TUMBLE(TABLE m, DESCRIPTOR(ts), INTERVAL '1' SECOND)", 8192),
    ("TUMBLE(TABLE m, DESCRIPTOR(ts), INTERVAL '1' SECOND, INTERVAL '-300' MILLISECOND)", 8192),
    ("TUMBLE(TABLE m, DESCRIPTOR(ts), INTERVAL '5' SECOND)", 512),
    ("TUMBLE(TABLE m, DESCRIPTOR(ts), INTERVAL '0.25' SECOND, INTERVAL '40' MILLISECOND)", 300),
])
def test_windows_dealt_whole_give_one_workers_results_bit_for_bit(window, block_rows,
                                                                   monkeypatch):
    """A TUMBLE over the source's event time may deal whole windows to workers instead of
    blocks (lc_combine.deal), and weigh them (a worker gives some of its windows to the
    others). Here the choice and the weights flip at random chunk by chunk, so windows are
    dealt both ways and every way, switches pile up and are dropped once their windows closed
    (or wait for room), blocks hold rows of windows going to different workers, late rows
    meet closed windows of either kind, and explicit watermarks move the switch points: every
    float sum, zero sign, NaN, late-row count and group order still comes out as one
    worker's."""
    from laminarc.runtime import pipelines
    monkeypatch.setattr(pipelines, "BLOCK_ROWS", block_rows)
    _flip_deals(monkeypatch, 7)
    data = _preagg_data(40_000, 9)
    sql = PREAGG_SQL.format(window=window)

    def run(workers: int, seed: int) -> tuple[pa.Table, int, set]:
        cut = random.Random(seed)
        dealt = set()
        with laminarc.open(workers=workers) as db:
            db.execute(sql)
            assert db.engine.sources["m"].relation.consumers[0].spec.dealable
            sub = db.subscribe("per_window")
            at = 0
            while at < data.num_rows:
                size = cut.choice([1, 7, 61, 500, 3000])   # (many chunks: many switches)
                if cut.random() < 0.1:
                    db.watermark("m", int(data.column("ts")[max(0, at - 1)].as_py()) - 700)
                if cut.random() < 0.3:
                    dealt.add(db.metrics()["streams"]["per_window"]["dealt_from_window"])
                db.insert("m", data.slice(at, size))
                at += size
            db.end_input("m")
            late = db.metrics()["streams"]["per_window"]["late_rows"]
            return sub.to_arrow(), late, dealt

    base, late, dealt = run(1, 1)
    assert base.num_rows > 30 and late > 0 and dealt == {None}
    for workers, seed in ((2, 2), (3, 3), (2, 4)):
        out, late_w, dealt = run(workers, seed)
        assert dealt - {None}, workers   # (windows were dealt whole)
        assert late_w == late, workers
        assert _bits(out) == _bits(base), workers


def test_a_block_of_one_windows_rows_moves_the_watermark_it_would_have(monkeypatch):
    """Dealt whole, a worker runs a block whose rows all lie in one open window through the
    loop that reads no event time (lc_pipe.win_dense, run_window), then moves its watermark
    to what those rows would have: later rows of a window that closed meanwhile are late, on
    2 workers as on 1 (windows 0, 2 and 4 are worker 0's). Blocks in a closed window take the
    usual loop and count their rows late; a block across two windows splits into runs."""
    from laminarc.runtime import pipelines
    monkeypatch.setattr(pipelines, "BLOCK_ROWS", 512)
    _force_deals(monkeypatch, lambda comb: 1)
    starts = [2000, 0, 4000, 2400, 4700, 5200]    # windows 2, 0 (late), 4, 2 (late), 4-5, 5
    ts = np.concatenate([np.arange(s, s + 512) for s in starts])
    rng = np.random.default_rng(3)
    data = pa.table({
        "ts": ts, "k": pa.array(ts % 5), "v": rng.choice([1e16, -1e16, 3.3, 1e-3], ts.size),
        "r": pa.array(np.zeros(ts.size, np.float32)), "s": pa.array(["x"] * ts.size),
        "i": pa.array(np.ones(ts.size, np.int64)),
    })
    sql = PREAGG_SQL.format(window=PREAGG_WINDOWS["tumble"])
    outs = []
    for workers in (1, 2):
        with laminarc.open(workers=workers) as db:
            db.execute(sql)
            sub = db.subscribe("per_window")
            db.insert("m", data)
            db.end_input("m")
            outs.append((_bits(sub.to_arrow()),
                         db.metrics()["streams"]["per_window"]["late_rows"]))
    assert outs[0][1] == 1024
    assert {row[1] for row in outs[0][0]} == {2000, 4000, 5000}
    assert outs[1] == outs[0]


def test_a_window_deal_follows_the_rows_a_window_holds():
    """Left to itself (lc_dealer), W1 deals whole windows once the event times sampled from
    the chunks handed over have moved two windows past the first: 100,000 rows a window,
    between two blocks' worth and a third of the 16 chunks of 65,536 rows in flight. With ten
    times the rows a window (10-second windows) it keeps dealing blocks. Results are one
    worker's either way."""
    batches = w1_batches(3_000_000)
    for seconds, dealt in (("1", True), ("10", False)):
        sql = W1_SQL.replace("INTERVAL '1' SECOND)", f"INTERVAL '{seconds}' SECOND)")
        outs = []
        for workers in (1, 2):
            with laminarc.open(workers=workers) as db:
                db.execute(sql)
                sub = db.subscribe("w1")
                for b in batches:
                    db.insert("events", b)
                at = db.metrics()["streams"]["w1"]["dealt_from_window"]
                db.end_input("events")
                outs.append(sub.to_arrow())
            if workers == 2:
                assert (at is not None) == dealt, seconds
                if dealt:
                    assert 2 < at < 30, at   # (window 30 holds the last rows)
        assert _bits(outs[1]) == _bits(outs[0]), seconds


def test_a_deal_on_from_the_first_chunk_reports_the_first_window(monkeypatch):
    """A deal switched on before any row was seen starts at the least watermark's window;
    `dealt_from_window` reports the first window it dealt, the first one with rows (W1's
    window 0, or 5 with its event times a few seconds on), not that bound."""
    _force_deals(monkeypatch, lambda comb: 1)
    for shift in (0, 5_000):
        batches = [b.set_column(0, "ts", pc.add(b.column(0), shift))
                   for b in w1_batches(1_000_000)]
        with laminarc.open(workers=2) as db:
            db.execute(W1_SQL)
            sub = db.subscribe("w1")
            for b in batches:
                db.insert("events", b)
            assert db.metrics()["streams"]["w1"]["dealt_from_window"] == shift // 1000
            db.end_input("events")
            assert sub.to_arrow().num_rows == 10_000


def test_a_worker_behind_gives_windows_away():
    """Dealt whole, the windows of a worker with chunks queued past one more than the least
    behind go partly to the others (lc_combine.deal's code: m / 64 of them, 4 more per chunk
    behind, at most half); level again, it keeps them all. Before the deal is on, blocks."""
    from laminarc.runtime import pipelines
    queued = ffi.new("int64_t[2]")
    deal = ffi.gc(lib.lc_dealer_new(1000, 2, 16, pipelines.BLOCK_ROWS, ffi.NULL),
                  lib.lc_dealer_free)
    codes = [lib.lc_dealer_code(deal, 50_000 * i, 500 * i, 65_536, queued) for i in range(1, 6)]
    assert codes[0] == 0 and codes[-1] == 1   # (100,000 rows a window: dealt whole)
    for q, code in (([5, 1], 1 + 12), ([1, 9], 1 + 65 + 28), ([30, 0], 1 + 32), ([2, 1], 1),
                    ([2, 2], 1)):
        queued[0:2] = q
        assert lib.lc_dealer_code(deal, 50_000 * 6, 3000, 65_536, queued) == code, q


KEYED_SQL = """
CREATE SOURCE events (ts BIGINT, k BIGINT, v DOUBLE, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);
CREATE STREAM per_key AS SELECT k, COUNT(*) AS c, SUM(v) AS s FROM events GROUP BY k;
"""


@pytest.mark.parametrize(("sql", "stream"), [(W1_SQL, "w1"), (KEYED_SQL, "per_key")])
def test_a_worker_on_the_inserting_threads_cpu_runs_its_share_without_that_thread(sql, stream):
    """Handing tasks over (a pre-aggregated chunk's, and a keyed one's), the inserting thread
    leaves the wake-up of a sleeping worker pinned to its own CPU to the other workers (woken
    at once, it could take the CPU from the thread handing over the next chunks): that worker
    still runs its share while the inserting thread makes no further call (it waits only in
    the kernel here), and the results are one worker's."""
    allowed = os.sched_getaffinity(0)
    if len(allowed) < 2:
        pytest.skip("needs two CPUs")
    batch = w1_batch(0, 65_536)
    with laminarc.open(workers=1) as db:
        db.execute(sql)
        sub = db.subscribe(stream)
        db.insert("events", batch)
        db.end_input("events")
        want = sub.to_arrow()
    assert want.num_rows >= 1000   # (every key)
    with laminarc.open(workers=2) as db:
        db.execute(sql)
        sub = db.subscribe(stream)
        eng = db.engine
        os.sched_setaffinity(0, {eng.cpus[0]})
        try:
            time.sleep(0.05)   # (both workers asleep by now)
            db.insert("events", batch)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not all(
                    lib.lc_pool_busy_ns(eng.pool, w) for w in range(2)):
                time.sleep(0.001)
            assert all(lib.lc_pool_busy_ns(eng.pool, w) for w in range(2))
        finally:
            os.sched_setaffinity(0, allowed)
        db.end_input("events")
        assert _bits(sub.to_arrow()) == _bits(want)


ROUTED_SQL = """
CREATE SOURCE m (ts BIGINT, k BIGINT, v DOUBLE, r REAL, s VARCHAR, i BIGINT,
                 WATERMARK FOR ts AS ts - INTERVAL '0.3' SECOND);
CREATE STREAM per_window AS
SELECT {key}, window_start, COUNT(*) AS c, SUM(v) AS sv, AVG(v) AS av, MIN(v) AS mnv,
       MAX(v) AS mxv, MAX(r) AS mxr, MIN(s) AS mns, SUM(i) AS si
FROM TABLE(TUMBLE(TABLE m, DESCRIPTOR(ts), INTERVAL '1' SECOND))
GROUP BY {key}, window_start, window_end
EMIT ON WINDOW CLOSE;
"""


@pytest.mark.parametrize("window", [
    "TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND)",
    "HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '250' MILLISECOND, INTERVAL '1' SECOND)"])
def test_the_differential_tests_routed_cut_routes_windows_by_key(window):
    """Every differential test runs its stream under CUTS, one of which routes a
    pre-aggregated TUMBLE's or sliced HOP's windows by key: that it does (and the others do
    not), so those tests cover windows of both kinds."""
    routed = [c for c in CUTS if c.endswith("/routed")]
    assert routed
    events = random_events(400, 3, keys=8)
    for cut in (*routed, routed[0].split("/")[0]):
        with routing(cut), laminarc.open(workers=workers_of(cut)) as db:
            db.execute(EVENTS_DDL.format(delay=0) + f"""CREATE STREAM w AS
                SELECT k, window_start, COUNT(*) AS c
                FROM TABLE({window})
                GROUP BY k, window_start, window_end;""")
            bounds = cuts_of(events.num_rows, cut, 1)
            for a, b in itertools.pairwise(bounds):
                db.insert("events", events.slice(a, b - a))
            db.end_input("events")
            routed_from = db.metrics()["streams"]["w"]["routed_from_window"]
        assert (routed_from is not None) == cut.endswith("/routed"), cut


@pytest.mark.parametrize("window", ["TUMBLE(TABLE m, DESCRIPTOR(ts), INTERVAL '1' SECOND)",
                                    "HOP(TABLE m, DESCRIPTOR(ts), INTERVAL '250' MILLISECOND, "
                                    "INTERVAL '1' SECOND)"])
def test_a_windows_groups_come_out_in_order_of_their_first_rows(window, monkeypatch):
    """Within a window, groups are emitted in the order of their first rows in the source,
    computed here from the rows alone, on 1 worker and on 2 and 3 routed by key after their
    open windows or slices are re-dealt (which reorders the tables they gained groups in).
    Thousands of groups a window, so that the runtime's radix sort of first rows runs."""
    from laminarc.runtime import pipelines
    monkeypatch.setattr(pipelines, "ROUTE_BYTES", 20_000)
    rng = np.random.default_rng(9)
    n = 30_000
    ts = np.sort(rng.integers(0, 6_000, n))
    keys = rng.integers(0, 4_000, n)
    data = pa.table({"ts": ts, "k": keys, "v": rng.random(n), "r": pa.array(
        rng.random(n), pa.float32()), "s": [f"s{x}" for x in keys], "i": np.arange(n)})
    hop = window.startswith("HOP")
    want = []
    for start in range(-750 if hop else 0, 6_000, 250 if hop else 1_000):
        rows = np.flatnonzero((ts >= start) & (ts < start + 1_000))
        _, first = np.unique(keys[rows], return_index=True)
        want += [(start, int(k)) for k in keys[rows][np.sort(first)]]
    sql = ROUTED_SQL.format(key="k").replace(
        "TUMBLE(TABLE m, DESCRIPTOR(ts), INTERVAL '1' SECOND)", window)
    for workers in (1, 2, 3):
        with laminarc.open(workers=workers) as db:
            db.execute(sql)
            sub = db.subscribe("per_window")
            for at in range(0, n, 4_096):
                db.insert("m", data.slice(at, 4_096))
            db.end_input("m")
            got = sub.to_arrow()
            routed = db.metrics()["streams"]["per_window"]["routed_from_window"]
        assert (routed is None) == (workers == 1)
        starts = got.column("window_start").cast(pa.int64()).to_pylist()
        assert list(zip(starts, got.column("k").to_pylist(), strict=True)) == want, workers


def test_the_route_starts_with_the_chunk_after_a_worker_finds_its_window_big(monkeypatch):
    """A worker says when its window holds enough groups for the route (ROUTE_BYTES, made
    tiny here), as it ends a chunk: the next chunk handed over starts the route though none
    was collected, as when a stream's inserts keep chunks in flight. Results are one worker's."""
    from laminarc.runtime import pipelines
    from laminarc.runtime.native import INT64_MAX
    monkeypatch.setattr(pipelines, "ROUTE_BYTES", 20_000)
    rng = np.random.default_rng(4)
    n = 40_000
    keys = rng.integers(0, 30_000, n)
    data = pa.table({"ts": np.sort(rng.integers(0, 3_000, n)), "k": keys, "v": rng.random(n),
                     "r": pa.array(rng.random(n), pa.float32()),
                     "s": [f"s{x}" for x in keys], "i": np.arange(n)})
    outs = []
    for workers in (1, 2):
        with laminarc.open(workers=workers) as db:
            db.execute(ROUTED_SQL.format(key="k"))
            sub = db.subscribe("per_window")
            p = db.engine.sources["m"].relation.consumers[0]
            db.insert("m", data.slice(0, 10_000))   # (handed over: nothing collects it)
            if workers == 2:
                deadline = time.monotonic() + 60
                while not p.route_wanted[0]:
                    assert time.monotonic() < deadline, "no worker asked for the route"
                    time.sleep(0.001)
                assert p.route_from == INT64_MAX
            db.insert("m", data.slice(10_000, 10_000))
            if workers == 2:
                assert p.route_from == 0   # (rows of window 0 only so far: it was re-dealt)
            db.insert("m", data.slice(20_000))
            db.end_input("m")
            outs.append(sub.to_arrow())
    assert _bits(outs[1]) == _bits(outs[0])


@pytest.mark.parametrize(("key", "shape"), [("k", "alone"), ("s", "beside"), ("k", "over"),
                                            ("k", "hop"), ("s", "hop")])
def test_windows_routed_by_key_give_one_workers_results_bit_for_bit(key, shape, monkeypatch):
    """A pre-aggregated TUMBLE whose windows hold many groups is routed by key once a chunk
    finds them big (ROUTE_BYTES, made tiny here): the groups its workers dealt in blocks to
    the open windows are re-dealt by key (with their strings, NULL keys, first rows and
    partial float sums), later rows route, late rows of closed windows arrive in the same
    chunks, and every float sum, zero sign and NaN still comes out as one worker's, for any
    cut. `beside`: a second stream on the source, so chunks take the
    engine's other path (prepared with the stream's, not handed over alone). `over`: the
    window is over a stream that projects the source, so the partition kernel computes the
    event time it numbers windows by (it once left it 0: every row went to its block's
    worker, and a routed window's group came out once per worker). `hop`: a sliced HOP (8
    slices a window), whose open slices are re-dealt by key when the route starts (with
    their strings, NULL keys and partial float sums), late rows then reaching re-dealt
    slices that cached blocks held."""
    from laminarc.runtime import pipelines
    monkeypatch.setattr(pipelines, "ROUTE_BYTES", 20_000)
    data = _preagg_data(40_000, 5)
    rng = np.random.default_rng(5)
    keys = rng.integers(0, 3_000, data.num_rows)
    data = data.set_column(1, "k", pa.array(keys, mask=rng.random(data.num_rows) < 0.02))
    data = data.set_column(4, "s", pa.array([f"key{x}" for x in keys],
                                            mask=rng.random(data.num_rows) < 0.02))
    sql = ROUTED_SQL.format(key=key)
    if shape == "beside":
        sql += "CREATE STREAM copy AS SELECT ts, k FROM m WHERE i > 3;"
    if shape == "over":
        sql = sql.replace("TABLE(TUMBLE(TABLE m,", "TABLE(TUMBLE(TABLE p,").replace(
            "CREATE STREAM per_window", "CREATE STREAM p AS SELECT k, s, i, v, r, ts "
            "FROM m;\nCREATE STREAM per_window")
    if shape == "hop":
        sql = sql.replace("TUMBLE(TABLE m, DESCRIPTOR(ts), INTERVAL '1' SECOND)",
                          "HOP(TABLE m, DESCRIPTOR(ts), INTERVAL '125' MILLISECOND, "
                          "INTERVAL '1' SECOND)")

    def run(workers: int, seed: int) -> tuple[pa.Table, object]:
        cut = random.Random(seed)
        with laminarc.open(workers=workers) as db:
            db.execute(sql)
            if shape == "hop":   # (sliced: each row goes to one slice of 125 ms)
                assert db.engine.sources["m"].relation.consumers[0].spec.aggregate.slice == 125
            sub = db.subscribe("per_window")
            at = 0
            while at < data.num_rows:
                size = cut.choice([1, 7, 61, 500, 3000, 20_000])
                if cut.random() < 0.1:
                    db.watermark("m", int(data.column("ts")[max(0, at - 1)].as_py()) - 700)
                if cut.random() < 0.2:
                    db.metrics()   # (collects the chunks in flight: the next ones may route)
                db.insert("m", data.slice(at, size))
                at += size
            db.end_input("m")
            return sub.to_arrow(), db.metrics()["streams"]["per_window"]["routed_from_window"]

    base, none = run(1, 1)
    assert none is None and base.num_rows > 20_000
    for workers, seed in ((2, 2), (3, 3), (2, 4)):
        out, routed_from = run(workers, seed)
        # (windows are numbered from 0 here, a HOP's from -11, its rows' from -400 ms: a
        # TUMBLE's route comes in its first or second window, which it re-deals, a HOP's
        # after some windows closed, with rows of the next ones in slices it re-deals)
        assert routed_from is not None, workers
        assert routed_from > -11 if shape == "hop" else routed_from <= 1, (workers, routed_from)
        assert _bits(out) == _bits(base), workers


def test_windows_dealt_whole_then_routed_by_key_give_one_workers_results(monkeypatch):
    """A TUMBLE dealing whole windows (at random chunk by chunk, weighted) whose windows come
    to hold many groups: the route starts with open windows that one worker holds whole, or
    that blocks spread over all, and re-deals them by key; late rows then meet windows closed
    either way. Results, late-row counts included, are one worker's."""
    from laminarc.runtime import pipelines
    monkeypatch.setattr(pipelines, "ROUTE_BYTES", 175_000)   # (~700 groups)
    _flip_deals(monkeypatch, 13)
    data = _preagg_data(40_000, 6)
    rng = np.random.default_rng(6)
    ts = data.column("ts").to_numpy()
    keys = rng.integers(0, 5 + np.maximum(ts, 0) // 8)   # (a few keys at first, ~2,500 at last)
    data = data.set_column(1, "k", pa.array(keys, mask=rng.random(data.num_rows) < 0.02))

    def run(workers: int, seed: int) -> tuple[pa.Table, int, set, object]:
        cut = random.Random(seed)
        dealt = set()
        with laminarc.open(workers=workers) as db:
            db.execute(ROUTED_SQL.format(key="k"))
            sub = db.subscribe("per_window")
            at = 0
            while at < data.num_rows:
                size = cut.choice([7, 61, 500, 3000])
                if cut.random() < 0.1:
                    db.watermark("m", int(data.column("ts")[max(0, at - 1)].as_py()) - 700)
                if cut.random() < 0.2:
                    m = db.metrics()["streams"]["per_window"]
                    if m["routed_from_window"] is None:
                        dealt.add(m["dealt_from_window"])
                db.insert("m", data.slice(at, size))
                at += size
            db.end_input("m")
            m = db.metrics()["streams"]["per_window"]
            return sub.to_arrow(), m["late_rows"], dealt, m["routed_from_window"]

    base, late, _, none = run(1, 1)
    assert none is None and late > 0 and base.num_rows > 10_000
    for workers, seed in ((2, 2), (3, 3), (2, 4)):
        out, late_w, dealt, routed_from = run(workers, seed)
        assert dealt - {None} and routed_from is not None and routed_from >= 4, (
            workers, dealt, routed_from)
        assert late_w == late, workers
        assert _bits(out) == _bits(base), workers


@pytest.mark.parametrize("workers", [2, 3])
def test_merging_windows_whose_workers_saw_different_groups(workers):
    """Each worker's partial table of a window holds groups the others never saw (a string key
    per row, mostly unique): the merge folds them into one worker's table, which grows and
    takes their strings, and emits every group once, in order of its first row, as one worker
    does."""
    rng = np.random.default_rng(7)
    n = 30_000
    ts = np.sort(rng.integers(0, 6_000, n))
    keys = [f"key-{x:06d}-{'x' * int(x % 40)}" for x in rng.integers(0, 20_000, n)]
    data = pa.table({"ts": ts, "s": keys, "v": rng.random(n)})
    sql = """CREATE SOURCE t (ts BIGINT, s VARCHAR, v DOUBLE, WATERMARK FOR ts AS ts);
        CREATE STREAM w AS SELECT s, window_start, COUNT(*) AS c, SUM(v) AS sv, MAX(s) AS ms
        FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' SECOND))
        GROUP BY s, window_start, window_end EMIT ON WINDOW CLOSE;"""

    def run(w: int) -> pa.Table:
        with laminarc.open(workers=w) as db:
            db.execute(sql)
            assert db.engine.sources["t"].relation.consumers[0].spec.preaggregated
            sub = db.subscribe("w")
            for lo in range(0, n, 7_000):
                db.insert("t", data.slice(lo, 7_000))
            db.end_input("t")
            return sub.to_arrow()

    base = run(1)
    assert base.num_rows > 10_000
    assert _bits(run(workers)) == _bits(base)


def test_pre_aggregated_min_max_prefer_the_zero_whose_sign_orders_it():
    """MAX of 0.0 and -0.0 is 0.0 and MIN is -0.0 whichever came first (IEEE total order),
    so the result cannot depend on which worker saw which zero."""
    with laminarc.open(workers=1) as db:
        db.execute("""CREATE SOURCE z (ts BIGINT, v DOUBLE, WATERMARK FOR ts AS ts);
                      CREATE STREAM mm AS SELECT MIN(v) AS lo, MAX(v) AS hi
                      FROM TABLE(TUMBLE(TABLE z, DESCRIPTOR(ts), INTERVAL '1' SECOND))
                      GROUP BY window_start, window_end EMIT ON WINDOW CLOSE;""")
        sub = db.subscribe("mm")
        db.insert("z", pa.table({"ts": [1, 2, 1001, 1002], "v": [0.0, -0.0, -0.0, 0.0]}))
        db.end_input("z")
        rows = sub.to_arrow().to_pylist()
    for r in rows:
        assert math.copysign(1, r["lo"]) == -1 and math.copysign(1, r["hi"]) == 1


@pytest.mark.parametrize("workers", [1, 2])
def test_a_null_string_key_with_bytes_in_its_arrow_slot(workers):
    """Arrow lets a NULL string slot span bytes; a NULL key keeps none of them (its group's
    room was counted without them), in pre-aggregated windows and in a changelog alike."""
    n = 3000
    data = b"abcde" * n
    offsets = pa.array([5 * i for i in range(n + 1)], pa.int32()).buffers()[1]
    valid = pa.array([i % 3 != 0 for i in range(n)]).buffers()[1]
    s = pa.StringArray.from_buffers(n, offsets, pa.py_buffer(data), valid)
    batch = pa.record_batch({"ts": pa.array(range(n), pa.int64()), "s": s})
    with laminarc.open(workers=workers) as db:
        db.execute("""CREATE SOURCE t (ts BIGINT, s VARCHAR, WATERMARK FOR ts AS ts);
            CREATE STREAM w AS SELECT s, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE t,
                DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY s, window_start, window_end
                EMIT ON WINDOW CLOSE;
            CREATE MATERIALIZED VIEW g AS SELECT s, COUNT(*) AS c FROM t GROUP BY s;""")
        sub = db.subscribe("w")
        db.insert("t", batch)
        db.end_input("t")
        rows = sub.to_arrow().to_pylist()
        assert sorted(r["c"] for r in rows if r["s"] is None) == [333, 333, 334]
        assert sum(r["c"] for r in rows if r["s"] == "abcde") == n - 1000
        view = {r["s"]: r["c"] for r in db.query("SELECT * FROM g").to_pylist()}
        assert view == {None: 1000, "abcde": n - 1000}


TWO_SOURCES_SQL = """
CREATE SOURCE a (ts BIGINT, k BIGINT, v DOUBLE, WATERMARK FOR ts AS ts - INTERVAL '0.2' SECOND);
CREATE SOURCE b (ts BIGINT, k BIGINT, v DOUBLE, WATERMARK FOR ts AS ts);
CREATE STREAM a1 AS SELECT k, window_start, COUNT(*) AS c, SUM(v) AS sv
FROM TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '1' SECOND))
GROUP BY k, window_start, window_end EMIT ON WINDOW CLOSE;
CREATE STREAM a2 AS SELECT k % 3 AS g, window_start, MAX(v) AS mx, COUNT(*) AS c
FROM TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '3' SECOND))
GROUP BY k % 3, window_start, window_end EMIT ON WINDOW CLOSE;
CREATE STREAM b1 AS SELECT k, window_start, SUM(v) AS sv, MIN(v) AS mn
FROM TABLE(TUMBLE(TABLE b, DESCRIPTOR(ts), INTERVAL '2' SECOND))
GROUP BY k, window_start, window_end EMIT ON WINDOW CLOSE;
CREATE STREAM b2 AS SELECT window_start, COUNT(*) AS c, AVG(v) AS av
FROM TABLE(TUMBLE(TABLE b, DESCRIPTOR(ts), INTERVAL '1' SECOND))
GROUP BY window_start, window_end EMIT ON WINDOW CLOSE;
"""


def _two_sources(workers: int, seed: int, dealt: list | None = None) -> dict[str, list]:
    """Chunks of two sources interleaved, each source with two pre-aggregated pipelines: the
    engine collects the chunks in flight in runs of one source (every pipeline of a run in
    one native call each), polls in between collect everything, and some late rows. With
    `dealt`, every third insert polls, and `dealt` gets the streams dealing whole windows
    then."""
    rng = np.random.default_rng(seed)
    with laminarc.open(workers=workers) as db:
        db.execute(TWO_SOURCES_SQL)
        assert workers == 1 or all(db.engine.sources[s].relation.preaggregated
                                   for s in ("a", "b"))
        subs = {s: db.subscribe(s) for s in ("a1", "a2", "b1", "b2")}
        got: dict[str, list] = {s: [] for s in subs}
        at = {"a": 0, "b": 0}
        for i in range(40):
            src = "a" if rng.random() < 0.6 else "b"
            n = int(rng.choice([9_000, 20_000, 65_536]))
            ts = at[src] + np.sort(rng.integers(0, n // 10, n)) + rng.integers(-300, 300, n)
            at[src] += n // 10
            db.insert(src, {"ts": ts, "k": rng.integers(0, 50, n),
                            "v": rng.random(n) * rng.choice([1e12, 1.0, -3.0], n)})
            if i % 9 == 8 or (dealt is not None and i % 3 == 2):
                if dealt is not None:
                    dealt.append({s for s, m in db.metrics()["streams"].items()
                                  if m.get("dealt_from_window") is not None})
                for s, sub in subs.items():
                    while (x := sub.poll()) is not None:
                        got[s] += x.to_pylist()
        db.end_input("a")
        db.end_input("b")
        for s, sub in subs.items():
            got[s] += sub.to_arrow().to_pylist()
    return got


@pytest.mark.parametrize("deal", ["chosen", "flipped"])
def test_bursts_of_two_sources_chunks_give_one_workers_results(deal, monkeypatch):
    """Several streams deal whole windows at once, on one source and on both: as their dealers
    chooses from the rows their windows hold (`chosen`), and (`flipped`) each its own way at
    random chunk by chunk, blocks or whole windows, weighted (every worker's queue counts
    the tasks of all four)."""
    base = _two_sources(1, 5)
    assert all(len(rows) > 20 for rows in base.values())
    if deal == "flipped":
        _flip_deals(monkeypatch, 11)
    for workers in (2, 3):
        dealt: list[set] = []
        assert _two_sources(workers, 5, dealt) == base, workers
        assert any({"a1", "a2"} <= d and d & {"b1", "b2"} for d in dealt), (workers, dealt)


@pytest.mark.parametrize("force", [1, 2, 0], ids=["branching", "branch-free", "chosen"])
def test_a_filters_loops_split_over_workers_keep_rows_and_order(force):
    """A stateless filter with both loops (lc_pipe.free_dense), its chunks split by row
    ranges over the workers: forced to either loop or left to choose (runs of at least 2,048
    rows are timed, so both run), 2 workers give one worker's rows in order, nulls included,
    for inserts cut at random."""
    rng = np.random.default_rng(5)
    n = 200_000
    v = pa.array(rng.integers(-50, 50, n), mask=rng.random(n) < 0.1)
    data = pa.table({"ts": np.arange(n, dtype=np.int64), "v": v, "x": rng.random(n)})
    sql = """CREATE SOURCE s (ts BIGINT, v BIGINT, x DOUBLE,
                              WATERMARK FOR ts AS ts - INTERVAL '5' MILLISECOND);
             CREATE STREAM f AS SELECT ts, v * 2 AS v2, x > 0.5 AS big FROM s
             WHERE v >= 0 OR x < 0.25;"""
    got = []
    for workers in (1, 2):
        with laminarc.open(workers=workers) as db:
            db.execute(sql)
            sub = db.subscribe("f")   # (before it, the stream does not run)
            consumer = db.engine.sources["s"].relation.consumers[0]
            pipes = getattr(consumer, "pipes", None) or [consumer.pipe]
            assert all(p.free_dense != ffi.NULL for p in pipes)
            for p in pipes:
                p.loop_force = force
            lo = 0
            while lo < n:
                rows = int(rng.choice([100, 3000, 20_000, 70_000]))
                db.insert("s", data.slice(lo, rows))
                lo += rows
            db.end_input("s")
            got.append(sub.to_arrow())
            if force == 0:   # each worker's pipe tried both loops
                assert all(p.loop_cost_branching > 0 and p.loop_cost_free > 0 for p in pipes)
    keep = pc.or_kleene(pc.greater_equal(data["v"], 0), pc.less(data["x"], 0.25))
    want = data.filter(keep)
    assert got[0].column("ts").to_pylist() == want.column("ts").to_pylist()
    assert got[1].equals(got[0])


ERRORS_DDL = EVENTS_DDL.format(delay=500)
WHERE_ERRORS = "WHERE i / (i - i) > 1 OR (v > 0 AND i % 7 = 1)"   # i / 0 for every non-NULL i


@pytest.mark.parametrize("sql", [
    f"SELECT k, COUNT(*) AS c FROM events {WHERE_ERRORS} GROUP BY k",
    f"SELECT COUNT(*) AS c, SUM(v) AS sv FROM events {WHERE_ERRORS}",
    f"SELECT DISTINCT k, s FROM events {WHERE_ERRORS}",
    "SELECT window_start, k, COUNT(DISTINCT s) AS ds FROM TABLE(TUMBLE(TABLE events, "
    f"DESCRIPTOR(ts), INTERVAL '2' SECOND)) {WHERE_ERRORS} GROUP BY window_start, window_end, k",
    "SELECT window_start, k, SUM(v) AS sv FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), "
    f"INTERVAL '2' SECOND)) {WHERE_ERRORS} GROUP BY window_start, window_end, k EMIT CHANGES",
    # a filter on window bounds stays above the window: evaluated once per (row, window)
    "SELECT window_start, k, COUNT(*) AS c FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), "
    "INTERVAL '1' SECOND, INTERVAL '3' SECOND)) WHERE i / (i - i) > 1 OR window_end < ts "
    "GROUP BY window_start, window_end, k",
    # the grouping key itself divides by zero: errors of rows that reach a worker
    "SELECT k / (k - k) AS z, COUNT(*) AS c FROM events WHERE i > 0 GROUP BY k / (k - k)",
    # pre-aggregated, then routed by key (ROUTE_BYTES made tiny): a kernel drops rows too
    "SELECT window_start, k, COUNT(*) AS c, SUM(v) AS total FROM TABLE(TUMBLE(TABLE events, "
    f"DESCRIPTOR(ts), INTERVAL '1' MINUTE)) {WHERE_ERRORS} GROUP BY window_start, window_end, k",
], ids=["changelog", "global", "distinct", "window-distinct", "emit-changes", "hop-bounds",
        "key", "routed"])
def test_expression_errors_are_counted_as_one_worker_counts_them(sql, monkeypatch):
    """A keyed pipeline's partition kernel drops the rows its filters reject before any
    worker sees them; their expression errors are counted there, as one worker counts them
    (they were once lost: 2 workers counted none of a WHERE's errors on rows it dropped)."""
    from laminarc.runtime import pipelines
    monkeypatch.setattr(pipelines, "ROUTE_BYTES", 500)
    events = random_events(3_000, 7, keys=400)
    counts = []
    for workers, seed in ((1, 1), (2, 2), (3, 3), (2, 4)):
        cut = random.Random(seed)
        with laminarc.open(workers=workers) as db:
            db.execute(ERRORS_DDL + f"CREATE STREAM out AS {sql};")
            sub = db.subscribe("out")
            at = 0
            while at < events.num_rows:
                size = cut.choice([1, 13, 200, 1_000])
                db.insert("events", events.slice(at, size))
                at += size
            db.end_input("events")
            sub.to_arrow()
            counts.append(db.metrics()["expression_errors"])
            if workers > 1 and "AS total" in sql:
                assert db.metrics()["streams"]["out"]["routed_from_window"] is not None
    assert counts[0] > 1_000
    assert counts == [counts[0]] * 4
