"""Public responses: caches see how CORS varies, verification binds the
wrapper to the signed type, every page has a CSP."""
import copy
import uuid

from client import get, request
from fixtures import campaign


def test_cacheable_public_reads_do_not_vary_unseen_by_origin():
    for path in ("/v1/campaigns/help-us/totals", "/v1/campaigns/help-us",
                 "/v1/keys", "/widget.js"):
        plain = get(path)
        cross = get(path, headers={"Origin": "https://news.example"})
        acao = (plain.header("access-control-allow-origin"),
                cross.header("access-control-allow-origin"))
        vary = (plain.header("vary") or "").lower()
        assert acao[0] == acao[1] or "origin" in vary, (path, acao, vary)
    # The pledge route answers per origin: it says so, with or without one.
    cid = campaign(origins=["https://news.example"])
    for h in ({}, {"Origin": "https://news.example"}):
        r = request("OPTIONS", f"/v1/campaigns/{cid}/pledges", headers=h)
        assert "origin" in (r.header("vary") or "").lower(), (h, r.headers)


def signed_pledge():
    cid = campaign()
    r = request("POST", f"/v1/campaigns/{cid}/pledges",
                body={"amount_minor": 0},
                headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status == 201, r.body
    return cid, r.json()["receipt"]


def verify(doc):
    r = request("POST", "/v1/receipts/verify", body=doc)
    assert r.status == 200, r.body
    return r.json()


def test_verify_binds_the_wrapper_to_the_signed_type():
    cid, receipt = signed_pledge()
    head = get(f"/v1/campaigns/{cid}/head").json()
    assert verify(receipt) == {"valid": True, "kid": receipt["receipt"]["kid"],
                               "type": "pledge_receipt"}
    assert verify(head)["type"] == "campaign_head" and verify(head)["valid"]
    swapped = {"head": copy.deepcopy(receipt["receipt"]),
               "signature": receipt["signature"]}
    assert verify(swapped)["valid"] is False
    swapped = {"receipt": copy.deepcopy(head["head"]),
               "signature": head["signature"]}
    assert verify(swapped)["valid"] is False
    swapped = {"manifest": copy.deepcopy(receipt["receipt"]),
               "signature": receipt["signature"]}
    assert verify(swapped)["valid"] is False


def test_every_page_has_a_csp():
    for path in ("/", "/embed/help-us", "/admin"):
        r = get(path)
        csp = r.header("content-security-policy") or ""
        assert "script-src 'self'" in csp and "default-src 'none'" in csp, \
            (path, csp)
        assert "object-src" in csp or "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in get("/").header(
        "content-security-policy")
    assert "frame-ancestors 'none'" not in get("/embed/help-us").header(
        "content-security-policy")  # the widget's page is framed
    api = get("/v1/campaigns/help-us/totals")
    assert "default-src 'none'" in api.header("content-security-policy")


def test_the_dashboard_keeps_its_token_out_of_storage():
    js = get("/admin.js").body.decode()
    assert "sessionStorage.setItem" not in js
    assert "localStorage.setItem" not in js
