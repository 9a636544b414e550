"""Instructions a row of W1's compiled loop, counted by callgrind: repeatable whatever else the
machine is doing, unlike its time on this shared VM.

    python bench/w1_icount.py [--events N] [--workers W]

Without --workers: runs `bench/w1.py --breakdown` (the loops alone, lc_pipe_run_blocks over
W1's batches as one worker runs them) under `valgrind --tool=callgrind`, counting only inside
lc_pipe_run_blocks (the scans, the loops and the runtime calls they make), and divides by the
events.

With --workers W: feeds W1 through `laminarc.open(workers=W)` and counts, per thread, the
pipeline's work: with 2 or more workers, inside lc_run_task (the workers' tasks: their blocks,
the scans of the others' event times, detaching and merging closed windows; and the last
watermark's tasks, which the inserting thread runs); with 1, inside lc_pipe_run_blocks and
lc_agg_close (the loop over the blocks, and emitting closed windows). The sum a row for W
workers against 1 worker is what running on W workers adds in instructions; the rest of the
gap between W workers and W times one is the machine's (a vCPU slower while the other is busy)
and the inserting thread's. Valgrind runs one thread at a time, and none of these functions
spins or waits.

Needs valgrind (Debian's package); without it, says so.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def feed(events: int, workers: int) -> None:
    """W1 through the embedded API (what valgrind runs with --workers)."""
    import laminarc
    from laminarc.workloads import W1_SQL, w1_batches, w1_check

    batches = w1_batches(events)
    with laminarc.open(workers=workers) as db:
        db.execute(W1_SQL)
        sub = db.subscribe("w1")
        for b in batches:
            db.insert("events", b)
        db.end_input("events")
        assert w1_check(sub.to_arrow(), events)["exact"]


def callgrind(args: list[str], toggles: list[str], tmp: str, threads: bool
              ) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["valgrind", "--tool=callgrind", *(f"--toggle-collect={t}" for t in toggles),
         f"--separate-threads={'yes' if threads else 'no'}",
         f"--callgrind-out-file={tmp}/out", sys.executable, *args],
        capture_output=True, text=True, check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--feed", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.feed:
        feed(args.events, args.workers)
        return
    if shutil.which("valgrind") is None:
        sys.exit("w1_icount: valgrind is not installed (apt install valgrind)")
    if args.workers is None:
        w1 = Path(__file__).with_name("w1.py")
        with tempfile.TemporaryDirectory() as tmp:
            p = callgrind([str(w1), "--breakdown", "--events", str(args.events)],
                          ["lc_pipe_run_blocks"], tmp, threads=False)
        m = re.search(r"Collected : (\d+)", p.stderr)
        if m is None:
            sys.exit(f"w1_icount: no total in callgrind's report:\n{p.stderr[-2000:]}")
        print(f"W1's loop: {int(m.group(1)) / args.events:.1f} instructions a row "
              f"({args.events:,} events, counted inside lc_pipe_run_blocks)")
        return
    toggles = ["lc_run_task"] if args.workers > 1 else ["lc_pipe_run_blocks", "lc_agg_close"]
    with tempfile.TemporaryDirectory() as tmp:
        callgrind([__file__, "--feed", "--events", str(args.events), "--workers",
                   str(args.workers)], toggles, tmp, threads=True)
        counts = []
        for f in sorted(Path(tmp).glob("out-*")):
            m = re.search(r"^(?:summary|totals): (\d+)", f.read_text(), re.M)
            if m and int(m.group(1)):
                counts.append(int(m.group(1)))
    if not counts:
        sys.exit(f"w1_icount: callgrind counted nothing inside {', '.join(toggles)}")
    total = sum(counts)
    per = ", ".join(f"{c / args.events:.1f}" for c in sorted(counts, reverse=True))
    print(f"W1 on {args.workers} worker{'s' if args.workers > 1 else ''}: "
          f"{total / args.events:.1f} instructions a row inside {', '.join(toggles)}, all "
          f"threads ({args.events:,} events; by thread: {per})")


if __name__ == "__main__":
    main()
