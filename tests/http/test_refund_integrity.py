"""Refunds: an Idempotency-Key is bound to one refund, every refund is in
the admin log, and the signed receipt says exactly what was refunded."""
import uuid

from client import assert_error, get
from fixtures import psql, totals_at
from test_admin import admin, new_campaign, pledge
from verifiers import nacl_ok, openssl_ok, public_keys

RECEIPT_KEYS = {"type", "v", "refund_id", "pledge_id", "campaign_id",
                "amount_minor", "currency", "kind", "donor_name", "seq",
                "entry_hash", "issued_at", "kid"}


def refund(pid, key):
    return admin("POST", f"/v1/admin/pledges/{pid}/refund", key=key)


def test_a_key_used_for_pledge_a_does_not_refund_or_replay_for_b():
    _, body = new_campaign()
    cid = body["id"]
    a = pledge(cid, 5000).json()["pledge"]["id"]
    b = pledge(cid, 3000).json()["pledge"]["id"]
    key = str(uuid.uuid4())
    ra = refund(a, key)
    assert ra.status == 201, ra.body
    before = totals_at(cid, 3)  # A's refund is entry 3
    assert before["raised_minor"] == 3000
    rb = refund(b, key)
    e = assert_error(rb, 422)
    assert "Idempotency-Key" in e["message"], e
    assert rb.header("idempotent-replayed") is None
    assert b"refund_id" not in rb.body and a.encode() not in rb.body
    # B was not refunded, A's refund was not made twice.
    assert psql("SELECT max(seq) FROM ledger_entries WHERE campaign_id = "
                ":'v1'", cid) == "3"
    assert get(f"/v1/campaigns/{cid}/totals").json() == before
    assert psql("SELECT count(*) FROM refunds WHERE pledge_id = :'v1'",
                b) == "0"
    assert psql("SELECT count(*) FROM refunds WHERE campaign_id = :'v1'",
                cid) == "1"
    # The same key for A still replays A's refund, byte for byte.
    again = refund(a, key)
    assert again.status == 201 and again.body == ra.body
    assert again.header("idempotent-replayed") == "true"
    # B with its own key is refunded, as B.
    rb2 = refund(b, str(uuid.uuid4()))
    assert rb2.status == 201, rb2.body
    assert rb2.json()["refund"]["pledge_id"] == b
    assert rb2.json()["receipt"]["receipt"]["pledge_id"] == b
    assert rb2.json()["refund"]["amount_minor"] == -3000


def test_every_refund_writes_one_admin_log_row():
    _, body = new_campaign()
    cid = body["id"]
    pid = pledge(cid, 2500).json()["pledge"]["id"]
    key = str(uuid.uuid4())
    r = refund(pid, key)
    assert r.status == 201, r.body
    rid = r.json()["refund"]["id"]
    row = psql("SELECT token_name || '|' || action || '|' || target || '|' || detail "
               "FROM admin_log WHERE target = :'v1'", pid)
    assert row == f"test-admin|pledge.refund|{pid}|{rid}", row
    assert refund(pid, key).status == 201  # a replay is not a new action
    assert psql("SELECT count(*) FROM admin_log WHERE target = :'v1'",
                pid) == "1"


def test_refund_receipt_has_exactly_its_keys_and_names_the_refund():
    _, body = new_campaign()
    cid = body["id"]
    p = pledge(cid, 4200).json()["pledge"]
    r = refund(p["id"], str(uuid.uuid4()))
    assert r.status == 201, r.body
    out = r.json()
    rf, doc = out["refund"], out["receipt"]
    rec = doc["receipt"]
    assert set(rec) == RECEIPT_KEYS, set(rec) ^ RECEIPT_KEYS
    assert set(doc) == {"receipt", "signature"}
    assert rec["type"] == "refund_receipt" and rec["v"] == 1
    assert rec["refund_id"] == rf["id"] != p["id"]
    assert rec["pledge_id"] == p["id"] and rec["campaign_id"] == cid
    assert rec["amount_minor"] == -4200 == rf["amount_minor"]
    assert rec["currency"] == "USD" and rec["kind"] == "refund"
    assert rec["seq"] == rf["seq"] == p["seq"] + 1
    assert rec["donor_name"] == "Dee"
    ledger_hash = psql("SELECT encode(entry_hash, 'hex') FROM ledger_entries "
                       "WHERE campaign_id = :'v1' AND seq = :'v2'",
                       cid, rf["seq"])
    assert rec["entry_hash"] == ledger_hash
    keys = public_keys()
    assert rec["kid"] in keys
    assert nacl_ok(doc, keys) and openssl_ok(doc, keys)
    # The stored receipt is the one that was answered.
    stored = psql("SELECT signature FROM receipts WHERE subject_id = :'v1'",
                  rf["id"])
    assert stored == doc["signature"]
