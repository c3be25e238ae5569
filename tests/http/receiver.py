"""A webhook receiver for the tests: a real HTTP server on a loopback port,
recording every request (headers and raw body) and answering as the test
says: "ok" (204), "500", "slow" (answers after the server's timeout), or
down (stop() closes the port; start() opens it again on the same port)."""
import http.server
import json
import os
import socket
import subprocess
import threading
import time
import pathlib

CHECK = pathlib.Path(__file__).resolve().parent.parent / "webhooks" / \
    "check_deliveries.js"


class Receiver:
    def __init__(self, port=0):
        self.mode = "ok"
        self.requests = []  # (headers dict, body str, answered status)
        self.lock = threading.Lock()
        self.port = port
        self.server = None
        self.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self):
        rec = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n).decode()
                mode = rec.mode
                status = {"ok": 204, "500": 500, "slow": 204}[mode]
                if mode == "slow":
                    time.sleep(2.5)  # past PLEDGED_WEBHOOK_TIMEOUT_MS
                with rec.lock:
                    rec.requests.append(({k.lower(): v for k, v in
                                          self.headers.items()}, body,
                                         status, mode))
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass

            def log_message(self, *a):
                pass

        class Server(http.server.ThreadingHTTPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.server = Server(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def delivered(self):
        """The deliveries answered 2xx in time, in arrival order."""
        with self.lock:
            return [(h, json.loads(b)) for h, b, s, m in self.requests
                    if s == 204 and m == "ok"]

    def all(self):
        with self.lock:
            return list(self.requests)

    def wait_for(self, pred, timeout=20):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if pred(self):
                return True
            time.sleep(0.05)
        return False


def verdicts(secret, requests, tmpdir):
    """The official library's verdict on each (headers, body) received."""
    path = os.path.join(tmpdir, "deliveries.json")
    with open(path, "w") as f:
        json.dump({"secret": secret, "deliveries": [
            {"headers": h, "body": b} for h, b, *_ in requests]}, f)
    r = subprocess.run(["node", str(CHECK), path], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
