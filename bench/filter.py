"""A filtering stateless stream's loops, branching and branch-free, by selectivity.

    python bench/filter.py [--rows 65536] [--batches 16] [--rounds 101]

A filter whose outputs have a fixed width and cost little compiles to two loops (see
branch_free_eligible in compiler/codegen/pipeline.py): one branches on the filter, the other
stores every row's outputs and advances the output's row count by whether the row passed. The
runtime times both and runs the faster (lc_pipe.free_dense). This times the loop alone (one
worker) over batches already in memory, each run over the next of several batches with keys
drawn anew (a branch predictor would learn one batch run over and over): forced to each
loop, and left to choose, alternating in one process, for keys that pass at random or in a
cycle. It prints the median ns a row of each.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pyarrow as pa
from laminarc.runtime.engine import describe
from laminarc.runtime.native import ffi, lib

import laminarc

SOURCE = "CREATE SOURCE s (ts BIGINT, k BIGINT, v DOUBLE, WATERMARK FOR ts AS ts);"
FORCE = {"branching": 1, "branch-free": 2, "chosen": 0}   # lc_pipe.loop_force


class Loop:
    """The stream's loop over batches, timed by calling it directly."""

    def __init__(self, where: str, batches: list[pa.RecordBatch]):
        self.db = laminarc.open(workers=1)
        self.db.execute(SOURCE + f"CREATE STREAM o AS SELECT ts, k, v * 2 AS v2 FROM s "
                                 f"WHERE {where};")
        eng = self.db.engine
        src = eng.sources["s"]
        self.pipe = src.relation.consumers[0].pipe
        assert self.pipe.free_dense != ffi.NULL, "no branch-free loop"
        self.descs = [describe(b, src.spec.columns, "s", src.input_types, eng.ones)[0]
                      for b in batches]
        self.next = 0
        self.n = batches[0].num_rows
        self.out = src.relation.consumers[0].output.new()
        lib.lc_out_reserve(self.out, self.n)

    def time(self, force: int) -> tuple[float, float]:
        """(ns a row, share of rows passed) of one run over the next batch."""
        pipe = self.pipe
        pipe.loop_force = force
        desc = self.descs[self.next]
        self.next = (self.next + 1) % len(self.descs)
        self.out.n = 0
        pipe.out = self.out
        t = time.perf_counter_ns()
        lib.lc_pipe_run(pipe, desc.cols, self.n, 0)
        t = time.perf_counter_ns() - t
        pipe.out = ffi.NULL
        return t / self.n, self.out.n / self.n

    def close(self) -> None:
        self.db.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=65536)
    ap.add_argument("--batches", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=101)
    args = ap.parse_args()
    n = args.rows
    rng = np.random.default_rng(7)
    i = np.arange(n, dtype=np.int64)
    random_k = [rng.integers(0, 1000, n) for _ in range(args.batches)]
    cycle_k = [(i + b) % 1000 for b in range(args.batches)]
    cases = [("k < 10", random_k, "random"), ("k < 500", random_k, "random"),
             ("k % 7 <> 3", random_k, "random"), ("k >= 10", random_k, "random"),
             ("k % 7 <> 3", cycle_k, "in a cycle"), ("k >= 0", random_k, "all pass")]
    print(f"{args.batches} batches of {n:,} rows, {args.rounds} rounds; the loop alone, "
          f"medians in ns a row")
    for where, keys, how in cases:
        loop = Loop(where, [pa.record_batch({"ts": i, "k": k, "v": i * 0.5}) for k in keys])
        times: dict[str, list[float]] = {name: [] for name in FORCE}
        passed = []
        for _ in range(args.rounds):
            for name, force in FORCE.items():
                t, p = loop.time(force)
                times[name].append(t)
                passed.append(p)
        med = {name: statistics.median(ts) for name, ts in times.items()}
        print(f"WHERE {where:11s} ({how:10s}, {statistics.mean(passed):6.1%} pass): "
              + ", ".join(f"{name} {t:5.2f}" for name, t in med.items()))
        loop.close()


if __name__ == "__main__":
    main()
