-- Transition: planners' reversals of handovers for alert routing (one decision per plan,
-- rebuilt from `handover_reversal_saved` events), and broadcasts to communities (rebuilt from
-- `broadcast_saved` events; their messages are outbox rows).
CREATE TABLE handover_reversals (
    plan TEXT PRIMARY KEY,
    doc  TEXT NOT NULL
);

CREATE TABLE broadcasts (
    id  TEXT PRIMARY KEY,
    doc TEXT NOT NULL
);
