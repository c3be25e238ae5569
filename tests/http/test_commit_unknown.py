"""A pledge batch whose COMMIT was not answered: the connection is lost
after the commit record is written and before the answer (here: the
backend terminated while it waits for a synchronous standby, as a failover
does). pledged must ask the database what became of the batch, never
guess: each pledge found is answered 201 (and is in the ledger once), and a
retry with the same key replays it."""
import threading
import time
import uuid

from client import request
from fixtures import campaign, psql


def post(cid, amount, key):
    return request("POST", f"/v1/campaigns/{cid}/pledges",
                   body={"amount_minor": amount},
                   headers={"Idempotency-Key": key})


def test_lost_commit_answer_is_resolved_from_the_database():
    cid = campaign()
    keys = [str(uuid.uuid4()) for _ in range(4)]
    answers = {}

    def send(key):
        try:
            answers[key] = post(cid, 1234, key)
        except OSError as e:
            answers[key] = e

    # A synchronous standby that never comes: every COMMIT waits for it
    # after writing its commit record.
    psql("ALTER SYSTEM SET synchronous_standby_names = 'nobody'")
    psql("SELECT pg_reload_conf()")
    try:
        threads = [threading.Thread(target=send, args=(k,)) for k in keys]
        for t in threads:
            t.start()
        waiting = 0
        for _ in range(100):
            waiting = int(psql("SELECT count(*) FROM pg_stat_activity WHERE "
                               "wait_event = 'SyncRep'"))
            if waiting:
                break
            time.sleep(0.05)
        assert waiting, "no COMMIT waited for the standby"
        time.sleep(0.3)  # the other batches queue behind
        # The answer to those COMMITs is lost: terminate their backends.
        psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
             "wait_event = 'SyncRep'")
        time.sleep(0.3)
    finally:
        psql("ALTER SYSTEM RESET synchronous_standby_names")
        psql("SELECT pg_reload_conf()")
    for t in threads:
        t.join()
    committed = set(psql("SELECT key FROM idempotency_keys WHERE key = "
                         "ANY(string_to_array(:'v1', ','))",
                         ",".join(keys)).split())
    print("    answers:", [getattr(answers[k], "status", answers[k]) for k in keys],
          "committed:", len(committed))
    assert committed, "no pledge committed before the answer was lost"
    for k in keys:
        r = answers[k]
        assert not isinstance(r, OSError), r
        if k in committed:
            # In the database: answered 201, not a 503 that would only
            # tell the donor to try again.
            assert r.status == 201, (r.status, r.body)
        else:
            assert r.status in (201, 503), (r.status, r.body)
        if r.status == 503:
            assert r.header("retry-after")
    for k in keys:
        again = post(cid, 1234, k)
        assert again.status == 201, again.body
        if answers[k].status == 201:
            assert again.header("idempotent-replayed") == "true"
            assert again.json()["pledge"]["id"] == \
                answers[k].json()["pledge"]["id"]
    n, distinct = map(int, psql(
        "SELECT count(*), count(DISTINCT pledge_id) FROM ledger_entries "
        "WHERE campaign_id = :'v1'", cid).split("|"))
    assert n == distinct == len(keys), (n, distinct)
