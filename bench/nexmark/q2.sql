-- Query 2: selection. Bids on every 123rd auction.
CREATE STREAM q2 AS SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0;
