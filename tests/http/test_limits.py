"""Numbers at their limits: the money bound (2^53 - 1 for every amount,
goal, tier and total we sign), paging past 2^31, over-long integers."""
import os
import uuid
from concurrent.futures import ThreadPoolExecutor

from client import assert_error, get, request
from fixtures import admin_token, psql

BOUND = 2**53 - 1


def admin(method, path, body=None, key=None):
    h = {"Authorization": "Bearer " + admin_token()}
    if key:
        h["Idempotency-Key"] = key
    return request(method, path, body=body, headers=h)


def make_campaign(**over):
    body = {"id": "lim-" + uuid.uuid4().hex[:10], "title": "Limits",
            "currency": "USD", "goal_minor": 100000,
            "tiers": [0, BOUND], "max_custom_minor": BOUND}
    body.update(over)
    r = admin("POST", "/v1/admin/campaigns", body,
              key="camp-" + uuid.uuid4().hex)
    assert r.status == 201, r.body
    return body["id"]


def pledge(cid, amount):
    return request("POST", f"/v1/campaigns/{cid}/pledges",
                   body={"amount_minor": amount},
                   headers={"Idempotency-Key": str(uuid.uuid4())})


def test_a_total_never_passes_the_money_bound():
    cid = make_campaign()
    assert pledge(cid, BOUND).status == 201
    # The second would take raised_minor past 2^53 - 1: refused alone,
    # with its own code; the head and the manifest stay signable.
    err = assert_error(pledge(cid, BOUND), 422, "campaign_total_limit")
    assert err["field"] == "amount_minor"
    assert_error(pledge(cid, 100), 422, "campaign_total_limit")
    assert pledge(cid, 0).status == 201  # the free tier adds nothing
    t = get(f"/v1/campaigns/{cid}/totals").json()
    assert t["raised_minor"] == BOUND and t["supporters"] == 2
    h = get(f"/v1/campaigns/{cid}/head")
    assert h.status == 200, h.body
    assert h.json()["head"]["raised_minor"] == BOUND
    m = admin("GET", f"/v1/admin/campaigns/{cid}/ledger.manifest?format=csv")
    assert m.status == 200, m.body
    assert m.json()["manifest"]["sum_minor"] == BOUND
    audit = admin("GET", f"/v1/admin/campaigns/{cid}/audit").json()
    assert audit["ok"], audit


def metric_amount():
    for line in get("/metrics", headers={"Authorization": "Bearer " + os.environ["PLEDGED_METRICS_TOKEN"]}).body.decode().splitlines():
        if line.startswith('pledged_pledged_minor_total{currency="USD"}'):
            return int(line.rsplit(" ", 1)[1])
    return 0


def test_the_metrics_money_counter_never_wraps():
    # 1,030 campaigns each taking one pledge of 2^53 - 1: more than 2^63
    # minor units in all, counted exactly.
    tag = uuid.uuid4().hex[:8]
    psql("INSERT INTO campaigns (id, title, currency, goal_minor, tiers) "
         "SELECT 'wrap-' || :'v1' || '-' || i, 'Wrap', 'USD', 100, "
         "ARRAY[0, 9007199254740991]::bigint[] "
         "FROM generate_series(1, 1030) i;"
         "INSERT INTO campaign_totals (campaign_id) SELECT 'wrap-' || "
         ":'v1' || '-' || i FROM generate_series(1, 1030) i", tag)
    before = metric_amount()
    ids = [f"wrap-{tag}-{i}" for i in range(1, 1031)]
    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(lambda c: pledge(c, BOUND).status, ids))
    assert codes.count(201) == 1030, set(codes)
    assert metric_amount() - before == 1030 * BOUND


def test_paging_past_2_to_the_31():
    cid = make_campaign()
    assert pledge(cid, 0).status == 201
    for after in (2**31, 2**31 + 1, 2**63 - 1):
        r = admin("GET", f"/v1/admin/campaigns/{cid}/pledges?after={after}")
        assert r.status == 200, (after, r.body)
        assert len(r.json()["pledges"]) == 1
    for after in (2**63, -1, "1e3", "99999999999999999999999"):
        r = admin("GET", f"/v1/admin/campaigns/{cid}/pledges?after={after}")
        assert assert_error(r, 422, "invalid_value")["field"] == "after"


def raw_post(path, body, headers=None):
    h = {"Idempotency-Key": str(uuid.uuid4()),
         "Content-Type": "application/json"}
    h.update(headers or {})
    return request("POST", path, body=body, headers=h, raw=True)


def test_over_long_integers_name_their_field():
    big = b"99999999999999999999"
    p = "/v1/campaigns/help-us/pledges"
    err = assert_error(raw_post(p, b'{"amount_minor": -' + big + b'}'), 422,
                       "amount_out_of_range")
    assert err["field"] == "amount_minor"
    for field in (b"anonymous", b"donor_name", b"message", b"currency"):
        r = raw_post(p, b'{"amount_minor": 100, "' + field + b'": ' + big +
                     b'}')
        err = assert_error(r, 422, "invalid_value")
        assert err["field"] == field.decode(), err
    r = raw_post(p, b'{"a\\"b": ' + big + b', "amount_minor": 1}')
    assert assert_error(r, 422)["field"] == 'a"b'
    auth = {"Authorization": "Bearer " + admin_token()}
    for field, value in ((b"goal_minor", big), (b"tiers", b"[0, " + big + b"]"),
                         (b"max_custom_minor", b"-" + big)):
        body = (b'{"id": "lim-big", "title": "t", "currency": "USD", "' +
                field + b'": ' + value + b'}')
        err = assert_error(raw_post("/v1/admin/campaigns", body, auth), 422,
                           "invalid_value")
        assert err["field"] == field.decode(), err
