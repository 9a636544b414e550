-- Binding of queries over queries: subqueries, and streams over other streams. A stream
-- without an aggregate is inlined into its readers; a stream with one is scanned.

-- case: subquery in FROM
CREATE STREAM s AS SELECT x * 2 AS y FROM (SELECT k + 1 AS x, v FROM events WHERE v > 0) AS t WHERE x < 10;
-- expect:
Project [(x#0 * CAST(2 AS BIGINT)) AS y]
  Filter (x#0 < CAST(10 AS BIGINT))
    Project [(k#1 + CAST(1 AS BIGINT)) AS x, v#2]
      Filter (v#2 > CAST(0 AS DOUBLE))
        Scan events (source) [ts, k, v, s, d, b]
Output: [y BIGINT]

-- case: stateless stream clean
CREATE STREAM clean AS SELECT ts, k, v FROM events WHERE k IS NOT NULL;
-- expect:
Project [ts#0, k#1, v#2]
  Filter NOT(IS_NULL(k#1))
    Scan events (source) [ts, k, v, s, d, b]
Output: [ts TIMESTAMP(3) NOT NULL TIME, k BIGINT, v DOUBLE]

-- case: stream over a stateless stream is inlined
CREATE STREAM s AS SELECT k, v * 2 AS v2 FROM clean WHERE v > 1;
-- expect:
Project [k#1, (v#2 * CAST(2 AS DOUBLE)) AS v2]
  Filter (v#2 > CAST(1 AS DOUBLE))
    Project [ts#0, k#1, v#2]
      Filter NOT(IS_NULL(k#1))
        Scan events (source) [ts, k, v, s, d, b]
Output: [k BIGINT, v2 DOUBLE]

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
Output: [window_start TIMESTAMP(3) NOT NULL TIME-10000, window_end TIMESTAMP(3) NOT NULL TIME, k BIGINT, c BIGINT NOT NULL]

-- case: stream over a window-aggregated stream scans it
CREATE STREAM s AS SELECT window_end, k, c FROM per_window WHERE c > 1;
-- expect:
Project [window_end#1, k#2, c#3]
  Filter (c#3 > CAST(1 AS BIGINT))
    Scan per_window (stream) [window_start, window_end, k, c]
Output: [window_end TIMESTAMP(3) NOT NULL TIME, k BIGINT, c BIGINT NOT NULL]

-- case: windowing the output of a window aggregate
CREATE STREAM s AS
SELECT window_start, SUM(c) AS total
FROM TABLE(TUMBLE(TABLE per_window, DESCRIPTOR(window_end), INTERVAL '1' MINUTE))
GROUP BY window_start;
-- expect:
Project [window_start#0, $1#1 AS total]
  Aggregate keys=[window_start#0] aggs=[SUM($1#1)] emit=ON WINDOW CLOSE
    Project [window_start#4, c#3 AS $1]
      Window TUMBLE(window_end#1, size=60000)
        Scan per_window (stream) [window_start, window_end, k, c]
Output: [window_start TIMESTAMP(3) NOT NULL TIME-60000, total BIGINT]

-- case: changelog stream per_key
CREATE STREAM per_key AS SELECT k, COUNT(*) AS c FROM events GROUP BY k;
-- expect:
Project [k#0, $1#1 AS c, _op#2]
  Aggregate keys=[k#0] aggs=[COUNT(*)] emit=CHANGES
    Project [k#1]
      Scan events (source) [ts, k, v, s, d, b]
Output (changelog): [k BIGINT, c BIGINT NOT NULL, _op TINYINT NOT NULL]

-- case: stream over a changelog stream carries _op
CREATE STREAM s AS SELECT k, c * 10 AS c10 FROM per_key WHERE k > 3;
-- expect:
Project [k#0, (c#1 * CAST(10 AS BIGINT)) AS c10, _op#2]
  Filter (k#0 > CAST(3 AS BIGINT))
    Scan per_key (stream changelog) [k, c, _op]
Output (changelog): [k BIGINT, c10 BIGINT, _op TINYINT NOT NULL]

-- case: subquery with an aggregate inside
CREATE STREAM s AS
SELECT window_start, n_keys FROM (
    SELECT window_start, COUNT(DISTINCT k) AS n_keys
    FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
    GROUP BY window_start
) WHERE n_keys > 2;
-- expect:
Project [window_start#0, n_keys#1]
  Filter (n_keys#1 > CAST(2 AS BIGINT))
    Project [window_start#0, $1#1 AS n_keys]
      Aggregate keys=[window_start#0] aggs=[COUNT(DISTINCT $1#1)] emit=ON WINDOW CLOSE
        Project [window_start#6, k#1 AS $1]
          Window TUMBLE(ts#0, size=10000)
            Scan events (source) [ts, k, v, s, d, b]
Output: [window_start TIMESTAMP(3) NOT NULL TIME-10000, n_keys BIGINT NOT NULL]
