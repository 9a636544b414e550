"""Every column type through sources, windows and aggregates, against DuckDB."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from harness import (
    CUTS,
    assert_cut_invariant,
    assert_rows_equal,
    consolidate_changelog,
    duck,
    run_stream,
)

DDL = """CREATE SOURCE t (ts TIMESTAMP(6), k SMALLINT, b BOOLEAN, i INT, big BIGINT, r REAL,
    d DOUBLE, dec DECIMAL(12,3), s VARCHAR, day DATE, t3 TIMESTAMP(3), iv INTERVAL,
    WATERMARK FOR ts AS ts - INTERVAL '500' MILLISECOND);"""


def table(n: int, seed: int) -> pa.Table:
    rng = np.random.default_rng(seed)
    base = 1_700_000_000_000_000
    ts = base + np.cumsum(rng.integers(0, 300_000, n))
    mask = lambda: rng.random(n) < 0.15  # noqa: E731
    return pa.table({
        "ts": pa.array(ts, pa.int64()).cast(pa.timestamp("us")),
        "k": pa.array(rng.integers(0, 4, n), pa.int16()),
        "b": pa.array(rng.random(n) < 0.5, mask=mask()),
        "i": pa.array(rng.integers(-1000, 1000, n), pa.int32(), mask=mask()),
        "big": pa.array(rng.integers(-10**15, 10**15, n), pa.int64(), mask=mask()),
        "r": pa.array(rng.normal(0, 100, n).astype(np.float32), mask=mask()),
        "d": pa.array(rng.normal(0, 100, n), mask=mask()),
        "dec": pa.array([Decimal(int(x)) / 1000 for x in rng.integers(-10**9, 10**9, n)],
                        pa.decimal128(12, 3), mask=mask()),
        "s": pa.array([f"s{x}" for x in rng.integers(0, 50, n)], mask=mask()),
        "day": pa.array(rng.integers(-1000, 30000, n), pa.int32(), mask=mask()).cast(
            pa.date32()),
        "t3": pa.array(rng.integers(0, 2 * 10**12, n), pa.int64(), mask=mask()).cast(
            pa.timestamp("ms")),
        "iv": pa.array(rng.integers(0, 10**9, n), pa.int64(), mask=mask()).cast(
            pa.duration("us")),
    })


AGGS = """COUNT(b), MIN(b), MAX(b), SUM(i), AVG(i), MIN(i), SUM(big), MAX(big), SUM(r), MIN(r),
    AVG(d), MAX(d), SUM(dec), AVG(dec), MIN(dec), MAX(s), MIN(day), MAX(day), MIN(t3), MAX(t3),
    COUNT(DISTINCT day), COUNT(DISTINCT dec), COUNT(iv)"""


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_window_aggregates_over_every_type(seed):
    t = table(300, seed)
    setup = DDL + f"""CREATE STREAM w AS SELECT k, window_start, {AGGS}
        FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND))
        GROUP BY k, window_start, window_end;"""
    got = assert_cut_invariant(setup, "w", {"t": t}, seed)
    ts = t.column("ts").cast(pa.int64()).to_numpy()
    ws = pa.array(ts // 10_000_000 * 10_000_000, pa.int64()).cast(pa.timestamp("us"))
    # in-order data with a 0.5 s delay: nothing is late
    want = duck(f"SELECT k, ws, {AGGS} FROM ev GROUP BY k, ws", ev=t.append_column("ws", ws))
    assert_rows_equal(got, want)
    assert got.schema.field("window_start").type == pa.timestamp("us")


def test_group_by_every_type_as_key():
    t = table(200, 5)
    keys = "b, i % 5, r > 0, dec, s, day, t3"
    setup = DDL + f"CREATE STREAM g AS SELECT {keys}, COUNT(*) FROM t GROUP BY {keys};"
    got = consolidate_changelog(run_stream(setup, "g", {"t": t}, "random"))
    assert_rows_equal(got, duck(f"SELECT {keys}, COUNT(*) FROM ev GROUP BY {keys}", ev=t))


def test_float_keys_group_nan_and_signed_zero_together():
    setup = """CREATE SOURCE f (x DOUBLE); CREATE STREAM g AS SELECT x, COUNT(*) AS c
               FROM f GROUP BY x;"""
    data = {"f": pa.table({"x": [0.0, -0.0, float("nan"), float("nan"), None, None, 1.5]})}
    got = consolidate_changelog(run_stream(setup, "g", data)).to_pylist()
    counts = sorted((str(r["x"]), r["c"]) for r in got)
    assert counts == [("0.0", 2), ("1.5", 1), ("None", 2), ("nan", 2)]


def test_projection_of_every_type_round_trips():
    t = table(100, 9)
    setup = DDL + "CREATE STREAM p AS SELECT * FROM t;"
    for cut in CUTS:
        got = run_stream(setup, "p", {"t": t}, cut)
        assert got.equals(t.cast(got.schema)), cut
    assert got.schema.field("dec").type == pa.decimal128(12, 3)
    assert got.schema.field("iv").type == pa.duration("us")


def test_timestamp6_event_time_windows_in_microseconds():
    setup = """CREATE SOURCE e (ts TIMESTAMP(6), WATERMARK FOR ts AS ts);
        CREATE STREAM w AS SELECT window_start, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE e,
        DESCRIPTOR(ts), INTERVAL '1' MILLISECOND)) GROUP BY window_start, window_end;"""
    base = dt.datetime(2024, 1, 1)
    ts = [base + dt.timedelta(microseconds=u) for u in (0, 999, 1000, 1500, 2999)]
    got = run_stream(setup, "w", {"e": pa.table({"ts": pa.array(ts, pa.timestamp("us"))})})
    assert got.column("c").to_pylist() == [2, 2, 1]
