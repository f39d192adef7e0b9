"""Calamity mode: one step by a supervisor (API or CLI) makes a published
calamiteit notice the front page; its pages come from memory with CDN
cache headers and follow updates; heavy pages answer 503 with
Retry-After; switching off restores everything."""

import os
import resource
import selectors
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loketlib import (LoketTestCase, create_token, db_query,  # noqa: E402
                      main, run_cli, wait_until)

C = "/api/v1/calamity"
CDN = "public, max-age=10, stale-while-revalidate=30"
HEAVY = ["/api/v1/search?q=brand", "/api/v1/conversations",
         "/klantinteracties/api/v1/klantcontacten"]


class Calamity(LoketTestCase):
    def setUp(self):
        self.data = self.make_data_dir()
        _, self.sup = create_token(self.data, "supervisor", "api admin")
        _, self.agent = create_token(self.data, "agent", "api")
        self.srv = self.start_server(self.data)

    def send(self, method, path, body=None, token=None):
        return self.srv.request(method, path, json_body=body,
                                token=token or self.sup)

    def notice(self, kind="calamiteit", publish=True):
        r = self.send("POST", "/api/v1/notices",
                      {"kind": kind, "title": "Grote brand Westhaven",
                       "body": "Houd ramen en deuren gesloten.",
                       "severity": "zeer-ernstig", "publish": publish})
        self.assertEqual(r.status, 201, r)
        return r.json()["id"]

    def assert_on(self, nid):
        r = self.srv.get("/")
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/actueel/" + nid)
        for path in ("/actueel", "/actueel/" + nid, "/actueel/" + nid +
                     ".json"):
            r = self.srv.get(path)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.header("Cache-Control"), CDN, path)
        self.assertIn("Grote brand Westhaven", self.srv.get("/actueel").text)
        for path in HEAVY:
            r = self.srv.get(path, token=self.sup)
            self.assertEqual(r.status, 503, (path, r))
            self.assertEqual(r.header("Retry-After"), "60")
            self.assertIn("calamiteit", r.json()["detail"])

    def assert_off(self):
        r = self.srv.get("/")
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header("Location"), "/contact")
        r = self.srv.get("/actueel")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Cache-Control"), "public, max-age=10")
        for path in HEAVY:
            self.assertEqual(self.srv.get(path, token=self.sup).status, 200,
                             path)

    def test_switch_on_in_one_step_and_off(self):
        nid = self.notice()
        self.assert_off()
        r = self.send("POST", C, {"noticeId": nid})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"active": True, "noticeId": nid})
        self.assert_on(nid)
        self.assertEqual(self.send("GET", C).json(),
                         {"active": True, "noticeId": nid})
        # The cached page follows an update at once.
        page = self.srv.get("/actueel/" + nid)
        self.assertEqual(page.text, self.srv.get("/actueel/" + nid).text)
        r = self.send("POST", "/api/v1/notices/%s/updates" % nid,
                      {"body": "De brand is onder controle."})
        self.assertEqual(r.status, 201, r)
        page = self.srv.get("/actueel/" + nid)
        self.assertIn("De brand is onder controle.", page.text)
        self.assertEqual(page.header("Cache-Control"), CDN)
        doc = self.srv.get("/actueel/" + nid + ".json").json()
        self.assertIn("De brand is onder controle.",
                      [u["body"] for u in doc["updates"]])
        # An ETag revalidation is answered from memory.
        r = self.srv.get("/actueel/" + nid,
                         headers={"If-None-Match": page.header("ETag")})
        self.assertEqual(r.status, 304)
        rows = db_query(self.data, "SELECT action FROM audit_log WHERE "
                        "action LIKE 'calamity.%' ORDER BY rowid")
        self.assertEqual(rows, [("calamity.on",)])
        r = self.send("DELETE", C)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"active": False, "noticeId": None})
        self.assert_off()
        events = db_query(self.data, "SELECT type FROM events WHERE type = "
                          "'calamity.changed'")
        self.assertEqual(len(events), 2)

    def test_refusals(self):
        nid = self.notice()
        r = self.send("POST", C, {"noticeId": nid}, token=self.agent)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.send("DELETE", C, token=self.agent).status, 403)
        for other in (self.notice(kind="storing"),
                      self.notice(publish=False),
                      "01890000-0000-7000-8000-000000000000"):
            r = self.send("POST", C, {"noticeId": other})
            self.assertEqual(r.status, 422, r)
            self.assertEqual(r.json()["field"], "/noticeId")
        self.assertEqual(self.send("POST", C, {"noticeId": "x"}).status, 422)
        self.assertEqual(self.send("POST", C, {}).status, 422)
        self.assertEqual(self.send("GET", C).json()["active"], False)
        self.assert_off()

    def test_cli_against_running_server(self):
        nid = self.notice()
        p = run_cli("calamity", "on", nid, data=self.data)
        self.assertEqual(p.returncode, 0, p.stderr)
        wait_until(lambda: self.srv.get("/").header("Location") != "/contact", 5,
                   what="the server to learn the calamity mode")
        self.assert_on(nid)
        p = run_cli("calamity", "status", data=self.data)
        self.assertEqual(p.stdout.strip(), "on " + nid)
        p = run_cli("calamity", "on", self.notice(kind="storing"),
                    data=self.data)
        self.assertEqual(p.returncode, 1)
        p = run_cli("calamity", "off", data=self.data)
        self.assertEqual(p.returncode, 0, p.stderr)
        wait_until(lambda: self.srv.get("/").header("Location") == "/contact", 5,
                   what="the server to learn the mode is off")
        self.assert_off()
        self.assertEqual(run_cli("calamity", data=self.data).returncode, 2)


def crowd(host, port, path, n, timeout=45.0):
    """n connections opened at once, one GET each, all kept open until every
    one is answered; returns the status of each ("closed": the server closed
    it without an answer, None: no answer in time).  The time-out is
    generous: CI runs this beside other tests on two cores."""
    sel = selectors.DefaultSelector()
    req = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\n\r\n" %
           (path, host, port)).encode()
    socks, status = [], [None] * n
    bufs = [b""] * n
    try:
        for i in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            socks.append(s)
            s.connect_ex((host, port))
            sel.register(s, selectors.EVENT_WRITE, i)
        left, deadline = n, time.monotonic() + timeout
        while left > 0 and time.monotonic() < deadline:
            for key, ev in sel.select(0.5):
                i, s = key.data, key.fileobj
                if ev & selectors.EVENT_WRITE:
                    try:
                        s.sendall(req)
                    except OSError:
                        sel.unregister(s)
                        left -= 1
                        continue
                    sel.modify(s, selectors.EVENT_READ, i)
                    continue
                try:
                    chunk = s.recv(65536)
                except OSError:
                    chunk = b""
                bufs[i] += chunk
                head, sep, body = bufs[i].partition(b"\r\n\r\n")
                length = None
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if not chunk or (sep and length is not None and
                                 len(body) >= length):
                    if chunk:
                        status[i] = int(head.split(b" ")[1])
                    elif not bufs[i]:
                        status[i] = "closed"
                    sel.unregister(s)
                    left -= 1
        return status
    finally:
        for s in socks:
            s.close()
        sel.close()


class CalamityCrowd(LoketTestCase):
    """More residents at once than libmicrohttpd's default connection limit
    (FD_SETSIZE - 4 = 1,020), each keeping the connection open, all get the
    page; also when the server starts with a soft descriptor limit of
    1,024, as systemd gives it (the server raises it to the hard limit)."""

    N = 1100

    def setUp(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard != resource.RLIM_INFINITY and hard < 2 * self.N:
            self.skipTest("hard descriptor limit %d is too low" % hard)
        self.addCleanup(resource.setrlimit, resource.RLIMIT_NOFILE,
                        (soft, hard))
        self.data = self.make_data_dir()
        _, self.sup = create_token(self.data, "supervisor", "api admin")
        # The server inherits the soft limit of 1,024 ...
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))
        self.srv = self.start_server(self.data, log_level="warn")
        # ... and this client needs more.
        resource.setrlimit(resource.RLIMIT_NOFILE, (2 * self.N, hard))

    def test_more_connections_than_the_default_limit(self):
        r = self.srv.request("POST", "/api/v1/notices", token=self.sup,
                             json_body={"kind": "calamiteit",
                                        "title": "Brand", "body": "Binnen "
                                        "blijven.", "publish": True})
        self.assertEqual(r.status, 201, r)
        nid = r.json()["id"]
        r = self.srv.request("POST", C, token=self.sup,
                             json_body={"noticeId": nid})
        self.assertEqual(r.status, 200, r)
        status = crowd(self.srv.host, self.srv.port, "/actueel/" + nid,
                       self.N)
        self.assertEqual(status.count(200), self.N,
                         "answered: %d, other: %r" % (
                             status.count(200),
                             sorted(set(status) - {200}, key=str)))


if __name__ == "__main__":
    main()
