-- Webhook endpoints (docs/WEBHOOKS.md): where the event log is delivered,
-- and how far each one has got. `cursor` is the last event_seq delivered
-- (or passed over: not of its types); it moves only after the receiver
-- answered 2xx, in the transaction that also holds the endpoint's row
-- lock for the delivery, so an instance killed mid-delivery leaves the
-- cursor where it was: the event is delivered again (the same webhook-id),
-- never lost.
CREATE TABLE webhook_endpoints (
    id              uuid PRIMARY KEY,
    url             text NOT NULL CHECK (url ~ '^https?://' AND
                                         length(url) <= 2048),
    types           text[] NOT NULL DEFAULT '{}',  -- empty: every type
    -- The signing secret (whsec_...): kept to sign with, shown to staff
    -- once, when the endpoint is made.
    secret          text NOT NULL,
    ed25519         boolean NOT NULL DEFAULT false, -- also v1a signatures
    personal        boolean NOT NULL DEFAULT false, -- donors' emails too
    cursor          bigint NOT NULL CHECK (cursor >= 0),
    attempts        integer NOT NULL DEFAULT 0,  -- failed tries of the next
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    failing_since   timestamptz,
    last_error      text,
    disabled_at     timestamptz,
    disabled_reason text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text NOT NULL
);
CREATE INDEX webhook_endpoints_due ON webhook_endpoints (next_attempt_at)
    WHERE disabled_at IS NULL;

-- Making an endpoint takes an Idempotency-Key like every creating POST.
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_resource_check;
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_resource_check
    CHECK ((resource IN ('pledge', 'refund', 'payment', 'webhook') AND
            resource_id IS NOT NULL AND resource_slug IS NULL)
        OR (resource = 'campaign' AND resource_id IS NULL
            AND resource_slug IS NOT NULL));
