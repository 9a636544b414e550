"""Processing time: PROCTIME() stamps rows with the wall clock when they are processed, and a
window over it closes when the clock passes its end (not when event time does). Nexmark's q12
groups bids into 10-second processing-time windows this way."""

from __future__ import annotations

import time

import numpy as np
import pytest

import laminarc

SOURCE = """CREATE SOURCE bid (auction BIGINT, bidder BIGINT, ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts);"""
VIA_STREAM = SOURCE + """
CREATE STREAM b AS SELECT *, PROCTIME() AS p_time FROM bid;
CREATE STREAM q AS SELECT bidder, COUNT(*) AS n, window_start, window_end
FROM TABLE(TUMBLE(TABLE b, DESCRIPTOR(p_time), INTERVAL '1' SECOND))
GROUP BY bidder, window_start, window_end;"""
IN_ONE_QUERY = SOURCE + """
CREATE STREAM q AS SELECT bidder, COUNT(*) AS n, TUMBLE_START(pt, INTERVAL '1' SECOND) AS ws
FROM (SELECT bidder, PROCTIME() AS pt FROM bid) GROUP BY bidder, TUMBLE(pt, INTERVAL '1' SECOND);
"""


def early_in_a_second() -> None:
    """Wait until the clock is early in a second, so a quick insert stays in one window."""
    while time.time() % 1 > 0.2:
        time.sleep(0.01)


def bids(n: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {"auction": np.arange(n), "bidder": rng.integers(0, 9, n),
            "ts": rng.integers(0, 10**12, n)}   # event time all over the place


@pytest.mark.parametrize("sql", [VIA_STREAM, IN_ONE_QUERY])
@pytest.mark.parametrize("workers", [1, 2])
def test_windows_close_as_the_clock_passes_their_end(sql, workers):
    with laminarc.open(workers=workers) as db:
        db.execute(sql)
        sub = db.subscribe("q")
        first = bids(50_000, 1)
        early_in_a_second()
        db.insert("bid", first)
        db.watermark("bid", 10**13)   # event time closes nothing here
        assert sub.poll() is None
        time.sleep(1.1)
        closed = sub.poll()           # the clock passed the window's end
        assert closed is not None
        counts = dict(zip(closed.column("bidder").to_pylist(), closed.column("n").to_pylist(),
                          strict=True))
        assert counts == dict(zip(*np.unique(first["bidder"], return_counts=True), strict=True))
        db.insert("bid", bids(1_000, 2))
        db.end_input("bid")            # the end of input closes the rest
        rest = sub.to_arrow()
        assert sum(rest.column("n").to_pylist()) == 1_000
        m = db.metrics()
        assert m["late_rows"] == 0 and m["streams"]["q"]["late_rows"] == 0


def test_proctime_is_the_wall_clock_of_the_insert():
    with laminarc.open(workers=1) as db:
        db.execute(SOURCE + "CREATE STREAM p AS SELECT auction, PROCTIME() AS t FROM bid;")
        sub = db.subscribe("p")
        before = time.time_ns() // 1_000_000
        db.insert("bid", bids(1_000, 3))
        after = time.time_ns() // 1_000_000
        stamps = {v.timestamp() * 1000 for v in sub.poll().column("t").to_pylist()}
        assert len(stamps) == 1 and before <= stamps.pop() <= after


def test_a_window_needs_event_or_processing_time():
    with laminarc.open(workers=1) as db:
        db.execute(SOURCE + "CREATE STREAM c AS SELECT bidder, ts AS t FROM bid;")
        db.execute("CREATE STREAM s AS SELECT *, CAST(NULL AS TIMESTAMP(3)) AS x FROM bid;")
        with pytest.raises(laminarc.SqlError, match="PROCTIME"):
            db.execute("""CREATE STREAM w AS SELECT COUNT(*) AS n FROM s
                          GROUP BY TUMBLE(x, INTERVAL '1' SECOND)""")
