-- What readers bring and see (issue 20). Numbered 010: 009 and 011 are
-- reserved for other work.
--
-- Attribution: the page a pledge was made on (without its query
-- or fragment) and its utm_* parameters, as the widget sends them. A table
-- of its own, written in the pledge's own transaction (store/batch_write.c)
-- for pledges that carry any; never hashed, signed or exported in the
-- ledger (GET /v1/admin/campaigns/{id}/sources sums it).
CREATE TABLE pledge_sources (
    pledge_id    uuid PRIMARY KEY REFERENCES pledges(id),
    campaign_id  text NOT NULL REFERENCES campaigns(id),
    page         text CHECK (length(page) <= 2048 AND page ~ '^https?://[^?#[:space:]]+$'),
    utm_source   text CHECK (octet_length(utm_source) <= 200),
    utm_medium   text CHECK (octet_length(utm_medium) <= 200),
    utm_campaign text CHECK (octet_length(utm_campaign) <= 200),
    utm_term     text CHECK (octet_length(utm_term) <= 200),
    utm_content  text CHECK (octet_length(utm_content) <= 200)
);
CREATE INDEX pledge_sources_campaign ON pledge_sources (campaign_id);

-- As the pledges they describe: written once, never changed.
CREATE FUNCTION pledge_sources_frozen() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'pledge_sources is append-only';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER pledge_sources_frozen BEFORE UPDATE OR DELETE ON pledge_sources
    FOR EACH ROW EXECUTE FUNCTION pledge_sources_frozen();

-- Recent supporters (GET /v1/campaigns/{id}/supporters): off unless the
-- campaign asks; "public" lists the latest pledges, names only when not
-- anonymous and not hidden by staff; "moderated" lists only those staff
-- approved.
ALTER TABLE campaigns ADD COLUMN supporters_list text NOT NULL DEFAULT 'off'
    CHECK (supporters_list IN ('off', 'public', 'moderated'));

-- Staff's word on a pledge in that list: approved, or its name hidden. The
-- latest word stands (a row per pledge, replaced); each change is in
-- admin_log.
CREATE TABLE pledge_moderation (
    pledge_id   uuid PRIMARY KEY REFERENCES pledges(id),
    campaign_id text NOT NULL REFERENCES campaigns(id),
    state       text NOT NULL CHECK (state IN ('approved', 'hidden')),
    changed_at  timestamptz NOT NULL DEFAULT now()
);
