-- The liaison assistant who took an alert ("mine"), for the queue's filter.
ALTER TABLE alerts ADD COLUMN taken_by TEXT;
CREATE INDEX alerts_taken ON alerts (taken_by, received_at) WHERE taken_by IS NOT NULL;
