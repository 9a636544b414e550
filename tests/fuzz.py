"""Grammar-based differential fuzzing: random queries (`sqlgen`) over random events, each run
through laminarc in several ways and through DuckDB as the oracle.

A case is one query of a random kind (stateless, GROUP BY, global aggregate, DISTINCT, or a
TUMBLE/HOP window, half of all cases, with random delays, offsets, EMIT CHANGES, HAVING,
FILTER and DISTINCT aggregates, some over a stream that projects and filters the source) over
up to 300 rows with NULLs, extreme values and rows out of order. Laminarc runs it in every configuration of `CONFIGS`: the input cut differently, on 1
to 3 workers, with windows dealt to workers in blocks or routed by key (from the first chunk,
or once a window's groups pass 300 bytes). All must agree exactly: rows and their order (a
changelog's consolidated rows), late rows and expression errors. The first must equal DuckDB's
rows over the same events, expanded into their windows with late rows dropped (`harness`'s
watermark simulation). A case passes, or is a finding: a mismatch, an exception, a crash or a
hang. One kind of mismatch with DuckDB is expected: a float SUM or AVG of a window over
values that cancel (1e308 and -1e308 among small ones) depends on the order of the additions,
and laminarc adds a window's floats in 8 lanes of blocks (docs/architecture.md, Workers), the
same on any number of workers but not DuckDB's order (seed 25 finds two in 900 cases).

    python tests/fuzz.py run SEED SECONDS [OUT]   # cases SEED-0, SEED-1, ... for SECONDS
    python tests/fuzz.py show SEED IDX            # print one case
    python tests/fuzz.py repro SEED IDX           # run one case and print its verdict

`run` runs cases in a child process, so a crash or a hang is a finding, not the end of the
run, and writes OUT/findings.jsonl and OUT/stats.json (OUT: fuzz-out/SEED). Its blocks are
7 rows (LAMINARC_BLOCK_ROWS, unless set), so a few hundred rows span every lane and worker.
`test_fuzz.py` runs a fixed slice of cases in the suite.
"""

from __future__ import annotations

import json
import math
import multiprocessing as mp
import os
import random
import sys
import time
import traceback
from pathlib import Path

import pyarrow as pa

if __name__ == "__main__":
    os.environ.setdefault("LAMINARC_BLOCK_ROWS", "7")
    sys.path.insert(0, str(Path(__file__).parent))

from harness import assert_rows_equal, consolidate_changelog, duck, hop_pairs, run_stream
from sqlgen import (
    BIGINT,
    BOOL,
    DEC,
    DOUBLE,
    INT,
    TS,
    VARCHAR,
    Gen,
    Retry,
    gen_agg,
    gen_data,
    is_num,
)

import laminarc

DDL = """CREATE SOURCE events (ts TIMESTAMP(3), k BIGINT, v DOUBLE, i INT, s VARCHAR,
  d DECIMAL(10,2), b BOOLEAN, WATERMARK FOR ts AS ts - INTERVAL '{delay}' MILLISECOND);
"""
# Cuts in `harness`'s notation. The first is the one compared with DuckDB.
CONFIGS = ("one@1", "rows@2", "random@3/routed", "random@2/routed:300", "random@1")


# ------------------------------------------------------------------------------------------
# cases
# ------------------------------------------------------------------------------------------
def gen_case(master: int, idx: int) -> tuple[dict, pa.Table]:
    """Case `idx` of seed `master`: the same pair every time."""
    for attempt in range(100):
        rng = random.Random(f"{master}-{idx}" + (f"-{attempt}" if attempt else ""))
        try:
            return _case(rng, master, idx)
        except Retry:
            continue
    raise RuntimeError(f"no case could be drawn for {master}-{idx}")


def _key(g: Gen, rng: random.Random, types: list) -> tuple:
    """A grouping key that is not a bare integer literal (GROUP BY 1 names a column)."""
    for _ in range(20):
        e = g.expr(rng.choice(types), rng.choice([0, 0, 1, 2]))
        if not e[0].isdigit():
            return e
    raise Retry()


def _having(g: Gen, rng: random.Random) -> tuple[str, str] | None:
    if rng.random() < 0.6:
        return None
    parts = []
    for _ in range(rng.randint(1, 2)):
        a = gen_agg(g, 1)
        if a[2] == BOOL:
            parts.append((f"{a[0]} IS NOT NULL", f"{a[1]} IS NOT NULL"))
            continue
        lit = g.lit(a[2] if not is_num(a[2]) else rng.choice([INT, DOUBLE, DEC(10, 2)]))
        op = rng.choice(["=", "<>", "<", ">", ">=", "<="])
        parts.append((f"{a[0]} {op} {lit[0]}", f"{a[1]} {op} {lit[1]}"))
    j = rng.choice([" AND ", " OR "])
    return (j.join(p[0] for p in parts), j.join(p[1] for p in parts))


def _interval(ms: int) -> str:
    if ms < 0:
        return f"INTERVAL '-{-ms}' MILLISECOND"
    return f"INTERVAL '{ms}' MILLISECOND" if ms % 1000 else f"INTERVAL '{ms // 1000}' SECOND"


def _case(rng: random.Random, master: int, idx: int) -> tuple[dict, pa.Table]:
    data = gen_data(rng)
    g = Gen(rng)
    kind = rng.choice(["stateless"] + ["group"] * 3 + ["global", "distinct"] + ["window"] * 6)
    depth = rng.choice([1, 2, 3, 4])
    case: dict = {"kind": kind, "master": master, "idx": idx, "delay": 0}
    src_lam, src_duck, streams = "events", "ev", ""
    if rng.random() < (0.3 if kind == "window" else 0.2):
        # a derived column, filtered or not: through a subquery, or for a window through a
        # stream of its own (its columns in a random order) that the window is over
        x = g.expr(rng.choice([INT, BIGINT, DOUBLE, DEC(10, 2), VARCHAR, BOOL]), 2)
        w = g.expr(BOOL, 2) if rng.random() < 0.5 else None
        wl_, wd_ = (f" WHERE {w[0]}", f" WHERE {w[1]}") if w else ("", "")
        if kind == "window":
            cols = ["ts", "k", "v", "i", "s", "d", "b", f"{x[0]} AS x"]
            rng.shuffle(cols)
            streams = f"CREATE STREAM p AS SELECT {', '.join(cols)} FROM events{wl_};\n"
            src_lam, src_duck = "p", f"(SELECT *, {x[1]} AS x FROM ex{wd_}) AS ex"
        else:
            src_lam = f"(SELECT ts, k, v, i, s, d, b, {x[0]} AS x FROM events{wl_}) AS q"
            src_duck = f"(SELECT rn, ts, k, v, i, s, d, b, {x[1]} AS x FROM ev{wd_}) AS q"
        g.cols["x"] = x[2]
    where = g.expr(BOOL, rng.choice([1, 2, 3])) if rng.random() < 0.6 else None
    wl = f" WHERE {where[0]}" if where else ""
    wd = f" WHERE {where[1]}" if where else ""

    if kind == "stateless":
        exprs = [g.expr(rng.choice([INT, BIGINT, DOUBLE, DEC(10, 2), VARCHAR, BOOL, TS, VARCHAR,
                                    BOOL]), depth) for _ in range(rng.randint(1, 4))]
        lam = "SELECT " + ", ".join(f"{e[0]} AS c{j}" for j, e in enumerate(exprs)) + \
              f" FROM {src_lam}{wl}"
        duck = "SELECT " + ", ".join(f"{e[1]} AS c{j}" for j, e in enumerate(exprs)) + \
               f" FROM {src_duck}{wd} ORDER BY rn"
    elif kind in ("group", "global", "distinct"):
        keys = [] if kind == "global" else [
            _key(g, rng, [INT, BIGINT, VARCHAR, BOOL, DEC(10, 2), DOUBLE, INT])
            for _ in range(rng.randint(1, 2))]
        if kind == "distinct":
            lam = "SELECT DISTINCT " + ", ".join(f"{e[0]} AS g{j}" for j, e in enumerate(keys)) + \
                  f" FROM {src_lam}{wl}"
            duck = "SELECT DISTINCT " + ", ".join(f"{e[1]} AS g{j}" for j, e in enumerate(keys)) + \
                   f" FROM {src_duck}{wd}"
        else:
            aggs = [gen_agg(g, rng.choice([0, 1, 2])) for _ in range(rng.randint(1, 4))]
            h = _having(g, rng)
            sel_l = [f"{e[0]} AS g{j}" for j, e in enumerate(keys)] + \
                [f"{a[0]} AS a{j}" for j, a in enumerate(aggs)]
            sel_d = [f"{e[1]} AS g{j}" for j, e in enumerate(keys)] + \
                [f"{a[1]} AS a{j}" for j, a in enumerate(aggs)]
            gb_l = (" GROUP BY " + ", ".join(e[0] for e in keys)) if keys else ""
            gb_d = (" GROUP BY " + ", ".join(e[1] for e in keys)) if keys else ""
            lam = f"SELECT {', '.join(sel_l)} FROM {src_lam}{wl}{gb_l}" + \
                  (f" HAVING {h[0]}" if h else "")
            duck = f"SELECT {', '.join(sel_d)} FROM {src_duck}{wd}{gb_d}" + \
                   (f" HAVING {h[1]}" if h else "")
        case["count_rows"] = f"SELECT COUNT(*) FROM {src_duck}{wd}"
    else:
        lam, duck = _window_query(case, g, rng, wl, wd, src_lam, src_duck)
    case.update(lam=lam, duck=duck, sql=DDL.format(delay=case["delay"]) + streams +
                f"CREATE STREAM out AS {lam};")
    return case, data


def _window_query(case: dict, g: Gen, rng: random.Random, wl: str, wd: str, src: str,
                  src_duck: str) -> tuple[str, str]:
    """A TUMBLE or HOP aggregate over `src`, as a table function or a GROUP BY TUMBLE(...),
    and its DuckDB twin over `ex`, the events expanded into their on-time windows (the
    source's watermark decides, filtered rows included)."""
    src_duck = "ex" if src == "events" else src_duck
    delay = rng.choice([0, 0, 500, 2000, 86_400_000, 86_400_000])
    wk = rng.choice(["tumble", "tumble", "hop"])
    size = rng.choice([1000, 2000, 5000, 10000, 60000])
    slide = size
    if wk == "hop":
        slide = rng.choice([s for s in (500, 1000, 2000, 2500, 5000) if s <= size])
    offset = rng.choice([0, 0, 0, 300, -700]) if rng.random() < 0.3 else 0
    form = rng.choice(["tvf", "tvf", "group"]) if offset == 0 else "tvf"
    emit = " EMIT CHANGES" if rng.random() < 0.15 else ""
    keys = [_key(g, rng, [INT, BIGINT, VARCHAR, BOOL, INT]) for _ in range(rng.randint(0, 2))]
    aggs = [gen_agg(g, rng.choice([0, 1, 2])) for _ in range(rng.randint(1, 4))]
    h = _having(g, rng)
    off = f", {_interval(offset)}" if offset else ""
    if form == "tvf":
        if wk == "tumble":
            rel = f"TABLE(TUMBLE(TABLE {src}, DESCRIPTOR(ts), {_interval(size)}{off}))"
        else:
            rel = (f"TABLE(HOP(TABLE {src}, DESCRIPTOR(ts), {_interval(slide)}, "
                   f"{_interval(size)}{off}))")
        sel_l = ["window_start", "window_end"]
        gb_l = ["window_start", "window_end"]
    else:
        rel = src
        f_ = wk.upper()
        args = f"ts, {_interval(size)}" if wk == "tumble" else \
            f"ts, {_interval(slide)}, {_interval(size)}"
        sel_l = [f"{f_}_START({args}) AS ws", f"{f_}_END({args}) AS we"]
        gb_l = [f"{f_}({args})"]
    sel_d = ["window_start", "window_end"]
    gb_d = ["window_start", "window_end"]
    sel_l += [f"{e[0]} AS g{j}" for j, e in enumerate(keys)] + \
        [f"{a[0]} AS a{j}" for j, a in enumerate(aggs)]
    sel_d += [f"{e[1]} AS g{j}" for j, e in enumerate(keys)] + \
        [f"{a[1]} AS a{j}" for j, a in enumerate(aggs)]
    gkeys_l = [e[0] for e in keys]
    rng.shuffle(gkeys_l)
    gb_l = gkeys_l + gb_l if rng.random() < 0.5 else gb_l + gkeys_l
    gb_d += [e[1] for e in keys]
    case.update(delay=delay, wk=wk, size=size, slide=slide, offset=offset, emit=bool(emit))
    lam = f"SELECT {', '.join(sel_l)} FROM {rel}{wl} GROUP BY {', '.join(gb_l)}" + \
        (f" HAVING {h[0]}" if h else "") + emit
    duck = f"SELECT {', '.join(sel_d)} FROM {src_duck}{wd} GROUP BY {', '.join(gb_d)}" + \
        (f" HAVING {h[1]}" if h else "")
    return lam, duck


# ------------------------------------------------------------------------------------------
# running and judging
# ------------------------------------------------------------------------------------------
def run_configs(sql: str, data: pa.Table, seed: int) -> list[tuple]:
    """Each configuration's ("ok", rows, expression errors, late rows), or its error as
    ("laminar", type, message) or ("exc", type, traceback), which ends the list."""
    results: list[tuple] = []
    for cut in CONFIGS:
        metrics: dict = {}
        try:
            out = run_stream(sql, "out", {"events": data}, cut, seed, metrics=metrics)
        except laminarc.LaminarError as e:
            results.append(("laminar", type(e).__name__, str(e)[:2000]))
            break
        except Exception as e:  # anything else is a finding, reported whole
            results.append(("exc", type(e).__name__, traceback.format_exc()[-4000:]))
            break
        results.append(("ok", out, metrics["expression_errors"], metrics["late_rows"]))
    return results


def _rows(t: pa.Table) -> list[tuple]:
    """Rows with NaN and -0.0 made comparable (exactly: -0.0 is not 0.0 here)."""
    def norm(v):
        if isinstance(v, float) and math.isnan(v):
            return "NaN"
        if isinstance(v, float) and v == 0 and math.copysign(1, v) < 0:
            return "-0"
        return v
    return [tuple(norm(v) for v in r.values()) for r in t.to_pylist()]


def _expanded(case: dict, data: pa.Table) -> pa.Table:
    """The events, a row per (event, on-time window), with window_start and window_end."""
    ts = data.column("ts").cast(pa.int64()).to_pylist()
    pairs = hop_pairs(ts, case["delay"], case["slide"], case["size"], case["offset"])
    t = data.take(pa.array([p[0] for p in pairs], pa.int64()))
    starts = [p[1] for p in pairs]
    t = t.append_column("window_start", pa.array(starts, pa.int64()).cast(pa.timestamp("ms")))
    return t.append_column("window_end", pa.array([s + case["size"] for s in starts],
                                                  pa.int64()).cast(pa.timestamp("ms")))


def duck_run(query: str, data: pa.Table, case: dict) -> pa.Table:
    """The oracle over `ev` (the events, numbered `rn`) and, for windows, `ex`."""
    ev = data.append_column("rn", pa.array(range(data.num_rows), pa.int64()))
    return duck(query, ev=ev, **({"ex": _expanded(case, data)} if case["kind"] == "window" else {}))


def judge(case: dict, data: pa.Table, results: list[tuple]) -> tuple[str, str]:
    """("ok", ...), or ("finding-...", detail). A query laminarc rejects in the first
    configuration is ("rejected", message): the grammar should not produce those."""
    first = results[0]
    if first[0] == "laminar":
        return "rejected", f"{first[1]}: {first[2]}"
    for r in results:
        if r[0] == "exc":
            return "finding-exception", f"{r[1]}: {r[2]}"
        if r[0] == "laminar":
            return "finding-error-in-one-configuration", f"{r[1]}: {r[2]}"
    base, base_errors, base_late = results[0][1:]
    changelog = base.num_columns > 0 and base.column_names[-1] == "_op"
    try:
        got = consolidate_changelog(base) if changelog else base
        net = sorted(map(repr, _rows(got))) if changelog else None   # (in no order)
        for cut, (_, out, errors, late) in zip(CONFIGS[1:], results[1:], strict=True):
            if changelog:
                a = sorted(map(repr, _rows(consolidate_changelog(out))))
                if a != net:
                    return "finding-invariance", f"{cut}: {a[:20]}\nagainst {CONFIGS[0]}: {net[:20]}"
            else:
                if _rows(out) != _rows(base) or out.schema != base.schema:
                    return "finding-invariance", (f"{cut}: {out.to_pylist()[:20]}\n"
                                                  f"against {CONFIGS[0]}: {base.to_pylist()[:20]}")
                if errors != base_errors:
                    return "finding-invariance-errors", f"{cut}: {errors} against {base_errors}"
            if late != base_late:
                return "finding-invariance-late", f"{cut}: {late} against {base_late}"
    except AssertionError as e:
        return "finding-changelog-retracts-missing", str(e)
    want = duck_run(case["duck"], data, case)
    if "count_rows" in case and got.num_rows == 0 and want.num_rows == 1 and \
            duck_run(case["count_rows"], data, case).column(0)[0].as_py() == 0:
        return "ok", "a global aggregate over no rows emits nothing (documented)"
    try:
        assert_rows_equal(got, want, ordered=case["kind"] == "stateless", context="vs duckdb",
                          rel_tol=1e-9, abs_tol=1e-12)
    except AssertionError as e:
        return "finding-mismatch", str(e)[:3000]
    return "ok", ""


def check(master: int, idx: int) -> tuple[dict, str, str]:
    """Draw, run (in this process) and judge one case."""
    case, data = gen_case(master, idx)
    return (case, *judge(case, data, run_configs(case["sql"], data, idx)))


# ------------------------------------------------------------------------------------------
# the command line: cases in a child process, so that crashes and hangs are findings
# ------------------------------------------------------------------------------------------
def _child(conn) -> None:
    while (msg := conn.recv()) is not None:
        sql, data, seed = msg
        conn.send(run_configs(sql, data, seed))


class Child:
    def __init__(self):
        self._start()

    def _start(self) -> None:
        ctx = mp.get_context("spawn")
        self.conn, theirs = ctx.Pipe()
        self.proc = ctx.Process(target=_child, args=(theirs,), daemon=True)
        self.proc.start()

    def run(self, case: dict, data: pa.Table, timeout: float = 60) -> tuple[str, object]:
        try:
            self.conn.send((case["sql"], data, case["idx"]))
            if not self.conn.poll(timeout):
                self.restart()
                return "hang", f"no answer in {timeout:.0f} s"
            return "done", self.conn.recv()
        except (EOFError, OSError):
            self.proc.join(5)
            code = self.proc.exitcode
            self.restart()
            return "crash", f"exit code {code}"

    def restart(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self._start()

    def close(self) -> None:
        self.conn.send(None)
        self.proc.join(5)


def _verdict(child: Child, case: dict, data: pa.Table) -> tuple[str, str]:
    status, res = child.run(case, data)
    if status != "done":
        return f"finding-{status}", str(res)
    try:
        return judge(case, data, res)
    except Exception:  # the oracle or the judge failed: keep the case
        return "harness-error", traceback.format_exc()[-1500:]


def main_run(master: int, seconds: float, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    child = Child()
    stats: dict[str, int] = {}
    start = time.monotonic()
    idx = 0
    with open(out / "findings.jsonl", "a") as findings:
        while time.monotonic() - start < seconds:
            case, data = gen_case(master, idx)
            status, detail = _verdict(child, case, data)
            for key in (status, f"{case['kind']}:{status.split('-')[0]}"):
                stats[key] = stats.get(key, 0) + 1
            if status != "ok":
                findings.write(json.dumps({"idx": idx, "status": status, "detail": detail,
                                           "sql": case["lam"], "duckdb": case["duck"],
                                           "delay": case["delay"], "rows": data.num_rows}) + "\n")
                findings.flush()
            idx += 1
            if idx % 20 == 0:
                (out / "stats.json").write_text(json.dumps(
                    {"cases": idx, "seconds": time.monotonic() - start, **stats}, indent=1))
    (out / "stats.json").write_text(json.dumps(
        {"cases": idx, "seconds": time.monotonic() - start, **stats}, indent=1))
    child.close()
    print(json.dumps({"cases": idx, **stats}))


def main(argv: list[str]) -> None:
    cmd, master = argv[0], int(argv[1])
    if cmd == "run":
        main_run(master, float(argv[2]), Path(argv[3] if len(argv) > 3 else f"fuzz-out/{master}"))
        return
    case, data = gen_case(master, int(argv[2]))
    print(case["sql"])
    print("DuckDB:", case["duck"])
    print(data.num_rows, "rows")
    if cmd == "repro":
        child = Child()
        print(*_verdict(child, case, data), sep="\n")
        child.close()


if __name__ == "__main__":
    main(sys.argv[1:])
