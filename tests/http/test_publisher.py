"""Found using it as a publisher would: reads of personal data are in
admin_log, no campaign starts past its deadline, /metrics is not public."""
import os
import uuid

from client import assert_error, get, request
from fixtures import admin_token, psql, server


def admin(method, path, body=None, key=None):
    h = {"Authorization": "Bearer " + admin_token()}
    if key:
        h["Idempotency-Key"] = key
    return request(method, path, body=body, headers=h)


def log_rows(action, target):
    return int(psql("SELECT count(*) FROM admin_log WHERE action = :'v1' "
                    "AND target = :'v2'", action, target))


def test_reads_of_personal_data_are_logged():
    reads = [("ledger.csv", "ledger.export"), ("ledger.jsonl", "ledger.export"),
             ("ledger.manifest", "ledger.manifest"), ("pledges", "pledges.list")]
    for path, action in reads:
        before = log_rows(action, "help-us")
        r = admin("GET", f"/v1/admin/campaigns/help-us/{path}")
        assert r.status == 200, (path, r.body)
        assert log_rows(action, "help-us") == before + 1, path


def test_no_campaign_starts_past_its_deadline():
    body = {"id": "pub-" + uuid.uuid4().hex[:8], "title": "Late",
            "currency": "USD", "goal_minor": 1000, "tiers": [0, 100],
            "deadline": "2020-01-01T00:00:00Z"}
    err = assert_error(admin("POST", "/v1/admin/campaigns", body,
                             key=str(uuid.uuid4())), 422, "invalid_value")
    assert err["field"] == "deadline"


def test_metrics_need_their_token():
    assert_error(get("/metrics"), 401, "unauthorized")
    assert_error(get("/metrics", headers={"Authorization": "Bearer nope"}),
                 401, "unauthorized")
    assert_error(get("/metrics", headers={"Authorization": "Bearer " +
                                          admin_token()}), 401)
    token = os.environ["PLEDGED_METRICS_TOKEN"]
    r = get("/metrics", headers={"Authorization": "Bearer " + token})
    assert r.status == 200 and b"pledged_http_requests_total" in r.body
    env = dict(os.environ)
    env.pop("PLEDGED_METRICS_TOKEN")
    with server(PLEDGED_METRICS_TOKEN=""):
        assert_error(get("/metrics", headers={"Authorization": "Bearer " +
                                              token}), 404, "not_found")


def test_creating_a_campaign_takes_an_idempotency_key():
    body = {"id": "pub-" + uuid.uuid4().hex[:8], "title": "Keyed",
            "currency": "USD", "goal_minor": 1000, "tiers": [0, 100]}
    assert_error(admin("POST", "/v1/admin/campaigns", body), 400,
                 "idempotency_key_required")
    key = "camp-" + uuid.uuid4().hex
    first = admin("POST", "/v1/admin/campaigns", body, key=key)
    assert first.status == 201, first.body
    again = admin("POST", "/v1/admin/campaigns", body, key=key)
    assert again.status == 201 and again.body == first.body
    assert again.header("idempotent-replayed") == "true"
    other = dict(body, title="Another")
    assert_error(admin("POST", "/v1/admin/campaigns", other, key=key), 422,
                 "idempotency_key_reused")
    assert log_rows("campaign.create", body["id"]) == 1
