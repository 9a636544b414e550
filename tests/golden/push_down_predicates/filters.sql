-- push_down_predicates: filters move towards the scan through projections (by
-- substitution), through windows when they do not read window_start/window_end, and through
-- aggregates for the parts of HAVING that only read group keys; filters they meet merge.

-- case: filter pushed below projection
CREATE STREAM s AS SELECT x FROM (SELECT k + 1 AS x FROM events) WHERE x > 2;
-- expect:
Project [x#0]
  Project [(k#1 + 1) AS x]
    Filter ((k#1 + 1) > 2)
      Scan events (source) [ts, k, v, s, d, b]

-- case: filters of nested subqueries merge
CREATE STREAM s AS
SELECT y FROM (SELECT x * 2 AS y, v FROM (SELECT k + 1 AS x, v FROM events WHERE v > 0) WHERE x < 10) WHERE y <> 4 AND v < 100;
-- expect:
Project [y#0]
  Project [(x#0 * 2) AS y, v#1]
    Project [(k#1 + 1) AS x, v#2]
      Filter ((((v#2 > 0.0) AND ((k#1 + 1) < 10)) AND (((k#1 + 1) * 2) <> 4)) AND (v#2 < 100.0))
        Scan events (source) [ts, k, v, s, d, b]

-- case: TUMBLE: a predicate on window_start stays above the window
CREATE STREAM s AS
SELECT window_start, k FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
WHERE k > 1 AND window_start > '2024-01-01 00:00:00';
-- expect:
Project [window_start#6, k#1]
  Filter (window_start#6 > 1704067200000::TIMESTAMP(3))
    Window TUMBLE(ts#0, size=10000)
      Filter (k#1 > 1)
        Scan events (source) [ts, k, v, s, d, b]

-- case: TUMBLE aggregate: WHERE goes below the window
CREATE STREAM s AS
SELECT window_start, k, SUM(v) AS sv
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
WHERE v > 0 AND ts > window_start
GROUP BY window_start, window_end, k;
-- expect:
Project [window_start#0, k#2, $3#3 AS sv]
  Aggregate keys=[window_start#0, window_end#1, k#2] aggs=[SUM($3#3)] emit=ON WINDOW CLOSE
    Project [window_start#6, window_end#7, k#1, v#2 AS $3]
      Filter (ts#0 > window_start#6)
        Window TUMBLE(ts#0, size=10000)
          Filter (v#2 > 0.0)
            Scan events (source) [ts, k, v, s, d, b]

-- case: HOP: predicates split around the window
CREATE STREAM s AS
SELECT window_end, COUNT(*) AS c
FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '15' SECOND))
WHERE s = 'a' AND window_end - ts < INTERVAL '10' SECOND
GROUP BY window_start, window_end;
-- expect:
Project [window_end#1, $2#2 AS c]
  Aggregate keys=[window_start#0, window_end#1] aggs=[COUNT(*)] emit=ON WINDOW CLOSE
    Project [window_start#6, window_end#7]
      Filter ((window_end#7 - ts#0) < (0, 10000000)::INTERVAL)
        Window HOP(ts#0, slide=5000, size=15000)
          Filter (s#3 = 'a')
            Scan events (source) [ts, k, v, s, d, b]

-- case: HAVING on group keys moves below the aggregate, on aggregates stays
CREATE STREAM s AS
SELECT window_start, k, SUM(v) AS sv
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, k
HAVING k < 100 AND SUM(v) > 3 AND window_start > '2024-01-01 00:00:00';
-- expect:
Project [window_start#0, k#2, $3#3 AS sv]
  Filter ($3#3 > 3.0)
    Aggregate keys=[window_start#0, window_end#1, k#2] aggs=[SUM($3#3)] emit=ON WINDOW CLOSE
      Project [window_start#6, window_end#7, k#1, v#2 AS $3]
        Filter (window_start#6 > 1704067200000::TIMESTAMP(3))
          Window TUMBLE(ts#0, size=10000)
            Filter (k#1 < 100)
              Scan events (source) [ts, k, v, s, d, b]

-- case: HAVING on a key expression of an unwindowed aggregate
CREATE STREAM s AS
SELECT k % 10 AS bucket, COUNT(*) AS c FROM events GROUP BY k % 10 HAVING k % 10 <> 0 OR COUNT(*) > 2;
-- expect:
Project [$0#0 AS bucket, $1#1 AS c, _op#2]
  Filter (($0#0 <> 0) OR ($1#1 > 2))
    Aggregate keys=[$0#0] aggs=[COUNT(*)] emit=CHANGES
      Project [(k#1 % 10) AS $0]
        Scan events (source) [ts, k, v, s, d, b]

-- case: HAVING on a computed key moves below and is rewritten to the input
CREATE STREAM s AS
SELECT k % 10 AS bucket, COUNT(*) AS c FROM events GROUP BY k % 10 HAVING k % 10 <> 0;
-- expect:
Project [$0#0 AS bucket, $1#1 AS c, _op#2]
  Aggregate keys=[$0#0] aggs=[COUNT(*)] emit=CHANGES
    Project [(k#1 % 10) AS $0]
      Filter ((k#1 % 10) <> 0)
        Scan events (source) [ts, k, v, s, d, b]

-- case: filter over a subquery with an aggregate inside
CREATE STREAM s AS
SELECT k, c FROM (SELECT k, COUNT(*) AS c FROM events GROUP BY k) WHERE k > 5 AND c > 1;
-- expect:
Project [k#0, c#1, _op#2]
  Project [k#0, $1#1 AS c, _op#2]
    Filter ($1#1 > 1)
      Aggregate keys=[k#0] aggs=[COUNT(*)] emit=CHANGES
        Project [k#1]
          Filter (k#1 > 5)
            Scan events (source) [ts, k, v, s, d, b]

-- case: stateless stream clean
CREATE STREAM clean AS SELECT ts, k, v FROM events WHERE k IS NOT NULL;
-- expect:
Project [ts#0, k#1, v#2]
  Filter NOT(IS_NULL(k#1))
    Scan events (source) [ts, k, v, s, d, b]

-- case: filter over an inlined stream merges with its filter
CREATE STREAM s AS SELECT k FROM clean WHERE v > 1;
-- expect:
Project [k#1]
  Project [ts#0, k#1, v#2]
    Filter (NOT(IS_NULL(k#1)) AND (v#2 > 1.0))
      Scan events (source) [ts, k, v, s, d, b]

-- case: filter through a window over an inlined stream
CREATE STREAM s AS
SELECT window_start, COUNT(*) AS c
FROM TABLE(TUMBLE(TABLE clean, DESCRIPTOR(ts), INTERVAL '1' SECOND))
WHERE v > 0
GROUP BY window_start;
-- expect:
Project [window_start#0, $1#1 AS c]
  Aggregate keys=[window_start#0] aggs=[COUNT(*)] emit=ON WINDOW CLOSE
    Project [window_start#3]
      Window TUMBLE(ts#0, size=1000)
        Project [ts#0, k#1, v#2]
          Filter (NOT(IS_NULL(k#1)) AND (v#2 > 0.0))
            Scan events (source) [ts, k, v, s, d, b]

-- case: window-aggregated stream per_window
CREATE STREAM per_window AS
SELECT window_start, window_end, k, COUNT(*) AS c
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, k;
-- expect:
Project [window_start#0, window_end#1, k#2, $3#3 AS c]
  Aggregate keys=[window_start#0, window_end#1, k#2] aggs=[COUNT(*)] emit=ON WINDOW CLOSE
    Project [window_start#6, window_end#7, k#1]
      Window TUMBLE(ts#0, size=10000)
        Scan events (source) [ts, k, v, s, d, b]

-- case: filter over a scanned stream stays above its scan
CREATE STREAM s AS SELECT k, c FROM per_window WHERE c > 1 AND window_end > '2024-01-01 00:00:00';
-- expect:
Project [k#2, c#3]
  Filter ((c#3 > 1) AND (window_end#1 > 1704067200000::TIMESTAMP(3)))
    Scan per_window (stream) [window_start, window_end, k, c]

-- case: filter through a window over a scanned stream
CREATE STREAM s AS
SELECT window_start, SUM(c) AS total
FROM TABLE(TUMBLE(TABLE per_window, DESCRIPTOR(window_end), INTERVAL '1' MINUTE))
WHERE k > 0
GROUP BY window_start;
-- expect:
Project [window_start#0, $1#1 AS total]
  Aggregate keys=[window_start#0] aggs=[SUM($1#1)] emit=ON WINDOW CLOSE
    Project [window_start#4, c#3 AS $1]
      Window TUMBLE(window_end#1, size=60000)
        Filter (k#2 > 0)
          Scan per_window (stream) [window_start, window_end, k, c]

-- case: HAVING without columns on a global aggregate
CREATE STREAM s AS SELECT COUNT(*) AS c FROM events HAVING 1 > 2;
-- expect:
Project [$0#0 AS c, _op#1]
  Filter FALSE
    Aggregate keys=[] aggs=[COUNT(*)] emit=CHANGES
      Project []
        Scan events (source) [ts, k, v, s, d, b]
