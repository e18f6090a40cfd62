-- The registry log's durable size, in one row that every append takes first and holds until it commits:
-- appends from several server processes on one database are ordered by it, and an appender reads the
-- size it must append at in the same statement (crates/server/src/store/registry.rs).
CREATE TABLE registry_head (
    id BIGINT PRIMARY KEY,
    size BIGINT NOT NULL
);

INSERT INTO registry_head (id, size) SELECT 1, COUNT(*) FROM registry_entries;
