"""How many CPUs' worth of W1's compiled loop this host gives when every vCPU runs it at once,
with the loop's input in cache and from memory: what bounds any multi-worker speed-up here,
laminarc's engine aside.

    python bench/host_capacity.py [--rounds 12]

Each round runs the loop (`lc_pipe_run` over W1's batches, no engine around it) on each CPU
alone, then on every CPU at once, a thread each pinned to its CPU; capacity is the sum over
CPUs of their time alone over their time together. It is the number of CPUs when they do not
slow each other; on this VM it has measured as low as ~1.06, when the host runs both vCPUs on
about one core's time. Two inputs: 1 M events (24 MB,
within the 32 MB L3) read by every thread, as `bench/w1_ratio.py` probes, and 10 M events
(240 MB) for each thread, streamed from memory. If the host's memory bandwidth were what the
vCPUs share, the second would show a lower capacity than the first.
"""

from __future__ import annotations

import argparse
import os
import statistics

from w1_ratio import cpu_speeds  # (bench/ is this script's directory)

from laminarc.workloads import w1_batches


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=12)
    args = ap.parse_args()
    ncpu = len(os.sched_getaffinity(0))
    shared = w1_batches(1_048_576)
    inputs = {"in cache (1 M events)": [shared] * ncpu,
              "from memory (10 M events)": [w1_batches(10_000_000) for _ in range(ncpu)]}
    found: dict[str, list[float]] = {name: [] for name in inputs}
    for r in range(args.rounds):
        for name, data in inputs.items():   # (interleaved: a host spell hits both alike)
            alone, together = cpu_speeds(data)
            cap = sum(a / t for a, t in zip(alone, together, strict=True))
            found[name].append(cap)
            print(f"round {r + 1}, {name}: alone " + ", ".join(f"{a:.2f}" for a in alone)
                  + " ns/event, together " + ", ".join(f"{t:.2f}" for t in together)
                  + f": {cap:.2f} CPUs' worth", flush=True)
    for name, caps in found.items():
        q = statistics.quantiles(caps, n=4, method="inclusive") if len(caps) > 1 else caps * 3
        below = sum(c < 1.7 for c in caps)
        print(f"{name}: median {statistics.median(caps):.2f} CPUs' worth (quartiles "
              f"{q[0]:.2f}-{q[2]:.2f}); below 1.7 in {below} of {len(caps)} rounds")


if __name__ == "__main__":
    main()
