-- The ledger: campaigns, their totals, pledges, and the append-only chain of
-- ledger entries. Money is bigint minor units everywhere.

CREATE TABLE campaigns (
    id               text PRIMARY KEY CHECK (id ~ '^[a-z0-9-]{1,64}$'),
    title            text NOT NULL,
    currency         char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    goal_minor       bigint NOT NULL CHECK (goal_minor > 0),
    tiers            bigint[] NOT NULL,
    min_custom_minor bigint NOT NULL DEFAULT 100 CHECK (min_custom_minor > 0),
    max_custom_minor bigint NOT NULL DEFAULT 100000000,
    deadline         timestamptz,
    status           text NOT NULL DEFAULT 'open'
                     CHECK (status IN ('open', 'closed')),
    allowed_origins  text[] NOT NULL DEFAULT '{}',
    version          bigint NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (max_custom_minor >= min_custom_minor)
);

-- One row per campaign, updated in the same transaction as every entry; the
-- row lock on it is what serialises appends to a campaign's chain.
CREATE TABLE campaign_totals (
    campaign_id  text PRIMARY KEY REFERENCES campaigns(id),
    seq          bigint NOT NULL DEFAULT 0 CHECK (seq >= 0),
    raised_minor bigint NOT NULL DEFAULT 0 CHECK (raised_minor >= 0),
    supporters   bigint NOT NULL DEFAULT 0 CHECK (supporters >= 0),
    head_hash    bytea NOT NULL DEFAULT '\x0000000000000000000000000000000000000000000000000000000000000000'
                 CHECK (length(head_hash) = 32)
);

CREATE TABLE ledger_entries (
    campaign_id  text NOT NULL REFERENCES campaigns(id),
    seq          bigint NOT NULL CHECK (seq >= 1),
    kind         text NOT NULL CHECK (kind IN ('pledge', 'refund')),
    pledge_id    uuid NOT NULL,
    amount_minor bigint NOT NULL,
    currency     char(3) NOT NULL,
    created_at   text NOT NULL,          -- the exact string that was hashed
    created_ts   timestamptz NOT NULL,   -- the same instant, for ranges
    prev_hash    bytea NOT NULL CHECK (length(prev_hash) = 32),
    entry_hash   bytea NOT NULL UNIQUE CHECK (length(entry_hash) = 32),
    PRIMARY KEY (campaign_id, seq),
    UNIQUE (campaign_id, prev_hash),
    CHECK ((kind = 'pledge' AND amount_minor >= 0) OR
           (kind = 'refund' AND amount_minor <= 0))
);

CREATE TABLE pledges (
    id           uuid PRIMARY KEY,
    campaign_id  text NOT NULL REFERENCES campaigns(id),
    seq          bigint NOT NULL,
    amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
    currency     char(3) NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('tier', 'custom')),
    donor_name   text,
    donor_email  text,
    anonymous    boolean NOT NULL DEFAULT false,
    message      text,
    created_at   text NOT NULL,
    FOREIGN KEY (campaign_id, seq) REFERENCES ledger_entries(campaign_id, seq)
);
CREATE INDEX pledges_campaign_seq ON pledges (campaign_id, seq DESC);

CREATE TABLE refunds (
    id          uuid PRIMARY KEY,
    pledge_id   uuid NOT NULL UNIQUE REFERENCES pledges(id),
    campaign_id text NOT NULL,
    seq         bigint NOT NULL,
    created_at  text NOT NULL,
    FOREIGN KEY (campaign_id, seq) REFERENCES ledger_entries(campaign_id, seq)
);

-- Each new entry must extend its campaign's chain: the next seq, and the
-- previous entry's hash as prev_hash. Together with the primary key this
-- makes a gap or a fork impossible whatever the client does.
CREATE FUNCTION ledger_extends_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    last_seq  bigint;
    last_hash bytea;
BEGIN
    SELECT seq, entry_hash INTO last_seq, last_hash
      FROM ledger_entries WHERE campaign_id = NEW.campaign_id
     ORDER BY seq DESC LIMIT 1;
    IF NEW.seq <> coalesce(last_seq, 0) + 1 THEN
        RAISE EXCEPTION 'ledger seq % does not follow %', NEW.seq, coalesce(last_seq, 0)
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.prev_hash <> coalesce(last_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea) THEN
        RAISE EXCEPTION 'ledger prev_hash does not match entry %', coalesce(last_seq, 0)
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER ledger_entries_chain BEFORE INSERT ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_extends_chain();

-- Nothing in the ledger is ever changed or removed, not even by the owner.
CREATE FUNCTION ledger_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER pledges_append_only BEFORE UPDATE OR DELETE ON pledges
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER pledges_no_truncate BEFORE TRUNCATE ON pledges
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER refunds_append_only BEFORE UPDATE OR DELETE ON refunds
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER refunds_no_truncate BEFORE TRUNCATE ON refunds
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

-- Idempotency: the first request under a key, by the hash of its method,
-- path and body, and what it produced. The response is rebuilt from the
-- (immutable) rows it names, so a replay is byte-identical.
CREATE TABLE idempotency_keys (
    key          text PRIMARY KEY CHECK (key ~ '^[\x20-\x7e]{1,255}$'),
    request_hash bytea NOT NULL CHECK (length(request_hash) = 32),
    status       integer NOT NULL,
    resource     text NOT NULL CHECK (resource IN ('pledge', 'refund')),
    resource_id  uuid NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE admin_tokens (
    name       text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9_.-]{1,64}$'),
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
