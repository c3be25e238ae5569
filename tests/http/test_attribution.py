"""Attribution (sql/010_readers.sql): the page and utm_* a pledge
carries, checked, stored once with it, and summed per page and source by
GET /v1/admin/campaigns/{id}/sources (JSON and CSV)."""
import uuid

from client import assert_error, request
from fixtures import admin_token, campaign, psql


def admin(method, path):
    return request(method, path, headers={"Authorization": "Bearer " + admin_token()})


def pledge(cid, amount=1000, key=None, **src):
    return request("POST", f"/v1/campaigns/{cid}/pledges",
                   body=dict(amount_minor=amount, **src),
                   headers={"Idempotency-Key": key or str(uuid.uuid4())})


def test_pledges_carry_their_page_and_utm_summed_per_source():
    cid = campaign()
    page = "https://news.example/2026/river"
    key = str(uuid.uuid4())
    body = dict(source_page=page, utm_source="newsletter", utm_medium="email")
    first = pledge(cid, 1000, key, **body)
    assert first.status == 201, first.body
    again = pledge(cid, 1000, key, **body)
    assert again.status == 201 and again.header("idempotent-replayed") == "true"
    assert pledge(cid, 250000, source_page=page, utm_source="newsletter",
                  utm_medium="email").status == 201
    assert pledge(cid, 1000).status == 201  # no attribution
    refund_id = pledge(cid, 500000, source_page="https://news.example/budget").json()["pledge"]["id"]
    r = request("POST", f"/v1/admin/pledges/{refund_id}/refund",
                headers={"Authorization": "Bearer " + admin_token(),
                         "Idempotency-Key": str(uuid.uuid4())})
    assert r.status == 201, r.body
    s = admin("GET", f"/v1/admin/campaigns/{cid}/sources")
    assert s.status == 200, s.body
    rows = {(x["page"], x["utm_source"]): x for x in s.json()["sources"]}
    river = rows[(page, "newsletter")]
    assert river["gifts"] == 2 and river["raised_minor"] == 251000, river
    assert river["utm_medium"] == "email" and river["utm_campaign"] is None
    assert rows[(None, None)]["gifts"] == 1, "pledges without attribution together"
    budget = rows[("https://news.example/budget", None)]
    assert budget["gifts"] == 1 and budget["kept"] == 0 and budget["raised_minor"] == 0, budget
    assert budget["pledged_minor"] == 500000
    assert int(psql("SELECT count(*) FROM pledge_sources WHERE campaign_id = :'v1'", cid)) == 3
    # Written once: the table refuses changes like the ledger does.
    out = psql("DO $$ BEGIN UPDATE pledge_sources SET utm_source = 'x' WHERE campaign_id = :'v1'; "
               "EXCEPTION WHEN raise_exception THEN RAISE NOTICE 'refused'; END $$;"
               .replace(":'v1'", f"'{cid}'"))
    assert int(psql("SELECT count(*) FROM pledge_sources WHERE utm_source = 'x'")) == 0, out


def test_attribution_is_checked_naming_the_field():
    cid = campaign()
    for bad, field in [(dict(source_page="https://news.example/a?token=1"), "source_page"),
                       (dict(source_page="https://news.example/a#x"), "source_page"),
                       (dict(source_page="ftp://news.example/a"), "source_page"),
                       (dict(source_page="https://news.example/" + "a" * 2048), "source_page"),
                       (dict(source_page="https://news.example/é"), "source_page"),
                       (dict(utm_term="x" * 201), "utm_term"),
                       (dict(utm_source="a\nb"), "utm_source")]:
        err = assert_error(pledge(cid, **bad), 422, "invalid_value")
        assert err["field"] == field, (bad, err)
    assert_error(pledge(cid, utm_source=7), 400, "wrong_type")
    assert pledge(cid, utm_content="é" * 100).status == 201, "200 bytes of UTF-8"


def test_sources_csv_escapes_readers_text():
    cid = campaign()
    assert pledge(cid, 1000, source_page="https://news.example/a",
                  utm_source="=HYPERLINK(\"x\")").status == 201
    r = admin("GET", f"/v1/admin/campaigns/{cid}/sources?format=csv")
    assert r.status == 200 and r.header("content-type") == "text/csv; charset=utf-8", r.headers
    lines = r.body.decode().split("\r\n")
    assert lines[0] == "page,utm_source,utm_medium,utm_campaign,gifts,pledged_minor,kept,raised_minor"
    assert lines[1] == 'https://news.example/a,"\'=HYPERLINK(""x"")",,,1,1000,1,1000', lines[1]
    assert_error(admin("GET", f"/v1/admin/campaigns/{cid}/sources?format=xml"), 422)
    assert_error(admin("GET", "/v1/admin/campaigns/nope/sources"), 404)
    assert_error(request("GET", f"/v1/admin/campaigns/{cid}/sources"), 401)
