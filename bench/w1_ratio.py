"""W1 on 1 and on 2 workers, alternating in one process: the speed-up of the second worker as
the median of paired runs, which this shared machine's slow spells (they last seconds and hit
both runs of a pair alike) disturb far less than separate medians.

    python bench/w1_ratio.py [--pairs 16] [--events N] [--fresh] [--verbose]

Each run is timed as `bench/w1.py` times it (first insert to the last result row), but in a
process that has run W1 before, so its figures are a little above that script's. With
`--fresh`, each run is a fresh process as in `bench/w1.py` (`laminarc.bench.run_job`, its
result checked against numpy): W1 exactly as defined, 1 and 2 workers still paired.

Before each pair, the compiled W1 loop runs over 1 M events on each CPU in turn (this thread
pinned there): how fast each vCPU is at that moment. On a shared host a vCPU's speed at
throughput-bound code varies by up to ~1.6x within seconds, each vCPU on its own (another
tenant's use of the physical core behind it). One worker runs at one CPU's speed; two, whose
rows are split evenly (blocks by position, for results independent of the split), finish at
the slower CPU's. Then the loop runs on every CPU at once (a thread each): the sum over CPUs
of their speed alone over their speed together is how many CPUs' worth the host gives this
process at that moment. It is 2 when the vCPUs do not slow each other, and has measured as
low as 1.05: the host then runs both on about one core's time, and 2 workers cannot beat 1.
From the same probe, each pair's *bound*: its 1-worker time over the time of half the events at
the slower CPU's speed with every CPU busy, which is what no even split of the rows could beat
(were those speeds to hold through the pair). The script reports the ratio over all pairs,
over the pairs whose two CPUs were within 10% of each other's speed, over those with at least
CAPACITY CPUs' worth together, the bound, and each ratio over its bound (the probes are
snapshots: the speeds change during a pair, so a ratio can exceed its bound); `--verbose`
prints every pair with its probes.

It also reports the process's CPU time (every thread) of the 2-worker run over the 1-worker
run's: what the second worker adds in work (handing over, merging, scanning the other's event
times, wake-ups) and in the CPUs slowing each other. With both CPUs busy to the end, 2 / 1
would be 2 over that CPU ratio; the last line gives the ratio over that, i.e. how evenly the
run kept both CPUs busy. Under `taskset -c 0` both workers share one CPU, nothing runs at
once, and the CPU ratio is the work alone: the script then reports only the ratios and that.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import threading
import time

from w1 import loop_alone  # (bench/ is this script's directory)

import laminarc
from laminarc import bench
from laminarc.workloads import W1_SQL, w1_batches

PROBE_EVENTS = 1_048_576
CAPACITY = 1.8   # CPUs' worth of speed with both busy, for the last summary


def run(workers: int, batches: list) -> tuple[float, list[float], float]:
    """Events/s, each worker's time on its CPU during the run (none with one worker), and the
    CPU time of every thread of the process over the run."""
    with laminarc.open(workers=workers) as db:
        db.execute(W1_SQL)
        sub = db.subscribe("w1")
        before = on_cpu(db)
        cpu0 = process_cpu()
        t0 = time.perf_counter()
        for b in batches:
            db.insert("events", b)
        db.end_input("events")
        rows = sub.to_arrow().num_rows
        seconds = time.perf_counter() - t0
        process = process_cpu() - cpu0
        cpu = [b - a for a, b in zip(before, on_cpu(db), strict=True)]
    assert rows == (sum(b.num_rows for b in batches) // 100 + 999) // 1000 * 1000
    return sum(b.num_rows for b in batches) / seconds, cpu, process


def run_fresh(workers: int, events: int) -> tuple[float, list[float], float]:
    """As run, in a fresh process (the workers' times on their CPUs from its metrics)."""
    res = bench.run_job(bench.Job("laminarc", "w1", events, workers))
    assert res.exact, res
    return (res.events_per_s, [w["on_cpu_seconds"] or 0.0 for w in res.workers],
            res.cpu_ns_per_event * events / 1e9)


def process_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def on_cpu(db) -> list[float]:
    return [w["on_cpu_seconds"] or 0.0 for w in db.metrics()["workers"]]


def loop_on(cpu: int, batches: list, start: threading.Barrier | None = None) -> float:
    """ns/event of W1's compiled loop alone over `batches`, this thread pinned to `cpu`
    (after `start`, when given: every prober starts at once)."""
    allowed = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {cpu})
        with laminarc.open(workers=1) as db:   # (a fresh pipeline: the rows are not late)
            db.execute(W1_SQL)
            if start is not None:
                start.wait()
            return loop_alone(db, batches) / sum(b.num_rows for b in batches) * 1e9
    finally:
        os.sched_setaffinity(0, allowed)


def cpu_speeds(inputs: list[list]) -> tuple[list[float], list[float]]:
    """ns/event of W1's compiled loop on each CPU in turn, then on every CPU at once (a thread
    each; the loop releases the GIL); CPU i reads inputs[i] (one list of batches may serve
    all)."""
    cpus = sorted(os.sched_getaffinity(0))
    alone = [loop_on(cpu, inputs[i]) for i, cpu in enumerate(cpus)]
    start = threading.Barrier(len(cpus), timeout=60)   # (a prober that failed: no hang)
    together = [0.0] * len(cpus)

    def probe(i: int) -> None:
        together[i] = loop_on(cpus[i], inputs[i], start)

    threads = [threading.Thread(target=probe, args=(i,)) for i in range(len(cpus))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return alone, together


def summary(label: str, ratios: list[float]) -> str:
    if len(ratios) < 2:
        return f"{label}: {len(ratios)} pair(s)"
    q = statistics.quantiles(ratios, n=4)
    return (f"{label}: median of {len(ratios)} paired ratios {statistics.median(ratios):.3f} "
            f"(quartiles {q[0]:.3f}-{q[2]:.3f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=16)
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--fresh", action="store_true", help="each run in a fresh process")
    ap.add_argument("--verbose", action="store_true", help="print every pair")
    args = ap.parse_args()
    probe = w1_batches(PROBE_EVENTS)
    if args.fresh:   # (each child builds its own input)
        def run_one(w: int) -> tuple[float, list[float], float]:
            return run_fresh(w, args.events)
    else:
        batches = w1_batches(args.events)

        def run_one(w: int) -> tuple[float, list[float], float]:
            return run(w, batches)
        run(2, batches)   # warm-up: imports, the compile cache, the allocator's first pages
    one, two, even, whole, bounds, cpus = [], [], [], [], [], []
    for i in range(args.pairs):
        speeds, together = cpu_speeds([probe] * len(os.sched_getaffinity(0)))
        # how many CPUs' worth of their speed alone the host gives when all are busy
        capacity = sum(a / t for a, t in zip(speeds, together, strict=True))
        # which goes first alternates; each run: (events/s, its workers' time on their CPUs)
        runs = {w: run_one(w) for w in ((1, 2) if i % 2 else (2, 1))}
        one.append(runs[1][0])
        two.append(runs[2][0])
        cpus.append(runs[2][2] / runs[1][2])
        # What no even split can beat: this pair's 1-worker time over half the events at the
        # slower CPU's speed with every CPU busy (as probed just before), per event.
        bounds.append(2 * (1e9 / one[-1]) / max(together))
        if max(speeds) / min(speeds) <= 1.1:
            even.append(two[-1] / one[-1])
        if capacity >= CAPACITY:
            whole.append(two[-1] / one[-1])
        if args.verbose:
            print(f"pair {i + 1}: 1 worker {one[-1] / 1e6:6.1f} M/s, 2 workers "
                  f"{two[-1] / 1e6:6.1f} M/s, ratio {two[-1] / one[-1]:.3f}; before it the loop "
                  "ran at " + ", ".join(f"{s:.2f}" for s in speeds) + " ns/event on each CPU, "
                  f"{capacity:.2f} CPUs' worth together ("
                  + ", ".join(f"{t:.2f}" for t in together)
                  + f" ns/event), an even split's bound {bounds[-1]:.2f}; the 2 workers on "
                  "their CPUs "
                  + ", ".join(f"{c * 1e3:.1f}" for c in runs[2][1]) + " ms; CPU of the "
                  f"process {runs[1][2] * 1e3:.1f} ms with 1 worker, {runs[2][2] * 1e3:.1f} "
                  "with 2")
    ratios = [b / a for a, b in zip(one, two, strict=True)]
    print(f"1 worker : median {statistics.median(one) / 1e6:.1f} M events/s")
    print(f"2 workers: median {statistics.median(two) / 1e6:.1f} M events/s")
    print(summary("2 / 1    ", ratios))
    # (under `taskset -c 0` both workers share one CPU: the bounds, which assume two, mean
    # nothing there, and the CPU ratio is the work the second worker adds, alone)
    two_cpus = len(os.sched_getaffinity(0)) >= 2
    if two_cpus:
        print(summary("2 / 1, CPUs within 10% of each other's speed", even))
        print(summary(f"2 / 1, at least {CAPACITY} CPUs' worth together", whole))
        print(summary("bound on 2 / 1 for an even split", bounds))
        print(summary("2 / 1 over that bound",
                      [r / b for r, b in zip(ratios, bounds, strict=True)]))
    else:
        print("one CPU allowed: no bound; the CPU ratio is the work a second worker adds")
    # The work the second worker adds (hand-over, merges, scans, wake-ups, and both CPUs
    # slowing each other) against how evenly it is spread: with 2 CPUs kept busy to the end,
    # 2 / 1 would be 2 over the CPU ratio.
    print(summary("process CPU, 2 workers over 1", cpus))
    if two_cpus:
        print(summary("2 / 1 over 2 / (that CPU ratio)",
                      [r * c / 2 for r, c in zip(ratios, cpus, strict=True)]))


if __name__ == "__main__":
    main()
