"""Instructions a row of W1's compiled loop, counted by callgrind: repeatable whatever else the
machine is doing, unlike its time on this shared VM.

    python bench/w1_icount.py [--events N]

Runs `bench/w1.py --breakdown` (the loop alone, lc_pipe_run over W1's batches) under
`valgrind --tool=callgrind`, counting only inside lc_pipe_run (the loop and the runtime calls
it makes), and divides by the events. Needs valgrind (Debian's package); without it, says so.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("w1_icount: valgrind is not installed (apt install valgrind)")
    w1 = Path(__file__).with_name("w1.py")
    with tempfile.TemporaryDirectory() as tmp:
        p = subprocess.run(
            ["valgrind", "--tool=callgrind", "--toggle-collect=lc_pipe_run",
             f"--callgrind-out-file={tmp}/out", sys.executable, str(w1), "--breakdown",
             "--events", str(args.events)],
            capture_output=True, text=True, check=True)
    m = re.search(r"Collected : (\d+)", p.stderr)
    if m is None:
        sys.exit(f"w1_icount: no total in callgrind's report:\n{p.stderr[-2000:]}")
    print(f"W1's loop: {int(m.group(1)) / args.events:.1f} instructions a row "
          f"({args.events:,} events, counted inside lc_pipe_run)")


if __name__ == "__main__":
    main()
