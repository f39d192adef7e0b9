#!/usr/bin/env python3
"""Loket's own OpenAPI document against the running server.

GET /api/openapi.json is web/openapi.json with the parts in
web/openapi.d/ merged in at request time; several people write those
parts, so this test holds the merged document to what the server does:

1. The document is well-formed OpenAPI 3.0: every $ref resolves, every
   operation has responses (each with a description), operationIds are
   unique, every {parameter} of a path is declared as a required path
   parameter (and nothing else is), security requirements name declared
   schemes, and every schema translates to valid JSON Schema.
2. The router and the document agree both ways: the /api/v1 routes
   registered in src/api/*.c (route tables and lk_router_add calls, read
   with a regex from $LOKET_SOURCE_DIR) are exactly the described
   path+method pairs; and, asked with a method the document does not
   describe, each described path answers 405 with an Allow header that
   lists exactly the described methods.
3. Every described operation is called with valid requests built from
   realistic data (staff users from `loket user add`, logged-in
   sessions, tokens with the scopes api/events/admin/confidential,
   parties and klantcontacten created through the KI API) and with
   requests that must fail: no credentials (401), a scope that does not
   allow it (403), an unknown and a malformed id (404), a body that is
   not an object, malformed JSON, an unknown member, each required member
   left out (400/422), the wrong media type (415), a body over --max-body
   (413), an unbounded limit (400/422).  A list's limit must declare a
   maximum that the server accepts and one more that it refuses; each
   value of a query parameter's enum must be accepted and another value
   refused.  Lists are paged with limit=1 and their `next` cursor
   followed.  Each GET is also tried with a staff
   session: the operation's security must say whether sessions work.
   Every response's status must be one the document declares for the
   operation, its content type one it declares, and its JSON body must
   validate against the declared schema (kischema.py translates OpenAPI
   3.0 to JSON Schema) and name no member the schema leaves out; every
   4xx under /api/ must be an RFC 9457 problem (application/problem+json,
   type, title, status equal to the HTTP status).
4. A coverage table is printed; the test fails unless every described
   /api/v1 operation got a 2xx and a 4xx (the rest: any answer).

Besides, test_1_parts_do_not_collide reads web/openapi.json and
web/openapi.d/*.json: the server merges them path by path and schema by
schema, the last file winning, so a path in two parts or one schema name
with two meanings silently loses one.

Violations are collected, not raised one by one, so that one run lists
every disagreement with the request that showed it.
"""

import glob
import json
import os
import re
import sys
import tempfile
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from loketlib import (SOURCE_DIR, WEB_DIR, LoketTestCase,  # noqa: E402
                      SSEClient, Server, add_staff_user, create_token,
                      add_category, db_query, db_write, insert_conversation,
                      main)
import kischema  # noqa: E402

METHODS = ("get", "put", "post", "delete", "patch", "options", "head",
           "trace")
PASSWORD = "correct horse battery staple"
KI = "/klantinteracties/api/v1"
# Small, so that a 413 costs little to provoke.
MAX_BODY = 8192
PROBLEM_TYPE = "application/problem+json"

# OpenAPI 3.0 schema keywords (3.1 and JSON Schema only ones are errors).
SCHEMA_KEYS = {
    "title", "multipleOf", "maximum", "exclusiveMaximum", "minimum",
    "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems",
    "minItems", "uniqueItems", "maxProperties", "minProperties", "required",
    "enum", "type", "allOf", "oneOf", "anyOf", "not", "items", "properties",
    "additionalProperties", "description", "format", "default", "nullable",
    "discriminator", "readOnly", "writeOnly", "xml", "externalDocs",
    "example", "deprecated", "$ref"}
SCHEMA_TYPES = {"string", "number", "integer", "boolean", "array", "object"}

ROUTE_RES = (
    # a row of a route table: {"GET", "/api/v1/...", handler ...}
    re.compile(r'\{\s*"([A-Z]+)"\s*,\s*"(/api/v1[^"]*)"'),
    # a call: lk_router_add(r, "GET", "/api/v1/...", ...)
    re.compile(r'lk_router_add\(\s*\w+\s*,\s*"([A-Z]+)"\s*,\s*'
               r'"(/api/v1[^"]*)"'),
)


def shape(path):
    """A path template with its parameter names erased."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def source_routes(src):
    """{(METHOD, path shape): "file:line"} of every /api/v1 route the
    sources register."""
    found = {}
    for f in sorted(glob.glob(os.path.join(src, "src", "api", "*.c")) +
                    glob.glob(os.path.join(src, "src", "api", "*", "*.c"))):
        with open(f, encoding="utf-8") as fh:
            text = fh.read()
        for rx in ROUTE_RES:
            for m in rx.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                found.setdefault((m.group(1), shape(m.group(2))), "%s:%d" % (
                    os.path.relpath(f, src), line))
    return found


def resolve(doc, ref):
    if not ref.startswith("#/"):
        raise KeyError("not a local reference")
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            node = node[int(part)]
        else:
            node = node[part]
    return node


def structure_errors(doc):
    """Everything that keeps `doc` from being well-formed OpenAPI 3.0."""
    errs = []

    def walk(node, where):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                try:
                    resolve(doc, ref)
                except (KeyError, IndexError, ValueError, TypeError):
                    errs.append("%s: $ref %s does not resolve" % (where, ref))
            for k, v in node.items():
                walk(v, where + "/" + str(k).replace("~", "~0").replace(
                    "/", "~1"))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, "%s/%d" % (where, i))

    walk(doc, "#")

    def check_schema(s, where):
        if not isinstance(s, dict):
            errs.append("%s: a schema must be an object" % where)
            return
        if "$ref" in s:
            return
        for k in s:
            if k not in SCHEMA_KEYS and not k.startswith("x-"):
                errs.append("%s: %r is not an OpenAPI 3.0 schema keyword" %
                            (where, k))
        t = s.get("type")
        if t is not None and t not in SCHEMA_TYPES:
            errs.append("%s: type %r is not an OpenAPI 3.0 type (use "
                        "nullable for null)" % (where, t))
        for k in ("properties",):
            for name, sub in (s.get(k) or {}).items():
                check_schema(sub, "%s/%s/%s" % (where, k, name))
        for k in ("items", "not"):
            if k in s:
                check_schema(s[k], "%s/%s" % (where, k))
        if isinstance(s.get("additionalProperties"), dict):
            check_schema(s["additionalProperties"],
                         where + "/additionalProperties")
        for k in ("allOf", "oneOf", "anyOf"):
            for i, sub in enumerate(s.get(k) or []):
                check_schema(sub, "%s/%s/%d" % (where, k, i))
        if t == "array" and "items" not in s:
            errs.append("%s: an array schema needs items" % where)

    if not str(doc.get("openapi", "")).startswith("3.0."):
        errs.append("#/openapi: %r is not 3.0.x" % doc.get("openapi"))
    info = doc.get("info") or {}
    if not info.get("title") or not info.get("version"):
        errs.append("#/info: title and version are required")
    comps = doc.get("components") or {}
    for name, s in (comps.get("schemas") or {}).items():
        check_schema(s, "#/components/schemas/" + name)
    schemes = set((comps.get("securitySchemes") or {}))
    oids = {}

    def check_security(sec, where):
        for req in sec or []:
            for name in req:
                if name not in schemes:
                    errs.append("%s: security scheme %r is not declared" %
                                (where, name))

    check_security(doc.get("security"), "#/security")
    for path, item in (doc.get("paths") or {}).items():
        pw = "#/paths/" + path.replace("~", "~0").replace("/", "~1")
        if not path.startswith("/"):
            errs.append("%s: a path must start with /" % pw)
        for k in item:
            if k not in METHODS and k not in ("parameters", "summary",
                                              "description", "servers",
                                              "$ref") and \
                    not k.startswith("x-"):
                errs.append("%s: %r is not a path item member" % (pw, k))
        names = re.findall(r"\{([^}]*)\}", path)
        shared = item.get("parameters") or []
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            ow = pw + "/" + method
            oid = op.get("operationId")
            if oid is not None:
                if oid in oids:
                    errs.append("%s: operationId %r also used at %s" %
                                (ow, oid, oids[oid]))
                oids[oid] = ow
            rs = op.get("responses")
            if not rs:
                errs.append("%s: no responses" % ow)
            for status, r in (rs or {}).items():
                if not re.match(r"^([1-5]\d\d|[1-5]XX|default)$", str(status)):
                    errs.append("%s/responses/%s: not a status code" %
                                (ow, status))
                try:
                    r = resolve(doc, r["$ref"]) if "$ref" in r else r
                except (KeyError, IndexError):
                    continue
                if not r.get("description"):
                    errs.append("%s/responses/%s: description is required" %
                                (ow, status))
                for ct, media in (r.get("content") or {}).items():
                    if "schema" in media:
                        check_schema(media["schema"], "%s/responses/%s/"
                                     "content/%s/schema" % (ow, status, ct))
            check_security(op.get("security"), ow + "/security")
            rb = op.get("requestBody")
            if rb is not None and "$ref" not in rb and not rb.get("content"):
                errs.append("%s/requestBody: content is required" % ow)
            for ct, media in ((rb or {}).get("content") or {}).items():
                if "schema" in media:
                    check_schema(media["schema"], "%s/requestBody/content/"
                                 "%s/schema" % (ow, ct))
            params = {}
            for i, p in enumerate(shared + (op.get("parameters") or [])):
                try:
                    p = resolve(doc, p["$ref"]) if "$ref" in p else p
                except (KeyError, IndexError):
                    continue
                if "name" not in p or p.get("in") not in (
                        "path", "query", "header", "cookie"):
                    errs.append("%s: parameter %d needs name and in" %
                                (ow, i))
                    continue
                if ("schema" in p) == ("content" in p):
                    errs.append("%s: parameter %s needs schema or content "
                                "(one)" % (ow, p["name"]))
                if "schema" in p:
                    check_schema(p["schema"], "%s/parameters/%s" %
                                 (ow, p["name"]))
                # Operation parameters override path ones of the same key.
                params[(p["in"], p["name"])] = p
            for n in names:
                p = params.get(("path", n))
                if p is None:
                    errs.append("%s: path parameter {%s} is not declared" %
                                (ow, n))
                elif p.get("required") is not True:
                    errs.append("%s: path parameter %s must be required: "
                                "true" % (ow, n))
            for (where_, n) in params:
                if where_ == "path" and n not in names:
                    errs.append("%s: path parameter %s is not in the path" %
                                (ow, n))
    return errs


class Call:
    """One request and its response, for messages."""

    def __init__(self, method, url, body, resp):
        self.method, self.url, self.body, self.resp = method, url, body, resp

    def __str__(self):
        req = "%s %s" % (self.method, self.url)
        if self.body is not None:
            req += " " + (self.body if isinstance(self.body, str)
                          else json.dumps(self.body))[:300]
        text = self.resp.body.decode("utf-8", "replace")[:400]
        if not self.resp.content_type.startswith(("application/json",
                                                  PROBLEM_TYPE)):
            text = text[:60].replace("\n", " ") + "..."
        return "%s -> %d %s %s" % (req, self.resp.status,
                                   self.resp.content_type, text)


class OpenAPIConformance(LoketTestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="loket-openapi-")
        cls.data = os.path.join(cls.tmp.name, "data")
        cls.srv = Server(cls.data, max_body=MAX_BODY)
        cls.srv.start()
        cls.raw_doc = None
        r = cls.srv.get("/api/openapi.json")
        if r.status == 200:
            cls.raw_doc = r.json()
            path = os.path.join(cls.tmp.name, "openapi.json")
            with open(path, "w") as f:
                json.dump(cls.raw_doc, f)
            cls.doc = kischema.Document(path)
        cls.openapi_response = r

    @classmethod
    def tearDownClass(cls):
        try:
            cls.srv.cleanup()
        finally:
            cls.tmp.cleanup()

    def setUp(self):
        self.assertEqual(self.openapi_response.status, 200,
                         self.openapi_response)

    # -- 1 --

    def test_1_document_is_well_formed(self):
        r = self.openapi_response
        self.assertTrue(r.content_type.startswith("application/json"), r)
        errs = structure_errors(self.raw_doc)
        if not errs:
            try:
                self.doc.check_translation()
            except Exception as e:  # jsonschema.SchemaError and friends
                errs.append("a schema is not valid JSON Schema once "
                            "translated: %s" % str(e)[:400])
        self.assertEqual(errs, [], "\n  " + "\n  ".join(errs))

    def test_1_parts_do_not_collide(self):
        """The server merges the parts path by path and component by
        component, the last file winning: two parts describing the same
        path, or two different schemas under one name, silently lose
        one of them."""
        files = [os.path.join(WEB_DIR, "openapi.json")] + sorted(
            glob.glob(os.path.join(WEB_DIR, "openapi.d", "*.json")))
        owner = {}
        errs = []
        for f in files:
            with open(f, encoding="utf-8") as fh:
                part = json.load(fh)
            name = os.path.relpath(f, WEB_DIR)
            keys = [("paths", k, v) for k, v in
                    (part.get("paths") or {}).items()]
            for sec, objs in (part.get("components") or {}).items():
                keys += [("components/" + sec, k, v)
                         for k, v in objs.items()]
            for area, k, v in keys:
                have = owner.get((area, k))
                if have is not None and (area == "paths" or have[1] != v):
                    errs.append("%s %s is in both %s and %s%s" % (
                        area, k, have[0], name, "" if area == "paths" else
                        " (differently)"))
                owner[(area, k)] = (name, v)
        self.assertEqual(errs, [], "\n  " + "\n  ".join(errs))

    # -- 2 --

    def test_2_router_and_document_agree(self):
        routes = source_routes(SOURCE_DIR)
        self.assertGreater(len(routes), 10, "found no route tables in %s" %
                           SOURCE_DIR)
        described = {}
        for path, item in self.raw_doc["paths"].items():
            if not path.startswith("/api/v1/"):
                continue
            for m in METHODS:
                if m in item:
                    described[(m.upper(), shape(path))] = path
        undescribed = sorted(set(routes) - set(described))
        missing = sorted(set(described) - set(routes))
        lines = ["router answers %s %s (%s) but the document does not "
                 "describe it" % (m, p, routes[(m, p)])
                 for m, p in undescribed]
        lines += ["the document describes %s %s but no route exists" %
                  (m, described[(m, p)]) for m, p in missing]
        for line in lines:
            print("  " + line, file=sys.stderr)
        # The regex must see real routes: each one, asked without
        # credentials, gets past the router (no 404 "no resource at this
        # path", no 405) to its handler's refusal.
        for m, p in sorted(routes):
            url = p.replace("{}", str(uuid.uuid4()))
            r = self.srv.request(m, url)
            if r.status == 405 or (r.status == 404 and "no resource" in (
                    r.text or "")):
                lines.append("%s %s (%s) is in the sources but the server "
                             "does not route it: %d" % (m, p, routes[(m, p)],
                                                        r.status))
        # And from the outside: a method the document does not describe
        # gets 405, whose Allow lists exactly the described methods.
        for path, item in sorted(self.raw_doc["paths"].items()):
            if not path.startswith("/api/v1/"):
                continue
            have = {m.upper() for m in METHODS if m in item}
            spare = [m for m in ("PATCH", "PUT", "DELETE", "POST", "GET")
                     if m not in have]
            if not spare:
                continue
            url = re.sub(r"\{[^}]*\}", str(uuid.uuid4()), path)
            r = self.srv.request(spare[0], url)
            allow = {a.strip() for a in (r.header("Allow") or "").split(",")
                     if a.strip()} - {"HEAD", "OPTIONS"}
            if r.status != 405 or allow != have or not (
                    r.content_type or "").startswith(PROBLEM_TYPE):
                lines.append("%s %s -> %d Allow %r, but the document "
                             "describes %s" % (spare[0], path, r.status,
                                               r.header("Allow"),
                                               ", ".join(sorted(have))))
                print("  " + lines[-1], file=sys.stderr)
        self.assertEqual(lines, [], "\n  " + "\n  ".join(lines))

    # -- 3 and 4 --

    def test_3_every_operation(self):
        self.failures = []
        self.validated = 0
        self.coverage = {}
        self.ops = {}
        for oid, op in self.doc.ops.items():
            self.ops[(op["method"], op["path"])] = oid
            self.coverage[oid] = set()
        try:
            self.scenario()
        finally:
            self.report()

    def fail_op(self, oid, status, msg, call):
        self.failures.append("%s [%s]: %s\n      %s" % (oid, status, msg,
                                                        call))

    def call(self, method, template, params=None, query=None, body=None,
             token=None, headers=None, expect=None, raw_body=None,
             check_request=True, data=None):
        """Sends one request for the operation (method, template), checks
        the response against the document, records coverage and returns
        the Response (its .json() when it is JSON via .obj)."""
        oid = self.ops.get((method, template))
        path = template
        for k, v in (params or {}).items():
            path = path.replace("{%s}" % k, urllib.parse.quote(str(v), ""))
        url = path + ("?" + urllib.parse.urlencode(query) if query else "")
        hdrs = dict(headers or {})
        if token is not None:
            hdrs["Authorization"] = "Bearer " + token
        if data is not None:
            pass
        elif raw_body is not None:
            data = raw_body.encode()
            hdrs.setdefault("Content-Type", "application/json")
        elif body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        r = self.srv.request(method, url, body=data, headers=hdrs)
        c = Call(method, url, raw_body if raw_body is not None else body, r)
        r.obj = None
        if r.body and "json" in (r.content_type or ""):
            try:
                r.obj = r.json()
            except ValueError:
                pass
        if oid is None:
            self.failures.append("undescribed operation %s %s: %s" %
                                 (method, template, c))
            return r
        self.coverage[oid].add(r.status)
        op = self.doc.operation(oid)
        # The test's own requests must be what the document describes.
        if check_request:
            declared = {(p["in"], p["name"]) for p in op["parameters"]}
            for q in query or {}:
                if ("query", q) not in declared:
                    self.fail_op(oid, "-", "test sends undeclared query "
                                 "parameter %s" % q, c)
            if body is not None:
                s = self.doc.request_schema(oid)
                if s is None:
                    self.fail_op(oid, "-", "test sends a body the document "
                                 "does not describe", c)
                else:
                    errs = self.doc.schema_errors(
                        body, s, "patch" if method == "PATCH" else "request")
                    for e in errs:
                        self.fail_op(oid, "-", "test's request body: " + e, c)
        if expect is not None and r.status not in (
                expect if isinstance(expect, tuple) else (expect,)):
            self.fail_op(oid, r.status, "expected %s" % (expect,), c)
        self.check_response(oid, r, c)
        return r

    def check_response(self, oid, r, c):
        responses = self.doc.operation(oid)["responses"]
        status = str(r.status)
        key = next((k for k in (status, status[0] + "XX", "default")
                    if k in responses), None)
        if r.status >= 400 and c.url.startswith("/api/"):
            if not (r.content_type or "").startswith(PROBLEM_TYPE):
                self.fail_op(oid, status, "a %s must be %s, got %r" % (
                    status, PROBLEM_TYPE, r.content_type), c)
            if r.obj is None:
                self.fail_op(oid, status, "no JSON problem body", c)
            else:
                try:
                    errs = self.doc.schema_errors(r.obj,
                                                  kischema.PROBLEM_SCHEMA)
                except Exception as e:
                    errs = [str(e)]
                if isinstance(r.obj, dict) and r.obj.get("status") != r.status:
                    errs.append("at /status: %r is not the HTTP status" %
                                r.obj.get("status"))
                for e in errs:
                    self.fail_op(oid, status, "not an RFC 9457 problem: " +
                                 e, c)
        if key is None:
            self.fail_op(oid, status, "the document declares no %s response "
                         "(declares %s)" % (status, ", ".join(
                             sorted(responses))), c)
            return
        resp = responses[key]
        if r.status < 300:
            for name in resp.get("headers") or {}:
                if r.header(name) is None:
                    self.fail_op(oid, status, "declared header %s is "
                                 "missing" % name, c)
        content = resp.get("content") or {}
        if not content:
            if r.body and r.status != 304:
                self.fail_op(oid, status, "the document declares no body",
                             c)
            return
        ctype = (r.content_type or "").split(";")[0].strip().lower()
        for key in (ctype, ctype.split("/")[0] + "/*", "*/*"):
            if key in content:
                ctype = key
                break
        if ctype not in content:
            self.fail_op(oid, status, "content type %r is not declared (%s)"
                         % (ctype, ", ".join(content)), c)
            return
        schema = content[ctype].get("schema")
        if schema is None or "json" not in ctype:
            return
        if r.obj is None:
            self.fail_op(oid, status, "body is not JSON", c)
            return
        self.validated += 1
        for e in self.doc.schema_errors(r.obj, schema, "response"):
            self.fail_op(oid, status, e, c)
        # OpenAPI allows members a schema does not name, but a document
        # that leaves out what the server sends is not describing it.
        for where in self.undescribed(schema, r.obj, ""):
            self.fail_op(oid, status, "at %s: member not described by the "
                         "document" % where, c)

    def undescribed(self, schema, inst, where, seen=0):
        """JSON Pointers of object members in `inst` that `schema` does not
        describe (where it does not allow additionalProperties)."""
        if seen > 40 or not isinstance(schema, dict):
            return []
        s = self.doc.deref(schema)
        out = []
        if isinstance(inst, list):
            items = s.get("items")
            for i, v in enumerate(inst):
                out += self.undescribed(items, v, "%s/%d" % (where, i),
                                        seen + 1)
            for sub in s.get("allOf", []):
                out += self.undescribed(sub, inst, where, seen + 1)
            return out
        if not isinstance(inst, dict):
            return []
        props = {}
        extra = s.get("additionalProperties")
        branches = [s]
        while branches:
            b = self.doc.deref(branches.pop())
            props.update(b.get("properties") or {})
            if b.get("additionalProperties") not in (None, False):
                extra = b["additionalProperties"]
            branches += b.get("allOf", []) + b.get("anyOf", []) + \
                b.get("oneOf", [])
            disc = b.get("discriminator")
            ref = (disc or {}).get("mapping", {}).get(
                inst.get((disc or {}).get("propertyName")))
            if ref:
                branches.append({"$ref": ref})
        for k, v in inst.items():
            if k in props:
                out += self.undescribed(props[k], v, where + "/" + k,
                                        seen + 1)
            elif isinstance(extra, dict):
                out += self.undescribed(extra, v, where + "/" + k, seen + 1)
            elif extra is not True and props:
                # (an object schema without properties is a free object)
                out.append(where + "/" + k)
        return out

    def report(self):
        rows = []
        missing = []
        for oid in sorted(self.coverage, key=lambda o: (
                self.doc.ops[o]["path"], self.doc.ops[o]["method"])):
            op = self.doc.ops[oid]
            got = sorted(self.coverage[oid])
            ok2 = any(200 <= s < 400 for s in got)
            # Outside /api/v1 (probes, the document) no 4xx is needed.
            ok4 = any(400 <= s < 500 for s in got) or not op[
                "path"].startswith("/api/v1/")
            rows.append("%-7s %-46s %-28s %s" % (
                op["method"], op["path"], " ".join(map(str, got)) or "-",
                "ok" if ok2 and ok4 else "MISSING " + (
                    "" if ok2 else "2xx ") + ("" if ok4 else "4xx")))
            if not (ok2 and ok4):
                missing.append("%s %s: not exercised with %s" % (
                    op["method"], op["path"], "a 2xx and a 4xx" if not (
                        ok2 or ok4) else ("a 2xx" if not ok2 else "a 4xx")))
        print("\n%d response bodies validated" % self.validated,
              file=sys.stderr)
        print("\nOpenAPI coverage (%d operations)\n%-7s %-46s %-28s %s\n%s" %
              (len(rows), "METHOD", "PATH", "STATUSES SEEN", "", "\n".join(
                  rows)), file=sys.stderr)
        problems = missing + self.failures
        self.assertEqual(problems, [], "%d problem(s):\n  %s" % (
            len(problems), "\n  ".join(problems)))

    # -- the scenario --

    def unknown(self, real):
        """An id of the same shape as `real` that names nothing."""
        return real[:-8] + "0000000f"

    def minimal(self, method, template, body, token, **kw):
        """Sends `body` cut down to the members the document requires;
        when the document says that is a valid request, it must succeed.
        `body` must be a full, valid request with fresh values."""
        oid = self.ops.get((method, template))
        schema = self.doc.request_schema(oid) if oid else None
        req = self.doc.deref(schema or {}).get("required") or []
        less = {k: v for k, v in body.items() if k in req}
        if schema is None or self.doc.schema_errors(less, schema,
                                                    "request"):
            return None
        return self.call(method, template, body=less, token=token,
                         expect=(200, 201), **kw)

    def schemes(self, oid):
        """The security schemes that let a caller in to `oid`."""
        if oid is None:
            return set()
        return {name for req in self.doc.operation(oid)["security"] or []
                for name in req}

    def param_keys(self, method, template):
        oid = self.ops.get((method, template))
        if oid is None:
            return set()
        return {(p["in"], p["name"])
                for p in self.doc.operation(oid)["parameters"]}

    def body_failures(self, method, template, params, body, token=None,
                      headers=None):
        """Bodies the server must refuse, each with a declared status."""
        kw = {"token": token, "headers": dict(headers or {})}
        self.call(method, template, params, raw_body="[1]",
                  expect=(400, 422), **kw)
        self.call(method, template, params, raw_body='{"a": ',
                  expect=400, **kw)
        self.call(method, template, params, body=dict(
            body, unknownMember=1), expect=(400, 422),
            check_request=False, **kw)
        self.call(method, template, params, raw_body=json.dumps(body),
                  token=token, headers=dict(kw["headers"], **{
                      "Content-Type": "text/plain"}), expect=415)
        self.call(method, template, params, raw_body=json.dumps(dict(
            body, padding="x" * MAX_BODY)), expect=413, **kw)
        # What the document calls required, the server must insist on.
        oid = self.ops.get((method, template))
        schema = self.doc.request_schema(oid) if oid else None
        for name in (self.doc.deref(schema or {}).get("required") or
                     []) if method != "PATCH" else []:
            if name in body:
                less = {k: v for k, v in body.items() if k != name}
                self.call(method, template, params, body=less,
                          expect=(400, 422), check_request=False, **kw)

    def generic_failures(self, method, template, params=None, body=None,
                         scoped=None, unknown_param="id", list_query=None):
        """The 4xx every operation must describe: no credentials (401), a
        token whose scope does not allow it (403), an unknown id (404) and
        a body that is not an object (400/422)."""
        self.call(method, template, params, body=body, expect=401)
        if method == "GET":
            # Staff sessions: does the document say what the server does?
            oid = self.ops.get((method, template))
            r = self.call(method, template, params,
                          headers=self.admin_session)
            said = "session" in self.schemes(oid)
            if oid is not None and (r.status != 401) != said:
                self.fail_op(oid, r.status, "the server %s a staff session "
                             "but the operation's security %s" % (
                                 "accepts" if r.status != 401 else "refuses",
                             "lists it" if said else "does not list it"),
                             "GET %s with an admin's session cookie" %
                             template)
        self.call(method, template, params, body=body,
                  token=scoped or self.tok_events, expect=403)
        if params and unknown_param in params:
            p = dict(params)
            p[unknown_param] = self.unknown(p[unknown_param])
            self.call(method, template, p, body=body, token=self.admin,
                      expect=404)
        if body is not None:
            self.body_failures(method, template, params, body,
                               token=self.admin)
        elif ("query", "limit") in self.param_keys(method, template):
            # A list: its limit is bounded, and its cursor leads on.
            q = dict(list_query or {})
            # Each value a query parameter's enum lists is accepted, and
            # a value it does not list is refused.
            oid = self.ops[(method, template)]
            for prm in self.doc.query_params(oid):
                ps = self.doc.param_schema(prm)
                enum = ps.get("enum") or self.doc.deref(
                    ps.get("items") or {}).get("enum")
                if not enum or prm["name"] in q:
                    continue
                for v in enum:
                    self.call(method, template, params, query=dict(
                        q, **{prm["name"]: v}), token=self.admin,
                        expect=200)
                self.call(method, template, params, query=dict(
                    q, **{prm["name"]: "no-such-value"}), token=self.admin,
                    expect=(400, 422))
            self.call(method, template, params, query=dict(q, limit=100000),
                      token=self.admin, expect=(400, 422))
            self.call(method, template, params, query=dict(q, limit="x"),
                      token=self.admin, expect=(400, 422))
            # The document's maximum is the server's.
            lim = next(self.doc.param_schema(x) for x in
                       self.doc.query_params(oid) if x["name"] == "limit")
            if "maximum" not in lim:
                self.fail_op(oid, "-", "the limit parameter declares no "
                             "maximum", "%s %s" % (method, template))
            else:
                top = int(lim["maximum"])
                self.call(method, template, params, query=dict(
                    q, limit=top), token=self.admin, expect=200)
                self.call(method, template, params, query=dict(
                    q, limit=top + 1), token=self.admin, expect=(400, 422))
            r = self.call(method, template, params, query=dict(q, limit=1),
                          token=self.admin, expect=200)
            obj = r.obj if isinstance(r.obj, dict) else {}
            # `next`, or `messagesNext` for the messages of one item.
            nxt = obj.get("next") or next((v for k, v in obj.items()
                                           if k.endswith("Next") and v),
                                          None)
            keys = self.param_keys(method, template)
            cursor = "cursor" if ("query", "cursor") in keys else "after"
            if nxt:
                self.call(method, template, params, query=dict(
                    q, limit=1, **{cursor: nxt}), token=self.admin,
                    expect=200)
            elif r.status == 200:
                self.fail_op(self.ops[(method, template)], 200, "no next "
                             "cursor to follow (the test should make more "
                             "than one item)", Call(method, template, None,
                                                    r))
        if params and unknown_param in params:
            p = dict(params)
            p[unknown_param] = "not an id"
            self.call(method, template, p, body=body, token=self.admin,
                      expect=(400, 404, 422))

    def scenario(self):
        data = self.data
        srv = self.srv
        _, self.admin = create_token(data, "oa-admin", "api admin")
        _, self.api = create_token(data, "oa-api", "api")
        _, self.conf = create_token(data, "oa-conf", "api confidential")
        _, self.tok_events = create_token(data, "oa-events", "events")
        sup_id = add_staff_user(data, "sup@loket.example", "supervisor",
                                "Sanne Supervisor")
        agent_uid = add_staff_user(data, "agent@loket.example", "agent",
                                   "Ali Agent")

        add_staff_user(data, "admin@loket.example", "admin", "Ada Admin")
        r = srv.post_json("/api/v1/session", {"email": "admin@loket.example",
                                              "password": PASSWORD})
        self.assertEqual(r.status, 201, r)
        self.admin_session = {
            "Cookie": (r.header("Set-Cookie") or "").split(";")[0],
            "X-CSRF-Token": r.json().get("csrfToken", "")}

        # Not /api/v1 but described: the probes and the document itself.
        for p in ("/healthz", "/readyz", "/metrics"):
            if ("GET", p) in self.ops:
                self.call("GET", p, expect=200)
        if ("GET", "/api/openapi.json") in self.ops:
            r = self.call("GET", "/api/openapi.json", expect=200)
            self.call("GET", "/api/openapi.json", expect=304, headers={
                "If-None-Match": r.header("ETag") or ""})
        if ("GET", "/static/{path}") in self.ops:
            self.call("GET", "/static/{path}", {"path": "favicon.svg"},
                      expect=200)
            self.call("GET", "/static/{path}", {"path": "no-such-file.css"},
                      expect=404)
        if ("GET", "/assets/{file}") in self.ops:
            # A built bundle (npm run build) has its files in the manifest.
            manifest = os.path.join(WEB_DIR, "dist", "manifest.json")
            if os.path.exists(manifest):
                with open(manifest) as f:
                    css = json.load(f)["assets"]["loket.css"]
                self.call("GET", "/assets/{file}", {"file": css}, expect=200)
            self.call("GET", "/assets/{file}", {"file": "nope-AAAAAAAA.css"},
                      expect=404)

        # --- session ---
        S = "/api/v1/session"
        r = self.call("POST", S, body={"email": "sup@loket.example",
                                       "password": PASSWORD}, expect=201)
        cookie = (r.header("Set-Cookie") or "").split(";")[0]
        csrf = (r.obj or {}).get("csrfToken", "")
        sess = {"Cookie": cookie}
        sess_w = {"Cookie": cookie, "X-CSRF-Token": csrf}
        self.call("POST", S, body={"email": "sup@loket.example",
                                   "password": "wrong " + PASSWORD},
                  expect=401)
        self.body_failures("POST", S, None, {"email": "sup@loket.example",
                                             "password": PASSWORD})
        self.call("GET", S, headers=sess, expect=200)
        self.call("GET", S, expect=401)
        self.call("POST", S + "/password", headers=sess, body={
            "currentPassword": PASSWORD, "newPassword": PASSWORD + " 3"},
            expect=403)
        self.call("POST", S + "/password", body={
            "currentPassword": PASSWORD, "newPassword": PASSWORD + " 3"},
            expect=401)
        self.body_failures("POST", S + "/password", None, {
            "currentPassword": PASSWORD, "newPassword": PASSWORD + " 4"},
            headers=sess_w)
        self.call("DELETE", S, headers=sess, expect=403)
        # A new password ends every session and starts a new one.
        r = self.call("POST", S + "/password", headers=sess_w, body={
            "currentPassword": PASSWORD, "newPassword": PASSWORD + " 2"},
            expect=200)
        cookie = (r.header("Set-Cookie") or "").split(";")[0]
        sess_w = {"Cookie": cookie,
                  "X-CSRF-Token": (r.obj or {}).get("csrfToken", "")}
        self.call("DELETE", S, headers=sess_w, expect=204)
        self.call("DELETE", S, headers=sess_w, expect=401)

        # --- users (bearer admin) ---
        U = "/api/v1/users"
        self.call("GET", U, token=self.admin, query={"limit": 2},
                  expect=200)
        self.generic_failures("GET", U, scoped=self.api)
        r = self.call("POST", U, token=self.admin, body={
            "email": "nieuw@loket.example", "displayName": "Noor Nieuw",
            "role": "agent", "password": PASSWORD}, expect=201)
        new_uid = (r.obj or {}).get("id", agent_uid)
        # Only what the document requires is enough.
        self.minimal("POST", U, {
            "email": "minimaal@loket.example", "displayName": "Mini Maal",
            "role": "agent", "password": PASSWORD}, self.admin)
        self.call("POST", U, token=self.admin, body={
            "email": "nieuw@loket.example", "displayName": "Noor Nieuw",
            "role": "agent", "password": PASSWORD}, expect=409)
        self.generic_failures("POST", U, body={
            "email": "x@loket.example", "role": "agent",
            "password": PASSWORD}, scoped=self.api)
        self.call("GET", U + "/{id}", {"id": new_uid}, token=self.admin,
                  expect=200)
        self.generic_failures("GET", U + "/{id}", {"id": new_uid},
                              scoped=self.api)
        self.call("PATCH", U + "/{id}", {"id": new_uid}, token=self.admin,
                  body={"displayName": "Noor de Nieuw"}, expect=200)
        self.generic_failures("PATCH", U + "/{id}", {"id": new_uid},
                              body={"disabled": True}, scoped=self.api)

        # --- tokens ---
        T = "/api/v1/tokens"
        self.call("GET", T, token=self.admin, query={"limit": 2},
                  expect=200)
        self.generic_failures("GET", T, scoped=self.api)
        r = self.call("POST", T, token=self.admin, body={
            "name": "koppeling", "scopes": ["api"]}, expect=201)
        tok = (r.obj or {}).get("id", "tok_0000000000000000")
        self.minimal("POST", T, {"name": "minimaal", "scopes": ["api"]},
                     self.admin)
        self.generic_failures("POST", T, body={"name": "x"},
                              scoped=self.api)
        self.call("GET", T + "/{id}", {"id": tok}, token=self.admin,
                  expect=200)
        self.generic_failures("GET", T + "/{id}", {"id": tok},
                              scoped=self.api)
        self.generic_failures("DELETE", T + "/{id}", {"id": tok},
                              scoped=self.api)
        self.call("DELETE", T + "/{id}", {"id": tok}, token=self.admin,
                  expect=204)

        # --- events ---
        if ("GET", "/api/v1/events") in self.ops:
            oid = self.ops[("GET", "/api/v1/events")]
            sse = SSEClient(srv, token=self.tok_events)
            try:
                self.coverage[oid].add(sse.status)
                resp = sse.response
                resp.obj = None
                c = Call("GET", "/api/v1/events", None, resp)
                if sse.status != 200:
                    self.fail_op(oid, sse.status, "expected 200", c)
                self.check_response(oid, resp, c)
            finally:
                sse.close()
            sse = SSEClient(srv, extra_headers=self.admin_session)
            try:
                said = "session" in self.schemes(oid)
                if (sse.status != 401) != said:
                    self.fail_op(oid, sse.status, "the server %s a staff "
                                 "session but the operation's security %s"
                                 % ("accepts" if sse.status != 401 else
                                    "refuses", "lists it" if said else
                                    "does not list it"),
                                 "GET /api/v1/events with an admin's "
                                 "session cookie")
            finally:
                sse.close()
            self.call("GET", "/api/v1/events", expect=401)
            self.call("GET", "/api/v1/events", token=self.tok_events,
                      query={"lastEventId": "x"}, expect=400)
            self.call("GET", "/api/v1/events", token=self.tok_events,
                      headers={"Last-Event-ID": "-1"}, expect=400)
            self.call("GET", "/api/v1/events", token=self.api, expect=403)

        # --- parties, made through the KI API ---
        def partij(first, last):
            r = srv.request("POST", KI + "/partijen", json_body={
                "soortPartij": "persoon", "indicatieActief": True,
                "partijIdentificatie": {"contactnaam": {
                    "voornaam": first, "achternaam": last}}},
                headers={"Authorization": "Token " + self.admin})
            self.assertEqual(r.status, 201, r)
            return r.json()["uuid"]

        def klantcontact(party, subject):
            hdr = {"Authorization": "Token " + self.api}
            r = srv.request("POST", KI + "/klantcontacten", json_body={
                "kanaal": "telefoon", "onderwerp": subject, "taal": "nld",
                "vertrouwelijk": False,
                "inhoud": "Wanneer kan ik mijn paspoort ophalen?",
                "plaatsgevondenOp": "2026-05-01T10:00:00Z"}, headers=hdr)
            self.assertEqual(r.status, 201, r)
            kc = r.json()["uuid"]
            r = srv.request("POST", KI + "/betrokkenen", json_body={
                "hadKlantcontact": {"uuid": kc}, "wasPartij": {"uuid": party},
                "rol": "klant", "initiator": True}, headers=hdr)
            self.assertEqual(r.status, 201, r)
            return kc

        p1 = partij("Jan", "Jansen")
        p2 = partij("Jan", "Janssen")
        p3 = partij("Piet", "Pietersen")
        contact = klantcontact(p1, "Paspoort aanvragen")
        klantcontact(p1, "Verhuizing doorgeven")

        P = "/api/v1/parties"
        self.call("GET", P, token=self.api, query={"name": "Jan",
                                                   "limit": 10}, expect=200)
        self.call("GET", P, token=self.api, query={"limit": 0},
                  expect=(400, 422))
        self.generic_failures("GET", P, scoped=self.tok_events,
                              list_query={"name": "Jan"})
        self.call("GET", P + "/{id}", {"id": p1}, token=self.api,
                  expect=200)
        self.generic_failures("GET", P + "/{id}", {"id": p1})
        self.call("GET", P + "/{id}/timeline", {"id": p1}, token=self.api,
                  query={"limit": 5}, expect=200)
        self.generic_failures("GET", P + "/{id}/timeline", {"id": p1})
        self.call("POST", P + "/{id}/reveal", {"id": p1}, token=self.api,
                  body={"field": "bsn", "reason": "Balie"}, expect=200)
        self.call("POST", P + "/{id}/reveal", {"id": p1}, token=self.api,
                  body={"field": "bsn"}, expect=422, check_request=False)
        self.generic_failures("POST", P + "/{id}/reveal", {"id": p1},
                              body={"field": "bsn", "reason": "Balie"},
                              scoped=self.tok_events)
        self.call("GET", "/api/v1/processing-log", token=self.admin,
                  query={"partyId": p1, "limit": 5}, expect=200)
        self.generic_failures("GET", "/api/v1/processing-log",
                              list_query={"partyId": p1},
                              scoped=self.api)

        # --- teams and agents ---
        A = "/api/v1/agents"
        TM = "/api/v1/teams"
        r = self.call("POST", TM, token=self.admin, body={
            "name": "Burgerzaken", "active": True}, expect=201)
        team = (r.obj or {}).get("id", str(uuid.uuid4()))
        self.minimal("POST", TM, {"name": "Minimaal", "active": True},
                     self.admin)
        self.generic_failures("POST", TM, body={"name": "X"},
                              scoped=self.api)
        self.call("GET", TM, token=self.api, query={"limit": 5},
                  expect=200)
        self.generic_failures("GET", TM)
        self.call("GET", TM + "/{id}", {"id": team}, token=self.api,
                  expect=200)
        self.generic_failures("GET", TM + "/{id}", {"id": team})
        self.call("PATCH", TM + "/{id}", {"id": team}, token=self.admin,
                  body={"name": "Burgerzaken en Belastingen"}, expect=200)
        self.generic_failures("PATCH", TM + "/{id}", {"id": team},
                              body={"active": True}, scoped=self.api)
        r = self.call("POST", A, token=self.admin, body={
            "userId": agent_uid, "name": "Ali Agent", "capacity": 3,
            "teamIds": [team]}, expect=201)
        agent = (r.obj or {}).get("id", str(uuid.uuid4()))
        r = self.call("POST", A, token=self.admin, body={
            "userId": sup_id, "name": "Sanne Supervisor"}, expect=201)
        sup_agent = (r.obj or {}).get("id", str(uuid.uuid4()))
        self.call("POST", A, token=self.admin, body={
            "userId": agent_uid}, expect=409)
        self.generic_failures("POST", A, body={"userId": new_uid},
                              scoped=self.api)
        self.call("GET", A, token=self.api, query={"limit": 5},
                  expect=200)
        self.generic_failures("GET", A)
        self.call("GET", A + "/{id}", {"id": agent}, token=self.api,
                  expect=200)
        self.generic_failures("GET", A + "/{id}", {"id": agent})
        self.call("PATCH", A + "/{id}", {"id": agent}, token=self.admin,
                  body={"capacity": 4}, expect=200)
        self.generic_failures("PATCH", A + "/{id}", {"id": agent},
                              body={"capacity": 5}, scoped=self.api)
        self.call("PUT", A + "/{id}/presence", {"id": agent},
                  token=self.admin, body={"presence": "available"},
                  expect=200)
        self.call("PUT", A + "/{id}/presence", {"id": agent},
                  token=self.admin, body={"presence": "on the moon"},
                  expect=422, check_request=False)
        self.generic_failures("PUT", A + "/{id}/presence", {"id": agent},
                              body={"presence": "away"}, scoped=self.api)
        M = TM + "/{id}/members/{agentId}"
        self.call("PUT", M, {"id": team, "agentId": sup_agent},
                  token=self.admin, expect=204)
        self.generic_failures("PUT", M, {"id": team, "agentId": sup_agent},
                              scoped=self.api)
        self.generic_failures("PUT", M, {"id": team, "agentId": sup_agent},
                              scoped=self.api, unknown_param="agentId")
        self.call("DELETE", M, {"id": team, "agentId": sup_agent},
                  token=self.admin, expect=204)
        self.generic_failures("DELETE", M, {"id": team,
                                            "agentId": sup_agent},
                              scoped=self.api)

        # --- assignment of a conversation (written as its area would) ---
        conv = insert_conversation(data, team_id=team, party_id=p3)
        conv2 = insert_conversation(data, team_id=team, party_id=p3)
        C = "/api/v1/conversations/{id}"
        self.call("POST", C + "/assignment", {"id": conv}, token=self.admin,
                  body={"assigneeId": agent, "teamId": team}, expect=200)
        self.call("POST", C + "/assignment", {"id": conv}, token=self.admin,
                  body={"assigneeId": agent, "version": 1}, expect=409)
        self.generic_failures("POST", C + "/assignment", {"id": conv},
                              body={"assigneeId": agent})
        # Confidential: unknown to a caller without the scope (admin
        # implies every scope).
        secret = insert_conversation(data, team_id=team, confidential=1)
        self.call("POST", C + "/assignment", {"id": secret},
                  token=self.api, body={"assigneeId": agent}, expect=404)
        self.call("POST", C + "/assignment", {"id": secret},
                  token=self.conf, body={"assigneeId": sup_agent}, expect=200)
        self.call("POST", C + "/claim", {"id": conv2}, token=self.admin,
                  body={"agentId": agent}, expect=200)
        self.call("POST", C + "/claim", {"id": conv2}, token=self.admin,
                  body={"agentId": sup_agent}, expect=409)
        self.generic_failures("POST", C + "/claim", {"id": conv2},
                              body={"agentId": agent})

        # --- tasks ---
        K = "/api/v1/tasks"
        r = self.call("POST", K, token=self.api, body={
            "contactId": contact, "kind": "callback",
            "action": "Mevrouw terugbellen over haar aanvraag",
            "explanation": "Na 14:00 bereikbaar",
            "assigneeIds": [agent]}, expect=201)
        task = (r.obj or {}).get("id", str(uuid.uuid4()))
        self.call("POST", K, token=self.api, body={
            "conversationId": conv, "action": "Bellen"}, expect=422)
        self.call("POST", K, token=self.api, body={
            "action": "Bellen"}, expect=422, check_request=False)
        self.call("POST", K, token=self.api, body={
            "contactId": contact, "conversationId": conv,
            "action": "Bellen"}, expect=422, check_request=False)
        self.call("POST", K, token=self.api, body={
            "contactId": contact, "action": "Terugbellen"}, expect=201)
        self.generic_failures("POST", K, body={"action": "Bellen",
                                               "contactId": contact})
        self.call("GET", K, token=self.api, query={
            "status": "te_verwerken", "contactId": contact, "limit": 5},
            expect=200)
        self.call("GET", K, token=self.api, query={"status": "klaar"},
                  expect=(400, 422))
        self.generic_failures("GET", K)
        self.call("GET", K + "/{id}", {"id": task}, token=self.api,
                  expect=200)
        self.generic_failures("GET", K + "/{id}", {"id": task})
        self.call("PATCH", K + "/{id}", {"id": task}, token=self.api,
                  body={"status": "verwerkt"}, expect=200)
        self.generic_failures("PATCH", K + "/{id}", {"id": task},
                              body={"action": "Mailen"})

        # --- party merges ---
        PM = "/api/v1/party-merges"
        r = self.call("POST", PM, token=self.admin, body={
            "survivorId": p1, "mergedId": p2,
            "reason": "Dubbel aangemaakt na kanaalwissel"}, expect=201)
        merge = (r.obj or {}).get("id", str(uuid.uuid4()))
        self.call("POST", PM, token=self.admin, body={
            "survivorId": p1, "mergedId": p2,
            "reason": "Nog een keer"}, expect=(404, 409))
        self.generic_failures("POST", PM, body={
            "survivorId": p1, "mergedId": p3, "reason": "x"},
            scoped=self.tok_events)
        self.call("GET", PM, token=self.admin, query={"partyId": p1,
                                                      "limit": 5},
                  expect=200)
        self.generic_failures("GET", PM, list_query={"partyId": p1})
        self.call("GET", PM + "/{id}", {"id": merge}, token=self.admin,
                  expect=200)
        self.generic_failures("GET", PM + "/{id}", {"id": merge})

        self.call("GET", P + "/{id}", {"id": p3}, token=self.api,
                  expect=200)
        self.call("GET", P + "/{id}", {"id": p2}, token=self.api,
                  expect=(200, 404))
        self.call("GET", P + "/{id}/timeline", {"id": p1}, token=self.api,
                  expect=200)
        self.conversations_scenario(conv)
        self.notices_scenario()
        self.outbox_scenario()
        self.subscriptions_scenario()
        self.chat_scenario()
        self.channels_scenario()
        self.measure_scenario()
        self.initiatives_scenario()
        self.mailboxes_scenario(team)
        self.facilitation_scenario()
        self.console_scenario(conv, team)
        self.matching_scenario()

    def conversations_scenario(self, conv):
        """Conversations, messages, notes, search and attachments: once
        the document describes them (another area's part)."""
        C = "/api/v1/conversations"
        if ("POST", C) not in self.ops:
            return
        new = {"channel": "email", "subject": "Paspoort aanvragen",
               "content": "Wanneer kan ik mijn paspoort ophalen?\nGroet,",
               "from": {"name": "Fatima el Amrani",
                        "email": "fatima@example.nl"}}
        key = {"Idempotency-Key": "oa-" + uuid.uuid4().hex}
        r = self.call("POST", C, token=self.api, body=new, headers=key,
                      expect=201)
        cid = (r.obj or {}).get("id", conv)
        self.minimal("POST", C, {
            "channel": "telefoon", "subject": "Openingstijden",
            "content": "Beller vroeg naar de openingstijden.",
            "from": {"name": "Bas Bakker", "phone": "+31612345678"}},
            self.api)
        self.call("POST", C, token=self.api, body=new, headers=key,
                  expect=200)
        self.generic_failures("POST", C, body=new)
        r = self.call("POST", C, token=self.conf, body=dict(
            new, confidential=True, subject="Melding huiselijk geweld"),
            expect=201)
        hidden = (r.obj or {}).get("id", str(uuid.uuid4()))
        self.call("GET", C + "/{id}", {"id": hidden}, token=self.api,
                  expect=404)
        self.call("GET", C + "/{id}", {"id": hidden}, token=self.conf,
                  expect=200)
        self.call("GET", C, token=self.api, query={"status": "open",
                                                   "limit": 5}, expect=200)
        self.generic_failures("GET", C)
        self.call("GET", C + "/{id}", {"id": cid}, token=self.api,
                  query={"limit": 10}, expect=200)
        r = self.call("PATCH", C + "/{id}", {"id": cid}, token=self.api,
                      body={"priority": "high"}, expect=200)
        self.call("PATCH", C + "/{id}", {"id": cid}, token=self.api,
                  body={"priority": "low"}, headers={"If-Match": '"1"'},
                  expect=412)
        self.generic_failures("PATCH", C + "/{id}", {"id": cid},
                              body={"status": "pending"})

        r = self.call("POST", "/api/v1/attachments", token=self.api,
                      query={"filename": "brief.txt"},
                      data=b"Geachte heer, mevrouw,\n",
                      headers={"Content-Type": "text/plain"}, expect=201)
        att = (r.obj or {}).get("id", str(uuid.uuid4()))
        self.call("POST", "/api/v1/attachments", token=self.api,
                  query={"filename": "x.exe"}, data=b"MZ\x90\x00",
                  headers={"Content-Type": "application/x-msdownload"},
                  expect=(415, 422))
        self.call("POST", "/api/v1/attachments", query={"filename": "a.txt"},
                  data=b"a", headers={"Content-Type": "text/plain"},
                  expect=401)
        self.call("POST", "/api/v1/attachments", token=self.tok_events,
                  query={"filename": "a.txt"}, data=b"a",
                  headers={"Content-Type": "text/plain"}, expect=403)
        self.call("GET", "/api/v1/attachments/{id}", {"id": att},
                  token=self.api, expect=200)
        self.generic_failures("GET", "/api/v1/attachments/{id}", {"id": att})
        self.call("GET", "/api/v1/attachments/{id}/content", {"id": att},
                  token=self.api, expect=200)
        self.generic_failures("GET", "/api/v1/attachments/{id}/content",
                              {"id": att})

        self.call("POST", C + "/{id}/messages", {"id": cid}, token=self.api,
                  body={"direction": "outbound", "content":
                        "U kunt uw paspoort vanaf dinsdag ophalen.",
                        "attachmentIds": [att]}, expect=201)
        self.generic_failures("POST", C + "/{id}/messages", {"id": cid},
                              body={"direction": "inbound",
                                    "content": "Dank u."})
        self.call("POST", C + "/{id}/notes", {"id": cid}, token=self.api,
                  body={"content": "Identiteit gecontroleerd aan de balie."},
                  expect=201)
        self.generic_failures("POST", C + "/{id}/notes", {"id": cid},
                              body={"content": "Nog een notitie."})
        # Now with more than one message to page through.
        self.generic_failures("GET", C + "/{id}", {"id": cid})
        S = "/api/v1/search"
        self.call("GET", S, token=self.api, query={"q": "paspoort",
                                                   "limit": 5}, expect=200)
        self.call("GET", S, token=self.api, expect=(400, 422))
        self.call("GET", S, query={"q": "paspoort"}, expect=401)
        self.call("GET", S, query={"q": "paspoort"}, token=self.tok_events,
                  expect=403)
        self.call("GET", S, query={"q": "paspoort", "limit": 100000},
                  token=self.api, expect=(400, 422))

    def notices_scenario(self):
        """Actueel notices, their updates and kinds (the notices part)."""
        N = "/api/v1/notices"
        if ("POST", N) not in self.ops:
            return
        _, admin2 = create_token(self.data, "oa-admin2", "api admin")
        new = {"kind": "wegafsluiting", "title": "Afsluiting Damrak",
               "body": "Het Damrak is dicht.", "severity": "waarschuwing",
               "area": {"type": "circle", "center": [4.9, 52.37],
                        "radius": 500},
               "postcodes": ["1012", "1012AB"], "startsAt": 1764300000000,
               "expectedEndAt": 1764400000000, "publish": True}
        r = self.call("POST", N, token=self.api, body=new, expect=201)
        nid = (r.obj or {}).get("id", str(uuid.uuid4()))
        self.minimal("POST", N, new, self.api)
        self.call("POST", N, token=self.api, body=dict(new, area={
            "type": "polygon", "coordinates": [[1, 2], [3, 4]]}),
            expect=422, check_request=False)
        self.generic_failures("POST", N, body=new)
        self.call("GET", N, token=self.api, query={"limit": 5}, expect=200)
        self.generic_failures("GET", N)
        self.call("GET", N + "/{id}", {"id": nid}, token=self.api,
                  expect=200)
        self.generic_failures("GET", N + "/{id}", {"id": nid})
        Q = N + "/{id}/questions"  # two questions, to follow a cursor
        FORM = "application/x-www-form-urlencoded"
        for text in ("Waar is de omleiding?", "Tot wanneer?"):
            form = "vraag=" + urllib.parse.quote(text)
            r = self.srv.request("POST", "/actueel/%s/vragen" % nid,
                                 body=form, headers={"Content-Type": FORM})
            tok = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
            self.srv.request("POST", "/actueel/%s/vragen" % nid,
                             body=form + "&csrf=" + tok,
                             headers={"Content-Type": FORM,
                                      "Cookie": "loket_csrf=" + tok})
        self.call("GET", Q, {"id": nid}, token=self.api,
                  query={"limit": 1}, expect=200)
        self.generic_failures("GET", Q, {"id": nid})
        U = N + "/{id}/updates"
        r = self.call("POST", U, {"id": nid}, token=self.api,
                      body={"body": "Omleiding via het Rokin."}, expect=201)
        uid = (r.obj or {}).get("id", str(uuid.uuid4()))
        self.generic_failures("POST", U, {"id": nid}, body={"body": "Nu."})
        E = U + "/{updateId}"
        self.call("PATCH", E, {"id": nid, "updateId": uid}, token=self.api,
                  body={"body": "Omleiding via het Rokin en Spui."},
                  expect=200)
        self.generic_failures("PATCH", E, {"id": nid, "updateId": uid},
                              body={"body": "Spui."})
        self.generic_failures("PATCH", E, {"id": nid, "updateId": uid},
                              body={"body": "Spui."},
                              unknown_param="updateId")
        self.faqs_scenario(nid, uid)
        self.call("PATCH", N + "/{id}", {"id": nid}, token=self.api,
                  body={"severity": "ernstig"}, expect=200)
        self.call("PATCH", N + "/{id}", {"id": nid}, token=self.api,
                  body={"severity": "ernstig"}, headers={"If-Match": '"1"'},
                  expect=412)
        self.generic_failures("PATCH", N + "/{id}", {"id": nid},
                              body={"title": "Damrak dicht"})
        self.call("PATCH", N + "/{id}", {"id": nid}, token=self.api,
                  body={"status": "ended"}, expect=200)
        self.call("PATCH", N + "/{id}", {"id": nid}, token=self.api,
                  body={"status": "withdrawn"}, expect=409)
        K = "/api/v1/notice-kinds/{kind}"
        self.call("PUT", K, {"kind": "calamiteit"}, token=self.admin,
                  body={"requiresSecondPerson": True}, expect=200)
        self.generic_failures("PUT", K, {"kind": "calamiteit"},
                              body={"requiresSecondPerson": True},
                              scoped=self.api, unknown_param="kind")
        r = self.call("POST", N, token=self.admin, body=dict(
            new, kind="calamiteit"), expect=201)
        cid = (r.obj or {}).get("id", str(uuid.uuid4()))
        A = N + "/{id}/approve"
        self.call("POST", A, {"id": cid}, token=self.admin, expect=403)
        self.call("POST", A, {"id": cid}, token=admin2, expect=200)
        self.call("POST", A, {"id": cid}, token=admin2, expect=409)
        self.generic_failures("POST", A, {"id": cid}, scoped=self.api)
        self.calamity_scenario(cid, nid)

    def outbox_scenario(self):
        """The outbox (the outbox part): a message that failed, as if a
        sender had given up on it, is listed and retried."""
        O = "/api/v1/outbox"
        if ("GET", O) not in self.ops:
            return
        ids = [str(uuid.uuid4()) for _ in range(2)]  # a cursor to follow
        db_write(self.data, [(
            "INSERT INTO outbox (id, kind, key, payload, state, attempts,"
            " next_attempt_at, last_error, created_at, updated_at) VALUES"
            " (?, 'conformance', ?, '{}', 'failed', 3, 1, '503', 1, 1)",
            (oid, "k:%d" % i)) for i, oid in enumerate(ids)])
        oid = ids[0]
        self.call("GET", O, token=self.admin, query={"state": "failed"},
                  expect=200)
        self.call("GET", O, token=self.api, expect=403)
        self.generic_failures("GET", O)
        R = O + "/{id}/retry"
        self.call("POST", R, {"id": oid}, token=self.api, expect=403)
        self.call("POST", R, {"id": oid}, token=self.admin, expect=200)
        self.call("POST", R, {"id": oid}, token=self.admin, expect=409)
        self.generic_failures("POST", R, {"id": oid}, scoped=self.api)

    def chat_scenario(self):
        """Live chat and the callback queue (the chat part): two residents
        chat (one also asks to be called back), through the resident
        endpoints a browser uses."""
        C = "/api/v1/chats"
        if ("GET", C) not in self.ops:
            return
        origin = {"Origin": "http://%s:%d" % (self.srv.host, self.srv.port)}
        convs, cookies = [], []
        for i in range(2):
            r = self.srv.request("POST", "/contact/chat/start",
                                 json_body={"text": "Vraag %d" % i},
                                 headers=origin)
            self.assertEqual(r.status, 201, r)
            cookie = [v.split(";")[0] for v in r.header_all("Set-Cookie")
                      if v.startswith("loket_chat=")][0]
            cookies.append(cookie)
            convs.append(db_query(self.data, "SELECT id FROM conversations"
                                  " WHERE reference = ?",
                                  (r.json()["reference"],))[0][0])
        self.call("GET", C, token=self.api, expect=200)
        self.generic_failures("GET", C)
        T = C + "/{id}/typing"
        self.call("POST", T, {"id": convs[0]}, token=self.api, expect=204)
        self.generic_failures("POST", T, {"id": convs[0]})
        R = C + "/{id}/read"
        self.call("POST", R, {"id": convs[0]}, token=self.api,
                  body={"seq": 1}, expect=204)
        self.call("POST", R, {"id": convs[0]}, token=self.api,
                  body={"seq": -1}, expect=422, check_request=False)
        self.generic_failures("POST", R, {"id": convs[0]}, body={"seq": 1})
        # Callbacks: one from each chat, in two slots.
        r = self.srv.request("GET", "/contact/chat/tijdvakken")
        slots = r.json()["items"]
        for i, cookie in enumerate(cookies):
            r = self.srv.request(
                "POST", "/contact/terugbellen", body=urllib.parse.urlencode(
                    {"stap": "boeken", "telefoon": "06 1234567%d" % i,
                     "tijdvak": str(slots[i]["start"])}),
                headers=dict(origin, **{
                    "Cookie": cookie,
                    "Content-Type": "application/x-www-form-urlencoded"}))
            self.assertEqual(r.status, 201, r)
        # The chat that ended cannot take typing any more.
        r = self.srv.request("POST", "/contact/chat/einde", json_body={},
                             headers=dict(origin, Cookie=cookies[1]))
        self.assertEqual(r.status, 200, r)
        self.call("POST", T, {"id": convs[1]}, token=self.api, expect=409)
        B = "/api/v1/callbacks"
        r = self.call("GET", B, token=self.api, expect=200)
        cbs = [c["id"] for c in (r.obj or {}).get("items", [])]
        self.generic_failures("GET", B)
        cb = cbs[0] if cbs else str(uuid.uuid4())
        self.call("GET", B + "/{id}", {"id": cb}, token=self.api, expect=200)
        self.generic_failures("GET", B + "/{id}", {"id": cb})
        O = B + "/{id}/outcome"
        self.call("POST", O, {"id": cb}, token=self.api,
                  body={"outcome": "not_reached", "note": "geen gehoor"},
                  expect=200)
        self.call("POST", O, {"id": cb}, token=self.api,
                  body={"outcome": "maybe"}, expect=422, check_request=False)
        self.generic_failures("POST", O, {"id": cb},
                              body={"outcome": "voicemail"})
        self.call("POST", O, {"id": cb}, token=self.api,
                  body={"outcome": "reached"}, expect=(200, 409))
        self.call("POST", O, {"id": cb}, token=self.api,
                  body={"outcome": "reached"}, expect=409)

    def faqs_scenario(self, nid, uid):
        """Veelgestelde vragen on notice `nid`, one made from an answer in
        a question conversation, and the edit history of FAQs and of
        update `uid`."""
        N = "/api/v1/notices/{id}"
        F = N + "/faqs"
        if ("POST", F) not in self.ops:
            return
        r = self.srv.request("GET", "/api/v1/notices/%s/questions" % nid,
                             headers={"Authorization": "Bearer " + self.api})
        conv = r.json()["items"][0]["id"]
        r = self.srv.request("POST", "/api/v1/conversations/%s/messages" %
                             conv, json_body={
                                 "direction": "outbound",
                                 "content": "De omleiding loopt via het "
                                            "Rokin."},
                             headers={"Authorization": "Bearer " + self.api})
        answer = r.json()["id"]
        r = self.call("POST", F, {"id": nid}, token=self.api,
                      body={"sourceContactId": answer}, expect=201)
        fid = (r.obj or {}).get("id", str(uuid.uuid4()))
        new = {"question": "Is het Damrak open voor fietsers?",
               "answer": "Nee, fietsers volgen de omleiding.",
               "position": 5}
        self.call("POST", F, {"id": nid}, token=self.api, body=new,
                  expect=201)
        self.call("POST", F, {"id": nid}, token=self.api,
                  body={"sourceContactId": str(uuid.uuid4())}, expect=404)
        self.call("POST", F, {"id": nid}, token=self.api, body={},
                  expect=422, check_request=False)
        self.generic_failures("POST", F, {"id": nid}, body=new)
        self.call("GET", F, {"id": nid}, token=self.api, expect=200)
        self.generic_failures("GET", F, {"id": nid})
        O = F + "/{faqId}"
        ids = {"id": nid, "faqId": fid}
        self.call("GET", O, ids, token=self.api, expect=200)
        self.generic_failures("GET", O, ids)
        self.generic_failures("GET", O, ids, unknown_param="faqId")
        for text in ("Via het Rokin en het Spui.", "Via het Spui."):
            self.call("PATCH", O, ids, token=self.api,
                      body={"answer": text}, expect=200)
        self.call("PATCH", O, ids, token=self.api, body={"position": 9},
                  headers={"If-Match": '"1"'}, expect=412)
        self.generic_failures("PATCH", O, ids, body={"position": 2})
        self.generic_failures("PATCH", O, ids, body={"position": 2},
                              unknown_param="faqId")
        self.call("GET", O + "/edits", ids, token=self.api, expect=200)
        self.generic_failures("GET", O + "/edits", ids)
        self.generic_failures("GET", O + "/edits", ids,
                              unknown_param="faqId")
        self.generic_failures("DELETE", O, ids)
        self.generic_failures("DELETE", O, ids, unknown_param="faqId")
        self.call("DELETE", O, ids, token=self.api, expect=204)
        self.call("PATCH", O, ids, token=self.api,
                  body={"status": "published", "hidePrevious": True},
                  expect=200)
        U = N + "/updates/{updateId}"
        self.call("PATCH", U, {"id": nid, "updateId": uid}, token=self.api,
                  body={"body": "Omleiding via het Spui.",
                        "hidePrevious": False}, expect=200)
        E = U + "/edits"
        self.call("GET", E, {"id": nid, "updateId": uid}, token=self.api,
                  expect=200)
        self.generic_failures("GET", E, {"id": nid, "updateId": uid})
        self.generic_failures("GET", E, {"id": nid, "updateId": uid},
                              unknown_param="updateId")

    def subscriptions_scenario(self):
        """Subscription counts (the subscriptions part): two postcodes, so
        the cursor has a page to lead on to."""
        S = "/api/v1/subscriptions/stats"
        if ("GET", S) not in self.ops:
            return
        import sqlite3
        db = sqlite3.connect(os.path.join(self.data, "loket.db"), timeout=10)
        with db:
            for i, pc in enumerate(("1234", "1234AB")):
                db.execute("INSERT INTO subscriptions (id, email, address_key,"
                           " postcode, pc4, state, unsubscribe_digest,"
                           " created_at) VALUES (?, ?, ?, ?, '1234',"
                           " 'confirmed', ?, 1)",
                           (str(uuid.uuid4()), "s%d@example.nl" % i,
                            "s%d@example.nl" % i, pc, "%064d" % i))
        db.close()
        self.call("GET", S, token=self.admin, expect=200)
        self.call("GET", S, token=self.admin, query={"limit": 1},
                  expect=200)
        self.call("GET", S, token=self.api, expect=403)
        self.generic_failures("GET", S)

    def matching_scenario(self):
        """Moderation queue, actions and offers and needs (the matching
        part): rows seeded as the resident pages write them."""
        R = "/api/v1/moderation/reports"
        if ("GET", R) not in self.ops:
            return
        import sqlite3
        accs = [str(uuid.uuid4()) for _ in range(2)]
        lst = [str(uuid.uuid4()) for _ in range(2)]
        reps = [str(uuid.uuid4()) for _ in range(2)]
        db = sqlite3.connect(os.path.join(self.data, "loket.db"), timeout=10)
        with db:
            for i, a in enumerate(accs):
                db.execute("INSERT INTO p_accounts (id, email, email_key,"
                           " display_name, confirmed_at, created_at,"
                           " updated_at) VALUES (?, ?, ?, 'B', 1, 1, 1)",
                           (a, "m%d@example.nl" % i, "m%d@example.nl" % i))
                db.execute("INSERT INTO p_listings (id, kind, category,"
                           " account_id, theme_id, title, body, created_at)"
                           " VALUES (?, ?, 'tools', ?, 'groen', 'Ladder',"
                           " 'Te leen', 1)",
                           (lst[i], ("offer", "need")[i], a))
                db.execute("INSERT INTO p_reports (id, reporter_id,"
                           " target_type, target_id, reason, created_at)"
                           " VALUES (?, ?, 'listing', ?, 'Reclame', 1)",
                           (reps[i], accs[1 - i], lst[i]))
        db.close()
        self.call("GET", R, token=self.api, expect=200)
        self.generic_failures("GET", R)
        self.call("GET", R + "/{id}", {"id": reps[0]}, token=self.api,
                  expect=200)
        self.generic_failures("GET", R + "/{id}", {"id": reps[0]})
        L = "/api/v1/listings"
        self.call("GET", L, token=self.api, query={"kind": "offer"},
                  expect=200)
        self.generic_failures("GET", L)
        self.call("GET", L + "/{id}", {"id": lst[0]}, token=self.api,
                  expect=200)
        self.generic_failures("GET", L + "/{id}", {"id": lst[0]})
        A = "/api/v1/moderation/actions"
        hide = {"action": "hide", "type": "listing", "id": lst[0],
                "reason": "Reclame"}
        self.call("POST", A, token=self.admin, body=hide, expect=200)
        self.call("POST", A, token=self.admin, body=hide, expect=409)
        self.call("POST", A, token=self.admin, body=dict(
            hide, id=str(uuid.uuid4())), expect=404)
        self.call("POST", A, token=self.admin, body=dict(hide, reason=""),
                  expect=422, check_request=False)
        self.call("POST", A, token=self.admin, body={
            "action": "dismiss", "id": reps[1]}, expect=200)
        self.call("POST", A, token=self.admin, body={
            "action": "block", "id": accs[0], "reason": "Spam"}, expect=200)
        self.minimal("POST", A, {"action": "unblock", "id": accs[0]},
                     self.admin)
        self.generic_failures("POST", A, body={
            "action": "restore", "type": "listing", "id": lst[0]},
            scoped=self.api)

    def mailboxes_scenario(self, team):
        """Mailboxes as channels (the mailboxes part): two, so the list
        has a cursor; one removed."""
        M = "/api/v1/mailboxes"
        if ("POST", M) not in self.ops:
            return
        new = {"teamId": team, "address": "vragen@gemeente.example",
               "fromName": "Gemeente Voorbeeld", "imapHost": "127.0.0.1",
               "imapPort": 143, "imapTls": "none", "imapUser": "vragen",
               "imapPasswordFile": "/nonexistent/imap.pw",
               "folder": "INBOX", "smtpHost": "127.0.0.1", "smtpPort": 587,
               "smtpTls": "none", "smtpUser": "vragen",
               "smtpPasswordFile": "/nonexistent/smtp.pw",
               "pollSeconds": 30, "enabled": False}
        r = self.call("POST", M, token=self.admin, body=new, expect=201)
        mid = (r.obj or {}).get("id", str(uuid.uuid4()))
        self.call("POST", M, token=self.admin, body=new, expect=409)
        self.minimal("POST", M, dict(new, address="b@gemeente.example"),
                     self.admin)
        self.call("POST", M, token=self.admin, body=dict(
            new, address="c@gemeente.example", teamId=self.unknown(team)),
            expect=404)
        self.generic_failures("POST", M, body=dict(
            new, address="d@gemeente.example"), scoped=self.api)
        self.call("GET", M, token=self.admin, expect=200)
        self.generic_failures("GET", M, scoped=self.api)
        I = M + "/{id}"
        self.call("GET", I, {"id": mid}, token=self.admin, expect=200)
        self.generic_failures("GET", I, {"id": mid}, scoped=self.api)
        self.call("PATCH", I, {"id": mid}, token=self.admin,
                  body={"pollSeconds": 10, "fromName": "Gemeente"},
                  expect=200)
        self.generic_failures("PATCH", I, {"id": mid},
                              body={"enabled": False}, scoped=self.api)
        self.generic_failures("DELETE", I, {"id": mid}, scoped=self.api)
        self.call("DELETE", I, {"id": mid}, token=self.admin, expect=204)

    def calamity_scenario(self, cid, other):
        """Calamity mode on a published calamiteit notice, then off."""
        C = "/api/v1/calamity"
        if ("POST", C) not in self.ops:
            return
        self.call("GET", C, token=self.api, expect=200)
        self.generic_failures("GET", C)
        self.call("POST", C, token=self.api, body={"noticeId": cid},
                  expect=403)
        self.call("POST", C, token=self.admin, body={"noticeId": other},
                  expect=422)
        self.generic_failures("POST", C, body={"noticeId": cid})
        self.call("POST", C, token=self.admin, body={"noticeId": cid},
                  expect=200)
        self.call("GET", C, token=self.api, expect=200)
        self.generic_failures("DELETE", C)
        self.call("DELETE", C, token=self.admin, expect=200)

    def channels_scenario(self):
        """The public channels of /contact: read them, change one."""
        L = "/api/v1/channels"
        C = L + "/{channel}"
        if ("PUT", C) not in self.ops:
            return
        self.call("GET", L, token=self.api, expect=200)
        self.generic_failures("GET", L)
        self.call("GET", C, {"channel": "chat"}, token=self.api, expect=200)
        self.generic_failures("GET", C, {"channel": "chat"},
                              unknown_param="channel")
        body = {"label": "Chat met de gemeente", "enabled": True,
                "async": False, "contact": "", "description": "Snel antwoord",
                "hours": {"hours": {"mon": ["09:00-12:30", "13:00-17:00"],
                                    "sat": []},
                          "goodFridayClosed": True,
                          "liberationDay": "lustrum",
                          "closedDays": ["2026-12-24"]}}
        self.call("PUT", C, {"channel": "chat"}, token=self.admin, body=body,
                  expect=200)
        self.call("PUT", C, {"channel": "chat"}, token=self.api, body=body,
                  expect=403)
        self.call("PUT", C, {"channel": "telefoon"}, token=self.admin,
                  body=dict(body, label="Telefoon"), expect=422)
        self.minimal("PUT", C, body, self.admin, params={"channel": "chat"})
        self.generic_failures("PUT", C, {"channel": "chat"}, body=body,
                              scoped=self.api, unknown_param="channel")

    def initiatives_scenario(self):
        """Participation: initiatives for staff and the neighbourhoods."""
        L = "/api/v1/initiatives"
        if ("GET", L) not in self.ops:
            return
        acc, now = str(uuid.uuid4()), 1764300000000
        ids = [str(uuid.uuid4()) for _ in range(4)]
        rows = [("INSERT INTO p_accounts (id, email, email_key, display_name,"
                 " confirmed_at, created_at, updated_at) VALUES (?, ?, ?, ?,"
                 " ?, ?, ?)", (acc, "oa@example.nl", "oa@example.nl", "Oa",
                               now, now, now))]
        for i, st in enumerate(["prescreening", "prescreening", "published",
                                "published"]):
            rows.append(("INSERT INTO initiatives (id, owner_id, title,"
                         " summary, theme_id, neighbourhood_id, status,"
                         " status_changed_at, published_at, created_at,"
                         " updated_at) VALUES (?, ?, ?, 'Samen', 'groen',"
                         " 'oost', ?, ?, ?, ?, ?)",
                         (ids[i], acc, "Initiatief %d" % i, st, now,
                          now if st == "published" else None, now, now)))
            rows.append(("INSERT INTO initiative_organisers (initiative_id,"
                         " account_id, role, created_at) VALUES (?, ?,"
                         " 'owner', ?)", (ids[i], acc, now)))
        db_write(self.data, rows)
        self.call("GET", L, token=self.api, expect=200)
        self.generic_failures("GET", L)
        G = L + "/{id}"
        self.call("GET", G, {"id": ids[2]}, token=self.api, expect=200)
        self.generic_failures("GET", G, {"id": ids[2]})
        P = L + "/{id}/prescreen"
        self.call("POST", P, {"id": ids[0]}, token=self.api,
                  body={"decision": "approve"}, expect=403)
        self.call("POST", P, {"id": ids[0]}, token=self.admin,
                  body={"decision": "refuse"}, expect=422)
        self.call("POST", P, {"id": ids[0]}, token=self.admin,
                  body={"decision": "refuse", "reason": "Graag een adres"},
                  expect=200)
        self.minimal("POST", P, {"decision": "approve", "reason": "Goed"},
                     self.admin, params={"id": ids[1]})
        self.call("POST", P, {"id": ids[1]}, token=self.admin,
                  body={"decision": "approve"}, expect=409)
        self.generic_failures("POST", P, {"id": ids[0]},
                              body={"decision": "approve"}, scoped=self.api)
        S = L + "/{id}/status"
        self.call("POST", S, {"id": ids[2]}, token=self.admin,
                  body={"action": "start"}, expect=200)
        self.call("POST", S, {"id": ids[2]}, token=self.admin,
                  body={"action": "stop"}, expect=422)
        self.call("POST", S, {"id": ids[2]}, token=self.admin,
                  body={"action": "start"}, expect=409)
        self.minimal("POST", S, {"action": "complete", "reason": "Klaar"},
                     self.admin, params={"id": ids[3]})
        self.generic_failures("POST", S, {"id": ids[2]},
                              body={"action": "complete"}, scoped=self.api)
        N = "/api/v1/neighbourhoods"
        self.call("GET", N, token=self.api, expect=200)
        self.generic_failures("GET", N)
        NI = N + "/{id}"
        body = {"name": "Lunetten", "position": 11, "lat": 52.06,
                "lon": 5.14}
        self.call("PUT", NI, {"id": "lunetten"}, token=self.admin, body=body,
                  expect=201)
        self.call("PUT", NI, {"id": "lunetten"}, token=self.admin, body=body,
                  expect=200)
        self.call("PUT", NI, {"id": "lunetten"}, token=self.api, body=body,
                  expect=403)
        self.minimal("PUT", NI, body, self.admin, params={"id": "lunetten"})
        self.generic_failures("PUT", NI, {"id": "lunetten"}, body=body,
                              scoped=self.api, unknown_param="none")

    def measure_scenario(self):
        """Service norms, their live state and the figures."""
        N = "/api/v1/norms"
        if ("PUT", N) not in self.ops:
            return
        for i in range(2):  # two running deadlines, to follow a cursor
            self.srv.post_json("/api/v1/conversations", {
                "channel": "email", "content": "Vraag %d" % i,
                "from": {"name": "Inwoner %d" % i}}, token=self.api)
        self.call("GET", N, token=self.api, expect=200)
        self.generic_failures("GET", N)
        body = {"calendar": {"hours": {"mon": ["08:30-12:00", "13:00-17:00"]},
                             "goodFridayClosed": True,
                             "liberationDay": "lustrum",
                             "closedDays": ["2026-12-24"]},
                "norms": [{"metric": "first_response", "channel": "email",
                           "targetSeconds": 64800, "clock": "business"},
                          {"metric": "callback", "targetSeconds": 3600,
                           "clock": "calendar", "warnSeconds": 600}]}
        self.call("PUT", N, token=self.admin, body=body, expect=200)
        self.call("PUT", N, token=self.api, body=body, expect=403)
        self.call("PUT", N, token=self.admin, body={"norms": [
            {"metric": "first_response", "targetSeconds": 0,
             "clock": "business"}]}, expect=422, check_request=False)
        self.generic_failures("PUT", N, body=body)
        S = N + "/state"
        self.call("GET", S, token=self.api, expect=200)
        self.call("GET", S, token=self.api, query={"teamId": "x"},
                  expect=400)
        self.generic_failures("GET", S)
        F = "/api/v1/figures"
        self.call("GET", F, token=self.admin, expect=200)
        self.call("GET", F, token=self.admin, headers={"Accept": "text/csv"},
                  expect=200)
        self.call("GET", F, token=self.admin, query={
            "granularity": "day", "from": 1764000000000,
            "to": 1764600000000}, expect=200)
        self.call("GET", F, token=self.admin, query={
            "from": 0, "to": 1764600000000}, expect=400)
        self.call("GET", F, token=self.api, expect=403)
        self.generic_failures("GET", F)

    def facilitation_scenario(self):
        """Rooms, budget pots, facilitation requests, meetings (the
        facilitation part).  Accounts and an initiative of the
        participation core are written straight into the database."""
        R = "/api/v1/rooms"
        if ("POST", R) not in self.ops:
            return
        import base64
        import datetime
        import hashlib
        import secrets
        import time
        import zoneinfo
        from loketlib import db_write
        t = int(time.time() * 1000)

        def account(name):
            aid = str(uuid.uuid4())
            sid = base64.urlsafe_b64encode(
                secrets.token_bytes(16)).decode().rstrip("=")
            db_write(self.data, [
                ("INSERT INTO p_accounts (id, email, email_key, display_name,"
                 " confirmed_at, created_at, updated_at)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (aid, aid + "@x.nl", aid + "@x.nl", name, t, t, t)),
                ("INSERT INTO p_sessions (id_hash, account_id, created_at,"
                 " last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                 (hashlib.blake2b(sid.encode(), digest_size=32).hexdigest(),
                  aid, t, t, t + 86400000))])
            return aid, "loket_bewoner=" + sid

        origin = "http://127.0.0.1:%d" % self.srv.port

        def form(path, fields, cookie):
            r = self.srv.request("GET", path, headers={"Cookie": cookie})
            tok = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
            return self.srv.request(
                "POST", path + fields.pop("_action", ""),
                body=urllib.parse.urlencode(dict(fields, csrf=tok)),
                headers={"Content-Type": "application/x-www-form-urlencoded",
                         "Origin": origin, "Cookie": cookie})

        owner, cookie = account("Olga Organisator")
        iid = str(uuid.uuid4())
        db_write(self.data, [
            ("INSERT INTO initiatives (id, owner_id, title, neighbourhood_id,"
             " status, status_changed_at, published_at, created_at,"
             " updated_at) VALUES (?, ?, 'Buurttuin', 'oost', 'running',"
             " ?, ?, ?, ?)", (iid, owner, t, t, t, t)),
            ("INSERT INTO initiative_organisers (initiative_id, account_id,"
             " role, created_at) VALUES (?, ?, 'owner', ?)", (iid, owner, t))])

        room = {"name": "Zaal Noord", "location": "Stadhuis",
                "capacity": 30, "opens": "09:00", "closes": "22:00",
                "days": [1, 2, 3, 4, 5], "active": True}
        r = self.call("POST", R, token=self.admin, body=room, expect=201)
        rid = (r.obj or {}).get("id", str(uuid.uuid4()))
        self.minimal("POST", R, dict(room, name="Zaal Zuid"), self.admin)
        self.call("POST", R, token=self.admin, body=room, expect=409)
        self.call("POST", R, token=self.api, body=dict(room, name="Z"),
                  expect=403)
        self.generic_failures("POST", R, body=dict(room, name="Zaal Oost"))
        self.generic_failures("GET", R)
        self.call("GET", R + "/{id}", {"id": rid}, token=self.api,
                  expect=200)
        self.generic_failures("GET", R + "/{id}", {"id": rid})
        self.call("PATCH", R + "/{id}", {"id": rid}, token=self.admin,
                  body={"capacity": 25}, expect=200)
        self.call("PATCH", R + "/{id}", {"id": rid}, token=self.admin,
                  body={"name": "Zaal Zuid"}, expect=409)
        self.generic_failures("PATCH", R + "/{id}", {"id": rid},
                              body={"location": "Stadhuis, 2e etage"})

        B = "/api/v1/budget-pots"
        year = datetime.datetime.now(zoneinfo.ZoneInfo(
            "Europe/Amsterdam")).year
        pot = {"year": year, "neighbourhoodId": "oost",
               "amountCents": 100000}
        r = self.call("POST", B, token=self.admin, body=pot, expect=201)
        pid = (r.obj or {}).get("id", str(uuid.uuid4()))
        self.call("POST", B, token=self.admin, body=pot, expect=409)
        self.generic_failures("POST", B, body=dict(pot, neighbourhoodId="west"))
        self.generic_failures("GET", B, list_query={"year": year})
        self.call("GET", B, token=self.api, query={"year": 1}, expect=400)
        self.call("GET", B + "/{id}", {"id": pid}, token=self.api,
                  expect=200)
        self.generic_failures("GET", B + "/{id}", {"id": pid})
        self.call("PATCH", B + "/{id}", {"id": pid}, token=self.admin,
                  body={"amountCents": 90000}, expect=200)
        self.generic_failures("PATCH", B + "/{id}", {"id": pid},
                              body={"amountCents": 80000})

        F = "/api/v1/facilitation-requests"
        ask = "/initiatieven/%s/faciliteiten" % iid
        reqs = []
        for amount in ("100", "200", "300"):
            r = form(ask, {"soort": "budget", "doel": "Zaden",
                           "bedrag": amount}, cookie)
            reqs.append(r.header("Location").split("#aanvraag-")[1])
        self.generic_failures("GET", F)
        self.call("GET", F, token=self.api, query={"initiativeId": iid},
                  expect=200)
        self.call("GET", F + "/{id}", {"id": reqs[0]}, token=self.api,
                  expect=200)
        self.generic_failures("GET", F + "/{id}", {"id": reqs[0]})
        V = F + "/{id}/review"
        self.call("POST", V, {"id": reqs[0]}, token=self.admin, expect=200)
        self.call("POST", V, {"id": reqs[0]}, token=self.admin, expect=409)
        self.generic_failures("POST", V, {"id": reqs[1]})
        D = F + "/{id}/decision"
        self.call("POST", D, {"id": reqs[0]}, token=self.admin,
                  body={"outcome": "declined"}, expect=422)
        self.call("POST", D, {"id": reqs[0]}, token=self.admin,
                  body={"outcome": "partly_granted", "grantedCents": 5000,
                        "reason": "Deels"}, expect=200)
        self.call("POST", D, {"id": reqs[0]}, token=self.admin,
                  body={"outcome": "granted"}, expect=409)
        self.generic_failures("POST", D, {"id": reqs[1]},
                              body={"outcome": "declined", "reason": "Nee"})
        Y = F + "/{id}/payments"
        self.call("POST", Y, {"id": reqs[0]}, token=self.admin,
                  body={"amountCents": 2000}, expect=200)
        self.call("POST", Y, {"id": reqs[0]}, token=self.admin,
                  body={"amountCents": 5000}, expect=409)
        self.generic_failures("POST", Y, {"id": reqs[0]},
                              body={"amountCents": 100})

        day = datetime.date.today() + datetime.timedelta(days=9)
        r = form("/initiatieven/%s/bijeenkomsten" % iid, {
            "titel": "Plantdag", "omschrijving": "", "plaats": "Tuin",
            "reservering": "", "datum": day.isoformat(), "van": "10:00",
            "tot": "12:00", "plaatsen": "5"}, cookie)
        mid = r.header("Location").rsplit("/", 1)[1]
        for name in ("Ria", "Sem"):
            _, c = account(name)
            form("/initiatieven/bijeenkomsten/" + mid,
                 {"_action": "/aanmelden"}, c)
        M = "/api/v1/meetings/{id}"
        self.call("GET", M, {"id": mid}, token=self.api, expect=200)
        self.generic_failures("GET", M, {"id": mid})
        self.generic_failures("GET", M + "/registrations", {"id": mid})
        S = "/api/v1/facilitation-summary"
        self.call("GET", S, token=self.api, expect=200)
        self.call("GET", S, token=self.api, query={"year": year},
                  expect=200)
        self.call("GET", S, token=self.api, query={"year": "x"},
                  expect=400)
        self.generic_failures("GET", S)

    def console_scenario(self, conv, team):
        """The agent console's part: canned answers, read marks, counts
        and viewers (docs/console-api.md)."""
        A = "/api/v1/canned-answers"
        if ("POST", A) not in self.ops:
            return
        new = {"title": "Paspoort ophalen", "shortcut": "paspoort",
               "body": "Beste {{inwoner.naam}},\nUw paspoort ligt klaar.",
               "scope": "everyone"}
        r = self.call("POST", A, token=self.admin, body=new, expect=201)
        aid = (r.obj or {}).get("id", str(uuid.uuid4()))
        self.call("POST", A, token=self.admin, body=dict(
            new, scope="team", teamId=team, title="Team"), expect=201)
        self.minimal("POST", A, {"title": "Eigen groet", "shortcut": "groet",
                                 "body": "Met vriendelijke groet,"},
                     None, headers=self.admin_session)
        self.call("POST", A, token=self.api, body={"title": "t", "body": "x"},
                  expect=403)
        self.call("POST", A, token=self.admin, body=dict(
            new, body="{{inwoner.bsn}}"), expect=422)
        self.generic_failures("POST", A, body=dict(new, title="Nog een"))
        self.call("GET", A, token=self.api, query={"q": "pas"}, expect=200)
        self.generic_failures("GET", A)
        I = A + "/{id}"
        self.call("GET", I, {"id": aid}, token=self.api, expect=200)
        self.generic_failures("GET", I, {"id": aid})
        self.call("PATCH", I, {"id": aid}, token=self.admin,
                  body={"title": "Paspoort", "shortcut": None}, expect=200)
        self.call("PATCH", I, {"id": aid}, token=self.admin,
                  body={"title": "Oud"}, headers={"If-Match": '"1"'},
                  expect=412)
        self.call("PATCH", I, {"id": aid}, token=self.api,
                  body={"title": "Niet van mij"}, expect=403)
        self.generic_failures("PATCH", I, {"id": aid},
                              body={"body": "Uw paspoort ligt klaar."})
        R = I + "/render"
        self.call("GET", R, {"id": aid}, query={"conversationId": conv},
                  token=self.api, expect=200)
        self.call("GET", R, {"id": aid}, query={
            "conversationId": self.unknown(conv)}, token=self.api,
            expect=404)
        self.call("GET", R, {"id": aid}, token=self.api, expect=400)
        self.generic_failures("GET", R, {"id": aid})
        r = self.call("POST", A, token=self.admin, body=dict(
            new, title="Weg"), expect=201)
        gone = (r.obj or {}).get("id", str(uuid.uuid4()))
        self.generic_failures("DELETE", I, {"id": gone})
        self.call("DELETE", I, {"id": gone}, token=self.admin, expect=204)
        C = "/api/v1/conversations/{id}"
        self.call("POST", C + "/read", {"id": conv}, token=self.api,
                  body={}, expect=200)
        self.call("POST", C + "/read", {"id": conv}, token=self.api,
                  expect=200)
        self.generic_failures("POST", C + "/read", {"id": conv}, body={})
        self.call("GET", "/api/v1/console/counts", token=self.api,
                  expect=200)
        self.call("GET", "/api/v1/console/counts",
                  headers=self.admin_session, query={"cap": 50}, expect=200)
        self.call("GET", "/api/v1/console/counts", token=self.api,
                  query={"cap": 0}, expect=400)
        self.generic_failures("GET", "/api/v1/console/counts")
        V = C + "/viewers"
        self.call("PUT", V + "/me", {"id": conv}, body={"state": "viewing"},
                  headers=self.admin_session, expect=200)
        self.call("PUT", V + "/me", {"id": conv}, body={"state": "typing"},
                  token=self.admin, expect=403)
        self.call("PUT", V + "/me", {"id": conv}, body={"state": "away"},
                  headers=self.admin_session, expect=422,
                  check_request=False)
        self.generic_failures("PUT", V + "/me", {"id": conv},
                              body={"state": "typing"})
        self.call("GET", V, {"id": conv}, token=self.api, expect=200)
        self.generic_failures("GET", V, {"id": conv})
        self.call("DELETE", V + "/me", {"id": conv},
                  headers=self.admin_session, expect=204)
        self.generic_failures("DELETE", V + "/me", {"id": conv})
        for name in ("Afval", "Paspoort"):
            add_category(self.data, "oa-" + name)
        self.call("GET", "/api/v1/categories", headers=self.admin_session,
                  query={"q": "oa-"}, expect=200)
        self.generic_failures("GET", "/api/v1/categories")


if __name__ == "__main__":
    main()
