-- Binding of windows: a window table function appends window_start and window_end; GROUP BY
-- window_start/window_end (or a window in GROUP BY) makes the aggregate a window aggregate,
-- whose emitted window bounds are event-time attributes.

-- case: TUMBLE table function with a window aggregate
CREATE STREAM s AS
SELECT window_start, window_end, k, SUM(v) AS total, COUNT(*) AS c
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, k;
-- expect:
Project [window_start#0, window_end#1, k#2, $3#3 AS total, $4#4 AS c]
  Aggregate keys=[window_start#0, window_end#1, k#2] aggs=[SUM($3#3), COUNT(*)] emit=ON WINDOW CLOSE
    Project [window_start#6, window_end#7, k#1, v#2 AS $3]
      Window TUMBLE(ts#0, size=10000)
        Scan events (source) [ts, k, v, s, d, b]
Output: [window_start TIMESTAMP(3) NOT NULL TIME-10000, window_end TIMESTAMP(3) NOT NULL TIME, k BIGINT, total DOUBLE, c BIGINT NOT NULL]

-- case: HOP table function with named arguments
CREATE STREAM s AS
SELECT window_end, MAX(v) AS top
FROM TABLE(HOP(DATA => TABLE events, TIMECOL => DESCRIPTOR(ts), SLIDE => INTERVAL '5' SECOND,
               SIZE => INTERVAL '1' MINUTE))
GROUP BY window_start, window_end;
-- expect:
Project [window_end#1, $2#2 AS top]
  Aggregate keys=[window_start#0, window_end#1] aggs=[MAX($2#2)] emit=ON WINDOW CLOSE
    Project [window_start#6, window_end#7, v#2 AS $2]
      Window HOP(ts#0, slide=5000, size=60000)
        Scan events (source) [ts, k, v, s, d, b]
Output: [window_end TIMESTAMP(3) NOT NULL TIME, top DOUBLE]

-- case: TUMBLE over BIGINT event time, sized in milliseconds
CREATE STREAM s AS
SELECT window_start, user_id, SUM(n) AS clicks
FROM TUMBLE(TABLE clicks, DESCRIPTOR(ts), 60000)
GROUP BY window_start, user_id;
-- expect:
Project [window_start#0, user_id#1, $2#2 AS clicks]
  Aggregate keys=[window_start#0, user_id#1] aggs=[SUM($2#2)] emit=ON WINDOW CLOSE
    Project [window_start#4, user_id#1, n#2 AS $2]
      Window TUMBLE(ts#0, size=60000)
        Scan clicks (source) [ts, user_id, n, url]
Output: [window_start BIGINT NOT NULL TIME-60000, user_id BIGINT, clicks BIGINT]

-- case: group-window form with TUMBLE_START and TUMBLE_END
CREATE STREAM s AS
SELECT TUMBLE_START(ts, INTERVAL '1' MINUTE) AS ws, TUMBLE_END(ts, INTERVAL '1' MINUTE) AS we,
       k, AVG(v) AS mean
FROM events
GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE), k;
-- expect:
Project [window_start#0 AS ws, window_end#1 AS we, k#2, $3#3 AS mean]
  Aggregate keys=[window_start#0, window_end#1, k#2] aggs=[AVG($3#3)] emit=ON WINDOW CLOSE
    Project [window_start#6, window_end#7, k#1, v#2 AS $3]
      Window TUMBLE(ts#0, size=60000)
        Scan events (source) [ts, k, v, s, d, b]
Output: [ws TIMESTAMP(3) NOT NULL TIME-60000, we TIMESTAMP(3) NOT NULL TIME, k BIGINT, mean DOUBLE]

-- case: group-window form of HOP
CREATE STREAM s AS
SELECT HOP_START(ts, INTERVAL '10' SECOND, INTERVAL '30' SECOND) AS ws, COUNT(*) AS c
FROM events
GROUP BY HOP(ts, INTERVAL '10' SECOND, INTERVAL '30' SECOND);
-- expect:
Project [window_start#0 AS ws, $2#2 AS c]
  Aggregate keys=[window_start#0, window_end#1] aggs=[COUNT(*)] emit=ON WINDOW CLOSE
    Project [window_start#6, window_end#7]
      Window HOP(ts#0, slide=10000, size=30000)
        Scan events (source) [ts, k, v, s, d, b]
Output: [ws TIMESTAMP(3) NOT NULL TIME-30000, c BIGINT NOT NULL]

-- case: group window over the time column of a subquery
CREATE STREAM s AS
SELECT TUMBLE_START(t, INTERVAL '1' SECOND) AS ws, SUM(x) AS sx
FROM (SELECT ts AS t, k * 2 AS x FROM events WHERE v > 1)
GROUP BY TUMBLE(t, INTERVAL '1' SECOND);
-- expect:
Project [window_start#0 AS ws, $2#2 AS sx]
  Aggregate keys=[window_start#0, window_end#1] aggs=[SUM($2#2)] emit=ON WINDOW CLOSE
    Project [window_start#2, window_end#3, x#1 AS $2]
      Window TUMBLE(t#0, size=1000)
        Project [ts#0 AS t, (k#1 * CAST(2 AS BIGINT)) AS x]
          Filter (v#2 > CAST(1 AS DOUBLE))
            Scan events (source) [ts, k, v, s, d, b]
Output: [ws TIMESTAMP(3) NOT NULL TIME-1000, sx BIGINT]

-- case: window aggregate with EMIT CHANGES is a changelog
CREATE STREAM s AS
SELECT window_start, k, COUNT(*) AS c
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, k
EMIT CHANGES;
-- expect:
Project [window_start#0, k#1, $2#2 AS c, _op#3]
  Aggregate keys=[window_start#0, k#1] aggs=[COUNT(*)] emit=CHANGES
    Project [window_start#6, k#1]
      Window TUMBLE(ts#0, size=10000)
        Scan events (source) [ts, k, v, s, d, b]
Output (changelog): [window_start TIMESTAMP(3) NOT NULL, k BIGINT, c BIGINT NOT NULL, _op TINYINT NOT NULL]

-- case: window aggregate with EMIT ON WINDOW CLOSE
CREATE MATERIALIZED VIEW s AS
SELECT window_end, COUNT(*) AS c
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_end
EMIT ON WINDOW CLOSE;
-- expect:
Project [window_end#0, $1#1 AS c]
  Aggregate keys=[window_end#0] aggs=[COUNT(*)] emit=ON WINDOW CLOSE
    Project [window_end#7]
      Window TUMBLE(ts#0, size=10000)
        Scan events (source) [ts, k, v, s, d, b]
Output: [window_end TIMESTAMP(3) NOT NULL TIME, c BIGINT NOT NULL]

-- case: window table function without aggregation
CREATE STREAM s AS
SELECT k, window_start FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND));
-- expect:
Project [k#1, window_start#6]
  Window TUMBLE(ts#0, size=1000)
    Scan events (source) [ts, k, v, s, d, b]
Output: [k BIGINT, window_start TIMESTAMP(3) NOT NULL]
