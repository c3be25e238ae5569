"""An independent transparency-log verifier, written from the texts of RFC
9162 section 2.1 (Merkle trees, inclusion and consistency proofs) and C2SP
signed-note, tlog-checkpoint and tlog-tiles alone. It shares no code with
pledged: hashlib for SHA-256, PyNaCl for Ed25519, json for canonical bytes."""
import base64
import hashlib
import json

import nacl.exceptions
import nacl.signing


def sha256(b):
    return hashlib.sha256(b).digest()


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def leaf_hash(entry_bytes):
    """RFC 9162 2.1.1: MTH({d(0)}) = SHA-256(0x00 || d(0))."""
    return sha256(b"\x00" + entry_bytes)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def mth(leaves):
    """RFC 9162 2.1.1, recursively, over leaf hashes."""
    n = len(leaves)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def entry_of_receipt(receipt):
    """The ledger entry a pledge receipt names: the canonical bytes of
    {amount_minor, campaign_id, created_at, currency, kind, pledge_id, seq},
    with created_at the receipt's issued_at."""
    return canonical({"amount_minor": receipt["amount_minor"],
                      "campaign_id": receipt["campaign_id"],
                      "created_at": receipt["issued_at"],
                      "currency": receipt["currency"], "kind": "pledge",
                      "pledge_id": receipt["pledge_id"],
                      "seq": receipt["seq"]})


def verify_inclusion(leaf, index, size, path, root):
    """RFC 9162 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn != 0 and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_root, second_root, path):
    """RFC 9162 2.1.4.2 (and equal sizes: an empty proof, equal roots)."""
    if first == second:
        return not path and first_root == second_root
    if first < 1 or first > second or not path:
        return False
    path = list(path)
    if first & (first - 1) == 0:
        path = [first_root] + path
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn != 0 and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


def key_id(name, public_key):
    """signed-note: SHA-256(key name || 0x0A || 0x01 || public key)[:4]."""
    return sha256(name.encode() + b"\n\x01" + public_key)[:4]


def parse_vkey(vkey):
    name, kid_hex, b64 = vkey.split("+", 2)
    raw = base64.b64decode(b64)
    assert raw[0] == 1 and len(raw) == 33
    assert key_id(name, raw[1:]).hex() == kid_hex
    return name, raw[1:]


def sign_note(text, name, signing_key):
    """A signed note of text (ending in a newline) by a PyNaCl key."""
    sig = signing_key.sign(text.encode()).signature
    kid = key_id(name, bytes(signing_key.verify_key))
    return (text + "\n\u2014 " + name + " " +
            base64.b64encode(kid + sig).decode() + "\n")


def open_checkpoint(note, vkey):
    """Verifies a signed note against vkey and parses its tlog-checkpoint
    text: a dict, or None when no signature by that key verifies."""
    name, pk = parse_vkey(vkey)
    text, sep, sigs = note.rpartition("\n\n")
    if not sep:
        return None
    text += "\n"
    ok = False
    for line in sigs.splitlines():
        if not line.startswith("\u2014 "):
            return None
        who, b64 = line[2:].split(" ")
        raw = base64.b64decode(b64)
        if who != name or raw[:4] != key_id(name, pk):
            continue
        try:
            nacl.signing.VerifyKey(pk).verify(text.encode(), raw[4:])
            ok = True
        except nacl.exceptions.BadSignatureError:
            return None
    if not ok:
        return None
    lines = text.split("\n")[:-1]
    out = {"origin": lines[0], "size": int(lines[1]),
           "root": base64.b64decode(lines[2])}
    for ext in lines[3:]:
        k, v = ext.split(" ", 1)
        out[k] = v if k == "currency" else int(v)
    return out


def tile_path(level, index, width=256):
    """tlog-tiles: N as 3-digit path elements, all but the last x-prefixed."""
    digits = f"{index:03d}"
    while len(digits) % 3:
        digits = "0" + digits
    parts = [digits[i:i + 3] for i in range(0, len(digits), 3)]
    path = "/".join(["x" + p for p in parts[:-1]] + [parts[-1]])
    return f"tile/{level}/{path}" + ("" if width == 256 else f".p/{width}")


def entries_of_bundle(data):
    """tlog-tiles entry bundle: each entry after its big-endian uint16
    length."""
    out, i = [], 0
    while i < len(data):
        n = int.from_bytes(data[i:i + 2], "big")
        out.append(data[i + 2:i + 2 + n])
        i += 2 + n
    assert i == len(data)
    return out
