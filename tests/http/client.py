"""A tiny HTTP client over http.client for the black-box tests."""
import http.client
import json
import os
import urllib.parse

BASE = urllib.parse.urlparse(os.environ.get("PLEDGED_URL", "http://127.0.0.1:8080"))


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        return self.headers.get(name.lower())


def request(method, path, body=None, headers=None, raw=False):
    conn = http.client.HTTPConnection(BASE.hostname, BASE.port, timeout=10)
    h = dict(headers or {})
    data = body
    if body is not None and not raw:
        data = json.dumps(body).encode()
        h.setdefault("Content-Type", "application/json")
    conn.request(method, path, body=data, headers=h)
    r = conn.getresponse()
    out = Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    conn.close()
    return out


def get(path, **kw):
    return request("GET", path, **kw)


def assert_error(r, status, code=None):
    assert r.status == status, (r.status, r.body)
    assert r.header("content-type").startswith("application/json"), r.headers
    err = r.json()["error"]
    assert isinstance(err["message"], str) and err["message"]
    if code:
        assert err["code"] == code, err
    return err


def exchange(data, timeout=10):
    """Sends raw bytes, half-closes, and returns everything the server sent
    until it closed (a kept-alive connection would hit the timeout). The
    server closes an incomplete request after PLEDGED_TIMEOUT (5 s in
    tests)."""
    import socket
    s = socket.create_connection((BASE.hostname, BASE.port), timeout=timeout)
    out = b""
    try:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may answer and close before reading it all
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except ConnectionResetError:
        pass
    finally:
        s.close()
    return out
