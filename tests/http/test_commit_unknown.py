"""A pledge batch whose COMMIT was not answered (the connection lost
during COMMIT, as in a failover): pledged must ask the database what became
of the batch, never guess. Lost after the commit record was written (the
backend terminated while it waits for a synchronous standby): each pledge
is found, answered 201 and in the ledger once, and a retry replays it.
Lost before (terminated in a deferred trigger): nothing committed, 503 with
Retry-After, and the retry records each pledge once."""
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


def test_commit_lost_before_its_record_is_answered_503_then_once():
    """The other way: the connection is lost during COMMIT before the
    commit record is written (a deferred trigger still runs), so nothing
    is committed. pledged must not guess 201: 503 with Retry-After, and the
    retry with the same key records each pledge once."""
    cid = campaign()
    keys = [str(uuid.uuid4()) for _ in range(3)]
    answers = {}

    def send(key):
        try:
            answers[key] = post(cid, 1234, key)
        except OSError as e:
            answers[key] = e

    psql(f"""CREATE FUNCTION test_slow_commit() RETURNS trigger
           LANGUAGE plpgsql AS $$ BEGIN IF NEW.campaign_id = '{cid}' THEN
           PERFORM pg_sleep(30); END IF; RETURN NULL; END $$;
           CREATE CONSTRAINT TRIGGER test_slow_commit AFTER INSERT ON pledges
           DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
           EXECUTE FUNCTION test_slow_commit()""")
    try:
        threads = [threading.Thread(target=send, args=(k,)) for k in keys]
        for t in threads:
            t.start()
        waiting = 0
        for _ in range(100):
            waiting = int(psql("SELECT count(*) FROM pg_stat_activity WHERE "
                               "wait_event = 'PgSleep' AND query = 'COMMIT'"))
            if waiting:
                break
            time.sleep(0.05)
        assert waiting, "no COMMIT ran the deferred trigger"
        time.sleep(0.3)
        psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
             "wait_event = 'PgSleep' AND query = 'COMMIT'")
        for _ in range(200):  # every batch in the sleep, ended in turn
            if all(k in answers for k in keys):
                break
            psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                 "WHERE wait_event = 'PgSleep' AND query = 'COMMIT'")
            time.sleep(0.05)
    finally:
        psql("DROP TRIGGER test_slow_commit ON pledges; "
             "DROP FUNCTION test_slow_commit()")
    for t in threads:
        t.join()
    assert psql("SELECT count(*) FROM idempotency_keys WHERE key = "
                "ANY(string_to_array(:'v1', ','))", ",".join(keys)) == "0"
    for k in keys:
        r = answers[k]
        assert not isinstance(r, OSError), r
        assert r.status == 503 and r.header("retry-after"), (r.status, r.body)
        assert r.json()["error"]["code"] == "database_unavailable", r.body
    for k in keys:
        again = post(cid, 1234, k)
        assert again.status == 201, again.body
        assert again.header("idempotent-replayed") is None
    n, distinct = map(int, psql(
        "SELECT count(*), count(DISTINCT pledge_id) FROM ledger_entries "
        "WHERE campaign_id = :'v1'", cid).split("|"))
    assert n == distinct == len(keys), (n, distinct)
