-- Human Rights Due Diligence screenings, rebuilt from `hrddp_screening_saved` events.
CREATE TABLE hrddp_screenings (
    id   TEXT PRIMARY KEY,
    unit TEXT NOT NULL,
    doc  TEXT NOT NULL
);

-- Aggregate GBVIMS tables shared by service providers, rebuilt from `gbvims_imported` events.
CREATE TABLE gbvims_imports (
    id       TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    doc      TEXT NOT NULL
);

-- The perpetrator categories of each incident (each once; `unidentified` when none), so the
-- MRM/MARA table groups them without reading any record's JSON.
CREATE TABLE incident_perpetrators (
    incident_id TEXT NOT NULL,
    category    TEXT NOT NULL,
    PRIMARY KEY (incident_id, category)
);
INSERT INTO incident_perpetrators (incident_id, category)
SELECT DISTINCT i.id, coalesce(json_extract(p.value, '$.category'), 'unidentified')
FROM incidents i LEFT JOIN json_each(i.doc, '$.perpetrators') p;
