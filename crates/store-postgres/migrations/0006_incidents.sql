-- Protection monitoring: incidents in compartments, users' grants of compartments, and the
-- compartment keys (wrapped by the master key) that seal incidents' identifying fields.
-- Nothing identifying is in clear in any column: `doc` holds sealed values, and `search`
-- only what a search may match without opening anything (never a name or a sealed text).
CREATE TABLE incidents (
    id          TEXT COLLATE "C" PRIMARY KEY,
    compartment TEXT NOT NULL,
    state       TEXT NOT NULL,
    -- YYYY-MM-DD: text order is date order, and both backends compare it alike.
    occurred_on TEXT COLLATE "C" NOT NULL,
    place       TEXT COLLATE "C" NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    version     BIGINT NOT NULL,
    search      TEXT NOT NULL,
    doc         JSON NOT NULL
);
CREATE INDEX incidents_list ON incidents (compartment, occurred_on DESC, id DESC);
CREATE INDEX incidents_state ON incidents (compartment, state);
CREATE INDEX incidents_place ON incidents (place);

CREATE TABLE incident_violations (
    incident_id TEXT COLLATE "C" NOT NULL,
    violation   TEXT NOT NULL,
    PRIMARY KEY (incident_id, violation)
);
CREATE INDEX incident_violations_by ON incident_violations (violation, incident_id);

CREATE TABLE incident_victims (
    incident_id TEXT COLLATE "C" NOT NULL,
    n           INTEGER NOT NULL,
    sex         TEXT NOT NULL,
    age_group   TEXT NOT NULL,
    disability  BOOLEAN NOT NULL,
    displaced   BOOLEAN NOT NULL,
    PRIMARY KEY (incident_id, n)
);

CREATE TABLE user_grants (
    id          TEXT COLLATE "C" PRIMARY KEY,
    user_id     TEXT NOT NULL,
    compartment TEXT NOT NULL,
    doc         JSON NOT NULL
);
CREATE INDEX user_grants_user ON user_grants (user_id);

CREATE TABLE compartment_keys (
    id          TEXT COLLATE "C" PRIMARY KEY,
    compartment TEXT NOT NULL,
    version     INTEGER NOT NULL,
    doc         JSON NOT NULL,
    UNIQUE (compartment, version)
);
