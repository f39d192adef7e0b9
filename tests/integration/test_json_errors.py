"""Bad request bodies get precise RFC 9457 problems and change nothing;
hostile strings round-trip as data."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loketlib  # noqa: E402
from loketlib import LoketTestCase, RawClient, create_token, db_query  # noqa

MAX_BODY = 4096
PATH = "/api/v1/tokens"


def nested(depth):
    """{"x": [[...]]} nested `depth` levels deep (the object counts)."""
    return ('{"x":' + "[" * (depth - 1) + "]" * (depth - 1) + "}").encode()


class JsonTestCase(LoketTestCase):
    def setUp(self):
        self.data = self.make_data_dir()
        self.admin_id, self.admin = create_token(self.data, "json-tests")
        self.srv = self.start_server(self.data, max_body=MAX_BODY)

    def post(self, body, content_type="application/json", headers=None):
        hdrs = {"Authorization": "Bearer " + self.admin}
        if content_type is not None:
            hdrs["Content-Type"] = content_type
        hdrs.update(headers or {})
        with self.srv.raw() as c:
            return c.request("POST", PATH, hdrs, body)

    def post_chunked(self, chunks):
        hdrs = {"Authorization": "Bearer " + self.admin,
                "Content-Type": "application/json",
                "Transfer-Encoding": "chunked"}
        wire = RawClient.build("POST", PATH, hdrs)
        for ch in chunks:
            wire += b"%x\r\n%s\r\n" % (len(ch), ch)
        wire += b"0\r\n\r\n"
        with self.srv.raw() as c:
            c.send(wire)
            r = c.read_response()
            # A chunked body was read to its end: the connection lives on
            # (libmicrohttpd closes it after any 413, though).
            if r.status != 413:
                r2 = c.request("GET", "/healthz")
                self.assertEqual(r2.status, 200)
            return r

    def snapshot(self):
        r = self.srv.get(PATH + "?limit=100", token=self.admin)
        self.assertEqual(r.status, 200, r)
        return (r.json(),
                db_query(self.data, "SELECT COUNT(*) FROM api_tokens"),
                db_query(self.data, "SELECT COUNT(*), MAX(seq) FROM events"),
                db_query(self.data, "SELECT COUNT(*) FROM audit_log"))


class RejectedBodies(JsonTestCase):
    def test_rejected_bodies_store_nothing(self):
        before = self.snapshot()
        big = b'{"name":"' + b"a" * MAX_BODY + b'"}'
        cases = [
            # (label, body, content type, status, slug, field)
            ("malformed", b'{"name":', None, 400, "malformed-json", None),
            ("trailing comma", b'{"name":"a",}', None, 400, "malformed-json",
             None),
            ("trailing data", b'{"name":"a"} x', None, 400, "malformed-json",
             None),
            ("two documents", b'{"name":"a"}{"name":"b"}', None, 400,
             "malformed-json", None),
            ("single quotes", b"{'name':'a'}", None, 400, "malformed-json",
             None),
            ("duplicate keys", b'{"name":"a","name":"b"}', None, 400,
             "malformed-json", None),
            ("invalid utf-8", b'{"name":"\xff"}', None, 400, "malformed-json",
             None),
            ("overlong utf-8", b'{"name":"\xc0\xaf"}', None, 400,
             "malformed-json", None),
            ("utf-8 surrogate", b'{"name":"\xed\xa0\x80"}', None, 400,
             "malformed-json", None),
            ("past U+10FFFF", b'{"name":"\xf4\x90\x80\x80"}', None, 400,
             "malformed-json", None),
            ("invalid utf-8 key", b'{"na\xffme":"a"}', None, 400,
             "malformed-json", None),
            ("lone surrogate escape", b'{"name":"\\ud800"}', None, 400,
             "malformed-json", None),
            ("NUL escape", b'{"name":"a\\u0000b"}', None, 400,
             "malformed-json", None),
            ("raw NUL", b'{"name":"a\x00b"}', None, 400, "malformed-json",
             None),
            ("depth 33", nested(33), None, 400, "malformed-json", None),
            ("depth 2000", nested(2000), None, 400, "malformed-json", None),
            ("empty body", b"", None, 400, "malformed-json", None),
            ("whitespace body", b"  \n", None, 400, "malformed-json", None),
            ("string top level", b'"name"', None, 422, "invalid-body", ""),
            ("number top level", b"42", None, 422, "invalid-body", ""),
            ("null top level", b"null", None, 422, "invalid-body", ""),
            ("array top level", b'[{"name":"a"}]', None, 422, "invalid-body",
             ""),
            ("empty array", b"[]", None, 422, "invalid-body", ""),
            ("text/plain", b'{"name":"a"}', "text/plain", 415,
             "unsupported-media-type", None),
            ("no content type", b'{"name":"a"}', False, 415,
             "unsupported-media-type", None),
            ("form", b"name=a", "application/x-www-form-urlencoded", 415,
             "unsupported-media-type", None),
            ("jsonx", b'{"name":"a"}', "application/jsonx", 415,
             "unsupported-media-type", None),
            ("name number", b'{"name":5}', None, 422, "invalid-field",
             "/name"),
            ("name array", b'{"name":["a"]}', None, 422, "invalid-field",
             "/name"),
            ("name object", b'{"name":{}}', None, 422, "invalid-field",
             "/name"),
            ("name bool", b'{"name":true}', None, 422, "invalid-field",
             "/name"),
            ("name null", b'{"name":null}', None, 422, None, "/name"),
            ("name empty", b'{"name":""}', None, 422, "invalid-field",
             "/name"),
            ("name too long", json.dumps({"name": "n" * 101}).encode(), None,
             422, "invalid-field", "/name"),
            ("name control char", b'{"name":"a\\nb"}', None, 422,
             "invalid-field", "/name"),
            ("name DEL", b'{"name":"a\x7fb"}', None, 422, "invalid-field",
             "/name"),
            ("scopes string", b'{"name":"a","scopes":"admin"}', None, 422,
             "invalid-field", "/scopes"),
            ("scopes numbers", b'{"name":"a","scopes":[1]}', None, 422,
             "invalid-field", "/scopes"),
            ("scopes unknown", b'{"name":"a","scopes":["root"]}', None, 422,
             "invalid-field", "/scopes"),
            ("scopes twice", b'{"name":"a","scopes":["api","api"]}', None,
             422, "invalid-field", "/scopes"),
            ("scopes empty", b'{"name":"a","scopes":[]}', None, 422,
             "invalid-field", "/scopes"),
            ("empty scope name", b'{"name":"a","scopes":["","admin"]}',
             None, 422, "invalid-field", "/scopes"),
            ("scope with space", b'{"name":"a","scopes":["api events"]}',
             None, 422, "invalid-field", "/scopes"),
            ("depth 32 is parsed", nested(32), None, 422, "unknown-field",
             "/x"),
            ("unknown member", b'{"name":"a","x":1}', None, 422,
             "unknown-field", "/x"),
            ("unknown member pointer", b'{"name":"a","a/b~c":1}', None, 422,
             "unknown-field", "/a~1b~0c"),
            ("missing name", b"{}", None, 422, "missing-field", "/name"),
            ("missing name with scopes", b'{"scopes":["api"]}', None, 422,
             "missing-field", "/name"),
            ("too large", big, None, 413, "body-too-large", None),
        ]
        for label, body, ctype, status, slug, field in cases:
            with self.subTest(label):
                if ctype is None:
                    ctype = "application/json"
                r = self.post(body, content_type=ctype or None)
                p = self.assertProblem(r, status, slug, field, path=PATH)
                self.assertIsInstance(p.get("detail"), str)
                if field is None:
                    self.assertNotIn("field", p)
        with self.subTest("too large, chunked"):
            chunks = [b'{"name":"'] + [b"a" * 1000] * 5 + [b'"}']
            r = self.post_chunked(chunks)
            self.assertProblem(r, 413, "body-too-large", path=PATH)
        with self.subTest("too large, chunked, on a GET"):
            # Bodies of methods that have none count against the limit too,
            # or one request could stream forever.
            hdrs = {"Transfer-Encoding": "chunked"}
            wire = RawClient.build("GET", "/healthz", hdrs)
            wire += b"".join(b"%x\r\n%s\r\n" % (1000, b"a" * 1000)
                             for _ in range(5)) + b"0\r\n\r\n"
            with self.srv.raw() as c:
                c.send(wire)
                r = c.read_response()
            self.assertProblem(r, 413, "body-too-large", path="/healthz")
        with self.subTest("too large, declared only"):
            # Answered from the headers alone, before any body is sent.
            with self.srv.raw() as c:
                c.send(RawClient.build("POST", PATH, {
                    "Authorization": "Bearer " + self.admin,
                    "Content-Type": "application/json",
                    "Content-Length": str(10 * 1024 * 1024)}))
                r = c.read_response()
                self.assertProblem(r, 413, "body-too-large", path=PATH)
                self.assertEqual(r.header("Connection"), "close")
        with self.subTest("unauthenticated bad body"):
            with self.srv.raw() as c:
                r = c.request("POST", PATH, {"Content-Type":
                                             "application/json"}, b"{")
            self.assertProblem(r, 401, "unauthenticated")
        self.assertEqual(self.snapshot(), before)
        # The server is fine afterwards.
        r = self.srv.post_json(PATH, {"name": "after"}, token=self.admin)
        self.assertEqual(r.status, 201, r)

    def test_problem_details_are_valid_utf8_json(self):
        # Error details quote the input; whatever comes in, what goes out
        # must stay valid UTF-8 JSON (Response.json() decodes strictly).
        for body in (b'{"name":"' + "\u00e9".encode() * 150 + b"\xff",
                     b'{"' + "\u20ac".encode() * 100 + b'\xe2\x82',
                     b"\xef\xbb\xbf{}", b"{\xc3",
                     b'{"name":tr\xc3\xa9}'):
            with self.subTest(body=body[:20]):
                r = self.post(body)
                self.assertProblem(r, 400, "malformed-json")
                r.body.decode("utf-8")


class Accepted(JsonTestCase):
    def test_chunked_body_within_limit(self):
        r = self.post_chunked([b'{"na', b'me":"chun', b'ked"}'])
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["name"], "chunked")

    def test_body_exactly_at_limit(self):
        body = b'{"name":"x"' + b" " * (MAX_BODY - 12) + b"}"
        self.assertEqual(len(body), MAX_BODY)
        r = self.post(body)
        self.assertEqual(r.status, 201, r)
        r = self.post(body + b" ")
        self.assertProblem(r, 413, "body-too-large")

    def test_expect_100_continue(self):
        body = b'{"name":"expect"}'
        hdrs = {"Authorization": "Bearer " + self.admin,
                "Content-Type": "application/json", "Expect": "100-continue"}
        with self.srv.raw() as c:
            c.send(RawClient.build("POST", PATH, dict(
                hdrs, **{"Content-Length": str(len(body))})))
            self.assertEqual(c.read_response().status, 100)
            c.send(body)
            r = c.read_response()
            self.assertEqual(r.status, 201, r)
        # Too large: refused at once, the body is never asked for.
        with self.srv.raw() as c:
            c.send(RawClient.build("POST", PATH, dict(
                hdrs, **{"Content-Length": str(MAX_BODY * 10)})))
            r = c.read_response()
            self.assertProblem(r, 413, "body-too-large")
            self.assertTrue(c.at_eof(2))

    def test_content_type_variants(self):
        for ct in ("application/json; charset=utf-8", "Application/JSON",
                   "application/merge-patch+json", " application/json "):
            with self.subTest(ct=ct):
                r = self.post(b'{"name":"ct"}', content_type=ct)
                self.assertEqual(r.status, 201, r)

    def test_defaults_and_scopes(self):
        r = self.post(b'{"name":"d"}')
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["scopes"], ["api", "events"])
        r = self.post(b'{"name":"e","scopes":["events"]}')
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["scopes"], ["events"])
        # The new token works, within its scope only.
        secret = r.json()["token"]
        self.assertProblem(self.srv.get(PATH, token=secret), 403,
                           "insufficient-scope")

    def test_hostile_names_round_trip_as_json(self):
        names = [
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            "Robert'); DROP TABLE api_tokens;--",
            "\u2028\u2029 line separators",
            "emoji \U0001F600 \u00e9\u00e8",
            "back\\slash \"quoted\" &amp; </title>",
            "{{7*7}} ${7*7} %s %n",
        ]
        for name in names:
            with self.subTest(name=name):
                r = self.srv.post_json(PATH, {"name": name}, token=self.admin)
                self.assertEqual(r.status, 201, r)
                self.assertEqual(r.content_type, "application/json")
                created = r.json()
                self.assertEqual(created["name"], name)
                self.assertEqual(r.header("Location"),
                                 PATH + "/" + created["id"])
                self.assertNotIn(b"&lt;", r.body)
                g = self.srv.get(r.header("Location"), token=self.admin)
                self.assertEqual(g.status, 200, g)
                self.assertEqual(g.content_type, "application/json")
                self.assertEqual(g.header("X-Content-Type-Options"),
                                 "nosniff")
                self.assertEqual(g.json()["name"], name)
                self.assertNotIn("token", g.json())  # secret shown once
        listed = {t["name"] for t in self.srv.get(
            PATH + "?limit=100", token=self.admin).json()["items"]}
        self.assertTrue(set(names) <= listed)
        rows = {r[0] for r in db_query(self.data,
                                       "SELECT name FROM api_tokens")}
        self.assertTrue(set(names) <= rows)

    def test_list_paging(self):
        made = set()
        for i in range(7):
            r = self.srv.post_json(PATH, {"name": "p%d" % i},
                                   token=self.admin)
            made.add(r.json()["id"])
        seen = []
        after = None
        while True:
            q = PATH + "?limit=3" + ("&after=" + after if after else "")
            page = self.srv.get(q, token=self.admin).json()
            self.assertLessEqual(len(page["items"]), 3)
            seen += [t["id"] for t in page["items"]]
            after = page["next"]
            if after is None:
                break
            self.assertEqual(after, page["items"][-1]["id"])
        self.assertEqual(seen, sorted(seen))
        self.assertEqual(set(seen), made | {self.admin_id})
        for bad in ("0", "-1", "101", "x", "", "3.5"):
            with self.subTest(limit=bad):
                r = self.srv.get(PATH + "?limit=" + bad, token=self.admin)
                self.assertProblem(r, 400, "invalid-parameter", "limit")


if __name__ == "__main__":
    loketlib.main()
