"""A pledge batch whose COMMIT was not answered (the connection lost
during COMMIT, as in a failover): pledged must ask the database what became
of the batch, never guess. Lost after the commit record was written (the
backend terminated while it waits for a synchronous standby): each pledge
is found, answered 201 (only once the standby requirement is met: a
pledge committed on the primary alone is not answered, nor replayed) and
in the ledger once, and a retry replays it.
Lost before (terminated in a deferred trigger): nothing committed, 503 with
Retry-After, and the retry records each pledge once."""
import contextlib
import threading
import time
import uuid

from fixtures import campaign, psql, post_pledge as post


@contextlib.contextmanager
def standby_never_comes():
    """A synchronous standby that never comes: every COMMIT waits for it
    after writing its commit record, until the requirement is lifted."""
    psql("ALTER SYSTEM SET synchronous_standby_names = 'nobody'")
    psql("SELECT pg_reload_conf()")
    try:
        yield
    finally:
        psql("ALTER SYSTEM RESET synchronous_standby_names")
        psql("SELECT pg_reload_conf()")


def commits_waiting():
    """How many COMMITs wait for the standby, once one does (or 0)."""
    for _ in range(100):
        waiting = int(psql("SELECT count(*) FROM pg_stat_activity WHERE "
                           "wait_event = 'SyncRep'"))
        if waiting:
            return waiting
        time.sleep(0.05)
    return 0


def cut_waiting_commits():
    """Loses the answers to the COMMITs waiting for the standby: their
    backends are terminated (they stay committed here alone)."""
    psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
         "wait_event = 'SyncRep'")


def test_lost_commit_answer_is_resolved_from_the_database():
    cid = campaign()
    keys = [str(uuid.uuid4()) for _ in range(4)]
    answers = {}

    def send(key):
        try:
            answers[key] = post(cid, 1234, key)
        except OSError as e:
            answers[key] = e

    # The standby requirement lifted at the end: the commits count as
    # durable.
    with standby_never_comes():
        threads = [threading.Thread(target=send, args=(k,)) for k in keys]
        for t in threads:
            t.start()
        assert commits_waiting(), "no COMMIT waited for the standby"
        time.sleep(0.3)  # the other batches queue behind
        cut_waiting_commits()
        # Their pledges are committed here alone: while the standby has
        # not confirmed them, neither the batch's resolution nor a retry
        # with the same key (a replay) may answer 201 (a failover now
        # would lose them).
        here = psql("SELECT key FROM idempotency_keys WHERE key = "
                    "ANY(string_to_array(:'v1', ','))", ",".join(keys))
        assert here, "no pledge committed before the answer was lost"
        retried = here.split()[0]
        retry = threading.Thread(target=lambda: answers.__setitem__(
            "retry", post(cid, 1234, retried)))
        retry.start()
        time.sleep(1.5)
        early = {k: getattr(v, "status", v) for k, v in answers.items()}
        assert not early, f"answered before the standby had it: {early}"
    for t in threads + [retry]:
        t.join()
    r = answers.pop("retry")
    assert r.status == 201 and r.header("idempotent-replayed") == "true", \
        (r.status, r.body)
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


def test_a_replay_waits_until_what_it_answers_is_on_the_standby():
    """A keyed write committed on the primary alone (its COMMIT's wait for
    the synchronous standby cut short: its request got a 503) is answered
    by the retry with its Idempotency-Key, a replay, only once the standby
    requirement is met: before, a failover could still lose it. A campaign
    made by staff: its replay writes nothing of its own that would wait."""
    from test_payments import admin
    cid = "d-" + uuid.uuid4().hex[:10]
    body = {"id": cid, "title": "Durable", "currency": "EUR",
            "goal_minor": 100000, "tiers": [0, 1000]}
    key = str(uuid.uuid4())
    answers = {}

    def create(name):
        answers[name] = admin("POST", "/v1/admin/campaigns", body, key=key)

    with standby_never_comes():
        first = threading.Thread(target=create, args=("first",))
        first.start()
        assert commits_waiting(), "the COMMIT did not wait for the standby"
        cut_waiting_commits()
        first.join()
        assert answers["first"].status == 503, answers["first"].body
        assert psql("SELECT count(*) FROM campaigns WHERE id = :'v1'",
                    cid) == "1", "the campaign did not commit"
        retry = threading.Thread(target=create, args=("retry",))
        retry.start()
        time.sleep(1.5)
        assert "retry" not in answers, answers["retry"].status
    retry.join()
    r = answers["retry"]
    assert r.status == 201 and r.header("idempotent-replayed") == "true", \
        (r.status, r.body)
