-- The queue's list below its new alerts: open alerts past acknowledgement in triage order.
-- In a flood the open alerts are nearly all unacknowledged; walking the index of every open
-- alert to find the few others read all of them (20 ms over 87,000). New alerts are not in
-- this index, so intake does not maintain it.
CREATE INDEX alerts_listed ON alerts (severity DESC, next_deadline, received_at, id)
    WHERE open AND state <> 'received';
