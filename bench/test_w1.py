"""W1 at a size that finishes in seconds; `python bench/w1.py` is the full 10 M measurement."""

from __future__ import annotations

import laminarc
from laminarc.bench import feed
from laminarc.workloads import W1_SQL, w1_batches, w1_check

EVENTS = 2_000_000
INPUT = [("events", b) for b in w1_batches(EVENTS)]


def run_w1(keep: bool = False):
    with laminarc.open() as db:
        db.execute(W1_SQL)
        return feed(db, "w1", INPUT, ["events"], keep=keep)


def test_w1(benchmark):
    rows = benchmark.pedantic(lambda: run_w1().rows, rounds=5, warmup_rounds=1)
    assert rows == 20_000
    benchmark.extra_info["events"] = EVENTS
    if benchmark.stats is not None:   # None under --benchmark-disable (a smoke run)
        benchmark.extra_info["events_per_s"] = EVENTS / benchmark.stats.stats.median


def test_w1_result_is_exact():
    assert w1_check(run_w1(keep=True).table, EVENTS)["exact"]
