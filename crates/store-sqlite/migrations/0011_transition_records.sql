-- Transition records beside the plans: drawdown benchmarks, mission indicators and their
-- values, community mechanisms, the staff roster and knowledge notes. Each is a small
-- document read whole by kind; the columns are for lookups and checks.
CREATE TABLE transition_records (
    id      TEXT PRIMARY KEY,
    kind    TEXT NOT NULL,
    place   TEXT,
    version INTEGER NOT NULL,
    doc     TEXT NOT NULL
);
CREATE INDEX transition_records_kind ON transition_records (kind, id);
