#!/usr/bin/env bash
# bench/pledges: pledges/s over HTTP with 64 keep-alive clients (wrk, every
# request its own Idempotency-Key), p50/p99, next to pgbench running the
# naive one-pledge-per-transaction script on the same Postgres in the same
# run. Every 201 is committed with synchronous_commit = on.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-build}
SECS=${SECS:-10}
cluster=bench-pledges

scripts/pg destroy "$cluster" >/dev/null 2>&1 || true
scripts/pg start "$cluster"
server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; scripts/pg destroy "$cluster" >/dev/null 2>&1 || true' EXIT
export DATABASE_URL
DATABASE_URL=$(scripts/pg url "$cluster")
export PLEDGED_KEY_FILE=$top/var/$cluster/signing.key
"$BUILD/pledged" migrate >/dev/null
"$BUILD/pledged" seed >/dev/null
"$BUILD/pledged" keygen >/dev/null
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
psql "$DATABASE_URL" -Xq <<'SQL'
CREATE TABLE bench_ledger (id bigserial PRIMARY KEY, campaign_id text NOT NULL,
                           amount_minor bigint NOT NULL,
                           created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE bench_totals (campaign_id text PRIMARY KEY, raised_minor bigint,
                           supporters bigint);
INSERT INTO bench_totals VALUES ('naive', 0, 0);
SQL

pgb() { # clients -> tps
    "$bindir/pgbench" -n -f bench/naive.sql -c "$1" -j "$(( $1 < 2 ? 1 : 2 ))" \
        -T "$SECS" "$DATABASE_URL" 2>/dev/null | awk '/^tps/ {print $3; exit}'
}
echo "pgbench, naive script, ${SECS}s each..."
tps1=$(pgb 1)
tps16=$(pgb 16)

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PLEDGED_RATE_LIMIT=0 PLEDGED_LISTEN=127.0.0.1:$port "$BUILD/pledged" serve 2>/dev/null &
server_pid=$!
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
before=$(psql "$DATABASE_URL" -XtAc "SELECT seq FROM campaign_totals WHERE campaign_id = 'help-us'")
echo "wrk, 64 connections, ${SECS}s..."
out=$(wrk -t2 -c64 -d"${SECS}s" --latency -s bench/pledge.lua "http://127.0.0.1:$port")
after=$(psql "$DATABASE_URL" -XtAc "SELECT seq FROM campaign_totals WHERE campaign_id = 'help-us'")
audit=$("$BUILD/pledged" audit help-us | head -n 1)

python3 - "$tps1" "$tps16" "$before" "$after" "$SECS" "$audit" <<PY
import re, sys
tps1, tps16, before, after, secs, audit = sys.argv[1:]
out = """$out"""
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
def lat(p):
    m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
base = max(float(tps1), float(tps16))
print(f"pgbench naive pledge: {float(tps1):,.0f} tps (1 client), {float(tps16):,.0f} tps (16 clients)")
print(f"pledged over HTTP:    {rps:,.0f} pledges/s, p50 {lat(50):.2f} ms, p99 {lat(99):.2f} ms"
      f"{', non-2xx: ' + bad.group(1) if bad else ''}")
print(f"ratio pledged / best pgbench: {rps / base:.2f}x  (goal >= 5x, p99 < 25 ms)")
print(f"ledger grew by {int(after) - int(before):,} entries; {audit}")
PY
