"""Each supported Nexmark query at a size that finishes in seconds (pytest-benchmark; `make
bench`). `laminarc bench nexmark --query all --compare` is the full measurement."""

from __future__ import annotations

import pytest
from laminarc.nexmark_queries import SUPPORTED, query_sql

import laminarc
from laminarc.bench import feed
from laminarc.nexmark import NEXMARK_DDL, SOURCES, generate

EVENTS = 1_000_000
INPUT = list(generate(EVENTS))


def run_query(name: str) -> int:
    with laminarc.open() as db:
        db.execute(NEXMARK_DDL + query_sql(name))
        return feed(db, name, INPUT, SOURCES).rows


@pytest.mark.parametrize("name", SUPPORTED)
def test_nexmark(benchmark, name):
    rows = benchmark.pedantic(run_query, args=(name,), rounds=3, warmup_rounds=1)
    assert rows > 0
    benchmark.extra_info["events"] = EVENTS
    if benchmark.stats is not None:   # None under --benchmark-disable (a smoke run)
        benchmark.extra_info["events_per_s"] = EVENTS / benchmark.stats.stats.median
