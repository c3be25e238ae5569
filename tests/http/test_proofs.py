"""Merkle proofs, checkpoints and tiles, checked by tlog.py: a verifier
written from RFC 9162 and the C2SP texts that shares no code with ours."""
import json
import os
import random
import subprocess
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import nacl.signing

import tlog
from client import assert_error, get, request
from fixtures import campaign

N = 10000


def pledge(cid, amount):
    key = str(uuid.uuid4())
    for _ in range(20):  # a 503 is retried with the same key, as clients do
        r = request("POST", f"/v1/campaigns/{cid}/pledges",
                    body={"amount_minor": amount},
                    headers={"Idempotency-Key": key})
        if r.status != 503:
            break
        time.sleep(float(r.header("retry-after") or 1))
    assert r.status == 201, r.body
    return r.json()


def note_key():
    keys = [k for k in get("/v1/keys").json()["keys"] if not k.get("retired_at")]
    return keys[-1]["note_key"]


def checkpoint(cid):
    r = get(f"/v1/campaigns/{cid}/checkpoint")
    assert r.status == 200, r.body
    assert r.header("content-type").startswith("text/plain")
    return r.body.decode()


def fetch_entries(cid, size):
    """Every entry of the tree of size leaves, from the entry bundles."""
    out = []
    for t in range((size + 255) // 256):
        width = min(256, size - 256 * t)
        path = tlog.tile_path("entries", t, width)
        r = get(f"/v1/campaigns/{cid}/log/{path}")
        assert r.status == 200, (path, r.body)
        assert "immutable" in r.header("cache-control")
        out += tlog.entries_of_bundle(r.body)
    assert len(out) == size
    return out


_big = {}


def big_log():
    """A campaign of N entries (made once), a checkpoint taken half way and
    one at the end, and every leaf computed here from the entry bundles."""
    if _big:
        return _big
    cid = campaign()
    amounts = [random.randint(100, 100000) for _ in range(N)]
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda a: pledge(cid, a), amounts[:N // 2]))
        half = checkpoint(cid)
        list(pool.map(lambda a: pledge(cid, a), amounts[N // 2:]))
    end = checkpoint(cid)
    vkey = note_key()
    cp1, cp2 = tlog.open_checkpoint(half, vkey), tlog.open_checkpoint(end, vkey)
    assert cp1 and cp2, (half, end)
    entries = fetch_entries(cid, cp2["size"])
    _big.update(cid=cid, cp1=cp1, cp2=cp2, note=end, vkey=vkey,
                entries=entries,
                leaves=[tlog.leaf_hash(e) for e in entries])
    return _big


def test_checkpoints_name_the_tree_and_totals_of_the_entries():
    b = big_log()
    cp1, cp2, entries, leaves = b["cp1"], b["cp2"], b["entries"], b["leaves"]
    assert cp2["size"] == N and cp2["origin"].endswith("/" + b["cid"])
    assert 0 < cp1["size"] <= cp2["size"]
    for i, e in enumerate(entries):
        assert json.loads(e)["seq"] == i + 1
        assert tlog.canonical(json.loads(e)) == e
    assert tlog.mth(leaves) == cp2["root"]
    assert tlog.mth(leaves[:cp1["size"]]) == cp1["root"]
    raised = sum(json.loads(e)["amount_minor"] for e in entries)
    assert cp2["raised_minor"] == raised and cp2["collected_minor"] == 0
    assert cp2["goal_minor"] == 500000 and cp2["currency"] == "USD"
    # The JSON head names the same tree.
    head = get(f"/v1/campaigns/{b['cid']}/head").json()["head"]
    assert head["tree_size"] == N
    assert bytes.fromhex(head["root_hash"]) == cp2["root"]


def test_every_entry_has_an_inclusion_proof():
    b = big_log()
    cid, leaves, root = b["cid"], b["leaves"], b["cp2"]["root"]

    def one(i):
        url = f"/v1/campaigns/{cid}/proof/inclusion?seq={i + 1}&size={N}"
        r = get(url)
        for _ in range(20):  # a busy server says when to come back (503)
            if r.status != 503:
                break
            time.sleep(float(r.header("retry-after") or 1))
            r = get(url)
        assert r.status == 200, r.body
        p = r.json()
        path = [bytes.fromhex(h) for h in p["path"]]
        assert p["leaf_index"] == i and p["tree_size"] == N
        assert bytes.fromhex(p["leaf_hash"]) == leaves[i]
        assert tlog.verify_inclusion(leaves[i], i, N, path, root), i
        return path

    with ThreadPoolExecutor(4) as pool:
        paths = list(pool.map(one, range(N)))
    # A tampered entry, and the right entry at a wrong index, fail.
    for i in random.sample(range(N), 20):
        e = json.loads(b["entries"][i])
        e["amount_minor"] += 1
        bad = tlog.leaf_hash(tlog.canonical(e))
        assert not tlog.verify_inclusion(bad, i, N, paths[i], root)
        for j in (i - 1, i + 1):
            if 0 <= j < N:
                assert not tlog.verify_inclusion(leaves[i], j, N, paths[i],
                                                 root)


def test_consistency_between_50_random_pairs_of_sizes():
    b = big_log()
    cid, leaves = b["cid"], b["leaves"]
    pairs = [sorted(random.sample(range(1, N + 1), 2)) for _ in range(50)]
    pairs += [[1, N], [256, 512], [N, N], [b["cp1"]["size"], N]]
    for a, z in pairs:
        r = get(f"/v1/campaigns/{cid}/proof/consistency?from={a}&to={z}")
        assert r.status == 200, r.body
        p = r.json()
        path = [bytes.fromhex(h) for h in p["path"]]
        old, new = tlog.mth(leaves[:a]), tlog.mth(leaves[:z])
        assert tlog.verify_consistency(a, z, old, new, path), (a, z)
        if a == z:
            continue
        # Against a log rewritten before size a, the proof fails.
        forged = list(leaves[:a])
        k = random.randrange(a)
        e = json.loads(b["entries"][k])
        e["amount_minor"] = 1
        forged[k] = tlog.leaf_hash(tlog.canonical(e))
        assert not tlog.verify_consistency(a, z, tlog.mth(forged), new, path)
    # The two signed checkpoints are consistent with each other.
    a = b["cp1"]["size"]
    r = get(f"/v1/campaigns/{cid}/proof/consistency?from={a}&to={N}").json()
    assert tlog.verify_consistency(a, N, b["cp1"]["root"], b["cp2"]["root"],
                                   [bytes.fromhex(h) for h in r["path"]])


def test_checkpoint_signed_by_another_key_is_rejected():
    b = big_log()
    name = b["vkey"].split("+")[0]
    text = b["note"].rpartition("\n\n")[0] + "\n"
    other = nacl.signing.SigningKey.generate()
    forged = tlog.sign_note(text, name, other)
    assert tlog.open_checkpoint(forged, b["vkey"]) is None
    other_vkey = "+".join([name, tlog.key_id(name, bytes(other.verify_key)).hex(),
                           __import__("base64").b64encode(
                               b"\x01" + bytes(other.verify_key)).decode()])
    assert tlog.open_checkpoint(b["note"], other_vkey) is None
    assert tlog.open_checkpoint(forged, other_vkey)["size"] == N
    # A changed total breaks our signature.
    bumped = b["note"].replace(f"raised_minor {b['cp2']['raised_minor']}",
                               f"raised_minor {b['cp2']['raised_minor'] + 1}")
    assert tlog.open_checkpoint(bumped, b["vkey"]) is None


def test_tiles_are_the_tree_computed_independently():
    b = big_log()
    cid, leaves = b["cid"], b["leaves"]
    for t in (0, 17, N // 256):
        width = min(256, N - 256 * t)
        r = get(f"/v1/campaigns/{cid}/log/" + tlog.tile_path(0, t, width))
        assert r.status == 200, r.body
        assert r.body == b"".join(leaves[256 * t:256 * t + width])
    level1 = [tlog.mth(leaves[256 * i:256 * i + 256]) for i in range(N // 256)]
    r = get(f"/v1/campaigns/{cid}/log/" + tlog.tile_path(1, 0, N // 256))
    assert r.status == 200, r.body
    assert r.body == b"".join(level1)
    # Not grown that far yet, or not a tile path.
    for path in (tlog.tile_path(1, 0), tlog.tile_path(0, N // 256),
                 "tile/0/40", "tile/0/x000/001", "tile/8/000", "tile/0/000.p/0",
                 "tile/0/000.p/256", "tile/0/000.p/01", "tile/0/000/",
                 "tile/entries/1000"):
        r = get(f"/v1/campaigns/{cid}/log/{path}")
        assert_error(r, 404)


def test_receipt_proof_and_checkpoint_verify_offline():
    cid = campaign()
    for a in (100, 2500, 999):
        pledge(cid, a)
    doc = pledge(cid, 4242)["receipt"]
    pledge(cid, 700)
    note = checkpoint(cid)
    vkey = note_key()
    cp = tlog.open_checkpoint(note, vkey)
    rec = doc["receipt"]
    proof = get(f"/v1/campaigns/{cid}/proof/inclusion?seq={rec['seq']}"
                f"&size={cp['size']}").json()
    leaf = tlog.leaf_hash(tlog.entry_of_receipt(rec))
    assert tlog.verify_inclusion(leaf, rec["seq"] - 1, cp["size"],
                                 [bytes.fromhex(h) for h in proof["path"]],
                                 cp["root"])
    with tempfile.TemporaryDirectory() as d:
        paths = {}
        for name, body in (("receipt.json", json.dumps(doc)),
                           ("proof.json", json.dumps(proof)),
                           ("checkpoint.txt", note)):
            paths[name] = os.path.join(d, name)
            with open(paths[name], "w") as f:
                f.write(body)
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}

        def verify(*extra):
            return subprocess.run(
                [os.environ["PLEDGED_BIN"], "verify", paths["receipt.json"],
                 "--proof", paths["proof.json"], "--checkpoint",
                 paths["checkpoint.txt"], "--key", vkey, *extra],
                capture_output=True, text=True, env=env)

        ok = verify()
        assert ok.returncode == 0, ok.stdout + ok.stderr
        assert f"is entry {rec['seq']} of" in ok.stdout
        # One byte off anywhere: refused, saying what failed.
        bad = dict(doc, receipt=dict(rec, amount_minor=4243))
        with open(paths["receipt.json"], "w") as f:
            f.write(json.dumps(bad))
        r = verify()
        assert r.returncode == 1 and "signature" in r.stdout, r.stdout
        with open(paths["receipt.json"], "w") as f:
            f.write(json.dumps(doc))
        wrong = dict(proof, path=proof["path"][::-1])
        with open(paths["proof.json"], "w") as f:
            f.write(json.dumps(wrong))
        r = verify()
        assert r.returncode == 1 and "does not lead" in r.stdout, r.stdout
        with open(paths["proof.json"], "w") as f:
            f.write(json.dumps(proof))
        with open(paths["checkpoint.txt"], "w") as f:
            f.write(note.replace("\n5\n", "\n4\n", 1))
        r = verify()
        assert r.returncode == 1 and "checkpoint" in r.stdout, r.stdout


def test_bad_proof_requests_get_clear_errors():
    cid = campaign()
    for a in (100, 200, 300):
        pledge(cid, a)
    base = f"/v1/campaigns/{cid}/proof"
    for q, field in (("", "seq"), ("?seq=0", "seq"), ("?seq=abc", "seq"),
                     ("?seq=4", "seq"), ("?seq=1&size=4", "size"),
                     ("?seq=3&size=2", "seq"), ("?seq=1&size=-1", "size"),
                     ("?seq=99999999999999999999", "seq")):
        err = assert_error(get(base + "/inclusion" + q), 422)
        assert err["field"] == field, (q, err)
    for q, field in (("", "from"), ("?from=0", "from"), ("?from=3&to=2", "from"),
                     ("?from=1&to=4", "to")):
        err = assert_error(get(base + "/consistency" + q), 422)
        assert err["field"] == field, (q, err)
    assert_error(get("/v1/campaigns/no-such/proof/inclusion?seq=1"), 404)
    assert_error(get("/v1/campaigns/no-such/checkpoint"), 404)
    # An empty campaign has a checkpoint of size 0 with the empty root.
    empty = campaign()
    cp = tlog.open_checkpoint(checkpoint(empty), note_key())
    assert cp["size"] == 0 and cp["root"] == tlog.sha256(b"")
    assert_error(get(f"/v1/campaigns/{empty}/proof/inclusion?seq=1"), 422)
