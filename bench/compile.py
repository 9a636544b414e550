"""Ahead-of-time compile time and artifact size (`laminarc compile`), cold and warm.

    python bench/compile.py [--runs 3]

For each pipeline file (W1, examples/clicks.sql with ten statements): a cold compile (empty
object cache, in a fresh process; the C runtime's objects for the target are built once per
machine and counted separately), then a warm one (every module from the cache). Times are
`compiler.artifact.build` in-process (parse, bind, optimize, LLVM, link, package), medians of
--runs fresh processes; `laminarc compile` adds interpreter start-up and imports, also shown.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

ONE = """
import json, os, sys, time
t0 = time.perf_counter()
from laminarc.compiler.artifact import build, runtime_objects
imports = time.perf_counter() - t0
sql_path, out, prebuild = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
sql = open(sql_path).read()
runtime = 0.0
if prebuild:
    t0 = time.perf_counter()
    runtime_objects("x86-64-v3")
    runtime = time.perf_counter() - t0
info = build(sql, sql_path, out)
size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(info.path) for f in fs)
print(json.dumps({"seconds": info.seconds, "llvm": info.llvm_seconds, "imports": imports,
                  "runtime": runtime, "library": info.library_bytes, "package": size,
                  "compiled": info.compiled_modules, "hits": info.cache_hits}))
"""


def one(sql_path: str, out: str, cache: str, prebuild: bool) -> dict:
    env = {**os.environ, "LAMINARC_CACHE_DIR": cache}
    p = subprocess.run([sys.executable, "-c", ONE, sql_path, out, "1" if prebuild else "0"],
                       capture_output=True, text=True, env=env, check=True)
    return json.loads(p.stdout.strip().splitlines()[-1])


def cli_seconds(sql_path: str, out: str, cache: str) -> float:
    env = {**os.environ, "LAMINARC_CACHE_DIR": cache}
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "laminarc.cli", "compile", sql_path, "-o", out],
                   capture_output=True, env=env, check=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    from laminarc.workloads import W1_SQL

    with tempfile.TemporaryDirectory(prefix="lc-bench-compile-") as tmp:
        w1 = os.path.join(tmp, "w1.sql")
        with open(w1, "w") as f:
            f.write(W1_SQL)
        files = {"W1 (2 statements)": w1,
                 "examples/clicks.sql (10 statements)": os.path.join(ROOT, "examples",
                                                                     "clicks.sql")}
        for label, path in files.items():
            measure(label, path, args.runs, tmp)


def measure(label: str, path: str, runs: int, tmp: str) -> None:
    cold, warm, runtime, cli_cold, cli_warm = [], [], [], [], []
    for _ in range(runs):
        run = tempfile.mkdtemp(dir=tmp)   # a fresh cache and output folders for each run
        cache = os.path.join(run, "cache")
        first = one(path, os.path.join(run, "cold"), cache, prebuild=True)   # runtime first
        runtime.append(first["runtime"])
        cold.append(first)
        warm.append(one(path, os.path.join(run, "warm"), cache, prebuild=False))
        # the CLI, cold for the pipeline (the runtime objects stay cached), then warm
        shutil.rmtree(os.path.join(cache, "objects"))
        cli_cold.append(cli_seconds(path, os.path.join(run, "cli-cold"), cache))
        cli_warm.append(cli_seconds(path, os.path.join(run, "cli-warm"), cache))

    def med(rows: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    print(f"{label}:")
    print(f"  cold: {med(cold, 'seconds') * 1000:.0f} ms (LLVM {med(cold, 'llvm') * 1000:.0f}"
          f" ms, {cold[0]['compiled']} modules)   warm: {med(warm, 'seconds') * 1000:.0f} ms"
          f" ({warm[0]['hits']} from the cache)")
    print(f"  `laminarc compile` wall time: cold {statistics.median(cli_cold):.2f} s, warm "
          f"{statistics.median(cli_warm):.2f} s (imports {med(cold, 'imports'):.2f} s)")
    print(f"  C runtime objects for x86-64-v3, once per machine: "
          f"{statistics.median(runtime):.2f} s")
    print(f"  artifact: library {cold[0]['library'] / 1024:.0f} KiB, package "
          f"{cold[0]['package'] / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
