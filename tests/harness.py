"""Differential testing: the same rows through laminarc cut in different ways, and through
DuckDB as the batch oracle.

- `run_stream` feeds a table to a source in slices (one row at a time, random sizes, one
  batch), optionally with explicit watermarks between slices, and returns everything the stream
  emitted, in order. Across cuts the results must be *identical* (same rows, same order).
- `on_time` simulates the watermark contract independently of the engine: the watermark
  before row r is the largest event time seen before r minus the delay (and any explicit
  watermark given before r); a (row, window) pair counts if the window's end is past it.
- `duck` runs the oracle query; `assert_rows_equal` compares multisets with a float tolerance.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import math
import random

import duckdb
import numpy as np
import pyarrow as pa
from laminarc.runtime import pipelines

import laminarc


def cuts_of(n: int, kind: str, seed: int = 0) -> list[int]:
    """Slice boundaries: 'one' batch, 'rows' (one row each), 'random' sizes, 'halves'
    (an '@workers' suffix, and what follows it, is ignored here)."""
    kind = kind.split("@")[0]
    if n == 0:
        return [0]
    if kind == "one":
        return [0, n]
    if kind == "rows":
        return list(range(n + 1))
    if kind == "halves":
        return sorted({0, n // 2, n})
    rng = random.Random(seed)
    inner = sorted(rng.sample(range(1, n), k=min(n - 1, rng.randint(1, max(1, n // 3)))))
    return [0, *inner, n]


# How each differential test runs a stream: a cut of the input and a number of workers
# (1 runs inline; 3 is more workers than this machine has CPUs), '/routed' routing a
# pre-aggregated TUMBLE's windows by key from the first chunk that holds a group on
# (ROUTE_BYTES 0), so windows of both kinds occur. All must agree exactly.
CUTS = ("one@1", "rows@2", "random@2", "halves@3", "one@2", "random@3/routed")


def workers_of(cut: str) -> int:
    """The workers a cut names ('random@3/routed': 3); 2 when it names none."""
    return int(cut.split("@")[1].split("/")[0]) if "@" in cut else 2


@contextlib.contextmanager
def routing(cut: str):
    """While inside, pipelines route by key as soon as they may if `cut` says '/routed', or
    once a worker holds N bytes of a window's groups if it says '/routed:N'."""
    saved = pipelines.ROUTE_BYTES
    if "/routed" in cut:
        pipelines.ROUTE_BYTES = int(cut.partition("/routed:")[2] or 0)
    try:
        yield
    finally:
        pipelines.ROUTE_BYTES = saved


def run_stream(setup_sql: str, stream: str, inputs: dict[str, pa.Table], cuts: str = "one",
               seed: int = 0, watermarks: dict[int, int] | None = None,
               end: bool = True, metrics: dict | None = None) -> pa.Table:
    """Everything `stream` emits when each source's table is inserted slice by slice.
    `watermarks` maps a slice index to an explicit watermark (epoch ms) given before it;
    `metrics`, if given, receives the database's metrics once the output is read."""
    with routing(cuts), laminarc.open(workers=workers_of(cuts)) as db:
        db.execute(setup_sql)
        sub = db.subscribe(stream)
        for source, table in inputs.items():
            bounds = cuts_of(table.num_rows, cuts, seed)
            for j in range(len(bounds) - 1):
                if watermarks and j in watermarks:
                    db.watermark(source, watermarks[j])
                db.insert(source, table.slice(bounds[j], bounds[j + 1] - bounds[j]))
        if end:
            for source in inputs:
                db.end_input(source)
            out = sub.to_arrow()
        else:
            batches = []
            while (b := sub.poll()) is not None:
                batches.append(b)
            out = pa.Table.from_batches(batches, schema=sub.schema)
        if metrics is not None:
            metrics.update(db.metrics())
        return out


def assert_cut_invariant(setup_sql: str, stream: str, inputs: dict[str, pa.Table],
                         seed: int = 0, consolidate: bool = False) -> pa.Table:
    """Run every cut; all must give the identical result (for a changelog, the identical
    consolidated result). Returns the result of one batch."""
    results = {c: run_stream(setup_sql, stream, inputs, c, seed) for c in CUTS}
    base = results[CUTS[0]]
    for c, r in results.items():
        if consolidate:
            assert_rows_equal(consolidate_changelog(r), consolidate_changelog(base), exact=True,
                              context=f"cut={c}")
        else:
            assert r.equals(base), f"cut={c} differs from one batch:\n{r}\nvs\n{base}"
    return base


def consolidate_changelog(t: pa.Table) -> pa.Table:
    """The net rows of a changelog: rows whose +1/-1 sum is positive, repeated that often."""
    cols = [c for c in t.column_names if c != "_op"]
    counts: dict[tuple, int] = {}
    first: dict[tuple, dict] = {}
    ops = t.column("_op").to_pylist()
    rows = t.select(cols).to_pylist()
    for i, (r, op) in enumerate(zip(rows, ops, strict=True)):
        key = tuple(_hashable(r[c]) for c in cols)
        if key not in counts:
            counts[key] = 0
            first[key] = r
        counts[key] += op
        assert counts[key] >= 0, f"changelog row {i} retracts {r}, which is not there"
    out = [first[k] for k in first for _ in range(counts[k])]
    return pa.Table.from_pylist(out, schema=t.select(cols).schema)


def _hashable(v):
    if isinstance(v, float) and math.isnan(v):
        return "NaN"
    return v


# ---------------------------------------------------------------------------------------------
# watermark simulation
# ---------------------------------------------------------------------------------------------
def watermarks_before(ts: list[int | None], delay: int,
                      explicit: dict[int, int] | None = None) -> list[int]:
    """Watermark in force before each row (explicit: row index -> watermark given before it)."""
    out = []
    wm = -(2**63)
    for r, t in enumerate(ts):
        if explicit and r in explicit:
            wm = max(wm, explicit[r])
        out.append(wm)
        if t is not None:
            wm = max(wm, t - delay)
    return out


def tumble_on_time(ts: list[int], delay: int, size: int, offset: int = 0,
                   explicit: dict[int, int] | None = None) -> list[bool]:
    wms = watermarks_before(ts, delay, explicit)
    return [(t - offset) // size * size + offset + size > wm for t, wm in zip(ts, wms, strict=True)]


def on_time_rows(events: pa.Table, delay: int, size: int, ws_size: int | None = None) -> pa.Table:
    """The rows of `events` on time for tumbling windows of `size` ms under a watermark `delay`
    ms behind (the batch input an oracle aggregates), with column `ws`: the start of their
    window of `ws_size` ms (default: `size`), as TIMESTAMP(3)."""
    ts = epoch_ms(events)
    ws_size = ws_size or size
    ws = pa.array([t // ws_size * ws_size for t in ts], pa.int64()).cast(pa.timestamp("ms"))
    keep = pa.array(tumble_on_time(ts, delay, size), pa.bool_())
    return events.append_column("ws", ws).filter(keep)


def hop_pairs(ts: list[int], delay: int, slide: int, size: int, offset: int = 0,
              explicit: dict[int, int] | None = None) -> list[tuple[int, int]]:
    """(row index, window start) of every on-time row-window pair of a HOP window."""
    wms = watermarks_before(ts, delay, explicit)
    pairs = []
    for r, (t, wm) in enumerate(zip(ts, wms, strict=True)):
        last = (t - offset) // slide
        first = (t - offset - size) // slide + 1
        for k in range(first, last + 1):
            start = k * slide + offset
            if start + size > wm:
                pairs.append((r, start))
    return pairs


# ---------------------------------------------------------------------------------------------
# the oracle and comparisons
# ---------------------------------------------------------------------------------------------
def duck(query: str, **tables: pa.Table) -> pa.Table:
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        for name, t in tables.items():
            con.register(name, t)
        return con.sql(query).to_arrow_table()
    finally:
        con.close()


def _norm(v):
    if isinstance(v, decimal.Decimal):
        return v
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return v.replace(tzinfo=None)
    return v


def _sort_key(row: tuple) -> tuple:
    key = []
    for v in row:
        if v is None:
            key.append((0, 0))
        elif isinstance(v, float):
            key.append((1, float(f"{v:.9g}") if math.isfinite(v) else (str(v))))
        elif isinstance(v, (int, decimal.Decimal)):
            key.append((1, float(v)))
        else:
            key.append((2, str(v)))
    return tuple((a, b if not isinstance(b, str) else 0, b if isinstance(b, str) else "")
                 for a, b in key)


def _equal(a, b, exact: bool, rel_tol: float = 1e-9, abs_tol: float = 1e-9) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        fa, fb = float(a), float(b)
        if math.isnan(fa) or math.isnan(fb):
            return math.isnan(fa) and math.isnan(fb)
        if exact:
            return fa == fb
        return math.isclose(fa, fb, rel_tol=rel_tol, abs_tol=abs_tol)
    if isinstance(a, decimal.Decimal) or isinstance(b, decimal.Decimal):
        return decimal.Decimal(a) == decimal.Decimal(b)
    return _norm(a) == _norm(b)


def rows_of(t: pa.Table) -> list[tuple]:
    return [tuple(r.values()) for r in t.to_pylist()]


def assert_rows_equal(got: pa.Table, want: pa.Table, exact: bool = False, ordered: bool = False,
                      context: str = "", rel_tol: float = 1e-9, abs_tol: float = 1e-9) -> None:
    """Same multiset of rows (columns by position); floats within rel_tol or abs_tol (default
    1e-9) unless exact."""
    assert got.num_columns == want.num_columns, (
        f"{context}: {got.num_columns} columns vs {want.num_columns}: "
        f"{got.column_names} vs {want.column_names}")
    g, w = rows_of(got), rows_of(want)
    assert len(g) == len(w), f"{context}: {len(g)} rows vs {len(w)} expected\n{got}\n{want}"
    if not ordered:
        g, w = sorted(g, key=_sort_key), sorted(w, key=_sort_key)
    for i, (x, y) in enumerate(zip(g, w, strict=True)):
        if not all(_equal(a, b, exact, rel_tol, abs_tol) for a, b in zip(x, y, strict=True)):
            raise AssertionError(f"{context}: row {i} differs:\n  got  {x}\n  want {y}")


def random_events(n: int, seed: int, keys: int = 5, disorder: int = 1500, null_rate: float = 0.1,
                  start: int = 1_700_000_000_000) -> pa.Table:
    """Events with mostly increasing event time (ms) and some disorder, NULLs in value columns."""
    rng = np.random.default_rng(seed)
    base = start + np.cumsum(rng.integers(0, 400, n))
    ts = base - rng.integers(0, disorder + 1, n) * (rng.random(n) < 0.3)
    k = rng.integers(0, keys, n)
    v = np.round(rng.normal(10, 20, n), 2)
    i = rng.integers(-50, 50, n)
    s = np.array(["alpha", "beta", "gamma", "delta", "", "Ünïcode", "al%pha", "x y"])[
        rng.integers(0, 8, n)]
    nulls = lambda: rng.random(n) < null_rate  # noqa: E731
    return pa.table({
        "ts": pa.array(ts, pa.timestamp("ms")),
        "k": pa.array(k, pa.int64()),
        "v": pa.array(v, pa.float64(), mask=nulls()),
        "i": pa.array(i, pa.int32(), mask=nulls()),
        "s": pa.array(s, pa.string(), mask=nulls()),
    })


EVENTS_DDL = """
CREATE SOURCE events (ts TIMESTAMP(3), k BIGINT, v DOUBLE, i INT, s VARCHAR,
                      WATERMARK FOR ts AS ts - INTERVAL '{delay}' MILLISECOND);
"""


def epoch_ms(table: pa.Table, column: str = "ts") -> list[int]:
    return table.column(column).cast(pa.int64()).to_pylist()
