-- POST /v1/admin/campaigns takes an Idempotency-Key like every POST that
-- creates something. Its key names the campaign it made by slug, in a
-- column of its own: resource_id stays the uuid of a pledge or refund.
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_resource_check;
ALTER TABLE idempotency_keys ALTER COLUMN resource_id DROP NOT NULL;
ALTER TABLE idempotency_keys ADD COLUMN resource_slug text;
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_resource_check
    CHECK ((resource IN ('pledge', 'refund') AND resource_id IS NOT NULL
            AND resource_slug IS NULL)
        OR (resource = 'campaign' AND resource_id IS NULL
            AND resource_slug IS NOT NULL));
