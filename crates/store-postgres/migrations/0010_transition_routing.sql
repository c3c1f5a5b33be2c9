-- Transition: planners' reversals of handovers for alert routing (one decision per plan,
-- rebuilt from `handover_reversal_saved` events), and broadcasts to communities (rebuilt from
-- `broadcast_saved` events; their messages are outbox rows).
CREATE TABLE handover_reversals (
    plan TEXT COLLATE "C" PRIMARY KEY,
    doc  JSON NOT NULL
);

CREATE TABLE broadcasts (
    id  TEXT COLLATE "C" PRIMARY KEY,
    doc JSON NOT NULL
);
