"""Staff finding a gift (GET /v1/admin/campaigns/{id}/pledges/search) and a
campaign's money per day or hour (GET /v1/admin/campaigns/{id}/series):
docs/ADMIN.md."""
import urllib.parse
import uuid

from client import assert_error, request
from fixtures import admin_token, campaign, psql


def admin(method, path, body=None):
    h = {"Authorization": "Bearer " + admin_token()}
    if method == "POST":
        h["Idempotency-Key"] = str(uuid.uuid4())
    return request(method, path, body=body, headers=h)


def pledge(cid, amount, **donor):
    r = request("POST", f"/v1/campaigns/{cid}/pledges",
                body=dict(amount_minor=amount, **donor),
                headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status == 201, r.body
    return r.json()["pledge"]["id"]


def search(cid, q, **more):
    qs = urllib.parse.urlencode(dict(q=q, **more))
    return admin("GET", f"/v1/admin/campaigns/{cid}/pledges/search?{qs}")


def found(cid, q):
    r = search(cid, q)
    assert r.status == 200, r.body
    return [p["id"] for p in r.json()["pledges"]]


def test_search_by_name_email_amount_and_id():
    cid = campaign()
    ana = pledge(cid, 1250, donor_name="Ana Lima", donor_email="ana@example.org")
    bob = pledge(cid, 250000, donor_name="Bob", donor_email="bob.k@example.org",
                 anonymous=True)
    other = pledge(campaign(), 1250, donor_email="ana@example.org")
    assert found(cid, "ana@example.org") == [ana]
    assert found(cid, "LIMA") == [ana], "any case, part of the name"
    assert found(cid, "bob.k") == [bob], "part of the email"
    assert found(cid, "12.50") == [ana], "an amount in major units"
    assert found(cid, "2,500") == [bob]
    assert found(cid, bob) == [bob], "a pledge id"
    assert found(cid, other) == [], "only this campaign's"
    assert found(cid, "%") == [], "no wildcards"
    r = search(cid, "Bob").json()["pledges"][0]
    assert r["donor_name"] == "Bob" and r["anonymous"] is True, r
    assert r["donor_email"] == "bob.k@example.org" and r["refunded"] is False


def test_search_is_logged_and_refuses_bad_input():
    cid = campaign()
    before = int(psql("SELECT count(*) FROM admin_log WHERE action = "
                      "'pledges.search' AND target = :'v1'", cid))
    assert search(cid, "someone").status == 200
    after = int(psql("SELECT count(*) FROM admin_log WHERE action = "
                     "'pledges.search' AND target = :'v1'", cid))
    assert after == before + 1, "the read of donors' data is logged"
    err = assert_error(admin("GET", f"/v1/admin/campaigns/{cid}/pledges/search"),
                       422, "invalid_value")
    assert err["field"] == "q", err
    assert assert_error(search(cid, ""), 422)["field"] == "q"
    assert assert_error(search(cid, "a\x01b"), 422)["field"] == "q"
    assert assert_error(search(cid, "x" * 255), 422)["field"] == "q"
    assert assert_error(search(cid, "a", limit="0"), 422)["field"] == "limit"
    assert_error(search("no-such-campaign", "a"), 404)
    r = request("GET", f"/v1/admin/campaigns/{cid}/pledges/search?q=a")
    assert_error(r, 401)


def test_series_per_day_and_hour_follows_refunds():
    cid = campaign()
    pledge(cid, 1000)
    big = pledge(cid, 250000)
    r = admin("GET", f"/v1/admin/campaigns/{cid}/series?bucket=day")
    assert r.status == 200, r.body
    s = r.json()
    assert s["bucket"] == "day" and s["time_zone"] == "UTC" and s["currency"] == "USD"
    assert s["raised_minor"] == 251000, s
    refund = admin("POST", f"/v1/admin/pledges/{big}/refund")
    assert refund.status == 201, refund.body
    for bucket in ("day", "hour"):
        s = admin("GET", f"/v1/admin/campaigns/{cid}/series?bucket={bucket}").json()
        total = request("GET", f"/v1/campaigns/{cid}/totals").json()
        assert s["raised_minor"] == total["raised_minor"] == 1000, (s, total)
        last = s["buckets"][-1]
        assert last["raised_total_minor"] == 1000 and last["collected_total_minor"] == 0
        assert sum(b["pledges"] for b in s["buckets"]) == 2
        assert sum(b["refunds"] for b in s["buckets"]) == 1
        assert sum(b["pledged_minor"] for b in s["buckets"]) == 251000
        start = s["buckets"][0]["start"]
        assert start.endswith("Z") and (start.endswith("T00:00:00Z") or bucket == "hour"), start
        assert start.endswith(":00:00Z"), start
    err = assert_error(admin("GET", f"/v1/admin/campaigns/{cid}/series?bucket=week"), 422)
    assert err["field"] == "bucket", err
    empty = admin("GET", f"/v1/admin/campaigns/{campaign()}/series").json()
    assert empty["bucket"] == "day" and empty["buckets"] == [] and empty["raised_minor"] == 0
    assert_error(admin("GET", "/v1/admin/campaigns/nope/series"), 404)
    assert_error(request("GET", f"/v1/admin/campaigns/{cid}/series"), 401)
