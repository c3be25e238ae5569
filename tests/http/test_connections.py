"""The connection budget: a handful of addresses holding idle connections
cannot fill the server. By default one address may hold 1/20 of
PLEDGED_MAX_CONNECTIONS (50 of 1,000), so five addresses with 200 idle
connections each take 250 and everyone else still gets in."""
import http.client
import socket
import time

from fixtures import server


def test_five_addresses_of_idle_connections_do_not_lock_out_others():
    with server() as srv:
        socks = []
        for a in range(2, 7):
            for _ in range(200):
                s = socket.socket()
                s.bind((f"127.0.0.{a}", 0))
                s.settimeout(2)
                try:
                    s.connect(("127.0.0.1", srv.port))
                    socks.append(s)
                except OSError:
                    s.close()
        time.sleep(0.5)  # let the server accept (and refuse) them all
        try:
            t0 = time.monotonic()
            c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=3,
                                           source_address=("127.0.0.9", 0))
            c.request("GET", "/healthz")
            r = c.getresponse()
            r.read()
            c.close()
            assert r.status == 200 and time.monotonic() - t0 < 2
        finally:
            for s in socks:
                s.close()
