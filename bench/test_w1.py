"""W1 at a size that finishes in seconds; `python bench/w1.py` is the full 10 M measurement."""

from __future__ import annotations

import laminarc
from laminarc.workloads import W1_SQL, w1_batches, w1_check

EVENTS = 2_000_000
BATCHES = w1_batches(EVENTS)


def run_w1() -> int:
    with laminarc.open() as db:
        db.execute(W1_SQL)
        sub = db.subscribe("w1")
        for b in BATCHES:
            db.insert("events", b)
        db.end_input("events")
        return sub.to_arrow().num_rows


def test_w1(benchmark):
    rows = benchmark.pedantic(run_w1, rounds=5, warmup_rounds=1)
    assert rows == 20_000
    benchmark.extra_info["events"] = EVENTS
    benchmark.extra_info["events_per_s"] = EVENTS / benchmark.stats.stats.median


def test_w1_result_is_exact():
    with laminarc.open() as db:
        db.execute(W1_SQL)
        sub = db.subscribe("w1")
        for b in BATCHES:
            db.insert("events", b)
        db.end_input("events")
        assert w1_check(sub.to_arrow(), EVENTS)["exact"]
