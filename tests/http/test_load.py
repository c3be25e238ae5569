"""Concurrency and outage: nothing lost, nothing doubled."""
import os
import random
import subprocess
import threading
import time
import uuid

from client import get, request
from fixtures import campaign, ledger_count, psql, post_pledge as post


def audit(cid):
    r = subprocess.run([os.environ["PLEDGED_BIN"], "audit", cid],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def test_16_clients_400_pledges_each_sent_twice():
    cid = campaign()
    before = get(f"/v1/campaigns/{cid}/totals").json()
    jobs = [(str(uuid.uuid4()), random.choice([0, 250000, 500000,
                                               random.randint(100, 99999)]))
            for _ in range(400)]
    statuses, ids = [], {}
    lock = threading.Lock()

    def worker(part):
        for key, amount in part:
            first = post(cid, amount, key)
            second = post(cid, amount, key)
            with lock:
                statuses.extend([first.status, second.status])
                if first.status == 201:
                    ids[key] = first.json()["pledge"]["id"]
                if second.status == 201:
                    assert second.json()["pledge"]["id"] == ids[key]
                    assert second.header("idempotent-replayed") == "true"
                    assert second.body == first.body

    threads = [threading.Thread(target=worker, args=(jobs[i::16],))
               for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(201) == 800, {s: statuses.count(s)
                                        for s in set(statuses)}
    after = get(f"/v1/campaigns/{cid}/totals").json()
    assert after["raised_minor"] - before["raised_minor"] == \
        sum(a for _, a in jobs)
    assert after["supporters"] - before["supporters"] == 400
    assert after["seq"] == 400 and ledger_count(cid) == 400
    assert "ok" in audit(cid)


def pg(cmd):
    subprocess.run(["scripts/pg", cmd, os.environ["PLEDGED_PG_CLUSTER"]],
                   check=True, capture_output=True)


def test_postgres_down_and_back_without_restart():
    cid = campaign()
    accepted = {}  # key -> (amount, pledge id) of every 201
    unanswered = []  # keys whose request got no 201
    stop = threading.Event()
    seen = []

    def load():
        while not stop.is_set():
            key, amount = str(uuid.uuid4()), random.randint(100, 5000)
            try:
                r = post(cid, amount, key)
                seen.append(r.status)
                if r.status == 201:
                    accepted[key] = (amount, r.json()["pledge"]["id"])
                else:
                    assert r.status == 503, (r.status, r.body)
                    assert r.header("retry-after")
                    unanswered.append((key, amount))
            except OSError:
                unanswered.append((key, amount))
            time.sleep(0.01)

    t = threading.Thread(target=load)
    t.start()
    time.sleep(0.5)
    pg("stop")
    time.sleep(1.0)
    down = get("/readyz")
    assert down.status == 503 and down.json()["error"]["code"] == \
        "database_unavailable"
    r = get(f"/v1/campaigns/{cid}")
    assert r.status == 503 and r.header("retry-after")
    pg("start")
    time.sleep(1.0)
    stop.set()
    t.join()
    assert get("/readyz").status == 200
    assert 503 in seen, "the outage was not observed"
    assert seen[-1] == 201, seen[-5:]
    # Clients resend whatever got no 201, with the same key.
    for key, amount in unanswered:
        r = post(cid, amount, key)
        assert r.status == 201, r.body
        accepted[key] = (amount, r.json()["pledge"]["id"])
    # Every 201 is in the ledger exactly once.
    for key, (amount, pid) in accepted.items():
        r = post(cid, amount, key)
        assert r.status == 201 and r.json()["pledge"]["id"] == pid
    n = int(psql("SELECT count(DISTINCT pledge_id) FROM ledger_entries "
                 "WHERE campaign_id = :'v1'", cid))
    assert n == len(accepted) == ledger_count(cid)
    totals = get(f"/v1/campaigns/{cid}/totals").json()
    assert totals["raised_minor"] == sum(a for a, _ in accepted.values())
    assert "ok" in audit(cid)


def test_totals_are_fresh_across_instances():
    import client
    from fixtures import server
    from test_admin import admin
    cid = campaign()
    main = client.BASE
    with server() as b:
        other = client.BASE
        for _ in range(3):  # warm B's cache
            assert get(f"/v1/campaigns/{cid}/totals").json()["seq"] == 0
        client.BASE = main
        assert post(cid, 250000, str(uuid.uuid4())).status == 201
        r = admin("PATCH", f"/v1/admin/campaigns/{cid}", {"goal_minor": 777777})
        assert r.status == 200, r.body
        client.BASE = other
        deadline = time.monotonic() + 1.0
        while True:
            t = get(f"/v1/campaigns/{cid}/totals").json()
            if t["seq"] == 1 and t["goal_minor"] == 777777:
                break
            assert time.monotonic() < deadline, f"stale after 1 s: {t}"
            time.sleep(0.02)
        metrics = get("/metrics", headers={"Authorization": "Bearer " + os.environ["PLEDGED_METRICS_TOKEN"]}).body.decode()
        assert 'pledged_cache_reads_total{result="hit"}' in metrics
        assert "pledged_cache_listening 1" in metrics
