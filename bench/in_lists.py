"""IN lists: compile time and filter throughput, as a hash set (fold_constants.SET_MIN and
SET_MIN_STRINGS) against the comparison chain they replace.

    python bench/in_lists.py [--rows 2000000] [--sizes 16,48,300,1000] [--runs 5]

For each list size and type (BIGINT, DOUBLE, VARCHAR), compiles `WHERE col IN (...)` both
ways (the chain by raising the thresholds for that statement) and reports the compile time,
with a fresh object cache so LLVM runs, and the median throughput of inserting the rows on
one worker. A tenth of the rows match. The chain is skipped where it would compile for more
than about a minute (VARCHAR lists of thousands).
"""

from __future__ import annotations

import argparse
import importlib
import os
import random
import statistics
import tempfile
import time

import numpy as np
import pyarrow as pa

import laminarc

fold = importlib.import_module("laminarc.compiler.optimizer.fold_constants")
COLUMN = {"bigint": "k", "double": "x", "varchar": "s"}


def constants(kind: str, n: int) -> str:
    rng = random.Random(n)
    picks = [rng.randrange(10 * n) for _ in range(n)]
    if kind == "bigint":
        return ", ".join(map(str, picks))
    if kind == "double":
        return ", ".join(f"{v / 4}e0" for v in picks)
    return ", ".join(f"'s{v}'" for v in picks)


def table(n: int, rows: int) -> pa.Table:
    k = np.random.default_rng(2).integers(0, 10 * n, rows)
    distinct = pa.array([f"s{v}" for v in range(10 * n)])
    return pa.table({"ts": np.arange(rows), "k": k, "x": k / 4,
                     "s": distinct.take(pa.array(k))})


def measure(kind: str, n: int, data: pa.Table, runs: int, as_set: bool) -> tuple[float, float]:
    saved = fold.SET_MIN, fold.SET_MIN_STRINGS
    if not as_set:
        fold.SET_MIN = fold.SET_MIN_STRINGS = 10**9
    cache = os.environ.get("XDG_CACHE_HOME")
    with tempfile.TemporaryDirectory() as fresh:
        os.environ["XDG_CACHE_HOME"] = fresh
        try:
            db = laminarc.open(workers=1)
            t0 = time.perf_counter()
            db.execute("CREATE SOURCE t (ts BIGINT, k BIGINT, x DOUBLE, s VARCHAR,"
                       " WATERMARK FOR ts AS ts); CREATE STREAM o AS SELECT k FROM t"
                       f" WHERE {COLUMN[kind]} IN ({constants(kind, n)});")
            compile_s = time.perf_counter() - t0
        finally:
            fold.SET_MIN, fold.SET_MIN_STRINGS = saved
            if cache is None:
                os.environ.pop("XDG_CACHE_HOME")
            else:
                os.environ["XDG_CACHE_HOME"] = cache
    times = []
    with db:
        db.insert("t", data)   # (warm-up)
        for _ in range(runs):
            t0 = time.perf_counter()
            db.insert("t", data)
            times.append(time.perf_counter() - t0)
    return compile_s, data.num_rows / statistics.median(times) / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--sizes", default="16,48,300,1000")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    print(f"{'type':8} {'size':>6} {'chain compile':>14} {'chain M rows/s':>15}"
          f" {'set compile':>12} {'set M rows/s':>13}")
    for n in map(int, args.sizes.split(",")):
        data = table(n, args.rows)
        for kind in COLUMN:
            sc, sr = measure(kind, n, data, args.runs, True)
            if kind == "varchar" and n > 1000:
                chain = f"{'-':>14} {'-':>15}"
            else:
                cc, cr = measure(kind, n, data, args.runs, False)
                chain = f"{cc:13.2f}s {cr:15.1f}"
            print(f"{kind:8} {n:6} {chain} {sc:11.2f}s {sr:13.1f}", flush=True)


if __name__ == "__main__":
    main()
