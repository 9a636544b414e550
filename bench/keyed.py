"""Keyed pipelines (rows routed to workers by a hash of their keys, docs/architecture.md
"Workers") on 1 and 2 workers, over W1's events (../shared/WORKLOADS.md): aggregates that
cannot be pre-aggregated by blocks of rows, so every worker sees only its keys.

    python bench/keyed.py [--events N] [--runs 5] [--queries changelog,distinct] [--cached]
                          [--keys K [--zipf S | --hot F]] [--routed | --blocks]
                          [--window SECONDS]

- `changelog`: W1's COUNT(*), SUM(v), MAX(v) per key without a window, a changelog (one
  update per key an insert).
- `distinct`: COUNT(*) and COUNT(DISTINCT v) per key and 2-second TUMBLE, emitted on close.
- `tumble`: W1's aggregates per key and 10-second TUMBLE (`--window`), emitted on close:
  pre-aggregated by blocks, unlike the others; with `--routed` the planner's choice is
  overridden and it is routed by key like them (its float SUM then one left-to-right sum, not
  8 lanes), to compare the two ways with many keys (docs/architecture.md "Workers", many
  groups a window). By default the runtime routes its windows by key once they hold many
  groups (re-dealing the open windows' groups first; still in 8 lanes); `--blocks` keeps it
  pre-aggregating by blocks whatever the groups.
- `hop`: the same per key and 60-second HOP sliding by 1 second: a sliced HOP of 60 slices a
  window, pre-aggregated by blocks and, once its windows' folds read many groups, routed by
  key after re-dealing its slices (docs/architecture.md "Sliced HOP windows"); `--blocks`
  keeps it in blocks.

1 and 2 workers alternate, a fresh database each run, in this process; each figure is the
median of events over the seconds from the first insert to the last result row, and every
2-worker output is checked equal to the 1-worker one (rows and order). With `--cached` the
input is 4 batches (262,144 events) inserted over and over, so that it stays in the CPUs'
caches: each worker reads its own rows, which are spread over every cache line of the
input, so two workers each read all of it (the flag shows whether that is what limits them).
With `--keys K`, `k` is drawn uniformly at random from K keys instead of W1's 1,000 in
turn: with many keys, nearly every row of an insert changes a group of its own, and the
groups' lookups miss every cache (this is what showed that a changelog must not be
pre-aggregated by blocks, docs/architecture.md "Workers"). With `--zipf S` as well, key i of
K (in a random order) is drawn with probability proportional to 1 / i^S: a few hot keys load
whichever worker owns them when rows are routed by key. With `--hot F` instead, a fraction F
of the rows take one key and the rest are drawn uniformly from the K keys: the worst case for
routing by key, many groups (so the runtime routes) and one key whose rows no worker shares.
Each line also says from which window the runtime routed a TUMBLE or HOP by key (its
`routed_from_window` metric on 2 workers), or that it did not.
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np
import pyarrow as pa
from hop import run  # (bench/ is the script's directory: the same run, W1's source)

from laminarc.workloads import w1_batches

SOURCE = ("CREATE SOURCE events (ts BIGINT, k BIGINT, v DOUBLE, "
          "WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);\n")
QUERIES = {
    "changelog": "CREATE STREAM h AS SELECT k, COUNT(*) AS cnt, SUM(v) AS s, MAX(v) AS m "
                 "FROM events GROUP BY k;",
    "distinct": "CREATE STREAM h AS SELECT k, window_start, COUNT(*) AS cnt, "
                "COUNT(DISTINCT v) AS dv "
                "FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '2' SECOND)) "
                "GROUP BY k, window_start, window_end EMIT ON WINDOW CLOSE;",
    "tumble": "CREATE STREAM h AS SELECT k, window_start, COUNT(*) AS cnt, SUM(v) AS s, "
              "MAX(v) AS m "
              "FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND)) "
              "GROUP BY k, window_start, window_end;",
    "hop": "CREATE STREAM h AS SELECT k, window_start, COUNT(*) AS cnt, SUM(v) AS s, "
           "MAX(v) AS m "
           "FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND, "
           "INTERVAL '60' SECOND)) "
           "GROUP BY k, window_start, window_end;",
}


def random_keys(batches: list[pa.RecordBatch], keys: int, zipf: float = 0.0,
                hot: float = 0.0) -> list[pa.RecordBatch]:
    """The batches with `k` drawn from `keys` keys (a fixed seed): uniformly, with the
    i-th most frequent key's probability proportional to 1 / i^zipf, or with a fraction `hot`
    of the rows on key `keys` (one more) and the rest uniform."""
    rng = np.random.default_rng(1)
    k = batches[0].schema.get_field_index("k")
    if hot:
        return [b.set_column(k, "k", pa.array(np.where(
            rng.random(b.num_rows) < hot, keys, rng.integers(0, keys, b.num_rows))))
            for b in batches]
    if not zipf:
        return [b.set_column(k, "k", pa.array(rng.integers(0, keys, b.num_rows)))
                for b in batches]
    p = 1.0 / np.arange(1, keys + 1, dtype=np.float64) ** zipf
    cdf = np.cumsum(p / p.sum())
    ids = rng.permutation(keys)
    return [b.set_column(k, "k", pa.array(ids[np.minimum(np.searchsorted(
        cdf, rng.random(b.num_rows)), keys - 1)])) for b in batches]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=4_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--queries", default="changelog,distinct")
    ap.add_argument("--cached", action="store_true")
    ap.add_argument("--keys", type=int, default=None)
    skew = ap.add_mutually_exclusive_group()
    skew.add_argument("--zipf", type=float, default=0.0)
    skew.add_argument("--hot", type=float, default=0.0,
                      help="the fraction of rows on one key, the rest uniform over --keys")
    ap.add_argument("--routed", action="store_true",
                    help="route window aggregates by key instead of pre-aggregating them")
    ap.add_argument("--blocks", action="store_true",
                    help="pre-aggregate by blocks only, never routing big windows by key")
    ap.add_argument("--window", type=int, default=10, help="the TUMBLE's size in seconds")
    args = ap.parse_args()
    if args.routed:
        from laminarc.compiler import physical
        physical.PipelinePlan.preaggregable = property(lambda self: False)
    if args.blocks:
        from laminarc.runtime import pipelines
        pipelines.ROUTE_BYTES = 1 << 62
    if args.cached:
        few = w1_batches(262_144)
        batches = few * max(1, args.events // 262_144)
    else:
        batches = w1_batches(args.events)
    if args.keys:
        batches = random_keys(batches, args.keys, args.zipf, args.hot)
    n = sum(b.num_rows for b in batches)
    for name in args.queries.split(","):
        secs: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.runs):
            sql = SOURCE + QUERIES[name].replace("INTERVAL '10' SECOND",
                                                 f"INTERVAL '{args.window}' SECOND")
            s1, one, _ = run(batches, sql, 1)
            s2, two, routed = run(batches, sql, 2)
            assert one.equals(two), f"{name}: 2 workers' output differs from 1 worker's"
            secs[1].append(s1)
            secs[2].append(s2)
        m1, m2 = (n / statistics.median(secs[w]) / 1e6 for w in (1, 2))
        what = name + (" (cached)" if args.cached else "") + \
            (f" ({args.keys:,} random keys{f', Zipf {args.zipf}' if args.zipf else ''}"
             f"{f', {args.hot:.0%} on one key' if args.hot else ''})"
             if args.keys else "") + \
            (" (routed)" if args.routed else "") + (" (blocks only)" if args.blocks else "") + \
            (f" ({args.window} s windows)" if name == "tumble" and args.window != 10 else "")
        print(f"{what}: 1 worker {m1:6.1f} M events/s, "
              f"2 workers {m2:6.1f} M/s, ratio {m2 / m1:.2f} (medians of {args.runs}; "
              f"{one.num_rows:,} rows, equal{route_note(name, routed)})", flush=True)


def route_note(query: str, routed: int | None) -> str:
    if query not in ("tumble", "hop"):
        return ""       # (the others are always routed by key)
    return "; never routed by key" if routed is None else f"; routed by key from window {routed}"


if __name__ == "__main__":
    main()
