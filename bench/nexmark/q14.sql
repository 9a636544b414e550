-- Query 14: calculation (not in the original suite). Bids in a price band, with the time of
-- day they were made in and a count of the 'c's in `extra` (Flink declares count_char as a
-- user-defined function; laminarc has COUNT_CHAR built in).
CREATE STREAM q14 AS
SELECT
    auction,
    bidder,
    0.908 * price AS price,
    CASE
        WHEN HOUR(dateTime) >= 8 AND HOUR(dateTime) <= 18 THEN 'dayTime'
        WHEN HOUR(dateTime) <= 6 OR HOUR(dateTime) >= 20 THEN 'nightTime'
        ELSE 'otherTime'
    END AS bidTimeType,
    dateTime,
    extra,
    COUNT_CHAR(extra, 'c') AS c_counts
FROM bid
WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000;
