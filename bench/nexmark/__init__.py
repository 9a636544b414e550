"""The Nexmark queries in laminarc's dialect, and DuckDB batch equivalents (installed as
`laminarc.nexmark_queries`; the files live in bench/nexmark/).

Each `qN.sql` declares stream `qN` (q12 also a helper stream) over the sources of
`laminarc.nexmark.NEXMARK_DDL`; `duckdb/qN.sql` is one SELECT over tables person, auction and
bid computing the same rows in one batch (q12, over processing time, has no batch equivalent:
its DuckDB query gives the counts per bidder that q12's windows add up to). Column names are as
written; laminarc folds unquoted identifiers to lower case, as DuckDB matches them.
"""

from __future__ import annotations

import os

HERE = os.path.dirname(os.path.abspath(__file__))

SUPPORTED = ("q0", "q1", "q2", "q12", "q14", "q15", "q16", "q17", "q21", "q22")
# What the rest needs (they come with joins, top-N, session windows and sinks).
NOT_YET = {
    "q3": "a join (person and auction)", "q4": "a join and an aggregate over its result",
    "q5": "hopping windows joined with their maximum (top-N)",
    "q6": "a join and an OVER window", "q7": "a join with a windowed maximum",
    "q8": "a window join", "q9": "top-N per auction (ROW_NUMBER) over a join",
    "q10": "a file-system sink partitioned by day and hour", "q11": "session windows",
    "q13": "a lookup join with a side input", "q18": "deduplication (ROW_NUMBER)",
    "q19": "top-N (ROW_NUMBER)", "q20": "a join",
}
# Streams that are changelogs (aggregates without a window): results are updates.
CHANGELOGS = ("q15", "q16", "q17")


def _read(path: str) -> str:
    with open(path) as f:
        return f.read()


def query_sql(name: str) -> str:
    """The query's statements in laminarc's dialect."""
    if name not in SUPPORTED:
        why = NOT_YET.get(name)
        raise KeyError(f"Nexmark {name} is not supported yet" + (f": it needs {why}" if why
                                                                  else ""))
    return _read(os.path.join(HERE, f"{name}.sql"))


def duckdb_sql(name: str) -> str:
    """The same query as one DuckDB SELECT over the generated tables."""
    query_sql(name)   # the same checks
    return _read(os.path.join(HERE, "duckdb", f"{name}.sql"))
