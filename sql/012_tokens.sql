-- Admin tokens made over HTTP (POST /v1/admin/tokens, docs/ADMIN.md) take
-- an Idempotency-Key like every creating POST; the key names the token
-- (resource_slug), never its text or hash. Numbered 012: 011 is reserved
-- for other work (see 010_readers.sql).
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_resource_check;
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_resource_check
    CHECK ((resource IN ('pledge', 'refund', 'payment', 'webhook') AND
            resource_id IS NOT NULL AND resource_slug IS NULL)
        OR (resource IN ('campaign', 'token') AND resource_id IS NULL
            AND resource_slug IS NOT NULL));
