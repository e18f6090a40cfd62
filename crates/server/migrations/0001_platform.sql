-- ecert's platform database. Written in the SQL that SQLite and PostgreSQL share: TEXT and BIGINT
-- columns only (binary values are base64url text, times are Unix seconds), no AUTOINCREMENT, no
-- SQLite-only functions, `$n` placeholders in the queries. Ids are assigned by the service.

-- The registry's transparency log: one row per entry, in canonical form (RFC 8785), seq from 0.
CREATE TABLE registry_entries (
    seq BIGINT PRIMARY KEY,
    entry TEXT NOT NULL,
    appended_at BIGINT NOT NULL
);

-- Every tree head the registry signed, one per log size, written in the same transaction as the entry
-- that produced it, so that a crash never leaves a head for a log the database does not hold.
CREATE TABLE tree_heads (
    size BIGINT PRIMARY KEY,
    head TEXT NOT NULL
);

-- Issuer keys held by this issuer service. The secret is sealed (see src/keystore.rs) under the
-- key-encryption key, with the issuer and key id as associated data.
CREATE TABLE issuer_keys (
    issuer TEXT NOT NULL,
    key_id TEXT NOT NULL,
    public_key TEXT NOT NULL,
    sealed_secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, key_id)
);

-- Issued certificates. The status position is unique per issuer and list; the idempotency key is
-- unique per issuer, so a retried issuance finds its certificate instead of allocating a new one.
CREATE TABLE certificates (
    issuer TEXT NOT NULL,
    serial TEXT NOT NULL,
    type_id TEXT NOT NULL,
    key_id TEXT NOT NULL,
    status_list TEXT NOT NULL,
    status_index BIGINT NOT NULL,
    status TEXT NOT NULL,
    certificate TEXT NOT NULL,
    idempotency_key TEXT,
    request_digest TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, serial),
    UNIQUE (issuer, status_list, status_index),
    UNIQUE (issuer, idempotency_key)
);

-- Every status change of a certificate, in order (issued, suspended, reinstated, revoked).
CREATE TABLE certificate_events (
    issuer TEXT NOT NULL,
    serial TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    action TEXT NOT NULL,
    reason TEXT,
    actor TEXT NOT NULL,
    PRIMARY KEY (issuer, serial, seq)
);

-- The issuer's published status lists, signed; regenerated in the transaction that changes a status.
CREATE TABLE status_lists (
    issuer TEXT NOT NULL,
    list TEXT NOT NULL,
    version BIGINT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (issuer, list)
);

-- Objections a holder files against wrong data in a certificate, and every step taken on them.
CREATE TABLE objections (
    id TEXT PRIMARY KEY,
    issuer TEXT NOT NULL,
    serial TEXT NOT NULL,
    state TEXT NOT NULL,
    statement TEXT NOT NULL,
    corrections TEXT NOT NULL,
    filed_at BIGINT NOT NULL,
    replacement_serial TEXT
);

CREATE TABLE objection_events (
    objection_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    action TEXT NOT NULL,
    note TEXT,
    actor TEXT NOT NULL,
    PRIMARY KEY (objection_id, seq)
);

-- Presentation requests a verifier made: single use (used_at is set once) and expiring.
CREATE TABLE presentation_requests (
    nonce TEXT PRIMARY KEY,
    verifier TEXT NOT NULL,
    request TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

-- One audit record per verification: who verified what kind of certificate from which issuer, the
-- outcome, and the names (never the values) of what was disclosed.
CREATE TABLE verifications (
    id TEXT PRIMARY KEY,
    verifier TEXT NOT NULL,
    nonce TEXT NOT NULL,
    purpose TEXT NOT NULL,
    at BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    items TEXT NOT NULL
);
CREATE INDEX verifications_by_verifier ON verifications (verifier, at);
