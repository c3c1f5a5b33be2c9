-- Kinga on PostgreSQL: the ledger and the projections read by the application. Several Kinga
-- servers may share this database. Records are kept whole as JSON in `doc` (type json keeps
-- the text as written and accepts every string serde_json writes); the other columns are what
-- queries need.

-- The id of this database's instance, the origin of every event created here. One row.
CREATE TABLE instance (
    singleton  BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    id         TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The ledger. `position` is the global order. `at` and `payload` are text because they are
-- hashed as text.
CREATE TABLE events (
    position  BIGSERIAL PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    origin    TEXT NOT NULL,
    seq       BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    at        TEXT NOT NULL,
    payload   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    UNIQUE (origin, seq)
);

-- The last event of each origin's chain. A writer locks its origin's row before sealing, so
-- servers sharing the database never fork a chain, and positions follow commit order.
CREATE TABLE chain_heads (
    origin TEXT PRIMARY KEY,
    seq    BIGINT NOT NULL,
    hash   TEXT NOT NULL
);

CREATE SEQUENCE alert_reference_seq START WITH 1;

CREATE TABLE alerts (
    -- "C" collation on ordered text: byte order, the same on every server and in SQLite.
    id              TEXT COLLATE "C" PRIMARY KEY,
    reference       TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL,
    open            BOOLEAN NOT NULL,
    severity        SMALLINT NOT NULL,
    threat_type     TEXT,
    -- P-code prefixes become plain byte ranges on this index.
    place           TEXT COLLATE "C",
    uncovered       BOOLEAN NOT NULL,
    reported_at     TIMESTAMPTZ NOT NULL,
    received_at     TIMESTAMPTZ NOT NULL,
    next_deadline   TIMESTAMPTZ,
    reporter_digest TEXT,
    assigned        JSONB NOT NULL DEFAULT '[]',
    version         BIGINT NOT NULL,
    doc             JSON NOT NULL
);
CREATE INDEX alerts_queue ON alerts (severity DESC, next_deadline ASC NULLS LAST, received_at, id) WHERE open;
CREATE INDEX alerts_state ON alerts (state, received_at);
CREATE INDEX alerts_received ON alerts (received_at DESC, id DESC);
CREATE INDEX alerts_reported ON alerts (reported_at);
CREATE INDEX alerts_place ON alerts (place);
CREATE INDEX alerts_due ON alerts (next_deadline) WHERE open AND next_deadline IS NOT NULL;
CREATE INDEX alerts_reporter ON alerts (reporter_digest, received_at) WHERE reporter_digest IS NOT NULL;
CREATE INDEX alerts_assigned ON alerts USING GIN (assigned);

CREATE TABLE places (
    pcode TEXT PRIMARY KEY,
    doc   JSON NOT NULL
);

CREATE TABLE actors (
    id  TEXT PRIMARY KEY,
    doc JSON NOT NULL
);

CREATE TABLE responders (
    id  TEXT PRIMARY KEY,
    doc JSON NOT NULL
);

CREATE TABLE focal_points (
    id           TEXT PRIMARY KEY,
    phone_digest TEXT NOT NULL,
    doc          JSON NOT NULL
);
CREATE INDEX focal_points_phone ON focal_points (phone_digest);

CREATE TABLE users (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    doc  JSON NOT NULL
);

CREATE TABLE api_tokens (
    id      TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    digest  TEXT NOT NULL UNIQUE,
    doc     JSON NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE idempotency (
    key         TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    status      INTEGER NOT NULL,
    body        JSON NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE outbox (
    id         TEXT COLLATE "C" PRIMARY KEY,
    status     TEXT NOT NULL,
    alert      TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    doc        JSON NOT NULL
);
CREATE INDEX outbox_status ON outbox (status, created_at);
CREATE INDEX outbox_alert ON outbox (alert, created_at) WHERE alert IS NOT NULL;
CREATE INDEX outbox_created ON outbox (created_at);

CREATE TABLE digests (
    day TEXT COLLATE "C" PRIMARY KEY,
    doc JSON NOT NULL
);

CREATE TABLE sessions (
    digest     TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    doc        JSON NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE audit (
    id      BIGSERIAL PRIMARY KEY,
    at      TIMESTAMPTZ NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    record  TEXT NOT NULL,
    context TEXT NOT NULL
);
CREATE INDEX audit_at ON audit (at, id);
