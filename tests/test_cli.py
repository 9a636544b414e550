"""The `laminarc` command, through subprocesses: every command, --help and --version, exit
statuses, errors in SQL with positions, bad input files, and Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

import laminarc
from laminarc.cli import Interrupts
from laminarc.workloads import W1_SQL, w1_batches

LAMINARC = [sys.executable, "-m", "laminarc.cli"]
SQL = """CREATE SOURCE events (ts BIGINT, k BIGINT, v DOUBLE,
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);
CREATE STREAM per_key AS
SELECT k, window_start, COUNT(*) AS cnt, SUM(v) AS total
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND))
GROUP BY k, window_start, window_end;
CREATE STREAM big AS SELECT ts, k, v FROM events WHERE v > 400;
CREATE MATERIALIZED VIEW counts AS SELECT k, COUNT(*) AS n FROM events GROUP BY k;
"""


def cli(*args: str, cwd=None, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([*LAMINARC, *args], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "p.sql").write_text(SQL)
    table = pa.Table.from_batches(w1_batches(300_000, 50_000))
    pq.write_table(table, tmp_path / "events.parquet")
    pa_csv.write_csv(table, tmp_path / "events.csv")
    with pa.OSFile(str(tmp_path / "events.arrow"), "wb") as f, \
            pa.ipc.new_file(f, table.schema) as w:
        w.write_table(table)
    with open(tmp_path / "events.jsonl", "w") as f:
        for row in table.slice(0, 20_000).to_pylist():
            f.write(json.dumps(row) + "\n")
    return tmp_path


def expected(stream: str, table: pa.Table) -> pa.Table:
    with laminarc.open(workers=1) as db:
        db.execute(SQL)
        sub = db.subscribe(stream)
        db.insert("events", table)
        db.end_input("events")
        return sub.to_arrow()


# -- help, version, usage -------------------------------------------------------------------
def test_version_and_help():
    p = cli("--version")
    assert p.returncode == 0 and p.stdout.strip() == f"laminarc {laminarc.__version__}"
    p = cli("--help")
    assert p.returncode == 0
    for command in ("compile", "check", "explain", "run"):
        assert command in p.stdout
        h = cli(command, "--help")
        assert h.returncode == 0 and h.stdout.startswith("usage: laminarc " + command), command
    assert cli().returncode == 2   # no command: help and usage status


def test_usage_errors_exit_2(files):
    run = ["run", str(files / "p.sql"), "--input", f"events={files / 'events.csv'}", "--output",
           f"per_key={files / 'o.csv'}"]
    for args in (["compile", str(files / "p.sql")],            # -o is required
                 ["explain", str(files / "p.sql"), "--stage", "bytecode"],
                 ["frobnicate"],
                 [*run, "--workers", "0"], [*run, "--workers", "-1"], [*run, "--workers", "two"],
                 ["bench", "w1", "--workers", "0"]):
        p = cli(*args)
        assert p.returncode == 2, args
        assert "usage:" in p.stderr
        assert "Traceback" not in p.stderr, args
    p = cli(*run, "--workers", "0")
    assert "argument --workers: must be at least 1, not 0" in p.stderr
    assert not (files / "o.csv").exists()


# -- check -----------------------------------------------------------------------------------
def test_check_ok_and_errors_with_positions(tmp_path):
    (tmp_path / "good.sql").write_text(SQL)
    p = cli("check", str(tmp_path / "good.sql"))
    assert p.returncode == 0
    assert p.stdout.strip().endswith("good.sql: ok (1 source, 3 streams)")
    (tmp_path / "bad.sql").write_text(
        "CREATE SOURCE s (ts BIGINT, v INT);\n\nCREATE STREAM o AS\n  SELECT v + nope FROM s;\n")
    p = cli("check", str(tmp_path / "good.sql"), str(tmp_path / "bad.sql"))
    assert p.returncode == 1
    lines = p.stderr.splitlines()
    assert lines[0] == (f"{tmp_path / 'bad.sql'}:4:14: error: unknown column 'nope' "
                        "(available: ts, v)")
    assert lines[1] == "    SELECT v + nope FROM s;"
    assert lines[2] == "               ^"
    assert "good.sql: ok" in p.stdout   # the other file is still checked


def test_check_syntax_error_and_unreadable_file(tmp_path):
    (tmp_path / "syntax.sql").write_text("CREATE SOURCE s (a INT;\n")
    p = cli("check", str(tmp_path / "syntax.sql"))
    assert p.returncode == 1 and ":1:" in p.stderr and "syntax error" in p.stderr
    p = cli("check", str(tmp_path / "missing.sql"))
    assert p.returncode == 1 and "cannot read" in p.stderr
    (tmp_path / "binary.sql").write_bytes(b"\xff\xfe\x00garbage")
    p = cli("check", str(tmp_path / "binary.sql"))
    assert p.returncode == 1 and "not UTF-8" in p.stderr


def test_check_compiles_nothing_to_machine_code(tmp_path):
    (tmp_path / "p.sql").write_text(SQL)
    cache = tmp_path / "cache"
    p = subprocess.run([*LAMINARC, "check", str(tmp_path / "p.sql")], capture_output=True,
                       text=True, env={**os.environ, "LAMINARC_CACHE_DIR": str(cache)})
    assert p.returncode == 0
    assert not cache.exists()   # no object was produced


# -- explain ---------------------------------------------------------------------------------
def test_explain_stages(files):
    p = cli("explain", str(files / "p.sql"))
    assert p.returncode == 0
    assert "== per_key ==" in p.stdout and "-- optimized" in p.stdout
    assert "sink: window aggregate" in p.stdout
    stages = {"logical": "Scan events", "optimized": "Aggregate", "physical": "Pipeline",
              "llvm": "define i64 @", "asm": "ret"}
    for stage, marker in stages.items():
        p = cli("explain", str(files / "p.sql"), "--stage", stage, "--stream", "per_key")
        assert p.returncode == 0, stage
        assert marker in p.stdout, stage
        assert "== big ==" not in p.stdout
    p = cli("explain", str(files / "p.sql"), "--stream", "nope")
    assert p.returncode == 1 and "no stream 'nope'" in p.stderr


# -- compile ---------------------------------------------------------------------------------
def test_compile_and_errors(files):
    p = cli("compile", str(files / "p.sql"), "-o", str(files / "out"))
    assert p.returncode == 0, p.stderr
    assert os.path.exists(files / "out" / "p" / "manifest.json")
    assert "library" in p.stdout
    (files / "bad.sql").write_text("CREATE SOURCE s (ts BIGINT);\nCREATE STREAM x AS SELECT "
                                   "COUNT(*) FROM s GROUP BY TUMBLE(nope, INTERVAL '1' SECOND);")
    p = cli("compile", str(files / "bad.sql"), "-o", str(files / "out"))
    assert p.returncode == 1
    assert p.stderr.startswith(f"{files / 'bad.sql'}:2:") and "nope" in p.stderr
    assert not os.path.exists(files / "out" / "bad")


# -- run -------------------------------------------------------------------------------------
def test_run_sql_over_every_format(files):
    table = pa.Table.from_batches(w1_batches(300_000, 50_000))
    want_big = expected("big", table)
    for fmt in ("parquet", "csv", "arrow"):
        out = files / f"big_{fmt}.arrow"
        p = cli("run", str(files / "p.sql"), "--input", f"events={files / f'events.{fmt}'}",
                "--output", f"big={out}", "--output", f"per_key={files / f'pk_{fmt}.parquet'}")
        assert p.returncode == 0, p.stderr
        assert f"big: {want_big.num_rows:,} rows" in p.stdout
        got = pa.ipc.open_file(str(out)).read_all()
        assert got.equals(want_big), fmt
        assert pq.read_table(files / f"pk_{fmt}.parquet").equals(expected("per_key", table))
    p = cli("run", str(files / "p.sql"), "--input", f"events={files / 'events.jsonl'}",
            "--output", f"per_key={files / 'pk.jsonl'}", "--output", f"big={files / 'b.csv'}",
            "--progress", "bar")   # what a terminal gets: one line, rewritten
    assert "\x1b[K" in p.stderr and "rows/s" in p.stderr   # (text mode reads \r as \n)
    assert p.returncode == 0, p.stderr
    rows = [json.loads(line) for line in (files / "pk.jsonl").read_text().splitlines()]
    want = expected("per_key", table.slice(0, 20_000)).to_pylist()
    assert rows == want


def test_run_compiled_package_matches(files):
    assert cli("compile", str(files / "p.sql"), "-o", str(files / "out")).returncode == 0
    for target in (files / "out" / "p", files / "out"):
        out = files / "pk.parquet"
        p = cli("run", str(target), "--input", f"events={files / 'events.parquet'}",
                "--output", f"per_key={out}", "--workers", "2", "--progress", "log")
        assert p.returncode == 0, p.stderr
        assert "rows/s" in p.stderr
        assert ", watermark " in p.stderr.splitlines()[-1]   # as before the input ended
        table = pa.Table.from_batches(w1_batches(300_000, 50_000))
        assert pq.read_table(out).equals(expected("per_key", table))


def test_run_package_named_like_a_module(files):
    """A package named json is loaded from its folder, not resolved to the standard library's
    json (which the .jsonl writer goes on using)."""
    (files / "json.sql").write_text(SQL)
    p = cli("compile", str(files / "json.sql"), "-o", str(files / "out"))
    assert p.returncode == 0, p.stderr
    assert "warning: package 'json' has the name of the standard library's module json" in (
        p.stderr)
    for target in (files / "out" / "json", files / "out"):
        out = files / "pk.jsonl"
        p = cli("run", str(target), "--input", f"events={files / 'events.parquet'}",
                "--output", f"per_key={out}", "--progress", "none")
        assert p.returncode == 0, p.stderr
        rows = [json.loads(line) for line in out.read_text().splitlines()]
        table = pa.Table.from_batches(w1_batches(300_000, 50_000))
        assert rows == expected("per_key", table).to_pylist()


def test_compile_warns_of_a_package_that_hides_an_installed_module(files):
    """pyarrow.sql compiles to a package named pyarrow, which `import pyarrow` may find
    instead of the real one: the build says so, once, and still builds; a name nothing has
    is built without a word."""
    (files / "pyarrow.sql").write_text(SQL)
    for _ in range(2):   # (the second time, the package of the first build is there)
        p = cli("compile", str(files / "pyarrow.sql"), "-o", str(files))
        assert p.returncode == 0, p.stderr
        assert p.stderr.count("warning: package 'pyarrow' has the name of an installed "
                              "module (") == 1, p.stderr
        assert str(files / "pyarrow") not in p.stderr.split("module (")[1].split(")")[0]
    assert (files / "pyarrow" / "__init__.py").exists()
    p = cli("compile", str(files / "pyarrow.sql"), "-o", str(files), "--name", "ticks")
    assert p.returncode == 0 and "warning" not in p.stderr, p.stderr


def test_run_reads_standard_input(files):
    """'-' is standard input, read to its end: CSV through a pipe, written a piece at a time,
    with its format given; Parquet known by its first bytes."""
    table = pa.Table.from_batches(w1_batches(300_000, 50_000))
    for data, fmt in [((files / "events.csv").read_bytes(), ["--input-format", "events=csv"]),
                      ((files / "events.parquet").read_bytes(), [])]:
        out = files / "pk.parquet"
        proc = subprocess.Popen([*LAMINARC, "run", str(files / "p.sql"), "--input", "events=-",
                                 *fmt, "--output", f"per_key={out}", "--progress", "none"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        for at in range(0, len(data), 65_536):
            proc.stdin.write(data[at:at + 65_536])
        _, err = proc.communicate(timeout=300)   # (closes stdin: the end of the input)
        assert proc.returncode == 0, err
        assert pq.read_table(out).equals(expected("per_key", table))
    p = subprocess.run([*LAMINARC, "run", str(files / "p.sql"), "--input", "events=-",
                        "--output", f"per_key={files / 'o.parquet'}"], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 1
    assert "cannot tell the format of -: give --input-format SOURCE=FORMAT" in p.stderr
    p = cli("run", str(files / "p.sql"), "--input", f"events={files / 'events.csv'}",
            "--input-format", "events=xlsx", "--output", f"per_key={files / 'o.parquet'}")
    assert p.returncode == 1 and "--input-format events=xlsx: the formats are" in p.stderr
    p = cli("run", str(files / "p.sql"), "--input", f"events={files / 'events.csv'}",
            "--input-format", "other=csv", "--output", f"per_key={files / 'o.parquet'}")
    assert p.returncode == 1 and "no --input other=PATH" in p.stderr


def test_ctrl_c_stops_a_run_waiting_for_standard_input(files):
    """A run reading a pipe whose writer is silent stops on Ctrl-C (the CLI notes the signal
    and raises it where the read waits), with the run's usual exit status and outputs."""
    out = files / "pk.arrow"
    proc = subprocess.Popen([*LAMINARC, "run", str(files / "p.sql"), "--input", "events=-",
                             "--input-format", "events=csv", "--output", f"per_key={out}",
                             "--progress", "none"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60   # (the output opens before the input is read)
        while not out.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)   # (stdin kept open: closing it would end the input instead)
        err = proc.stderr.read()
    finally:
        proc.kill()
        proc.stdin.close()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert pa.ipc.open_file(str(out)).read_all().num_rows == 0   # closed properly


def test_run_bad_inputs(files):
    sql = str(files / "p.sql")
    out = f"per_key={files / 'o.parquet'}"
    cases = [
        (["--input", f"events={files / 'missing.parquet'}", "--output", out], "cannot read"),
        (["--input", f"nosuch={files / 'events.parquet'}", "--output", out], "no source 'nosuch'"),
        (["--input", f"events={files / 'events.parquet'}", "--output",
          f"nosuch={files / 'o.parquet'}"], "no stream 'nosuch'"),
        (["--input", f"events={files / 'events.parquet'}", "--output",
          f"per_key={files / 'o.xlsx'}"], "cannot write"),
        (["--input", "events", "--output", out], "takes NAME=PATH"),
        (["--input", f"events={files / 'events.parquet'}"], "at least one --output"),
    ]
    (files / "corrupt.parquet").write_bytes(b"PAR1" + os.urandom(2000))
    cases.append((["--input", f"events={files / 'corrupt.parquet'}", "--output", out],
                  f"cannot read {files / 'corrupt.parquet'}"))
    pq.write_table(pa.table({"ts": [1], "k": ["not a number"], "v": [1.0]}),
                   files / "wrong.parquet")
    cases.append((["--input", f"events={files / 'wrong.parquet'}", "--output", out],
                  "column 'k'"))
    (files / "full.jsonl").symlink_to("/dev/full")   # every write fails: no space left
    cases.append((["--input", f"events={files / 'events.parquet'}", "--output",
                   f"per_key={files / 'full.jsonl'}"], f"cannot write {files / 'full.jsonl'}"))
    for args, message in cases:
        p = cli("run", sql, *args)
        assert p.returncode == 1, (args, p.stderr)
        assert message in p.stderr, (args, p.stderr)
        assert "Traceback" not in p.stderr
        if "cannot read" not in message:   # only input files are "cannot read"
            assert "cannot read" not in p.stderr, (args, p.stderr)
    (files / "bad.sql").write_text("CREATE SOURCE s (a INT);\nCREATE STREAM o AS SELECT b FROM s;")
    p = cli("run", str(files / "bad.sql"), "--output", f"o={files / 'o.csv'}")
    assert p.returncode == 1 and f"{files / 'bad.sql'}:2:" in p.stderr
    p = cli("run", str(files), "--output", out)   # a directory without a package
    assert p.returncode == 1 and "manifest.json" in p.stderr


def test_ctrl_c_during_a_finalizer_is_not_lost():
    """Python drops an exception raised in a finalizer (where a run spends some of its time:
    descriptors releasing their Arrow export): `laminarc run` notes Ctrl-C instead, and
    raises it between batches."""
    class Finalized:
        def __del__(self):
            os.kill(os.getpid(), signal.SIGINT)
            sum(range(1000))   # the handler runs here, inside the finalizer

    # the handler it restores is the one the process had: Python's own, or SIG_IGN when the
    # suite runs in a background job of a non-interactive shell
    before = signal.getsignal(signal.SIGINT)
    with Interrupts() as interrupts:
        Finalized()
        with pytest.raises(KeyboardInterrupt):
            interrupts.check()
    assert signal.getsignal(signal.SIGINT) is before


def test_ctrl_c_stops_cleanly_with_valid_outputs(tmp_path):
    (tmp_path / "w1.sql").write_text(W1_SQL)
    pq.write_table(pa.Table.from_batches(w1_batches(2_000_000, 65_536)), tmp_path / "e.parquet")
    out = tmp_path / "w1.arrow"
    args = ["run", str(tmp_path / "w1.sql"), "--output", f"w1={out}", "--progress", "log"]
    for _ in range(200):    # enough input to still be running when interrupted
        args += ["--input", f"events={tmp_path / 'e.parquet'}"]
    proc = subprocess.Popen([*LAMINARC, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    # interrupted once the run is under way (its output opened), however long starting took on
    # a loaded machine: a fixed delay sometimes landed in the compile, before any output exists
    deadline = time.monotonic() + 60
    while not out.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    table = pa.ipc.open_file(str(out)).read_all()   # closed properly: readable
    assert table.column_names == ["k", "window_start", "cnt", "sum_v", "max_v"]
