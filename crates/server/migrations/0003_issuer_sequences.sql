-- One counter row per issuer: the number of the issuer's next certificate, which decides its status
-- position (ecert-issuer's StatusPositions). An issuance moves it on with an UPDATE that holds the row
-- until the transaction ends, so two server processes on one database never allocate the same position;
-- every other write of the issuer takes the same row first, which orders them per issuer. Counting the
-- issuer's certificates instead would be a scan per issuance, and would hand out the same number twice
-- to two transactions that cannot see each other's rows yet.
CREATE TABLE issuer_sequences (
    issuer TEXT PRIMARY KEY,
    next_certificate BIGINT NOT NULL
);

INSERT INTO issuer_sequences (issuer, next_certificate)
SELECT issuer, COUNT(*) FROM certificates GROUP BY issuer;
