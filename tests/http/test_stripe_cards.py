"""Card payments through the widget's endpoint, against the Stripe
emulator (docs/PAYMENTS.md): a card pledge paid end to end with a payment
receipt checked by OpenSSL and PyNaCl, a declined card, Stripe's 429 and
500 retried without a double charge (the emulator's charge list is the
witness), and a refund given back through Stripe moving both totals."""
import uuid

from client import assert_error, get, request
from fixtures import psql, totals_at
from stripe_emu import charges_of, get_charge
from test_payments import admin, new_campaign, pledge
from verifiers import all_three


def card(cid, pid, token):
    return request("POST", f"/v1/campaigns/{cid}/pledges/{pid}/card",
                   body={"token": token})


def suffix():
    return uuid.uuid4().hex[:8]


def test_a_card_pledge_is_paid_end_to_end():
    c = new_campaign(provider="stripe")
    cid = c["id"]
    got = get(f"/v1/campaigns/{cid}").json()
    assert got["card"] == {"publishable_key": "pk_test_pledged",
                           "js": "https://js.stripe.com/v3/"}, got["card"]
    assert get("/v1/campaigns/help-us").json()["card"] is None
    p = pledge(cid, 2500)
    r = card(cid, p["id"], "tok_visa")
    assert r.status == 201, r.body
    pay, receipt = r.json()["payment"], r.json()["receipt"]
    assert pay["kind"] == "payment" and pay["provider"] == "stripe"
    assert pay["amount_minor"] == 2500 and pay["currency"] == "EUR"
    assert pay["method"] == "card" and pay["reference"].startswith("ch_")
    body = receipt["receipt"]
    assert body["type"] == "payment_receipt"
    assert body["pledge_id"] == p["id"] and body["amount_minor"] == 2500
    assert body["seq"] == pay["seq"] and body["entry_hash"] == pay["entry_hash"]
    assert all_three(receipt) == (True, True, True)
    t = totals_at(cid, pay["seq"])
    assert t["collected_minor"] == 2500 and t["raised_minor"] == 2500
    charges = charges_of(p["id"])
    assert [ch["id"] for ch in charges] == [pay["reference"]], charges
    assert charges[0]["amount"] == 2500 and charges[0]["currency"] == "eur"
    assert charges[0]["captured"] and charges[0]["paid"]
    # The same token again, or another card: no new charge, the payment.
    for token in ("tok_visa", "tok_mastercard"):
        again = card(cid, p["id"], token)
        assert again.status == 200, again.body
        assert again.json()["payment"] == pay
        assert again.json()["receipt"] == receipt
    assert len(charges_of(p["id"])) == 1
    assert psql("SELECT count(*) FROM ledger_entries WHERE pledge_id = "
                ":'v1' AND kind = 'payment'", p["id"]) == "1"


def test_a_declined_card_is_a_402_and_the_promise_stays_open():
    cid = new_campaign(provider="stripe")["id"]
    p = pledge(cid, 1000)
    r = card(cid, p["id"], "tok_chargeDeclined")
    err = assert_error(r, 402, "card_declined")
    assert err["field"] == "token" and "declined" in err["message"]
    t = get(f"/v1/campaigns/{cid}/totals").json()
    assert t["collected_minor"] == 0 and t["raised_minor"] == 1000
    assert [ch["paid"] for ch in charges_of(p["id"])] == [False]
    listed = admin("GET", f"/v1/admin/campaigns/{cid}/pledges").json()
    assert listed["pledges"][0]["payment_status"] == "pledged"
    # Another card pays the same promise.
    ok = card(cid, p["id"], "tok_visa")
    assert ok.status == 201, ok.body
    assert sorted(ch["paid"] for ch in charges_of(p["id"])) == [False, True]


def test_stripe_rate_limits_and_errors_never_charge_twice():
    cid = new_campaign(provider="stripe")["id"]
    # 429, 429, then charged: our client retries under one key.
    p = pledge(cid, 2500)
    r = card(cid, p["id"], f"tok_429|tok_429|tok_visa|{suffix()}")
    assert r.status == 201, r.body
    assert [ch["paid"] for ch in charges_of(p["id"])] == [True]
    # A 500 is kept under its key by Stripe: every try, and the reader's
    # retry of the same token, get it back; nothing is charged.
    q = pledge(cid, 1000)
    token = f"tok_500|tok_visa|{suffix()}"
    for _ in range(2):
        assert_error(card(cid, q["id"], token), 502, "provider_unavailable")
        assert charges_of(q["id"]) == []
    assert get(f"/v1/campaigns/{cid}/totals").json()["collected_minor"] == 2500
    # Another card then pays it, once.
    assert card(cid, q["id"], "tok_visa").status == 201
    assert len(charges_of(q["id"])) == 1
    assert get(f"/v1/campaigns/{cid}/totals").json()["collected_minor"] == 3500


def test_bad_card_requests_get_clear_errors():
    cid = new_campaign(provider="stripe")["id"]
    p = pledge(cid, 1000)
    assert_error(card(cid, p["id"], "4242424242424242"), 422)
    assert_error(card(cid, p["id"], 42), 400, "wrong_type")
    r = request("POST", f"/v1/campaigns/{cid}/pledges/{p['id']}/card",
                body={"token": "tok_visa", "amount_minor": 1})
    assert_error(r, 400, "unknown_field")
    assert_error(card(cid, str(uuid.uuid4()), "tok_visa"), 404)
    other = new_campaign(provider="stripe")["id"]  # not the pledge's
    assert_error(card(other, p["id"], "tok_visa"), 404)
    # A campaign without Stripe takes no cards; a free pledge has no bill.
    plain = new_campaign()["id"]
    assert_error(card(plain, pledge(plain, 1000)["id"], "tok_visa"), 409)
    assert_error(card(cid, pledge(cid, 0)["id"], "tok_visa"), 409)
    assert charges_of(p["id"]) == []


def test_refunding_a_card_paid_pledge_gives_the_money_back_in_stripe():
    cid = new_campaign(provider="stripe")["id"]
    p = pledge(cid, 2500)
    pay = card(cid, p["id"], "tok_visa").json()["payment"]
    key = str(uuid.uuid4())
    r = admin("POST", f"/v1/admin/pledges/{p['id']}/refund", key=key)
    assert r.status == 201, r.body
    ch = get_charge(pay["reference"])
    assert ch["refunded"] and ch["amount_refunded"] == 2500
    rows = psql("SELECT kind, amount_minor, reference FROM ledger_entries "
                "WHERE pledge_id = :'v1' ORDER BY seq", p["id"]).splitlines()
    assert rows == ["pledge|2500|",
                    f"payment|2500|{pay['reference']}",
                    f"payment_reversal|-2500|{pay['reference']}@refunded:2500",
                    "refund|-2500|"], rows
    t = get(f"/v1/campaigns/{cid}/totals").json()
    assert t["raised_minor"] == 0 and t["collected_minor"] == 0
    # The same request again replays; Stripe refunded once.
    again = admin("POST", f"/v1/admin/pledges/{p['id']}/refund", key=key)
    assert again.status == 201 and again.header("idempotent-replayed")
    assert get_charge(pay["reference"])["amount_refunded"] == 2500


def test_two_cards_at_once_charge_one():
    import threading
    import time
    cid = new_campaign(provider="stripe")["id"]
    p = pledge(cid, 2500)
    answers = []
    # The first card's charge is slowed by one 429 (our client waits ~0.5 s
    # and tries again), so the second tab's card arrives while it runs.
    first = threading.Thread(target=lambda: answers.append(
        card(cid, p["id"], f"tok_429|tok_visa|{suffix()}").status))
    first.start()
    time.sleep(0.2)
    second = card(cid, p["id"], "tok_mastercard")
    first.join()
    assert answers == [201], answers
    assert "in progress" in assert_error(second, 409, "conflict")["message"]
    assert len(charges_of(p["id"])) == 1
    # Once the first is done, the other tab learns it was paid.
    assert card(cid, p["id"], "tok_mastercard").status == 200
    assert len(charges_of(p["id"])) == 1


def test_our_pages_let_stripe_js_load_when_cards_are_configured():
    cid = new_campaign(provider="stripe")["id"]
    for path in ("/", f"/embed/{cid}"):
        csp = get(path).header("content-security-policy")
        assert "script-src 'self' https://js.stripe.com;" in csp, csp
        assert "frame-src https://js.stripe.com https://hooks.stripe.com" in csp
        assert "connect-src 'self' https://api.stripe.com;" in csp
        assert "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in get("/").header(
        "content-security-policy")
