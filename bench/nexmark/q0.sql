-- Query 0: pass-through (not in the original suite). Every bid, unchanged: the cost of
-- reading and writing rows.
CREATE STREAM q0 AS SELECT auction, bidder, price, dateTime, extra FROM bid;
