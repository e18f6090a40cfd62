-- Presentation requests are purged some time after they expire (src/api/verifier/answers.rs): the
-- table would otherwise grow by one row per presentation for ever. The index makes the purge a range
-- scan rather than a scan of the whole table.
CREATE INDEX presentation_requests_by_expiry ON presentation_requests (expires_at);
