"""A fixed slice of the differential fuzzer (`fuzz.py`): random queries over random events,
each run five ways through laminarc (cuts, 1 to 3 workers, windows in blocks or routed by key)
that must agree exactly, the first against DuckDB. `LAMINARC_FUZZ_CASES` sets how many cases
(seed 1's first ones); `python tests/fuzz.py run SEED SECONDS` runs more, in a child process.
Blocks are 7 rows, as the fuzzer's, so its few hundred rows span every lane and worker."""

from __future__ import annotations

import os

import fuzz
import pytest
from laminarc.runtime import pipelines

CASES = int(os.environ.get("LAMINARC_FUZZ_CASES", "100"))


@pytest.mark.parametrize("idx", range(CASES))
def test_a_random_query_agrees_across_cuts_and_workers_and_with_duckdb(idx, monkeypatch):
    monkeypatch.setattr(pipelines, "BLOCK_ROWS", 7)
    case, status, detail = fuzz.check(1, idx)
    assert status == "ok", f"{status}\n{case['sql']}\nDuckDB: {case['duck']}\n{detail}"
