-- Context events: rows of public conflict data sets (UCDP GED, ACLED) imported for the map,
-- rebuilt from `context_event_saved` events. Read by day window, newest first, paged by the
-- keyset (occurred_on, id).
CREATE TABLE context_events (
    id          TEXT PRIMARY KEY,
    dataset     TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    doc         TEXT NOT NULL
);
CREATE INDEX context_events_day ON context_events (occurred_on, id);
