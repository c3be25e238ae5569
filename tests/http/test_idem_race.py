"""One Idempotency-Key sent to two instances at once: whichever instance
a retry lands on, the answer is the same (one pledge, the other a
replay), and Postgres's log never holds the key."""
import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import client
from client import request
from fixtures import campaign, server


def pledge_at(base, cid, key, barrier):
    saved = client.BASE
    barrier.wait()
    conn = client.http.client.HTTPConnection(base.hostname, base.port,
                                             timeout=10)
    body = b'{"amount_minor": 0}'
    conn.request("POST", f"/v1/campaigns/{cid}/pledges", body=body,
                 headers={"Idempotency-Key": key,
                          "Content-Type": "application/json"})
    r = conn.getresponse()
    out = (r.status, r.getheader("Idempotent-Replayed"), r.read())
    conn.close()
    client.BASE = saved
    return out


def test_the_same_key_on_two_instances_gives_one_pledge_and_a_replay():
    cid = campaign()
    tag = "race-" + uuid.uuid4().hex[:8]
    keys = [f"{tag}-{i}" for i in range(200)]
    a = client.BASE
    with server() as other:
        b = client.urllib.parse.urlparse(f"http://127.0.0.1:{other.port}")

        def pair(key):
            barrier = threading.Barrier(2)
            with ThreadPoolExecutor(2) as two:
                fa = two.submit(pledge_at, a, cid, key, barrier)
                fb = two.submit(pledge_at, b, cid, key, barrier)
                return fa.result(), fb.result()

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(pair, keys))
    bad = [(k, r) for k, r in zip(keys, results)
           if sorted(x[0] for x in r) != [201, 201] or
           sorted(str(x[1]) for x in r) != ["None", "true"]]
    assert not bad, (len(bad), bad[:3])
    log = os.path.join("var", os.environ["PLEDGED_PG_CLUSTER"], "log")
    with open(log, errors="replace") as f:
        leaked = [line for line in f if tag in line]
    assert not leaked, leaked[:3]
