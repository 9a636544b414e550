"""W1 (../shared/WORKLOADS.md) through the embedded API, as the brief measures it:
10 M events in 65,536-row Arrow batches via db.insert, then end of input; events/s is N over
the seconds from the first insert to the last result row. Each run is a fresh process
(`laminarc.bench.run_job`, the measurement of `laminarc bench w1`).

    python bench/w1.py [--events N] [--runs 3] [--workers W] [--json FILE]

--workers defaults to laminarc.open()'s default (the CPUs this process may use); the 1-worker
figure is --workers 1. Besides the median, it reports where the time goes: per worker, the
busy time split into partitioning, waiting, selecting its rows and running its shard, and
the scheduler's account of its time on its CPU and waiting for it (with workers); the CPU time
of the thread calling insert; and in one extra run the compiled loop alone (lc_pipe_run) and
window emission.
Peak RSS includes the input batches (240 MB) and the imports (llvmlite ~100 MB, pyarrow
~75 MB).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from dataclasses import asdict

from laminarc import bench


def loop_alone(db, batches: list) -> float:
    """Seconds of W1's compiled loops alone over `batches`, block by block as one worker runs
    them (lc_pipe_run_blocks: a block of one window's rows by the loop that reads no event
    time), on the one-worker pipeline of `db` (W1 executed, nothing inserted yet: no row is
    late)."""
    from laminarc.runtime.arrow import Descriptors
    from laminarc.runtime.native import ffi, lib
    from laminarc.runtime.pipelines import BLOCK_ROWS

    pipeline = db.engine.sources["events"].relation.consumers[0]
    pipe, tc, delay = pipeline.pipe, pipeline.time_col, pipeline.spec.watermark_delay
    descs = [Descriptors(b, db.engine.ones) for b in batches]
    t0 = time.perf_counter()
    for d in descs:
        lib.lc_pipe_run_blocks(pipe, d.cols, d.batch.num_rows, 0, 0, 1, BLOCK_ROWS, tc, delay,
                               ffi.NULL)
    return time.perf_counter() - t0


def breakdown(events: int, batch_rows: int) -> dict:
    """Time of the loop alone and of the rest, by driving the engine's pieces directly."""
    import laminarc
    from laminarc.workloads import W1_SQL, w1_batches

    db = laminarc.open(workers=1)
    db.execute(W1_SQL)
    loop = loop_alone(db, w1_batches(events, batch_rows))
    pipe = db.engine.sources["events"].relation.consumers[0]
    t0 = time.perf_counter()
    pipe.pipe.wm = 2**63 - 1
    out = pipe.emit()
    emit = time.perf_counter() - t0
    assert sum(b.num_rows for b in out) == (events // 100 + 999) // 1000 * 1000
    return {"loop_ns_per_event": loop / events * 1e9, "loop_events_per_s": events / loop,
            "emit_ms_all_windows": emit * 1000}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--batch-rows", type=int, default=65_536)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--json", default=None)
    ap.add_argument("--breakdown", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.breakdown:
        print(json.dumps(breakdown(args.events, args.batch_rows)))
        return
    job = bench.Job("laminarc", "w1", args.events, args.workers, batch_rows=args.batch_rows)
    runs = []
    for r in range(args.runs):
        res = bench.run_job(job)
        runs.append(res)
        print(f"run {r + 1}: {res.events_per_s / 1e6:6.1f} M events/s  "
              f"({res.seconds * 1000:.0f} ms, {res.cpu_ns_per_event:.2f} ns CPU/event, "
              f"peak RSS {res.peak_rss_mib:.0f} MiB, compile {res.compile_seconds * 1000:.0f} "
              f"ms, exact={res.exact})", flush=True)
    p = subprocess.run([sys.executable, __file__, "--breakdown", "--events", str(args.events),
                        "--batch-rows", str(args.batch_rows)], capture_output=True, text=True,
                       check=True)
    bd = json.loads(p.stdout.strip().splitlines()[-1])
    median = bench.median_result(runs).events_per_s
    nworkers = max(1, len(runs[0].workers))
    print(f"\nW1 median: {median / 1e6:.1f} M events/s over {args.runs} runs "
          f"(N = {args.events:,}, {args.batch_rows:,}-row batches, {nworkers} worker"
          f"{'s' if nworkers > 1 else ''})")
    if runs[0].workers:
        print("per worker (median over runs; utilization = busy / wall):")
        for w in range(nworkers):
            def med(key: str, w: int = w) -> float:
                return statistics.median(r.workers[w][key] for r in runs) * 1000
            util = statistics.median(r.workers[w]["busy_seconds"] / r.seconds for r in runs)
            print(f"  worker {w} (cpu {runs[0].workers[w]['cpu']}): busy "
                  f"{med('busy_seconds'):.1f} ms ({util:.0%}): partition "
                  f"{med('partition_seconds'):.1f}, wait {med('wait_seconds'):.1f}, select "
                  f"{med('select_seconds'):.1f}, run {med('run_seconds'):.1f} ms")
            if runs[0].workers[w]["on_cpu_seconds"] is not None:
                print(f"    on its CPU {med('on_cpu_seconds'):.1f} ms, waiting for it "
                      f"{med('queued_seconds'):.1f} ms (another thread ran there)")
    feeder = statistics.median(r.feeder_cpu_seconds for r in runs) * 1000
    role = ("hands chunks over and collects them" if runs[0].workers
            else "runs the pipeline itself")
    print(f"inserting thread ({role}): {feeder:.1f} ms CPU, first insert to last result row")
    print(f"compiled loop alone: {bd['loop_ns_per_event']:.2f} ns/event "
          f"({bd['loop_events_per_s'] / 1e6:.0f} M events/s); emitting all "
          f"{(args.events // 100 + 999) // 1000 * 1000:,} window rows at once: "
          f"{bd['emit_ms_all_windows']:.1f} ms")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"workload": "W1", "median_events_per_s": median,
                       "runs": [asdict(r) for r in runs], "breakdown": bd,
                       "machine": bench.machine()}, f, indent=2)


if __name__ == "__main__":
    main()
