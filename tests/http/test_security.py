"""Hostile values, headers, logs and process settings."""
import os
import uuid

from client import assert_error, get, request
from fixtures import admin_token, campaign, psql

SQLISH = ["'; DROP TABLE ledger_entries; --", "\" OR 1=1 --",
          "Robert'); DELETE FROM pledges;--", "$1::text", "\\x00' || '",
          "1; SELECT pg_sleep(5)", "%s%n%x", "{{7*7}}", "../../etc/passwd"]


def email(text):
    """text in an address, as far as the email syntax lets it in."""
    local = "".join(c for c in text if c.isalnum() or c in "'%{}$+-=?^_`|~")
    return (local or "x") + "@example.net"


def test_sql_looking_values_are_stored_verbatim_or_refused():
    cid = campaign()
    for i, text in enumerate(SQLISH):
        r = request("POST", f"/v1/campaigns/{cid}/pledges",
                    body={"amount_minor": 1000 + i, "donor_name": text,
                          "message": text, "donor_email": email(text)},
                    headers={"Idempotency-Key": "k'" + text + str(uuid.uuid4())})
        assert r.status == 201, r.body
        pid = r.json()["pledge"]["id"]
        stored = psql("SELECT donor_name = :'v2' AND message = :'v2' AND "
                      "donor_email = :'v3' FROM pledges WHERE id = :'v1'",
                      pid, text, email(text))
        assert stored == "t", text
    for text in SQLISH:
        r = get("/v1/campaigns/" + text.replace(" ", "%20").replace("#", ""))
        assert r.status in (404, 400), (text, r.status)
        r = request("POST", "/v1/admin/pledges/" + text.replace(" ", "%20") +
                    "/refund", headers={"Authorization": "Bearer " +
                                        admin_token(),
                                        "Idempotency-Key": str(uuid.uuid4())})
        assert r.status in (404, 400), (text, r.status)
    assert psql("SELECT count(*) FROM ledger_entries WHERE campaign_id = "
                ":'v1'", cid) == str(len(SQLISH))


def test_security_headers():
    for path in ("/", "/healthz", "/v1/campaigns/help-us", "/nope",
                 "/widget.js", "/admin", "/embed/help-us"):
        r = get(path)
        assert r.header("x-content-type-options") == "nosniff", path
    admin = get("/admin")
    assert admin.header("x-frame-options") == "DENY"
    assert "frame-ancestors 'none'" in admin.header("content-security-policy")
    assert admin.header("referrer-policy") == "no-referrer"
    assert get("/embed/help-us").header("x-frame-options") is None


def test_core_dumps_are_off_in_serve():
    pid = os.environ["PLEDGED_SERVER_PID"]
    with open(f"/proc/{pid}/limits") as f:
        line = next(l for l in f if l.startswith("Max core file size"))
    assert line.split()[4:6] == ["0", "0"], line
