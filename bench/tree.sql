-- bench/tree.sql: the Merkle tree rows of campaign "bench" over its stored
-- (stand-in) leaves, as the server keeps them (sql/009_merkle.sql): the
-- level-1 and level-2 tile nodes it lacks, and the frontier at its seq.
-- Appends and proofs then go on from it as from any ledger. Run by the
-- bench scripts after a bulk load, as the superuser.
CREATE OR REPLACE FUNCTION bench_fold(h bytea[]) RETURNS bytea
LANGUAGE plpgsql AS $$
DECLARE n int := array_length(h, 1);
BEGIN
    WHILE n > 1 LOOP
        FOR i IN 1 .. n / 2 LOOP
            h[i] := sha256('\x01'::bytea || h[2 * i - 1] || h[2 * i]);
        END LOOP;
        n := n / 2;
    END LOOP;
    RETURN h[1];
END $$;
INSERT INTO merkle_nodes
SELECT 'bench', 1, (seq - 1) / 256, bench_fold(array_agg(leaf_hash ORDER BY seq))
  FROM ledger_entries
 WHERE campaign_id = 'bench' AND seq > 256 * (SELECT count(*) FROM merkle_nodes
                                              WHERE campaign_id = 'bench' AND level = 1)
 GROUP BY (seq - 1) / 256 HAVING count(*) = 256;
INSERT INTO merkle_nodes
SELECT 'bench', 2, idx / 256, bench_fold(array_agg(hash ORDER BY idx))
  FROM merkle_nodes
 WHERE campaign_id = 'bench' AND level = 1 AND idx >= 256 * (
       SELECT count(*) FROM merkle_nodes WHERE campaign_id = 'bench' AND level = 2)
 GROUP BY idx / 256 HAVING count(*) = 256;
CREATE OR REPLACE FUNCTION bench_frontier(n bigint) RETURNS bytea
LANGUAGE plpgsql AS $$
DECLARE out bytea := '\x'; start bigint := 0; size bigint; lvl int; h bytea[];
BEGIN
    FOR k IN REVERSE 62 .. 0 LOOP
        CONTINUE WHEN (n >> k) & 1 = 0;
        size := 1::bigint << k;
        lvl := k / 8;
        IF lvl = 0 THEN
            SELECT array_agg(leaf_hash ORDER BY seq) INTO h FROM ledger_entries
             WHERE campaign_id = 'bench' AND seq > start AND seq <= start + size;
        ELSE
            SELECT array_agg(hash ORDER BY idx) INTO h FROM merkle_nodes
             WHERE campaign_id = 'bench' AND level = lvl
               AND idx >= start >> (8 * lvl) AND idx < (start + size) >> (8 * lvl);
        END IF;
        out := out || bench_fold(h);
        start := start + size;
    END LOOP;
    RETURN out;
END $$;
UPDATE campaign_totals SET tree_frontier = bench_frontier(seq)
 WHERE campaign_id = 'bench';
