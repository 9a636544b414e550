"""W1 on 1 and on 2 workers, alternating in one process: the speed-up of the second worker as
the median of paired runs, which this shared machine's slow spells (they last seconds and hit
both runs of a pair alike) disturb far less than separate medians.

    python bench/w1_ratio.py [--pairs 16] [--events N]

Each run is timed as `bench/w1.py` times it (first insert to the last result row), but in a
process that has run W1 before, so its figures are a little above that script's.
"""

from __future__ import annotations

import argparse
import statistics
import time

import laminarc
from laminarc.workloads import W1_SQL, w1_batches


def run(workers: int, batches: list) -> float:
    with laminarc.open(workers=workers) as db:
        db.execute(W1_SQL)
        sub = db.subscribe("w1")
        t0 = time.perf_counter()
        for b in batches:
            db.insert("events", b)
        db.end_input("events")
        rows = sub.to_arrow().num_rows
        seconds = time.perf_counter() - t0
    assert rows == (sum(b.num_rows for b in batches) // 100 + 999) // 1000 * 1000
    return sum(b.num_rows for b in batches) / seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=16)
    ap.add_argument("--events", type=int, default=10_000_000)
    args = ap.parse_args()
    batches = w1_batches(args.events)
    run(2, batches)   # warm-up: imports, the compile cache, the allocator's first pages
    one, two = [], []
    for i in range(args.pairs):
        for w in ((1, 2) if i % 2 else (2, 1)):   # which goes first alternates
            (one if w == 1 else two).append(run(w, batches))
    ratios = [b / a for a, b in zip(one, two, strict=True)]
    print(f"1 worker : median {statistics.median(one) / 1e6:.1f} M events/s")
    print(f"2 workers: median {statistics.median(two) / 1e6:.1f} M events/s")
    print(f"2 / 1    : median of {args.pairs} paired ratios {statistics.median(ratios):.3f} "
          f"(quartiles {statistics.quantiles(ratios, n=4)[0]:.3f}-"
          f"{statistics.quantiles(ratios, n=4)[2]:.3f})")


if __name__ == "__main__":
    main()
