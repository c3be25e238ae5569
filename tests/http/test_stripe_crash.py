"""kill -9 of pledged while card charges and Stripe's webhooks are in
flight, then redelivery as Stripe and the widget would do it: the reader's
retry of the same token, and every event again. Afterwards each pledge is
charged once in the emulator and its payment is in the ledger once."""
import os
import signal
import subprocess
import threading
import time

import client
from client import get, request
from fixtures import psql, server
from stripe_emu import charge, charges_of, deliver, event
from test_payments import new_campaign, pledge

N = 24  # pledges paid by card, and as many paid behind our back


def pay_by_card(cid, pid):
    try:
        r = request("POST", f"/v1/campaigns/{cid}/pledges/{pid}/card",
                    body={"token": "tok_visa"})
        return r.status
    except OSError:
        return None


def send(ev):
    try:
        return deliver(ev).status
    except OSError:
        return None


def work(items, fn, answers, lock):
    for item in items:
        status = fn(item)
        with lock:
            answers.append(status)


def test_kill_9_with_charges_and_webhooks_in_flight_counts_each_once():
    c = new_campaign(provider="stripe")
    cid = c["id"]
    amounts = [1000 + 7 * i for i in range(2 * N)]
    by_card = [pledge(cid, a)["id"] for a in amounts[:N]]
    by_hook = [pledge(cid, a)["id"] for a in amounts[N:]]
    events = [event("charge.succeeded", charge(pid, a))
              for pid, a in zip(by_hook, amounts[N:])]
    answers, lock = [], threading.Lock()
    srv = server()
    srv.__enter__()
    try:
        threads = [
            threading.Thread(target=work, args=(
                by_card[i::2], lambda p: pay_by_card(cid, p), answers, lock))
            for i in range(2)] + [
            threading.Thread(target=work, args=(
                events[i::2], send, answers, lock)) for i in range(2)]
        for t in threads:
            t.start()
        time.sleep(0.4)
        os.kill(srv.proc.pid, signal.SIGKILL)
        srv.proc.wait()
        for t in threads:
            t.join()
    finally:
        client.BASE = srv.saved
    unanswered = sum(1 for a in answers if a is None)
    # Redelivery, to a pledged started again: the widget retries its token
    # until it has an answer; Stripe sends every event again (same ids),
    # and the events of the card charges too.
    with server():
        for pid in by_card:
            assert pay_by_card(cid, pid) in (200, 201)
        for ev in events + [event("charge.succeeded", ch) for pid in by_card
                            for ch in charges_of(pid)]:
            r = deliver(ev)
            assert r.status == 200 and r.json()["outcome"] in (
                "recorded", "unchanged", "duplicate"), r.body
    for pid, amount in zip(by_card + by_hook, amounts):
        charges = charges_of(pid)
        assert len(charges) == 1, (pid, charges)
        rows = psql("SELECT amount_minor, reference FROM ledger_entries "
                    "WHERE pledge_id = :'v1' AND kind = 'payment'", pid)
        assert rows == f"{amount}|{charges[0]['id']}", (pid, rows)
    t = get(f"/v1/campaigns/{cid}/totals").json()
    assert t["collected_minor"] == sum(amounts) == t["raised_minor"]
    audit = subprocess.run([os.environ["PLEDGED_BIN"], "audit", cid],
                           capture_output=True, text=True)
    assert audit.returncode == 0, audit.stdout
    print(f"    kill -9: {len(answers)} answered or cut before the kill "
          f"({unanswered} cut), {2 * N} payments counted once each")
