"""Slow and greedy clients must not starve normal ones."""
import http.client
import socket
import threading
import time

import client
from fixtures import server

SLOW = 500


def normal_request(port):
    """A reader from another address (127.0.0.2): seconds to answer."""
    t0 = time.monotonic()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=1.0,
                                   source_address=("127.0.0.2", 0))
    c.request("GET", "/v1/campaigns/help-us/totals")
    r = c.getresponse()
    r.read()
    c.close()
    assert r.status == 200
    return time.monotonic() - t0


def test_slowloris_and_non_readers_do_not_starve_others():
    with server() as srv:
        port = srv.port
        stop = threading.Event()
        socks = []
        for _ in range(SLOW):
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=2)
                s.setblocking(False)
                socks.append(s)
            except OSError:
                pass  # refused past the per-address limit: as intended
        # Greedy clients: ask for a lot and never read the answers.
        greedy = []
        for _ in range(20):
            g = socket.create_connection(("127.0.0.1", port), timeout=2)
            g.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            g.sendall(b"GET /widget.js HTTP/1.1\r\nHost: x\r\n\r\n" * 200)
            greedy.append(g)

        def drip():  # one header byte a second on every slow connection
            line = b"GET /healthz HTTP/1.1\r\nX-Slow: " + b"a" * 1000
            i = 0
            while not stop.is_set() and i < len(line):
                for s in socks:
                    try:
                        s.send(line[i:i + 1])
                    except OSError:
                        pass
                i += 1
                stop.wait(1.0)

        t = threading.Thread(target=drip)
        t.start()
        try:
            worst = 0.0
            deadline = time.monotonic() + 6
            while time.monotonic() < deadline:
                worst = max(worst, normal_request(port))
                time.sleep(0.25)
            assert worst < 1.0, f"a normal request took {worst:.2f} s"
            print(f"    {len(socks)} slow connections opened, 20 greedy; "
                  f"slowest normal answer {worst * 1000:.0f} ms")
        finally:
            stop.set()
            t.join()
            for s in socks + greedy:
                s.close()
