"""Money that moves (docs/PAYMENTS.md): offline payments with signed
payment receipts, collected totals, refunds of paid pledges moving both
totals, the sweep voiding unpaid promises exactly once with two
instances, and both totals recomputed from a CSV export by the kind rules
alone."""
import csv
import io
import os
import time
import uuid

import client
from client import get, request
from fixtures import admin_token, psql, server, totals_at
from verifiers import nacl_ok, openssl_ok, public_keys

# The documented rules, and nothing else: each kind moves one total.
RAISED = {"pledge", "refund", "void"}
COLLECTED = {"payment", "payment_reversal"}


def admin(method, path, body=None, key=None):
    h = {"Authorization": "Bearer " + admin_token()}
    if key:
        h["Idempotency-Key"] = key
    return request(method, path, body=body, headers=h)


def new_campaign(**money):
    cid = "m-" + uuid.uuid4().hex[:10]
    body = {"id": cid, "title": "Money", "currency": "EUR",
            "goal_minor": 1000000, "tiers": [0, 1000, 2500]}
    body.update(money)
    r = admin("POST", "/v1/admin/campaigns", body, key=str(uuid.uuid4()))
    assert r.status == 201, r.body
    return r.json()


def pledge(cid, amount):
    r = request("POST", f"/v1/campaigns/{cid}/pledges",
                body={"amount_minor": amount, "donor_name": "Dee"},
                headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status == 201, r.body
    return r.json()["pledge"]


def pay(pid, amount, method="cheque", key=None):
    return admin("POST", f"/v1/admin/pledges/{pid}/payments",
                 {"amount_minor": amount, "method": method},
                 key=key or str(uuid.uuid4()))


def export_rows(cid):
    r = admin("GET", f"/v1/admin/campaigns/{cid}/ledger.csv")
    assert r.status == 200, r.body
    return list(csv.DictReader(io.StringIO(r.body.decode(), newline="")))


def recompute(rows):
    raised = sum(int(r["amount_minor"]) for r in rows if r["kind"] in RAISED)
    collected = sum(int(r["amount_minor"]) for r in rows
                    if r["kind"] in COLLECTED)
    assert all(r["kind"] in RAISED | COLLECTED for r in rows), rows
    return raised, collected


def head(cid, seq=0):
    """The signed head, once it shows entry seq (heads are signed from the
    totals cache, which a notification refreshes just after the commit)."""
    for _ in range(250):
        doc = get(f"/v1/campaigns/{cid}/head").json()
        if doc["head"]["seq"] >= seq:
            break
        time.sleep(0.02)
    assert nacl_ok(doc, public_keys())
    return doc["head"]


def test_a_campaign_with_a_provider_shows_collected_money():
    c = new_campaign(provider="offline")
    assert c["provider"] == "offline" and c["shown_total"] == "collected"
    p = pledge(c["id"], 2500)
    t = totals_at(c["id"], 1)
    assert t["raised_minor"] == 2500 and t["collected_minor"] == 0
    assert t["shown_minor"] == 0 and t["percent"] == 0
    # The reference campaign keeps its page: promises shown as raised.
    ref = get("/v1/campaigns/help-us").json()
    assert ref["shown_total"] == "raised" and ref["display"]["raised"] != ""
    assert ref["shown_minor"] == ref["raised_minor"]
    assert pay(p["id"], 2500).status == 201
    t = totals_at(c["id"], 2)
    assert t["collected_minor"] == 2500 and t["shown_minor"] == 2500
    assert get(f"/v1/campaigns/{c['id']}").json()["display"]["raised"] == \
        "25 €"


def test_an_offline_payment_is_recorded_once_with_a_verified_receipt():
    c = new_campaign(provider="offline")
    p = pledge(c["id"], 2500)
    key = str(uuid.uuid4())
    r = pay(p["id"], 2500, "bank_transfer", key=key)
    assert r.status == 201, r.body
    doc = r.json()
    receipt = doc["receipt"]
    pks = public_keys()
    assert nacl_ok(receipt, pks) and openssl_ok(receipt, pks)
    R = receipt["receipt"]
    assert R["type"] == "payment_receipt" and R["amount_minor"] == 2500
    assert R["method"] == "bank_transfer" and R["provider"] == "offline"
    assert R["pledge_id"] == p["id"] and R["currency"] == "EUR"
    assert R["seq"] == 2 and R["entry_hash"] == doc["payment"]["entry_hash"]
    v = request("POST", "/v1/receipts/verify", body=receipt).json()
    assert v["valid"] and v["type"] == "payment_receipt"
    again = pay(p["id"], 2500, "bank_transfer", key=key)
    assert again.status == 201 and again.json() == doc
    assert again.header("idempotent-replayed") == "true"
    assert int(psql("SELECT count(*) FROM ledger_entries WHERE "
                    "pledge_id = :'v1' AND kind = 'payment'", p["id"])) == 1
    h = head(c["id"])
    assert h["collected_minor"] == 2500 and h["raised_minor"] == 2500
    rows = admin("GET", f"/v1/admin/campaigns/{c['id']}/pledges").json()
    row = [x for x in rows["pledges"] if x["id"] == p["id"]][0]
    assert row["payment_status"] == "paid" and row["paid_minor"] == 2500
    log = psql("SELECT count(*) FROM admin_log WHERE action = "
               "'payment.record' AND target = :'v1'", p["id"])
    assert int(log) == 1
    audit = admin("GET", f"/v1/admin/campaigns/{c['id']}/audit").json()
    assert audit["ok"] and audit["receipts"] >= 2, audit


def test_bad_payments_are_refused_by_name():
    c = new_campaign(provider="offline")
    p = pledge(c["id"], 1000)
    r = pay(p["id"], 0)
    assert r.status == 422 and r.json()["error"]["field"] == "amount_minor"
    r = pay(p["id"], 100, method="bitcoin")
    assert r.status == 422 and r.json()["error"]["field"] == "method"
    r = pay(str(uuid.uuid4()), 100)
    assert r.status == 404
    r = admin("POST", f"/v1/admin/pledges/{p['id']}/payments",
              {"amount_minor": 100, "method": "cash", "note": "x"},
              key=str(uuid.uuid4()))
    assert r.status == 400 and r.json()["error"]["field"] == "note"
    r = admin("POST", f"/v1/admin/pledges/{p['id']}/payments",
              {"amount_minor": 100, "method": "cash"})
    assert r.status == 400, r.body
    assert int(psql("SELECT count(*) FROM ledger_entries WHERE "
                    "pledge_id = :'v1'", p["id"])) == 1


def test_refunding_a_paid_pledge_moves_both_totals_at_once():
    c = new_campaign(provider="offline")
    cid = c["id"]
    paid, unpaid = pledge(cid, 2500), pledge(cid, 1000)
    assert pay(paid["id"], 2500).status == 201
    before = head(cid, 3)
    assert (before["raised_minor"], before["collected_minor"]) == (3500, 2500)
    r = admin("POST", f"/v1/admin/pledges/{paid['id']}/refund", {},
              key=str(uuid.uuid4()))
    assert r.status == 201, r.body
    after = head(cid, before["seq"] + 2)
    assert after["seq"] == before["seq"] + 2  # reversal and refund together
    assert (after["raised_minor"], after["collected_minor"]) == (1000, 0)
    kinds = psql("SELECT string_agg(kind, ',' ORDER BY seq) FROM "
                 "ledger_entries WHERE pledge_id = :'v1'", paid["id"])
    assert kinds == "pledge,payment,payment_reversal,refund", kinds
    # An unpaid promise refunded moves only the promised total.
    r = admin("POST", f"/v1/admin/pledges/{unpaid['id']}/refund", {},
              key=str(uuid.uuid4()))
    assert r.status == 201
    h = head(cid, after["seq"] + 1)
    assert (h["raised_minor"], h["collected_minor"]) == (0, 0)
    rows = admin("GET", f"/v1/admin/campaigns/{cid}/pledges").json()
    assert {x["payment_status"] for x in rows["pledges"]} == {"refunded"}


def test_both_totals_recomputed_from_the_csv_equal_the_signed_head():
    c = new_campaign(provider="offline", pledge_ttl_s=1)
    cid = c["id"]
    a, b, d = pledge(cid, 2500), pledge(cid, 1000), pledge(cid, 1234)
    assert pay(a["id"], 2500).status == 201
    assert pay(b["id"], 600, "cash").status == 201  # a part payment
    assert admin("POST", f"/v1/admin/pledges/{b['id']}/refund", {},
                 key=str(uuid.uuid4())).status == 201
    h = head(cid, 7)  # 3 pledges, 2 payments, a reversal and a refund
    rows = export_rows(cid)
    assert rows[-1]["entry_hash"] == h["entry_hash"]
    assert recompute(rows) == (h["raised_minor"], h["collected_minor"])
    assert {r["kind"] for r in rows} >= {"pledge", "payment",
                                         "payment_reversal", "refund"}
    pay_row = [r for r in rows if r["kind"] == "payment"][0]
    assert pay_row["provider"] == "offline" and pay_row["method"] == "cheque"
    assert d["id"]


def test_the_sweep_voids_each_stale_promise_once_with_two_instances():
    c = new_campaign(provider="offline", pledge_ttl_s=1)
    cid = c["id"]
    stale = [pledge(cid, 1000) for _ in range(6)]
    paid = pledge(cid, 2500)
    assert pay(paid["id"], 2500).status == 201
    free = pledge(cid, 0)  # a free supporter pledge has nothing to pay
    later = new_campaign(provider="offline", pledge_ttl_s=3600)
    young = pledge(later["id"], 1000)  # its time has not come
    time.sleep(1.2)
    with server(PLEDGED_SWEEP_SECS="1"), server(PLEDGED_SWEEP_SECS="1"):
        for _ in range(100):
            n = int(psql("SELECT count(*) FROM ledger_entries WHERE "
                         "campaign_id = :'v1' AND kind = 'void'", cid))
            if n >= len(stale):
                break
            time.sleep(0.1)
        time.sleep(1.5)  # both sweeps ran again: still once each
    counts = psql("SELECT string_agg(n::text, ',') FROM (SELECT count(*) n "
                  "FROM ledger_entries WHERE campaign_id = :'v1' AND "
                  "kind = 'void' GROUP BY pledge_id) x", cid)
    assert counts == ",".join(["1"] * len(stale)), counts
    voided = set(psql("SELECT string_agg(pledge_id::text, ',') FROM "
                      "ledger_entries WHERE campaign_id = :'v1' AND "
                      "kind = 'void'", cid).split(","))
    assert voided == {p["id"] for p in stale}
    h = head(cid, 15)  # 8 pledges, a payment, 6 voids
    assert h["raised_minor"] == 2500 and h["collected_minor"] == 2500
    assert h["supporters"] == 2  # the paid pledge and the free one
    audit = admin("GET", f"/v1/admin/campaigns/{cid}/audit").json()
    assert audit["ok"], audit
    assert free["id"] not in voided
    assert int(psql("SELECT count(*) FROM ledger_entries WHERE "
                    "pledge_id = :'v1' AND kind = 'void'", young["id"])) == 0
    # Money that arrives for a voided promise is still counted.
    assert pay(stale[0]["id"], 1000).status == 201
    assert head(cid, 16)["collected_minor"] == 3500
