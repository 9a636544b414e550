"""Window aggregates against DuckDB, on randomized out-of-order data, under every input cut.

The oracle gets only the rows (or row-window pairs, for HOP) that the watermark simulator in
harness.py finds on time; laminarc must drop exactly the others as late, count them, and emit
each window once.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from harness import (
    EVENTS_DDL,
    assert_cut_invariant,
    assert_rows_equal,
    duck,
    epoch_ms,
    hop_pairs,
    random_events,
    run_stream,
    tumble_on_time,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import laminarc

SETTINGS = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

AGGS = """COUNT(*) AS c, COUNT(v) AS cv, SUM(v) AS sv, MIN(v) AS mn, MAX(v) AS mx,
          AVG(v) AS av, SUM(i) AS si, MIN(s) AS ms, MAX(s) AS xs,
          COUNT(DISTINCT s) AS ds, COUNT(*) FILTER (WHERE i > 0) AS cpos,
          SUM(v) FILTER (WHERE s LIKE '%a%') AS sva"""
DUCK_AGGS = """COUNT(*), COUNT(v), SUM(v), MIN(v), MAX(v), AVG(v), SUM(i), MIN(s), MAX(s),
               COUNT(DISTINCT s), COUNT(*) FILTER (WHERE i > 0),
               SUM(v) FILTER (WHERE s LIKE '%a%')"""


def with_window_start(t: pa.Table, starts: list[int]) -> pa.Table:
    return t.append_column("ws", pa.array(starts, pa.int64()).cast(pa.timestamp("ms")))


@SETTINGS
@given(seed=st.integers(0, 2**31), n=st.integers(0, 120), delay=st.sampled_from([0, 300, 2000]),
       size=st.sampled_from([500, 1000, 3000]))
def test_tumble_matches_duckdb(seed, n, delay, size):
    events = random_events(n, seed)
    setup = EVENTS_DDL.format(delay=delay) + f"""
        CREATE STREAM w AS SELECT k, window_start, window_end, {AGGS}
        FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '{size}' MILLISECOND))
        GROUP BY k, window_start, window_end;"""
    got = assert_cut_invariant(setup, "w", {"events": events}, seed)
    ts = epoch_ms(events)
    keep = tumble_on_time(ts, delay, size)
    on_time = with_window_start(events, [t // size * size for t in ts]).filter(pa.array(keep, pa.bool_()))
    want = duck(f"""SELECT k, ws, ws + INTERVAL '{size} milliseconds', {DUCK_AGGS}
                    FROM ev GROUP BY k, ws""", ev=on_time)
    assert_rows_equal(got, want)


@SETTINGS
@given(seed=st.integers(0, 2**31), n=st.integers(0, 80), delay=st.sampled_from([0, 1000]),
       slide=st.sampled_from([500, 1000]), factor=st.sampled_from([1, 2, 3]))
def test_hop_matches_duckdb(seed, n, delay, slide, factor):
    size = slide * factor
    events = random_events(n, seed)
    setup = EVENTS_DDL.format(delay=delay) + f"""
        CREATE STREAM w AS SELECT k, window_start, {AGGS}
        FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '{slide}' MILLISECOND,
                       INTERVAL '{size}' MILLISECOND))
        GROUP BY k, window_start, window_end;"""
    got = assert_cut_invariant(setup, "w", {"events": events}, seed)
    pairs = hop_pairs(epoch_ms(events), delay, slide, size)
    rows = events.take(pa.array([r for r, _ in pairs], pa.int64()))
    on_time = with_window_start(rows, [s for _, s in pairs])
    want = duck(f"SELECT k, ws, {DUCK_AGGS} FROM ev GROUP BY k, ws", ev=on_time)
    assert_rows_equal(got, want)


SLICED_AGGS = """COUNT(*) AS c, COUNT(v) AS cv, SUM(v) AS sv, MIN(v) AS mn, MAX(v) AS mx,
                 AVG(v) AS av, SUM(i) AS si, MIN(s) AS ms, MAX(s) AS xs,
                 COUNT(*) FILTER (WHERE i > 0) AS cpos,
                 SUM(v) FILTER (WHERE s LIKE '%a%') AS sva"""
SLICED_DUCK_AGGS = """COUNT(*), COUNT(v), SUM(v), MIN(v), MAX(v), AVG(v), SUM(i), MIN(s), MAX(s),
                      COUNT(*) FILTER (WHERE i > 0), SUM(v) FILTER (WHERE s LIKE '%a%')"""


@SETTINGS
@given(seed=st.integers(0, 2**31), n=st.integers(0, 120), delay=st.sampled_from([0, 700, 2500]),
       shape=st.sampled_from([(500, 1000), (400, 1000), (300, 1000), (1000, 3000), (250, 4000),
                              (700, 1500)]),
       offset=st.sampled_from([0, 130, -450]))
def test_sliced_hop_matches_duckdb(seed, n, delay, shape, offset):
    """A HOP whose rows count alike in each of their windows is sliced (a row updates one
    slice of gcd(slide, size); a window folds its slices when it closes): the same windows,
    rows and late rows as the oracle's row-window pairs, under every cut and worker count."""
    slide, size = shape
    events = random_events(n, seed)
    setup = EVENTS_DDL.format(delay=delay) + f"""
        CREATE STREAM w AS SELECT k, window_start, window_end, {SLICED_AGGS}
        FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '{slide}' MILLISECOND,
                       INTERVAL '{size}' MILLISECOND, INTERVAL '{offset}' MILLISECOND))
        GROUP BY k, window_start, window_end;"""
    with laminarc.open(workers=1) as db:
        db.execute(setup)
        assert db.engine.streams["w"].pipelines[0].aggregate.slice == np.gcd(slide, size)
    got = assert_cut_invariant(setup, "w", {"events": events}, seed)
    pairs = hop_pairs(epoch_ms(events), delay, slide, size, offset)
    rows = events.take(pa.array([r for r, _ in pairs], pa.int64()))
    on_time = with_window_start(rows, [s for _, s in pairs])
    want = duck(f"""SELECT k, ws, ws + INTERVAL '{size} milliseconds', {SLICED_DUCK_AGGS}
                    FROM ev GROUP BY k, ws""", ev=on_time)
    assert_rows_equal(got, want)


@SETTINGS
@given(seed=st.integers(0, 2**31), n=st.integers(20, 150),
       shape=st.sampled_from([(100, 3200), (100, 2000), (300, 2400)]))
def test_sliced_hop_blocks_follow_rows_behind_the_watermark(seed, n, shape):
    """A sliced HOP's window adds up cached blocks of slices that earlier windows built. Rows
    far behind the watermark (disorder up to 3 s, no delay) still count in the windows that are
    open, so they change slices that cached blocks hold: each such block must be rebuilt before
    a later window uses it, under every cut and worker count."""
    slide, size = shape
    events = random_events(n, seed, keys=2, disorder=3000)
    setup = EVENTS_DDL.format(delay=0) + f"""
        CREATE STREAM w AS SELECT k, window_start, window_end, {SLICED_AGGS}
        FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '{slide}' MILLISECOND,
                       INTERVAL '{size}' MILLISECOND))
        GROUP BY k, window_start, window_end;"""
    got = assert_cut_invariant(setup, "w", {"events": events}, seed)
    pairs = hop_pairs(epoch_ms(events), 0, slide, size)
    rows = events.take(pa.array([r for r, _ in pairs], pa.int64()))
    on_time = with_window_start(rows, [s for _, s in pairs])
    want = duck(f"""SELECT k, ws, ws + INTERVAL '{size} milliseconds', {SLICED_DUCK_AGGS}
                    FROM ev GROUP BY k, ws""", ev=on_time)
    assert_rows_equal(got, want)


def test_sliced_hop_with_millions_of_slices_a_window_folds_only_those_with_rows():
    """A day-long HOP sliding by a day less 1 ms is sliced by the millisecond: 86.4 M slices a
    window, of which a handful hold rows. A window's blocks are built only over slices that
    exist (a build descending through every slice of a day would take seconds a window)."""
    day = 86_400_000
    ts = [5, 1000, 50_000_000, day - 7, day + 3, 2 * day, 3 * day + 12_345, 3 * day + 12_346]
    events = pa.table({"ts": pa.array(ts, pa.int64()).cast(pa.timestamp("ms")),
                       "k": pa.array([1, 2, 1, 1, 2, 1, 1, 2], pa.int64()),
                       "v": pa.array([1.5] * 8), "i": pa.array(range(8), pa.int32()),
                       "s": pa.array(["a"] * 8)})
    setup = EVENTS_DDL.format(delay=0) + f"""
        CREATE STREAM w AS SELECT k, window_start, COUNT(*) AS c, SUM(i) AS si
        FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '{day - 1}' MILLISECOND,
                       INTERVAL '{day}' MILLISECOND))
        GROUP BY k, window_start, window_end;"""
    with laminarc.open(workers=1) as db:
        db.execute(setup)
        assert db.engine.streams["w"].pipelines[0].aggregate.slice == 1
    got = assert_cut_invariant(setup, "w", {"events": events}, 3)
    pairs = hop_pairs(ts, 0, day - 1, day)
    rows = events.take(pa.array([r for r, _ in pairs], pa.int64()))
    want = duck("SELECT k, ws, COUNT(*), SUM(i) FROM ev GROUP BY k, ws",
                ev=with_window_start(rows, [s for _, s in pairs]))
    assert got.num_rows == 6
    assert_rows_equal(got, want)


@SETTINGS
@given(seed=st.integers(0, 2**31), n=st.integers(1, 100))
def test_group_window_form_equals_table_function_form(seed, n):
    events = random_events(n, seed)
    ddl = EVENTS_DDL.format(delay=500)
    tvf = run_stream(ddl + """CREATE STREAM w AS SELECT k, window_start, window_end, COUNT(*) AS c,
        SUM(i) AS s FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND))
        GROUP BY k, window_start, window_end;""", "w", {"events": events})
    grouped = run_stream(ddl + """CREATE STREAM w AS SELECT k,
        TUMBLE_START(ts, INTERVAL '1' SECOND), TUMBLE_END(ts, INTERVAL '1' SECOND), COUNT(*),
        SUM(i) FROM events GROUP BY k, TUMBLE(ts, INTERVAL '1' SECOND);""", "w",
                         {"events": events})
    assert tvf.to_pylist() == [
        dict(zip(tvf.column_names, r.values(), strict=True)) for r in grouped.to_pylist()]


def test_hop_group_window_form():
    events = random_events(60, 7)
    ddl = EVENTS_DDL.format(delay=0)
    a = run_stream(ddl + """CREATE STREAM w AS SELECT k, HOP_START(ts, INTERVAL '1' SECOND,
        INTERVAL '2' SECOND) AS ws, HOP_END(ts, INTERVAL '1' SECOND, INTERVAL '2' SECOND) AS we,
        COUNT(*) AS c FROM events GROUP BY k, HOP(ts, INTERVAL '1' SECOND, INTERVAL '2' SECOND);
        """, "w", {"events": events})
    b = run_stream(ddl + """CREATE STREAM w AS SELECT k, window_start AS ws, window_end AS we,
        COUNT(*) AS c FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND,
        INTERVAL '2' SECOND)) GROUP BY k, window_start, window_end;""", "w", {"events": events})
    assert a.equals(b)


@SETTINGS
@given(seed=st.integers(0, 2**31), n=st.integers(1, 80), data=st.data())
def test_explicit_watermarks_below_the_natural_one_change_nothing(seed, n, data):
    """Watermarks advanced explicitly, at any time, to values rows already implied, leave the
    output identical (the same rows are on time)."""
    events = random_events(n, seed)
    delay = 1000
    setup = EVENTS_DDL.format(delay=delay) + """CREATE STREAM w AS SELECT k, window_start,
        COUNT(*) AS c, SUM(v) AS s FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts),
        INTERVAL '1' SECOND)) GROUP BY k, window_start, window_end;"""
    plain = run_stream(setup, "w", {"events": events}, "rows")
    ts = epoch_ms(events)
    running = np.maximum.accumulate(np.array(ts)) - delay
    marks = {}
    for j in data.draw(st.lists(st.integers(1, n), max_size=6, unique=True)):
        hi = int(running[j - 1])
        marks[j] = data.draw(st.integers(hi - 5000, hi))
    with_marks = run_stream(setup, "w", {"events": events}, "rows", watermarks=marks)
    assert with_marks.equals(plain)


def test_late_rows_are_dropped_counted_and_never_change_a_closed_window(db):
    db.execute(EVENTS_DDL.format(delay=0) + """CREATE STREAM w AS SELECT k, window_start,
        COUNT(*) AS c FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND))
        GROUP BY k, window_start, window_end;""")
    sub = db.subscribe("w")

    def ev(ms, k=1):
        return [{"ts": pa.scalar(ms, pa.timestamp("ms")).as_py(), "k": k, "v": 1.0, "i": 1,
                 "s": "a"}]

    db.insert("events", ev(100))
    db.insert("events", ev(900))
    assert sub.poll() is None                    # window [0, 1000) still open
    db.insert("events", ev(1000))                # watermark 1000 closes [0, 1000)
    first = sub.poll()
    assert first.to_pydict()["c"] == [2]
    db.insert("events", ev(999))                 # late: its window closed
    db.insert("events", ev(500, k=2))            # late too, even for a new key
    db.watermark("events", 5000)                 # closes [1000, 2000)
    second = sub.poll()
    assert second.to_pydict()["c"] == [1]
    assert sub.poll() is None
    m = db.metrics()
    assert m["late_rows"] == 2
    assert m["sources"]["events"]["late_rows"] == 2
    assert m["streams"]["w"]["late_rows"] == 2


def test_each_window_is_emitted_once_when_the_watermark_reaches_its_end(db):
    db.execute(EVENTS_DDL.format(delay=200) + """CREATE STREAM w AS SELECT window_start,
        window_end, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts),
        INTERVAL '1' SECOND)) GROUP BY window_start, window_end;""")
    sub = db.subscribe("w")
    seen = []
    rng = np.random.default_rng(3)
    ts = np.sort(rng.integers(0, 10_000, 400))
    wm = -(2**63)
    for t in ts:
        db.insert("events", {"ts": pa.array([int(t)], pa.int64()).cast(pa.timestamp("ms")),
                             "k": [0], "v": [1.0], "i": [1], "s": ["x"]})
        wm = max(wm, int(t) - 200)
        while (b := sub.poll()) is not None:
            for row in b.to_pylist():
                end = int(pa.scalar(row["window_end"], pa.timestamp("ms")).cast(pa.int64()).as_py())
                assert end <= wm, "emitted before the watermark reached the window's end"
                seen.append(end)
        # every window that ends at or before the watermark has been emitted by now
        closed = {e for e in range(1000, 11_000, 1000) if e <= wm and any(
            e - 1000 <= x < e for x in ts[ts <= t])}
        assert closed <= set(seen)
    db.end_input("events")
    while (b := sub.poll()) is not None:
        seen += [0] * b.num_rows
    assert len(seen) == len(set(np.asarray(ts) // 1000))


def test_tumble_bounds_at_the_edges_of_time_with_rows_jumping_between_windows():
    """The loop keeps the last row's window across rows (pipeline.tumble_window): rows that
    jump between windows near INT64_MIN, near INT64_MAX and around 0 must each get their own
    window's bounds (start = k * size, end = start + size, both saturating at the ends of
    i64, never wrapping), on one worker and on two."""
    lo, hi = -(2**63), 2**63 - 1
    rng = np.random.default_rng(7)
    near = [lo, lo + 5, lo + 808, lo + 1000, hi, hi - 5, hi - 807, hi - 1000, -1001, -1000, -1,
            0, 999, 1000]
    ts = near + [int(rng.choice([lo + x, hi - x, x - 3000])) for x in rng.integers(0, 3000, 2000)]
    want = []
    for t in ts:
        start = (t // 1000) * 1000
        want.append((t, max(lo, start), min(hi, start + 1000)))
    for workers in (1, 2):
        db = laminarc.open(workers=workers)
        db.execute("""CREATE SOURCE s (ts BIGINT, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);
            CREATE STREAM o AS SELECT ts, window_start, window_end
            FROM TABLE(TUMBLE(TABLE s, DESCRIPTOR(ts), INTERVAL '1' SECOND));""")
        sub = db.subscribe("o")
        for i in range(0, len(ts), 337):
            db.insert("s", pa.table({"ts": pa.array(ts[i:i + 337], pa.int64())}))
        db.end_input("s")
        got = sub.to_arrow().to_pydict()
        db.close()
        assert list(zip(got["ts"], got["window_start"], got["window_end"], strict=True)) == want


def test_hop_bounds_at_the_edges_of_time():
    """HOP windows of rows near INT64_MIN and INT64_MAX: each row in every window holding it,
    with saturated bounds, its windows found without forming ts - size (which would wrap and
    leave the row in none)."""
    lo, hi = -(2**63), 2**63 - 1
    ts = [lo, lo + 1, lo + 999, lo + 1000, lo + 2500, -1, 0, 1, hi - 2500, hi - 1000, hi - 1, hi]
    want = [(t, max(lo, k * 1000), min(hi, k * 1000 + 3000))
            for t in ts for k in range((t - 3000) // 1000 + 1, t // 1000 + 1)]
    for workers in (1, 2):
        with laminarc.open(workers=workers) as db:
            db.execute("""CREATE SOURCE s (ts BIGINT, WATERMARK FOR ts AS ts);
                CREATE STREAM o AS SELECT ts, window_start, window_end
                FROM TABLE(HOP(TABLE s, DESCRIPTOR(ts), INTERVAL '1' SECOND,
                               INTERVAL '3' SECOND));""")
            sub = db.subscribe("o")
            for i in range(0, len(ts), 5):
                db.insert("s", pa.table({"ts": pa.array(ts[i:i + 5], pa.int64())}))
            db.end_input("s")
            got = sub.to_arrow().to_pydict()
            assert db.metrics()["expression_errors"] == 0
        assert list(zip(got["ts"], got["window_start"], got["window_end"], strict=True)) == want


def test_the_window_at_the_first_instant_of_a_one_unit_slide():
    """Window number INT64_MIN is the runtime's empty mark, reached only by a one-unit slide at
    the earliest instant: an aggregate's rows in it count an overflow error (not late rows),
    HOP makes the row's other windows, and the stream goes on, on one worker and on two."""
    lo = -(2**63)
    for workers in (1, 2):
        with laminarc.open(workers=workers) as db:
            db.execute("""CREATE SOURCE s (ts BIGINT, k BIGINT, WATERMARK FOR ts AS ts);
                CREATE STREAM t AS SELECT k, window_start, COUNT(*) AS c
                FROM TABLE(TUMBLE(TABLE s, DESCRIPTOR(ts), 1)) GROUP BY k, window_start,
                window_end;
                CREATE STREAM h AS SELECT window_start, window_end, COUNT(*) AS c
                FROM TABLE(HOP(TABLE s, DESCRIPTOR(ts), 1, 3)) GROUP BY window_start,
                window_end;""")
            t, h = db.subscribe("t"), db.subscribe("h")
            db.insert("s", {"ts": [lo, lo, lo + 1, 5], "k": [1, 2, 1, 1]})
            db.end_input("s")
            assert [tuple(r.values()) for r in t.to_arrow().to_pylist()] == [
                (1, lo + 1, 1), (1, 5, 1)]
            assert [tuple(r.values()) for r in h.to_arrow().to_pylist()] == [
                (lo + 1, lo + 4, 1), (3, 6, 1), (4, 7, 1), (5, 8, 1)]
            m = db.metrics()["streams"]
            assert (m["t"]["expression_errors"], m["t"]["late_rows"]) == (2, 0)
            # the rows at lo have no window but the reserved one; lo + 1 loses two of three
            assert (m["h"]["expression_errors"], m["h"]["late_rows"]) == (3, 0)


@SETTINGS
@given(seed=st.integers(0, 2**31), n=st.integers(0, 80), hop=st.booleans(),
       offset=st.sampled_from([-2500, -1000, -300, 0, 250, 999, 4200]))
def test_window_offsets_match_duckdb(seed, n, hop, offset):
    """An offset shifts the windows by itself modulo the slide, positive or negative (as in
    Flink: the binder reduces it), under every input cut."""
    slide, size = 1000, (2000 if hop else 1000)
    events = random_events(n, seed)
    fn = (f"HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '{slide}' MILLISECOND, "
          f"INTERVAL '{size}' MILLISECOND, INTERVAL '{offset}' MILLISECOND)" if hop else
          f"TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '{size}' MILLISECOND, "
          f"INTERVAL '{offset}' MILLISECOND)")
    setup = EVENTS_DDL.format(delay=500) + f"""
        CREATE STREAM w AS SELECT k, window_start, window_end, COUNT(*) AS c, SUM(i) AS si
        FROM TABLE({fn}) GROUP BY k, window_start, window_end;"""
    got = assert_cut_invariant(setup, "w", {"events": events}, seed)
    pairs = hop_pairs(epoch_ms(events), 500, slide, size, offset)
    rows = events.take(pa.array([r for r, _ in pairs], pa.int64()))
    on_time = with_window_start(rows, [s for _, s in pairs])
    want = duck(f"""SELECT k, ws, ws + INTERVAL '{size} milliseconds', COUNT(*), SUM(i)
                    FROM ev GROUP BY k, ws""", ev=on_time)
    assert_rows_equal(got, want)
