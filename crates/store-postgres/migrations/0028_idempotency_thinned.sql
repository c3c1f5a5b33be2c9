-- A retry comes within minutes or days; after the retention window the remembered answer's
-- body (a copy of the alert) is replaced by a short one, and the row is marked. The key is
-- never dropped, so a late retry is still recognised and never makes a second alert.
ALTER TABLE idempotency ADD COLUMN thinned BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX idempotency_unthinned ON idempotency (created_at) WHERE NOT thinned;
