"""Each supported Nexmark query at a size that finishes in seconds (pytest-benchmark; `make
bench`). `laminarc bench nexmark --query all --compare` is the full measurement."""

from __future__ import annotations

import pytest
from laminarc.nexmark_queries import SUPPORTED, query_sql

import laminarc
from laminarc.nexmark import NEXMARK_DDL, SOURCES, generate

EVENTS = 1_000_000
INPUT = list(generate(EVENTS))


def run_query(name: str) -> int:
    rows = 0
    with laminarc.open() as db:
        db.execute(NEXMARK_DDL + query_sql(name))
        sub = db.subscribe(name)
        for i, (source, batch) in enumerate(INPUT):
            db.insert(source, batch)
            if i % 64 == 63:
                while (b := sub.poll()) is not None:
                    rows += b.num_rows
        for source in SOURCES:
            db.end_input(source)
        for b in sub:
            rows += b.num_rows
    return rows


@pytest.mark.parametrize("name", SUPPORTED)
def test_nexmark(benchmark, name):
    rows = benchmark.pedantic(run_query, args=(name,), rounds=3, warmup_rounds=1)
    assert rows > 0
    benchmark.extra_info["events"] = EVENTS
    benchmark.extra_info["events_per_s"] = EVENTS / benchmark.stats.stats.median
