"""HTTP behaviour: keep-alive, pipelining, errors, headers, access log."""

import os
import re
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loketlib  # noqa: E402
from loketlib import (LoketTestCase, RawClient, create_token,  # noqa: E402
                      metric, wait_until)

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,40}$")
MAX_BODY = 1024


class HttpTestCase(LoketTestCase):
    def setUp(self):
        self.data = self.make_data_dir()
        self.token_id, self.token = create_token(self.data, "http-tests")
        self.srv = self.start_server(self.data, max_body=MAX_BODY)

    def assertSecurityHeaders(self, r):
        csp = r.header("Content-Security-Policy")
        self.assertIsNotNone(csp, r)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertIn("default-src 'self'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertNotIn("unsafe-eval", csp)
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff", r)
        self.assertIsNotNone(r.header("Referrer-Policy"), r)
        self.assertRegex(r.header("X-Request-Id", ""), REQUEST_ID_RE)
        # Each header once: a duplicate CSP would be combined by browsers.
        for name in ("Content-Security-Policy", "X-Content-Type-Options",
                     "Referrer-Policy", "X-Request-Id", "Content-Type"):
            self.assertLessEqual(len(r.header_all(name)), 1, (name, r))


class KeepAliveAndPipelining(HttpTestCase):
    def test_keep_alive_100_requests(self):
        before = self.srv.metrics()
        body = b'{"name":"keep-alive"}'
        with self.srv.raw() as c:
            for i in range(100):
                if i % 10 == 9:
                    r = c.request("POST", "/api/v1/tokens", {
                        "Authorization": "Bearer " + self.token,
                        "Content-Type": "application/json"}, body)
                    self.assertEqual(r.status, 201, (i, r))
                elif i % 7 == 6:
                    r = c.request("GET", "/api/missing/%d" % i)
                    self.assertEqual(r.status, 404, (i, r))
                    self.assertEqual(r.json()["instance"],
                                     "/api/missing/%d" % i)
                else:
                    r = c.request("GET", "/healthz")
                    self.assertEqual(r.status, 200, (i, r))
                    self.assertEqual(r.json(), {"status": "ok"})
                self.assertNotEqual(
                    (r.header("Connection") or "").lower(), "close", (i, r))
            self.assertFalse(c.at_eof(), "server closed a kept-alive socket")
        after = self.srv.metrics()
        # One connection for the 100 requests, one for the second /metrics.
        self.assertEqual(
            metric(after, "loket_http_connections_total") -
            metric(before, "loket_http_connections_total"), 2)

    def test_pipelining(self):
        auth = {"Authorization": "Bearer " + self.token,
                "Content-Type": "application/json"}
        plan = [
            ("GET", "/api/p0", None, None, 404),
            ("POST", "/api/v1/tokens", auth, b'{"name":"piped-1"}', 201),
            ("HEAD", "/healthz", None, None, 200),
            ("GET", "/api/p3", None, None, 404),
            ("POST", "/api/v1/tokens", auth, b'{"name":5}', 422),
            ("GET", "/readyz", None, None, 200),
            ("GET", "/static/favicon.svg", None, None, 200),
            ("POST", "/api/v1/tokens", auth, b'{"name":"piped-2"}', 201),
            ("DELETE", "/healthz", None, None, 405),
            ("GET", "/api/p9", None, None, 404),
        ]
        wire = b"".join(RawClient.build(m, p, h, b)
                        for m, p, h, b, _ in plan)
        with self.srv.raw() as c:
            c.send(wire)  # every request in one write
            responses = [c.read_response(head=(m == "HEAD"))
                         for m, _, _, _, _ in plan]
            # The connection is still good afterwards.
            r = c.request("GET", "/healthz")
            self.assertEqual(r.status, 200)
        for (m, p, _, b, status), r in zip(plan, responses):
            self.assertEqual(r.status, status, (m, p, r))
            if status == 404:
                self.assertEqual(r.json()["instance"], p)
            if status == 201:
                self.assertEqual(r.json()["name"], b[9:-2].decode())
        self.assertEqual(responses[1].json()["name"], "piped-1")
        self.assertEqual(responses[7].json()["name"], "piped-2")
        ids = [r.header("X-Request-Id") for r in responses]
        self.assertEqual(len(set(ids)), len(ids), ids)
        for r in responses:
            self.assertRegex(r.header("X-Request-Id"), REQUEST_ID_RE)

    def test_pipelined_requests_split_across_writes(self):
        wire = b"".join(RawClient.build("GET", "/api/s%d" % i)
                        for i in range(20))
        with self.srv.raw() as c:
            # Cut the stream in odd places, mid request line and header.
            for i in range(0, len(wire), 37):
                c.send(wire[i:i + 37])
            for i in range(20):
                r = c.read_response()
                self.assertEqual(r.status, 404)
                self.assertEqual(r.json()["instance"], "/api/s%d" % i)


class ErrorsAndHeaders(HttpTestCase):
    def test_api_404_is_problem_json(self):
        for path in ("/api/nope", "/api", "/api/v1/tokens/x/y",
                     "/api/v2/tokens"):
            with self.subTest(path=path):
                r = self.srv.get(path)
                self.assertProblem(r, 404, "not-found", path=path)
                self.assertSecurityHeaders(r)

    def test_html_404_elsewhere(self):
        r = self.srv.get("/nope")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.content_type, "text/html; charset=utf-8")
        self.assertIn('<html lang="nl">', r.text)
        self.assertIn("<code>/nope</code>", r.text)
        self.assertSecurityHeaders(r)
        # No inline script or style: the CSP would block them.
        self.assertNotIn("<script", r.text)
        self.assertNotIn("style=", r.text)

    def test_html_404_escapes_the_path(self):
        r = self.srv.get("/x%3Cscript%3Ealert(1)%3C/script%3E%22%27&")
        self.assertEqual(r.status, 404)
        self.assertNotIn("<script>", r.text)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", r.text)
        self.assertNotIn('"\'&<', r.text)

    def test_accept_json_gets_problem_anywhere(self):
        r = self.srv.get("/nope", headers={"Accept": "application/json"})
        self.assertProblem(r, 404, "not-found", path="/nope")
        r = self.srv.get("/nope", headers={
            "Accept": "text/html,application/json;q=0.9"})
        self.assertEqual(r.content_type, "text/html; charset=utf-8")

    def test_405_with_allow(self):
        cases = [
            ("POST", "/healthz", {"GET", "HEAD"}),
            ("DELETE", "/metrics", {"GET", "HEAD"}),
            ("PUT", "/api/v1/tokens", {"GET", "HEAD", "POST"}),
            ("PATCH", "/api/v1/tokens/tok_0000000000000000",
             {"GET", "HEAD", "DELETE"}),
            ("POST", "/api/v1/events", {"GET", "HEAD"}),
            ("BREW", "/healthz", {"GET", "HEAD"}),
        ]
        for method, path, allow in cases:
            with self.subTest(method=method, path=path):
                r = self.srv.request(method, path, body=b"")
                self.assertProblem(r, 405, "method-not-allowed", path=path)
                got = {m.strip() for m in r.header("Allow", "").split(",")}
                self.assertEqual(got, allow)
                self.assertSecurityHeaders(r)

    def test_security_headers_on_every_kind_of_response(self):
        srv = self.srv
        tok = self.token
        rs = {}
        rs["200 json"] = srv.get("/healthz")
        rs["200 readyz"] = srv.get("/readyz")
        rs["200 metrics"] = srv.get("/metrics")
        rs["200 static"] = srv.get("/static/favicon.svg")
        rs["304 static"] = srv.get("/static/favicon.svg", headers={
            "If-None-Match": rs["200 static"].header("ETag")})
        rs["404 api"] = srv.get("/api/nope")
        rs["404 html"] = srv.get("/nope")
        rs["404 static"] = srv.get("/static/nope.css")
        rs["401"] = srv.get("/api/v1/tokens")
        rs["201"] = srv.post_json("/api/v1/tokens", {"name": "h"}, token=tok)
        rs["200 list"] = srv.get("/api/v1/tokens", token=tok)
        rs["204"] = srv.request(
            "DELETE", "/api/v1/tokens/" + rs["201"].json()["id"], token=tok)
        rs["405"] = srv.request("POST", "/healthz", body=b"")
        rs["415"] = srv.request("POST", "/api/v1/tokens", body=b"x",
                                token=tok)
        with srv.raw() as c:
            c.send(RawClient.build("POST", "/api/v1/tokens", {
                "Authorization": "Bearer " + tok,
                "Content-Type": "application/json"}, b"x" * (MAX_BODY + 1)))
            rs["413"] = c.read_response()
        expected = {"200 json": 200, "200 readyz": 200, "200 metrics": 200,
                    "200 static": 200, "304 static": 304, "404 api": 404,
                    "404 html": 404, "404 static": 404, "401": 401,
                    "201": 201, "200 list": 200, "204": 204, "405": 405,
                    "415": 415, "413": 413}
        for name, r in rs.items():
            with self.subTest(kind=name):
                self.assertEqual(r.status, expected[name], r)
                self.assertSecurityHeaders(r)
        self.assertEqual(rs["200 json"].header("Cache-Control"), "no-store")
        self.assertEqual(rs["201"].header("Cache-Control"), "no-store")
        self.assertIn("max-age", rs["200 static"].header("Cache-Control"))

    def test_request_id(self):
        for given in ("abc.DEF_123-x", "a", "x" * 40):
            with self.subTest(given=given):
                r = self.srv.get("/api/nope", headers={"X-Request-Id": given})
                self.assertEqual(r.header("X-Request-Id"), given)
                self.assertEqual(r.json()["requestId"], given)
        for bad in ("x" * 41, "has space", "semi;colon", "<script>", "a/b",
                    "caf\u00e9".encode().decode("latin-1")):
            with self.subTest(bad=bad):
                r = self.srv.get("/healthz", headers={"X-Request-Id": bad})
                got = r.header("X-Request-Id")
                self.assertNotEqual(got, bad)
                self.assertRegex(got, REQUEST_ID_RE)
        ids = {self.srv.get("/healthz").header("X-Request-Id")
               for _ in range(20)}
        self.assertEqual(len(ids), 20)

    def test_head(self):
        get = self.srv.get("/healthz")
        with self.srv.raw() as c:
            r = c.request("HEAD", "/healthz")
            self.assertEqual(r.status, 200)
            self.assertEqual(r.header("Content-Length"),
                             str(len(get.body)))
            self.assertEqual(r.content_type, "application/json")
            self.assertSecurityHeaders(r)
            css = c.request("HEAD", "/static/favicon.svg")
            self.assertEqual(css.status, 200)
            size = os.path.getsize(os.path.join(loketlib.WEB_DIR, "static",
                                                "favicon.svg"))
            self.assertEqual(css.header("Content-Length"), str(size))
            self.assertIsNotNone(css.header("ETag"))
            r = c.request("HEAD", "/api/nope")
            self.assertEqual(r.status, 404)
            r = c.request("HEAD", "/api/v1/tokens")
            self.assertEqual(r.status, 401)
            # Had any HEAD response carried a body, this would not parse.
            r = c.request("GET", "/healthz")
            self.assertEqual(r.status, 200)
            self.assertEqual(r.body, get.body)
            self.assertFalse(c.at_eof(0.05))


    def test_head_on_event_stream(self):
        with self.srv.raw() as c:
            r = c.request("HEAD", "/api/v1/events",
                          {"Authorization": "Bearer " + self.token})
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.content_type,
                             "text/event-stream; charset=utf-8")
            self.assertSecurityHeaders(r)
            # Nothing follows the headers: the next response parses.
            r = c.request("GET", "/healthz")
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json(), {"status": "ok"})
        wait_until(lambda: metric(self.srv.metrics(),
                                  "loket_http_streams_open") == 0, 5,
                   what="no stream left open by HEAD")

    def test_get_with_body_keeps_connection_in_sync(self):
        with self.srv.raw() as c:
            r = c.request("GET", "/healthz", {"Content-Type": "text/plain"},
                          b"GET /api/smuggled HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(r.status, 200)
            r = c.request("GET", "/api/next")
            self.assertEqual(r.json()["instance"], "/api/next")
            self.assertFalse(c.at_eof(0.05))


class Authentication(HttpTestCase):
    def test_schemes(self):
        ok = ["Bearer " + self.token, "bearer " + self.token,
              "BEARER " + self.token, "Token " + self.token,
              "token " + self.token, "Bearer   " + self.token]
        for value in ok:
            with self.subTest(value=value[:10]):
                r = self.srv.get("/api/v1/tokens",
                                 headers={"Authorization": value})
                self.assertEqual(r.status, 200, r)
        missing = ["", "Basic dXNlcjpwYXNz", "Bearer", self.token,
                   "Bearer" + self.token]
        for value in missing:
            with self.subTest(value=value[:10]):
                r = self.srv.get("/api/v1/tokens",
                                 headers={"Authorization": value})
                self.assertProblem(r, 401, "unauthenticated")
                self.assertEqual(r.header("WWW-Authenticate"),
                                 'Bearer realm="loket"')
        invalid = ["Bearer ", "Bearer lkt_", "Bearer " + self.token + "x",
                   "Bearer " + self.token[:-1], "Bearer " + self.token[4:],
                   "Bearer " + "lkt_" + "A" * 5000, "Bearer " + self.token +
                   " ", "Bearer tok_" + self.token_id[4:]]
        for value in invalid:
            with self.subTest(value=value[:20]):
                r = self.srv.get("/api/v1/tokens",
                                 headers={"Authorization": value})
                self.assertProblem(r, 401, "invalid-token")
                self.assertIn('error="invalid_token"',
                              r.header("WWW-Authenticate"))

    def test_token_lifecycle_over_the_api(self):
        r = self.srv.post_json("/api/v1/tokens", {"name": "short-lived",
                                                  "scopes": ["api"]},
                               token=self.token)
        self.assertEqual(r.status, 201, r)
        tid, secret = r.json()["id"], r.json()["token"]
        self.assertProblem(self.srv.get("/api/v1/tokens", token=secret),
                           403, "insufficient-scope")
        r = self.srv.request("DELETE", "/api/v1/tokens/" + tid,
                             token=self.token)
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.body, b"")
        got = self.srv.get("/api/v1/tokens/" + tid, token=self.token).json()
        self.assertIsInstance(got["revokedAt"], int)
        self.assertProblem(self.srv.get("/api/v1/tokens", token=secret),
                           401, "invalid-token")
        for path in ("/api/v1/tokens/" + tid,
                     "/api/v1/tokens/tok_0000000000000000",
                     "/api/v1/tokens/not-an-id",
                     "/api/v1/tokens/" + "x" * 300):
            with self.subTest(path=path[:40]):
                r = self.srv.request("DELETE", path, token=self.token)
                self.assertProblem(r, 404, "not-found")
        r = self.srv.get("/api/v1/tokens/tok_0000000000000000",
                         token=self.token)
        self.assertProblem(r, 404, "not-found")


class AccessLog(HttpTestCase):
    def test_access_log_lines(self):
        srv = self.srv
        tok = self.token
        weird = "/api/a%22b%5Cc%09d"
        made = [
            ("log-1", "GET", "/healthz", None, 200, "/healthz"),
            ("log-2", "POST", "/api/v1/tokens", {"name": "logged"}, 201,
             "/api/v1/tokens"),
            ("log-3", "GET", "/api/v1/tokens/tok_0000000000000000", None, 404,
             "/api/v1/tokens/{id}"),
            ("log-4", "GET", weird, None, 404, None),
            ("log-5", "HEAD", "/healthz", None, 200, "/healthz"),
            ("log-6", "POST", "/healthz", None, 405, None),
            ("log-7", "GET", "/static/favicon.svg", None, 200, "/static/*"),
            ("log-8", "GET", "/api/v1/tokens", None, 401, "/api/v1/tokens"),
        ]
        for rid, method, path, body, status, _ in made:
            hdrs = {"X-Request-Id": rid}
            if rid != "log-8":
                hdrs["Authorization"] = "Bearer " + tok
            r = srv.request(method, path, headers=hdrs, json_body=body)
            self.assertEqual(r.status, status, (rid, r))
            self.assertEqual(r.header("X-Request-Id"), rid)
        # Unnamed ones: the log id is the one the client saw.
        seen = [srv.get("/healthz").header("X-Request-Id") for _ in range(5)]
        self.assertEqual(srv.stop(), 0)

        records = srv.log_records()  # fails if any line is not JSON
        for rec in records:
            self.assertIsInstance(rec.get("ts"), str, rec)
            self.assertIn(rec.get("level"), ("debug", "info", "warn",
                                              "error"), rec)
            self.assertIsInstance(rec.get("msg"), str, rec)
        reqs = [r for r in records if r["msg"] == "request"]
        self.assertEqual(len(reqs), len(made) + len(seen), reqs)
        by_id = {}
        for rec in reqs:
            self.assertIsInstance(rec.get("id"), str, rec)
            self.assertNotIn(rec["id"], by_id, "request logged twice")
            by_id[rec["id"]] = rec
            self.assertIsInstance(rec.get("method"), str, rec)
            self.assertIsInstance(rec.get("path"), str, rec)
            self.assertIsInstance(rec.get("status"), int, rec)
            self.assertIsInstance(rec.get("ms"), (int, float), rec)
            self.assertGreaterEqual(rec["ms"], 0)
            self.assertLess(rec["ms"], 10000)
        for rid, method, path, _, status, route in made:
            rec = by_id[rid]
            self.assertEqual(rec["method"], method, rec)
            self.assertEqual(rec["status"], status, rec)
            if route is not None:
                self.assertEqual(rec.get("route"), route, rec)
            if rid != "log-4":
                self.assertEqual(rec["path"], path, rec)
        self.assertEqual(by_id["log-4"]["path"], '/api/a"b\\c\td')
        self.assertEqual(by_id["log-2"].get("actor"),
                         "token:" + self.token_id)
        for rid in seen:
            self.assertEqual(by_id[rid]["path"], "/healthz")
        # Credentials never reach the log.
        self.assertNotIn(tok, srv.log_text())
        self.assertNotIn(tok[4:], srv.log_text())


class RawProtocol(HttpTestCase):
    def test_garbage_does_not_hurt_the_server(self):
        for junk in (b"\x00\x01\x02\r\n\r\n", b"GET\r\n\r\n",
                     b"GET / HTTP/9.9\r\n\r\n",
                     b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad header\r\n\r\n",
                     b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: "
                     b"-1\r\n\r\n",
                     b"POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Length: 99999999999999999999999\r\n\r\n",
                     b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n"):
            with self.subTest(junk=junk[:40]):
                with self.srv.raw(timeout=5) as c:
                    try:
                        c.send(junk)
                        c.sock.shutdown(socket.SHUT_WR)
                        while c.sock.recv(65536):
                            pass
                    except OSError:
                        pass  # reset or already closed by the server
        self.assertEqual(self.srv.get("/healthz").status, 200)


if __name__ == "__main__":
    loketlib.main()
