-- The Merkle tree of each campaign's ledger (core/merkle.h, RFC 9162 2.1,
-- stored as C2SP tlog-tiles). Everything here is derived from the entries'
-- content and rebuilt by anyone who reads them; `pledged audit` does.
--
-- Tile level 0, the leaf hashes, lives beside each entry. Tile levels 1..7
-- hold the roots of perfect subtrees of height 8, 16, ...: one row for each
-- 256 entries, written in the transaction of the entry that completes it.
-- campaign_totals.tree_frontier is the tree's right edge at seq (one hash
-- per set bit of seq, largest subtree first): an append needs only that.
ALTER TABLE ledger_entries ADD COLUMN leaf_hash bytea
    CHECK (length(leaf_hash) = 32);
ALTER TABLE campaign_totals ADD COLUMN tree_frontier bytea NOT NULL
    DEFAULT '\x';

CREATE TABLE merkle_nodes (
    campaign_id text NOT NULL REFERENCES campaigns(id),
    level       smallint NOT NULL CHECK (level BETWEEN 1 AND 7),
    idx         bigint NOT NULL CHECK (idx >= 0),
    hash        bytea NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (campaign_id, level, idx)
);
CREATE TRIGGER merkle_nodes_append_only BEFORE UPDATE OR DELETE ON merkle_nodes
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER merkle_nodes_no_truncate BEFORE TRUNCATE ON merkle_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

-- Entries written before this migration get their leaves from the C step
-- that runs right after it, in the same transaction (store/merkle.c); it
-- then makes leaf_hash NOT NULL.
