-- prune_columns: projected columns and aggregates that nothing above uses are dropped;
-- group keys are kept; the root keeps all its fields; scans read their whole relation.

-- case: unused subquery columns are dropped
CREATE STREAM s AS SELECT x FROM (SELECT k + 1 AS x, v * 2 AS y, s AS z FROM events);
-- expect:
Project [(k#1 + 1) AS x]
  Scan events (source) [ts, k, v, s, d, b]

-- case: columns read only by a pushed-down filter leave the projection
CREATE STREAM s AS
SELECT x FROM (SELECT k + 1 AS x, v * 2 AS y, UPPER(s) AS z FROM events WHERE b) WHERE y > 1;
-- expect:
Project [(k#1 + 1) AS x]
  Filter (b#5 AND ((v#2 * 2.0) > 1.0))
    Scan events (source) [ts, k, v, s, d, b]

-- case: unused aggregates are dropped
CREATE STREAM s AS SELECT k, c FROM (SELECT k, SUM(v) AS sv, COUNT(*) AS c, MAX(s) AS ms FROM events GROUP BY k);
-- expect:
Project [k#0, $2#1 AS c, _op#2]
  Aggregate keys=[k#0] aggs=[COUNT(*)] emit=CHANGES
    Project [k#1]
      Scan events (source) [ts, k, v, s, d, b]

-- case: unused group keys stay
CREATE STREAM s AS SELECT c FROM (SELECT k, s, COUNT(*) AS c FROM events GROUP BY k, s);
-- expect:
Project [$2#2 AS c, _op#3]
  Aggregate keys=[k#0, s#1] aggs=[COUNT(*)] emit=CHANGES
    Project [k#1, s#3]
      Scan events (source) [ts, k, v, s, d, b]

-- case: unused aggregate arguments leave the pre-projection
CREATE STREAM s AS
SELECT window_start, total FROM (
    SELECT window_start, k, SUM(v) AS total, AVG(d) AS ad, COUNT(*) FILTER (WHERE b) AS nb
    FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
    GROUP BY window_start, k
);
-- expect:
Project [window_start#0, $2#2 AS total]
  Aggregate keys=[window_start#0, k#1] aggs=[SUM($2#2)] emit=ON WINDOW CLOSE
    Project [window_start#6, k#1, v#2 AS $2]
      Window TUMBLE(ts#0, size=10000)
        Scan events (source) [ts, k, v, s, d, b]

-- case: a window keeps its time column
CREATE STREAM s AS
SELECT k FROM (SELECT k, window_end FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND)));
-- expect:
Project [k#1]
  Window TUMBLE(ts#0, size=1000)
    Scan events (source) [ts, k, v, s, d, b]

-- case: the root keeps unused-looking fields
CREATE STREAM s AS SELECT k, v, s FROM events;
-- expect:
Project [k#1, v#2, s#3]
  Scan events (source) [ts, k, v, s, d, b]

-- case: _op of a changelog subquery is kept
CREATE STREAM s AS SELECT k FROM (SELECT k, COUNT(*) AS c, SUM(v) AS sv FROM events GROUP BY k);
-- expect:
Project [k#0, _op#1]
  Aggregate keys=[k#0] aggs=[] emit=CHANGES
    Project [k#1]
      Scan events (source) [ts, k, v, s, d, b]

-- case: an aggregate read only by a filter above is kept
CREATE STREAM s AS SELECT k FROM (SELECT k, SUM(v) AS sv, MAX(s) AS ms FROM events GROUP BY k) WHERE sv > 1;
-- expect:
Project [k#0, _op#2]
  Filter ($1#1 > 1.0)
    Aggregate keys=[k#0] aggs=[SUM($1#1)] emit=CHANGES
      Project [k#1, v#2 AS $1]
        Scan events (source) [ts, k, v, s, d, b]

-- case: a window bound read only by a filter above the window is kept
CREATE STREAM s AS
SELECT k FROM (SELECT k, v, window_start FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND)))
WHERE window_start > '2024-01-01 00:00:00';
-- expect:
Project [k#1]
  Filter (window_start#6 > 1704067200000::TIMESTAMP(3))
    Window TUMBLE(ts#0, size=1000)
      Scan events (source) [ts, k, v, s, d, b]

-- case: COUNT(*) alone reads no column
CREATE STREAM s AS SELECT COUNT(*) AS c FROM (SELECT k, v FROM events);
-- expect:
Project [$0#0 AS c, _op#1]
  Aggregate keys=[] aggs=[COUNT(*)] emit=CHANGES
    Project []
      Scan events (source) [ts, k, v, s, d, b]
