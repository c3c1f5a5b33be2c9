-- Values the instance keeps about itself outside the ledger (the key check value).
CREATE TABLE meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Audit entries are ledger events from now on, so deleting or editing one is found by
-- `kinga verify`; each row is keyed by its event's id. Entries written before this version
-- (not in the ledger) are kept apart, outside verification.
ALTER TABLE audit RENAME TO audit_legacy;
CREATE TABLE audit (
    id      TEXT PRIMARY KEY,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    record  TEXT NOT NULL,
    context TEXT NOT NULL
);
CREATE INDEX audit_time ON audit (at, id);

-- Ending every session of a user (disabled, password reset, single-session logins).
CREATE INDEX sessions_user ON sessions (user_id);
