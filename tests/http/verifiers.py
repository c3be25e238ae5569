"""Three Ed25519 verifiers that share no code with each other: PyNaCl
(libsodium through Python, but our canonical bytes are recomputed by
Python's json), OpenSSL's command line, and pledged's own endpoint."""
import base64
import json
import os
import subprocess
import tempfile

import nacl.exceptions
import nacl.signing

from client import get, request

SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def public_keys():
    return {k["kid"]: base64.b64decode(k["public_key"])
            for k in get("/v1/keys").json()["keys"]}


def body_of(doc):
    for name in ("receipt", "head", "manifest"):
        if name in doc:
            return doc[name]
    raise KeyError("no signed body")


def nacl_ok(doc, keys):
    body = body_of(doc)
    pk = keys.get(body.get("kid"))
    if pk is None:
        return False
    try:
        nacl.signing.VerifyKey(pk).verify(canonical(body),
                                          base64.b64decode(doc["signature"]))
        return True
    except (nacl.exceptions.BadSignatureError, ValueError):
        return False


def openssl_ok(doc, keys):
    body = body_of(doc)
    pk = keys.get(body.get("kid"))
    if pk is None:
        return False
    with tempfile.TemporaryDirectory() as d:
        paths = {n: os.path.join(d, n) for n in ("pub.der", "msg", "sig")}
        with open(paths["pub.der"], "wb") as f:
            f.write(SPKI_PREFIX + pk)
        with open(paths["msg"], "wb") as f:
            f.write(canonical(body))
        with open(paths["sig"], "wb") as f:
            f.write(base64.b64decode(doc["signature"]))
        r = subprocess.run(
            ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey",
             paths["pub.der"], "-keyform", "DER", "-rawin", "-in",
             paths["msg"], "-sigfile", paths["sig"]],
            capture_output=True)
        return r.returncode == 0


def pledged_ok(doc):
    r = request("POST", "/v1/receipts/verify", body=doc)
    assert r.status == 200, (r.status, r.body)
    return r.json()["valid"]


def all_three(doc, keys=None):
    keys = keys or public_keys()
    return (nacl_ok(doc, keys), openssl_ok(doc, keys), pledged_ok(doc))
