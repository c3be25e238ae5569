-- Money that moves. Besides promises (pledge +raised, refund -raised) the
-- ledger records what was done with money, each kind moving exactly one
-- total by its signed amount (docs/PAYMENTS.md):
--   void              -raised     a promise withdrawn unpaid
--   payment           +collected  money received (provider, reference, method)
--   payment_reversal  -collected  money given back: reason refund or dispute
-- The hashed entry object grows only for the payment kinds, so every chain
-- written before still verifies.
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_check;
ALTER TABLE ledger_entries
    ADD COLUMN provider  text CHECK (provider ~ '^[a-z_]{1,15}$'),
    ADD COLUMN reference text CHECK (reference ~ '^[\x21-\x7e]{1,100}$'),
    ADD COLUMN method    text CHECK (method ~ '^[a-z_]{1,15}$'),
    ADD COLUMN reason    text CHECK (reason IN ('refund', 'dispute'));
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_amount CHECK (
    (kind = 'pledge' AND amount_minor >= 0 AND provider IS NULL) OR
    (kind = 'refund' AND amount_minor <= 0 AND provider IS NULL) OR
    (kind = 'void' AND amount_minor <= 0 AND provider IS NULL) OR
    (kind = 'payment' AND amount_minor > 0 AND provider IS NOT NULL
        AND reference IS NOT NULL AND method IS NOT NULL AND reason IS NULL) OR
    (kind = 'payment_reversal' AND amount_minor < 0 AND provider IS NOT NULL
        AND reference IS NOT NULL AND method IS NOT NULL
        AND reason IS NOT NULL));
-- Nothing doubled: one provider's payment (or reversal) is recorded once
-- however often its webhook or a retry arrives; a promise is voided once.
CREATE UNIQUE INDEX ledger_entries_provider_ref
    ON ledger_entries (provider, reference, kind) WHERE provider IS NOT NULL;
CREATE UNIQUE INDEX ledger_entries_one_void
    ON ledger_entries (pledge_id) WHERE kind = 'void';
CREATE INDEX ledger_entries_pledge ON ledger_entries (pledge_id);

ALTER TABLE campaign_totals
    ADD COLUMN collected_minor bigint NOT NULL DEFAULT 0
        CHECK (collected_minor >= 0);

-- Per campaign: which total the widget shows as raised, the payment
-- provider (NULL: promises only), a payment link readers are sent to, and
-- how long a promise may stay unpaid before the sweep voids it.
ALTER TABLE campaigns
    ADD COLUMN provider     text CHECK (provider IN ('stripe', 'offline')),
    ADD COLUMN shown_total  text NOT NULL DEFAULT 'raised'
        CHECK (shown_total IN ('raised', 'collected')),
    ADD COLUMN payment_link text,
    ADD COLUMN pledge_ttl_s bigint CHECK (pledge_ttl_s > 0);

-- Provider events already handled, by the provider's own id: a webhook
-- delivered twice is answered and ignored the second time.
CREATE TABLE provider_events (
    provider    text NOT NULL,
    event_id    text NOT NULL,
    type        text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, event_id)
);

ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_resource_check;
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_resource_check
    CHECK ((resource IN ('pledge', 'refund', 'payment') AND
            resource_id IS NOT NULL AND resource_slug IS NULL)
        OR (resource = 'campaign' AND resource_id IS NULL
            AND resource_slug IS NOT NULL));

-- Money received gets a receipt of its own (a donor's proof for a tax
-- office), subject: a uuid derived from the provider and its reference.
ALTER TABLE receipts DROP CONSTRAINT receipts_type_check;
ALTER TABLE receipts ADD CONSTRAINT receipts_type_check
    CHECK (type IN ('pledge_receipt', 'refund_receipt', 'payment_receipt'));
