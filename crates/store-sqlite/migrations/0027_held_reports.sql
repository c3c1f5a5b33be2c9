-- A gateway may report on a message before the worker has recorded the send that gave the
-- gateway its id (Kannel and some SMSCs answer within milliseconds). Such a report is held
-- here until the send is recorded, then applied; it is never dropped for being early.
CREATE TABLE held_reports (
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    provider_message_id TEXT NOT NULL,
    received_at TEXT NOT NULL,
    doc TEXT NOT NULL
);

CREATE INDEX held_reports_message ON held_reports (provider, provider_message_id);
CREATE INDEX held_reports_age ON held_reports (received_at);
