-- Concurrent versions of one record met by sync (both kept, one in force), rebuilt from the
-- saves that met: `kinga verify` folds them in the same order.
CREATE TABLE record_conflicts (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    record      TEXT NOT NULL,
    compartment TEXT,
    found_at    TEXT NOT NULL,
    doc         TEXT NOT NULL
);
CREATE INDEX record_conflicts_record ON record_conflicts (kind, record);
