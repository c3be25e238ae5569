"""Tampering behind the API's back: the audit names WHAT is wrong, and
only that. Receipts are forged with the real signing key (the audit must
compare them with the ledger, not only check their signatures)."""
import base64
import json
import os
import time

import nacl.signing

from fixtures import psql
from test_admin import admin, new_campaign, pledge
from verifiers import canonical


def campaign_with_receipts(*amounts):
    _, body = new_campaign()
    cid = body["id"]
    pids = [pledge(cid, a).json()["pledge"]["id"] for a in amounts]
    for _ in range(200):  # receipts are stored just after the answer
        if audit(cid)["receipts"] == len(amounts):
            break
        time.sleep(0.02)
    a = audit(cid)
    assert a["ok"] is True and a["problems"] == [], a
    return cid, pids


def audit(cid):
    r = admin("GET", f"/v1/admin/campaigns/{cid}/audit")
    assert r.status == 200, r.body
    return r.json()


def signing_key():
    with open(os.environ["PLEDGED_KEY_FILE"]) as f:
        kid, seed = f.read().split()
    return kid, nacl.signing.SigningKey(base64.b64decode(seed))


def forge(subject_id, **changes):
    """Rewrites a stored receipt with changes, signed with the real key, so
    that its signature verifies."""
    body = json.loads(psql("SELECT body FROM receipts WHERE subject_id = :'v1'",
                           subject_id))
    kid, key = signing_key()
    assert body["kid"] == kid
    body.update(changes)
    text = canonical(body)
    sig = base64.b64encode(key.sign(text).signature).decode()
    psql("SET session_replication_role = replica; "
         "UPDATE receipts SET body = :'v2', signature = :'v3' "
         "WHERE subject_id = :'v1'", subject_id, text.decode(), sig)


def expect(cid, problems):
    a = audit(cid)
    assert a["problems"] == problems, a["problems"]
    assert a["ok"] is False and a["problem_count"] == len(problems)


def test_forged_receipt_amount_is_named():
    cid, (p1, p2) = campaign_with_receipts(1000, 5000)
    forge(p2, amount_minor=500000)
    expect(cid, [f"receipt {p2}: amount differs from ledger"])


def test_forged_receipt_entry_hash_is_named():
    cid, (p1, p2) = campaign_with_receipts(1000, 5000)
    forge(p1, entry_hash="ab" * 32)
    expect(cid, [f"receipt {p1}: entry_hash differs from ledger"])


def test_receipt_for_a_seq_the_ledger_lacks_is_named():
    cid, (p1,) = campaign_with_receipts(1000)
    forge(p1, seq=77)
    expect(cid, [f"receipt {p1}: names a seq the ledger lacks"])


def test_receipt_changed_without_the_key_is_named():
    cid, (p1, p2) = campaign_with_receipts(1000, 5000)
    psql("SET session_replication_role = replica; "
         "UPDATE receipts SET body = replace(body, '\"amount_minor\":1000', "
         "'\"amount_minor\":1001') WHERE subject_id = :'v1'", p1)
    expect(cid, [f"receipt {p1}: signature does not verify"])


def test_supporters_changed_in_the_totals_is_named():
    cid, _ = campaign_with_receipts(1000, 5000, 777)
    psql("SET session_replication_role = replica; "
         "UPDATE campaign_totals SET supporters = supporters + 1 "
         "WHERE campaign_id = :'v1'", cid)
    expect(cid, ["totals: supporters 4 but the ledger counts 3"])


def test_raised_changed_in_the_totals_is_named():
    cid, _ = campaign_with_receipts(1000, 5000)
    psql("SET session_replication_role = replica; "
         "UPDATE campaign_totals SET raised_minor = raised_minor + 1 "
         "WHERE campaign_id = :'v1'", cid)
    expect(cid, ["totals: raised_minor 6001 but the ledger sums to 6000"])


def test_ledger_amount_changed_is_named_at_every_level():
    cid, (p1, p2, p3) = campaign_with_receipts(1000, 5000, 777)
    psql("SET session_replication_role = replica; "
         "UPDATE ledger_entries SET amount_minor = 9999 "
         "WHERE campaign_id = :'v1' AND seq = 2", cid)
    expect(cid, ["seq 2: entry_hash does not match its content",
                 "totals: raised_minor 6777 but the ledger sums to 11776",
                 f"receipt {p2}: amount differs from ledger"])


def test_merkle_tree_rows_changed_are_named():
    """The Merkle tree (sql/009_merkle.sql) is checked like the chain: a
    stored leaf, a stored tile node or the stored frontier changed behind
    the API's back is each named, once."""
    cid, _ = campaign_with_receipts(*([100] * 300))
    psql("SET session_replication_role = replica; UPDATE ledger_entries "
         "SET leaf_hash = sha256(leaf_hash) WHERE campaign_id = :'v1' "
         "AND seq = 7", cid)
    expect(cid, ["seq 7: leaf_hash does not match its content"])
    cid, _ = campaign_with_receipts(*([100] * 300))
    psql("SET session_replication_role = replica; UPDATE merkle_nodes "
         "SET hash = sha256(hash) WHERE campaign_id = :'v1'", cid)
    expect(cid, ["tiles: the 1 stored tile nodes differ from the 1 its "
                 "entries make"])
    cid, _ = campaign_with_receipts(100, 200, 300)
    psql("UPDATE campaign_totals SET tree_frontier = "
         "sha256(tree_frontier) || substr(tree_frontier, 33) "
         "WHERE campaign_id = :'v1'", cid)
    expect(cid, ["totals: the Merkle tree (size 3) differs from the one its "
                 "entries make (size 3)"])
