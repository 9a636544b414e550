-- Query 12: processing-time windows (not in the original suite). Bids per bidder in
-- 10-second windows of processing time: PROCTIME() is the wall clock when a row is
-- processed, and a window closes when the clock passes its end, so the windows (not the
-- counts summed over them) depend on how fast the input arrives.
CREATE STREAM b AS SELECT *, PROCTIME() AS p_time FROM bid;

CREATE STREAM q12 AS
SELECT bidder, COUNT(*) AS bid_count, window_start AS starttime, window_end AS endtime
FROM TABLE(TUMBLE(TABLE b, DESCRIPTOR(p_time), INTERVAL '10' SECOND))
GROUP BY bidder, window_start, window_end;
