"""Admin tokens over HTTP (docs/ADMIN.md "Admin tokens"): list, create
(the text shown once, never again, not even on a replay), use, revoke;
names checked as the command line does; a name taken, and revoking the
token one is signed in with, refused with 409; every change logged with
it; no token text nor hash in any answer or log row."""
import hashlib
import uuid

from client import assert_error, request
from fixtures import admin_log_refused, admin_token, psql
from test_admin import admin, cli
from test_auth_matrix import send

# Failed sign-ins count toward the limiter of their address (10, then one
# per 10 s): this file sends its own from addresses no other test uses, so
# the suite's 127.0.0.1 is never answered 429 because of them.
_n = [0]


def refused(method, path, authorization, body=None):
    _n[0] += 1
    r = send(f"127.14.{_n[0] // 250}.{_n[0] % 250 + 1}", method, path,
             authorization, body)
    return assert_error(r, 401, "unauthorized"), r


def new_name():
    return "tk-" + uuid.uuid4().hex[:10]


def create(name, key=None, token=None):
    return admin("POST", "/v1/admin/tokens", {"name": name},
                 key=key or str(uuid.uuid4()), token=token)


def listed(token=None):
    r = admin("GET", "/v1/admin/tokens", token=token)
    assert r.status == 200, r.body
    return {t["name"]: t for t in r.json()["tokens"]}


def hash_hex(text):
    return psql("SELECT encode(token_hash, 'hex') FROM admin_tokens "
                "WHERE name = :'v1'", text)


def test_create_list_use_revoke():
    name = new_name()
    key = str(uuid.uuid4())
    r = create(name, key)
    assert r.status == 201, r.body
    doc = r.json()
    assert set(doc) == {"token", "secret"}, doc
    assert set(doc["token"]) == {"name", "created_at"}, doc
    assert doc["token"]["name"] == name
    assert doc["token"]["created_at"].endswith("Z")
    secret = doc["secret"]
    assert isinstance(secret, str) and len(secret) == 43, secret
    # Only the hash is stored, and it is the hash of what we were given
    # (BLAKE2b-256 of the text, core/token.h).
    assert hash_hex(name) == hashlib.blake2b(secret.encode(),
                                             digest_size=32).hexdigest()

    # Listed, live, with no text and no hash.
    lst = admin("GET", "/v1/admin/tokens")
    assert lst.status == 200
    tokens = {t["name"]: t for t in lst.json()["tokens"]}
    assert set(tokens[name]) == {"name", "created_at", "revoked_at"}
    assert tokens[name]["revoked_at"] is None
    assert tokens[name]["created_at"] == doc["token"]["created_at"]
    h = hash_hex(name)
    assert len(h) == 64
    for body in (lst.body, r.body):
        assert h.encode() not in body
    assert secret.encode() not in lst.body

    # The new token signs in on another admin route, and sees itself.
    assert admin("GET", "/v1/admin/campaigns", token=secret).status == 200
    assert name in listed(token=secret)

    # A replay of the same request: the same token, not made again, and
    # the text is not shown again (only its hash is kept).
    again = create(name, key)
    assert again.status == 201, again.body
    assert again.header("idempotent-replayed") == "true"
    assert again.json() == {"token": doc["token"], "secret": None}
    assert secret.encode() not in again.body
    assert psql("SELECT count(*) FROM admin_tokens WHERE name = :'v1'",
                name) == "1"
    assert hash_hex(name) == h
    # The same key for another name is refused.
    assert_error(create(new_name(), key), 422, "idempotency_key_reused")

    # Revoked by another token: 204, then 401 with it, listed as revoked.
    d = admin("DELETE", f"/v1/admin/tokens/{name}")
    assert d.status == 204, d.body
    refused("GET", "/v1/admin/campaigns", "Bearer " + secret)
    assert listed()[name]["revoked_at"].endswith("Z")
    # Revoking it again, or a token never made: 404.
    assert_error(admin("DELETE", f"/v1/admin/tokens/{name}"), 404,
                 "not_found")
    assert_error(admin("DELETE", f"/v1/admin/tokens/{new_name()}"), 404,
                 "not_found")
    assert_error(admin("DELETE", "/v1/admin/tokens/no%20such"), 404,
                 "not_found")

    # Both changes logged under the acting token's name; no text, no hash.
    rows = psql("SELECT string_agg(action || ' ' || target || ' ' || detail,"
                " '|' ORDER BY id) FROM admin_log WHERE target = :'v1'", name)
    assert rows.strip() == f"token.create {name} |token.revoke {name}", rows
    who = psql("SELECT string_agg(DISTINCT token_name, ',') FROM admin_log "
               "WHERE target = :'v1'", name)
    assert who and who != name
    everything = psql("SELECT string_agg(token_name || action || target || "
                      "detail, '') FROM admin_log")
    assert secret not in everything and h not in everything


def test_the_cli_sees_what_http_made_and_the_other_way():
    name = new_name()
    r = create(name)
    assert r.status == 201, r.body
    out = cli("token", "list").stdout
    assert name in out and r.json()["secret"] not in out
    made = cli("token", "create", name)
    assert made.returncode != 0  # taken
    other = new_name()
    assert cli("token", "create", other).returncode == 0
    assert other in listed()
    assert admin("DELETE", f"/v1/admin/tokens/{other}").status == 204
    assert cli("token", "revoke", other).returncode == 1  # already revoked
    assert admin("DELETE", f"/v1/admin/tokens/{name}").status == 204


def test_bad_names_422_naming_the_field():
    for bad in ["", "has space", "x" * 65, "slash/no", "é", "semi;colon",
                "tab\t", "new\nline"]:
        err = assert_error(create(bad), 422, "invalid_value")
        assert err["field"] == "name", (bad, err)
    err = assert_error(admin("POST", "/v1/admin/tokens", {},
                             key=str(uuid.uuid4())), 422, "invalid_value")
    assert err["field"] == "name"
    for wrong in [5, None, ["a"], {"a": 1}, True]:
        err = assert_error(admin("POST", "/v1/admin/tokens", {"name": wrong},
                                 key=str(uuid.uuid4())), 400, "wrong_type")
        assert err["field"] == "name", (wrong, err)
    err = assert_error(admin("POST", "/v1/admin/tokens",
                             {"name": new_name(), "secret": "mine"},
                             key=str(uuid.uuid4())), 400, "unknown_field")
    assert err["field"] == "secret"
    assert_error(admin("POST", "/v1/admin/tokens", ["x"],
                       key=str(uuid.uuid4())), 400, "wrong_type")
    # Without an Idempotency-Key, as every creating POST.
    r = request("POST", "/v1/admin/tokens", body={"name": new_name()},
                headers={"Authorization": "Bearer " + admin_token()})
    assert_error(r, 400, "idempotency_key_required")
    auth = {"Authorization": "Bearer " + admin_token()}
    r = request("POST", "/v1/admin/tokens", body={"name": new_name()},
                headers=dict(auth, **{"Idempotency-Key": "bad\u00e9"}))
    assert_error(r, 400, "idempotency_key_invalid")
    r = request("POST", "/v1/admin/tokens", body=b"name=x", raw=True,
                headers=dict(auth, **{"Idempotency-Key": str(uuid.uuid4()),
                                      "Content-Type": "text/plain"}))
    assert_error(r, 415, "unsupported_media_type")
    r = request("POST", "/v1/admin/tokens", body=b'{"name": "a\\u0000b"}',
                raw=True, headers=dict(auth, **{
                    "Idempotency-Key": str(uuid.uuid4()),
                    "Content-Type": "application/json"}))
    assert_error(r, 400, "invalid_json")
    # The longest name allowed is allowed.
    longest = "L" + uuid.uuid4().hex + "x" * 31
    assert len(longest) == 64
    assert create(longest).status == 201
    assert admin("DELETE", f"/v1/admin/tokens/{longest}").status == 204


def test_taken_name_409_live_or_revoked():
    name = new_name()
    first = create(name)
    assert first.status == 201, first.body
    err = assert_error(create(name), 409, "conflict")
    assert err["field"] == "name"
    assert first.json()["secret"].encode() not in create(name).body
    # The first token still works: nothing was replaced.
    assert admin("GET", "/v1/admin/tokens",
                 token=first.json()["secret"]).status == 200
    assert admin("DELETE", f"/v1/admin/tokens/{name}").status == 204
    err = assert_error(create(name), 409, "conflict")
    assert err["field"] == "name"
    assert psql("SELECT count(*) FROM admin_tokens WHERE name = :'v1'",
                name) == "1"


def test_revoking_ones_own_token_is_refused():
    name = new_name()
    secret = create(name).json()["secret"]
    err = assert_error(admin("DELETE", f"/v1/admin/tokens/{name}",
                             token=secret), 409, "conflict")
    assert "signed in" in err["message"]
    assert admin("GET", "/v1/admin/campaigns", token=secret).status == 200
    assert listed()[name]["revoked_at"] is None
    assert psql("SELECT count(*) FROM admin_log WHERE target = :'v1' AND "
                "action = 'token.revoke'", name) == "0"
    # Another token may revoke it; and it may revoke another.
    other = create(new_name(), token=secret)
    assert other.status == 201
    oname = other.json()["token"]["name"]
    assert psql("SELECT token_name FROM admin_log WHERE target = :'v1' AND "
                "action = 'token.create'", oname) == name
    assert admin("DELETE", f"/v1/admin/tokens/{oname}",
                 token=secret).status == 204
    assert admin("DELETE", f"/v1/admin/tokens/{name}").status == 204


def test_unrecorded_token_changes_do_not_happen():
    live = new_name()
    assert create(live).status == 201
    made = new_name()
    with admin_log_refused():
        r = create(made)
        assert r.status >= 500, r.body
        assert b"secret" not in r.body
        r = admin("DELETE", f"/v1/admin/tokens/{live}")
        assert r.status >= 500, r.body
    assert psql("SELECT count(*) FROM admin_tokens WHERE name = :'v1'",
                made) == "0"
    assert listed()[live]["revoked_at"] is None
    assert admin("DELETE", f"/v1/admin/tokens/{live}").status == 204


def test_unauthenticated_401_changes_nothing():
    name = new_name()
    assert create(name).status == 201
    for method, path, body in [
            ("GET", "/v1/admin/tokens", None),
            ("POST", "/v1/admin/tokens", {"name": new_name()}),
            ("DELETE", f"/v1/admin/tokens/{name}", None)]:
        for authorization in [None, "Bearer " + "A" * 43]:
            err, r = refused(method, path, authorization, body)
            assert name.encode() not in r.body, err
    assert listed()[name]["revoked_at"] is None
    assert admin("DELETE", f"/v1/admin/tokens/{name}").status == 204
