-- A voice call nobody has transcribed yet heads the queue's new alerts. The queue's sort read
-- it from every unacknowledged alert's document, which in a flood is every alert: it is now a
-- column, kept with the alert's other indexed columns, and the new section reads an index.
ALTER TABLE alerts ADD COLUMN unheard INTEGER NOT NULL DEFAULT 0;

UPDATE alerts SET unheard = 1
 WHERE json_extract(doc, '$.channel') = 'voice'
   AND EXISTS (SELECT 1 FROM json_each(doc, '$.parse_flags') WHERE value = 'untranscribed');

CREATE INDEX alerts_arrivals ON alerts (state, unheard, received_at, id);
