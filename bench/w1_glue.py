"""What the inserting thread's glue costs W1 with workers: the engine's inserts against a bare
loop of the native calls they make, alternating in one process (the host's speed drifts within
minutes, so only pairs taken close together compare).

    python bench/w1_glue.py [--rounds 16] [--workers 2]

Modes, each over the same 65,536-row batches, up to every result collected (not end of
input, which the bare loop does not do):
  engine   db.insert, draining a subscription every 64 inserts (as `bench/w1.py` does: the
           poll collects everything in flight first), then a flush;
  bare     per batch its descriptors, `lc_combine_start` (handing it over, the window deal
           chosen as the engine's is) and, past 16 in flight, one wait and the oldest
           collected down to 8 in one `lc_combine_collect`,
           each output imported into pyarrow and dropped at once;
  held     bare, the outputs kept until every 64th insert, as a subscription keeps them until
           it is polled;
  drained  held, and at every 64th insert everything in flight collected, as a poll does.
The gap from engine to drained is the glue itself; bare to drained is what holding results
and polls cost any implementation. Reports each mode's median wall time and the inserting
thread's CPU, and its speed against the engine's (median of paired ratios).
"""

from __future__ import annotations

import argparse
import collections
import statistics
import time

from laminarc.runtime.arrow import Descriptors
from laminarc.runtime.native import ffi, lib
from laminarc.runtime.pipelines import DEAL_ASK

import laminarc
from laminarc.workloads import W1_SQL, w1_batches

MODES = ("engine", "bare", "held", "drained")
DEPTH, KEEP, POLL_EVERY = 16, 8, 64   # the engine's defaults, and bench/w1.py's polls


def engine(db, batches: list) -> int:
    sub = db.subscribe("w1")
    rows = 0
    for i, b in enumerate(batches):
        db.insert("events", b)
        if i % POLL_EVERY == POLL_EVERY - 1:
            while (x := sub.poll()) is not None:
                rows += x.num_rows
    db.engine.flush()
    while (x := sub.poll()) is not None:
        rows += x.num_rows
    return rows


class Bare:
    """The native calls of W1's inserts on the engine's pipeline, with nothing around them."""

    def __init__(self, db, hold: bool, drain: bool):
        eng = db.engine
        self.pipe = eng.sources["events"].relation.consumers[0]
        assert self.pipe.mode == "blocks"
        self.pool, self.ones = eng.pool, eng.ones
        self.hold, self.drain = hold, drain
        self.cbs = ffi.new("lc_combine*[]", DEPTH + 1)
        self.wms = ffi.new("int64_t[]", DEPTH + 1)
        self.outs = ffi.new("lc_out*[]", DEPTH + 1)
        self.nums = ffi.new("int64_t[2]")
        self.inflight: collections.deque = collections.deque()   # (combine, descriptors)
        self.held: list = []
        self.rows = 0
        self.wm = -(2**63)

    def collect(self, n: int) -> None:
        """The n oldest in flight, in one call (the last claims its merge when it is the newest)."""
        for j in range(n):
            self.cbs[j] = self.inflight[j][0]
        claim = int(n == len(self.inflight))
        self.nums[0] = 0
        done = lib.lc_combine_collect(self.pool, self.cbs, n, claim, self.wms, self.outs,
                                      self.nums, self.nums + 1)
        assert done == n and self.nums[1] == 0
        for j in range(n):
            self.inflight.popleft()
            self.wm = max(self.wm, self.wms[j])
            if self.outs[j] != ffi.NULL:
                batch = self.pipe.output.to_batch(ffi.gc(self.outs[j], lib.lc_out_free))
                self.rows += batch.num_rows
                if self.hold:
                    self.held.append(batch)

    def run(self, batches: list) -> int:
        p = self.pipe
        seq, prev = 0, ffi.NULL
        deal = 0 if p.dealer is None else DEAL_ASK   # (whole windows, as the engine deals them)
        for i, b in enumerate(batches):
            desc = Descriptors(b, self.ones)
            comb, block, _ = p.slots[i % len(p.slots)]
            nulls = int(desc.null_mask & p.read_mask != 0)
            assert lib.lc_combine_start(comb, block, i + 1, prev, 0, p.emit_code, self.wm,
                                        desc.cols, b.num_rows, nulls, seq, 0, p.route_from,
                                        deal, self.pool) == 0
            seq += b.num_rows
            prev = comb
            self.inflight.append((comb, desc))   # (the descriptors live while it is in flight)
            if len(self.inflight) > DEPTH:
                lib.lc_combine_wait(self.pool, self.inflight[len(self.inflight) - KEEP][0])
                self.collect(len(self.inflight) - KEEP)
            if i % POLL_EVERY == POLL_EVERY - 1:
                if self.drain and self.inflight:
                    lib.lc_combine_wait(self.pool, self.inflight[-1][0])
                    self.collect(len(self.inflight))
                    prev = ffi.NULL
                self.held.clear()
        if self.inflight:
            self.collect(len(self.inflight))
        p.newest = None   # (nothing of the pipeline is in flight for the engine to collect)
        return self.rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    if args.workers < 2:
        raise SystemExit("w1_glue: needs 2 or more workers (with 1 the inserting thread runs "
                         "the loop itself)")
    batches = w1_batches(10_000_000, 65_536)
    runs: dict[str, list] = collections.defaultdict(list)
    for r in range(args.rounds):
        for mode in (MODES if r % 2 == 0 else MODES[::-1]):
            with laminarc.open(workers=args.workers) as db:
                db.execute(W1_SQL)
                cpu0, t0 = time.thread_time(), time.perf_counter()
                if mode == "engine":
                    rows = engine(db, batches)
                else:
                    rows = Bare(db, mode != "bare", mode == "drained").run(batches)
                wall, cpu = time.perf_counter() - t0, time.thread_time() - cpu0
            # every window the watermark closed (the last ones stay open without end of input)
            assert rows == 98_000, (mode, rows)
            runs[mode].append((wall, cpu))
    print(f"W1, {args.workers} workers, {args.rounds} rounds alternating in one process "
          "(medians):")
    for mode in MODES:
        wall = statistics.median(w for w, _ in runs[mode]) * 1000
        cpu = statistics.median(c for _, c in runs[mode]) * 1000
        speed = statistics.median(e[0] / m[0] for e, m in zip(runs["engine"], runs[mode],
                                                                strict=True))
        print(f"  {mode:8s} {wall:6.1f} ms, inserting thread {cpu:5.2f} ms CPU, "
              f"speed {speed:.3f} of the engine's")


if __name__ == "__main__":
    main()
