import copy
import json
import os
import subprocess
import tempfile
import uuid

from client import BASE, assert_error, get, request
from verifiers import all_three, canonical, public_keys


def pledge(campaign="help-us", key=None, **fields):
    body = {"amount_minor": 250000}
    body.update(fields)
    key = key or str(uuid.uuid4())
    return request("POST", f"/v1/campaigns/{campaign}/pledges", body=body,
                   headers={"Idempotency-Key": key}), key


def test_receipt_verifies_in_three_implementations():
    r, _ = pledge(donor_name="Ana", donor_email="ana@example.org")
    assert r.status == 201, r.body
    out = r.json()
    doc = out["receipt"]
    rec = doc["receipt"]
    assert rec["type"] == "pledge_receipt" and rec["v"] == 1
    assert rec["pledge_id"] == out["pledge"]["id"]
    assert rec["campaign_id"] == "help-us"
    assert rec["amount_minor"] == 250000 and rec["currency"] == "USD"
    assert rec["kind"] == "tier" and rec["donor_name"] == "Ana"
    assert rec["seq"] == out["pledge"]["seq"]
    assert len(rec["entry_hash"]) == 64
    assert set(rec) == {"type", "v", "pledge_id", "campaign_id",
                        "amount_minor", "currency", "kind", "donor_name",
                        "seq", "entry_hash", "issued_at", "kid"}
    assert b"ana@example.org" not in r.body
    assert all_three(doc) == (True, True, True)


def test_any_field_changed_by_one_byte_fails_everywhere():
    r, _ = pledge(amount_minor=1234, donor_name="Bo")
    doc = r.json()["receipt"]
    keys = public_keys()
    for field, value in doc["receipt"].items():
        bad = copy.deepcopy(doc)
        if isinstance(value, int):
            bad["receipt"][field] = value + 1
        elif isinstance(value, str):
            last = value[-1]
            bad["receipt"][field] = value[:-1] + chr(ord(last) ^ 1)
        else:
            bad["receipt"][field] = "x"
        assert all_three(bad, keys) == (False, False, False), field
    sig = bytearray(doc["signature"].encode())
    sig[5] = ord("A") if sig[5] != ord("A") else ord("B")
    bad = dict(doc, signature=sig.decode())
    assert all_three(bad, keys) == (False, False, False)


def test_non_ascii_and_control_characters_in_names_verify():
    # Control characters are refused in names since issue 15.
    for name in ["tab\there", "ctl \x01\x1f\x7f"]:
        r, _ = pledge(amount_minor=777, donor_name=name)
        assert r.status == 422, (name, r.body)
    for name in ["Zoë Ångström", "日本語", "emoji 🎉 ok",
                 'quote " back \\ slash', "line\u2028sep"]:
        r, _ = pledge(amount_minor=777, donor_name=name)
        assert r.status == 201, (name, r.body)
        doc = r.json()["receipt"]
        assert doc["receipt"]["donor_name"] == name
        assert all_three(doc) == (True, True, True), name


def test_anonymous_or_nameless_receipt_has_null_name():
    r, _ = pledge(amount_minor=500, donor_name="Hidden", anonymous=True)
    doc = r.json()["receipt"]
    assert doc["receipt"]["donor_name"] is None
    assert r.json()["pledge"]["donor_name"] is None
    assert b"Hidden" not in r.body
    r, _ = pledge(amount_minor=500)
    assert r.json()["receipt"]["receipt"]["donor_name"] is None
    assert all_three(r.json()["receipt"]) == (True, True, True)


def test_replay_returns_the_same_receipt_byte_for_byte():
    r1, key = pledge(amount_minor=4321, donor_name="Re Play")
    r2, _ = pledge(amount_minor=4321, donor_name="Re Play", key=key)
    assert r1.status == r2.status == 201
    assert r1.body == r2.body
    assert r2.header("idempotent-replayed") == "true"
    assert r1.header("idempotent-replayed") is None


def test_zero_tier_gets_a_signed_receipt():
    r, _ = pledge(amount_minor=0, donor_name="Free Supporter")
    assert r.status == 201, r.body
    assert r.json()["receipt"]["receipt"]["amount_minor"] == 0
    assert all_three(r.json()["receipt"]) == (True, True, True)


def test_signed_head_matches_the_campaign_and_verifies():
    c = get("/v1/campaigns/help-us").json()
    h = get("/v1/campaigns/help-us/head")
    assert h.status == 200, h.body
    doc = h.json()
    head = doc["head"]
    assert head["type"] == "campaign_head"
    assert set(head) == {"type", "campaign_id", "seq", "entry_hash",
                         "raised_minor", "collected_minor", "supporters",
                         "currency", "signed_at", "kid", "tree_size",
                         "root_hash"}
    assert head["seq"] >= c["seq"]
    if head["seq"] == c["seq"]:
        assert head["raised_minor"] == c["raised_minor"]
        assert head["collected_minor"] == c["collected_minor"]
        assert head["supporters"] == c["supporters"]
    assert all_three(doc) == (True, True, True)
    bad = copy.deepcopy(doc)
    bad["head"]["raised_minor"] += 1
    assert all_three(bad) == (False, False, False)
    bad = copy.deepcopy(doc)
    bad["head"]["collected_minor"] += 1
    assert all_three(bad) == (False, False, False)


def test_verify_endpoint_handles_garbage():
    ok = {"valid": False, "kid": None, "type": None}
    r = request("POST", "/v1/receipts/verify",
                body={"receipt": {"kid": "nope"}, "signature": "AAAA"})
    assert r.status == 200 and r.json() == dict(ok, kid="nope")
    r = request("POST", "/v1/receipts/verify",
                body={"receipt": {"a": 1}, "signature": "!!!not base64"})
    assert r.status == 200 and r.json() == ok
    real, _ = pledge(amount_minor=300)
    doc = real.json()["receipt"]
    bad = dict(doc, signature="@@@@")
    assert request("POST", "/v1/receipts/verify", body=bad).json()["valid"] is False
    assert_error(request("POST", "/v1/receipts/verify", body=[1, 2]), 422)
    assert_error(request("POST", "/v1/receipts/verify",
                         body={"receipt": "x", "signature": "y"}), 422)
    assert_error(request("POST", "/v1/receipts/verify",
                         body={"receipt": {}, "signature": 5}), 422)
    assert_error(request("POST", "/v1/receipts/verify", body=b"{", raw=True,
                         headers={"Content-Type": "application/json"}), 400)
    r = request("POST", "/v1/receipts/verify",
                body={"receipt": {"x": 1.5, "kid": doc["receipt"]["kid"]},
                      "signature": doc["signature"]})
    assert r.status == 200 and r.json()["valid"] is False


def run_cli(*args, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([os.environ["PLEDGED_BIN"], *args],
                          capture_output=True, env=e)


def test_cli_verify_exit_codes():
    r, _ = pledge(amount_minor=888)
    doc = r.json()["receipt"]
    with tempfile.TemporaryDirectory() as d:
        good, bad, junk = (os.path.join(d, n) for n in ("g", "b", "j"))
        with open(good, "w") as f:
            json.dump(doc, f, ensure_ascii=False)
        tampered = copy.deepcopy(doc)
        tampered["receipt"]["amount_minor"] += 1
        with open(bad, "w") as f:
            json.dump(tampered, f)
        with open(junk, "wb") as f:
            f.write(b"\x00\xffnot json")
        assert run_cli("verify", good).returncode == 0
        assert run_cli("verify", bad).returncode == 1
        assert run_cli("verify", junk).returncode == 2
        assert run_cli("verify", os.path.join(d, "missing")).returncode == 2


def test_keys_list_ed25519_public_keys():
    keys = get("/v1/keys").json()["keys"]
    assert keys
    for k in keys:
        assert k["alg"] == "Ed25519"
        assert set(k) == {"kid", "alg", "public_key", "created_at",
                          "retired_at", "note_key"}
    assert sum(1 for k in keys if k["retired_at"] is None) == 1
