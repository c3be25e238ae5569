"""Crashes under load: kill -9 of pledged, and an immediate stop of
Postgres. Nothing acknowledged is lost, nothing is counted twice."""
import os
import random
import signal
import subprocess
import threading
import time
import uuid

import client
from client import get, request
from fixtures import campaign, psql, server, post_pledge as post, resend

ROUNDS = int(os.environ.get("PLEDGED_CRASH_ROUNDS", "5"))


def load(cid, stop, acked, lost, lock):
    """Sends pledges until stop; a request without an answer is lost."""
    while not stop.is_set():
        key, amount = str(uuid.uuid4()), random.randint(100, 9999)
        try:
            r = post(cid, amount, key)
            ok = r.status == 201
        except OSError:
            ok = False
        with lock:
            if ok:
                acked[key] = (amount, r.json()["pledge"]["id"])
            else:
                lost.append((key, amount))


def settle(cid, acked, lost):
    """Resends every unanswered request with its key, then checks that each
    acknowledged pledge is in the ledger once and the books balance."""
    resend(cid, lost, acked)
    rows = psql("SELECT count(*), count(DISTINCT pledge_id), "
                "coalesce(sum(amount_minor), 0) FROM ledger_entries "
                "WHERE campaign_id = :'v1'", cid)
    n, distinct, total = map(int, rows.split("|"))
    assert n == distinct == len(acked), (n, distinct, len(acked))
    ids = {pid for _, pid in acked.values()}
    stored = set(psql("SELECT id FROM pledges WHERE campaign_id = :'v1'",
                      cid).split())
    assert stored == ids
    assert total == sum(a for a, _ in acked.values())
    assert get(f"/v1/campaigns/{cid}/totals").json()["raised_minor"] == total
    audit = subprocess.run([os.environ["PLEDGED_BIN"], "audit", cid],
                           capture_output=True, text=True)
    assert audit.returncode == 0, audit.stdout
    return n


def run_load(cid, seconds, crash):
    acked, lost, lock, stop = {}, [], threading.Lock(), threading.Event()
    threads = [threading.Thread(target=load, args=(cid, stop, acked, lost,
                                                   lock)) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    crash()
    stop.set()
    for t in threads:
        t.join()
    return acked, lost


def test_kill_9_of_pledged_loses_nothing_five_times():
    for round_no in range(1, ROUNDS + 1):
        cid = campaign()
        srv = server()
        srv.__enter__()
        try:
            acked, lost = run_load(
                cid, 1.0 + random.random(),
                lambda: os.kill(srv.proc.pid, signal.SIGKILL))
            srv.proc.wait()
        finally:
            client.BASE = srv.saved
        assert len(acked) >= 200, f"only {len(acked)} acknowledged"
        before = len(acked)
        with server():  # started again, as a user would
            n = settle(cid, acked, lost)
        print(f"    kill -9 round {round_no}: {before} acknowledged, "
              f"{len(lost)} resent, {n} in the ledger, audit clean")


def test_immediate_stop_of_postgres_loses_nothing():
    cluster = os.environ["PLEDGED_PG_CLUSTER"]
    pg = lambda cmd: subprocess.run(["scripts/pg", cmd, cluster], check=True,
                                    capture_output=True)
    for round_no in range(1, max(2, ROUNDS // 2) + 1):
        cid = campaign()
        seen_503 = []

        def crash():
            pg("kill")  # pg_ctl stop -m immediate: a power cut
            time.sleep(0.5)
            r = get(f"/v1/campaigns/{cid}")
            seen_503.append(r.status)
            pg("start")

        acked, lost = run_load(cid, 1.0, crash)
        before = len(acked)
        assert 503 in seen_503, seen_503
        for _ in range(100):
            if get("/readyz").status == 200:
                break
            time.sleep(0.1)
        assert len(acked) >= 200, f"only {len(acked)} acknowledged"
        n = settle(cid, acked, lost)
        print(f"    postgres crash round {round_no}: {before} acknowledged, "
              f"{len(lost)} resent, {n} in the ledger, audit clean")
