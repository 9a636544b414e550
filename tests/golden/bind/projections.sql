-- Binding of projections and filters: names become column positions, implicit conversions
-- become explicit CASTs, and the output schema (last line) carries types, nullability and
-- event-time attributes.

-- case: star keeps the source schema and its event time
CREATE STREAM s AS SELECT * FROM events;
-- expect:
Project [ts#0, k#1, v#2, s#3, d#4, b#5]
  Scan events (source) [ts, k, v, s, d, b]
Output: [ts TIMESTAMP(3) NOT NULL TIME, k BIGINT, v DOUBLE, s VARCHAR, d DECIMAL(10,2), b BOOLEAN]

-- case: integer arithmetic widens to the wider operand
CREATE STREAM s AS SELECT n + 1 AS a, n + user_id AS b, n * 2.5 AS c, n / 2 AS e FROM clicks;
-- expect:
Project [(n#2 + 1) AS a, (CAST(n#2 AS BIGINT) + user_id#1) AS b, (CAST(n#2 AS DECIMAL(10,0)) * 25::DECIMAL(2,1)) AS c, (n#2 / 2) AS e]
  Scan clicks (source) [ts, user_id, n, url]
Output: [a INT, b BIGINT, c DECIMAL(12,1), e INT]

-- case: double and decimal arithmetic
CREATE STREAM s AS SELECT v * 2 + k AS x, d + 1 AS y, d * d AS z, d / 3 AS q, d + v AS w FROM events;
-- expect:
Project [((v#2 * CAST(2 AS DOUBLE)) + CAST(k#1 AS DOUBLE)) AS x, (CAST(d#4 AS DECIMAL(13,2)) + CAST(1 AS DECIMAL(13,2))) AS y, (d#4 * d#4) AS z, (CAST(d#4 AS DOUBLE) / CAST(3 AS DOUBLE)) AS q, (CAST(d#4 AS DOUBLE) + v#2) AS w]
  Scan events (source) [ts, k, v, s, d, b]
Output: [x DOUBLE, y DECIMAL(13,2), z DECIMAL(18,4), q DOUBLE, w DOUBLE]

-- case: comparison of a timestamp with a string literal
CREATE STREAM s AS SELECT k FROM events WHERE ts >= '2024-01-01 00:00:00' AND s LIKE 'a%';
-- expect:
Project [k#1]
  Filter ((ts#0 >= 1704067200000::TIMESTAMP(3)) AND LIKE(s#3, 'a%'))
    Scan events (source) [ts, k, v, s, d, b]
Output: [k BIGINT]

-- case: CASE, IN, BETWEEN, IS TRUE, COALESCE
CREATE STREAM s AS
SELECT CASE WHEN k > 10 THEN 'big' WHEN k > 5 THEN 'mid' ELSE s END AS size,
       k IN (1, 2, 3) AS small,
       v BETWEEN 0 AND 1 AS unit,
       b IS TRUE AS yes,
       COALESCE(d, 0) AS d0
FROM events;
-- expect:
Project [CASE WHEN (k#1 > CAST(10 AS BIGINT)) THEN 'big' WHEN (k#1 > CAST(5 AS BIGINT)) THEN 'mid' ELSE s#3 END AS size, (((k#1 = CAST(1 AS BIGINT)) OR (k#1 = CAST(2 AS BIGINT))) OR (k#1 = CAST(3 AS BIGINT))) AS small, ((v#2 >= CAST(0 AS DOUBLE)) AND (v#2 <= CAST(1 AS DOUBLE))) AS unit, COALESCE(b#5, FALSE) AS yes, COALESCE(CAST(d#4 AS DECIMAL(12,2)), CAST(0 AS DECIMAL(12,2))) AS d0]
  Scan events (source) [ts, k, v, s, d, b]
Output: [size VARCHAR, small BOOLEAN, unit BOOLEAN, yes BOOLEAN NOT NULL, d0 DECIMAL(12,2) NOT NULL]

-- case: timestamp arithmetic with an interval keeps the type but not the time attribute
CREATE STREAM s AS SELECT ts, ts + INTERVAL '1' MINUTE AS later, EXTRACT(HOUR FROM ts) AS h FROM events;
-- expect:
Project [ts#0, (ts#0 + (0, 60000000)::INTERVAL) AS later, EXTRACT[hour](ts#0) AS h]
  Scan events (source) [ts, k, v, s, d, b]
Output: [ts TIMESTAMP(3) NOT NULL TIME, later TIMESTAMP(3), h BIGINT NOT NULL]

-- case: qualified names and an alias
CREATE STREAM s AS SELECT e.k AS key, e.v FROM events AS e WHERE e.b;
-- expect:
Project [k#1 AS key, v#2]
  Filter b#5
    Scan events (source) [ts, k, v, s, d, b]
Output: [key BIGINT, v DOUBLE]
