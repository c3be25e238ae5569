"""HTTP framing (RFC 9112): ambiguous message lengths are refused with 400
and the connection is closed, so nothing after them is read as another
request; HTTP/1.1 needs one Host; over-long request lines and header
blocks get 414 / 431 with our JSON; many query parameters get an answer."""
import json
import re

import client

P = b"/v1/campaigns/help-us/pledges"
NEXT = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"  # smuggled after


def exchange(data, timeout=8):
    return client.exchange(data, timeout)


def status_lines(out):
    return re.findall(rb"(?:^|\n)HTTP/1\.[01] \d{3} ", out)


def our_error(out, status, code):
    """Exactly one response, ours, with this status and code."""
    assert len(status_lines(out)) == 1, out[:400]
    head, _, body = out.partition(b"\r\n\r\n")
    assert head.split(b" ", 2)[1] == str(status).encode(), out[:400]
    assert b"application/json" in head, head
    assert json.loads(body)["error"]["code"] == code, body
    return head


def post(extra, body=b""):
    return (b"POST " + P + b" HTTP/1.1\r\nHost: x\r\nContent-Type: "
            b"application/json\r\nIdempotency-Key: framing\r\n" + extra +
            b"\r\n" + body)


def test_content_length_with_transfer_encoding_is_refused_and_closed():
    out = exchange(post(b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                        b"0\r\n\r\n" + NEXT))
    head = our_error(out, 400, "ambiguous_framing")
    assert b"connection: close" in head.lower()


def test_two_content_lengths_are_refused_and_closed():
    out = exchange(post(b"Content-Length: 0\r\nContent-Length: 35\r\n", NEXT))
    our_error(out, 400, "ambiguous_framing")
    out = exchange(post(b"Content-Length: 2\r\nContent-Length: 2\r\n",
                        b"{}" + NEXT))
    our_error(out, 400, "ambiguous_framing")


def test_a_transfer_coding_other_than_chunked_is_refused():
    out = exchange(post(b"Transfer-Encoding: gzip, chunked\r\n",
                        b"0\r\n\r\n" + NEXT))
    our_error(out, 400, "ambiguous_framing")
    out = exchange(post(b"Transfer-Encoding: chunked\r\n"
                        b"Transfer-Encoding: chunked\r\n", b"0\r\n\r\n" + NEXT))
    our_error(out, 400, "ambiguous_framing")


def test_bad_content_length_values_are_refused_and_closed():
    # libmicrohttpd refuses these itself, before our code runs: what we
    # can promise is a 4xx and a closed connection, nothing read after.
    for cl in (b"-1", b"99999999999999999999", b"+5", b"5, 5", b"0x10"):
        out = exchange(post(b"Content-Length: " + cl + b"\r\n", NEXT))
        assert out.startswith(b"HTTP/1.1 4"), (cl, out[:200])
        assert b"healthz" not in out and b'"status":"ok"' not in out, cl


def test_http11_needs_exactly_one_host():
    our_error(exchange(b"GET /healthz HTTP/1.1\r\n\r\n"), 400, "host_required")
    our_error(exchange(b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
              400, "host_required")
    # HTTP/1.0 may leave it out.
    out = exchange(b"GET /healthz HTTP/1.0\r\n\r\n")
    assert out.startswith(b"HTTP/1.") and b" 200 " in out.split(b"\r\n")[0]


def test_many_query_parameters_get_an_answer():
    q = b"&".join(b"after=%d" % i for i in range(1000))
    out = exchange(b"GET /v1/campaigns/help-us?" + q + b" HTTP/1.1\r\n"
                   b"Host: x\r\n\r\n")
    our_error(out, 414, "uri_too_long")
    q = b"&".join(b"a" for _ in range(300))  # short, but many
    out = exchange(b"GET /healthz?" + q + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    our_error(out, 414, "uri_too_long")


def test_long_uri_and_header_block_get_our_json():
    out = exchange(b"GET /v1/campaigns/" + b"a" * 9000 + b" HTTP/1.1\r\n"
                   b"Host: x\r\n\r\n")
    our_error(out, 414, "uri_too_long")
    out = exchange(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " +
                   b"a" * 20000 + b"\r\n\r\n")
    our_error(out, 431, "headers_too_large")
    out = exchange(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" +
                   b"".join(b"X-%d: y\r\n" % i for i in range(150)) + b"\r\n")
    our_error(out, 431, "headers_too_large")


def test_ordinary_requests_still_keep_alive():
    out = exchange(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" + NEXT)
    assert len(status_lines(out)) == 2 and out.count(b" 200 OK") == 2, out
