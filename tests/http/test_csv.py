"""The CSV formula guard: a donor's text that a spreadsheet could take
for a formula, even after leading whitespace, is written as text; our own
amounts are written as they are."""
import csv
import io
import uuid

from client import request
from fixtures import admin_token

# What LibreOffice with "trim spaces" turns into a live formula.
PADDED = [" =1+41", "  +1", "\u00a0=1+1", "\n-1", " \n@SUM(A1)",
          "\u3000=2", "\u2003@x", "\ufeff=1"]
PLAIN = ["Ann", "a=b", "1+1", "x-1"]


def admin(method, path, body=None, key=None):
    h = {"Authorization": "Bearer " + admin_token()}
    if key:
        h["Idempotency-Key"] = key
    return request(method, path, body=body, headers=h)


def new_campaign():
    cid = "csv-" + uuid.uuid4().hex[:10]
    r = admin("POST", "/v1/admin/campaigns",
              {"id": cid, "title": "CSV", "currency": "USD",
               "goal_minor": 100000, "tiers": [0, 1000]},
              key=str(uuid.uuid4()))
    assert r.status == 201, r.body
    return cid


def export_rows(cid):
    r = request("GET", f"/v1/admin/campaigns/{cid}/ledger.csv",
                headers={"Authorization": "Bearer " + admin_token()})
    assert r.status == 200, r.body
    return list(csv.DictReader(io.StringIO(r.body.decode(), newline="")))


def test_formulas_after_whitespace_are_text_and_amounts_are_numbers():
    cid = new_campaign()
    for name in PADDED + PLAIN:
        r = request("POST", f"/v1/campaigns/{cid}/pledges",
                    body={"amount_minor": 1250, "message": name},
                    headers={"Idempotency-Key": str(uuid.uuid4())})
        assert r.status == 201, (name, r.body)
    pid = r.json()["pledge"]["id"]
    assert admin("POST", f"/v1/admin/pledges/{pid}/refund",
                 key=str(uuid.uuid4())).status == 201
    rows = export_rows(cid)
    for row, name in zip(rows, PADDED + PLAIN):
        if name in PADDED:
            assert row["message"] == "'" + name, (name, row["message"])
        else:
            assert row["message"] == name, (name, row["message"])
    refund = rows[-1]
    assert refund["kind"] == "refund"
    assert refund["amount_minor"] == "-1250"
    assert refund["amount"] == "-12.50 $", refund["amount"]
