"""`laminarc bench`: W1 and Nexmark on laminarc, and with --compare on the peers installed
(`pip install laminarc[bench]`): DuckDB's batch equivalent of each query and LaminarDB.

Every measurement runs in a fresh process (its peak memory and JIT state are its own). The
input is generated before the clock starts; events/s is the number of events (for Nexmark: of
all three kinds) over the seconds from the first insert to the last result row (DuckDB: the
query over the tables already in memory). CPU time counts every thread of the process.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field

SYSTEMS = ("laminarc", "duckdb", "laminardb")
W1_DUCKDB = """SELECT k, ts // 1000 * 1000 AS window_start, COUNT(*) AS cnt, SUM(v) AS sum_v,
    MAX(v) AS max_v FROM events GROUP BY ALL"""
# LaminarDB 0.17 (see ../shared/peers/w1_laminardb.py): integer window sizes; its watermark is
# per batch, so rows older than max(batch) - delay are dropped: the delay must exceed a batch's
# span of event time (6.5 s for Nexmark's 65,536 events at 10,000 events/s).
W1_LAMINARDB = """CREATE SOURCE events (ts BIGINT, k BIGINT, v DOUBLE,
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);
CREATE STREAM w1 AS SELECT k, TUMBLE(ts, 1000) AS window_start, COUNT(*) AS cnt,
    SUM(v) AS sum_v, MAX(v) AS max_v FROM events GROUP BY k, TUMBLE(ts, 1000)
    EMIT ON WINDOW CLOSE"""
NEXMARK_LAMINARDB_SOURCE = """CREATE SOURCE bid (auction BIGINT, bidder BIGINT, price BIGINT,
    channel VARCHAR, url VARCHAR, dateTime TIMESTAMP(3), extra VARCHAR,
    WATERMARK FOR dateTime AS dateTime - INTERVAL '10' SECOND)"""
# The queries LaminarDB 0.17 runs, in its dialect (its MOD and regexp_extract give no rows:
# `%` and regexp_match stand in); the rest it lacks (processing time, COUNT_CHAR, FILTER with
# DISTINCT, DATE_FORMAT patterns).
NEXMARK_LAMINARDB = {
    "q0": "SELECT auction, bidder, price, dateTime, extra FROM bid",
    "q1": "SELECT auction, bidder, 0.908 * price AS price, dateTime, extra FROM bid",
    "q2": "SELECT auction, price FROM bid WHERE auction % 123 = 0",
    "q22": "SELECT auction, bidder, price, channel, split_part(url, '/', 4) AS dir1, "
           "split_part(url, '/', 5) AS dir2, split_part(url, '/', 6) AS dir3 FROM bid",
}


@dataclass
class Job:
    system: str
    workload: str          # "w1" or a Nexmark query
    events: int
    workers: int | None = None
    seed: int = 0
    batch_rows: int = 65_536


@dataclass
class Result:
    system: str
    workload: str
    events: int
    seconds: float
    events_per_s: float
    cpu_ns_per_event: float
    peak_rss_mib: float
    rows: int
    exact: bool | None = None     # W1: checked against numpy
    note: str = ""
    workers: list = field(default_factory=list)
    compile_seconds: float = 0.0  # laminarc: the CREATE statements, before the clock starts
    feeder_cpu_seconds: float = 0.0   # laminarc: CPU of the thread calling insert (with one
    #                                   worker it runs the pipeline itself)


# -- one measurement (in a child process) ----------------------------------------------------
def _rusage() -> tuple[float, float]:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime, r.ru_maxrss / 1024


def measure(job: Job) -> Result:
    fn = {"laminarc": _laminarc, "duckdb": _duckdb, "laminardb": _laminardb}[job.system]
    return fn(job)


def _nexmark_batches(job: Job) -> list:
    from .nexmark import generate

    return list(generate(job.events, seed=job.seed, batch_size=job.batch_rows))


@dataclass
class Fed:
    """What `feed` measured."""

    rows: int              # result rows
    seconds: float         # from the first insert to the last result row
    cpu_seconds: float     # of every thread of the process, over the same span
    table: object = None   # the result (a pyarrow Table), when kept
    feeder_cpu_seconds: float = 0.0   # of the inserting thread alone, over the same span


def feed(db, stream: str, inputs: list, sources: list[str], keep: bool = False,
         drain_every: int = 64) -> Fed:
    """The measured loop: subscribe to `stream`, insert `inputs` ((source, batch) pairs) into
    `db` (a laminarc database or compiled pipeline, its statements already run), draining the
    results every `drain_every` batches (big outputs, q0's, need not pile up), then end every
    one of `sources` and drain the rest."""
    sub = db.subscribe(stream)
    kept: list | None = [] if keep else None
    rows = 0

    def take(b) -> None:
        nonlocal rows
        rows += b.num_rows
        if kept is not None:
            kept.append(b)

    cpu0, _ = _rusage()
    feeder0 = time.thread_time()
    t0 = time.perf_counter()
    for i, (source, batch) in enumerate(inputs):
        db.insert(source, batch)
        if i % drain_every == drain_every - 1:
            while (b := sub.poll()) is not None:
                take(b)
    for source in sources:
        db.end_input(source)
    for b in sub:
        take(b)
    seconds = time.perf_counter() - t0
    feeder = time.thread_time() - feeder0
    cpu1, _ = _rusage()
    table = None
    if kept is not None:
        import pyarrow as pa

        table = pa.Table.from_batches(kept, schema=sub.schema)
    return Fed(rows, seconds, cpu1 - cpu0, table, feeder)


def _laminarc(job: Job) -> Result:
    from . import open as open_db
    from .nexmark import NEXMARK_DDL, SOURCES
    from .nexmark_queries import query_sql
    from .workloads import W1_SQL, w1_batches, w1_check

    if job.workload == "w1":
        inputs = [("events", b) for b in w1_batches(job.events, job.batch_rows)]
        sql, stream, sources = W1_SQL, "w1", ["events"]
    else:
        inputs = _nexmark_batches(job)
        sql, stream, sources = NEXMARK_DDL + query_sql(job.workload), job.workload, SOURCES
    db = open_db(workers=job.workers)
    t0 = time.perf_counter()
    db.execute(sql)
    compile_seconds = time.perf_counter() - t0
    fed = feed(db, stream, inputs, sources, keep=job.workload == "w1")
    _, peak = _rusage()   # before the check below allocates its own arrays
    workers = db.metrics()["workers"]
    db.close()
    exact = None if fed.table is None else w1_check(fed.table, job.events)["exact"]
    return Result("laminarc", job.workload, job.events, fed.seconds, job.events / fed.seconds,
                  fed.cpu_seconds / job.events * 1e9, peak, fed.rows, exact, workers=workers,
                  compile_seconds=compile_seconds, feeder_cpu_seconds=fed.feeder_cpu_seconds)


def _duckdb(job: Job) -> Result:
    import duckdb
    import pyarrow as pa

    from .nexmark import SCHEMAS, SOURCES
    from .nexmark_queries import duckdb_sql
    from .workloads import w1_batches

    if job.workload == "w1":
        tables = {"events": pa.Table.from_batches(w1_batches(job.events, job.batch_rows))}
        sql = W1_DUCKDB
    else:
        batches: dict[str, list] = {s: [] for s in SOURCES}
        for source, batch in _nexmark_batches(job):
            batches[source].append(batch)
        tables = {s: pa.Table.from_batches(b, schema=SCHEMAS[s]) for s, b in batches.items()}
        sql = duckdb_sql(job.workload)
    con = duckdb.connect()
    if job.workers:
        con.execute(f"SET threads = {int(job.workers)}")
    for name, t in tables.items():
        con.register(name, t)
    cpu0, _ = _rusage()
    t0 = time.perf_counter()
    result = con.sql(sql).to_arrow_table()
    seconds = time.perf_counter() - t0
    cpu1, peak = _rusage()
    exact = None
    if job.workload == "w1":
        from .workloads import w1_check

        exact = w1_check(result, job.events)["exact"]
    return Result("duckdb", job.workload, job.events, seconds, job.events / seconds,
                  (cpu1 - cpu0) / job.events * 1e9, peak, result.num_rows, exact,
                  note="batch")


def _laminardb(job: Job) -> Result:
    import laminardb
    import pyarrow as pa

    from .workloads import w1_batches, w1_check

    if job.workload == "w1":
        batches = w1_batches(job.events, job.batch_rows)
        ddl, stream, source = W1_LAMINARDB, "w1", "events"
        final = [pa.record_batch({"ts": [(job.events - 1) // 100 + 100_000], "k": [-1],
                                  "v": [0.0]})]
    else:
        q = NEXMARK_LAMINARDB.get(job.workload)
        if q is None:
            raise NotImplementedError(f"LaminarDB 0.17 has no equivalent of {job.workload}")
        batches = [b for s, b in _nexmark_batches(job) if s == "bid"]
        ddl = f"{NEXMARK_LAMINARDB_SOURCE};\nCREATE STREAM {job.workload} AS {q}"
        stream, source, final = job.workload, "bid", []
    conn = laminardb.open(":memory:")
    for statement in ddl.split(";\n"):
        conn.execute(statement)
    conn.start()
    sub = conn.subscribe_stream(stream)
    writer = conn.writer(source)
    kept, rows = [], 0
    total_rows = sum(b.num_rows for b in batches)
    cpu0, _ = _rusage()
    t0 = last = time.perf_counter()

    def drain() -> None:
        nonlocal rows, last
        while (r := sub.try_next()) is not None:
            t = r.arrow()
            rows += t.num_rows
            last = time.perf_counter()
            if job.workload == "w1":
                kept.append(t)

    for b in batches:
        writer.insert(b)
        drain()
    writer.flush()
    # insert() only enqueues: wait until the source consumed every row
    deadline = time.perf_counter() + 120
    while conn.metrics().total_events_ingested < total_rows and time.perf_counter() < deadline:
        drain()
        time.sleep(0.0005)
    for b in final:   # a far-future row closes W1's windows (its own never closes)
        writer.insert(b)
    writer.flush()
    # The output has ended once we hold all LaminarDB emitted, it completed a cycle since every
    # row was in (or 30 s passed: that cycle may have come just before), and 0.3 s passed without
    # rows. A quiet period alone ends too early: its first cycle after the input can come
    # seconds later (q22). W1's row count is known.
    expected = job.events // 100 // 1000 * 1000 if job.workload == "w1" else None
    cycles, ingested, settled = conn.metrics().total_cycles, time.perf_counter(), None
    while time.perf_counter() < deadline:
        drain()
        if expected is not None and rows >= expected:
            break
        m, now = conn.metrics(), time.perf_counter()
        if settled is None and rows >= m.total_events_emitted and (
                m.total_cycles > cycles or now - ingested >= 30):
            settled = now
        if settled is not None and now - last >= 0.3:
            break
        time.sleep(0.001)
    seconds = (last if rows else settled or time.perf_counter()) - t0   # to the last result row
    cpu1, peak = _rusage()
    if expected is not None:
        time.sleep(0.3)   # rows emitted twice make W1 inexact (untimed)
        drain()
    conn.close()
    exact = w1_check(pa.concat_tables(kept), job.events)["exact"] if kept else None
    return Result("laminardb", job.workload, job.events, seconds, job.events / seconds,
                  (cpu1 - cpu0) / job.events * 1e9, peak, rows, exact)


# -- driving measurements ---------------------------------------------------------------------
def run_job(job: Job, timeout: float = 3600) -> Result:
    """One measurement in a fresh process."""
    p = subprocess.run([sys.executable, "-m", "laminarc.bench", json.dumps(asdict(job))],
                       capture_output=True, text=True, timeout=timeout)
    if p.returncode:
        lines = [line for line in p.stderr.strip().splitlines() if line.strip()]
        raise RuntimeError(lines[-1] if lines else f"exit status {p.returncode}")
    return Result(**json.loads(p.stdout.strip().splitlines()[-1]))


def available(system: str) -> bool:
    import importlib.util

    return system == "laminarc" or importlib.util.find_spec(system) is not None


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpu": cpu, "cpus": len(os.sched_getaffinity(0)), "memory_gib": round(mem, 1),
            "python": platform.python_version(), "platform": platform.platform()}


def median_result(results: list[Result]) -> Result:
    """The run with the median events/s (the figure reported)."""
    ordered = sorted(results, key=lambda r: r.events_per_s)
    return ordered[(len(ordered) - 1) // 2]


# Results whose row counts legitimately differ between systems: changelogs (updates, against a
# batch query's final rows) and processing-time windows.
UNCOMPARABLE_ROWS = ("q12", "q15", "q16", "q17")


def wrong(r: Result, rows: list[Result]) -> int | None:
    """DuckDB's row count when `r` (another system's) differs from it on the same query."""
    b = next((x for x in rows if x.system == "duckdb" and x.workload == r.workload), None)
    if r.system == "duckdb" or b is None or r.workload in UNCOMPARABLE_ROWS or r.rows == b.rows:
        return None
    return b.rows


def table(rows: list[Result]) -> str:
    """A Markdown table of the results, with laminarc's speed-up over each peer measured; a
    result whose rows differ from DuckDB's batch answer says so."""
    head = "| workload | system | events/s | CPU ns/event | peak RSS MiB | rows | note |"
    lines = [head, "|---|---|---:|---:|---:|---:|---|"]
    ours = {r.workload: r for r in rows if r.system == "laminarc"}
    for r in rows:
        note = r.note
        if r.exact is not None:
            note = (note + "; " if note else "") + ("exact" if r.exact else "NOT EXACT")
        expected = wrong(r, rows)
        if expected is not None:
            note = (note + "; " if note else "") + f"WRONG: {expected:,} rows expected"
        if r.system != "laminarc" and r.workload in ours and r.events_per_s:
            ratio = ours[r.workload].events_per_s / r.events_per_s
            note = (note + "; " if note else "") + f"laminarc {ratio:.1f}x"
        lines.append(f"| {r.workload} | {r.system} | {r.events_per_s / 1e6:.2f} M | "
                     f"{r.cpu_ns_per_event:.1f} | {r.peak_rss_mib:.0f} | {r.rows:,} | {note} |")
    return "\n".join(lines)


def plot(rows: list[Result], path: str, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    workloads = list(dict.fromkeys(r.workload for r in rows))
    systems = [s for s in SYSTEMS if any(r.system == s for r in rows)]
    width = 0.8 / len(systems)
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(workloads) + 2), 4.5))
    for k, s in enumerate(systems):
        values = [next((r.events_per_s / 1e6 for r in rows if r.system == s and
                        r.workload == w), 0) for w in workloads]
        bars = ax.bar([i + k * width for i in range(len(workloads))], values, width, label=s)
        for bar, w in zip(bars, workloads, strict=True):   # a wrong result: hatched, marked
            r = next((r for r in rows if r.system == s and r.workload == w), None)
            if r is not None and (wrong(r, rows) is not None or r.exact is False):
                bar.set_hatch("//")
                bar.set_alpha(0.4)
                ax.annotate("wrong", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                            ha="center", va="bottom", fontsize=7)
    ax.set_xticks([i + width * (len(systems) - 1) / 2 for i in range(len(workloads))],
                  workloads)
    ax.set_ylabel("million events per second")
    ax.set_yscale("log")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> None:   # the child: one measurement, as JSON on stdout
    job = Job(**json.loads(sys.argv[1]))
    print(json.dumps(asdict(measure(job))))


if __name__ == "__main__":
    main()


__all__ = ["SYSTEMS", "Fed", "Job", "Result", "available", "feed", "machine", "measure",
           "median_result", "plot", "run_job", "table"]
