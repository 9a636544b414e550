"""The optimizer runner: RULES in order, the plan verified after each, rules skippable by name,
and per-rule timings on request."""

from __future__ import annotations

from dataclasses import replace

import pytest
from laminarc.compiler import optimizer
from laminarc.compiler.bind import CreateSource, CreateStream, bind_statement
from laminarc.compiler.catalog import Catalog
from laminarc.compiler.expr import lit
from laminarc.compiler.plan import Filter, Node, Project, explain
from laminarc.compiler.types import BIGINT
from laminarc.compiler.unit import parse_sql

SOURCE = "CREATE SOURCE events (ts TIMESTAMP(3), k BIGINT, v DOUBLE, WATERMARK FOR ts AS ts)"
PUSHABLE = "CREATE STREAM s AS SELECT x FROM (SELECT k + 1 AS x FROM events) WHERE x > 2"
RULE_NAMES = [rule.__name__ for rule in optimizer.RULES]


def bound_plan(sql: str) -> Node:
    catalog = Catalog()
    for stmt in parse_sql(SOURCE + ";" + sql):
        bound = bind_statement(stmt, catalog, sql)
        if isinstance(bound, CreateSource):
            catalog.sources[bound.source.name] = bound.source
    assert isinstance(bound, CreateStream), "the last statement creates a stream"
    return bound.query.plan


def test_rules_are_named_like_their_modules():
    assert RULE_NAMES == [
        "fold_constants", "bucket_time_keys", "push_down_predicates", "merge_projections",
        "prune_columns", "fold_constants"]
    for rule in optimizer.RULES:
        assert rule.__module__.rsplit(".", 1)[-1] == rule.__name__


def test_skipping_a_rule_by_name():
    plan = bound_plan(PUSHABLE)
    full = optimizer.optimize(plan)
    skipped = optimizer.optimize(plan, skip=["push_down_predicates"])
    assert explain(full) == (
        "Project [(k#1 + 1) AS x]\n"
        "  Filter ((k#1 + 1) > 2)\n"
        "    Scan events (source) [ts, k, v]"
    )
    # Without pushdown the filter stays between the projections, so they can not merge.
    assert explain(skipped) == (
        "Project [x#0]\n"
        "  Filter (x#0 > 2)\n"
        "    Project [(k#1 + 1) AS x]\n"
        "      Scan events (source) [ts, k, v]"
    )
    assert optimizer.optimize(plan, skip=RULE_NAMES) == plan


def test_unknown_rule_name_is_rejected():
    with pytest.raises(ValueError, match="push_down_predicate"):
        optimizer.optimize(bound_plan(PUSHABLE), skip=["push_down_predicate"])


def test_timings_are_recorded_per_rule_and_accumulate():
    plan = bound_plan(PUSHABLE)
    timings: dict[str, float] = {}
    optimizer.optimize(plan, skip=["merge_projections"], timings=timings)
    assert sorted(timings) == sorted(set(RULE_NAMES) - {"merge_projections"})
    assert all(isinstance(t, float) and t >= 0 for t in timings.values())
    first = dict(timings)
    optimizer.optimize(plan, timings=timings)
    assert sorted(timings) == sorted(set(RULE_NAMES))
    assert all(timings[name] >= first[name] for name in first)


def _retype(plan: Node) -> Node:
    """A rule with a bug: the root projection's DOUBLE field gets a BIGINT expression."""
    assert isinstance(plan, Project)
    return replace(plan, exprs=(lit(1, BIGINT), *plan.exprs[1:]))


def _bad_filter(plan: Node) -> Node:
    """A rule with a bug: a filter whose predicate is not BOOLEAN."""
    return Filter(plan.fields, plan, lit(1, BIGINT))


def test_plan_is_verified_after_each_rule(monkeypatch):
    plan = bound_plan("CREATE STREAM s AS SELECT v FROM events")
    calls: list[str] = []

    def repair(p: Node) -> Node:
        calls.append("repair")
        return plan

    # The second rule would hide the first one's mistake: only a check after each rule sees it.
    monkeypatch.setattr(optimizer, "RULES", (_bad_filter, repair))
    with pytest.raises(AssertionError, match="BOOLEAN"):
        optimizer.optimize(plan)
    assert calls == []
    monkeypatch.setattr(optimizer, "RULES", (_retype,))
    with pytest.raises(AssertionError, match="field v has its expression's type"):
        optimizer.optimize(plan)


def test_input_plan_is_verified(monkeypatch):
    plan = bound_plan("CREATE STREAM s AS SELECT v FROM events")
    monkeypatch.setattr(optimizer, "RULES", ())
    with pytest.raises(AssertionError, match="BOOLEAN"):
        optimizer.optimize(_bad_filter(plan))
