-- Protection monitoring: incidents in compartments, users' grants of compartments, and the
-- compartment keys (wrapped by the master key) that seal incidents' identifying fields.
-- Nothing identifying is in clear in any column: `doc` holds sealed values, and `search`
-- only what a search may match without opening anything (never a name or a sealed text).
CREATE TABLE incidents (
    id          TEXT PRIMARY KEY,
    compartment TEXT NOT NULL,
    state       TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    place       TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    version     INTEGER NOT NULL,
    search      TEXT NOT NULL,
    doc         TEXT NOT NULL
);
-- Every list is led by the caller's compartments.
CREATE INDEX incidents_list ON incidents (compartment, occurred_on DESC, id DESC);
CREATE INDEX incidents_state ON incidents (compartment, state);
CREATE INDEX incidents_place ON incidents (place);

-- One row per violation and per victim, for filters and the aggregate tables of reports.
CREATE TABLE incident_violations (
    incident_id TEXT NOT NULL,
    violation   TEXT NOT NULL,
    PRIMARY KEY (incident_id, violation)
);
CREATE INDEX incident_violations_by ON incident_violations (violation, incident_id);

CREATE TABLE incident_victims (
    incident_id TEXT NOT NULL,
    n           INTEGER NOT NULL,
    sex         TEXT NOT NULL,
    age_group   TEXT NOT NULL,
    disability  INTEGER NOT NULL,
    displaced   INTEGER NOT NULL,
    PRIMARY KEY (incident_id, n)
);

CREATE TABLE user_grants (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL,
    compartment TEXT NOT NULL,
    doc         TEXT NOT NULL
);
CREATE INDEX user_grants_user ON user_grants (user_id);

CREATE TABLE compartment_keys (
    id          TEXT PRIMARY KEY,
    compartment TEXT NOT NULL,
    version     INTEGER NOT NULL,
    doc         TEXT NOT NULL,
    UNIQUE (compartment, version)
);
