"""Latency from `db.insert` of a batch to its rows being visible downstream: the time until a
subscriber's `poll()` returns the stateless stream's output for it.

    python bench/latency.py [--rows 4096] [--iterations 5000] [--keys cycle|random]

Reports p50 / p99 / p99.9 in microseconds for 1 worker and 2 workers (a batch this small runs
in the calling thread while the workers are idle: handing it over costs more than it saves),
and for 2 workers with the hand-over forced (the batch goes to a worker thread and back). The
stream's filter drops one key in seven; `--keys random` draws the keys at random, so which rows
it drops is not a pattern a branch predictor learns (the runtime then runs the filter's
branch-free loop: lc_pipe.free_dense).

Each line also says what the host took from this thread around the measurement: a spin of
0.25 s before and after it, reading the clock, counts the gaps of 10 us or more (the vCPU taken
away). On this VM such gaps come hundreds of times a second and last 10-100 us: an insert that
one of them falls into is late by that much, which is most of p99.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pyarrow as pa

import laminarc

DDL = """CREATE SOURCE s (ts BIGINT, k BIGINT, v DOUBLE, WATERMARK FOR ts AS ts);
         CREATE STREAM out AS SELECT k, v * 2 AS v2 FROM s WHERE k % 7 <> 3;"""


def measure(workers: int, rows: int, iterations: int, hand_over: bool = False,
            keys: str = "cycle") -> list[float]:
    db = laminarc.open(workers=workers)
    if hand_over:
        db.engine.inline_rows = 0
    db.execute(DDL)
    sub = db.subscribe("out")
    i = np.arange(rows, dtype=np.int64)
    rng = np.random.default_rng(1)
    # (the source's column order: a batch in another order is conformed first, a slower path)
    batches = [pa.record_batch({"ts": i + j * rows, "k": i % 1000 if keys == "cycle" else
                                rng.integers(0, 1000, rows), "v": i * 0.5})
               for j in range(64)]
    samples = []
    for j in range(iterations + 200):
        b = batches[j % 64]
        t0 = time.perf_counter_ns()
        db.insert("s", b)
        out = sub.poll()
        t1 = time.perf_counter_ns()
        assert out is not None and out.num_rows > 0
        if j >= 200:   # warm-up
            samples.append((t1 - t0) / 1000)
    db.close()
    return samples


def host_gaps(seconds: float = 0.25, gap_ns: int = 10_000) -> tuple[float, float]:
    """(gaps of at least gap_ns a second, the fraction of the time lost in them) while this
    thread spins reading the clock."""
    clock = time.perf_counter_ns
    t = clock()
    end = t + int(seconds * 1e9)
    n = lost = 0
    while t < end:
        u = clock()
        if u - t >= gap_ns:
            n += 1
            lost += u - t
        t = u
    return n / seconds, lost / (seconds * 1e9)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=4096)
    ap.add_argument("--iterations", type=int, default=5000)
    ap.add_argument("--keys", choices=("cycle", "random"), default="cycle")
    args = ap.parse_args()
    for workers, hand_over in ((1, False), (2, False), (2, True)):
        before = host_gaps()
        s = sorted(measure(workers, args.rows, args.iterations, hand_over, args.keys))
        after = host_gaps()

        def q(f: float, s: list[float] = s) -> float:
            return s[min(len(s) - 1, int(f * len(s)))]

        how = ", handed to a worker" if hand_over else ""
        keys = "keys in a cycle" if args.keys == "cycle" else "random keys"
        print(f"{workers} worker(s){how}, {args.rows}-row batches, {keys}: p50 "
              f"{statistics.median(s):.1f} us, p99 {q(0.99):.1f} us, p99.9 {q(0.999):.1f} us, "
              f"max {s[-1]:.1f} us (host: {before[0]:.0f} and {after[0]:.0f} gaps/s of 10 us "
              f"or more, {100 * before[1]:.1f}% and {100 * after[1]:.1f}% of the time)")


if __name__ == "__main__":
    main()
