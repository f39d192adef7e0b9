"""The VNG Klantinteracties OpenAPI document as a response validator.

Reads the standard's OpenAPI 3.0 document (YAML) and turns its schema
objects into JSON Schema (draft 2020-12) that Debian's python3-jsonschema
can check, so that the conformance tests validate what Loket answers
against the document itself rather than against a copy of it.

OpenAPI 3.0 is not JSON Schema; what this module translates:

  $ref           '#/components/schemas/X' becomes '#/$defs/X' (siblings of
                 a $ref are ignored, as OpenAPI 3.0 says).
  nullable       adds "null" to `type` (and None to `enum`); on a schema
                 without a type (allOf, oneOf, $ref) it becomes
                 anyOf [null, schema].
  readOnly       in a request: not required (the server fills it in).
  writeOnly      in a response: must be absent, and is not required.
  allOf + keys   kept: JSON Schema applies both, unlike a $ref's siblings.
  oneOf + discriminator
                 becomes one if/then per mapping entry keyed on the
                 discriminator property (plain oneOf would fail whenever
                 two branches both match, which they do without
                 additionalProperties: false).
  format         uuid, uri, date, date-time and email are checked; others
                 are annotations.
  example, deprecated, xml, externalDocs, discriminator: dropped.

Entry points: Document(path).validate(body, operationId, status) raises
SchemaError listing every violation with the instance path and the schema
path; validate_error() checks a 4xx body against the document's error
schema for that operation and status, or, where the document declares
none, against RFC 9457 (which Loket uses), and says which it used.
"""

import copy
import datetime
import re
import urllib.parse

import jsonschema
import yaml

METHODS = ("get", "put", "post", "delete", "options", "head", "patch",
           "trace")

# Where a response's schema lives; the document only uses JSON.
JSON_TYPES = ("application/json", "application/problem+json")

# What an error body must look like where the document is silent: an
# RFC 9457 problem, with the members Loket always sends; `code` and
# `invalidParams`, when present, shaped as in the VNG API standards' Fout
# and ValidatieFout (which this document does not include).
PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "code": {"type": "string"},
        "title": {"type": "string", "minLength": 1},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "invalidParams": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "code", "reason"],
                "properties": {
                    "name": {"type": "string"},
                    "code": {"type": "string"},
                    "reason": {"type": "string"},
                },
            },
        },
    },
}

_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                      r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DATETIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?"
    r"([Zz]|[+-]\d{2}:\d{2})$")
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_EMAIL_RE = re.compile(r"^[^@\s\"(),:;<>\[\\\]]+@[A-Za-z0-9]"
                       r"([A-Za-z0-9-]*[A-Za-z0-9])?"
                       r"(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$")

FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("uuid")
def is_uuid(v):
    return not isinstance(v, str) or bool(_UUID_RE.match(v))


@FORMATS.checks("date")
def is_date(v):
    if not isinstance(v, str):
        return True
    m = _DATE_RE.match(v)
    if not m:
        return False
    try:
        datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return False
    return True


@FORMATS.checks("date-time")
def is_date_time(v):
    if not isinstance(v, str):
        return True
    m = _DATETIME_RE.match(v)
    if not m:
        return False
    try:
        datetime.datetime(*(int(m.group(i)) for i in range(1, 7)))
    except ValueError:
        return False
    off = m.group(8)
    if off not in ("Z", "z") and (int(off[1:3]) > 23 or int(off[4:6]) > 59):
        return False
    return True


@FORMATS.checks("uri")
def is_uri(v):
    """An absolute URI (RFC 3986): a scheme, no spaces or controls, and a
    host for http(s)."""
    if not isinstance(v, str):
        return True
    if not _SCHEME_RE.match(v) or any(c.isspace() or ord(c) < 32 or
                                      c in "<>\"{}|\\^`" for c in v):
        return False
    u = urllib.parse.urlsplit(v)
    if u.scheme.lower() in ("http", "https") and not u.hostname:
        return False
    return True


@FORMATS.checks("email")
def is_email(v):
    return not isinstance(v, str) or bool(_EMAIL_RE.match(v))


class SchemaError(AssertionError):
    """A body that does not validate; .errors lists every violation."""

    def __init__(self, what, errors):
        self.what = what
        self.errors = errors
        shown = errors[:12]
        more = "" if len(errors) <= 12 else "\n  ... %d more" % (
            len(errors) - 12)
        super().__init__("%s: %d schema violation(s):\n  %s%s" % (
            what, len(errors), "\n  ".join(shown), more))


def _pointer(parts):
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1")
                          for p in parts) if parts else "/"


def describe(err):
    """One line for a jsonschema error: where, what, and which rule."""
    inst = _pointer(list(err.absolute_path))
    rule = _pointer(list(err.absolute_schema_path))
    msg = err.message
    if len(msg) > 300:
        msg = msg[:300] + "..."
    line = "at %s: %s  [schema %s]" % (inst, msg, rule)
    # For anyOf/oneOf say why the closest branch failed.
    if err.context:
        best = jsonschema.exceptions.best_match(err.context)
        if best is not None:
            line += " (closest: at %s: %s)" % (
                _pointer(list(best.absolute_path)), best.message[:200])
    return line


class Document:
    """One OpenAPI 3.0 document, its operations and its schemas."""

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            self.raw = yaml.safe_load(f)
        if not str(self.raw.get("openapi", "")).startswith("3.0"):
            raise ValueError("%s is not an OpenAPI 3.0 document" % path)
        self.components = self.raw.get("components", {}).get("schemas", {})
        self.ops = {}
        for path_, item in self.raw.get("paths", {}).items():
            shared = item.get("parameters", [])
            for method in METHODS:
                op = item.get(method)
                if op is None:
                    continue
                oid = op.get("operationId") or "%s %s" % (method.upper(),
                                                          path_)
                params = {}
                for p in shared + op.get("parameters", []):
                    p = self.deref(p)
                    params[(p["in"], p["name"])] = p
                self.ops[oid] = {
                    "operationId": oid,
                    "method": method.upper(),
                    "path": path_,
                    "parameters": list(params.values()),
                    "requestBody": self.deref(op.get("requestBody")),
                    "responses": {str(k): self.deref(v) for k, v in
                                  op.get("responses", {}).items()},
                    "security": op.get("security",
                                       self.raw.get("security")),
                }
        self._defs = {}
        self._validators = {}

    # -- the document --

    @property
    def base_path(self):
        """The path of the first server URL, e.g. /klantinteracties/api/v1."""
        servers = self.raw.get("servers") or [{"url": "/"}]
        return urllib.parse.urlsplit(servers[0]["url"]).path.rstrip("/")

    def deref(self, obj):
        """Follows a local $ref (any depth) to the object it names."""
        seen = 0
        while isinstance(obj, dict) and "$ref" in obj:
            ref = obj["$ref"]
            if not ref.startswith("#/"):
                raise ValueError("only local references are supported: %s"
                                 % ref)
            node = self.raw
            for part in ref[2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            obj = node
            seen += 1
            if seen > 50:
                raise ValueError("reference loop at %s" % ref)
        return obj

    def operation(self, oid):
        try:
            return self.ops[oid]
        except KeyError:
            raise KeyError("the document has no operation %r" % oid)

    def query_params(self, oid):
        return [p for p in self.operation(oid)["parameters"]
                if p["in"] == "query"]

    def param_schema(self, p):
        return self.deref(p.get("schema", {}))

    def expand_values(self, oid):
        """The enum of the `expand` query parameter ([] if none)."""
        for p in self.query_params(oid):
            if p["name"] == "expand":
                s = self.param_schema(p)
                items = self.deref(s.get("items", {}))
                return list(items.get("enum") or s.get("enum") or [])
        return []

    def statuses(self, oid):
        return sorted(self.operation(oid)["responses"])

    def response_headers(self, oid, status):
        r = self._response(oid, status)
        return dict((r or {}).get("headers") or {})

    def _response(self, oid, status):
        rs = self.operation(oid)["responses"]
        for key in (str(status), "%dXX" % (int(status) // 100), "default"):
            if key in rs:
                return rs[key]
        return None

    @staticmethod
    def _json_schema_of(content):
        for t in JSON_TYPES:
            if t in (content or {}):
                return content[t].get("schema")
        return None

    def response_schema(self, oid, status):
        """The OpenAPI schema object of a response, None for a response
        without a body; KeyError if the document does not declare the
        status at all (an explicit status only, not default)."""
        rs = self.operation(oid)["responses"]
        if str(status) not in rs:
            raise KeyError("the document declares no %s response for %s "
                           "(it declares %s)" % (status, oid,
                                                 ", ".join(sorted(rs))))
        return self._json_schema_of(rs[str(status)].get("content"))

    def request_schema(self, oid):
        rb = self.operation(oid)["requestBody"]
        if not rb:
            return None
        return self._json_schema_of(rb.get("content"))

    # -- OpenAPI 3.0 schema objects to JSON Schema --

    def _defname(self, name, direction):
        key = "%s@%s" % (name, direction)
        if key not in self._defs:
            self._defs[key] = None  # placeholder: breaks recursion
            self._defs[key] = self._convert(self.components[name], direction)
        return key

    def _ref(self, ref, direction):
        prefix = "#/components/schemas/"
        if not ref.startswith(prefix):
            raise ValueError("unsupported reference %s" % ref)
        return {"$ref": "#/$defs/" + self._defname(ref[len(prefix):],
                                                   direction)}

    def _convert(self, s, direction):
        """direction: "response", "request" or "patch" (a partial
        request: nothing is required)."""
        if isinstance(s, bool) or not isinstance(s, dict):
            return s
        if "$ref" in s:
            return self._ref(s["$ref"], direction)
        out = {}
        for k, v in s.items():
            if k in ("nullable", "discriminator", "example", "deprecated",
                     "xml", "externalDocs", "readOnly", "writeOnly"):
                continue
            if k == "properties":
                props = {}
                for name, ps in v.items():
                    raw = self.deref(ps) if "$ref" in ps else ps
                    if direction == "response" and raw.get("writeOnly"):
                        props[name] = False
                    else:
                        props[name] = self._convert(ps, direction)
                out[k] = props
            elif k in ("items", "not"):
                out[k] = self._convert(v, direction)
            elif k == "additionalProperties":
                out[k] = self._convert(v, direction) if isinstance(
                    v, dict) else v
            elif k in ("allOf", "anyOf", "oneOf"):
                out[k] = [self._convert(x, direction) for x in v]
            elif k == "required":
                out[k] = list(v)
            else:
                out[k] = copy.deepcopy(v)
        # Which required properties the direction lets go.
        if "required" in out:
            if direction == "patch":
                del out["required"]
            else:
                props = s.get("properties", {})
                keep = []
                for name in out["required"]:
                    ps = props.get(name, {})
                    raw = self.deref(ps) if "$ref" in ps else ps
                    if direction == "request" and raw.get("readOnly"):
                        continue
                    if direction == "response" and raw.get("writeOnly"):
                        continue
                    keep.append(name)
                out["required"] = keep
        disc = s.get("discriminator")
        if disc and ("oneOf" in s or "anyOf" in s):
            branches = s.get("oneOf") or s.get("anyOf")
            prop = disc["propertyName"]
            mapping = disc.get("mapping") or {
                b["$ref"].rsplit("/", 1)[1]: b["$ref"] for b in branches
                if "$ref" in b}
            out.pop("oneOf", None)
            out.pop("anyOf", None)
            out["type"] = "object"
            out["properties"] = {prop: {"enum": list(mapping)}}
            if direction != "patch":
                out["required"] = [prop]
            out["allOf"] = [
                {"if": {"properties": {prop: {"const": key}},
                        "required": [prop]},
                 "then": self._ref(ref, direction)}
                for key, ref in mapping.items()]
        if s.get("nullable") is True:
            composite = any(k in out for k in ("allOf", "anyOf", "oneOf",
                                               "$ref", "not"))
            if composite or "type" not in out:
                out = {"anyOf": [{"type": "null"}, out]}
            else:
                t = out["type"]
                out["type"] = (list(t) if isinstance(t, list) else [t]) + [
                    "null"]
                if "enum" in out and None not in out["enum"]:
                    out["enum"] = list(out["enum"]) + [None]
        return out

    def json_schema(self, schema, direction="response"):
        """A self-contained JSON Schema for an OpenAPI schema object."""
        top = self._convert(schema, direction)
        # Pull in every definition reachable so far (conversion is lazy and
        # memoised; extra definitions are harmless).
        return dict(top, **{"$defs": dict(self._defs)}) if isinstance(
            top, dict) else top

    def validator(self, schema, direction="response"):
        key = (id(schema), direction)
        v = self._validators.get(key)
        if v is None:
            js = self.json_schema(schema, direction)
            v = jsonschema.Draft202012Validator(js, format_checker=FORMATS)
            self._validators[key] = v
        return v

    def check_translation(self):
        """Translates every schema of the document in every direction and
        checks the result is valid JSON Schema (once: this is slow)."""
        for name in self.components:
            for direction in ("response", "request", "patch"):
                self._defname(name, direction)
        jsonschema.Draft202012Validator.check_schema(
            {"$defs": dict(self._defs)})
        return len(self._defs)

    def schema_errors(self, instance, schema, direction="response"):
        v = self.validator(schema, direction)
        errs = sorted(v.iter_errors(instance),
                      key=lambda e: (list(map(str, e.absolute_path)),
                                     list(map(str, e.absolute_schema_path))))
        return [describe(e) for e in errs]

    def component(self, name):
        return self.components[name]

    # -- what the tests call --

    def validate(self, body, oid, status):
        """Validates a decoded JSON response body of operation `oid` with
        HTTP `status` against the document.  Raises SchemaError."""
        schema = self.response_schema(oid, status)
        what = "%s %s response" % (oid, status)
        if schema is None:
            if body not in (None, b"", ""):
                raise SchemaError(what, ["the document declares no body, "
                                         "got %r" % (body,)])
            return
        errs = self.schema_errors(body, schema, "response")
        if errs:
            raise SchemaError(what, errs)

    def validate_component(self, body, name, what=None):
        errs = self.schema_errors(body, self.component(name), "response")
        if errs:
            raise SchemaError(what or name, errs)

    def validate_request(self, body, oid):
        """Checks a request body the test is about to send (a check on the
        test itself: every body it sends conforms to the document)."""
        schema = self.request_schema(oid)
        if schema is None:
            return
        direction = "patch" if oid.endswith("PartialUpdate") else "request"
        errs = self.schema_errors(body, schema, direction)
        if errs:
            raise SchemaError("%s request body" % oid, errs)

    def error_schema(self, oid, status):
        """(schema, source) for an error response: the document's schema
        for this status (or its NXX / default response), else a Fout or
        ValidatieFout component, else RFC 9457."""
        r = self._response(oid, status)
        if r is not None:
            s = self._json_schema_of(r.get("content"))
            if s is not None:
                return s, "the document (%s response)" % oid
        names = ["ValidatieFout", "Fout"] if int(status) == 400 else ["Fout"]
        for name in names:
            if name in self.components:
                return self.components[name], "the document (%s)" % name
        return PROBLEM_SCHEMA, ("RFC 9457 (the document declares no error "
                                "schema)")

    def validate_error(self, body, oid, status):
        """Validates a 4xx/5xx body; returns which schema it used."""
        schema, source = self.error_schema(oid, status)
        if schema is PROBLEM_SCHEMA:
            errs = [describe(e) for e in jsonschema.Draft202012Validator(
                PROBLEM_SCHEMA, format_checker=FORMATS).iter_errors(body)]
            if not errs and body.get("status") != int(status):
                errs = ["at /status: %r is not the HTTP status %s" %
                        (body.get("status"), status)]
        else:
            errs = self.schema_errors(body, schema, "response")
        if errs:
            raise SchemaError("%s %s error body (per %s)" % (oid, status,
                                                             source), errs)
        return source

    def writable_required(self, oid, body=None):
        """The required properties of the request body that a client must
        send (readOnly ones excluded), for the branch `body` selects when
        the schema has a discriminator."""
        schema = self.request_schema(oid)
        if schema is None:
            return []
        return sorted(self._required(schema, body or {}, set()))

    def _required(self, s, body, seen):
        if "$ref" in s:
            if s["$ref"] in seen:
                return set()
            seen = seen | {s["$ref"]}
            s = self.deref(s)
        out = set()
        props = s.get("properties", {})
        for name in s.get("required", []):
            ps = props.get(name, {})
            raw = self.deref(ps) if "$ref" in ps else ps
            if not raw.get("readOnly"):
                out.add(name)
        for sub in s.get("allOf", []):
            out |= self._required(sub, body, seen)
        disc = s.get("discriminator")
        if disc and "oneOf" in s:
            key = body.get(disc["propertyName"])
            ref = (disc.get("mapping") or {}).get(key)
            if ref:
                out |= self._required({"$ref": ref}, body, seen)
            out.add(disc["propertyName"])
        return out

    def _props(self, schema, instance, seen=frozenset()):
        """{name: property schema} at the top level of `instance`,
        following $ref, allOf and the discriminator's branch."""
        if "$ref" in schema:
            if schema["$ref"] in seen:
                return {}
            seen = seen | {schema["$ref"]}
            schema = self.deref(schema)
        out = dict(schema.get("properties", {}))
        for sub in schema.get("allOf", []):
            out.update(self._props(sub, instance, seen))
        disc = schema.get("discriminator")
        if disc and isinstance(instance, dict):
            ref = (disc.get("mapping") or {}).get(
                instance.get(disc["propertyName"]))
            if ref:
                out.update(self._props({"$ref": ref}, instance, seen))
        return out

    def _plain_string(self, ps):
        s = self.deref(ps)
        if set(s) >= {"allOf"} or s.get("type") != "string":
            return None
        if any(k in s for k in ("format", "pattern", "enum", "readOnly")):
            return None
        return s.get("maxLength", 1000)

    def text_members(self, oid, body):
        """[(path, maxLength)] of the members of a request body that the
        document types as free text (a string without format, pattern or
        enum), nested objects included."""
        out = []

        def walk(schema, inst, path):
            for name, ps in self._props(schema, inst).items():
                if name not in inst:
                    continue
                v = inst[name]
                n = self._plain_string(ps)
                if n is not None and isinstance(v, str):
                    out.append((path + (name,), n))
                elif isinstance(v, dict):
                    s = self.deref(ps)
                    for sub in [s] + s.get("allOf", []):
                        walk(sub, v, path + (name,))
        schema = self.request_schema(oid)
        if schema is not None and isinstance(body, dict):
            walk(schema, body, ())
        return sorted(set(out))

    def known_properties(self, schema, instance, seen=None):
        """Property names the schema describes at the top level of
        `instance` (following allOf and the discriminator's branch)."""
        seen = seen or set()
        if "$ref" in schema:
            if schema["$ref"] in seen:
                return set()
            seen = seen | {schema["$ref"]}
            schema = self.deref(schema)
        names = set(schema.get("properties", {}))
        for sub in schema.get("allOf", []) + schema.get("anyOf", []):
            names |= self.known_properties(sub, instance, seen)
        disc = schema.get("discriminator")
        if disc and isinstance(instance, dict):
            ref = (disc.get("mapping") or {}).get(
                instance.get(disc["propertyName"]))
            if ref:
                names |= self.known_properties({"$ref": ref}, instance, seen)
        elif "oneOf" in schema:
            for sub in schema["oneOf"]:
                names |= self.known_properties(sub, instance, seen)
        return names

    def unknown_properties(self, body, oid, status):
        """Top-level members of a response (and of each list result) that
        the document does not describe.  Not a schema violation (OpenAPI
        allows extra members), but worth knowing."""
        schema = self.response_schema(oid, status)
        if schema is None or not isinstance(body, dict):
            return []
        out = sorted(set(body) - self.known_properties(schema, body))
        top = self.deref(schema)
        items = top.get("properties", {}).get("results", {}).get("items")
        if items and isinstance(body.get("results"), list):
            extra = set()
            for r in body["results"]:
                if isinstance(r, dict):
                    extra |= set(r) - self.known_properties(items, r)
            out += ["results[]." + x for x in sorted(extra)]
        return out
