-- Physical planning: the optimized plan cut into pipelines. A pipeline reads one relation,
-- runs its filters, projections and windows in one fused loop (printed top-down), and ends in
-- a sink: an aggregate (with the filters and projections run when it emits) or output rows.

-- case: stateless stream
CREATE STREAM s AS SELECT k + 1 AS x, UPPER(s) AS u FROM events WHERE v > 2;
-- expect:
Pipeline s_p0: events -> s
  Project [(k#1 + 1) AS x, UPPER(s#3) AS u]
  Filter (v#2 > 2.0)
  sink: output rows

-- case: TUMBLE table function aggregate
CREATE STREAM s AS
SELECT window_start, k, SUM(v) AS sv
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
WHERE v > 0
GROUP BY window_start, window_end, k
HAVING SUM(v) > 10;
-- expect:
Pipeline s_p0: events -> s
  Project [window_start#6, window_end#7, k#1, v#2 AS $3]
  Window TUMBLE(ts#0, size=10000)
  Filter (v#2 > 0.0)
  sink: window aggregate, emit ON WINDOW CLOSE
    on emit: Project [window_start#0, k#2, $3#3 AS sv]
    on emit: Filter ($3#3 > 10.0)

-- case: HOP table function aggregate
CREATE STREAM s AS
SELECT window_start, window_end, COUNT(*) AS c
FROM TABLE(HOP(TABLE clicks, DESCRIPTOR(ts), 1000, 5000))
GROUP BY window_start, window_end;
-- expect:
Pipeline s_p0: clicks -> s
  Project [window_start#4, window_end#5]
  Window HOP(ts#0, slide=1000, size=5000)
  sink: window aggregate, emit ON WINDOW CLOSE, in slices of 1000
    on emit: Project [window_start#0, window_end#1, $2#2 AS c]

-- case: HOP slices are the gcd of slide and size
CREATE STREAM s AS
SELECT k, window_start, SUM(v) AS sv
FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '40' SECOND, INTERVAL '100' SECOND))
GROUP BY k, window_start, window_end EMIT ON WINDOW CLOSE;
-- expect:
Pipeline s_p0: events -> s
  Project [k#1, window_start#6, window_end#7, v#2 AS $3]
  Window HOP(ts#0, slide=40000, size=100000)
  sink: window aggregate, emit ON WINDOW CLOSE, in slices of 20000
    on emit: Project [k#0, window_start#1, $3#3 AS sv]

-- case: a HOP aggregate's FILTER reading window_start is not sliced
CREATE STREAM s AS
SELECT k, window_start, COUNT(*) FILTER (WHERE ts < window_start + INTERVAL '1' SECOND) AS c1
FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND, INTERVAL '5' SECOND))
GROUP BY k, window_start, window_end EMIT ON WINDOW CLOSE;
-- expect:
Pipeline s_p0: events -> s
  Project [k#1, window_start#6, window_end#7, (ts#0 < (window_start#6 + (0, 1000000)::INTERVAL)) AS $3]
  Window HOP(ts#0, slide=1000, size=5000)
  sink: window aggregate, emit ON WINDOW CLOSE
    on emit: Project [k#0, window_start#1, $3#3 AS c1]

-- case: a HOP filtered on window_end is not sliced
CREATE STREAM s AS
SELECT k, window_start, COUNT(*) AS c
FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND, INTERVAL '5' SECOND))
WHERE ts > window_end - INTERVAL '2' SECOND
GROUP BY k, window_start, window_end EMIT ON WINDOW CLOSE;
-- expect:
Pipeline s_p0: events -> s
  Project [k#1, window_start#6, window_end#7]
  Filter (ts#0 > (window_end#7 - (0, 2000000)::INTERVAL))
  Window HOP(ts#0, slide=1000, size=5000)
  sink: window aggregate, emit ON WINDOW CLOSE
    on emit: Project [k#0, window_start#1, $3#3 AS c]

-- case: a HOP with a distinct count is not sliced
CREATE STREAM s AS
SELECT window_start, COUNT(DISTINCT k) AS dk
FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND, INTERVAL '5' SECOND))
GROUP BY window_start, window_end EMIT ON WINDOW CLOSE;
-- expect:
Pipeline s_p0: events -> s
  Project [window_start#6, window_end#7, k#1 AS $2]
  Window HOP(ts#0, slide=1000, size=5000)
  sink: window aggregate, emit ON WINDOW CLOSE
    on emit: Project [window_start#0, $2#2 AS dk]

-- case: a HOP grouped by a key computed from window_end is not sliced
CREATE STREAM s AS
SELECT window_start, window_end - INTERVAL '1' SECOND AS last_second, COUNT(*) AS c
FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND, INTERVAL '5' SECOND))
GROUP BY window_start, window_end, window_end - INTERVAL '1' SECOND EMIT ON WINDOW CLOSE;
-- expect:
Pipeline s_p0: events -> s
  Project [window_start#6, window_end#7, (window_end#7 - (0, 1000000)::INTERVAL) AS $2]
  Window HOP(ts#0, slide=1000, size=5000)
  sink: window aggregate, emit ON WINDOW CLOSE
    on emit: Project [window_start#0, $2#2 AS last_second, $3#3 AS c]

-- case: group-window TUMBLE with TUMBLE_START
CREATE STREAM s AS
SELECT TUMBLE_START(ts, INTERVAL '1' MINUTE) AS ws, k, COUNT(*) AS c
FROM events GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE), k;
-- expect:
Pipeline s_p0: events -> s
  Project [window_start#6, window_end#7, k#1]
  Window TUMBLE(ts#0, size=60000)
  sink: window aggregate, emit ON WINDOW CLOSE
    on emit: Project [window_start#0 AS ws, k#2, $3#3 AS c]

-- case: window aggregate with EMIT CHANGES
CREATE STREAM s AS
SELECT window_start, k, COUNT(*) AS c
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, k EMIT CHANGES;
-- expect:
Pipeline s_p0: events -> s
  Project [window_start#6, k#1]
  Window TUMBLE(ts#0, size=10000)
  sink: window aggregate, emit CHANGES
    on emit: Project [window_start#0, k#1, $2#2 AS c, _op#3]

-- case: window aggregate with EMIT ON WINDOW CLOSE
CREATE STREAM s AS
SELECT window_start, k, COUNT(*) AS c
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, k EMIT ON WINDOW CLOSE;
-- expect:
Pipeline s_p0: events -> s
  Project [window_start#6, k#1]
  Window TUMBLE(ts#0, size=10000)
  sink: window aggregate, emit ON WINDOW CLOSE
    on emit: Project [window_start#0, k#1, $2#2 AS c]

-- case: unwindowed GROUP BY
CREATE STREAM s AS SELECT k, SUM(v) AS sv FROM events GROUP BY k;
-- expect:
Pipeline s_p0: events -> s
  Project [k#1, v#2 AS $1]
  sink: aggregate, emit CHANGES
    on emit: Project [k#0, $1#1 AS sv, _op#2]

-- case: global aggregate
CREATE STREAM s AS SELECT COUNT(*) AS c, MAX(v) AS mv FROM events;
-- expect:
Pipeline s_p0: events -> s
  Project [v#2 AS $0]
  sink: aggregate, emit CHANGES
    on emit: Project [$0#0 AS c, $1#1 AS mv, _op#2]

-- case: COUNT DISTINCT and FILTER
CREATE STREAM s AS
SELECT k, COUNT(DISTINCT s) AS ds, SUM(v) FILTER (WHERE b) AS sb FROM events GROUP BY k;
-- expect:
Pipeline s_p0: events -> s
  Project [k#1, s#3 AS $1, v#2 AS $2, b#5 AS $3]
  sink: aggregate, emit CHANGES
    on emit: Project [k#0, $1#1 AS ds, $2#2 AS sb, _op#3]

-- case: stateless stream clean
CREATE STREAM clean AS SELECT ts, k, v FROM events WHERE k IS NOT NULL;
-- expect:
Pipeline clean_p0: events -> clean
  Project [ts#0, k#1, v#2]
  Filter NOT(IS_NULL(k#1))
  sink: output rows

-- case: stream over a stateless stream reads its source
CREATE STREAM s AS SELECT k, v * 2 AS v2 FROM clean WHERE v > 1;
-- expect:
Pipeline s_p0: events -> s
  Project [k#1, (v#2 * 2.0) AS v2]
  Filter (NOT(IS_NULL(k#1)) AND (v#2 > 1.0))
  sink: output rows

-- case: window-aggregated stream per_window
CREATE STREAM per_window AS
SELECT window_start, window_end, k, COUNT(*) AS c
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, k;
-- expect:
Pipeline per_window_p0: events -> per_window
  Project [window_start#6, window_end#7, k#1]
  Window TUMBLE(ts#0, size=10000)
  sink: window aggregate, emit ON WINDOW CLOSE
    on emit: Project [window_start#0, window_end#1, k#2, $3#3 AS c]

-- case: stream over a window-aggregated stream reads its output
CREATE STREAM s AS SELECT window_end, k, c FROM per_window WHERE c > 1;
-- expect:
Pipeline s_p0: per_window -> s
  Project [window_end#1, k#2, c#3]
  Filter (c#3 > 1)
  sink: output rows

-- case: window aggregate over a window-aggregated stream
CREATE STREAM s AS
SELECT window_start, SUM(c) AS total
FROM TABLE(TUMBLE(TABLE per_window, DESCRIPTOR(window_end), INTERVAL '1' MINUTE))
GROUP BY window_start;
-- expect:
Pipeline s_p0: per_window -> s
  Project [window_start#4, c#3 AS $1]
  Window TUMBLE(window_end#1, size=60000)
  sink: window aggregate, emit ON WINDOW CLOSE
    on emit: Project [window_start#0, $1#1 AS total]

-- case: changelog stream per_key
CREATE STREAM per_key AS SELECT k, COUNT(*) AS c FROM events GROUP BY k;
-- expect:
Pipeline per_key_p0: events -> per_key
  Project [k#1]
  sink: aggregate, emit CHANGES
    on emit: Project [k#0, $1#1 AS c, _op#2]

-- case: stream over a changelog stream reads its changes
CREATE STREAM s AS SELECT k, c * 10 AS c10 FROM per_key WHERE c > 1;
-- expect:
Pipeline s_p0: per_key -> s
  Project [k#0, (c#1 * 10) AS c10, _op#2]
  Filter (c#1 > 1)
  sink: output rows

-- case: subquery with an aggregate inside
CREATE STREAM s AS
SELECT window_start, n_keys * 2 AS n2 FROM (
    SELECT window_start, COUNT(DISTINCT k) AS n_keys
    FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
    GROUP BY window_start
) WHERE n_keys > 2;
-- expect:
Pipeline s_p0: events -> s
  Project [window_start#6, k#1 AS $1]
  Window TUMBLE(ts#0, size=10000)
  sink: window aggregate, emit ON WINDOW CLOSE
    on emit: Project [window_start#0, ($1#1 * 2) AS n2]
    on emit: Filter ($1#1 > 2)

-- case: window over a subquery's window aggregate
CREATE STREAM s AS
SELECT TUMBLE_START(t, INTERVAL '1' MINUTE) AS ws, MAX(c) AS peak
FROM (
    SELECT window_end AS t, COUNT(*) AS c
    FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND))
    GROUP BY window_end
)
GROUP BY TUMBLE(t, INTERVAL '1' MINUTE);
-- expect:
Pipeline s_p0: events -> s$1
  Project [window_end#7]
  Window TUMBLE(ts#0, size=1000)
  sink: window aggregate, emit ON WINDOW CLOSE
Pipeline s_p1: s$1 -> s
  Project [window_start#2, window_end#3, $1#1 AS $2]
  Window TUMBLE(window_end#0, size=60000)
  sink: window aggregate, emit ON WINDOW CLOSE
    on emit: Project [window_start#0 AS ws, $2#2 AS peak]
