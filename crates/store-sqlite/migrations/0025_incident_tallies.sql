-- Incident counts per day for the MRM/MARA table, kept in the same transaction as the
-- incidents (kinga_store::tally): a quarter's table sums these rows instead of joining every
-- incident, violation and victim of the period. Filled here from the incidents already held.
CREATE TABLE incident_tally_states (
    occurred_on TEXT NOT NULL,
    compartment TEXT NOT NULL,
    state       TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (occurred_on, compartment, state)
) WITHOUT ROWID;
CREATE TABLE incident_tally_violations (
    occurred_on TEXT NOT NULL,
    compartment TEXT NOT NULL,
    state       TEXT NOT NULL,
    violation   TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (occurred_on, compartment, state, violation)
) WITHOUT ROWID;
CREATE TABLE incident_tally_victims (
    occurred_on TEXT NOT NULL,
    compartment TEXT NOT NULL,
    state       TEXT NOT NULL,
    violation   TEXT NOT NULL,
    sex         TEXT NOT NULL,
    age_group   TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (occurred_on, compartment, state, violation, sex, age_group)
) WITHOUT ROWID;
CREATE TABLE incident_tally_perpetrators (
    occurred_on TEXT NOT NULL,
    compartment TEXT NOT NULL,
    state       TEXT NOT NULL,
    violation   TEXT NOT NULL,
    category    TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (occurred_on, compartment, state, violation, category)
) WITHOUT ROWID;
INSERT INTO incident_tally_states (occurred_on, compartment, state, n)
SELECT i.occurred_on, i.compartment, i.state, count(*) FROM incidents i GROUP BY 1, 2, 3;
INSERT INTO incident_tally_violations (occurred_on, compartment, state, violation, n)
SELECT i.occurred_on, i.compartment, i.state, v.violation, count(*)
FROM incidents i JOIN incident_violations v ON v.incident_id = i.id GROUP BY 1, 2, 3, 4;
INSERT INTO incident_tally_victims (occurred_on, compartment, state, violation, sex, age_group, n)
SELECT i.occurred_on, i.compartment, i.state, v.violation, w.sex, w.age_group, count(*)
FROM incidents i JOIN incident_violations v ON v.incident_id = i.id
JOIN incident_victims w ON w.incident_id = i.id GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO incident_tally_perpetrators (occurred_on, compartment, state, violation, category, n)
SELECT i.occurred_on, i.compartment, i.state, v.violation, p.category, count(*)
FROM incidents i JOIN incident_violations v ON v.incident_id = i.id
JOIN incident_perpetrators p ON p.incident_id = i.id GROUP BY 1, 2, 3, 4, 5;

-- Violation rows carry their incident's day and compartment, so the sexual-violence
-- referral rate reads the violation rows of the period alone.
ALTER TABLE incident_violations ADD COLUMN occurred_on TEXT NOT NULL DEFAULT '';
ALTER TABLE incident_violations ADD COLUMN compartment TEXT NOT NULL DEFAULT '';
UPDATE incident_violations SET (occurred_on, compartment) =
    (SELECT i.occurred_on, i.compartment FROM incidents i WHERE i.id = incident_violations.incident_id);
CREATE INDEX incident_violations_day ON incident_violations (violation, occurred_on, compartment, incident_id);
