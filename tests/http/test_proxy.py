"""Behind a trusted proxy each client has its own buckets: a local nginx
(Debian's nginx-light) in front of a second pledged with
PLEDGED_TRUSTED_PROXIES=127.0.0.1/32 and rate limits on. Clients are told
apart by their loopback source address (127.0.0.2, 127.0.0.3, ...)."""
import http.client
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

import client
from fixtures import admin_token, free_port, server

NGINX = """
worker_processes 1;
error_log {d}/error.log;
pid {d}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
"""


class Nginx:
    def __init__(self, upstream):
        self.port = free_port()
        self.upstream = upstream

    def __enter__(self):
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        assert os.path.exists(binary), \
            "nginx is not installed (make test runs scripts/deps nginx-light)"
        self.dir = tempfile.mkdtemp(prefix="pledged-nginx-")
        os.chmod(self.dir, 0o755)
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX.format(d=self.dir, port=self.port,
                                 upstream=self.upstream))
        self.proc = subprocess.Popen(
            [binary, "-p", self.dir, "-c", conf, "-g", "daemon off;"],
            stderr=subprocess.PIPE)
        for _ in range(100):
            try:
                with socket_from("127.0.0.1", self.port):
                    break
            except OSError:
                time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGQUIT)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def socket_from(source, port):
    import socket
    s = socket.socket()
    s.settimeout(10)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def call(source, port, method, path, body=b"", headers=None):
    """One request from the loopback address source; returns the status."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10,
                                      source_address=(source, 0))
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    conn.request(method, path, body=body, headers=h)
    status = conn.getresponse().status
    conn.close()
    return status


def junk_post(source, port, headers=None):
    h = {"Idempotency-Key": "proxy-" + uuid.uuid4().hex}
    h.update(headers or {})
    return call(source, port, "POST", "/v1/campaigns/help-us/pledges",
                b"{}", h)


def test_clients_behind_a_trusted_proxy_are_limited_each_on_its_own():
    with server(PLEDGED_RATE_LIMIT="1", PLEDGED_RATE_BURST="3",
                PLEDGED_TRUSTED_PROXIES="127.0.0.1/32") as pledged, \
            Nginx(pledged.port) as nginx:
        # 127.0.0.2 spends its bucket (and spoofs another address in vain).
        codes = [junk_post("127.0.0.2", nginx.port) for _ in range(6)]
        assert codes[:3] == [422] * 3 and 429 in codes[3:], codes
        assert junk_post("127.0.0.2", nginx.port,
                         {"X-Forwarded-For": "127.0.0.3"}) == 429
        assert junk_post("127.0.0.2", nginx.port,
                         {"Forwarded": "for=127.0.0.3"}) == 429
        # ... while 127.0.0.3, through the same nginx, is not limited.
        assert junk_post("127.0.0.3", nginx.port) == 422
        # Failed sign-ins lock out 127.0.0.2, not the admin on 127.0.0.3.
        bad = {"Authorization": "Bearer " + "x" * 43}
        for _ in range(12):
            last = call("127.0.0.2", nginx.port, "GET",
                        "/v1/admin/campaigns", headers=bad)
        assert last == 429
        good = {"Authorization": "Bearer " + admin_token()}
        assert call("127.0.0.3", nginx.port, "GET", "/v1/admin/campaigns",
                    headers=good) == 200
        assert call("127.0.0.2", nginx.port, "GET", "/v1/admin/campaigns",
                    headers=good) == 429


def test_forwarded_headers_from_an_untrusted_peer_change_nothing():
    with server(PLEDGED_RATE_LIMIT="1", PLEDGED_RATE_BURST="3",
                PLEDGED_TRUSTED_PROXIES="127.0.0.1/32") as pledged:
        # 127.0.0.4 talks to pledged directly, naming a new client each
        # time: it still has one bucket, its own.
        codes = [junk_post("127.0.0.4", pledged.port,
                           {"X-Forwarded-For": f"10.0.0.{i}",
                            "Forwarded": f"for=10.0.1.{i}",
                            "X-Real-IP": f"10.0.2.{i}"})
                 for i in range(6)]
        assert codes[:3] == [422] * 3 and 429 in codes[3:], codes
        assert junk_post("127.0.0.5", pledged.port) == 422


def test_a_bad_trusted_proxies_value_stops_serve():
    env = dict(os.environ, PLEDGED_TRUSTED_PROXIES="10.0.0.0/33",
               PLEDGED_LISTEN=f"127.0.0.1:{free_port()}")
    r = subprocess.run([os.environ["PLEDGED_BIN"], "serve"], env=env,
                       capture_output=True, text=True, timeout=20)
    assert r.returncode != 0 and "PLEDGED_TRUSTED_PROXIES" in r.stderr
