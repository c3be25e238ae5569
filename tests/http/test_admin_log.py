"""An admin change and its admin_log row commit together or not at all:
with the log's INSERT made to fail (a trigger installed behind the API's
back), the change must not happen either."""
import uuid

from client import request
from fixtures import admin_log_refused, admin_token, psql


def admin(method, path, body=None, key=None):
    h = {"Authorization": "Bearer " + admin_token()}
    if key:
        h["Idempotency-Key"] = key
    return request(method, path, body=body, headers=h)


def count(sql, *args):
    return int(psql(sql, *args))


def test_unrecorded_admin_changes_do_not_happen():
    cid = "atomic-" + uuid.uuid4().hex[:10]
    made = admin("POST", "/v1/admin/campaigns",
                 {"id": cid, "title": "Atomic", "currency": "USD",
                  "goal_minor": 100000, "tiers": [0, 1000]},
                 key=str(uuid.uuid4()))
    assert made.status == 201, made.body
    pledge = request("POST", f"/v1/campaigns/{cid}/pledges",
                     body={"amount_minor": 1000},
                     headers={"Idempotency-Key": str(uuid.uuid4())})
    assert pledge.status == 201, pledge.body
    pid = pledge.json()["pledge"]["id"]
    with admin_log_refused():
        other = "atomic-" + uuid.uuid4().hex[:10]
        r = admin("POST", "/v1/admin/campaigns",
                  {"id": other, "title": "Atomic", "currency": "USD",
                   "goal_minor": 100000, "tiers": [0, 1000]},
                  key=str(uuid.uuid4()))
        assert r.status >= 500, r.body
        assert count("SELECT count(*) FROM campaigns WHERE id = :'v1'",
                     other) == 0

        r = admin("PATCH", f"/v1/admin/campaigns/{cid}", {"goal_minor": 7})
        assert r.status >= 500, r.body
        assert count("SELECT goal_minor FROM campaigns WHERE id = :'v1'",
                     cid) == 100000

        r = admin("POST", f"/v1/admin/pledges/{pid}/refund", {},
                  key=str(uuid.uuid4()))
        assert r.status >= 500, r.body
        assert count("SELECT count(*) FROM refunds WHERE pledge_id = :'v1'",
                     pid) == 0
        assert count("SELECT count(*) FROM ledger_entries "
                     "WHERE campaign_id = :'v1'", cid) == 1
    # Recorded, the same refund goes through.
    r = admin("POST", f"/v1/admin/pledges/{pid}/refund", {},
              key=str(uuid.uuid4()))
    assert r.status == 201, r.body
    assert count("SELECT count(*) FROM admin_log WHERE action = "
                 "'pledge.refund' AND target = :'v1'", pid) == 1
