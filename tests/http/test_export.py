"""Ledger exports: complete, exact, verifiable from the file alone."""
import csv
import hashlib
import io
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
import zipfile

import client
from client import assert_error, get, request
from fixtures import admin_token
from test_admin import admin, cli, new_campaign, pledge
from verifiers import canonical, nacl_ok, public_keys

# Donor names hold no control characters (issue 15): line breaks live in
# the messages below.
NASTY = ['=HYPERLINK("http://evil.example","click")', "+1 555", "-5", "@SUM(A1)",
         " =1+41", 'Comma, "quote"', "Line; break", "Zoë 日本 🎉"]


def export(cid, fmt, query=""):
    r = request("GET", f"/v1/admin/campaigns/{cid}/ledger.{fmt}{query}",
                headers={"Authorization": "Bearer " + admin_token()})
    assert r.status == 200, r.body
    return r


def setup_campaign():
    _, body = new_campaign()
    cid = body["id"]
    for i, name in enumerate(NASTY):
        r = request("POST", f"/v1/campaigns/{cid}/pledges",
                    body={"amount_minor": 1000 + i, "donor_name": name,
                          "message": "msg, " + name + "\nline two"},
                    headers={"Idempotency-Key": str(uuid.uuid4())})
        assert r.status == 201, r.body
    victim = pledge(cid, 5000).json()["pledge"]["id"]
    assert admin("POST", f"/v1/admin/pledges/{victim}/refund",
                 key=str(uuid.uuid4())).status == 201
    return cid


def verify_chain(rows):
    """Recomputes every hash and the total from exported rows alone."""
    prev, total = "00" * 32, 0
    for row in rows:
        entry = {"amount_minor": int(row["amount_minor"]),
                 "campaign_id": row["campaign_id"],
                 "created_at": row["created_at"], "currency": row["currency"],
                 "kind": row["kind"], "pledge_id": row["pledge_id"],
                 "seq": int(row["seq"])}
        if row["prev_hash"] != prev:
            return None
        h = hashlib.blake2b(bytes.fromhex(prev) + canonical(entry),
                            digest_size=32).hexdigest()
        if h != row["entry_hash"]:
            return None
        prev, total = h, total + entry["amount_minor"]
    return total


def test_csv_alone_proves_chain_total_and_manifest():
    cid = setup_campaign()
    r = export(cid, "csv")
    assert r.header("content-type").startswith("text/csv")
    until = r.header("pledged-until-seq")
    raw = r.body
    assert raw.startswith(b"campaign_id,seq,kind,pledge_id,amount_minor,"
                          b"amount,currency,created_at,donor_name,"
                          b"donor_email,anonymous,message,prev_hash,"
                          b"entry_hash,provider,reference,method,reason\r\n")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert len(rows) == len(NASTY) + 2 == int(until)
    total = verify_chain(rows)
    totals = get(f"/v1/campaigns/{cid}/totals").json()
    assert total == totals["raised_minor"]
    assert rows[-1]["kind"] == "refund" and rows[-1]["amount_minor"] == "-5000"
    m = request("GET", f"/v1/admin/campaigns/{cid}/ledger.manifest"
                       f"?format=csv&until_seq={until}",
                headers={"Authorization": "Bearer " + admin_token()}).json()
    man = m["manifest"]
    assert nacl_ok(m, public_keys())
    assert request("POST", "/v1/receipts/verify", body=m).json()["valid"]
    assert man["sha256"] == hashlib.sha256(raw).hexdigest()
    assert man["rows"] == len(rows) and man["sum_minor"] == total
    assert man["first_seq"] == 1 and man["last_seq"] == int(until)
    assert man["last_entry_hash"] == rows[-1]["entry_hash"]
    # One cell edited: the chain breaks and the digest no longer matches.
    edited = raw.replace(b",1003,", b",1093,", 1)
    assert edited != raw
    rows2 = list(csv.DictReader(io.StringIO(edited.decode(), newline="")))
    assert verify_chain(rows2) is None
    assert hashlib.sha256(edited).hexdigest() != man["sha256"]


def test_csv_cells_are_quoted_and_neutralised():
    cid = setup_campaign()
    rows = list(csv.DictReader(io.StringIO(
        export(cid, "csv").body.decode(), newline="")))
    names = [r["donor_name"] for r in rows[:len(NASTY)]]
    for name, cell in zip(NASTY, names):
        if name.lstrip()[0] in "=+-@":
            assert cell == "'" + name, (name, cell)
        else:
            assert cell == name, (name, cell)
    assert rows[0]["anonymous"] == "false"
    assert rows[0]["amount"] == "10 $"


def test_jsonl_and_cli_give_the_same_rows_and_bytes():
    cid = setup_campaign()
    r = export(cid, "jsonl")
    lines = [json.loads(l) for l in r.body.decode().splitlines()]
    assert verify_chain([{k: str(v) if k in ("seq", "amount_minor") else v
                          for k, v in l.items()} for l in lines]) is not None
    assert lines[0]["donor_name"] == NASTY[0]  # exact, not neutralised
    until = r.header("pledged-until-seq")
    for fmt in ("csv", "jsonl"):
        http_bytes = export(cid, fmt, f"?until_seq={until}").body
        out = subprocess.run([os.environ["PLEDGED_BIN"], "export", cid,
                              "--format", fmt, "--until-seq", until],
                             capture_output=True)
        with tempfile.NamedTemporaryFile() as f:
            done = subprocess.run([os.environ["PLEDGED_BIN"], "export", cid,
                                   "--format", fmt, "-o", f.name],
                                  capture_output=True)
            assert done.returncode == 0
            assert open(f.name, "rb").read() == http_bytes
        assert out.returncode == 0
        assert out.stdout == http_bytes


def test_time_range_and_bad_ranges():
    cid = setup_campaign()
    rows = list(csv.DictReader(io.StringIO(
        export(cid, "csv").body.decode(), newline="")))
    mid = rows[3]["created_at"]
    part = list(csv.DictReader(io.StringIO(
        export(cid, "csv", f"?from={mid}").body.decode(), newline="")))
    assert part[0]["seq"] == "4" and len(part) == len(rows) - 3
    assert verify_chain(part) is None  # starts mid-chain: prev is not zero
    h = {"Authorization": "Bearer " + admin_token()}
    p = f"/v1/admin/campaigns/{cid}/ledger.csv"
    assert_error(request("GET", p + "?from=yesterday", headers=h), 422)
    assert_error(request("GET", p + "?from=2030-01-01T00:00:00Z"
                                    "&to=2020-01-01T00:00:00Z", headers=h),
                 422)
    assert_error(request("GET", p), 401)
    assert_error(request("GET", "/v1/admin/campaigns/nope/ledger.csv",
                         headers=h), 404)


def test_disconnected_exports_free_their_slot_and_connection():
    cid = setup_campaign()
    for _ in range(8):  # more than PLEDGED_MAX_EXPORTS
        s = socket.create_connection((client.BASE.hostname, client.BASE.port))
        s.sendall(f"GET /v1/admin/campaigns/{cid}/ledger.csv HTTP/1.1\r\n"
                  f"Host: x\r\nAuthorization: Bearer {admin_token()}\r\n\r\n"
                  .encode())
        s.recv(100)
        s.close()
    import time
    time.sleep(0.5)
    assert export(cid, "csv").status == 200


def test_libreoffice_opens_the_csv_and_formulas_stay_text():
    soffice = shutil.which("libreoffice") or shutil.which("soffice")
    assert soffice, "libreoffice is not installed (scripts/deps installs it)"
    cid = setup_campaign()
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "ledger.csv")
        with open(path, "wb") as f:
            f.write(export(cid, "csv").body)
        r = subprocess.run(
            [soffice, "--headless", f"-env:UserInstallation=file://{d}/lo",
             # Comma, double quote, UTF-8, from line 1, and "evaluate
             # formulas" on: the hostile setting, where an unneutralised
             # =HYPERLINK(...) would become a live formula.
             "--infilter=CSV:44,34,76,1,,0,false,true,true,false,false,true",
             "--convert-to", "xlsx",
             "--outdir", d, path], capture_output=True, timeout=180)
        assert r.returncode == 0, r.stderr
        with zipfile.ZipFile(os.path.join(d, "ledger.xlsx")) as z:
            sheet = z.read("xl/worksheets/sheet1.xml").decode()
            strings = z.read("xl/sharedStrings.xml").decode()
        # LibreOffice writes <f aca="false">...</f>, not <f>: any f element.
        assert "<f>" not in sheet, "a cell became a formula"
        assert re.search(r"<f[\s>/]", sheet) is None, \
            "a cell became a formula: " + re.search(r"<f[\s>/][^<]*", sheet)[0]
        assert "<c " in sheet  # the sheet was read: it has cells
        assert "HYPERLINK" in strings  # kept, as text
