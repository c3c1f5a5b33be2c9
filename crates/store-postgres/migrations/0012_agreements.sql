-- Data-sharing agreements with paired instances, rebuilt from `agreement_saved` events.
CREATE TABLE agreements (
    id   TEXT COLLATE "C" PRIMARY KEY,
    peer TEXT COLLATE "C" NOT NULL,
    doc  JSON NOT NULL
);
CREATE INDEX agreements_peer ON agreements (peer);
