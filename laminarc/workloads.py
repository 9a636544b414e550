"""Benchmark workloads shared by the examples, `bench/` and `laminarc bench`."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

W1_SQL = """
CREATE SOURCE events (
    ts BIGINT,              -- event time, epoch milliseconds
    k  BIGINT,
    v  DOUBLE,
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
);
CREATE STREAM w1 AS
SELECT k, window_start, COUNT(*) AS cnt, SUM(v) AS sum_v, MAX(v) AS max_v
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND))
GROUP BY k, window_start, window_end
EMIT ON WINDOW CLOSE;
"""


def w1_batch(start: int, stop: int) -> pa.RecordBatch:
    """Events start..stop-1 of W1: ts = i // 100, k = (i * 7919) % 1000, v = (i % 997) * 0.5."""
    i = np.arange(start, stop, dtype=np.int64)
    return pa.record_batch({
        "ts": i // 100,
        "k": (i * 7919) % 1000,
        "v": (i % 997).astype(np.float64) * 0.5,
    })


def w1_batches(n: int, batch_rows: int = 65_536) -> list[pa.RecordBatch]:
    return [w1_batch(s, min(n, s + batch_rows)) for s in range(0, n, batch_rows)]


def w1_check(result: pa.Table, n: int) -> dict:
    """Compare a W1 result with numpy, group by group. Returns the figures checked."""
    i = np.arange(n, dtype=np.int64)
    k = (i * 7919) % 1000
    v = (i % 997).astype(np.float64) * 0.5
    gid = (i // 100 // 1000) * 1000 + k
    size = int(gid.max()) + 1
    cnt = np.bincount(gid, minlength=size)
    total = np.bincount(gid, weights=v, minlength=size)
    mx = np.full(size, -np.inf)
    np.maximum.at(mx, gid, v)
    ws = result.column("window_start")
    if pa.types.is_timestamp(ws.type):   # a peer may return a timestamp
        ws = ws.cast(pa.timestamp("ms")).cast(pa.int64())
    ws = ws.to_numpy()
    got = (ws // 1000) * 1000 + result.column("k").to_numpy()
    present = cnt > 0
    ok = (
        result.num_rows == int(present.sum())
        and len(np.unique(got)) == result.num_rows
        and np.array_equal(result.column("cnt").to_numpy(), cnt[got])
        and np.array_equal(result.column("sum_v").to_numpy(), total[got])
        and np.array_equal(result.column("max_v").to_numpy(), mx[got])
    )
    return {"rows": result.num_rows, "expected_rows": int(present.sum()),
            "sum_v": float(result.column("sum_v").to_numpy().sum()), "exact": bool(ok)}
