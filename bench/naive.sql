-- The naive pledge: one entry, one totals update, one commit.
BEGIN;
INSERT INTO bench_ledger (campaign_id, amount_minor) VALUES ('naive', 2500);
UPDATE bench_totals SET raised_minor = raised_minor + 2500,
                        supporters = supporters + 1 WHERE campaign_id = 'naive';
COMMIT;
