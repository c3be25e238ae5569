-- Signing keys (public halves only) and the receipts signed with them.

CREATE TABLE signing_keys (
    kid        text PRIMARY KEY CHECK (kid ~ '^[a-z0-9-]{1,64}$'),
    public_key bytea NOT NULL UNIQUE CHECK (length(public_key) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    retired_at timestamptz
);
-- At most one current key.
CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys ((true))
    WHERE retired_at IS NULL;

-- One receipt per pledge or refund, signed after the ledger write commits.
-- `body` is canonical(R), exactly the bytes that were signed.
CREATE TABLE receipts (
    subject_id uuid PRIMARY KEY,
    type       text NOT NULL CHECK (type IN ('pledge_receipt', 'refund_receipt')),
    body       text NOT NULL,
    signature  text NOT NULL,
    kid        text NOT NULL REFERENCES signing_keys(kid),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER receipts_append_only BEFORE UPDATE OR DELETE ON receipts
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER receipts_no_truncate BEFORE TRUNCATE ON receipts
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
