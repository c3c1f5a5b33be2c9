-- Data-sharing agreements with paired instances, rebuilt from `agreement_saved` events.
CREATE TABLE agreements (
    id   TEXT PRIMARY KEY,
    peer TEXT NOT NULL,
    doc  TEXT NOT NULL
);
CREATE INDEX agreements_peer ON agreements (peer);
