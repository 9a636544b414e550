-- merge_projections: adjacent projections compose; an inner expression is inlined only when
-- that does not compute it twice per row; inner identity projections disappear.

-- case: stacked projections of subqueries compose
CREATE STREAM s AS SELECT x * 2 AS y FROM (SELECT k + 1 AS x FROM (SELECT k, v FROM events));
-- expect:
Project [((k#1 + 1) * 2) AS y]
  Scan events (source) [ts, k, v, s, d, b]

-- case: identity subquery disappears
CREATE STREAM s AS SELECT k, v FROM (SELECT * FROM events);
-- expect:
Project [k#1, v#2]
  Scan events (source) [ts, k, v, s, d, b]

-- case: an expression used twice above is not inlined
CREATE STREAM s AS SELECT x * x AS sq, x AS x FROM (SELECT k + 1 AS x FROM events);
-- expect:
Project [(x#0 * x#0) AS sq, x#0]
  Project [(k#1 + 1) AS x]
    Scan events (source) [ts, k, v, s, d, b]

-- case: columns and literals are inlined even when used twice
CREATE STREAM s AS SELECT a + a AS a2, c * c AS c2 FROM (SELECT k AS a, 3 AS c FROM events);
-- expect:
Project [(k#1 + k#1) AS a2, (3 * 3) AS c2]
  Scan events (source) [ts, k, v, s, d, b]

-- case: projections separated by a pushed-down filter become adjacent and merge
CREATE STREAM s AS SELECT y + 1 AS z FROM (SELECT x * 2 AS y FROM (SELECT k - 1 AS x FROM events) WHERE x > 0);
-- expect:
Project [(((k#1 - 1) * 2) + 1) AS z]
  Filter ((k#1 - 1) > 0)
    Scan events (source) [ts, k, v, s, d, b]

-- case: the select list over an aggregate merges with the projection above
CREATE STREAM s AS SELECT k, mean * 100 AS pct FROM (SELECT k, AVG(v) AS mean FROM events GROUP BY k);
-- expect:
Project [k#0, ($1#1 * 100.0) AS pct, _op#2]
  Aggregate keys=[k#0] aggs=[AVG($1#1)] emit=CHANGES
    Project [k#1, v#2 AS $1]
      Scan events (source) [ts, k, v, s, d, b]

-- case: the aggregate's pre-projection merges with a subquery below
CREATE STREAM s AS SELECT x, COUNT(*) AS c FROM (SELECT k * 2 AS x FROM events) GROUP BY x;
-- expect:
Project [x#0, $1#1 AS c, _op#2]
  Aggregate keys=[x#0] aggs=[COUNT(*)] emit=CHANGES
    Project [(k#1 * 2) AS x]
      Scan events (source) [ts, k, v, s, d, b]

-- case: stateless stream clean
CREATE STREAM clean AS SELECT ts, k * 10 AS k10, v FROM events;
-- expect:
Project [ts#0, (k#1 * 10) AS k10, v#2]
  Scan events (source) [ts, k, v, s, d, b]

-- case: an inlined stream's projection merges into its reader
CREATE STREAM s AS SELECT k10 + 1 AS k11 FROM clean;
-- expect:
Project [((k#1 * 10) + 1) AS k11]
  Scan events (source) [ts, k, v, s, d, b]
