-- Processing time has no batch equivalent: the bids per bidder, over all windows.
SELECT bidder, COUNT(*) AS bid_count FROM bid GROUP BY bidder
