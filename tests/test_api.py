"""The Python API: names, input formats, subscriptions, explain, metrics, lifecycle."""

from __future__ import annotations

import datetime as dt
import threading

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import laminarc

DDL = """CREATE SOURCE events (ts TIMESTAMP(3), k BIGINT, v DOUBLE,
            WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);
         CREATE STREAM counts AS SELECT k, window_start, COUNT(*) AS c, SUM(v) AS s
            FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND))
            GROUP BY k, window_start, window_end;
         CREATE STREAM doubled AS SELECT k, v * 2 AS v2 FROM events;"""


class Capsule:
    """Any object exporting the Arrow PyCapsule stream interface (as polars does)."""

    def __init__(self, table: pa.Table):
        self.table = table

    def __arrow_c_stream__(self, requested_schema=None):
        return self.table.__arrow_c_stream__(requested_schema)


def rows(n: int, start: int = 0) -> pa.Table:
    i = np.arange(start, start + n)
    return pa.table({"ts": pa.array(i * 100, pa.int64()).cast(pa.timestamp("ms")),
                     "k": i % 3, "v": i * 0.5})


def test_every_input_format_gives_the_same_result():
    data = rows(40)
    formats = {
        "table": data,
        "batch": data.to_batches()[0],
        "pandas": data.to_pandas(),
        "dicts": data.to_pylist(),
        "columns": {c: data.column(c).to_pylist() for c in data.column_names},
        "capsule": Capsule(data),
        "reader": pa.RecordBatchReader.from_batches(data.schema, data.to_batches()),
    }
    results = {}
    for name, value in formats.items():
        with laminarc.open() as db:
            db.execute(DDL)
            sub = db.subscribe("counts")
            assert db.insert("events", value) == 40
            db.end_input("events")
            results[name] = sub.to_arrow()
    for name, t in results.items():
        assert t.equals(results["table"]), name


def test_subscription_poll_iteration_and_end():
    with laminarc.open() as db:
        db.execute(DDL)
        sub = db.subscribe("doubled")
        assert sub.poll() is None and sub.poll(timeout=0.01) is None
        db.insert("events", rows(5))
        b = sub.poll()
        assert isinstance(b, pa.RecordBatch) and b.num_rows == 5
        assert b.schema.names == ["k", "v2"]
        db.insert("events", rows(3, 5))
        db.end_input("events")
        assert [x.num_rows for x in sub] == [3]
        assert sub.ended and sub.poll() is None
        late = db.subscribe("doubled")           # subscribing after the end: ended at once
        assert late.to_arrow().num_rows == 0


def test_subscribers_see_rows_from_now_on():
    with laminarc.open() as db:
        db.execute(DDL)
        first = db.subscribe("doubled")
        db.insert("events", rows(4))
        second = db.subscribe("doubled")
        db.insert("events", rows(2, 4))
        db.end_input("events")
        assert first.to_arrow().num_rows == 6
        assert second.to_arrow().num_rows == 2


IDLE_SQL = """CREATE SOURCE s (ts TIMESTAMP(3), k BIGINT, v BIGINT,
                WATERMARK FOR ts AS ts - INTERVAL '2' SECOND);
             CREATE STREAM f AS SELECT ts, k, window_start, 100 / v AS q
                FROM TABLE(TUMBLE(TABLE s, DESCRIPTOR(ts), INTERVAL '1' SECOND)) WHERE k > 0;
             CREATE STREAM agg AS SELECT k, window_end, COUNT(*) AS c
                FROM TABLE(TUMBLE(TABLE s, DESCRIPTOR(ts), INTERVAL '1' SECOND))
                GROUP BY k, window_start, window_end;
             CREATE STREAM big AS SELECT k, window_end, c * 10 AS c10 FROM agg WHERE c > 2;"""


def _idle_steps(seed: int) -> list[tuple[str, object]]:
    """Inserts (times mostly rising, some rows late, some v = 0 to divide by) and explicit
    watermarks."""
    rng = np.random.default_rng(seed)
    steps, t = [], 0
    for _ in range(40):
        if rng.random() < 0.2:
            steps.append(("watermark", t - int(rng.integers(0, 1500))))
            continue
        n = int(rng.integers(1, 300))
        ts = t + np.sort(rng.integers(-3000, 400, n))
        t = int(ts.max())
        steps.append(("insert", {"ts": pa.array(ts, pa.timestamp("ms")),
                                 "k": rng.integers(-1, 4, n), "v": rng.integers(0, 5, n)}))
    return steps


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_stream_without_state_runs_only_while_it_is_read(workers, seed):
    """A stream that keeps no state (`f`; `big`, over a stream) and that nothing reads (no
    subscriber, view or stream) makes no rows and counts no errors until a subscriber comes:
    its rows would be for no one, as a subscriber sees only rows emitted after it came. From
    then on it gives exactly the rows of a database where it was read all along, and has the
    watermark it would have had, until the subscriber leaves, and again when another comes.
    `agg`, with state, runs all along."""
    steps = _idle_steps(seed)
    with laminarc.open(workers=workers) as ref, laminarc.open(workers=workers) as db:
        ref.execute(IDLE_SQL)
        db.execute(IDLE_SQL)
        subs = {name: ref.subscribe(name) for name in ("f", "big")}
        want: list[dict[str, list]] = []   # each step's rows, of the database read all along
        marks = []                          # and the streams' watermarks after it
        for kind, arg in steps:
            getattr(ref, kind)("s", arg)
            want.append({n: [b for b in iter(s.poll, None)] for n, s in subs.items()})
            m = ref.metrics()["streams"]
            marks.append({n: m[n]["watermark"] for n in subs})
        m = db.metrics()["streams"]
        assert not m["f"]["running"] and not m["big"]["running"] and m["agg"]["running"]
        reading = {"f": (8, 20), "big": (12, 25)}   # read over steps [a, b) and from b + 5
        got: dict[str, list] = {name: [] for name in reading}
        open_subs = {}
        for i, (kind, arg) in enumerate(steps):
            for name, (a, b) in reading.items():
                if i in (a, b + 5):
                    open_subs[name] = db.subscribe(name)
                elif i == b:
                    sub = open_subs.pop(name)
                    got[name] += list(iter(sub.poll, None))
                    sub.close()
            getattr(db, kind)("s", arg)
            m = db.metrics()["streams"]
            for name in open_subs:
                assert m[name]["running"] and m[name]["watermark"] == marks[i][name], (i, name)
            if i == 3:
                assert m["f"]["rows_out"] == 0 and m["f"]["expression_errors"] == 0
        for name, sub in open_subs.items():
            got[name] += list(iter(sub.poll, None))
        for name, (a, b) in reading.items():
            expected = [x for i in [*range(a, b), *range(b + 5, len(steps))]
                        for x in want[i][name]]
            schema = subs[name].schema
            assert pa.Table.from_batches(got[name], schema) == \
                pa.Table.from_batches(expected, schema), name
            assert sum(x.num_rows for x in expected) > 0


def test_iteration_across_threads():
    with laminarc.open() as db:
        db.execute(DDL)
        sub = db.subscribe("doubled")
        got = []

        def consume():
            for batch in sub:
                got.append(batch.num_rows)

        t = threading.Thread(target=consume)
        t.start()
        for j in range(20):
            db.insert("events", rows(10, j * 10))
        db.end_input("events")
        t.join(timeout=10)
        assert not t.is_alive() and sum(got) == 200


def test_to_arrow_timeout_and_close_unblock():
    with laminarc.open() as db:
        db.execute(DDL)
        sub = db.subscribe("doubled")
        with pytest.raises(TimeoutError):
            sub.to_arrow(timeout=0.05)
        sub.close()
        assert sub.poll(timeout=None) is None


def test_watermark_accepts_datetimes_and_epoch_ms():
    with laminarc.open() as db:
        db.execute(DDL)
        sub = db.subscribe("counts")
        db.insert("events", rows(5))                 # ts 0..400 ms, window [0, 1000)
        db.watermark("events", dt.datetime(1970, 1, 1, 0, 0, 0, 999_000))
        assert sub.poll() is None                    # 999 ms: the window is still open
        db.watermark("events", 1000)
        assert sub.poll().num_rows == 3
        db.watermark("events", dt.datetime(1970, 1, 1, tzinfo=dt.UTC))  # never back
        assert db.metrics()["sources"]["events"]["watermark"] == 1000
        with pytest.raises(TypeError):
            db.watermark("events", "soon")
        db.watermark("events", np.int64(1500))       # numpy's integers are integers
        assert db.metrics()["sources"]["events"]["watermark"] == 1500
        db.watermark("events", 2**70)                # beyond the time range: clamped to it
        assert db.metrics()["sources"]["events"]["watermark"] == 2**63 - 1


def test_explain_stages():
    with laminarc.open() as db:
        db.execute(DDL)
        text = db.explain("""CREATE STREAM x AS SELECT k, COUNT(*) FROM events
                             WHERE v > 1 GROUP BY k""")
        for part in ("== Logical plan ==", "== Optimized plan ==", "== Physical plan ==",
                     "Aggregate", "Filter (v#2 > 1.0)", "sink: aggregate"):
            assert part in text, text
        assert "LLVM IR" not in text
        llvm = db.explain("SELECT k FROM events WHERE k > 1", llvm=True)
        assert "== LLVM IR ==" in llvm and "define i64" in llvm
        # explain of an existing stream's definition works too
        assert "Window TUMBLE" in db.explain(
            "CREATE STREAM counts AS SELECT k, COUNT(*) FROM TABLE(TUMBLE(TABLE events, "
            "DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY k, window_start, window_end")


def test_metrics_shape():
    with laminarc.open() as db:
        db.execute(DDL)
        db.insert("events", rows(30))
        m = db.metrics()
        assert m["rows_in"] == 30 and m["sources"]["events"]["rows"] == 30
        assert m["sources"]["events"]["batches"] == 1
        # nothing reads `doubled` (no subscriber, view or stream), and it keeps no state: it
        # does not run until something does
        assert m["streams"]["doubled"]["rows_out"] == 0
        assert not m["streams"]["doubled"]["running"] and m["streams"]["counts"]["running"]
        with db.subscribe("doubled"):
            db.insert("events", rows(30))
            assert db.metrics()["streams"]["doubled"]["rows_out"] == 30
        # ts 0..2900 ms, watermark 1900: [0, 1000) closed; 2 windows x 3 keys stay open,
        # each held once per worker that aggregated some of its rows (pre-aggregation)
        assert 6 <= m["streams"]["counts"]["groups"] <= 6 * max(1, len(m["workers"]))
        assert m["streams"]["counts"]["open_windows"] == 2
        assert set(m["compile"]) >= {"cache_hits_memory", "cache_hits_disk", "llvm_compiles"}


def test_reopening_the_same_pipeline_skips_llvm():
    with laminarc.open() as db:
        db.execute(DDL)
        before = db.metrics()["compile"]
    with laminarc.open() as db:
        db.execute(DDL)
        after = db.metrics()["compile"]
    assert after["llvm_compiles"] == before["llvm_compiles"]
    assert after["cache_hits_memory"] > before["cache_hits_memory"]


def test_names_are_case_insensitive_unless_quoted():
    with laminarc.open() as db:
        db.execute('CREATE SOURCE Ev (TS BIGINT, "MixedCase" INT, WATERMARK FOR ts AS ts);'
                   'CREATE STREAM Out AS SELECT "MixedCase" AS m, ts FROM EV;')
        sub = db.subscribe("OUT")
        db.insert("ev", {"ts": [1], "MixedCase": [7]})
        assert sub.poll().to_pylist() == [{"m": 7, "ts": 1}]


def test_pandas_datetimes_and_nulls():
    with laminarc.open() as db:
        db.execute(DDL)
        sub = db.subscribe("doubled")
        df = pd.DataFrame({"ts": pd.to_datetime(["2024-01-01 00:00:00.123"] * 2),
                           "k": [1, 2], "v": [1.5, None]})
        db.insert("events", df)
        assert sub.poll().to_pylist() == [{"k": 1, "v2": 3.0}, {"k": 2, "v2": None}]


def test_close_cuts_subscriptions_off_and_context_manager():
    """Closing the database delivers what streams emitted; then a stream that did not end
    raises StateError in its consumers instead of ending as if it had, and one that ended
    ends."""
    db = laminarc.open()
    db.execute(DDL)
    cut, whole = db.subscribe("doubled"), db.subscribe("doubled")
    with db:
        db.insert("events", rows(2))
    assert cut.poll().num_rows == 2
    for _ in range(2):
        with pytest.raises(laminarc.StateError, match="closed before stream 'doubled' ended"):
            cut.poll(timeout=None)
    assert not cut.ended
    with pytest.raises(laminarc.StateError, match="closed before"):
        whole.to_arrow(timeout=1)
    with pytest.raises(laminarc.StateError):
        db.subscribe("doubled")

    db = laminarc.open()
    db.execute(DDL)
    sub = db.subscribe("doubled")
    db.insert("events", rows(3))
    db.end_input("events")
    db.close()
    assert sub.to_arrow(timeout=1).num_rows == 3 and sub.ended


def test_close_stops_another_threads_iteration_with_an_error():
    db = laminarc.open(workers=2)
    db.execute(DDL)
    sub = db.subscribe("doubled")
    got, errors = [], []

    def consume():
        try:
            for batch in sub:
                got.append(batch.num_rows)
        except laminarc.StateError as e:
            errors.append(e)

    t = threading.Thread(target=consume)
    t.start()
    for j in range(20):
        db.insert("events", rows(10, j * 10))
    db.close()
    t.join(timeout=10)
    assert not t.is_alive() and sum(got) == 200 and len(errors) == 1


def test_readme_quickstart_runs():
    """The README's Python example is executed as written."""
    import pathlib
    import re

    text = (pathlib.Path(__file__).parent.parent / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert namespace["sub"].ended


def test_workers_must_be_a_positive_integer():
    """A wrong `workers` is a clear error, not a TypeError from a comparison, a float
    truncated or True taken for 1; numpy's integers are integers."""
    for bad, error, words in [(0, ValueError, "at least 1"), (-3, ValueError, "at least 1"),
                              ("2", TypeError, "integer, not str"),
                              (2.5, TypeError, "integer, not float"),
                              (True, TypeError, "integer, not bool")]:
        with pytest.raises(error, match=words):
            laminarc.open(workers=bad)
    db = laminarc.open(workers=np.int64(2))
    try:
        assert len(db.metrics()["workers"]) == 2
    finally:
        db.close()
