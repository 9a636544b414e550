"""W1 from ../shared/WORKLOADS.md on the embedded engine: per key, 1-second tumbling windows of
COUNT(*), SUM(v), MAX(v) over 10 M generated events, fed as 65,536-row Arrow batches.

    python examples/w1.py [--events N]
"""

from __future__ import annotations

import argparse
import time

import laminarc
from laminarc.workloads import W1_SQL, w1_batches, w1_check


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--batch-rows", type=int, default=65_536)
    args = ap.parse_args()

    print(f"generating {args.events:,} events ...", flush=True)
    batches = w1_batches(args.events, args.batch_rows)

    db = laminarc.open()
    t0 = time.perf_counter()
    db.execute(W1_SQL)
    compile_s = time.perf_counter() - t0
    print(db.explain(W1_SQL.split(";")[1]).split("== Physical plan ==")[1].strip())
    sub = db.subscribe("w1")

    t0 = time.perf_counter()
    for batch in batches:
        db.insert("events", batch)
    db.end_input("events")
    result = sub.to_arrow()
    seconds = time.perf_counter() - t0

    print("\nfirst rows:")
    print(result.slice(0, 5).to_pandas().to_string(index=False))
    check = w1_check(result, args.events)
    m = db.metrics()
    print(f"\nrows emitted: {check['rows']:,} (expected {check['expected_rows']:,}); "
          f"total SUM(v) = {check['sum_v']:,.1f}; exact against numpy: {check['exact']}")
    print(f"late rows: {m['late_rows']}; compile: {compile_s * 1000:.0f} ms "
          f"(cache: {m['compile']})")
    print(f"throughput: {args.events / seconds / 1e6:.1f} M events/s "
          f"({seconds * 1000:.0f} ms from the first insert to the last result row)")
    if not check["exact"]:
        raise SystemExit("W1 result does not match numpy")


if __name__ == "__main__":
    main()
