-- The sources every golden case is bound against (a fresh catalog per case).

-- Event time TIMESTAMP(3): window sizes and watermark delays are in milliseconds.
CREATE SOURCE events (
    ts TIMESTAMP(3), k BIGINT, v DOUBLE, s VARCHAR, d DECIMAL(10,2), b BOOLEAN,
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
);

-- Event time BIGINT epoch milliseconds; n is a NOT NULL INT.
CREATE SOURCE clicks (
    ts BIGINT, user_id BIGINT, n INT NOT NULL, url VARCHAR,
    WATERMARK FOR ts AS ts - 500
);

-- BIGINT only: the source of the LLVM IR goldens, whose text stays small.
CREATE SOURCE nums (ts BIGINT, k BIGINT, WATERMARK FOR ts AS ts);
