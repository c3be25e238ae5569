-- The event log (docs/EVENTS.md): one row per change, written by triggers
-- in the same transaction as the change, so that no code path can change
-- money or a campaign without its event, and no event exists for a change
-- that rolled back. event_seq is global and gap-free: it is taken from a
-- one-row counter whose row lock is held from the event's statement to
-- COMMIT (a rolled-back transaction gives its numbers back). Every writer
-- takes a campaign's head before it (or none at all), never the other way
-- round, so the counter adds no deadlock.
CREATE TABLE event_head (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    seq bigint NOT NULL CHECK (seq >= 0)
);
INSERT INTO event_head VALUES (true, 0);

CREATE TABLE events (
    event_seq   bigint PRIMARY KEY CHECK (event_seq > 0),
    id          uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    type        text NOT NULL CHECK (type ~ '^[a-z_]+\.[a-z_]+$'),
    campaign_id text,
    created_at  timestamptz NOT NULL,
    data        jsonb NOT NULL,
    -- A donor's personal data (email), only for endpoints that ask for it:
    -- never in data.
    personal    jsonb
);
CREATE INDEX events_type_seq ON events (type, event_seq);

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

-- Reserves n numbers; returns the first. Holds the counter's row lock to
-- COMMIT.
CREATE FUNCTION events_reserve(n bigint) RETURNS bigint
LANGUAGE sql AS $$
    UPDATE event_head SET seq = seq + n RETURNING seq - n + 1
$$;

-- Appends events from a set of (type, campaign_id, created_at, data,
-- personal, ord) rows, numbered by ord, and wakes the listeners (the SSE
-- stream, the delivery worker) with the last number.
CREATE FUNCTION events_append(rows jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    n bigint := jsonb_array_length(rows);
    base bigint;
BEGIN
    IF n = 0 THEN
        RETURN;
    END IF;
    base := events_reserve(n);
    INSERT INTO events (event_seq, type, campaign_id, created_at, data,
                        personal)
    SELECT base + o - 1, r->>'type', r->>'campaign_id',
           coalesce((r->>'created_at')::timestamptz, clock_timestamp()),
           r->'data', nullif(r->'personal', 'null'::jsonb)
    FROM jsonb_array_elements(rows) WITH ORDINALITY AS e(r, o);
    PERFORM pg_notify('pledged_events', (base + n - 1)::text);
END
$$;

-- pledge.created: one per pledge, in ledger order. Straight from the
-- transition table (no JSON array in between): it runs for every pledge,
-- so it is the log's cost on the pledge path (docs/PERFORMANCE.md).
CREATE FUNCTION events_of_pledges() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
    base bigint;
BEGIN
    SELECT count(*) INTO n FROM new_pledges;
    IF n = 0 THEN
        RETURN NULL;
    END IF;
    base := events_reserve(n);
    INSERT INTO events (event_seq, type, campaign_id, created_at, data,
                        personal)
    SELECT base + row_number() OVER (ORDER BY p.campaign_id, p.seq) - 1,
           'pledge.created', p.campaign_id, p.created_at::timestamptz,
           jsonb_build_object(
               'pledge_id', p.id, 'campaign_id', p.campaign_id,
               'seq', p.seq, 'amount_minor', p.amount_minor,
               'currency', p.currency, 'kind', p.kind,
               'anonymous', p.anonymous,
               'donor_name', CASE WHEN p.anonymous THEN NULL
                                  ELSE p.donor_name END,
               'message', p.message, 'created_at', p.created_at),
           CASE WHEN p.donor_email IS NULL THEN NULL
                ELSE jsonb_build_object('donor_email', p.donor_email) END
    FROM new_pledges p;
    PERFORM pg_notify('pledged_events', (base + n - 1)::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER pledges_events AFTER INSERT ON pledges
    REFERENCING NEW TABLE AS new_pledges
    FOR EACH STATEMENT EXECUTE FUNCTION events_of_pledges();

-- Money moved: every ledger entry but a pledge (its event is its pledge
-- row's, which carries the donor).
CREATE FUNCTION events_of_entries() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM events_append(coalesce(jsonb_agg(jsonb_build_object(
        'type', CASE e.kind
                    WHEN 'payment' THEN 'payment.succeeded'
                    WHEN 'void' THEN 'pledge.voided'
                    WHEN 'refund' THEN 'pledge.refunded'
                    WHEN 'payment_reversal' THEN
                        CASE e.reason WHEN 'dispute' THEN 'payment.disputed'
                                      ELSE 'payment.refunded' END
                END,
        'campaign_id', e.campaign_id,
        'created_at', e.created_at,
        'data', jsonb_strip_nulls(jsonb_build_object(
            'pledge_id', e.pledge_id, 'campaign_id', e.campaign_id,
            'seq', e.seq, 'kind', e.kind, 'amount_minor', e.amount_minor,
            'currency', e.currency, 'provider', e.provider,
            'reference', e.reference, 'method', e.method,
            'reason', e.reason, 'created_at', e.created_at,
            'entry_hash', encode(e.entry_hash, 'hex'))))
        ORDER BY e.campaign_id, e.seq), '[]'::jsonb))
    FROM new_entries e WHERE e.kind <> 'pledge';
    RETURN NULL;
END
$$;
CREATE TRIGGER ledger_entries_events AFTER INSERT ON ledger_entries
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION events_of_entries();

-- A campaign as its events show it (what the public API shows of it).
CREATE FUNCTION events_campaign_data(c campaigns) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'campaign_id', c.id, 'title', c.title, 'currency', c.currency,
        'goal_minor', c.goal_minor, 'tiers', to_jsonb(c.tiers),
        'min_custom_minor', c.min_custom_minor,
        'max_custom_minor', c.max_custom_minor,
        'deadline', c.deadline, 'status', c.status,
        'allowed_origins', to_jsonb(c.allowed_origins),
        'provider', c.provider, 'shown_total', c.shown_total,
        'payment_link', c.payment_link, 'pledge_ttl_s', c.pledge_ttl_s,
        'version', c.version)
$$;

CREATE FUNCTION events_of_new_campaigns() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM events_append(coalesce(jsonb_agg(jsonb_build_object(
        'type', 'campaign.created', 'campaign_id', c.id,
        'data', events_campaign_data(c)) ORDER BY c.id), '[]'::jsonb))
    FROM new_campaigns c;
    RETURN NULL;
END
$$;
CREATE TRIGGER campaigns_created_events AFTER INSERT ON campaigns
    REFERENCING NEW TABLE AS new_campaigns
    FOR EACH STATEMENT EXECUTE FUNCTION events_of_new_campaigns();

-- campaign.updated for every change, then campaign.closed when the status
-- went from open to closed.
CREATE FUNCTION events_of_changed_campaigns() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM events_append(coalesce(jsonb_agg(ev ORDER BY id, o),
                                   '[]'::jsonb))
    FROM (SELECT c.id, 1 AS o, jsonb_build_object(
                 'type', 'campaign.updated', 'campaign_id', c.id,
                 'data', events_campaign_data(c)) AS ev
          FROM new_campaigns c JOIN old_campaigns d ON d.id = c.id
          WHERE (to_jsonb(c) - 'version') <> (to_jsonb(d) - 'version')
          UNION ALL
          SELECT c.id, 2, jsonb_build_object(
                 'type', 'campaign.closed', 'campaign_id', c.id,
                 'data', events_campaign_data(c))
          FROM new_campaigns c JOIN old_campaigns d ON d.id = c.id
          WHERE c.status = 'closed' AND d.status <> 'closed') x;
    RETURN NULL;
END
$$;
CREATE TRIGGER campaigns_changed_events AFTER UPDATE ON campaigns
    REFERENCING OLD TABLE AS old_campaigns NEW TABLE AS new_campaigns
    FOR EACH STATEMENT EXECUTE FUNCTION events_of_changed_campaigns();
