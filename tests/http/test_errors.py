"""Every status code of the spec's error list, from a real request."""
import os
import socket
import subprocess
import threading
import time
import uuid

import client
from client import assert_error, get, request
from fixtures import admin_token, campaign, ledger_count, server

KEY = {"Idempotency-Key": "k"}


def post(cid, body, key=None, raw=False, headers=None):
    h = {"Idempotency-Key": key or str(uuid.uuid4())}
    h.update(headers or {})
    return request("POST", f"/v1/campaigns/{cid}/pledges", body=body,
                   headers=h, raw=raw)


def test_400_malformed_unknown_wrong_type_and_missing_key():
    cid = campaign()
    assert_error(post(cid, b'{"amount_minor": 100', raw=True,
                      headers={"Content-Type": "application/json"}),
                 400, "invalid_json")
    e = assert_error(post(cid, {"amount_minor": 100, "tip": 5}), 400,
                     "unknown_field")
    assert e["field"] == "tip"
    e = assert_error(post(cid, {"amount_minor": "100"}), 400, "wrong_type")
    assert e["field"] == "amount_minor"
    assert_error(post(cid, {"amount_minor": 100.0}), 400, "wrong_type")
    assert_error(post(cid, {"amount_minor": 100, "anonymous": "yes"}), 400,
                 "wrong_type")
    r = request("POST", f"/v1/campaigns/{cid}/pledges",
                body={"amount_minor": 100})
    assert_error(r, 400, "idempotency_key_required")
    assert ledger_count(cid) == 0


def test_401_without_with_wrong_and_malformed_token():
    r = get("/v1/admin/campaigns")
    assert_error(r, 401, "unauthorized")
    assert r.header("www-authenticate").startswith("Bearer")
    assert_error(get("/v1/admin/campaigns",
                     headers={"Authorization": "Bearer nope"}), 401)
    assert_error(get("/v1/admin/campaigns",
                     headers={"Authorization": "Basic Zm9vOmJhcg=="}), 401)
    ok = get("/v1/admin/campaigns",
             headers={"Authorization": "Bearer " + admin_token()})
    assert ok.status == 200
    assert "help-us" in [c["id"] for c in ok.json()["campaigns"]]


def test_404_and_405():
    assert_error(post("no-such-campaign", {"amount_minor": 100}), 404,
                 "not_found")
    assert_error(get("/v1/campaigns/no-such/totals"), 404)
    r = request("PUT", "/v1/campaigns/help-us/pledges", body={})
    assert_error(r, 405, "method_not_allowed")
    assert r.header("allow") == "POST"


def test_409_closed_or_past_deadline():
    assert_error(post(campaign(status="closed"), {"amount_minor": 250000}),
                 409, "campaign_closed")
    past = campaign(deadline="2020-01-01T00:00:00Z")
    assert_error(post(past, {"amount_minor": 250000}), 409, "campaign_closed")
    assert ledger_count(past) == 0


def test_413_body_over_16_kib_even_chunked():
    assert_error(post("help-us", b"{" + b" " * 17000 + b"}", raw=True,
                      headers={"Content-Type": "application/json"}),
                 413, "payload_too_large")
    # Chunked, no Content-Length: not buffered past the limit, then 413.
    s = socket.create_connection((client.BASE.hostname, client.BASE.port))
    s.sendall(b"POST /v1/campaigns/help-us/pledges HTTP/1.1\r\nHost: x\r\n"
              b"Content-Type: application/json\r\nIdempotency-Key: c\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"4000\r\n" + b" " * 0x4000 + b"\r\n"
    for _ in range(4):
        s.sendall(chunk)
    s.sendall(b"0\r\n\r\n")
    s.settimeout(5)
    data = s.recv(4096)
    s.close()
    assert data.startswith(b"HTTP/1.1 413"), data[:100]


def test_415_not_json():
    assert_error(post("help-us", b"amount_minor=100", raw=True,
                      headers={"Content-Type":
                               "application/x-www-form-urlencoded"}),
                 415, "unsupported_media_type")
    assert_error(post("help-us", b'{"amount_minor":100}', raw=True), 415)


def test_422_bad_values():
    cid = campaign()
    e = assert_error(post(cid, {"amount_minor": 99}), 422,
                     "amount_out_of_range")
    assert e["field"] == "amount_minor"
    assert_error(post(cid, {"amount_minor": 100000001}), 422,
                 "amount_out_of_range")
    assert_error(post(cid, {"amount_minor": -250000}), 422,
                 "amount_out_of_range")
    assert_error(post(cid, {"amount_minor": 2 ** 63}), 422,
                 "amount_out_of_range")
    assert_error(post(cid, {"amount_minor": 1000, "currency": "EUR"}), 422,
                 "currency_mismatch")
    assert_error(post(cid, {"amount_minor": 1000, "currency": "ZZZ"}), 422)
    e = assert_error(post(cid, {"amount_minor": 1000,
                                "donor_name": "x" * 201}), 422)
    assert e["field"] == "donor_name"
    e = assert_error(post(cid, {"amount_minor": 1000,
                                "message": "m" * 1001}), 422)
    assert e["field"] == "message"
    e = assert_error(post(cid, {"amount_minor": 1000,
                                "donor_email": "a" * 250 + "@b.co"}), 422)
    assert e["field"] == "donor_email"
    key = str(uuid.uuid4())
    assert post(cid, {"amount_minor": 1000}, key=key).status == 201
    assert_error(post(cid, {"amount_minor": 1001}, key=key), 422,
                 "idempotency_key_reused")
    assert ledger_count(cid) == 1


def test_304_totals_etag():
    r = get("/v1/campaigns/help-us/totals")
    assert r.status == 200
    t = r.json()
    assert set(t) == {"campaign_id", "currency", "raised_minor",
                      "collected_minor", "shown_total", "shown_minor",
                      "supporters", "goal_minor", "percent", "seq"}
    assert r.header("cache-control") == "public, max-age=2"
    etag = r.header("etag")
    again = get("/v1/campaigns/help-us/totals",
                headers={"If-None-Match": etag})
    assert again.status == 304 and again.body == b""
    assert again.header("etag") == etag
    post("help-us", {"amount_minor": 250000})
    changed = get("/v1/campaigns/help-us/totals",
                  headers={"If-None-Match": etag})
    assert changed.status == 200 and changed.header("etag") != etag


def test_429_rate_limited_with_retry_after():
    with server(PLEDGED_RATE_LIMIT="1", PLEDGED_RATE_BURST="3"):
        statuses = [post("help-us", {"amount_minor": 100}).status
                    for _ in range(6)]
        assert statuses[:3] == [201, 201, 201], statuses
        assert 429 in statuses[3:], statuses
        r = post("help-us", {"amount_minor": 100})
        assert_error(r, 429, "rate_limited")
        assert int(r.header("retry-after")) >= 1
        assert get("/v1/campaigns/help-us").status == 200  # GETs unaffected


def test_concurrent_same_key_executes_once():
    cid = campaign()
    key = str(uuid.uuid4())
    results = []

    def go():
        results.append(post(cid, {"amount_minor": 250000}, key=key))

    threads = [threading.Thread(target=go) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = [r for r in results if r.status == 201]
    assert all(r.status in (201, 409) for r in results), \
        [r.status for r in results]
    assert len({r.json()["pledge"]["id"] for r in ok}) == 1
    assert len({r.body for r in ok}) == 1
    assert ledger_count(cid) == 1


def test_cors_public_and_campaign_origins():
    r = get("/v1/campaigns/help-us/totals",
            headers={"Origin": "https://anywhere.example"})
    assert r.header("access-control-allow-origin") == "*"
    cid = campaign(origins=["https://news.example"])
    pre = request("OPTIONS", f"/v1/campaigns/{cid}/pledges",
                  headers={"Origin": "https://news.example",
                           "Access-Control-Request-Method": "POST",
                           "Access-Control-Request-Headers":
                               "content-type, idempotency-key"})
    assert pre.status == 204
    assert pre.header("access-control-allow-origin") == "https://news.example"
    assert "POST" in pre.header("access-control-allow-methods")
    assert "Idempotency-Key" in pre.header("access-control-allow-headers")
    bad = request("OPTIONS", f"/v1/campaigns/{cid}/pledges",
                  headers={"Origin": "https://evil.example",
                           "Access-Control-Request-Method": "POST"})
    assert bad.header("access-control-allow-origin") is None
    r = post(cid, {"amount_minor": 250000},
             headers={"Origin": "https://news.example"})
    assert r.status == 201
    assert r.header("access-control-allow-origin") == "https://news.example"
    assert "Origin" in r.header("vary")


def test_metrics_in_prometheus_format():
    # The last routes of the table are counted under their own names (past
    # the 32nd they were counted under the 33rd's).
    assert get("/admin").status == 200
    assert get("/v1/campaigns/help-us/log/tile/0/000.p/1").status == 200
    r = get("/metrics", headers={"Authorization": "Bearer " + os.environ["PLEDGED_METRICS_TOKEN"]})
    assert r.status == 200
    assert r.header("content-type").startswith("text/plain; version=0.0.4")
    text = r.body.decode()
    assert 'pledged_http_requests_total{method="POST",' \
           'route="/v1/campaigns/{}/pledges",status="201"}' in text
    assert 'method="GET",route="/admin",status="200"}' in text
    assert 'route="/v1/campaigns/{}/log/tile/{*}",status="200"}' in text
    assert "pledged_http_request_duration_seconds_bucket{le=\"+Inf\"}" in text
    assert 'pledged_pledged_minor_total{currency="USD"}' in text
    assert 'pledged_db_connections{state="total"}' in text
