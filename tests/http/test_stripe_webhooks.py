"""Stripe's webhook deliveries (docs/PAYMENTS.md), every event signed by
Stripe's own library and carrying the emulator's own objects: delivered
twice, out of order, with a bad signature, with an old timestamp, with a
type we do not act on; partial and full refunds, a dispute, a Payment
Link's Checkout Session, an expired one."""
import json
import time
import uuid

from client import assert_error, get
from fixtures import psql
from stripe_emu import (HOOK, charge, deliver, event, get_charge,
                        get_dispute, refund, sign)
from test_payments import export_rows, head, new_campaign, pledge, recompute


def entries(pid):
    return psql("SELECT kind, amount_minor, reference FROM ledger_entries "
                "WHERE pledge_id = :'v1' ORDER BY seq", pid).splitlines()


def collected(cid):
    return get(f"/v1/campaigns/{cid}/totals").json()["collected_minor"]


def ok(r, outcome):
    assert r.status == 200, (r.status, r.body)
    assert r.json()["outcome"] == outcome, r.json()
    return r.json()


def test_a_payment_delivered_twice_counts_once():
    cid = new_campaign(provider="stripe")["id"]
    p = pledge(cid, 2500)
    ch = charge(p["id"], 2500)
    ev = event("charge.succeeded", ch)
    ok(deliver(ev), "recorded")
    ok(deliver(ev), "duplicate")
    # Stripe may also send the same news as another event.
    ok(deliver(event("charge.succeeded", ch)), "unchanged")
    assert entries(p["id"]) == ["pledge|2500|", f"payment|2500|{ch['id']}"]
    assert collected(cid) == 2500
    receipts = psql("SELECT count(*) FROM receipts WHERE type = "
                    "'payment_receipt' AND body::jsonb->>'pledge_id' = :'v1'",
                    p["id"])
    assert receipts == "1"


def test_refunds_out_of_order_apply_only_the_latest_state():
    cid = new_campaign(provider="stripe")["id"]
    p = pledge(cid, 2500)
    ch = charge(p["id"], 2500)
    refund(ch["id"], 1000)
    partial = event("charge.refunded", get_charge(ch["id"]))
    refund(ch["id"])
    full = event("charge.refunded", get_charge(ch["id"]))
    # The full refund arrives first, before even the payment's own event:
    # the payment is recorded from it, and all of it given back, and the
    # pledge refunded as staff would.
    ok(deliver(full), "recorded")
    ok(deliver(partial), "unchanged")
    ok(deliver(event("charge.succeeded", ch)), "unchanged")
    assert entries(p["id"]) == [
        "pledge|2500|", f"payment|2500|{ch['id']}",
        f"payment_reversal|-2500|{ch['id']}@refunded:2500", "refund|-2500|"]
    t = get(f"/v1/campaigns/{cid}/totals").json()
    assert t["collected_minor"] == 0 and t["raised_minor"] == 0


def test_a_partial_refund_then_the_rest():
    cid = new_campaign(provider="stripe")["id"]
    p = pledge(cid, 2500)
    ch = charge(p["id"], 2500)
    ok(deliver(event("charge.succeeded", ch)), "recorded")
    refund(ch["id"], 1000)
    ok(deliver(event("charge.refunded", get_charge(ch["id"]))), "recorded")
    assert collected(cid) == 1500
    assert get(f"/v1/campaigns/{cid}/totals").json()["raised_minor"] == 2500
    refund(ch["id"], 500)  # 1,500 refunded in all: 1,000 still held
    ok(deliver(event("charge.refunded", get_charge(ch["id"]))), "recorded")
    assert collected(cid) == 1000
    refund(ch["id"])
    ok(deliver(event("charge.refunded", get_charge(ch["id"]))), "recorded")
    assert entries(p["id"]) == [
        "pledge|2500|", f"payment|2500|{ch['id']}",
        f"payment_reversal|-1000|{ch['id']}@refunded:1000",
        f"payment_reversal|-500|{ch['id']}@refunded:1500",
        f"payment_reversal|-1000|{ch['id']}@refunded:2500", "refund|-2500|"]
    assert collected(cid) == 0
    # Both totals from the export by the kind rules alone: the signed head's.
    h = head(cid)
    assert recompute(export_rows(cid)) == (h["raised_minor"],
                                           h["collected_minor"]) == (0, 0)


def test_a_dispute_before_its_charge_is_recorded_once():
    cid = new_campaign(provider="stripe")["id"]
    p = pledge(cid, 4200)
    ch = charge(p["id"], 4200, token="tok_createDispute")
    # The emulator opens the dispute a moment after the charge.
    for _ in range(50):
        disputed = get_charge(ch["id"]).get("dispute")
        if disputed:
            break
        time.sleep(0.1)
    dispute = get_dispute(disputed)
    ev = event("charge.dispute.created", dispute)
    ok(deliver(ev), "recorded")  # the charge is read from Stripe first
    ok(deliver(event("charge.dispute.created", dispute)), "unchanged")
    assert entries(p["id"]) == [
        "pledge|4200|", f"payment|4200|{ch['id']}",
        f"payment_reversal|-4200|{ch['id']}@{dispute['id']}"]
    assert collected(cid) == 0
    status = psql("SELECT reason FROM ledger_entries WHERE pledge_id = :'v1' "
                  "AND kind = 'payment_reversal'", p["id"])
    assert status == "dispute"


def test_a_payment_link_session_pays_its_pledge():
    cid = new_campaign(provider="stripe")["id"]
    p = pledge(cid, 0)  # the donor chose the amount on Stripe's page
    q = pledge(cid, 1000)
    session = {"id": "cs_test_" + uuid.uuid4().hex, "object":
               "checkout.session", "client_reference_id": p["id"],
               "amount_total": 3000, "currency": "eur",
               "payment_status": "paid", "status": "complete",
               "payment_intent": "pi_" + uuid.uuid4().hex[:24]}
    ok(deliver(event("checkout.session.completed", session)), "recorded")
    assert entries(p["id"]) == [
        "pledge|0|", f"payment|3000|{session['payment_intent']}"]
    assert psql("SELECT method FROM ledger_entries WHERE pledge_id = :'v1' "
                "AND kind = 'payment'", p["id"]) == "checkout"
    expired = dict(session, id="cs_test_" + uuid.uuid4().hex,
                   client_reference_id=q["id"], payment_status="unpaid",
                   status="expired", payment_intent=None, amount_total=1000)
    ok(deliver(event("checkout.session.expired", expired)), "recorded")
    assert entries(q["id"]) == ["pledge|1000|", "void|-1000|"]
    t = get(f"/v1/campaigns/{cid}/totals").json()
    assert t["collected_minor"] == 3000 and t["raised_minor"] == 0


def test_bad_deliveries_are_refused_and_write_nothing():
    cid = new_campaign(provider="stripe")["id"]
    p = pledge(cid, 2500)
    ev = event("charge.succeeded", charge(p["id"], 2500))
    payload = json.dumps(ev).encode()
    before = psql("SELECT count(*) FROM provider_events")
    other = "whsec_" + uuid.uuid4().hex
    for header in (sign(payload, secret=other),            # another secret
                   sign(payload, timestamp=int(time.time()) - 400),  # old
                   "t=123,v1=" + "0" * 64, "", "nonsense"):
        err = assert_error(deliver(ev, header=header), 400,
                           "invalid_signature")
        assert err["field"] == "Stripe-Signature"
    # The body changed after signing.
    tampered = payload.replace(b"2500", b"9500")
    assert_error(deliver(ev, header=sign(payload), payload=tampered), 400,
                 "invalid_signature")
    # Signed but not an event we can read.
    junk = b'{"object": "event", "id": "evt_1"}'
    err = assert_error(deliver(None, header=sign(junk), payload=junk), 400,
                       "invalid_event")
    assert psql("SELECT count(*) FROM provider_events") == before
    assert entries(p["id"]) == ["pledge|2500|"]
    # A type we do not act on, and a charge that names none of our pledges.
    ok(deliver(event("customer.created", {"id": "cus_1",
                                          "object": "customer"})), "ignored")
    stray = charge(str(uuid.uuid4()), 700)
    ok(deliver(event("charge.succeeded", stray)), "ignored")
    assert psql("SELECT count(*) FROM ledger_entries WHERE reference = "
                ":'v1'", stray["id"]) == "0"


def test_a_failed_charge_leaves_the_promise_open():
    cid = new_campaign(provider="stripe")["id"]
    p = pledge(cid, 2500)
    failed = dict(charge(p["id"], 2500), status="failed", paid=False,
                  captured=False, failure_code="card_declined")
    ok(deliver(event("charge.failed", failed)), "ignored")
    assert entries(p["id"]) == ["pledge|2500|"]
    assert HOOK == "/v1/providers/stripe/webhook"
