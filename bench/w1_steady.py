"""W1 in a database that stays open: rounds of 10 M events into one stream, each round's event
times following the last's, on 1 and on 2 workers in alternating processes. What a stream
that runs for hours gets from the second worker, beside W1 as defined (`bench/w1.py`,
`bench/w1_ratio.py`), where each run opens a database, feeds 10 M events and ends its input.

    python bench/w1_steady.py [--pairs 4] [--rounds 8] [--events N]

A round is timed from its first insert until every window its rows closed is delivered (the
subscription drained every 64 inserts, as `bench/w1.py` drains it, and once more at the end);
its last window stays open for the next round's rows, and its outputs are counted (rows a
window closed) and dropped as they come. The first round of each process, which meets the new
database's empty tables and its workers' fresh memory (their page faults: see
docs/architecture.md, Runtime), is reported apart. Each process's steady figure is the median
of its other rounds; the ratio is that of two processes run one after the other, as a pair.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time


def drained(sub) -> int:
    """The rows of every batch the subscription holds now, each dropped at once (as a consumer
    would drop it)."""
    return sum(out.num_rows for out in iter(sub.poll, None))


def child(workers: int, rounds: int, events: int) -> None:
    import pyarrow.compute as pc

    import laminarc
    from laminarc.workloads import W1_SQL, w1_batches

    base = w1_batches(events)
    span = events // 100   # the event time (ms) a round covers: ts = i // 100
    ms = []
    with laminarc.open(workers=workers) as db:
        db.execute(W1_SQL)
        sub = db.subscribe("w1")
        closed = 0
        for r in range(rounds):
            # (this round's event times, built before the clock starts)
            batches = [b.set_column(0, "ts", pc.add(b.column(0), span * r)) for b in base]
            rows = 0
            t0 = time.perf_counter()
            for i, b in enumerate(batches):
                db.insert("events", b)
                if i % 64 == 63:
                    rows += drained(sub)
            rows += drained(sub)
            ms.append((time.perf_counter() - t0) * 1e3)
            # Every window ending at or below the watermark (the round's last event time less
            # a second) is out: 1000 keys a window. (Exactness: bench/w1.py and the tests.)
            windows = (span * (r + 1) - 1 - 1000) // 1000
            assert rows == (windows - closed) * 1000, (r, rows)
            closed = windows
    print(json.dumps({"workers": workers, "ms": ms}))


def run(workers: int, rounds: int, events: int) -> list[float]:
    p = subprocess.run([sys.executable, __file__, "--child", str(workers), "--rounds",
                        str(rounds), "--events", str(events)],
                       capture_output=True, text=True, timeout=3600)
    if p.returncode:
        raise RuntimeError(p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "failed")
    return json.loads(p.stdout.strip().splitlines()[-1])["ms"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rounds < 2:
        ap.error("--rounds must be at least 2 (the first is reported apart)")
    if args.events <= 0 or args.events % 100_000:
        ap.error("--events must be a multiple of 100,000 (whole 1-second windows a round)")
    if args.child:
        child(args.child, args.rounds, args.events)
        return
    first: dict[int, list[float]] = {1: [], 2: []}
    steady: dict[int, list[float]] = {1: [], 2: []}
    ratios = []
    for i in range(args.pairs):
        for w in ((1, 2) if i % 2 else (2, 1)):
            ms = run(w, args.rounds, args.events)
            first[w].append(ms[0])
            steady[w].append(statistics.median(ms[1:]))
        ratios.append(steady[1][-1] / steady[2][-1])
        print(f"pair {i + 1}: steady round 1 worker {steady[1][-1]:.1f} ms, 2 workers "
              f"{steady[2][-1]:.1f} ms, ratio {ratios[-1]:.3f}; first rounds "
              f"{first[1][-1]:.1f} and {first[2][-1]:.1f} ms", flush=True)
    m = args.events / 1e3
    for w in (1, 2):
        print(f"{w} worker{'s' if w > 1 else ' '}: steady {m / statistics.median(steady[w]):.1f}"
              f" M events/s (median round {statistics.median(steady[w]):.1f} ms), first round "
              f"{statistics.median(first[w]):.1f} ms")
    print(f"2 / 1 steady: median of {len(ratios)} paired ratios {statistics.median(ratios):.3f}"
          f" (range {min(ratios):.3f}-{max(ratios):.3f})")


if __name__ == "__main__":
    main()
