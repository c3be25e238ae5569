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

-- An event's UUID is derived from its number (events_id), not stored:
-- one index less on the pledge path. A pledge.created row holds only its
-- pledge's id: its data is the pledge row, which is append-only too, and
-- is read from it (store/events.c), so a pledge's event costs one narrow
-- row. Every other event holds its data.
CREATE TABLE events (
    event_seq   bigint PRIMARY KEY CHECK (event_seq > 0),
    type        text NOT NULL CHECK (type ~ '^[a-z_]+\.[a-z_]+$'),
    campaign_id text,
    created_at  timestamptz NOT NULL,
    pledge_id   uuid,  -- pledge.created: the pledge, whose row is its data
    data        jsonb, -- the rest: never a donor's email
    -- A donor's personal data (email), only for endpoints that ask for it:
    -- never in data.
    personal    jsonb,
    CHECK ((type = 'pledge.created') = (data IS NULL))
);

CREATE FUNCTION events_id(seq bigint) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$
    SELECT md5('pledged-event:' || seq)::uuid
$$;

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

-- pledge.created: one per pledge, in ledger order: a narrow row that
-- names the pledge. This runs for every pledge, so it is the log's whole
-- cost on the pledge path (docs/PERFORMANCE.md).
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
    INSERT INTO events (event_seq, type, campaign_id, created_at, pledge_id)
    SELECT base + row_number() OVER (ORDER BY p.campaign_id, p.seq) - 1,
           'pledge.created', p.campaign_id, p.created_at::timestamptz, p.id
    FROM new_pledges p;
    PERFORM pg_notify('pledged_events', (base + n - 1)::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER pledges_events AFTER INSERT ON pledges
    REFERENCING NEW TABLE AS new_pledges
    FOR EACH STATEMENT EXECUTE FUNCTION events_of_pledges();

-- Money moved: every ledger entry but a pledge (its event is its pledge
-- row's, which carries the donor). A row trigger with a WHEN clause, so
-- that the pledge path, which writes only pledge entries, never even
-- calls it.
CREATE FUNCTION events_of_entry() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM events_append(jsonb_build_array(jsonb_build_object(
        'type', CASE NEW.kind
                    WHEN 'payment' THEN 'payment.succeeded'
                    WHEN 'void' THEN 'pledge.voided'
                    WHEN 'refund' THEN 'pledge.refunded'
                    WHEN 'payment_reversal' THEN
                        CASE NEW.reason WHEN 'dispute' THEN 'payment.disputed'
                                        ELSE 'payment.refunded' END
                END,
        'campaign_id', NEW.campaign_id,
        'created_at', NEW.created_at,
        'data', jsonb_strip_nulls(jsonb_build_object(
            'pledge_id', NEW.pledge_id, 'campaign_id', NEW.campaign_id,
            'seq', NEW.seq, 'kind', NEW.kind,
            'amount_minor', NEW.amount_minor, 'currency', NEW.currency,
            'provider', NEW.provider, 'reference', NEW.reference,
            'method', NEW.method, 'reason', NEW.reason,
            'created_at', NEW.created_at,
            'entry_hash', encode(NEW.entry_hash, 'hex'))))));
    RETURN NULL;
END
$$;
CREATE TRIGGER ledger_entries_events AFTER INSERT ON ledger_entries
    FOR EACH ROW WHEN (NEW.kind <> 'pledge')
    EXECUTE FUNCTION events_of_entry();

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
