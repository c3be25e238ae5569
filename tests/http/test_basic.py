from client import assert_error, get, request


def test_healthz_and_readyz():
    assert get("/healthz").json() == {"status": "ok"}
    r = get("/readyz")
    assert r.status == 200 and r.json() == {"status": "ready"}


def test_reference_campaign_is_served():
    r = get("/v1/campaigns/help-us")
    assert r.status == 200, r.body
    assert r.header("content-type") == "application/json; charset=utf-8"
    c = r.json()
    assert c["id"] == "help-us"
    assert c["currency"] == "USD"
    assert c["goal_minor"] == 500000
    assert c["tiers"] == [0, 250000, 500000]
    assert c["raised_minor"] == 92900
    assert c["supporters"] == 7
    assert c["percent"] == 18
    assert c["status"] == "open"
    assert c["min_custom_minor"] == 100 and c["max_custom_minor"] == 100000000
    assert c["deadline"] is None
    assert c["display"] == {"raised": "929 $", "goal": "5,000 $"}


def test_unknown_campaign_is_404():
    assert_error(get("/v1/campaigns/nope"), 404, "not_found")
    assert_error(get("/v1/campaigns/DROP%20TABLE"), 404, "not_found")
    assert_error(get("/v1/campaigns/..%2F..%2Fetc"), 404, "not_found")


def test_unknown_path_is_404_and_wrong_method_405():
    assert_error(get("/nope"), 404, "not_found")
    assert_error(get("/v1/campaigns/help-us/extra/deep"), 404)
    r = request("DELETE", "/v1/campaigns/help-us")
    assert_error(r, 405, "method_not_allowed")
    assert "GET" in r.header("allow")


def test_every_response_has_nosniff():
    assert get("/healthz").header("x-content-type-options") == "nosniff"
    assert get("/nope").header("x-content-type-options") == "nosniff"


def test_oversized_body_is_413():
    r = request("POST", "/v1/campaigns/help-us", body=b"x" * 20000, raw=True,
                headers={"Content-Type": "application/json"})
    assert_error(r, 413, "payload_too_large")
