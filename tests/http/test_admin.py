"""Admin: tokens, campaign management, paging, refunds, audit."""
import os
import subprocess
import threading
import time
import uuid

import client
from client import assert_error, get, request
from fixtures import admin_token, psql, server
from verifiers import nacl_ok, openssl_ok, public_keys


def auth(token=None):
    return {"Authorization": "Bearer " + (token or admin_token())}


def admin(method, path, body=None, key=None, token=None, raw=False):
    h = auth(token)
    if key:
        h["Idempotency-Key"] = key
    return request(method, path, body=body, headers=h, raw=raw)


def cli(*args):
    return subprocess.run([os.environ["PLEDGED_BIN"], *args],
                          capture_output=True, text=True)


def new_campaign(**over):
    body = {"id": "a-" + uuid.uuid4().hex[:10], "title": "Admin test",
            "currency": "USD", "goal_minor": 100000,
            "tiers": [0, 1000, 5000]}
    body.update(over)
    return admin("POST", "/v1/admin/campaigns", body,
                 key=str(uuid.uuid4())), body


def pledge(cid, amount, key=None):
    return request("POST", f"/v1/campaigns/{cid}/pledges",
                   body={"amount_minor": amount, "donor_name": "Dee",
                         "donor_email": "dee@example.org"},
                   headers={"Idempotency-Key": key or str(uuid.uuid4())})


def test_401_for_revoked_token():
    name = "t" + uuid.uuid4().hex[:8]
    made = cli("token", "create", name)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert len(token) == 43
    assert admin("GET", "/v1/admin/campaigns", token=token).status == 200
    assert name in cli("token", "list").stdout
    assert cli("token", "revoke", name).returncode == 0
    assert_error(admin("GET", "/v1/admin/campaigns", token=token), 401,
                 "unauthorized")
    assert cli("token", "revoke", name).returncode == 1
    # Only the hash is stored.
    assert psql("SELECT count(*) FROM admin_tokens WHERE "
                "encode(token_hash, 'escape') LIKE '%' || :'v1' || '%'",
                token) == "0"


def test_create_validates_every_field():
    cases = [
        ({"id": "Bad Id"}, 422, "id"),
        ({"id": "x" * 65}, 422, "id"),
        ({"currency": "usd"}, 422, "currency"),
        ({"currency": "XYZ"}, 422, "currency"),
        ({"goal_minor": 0}, 422, "goal_minor"),
        ({"goal_minor": -5}, 422, "goal_minor"),
        ({"tiers": [5000, 1000]}, 422, "tiers"),
        ({"tiers": [1000, 1000]}, 422, "tiers"),
        ({"tiers": []}, 422, "tiers"),
        ({"tiers": [-1]}, 422, "tiers"),
        ({"min_custom_minor": 0}, 422, "min_custom_minor"),
        ({"min_custom_minor": 500, "max_custom_minor": 100}, 422,
         "max_custom_minor"),
        ({"deadline": "next tuesday"}, 422, "deadline"),
        ({"status": "paused"}, 422, "status"),
        ({"allowed_origins": ["ftp://x"]}, 422, "allowed_origins"),
        ({"title": ""}, 422, "title"),
        ({"goal_minor": "100"}, 400, "goal_minor"),
        ({"tiers": "0,1"}, 400, "tiers"),
        ({"color": "red"}, 400, "color"),
    ]
    for over, status, field in cases:
        r, _ = new_campaign(**over)
        e = assert_error(r, status)
        assert e.get("field") == field, (over, e)
    r, body = new_campaign(deadline="2031-01-01T00:00:00Z",
                           allowed_origins=["https://news.example"])
    assert r.status == 201, r.body
    c = r.json()
    assert c["tiers"] == [0, 1000, 5000] and c["raised_minor"] == 0
    assert c["deadline"] == "2031-01-01T00:00:00.000000Z"
    dup = admin("POST", "/v1/admin/campaigns", body, key=str(uuid.uuid4()))
    assert_error(dup, 409)
    assert_error(admin("POST", "/v1/admin/campaigns", {"id": "only-id"},
                       key=str(uuid.uuid4())), 422)


def test_update_and_closing_stops_pledges():
    r, body = new_campaign()
    cid = body["id"]
    assert pledge(cid, 1000).status == 201
    r = admin("PATCH", f"/v1/admin/campaigns/{cid}",
              {"title": "Renamed", "goal_minor": 200000,
               "tiers": [0, 2000, 9000]})
    assert r.status == 200, r.body
    c = r.json()
    assert c["title"] == "Renamed" and c["goal_minor"] == 200000
    assert c["raised_minor"] == 1000  # the ledger is untouched
    assert_error(admin("PATCH", f"/v1/admin/campaigns/{cid}",
                       {"tiers": [3, 2]}), 422)
    assert_error(admin("PATCH", f"/v1/admin/campaigns/{cid}",
                       {"currency": "EUR"}), 422)
    assert_error(admin("PATCH", "/v1/admin/campaigns/no-such",
                       {"title": "x"}), 404)
    assert admin("PATCH", f"/v1/admin/campaigns/{cid}",
                 {"status": "closed"}).status == 200
    assert_error(pledge(cid, 2000), 409, "campaign_closed")
    assert admin("PATCH", f"/v1/admin/campaigns/{cid}",
                 {"status": "open"}).status == 200
    assert pledge(cid, 2000).status == 201
    log = psql("SELECT string_agg(action, ',' ORDER BY id) FROM admin_log "
               "WHERE target = :'v1'", cid)
    assert log == "campaign.create,campaign.update,campaign.update," \
                  "campaign.update", log


def test_paging_returns_every_pledge_once_while_new_ones_arrive():
    _, body = new_campaign()
    cid = body["id"]
    initial = {pledge(cid, 100 + i).json()["pledge"]["id"]
               for i in range(120)}
    stop = threading.Event()

    def writer():
        while not stop.is_set():
            pledge(cid, 5000)

    t = threading.Thread(target=writer)
    t.start()
    seen, after, pages = [], None, 0
    try:
        while True:
            q = "?limit=25" + (f"&after={after}" if after else "")
            r = admin("GET", f"/v1/admin/campaigns/{cid}/pledges{q}")
            assert r.status == 200, r.body
            page = r.json()
            seqs = [p["seq"] for p in page["pledges"]]
            assert seqs == sorted(seqs, reverse=True)  # newest first
            seen += page["pledges"]
            pages += 1
            after = page["next"]
            if after is None:
                break
    finally:
        stop.set()
        t.join()
    ids = [p["id"] for p in seen]
    assert len(ids) == len(set(ids)), "a pledge appeared twice"
    assert initial <= set(ids), "a pledge was skipped"
    assert pages >= 5
    assert seen[-1]["donor_email"] == "dee@example.org"  # private fields
    assert_error(admin("GET", f"/v1/admin/campaigns/{cid}/pledges?limit=0"),
                 422)
    assert_error(admin("GET", f"/v1/admin/campaigns/{cid}/pledges?after=x"),
                 422)


def test_refund_once_with_a_verifiable_receipt():
    _, body = new_campaign()
    cid = body["id"]
    p = pledge(cid, 5000).json()["pledge"]
    pledge(cid, 1000)
    before = get(f"/v1/campaigns/{cid}/totals").json()
    key = str(uuid.uuid4())
    r1 = admin("POST", f"/v1/admin/pledges/{p['id']}/refund", key=key)
    assert r1.status == 201, r1.body
    out = r1.json()
    assert out["refund"]["amount_minor"] == -5000
    assert out["refund"]["pledge_id"] == p["id"]
    rec = out["receipt"]["receipt"]
    assert rec["type"] == "refund_receipt" and rec["pledge_id"] == p["id"]
    assert rec["amount_minor"] == -5000
    keys = public_keys()
    assert nacl_ok(out["receipt"], keys) and openssl_ok(out["receipt"], keys)
    after = get(f"/v1/campaigns/{cid}/totals").json()
    assert after["raised_minor"] == before["raised_minor"] - 5000
    assert after["supporters"] == before["supporters"] - 1
    r2 = admin("POST", f"/v1/admin/pledges/{p['id']}/refund", key=key)
    assert r2.status == 201 and r2.body == r1.body
    assert r2.header("idempotent-replayed") == "true"
    assert_error(admin("POST", f"/v1/admin/pledges/{p['id']}/refund",
                       key=str(uuid.uuid4())), 409)
    assert_error(admin("POST",
                       f"/v1/admin/pledges/{out['refund']['id']}/refund",
                       key=str(uuid.uuid4())), 409)
    assert_error(admin("POST", f"/v1/admin/pledges/{uuid.uuid4()}/refund",
                       key=str(uuid.uuid4())), 404)
    assert_error(admin("POST", f"/v1/admin/pledges/{p['id']}/refund"), 400,
                 "idempotency_key_required")
    assert get(f"/v1/campaigns/{cid}/totals").json() == after


def test_audit_ok_then_finds_a_corrupted_row():
    _, body = new_campaign()
    cid = body["id"]
    for amount in (1000, 5000, 777):
        assert pledge(cid, amount).status == 201
    # Receipts are stored just after the answer: wait for them.
    for _ in range(100):
        a = admin("GET", f"/v1/admin/campaigns/{cid}/audit").json()
        if a["receipts"] == 3:
            break
        time.sleep(0.02)
    assert a["ok"] is True and a["problems"] == []
    assert a["entries"] == 3 and a["raised_minor"] == 6777
    assert a["receipts"] == 3
    assert cli("audit", cid).returncode == 0
    psql("SET session_replication_role = replica; "
         "UPDATE ledger_entries SET amount_minor = 9999 "
         "WHERE campaign_id = :'v1' AND seq = 2", cid)
    a = admin("GET", f"/v1/admin/campaigns/{cid}/audit").json()
    assert a["ok"] is False
    text = " ".join(a["problems"])
    assert "seq 2" in text and "totals" in text, a["problems"]
    bad = cli("audit", cid)
    assert bad.returncode == 1 and "seq 2" in bad.stdout


def test_audit_finds_a_forged_receipt():
    _, body = new_campaign()
    cid = body["id"]
    pid = pledge(cid, 1000).json()["pledge"]["id"]
    for _ in range(100):  # the receipt is stored just after the answer
        if psql("SELECT count(*) FROM receipts WHERE subject_id = :'v1'",
                pid) == "1":
            break
        time.sleep(0.02)
    psql("SET session_replication_role = replica; "
         "UPDATE receipts SET body = replace(body, '\"amount_minor\":1000', "
         "'\"amount_minor\":1001') WHERE subject_id = :'v1'", pid)
    a = admin("GET", f"/v1/admin/campaigns/{cid}/audit").json()
    assert a["ok"] is False and "signature" in " ".join(a["problems"])


def test_dashboard_page_is_locked_down():
    r = get("/admin")
    assert r.status == 200 and b"Admin token" in r.body
    assert r.header("x-frame-options") == "DENY"
    csp = r.header("content-security-policy")
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert get("/admin.js").header("x-frame-options") == "DENY"
    embed = get("/embed/help-us")
    assert embed.header("x-frame-options") is None  # the embed may be framed


def test_failed_sign_ins_are_rate_limited():
    with server():
        codes = [admin("GET", "/v1/admin/campaigns", token="wrong").status
                 for _ in range(12)]
        assert codes[:10] == [401] * 10 and codes[-1] == 429, codes
        r = admin("GET", "/v1/admin/campaigns")  # even a good token waits
        assert_error(r, 429)
        assert r.header("retry-after")
