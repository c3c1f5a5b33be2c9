-- Delivery of outbox messages: when the next attempt is due, the gateway's id of a sent
-- message (delivery reports name messages by it) and the lease a worker holds while sending.
ALTER TABLE outbox ADD COLUMN next_attempt_at TIMESTAMPTZ;
ALTER TABLE outbox ADD COLUMN provider TEXT;
ALTER TABLE outbox ADD COLUMN provider_message_id TEXT;
ALTER TABLE outbox ADD COLUMN lease_until TIMESTAMPTZ;
CREATE INDEX outbox_provider_id ON outbox (provider, provider_message_id)
    WHERE provider_message_id IS NOT NULL;
