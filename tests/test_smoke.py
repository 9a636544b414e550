"""End-to-end basics: a stateless stream and W1 at a small size."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from laminarc.workloads import W1_SQL, w1_batches, w1_check


def test_stateless_stream(db):
    db.execute("""
        CREATE SOURCE events (ts BIGINT, k BIGINT, v DOUBLE, WATERMARK FOR ts AS ts);
        CREATE STREAM f AS SELECT k, v * 2 AS v2 FROM events WHERE k < 3;
    """)
    sub = db.subscribe("f")
    i = np.arange(20, dtype=np.int64)
    db.insert("events", pa.record_batch({"ts": i // 2, "k": i % 5, "v": i * 0.5}))
    db.end_input("events")
    out = sub.to_arrow()
    keep = i % 5 < 3
    assert out.column("k").to_pylist() == list((i % 5)[keep])
    assert out.column("v2").to_pylist() == list((i * 0.5 * 2)[keep])


def test_w1_exact(db):
    db.execute(W1_SQL)
    sub = db.subscribe("w1")
    for b in w1_batches(300_000, 65_536):
        db.insert("events", b)
    db.end_input("events")
    check = w1_check(sub.to_arrow(), 300_000)
    assert check["exact"], check
