#!/usr/bin/env bash
# bench/http: the HTTP figures of `make bench`, each next to a baseline
# measured in the same run on the same machine:
#  - pledges/s with 64 keep-alive wrk clients (a key per request), p50/p99,
#    next to pgbench's naive one-pledge-per-transaction script;
#  - the same at 10k and at 1M existing ledger entries, and the server's
#    peak RSS under that load;
#  - totals reads/s next to nginx serving the same bytes as a file;
#  - inclusion proofs at 1M entries (issue 18), with one proof checked
#    against the signed checkpoint first;
#  - two instances on one database: combined pledges/s, and how long a
#    pledge on one takes to show on the other's totals.
# Every 201 is committed with synchronous_commit = on.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-build}
SECS=${SECS:-10}
BIG=${BIG:-1000000}
cluster=bench-http
run=$top/var/$cluster

pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [ -f "$run/nginx.pid" ] && kill "$(cat "$run/nginx.pid")" 2>/dev/null || true
    scripts/pg destroy "$cluster" >/dev/null 2>&1 || true
}
trap cleanup EXIT
scripts/pg destroy "$cluster" >/dev/null 2>&1 || true
scripts/pg start "$cluster"
export DATABASE_URL
DATABASE_URL=$(scripts/pg url "$cluster")
export PLEDGED_KEY_FILE=$run/signing.key PLEDGED_RATE_LIMIT=0
# The webhook receiver of the bench (nginx) listens on loopback.
export PLEDGED_WEBHOOK_ALLOW=127.0.0.1/32
# wrk opens 64 connections from one address: above the per-address budget
# (1/20 of PLEDGED_MAX_CONNECTIONS), which is for the open internet.
export PLEDGED_PER_IP_CONNECTIONS=1000
"$BUILD/pledged" migrate >/dev/null
"$BUILD/pledged" keygen >/dev/null
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
sql() { psql "$DATABASE_URL" -XqtA -v ON_ERROR_STOP=1 "$@"; }
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
serve() { # port; sets served_pid
    PLEDGED_LISTEN=127.0.0.1:$1 "$BUILD/pledged" serve >/dev/null 2>&1 &
    served_pid=$!
    pids+=("$served_pid")
    for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
}
# Grows campaign "bench" to $1 entries: stand-in hashes that still chain
# (each prev_hash is the previous entry_hash), loaded with triggers off.
grow() {
    sql -v n="$1" <<'SQL'
INSERT INTO campaigns (id, title, currency, goal_minor, tiers)
VALUES ('bench', 'Bench', 'USD', 500000000, '{0,250000,500000}')
ON CONFLICT DO NOTHING;
INSERT INTO campaign_totals (campaign_id) VALUES ('bench') ON CONFLICT DO NOTHING;
SET session_replication_role = replica;
WITH last AS (SELECT seq, head_hash FROM campaign_totals WHERE campaign_id = 'bench')
INSERT INTO ledger_entries (campaign_id, seq, kind, pledge_id, amount_minor,
                            currency, created_at, created_ts, prev_hash,
                            entry_hash, leaf_hash)
SELECT 'bench', g, 'pledge', md5('b' || g)::uuid, 2500, 'USD',
       to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), now(),
       CASE WHEN g = last.seq + 1 THEN last.head_hash ELSE sha256(('b' || (g - 1))::bytea) END,
       sha256(('b' || g)::bytea), sha256(('l' || g)::bytea)
  FROM last, generate_series(last.seq + 1, :n) g;
UPDATE campaign_totals
   SET seq = :n, raised_minor = raised_minor + (:n - seq)::bigint * 2500,
       supporters = supporters + (:n - seq),
       head_hash = sha256(('b' || :n)::bytea)
 WHERE campaign_id = 'bench' AND seq < :n;
\i bench/tree.sql
SET session_replication_role = origin;
ANALYZE ledger_entries;
SQL
}
wrk_pledges() { # port campaign clients -> wrk output
    KEY_PREFIX=bench-$1 CAMPAIGN=$2 wrk -t2 -c"$3" -d"${SECS}s" --latency -s bench/pledge.lua "http://127.0.0.1:$1"
}

sql <<'SQL'
CREATE TABLE bench_ledger (id bigserial PRIMARY KEY, campaign_id text NOT NULL,
                           amount_minor bigint NOT NULL,
                           created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE bench_totals (campaign_id text PRIMARY KEY, raised_minor bigint,
                           supporters bigint);
INSERT INTO bench_totals VALUES ('naive', 0, 0);
SQL
pgb() { "$bindir/pgbench" -n -f bench/naive.sql -c "$1" -j "$(( $1 < 2 ? 1 : 2 ))" \
            -T "$SECS" "$DATABASE_URL" 2>/dev/null | awk '/^tps/ {print $3; exit}'; }
echo "pgbench (naive pledge, ${SECS}s at 1 and 16 clients)..." >&2
tps1=$(pgb 1)
tps16=$(pgb 16)

grow 10000
port=$(free_port)
serve "$port"
pid=$served_pid
echo "wrk pledges at 10k entries..." >&2
w10k=$(wrk_pledges "$port" bench 64)
echo "growing the ledger to $BIG entries..." >&2
grow "$BIG"
echo "wrk pledges at $BIG entries..." >&2
w1m=$(wrk_pledges "$port" bench 64)
rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")

# Webhooks (issue 17): pledges/s with two endpoints attached (nginx
# answering 204 on loopback, as a fast receiver would), against none, in
# the order none, two, two, none so that drift cancels out.
echo "wrk pledges with 0 and 2 webhook endpoints..." >&2
hport=$(free_port)
cat > "$run/hooks.conf" <<NGINX
worker_processes 1;
pid $run/hooks.pid;
error_log $run/hooks.err;
events { worker_connections 1024; }
http {
    access_log off;
    server { listen 127.0.0.1:$hport; location / { return 204; } }
}
NGINX
nginx -c "$run/hooks.conf"
pids+=("$(sleep 0.2; cat "$run/hooks.pid")")
token=$("$BUILD/pledged" token create bench-hooks)
hook() { # method path [body]
    curl -fsS -X "$1" "http://127.0.0.1:$port$2" -H "Authorization: Bearer $token" \
        -H "Idempotency-Key: bench-$RANDOM$RANDOM" -H "Content-Type: application/json" \
        ${3:+--data "$3"}
}
hooks_on() {
    for i in 1 2; do
        hook POST /v1/admin/webhooks "{\"url\":\"http://127.0.0.1:$hport/hook$i\",\"types\":[\"pledge.created\"]}" |
            /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["webhook"]["id"])'
    done
}
hooks_off() { for id in $1; do hook DELETE "/v1/admin/webhooks/$id" >/dev/null; done; }
wh0a=$(wrk_pledges "$port" bench 64)
ids=$(hooks_on)
wh2a=$(wrk_pledges "$port" bench 64)
wh2b=$(wrk_pledges "$port" bench 64)
# How long the two endpoints take to catch up once the load stops.
t0=$(date +%s.%N)
for _ in $(seq 600); do
    behind=$(sql -c "SELECT coalesce(max((SELECT seq FROM event_head) - cursor), 0) FROM webhook_endpoints")
    [ "$behind" = 0 ] && break
    sleep 0.1
done
drain=$(/usr/bin/python3 -c "import time; print(f'{time.time() - $t0:.1f}')")
delivered=$(sql -c "SELECT count(*) FROM events WHERE type = 'pledge.created'")
hooks_off "$ids"
wh0b=$(wrk_pledges "$port" bench 64)
kill "$(cat "$run/hooks.pid")"; rm -f "$run/hooks.pid"

echo "wrk totals reads, pledged and nginx..." >&2
curl -fsS "http://127.0.0.1:$port/v1/campaigns/bench/totals" > "$run/totals.json"
wtot=$(wrk -t2 -c64 -d"${SECS}s" --latency "http://127.0.0.1:$port/v1/campaigns/bench/totals")
nport=$(free_port)
cat > "$run/nginx.conf" <<NGINX
worker_processes 2;
pid $run/nginx.pid;
error_log $run/nginx.err;
events { worker_connections 1024; }
http {
    access_log off;
    server {
        listen 127.0.0.1:$nport;
        location = /totals { default_type application/json; alias $run/totals.json; }
    }
}
NGINX
nginx -c "$run/nginx.conf"
for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$nport/totals" >/dev/null 2>&1 && break; sleep 0.1; done
wngx=$(wrk -t2 -c64 -d"${SECS}s" --latency "http://127.0.0.1:$nport/totals")
kill "$(cat "$run/nginx.pid")"; rm -f "$run/nginx.pid"

# Proofs (issue 18) at $BIG+ entries: a random entry's inclusion proof, as
# a donor's "verify my gift" asks for it, next to the totals reads above.
# One proof is first checked against the signed checkpoint by tests/http's
# independent verifier: the bench's stand-in tree must be a real tree.
echo "wrk inclusion proofs at $BIG entries..." >&2
/usr/bin/python3 - "$port" "$BIG" <<'PY' >&2
import http.client, json, sys
sys.path.insert(0, "tests/http")
import tlog
port, big = int(sys.argv[1]), int(sys.argv[2])
def get(path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", path); r = c.getresponse(); return r.read()
key = [k for k in json.loads(get("/v1/keys"))["keys"] if not k.get("retired_at")][0]
cp = tlog.open_checkpoint(get("/v1/campaigns/bench/checkpoint").decode(), key["note_key"])
seq = big // 2 + 7
p = json.loads(get(f"/v1/campaigns/bench/proof/inclusion?seq={seq}&size={cp['size']}"))
path = [bytes.fromhex(h) for h in p["path"]]
assert tlog.verify_inclusion(bytes.fromhex(p["leaf_hash"]), seq - 1, cp["size"], path, cp["root"])
print(f"  proof of entry {seq} at size {cp['size']} verified against the signed checkpoint")
PY
wproof=$(ENTRIES=$BIG wrk -t2 -c64 -d"${SECS}s" --latency -s bench/proof.lua "http://127.0.0.1:$port")
wproof1=$(ENTRIES=$BIG wrk -t1 -c1 -d"${SECS}s" --latency -s bench/proof.lua "http://127.0.0.1:$port")

echo "two instances..." >&2
port2=$(free_port)
serve "$port2"
wrk_pledges "$port" bench 32 > "$run/a.out" &
wa=$!
wrk_pledges "$port2" bench 32 > "$run/b.out"
wait "$wa"
prop=$(/usr/bin/python3 - "$port" "$port2" <<'PY'
import http.client, json, sys, time, uuid
a, b = int(sys.argv[1]), int(sys.argv[2])
def call(port, method, path, body=None, headers={}):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse(); data = r.read(); c.close()
    return json.loads(data)
times = []
for _ in range(20):
    seq = call(b, "GET", "/v1/campaigns/bench/totals")["seq"]
    t0 = time.monotonic()
    p = call(a, "POST", "/v1/campaigns/bench/pledges", b'{"amount_minor":2500}',
             {"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())})
    want = p["pledge"]["seq"]
    while call(b, "GET", "/v1/campaigns/bench/totals")["seq"] < want:
        time.sleep(0.001)
    times.append((time.monotonic() - t0) * 1000)
times.sort()
print(f"{times[len(times) // 2]:.1f} {times[-1]:.1f}")
PY
)
audit=$("$BUILD/pledged" audit help-us 2>/dev/null | head -n 1 || true)

export tps1 tps16 w10k w1m rss wtot wngx prop BIG wh0a wh0b wh2a wh2b drain behind \
    wproof wproof1
/usr/bin/python3 - "$run/a.out" "$run/b.out" <<'PY'
import os, sys
sys.path.insert(0, "bench")
from wrk import errs, lat, rps
e = os.environ
base = max(float(e["tps1"]), float(e["tps16"]))
w10k, w1m, wtot, wngx = e["w10k"], e["w1m"], e["wtot"], e["wngx"]
a, b = (open(p).read() for p in sys.argv[1:])
p50, pmax = e["prop"].split()
big = int(e["BIG"])
rows = [
    ("pgbench naive pledge (best of 1 and 16 clients)", f"{base:,.0f} tps",
     f"1 client {float(e['tps1']):,.0f}, 16 clients {float(e['tps16']):,.0f}"),
    ("pledges/s, 64 clients, 10k entries", f"{rps(w10k):,.0f}",
     f"{rps(w10k) / base:.2f}x pgbench (goal 5x); p50 {lat(w10k, 50):.1f} ms, "
     f"p99 {lat(w10k, 99):.1f} ms (goal < 25); non-2xx {errs(w10k)}"),
    (f"pledges/s, 64 clients, {big:,} entries", f"{rps(w1m):,.0f}",
     f"{rps(w1m) / rps(w10k):.2f}x the 10k figure (goal: no drop); "
     f"p99 {lat(w1m, 99):.1f} ms; non-2xx {errs(w1m)}"),
    ("server peak RSS under that load", f"{int(e['rss']) / 1024:.1f} MiB",
     "goal < 64 MiB"),
    ("totals reads/s, 64 clients", f"{rps(wtot):,.0f}",
     f"{rps(wtot) / rps(wngx):.2f}x nginx serving the same bytes "
     f"({rps(wngx):,.0f}/s; goal 0.8x)"),
    ("two instances, 32 clients each", f"{rps(a) + rps(b):,.0f}",
     f"{rps(a):,.0f} + {rps(b):,.0f} pledges/s; non-2xx {errs(a) + errs(b)}"),
    ("pledge on one shows on the other", f"{p50} ms",
     f"median of 20; max {pmax} ms (goal < 1 s)"),
]
wp, wp1 = e["wproof"], e["wproof1"]
rows += [
    (f"inclusion proofs/s at {big:,}+ entries, 64 clients", f"{rps(wp):,.0f}",
     f"{rps(wp) / rps(wtot):.2f}x totals reads; p50 {lat(wp, 50):.2f} ms, "
     f"p99 {lat(wp, 99):.2f} ms; non-2xx {errs(wp)}"),
    ("one inclusion proof, 1 client", f"{lat(wp1, 50):.2f} ms",
     f"p50; p99 {lat(wp1, 99):.2f} ms (goal < 5 ms); {rps(wp1):,.0f}/s; "
     f"non-2xx {errs(wp1)}"),
]
none = (rps(e["wh0a"]) + rps(e["wh0b"])) / 2
two = (rps(e["wh2a"]) + rps(e["wh2b"])) / 2
rows += [
    ("pledges/s, 0 webhook endpoints (2 runs)", f"{none:,.0f}",
     f"{rps(e['wh0a']):,.0f} and {rps(e['wh0b']):,.0f}"),
    ("pledges/s, 2 webhook endpoints (2 runs)", f"{two:,.0f}",
     f"{two / none:.2f}x none (goal >= 0.90); endpoints caught up "
     f"{e['drain']} s after the load (behind at the end: {e['behind']})"),
]
w = max(len(r[0]) for r in rows)
for name, value, note in rows:
    print(f"  {name:<{w}}  {value:>12}  {note}")
PY
