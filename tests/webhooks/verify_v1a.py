"""PyNaCl's verdict on the v1a signatures that OUR code made
(tests/check_webhook_sig.c writes them, runs this, reads the exit status):
each v1a of a webhook-signature header must verify under the public key,
over id + "." + timestamp + "." + body, and fail once any of the three is
tampered with. Usage: python3 tests/webhooks/verify_v1a.py CASES.json"""
import base64
import json
import sys

import nacl.exceptions
import nacl.signing

doc = json.load(open(sys.argv[1], encoding="utf-8"))
key = nacl.signing.VerifyKey(base64.b64decode(doc["public_key"]))


def verifies(sig, msg_id, ts, body):
    content = f"{msg_id}.{ts}.".encode() + body.encode("utf-8")
    try:
        key.verify(content, sig)
        return True
    except nacl.exceptions.BadSignatureError:
        return False


bad = 0
for i, c in enumerate(doc["cases"]):
    sigs = [base64.b64decode(s[4:]) for s in c["signature"].split(" ")
            if s.startswith("v1a,")]
    if len(sigs) != 1:
        print(f"verify_v1a.py: case {i}: {len(sigs)} v1a signatures",
              file=sys.stderr)
        bad += 1
        continue
    sig, ts = sigs[0], c["timestamp"]
    for what, got, want in [
            ("as sent", verifies(sig, c["id"], ts, c["body"]), True),
            ("tampered body", verifies(sig, c["id"], ts, c["body"] + "\n"),
             False),
            ("timestamp + 1", verifies(sig, c["id"], ts + 1, c["body"]),
             False),
            ("another id", verifies(sig, c["id"] + "x", ts, c["body"]),
             False)]:
        if got != want:
            print(f"verify_v1a.py: case {i}: {what}: "
                  f"{'accepted' if got else 'refused'}", file=sys.stderr)
            bad += 1
print(f"verify_v1a.py: PyNaCl checked {len(doc['cases'])} of our v1a, "
      f"{bad} wrong verdicts")
sys.exit(1 if bad else 0)
