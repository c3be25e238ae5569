"""Stripe in the HTTP tests: the emulator (stripe-stateful-mock, started by
scripts/test) read and driven over its own REST API, and webhook events
signed by Stripe's own library (tests/stripe/sign.js), never by our code."""
import base64
import json
import os
import pathlib
import subprocess
import time
import urllib.parse
import urllib.request
import uuid

from client import request

API = os.environ.get("PLEDGED_TEST_STRIPE_API", "")
KEY = os.environ.get("PLEDGED_STRIPE_SECRET_KEY", "sk_test_pledged")
SECRET = os.environ.get("PLEDGED_STRIPE_WEBHOOK_SECRET", "")
SIGN = pathlib.Path(__file__).resolve().parent.parent / "stripe" / "sign.js"
HOOK = "/v1/providers/stripe/webhook"


def _call(method, path, form=None):
    data = urllib.parse.urlencode(form).encode() if form else None
    req = urllib.request.Request(API + path, data=data, method=method)
    req.add_header("Authorization",
                   "Basic " + base64.b64encode((KEY + ":").encode()).decode())
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def charge(pledge_id, amount, token="tok_visa", currency="eur"):
    """A charge made in the emulator behind our back, as Stripe's
    Dashboard or a Payment Link would: it names the pledge in metadata."""
    return _call("POST", "/v1/charges", {
        "amount": amount, "currency": currency, "source": token,
        "metadata[pledge_id]": pledge_id})


def refund(charge_id, amount=None):
    form = {"charge": charge_id}
    if amount:
        form["amount"] = amount
    return _call("POST", "/v1/refunds", form)


def get_charge(charge_id):
    return _call("GET", "/v1/charges/" + charge_id)


def get_dispute(dispute_id):
    return _call("GET", "/v1/disputes/" + dispute_id)


def charges_of(pledge_id):
    """Every charge the emulator holds for a pledge (its metadata)."""
    data = _call("GET", "/v1/charges?limit=1000000")
    assert not data.get("has_more")
    return [c for c in data["data"]
            if (c.get("metadata") or {}).get("pledge_id") == pledge_id]


def event(type_, obj, event_id=None, created=None):
    return {"id": event_id or "evt_" + uuid.uuid4().hex[:24],
            "object": "event", "api_version": "2024-06-20",
            "created": created or int(time.time()), "livemode": False,
            "type": type_, "data": {"object": obj}}


def sign(payload, timestamp=None, secret=None):
    args = ["node", str(SIGN), secret or SECRET]
    if timestamp is not None:
        args.append(str(timestamp))
    r = subprocess.run(args, input=payload, capture_output=True)
    assert r.returncode == 0, r.stderr
    return r.stdout.decode().strip()


def deliver(ev, header=None, payload=None):
    """Posts an event as Stripe does: its bytes and their signature."""
    payload = payload if payload is not None else json.dumps(ev).encode()
    return request("POST", HOOK, body=payload, raw=True, headers={
        "Content-Type": "application/json; charset=utf-8",
        "Stripe-Signature": sign(payload) if header is None else header})
