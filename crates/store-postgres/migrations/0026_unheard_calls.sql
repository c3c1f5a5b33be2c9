-- A voice call nobody has transcribed yet heads the queue's new alerts. The queue's sort read
-- it from every unacknowledged alert's document, which in a flood is every alert: it is now a
-- column, kept with the alert's other indexed columns, and the new section reads an index.
ALTER TABLE alerts ADD COLUMN unheard BOOLEAN NOT NULL DEFAULT false;

UPDATE alerts SET unheard = true
 WHERE doc->>'channel' = 'voice'
   AND (doc->'parse_flags')::jsonb @> '["untranscribed"]'::jsonb;

CREATE INDEX alerts_arrivals ON alerts (state, unheard, received_at, id);
