-- What staff did: every admin action, by token name. Append-only.
CREATE TABLE admin_log (
    id         bigserial PRIMARY KEY,
    token_name text NOT NULL,
    action     text NOT NULL,
    target     text NOT NULL,
    detail     text NOT NULL DEFAULT '',
    at         timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER admin_log_append_only BEFORE UPDATE OR DELETE ON admin_log
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER admin_log_no_truncate BEFORE TRUNCATE ON admin_log
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
