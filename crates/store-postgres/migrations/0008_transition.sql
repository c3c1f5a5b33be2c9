-- Transition planning: who provides each protection capacity in a place and who will after
-- the handover (one plan per place and capacity), and each mission's withdrawal plan with its
-- base closures. The records are small and read whole; columns are for lookups and checks.
CREATE TABLE capacity_plans (
    id       TEXT COLLATE "C" PRIMARY KEY,
    place    TEXT COLLATE "C" NOT NULL,
    capacity TEXT NOT NULL,
    version  BIGINT NOT NULL,
    doc      JSON NOT NULL,
    UNIQUE (place, capacity)
);

CREATE TABLE withdrawal_plans (
    id      TEXT COLLATE "C" PRIMARY KEY,
    mission TEXT NOT NULL,
    version BIGINT NOT NULL,
    doc     JSON NOT NULL
);
