"""The event log (docs/EVENTS.md): every change has its event, written in
the change's own transaction, numbered without gaps; pages by cursor; the
same as Server-Sent Events with Last-Event-ID; no donor email in data."""
import threading
import time
import uuid

from client import assert_error, get, request
from fixtures import admin_token, psql
from test_payments import admin, new_campaign, pay, pledge


def events(after=0, **q):
    qs = "&".join(f"{k}={v}" for k, v in dict(after=after, **q).items())
    r = admin("GET", f"/v1/admin/events?{qs}")
    assert r.status == 200, r.body
    return r.json()


def head():
    return int(psql("SELECT seq FROM event_head"))


def test_every_change_has_its_event_in_order_without_gaps():
    start = head()
    c = new_campaign(provider="offline")
    cid = c["id"]
    r = request("POST", f"/v1/campaigns/{cid}/pledges",
                body={"amount_minor": 2500, "donor_name": "Ada",
                      "donor_email": "ada@example.org", "message": "hi"},
                headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status == 201, r.body
    p = r.json()["pledge"]
    anon = request("POST", f"/v1/campaigns/{cid}/pledges",
                   body={"amount_minor": 1000, "donor_name": "Bo",
                         "anonymous": True},
                   headers={"Idempotency-Key": str(uuid.uuid4())})
    assert anon.status == 201
    assert pay(p["id"], 2500).status == 201
    assert admin("POST", f"/v1/admin/pledges/{p['id']}/refund",
                 key=str(uuid.uuid4())).status == 201
    assert admin("PATCH", f"/v1/admin/campaigns/{cid}",
                 {"title": "Renamed"}).status == 200
    assert admin("PATCH", f"/v1/admin/campaigns/{cid}",
                 {"status": "closed"}).status == 200
    mine = [e for e in events(start, limit=1000)["events"]
            if e.get("campaign_id") == cid]
    assert [e["type"] for e in mine] == [
        "campaign.created", "pledge.created", "pledge.created",
        "payment.succeeded", "payment.refunded", "pledge.refunded",
        "campaign.updated", "campaign.updated", "campaign.closed"], mine
    created = mine[1]["data"]
    assert created["pledge_id"] == p["id"] and created["amount_minor"] == 2500
    assert created["donor_name"] == "Ada" and created["message"] == "hi"
    assert mine[2]["data"]["donor_name"] is None  # anonymous
    for e in mine:  # no email anywhere in what the API shows
        assert "example.org" not in str(e), e
        uuid.UUID(e["id"])
    assert mine[3]["data"]["method"] == "cheque"
    assert mine[-1]["data"]["status"] == "closed"
    assert mine[6]["data"]["title"] == "Renamed"
    # Gap-free from the first event, across every test that ran before.
    n, top = psql("SELECT count(*), max(event_seq) FROM events").split("|")
    assert n == top and int(top) == head()


def test_refused_changes_leave_no_event():
    cid = new_campaign()["id"]
    assert admin("PATCH", f"/v1/admin/campaigns/{cid}",
                 {"status": "closed"}).status == 200
    before = head()
    r = request("POST", f"/v1/campaigns/{cid}/pledges",
                body={"amount_minor": 1000},
                headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status == 409
    assert admin("PATCH", f"/v1/admin/campaigns/{cid}",
                 {"goal_minor": -5}).status == 422
    assert head() == before
    # A pledge's event count equals the pledges, everywhere.
    assert psql("SELECT count(*) FROM events WHERE type = "
                "'pledge.created'") == psql(
        "SELECT count(*) FROM pledges p WHERE EXISTS (SELECT 1 FROM events "
        "e WHERE e.pledge_id = p.id)")


def test_paging_by_cursor_and_types():
    cid = new_campaign()["id"]
    start = head()
    for _ in range(5):
        pledge(cid, 1000)
    page1 = events(start, limit=2, types="pledge.created")
    assert len(page1["events"]) == 2
    page2 = events(page1["next"], limit=2, types="pledge.created")
    page3 = events(page2["next"], limit=2, types="pledge.created")
    seqs = [e["event_seq"] for p in (page1, page2, page3)
            for e in p["events"]]
    assert seqs == sorted(seqs) and len(seqs) == 5 == len(set(seqs))
    assert all(e["type"] == "pledge.created" for p in (page1, page2, page3)
               for e in p["events"])
    assert events(seqs[-1], types="pledge.created")["events"] == []
    assert events(seqs[-1])["next"] == seqs[-1]
    both = events(start, types="pledge.created,campaign.created")
    assert len(both["events"]) == 5


def test_bad_event_queries_name_the_field():
    for q, field in (("after=-1", "after"), ("after=x", "after"),
                     ("limit=0", "limit"), ("limit=1001", "limit"),
                     ("types=pledge.nope", "types"), ("types=a,,b", "types"),
                     ("types=%C3%A9", "types")):
        r = admin("GET", f"/v1/admin/events?{q}")
        assert assert_error(r, 422)["field"] == field, (q, r.body)
    assert_error(get("/v1/admin/events"), 401)
    assert_error(get("/v1/admin/events/stream"), 401)
    r = request("GET", "/v1/admin/events/stream", headers={
        "Authorization": "Bearer " + admin_token(), "Last-Event-ID": "x"})
    assert assert_error(r, 422)["field"] == "Last-Event-ID"


def sse(after=None, last=None, types=None):
    h = {"Authorization": "Bearer " + admin_token()}
    if last is not None:
        h["Last-Event-ID"] = str(last)
    q = []
    if after is not None:
        q.append(f"after={after}")
    if types:
        q.append(f"types={types}")
    r = request("GET", "/v1/admin/events/stream?" + "&".join(q), headers=h)
    assert r.status == 200, r.body
    assert r.header("content-type").startswith("text/event-stream")
    out = []
    for block in r.body.decode().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines()
                      if ": " in line and not line.startswith(":"))
        if "id" in fields and "data" in fields:
            out.append((int(fields["id"]), fields["event"], fields["data"]))
        elif "id" in fields:  # an id alone: the cursor moves past others
            out.append((int(fields["id"]), None, None))
    return out


def test_the_stream_waits_for_the_next_event_and_resumes_by_id():
    cid = new_campaign()["id"]
    start = head()
    got, t0 = [], time.monotonic()
    waiter = threading.Thread(target=lambda: got.extend(sse(last=start)))
    waiter.start()
    time.sleep(0.3)
    p = pledge(cid, 1234)
    waiter.join(timeout=10)
    elapsed = time.monotonic() - t0
    assert got and got[0][1] == "pledge.created", got
    assert p["id"] in got[0][2] and got[0][0] == start + 1
    assert elapsed < 5, elapsed
    # Resuming by Last-Event-ID: what came after, nothing before.
    pledge(cid, 150)
    pledge(cid, 160)
    rest = sse(last=got[0][0])
    assert [s for s, _, _ in rest] == [start + 2, start + 3]


def test_a_filtered_stream_moves_its_cursor_past_other_events():
    cid = new_campaign()["id"]
    start = head()
    for _ in range(3):
        pledge(cid, 170)
    time.sleep(1.2)  # the bell has read the head
    got = sse(last=start, types="campaign.created")
    # No campaign was made: no event, but the cursor moves to the head, so
    # the client does not ask for those pledges' events again.
    assert got == [(head(), None, None)], got


def test_a_server_that_stops_answers_its_waiting_streams_first():
    import signal
    import client
    from fixtures import server
    srv = server()
    srv.__enter__()
    got, errors = [], []

    def wait():
        try:
            got.append(sse(last=head()))
        except Exception as e:  # noqa: BLE001 (the test says which)
            errors.append(e)
    try:
        waiter = threading.Thread(target=wait)
        waiter.start()
        time.sleep(0.5)  # the stream is waiting, suspended
        srv.proc.send_signal(signal.SIGTERM)
        code = srv.proc.wait(timeout=15)
        waiter.join(timeout=15)
    finally:
        client.BASE = srv.saved
    # libmicrohttpd aborts when stopped with a connection suspended: the
    # stream must have been answered (no event) and the server exit 0.
    assert code == 0, code
    assert errors == [] and got == [[]], (got, errors)
