-- fold_constants: constant subexpressions are evaluated at compile time and boolean
-- identities applied; what would fail at run time (overflow, division by zero) is left to the
-- runtime. A filter that is always TRUE disappears; one that is never TRUE stays.

-- case: integer and double arithmetic
CREATE STREAM s AS SELECT k + 2 * 3 AS a, v * (1 + 1) AS b, 7 / 2 AS c, 7 % 3 AS e, -(2 - 5) AS f, 1.0 / 4 AS g FROM events;
-- expect:
Project [(k#1 + 6) AS a, (v#2 * 2.0) AS b, 3 AS c, 1 AS e, 3 AS f, 0.25 AS g]
  Scan events (source) [ts, k, v, s, d, b]

-- case: integer division and modulo truncate towards zero
CREATE STREAM s AS SELECT -7 / 2 AS a, -7 % 3 AS c, 7 % -3 AS e, k FROM events;
-- expect:
Project [-3 AS a, -1 AS c, 1 AS e, k#1]
  Scan events (source) [ts, k, v, s, d, b]

-- case: implicit casts of literals are folded into typed literals
CREATE STREAM s AS SELECT k FROM events WHERE v > 1.5 AND d < 10 AND k = 3;
-- expect:
Project [k#1]
  Filter (((v#2 > 1.5) AND (CAST(d#4 AS DECIMAL(12,2)) < 1000::DECIMAL(12,2))) AND (k#1 = 3))
    Scan events (source) [ts, k, v, s, d, b]

-- case: decimal literals
CREATE STREAM s AS SELECT d + 1.25 AS a, d * 0.5 AS b, 1.5 + 2.25 AS c, 0.1 * 0.2 AS e FROM events;
-- expect:
Project [(CAST(d#4 AS DECIMAL(11,2)) + 125::DECIMAL(11,2)) AS a, (d#4 * 5::DECIMAL(1,1)) AS b, 375::DECIMAL(4,2) AS c, 2::DECIMAL(2,2) AS e]
  Scan events (source) [ts, k, v, s, d, b]

-- case: decimal product of literals of different types
CREATE STREAM s AS SELECT 1.5 * 0.25 AS a, 1.5 * 2 AS c FROM events;
-- expect:
Project [375::DECIMAL(4,3) AS a, 30::DECIMAL(12,1) AS c]
  Scan events (source) [ts, k, v, s, d, b]

-- case: overflow and division by zero are not folded
CREATE STREAM s AS SELECT 2147483647 + 1 AS a, 9223372036854775807 + k AS b, 1 / 0 AS c, k / 0 AS e FROM events;
-- expect:
Project [(2147483647 + 1) AS a, (9223372036854775807 + k#1) AS b, (1 / 0) AS c, (k#1 / 0) AS e]
  Scan events (source) [ts, k, v, s, d, b]

-- case: CASE with constant conditions
CREATE STREAM s AS
SELECT CASE WHEN 1 > 2 THEN 'never' WHEN k > 0 THEN 'pos' ELSE 'other' END AS a,
       CASE WHEN 1 < 2 THEN k ELSE 0 END AS b,
       CASE WHEN k > 0 THEN 1 WHEN TRUE THEN 2 ELSE 3 END AS c,
       CASE WHEN NULL THEN 1 ELSE 2 END AS e
FROM events;
-- expect:
Project [CASE WHEN (k#1 > 0) THEN 'pos' ELSE 'other' END AS a, k#1 AS b, CASE WHEN (k#1 > 0) THEN 1 ELSE 2 END AS c, 2 AS e]
  Scan events (source) [ts, k, v, s, d, b]

-- case: TRUE and FALSE simplification
CREATE STREAM s AS
SELECT b AND TRUE AS a, b OR FALSE AS c, b AND FALSE AS e, b OR TRUE AS f, NOT NOT b AS g
FROM events;
-- expect:
Project [b#5 AS a, b#5 AS c, FALSE AS e, TRUE AS f, b#5 AS g]
  Scan events (source) [ts, k, v, s, d, b]

-- case: an always-true filter is removed
CREATE STREAM s AS SELECT k FROM events WHERE 1 = 1 AND TRUE;
-- expect:
Project [k#1]
  Scan events (source) [ts, k, v, s, d, b]

-- case: an always-false filter stays
CREATE STREAM s AS SELECT k FROM events WHERE 1 > 2;
-- expect:
Project [k#1]
  Filter FALSE
    Scan events (source) [ts, k, v, s, d, b]

-- case: a conjunct that is always true disappears from the filter
CREATE STREAM s AS SELECT k FROM events WHERE k > 1 AND 2 > 1;
-- expect:
Project [k#1]
  Filter (k#1 > 1)
    Scan events (source) [ts, k, v, s, d, b]

-- case: NULL propagates, COALESCE skips NULLs
CREATE STREAM s AS
SELECT k + NULL AS a, COALESCE(NULL, k, 5) AS c, COALESCE(NULL, 5, k) AS e, NULL IS NULL AS f
FROM events;
-- expect:
Project [(k#1 + NULL) AS a, COALESCE(k#1, 5) AS c, 5 AS e, TRUE AS f]
  Scan events (source) [ts, k, v, s, d, b]

-- case: string concatenation and casts of literals
CREATE STREAM s AS SELECT s || 'x' || 'y' AS a, 'x' || 'y' AS c, CAST(2.5 AS INT) AS e, CAST(3 AS DOUBLE) AS f FROM events;
-- expect:
Project [((s#3 || 'x') || 'y') AS a, 'xy' AS c, 3 AS e, 3.0 AS f]
  Scan events (source) [ts, k, v, s, d, b]

-- case: constants inside aggregate queries and HAVING
CREATE STREAM s AS SELECT k, SUM(v * (2 + 3)) AS a FROM events GROUP BY k HAVING COUNT(*) > 1 + 1;
-- expect:
Project [k#0, $1#1 AS a, _op#3]
  Filter ($2#2 > 2)
    Aggregate keys=[k#0] aggs=[SUM($1#1), COUNT(*)] emit=CHANGES
      Project [k#1, (v#2 * 5.0) AS $1]
        Scan events (source) [ts, k, v, s, d, b]

-- case: long IN lists become hash sets (48 numbers, 8 strings; NOT IN and <> chains too)
CREATE STREAM s AS SELECT k IN (144, 141, 138, 135, 132, 129, 126, 123, 120, 117, 114, 111, 108, 105, 102, 99, 96, 93, 90, 87, 84, 81, 78, 75, 72, 69, 66, 63, 60, 57, 54, 51, 48, 45, 42, 39, 36, 33, 30, 27, 24, 21, 18, 15, 12, 9, 6, 3, NULL) AS a, s NOT IN ('h', 'g', 'f', 'e', 'd', 'c', 'b', 'a', 'a') AS c, s <> 'a' AND s <> 'b' AND s <> 'c' AND v > 1 AND s <> 'd' AND s <> 'e' AND s <> 'f' AND s <> 'g' AND s <> 'h' AS e, v IN (1, 2, 3) AS f FROM events;
-- expect:
Project [(k#1 IN (3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39, 42, 45, 48, 51, 54, 57, 60, 63, 66, 69, 72, 75, 78, 81, 84, 87, 90, 93, 96, 99, 102, 105, 108, 111, 114, 117, 120, 123, 126, 129, 132, 135, 138, 141, 144, NULL)) AS a, NOT((s#3 IN ('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'))) AS c, (NOT((s#3 IN ('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'))) AND (v#2 > 1.0)) AS e, (((v#2 = 1.0) OR (v#2 = 2.0)) OR (v#2 = 3.0)) AS f]
  Scan events (source) [ts, k, v, s, d, b]
