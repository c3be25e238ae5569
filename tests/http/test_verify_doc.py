"""docs/VERIFY.md's commands, run as a reader would copy them: the donor's,
the journalist's and the auditor's, in order, in one shell."""
import json
import os
import re
import shutil
import subprocess
import tempfile

from client import BASE, get
from fixtures import campaign
from test_proofs import pledge

HERE = os.path.dirname(os.path.abspath(__file__))
DOC = os.path.join(HERE, "..", "..", "docs", "VERIFY.md")


def test_verify_md_commands_work_as_written():
    blocks = re.findall(r"```sh\n(.*?)```", open(DOC).read(), re.S)
    assert len(blocks) == 3, len(blocks)
    cid = campaign()
    for a in (100, 2500, 777):
        pledge(cid, a)
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "old.txt"), "wb") as f:
            f.write(get(f"/v1/campaigns/{cid}/checkpoint").body)
        doc = pledge(cid, 4200)["receipt"]
        pledge(cid, 300)
        with open(os.path.join(d, "receipt.json"), "w") as f:
            json.dump(doc, f)
        shutil.copy(os.path.join(HERE, "tlog.py"), d)
        env = dict(os.environ, HOST=f"http://{BASE.hostname}:{BASE.port}",
                   PATH=os.path.dirname(os.path.abspath(
                       os.environ["PLEDGED_BIN"])) + ":/usr/bin:" +
                   os.environ["PATH"])  # Debian's python3, with PyNaCl
        env.pop("DATABASE_URL")
        r = subprocess.run(["bash", "-euo", "pipefail", "-c", "".join(blocks)],
                           cwd=d, env=env, capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
        out = r.stdout.splitlines()
        assert out[0].startswith(f"valid: pledge_receipt 4200 USD is entry 4 of "
                                 f"localhost/pledged/{cid}, a log of 5 entries"), out
        assert out[1] == ("5 entries, raised 7877, collected 0: matches the "
                          "checkpoint"), out
        assert out[2] == "3 -> 5: the log only grew", out
