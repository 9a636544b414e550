"""Materialized views, one-shot queries over them, and streams over streams (cascades)."""

from __future__ import annotations

import pyarrow as pa
import pytest
from harness import (
    CUTS,
    EVENTS_DDL,
    assert_cut_invariant,
    assert_rows_equal,
    consolidate_changelog,
    cuts_of,
    duck,
    epoch_ms,
    on_time_rows,
    random_events,
    routing,
    run_stream,
    workers_of,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import laminarc

SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def feed(db, events: pa.Table, cut: str, seed: int = 0) -> None:
    b = cuts_of(events.num_rows, cut, seed)
    for j in range(len(b) - 1):
        db.insert("events", events.slice(b[j], b[j + 1] - b[j]))


@SETTINGS
@given(seed=st.integers(0, 2**31), n=st.integers(0, 100), cut=st.sampled_from(CUTS))
def test_view_of_a_group_by_is_its_current_state(seed, n, cut):
    events = random_events(n, seed, keys=8)
    with routing(cut), laminarc.open(workers=workers_of(cut)) as db:
        db.execute(EVENTS_DDL.format(delay=0) + """CREATE MATERIALIZED VIEW mv AS
            SELECT k, COUNT(*) AS c, SUM(v) AS sv, MAX(s) AS ms FROM events GROUP BY k;""")
        half = n // 2
        feed(db, events.slice(0, half), cut, seed)
        want = duck("SELECT k, COUNT(*), SUM(v), MAX(s) FROM ev GROUP BY k",
                    ev=events.slice(0, half))
        assert_rows_equal(db.query("SELECT * FROM mv"), want)     # mid-stream state
        feed(db, events.slice(half), cut, seed)
        want = duck("SELECT k, COUNT(*), SUM(v), MAX(s) FROM ev GROUP BY k", ev=events)
        assert_rows_equal(db.query("SELECT * FROM mv"), want)
        got = db.query("SELECT k, c FROM mv WHERE c > 2 ORDER BY c DESC, k LIMIT 3")
        expect = duck("""SELECT k, COUNT(*) AS c FROM ev GROUP BY k HAVING COUNT(*) > 2
                         ORDER BY c DESC, k LIMIT 3""", ev=events)
        assert_rows_equal(got, expect, ordered=True)
        agg = db.query("SELECT COUNT(*) AS groups, SUM(c) AS rows FROM mv")
        assert agg.to_pylist() == [{"groups": len(set(events.column("k").to_pylist())),
                                    "rows": n if n else None}]


@SETTINGS
@given(seed=st.integers(0, 2**31), n=st.integers(0, 100))
def test_view_of_a_window_aggregate_accumulates_closed_windows(seed, n):
    events = random_events(n, seed)
    with laminarc.open() as db:
        db.execute(EVENTS_DDL.format(delay=500) + """CREATE MATERIALIZED VIEW w AS
            SELECT k, window_start, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE events,
            DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY k, window_start, window_end;""")
        feed(db, events, "random", seed)
        db.end_input("events")
        on_time = on_time_rows(events, 500, 1000)
        want = duck("SELECT k, ws, COUNT(*) FROM ev GROUP BY k, ws", ev=on_time)
        assert_rows_equal(db.query("SELECT * FROM w"), want)
        # a one-shot window query over the view (batch semantics: every window closes)
        got = db.query("""SELECT window_start, SUM(c) AS total FROM TABLE(TUMBLE(TABLE w,
            DESCRIPTOR(window_start), INTERVAL '2' SECOND)) GROUP BY window_start, window_end""")
        on_time2 = on_time.append_column("ws2", pa.array(
            [t // 2000 * 2000 for t in epoch_ms(on_time)], pa.int64()).cast(pa.timestamp("ms")))
        want2 = duck("SELECT ws2, COUNT(*) FROM ev GROUP BY ws2", ev=on_time2)
        assert_rows_equal(got, want2)


def test_query_reads_only_views(db):
    db.execute(EVENTS_DDL.format(delay=0) + """CREATE STREAM s AS SELECT k FROM events;
        CREATE MATERIALIZED VIEW m AS SELECT k FROM events;""")
    with pytest.raises(laminarc.SqlError, match="materialized views"):
        db.query("SELECT * FROM s")
    with pytest.raises(laminarc.SqlError, match="materialized views"):
        db.query("SELECT * FROM events")
    assert db.query("SELECT * FROM m").num_rows == 0


@SETTINGS
@given(seed=st.integers(0, 2**31), n=st.integers(1, 100))
def test_window_over_a_window_aggregate_equals_the_direct_coarser_window(seed, n):
    """1-second windows re-aggregated into 5-second windows give what 5-second windows give:
    emitted rows carry window_start/window_end as event time, and they are never late."""
    events = random_events(n, seed)
    ddl = EVENTS_DDL.format(delay=1000)
    cascade = ddl + """
        CREATE STREAM fine AS SELECT k, window_start, window_end, COUNT(*) AS c, SUM(i) AS si
            FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND))
            GROUP BY k, window_start, window_end;
        CREATE STREAM coarse AS SELECT k, window_start AS ws, SUM(c) AS c, SUM(si) AS si
            FROM TABLE(TUMBLE(TABLE fine, DESCRIPTOR(window_start), INTERVAL '5' SECOND))
            GROUP BY k, window_start, window_end;"""
    # rows on time for the 1-second windows are the ones that reach the coarse windows
    on_time = on_time_rows(events, 1000, 1000, ws_size=5000)
    want = duck("SELECT k, ws, COUNT(*), SUM(i) FROM ev GROUP BY k, ws", ev=on_time)
    got = assert_cut_invariant(cascade, "coarse", {"events": events}, seed)
    assert_rows_equal(got, want)


@SETTINGS
@given(seed=st.integers(0, 2**31), n=st.integers(0, 80))
def test_stream_over_a_stateless_stream_keeps_per_row_watermarks(seed, n):
    """The filtered-out rows of an intermediate stream still advance its source's watermark:
    a window over the filtered stream drops exactly the rows the source's watermark makes
    late (the intermediate stream is compiled into the same fused loop)."""
    events = random_events(n, seed)
    ddl = EVENTS_DDL.format(delay=300) + """
        CREATE STREAM pos AS SELECT ts, k, i * 2 AS i2 FROM events WHERE i > 0;
        CREATE STREAM w AS SELECT k, window_start, COUNT(*) AS c, SUM(i2) AS s
            FROM TABLE(TUMBLE(TABLE pos, DESCRIPTOR(ts), INTERVAL '1' SECOND))
            GROUP BY k, window_start, window_end;"""
    on_time = on_time_rows(events, 300, 1000)
    want = duck("SELECT k, ws, COUNT(*), SUM(i * 2) FROM ev WHERE i > 0 GROUP BY k, ws",
                ev=on_time)
    got = assert_cut_invariant(ddl, "w", {"events": events}, seed)
    assert_rows_equal(got, want)


@SETTINGS
@given(seed=st.integers(0, 2**31), n=st.integers(0, 80))
def test_filter_and_projection_over_a_changelog(seed, n):
    events = random_events(n, seed, keys=10)
    ddl = EVENTS_DDL.format(delay=0) + """
        CREATE STREAM g AS SELECT k, COUNT(*) AS c, SUM(i) AS si FROM events GROUP BY k;
        CREATE STREAM h AS SELECT k * 10 AS k10, c FROM g WHERE c >= 2;"""
    want = duck("SELECT k * 10, COUNT(*) FROM ev GROUP BY k HAVING COUNT(*) >= 2", ev=events)
    for cut in CUTS:
        got = run_stream(ddl, "h", {"events": events}, cut, seed)
        assert_rows_equal(consolidate_changelog(got), want, context=f"cut={cut}")


@SETTINGS
@given(seed=st.integers(0, 2**31), n=st.integers(0, 80))
def test_window_over_a_named_window_aggregate(seed, n):
    events = random_events(n, seed)
    ddl = EVENTS_DDL.format(delay=0) + """
        CREATE STREAM per_key AS SELECT k, window_start, window_end, COUNT(*) AS c
            FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND))
            GROUP BY k, window_start, window_end;
        CREATE STREAM w AS SELECT window_start, SUM(c) AS total, MAX(c) AS most FROM TABLE(
            TUMBLE(TABLE per_key, DESCRIPTOR(window_start), INTERVAL '1' SECOND))
            GROUP BY window_start, window_end;"""
    on_time = on_time_rows(events, 0, 1000)
    want = duck("""SELECT ws, SUM(c), MAX(c) FROM (SELECT ws, k, COUNT(*) AS c FROM ev
                   GROUP BY ws, k) GROUP BY ws""", ev=on_time)
    got = assert_cut_invariant(ddl, "w", {"events": events}, seed)
    assert_rows_equal(got, want)


@SETTINGS
@given(seed=st.integers(0, 2**31), n=st.integers(0, 80))
def test_aggregate_of_an_aggregating_subquery(seed, n):
    """Two aggregates in one statement: windowed counts per key, then per window the keys'
    maximum — two pipelines joined by an internal relation."""
    events = random_events(n, seed)
    ddl = EVENTS_DDL.format(delay=0) + """
        CREATE STREAM w AS SELECT ws, MAX(c) AS most, COUNT(*) AS keys FROM (
            SELECT k, window_start AS ws, window_end AS we, COUNT(*) AS c
            FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND))
            GROUP BY k, window_start, window_end) AS per_key
        GROUP BY ws;"""
    on_time = on_time_rows(events, 0, 1000)
    want = duck("""SELECT ws, MAX(c), COUNT(*) FROM (SELECT ws, k, COUNT(*) AS c FROM ev
                   GROUP BY ws, k) GROUP BY ws""", ev=on_time)
    for cut in CUTS:
        got = run_stream(ddl, "w", {"events": events}, cut, seed)
        assert_rows_equal(consolidate_changelog(got), want, context=f"cut={cut}")


@pytest.mark.parametrize("column", ["x", "y"])
def test_query_order_by_places_nan_above_every_number(db, column):
    """ORDER BY in a one-shot query sorts NaN above every number, as DuckDB does, in both
    directions and with NULLs first or last (pyarrow's sort put NaN beside the NULLs, so
    DESC gave it after -inf)."""
    db.execute("CREATE SOURCE t (k BIGINT, x DOUBLE, y REAL);"
               "CREATE MATERIALIZED VIEW m AS SELECT k, x, y FROM t")
    values = [float("nan"), 1.5, None, float("-inf"), float("inf"), -0.0, 2.0, float("nan")]
    db.insert("t", pa.table({"k": list(range(len(values))), "x": values,
                             "y": pa.array(values, pa.float32())}))
    snapshot = db.view("m")
    for order in ("ASC NULLS FIRST", "ASC NULLS LAST", "DESC NULLS FIRST", "DESC NULLS LAST"):
        q = f"SELECT k, {column} FROM m ORDER BY {column} {order}, k"
        got = db.query(q).column("k").to_pylist()
        assert got == duck(q, m=snapshot).column("k").to_pylist(), order
    got = db.query(f"SELECT k, {column} FROM m ORDER BY {column} DESC NULLS LAST, k LIMIT 3")
    assert got.column("k").to_pylist() == [0, 7, 4]
