"""Recent supporters (GET /v1/campaigns/{id}/supporters) and staff's
moderation (POST /v1/admin/pledges/{id}/moderation): off unless the
campaign asks; names only when not anonymous and not hidden; only approved
ones when moderated; refunded pledges never listed."""
import uuid

from client import assert_error, request
from fixtures import admin_token, campaign, psql


def admin(method, path, body=None):
    h = {"Authorization": "Bearer " + admin_token()}
    return request(method, path, body=body, headers=h)


def pledge(cid, amount=1000, **donor):
    r = request("POST", f"/v1/campaigns/{cid}/pledges",
                body=dict(amount_minor=amount, **donor),
                headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status == 201, r.body
    return r.json()["pledge"]["id"]


def listed(cid):
    r = request("GET", f"/v1/campaigns/{cid}/supporters")
    assert r.status == 200, r.body
    assert r.header("access-control-allow-origin") == "*"
    return r.json()


def moderate(pid, state):
    return admin("POST", f"/v1/admin/pledges/{pid}/moderation", {"state": state})


def test_public_list_names_only_the_willing():
    cid = campaign()
    pledge(cid, donor_name="Ana")
    assert listed(cid) == {"campaign_id": cid, "list": "off", "supporters": []}
    r = admin("PATCH", f"/v1/admin/campaigns/{cid}", {"supporters_list": "public"})
    assert r.status == 200 and r.json()["supporters_list"] == "public", r.body
    pledge(cid, donor_name="Secret", anonymous=True)
    bob = pledge(cid, donor_name="Bob")
    rita = pledge(cid, donor_name="Rita")
    r = request("POST", f"/v1/admin/pledges/{rita}/refund",
                headers={"Authorization": "Bearer " + admin_token(),
                         "Idempotency-Key": str(uuid.uuid4())})
    assert r.status == 201, r.body
    assert moderate(bob, "hidden").status == 200
    got = listed(cid)
    assert got["list"] == "public"
    assert [s["name"] for s in got["supporters"]] == [None, None, "Ana"], got
    assert "Secret" not in str(got) and "Bob" not in str(got) and "Rita" not in str(got)
    assert all(s["created_at"].endswith("Z") for s in got["supporters"])
    found = admin("GET", f"/v1/admin/campaigns/{cid}/pledges/search?q=Bob").json()
    assert found["pledges"][0]["moderation"] == "hidden", found


def test_moderated_list_shows_only_approved():
    cid = campaign()
    assert admin("PATCH", f"/v1/admin/campaigns/{cid}",
                 {"supporters_list": "moderated"}).status == 200
    cleo = pledge(cid, donor_name="Cleo")
    pledge(cid, donor_name="Dan")
    assert listed(cid)["supporters"] == [], "nothing until approved"
    r = moderate(cleo, "approved")
    assert r.status == 200 and r.json() == {"pledge_id": cleo, "campaign_id": cid,
                                            "state": "approved"}, r.body
    assert [s["name"] for s in listed(cid)["supporters"]] == ["Cleo"]
    assert moderate(cleo, "hidden").status == 200, "staff may change their mind"
    assert listed(cid)["supporters"] == []
    assert int(psql("SELECT count(*) FROM admin_log WHERE action = 'pledge.moderate' "
                    "AND target = :'v1'", cleo)) == 2


def test_moderation_and_setting_refuse_bad_input():
    cid = campaign()
    pid = pledge(cid)
    err = assert_error(moderate(pid, "maybe"), 422, "invalid_value")
    assert err["field"] == "state"
    assert_error(admin("POST", f"/v1/admin/pledges/{pid}/moderation", {}), 422)
    assert_error(admin("POST", f"/v1/admin/pledges/{pid}/moderation", [1]), 400)
    assert_error(admin("POST", f"/v1/admin/pledges/{pid}/moderation", {"state": 1}), 400)
    assert_error(admin("POST", f"/v1/admin/pledges/{pid}/moderation",
                       {"state": "hidden", "why": "x"}), 400, "unknown_field")
    assert_error(moderate(str(uuid.uuid4()), "hidden"), 404)
    assert_error(moderate("not-a-uuid", "hidden"), 404)
    assert_error(request("POST", f"/v1/admin/pledges/{pid}/moderation",
                         body={"state": "hidden"}), 401)
    err = assert_error(admin("PATCH", f"/v1/admin/campaigns/{cid}",
                             {"supporters_list": "everyone"}), 422, "invalid_value")
    assert err["field"] == "supporters_list"
    assert_error(request("GET", "/v1/campaigns/no-such/supporters"), 404)
