"""Static files (types, ETag, 304, traversal), health checks, /metrics."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loketlib  # noqa: E402
from loketlib import (LoketTestCase, SSEClient, create_token,  # noqa: E402
                      metric, parse_metrics, wait_until)

PROMTOOL = "/usr/bin/promtool"


class StaticFiles(LoketTestCase):
    def setUp(self):
        # A web folder of our own, with things that must not be served.
        root = tempfile.mkdtemp(prefix="loket-web-")
        self.addCleanup(shutil.rmtree, root, True)
        self.web = os.path.join(root, "web")
        shutil.copytree(loketlib.WEB_DIR, self.web)
        static = os.path.join(self.web, "static")
        self.files = {}

        def put(rel, content, base=static):
            path = os.path.join(base, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(content)
            return path

        put("loket.css", b"body { margin: 0; }\n")
        put(".hidden", b"HIDDEN-DOTFILE")
        put("sub/.hidden", b"HIDDEN-IN-SUB")
        put("sub/ok.txt", b"nested ok\n")
        put("app.js", b"console.log('x');\n")
        put("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>")
        put("data.bin", b"\x00\x01\x02")
        put("a/b", b"A-SLASH-B")
        put("secret.txt", b"SECRET-OUTSIDE-STATIC", base=self.web)
        outside = put("outside.txt", b"SECRET-OUTSIDE-WEB", base=root)
        os.symlink(outside, os.path.join(static, "link.txt"))
        # A symbolic link to a folder outside: followed, it would serve
        # whatever lies there.
        os.symlink(root, os.path.join(static, "linkdir"))
        self.srv = self.start_server(web=self.web)

    def test_served_with_type_and_etag(self):
        cases = {
            "loket.css": "text/css; charset=utf-8",
            "app.js": "text/javascript; charset=utf-8",
            "logo.svg": "image/svg+xml",
            "sub/ok.txt": "text/plain; charset=utf-8",
            "data.bin": "application/octet-stream",
        }
        for rel, ctype in cases.items():
            with self.subTest(rel=rel):
                r = self.srv.get("/static/" + rel)
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.content_type, ctype)
                with open(os.path.join(self.web, "static", rel), "rb") as f:
                    self.assertEqual(r.body, f.read())
                self.assertEqual(r.header("Content-Length"),
                                 str(len(r.body)))
                self.assertRegex(r.header("ETag", ""), r'^"[^"]+"$')
                self.assertEqual(r.header("X-Content-Type-Options"),
                                 "nosniff")
                self.assertIn("max-age", r.header("Cache-Control"))

    def test_conditional_get(self):
        r = self.srv.get("/static/loket.css")
        etag = r.header("ETag")
        self.assertEqual(self.srv.get("/static/loket.css").header("ETag"),
                         etag, "ETag must be stable")
        for inm in (etag, '"nope", ' + etag, "W/" + etag, "*"):
            with self.subTest(if_none_match=inm):
                r304 = self.srv.get("/static/loket.css",
                                    headers={"If-None-Match": inm})
                self.assertEqual(r304.status, 304, r304)
                self.assertEqual(r304.body, b"")
                self.assertEqual(r304.header("ETag"), etag)
        for inm in ('"nope"', etag[:-2] + '"', etag[:-1] + 'x"'):
            with self.subTest(if_none_match=inm):
                r = self.srv.get("/static/loket.css",
                                 headers={"If-None-Match": inm})
                self.assertEqual(r.status, 200, r)
        # A changed file gets a new ETag.
        path = os.path.join(self.web, "static", "sub", "ok.txt")
        first = self.srv.get("/static/sub/ok.txt").header("ETag")
        with open(path, "ab") as f:
            f.write(b"more\n")
        second = self.srv.get("/static/sub/ok.txt")
        self.assertNotEqual(second.header("ETag"), first)
        self.assertEqual(second.body, b"nested ok\nmore\n")
        r = self.srv.get("/static/sub/ok.txt",
                         headers={"If-None-Match": first})
        self.assertEqual(r.status, 200)

    def test_traversal_and_hidden_files_are_404(self):
        paths = [
            "/static/../CMakeLists.txt",
            "/static/../secret.txt",
            "/static/../../outside.txt",
            "/static/%2e%2e/secret.txt",
            "/static/%2E%2E/secret.txt",
            "/static/%2e%2e%2fsecret.txt",
            "/static/..%2fsecret.txt",
            "/static/sub/../../secret.txt",
            "/static/sub/%2e%2e/%2e%2e/secret.txt",
            "/static/./loket.css",
            "/static/.hidden",
            "/static/%2ehidden",
            "/static/sub/.hidden",
            "/static/a//b",
            "/static//a/b",
            "/static/a/b/",
            "/static/%2fetc%2fpasswd",
            "/static/..\\secret.txt",
            "/static/%5c..%5csecret.txt",
            "/static/link.txt",
            "/static/linkdir/outside.txt",
            "/static/linkdir/web/secret.txt",
            "/static/sub",
            "/static/sub/",
            "/static/",
            "/static",
            "/static/nope.css",
        ]
        for path in paths:
            with self.subTest(path=path):
                r = self.srv.get(path)
                self.assertEqual(r.status, 404, r)
                for secret in (b"SECRET", b"HIDDEN", b"A-SLASH-B",
                               b"cmake_minimum_required", b"root:"):
                    self.assertNotIn(secret, r.body)
        # The nested file itself is fine.
        self.assertEqual(self.srv.get("/static/a/b").body, b"A-SLASH-B")


class OpenAPI(LoketTestCase):
    def test_openapi_document(self):
        srv = self.start_server()
        r = srv.get("/api/openapi.json")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.content_type, "application/json")
        doc = json.loads(r.body)
        self.assertTrue(doc["openapi"].startswith("3."))
        # Every API route of the server is described.
        for path in ("/api/v1/tokens", "/api/v1/tokens/{id}",
                     "/api/v1/events"):
            self.assertIn(path, doc["paths"])
        # Each area's part in web/openapi.d/ is merged in, paths and
        # schemas alike, and the whole has one ETag that revalidates.
        parts = os.path.join(os.environ["LOKET_SOURCE_DIR"], "web",
                             "openapi.d")
        for name in sorted(os.listdir(parts)) if os.path.isdir(parts) else []:
            with open(os.path.join(parts, name)) as f:
                part = json.load(f)
            for path in part.get("paths", {}):
                self.assertIn(path, doc["paths"], name)
            for schema in part.get("components", {}).get("schemas", {}):
                self.assertIn(schema, doc["components"]["schemas"], name)
        etag = r.header("etag")
        self.assertTrue(etag)
        r = srv.get("/api/openapi.json", headers={"If-None-Match": etag})
        self.assertEqual(r.status, 304)


class HealthAndMetrics(LoketTestCase):
    def test_healthz_readyz(self):
        srv = self.start_server()
        r = srv.get("/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.content_type, "application/json")
        self.assertEqual(r.json(), {"status": "ok"})
        r = srv.get("/readyz")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.content_type, "application/json")
        self.assertEqual(r.json(), {"status": "ready"})
        self.assertEqual(r.header("Cache-Control"), "no-store")

    def test_metrics(self):
        data = self.make_data_dir()
        tid, tok = create_token(data)
        srv = self.start_server(data)
        for _ in range(3):
            self.assertEqual(srv.get("/healthz").status, 200)
        self.assertEqual(srv.get("/readyz").status, 200)
        self.assertEqual(srv.get("/api/nope").status, 404)
        self.assertEqual(srv.post_json("/api/v1/tokens", {"name": "m"},
                                       token=tok).status, 201)
        # Requests are counted when they complete, just after the answer.
        m = wait_until(lambda: (lambda m: m if metric(
            m, "loket_http_requests_total", route="/api/v1/tokens",
            method="POST", code="201") == 1 and metric(
            m, "loket_http_requests_total", route="unmatched", method="",
            code="404") == 1 else None)(srv.metrics()), 5,
            what="request counters")
        r = srv.get("/metrics")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.content_type.startswith(
            "text/plain; version=0.0.4"), r.content_type)
        text = r.text
        m = parse_metrics(text)
        self.assertEqual(metric(m, "loket_http_requests_total",
                                route="/healthz", method="GET", code="200"),
                         3)
        self.assertEqual(metric(m, "loket_http_requests_total",
                                route="/readyz", method="GET", code="200"),
                         1)
        for name in ("loket_http_requests_total",
                     "loket_http_request_duration_seconds",
                     "loket_store_commit_duration_seconds",
                     "loket_store_commit_batch_size",
                     "loket_http_open_connections"):
            self.assertIn(name, text)
        self.assertRegex(text, r"(?m)^# TYPE loket_http_requests_total "
                         r"counter$")
        for h in ("loket_http_request_duration_seconds",
                  "loket_store_commit_duration_seconds",
                  "loket_store_commit_batch_size"):
            self.assertRegex(text, r"(?m)^# TYPE %s histogram$" % h)
        self.assertRegex(text, r"(?m)^# TYPE loket_http_open_connections "
                         r"gauge$")
        self.assertGreaterEqual(metric(m, "loket_http_open_connections"), 1)
        self.assertGreaterEqual(
            metric(m, "loket_store_commit_batch_size_count"), 2)
        self.assertGreaterEqual(
            metric(m, "loket_store_commit_duration_seconds_count"), 2)
        self.assertGreater(metric(m, "loket_store_commit_duration_seconds_sum"),
                           0)
        self.assertEqual(metric(m, "loket_http_request_duration_seconds_count",
                                route="/healthz", method="GET"), 3)
        self.assertHistogramsConsistent(m)
        self.assertFamiliesDocumented(text)

    def test_connection_and_stream_gauges(self):
        data = self.make_data_dir()
        tid, tok = create_token(data, scopes="events")
        # A client that goes away is noticed when the next write fails: the
        # heartbeat makes sure there is one.
        srv = self.start_server(data, heartbeat=1)
        base = metric(srv.metrics(), "loket_http_open_connections")
        conns = [srv.raw() for _ in range(3)]
        try:
            for c in conns:
                self.assertEqual(c.request("GET", "/healthz").status, 200)
            wait_until(lambda: metric(srv.metrics(),
                                      "loket_http_open_connections") ==
                       base + 3, 5, what="3 more open connections")
            s = SSEClient(srv, token=tok)
            self.assertEqual(s.status, 200)
            m = srv.metrics()
            self.assertEqual(metric(m, "loket_http_streams_open"), 1)
            s.close()
        finally:
            for c in conns:
                c.close()
        wait_until(lambda: metric(srv.metrics(),
                                  "loket_http_open_connections") == base and
                   metric(srv.metrics(), "loket_http_streams_open") == 0, 10,
                   what="connections and streams to close")

    @unittest.skipUnless(os.access(PROMTOOL, os.X_OK),
                         "promtool not found at %s (Debian package "
                         "prometheus): lint check of /metrics skipped" %
                         PROMTOOL)
    def test_promtool_check_metrics(self):
        data = self.make_data_dir()
        tid, tok = create_token(data)
        srv = self.start_server(data)
        # Traffic of every kind, so that every family has series.
        srv.get("/healthz")
        srv.get("/readyz")
        srv.get("/api/nope")
        srv.get("/nope")
        srv.request("POST", "/healthz", body=b"")
        srv.post_json("/api/v1/tokens", {"name": "p"}, token=tok)
        srv.get("/api/v1/tokens", token=tok)
        srv.get("/static/loket.css")
        s = SSEClient(srv, token=tok)
        self.addCleanup(s.close)
        text = srv.get("/metrics").text
        p = subprocess.run([PROMTOOL, "check", "metrics"], input=text,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0,
                         "promtool check metrics:\n" + p.stdout + p.stderr)
        self.assertEqual((p.stdout + p.stderr).strip(), "",
                         "promtool lint findings")

    # -- helpers --

    def assertHistogramsConsistent(self, m):
        series = {}
        for (name, labels), value in m.items():
            if name.endswith("_bucket"):
                base = name[:-7]
                le = dict(labels)["le"]
                rest = frozenset(l for l in labels if l[0] != "le")
                series.setdefault((base, rest), []).append(
                    (float("inf") if le == "+Inf" else float(le), value))
        self.assertGreater(len(series), 3)
        for (base, labels), buckets in series.items():
            buckets.sort()
            counts = [v for _, v in buckets]
            self.assertEqual(counts, sorted(counts),
                             "%s%s buckets not cumulative" % (base, labels))
            self.assertEqual(buckets[-1][0], float("inf"))
            self.assertEqual(m.get((base + "_count", labels)), counts[-1],
                             (base, labels))
            self.assertIsNotNone(m.get((base + "_sum", labels)))

    def assertFamiliesDocumented(self, text):
        helps = set(re.findall(r"(?m)^# HELP (\S+) \S", text))
        types = dict(re.findall(r"(?m)^# TYPE (\S+) (\S+)$", text))
        self.assertEqual(set(types), helps)
        for line in text.splitlines():
            if not line or line.startswith("#"):
                continue
            name = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0)
            family = name
            for suffix in ("_bucket", "_sum", "_count"):
                if name.endswith(suffix) and \
                        types.get(name[:-len(suffix)]) == "histogram":
                    family = name[:-len(suffix)]
            self.assertIn(family, types, line)
            if types[family] == "counter":
                self.assertTrue(family.endswith("_total"), family)


if __name__ == "__main__":
    loketlib.main()
