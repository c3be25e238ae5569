"""Key rotation: receipts signed before and after both verify. Runs a
second server with the rotated key beside the main one."""
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

import client
from fixtures import free_port, psql, server
from verifiers import nacl_ok, openssl_ok, public_keys


def current_kid():
    return psql("SELECT kid FROM signing_keys WHERE retired_at IS NULL")


def restore(kid):
    """Makes kid current again behind the product's back, so that the
    servers the later tests start on the main key file may sign."""
    psql("UPDATE signing_keys SET retired_at = now() WHERE retired_at IS "
         "NULL; UPDATE signing_keys SET retired_at = NULL WHERE kid = :'v1'",
         kid)
    # The main server looks at its key every 2 s: wait until it signs again.
    for _ in range(100):
        if client.get("/readyz").status == 200:
            return
        time.sleep(0.1)
    raise AssertionError("the main server did not take its key back")


def rotate_away(d):
    """A new current key in d/new.key: every other key is retired."""
    os.chmod(d, 0o700)
    env = dict(os.environ, PLEDGED_KEY_FILE=os.path.join(d, "new.key"))
    r = subprocess.run([os.environ["PLEDGED_BIN"], "keygen", "--rotate"],
                       env=env, capture_output=True)
    assert r.returncode == 0, r.stderr


def test_a_running_server_stops_signing_once_its_key_is_retired():
    d, main = tempfile.mkdtemp(), current_kid()
    try:
        rotate_away(d)
        # The main server, still on the old key, notices within its check
        # interval (2 s); until then its receipts name the old key.
        deadline = time.time() + 6
        while True:
            p = client.request("POST", "/v1/campaigns/help-us/pledges",
                               body={"amount_minor": 250000},
                               headers={"Idempotency-Key": str(uuid.uuid4())})
            if p.status != 201:
                break
            assert p.json()["receipt"]["receipt"]["kid"] == main
            assert time.time() < deadline, "still signing with a retired key"
            time.sleep(0.2)
        assert p.status == 503, p.body
        assert p.json()["error"]["code"] == "signing_key_retired", p.body
        assert client.get("/readyz").status == 503
        assert client.get("/v1/campaigns/help-us/head").status == 503
    finally:
        restore(main)
        shutil.rmtree(d)
    assert client.get("/v1/campaigns/help-us/head").status == 200


def test_rotation_keeps_old_receipts_valid():
    main = current_kid()
    try:
        rotate_and_sign()
    finally:
        restore(main)


def rotate_and_sign():
    body = {"amount_minor": 250000}
    before = client.request("POST", "/v1/campaigns/help-us/pledges", body=body,
                            headers={"Idempotency-Key": str(uuid.uuid4())})
    assert before.status == 201
    old_kid = before.json()["receipt"]["receipt"]["kid"]

    d = tempfile.mkdtemp()
    env = dict(os.environ, PLEDGED_KEY_FILE=os.path.join(d, "rotated.key"))
    os.chmod(d, 0o700)
    r = subprocess.run([os.environ["PLEDGED_BIN"], "keygen", "--rotate"],
                       env=env, capture_output=True)
    assert r.returncode == 0, r.stderr
    assert os.stat(env["PLEDGED_KEY_FILE"]).st_mode & 0o077 == 0
    with server(PLEDGED_KEY_FILE=env["PLEDGED_KEY_FILE"]):
        after = client.request("POST", "/v1/campaigns/help-us/pledges",
                               body=body,
                               headers={"Idempotency-Key": str(uuid.uuid4())})
        assert after.status == 201, after.body
        new_kid = after.json()["receipt"]["receipt"]["kid"]
        assert new_kid != old_kid
        keys = client.get("/v1/keys").json()["keys"]
        by_kid = {k["kid"]: k for k in keys}
        assert by_kid[old_kid]["retired_at"] is not None
        assert by_kid[new_kid]["retired_at"] is None
        pks = public_keys()
        for doc in (before.json()["receipt"], after.json()["receipt"]):
            assert nacl_ok(doc, pks) and openssl_ok(doc, pks)
    shutil.rmtree(d)


def test_key_file_readable_by_others_is_refused():
    d = tempfile.mkdtemp()
    try:
        path = os.path.join(d, "k")
        shutil.copy(os.environ["PLEDGED_KEY_FILE"], path)
        os.chmod(path, 0o644)
        env = dict(os.environ, PLEDGED_KEY_FILE=path,
                   PLEDGED_LISTEN=f"127.0.0.1:{free_port()}")
        r = subprocess.run([os.environ["PLEDGED_BIN"], "serve"], env=env,
                           capture_output=True, timeout=10)
        assert r.returncode != 0
        assert b"0600" in r.stderr
    finally:
        shutil.rmtree(d)


def test_serve_refuses_a_retired_key_file():
    # Rotate away from the main server's key (a new one in a temporary
    # file), then start serve on the main key file: it is retired, and
    # receipts it signed now would read as forgeries.
    d, main = tempfile.mkdtemp(), current_kid()
    try:
        rotate_away(d)
        env = dict(os.environ, PLEDGED_LISTEN=f"127.0.0.1:{free_port()}")
        try:
            r = subprocess.run([os.environ["PLEDGED_BIN"], "serve"], env=env,
                               capture_output=True, timeout=10)
        except subprocess.TimeoutExpired:
            raise AssertionError("serve started on a retired key")
        assert r.returncode != 0 and b"retired" in r.stderr, r.stderr
    finally:
        restore(main)
        shutil.rmtree(d)
