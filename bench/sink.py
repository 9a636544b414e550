"""Streams whose output is read and dropped after every insert, as a sink forwards it: the
runtime's freed big blocks kept for reuse (lc_malloc in runtime/lc_runtime.c), against
freeing them to the C library.

    python bench/sink.py [--events N] [--runs 5] [--workers 1,2] [--queries project,tumble]

- `project`: a stateless projection of W1's events (65,536-row batches, so its output
  columns are 512 KiB an insert on one worker).
- `tumble`: COUNT(*), SUM(v), MAX(v) per key and 10-second TUMBLE over 1,000,000 random
  keys (bench/keyed.py's), ~630,000 rows a window, emitted as windows close.

Kept and freed runs alternate in this process, a fresh database each run (freed: the
database stops the runtime from keeping blocks, `lc_keep_freed(-1)`, as if none were open).
Each line gives the median events/s from the first insert to the last row read, and the
median page faults a run (the process's minor faults). Where the host takes back a guest's
free pages, a block freed to the kernel comes back one fault at a time, and each fault costs
microseconds.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

from keyed import SOURCE, random_keys  # (bench/ is the script's directory)
from laminarc.runtime.native import lib

import laminarc
from laminarc.workloads import w1_batches

QUERIES = {
    "project": "CREATE STREAM h AS SELECT ts, k, v * 2 AS v2, k + 1 AS k1 FROM events;",
    "tumble": "CREATE STREAM h AS SELECT k, window_start, COUNT(*) AS cnt, SUM(v) AS s, "
              "MAX(v) AS m FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), "
              "INTERVAL '10' SECOND)) GROUP BY k, window_start, window_end;",
}


def run(batches, sql: str, workers: int, keep: bool) -> tuple[float, int, int]:
    """Seconds, rows read and page faults of one run."""
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    with laminarc.open(workers=workers) as db:
        if not keep:
            lib.lc_keep_freed(-1)
        db.execute(sql)
        sub = db.subscribe("h")
        rows = 0
        t0 = time.perf_counter()
        for b in batches:
            db.insert("events", b)
            while (out := sub.poll()) is not None:
                rows += out.num_rows
        db.end_input("events")
        rows += sum(out.num_rows for out in sub)
        seconds = time.perf_counter() - t0
    return seconds, rows, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=16_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--queries", default="project,tumble")
    args = ap.parse_args()
    plain = w1_batches(args.events)
    for name in args.queries.split(","):
        batches = random_keys(plain, 1_000_000) if name == "tumble" else plain
        sql = SOURCE + QUERIES[name]
        for workers in (int(w) for w in args.workers.split(",")):
            got: dict[bool, list] = {True: [], False: []}
            for _ in range(args.runs):
                for keep in (True, False):
                    got[keep].append(run(batches, sql, workers, keep))
            rows = {r for runs in got.values() for _, r, _ in runs}
            assert len(rows) == 1, f"{name}: rows differ between runs: {rows}"
            line = []
            for keep in (True, False):
                rate = args.events / statistics.median(s for s, _, _ in got[keep]) / 1e6
                faults = statistics.median(f for _, _, f in got[keep])
                line.append(f"{'kept' if keep else 'freed'} {rate:6.1f} M events/s, "
                            f"{faults:8,.0f} faults")
            print(f"{name}, {workers} worker{'s' if workers > 1 else ''}: " + "; ".join(line)
                  + f" (medians of {args.runs}; {rows.pop():,} rows read)", flush=True)


if __name__ == "__main__":
    main()
