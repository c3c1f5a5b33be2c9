-- Transition planning: who provides each protection capacity in a place and who will after
-- the handover (one plan per place and capacity), and each mission's withdrawal plan with its
-- base closures. The records are small and read whole; columns are for lookups and checks.
CREATE TABLE capacity_plans (
    id       TEXT PRIMARY KEY,
    place    TEXT NOT NULL,
    capacity TEXT NOT NULL,
    version  INTEGER NOT NULL,
    doc      TEXT NOT NULL,
    UNIQUE (place, capacity)
);

CREATE TABLE withdrawal_plans (
    id      TEXT PRIMARY KEY,
    mission TEXT NOT NULL,
    version INTEGER NOT NULL,
    doc     TEXT NOT NULL
);
