"""Admin input is validated before it reaches the database: origins are
scheme://host[:port], timestamps lie in a range we can format, and no
database error text ever reaches a client."""
import os
import uuid

from client import assert_error, request
from fixtures import admin_token, psql

BAD_ORIGINS = [
    'https://a"b', "https://a\\b.example", "https://a b.example",
    "https://a.example\r\nX: y", "*", "https://*.example", "null", "",
    "https://a.example/", "https://a.example/path", "https://a.example?x",
    "https://a.example#x", "https://a.example:", "https://a.example:0",
    "https://a.example:99999", "https://a.example:08080",
    "https://user@a.example", "ftp://a.example", "https://", "https://:80",
    "https://A.EXAMPLE", "HTTPS://a.example", "https://a..example",
    "https://-a.example", "https://a.example.", "https://[::1",
    "https://[zz::1]", "https://a.example\t", " https://a.example",
    "https://\u00e9.example", "https://a.example:80:80", "//a.example",
]
GOOD_ORIGINS = ["https://a.example", "http://localhost:8080",
                "https://127.0.0.1:8443", "http://[::1]:8080",
                "https://news.example.co.uk", "http://a-b.example:1"]


def admin(method, path, body=None, key=None):
    h = {"Authorization": "Bearer " + admin_token()}
    if key:
        h["Idempotency-Key"] = key
    return request(method, path, body=body, headers=h)


def create(**over):
    body = {"id": "in-" + uuid.uuid4().hex[:10], "title": "Input",
            "currency": "USD", "goal_minor": 100000, "tiers": [0, 1000]}
    body.update(over)
    return admin("POST", "/v1/admin/campaigns", body,
                 key="in-" + uuid.uuid4().hex), body["id"]


def test_origins_must_be_scheme_host_port():
    for o in BAD_ORIGINS:
        r, _ = create(allowed_origins=[o])
        err = assert_error(r, 422, "invalid_value")
        assert err["field"] == "allowed_origins", (o, err)
    r, cid = create(allowed_origins=GOOD_ORIGINS[:4])
    assert r.status == 201, r.body
    r = admin("PATCH", f"/v1/admin/campaigns/{cid}",
              {"allowed_origins": GOOD_ORIGINS[4:]})
    assert r.status == 200, r.body
    assert r.json()["allowed_origins"] == GOOD_ORIGINS[4:]
    for o in BAD_ORIGINS[:6]:
        r = admin("PATCH", f"/v1/admin/campaigns/{cid}",
                  {"allowed_origins": [o]})
        assert_error(r, 422, "invalid_value")


def test_timestamps_are_bounded_to_what_we_format():
    for d in ("9999-12-31T23:59:59-23:59", "1970-01-01T00:00:00+00:01",
              "1969-12-31T23:59:59Z"):
        r, _ = create(deadline=d)
        err = assert_error(r, 422, "invalid_value")
        assert err["field"] == "deadline", err
    r, cid = create(deadline="9999-12-31T23:59:59+23:59")
    assert r.status == 201, r.body
    for q in ("from", "to"):
        r = admin("GET", f"/v1/admin/campaigns/help-us/ledger.csv?{q}="
                         "9999-12-31T23:59:59-23:59")
        err = assert_error(r, 422, "invalid_value")
        assert err["field"] == q


def test_database_errors_stay_in_the_log():
    cid = "in-boom-" + uuid.uuid4().hex[:8]
    secret = "secret-db-text-" + uuid.uuid4().hex[:8]
    psql(f"""CREATE FUNCTION test_boom() RETURNS trigger LANGUAGE plpgsql AS
           $$ BEGIN IF NEW.id = '{cid}' THEN
           RAISE EXCEPTION '{secret}' USING DETAIL = 'detail {secret}';
           END IF; RETURN NEW; END $$;
           CREATE TRIGGER test_boom BEFORE INSERT ON campaigns
           FOR EACH ROW EXECUTE FUNCTION test_boom()""")
    try:
        r, _ = create(id=cid)
    finally:
        psql("DROP TRIGGER test_boom ON campaigns; DROP FUNCTION test_boom()")
    err = assert_error(r, 500, "internal_error")
    assert secret.encode() not in r.body, r.body
    rid = r.header("x-request-id")
    assert rid and rid in err["message"], (r.headers, err)
    log = os.environ.get("PLEDGED_SERVER_LOG")
    if log:
        with open(log) as f:
            assert any(rid in line for line in f), "request id not logged"
