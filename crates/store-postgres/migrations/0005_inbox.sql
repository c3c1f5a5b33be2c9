-- Each user's inbox: the copies of escalations and digests kept in Kinga for them.
ALTER TABLE outbox ADD COLUMN inbox_user TEXT;
UPDATE outbox SET inbox_user = doc->'recipient'->>'user'
 WHERE doc->'recipient'->>'kind' = 'user' AND doc->'recipient'->'via' IS NULL;
CREATE INDEX outbox_inbox ON outbox (inbox_user, created_at) WHERE inbox_user IS NOT NULL;
