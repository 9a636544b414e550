-- Clickstream analytics: one source and nine streams, ten statements.
--   laminarc check examples/clicks.sql
--   laminarc explain examples/clicks.sql --stream page_minute
--   laminarc compile examples/clicks.sql -o build/
--   laminarc run examples/clicks.sql --input clicks=clicks.parquet --output page_minute=pm.csv

CREATE SOURCE clicks (
    ts TIMESTAMP(3),
    user_id BIGINT,
    page VARCHAR,
    referrer VARCHAR,
    latency_ms INT,
    bytes BIGINT,
    country VARCHAR,
    WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
);

-- every slow request, as it happens
CREATE STREAM slow_requests AS
SELECT ts, user_id, page, latency_ms FROM clicks WHERE latency_ms > 1000;

-- per page and minute, once the minute is over
CREATE STREAM page_minute AS
SELECT page, window_start, COUNT(*) AS views, AVG(latency_ms) AS avg_latency,
       MAX(latency_ms) AS worst
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY page, window_start, window_end;

-- distinct users per country over the last five minutes, every minute
CREATE STREAM country_5m AS
SELECT country, window_start, window_end, COUNT(DISTINCT user_id) AS users,
       SUM(bytes) AS bytes
FROM TABLE(HOP(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE))
GROUP BY country, window_start, window_end;

-- referrers, normalized, per ten minutes (the group-window form)
CREATE STREAM referrers AS
SELECT LOWER(TRIM(referrer)) AS ref, TUMBLE_START(ts, INTERVAL '10' MINUTE) AS ws,
       COUNT(*) AS n
FROM clicks WHERE referrer IS NOT NULL
GROUP BY LOWER(TRIM(referrer)), TUMBLE(ts, INTERVAL '10' MINUTE);

-- users with at least 20 hits in a minute
CREATE STREAM heavy_users AS
SELECT user_id, window_start, COUNT(*) AS hits, SUM(bytes) AS bytes
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY user_id, window_start, window_end
HAVING COUNT(*) >= 20;

-- latency classes per minute
CREATE STREAM latency_classes AS
SELECT CASE WHEN latency_ms < 100 THEN 'fast' WHEN latency_ms < 1000 THEN 'ok'
            ELSE 'slow' END AS class,
       window_start, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY 1, window_start, window_end;

-- timeouts per page and minute
CREATE STREAM timeouts AS
SELECT page, window_start, COUNT(*) FILTER (WHERE latency_ms > 5000) AS timeouts,
       COUNT(*) AS total
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY page, window_start, window_end;

-- a projection for downstream consumers
CREATE STREAM page_kb AS
SELECT ts, page, CAST(bytes AS DOUBLE) / 1024 AS kb, EXTRACT(HOUR FROM ts) AS hour
FROM clicks;

-- current totals per user (a changelog kept as a view)
CREATE MATERIALIZED VIEW user_totals AS
SELECT user_id, COUNT(*) AS hits, SUM(bytes) AS bytes, MAX(ts) AS last_seen
FROM clicks GROUP BY user_id;
