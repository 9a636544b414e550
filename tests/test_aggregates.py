"""Aggregation against DuckDB: unwindowed GROUP BY changelogs, global aggregates, HAVING,
EMIT CHANGES on windows, SELECT DISTINCT, and NULL semantics of aggregates.

A changelog is checked two ways: replaying it never retracts a row that is not there, and its
net rows equal DuckDB's batch result; under every input cut the net rows are identical (each
insert emits one consolidated change set, so the raw changelog depends on the cut).
"""

from __future__ import annotations

import itertools
import random
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from harness import (
    CUTS,
    EVENTS_DDL,
    assert_rows_equal,
    consolidate_changelog,
    duck,
    on_time_rows,
    random_events,
    run_stream,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import laminarc

SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DDL = EVENTS_DDL.format(delay=0)

AGGS = """COUNT(*) AS c, COUNT(v) AS cv, SUM(v) AS sv, MIN(v) AS mn, MAX(v) AS mx, AVG(i) AS ai,
          SUM(i) AS si, MIN(s) AS ms, MAX(s) AS xs, COUNT(DISTINCT s) AS ds,
          COUNT(DISTINCT i) FILTER (WHERE v > 0) AS dpos, MAX(i) FILTER (WHERE s <> 'beta') AS mi"""
DUCK_AGGS = """COUNT(*), COUNT(v), SUM(v), MIN(v), MAX(v), AVG(i), SUM(i), MIN(s), MAX(s),
               COUNT(DISTINCT s), COUNT(DISTINCT i) FILTER (WHERE v > 0),
               MAX(i) FILTER (WHERE s <> 'beta')"""


def changelog_matches(setup: str, stream: str, events: pa.Table, want: pa.Table,
                      seed: int) -> None:
    for cut in CUTS:
        got = run_stream(setup, stream, {"events": events}, cut, seed)
        assert got.column_names[-1] == "_op"
        assert set(got.column("_op").to_pylist()) <= {1, -1}
        assert_rows_equal(consolidate_changelog(got), want, context=f"cut={cut}")


@SETTINGS
@given(seed=st.integers(0, 2**31), n=st.integers(0, 100), keys=st.sampled_from([1, 4, 30]))
def test_group_by_changelog_matches_duckdb(seed, n, keys):
    events = random_events(n, seed, keys=keys)
    setup = DDL + f"CREATE STREAM g AS SELECT k, {AGGS} FROM events GROUP BY k;"
    want = duck(f"SELECT k, {DUCK_AGGS} FROM ev GROUP BY k", ev=events)
    changelog_matches(setup, "g", events, want, seed)


@SETTINGS
@given(seed=st.integers(0, 2**31), n=st.integers(0, 80))
def test_group_by_expressions_with_nullable_keys(seed, n):
    events = random_events(n, seed)
    setup = DDL + """CREATE STREAM g AS SELECT s, i % 3 AS m, COUNT(*) AS c, SUM(v) AS sv
        FROM events GROUP BY s, i % 3;"""
    want = duck("SELECT s, i % 3, COUNT(*), SUM(v) FROM ev GROUP BY s, i % 3", ev=events)
    changelog_matches(setup, "g", events, want, seed)


@SETTINGS
@given(seed=st.integers(0, 2**31), n=st.integers(0, 80))
def test_having_adds_and_removes_groups(seed, n):
    events = random_events(n, seed, keys=6)
    setup = DDL + """CREATE STREAM g AS SELECT k, COUNT(*) AS c, SUM(i) AS si FROM events
        GROUP BY k HAVING COUNT(*) > 3 AND SUM(i) > 0;"""
    want = duck("""SELECT k, COUNT(*), SUM(i) FROM ev GROUP BY k
                   HAVING COUNT(*) > 3 AND SUM(i) > 0""", ev=events)
    changelog_matches(setup, "g", events, want, seed)


@SETTINGS
@given(seed=st.integers(0, 2**31), n=st.integers(0, 80))
def test_global_aggregate_changelog(seed, n):
    events = random_events(n, seed)
    setup = DDL + f"CREATE STREAM g AS SELECT {AGGS} FROM events;"
    want = duck(f"SELECT {DUCK_AGGS} FROM ev", ev=events)
    if n == 0:   # a stream emits a global aggregate's row once there is input
        want = want.slice(0, 0)
    changelog_matches(setup, "g", events, want, seed)


@SETTINGS
@given(seed=st.integers(0, 2**31), n=st.integers(0, 80))
def test_select_distinct(seed, n):
    events = random_events(n, seed)
    setup = DDL + "CREATE STREAM g AS SELECT DISTINCT k, s FROM events;"
    want = duck("SELECT DISTINCT k, s FROM ev", ev=events)
    changelog_matches(setup, "g", events, want, seed)


@SETTINGS
@given(seed=st.integers(0, 2**31), n=st.integers(0, 80))
def test_star_over_an_aggregate_reads_each_column_from_its_key(seed, n):
    """`*` over GROUP BY names the input's columns, each read from its key whatever the keys'
    order (it once read the aggregate's output by input position: here s's values as k's)."""
    events = random_events(n, seed)
    setup = DDL + ("CREATE STREAM g AS SELECT *, COUNT(*) AS c FROM "
                   "(SELECT k, s FROM events) AS t GROUP BY s, t.k;")
    want = duck("SELECT k, s, COUNT(*) FROM ev GROUP BY s, k", ev=events)
    changelog_matches(setup, "g", events, want, seed)
    setup = DDL + "CREATE STREAM g AS SELECT DISTINCT t.* FROM (SELECT s, k FROM events) AS t;"
    changelog_matches(setup, "g", events, duck("SELECT DISTINCT s, k FROM ev", ev=events), seed)
    # DISTINCT's keys are its expressions: 5 is a value here, not the 5th column
    setup = DDL + "CREATE STREAM g AS SELECT DISTINCT k, 5 AS c FROM events;"
    changelog_matches(setup, "g", events, duck("SELECT DISTINCT k, 5 FROM ev", ev=events), seed)


@pytest.mark.parametrize("cut", ["one@1", "random@2"])
def test_keys_computed_with_branches_in_a_big_table(cut):
    """Keys computed with branches (COALESCE, CASE, NULLIF) in a table big enough for the
    loop to prefetch groups of rows ahead, whose keys it computes again there (this once
    failed to compile: the ahead rows' columns were loaded in a block the branches left)."""
    rng = np.random.default_rng(3)
    n = 60_000
    events = pa.table({
        "ts": pa.array(1_700_000_000_000 + np.arange(n), pa.timestamp("ms")),
        "k": pa.array(rng.integers(0, 40_000, n), mask=rng.random(n) < 0.05),
        "v": pa.array(rng.normal(0, 1, n)),
        "i": pa.array(rng.integers(-5, 5, n).astype(np.int32), mask=rng.random(n) < 0.1),
        "s": pa.array(["x"] * n),
    })
    setup = DDL + """CREATE STREAM g AS
        SELECT COALESCE(k, -1) AS ck, CASE WHEN i > 0 THEN 1 ELSE 2 END AS pos,
               NULLIF(i, 2) AS ni, COUNT(*) AS c
        FROM events GROUP BY COALESCE(k, -1), CASE WHEN i > 0 THEN 1 ELSE 2 END, NULLIF(i, 2);"""
    want = duck("""SELECT COALESCE(k, -1), CASE WHEN i > 0 THEN 1 ELSE 2 END, NULLIF(i, 2),
                   COUNT(*) FROM ev GROUP BY ALL""", ev=events)
    got = consolidate_changelog(run_stream(setup, "g", {"events": events}, cut, seed=3))
    assert got.num_rows > 40_000
    assert_rows_equal(got, want, exact=True)


@SETTINGS
@given(seed=st.integers(0, 2**31), n=st.integers(0, 100))
def test_window_emit_changes_nets_to_the_window_close_result(seed, n):
    events = random_events(n, seed)
    body = """SELECT k, window_start, COUNT(*) AS c, SUM(v) AS sv, MAX(s) AS xs
        FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND))
        GROUP BY k, window_start, window_end"""
    ddl = EVENTS_DDL.format(delay=700)
    closed = run_stream(ddl + f"CREATE STREAM w AS {body};", "w", {"events": events})
    for cut in CUTS:
        changes = run_stream(ddl + f"CREATE STREAM w AS {body} EMIT CHANGES;", "w",
                             {"events": events}, cut, seed)
        assert_rows_equal(consolidate_changelog(changes), closed, context=f"cut={cut}")
    on_time = on_time_rows(events, 700, 1000)
    want = duck("SELECT k, ws, COUNT(*), SUM(v), MAX(s) FROM ev GROUP BY k, ws", ev=on_time)
    assert_rows_equal(closed, want)


def test_changelog_rows_are_retract_then_insert(db):
    db.execute(DDL + "CREATE STREAM g AS SELECT k, SUM(i) AS s FROM events GROUP BY k;")
    sub = db.subscribe("g")

    def ins(*rows):
        db.insert("events", [{"ts": 0, "k": k, "v": None, "i": i, "s": None} for k, i in rows])

    ins((1, 5))
    assert sub.poll().to_pylist() == [{"k": 1, "s": 5, "_op": 1}]
    ins((1, 2), (2, 7))
    assert sub.poll().to_pylist() == [
        {"k": 1, "s": 5, "_op": -1}, {"k": 1, "s": 7, "_op": 1}, {"k": 2, "s": 7, "_op": 1}]
    ins((1, 0))                       # no visible change: nothing is emitted
    assert sub.poll() is None
    ins((2, 3), (2, -3))              # changes that cancel within one insert: nothing either
    assert sub.poll() is None


def test_aggregate_null_semantics(db):
    db.execute(DDL + """CREATE MATERIALIZED VIEW g AS SELECT k, COUNT(*) AS c, COUNT(i) AS ci,
        SUM(i) AS si, AVG(i) AS ai, MIN(s) AS ms, MAX(v) AS mv FROM events GROUP BY k;""")
    db.insert("events", [
        {"ts": 0, "k": 1, "v": None, "i": None, "s": None},
        {"ts": 0, "k": 1, "v": None, "i": None, "s": None},
        {"ts": 0, "k": None, "v": 1.5, "i": 4, "s": "x"},
        {"ts": 0, "k": None, "v": None, "i": 6, "s": None},
    ])
    got = {r["k"]: r for r in db.query("SELECT * FROM g").to_pylist()}
    assert got[1] == {"k": 1, "c": 2, "ci": 0, "si": None, "ai": None, "ms": None, "mv": None}
    assert got[None] == {"k": None, "c": 2, "ci": 2, "si": 10, "ai": 5.0, "ms": "x", "mv": 1.5}


def test_sum_overflow_is_null_and_counted(db):
    db.execute("""CREATE SOURCE n (x BIGINT);
        CREATE MATERIALIZED VIEW s AS SELECT SUM(x) AS total, COUNT(*) AS c FROM n;""")
    big = 2**62
    db.insert("n", {"x": [big, big, big]})
    assert db.query("SELECT * FROM s").to_pylist() == [{"total": None, "c": 3}]
    assert db.metrics()["expression_errors"] >= 1
    db.insert("n", {"x": [-big, -big]})
    assert db.query("SELECT * FROM s").to_pylist() == [{"total": big, "c": 5}]


def test_wide_sums_of_decimals_and_ints_are_exact(db):
    db.execute("""CREATE SOURCE n (d DECIMAL(18,2), i INT);
        CREATE MATERIALIZED VIEW s AS SELECT SUM(d) AS sd, SUM(i) AS si, AVG(d) AS ad FROM n;""")
    values = [Decimal("9999999999999999.99"), Decimal("9999999999999999.98"), Decimal("-0.01")]
    d = pa.array(values, pa.decimal128(18, 2))
    db.insert("n", pa.table({"d": d, "i": pa.array([2**31 - 1] * 3, pa.int32())}))
    row = db.query("SELECT * FROM s").to_pylist()[0]
    # 19,999,999,999,999,999.96 needs 19 digits: beyond DECIMAL(18), so NULL and counted.
    assert row["sd"] is None and db.metrics()["expression_errors"] == 1
    assert row["si"] == 3 * (2**31 - 1)          # exact beyond INT
    db.insert("n", pa.table({"d": pa.array([Decimal("-9999999999999999.99")],
                                           pa.decimal128(18, 2)), "i": [0]}))
    row = db.query("SELECT * FROM s").to_pylist()[0]
    assert row["sd"] == Decimal("9999999999999999.97")   # the i128 sum was exact all along


@pytest.mark.parametrize("cut", CUTS)
def test_many_groups_grow_the_table(cut):
    """Enough groups to grow hash tables and string arenas many times, mid-batch."""
    n = 20_000
    keys = [f"key-{i % 7919:05d}-{'x' * (i % 37)}" for i in range(n)]
    events = pa.table({"ts": pa.array(range(n), pa.int64()).cast(pa.timestamp("ms")),
                       "k": pa.array([i % 3 for i in range(n)], pa.int64()),
                       "v": pa.array([float(i) for i in range(n)]),
                       "i": pa.array([i % 100 for i in range(n)], pa.int32()),
                       "s": keys})
    setup = DDL + """CREATE STREAM g AS SELECT s, COUNT(*) AS c, MIN(s) AS m,
        COUNT(DISTINCT i) AS d FROM events GROUP BY s;"""
    got = consolidate_changelog(run_stream(setup, "g", {"events": events},
                                           "one@2" if cut.startswith("rows") else cut))
    want = duck("SELECT s, COUNT(*), MIN(s), COUNT(DISTINCT i) FROM ev GROUP BY s", ev=events)
    assert_rows_equal(got, want)


@SETTINGS
@given(seed=st.integers(0, 2**31), n=st.integers(0, 80))
def test_distinct_aggregates(seed, n):
    events = random_events(n, seed, keys=3)
    setup = DDL + """CREATE STREAM g AS SELECT k, SUM(DISTINCT i) AS a, AVG(DISTINCT i) AS b,
        MIN(DISTINCT s) AS c, COUNT(DISTINCT v) FILTER (WHERE i > 0) AS d FROM events
        GROUP BY k;"""
    want = duck("""SELECT k, SUM(DISTINCT i), AVG(DISTINCT i), MIN(DISTINCT s),
                   COUNT(DISTINCT v) FILTER (WHERE i > 0) FROM ev GROUP BY k""", ev=events)
    changelog_matches(setup, "g", events, want, seed)


def _shared_distinct(members: int) -> str:
    """DISTINCT aggregates over i, s and v whose FILTERs differ (one shared set per argument;
    with `members` > 8 the mask is wider than a byte, > 64 it splits into two sets): every
    function, filters that are NULL for some rows, a member without a filter."""
    aggs = ["COUNT(DISTINCT i)", "COUNT(DISTINCT i) FILTER (WHERE v > 0)",
            "SUM(DISTINCT i) FILTER (WHERE s <> 'beta')", "AVG(DISTINCT i) FILTER (WHERE v IS NULL)",
            "MIN(DISTINCT i) FILTER (WHERE i % 2 = 0)", "MAX(DISTINCT i) FILTER (WHERE k > 1)",
            "COUNT(DISTINCT s) FILTER (WHERE v > 0)", "MIN(DISTINCT s) FILTER (WHERE v < 0)",
            "MAX(DISTINCT s)", "COUNT(DISTINCT s)", "COUNT(DISTINCT v) FILTER (WHERE i > 0)",
            "SUM(DISTINCT v) FILTER (WHERE i <= 0)"]
    aggs += [f"COUNT(DISTINCT i) FILTER (WHERE i % {members} <> {r})"
             for r in range(members - 6)]
    return ", ".join(aggs)


@pytest.mark.parametrize("members", [6, 12, 70])
def test_distinct_aggregates_over_one_argument_share_its_set(members):
    """Aggregates over the same argument probe one set (Nexmark q15/q16's shape). Each counts
    a value the first time its own filter lets it through, so a value another member saw
    first still counts: per group, as a changelog and per window, on 1-3 workers."""
    events = random_events(400, members, keys=4)
    aggs = _shared_distinct(members)
    setup = DDL + f"""CREATE STREAM g AS SELECT k, {aggs} FROM events GROUP BY k;
        CREATE STREAM w AS SELECT window_start, k, {aggs}
            FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '20' SECOND))
            GROUP BY window_start, k;"""
    want = duck(f"SELECT k, {aggs} FROM ev GROUP BY k", ev=events)
    changelog_matches(setup, "g", events, want, members)
    want = duck(f"SELECT ws, k, {aggs} FROM ev GROUP BY ws, k",
                ev=on_time_rows(events, 0, 20_000))
    for cut in CUTS:
        assert_rows_equal(run_stream(setup, "w", {"events": events}, cut, members), want,
                          context=f"cut={cut}")


def _run_cut_at_random(setup: str, events: pa.Table, workers: int, slices: int, seed: int
                       ) -> tuple[dict[str, pa.Table], dict[str, int]]:
    """Streams g and w's output, and their expression errors, with `events` inserted in
    `slices` pieces cut at random."""
    db = laminarc.open(workers=workers)
    try:
        db.execute(setup)
        subs = {name: db.subscribe(name) for name in ("g", "w")}
        n = events.num_rows
        bounds = sorted({0, n, *random.Random(seed).sample(range(1, n), slices - 1)})
        for a, b in itertools.pairwise(bounds):
            db.insert("events", events.slice(a, b - a))
        db.end_input("events")
        out = {name: sub.to_arrow() for name, sub in subs.items()}
        return out, {name: db.metrics()["streams"][name]["expression_errors"] for name in subs}
    finally:
        db.close()


def test_big_distinct_sets_match_duckdb_for_any_cut():
    """Distinct sets of tens of thousands of (group, value) pairs, where the row loop looks
    ahead into the sets (computing rows' keys and values again, a key being a time bucket as
    GROUP BY DATE_FORMAT makes it): shared and lone sets, a string's, an expression's with
    NULLs, windowed and not, on 1-3 workers cut at random."""
    n = 120_000
    rng = np.random.default_rng(5)
    events = random_events(n, 5, keys=3, disorder=0)
    i = rng.integers(0, 40_000, n).astype(np.int32)
    s = np.char.add("u", rng.integers(0, 30_000, n).astype(str))
    events = (events.set_column(3, "i", pa.array(i, mask=rng.random(n) < 0.05))
              .set_column(4, "s", pa.array(s)))
    aggs = """COUNT(DISTINCT i) AS a, COUNT(DISTINCT i) FILTER (WHERE v > 10) AS b,
              SUM(DISTINCT i) FILTER (WHERE v <= 10) AS c, COUNT(DISTINCT s) AS d,
              COUNT(DISTINCT i % 7000 + k) FILTER (WHERE v > 0) AS e,
              COUNT(DISTINCT i * 60000) AS f"""     # overflows INT above 35,791: NULL
    hours = 3 * 3_600_000
    setup = DDL + f"""
        CREATE STREAM g AS SELECT k, DATE_FORMAT(ts, 'yyyy-MM-dd HH') AS h, {aggs}
            FROM events GROUP BY k, DATE_FORMAT(ts, 'yyyy-MM-dd HH');
        CREATE STREAM w AS SELECT window_start, k, {aggs}
            FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '3' HOUR))
            GROUP BY window_start, window_end, k;"""
    duck_aggs = aggs.replace("i * 60000", "CASE WHEN i <= 35791 THEN i * 60000 END")
    want_g = duck(f"SELECT k, strftime(ts, '%Y-%m-%d %H'), {duck_aggs} FROM ev GROUP BY ALL",
                  ev=events)
    want_w = duck(f"SELECT ws, k, {duck_aggs} FROM ev GROUP BY ALL",
                  ev=on_time_rows(events, 0, hours))
    overflows = int(((i > 35791) & ~events.column("i").is_null().to_numpy()).sum())
    for workers, slices in ((1, 1), (2, 9), (3, 2)):
        out, errors = _run_cut_at_random(setup, events, workers, slices, workers)
        assert errors["g"] == overflows, f"workers={workers}"
        assert_rows_equal(consolidate_changelog(out["g"]), want_g, context=f"workers={workers}")
        assert_rows_equal(out["w"], want_w, context=f"windows, workers={workers}")


BIG_KEY = "CASE WHEN k > 3074457345618258602 THEN NULL ELSE k * 3 END + i"   # k * 3 overflows


@pytest.mark.parametrize("seed", [3, 11])
def test_big_tables_match_duckdb_for_any_cut(seed):
    """Tables of tens of thousands of groups, where the row loop computes the hash keys of rows
    ahead again (for prefetching): nullable expression keys with overflows, a string key,
    windowed and not, on 1-3 workers and cut at random. The look-ahead must count no errors
    and change nothing."""
    n = 120_000
    events = random_events(n, seed, keys=70_000, disorder=0)
    k = events.column("k").to_numpy().copy()
    k[::5000] = 4 * 10**18                     # 24 rows whose key expression overflows
    events = events.set_column(1, "k", pa.array(k))
    hours = 3 * 3_600_000
    setup = DDL + """
        CREATE STREAM g AS SELECT k * 3 + i AS g, s, COUNT(*) AS c, SUM(v) AS sv, MAX(i) AS mi
            FROM events GROUP BY k * 3 + i, s;
        CREATE STREAM w AS SELECT window_start, k * 3 + i AS g, s, COUNT(*) AS c, SUM(v) AS sv
            FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '3' HOUR))
            GROUP BY window_start, window_end, k * 3 + i, s;"""
    want_g = duck(f"SELECT {BIG_KEY}, s, COUNT(*), SUM(v), MAX(i) FROM ev GROUP BY ALL",
                  ev=events)
    want_w = duck(f"""SELECT ws, {BIG_KEY}, s, COUNT(*), SUM(v) FROM ev GROUP BY ALL""",
                  ev=on_time_rows(events, 0, hours))
    assert want_w.num_rows > 3 * 20_000       # several windows of >16,384 groups (big tables)
    results = []
    for workers, slices in ((1, 1), (2, 9), (3, 2)):
        out, errors = _run_cut_at_random(setup, events, workers, slices, seed)
        assert errors == {"g": 24, "w": 24}, f"workers={workers}"
        net = duck("""SELECT g, s, c, sv, mi FROM o GROUP BY ALL HAVING SUM(_op) > 0""",
                   o=out["g"])
        assert_rows_equal(net, want_g, context=f"changelog, workers={workers}")
        assert_rows_equal(out["w"], want_w, context=f"windows, workers={workers}")
        results.append((net.sort_by([("g", "ascending"), ("s", "ascending")]), out["w"]))
    for net, windows in results[1:]:
        assert net.equals(results[0][0]) and windows.equals(results[0][1])


# ---------------------------------------------------------------------------------------------
# GROUP BY DATE_FORMAT: grouped by the time unit the text names (optimizer/bucket_time_keys.py)
# ---------------------------------------------------------------------------------------------
TIME_KEYS_DDL = """CREATE SOURCE t (ts TIMESTAMP(3), t3 TIMESTAMP(3), t6 TIMESTAMP(6), dt DATE,
                   v BIGINT, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);"""
# (pattern, whether it names a time exactly to a unit, so the key is bucketed)
TIME_PATTERNS = [("yyyy-MM-dd", True), ("yyyy-MM-dd HH", True), ("dd.MM.yyyy HH:mm", True),
                 ("yyyyMMddHHmmss", True), ("'at' HH 'on' MM/dd/yyyy", True),
                 ("yyyy-MM", False), ("yy-MM-dd", False), ("yyyy-M-d", False),
                 ("yyyy-MM-dd HH:mm:ss.SSS", False), ("HH:mm", False)]


def _time_key_table(seed: int, n: int) -> pa.Table:
    """Times on a few days (so groups repeat), some at the ends of each type's range (negative
    years, whose text has a sign; a DATE's 5.8 million years), and NULLs."""
    rng = np.random.default_rng(seed)
    day_ms = 86_400_000
    # (2070-01-01 is 1970-01-01 to a two-digit year)
    base = rng.choice([-2 * day_ms, 0, 19_000 * day_ms, 19_001 * day_ms, 36_525 * day_ms], n)
    t3 = base + rng.integers(0, 3 * day_ms, n)
    ends = [-(2**62), 2**62, -62_135_596_800_001, 253_402_300_799_999]
    t3 = np.where(rng.random(n) < 0.1, rng.choice(ends, n), t3)
    t6 = np.where(rng.random(n) < 0.1, rng.choice([-(2**63) + 1, 2**63 - 1], n), t3 * 1000 + 7)
    dt = np.where(rng.random(n) < 0.1, rng.choice([-(2**31), 2**31 - 1], n),
                  (t3 // day_ms).clip(-(2**31), 2**31 - 1)).astype(np.int32)
    null = rng.random(n) < 0.1
    return pa.table({
        "ts": pa.array(np.arange(n) * 10, pa.timestamp("ms")),
        "t3": pa.array(t3, pa.timestamp("ms"), mask=null),
        "t6": pa.array(t6, pa.timestamp("us"), mask=rng.random(n) < 0.1),
        "dt": pa.array(dt, pa.date32(), mask=rng.random(n) < 0.1),
        "v": pa.array(rng.integers(-5, 5, n)),
    })


def _time_key_queries(pattern: str) -> dict[str, str]:
    p = pattern.replace("'", "''")
    return {
        "changes": f"CREATE STREAM o AS SELECT DATE_FORMAT(t3, '{p}') AS a, COUNT(*) AS c,"
                   f" SUM(v) AS s FROM t GROUP BY DATE_FORMAT(t3, '{p}');",
        "two_keys": f"CREATE STREAM o AS SELECT v, DATE_FORMAT(t6, '{p}') AS a, COUNT(*) AS c"
                    f" FROM t GROUP BY v, DATE_FORMAT(t6, '{p}') HAVING COUNT(*) > 1"
                    f" AND DATE_FORMAT(t6, '{p}') <> '';",
        "date": f"CREATE STREAM o AS SELECT DATE_FORMAT(dt, '{p}') AS a, MAX(v) AS m FROM t"
                f" GROUP BY DATE_FORMAT(dt, '{p}');",
        "window": f"CREATE STREAM o AS SELECT window_start, DATE_FORMAT(t3, '{p}') AS a,"
                  f" COUNT(*) AS c FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1'"
                  f" SECOND)) GROUP BY window_start, window_end, DATE_FORMAT(t3, '{p}');",
    }


@pytest.mark.parametrize("pattern,bucketed", TIME_PATTERNS)
def test_group_by_date_format_gives_what_grouping_by_the_text_gives(pattern, bucketed,
                                                                    monkeypatch):
    """Grouping by the day (hour, ...) a DATE_FORMAT key names, with the text made from each
    group's MIN, gives exactly the rows, order and errors of grouping by the text (the rule
    turned off), changelogs and windows, TIMESTAMP(3), (6) and DATE, at the ends of their
    ranges, under cuts and workers; only patterns that name one time exactly are rewritten."""
    from laminarc.compiler import optimizer

    table = _time_key_table(len(pattern), 400)
    for name, query in _time_key_queries(pattern).items():
        with laminarc.open(workers=1) as db:
            db.execute(TIME_KEYS_DDL)
            plan = db.explain(query).split("== Optimized plan ==")[1].split("== Physical")[0]
        below = plan.split("Aggregate", 1)[1]   # (the aggregate and what it reads)
        rewritten = "TIME_BUCKET" in below if name != "date" else "DATE_FORMAT" not in below
        assert rewritten == bucketed, (name, plan)
        got = {c: run_stream(TIME_KEYS_DDL + query, "o", {"t": table}, c, seed=3)
               for c in ("one@1", "random@2")}
        with monkeypatch.context() as m:
            m.setattr(optimizer, "RULES", tuple(r for r in optimizer.RULES
                                                 if r.__name__ != "bucket_time_keys"))
            want = run_stream(TIME_KEYS_DDL + query, "o", {"t": table}, "one@1")
        for c, out in got.items():
            if name == "window":
                assert out.equals(want), (name, c)
            else:   # (a changelog's changes per insert depend on the cut)
                assert_rows_equal(consolidate_changelog(out), consolidate_changelog(want),
                                  exact=True, ordered=c.startswith("one"),
                                  context=f"{name} {c}")
        assert want.num_rows > 0, name


def test_group_by_date_format_matches_duckdb():
    """The day and hour keys against DuckDB's strftime, over years 1000-9998."""
    table = _time_key_table(5, 2000)
    keep = pa.compute.is_in(pa.compute.year(table.column("t3")), pa.array(range(1000, 9999)))
    table = table.filter(pa.compute.fill_null(keep, False))
    for pattern, duck_pattern in (("yyyy-MM-dd", "%Y-%m-%d"), ("yyyy-MM-dd HH", "%Y-%m-%d %H")):
        query = (f"CREATE STREAM o AS SELECT DATE_FORMAT(t3, '{pattern}') AS a, COUNT(*) AS c,"
                 f" SUM(v) AS s FROM t GROUP BY DATE_FORMAT(t3, '{pattern}');")
        out = consolidate_changelog(run_stream(TIME_KEYS_DDL + query, "o", {"t": table},
                                               "random@2"))
        want = duck(f"SELECT strftime(t3, '{duck_pattern}') AS a, COUNT(*) AS c,"
                    f" SUM(v) AS s FROM t GROUP BY 1", t=table)
        assert_rows_equal(out, want, exact=True, context=pattern)
