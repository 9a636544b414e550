"""Golden tests: SQL in, plan text out, one folder of files per compiler stage.

    tests/golden/schema.sql           the sources every case is bound against
    tests/golden/<stage>/<file>.sql   cases of one stage

A file holds an optional header (comments, or statements run before every case of the file)
and cases, each a marker line, one CREATE STREAM / MATERIALIZED VIEW statement, and the text
the stage must print for it:

    -- case: filter pushed below projection
    CREATE STREAM s AS SELECT k + 1 AS x FROM events WHERE v > 2;
    -- expect:
    Project [(k#1 + 1) AS x]
      Filter (v#2 > 2.0)
        Scan events (source) [ts, k, v, s, d, b]

Every case starts from a fresh catalog holding the schema; the cases before it in its file are
registered as streams first (bound and fully optimized, as laminarc.Database does), so a case
may read the streams of earlier ones. A case replaces an earlier stream of the same name, so
most cases can simply be called `s`.

Stages: `bind` is the plan as bound, with its output schema appended; each optimizer rule is
the plan after the rules of `RULES` up to and including it (so its file shows what that rule
changed); `physical` describes the pipelines of the optimized plan; `llvm` is the module's IR.

LAMINARC_UPDATE_GOLDEN=1 rewrites the expected sections from the actual output (a case without
an `-- expect:` section gets one). Read the diff before committing it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from laminarc.compiler import optimizer
from laminarc.compiler.bind import CreateSource, CreateStream, bind_statement
from laminarc.compiler.bind.scope import normalize
from laminarc.compiler.catalog import Catalog, Stream
from laminarc.compiler.compile import compile_stream
from laminarc.compiler.physical import plan_pipelines
from laminarc.compiler.plan import Field, Node, explain, verify
from laminarc.compiler.unit import parse_sql
from sqlglot import exp

GOLDEN = Path(__file__).parent / "golden"
SCHEMA = GOLDEN / "schema.sql"
RULE_NAMES = tuple(rule.__name__ for rule in optimizer.RULES)
STAGES = ("bind", *RULE_NAMES, "physical", "llvm")
UPDATE = os.environ.get("LAMINARC_UPDATE_GOLDEN") == "1"

CASE = "-- case:"
EXPECT = "-- expect:"


# ---------------------------------------------------------------------------------------------
# the file format
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    name: str
    sql: str
    expect: str | None   # None: no `-- expect:` section yet


@dataclass(frozen=True)
class GoldenFile:
    header: str
    cases: tuple[Case, ...]


def parse_golden(text: str) -> GoldenFile:
    header: list[str] = []
    cases: list[Case] = []
    name: str | None = None
    sql: list[str] = []
    expect: list[str] | None = None

    def close() -> None:
        if name is None:
            return
        body = None if expect is None else "\n".join(expect).strip("\n")
        cases.append(Case(name, "\n".join(sql).strip(), body))

    for line in text.splitlines():
        if line.startswith(CASE):
            close()
            name, sql, expect = line[len(CASE):].strip(), [], None
            assert name, "every case has a name"
        elif name is None:
            header.append(line)
        elif expect is None and line.strip() == EXPECT:
            expect = []
        elif expect is None:
            sql.append(line)
        else:
            expect.append(line)
    close()
    names = [c.name for c in cases]
    assert len(set(names)) == len(names), f"case names are unique in a file: {names}"
    return GoldenFile("\n".join(header).strip("\n"), tuple(cases))


def format_golden(g: GoldenFile) -> str:
    parts = [g.header + "\n"] if g.header else []
    for c in g.cases:
        expect = "" if c.expect is None else f"{EXPECT}\n{c.expect}\n"
        parts.append(f"{CASE} {c.name}\n{c.sql}\n{expect}")
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------
# compiling a case
# ---------------------------------------------------------------------------------------------
def run_statements(sql: str, catalog: Catalog) -> None:
    """Bind `sql` into `catalog`: sources are added, streams optimized and registered."""
    for stmt in parse_sql(sql):
        drop_namesake(catalog, stmt)
        bound = bind_statement(stmt, catalog, sql)
        if isinstance(bound, CreateSource):
            catalog.sources[bound.source.name] = bound.source
            continue
        assert isinstance(bound, CreateStream), "golden files only create sources and streams"
        plan = optimizer.optimize(bound.query.plan)
        catalog.streams[bound.name] = Stream(
            bound.name, plan, plan.fields, bound.query.changelog, bound.materialized, sql,
            tuple(sorted(bound.query.inputs)))


def drop_namesake(catalog: Catalog, stmt: exp.Expr) -> None:
    """Forget an earlier stream named like the one `stmt` creates: the later case replaces it."""
    if isinstance(stmt, exp.Create) and isinstance(stmt.this, exp.Table):
        catalog.streams.pop(normalize(stmt.this.this), None)


def describe_fields(fields: tuple[Field, ...], changelog: bool) -> str:
    """The output schema: names, types, nullability and event-time attributes."""
    items = []
    for f in fields:
        text = f"{f.name} {f.type}" + ("" if f.nullable else " NOT NULL")
        if f.time_offset is not None:
            text += f" TIME{f.time_offset:+d}" if f.time_offset else " TIME"
        items.append(text)
    return f"Output{' (changelog)' if changelog else ''}: [{', '.join(items)}]"


def rules_up_to(plan: Node, stage: str) -> Node:
    """The plan after the rules of RULES up to and including the first run of `stage`."""
    out = plan
    for rule in optimizer.RULES:
        out = rule(out)
        verify(out)
        if rule.__name__ == stage:
            break
    assert out.fields == plan.fields, "the optimizer keeps the plan's output schema"
    return out


def actual_output(stage: str, sql: str, catalog: Catalog) -> str:
    stmts = parse_sql(sql)
    assert len(stmts) == 1, "a case is one statement"
    drop_namesake(catalog, stmts[0])
    bound = bind_statement(stmts[0], catalog, sql)
    assert isinstance(bound, CreateStream), "a case creates a stream or materialized view"
    q = bound.query
    if stage == "bind":
        return explain(q.plan) + "\n" + describe_fields(q.plan.fields, q.changelog)
    if stage in RULE_NAMES:
        return explain(rules_up_to(q.plan, stage))
    plan = optimizer.optimize(q.plan)
    if stage == "physical":
        return "\n".join(p.describe() for p in plan_pipelines(bound.name, plan, catalog))
    assert stage == "llvm", f"unknown stage {stage}"
    compiled = compile_stream(bound.name, plan, catalog, changelog=q.changelog,
                              materialized=bound.materialized, inputs=sorted(q.inputs))
    return compiled.ir.strip("\n")


def catalog_for(path: Path, cases_before: tuple[Case, ...]) -> Catalog:
    catalog = Catalog()
    run_statements(SCHEMA.read_text(), catalog)
    run_statements(parse_golden(path.read_text()).header, catalog)
    for c in cases_before:
        run_statements(c.sql, catalog)
    return catalog


# ---------------------------------------------------------------------------------------------
# the test
# ---------------------------------------------------------------------------------------------
def collect() -> list:
    params = []
    for stage in STAGES:
        for path in sorted((GOLDEN / stage).glob("*.sql")):
            for case in parse_golden(path.read_text()).cases:
                rel = f"{stage}/{path.name}"
                params.append(pytest.param(stage, path, case.name, id=f"{rel}::{case.name}"))
    return params


def test_stages_have_golden_files():
    for stage in STAGES:
        assert list((GOLDEN / stage).glob("*.sql")), f"stage {stage} has golden files"


def test_format_round_trips():
    for path in sorted(GOLDEN.glob("*/*.sql")):
        text = path.read_text()
        assert format_golden(parse_golden(text)) == text, f"{path} is in canonical format"


@pytest.mark.parametrize(("stage", "path", "name"), collect())
def test_golden(stage: str, path: Path, name: str):
    golden = parse_golden(path.read_text())
    index = next(i for i, c in enumerate(golden.cases) if c.name == name)
    case = golden.cases[index]
    actual = actual_output(stage, case.sql, catalog_for(path, golden.cases[:index]))
    if UPDATE:
        if actual != case.expect:
            cases = list(golden.cases)
            cases[index] = replace(case, expect=actual)
            path.write_text(format_golden(replace(golden, cases=tuple(cases))))
        return
    assert case.expect is not None, (
        f"{path.name}::{name} has no '{EXPECT}' section; run with LAMINARC_UPDATE_GOLDEN=1")
    assert actual == case.expect, "plan differs (LAMINARC_UPDATE_GOLDEN=1 rewrites it)"
