"""Ahead-of-time artifacts: `laminarc compile` output imports in an environment with only
numpy, pyarrow and cffi (no llvmlite, no sqlglot, no laminarc) and computes exactly what the
JIT computes; the generated code is formatted and ruff-clean; the package refuses a CPU that
lacks a required feature and a manifest of another format version."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pyarrow as pa
import pytest
from harness import EVENTS_DDL, random_events
from laminarc.compiler.artifact import FORMAT_VERSION, build

import laminarc

PIPELINE = EVENTS_DDL.format(delay=800) + """
CREATE STREAM per_key AS
SELECT k, window_start, COUNT(*) AS c, SUM(v) AS sv, MAX(s) AS ms, COUNT(DISTINCT i) AS di
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '2' SECOND))
GROUP BY k, window_start, window_end HAVING COUNT(*) > 1;

CREATE STREAM hops AS
SELECT window_start, window_end, AVG(v) AS av, MIN(i) AS mi
FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND, INTERVAL '3' SECOND))
GROUP BY window_start, window_end;

CREATE STREAM filtered AS
SELECT ts, k, UPPER(s) AS us, v * 2 AS v2 FROM events WHERE i > 0 OR s LIKE 'al%'
    OR s IN ('beta', 'x y', 'b', 'c', 'd', 'e', 'f', 'g') OR i IN (0, -3, -6, -9, -12, -15, -18, -21, -24, -27, -30, -33, -36, -39, -42, -45, -48, -51, -54, -57, -60, -63, -66, -69, -72, -75, -78, -81, -84, -87, -90, -93, -96, -99, -102, -105, -108, -111, -114, -117, -120, -123, -126, -129, -132, -135, -138, -141);

CREATE STREAM cascade AS
SELECT k, TUMBLE_START(ts, INTERVAL '5' SECOND) AS ws, COUNT(*) AS n, SUM(v2) AS s2
FROM filtered GROUP BY k, TUMBLE(ts, INTERVAL '5' SECOND);

CREATE MATERIALIZED VIEW totals AS SELECT k, SUM(v) AS total, COUNT(*) AS n
FROM events GROUP BY k;
"""
STREAMS = ("per_key", "hops", "filtered", "cascade", "totals")
CUT = 3_001   # rows per insert


def run_jit(data: pa.Table, workers: int) -> dict[str, pa.Table]:
    with laminarc.open(workers=workers) as db:
        db.execute(PIPELINE)
        subs = {s: db.subscribe(s) for s in STREAMS}
        for b in data.to_batches(max_chunksize=CUT):
            db.insert("events", b)
        db.end_input("events")
        out = {s: sub.to_arrow() for s, sub in subs.items()}
        out["view:totals"] = db.view("totals")
        return out


# The artifact's side, run in the minimal environment: the same feeding, through Pipeline.
RUNNER = textwrap.dedent("""
    import sys
    import pyarrow as pa

    for banned in ("llvmlite", "sqlglot", "laminarc"):
        try:
            __import__(banned)
        except ImportError:
            pass
        else:
            raise SystemExit(f"{banned} is importable in the minimal environment")
    artifact, data_path, out_dir, workers = sys.argv[1:5]
    sys.path.insert(0, artifact)
    import pipeline

    data = pa.ipc.open_file(data_path).read_all()
    with pipeline.Pipeline(workers=int(workers)) as p:
        subs = {s: p.subscribe(s) for s in pipeline.STREAMS}
        for b in data.to_batches(max_chunksize=int(sys.argv[5])):
            p.insert("events", b)
        p.end_input("events")
        out = {s: sub.to_arrow() for s, sub in subs.items()}
        out["view:totals"] = p.view("totals")
    for name, table in out.items():
        path = f"{out_dir}/{name.replace(':', '_')}.arrow"
        with pa.OSFile(path, "wb") as f, pa.ipc.new_file(f, table.schema) as w:
            w.write_table(table)
    assert set(pipeline.SOURCES) == {"events"}, pipeline.SOURCES
    print("modules:", sorted(m for m in sys.modules if m.startswith(("llvm", "sqlglot"))))
""")


@pytest.fixture(scope="module")
def minimal_python(tmp_path_factory) -> str:
    """A virtual environment holding only numpy, pyarrow and cffi (linked from this one, so
    no network is needed)."""
    root = tmp_path_factory.mktemp("minimal-env")
    venv.create(root, with_pip=False, symlinks=True)
    site = subprocess.run([str(root / "bin" / "python"), "-c",
                           "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    ours = os.path.dirname(os.path.dirname(pa.__file__))
    for entry in os.listdir(ours):
        base = entry.split("-")[0].split(".")[0]
        if base in ("numpy", "pyarrow", "cffi", "_cffi_backend", "pycparser"):
            os.symlink(os.path.join(ours, entry), os.path.join(site, entry))
    return str(root / "bin" / "python")


@pytest.fixture(scope="module")
def artifact(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("artifact")
    sql_path = out / "pipeline.sql"
    sql_path.write_text(PIPELINE)
    info = build(PIPELINE, str(sql_path), str(out / "build"))
    assert info.path == str(out / "build" / "pipeline")
    return info.path


def test_artifact_runs_without_the_compiler_and_matches_the_jit(artifact, minimal_python,
                                                                 tmp_path):
    data = random_events(20_000, seed=5, keys=13)
    data_path = tmp_path / "events.arrow"
    with pa.OSFile(str(data_path), "wb") as f, pa.ipc.new_file(f, data.schema) as w:
        w.write_table(data)
    expected = run_jit(data, workers=1)
    assert expected["per_key"].num_rows and expected["cascade"].num_rows
    assert run_jit(data, workers=2) == expected
    for workers in (1, 2):
        out = tmp_path / f"out{workers}"
        out.mkdir()
        p = subprocess.run([minimal_python, "-c", RUNNER, os.path.dirname(artifact),
                            str(data_path), str(out), str(workers), str(CUT)],
                           capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert p.returncode == 0, p.stderr + p.stdout
        assert "modules: []" in p.stdout
        for name, table in expected.items():
            got = pa.ipc.open_file(str(out / f"{name.replace(':', '_')}.arrow")).read_all()
            assert got.equals(table), (workers, name)


def test_artifact_layout_and_manifest(artifact):
    names = set(os.listdir(artifact))
    assert {"__init__.py", "_check.py", "manifest.json", "pipeline.sql", "plan.txt",
            "libpipeline.so", "_runtime"} <= names
    m = json.loads(Path(os.path.join(artifact, "manifest.json")).read_text())
    assert m["format_version"] == FORMAT_VERSION
    assert m["laminarc_version"] == laminarc.__version__
    assert m["target"]["triple"].startswith("x86_64")
    assert m["target"]["march"] == "x86-64-v3"
    assert {"avx2", "bmi2", "fma"} <= set(m["target"]["cpu_features"])
    assert len(m["plan_hash"]) == 64
    assert m["state_layout_version"] >= 1
    assert [s["name"] for s in m["sources"]] == ["events"]
    assert [s["name"] for s in m["streams"]] == list(STREAMS)
    assert m["sinks"] == []
    assert "CREATE STREAM per_key" in Path(os.path.join(artifact, "pipeline.sql")).read_text()
    plan = Path(os.path.join(artifact, "plan.txt")).read_text()
    assert "== stream cascade ==" in plan and "Pipeline" in plan


@pytest.mark.parametrize("module", ["__init__.py", "_check.py"])
def test_generated_code_is_formatted_and_ruff_clean(artifact, module):
    path = os.path.join(artifact, module)
    assert Path(path).read_text().split("\n", 1)[0].startswith("# Generated by laminarc")
    ruff = shutil.which("ruff", path=os.path.dirname(sys.executable)) or "ruff"
    config = os.path.join(os.path.dirname(os.path.dirname(__file__)), "pyproject.toml")
    for cmd in ([ruff, "check", "--isolated", path],
                [ruff, "check", "--config", config, path],
                [ruff, "format", "--isolated", "--check", path]):
        p = subprocess.run(cmd, capture_output=True, text=True)
        assert p.returncode == 0, p.stdout + p.stderr
    doc = Path(os.path.join(artifact, "__init__.py")).read_text()
    assert "events (ts TIMESTAMP(3) NOT NULL" in doc and "per_key: stream (k BIGINT" in doc
    assert "totals: materialized view" in doc


def _import_error(artifact: str, tmp_path, edit) -> str:
    copy = tmp_path / "pipeline"
    shutil.copytree(artifact, copy)
    m = json.loads(Path(copy / "manifest.json").read_text())
    edit(m)
    (copy / "manifest.json").write_text(json.dumps(m))
    p = subprocess.run([sys.executable, "-c", "import pipeline"], cwd=tmp_path,
                       capture_output=True, text=True)
    assert p.returncode != 0
    return p.stderr


def test_import_refuses_a_cpu_without_a_required_feature(artifact, tmp_path):
    err = _import_error(artifact, tmp_path,
                        lambda m: m["target"]["cpu_features"].append("amx_fp8_imaginary"))
    assert "ImportError: pipeline: this CPU lacks amx_fp8_imaginary" in err
    assert "--target-cpu" in err


def test_import_refuses_another_format_version(artifact, tmp_path):
    err = _import_error(artifact, tmp_path, lambda m: m.update(format_version=99))
    assert "manifest.json has format version 99" in err and "recompile" in err


def test_native_target_and_rebuild_in_place(tmp_path):
    sql = "CREATE SOURCE s (k BIGINT, v DOUBLE);\nCREATE STREAM t AS SELECT k, v * 2 AS w FROM s;"
    (tmp_path / "tiny.sql").write_text(sql)
    first = build(sql, str(tmp_path / "tiny.sql"), str(tmp_path / "out"), target_cpu="native")
    m = json.loads(Path(os.path.join(first.path, "manifest.json")).read_text())
    assert m["target"]["march"] == "native" and "avx2" in m["target"]["cpu_features"]
    again = build(sql, str(tmp_path / "tiny.sql"), str(tmp_path / "out"), target_cpu="native")
    assert again.path == first.path and again.compiled_modules == 0   # from the cache
    assert sorted(os.listdir(tmp_path / "out")) == ["tiny"]           # no leftovers
    p = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import tiny
        with tiny.Pipeline(workers=1) as p:
            sub = p.subscribe("t")
            p.insert("s", {"k": [1, 2], "v": [0.5, None]})
            print(sub.poll().to_pylist())
    """)], cwd=tmp_path / "out", capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[{'k': 1, 'w': 1.0}, {'k': 2, 'w': None}]"


def test_names_with_backslashes_and_quotes_import(tmp_path):
    """Names go into the generated modules' comments and docstrings: a backslash (an invalid
    escape there), a run of quotes or a file name of that kind once compiled into a package
    that did not import."""
    sql = ('CREATE SOURCE "s\\N" ("c\\x" BIGINT);\n'
           'CREATE STREAM "t""" AS SELECT "c\\x" * 2 AS w FROM "s\\N";')
    (tmp_path / 'odd"""\\N.sql').write_text(sql)
    info = build(sql, str(tmp_path / 'odd"""\\N.sql'), str(tmp_path / "out"))
    package = os.path.basename(info.path)
    p = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import importlib
        m = importlib.import_module({package!r})
        with m.Pipeline(workers=1) as p:
            sub = p.subscribe('t"')
            p.insert("s\\\\N", [{{"c\\\\x": 21}}])
            p.end_input("s\\\\N")
            print(sub.to_arrow().to_pylist())
        """)], cwd=tmp_path / "out", capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[{'w': 42}]"
