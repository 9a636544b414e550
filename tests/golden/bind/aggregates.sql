-- Binding of aggregation: a pre-projection puts keys first and then the aggregates'
-- arguments and filters; the Aggregate's output is keys, then aggregates, then `_op` when it
-- is a changelog; a projection on top computes the select list.

-- case: unwindowed GROUP BY is a changelog with _op
CREATE STREAM s AS SELECT k, SUM(v) AS total, COUNT(*) AS c FROM events GROUP BY k;
-- expect:
Project [k#0, $1#1 AS total, $2#2 AS c, _op#3]
  Aggregate keys=[k#0] aggs=[SUM($1#1), COUNT(*)] emit=CHANGES
    Project [k#1, v#2 AS $1]
      Scan events (source) [ts, k, v, s, d, b]
Output (changelog): [k BIGINT, total DOUBLE, c BIGINT NOT NULL, _op TINYINT NOT NULL]

-- case: global aggregate without GROUP BY
CREATE STREAM s AS SELECT COUNT(*) AS c, SUM(d) AS sd, MIN(ts) AS first_ts FROM events;
-- expect:
Project [$0#0 AS c, $1#1 AS sd, $2#2 AS first_ts, _op#3]
  Aggregate keys=[] aggs=[COUNT(*), SUM($0#0), MIN($1#1)] emit=CHANGES
    Project [d#4 AS $0, ts#0 AS $1]
      Scan events (source) [ts, k, v, s, d, b]
Output (changelog): [c BIGINT NOT NULL, sd DECIMAL(18,2), first_ts TIMESTAMP(3), _op TINYINT NOT NULL]

-- case: COUNT DISTINCT and FILTER
CREATE STREAM s AS
SELECT k, COUNT(DISTINCT s) AS users, COUNT(*) FILTER (WHERE v > 1) AS big,
       SUM(v) FILTER (WHERE b) AS sb
FROM events GROUP BY k;
-- expect:
Project [k#0, $1#1 AS users, $2#2 AS big, $3#3 AS sb, _op#4]
  Aggregate keys=[k#0] aggs=[COUNT(DISTINCT $1#1), COUNT(*) FILTER($2#2), SUM($3#3) FILTER($4#4)] emit=CHANGES
    Project [k#1, s#3 AS $1, (v#2 > CAST(1 AS DOUBLE)) AS $2, v#2 AS $3, b#5 AS $4]
      Scan events (source) [ts, k, v, s, d, b]
Output (changelog): [k BIGINT, users BIGINT NOT NULL, big BIGINT NOT NULL, sb DOUBLE, _op TINYINT NOT NULL]

-- case: aggregate arguments are expressions; results of SUM and AVG by argument type
CREATE STREAM s AS
SELECT user_id, SUM(n) AS sn, SUM(n * 2) AS sn2, AVG(n) AS an, MAX(url) AS mu
FROM clicks GROUP BY user_id;
-- expect:
Project [user_id#0, $1#1 AS sn, $2#2 AS sn2, $3#3 AS an, $4#4 AS mu, _op#5]
  Aggregate keys=[user_id#0] aggs=[SUM($1#1), SUM($2#2), AVG($1#1), MAX($3#3)] emit=CHANGES
    Project [user_id#1, n#2 AS $1, (n#2 * 2) AS $2, url#3 AS $3]
      Scan clicks (source) [ts, user_id, n, url]
Output (changelog): [user_id BIGINT, sn BIGINT, sn2 BIGINT, an DOUBLE, mu VARCHAR, _op TINYINT NOT NULL]

-- case: expression of keys and aggregates in the select list
CREATE STREAM s AS SELECT k + 1 AS k1, SUM(v) / COUNT(*) AS mean FROM events GROUP BY k;
-- expect:
Project [(k#0 + CAST(1 AS BIGINT)) AS k1, ($1#1 / CAST($2#2 AS DOUBLE)) AS mean, _op#3]
  Aggregate keys=[k#0] aggs=[SUM($1#1), COUNT(*)] emit=CHANGES
    Project [k#1, v#2 AS $1]
      Scan events (source) [ts, k, v, s, d, b]
Output (changelog): [k1 BIGINT, mean DOUBLE, _op TINYINT NOT NULL]

-- case: group by an expression, by ordinal and by alias
CREATE STREAM s AS SELECT k % 10 AS bucket, s, COUNT(*) AS c FROM events GROUP BY bucket, 2;
-- expect:
Project [$0#0 AS bucket, s#1, $2#2 AS c, _op#3]
  Aggregate keys=[$0#0, s#1] aggs=[COUNT(*)] emit=CHANGES
    Project [(k#1 % CAST(10 AS BIGINT)) AS $0, s#3]
      Scan events (source) [ts, k, v, s, d, b]
Output (changelog): [bucket BIGINT, s VARCHAR, c BIGINT NOT NULL, _op TINYINT NOT NULL]

-- case: HAVING on a key and on an aggregate
CREATE STREAM s AS
SELECT k, COUNT(*) AS c FROM events GROUP BY k HAVING k > 0 AND COUNT(*) > 5;
-- expect:
Project [k#0, $1#1 AS c, _op#2]
  Filter ((k#0 > CAST(0 AS BIGINT)) AND ($1#1 > CAST(5 AS BIGINT)))
    Aggregate keys=[k#0] aggs=[COUNT(*)] emit=CHANGES
      Project [k#1]
        Scan events (source) [ts, k, v, s, d, b]
Output (changelog): [k BIGINT, c BIGINT NOT NULL, _op TINYINT NOT NULL]

-- case: SELECT DISTINCT groups by every column
CREATE STREAM s AS SELECT DISTINCT k, s FROM events;
-- expect:
Project [k#0, s#1, _op#2]
  Aggregate keys=[k#0, s#1] aggs=[] emit=CHANGES
    Project [k#1, s#3]
      Scan events (source) [ts, k, v, s, d, b]
Output (changelog): [k BIGINT, s VARCHAR, _op TINYINT NOT NULL]

-- case: the same aggregate twice is computed once
CREATE STREAM s AS SELECT k, SUM(v) AS a, SUM(v) * 2 AS b FROM events GROUP BY k;
-- expect:
Project [k#0, $1#1 AS a, ($1#1 * CAST(2 AS DOUBLE)) AS b, _op#2]
  Aggregate keys=[k#0] aggs=[SUM($1#1)] emit=CHANGES
    Project [k#1, v#2 AS $1]
      Scan events (source) [ts, k, v, s, d, b]
Output (changelog): [k BIGINT, a DOUBLE, b DOUBLE, _op TINYINT NOT NULL]
