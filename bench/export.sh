#!/usr/bin/env bash
# bench/export: a ledger of N entries (default 1,000,000) exported over HTTP
# as CSV, next to Postgres's own COPY of the same rows, measured in the same
# run on the same machine; and the server's peak RSS (VmHWM).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-build}
N=${N:-1000000}
cluster=bench-export

scripts/pg destroy "$cluster" >/dev/null 2>&1 || true
scripts/pg start "$cluster"
server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; scripts/pg destroy "$cluster" >/dev/null 2>&1 || true' EXIT
export DATABASE_URL
DATABASE_URL=$(scripts/pg url "$cluster")
export PLEDGED_KEY_FILE=$top/var/$cluster/signing.key
"$BUILD/pledged" migrate >/dev/null
"$BUILD/pledged" keygen >/dev/null
token=$("$BUILD/pledged" token create bench)

echo "loading $N ledger entries..."
psql "$DATABASE_URL" -Xq -v ON_ERROR_STOP=1 -v n="$N" <<'SQL'
INSERT INTO campaigns (id, title, currency, goal_minor, tiers)
VALUES ('bench', 'Bench', 'USD', 500000, '{0,250000,500000}');
-- Bulk load as the superuser, triggers off: the chain's hashes here are
-- stand-ins (the export does not check them; the audit would).
SET session_replication_role = replica;
INSERT INTO ledger_entries (campaign_id, seq, kind, pledge_id, amount_minor,
                            currency, created_at, created_ts, prev_hash,
                            entry_hash, leaf_hash)
SELECT 'bench', g, 'pledge', md5(g::text)::uuid, 100 + g % 5000, 'USD',
       to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), ts,
       CASE WHEN g = 1 THEN '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea
            ELSE sha256((g - 1)::text::bytea) END,
       sha256(g::text::bytea), sha256(('l' || g)::bytea)
  FROM generate_series(1, :n) g,
       LATERAL (SELECT timestamptz '2026-01-01' + g * interval '1 second') t(ts);
INSERT INTO pledges (id, campaign_id, seq, amount_minor, currency, kind,
                     donor_name, donor_email, anonymous, message, created_at)
SELECT pledge_id, 'bench', seq, amount_minor, 'USD', 'custom',
       'Donor ' || seq, 'donor' || seq || '@example.org', seq % 7 = 0,
       CASE WHEN seq % 3 = 0 THEN 'Keep going, ' || seq END, created_at
  FROM ledger_entries WHERE campaign_id = 'bench';
INSERT INTO campaign_totals (campaign_id, seq, raised_minor, supporters)
SELECT 'bench', count(*), sum(amount_minor), count(*) FROM ledger_entries
 WHERE campaign_id = 'bench';
\i bench/tree.sql
ANALYZE;
SQL

now() { date +%s.%N; }

# Baseline: Postgres's COPY of the same rows and columns, to a client.
t0=$(now)
copy_bytes=$(psql "$DATABASE_URL" -Xq -c "COPY (SELECT e.campaign_id, e.seq,
    e.kind, e.pledge_id, e.amount_minor, e.currency, e.created_at,
    p.donor_name, p.donor_email, p.anonymous, p.message,
    encode(e.prev_hash, 'hex'), encode(e.entry_hash, 'hex')
    FROM ledger_entries e LEFT JOIN pledges p ON p.id = e.pledge_id
    WHERE e.campaign_id = 'bench' ORDER BY e.seq) TO STDOUT WITH CSV" | wc -c)
t1=$(now)

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PLEDGED_RATE_LIMIT=0 PLEDGED_LISTEN=127.0.0.1:$port "$BUILD/pledged" serve 2>/dev/null &
server_pid=$!
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
rss_idle=$(awk '/VmHWM/ {print $2}' /proc/$server_pid/status)
t2=$(now)
http_bytes=$(curl -fsS -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$port/v1/admin/campaigns/bench/ledger.csv" | wc -c)
t3=$(now)
rss_peak=$(awk '/VmHWM/ {print $2}' /proc/$server_pid/status)

python3 - "$N" "$copy_bytes" "$t0" "$t1" "$http_bytes" "$t2" "$t3" "$rss_idle" "$rss_peak" <<'PY'
import sys
n, cb, t0, t1, hb, t2, t3, idle, peak = sys.argv[1:]
n, cb, hb = int(n), int(cb), int(hb)
copy_s, http_s = float(t1) - float(t0), float(t3) - float(t2)
print(f"export of {n:,} entries")
print(f"  COPY ... TO STDOUT WITH CSV: {copy_s:6.2f} s  {n / copy_s:10,.0f} rows/s  {cb / copy_s / 1e6:6.1f} MB/s")
print(f"  pledged HTTP ledger.csv:     {http_s:6.2f} s  {n / http_s:10,.0f} rows/s  {hb / http_s / 1e6:6.1f} MB/s")
print(f"  ratio (rows/s, pledged / COPY): {copy_s / http_s:.2f}  (goal >= 0.5)")
print(f"  server peak RSS: {int(peak) / 1024:.1f} MiB (idle {int(idle) / 1024:.1f} MiB; goal < 64 MiB, flat)")
PY
