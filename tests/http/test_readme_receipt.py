"""README's receipt check, run as written: the sh block after the
`receipt-check` marker, on a real pledge's response, with HOST pointed at
this server. A receipt changed by one byte must then fail the same way."""
import json
import os
import pathlib
import re
import subprocess
import tempfile
import uuid

from client import BASE, request

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def block():
    text = README.read_text()
    at = text.index("<!-- receipt-check")
    m = re.compile(r"```sh\n(.*?)\n```", re.S).search(text, at)
    script = m.group(1)
    assert script.startswith("HOST=http://127.0.0.1:8080\n"), script[:60]
    return script.replace("HOST=http://127.0.0.1:8080",
                          f"HOST=http://{BASE.hostname}:{BASE.port}", 1)


def run(pledge_body):
    with tempfile.TemporaryDirectory() as d:
        pathlib.Path(d, "pledge.json").write_text(json.dumps(pledge_body))
        r = subprocess.run(["sh", "-e"], input=block(), cwd=d, text=True,
                           capture_output=True, env=dict(os.environ))
        return r.returncode, r.stdout + r.stderr


def test_readme_receipt_commands_verify_a_real_receipt():
    r = request("POST", "/v1/campaigns/help-us/pledges",
                body={"amount_minor": 1250, "donor_name": "Zoë"},
                headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status == 201, r.body
    body = r.json()
    rc, out = run(body)
    assert rc == 0 and "Signature Verified Successfully" in out, out
    body["receipt"]["receipt"]["amount_minor"] += 1
    rc, out = run(body)
    assert rc != 0 and "Signature Verification Failure" in out, out
