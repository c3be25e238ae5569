"""pledged through PgBouncer in transaction pooling mode (scripts/pg
bouncer, Debian's 1.18): a second server whose pool and committers go
through PgBouncer without named prepared statements (PLEDGED_DB_PREPARE=0)
while its LISTEN connections go straight to Postgres (PLEDGED_DIRECT_URL).
Pledges from several clients are each recorded once, a retry replays, and
totals changed by another instance show here (the notification reached
the direct listener). The whole HTTP suite runs this way with
PLEDGED_PGBOUNCER=1 scripts/test."""
import os
import subprocess
import threading
import time
import uuid

import client
from client import get
from fixtures import campaign, psql, server, post_pledge as post


def bouncer_url():
    r = subprocess.run(["scripts/pg", "bouncer",
                        os.environ["PLEDGED_PG_CLUSTER"]],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_pledges_and_fresh_totals_through_pgbouncer():
    direct = os.environ.get("PLEDGED_DIRECT_URL") or os.environ["DATABASE_URL"]
    main = client.BASE
    cid = campaign()
    with server(DATABASE_URL=bouncer_url(), PLEDGED_DIRECT_URL=direct,
                PLEDGED_DB_PREPARE="0"):
        assert get("/readyz").status == 200
        answers, lock = {}, threading.Lock()

        def send(n):
            for _ in range(n):
                key = str(uuid.uuid4())
                r = post(cid, 1000, key)
                with lock:
                    answers[key] = r
        threads = [threading.Thread(target=send, args=(10,)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        bad = [(r.status, r.body[:100]) for r in answers.values()
               if r.status != 201]
        assert not bad, bad[:3]
        key, first = next(iter(answers.items()))
        again = post(cid, 1000, key)
        assert again.status == 201 and \
            again.header("idempotent-replayed") == "true"
        assert again.json()["pledge"]["id"] == first.json()["pledge"]["id"]
        n = int(psql("SELECT count(*) FROM ledger_entries WHERE "
                     "campaign_id = :'v1'", cid))
        assert n == len(answers) == 40, (n, len(answers))
        # Read once so that this instance caches the totals, then pledge
        # on the main instance: the cache here must hear of it.
        seen = get(f"/v1/campaigns/{cid}/totals").json()
        assert seen["raised_minor"] == 40000, seen
        saved, client.BASE = client.BASE, main
        try:
            assert post(cid, 500, str(uuid.uuid4())).status == 201
        finally:
            client.BASE = saved
        for _ in range(100):
            t = get(f"/v1/campaigns/{cid}/totals").json()
            if t["raised_minor"] == 40500:
                break
            time.sleep(0.01)
        assert t["raised_minor"] == 40500, t
        r = subprocess.run([os.environ["PLEDGED_BIN"], "audit", cid],
                           env=dict(os.environ, DATABASE_URL=bouncer_url(),
                                    PLEDGED_DB_PREPARE="0"),
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
