-- bucket_time_keys: a DATE_FORMAT key whose text names one time exactly to a unit (year,
-- month and day, then optionally hour, minute and second) groups by floor(time / unit); the
-- text is made on emission from the group's MIN of the time. Other patterns are left alone.

-- case: by day, a changelog
CREATE STREAM s AS SELECT k, DATE_FORMAT(ts, 'yyyy-MM-dd') AS day, COUNT(*) AS n FROM events GROUP BY k, DATE_FORMAT(ts, 'yyyy-MM-dd');
-- expect:
Project [k#0, $1#1 AS day, $2#2 AS n, _op#3]
  Project [k#0, DATE_FORMAT[yyyy-MM-dd]($min0#3) AS $1, $2#2, _op#4]
    Aggregate keys=[k#0, $1#1] aggs=[COUNT(*), MIN($t1#2)] emit=CHANGES
      Project [k#1, TIME_BUCKET[86400000](ts#0) AS $1, ts#0 AS $t1]
        Scan events (source) [ts, k, v, s, d, b]

-- case: by hour, with HAVING on the key and the text used twice above
CREATE STREAM s AS SELECT DATE_FORMAT(ts, 'dd.MM.yyyy HH') AS h, DATE_FORMAT(ts, 'dd.MM.yyyy HH') || '!' AS h2, SUM(v) AS sv FROM events GROUP BY DATE_FORMAT(ts, 'dd.MM.yyyy HH') HAVING DATE_FORMAT(ts, 'dd.MM.yyyy HH') > '01';
-- expect:
Project [$0#0 AS h, ($0#0 || '!') AS h2, $1#1 AS sv, _op#2]
  Filter ($0#0 > '01')
    Project [DATE_FORMAT[dd.MM.yyyy HH]($min0#2) AS $0, $1#1, _op#3]
      Aggregate keys=[$0#0] aggs=[SUM($1#1), MIN($t0#2)] emit=CHANGES
        Project [TIME_BUCKET[3600000](ts#0) AS $0, v#2 AS $1, ts#0 AS $t0]
          Scan events (source) [ts, k, v, s, d, b]

-- case: per window, emitted on close
CREATE STREAM s AS SELECT window_start, DATE_FORMAT(ts, 'yyyyMMddHHmm') AS m, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, DATE_FORMAT(ts, 'yyyyMMddHHmm');
-- expect:
Project [window_start#0, $2#2 AS m, $3#3 AS n]
  Project [window_start#0, window_end#1, DATE_FORMAT[yyyyMMddHHmm]($min0#4) AS $2, $3#3]
    Aggregate keys=[window_start#0, window_end#1, $2#2] aggs=[COUNT(*), MIN($t2#3)] emit=ON WINDOW CLOSE
      Project [window_start#6, window_end#7, TIME_BUCKET[60000](ts#0) AS $2, ts#0 AS $t2]
        Window TUMBLE(ts#0, size=60000)
          Scan events (source) [ts, k, v, s, d, b]

-- case: left alone: a two-digit year, a month, widths of one digit, a fraction
CREATE STREAM s AS SELECT DATE_FORMAT(ts, 'yy-MM-dd') AS a, DATE_FORMAT(ts, 'yyyy-MM') AS b, DATE_FORMAT(ts, 'yyyy-M-d') AS c, DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss.SSS') AS d, COUNT(*) AS n FROM events GROUP BY 1, 2, 3, 4;
-- expect:
Project [$0#0 AS a, $1#1 AS b, $2#2 AS c, $3#3 AS d, $4#4 AS n, _op#5]
  Aggregate keys=[$0#0, $1#1, $2#2, $3#3] aggs=[COUNT(*)] emit=CHANGES
    Project [DATE_FORMAT[yy-MM-dd](ts#0) AS $0, DATE_FORMAT[yyyy-MM](ts#0) AS $1, DATE_FORMAT[yyyy-M-d](ts#0) AS $2, DATE_FORMAT[yyyy-MM-dd HH:mm:ss.SSS](ts#0) AS $3]
      Scan events (source) [ts, k, v, s, d, b]

-- case: left alone: the key's text is also an aggregate's argument
CREATE STREAM s AS SELECT DATE_FORMAT(ts, 'yyyy-MM-dd') AS day, MAX(DATE_FORMAT(ts, 'yyyy-MM-dd')) AS mx FROM events GROUP BY DATE_FORMAT(ts, 'yyyy-MM-dd');
-- expect:
Project [$0#0 AS day, $1#1 AS mx, _op#2]
  Aggregate keys=[$0#0] aggs=[MAX($0#0)] emit=CHANGES
    Project [DATE_FORMAT[yyyy-MM-dd](ts#0) AS $0]
      Scan events (source) [ts, k, v, s, d, b]
