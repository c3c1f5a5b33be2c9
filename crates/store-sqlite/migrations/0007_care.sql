-- Protection monitoring's care of survivors: the directory of service providers, referrals
-- (made only with the survivor's recorded informed consent, followed up) and the interview
-- log shown before any new interview. Nothing identifying: victims are indexes into their
-- incident's (sealed) victims; each row's record is in `doc`.
CREATE TABLE service_providers (
    id  TEXT PRIMARY KEY,
    doc TEXT NOT NULL
);

CREATE TABLE referrals (
    id          TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL,
    status      TEXT NOT NULL,
    doc         TEXT NOT NULL
);
CREATE INDEX referrals_incident ON referrals (incident_id);

CREATE TABLE interviews (
    id          TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL,
    doc         TEXT NOT NULL
);
CREATE INDEX interviews_incident ON interviews (incident_id);
