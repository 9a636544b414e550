"""HOP windows against TUMBLE on W1's events (../shared/WORKLOADS.md): W1's query with its
TUMBLE replaced by HOP windows of several shapes, fed the same way (65,536-row Arrow batches,
then end of input). A sliced HOP (docs/architecture.md, "Sliced HOP windows") gives each row
to one slice and folds a window's slices when it closes, so its cost tracks the slices, not
the windows a row falls in.

    python bench/hop.py [--events N] [--runs 3] [--workers W] [--shapes 2/2,10/2,60/10,60/1]

A shape is size/slide in seconds (size = slide is a TUMBLE). Each run is a fresh database in
this process; the figure is the median, events over the seconds from the first insert to the
last result row. Every run is checked against numpy: each window's COUNT(*) and SUM(v) per
key.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pyarrow as pa

import laminarc
from laminarc.workloads import w1_batches

SQL = """
CREATE SOURCE events (ts BIGINT, k BIGINT, v DOUBLE, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);
CREATE STREAM h AS
SELECT k, window_start, COUNT(*) AS cnt, SUM(v) AS sum_v, MAX(v) AS max_v
FROM TABLE({window})
GROUP BY k, window_start, window_end
EMIT ON WINDOW CLOSE;
"""


def window_sql(size: int, slide: int) -> str:
    if size == slide:
        return f"TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '{size}' SECOND)"
    return (f"HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '{slide}' SECOND, "
            f"INTERVAL '{size}' SECOND)")


def expected(n: int, size_ms: int, slide_ms: int) -> dict[tuple[int, int], tuple[int, float]]:
    """(window_start, k) -> (count, sum of v), from W1's formulas."""
    i = np.arange(n, dtype=np.int64)
    ts, k, v = i // 100, (i * 7919) % 1000, (i % 997) * 0.5
    out: dict[tuple[int, int], tuple[int, float]] = {}
    for j in range(size_ms // slide_ms):      # the j-th window back from each row's last
        start = (ts // slide_ms - j) * slide_ms
        gid = (start // slide_ms + j + 1) * 1000 + k   # distinct per (start, k), >= 0
        cnt = np.bincount(gid)
        tot = np.bincount(gid, weights=v)
        for g in np.nonzero(cnt)[0]:
            key = ((g // 1000 - j - 1) * slide_ms, int(g % 1000))
            c, s = out.get(key, (0, 0.0))
            out[key] = (c + int(cnt[g]), s + float(tot[g]))
    return out


def run(batches: list[pa.RecordBatch], sql: str,
        workers: int | None) -> tuple[float, pa.Table, int | None]:
    """The seconds from the first insert to the last result row, the output, and the window
    the runtime routed stream `h` by key from (None if it did not)."""
    with laminarc.open(workers=workers) as db:
        db.execute(sql)
        sub = db.subscribe("h")
        t0 = time.perf_counter()
        for b in batches:
            db.insert("events", b)
        db.end_input("events")
        out = sub.to_arrow()
        seconds = time.perf_counter() - t0
        return seconds, out, db.metrics()["streams"]["h"].get("routed_from_window")


def check(out: pa.Table, want: dict) -> None:
    got = {(ws, k): (c, s) for ws, k, c, s in zip(
        out.column("window_start").to_pylist(), out.column("k").to_pylist(),
        out.column("cnt").to_pylist(), out.column("sum_v").to_pylist(), strict=True)}
    assert got.keys() == want.keys(), "windows or keys differ from numpy"
    for key, (c, s) in want.items():
        gc, gs = got[key]
        assert gc == c and abs(gs - s) <= 1e-9 * max(1.0, abs(s)), (key, got[key], (c, s))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=4_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--shapes", default="2/2,10/2,60/10,60/1")
    args = ap.parse_args()
    batches = w1_batches(args.events)
    for shape in args.shapes.split(","):
        size, slide = (int(x) for x in shape.split("/"))
        if size % slide:
            ap.error(f"{shape}: the size must be a multiple of the slide (for the numpy check)")
        want = expected(args.events, size * 1000, slide * 1000)
        secs = []
        for _ in range(args.runs):
            s, out, _ = run(batches, SQL.format(window=window_sql(size, slide)), args.workers)
            check(out, want)
            secs.append(s)
        med = statistics.median(secs)
        kind = "TUMBLE" if size == slide else "HOP"
        print(f"{kind} {size} s by {slide} s: {args.events / med / 1e6:7.1f} M events/s "
              f"(median of {args.runs}; {out.num_rows:,} window rows, exact)", flush=True)


if __name__ == "__main__":
    main()
