"""The auth matrix: every /v1/admin/* route of the route table (read from
api/routes.c, so a route added later is in the matrix without anyone
remembering to add it) refuses a missing, malformed, wrong or revoked token
with 401, an error body and no data, and changes nothing."""
import http.client
import json
import pathlib
import re
import uuid

import client
from client import get, request
from fixtures import admin_token, psql, totals_at
from test_admin import admin, cli, new_campaign, pledge

ROUTES_C = pathlib.Path(__file__).resolve().parents[2] / "api" / "routes.c"


def route_table():
    """(method, pattern) of every entry of `routes[]` in api/routes.c."""
    text = ROUTES_C.read_text()
    start = text.index("static const struct route routes[] = {")
    table = text[start:text.index("\n};", start)]
    routes = re.findall(r'\{\s*"([A-Z]+)",\s*"([^"]*)",', table)
    # Every entry was understood: as many routes as handlers named.
    assert len(routes) == len(re.findall(r"\bhandle_\w+", table)), routes
    return routes


def admin_routes():
    routes = [r for r in route_table()
              if r[1] == "/v1/admin" or r[1].startswith("/v1/admin/")]
    assert len(routes) >= 9, routes
    return routes


def fill(pattern, cid, pid, wid=None, tname=None):
    """The pattern with each {} replaced by an id that exists, so that a
    route without its token check would answer with real data."""
    def one(m):
        kind = m.group(1)
        if kind == "campaigns":
            return f"/campaigns/{cid}"
        if kind == "pledges":
            return f"/pledges/{pid}"
        if kind == "webhooks" and wid:
            return f"/webhooks/{wid}"
        if kind == "tokens" and tname:
            return f"/tokens/{tname}"
        raise AssertionError(f"teach the auth matrix what {{}} is in {pattern}")
    return re.sub(r"/(\w+)/\{\}", one, pattern)


def webhook():
    """An endpoint that exists; it delivers nowhere (the discard port
    refuses at once, so it holds no delivery worker), and the test deletes
    it when done."""
    r = request("POST", "/v1/admin/webhooks",
                body={"url": "http://127.0.0.1:9/hook"},
                headers={"Authorization": "Bearer " + admin_token(),
                         "Idempotency-Key": str(uuid.uuid4())})
    assert r.status == 201, r.body
    return r.json()["webhook"]["id"]


def body_for(method, path, marker):
    """A body that would succeed with a good token."""
    if method == "POST" and path == "/v1/admin/campaigns":
        return {"id": marker, "title": "pwned", "currency": "USD",
                "goal_minor": 1000, "tiers": [0, 1000]}
    if method == "POST" and path == "/v1/admin/tokens":
        return {"name": marker}
    if method == "PATCH":
        return {"title": marker}
    if method in ("POST", "PUT"):
        return {}
    return None


def send(source_ip, method, path, authorization, body):
    """One request from source_ip (each case from its own loopback address,
    so that the failed sign-in limiter never answers 429 instead)."""
    conn = http.client.HTTPConnection(client.BASE.hostname, client.BASE.port,
                                      timeout=10,
                                      source_address=(source_ip, 0))
    h = {"Idempotency-Key": str(uuid.uuid4())}
    if authorization is not None:
        h["Authorization"] = authorization
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=h)
    r = conn.getresponse()
    out = client.Response(r.status, {k.lower(): v for k, v in r.getheaders()},
                          r.read())
    conn.close()
    return out


def revoked_token():
    name = "revoked-" + uuid.uuid4().hex[:8]
    made = cli("token", "create", name)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert admin("GET", "/v1/admin/campaigns", token=token).status == 200
    assert cli("token", "revoke", name).returncode == 0
    return token


def live_token():
    """A token that exists and is live, for DELETE /v1/admin/tokens/{}."""
    name = "victim-" + uuid.uuid4().hex[:8]
    made = cli("token", "create", name)
    assert made.returncode == 0, made.stderr
    return name


def test_route_table_is_read_whole():
    routes = route_table()
    assert ("GET", "/v1/admin/campaigns/{}/pledges") in routes
    assert ("POST", "/v1/admin/pledges/{}/refund") in routes
    assert ("GET", "/healthz") in routes
    assert ("DELETE", "/v1/admin/tokens/{}") in routes
    # Every admin route is reachable with the admin token (the matrix
    # below is about refusing, this is about the routes being real).
    _, body = new_campaign()
    cid = body["id"]
    pid = pledge(cid, 1000).json()["pledge"]["id"]
    wid = webhook()
    for method, pattern in admin_routes():
        if method != "GET":
            continue
        # A search needs something to search for (its q is tested in
        # test_admin_search).
        query = "?q=someone" if pattern.endswith("/search") else ""
        r = admin(method, fill(pattern, cid, pid, wid) + query)
        assert r.status == 200, (pattern, r.status, r.body)
    assert admin("DELETE", f"/v1/admin/webhooks/{wid}").status == 204


def test_every_admin_route_refuses_bad_tokens_with_401_and_no_data():
    _, body = new_campaign()
    cid = body["id"]
    p = pledge(cid, 5000).json()["pledge"]
    pid = p["id"]
    totals = totals_at(cid, 1)
    wid = webhook()
    tname = live_token()
    campaigns_before = psql("SELECT count(*) FROM campaigns")
    webhooks_before = psql("SELECT count(*), (SELECT cursor FROM "
                           "webhook_endpoints WHERE id = :'v1') FROM "
                           "webhook_endpoints", wid)
    log_before = psql("SELECT count(*) FROM admin_log")
    wrong = "Bearer " + uuid.uuid4().hex + uuid.uuid4().hex[:11]
    tokens = {
        "none": None,
        "empty": "Bearer ",
        "not bearer": "Basic " + "dXNlcjpwYXNz",
        "wrong": wrong,
        "revoked": "Bearer " + revoked_token(),
    }
    tokens_before = psql("SELECT string_agg(name || ':' || "
                         "coalesce(revoked_at::text, 'live'), ',' ORDER BY "
                         "name) FROM admin_tokens")
    secrets = [cid, pid, "dee@example.org", "Dee", "raised_minor", tname]
    n = 0
    for method, pattern in admin_routes():
        for kind, authorization in tokens.items():
            n += 1
            marker = "m-" + uuid.uuid4().hex[:12]
            path = fill(pattern, cid, pid, wid, tname)
            r = send(f"127.13.{n // 250}.{n % 250 + 1}", method, path,
                     authorization, body_for(method, pattern, marker))
            where = f"{method} {pattern} with {kind} token"
            assert r.status == 401, (where, r.status, r.body[:200])
            assert r.header("content-type").startswith("application/json")
            assert r.header("www-authenticate") is not None, where
            doc = r.json()
            assert list(doc) == ["error"], (where, doc)
            assert doc["error"]["code"] == "unauthorized", (where, doc)
            assert set(doc["error"]) <= {"code", "message", "field"}, doc
            for s in secrets + [marker]:
                assert s.encode() not in r.body, (where, s, r.body)
    assert n >= 45, n
    # Nothing changed: no campaign made or renamed, no refund, no log row,
    # no webhook made, replayed or deleted.
    assert psql("SELECT count(*), (SELECT cursor FROM webhook_endpoints "
                "WHERE id = :'v1') FROM webhook_endpoints", wid) == \
        webhooks_before
    assert psql("SELECT count(*) FROM campaigns") == campaigns_before
    assert psql("SELECT title FROM campaigns WHERE id = :'v1'", cid) == \
        "Admin test"
    assert psql("SELECT max(seq) FROM ledger_entries WHERE campaign_id = "
                ":'v1'", cid) == "1"
    assert get(f"/v1/campaigns/{cid}/totals").json() == totals
    assert psql("SELECT count(*) FROM refunds WHERE pledge_id = :'v1'",
                pid) == "0"
    assert psql("SELECT count(*) FROM admin_log") == log_before
    # No token made or revoked.
    assert psql("SELECT string_agg(name || ':' || coalesce(revoked_at::text, "
                "'live'), ',' ORDER BY name) FROM admin_tokens") == \
        tokens_before
    assert admin("DELETE", f"/v1/admin/webhooks/{wid}").status == 204
