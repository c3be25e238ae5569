-- POST /v1/admin/campaigns takes an Idempotency-Key like every POST that
-- creates something: its key names the campaign it made, by slug, so a
-- key's resource_id is text now (uuids of pledges and refunds still fit).
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_resource_check;
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_resource_check
    CHECK (resource IN ('pledge', 'refund', 'campaign'));
ALTER TABLE idempotency_keys ALTER COLUMN resource_id TYPE text;
