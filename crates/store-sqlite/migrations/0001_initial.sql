-- Kinga on SQLite: the ledger and the projections read by the application.
-- Times are stored as RFC 3339 text in UTC with nine fractional digits, so text order is time
-- order. Records are kept whole as JSON in `doc`; the other columns are what queries need.

-- The id of this instance, the origin of every event created here. One row.
CREATE TABLE instance (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    id         TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Counters kept across restarts (alert references are handed out from reserved blocks).
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('alert_reference', 1);

-- The ledger. `position` is the global order; the rowid alias never reuses a value because
-- rows are never deleted.
CREATE TABLE events (
    position  INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    origin    TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    at        TEXT NOT NULL,
    payload   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    UNIQUE (origin, seq)
);

CREATE TABLE alerts (
    id              TEXT PRIMARY KEY,
    reference       TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL,
    open            INTEGER NOT NULL,
    severity        INTEGER NOT NULL,
    threat_type     TEXT,
    place           TEXT,
    uncovered       INTEGER NOT NULL,
    reported_at     TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    next_deadline   TEXT,
    reporter_digest TEXT,
    assigned        TEXT NOT NULL DEFAULT '[]',
    version         INTEGER NOT NULL,
    -- Last, so that filtering and sorting never read the (large) document.
    doc             TEXT NOT NULL
);
-- The triage queue and its filters. Led by state (open alerts are a list of states) and
-- covering every column a page filters or sorts on, so a page over thousands of open alerts
-- reads this index alone and only the documents of the page it returns.
CREATE INDEX alerts_triage ON alerts
    (state, severity DESC, next_deadline, received_at, id, place, threat_type, uncovered, assigned);
CREATE INDEX alerts_received ON alerts (received_at, id);
CREATE INDEX alerts_reported ON alerts (reported_at);
CREATE INDEX alerts_place ON alerts (place);
CREATE INDEX alerts_due ON alerts (next_deadline) WHERE next_deadline IS NOT NULL AND open = 1;
CREATE INDEX alerts_reporter ON alerts (reporter_digest, received_at) WHERE reporter_digest IS NOT NULL;

CREATE TABLE places (
    pcode TEXT PRIMARY KEY,
    doc   TEXT NOT NULL
);

CREATE TABLE actors (
    id  TEXT PRIMARY KEY,
    doc TEXT NOT NULL
);

CREATE TABLE responders (
    id  TEXT PRIMARY KEY,
    doc TEXT NOT NULL
);

CREATE TABLE focal_points (
    id           TEXT PRIMARY KEY,
    phone_digest TEXT NOT NULL,
    doc          TEXT NOT NULL
);
CREATE INDEX focal_points_phone ON focal_points (phone_digest);

CREATE TABLE users (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    doc  TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id      TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    digest  TEXT NOT NULL UNIQUE,
    doc     TEXT NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE idempotency (
    key         TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    status      INTEGER NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE outbox (
    id         TEXT PRIMARY KEY,
    status     TEXT NOT NULL,
    alert      TEXT,
    created_at TEXT NOT NULL,
    doc        TEXT NOT NULL
);
CREATE INDEX outbox_status ON outbox (status, created_at);
CREATE INDEX outbox_alert ON outbox (alert, created_at) WHERE alert IS NOT NULL;
CREATE INDEX outbox_created ON outbox (created_at);

CREATE TABLE digests (
    day TEXT PRIMARY KEY,
    doc TEXT NOT NULL
);

CREATE TABLE sessions (
    digest     TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    doc        TEXT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE audit (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    record  TEXT NOT NULL,
    context TEXT NOT NULL
);
CREATE INDEX audit_at ON audit (at, id);
