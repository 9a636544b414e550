-- Query 1: currency conversion. Each bid's price from dollars to euros: a projection with
-- DECIMAL arithmetic (0.908 * price is DECIMAL, as in Flink's DECIMAL(23, 3) sink).
CREATE STREAM q1 AS
SELECT auction, bidder, 0.908 * price AS price, dateTime, extra FROM bid;
