"""Test fixtures made behind the API's back, as the database superuser:
campaigns in states the public API cannot create."""
import contextlib
import os
import subprocess
import uuid


def psql(sql, *args):
    """Runs sql with psql variables :v1, :v2... (quoted by psql itself)."""
    # Straight to Postgres when the server goes through PgBouncer
    # (PLEDGED_PGBOUNCER=1): a test's session settings (SET
    # session_replication_role) must not stay on a pooled server connection.
    url = os.environ.get("PLEDGED_DIRECT_URL") or os.environ["DATABASE_URL"]
    cmd = ["psql", url, "-XtAq", "-v", "ON_ERROR_STOP=1"]
    for i, a in enumerate(args, 1):
        cmd += ["-v", f"v{i}={a}"]
    r = subprocess.run(cmd, input=sql, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def campaign(status="open", origins=(), tiers="{0,250000,500000}",
             deadline=None, currency="USD"):
    cid = "t-" + uuid.uuid4().hex[:12]
    psql("INSERT INTO campaigns (id, title, currency, goal_minor, tiers, "
         "status, allowed_origins, deadline) VALUES (:'v1', 'Test', :'v2', "
         "500000, :'v3', :'v4', :'v5', nullif(:'v6', '')::timestamptz);"
         "INSERT INTO campaign_totals (campaign_id) VALUES (:'v1');",
         cid, currency, tiers, status,
         "{" + ",".join(f'"{o}"' for o in origins) + "}", deadline or "")
    return cid


def ledger_count(cid=None):
    if cid is None:
        return int(psql("SELECT count(*) FROM ledger_entries"))
    return int(psql("SELECT count(*) FROM ledger_entries "
                    "WHERE campaign_id = :'v1'", cid))


def admin_token():
    with open(os.environ["PLEDGED_ADMIN_TOKEN_FILE"]) as f:
        return f.read().strip()


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class server:
    """A second `pledged serve` on the same database, as a context manager
    that points client.BASE at it: `with server(PLEDGED_X="1"): ...`."""

    def __init__(self, **env):
        self.env = dict(os.environ, **{"PLEDGED_RATE_LIMIT": "0", **env})
        self.port = free_port()
        self.env["PLEDGED_LISTEN"] = f"127.0.0.1:{self.port}"

    def __enter__(self):
        import time
        import client
        self.proc = subprocess.Popen([os.environ["PLEDGED_BIN"], "serve"],
                                     env=self.env, stderr=subprocess.DEVNULL)
        self.saved = client.BASE
        client.BASE = client.urllib.parse.urlparse(
            f"http://127.0.0.1:{self.port}")
        for _ in range(200):
            try:
                if client.get("/readyz").status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        import client
        client.BASE = self.saved
        self.proc.terminate()
        self.proc.wait(timeout=10)


def totals_at(cid, seq, path="totals"):
    """GET /v1/campaigns/{cid}/totals (or the campaign itself, path="") once
    it shows entry seq: reads are served from a cache that a notification
    refreshes just after the commit, so the answer to a write can arrive
    first."""
    import time
    import client
    url = f"/v1/campaigns/{cid}" + (f"/{path}" if path else "")
    for _ in range(250):
        t = client.get(url).json()
        if t["seq"] >= seq:
            return t
        time.sleep(0.02)
    raise AssertionError(f"{url} still at seq {t['seq']}, wanted {seq}")


def post_pledge(cid, amount, key):
    """POST a pledge of amount_minor with an Idempotency-Key."""
    import client
    return client.request("POST", f"/v1/campaigns/{cid}/pledges",
                          body={"amount_minor": amount},
                          headers={"Idempotency-Key": key})


def resend(cid, lost, acked, tries=100):
    """Resends each unanswered (key, amount) of lost with its key until it
    is answered 201, and records its pledge in acked (key: (amount, pledge
    id)), which must agree with an earlier 201 for that key."""
    import time
    for key, amount in lost:
        r = None
        for _ in range(tries):
            try:
                r = post_pledge(cid, amount, key)
                if r.status == 201:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        assert r is not None and r.status == 201, r and r.body
        pid = r.json()["pledge"]["id"]
        assert acked.setdefault(key, (amount, pid))[1] == pid, key


@contextlib.contextmanager
def admin_log_refused():
    """The admin log's INSERT made to fail (a trigger installed behind the
    API's back) for the block's length."""
    psql("""
CREATE OR REPLACE FUNCTION test_fail_log() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'admin_log refused by the test';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER test_fail_log BEFORE INSERT ON admin_log
  FOR EACH ROW EXECUTE FUNCTION test_fail_log();
""")
    try:
        yield
    finally:
        psql("DROP TRIGGER test_fail_log ON admin_log; "
             "DROP FUNCTION test_fail_log()")
