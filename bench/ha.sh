#!/usr/bin/env bash
# bench/ha: pledges/s with a synchronous standby (scripts/ha: pg_auto_failover,
# a primary and a standby that must flush each COMMIT before it is answered)
# next to a single node (scripts/pg), measured in the same run with the same
# load: 64 keep-alive wrk clients, a key per request, SECS (10) seconds each,
# in the order single, standby, standby, single so that drift cancels out.
# Every 201 is committed with synchronous_commit = on on both.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-build}
SECS=${SECS:-10}
single=bench-single
ha=bench-ha

pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    scripts/pg destroy "$single" >/dev/null 2>&1 || true
    scripts/ha destroy "$ha" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
free_base() { # three free consecutive ports
    /usr/bin/python3 - <<'PY'
import random, socket
for _ in range(50):
    base = random.randint(20000, 32000)
    try:
        for p in range(base, base + 3):
            s = socket.socket(); s.bind(("127.0.0.1", p)); s.close()
        print(base); break
    except OSError:
        pass
PY
}
export PLEDGED_RATE_LIMIT=0 PLEDGED_PER_IP_CONNECTIONS=1000

setup() { # url name: a server on it, with campaign "bench"; its port in $port
    # (not a $(...) subshell: the server's pid must reach pids, or cleanup
    # leaves it running)
    export PLEDGED_KEY_FILE=$top/var/$2/bench-signing.key
    rm -f "$PLEDGED_KEY_FILE"
    DATABASE_URL=$1 "$BUILD/pledged" migrate >/dev/null
    DATABASE_URL=$1 "$BUILD/pledged" keygen >/dev/null
    psql "$1" -XqtA -v ON_ERROR_STOP=1 <<'SQL'
INSERT INTO campaigns (id, title, currency, goal_minor, tiers)
VALUES ('bench', 'Bench', 'USD', 500000000, '{0,250000,500000}') ON CONFLICT DO NOTHING;
INSERT INTO campaign_totals (campaign_id) VALUES ('bench') ON CONFLICT DO NOTHING;
SQL
    port=$(free_port)
    DATABASE_URL=$1 PLEDGED_LISTEN=127.0.0.1:$port "$BUILD/pledged" serve >/dev/null 2>&1 &
    pids+=("$!")
    for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
}
wrk_pledges() { # port tag -> wrk output
    KEY_PREFIX=bench-ha-$2-$RANDOM CAMPAIGN=bench wrk -t2 -c64 -d"${SECS}s" --latency \
        -s bench/pledge.lua "http://127.0.0.1:$1"
}

echo "single node and a pg_auto_failover primary with a synchronous standby..." >&2
scripts/pg start "$single"
surl=$(scripts/pg url "$single")
PLEDGED_HA_PORT=$(free_base) scripts/ha start "$ha"
hurl=$(scripts/ha url "$ha")
setup "$surl" "$single" >/dev/null
sport=$port
setup "$hurl" "$ha" >/dev/null
hport=$port
sync=$(psql "$hurl" -XqtAc "SELECT current_setting('synchronous_standby_names') || ' / ' || coalesce((SELECT string_agg(sync_state, ',') FROM pg_stat_replication), 'no standby')")

echo "wrk pledges: single, standby, standby, single (${SECS}s each)..." >&2
s1=$(wrk_pledges "$sport" s1)
h1=$(wrk_pledges "$hport" h1)
h2=$(wrk_pledges "$hport" h2)
s2=$(wrk_pledges "$sport" s2)
# Every 201 of the standby runs is on the standby too: count them there.
standby=$(scripts/ha standby "$ha")
sleep 1
on_primary=$(psql "$hurl" -XqtAc "SELECT count(*) FROM ledger_entries WHERE campaign_id = 'bench'")
on_standby=$(psql "$(scripts/ha node-url "$standby" "$ha")" -XqtAc "SELECT count(*) FROM ledger_entries WHERE campaign_id = 'bench'")

export s1 s2 h1 h2 sync on_primary on_standby
/usr/bin/python3 - <<'PY'
import os, sys
e = os.environ
sys.path.insert(0, "bench")
from wrk import errs, lat, rps
single = (rps(e["s1"]) + rps(e["s2"])) / 2
sync = (rps(e["h1"]) + rps(e["h2"])) / 2
rows = [
    ("pledges/s, single node (2 runs)", f"{single:,.0f}",
     f"{rps(e['s1']):,.0f} and {rps(e['s2']):,.0f}; p99 "
     f"{max(lat(e['s1'], 99), lat(e['s2'], 99)):.1f} ms; non-2xx "
     f"{errs(e['s1']) + errs(e['s2'])}"),
    ("pledges/s, synchronous standby (2 runs)", f"{sync:,.0f}",
     f"{sync / single:.2f}x single; {rps(e['h1']):,.0f} and "
     f"{rps(e['h2']):,.0f}; p99 {max(lat(e['h1'], 99), lat(e['h2'], 99)):.1f} ms; "
     f"non-2xx {errs(e['h1']) + errs(e['h2'])}"),
    ("synchronous_standby_names / sync_state", e["sync"], ""),
    ("ledger rows on the primary / the standby", f"{e['on_primary']} / {e['on_standby']}",
     "equal: every 201 was on both"),
]
w = max(len(r[0]) for r in rows)
for name, value, note in rows:
    print(f"  {name:<{w}}  {value:>12}  {note}")
PY
