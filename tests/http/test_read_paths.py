"""Read paths: the export's from/to bounds, and the exact display strings
of the API."""
import csv
import io
import json
import uuid

from client import request
from fixtures import admin_token, totals_at
from test_admin import new_campaign, pledge


def export(cid, fmt, query=""):
    r = request("GET", f"/v1/admin/campaigns/{cid}/ledger.{fmt}{query}",
                headers={"Authorization": "Bearer " + admin_token()})
    assert r.status == 200, r.body
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(r.body.decode(), newline="")))
    return [json.loads(line) for line in r.body.decode().splitlines()]


def seqs(rows):
    return [int(r["seq"]) for r in rows]


def test_export_from_and_to_bound_the_rows_exactly():
    _, body = new_campaign()
    cid = body["id"]
    for i in range(10):
        assert pledge(cid, 1000 + i).status == 201
    rows = export(cid, "csv")
    assert seqs(rows) == list(range(1, 11))
    at = [r["created_at"] for r in rows]
    assert len(set(at)) == 10, at  # distinct instants
    for fmt in ("csv", "jsonl"):
        # from = to = one entry's instant: that entry alone.
        one = export(cid, fmt, f"?from={at[4]}&to={at[4]}")
        assert seqs(one) == [5], (fmt, seqs(one))
        # Bounds are inclusive on both sides.
        assert seqs(export(cid, fmt, f"?from={at[2]}&to={at[6]}")) == \
            [3, 4, 5, 6, 7]
        assert seqs(export(cid, fmt, f"?to={at[0]}")) == [1]
        assert seqs(export(cid, fmt, f"?to={at[3]}")) == [1, 2, 3, 4]
        assert seqs(export(cid, fmt, f"?from={at[9]}")) == [10]
        assert seqs(export(cid, fmt, f"?from={at[7]}")) == [8, 9, 10]
        # Before the first, after the last: nothing.
        assert export(cid, fmt, "?to=2000-01-01T00:00:00Z") == []
        assert export(cid, fmt, "?from=2999-01-01T00:00:00Z") == []
        # until_seq and to together: the tighter wins.
        assert seqs(export(cid, fmt, f"?to={at[6]}&until_seq=3")) == [1, 2, 3]


def test_display_strings_are_the_totals_with_thousands_separators():
    _, body = new_campaign(goal_minor=100000000)
    cid = body["id"]
    c = totals_at(cid, 0, path="")
    assert c["display"] == {"raised": "0 $", "goal": "1,000,000 $"}, c
    assert pledge(cid, 123456).status == 201
    assert pledge(cid, 1000000).status == 201
    c = totals_at(cid, 2, path="")
    assert c["raised_minor"] == 1123456
    assert c["display"] == {"raised": "11,234.56 $", "goal": "1,000,000 $"}, c
    assert pledge(cid, 98876544).status == 201
    c = totals_at(cid, 3, path="")
    assert c["display"] == {"raised": "1,000,000 $", "goal": "1,000,000 $"}
    assert c["percent"] == 100


def test_display_strings_in_a_currency_without_cents():
    _, body = new_campaign(id="j-" + uuid.uuid4().hex[:10], currency="JPY",
                           goal_minor=5000000, tiers=[0, 1000, 5000])
    cid = body["id"]
    assert pledge(cid, 1234567).status == 201
    c = totals_at(cid, 1, path="")
    assert c["currency_exponent"] == 0
    want = {"raised": "1,234,567 " + c["currency_symbol"],
            "goal": "5,000,000 " + c["currency_symbol"]}
    assert c["display"] == want, c["display"]
