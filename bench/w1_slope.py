"""How much of the inserting thread's CPU lands on W1's critical path with workers: runs
alternate between plain inserts and inserts followed by a busy spin of --spin microseconds of
this thread's CPU, and the script reports the median paired difference in wall time against
the CPU added. A slope near 1 means each microsecond the inserting thread spends (handing
chunks over, collecting them) is taken from a worker that the run then waits for; near 0, it
would fit in the workers' slack.

    python bench/w1_slope.py [--workers 2] [--spin 40] [--pairs 12] [--events N]
"""

from __future__ import annotations

import argparse
import statistics
import time

import laminarc
from laminarc.workloads import W1_SQL, w1_batches


def run(workers: int, batches: list, spin: float) -> float:
    """Milliseconds from the first insert to the last result row."""
    with laminarc.open(workers=workers) as db:
        db.execute(W1_SQL)
        sub = db.subscribe("w1")
        t0 = time.perf_counter()
        for b in batches:
            db.insert("events", b)
            if spin:
                end = time.thread_time() + spin
                while time.thread_time() < end:
                    pass
        db.end_input("events")
        sub.to_arrow()
        return (time.perf_counter() - t0) * 1e3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--spin", type=float, default=40.0, help="microseconds per insert")
    ap.add_argument("--pairs", type=int, default=12)
    ap.add_argument("--events", type=int, default=10_000_000)
    args = ap.parse_args()
    batches = w1_batches(args.events)
    run(args.workers, batches, 0.0)   # warm-up
    plain, spun = [], []
    for i in range(args.pairs):
        for s in ((0.0, args.spin) if i % 2 else (args.spin, 0.0)):
            (spun if s else plain).append(run(args.workers, batches, s * 1e-6))
    added = args.spin * len(batches) / 1e3
    diff = statistics.median(b - a for a, b in zip(plain, spun, strict=True))
    print(f"workers={args.workers}: median {statistics.median(plain):.1f} ms plain, "
          f"{statistics.median(spun):.1f} ms with {args.spin:g} us more CPU an insert "
          f"({added:.1f} ms in all); median paired difference {diff:.2f} ms, slope "
          f"{diff / added:.2f}")


if __name__ == "__main__":
    main()
