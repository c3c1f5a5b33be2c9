-- Paired instances (handover and sync), rebuilt from `peer_saved` events like every projection.
CREATE TABLE peers (
    name TEXT PRIMARY KEY,
    doc  TEXT NOT NULL
);
