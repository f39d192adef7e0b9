"""Conformance of /klantinteracties/api/v1 to the VNG Klantinteracties
OpenAPI document, read from the document itself.

Walks every path and method in the document: builds a graph of resources
in dependency order, then per operation lists (pagination), retrieves,
creates, replaces, patches and deletes, tries every list filter and every
`expand` value, and the 401/404/400 cases, validating every body against
the document's schemas (kischema.py).  Ends by asserting that every
operationId answered with a 2xx that validated.

The document is not part of the repository: set LOKET_KI_OPENAPI to its
path, or keep it at $LOKET_SOURCE_DIR/../shared/standards/; without it this
test says so and exits 77, which ctest reports as skipped.
"""

import datetime
import json
import os
import shutil
import sys
import tempfile
import unittest
import urllib.parse
import uuid as uuidlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import loketlib  # noqa: E402
from loketlib import Server, create_token  # noqa: E402

SKIP = 77
DOC_NAME = "klantinteracties-openapi.yaml"

# Validation failures: the document declares no 4xx responses at all, so
# any of these is accepted (Open Klant answers 400, Loket's house rule for
# validation is 422); the body must still be a valid error body.
VALIDATION_STATUSES = (400, 422)
# A malformed uuid in a path: the document declares format uuid and no
# error response; 400 (bad parameter) and 404 (no such resource) are both
# defensible.
MALFORMED_UUID_STATUSES = (400, 404)

NO_MATCH = "geen-treffer-zq9"


def find_document():
    env = os.environ.get("LOKET_KI_OPENAPI")
    if env:
        if not os.path.isfile(env):
            raise SystemExit("LOKET_KI_OPENAPI=%s: no such file" % env)
        return env
    cand = os.path.normpath(os.path.join(loketlib.SOURCE_DIR, "..", "shared",
                                         "standards", DOC_NAME))
    return cand if os.path.isfile(cand) else None


DOC_PATH = find_document()
if DOC_PATH is None:
    print("SKIP: the Klantinteracties OpenAPI document was not found; set "
          "LOKET_KI_OPENAPI=/path/to/%s (looked for %s)" % (
              DOC_NAME, os.path.normpath(os.path.join(
                  loketlib.SOURCE_DIR, "..", "shared", "standards",
                  DOC_NAME))))
    sys.exit(SKIP)

try:
    import kischema  # noqa: E402  (needs python3-yaml, python3-jsonschema)
except ImportError as e:
    raise SystemExit("%s: install the test packages (scripts/setup.sh test: "
                     "python3-yaml python3-jsonschema)" % e)

DOC = kischema.Document(DOC_PATH)
BASE = DOC.base_path


# ---- test data ----------------------------------------------------------


def bsn_valid(s):
    """The 11-proef of a burgerservicenummer."""
    if len(s) != 9 or not s.isdigit():
        return False
    d = [int(c) for c in s]
    return (sum(d[i] * (9 - i) for i in range(8)) - d[8]) % 11 == 0


def iban(country, bban):
    """An IBAN with correct check digits (ISO 13616, mod 97)."""
    digits = "".join(str(int(c, 36)) for c in (bban + country + "00"))
    return "%s%02d%s" % (country, 98 - int(digits) % 97, bban)


BSN = "999990019"
BSN_OTHER = "999990020"
BSN_BAD = "999990018"
assert bsn_valid(BSN) and bsn_valid(BSN_OTHER) and not bsn_valid(BSN_BAD)
# For the identificatoren made to be changed and deleted.
SPARE_BSNS = [str(n) for n in range(999990021, 999990400) if bsn_valid(
    str(n))]
IBAN = "NL91ABNA0417164300"
IBAN_OTHER = iban("NL", "RABO0123456789")
assert iban("NL", "ABNA0417164300") == IBAN


def fk(u):
    return {"uuid": u}


def contactnaam(voorletters, voornaam, tussen, achternaam):
    return {"voorletters": voorletters, "voornaam": voornaam,
            "voorvoegselAchternaam": tussen, "achternaam": achternaam}


def adres(straat, nr, postcode, stad):
    return {"nummeraanduidingId": "0363200000123456", "straatnaam": straat,
            "huisnummer": nr, "huisnummertoevoeging": "", "postcode":
            postcode, "stad": stad, "adresregel1": "%s %d" % (straat, nr),
            "adresregel2": "%s %s" % (postcode, stad),
            "adresregel3": "Nederland", "land": "NL"}


def partij_body(soort, ident, **kw):
    b = {"soortPartij": soort, "indicatieActief": True,
         "indicatieGeheimhouding": False, "voorkeurstaal": "nld",
         "interneNotitie": "", "digitaleAdressen": [], "rekeningnummers": [],
         "voorkeursDigitaalAdres": None, "voorkeursRekeningnummer": None,
         "partijIdentificatoren": [],
         "bezoekadres": adres("Keizersgracht", 12, "1015 CS", "Amsterdam"),
         "correspondentieadres": adres("Postbus", 1, "1000 AA", "Amsterdam"),
         "partijIdentificatie": ident}
    b.update(kw)
    return b


def actor_body(soort, naam, ident, **kw):
    b = {"naam": naam, "soortActor": soort, "indicatieActief": True,
         "actoridentificator": {"objectId": naam.lower().replace(" ", "-"),
                                "codeObjecttype": "mdw",
                                "codeRegister": "obj",
                                "codeSoortObjectId": "idf"},
         "actorIdentificatie": ident}
    b.update(kw)
    return b


def klantcontact_body(onderwerp, **kw):
    b = {"kanaal": "telefoon", "onderwerp": onderwerp,
         "inhoud": "Inwoner belt over %s." % onderwerp.lower(),
         "indicatieContactGelukt": True, "taal": "nld",
         "vertrouwelijk": False, "plaatsgevondenOp": "2026-03-02T10:15:00Z",
         "referentienummer": "KC-0001", "reactie": "Uitgelegd.",
         "hoofdOnderwerpType": "https://onderwerpen.example.nl/afval",
         "verdereActieOndernomen": False, "metadata": {"bron": "conformance"}}
    b.update(kw)
    return b


def ident(objectid, **kw):
    b = {"objectId": objectid, "codeObjecttype": "zaak",
         "codeRegister": "openzaak", "codeSoortObjectId": "identificatie"}
    b.update(kw)
    return b


# Collections in the order a graph can be built.
ORDER = ["categorieen", "actoren", "partijen", "partij-identificatoren",
         "digitaleadressen", "rekeningnummers", "vertegenwoordigingen",
         "categorie-relaties", "klantcontacten", "betrokkenen",
         "onderwerpobjecten", "bijlagen", "actorklantcontacten",
         "internetaken"]

# Which collection a relation in a filter name points at.
RELATION = {
    "actor": "actoren", "toegewezenAanActor": "actoren",
    "klantcontact": "klantcontacten", "hadKlantcontact": "klantcontacten",
    "aanleidinggevendKlantcontact": "klantcontacten",
    "wasKlantcontact": "klantcontacten",
    "verstrektedigitaalAdres": "digitaleadressen",
    "wasPartij": "partijen", "verstrektDoorPartij": "partijen",
    "partij": "partijen", "vertegenwoordigdePartij": "partijen",
    "vertegenwoordigendePartij": "partijen",
    "hadBetrokkene": "betrokkenen", "verstrektDoorBetrokkene": "betrokkenen",
    "onderwerpobject": "onderwerpobjecten",
    "wasOnderwerpobject": "onderwerpobjecten",
    "categorie": "categorieen",
}

# What an expanded relation holds.
EXPANDED = {
    "hadBetrokkenen": "Betrokkene", "leiddeTotInterneTaken": "InterneTaak",
    "gingOverOnderwerpobjecten": "Onderwerpobject",
    "omvatteBijlagen": "Bijlage", "digitaleAdressen": "DigitaalAdres",
    "wasPartij": "Partij", "betrokkenen": "Betrokkene",
    "hadKlantcontact": "Klantcontact", "categorieRelaties": "CategorieRelatie",
    "verstrektDoorBetrokkene": "Betrokkene",
}


def resources():
    """{collection: {kind: operationId}} from the document's paths."""
    out = {}
    for oid, op in DOC.ops.items():
        parts = op["path"].strip("/").split("/")
        coll = parts[0]
        item = len(parts) > 1
        kind = {("GET", False): "list", ("POST", False): "create",
                ("GET", True): "retrieve", ("PUT", True): "update",
                ("PATCH", True): "partial", ("DELETE", True): "destroy"
                }.get((op["method"], item))
        if kind:
            out.setdefault(coll, {})[kind] = oid
    return out


RES = resources()


def ids(items):
    return [x.get("uuid") for x in items if isinstance(x, dict)]


def camel_split(name, obj):
    """For a flattened filter name such as bezoekadresAdresregel1 or
    actoridentificatorObjectId: (property, rest) when obj[property] is an
    object and rest, lower-camel, names one of its members."""
    for i in range(len(name) - 1, 0, -1):
        head, tail = name[:i], name[i:]
        if tail[0].isupper() and isinstance(obj.get(head), dict):
            return head, tail[0].lower() + tail[1:]
    return None


MISSING = object()


def resolve(item, field):
    """The value a filter field names in a result item, or MISSING."""
    cur = item
    for part in field.split("__"):
        if not isinstance(cur, dict):
            return MISSING
        if part in cur:
            cur = cur[part]
            continue
        split = camel_split(part, cur)
        if split and split[1] in cur[split[0]]:
            cur = cur[split[0]][split[1]]
            continue
        return MISSING
    if isinstance(cur, (list, dict)):
        return MISSING
    return cur


def same_instant(a, b):
    try:
        return datetime.datetime.fromisoformat(a.replace("Z", "+00:00")) \
            == datetime.datetime.fromisoformat(b.replace("Z", "+00:00"))
    except (AttributeError, ValueError, TypeError):
        return False


def qvalue(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


# ---- the suite ----------------------------------------------------------


class Failures:
    """Soft failures: one line each, so one run reports everything."""

    def __init__(self):
        self.lines = []

    def add(self, oid, request, expected, got, detail=""):
        line = "%s | %s | expected %s | got %s" % (oid, request, expected,
                                                   got)
        if detail:
            line += "\n      " + str(detail).replace("\n", "\n      ")
        if line not in self.lines:
            self.lines.append(line)


class KlantinteractiesConformance(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="loket-ki-")
        data = os.path.join(cls.tmp, "data")
        _, cls.token = create_token(data, "ki-conformance",
                                    "api admin confidential")
        # A system without the confidential scope.
        _, cls.plain_token = create_token(data, "ki-plain", "api")
        cls.srv = Server(data)
        cls.srv.start()
        cls.g = {}           # name -> created body (as returned)
        cls.called = set()   # operationIds requested at all
        cls.passed = set()   # operationIds with a 2xx that validated
        cls.warnings = []
        cls.error_sources = set()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.srv.cleanup()
        finally:
            shutil.rmtree(cls.tmp, True)
        if cls.warnings:
            print("\nWarnings (not failures):", file=sys.stderr)
            for w in sorted(set(cls.warnings)):
                print("  " + w, file=sys.stderr)

    def setUp(self):
        self.f = Failures()

    def done(self):
        if self.f.lines:
            self.fail("%d conformance failure(s):\n  %s" % (
                len(self.f.lines), "\n  ".join(self.f.lines)))

    # -- requests --

    def path_of(self, oid, uuid=None, query=None):
        op = DOC.operation(oid)
        p = BASE + op["path"]
        if "{uuid}" in p:
            p = p.replace("{uuid}", urllib.parse.quote(uuid or "", safe=""))
        if query:
            p += "?" + urllib.parse.urlencode(query)
        return p

    def url_of(self, coll, u):
        return "%s%s/%s/%s" % (self.srv.base_url, BASE, coll, u)

    def call(self, oid, uuid=None, query=None, body=None, expect=None,
             auth="good", path=None, check_request=True):
        """One request of operation `oid`.  Checks the status against
        `expect` (default: the document's 2xx statuses) and validates the
        body: a 2xx against the operation's response schema, a 4xx
        against the error schema.  Returns (status, decoded body or None);
        failures are recorded, not raised."""
        op = DOC.operation(oid)
        method = op["method"]
        if path is None:
            path = self.path_of(oid, uuid, query)
        if expect is None:
            expect = tuple(int(s) for s in DOC.statuses(oid)
                           if s.isdigit() and s.startswith("2"))
        headers = {}
        if auth == "good":
            headers["Authorization"] = "Token " + self.token
        elif auth == "plain":
            headers["Authorization"] = "Token " + self.plain_token
        elif auth == "wrong":
            headers["Authorization"] = "Token " + loketlib.new_token_secret()
        if body is not None and check_request:
            DOC.validate_request(body, oid)  # a bug in this test if not
        req = "%s %s" % (method, path)
        if body is not None:
            req += " " + _short(body)
        self.called.add(oid)
        try:
            r = self.srv.request(method, path, json_body=body,
                                 headers=headers)
        except Exception as e:  # connection reset, timeout: a failure
            self.f.add(oid, req, expect, "no response (%s)" % e)
            return None, None
        parsed = None
        if r.body:
            try:
                parsed = r.json()
            except ValueError:
                self.f.add(oid, req, "a JSON body", "%r" % r.body[:200])
                return r.status, None
        if r.status not in expect:
            self.f.add(oid, req, "status %s" % "/".join(map(str, expect)),
                       r.status, _short(parsed if parsed is not None
                                        else r.body))
            if r.status >= 500:
                return r.status, None
        if 200 <= r.status < 300:
            self.check_success(oid, req, r, parsed)
        elif 400 <= r.status < 500:
            self.check_error(oid, req, r, parsed)
        return r.status, parsed

    def check_success(self, oid, req, r, parsed):
        status = r.status
        try:
            schema = DOC.response_schema(oid, status)
        except KeyError as e:
            self.f.add(oid, req, "a status the document declares", status,
                       e)
            return
        if schema is not None and not r.content_type.startswith(
                "application/json"):
            self.f.add(oid, req, "Content-Type application/json",
                       r.content_type)
        try:
            DOC.validate(parsed, oid, status)
        except kischema.SchemaError as e:
            self.f.add(oid, req, "a body valid per the document", "invalid",
                       e)
            return
        for h in DOC.response_headers(oid, status):
            if r.header(h) is None:
                self.warnings.append("%s %s: no %s header (declared in the "
                                     "document)" % (oid, status, h))
        extra = DOC.unknown_properties(parsed, oid, status)
        if extra:
            self.warnings.append("%s %s: members the document does not "
                                 "describe: %s" % (oid, status,
                                                   ", ".join(extra)))
        self.passed.add(oid)

    def check_error(self, oid, req, r, parsed):
        if parsed is None:
            self.f.add(oid, req, "an error body", "none")
            return
        try:
            self.error_sources.add(DOC.validate_error(parsed, oid, r.status))
        except kischema.SchemaError as e:
            self.f.add(oid, req, "a valid error body", "invalid", e)

    # -- the graph --

    def create(self, name, coll, body, expect_status=None):
        oid = RES[coll]["create"]
        status, got = self.call(oid, body=body)
        if status not in (200, 201) or not isinstance(got, dict):
            return None
        u = got.get("uuid")
        if not isinstance(u, str):
            return None
        self.check_identity(oid, coll, got)
        self.g[name] = got
        self.g[name + "@coll"] = coll
        self.g[name + "@sent"] = body
        self.check_echo(oid, "POST " + coll, body, got)
        return got

    def check_identity(self, oid, coll, got, want_uuid=None):
        u = got.get("uuid")
        if want_uuid is not None and u != want_uuid:
            self.f.add(oid, coll, "uuid %s" % want_uuid, u)
        if "url" in got and got.get("url") != self.url_of(coll, u):
            self.f.add(oid, coll, "url %s" % self.url_of(coll, u),
                       got.get("url"))

    def check_echo(self, oid, req, sent, got, path=""):
        """Every writable member sent comes back with the same value (a
        relation by its uuid)."""
        if not isinstance(sent, dict) or not isinstance(got, dict):
            return
        for k, v in sent.items():
            where = path + "/" + k
            if k not in got:
                if v not in ("", None, []):
                    self.f.add(oid, req, "%s in the answer" % where,
                               "absent")
                continue
            g = got[k]
            if v == []:
                continue  # no links sent; the server may know of some
            if isinstance(v, dict) and set(v) == {"uuid"}:
                if not isinstance(g, dict) or g.get("uuid") != v["uuid"]:
                    self.f.add(oid, req, "%s.uuid %s" % (where, v["uuid"]),
                               _short(g))
            elif isinstance(v, dict):
                self.check_echo(oid, req, v, g, where)
            elif isinstance(v, list) and all(
                    isinstance(x, dict) and set(x) == {"uuid"} for x in v):
                if sorted(ids(v)) != sorted(ids(g or [])):
                    self.f.add(oid, req, "%s uuids %s" % (where, ids(v)),
                               _short(g))
            elif k in ("plaatsgevondenOp", "afgehandeldOp"):
                if not same_instant(v, g):
                    self.f.add(oid, req, "%s %s" % (where, v), g)
            elif g != v:
                self.f.add(oid, req, "%s %r" % (where, v), _short(g))

    def uid(self, name):
        got = self.g.get(name)
        return got.get("uuid") if got else None

    def need(self, *names):
        missing = [n for n in names if self.uid(n) is None]
        if missing:
            self.f.add("(graph)", "", "created: " + ", ".join(missing),
                       "not created (see the create failures)")
            return False
        return True

    def build_graph(self):
        c = self.create
        for i, naam in enumerate(["Afval", "Parkeren", "Paspoort",
                                  "Belastingen", "Subsidies"]):
            c("cat%d" % i, "categorieen", {"naam": naam})
        c("mdw", "actoren", actor_body(
            "medewerker", "Fatima el Amrani",
            {"functie": "Klantcontactmedewerker",
             "emailadres": "f.elamrani@gemeente.example.nl",
             "telefoonnummer": "0201234567"}))
        c("bot", "actoren", actor_body(
            "geautomatiseerde_actor", "Chatbot Loket",
            {"functie": "chatbot", "omschrijving": "Virtuele assistent"}))
        c("team", "actoren", actor_body(
            "organisatorische_eenheid", "Team Burgerzaken",
            {"omschrijving": "Burgerzaken",
             "emailadres": "burgerzaken@gemeente.example.nl",
             "faxnummer": "0207654321", "telefoonnummer": "+31201234567"}))
        c("persoon", "partijen", partij_body(
            "persoon", {"contactnaam": contactnaam("J.", "Jan", "de",
                                                   "Vries")},
            interneNotitie="Spreekt liever Engels"))
        c("persoon2", "partijen", partij_body(
            "persoon", {"contactnaam": contactnaam("A.", "Anouk", "",
                                                   "Bakker")},
            voorkeurstaal="eng"))
        c("org", "partijen", partij_body(
            "organisatie", {"naam": "Bakkerij De Korenschoof B.V."}))
        if self.uid("org"):
            c("cp", "partijen", partij_body(
                "contactpersoon",
                {"werkteVoorPartij": fk(self.uid("org")),
                 "contactnaam": contactnaam("P.", "Pieter", "van",
                                            "Dijk")}))
        if self.need("persoon", "org"):
            c("pid_bsn", "partij-identificatoren", {
                "identificeerdePartij": fk(self.uid("persoon")),
                "partijIdentificator": {
                    "codeObjecttype": "natuurlijk_persoon",
                    "codeSoortObjectId": "bsn", "objectId": BSN,
                    "codeRegister": "brp"}})
            c("pid_kvk", "partij-identificatoren", {
                "identificeerdePartij": fk(self.uid("org")),
                "anderePartijIdentificator": "KVK-oud-1",
                "partijIdentificator": {
                    "codeObjecttype": "niet_natuurlijk_persoon",
                    "codeSoortObjectId": "kvk_nummer", "objectId": "12345678",
                    "codeRegister": "hr"}})
            if self.uid("pid_kvk"):
                c("pid_vest", "partij-identificatoren", {
                    "identificeerdePartij": fk(self.uid("org")),
                    "partijIdentificator": {
                        "codeObjecttype": "vestiging",
                        "codeSoortObjectId": "vestigingsnummer",
                        "objectId": "000012345678", "codeRegister": "hr"},
                    "subIdentificatorVan": fk(self.uid("pid_kvk"))})
            c("da_mail", "digitaleadressen", {
                "verstrektDoorBetrokkene": None,
                "verstrektDoorPartij": fk(self.uid("persoon")),
                "adres": "jan.devries@example.nl",
                "soortDigitaalAdres": "email", "isStandaardAdres": True,
                "omschrijving": "privé", "referentie": "portaal-1",
                "verificatieDatum": "2026-01-15"})
            c("da_tel", "digitaleadressen", {
                "verstrektDoorBetrokkene": None,
                "verstrektDoorPartij": fk(self.uid("persoon")),
                "adres": "0612345678", "soortDigitaalAdres": "telefoonnummer",
                "isStandaardAdres": True, "omschrijving": "mobiel",
                "referentie": "portaal-2", "verificatieDatum": None})
            c("rek", "rekeningnummers", {
                "partij": fk(self.uid("persoon")), "iban": IBAN,
                "bic": "ABNANL2A"})
        if self.need("persoon", "persoon2"):
            c("vert", "vertegenwoordigingen", {
                "vertegenwoordigendePartij": fk(self.uid("persoon2")),
                "vertegenwoordigdePartij": fk(self.uid("persoon"))})
        if self.need("persoon", "cat0"):
            c("catrel", "categorie-relaties", {
                "partij": fk(self.uid("persoon")),
                "categorie": fk(self.uid("cat0")),
                "beginDatum": "2026-01-01", "eindDatum": "2027-12-31"})
        c("kc0", "klantcontacten", klantcontact_body(
            "Afvalpas kwijt", kanaal="e-mail", referentienummer="KC-0000",
            plaatsgevondenOp="2026-02-27T09:00:00Z"))
        c("kc1", "klantcontacten", klantcontact_body("Vraag over afvalpas"))
        c("kc2", "klantcontacten", klantcontact_body(
            "Melding openbare ruimte", kanaal="balie", vertrouwelijk=True,
            referentienummer="KC-0002", indicatieContactGelukt=False,
            plaatsgevondenOp="2026-03-03T14:30:00+01:00"))
        if self.need("kc1", "persoon"):
            c("bet", "betrokkenen", {
                "wasPartij": fk(self.uid("persoon")),
                "hadKlantcontact": fk(self.uid("kc1")),
                "bezoekadres": adres("Keizersgracht", 12, "1015 CS",
                                     "Amsterdam"),
                "correspondentieadres": None,
                "contactnaam": contactnaam("J.", "Jan", "de", "Vries"),
                "rol": "klant", "organisatienaam": "", "initiator": True})
        if self.need("kc2", "org"):
            c("bet2", "betrokkenen", {
                "wasPartij": fk(self.uid("org")),
                "hadKlantcontact": fk(self.uid("kc2")),
                "bezoekadres": None, "correspondentieadres": None,
                "contactnaam": contactnaam("P.", "Pieter", "van", "Dijk"),
                "rol": "vertegenwoordiger",
                "organisatienaam": "Bakkerij De Korenschoof B.V.",
                "initiator": False})
        if self.need("bet"):
            c("da_bet", "digitaleadressen", {
                "verstrektDoorBetrokkene": fk(self.uid("bet")),
                "verstrektDoorPartij": None,
                "adres": "j.de.vries@werk.example.nl",
                "soortDigitaalAdres": "email", "isStandaardAdres": False,
                "omschrijving": "werk", "referentie": "kc-1",
                "verificatieDatum": None})
        if self.need("kc1", "kc0"):
            c("oo", "onderwerpobjecten", {
                "klantcontact": fk(self.uid("kc1")),
                "wasKlantcontact": fk(self.uid("kc0")),
                "onderwerpobjectidentificator": ident("ZAAK-2026-0001")})
        if self.need("kc1"):
            c("bijlage", "bijlagen", {
                "wasBijlageVanKlantcontact": fk(self.uid("kc1")),
                "bijlageidentificator": ident(
                    "3f1e2d4c-0000-4000-8000-000000000001",
                    codeObjecttype="enkelvoudiginformatieobject",
                    codeRegister="drc", codeSoortObjectId="uuid")})
        if self.need("kc1", "mdw"):
            c("akc", "actorklantcontacten", {
                "actor": fk(self.uid("mdw")),
                "klantcontact": fk(self.uid("kc1"))})
            c("taak", "internetaken", {
                "gevraagdeHandeling": "Terugbellen",
                "aanleidinggevendKlantcontact": fk(self.uid("kc1")),
                "toegewezenAanActoren": [fk(self.uid("mdw"))],
                "toelichting": "Graag voor vrijdag", "status": "te_verwerken",
                "referentienummer": "TAAK-01"})

    # -- 0: the document itself --

    def test_00_document(self):
        """The document translates into valid JSON Schema, and the
        suite knows how to exercise every operation in it."""
        n = DOC.check_translation()
        self.assertGreater(n, 0)
        print("document: %s (%s %s), %d operations, %d schemas" % (
            DOC_PATH, DOC.raw["info"]["title"], DOC.raw["info"]["version"],
            len(DOC.ops), len(DOC.components)), file=sys.stderr)
        self.translation_bites()
        unknown = [c for c in RES if c not in ORDER + ["maak-klantcontact"]]
        self.assertEqual(unknown, [], "collections this suite does not "
                         "know how to build; extend ORDER")

    def translation_bites(self):
        """The translated schemas reject what the document forbids (so a
        passing validation means something): nullable, formats, the
        discriminator's branch, required read-only members."""
        names = ("Klantcontact", "Partij", "Actor")
        if not all(n in DOC.components for n in names):
            print("document without %s: translation self-check skipped" %
                  "/".join(names), file=sys.stderr)
            return
        u = str(uuidlib.uuid4())
        link = "http://h:1%s/x/%s" % (BASE, u)
        kc = {"uuid": u, "url": link, "gingOverOnderwerpobjecten": [],
              "hadBetrokkenActoren": [], "omvatteBijlagen": [],
              "hadBetrokkenen": [{"uuid": u, "url": link}],
              "leiddeTotInterneTaken": [], "nummer": None,
              "kanaal": "telefoon", "onderwerp": "o", "taal": "nld",
              "vertrouwelijk": False, "indicatieContactGelukt": None,
              "plaatsgevondenOp": "2026-03-02T10:15:00+01:00"}
        partij = {"uuid": u, "url": link, "betrokkenen": [],
                  "categorieRelaties": [], "vertegenwoordigden": [],
                  "soortPartij": "persoon", "indicatieActief": True,
                  "digitaleAdressen": None, "bezoekadres": None,
                  "partijIdentificatie": {"contactnaam": None,
                                          "volledigeNaam": "Jan"}}
        actor = {"uuid": u, "url": link, "naam": "n",
                 "soortActor": "medewerker", "actoridentificator": None,
                 "actorIdentificatie": {"functie": "f",
                                        "telefoonnummer": "0201234567",
                                        "emailadres": "a@b.nl"}}
        good = [("Klantcontact", kc), ("Partij", partij), ("Actor", actor)]
        bad = [
            ("Klantcontact", dict(kc, kanaal=None), "kanaal not nullable"),
            ("Klantcontact", dict(kc, uuid="x"), "format uuid"),
            ("Klantcontact", dict(kc, url="/relatief"), "format uri"),
            ("Klantcontact", dict(kc, plaatsgevondenOp="2026-13-01T00:00Z"),
             "format date-time"),
            ("Klantcontact", {k: v for k, v in kc.items() if k != "taal"},
             "required"),
            ("Klantcontact", {k: v for k, v in kc.items() if k != "url"},
             "required read-only member"),
            ("Klantcontact", dict(kc, hadBetrokkenen=[{"uuid": u}]),
             "required member of a referenced schema"),
            ("Partij", dict(partij, partijIdentificatie={}),
             "the persoon branch's required volledigeNaam"),
            ("Partij", dict(partij, soortPartij="iets"),
             "discriminator value"),
            ("Partij", dict(partij, bezoekadres={"postcode": "1234ab"}),
             "pattern inside a nullable allOf"),
            ("Actor", dict(actor, actorIdentificatie={"functie": "f",
                                                      "telefoonnummer": "1",
                                                      "emailadres": "a@b"}),
             "pattern in the medewerker branch"),
            ("Actor", dict(actor, actorIdentificatie={
                "functie": "f", "telefoonnummer": "0201234567",
                "emailadres": "geen adres"}), "format email"),
        ]
        for name, inst in good:
            errs = DOC.schema_errors(inst, DOC.component(name))
            self.assertEqual(errs, [], "valid %s rejected" % name)
        for name, inst, why in bad:
            errs = DOC.schema_errors(inst, DOC.component(name))
            self.assertTrue(errs, "%s: %s not enforced" % (name, why))
        self.assertEqual(DOC.schema_errors(
            {"naam": "n", "soortActor": "medewerker", "actorIdentificatie":
             {"functie": "f", "telefoonnummer": "0201234567"}},
            DOC.component("Actor"), "request"), [],
            "a request need not carry read-only members")

    # -- 1: authentication, on every operation --

    def test_01_auth(self):
        """401 without a token and with a wrong one, on every operation."""
        any_uuid = str(uuidlib.uuid4())
        for oid, op in sorted(DOC.ops.items()):
            if not op.get("security"):
                continue
            body = {} if op["method"] in ("POST", "PUT", "PATCH") else None
            for auth in ("none", "wrong"):
                self.call(oid, uuid=any_uuid, body=body, expect=(401,),
                          auth=auth, check_request=False)
        self.done()

    # -- 2: the graph, in dependency order --

    def test_02_create(self):
        """Creates one of everything (one actor of each soortActor, one
        partij of each soortPartij, ...) and maak-klantcontact; checks the
        answers echo what was sent and point at themselves."""
        self.build_graph()
        if self.need("persoon", "mdw"):
            oid = RES["maak-klantcontact"]["create"]
            body = {"klantcontact": klantcontact_body(
                        "Terugbelverzoek", kanaal="chat",
                        referentienummer="KC-0003"),
                    "betrokkene": {
                        "wasPartij": fk(self.uid("persoon")),
                        "contactnaam": contactnaam("J.", "Jan", "de",
                                                   "Vries"),
                        "rol": "klant", "organisatienaam": "",
                        "initiator": True},
                    "onderwerpobject": {
                        "onderwerpobjectidentificator":
                            ident("ZAAK-2026-0002")}}
            status, got = self.call(oid, body=body)
            if status == 201 and isinstance(got, dict):
                kc = got.get("klantcontact") or {}
                self.check_identity(oid, "klantcontacten", kc)
                self.check_echo(oid, "POST maak-klantcontact",
                                body["klantcontact"], kc, "/klantcontact")
                b = got.get("betrokkene") or {}
                o = got.get("onderwerpobject") or {}
                self.check_identity(oid, "betrokkenen", b)
                self.check_identity(oid, "onderwerpobjecten", o)
                for name, part in (("betrokkene", b), ("onderwerpobject", o)):
                    ref = (part.get("hadKlantcontact") if name ==
                           "betrokkene" else part.get("klantcontact")) or {}
                    if ref.get("uuid") != kc.get("uuid"):
                        self.f.add(oid, "POST maak-klantcontact",
                                   "%s linked to klantcontact %s" %
                                   (name, kc.get("uuid")), _short(ref))
                self.g["kc3"] = kc
                self.g["kc3@coll"] = "klantcontacten"
                self.g["bet3"] = b
                self.g["bet3@coll"] = "betrokkenen"
                self.g["oo3"] = o
                self.g["oo3@coll"] = "onderwerpobjecten"
                for coll, part in (("klantcontacten", kc),
                                   ("betrokkenen", b),
                                   ("onderwerpobjecten", o)):
                    if part.get("uuid"):
                        self.call(RES[coll]["retrieve"], part["uuid"])
        # Rules the document's schemas cannot express.
        if self.need("persoon"):
            self.call(RES["partij-identificatoren"]["create"], body={
                "identificeerdePartij": fk(self.uid("persoon2") or
                                           self.uid("persoon")),
                "partijIdentificator": {
                    "codeObjecttype": "natuurlijk_persoon",
                    "codeSoortObjectId": "bsn", "objectId": BSN_BAD,
                    "codeRegister": "brp"}}, expect=VALIDATION_STATUSES)
            self.call(RES["rekeningnummers"]["create"], body={
                "partij": fk(self.uid("persoon")),
                "iban": "NL92ABNA0417164300"}, expect=VALIDATION_STATUSES)
        self.call(RES["actoren"]["create"], body=actor_body(
            "medewerker", "Zonder functie", {"telefoonnummer": "12"}),
            expect=VALIDATION_STATUSES, check_request=False)
        self.call(RES["klantcontacten"]["create"], body=klantcontact_body(
            "x", kanaal=None), expect=VALIDATION_STATUSES,
            check_request=False)
        self.done()

    def test_02b_minimal(self):
        """Every resource created with only what the document requires
        (and the references that tie it in): the answer, a retrieve and
        later the lists render the unset optional members validly (left
        out, null where nullable, never "" where a pattern or format
        forbids it)."""
        for coll in ORDER:
            body = self.throwaway_body(coll)
            if not body:
                continue
            oid = RES[coll]["create"]
            req = set(DOC.writable_required(oid, body))
            minimal = {k: v for k, v in body.items() if k in req or (
                isinstance(v, dict) and set(v) == {"uuid"})}
            if coll == "partijen":
                minimal["partijIdentificatie"] = body["partijIdentificatie"]
            if not minimal:
                k = next(iter(body))
                minimal = {k: body[k]}
            got = self.create("min_" + coll, coll, minimal)
            if got:
                self.call(RES[coll]["retrieve"], got["uuid"])
                if coll in ("vertegenwoordigingen", "actorklantcontacten",
                            "categorie-relaties"):
                    # A link between the same two items may be unique;
                    # make room for the ones tests 07 and 08 create.
                    self.call(RES[coll]["destroy"], got["uuid"])
                    del self.g["min_" + coll]
        self.done()

    # -- 3: retrieve, and the relations the graph implies --

    def test_03_retrieve(self):
        """Every created item retrieves with the same content; the reverse
        relations (partij.betrokkenen, klantcontact.hadBetrokkenen ...)
        list what was created."""
        fresh = {}
        for name in sorted(k for k in self.g if "@" not in k and self.g[k]):
            coll = self.g[name + "@coll"]
            u = self.uid(name)
            if not u:
                continue
            oid = RES[coll]["retrieve"]
            status, got = self.call(oid, u)
            if status == 200 and isinstance(got, dict):
                self.check_identity(oid, coll, got, u)
                if name + "@sent" in self.g:
                    self.check_echo(oid, "GET %s/%s" % (coll, u),
                                    self.g[name + "@sent"], got)
                fresh[name] = got

        def has(holder, member, name, coll_oid):
            h = fresh.get(holder)
            u = self.uid(name)
            if h is None or u is None:
                return
            got = h.get(member)
            got_ids = ids(got) if isinstance(got, list) else []
            if u not in got_ids:
                self.f.add(coll_oid, "GET %s/%s" % (
                    self.g[holder + "@coll"], self.uid(holder)),
                    "%s to list %s (%s)" % (member, name, u), _short(got))

        p, kc = RES["partijen"]["retrieve"], RES["klantcontacten"]["retrieve"]
        has("persoon", "betrokkenen", "bet", p)
        has("persoon", "digitaleAdressen", "da_mail", p)
        has("persoon", "digitaleAdressen", "da_tel", p)
        has("persoon", "rekeningnummers", "rek", p)
        has("persoon", "categorieRelaties", "catrel", p)
        has("persoon", "partijIdentificatoren", "pid_bsn", p)
        has("org", "partijIdentificatoren", "pid_kvk", p)
        has("org", "partijIdentificatoren", "pid_vest", p)
        # "Partijen die een andere partijen vertegenwoordigden": the
        # document leaves the direction open; either holder will do.
        a, b = fresh.get("persoon2"), fresh.get("persoon")
        if a and b and self.uid("persoon") not in ids(
                a.get("vertegenwoordigden") or []) and self.uid(
                "persoon2") not in ids(b.get("vertegenwoordigden") or []):
            self.f.add(p, "GET partijen (persoon, persoon2)",
                       "vertegenwoordigden to link the two",
                       "%s / %s" % (_short(a.get("vertegenwoordigden")),
                                    _short(b.get("vertegenwoordigden"))))
        has("kc1", "hadBetrokkenen", "bet", kc)
        has("kc1", "gingOverOnderwerpobjecten", "oo", kc)
        has("kc1", "omvatteBijlagen", "bijlage", kc)
        has("kc1", "leiddeTotInterneTaken", "taak", kc)
        has("kc1", "hadBetrokkenActoren", "mdw", kc)
        has("bet", "digitaleAdressen", "da_bet", RES["betrokkenen"]
            ["retrieve"])
        has("kc3", "hadBetrokkenen", "bet3", kc)
        has("kc3", "gingOverOnderwerpobjecten", "oo3", kc)
        has("persoon", "betrokkenen", "bet3", p)
        # volledigeNaam (read-only) is made from the contactnaam.
        for name, get in (
                ("bet", lambda o: o.get("volledigeNaam")),
                ("persoon", lambda o: (o.get("partijIdentificatie") or {})
                 .get("volledigeNaam")),
                ("cp", lambda o: (o.get("partijIdentificatie") or {})
                 .get("volledigeNaam"))):
            o = fresh.get(name)
            if o is None:
                continue
            want = "Vries" if name != "cp" else "Dijk"
            if want not in (get(o) or ""):
                self.f.add(RES[self.g[name + "@coll"]]["retrieve"],
                           "GET %s/%s" % (self.g[name + "@coll"],
                                          self.uid(name)),
                           "volledigeNaam with %r" % want, get(o))
        cr = fresh.get("catrel")
        if cr and (cr.get("categorie") or {}).get("naam") != "Afval":
            self.f.add(RES["categorie-relaties"]["retrieve"], "catrel",
                       "categorie.naam 'Afval'", _short(cr.get("categorie")))
        self.done()

    # -- 4: lists and pagination --

    def walk(self, oid, page_size, query=None):
        """Follows `next` from the first page; returns the uuids in order
        and the count of the first page, or None on a failure."""
        q = dict(query or {})
        q["pageSize"] = page_size
        status, first = self.call(oid, query=q)
        if status != 200 or not isinstance(first, dict):
            return None, None
        count = first.get("count")
        seen = ids(first.get("results") or [])
        page, pages = first, 1
        req = "GET " + self.path_of(oid, query=q)
        if page.get("previous") is not None:
            self.f.add(oid, req, "previous null on the first page",
                       page.get("previous"))
        while page.get("next"):
            u = urllib.parse.urlsplit(page["next"])
            if (u.scheme, u.netloc) != ("http", "%s:%d" % (
                    self.srv.host, self.srv.port)) or not u.path.startswith(
                    BASE):
                self.f.add(oid, req, "next on this server, under %s" % BASE,
                           page["next"])
                return None, None
            this_url = self.srv.base_url + u.path + (
                "?" + u.query if u.query else "")
            status, nxt = self.call(oid, path=u.path + (
                "?" + u.query if u.query else ""))
            if status != 200 or not isinstance(nxt, dict):
                return None, None
            pages += 1
            if nxt.get("count") != count:
                self.f.add(oid, this_url, "count %s on every page" % count,
                           nxt.get("count"))
            if not nxt.get("previous"):
                self.f.add(oid, this_url, "a previous link on page %d" %
                           pages, nxt.get("previous"))
            seen += ids(nxt.get("results") or [])
            page = nxt
            if pages > 200:
                self.f.add(oid, req, "an end to next", "over 200 pages")
                return None, None
        if len(page.get("results") or []) > page_size:
            self.f.add(oid, req, "at most %d results a page" % page_size,
                       len(page.get("results") or []))
        return seen, count

    def test_04_lists(self):
        """count/next/previous; a walk with a small pageSize has no gaps
        or duplicates and matches one big page; page=N is the walk's Nth
        page; everything created is listed."""
        made = {}
        for name in (k for k in self.g if "@" not in k and self.g[k]):
            if self.uid(name):
                made.setdefault(self.g[name + "@coll"], set()).add(
                    self.uid(name))
        for coll in sorted(RES):
            oid = RES[coll].get("list")
            if not oid:
                continue
            status, full = self.call(oid, query={"pageSize": 500})
            if status != 200 or not isinstance(full, dict):
                continue
            all_ids = ids(full.get("results") or [])
            req = "GET " + self.path_of(oid, query={"pageSize": 500})
            if full.get("count") != len(all_ids):
                self.f.add(oid, req, "count == len(results) = %d" %
                           len(all_ids), full.get("count"))
            if full.get("next") is not None:
                self.f.add(oid, req, "next null (one page)",
                           full.get("next"))
            missing = made.get(coll, set()) - set(all_ids)
            if missing:
                self.f.add(oid, req, "created items listed", "missing " +
                           ", ".join(sorted(missing)))
            size = 2 if len(all_ids) >= 3 else 1
            seen, count = self.walk(oid, size)
            if seen is None:
                continue
            wreq = "walk pageSize=%d" % size
            if len(seen) != len(set(seen)):
                self.f.add(oid, wreq, "no duplicates", sorted(
                    {x for x in seen if seen.count(x) > 1}))
            if set(seen) != set(all_ids) or count != len(all_ids):
                self.f.add(oid, wreq, "the %d items of one big page" %
                           len(all_ids), "%d items, count %s, gaps %s" % (
                               len(set(seen)), count,
                               sorted(set(all_ids) - set(seen))))
            if len(all_ids) > size:
                q = {"page": 2, "pageSize": size}
                status, p2 = self.call(oid, query=q)
                if status == 200 and isinstance(p2, dict):
                    want = seen[size:2 * size]
                    if ids(p2.get("results") or []) != want:
                        self.f.add(oid, "GET " + self.path_of(oid, query=q),
                                   "results %s" % want,
                                   ids(p2.get("results") or []))
                    if not p2.get("previous"):
                        self.f.add(oid, "GET " + self.path_of(oid, query=q),
                                   "a previous link", p2.get("previous"))
            # Odd paging parameters: the document only says "integer"
            # (pageSize at most 500); answered, never a 5xx.
            for q in ({"pageSize": 0}, {"pageSize": -1}, {"pageSize": "x"},
                      {"pageSize": 501}, {"page": 0}, {"page": "x"},
                      {"page": 99999}):
                status, got = self.call(oid, query=q,
                                        expect=(200, 400, 404))
                if status == 200 and isinstance(got, dict) and len(
                        got.get("results") or []) > 500:
                    self.f.add(oid, "GET " + self.path_of(oid, query=q),
                               "at most 500 results", len(got["results"]))
        self.done()

    # -- 5: every filter of every list --

    def list_all(self, oid, query):
        q = dict(query)
        q["pageSize"] = 500
        status, got = self.call(oid, query=q)
        if status != 200 or not isinstance(got, dict):
            return None
        res = got.get("results") or []
        if got.get("count") != len(res) or got.get("next") is not None:
            self.f.add(oid, "GET " + self.path_of(oid, query=q),
                       "count %d and no next (one page of 500)" % len(res),
                       "count %s, next %s" % (got.get("count"),
                                              got.get("next")))
        return res

    def test_05_filters(self):
        """Every filter in the document is accepted (200, a valid body);
        one that matches nothing gives count 0 (so it is applied); one
        taken from an existing item finds that item and only matching
        ones; the relation filters the graph can answer find the right
        items."""
        for coll in sorted(RES):
            oid = RES[coll].get("list")
            if not oid:
                continue
            everything = self.list_all(oid, {})
            if everything is None:
                continue  # the list itself failed (recorded)
            for p in DOC.query_params(oid):
                name = p["name"]
                if name in ("page", "pageSize", "expand"):
                    continue
                self.filter_param(oid, coll, p, everything)
        self.relation_filters()
        self.done()

    def filter_param(self, oid, coll, p, everything):
        name = p["name"]
        s = DOC.param_schema(p)
        fmt, typ, enum = s.get("format"), s.get("type"), s.get("enum")
        op_ = ""
        field = name
        for suffix in ("__icontains", "__gte", "__gt", "__lte", "__lt"):
            if name.endswith(suffix):
                field, op_ = name[:-len(suffix)], suffix[2:]
        # 1. No match: applied at all?
        nomatch = None
        if fmt == "uuid":
            nomatch = str(uuidlib.uuid4())
        elif fmt == "uri":
            rel = name.rsplit("__", 1)[0].split("__")[-1]
            nomatch = self.url_of(RELATION.get(rel, coll),
                                  str(uuidlib.uuid4()))
        elif fmt == "date":
            nomatch = "2999-01-01" if op_ in ("", "gt", "gte") else \
                "1900-01-01"
        elif fmt == "date-time":
            nomatch = "1900-01-01T00:00:00Z"
        elif typ == "string" and not enum:
            nomatch = NO_MATCH
        if nomatch is not None:
            q = {name: nomatch}
            res = self.list_all(oid, q)
            if res is not None and len(res) != 0:
                self.f.add(oid, "GET " + self.path_of(oid, query=q),
                           "no results (the filter matches nothing)",
                           "%d results" % len(res))
        else:
            # Booleans and enums: every value is accepted.
            for v in (enum or (["true", "false"] if typ == "boolean"
                               else ["1"])):
                res = self.list_all(oid, {name: v})
                if res is None:
                    continue
                for item in res:
                    got = resolve(item, field)
                    if got is not MISSING and qvalue(got) != v:
                        self.f.add(oid, "GET " + self.path_of(
                            oid, query={name: v}), "only %s=%s" % (field, v),
                            "%s %s=%r" % (item.get("uuid"), field, got))
                        break
        # 2. A value from an existing item finds it.
        seed = None
        for item in everything:
            v = resolve(item, field)
            if v is not MISSING and v is not None and v != "":
                seed = item
                break
        if seed is None:
            if name not in self.RELATION_FILTERS.get(oid, {}):
                self.warnings.append("%s: no item to try filter %s on" %
                                     (oid, name))
            return
        v = resolve(seed, field)
        value = qvalue(v)
        if fmt == "date-time":
            value = v
        q = {name: value}
        res = self.list_all(oid, q)
        if res is None:
            return
        req = "GET " + self.path_of(oid, query=q)
        got_ids = ids(res)
        if op_ in ("gt", "lt"):
            if seed["uuid"] in got_ids:
                self.f.add(oid, req, "not %s (its %s is equal)" %
                           (seed["uuid"], field), "listed")
        elif seed["uuid"] not in got_ids:
            self.f.add(oid, req, "%s listed (its %s is %r)" % (
                seed["uuid"], field, v), "%d results without it" % len(res))
        for item in res:
            g = resolve(item, field)
            if g is MISSING:
                continue
            ok = True
            if op_ in ("", "icontains") and isinstance(v, str) and \
                    fmt not in ("date-time",):
                ok = isinstance(g, str) and (
                    value.lower() in g.lower() if typ == "string" and
                    fmt is None and not enum else g == value)
            elif isinstance(v, bool):
                ok = g == v
            elif op_ in ("gt", "gte", "lt", "lte") and g is not None:
                ok = {"gt": g > v, "gte": g >= v, "lt": g < v,
                      "lte": g <= v}[op_]
            if not ok:
                self.f.add(oid, req, "only items whose %s matches %r" %
                           (field, value), "%s has %r" % (item.get("uuid"),
                                                          g))
                break

    # Relation filters no item member names directly:
    # oid -> {param: (graph name whose value to use, how, expected item)}.
    RELATION_FILTERS = {
        "klantcontactenList": {
            "hadBetrokkene__uuid": ("bet", "uuid", "kc1"),
            "hadBetrokkene__url": ("bet", "url", "kc1"),
            "hadBetrokkene__wasPartij__uuid": ("persoon", "uuid", "kc1"),
            "hadBetrokkene__wasPartij__url": ("persoon", "url", "kc1"),
            "hadBetrokkene__wasPartij__partijIdentificator__objectId":
                (None, BSN, "kc1"),
            "hadBetrokkene__digitaaladres__adres__icontains":
                (None, "werk.example", "kc1"),
            "onderwerpobject__uuid": ("oo", "uuid", "kc1"),
            "onderwerpobject__url": ("oo", "url", "kc1"),
            "onderwerpobject__onderwerpobjectidentificatorObjectId":
                (None, "ZAAK-2026-0001", "kc1"),
            "wasOnderwerpobject__uuid": ("oo", "uuid", "kc0"),
            "wasOnderwerpobject__url": ("oo", "url", "kc0"),
            "wasOnderwerpobject__onderwerpobjectidentificatorObjectId":
                (None, "ZAAK-2026-0001", "kc0"),
            "hadBetrokkene__wasPartij": (None, "true", "kc1"),
            "hadBetrokkene__wasPartij__partijIdentificator__codeObjecttype":
                (None, "natuurlijk_persoon", "kc1"),
            "hadBetrokkene__wasPartij__partijIdentificator__codeRegister":
                (None, "brp", "kc1"),
            "hadBetrokkene__wasPartij__partijIdentificator__"
            "codeSoortObjectId": (None, "bsn", "kc1"),
            "onderwerpobject__onderwerpobjectidentificatorCodeObjecttype":
                (None, "zaak", "kc1"),
            "onderwerpobject__onderwerpobjectidentificatorCodeRegister":
                (None, "openzaak", "kc1"),
            "onderwerpobject__onderwerpobjectidentificatorCodeSoortObjectId":
                (None, "identificatie", "kc1"),
            "wasOnderwerpobject__onderwerpobjectidentificatorCodeObjecttype":
                (None, "zaak", "kc0"),
            "wasOnderwerpobject__onderwerpobjectidentificatorCodeRegister":
                (None, "openzaak", "kc0"),
            "wasOnderwerpobject__"
            "onderwerpobjectidentificatorCodeSoortObjectId":
                (None, "identificatie", "kc0"),
            "leiddeTotInterneTaken": (None, "true", "kc1"),
        },
        "betrokkenenList": {
            "wasPartij__partijIdentificator__objectId": (None, BSN, "bet"),
            "wasPartij__partijIdentificator__codeObjecttype":
                (None, "natuurlijk_persoon", "bet"),
            "wasPartij__partijIdentificator__codeRegister":
                (None, "brp", "bet"),
            "wasPartij__partijIdentificator__codeSoortObjectId":
                (None, "bsn", "bet"),
            "wasPartij__nummer": ("persoon", "member:nummer", "bet"),
            "hadKlantcontact__nummer": ("kc1", "member:nummer", "bet"),
            "verstrektedigitaalAdres__uuid": ("da_bet", "uuid", "bet"),
            "verstrektedigitaalAdres__url": ("da_bet", "url", "bet"),
            "verstrektedigitaalAdres__adres":
                (None, "j.de.vries@werk.example.nl", "bet"),
            "hadKlantcontact__referentienummer": (None, "KC-0001", "bet"),
        },
        "digitaleadressenList": {
            "verstrektDoorPartij__partijIdentificator__objectId":
                (None, BSN, "da_mail"),
            "verstrektDoorPartij__partijIdentificator__codeObjecttype":
                (None, "natuurlijk_persoon", "da_mail"),
            "verstrektDoorPartij__partijIdentificator__codeRegister":
                (None, "brp", "da_mail"),
            "verstrektDoorPartij__partijIdentificator__codeSoortObjectId":
                (None, "bsn", "da_mail"),
            "verstrektDoorPartij__soortPartij": (None, "persoon", "da_mail"),
            "isGeverifieerd": (None, "true", "da_mail"),
            "verstrektDoorBetrokkene__rol": (None, "klant", "da_bet"),
        },
        "partijenList": {
            "partijIdentificator__objectId": (None, BSN, "persoon"),
            "partijIdentificator__codeSoortObjectId":
                (None, "kvk_nummer", "org"),
            "partijIdentificator__codeRegister": (None, "brp", "persoon"),
            "partijIdentificator__codeObjecttype":
                (None, "natuurlijk_persoon", "persoon"),
            "subIdentificatorVan__codeObjecttype":
                (None, "niet_natuurlijk_persoon", "org"),
            "subIdentificatorVan__codeRegister": (None, "hr", "org"),
            "subIdentificatorVan__codeSoortObjectId":
                (None, "kvk_nummer", "org"),
            # The document does not say which side of the
            # vertegenwoordiging this finds; either will do.
            "vertegenwoordigdePartij__uuid":
                ("persoon", "uuid", ("persoon", "persoon2")),
            "vertegenwoordigdePartij__url":
                ("persoon", "url", ("persoon", "persoon2")),
            "categorierelatie__categorie__naam": (None, "Afval", "persoon"),
            "subIdentificatorVan__objectId": (None, "12345678", "org"),
        },
        "internetakenList": {
            "klantcontact__uuid": ("kc1", "uuid", "taak"),
            "toegewezenAanActor__uuid": ("mdw", "uuid", "taak"),
            "toegewezenAanActor__url": ("mdw", "url", "taak"),
            "actoren__naam": (None, "Fatima el Amrani", "taak"),
            "klantcontact__referentienummer": (None, "KC-0001", "taak"),
            "klantcontact__nummer": ("kc1", "member:nummer", "taak"),
        },
        "categorieRelatiesList": {
            "partij__nummer": ("persoon", "member:nummer", "catrel"),
        },
        "bijlagenList": {
            "klantcontact__uuid": ("kc1", "uuid", "bijlage"),
        },
        "actorklantcontactenList": {
            "actor__uuid": ("mdw", "uuid", "akc"),
            "klantcontact__uuid": ("kc1", "uuid", "akc"),
        },
    }

    def relation_filters(self):
        for oid, table in sorted(self.RELATION_FILTERS.items()):
            known = {p["name"] for p in DOC.query_params(oid)}
            for name, (src, how, want) in sorted(table.items()):
                if name not in known:
                    continue  # another version of the document
                if src is not None:
                    got = self.g.get(src)
                    if not got:
                        continue
                    if how.startswith("member:"):
                        value = got.get(how[7:])
                        if value in (None, ""):
                            self.warnings.append(
                                "%s: %s has no %s to try filter %s on" % (
                                    oid, src, how[7:], name))
                            continue
                    elif how == "uuid":
                        value = got.get("uuid")
                    else:
                        value = self.url_of(self.g[src + "@coll"],
                                            got.get("uuid"))
                else:
                    value = how
                wants = want if isinstance(want, tuple) else (want,)
                uids = [self.uid(w) for w in wants if self.uid(w)]
                if not uids:
                    continue
                res = self.list_all(oid, {name: value})
                if res is not None and not set(uids) & set(ids(res)):
                    self.f.add(oid, "GET " + self.path_of(
                        oid, query={name: value}), "%s (%s) listed" % (
                            " or ".join(wants), ", ".join(uids)),
                        "%d results without it" % len(res))

    # -- 6: expand --

    def test_06_expand(self):
        """Every `expand` value of the document, on the list and on a
        retrieve: _expand holds the relation, each expanded item is the
        related resource and valid; all values at once (style form,
        explode false: comma-separated) work too."""
        holders = {"klantcontacten": "kc1", "partijen": "persoon",
                   "betrokkenen": "bet", "digitaleadressen": "da_bet"}
        for coll, name in sorted(holders.items()):
            for kind in ("retrieve", "list"):
                oid = RES.get(coll, {}).get(kind)
                if not oid or not self.uid(name):
                    continue
                values = DOC.expand_values(oid)
                for v in values + ([",".join(values)] if len(values) > 1
                                   else []):
                    q = {"expand": v}
                    if kind == "list":
                        q["pageSize"] = 500
                    status, got = self.call(oid, self.uid(name), query=q)
                    if status != 200 or not isinstance(got, dict):
                        continue
                    item = got
                    if kind == "list":
                        item = next((x for x in got.get("results") or []
                                     if x.get("uuid") == self.uid(name)),
                                    None)
                        if item is None:
                            continue
                    req = "GET " + self.path_of(oid, self.uid(name), q)
                    for one in v.split(","):
                        self.check_expanded(oid, req, item, one.split("."))
        self.done()

    def check_expanded(self, oid, req, item, chain):
        rel = chain[0]
        exp = item.get("_expand")
        if not isinstance(exp, dict) or rel not in exp:
            self.f.add(oid, req, "_expand.%s" % rel, _short(exp))
            return
        got = exp[rel]
        ref = item.get(rel)
        if isinstance(ref, list):
            if not isinstance(got, list) or sorted(ids(got)) != sorted(
                    ids(ref)):
                self.f.add(oid, req, "_expand.%s: the items %s" % (
                    rel, ids(ref)), _short(got))
                return
            targets = got
        else:
            want = (ref or {}).get("uuid") if isinstance(ref, dict) else None
            if (got or {}).get("uuid") != want if got is not None else \
                    want is not None:
                self.f.add(oid, req, "_expand.%s: the item %s" % (rel, want),
                           _short(got))
                return
            targets = [got] if got is not None else []
        comp = EXPANDED.get(rel)
        for t in targets:
            if comp:
                try:
                    DOC.validate_component(t, comp, "%s _expand.%s" % (
                        oid, rel))
                except kischema.SchemaError as e:
                    self.f.add(oid, req, "_expand.%s valid as %s" % (
                        rel, comp), "invalid", e)
                    return
            if len(chain) > 1:
                self.check_expanded(oid, req, t, chain[1:])
        if not targets and len(chain) > 1:
            self.warnings.append("%s: %s: nothing to expand %s into" % (
                oid, req, ".".join(chain)))

    # -- 7: PUT, PATCH and DELETE on items made for it --

    def throwaway(self, coll):
        """A fresh item of `coll` and the body that made it."""
        body = self.throwaway_body(coll)
        if not body:
            self.f.add(RES[coll]["create"], coll, "the items it refers to",
                       "not created")
            return None, None
        got = self.create("tmp_" + coll, coll, body)
        return got, body

    def throwaway_body(self, coll):
        u = lambda n: self.uid(n)  # noqa: E731
        n = len(self.g)
        bodies = {
            "categorieen": lambda: {"naam": "Tijdelijk %d" % n},
            "actoren": lambda: actor_body(
                "medewerker", "Tijdelijk %d" % n,
                {"functie": "Invaller", "emailadres": "t%d@example.nl" % n,
                 "telefoonnummer": "0301234567"}),
            "partijen": lambda: partij_body(
                "persoon", {"contactnaam": contactnaam(
                    "T.", "Tijs", "", "Tijdelijk")},
                interneNotitie="wegwerp"),
            "partij-identificatoren": lambda: self.fresh_partij(n) and {
                "identificeerdePartij": fk(self.fresh_partij(n)),
                "partijIdentificator": {
                    "codeObjecttype": "natuurlijk_persoon",
                    "codeSoortObjectId": "bsn",
                    "objectId": SPARE_BSNS[n % len(SPARE_BSNS)],
                    "codeRegister": "brp"}},
            "digitaleadressen": lambda: u("persoon2") and {
                "verstrektDoorBetrokkene": None,
                "verstrektDoorPartij": fk(u("persoon2")),
                "adres": "anouk%d@example.nl" % n,
                "soortDigitaalAdres": "email", "isStandaardAdres": False,
                "omschrijving": "oud", "referentie": "tmp-%d" % n,
                "verificatieDatum": "2025-12-01"},
            "rekeningnummers": lambda: u("persoon2") and {
                "partij": fk(u("persoon2")), "iban": IBAN_OTHER,
                "bic": "RABONL2U"},
            "vertegenwoordigingen": lambda: u("org") and u("cp") and {
                "vertegenwoordigendePartij": fk(u("cp")),
                "vertegenwoordigdePartij": fk(u("org"))},
            "categorie-relaties": lambda: u("persoon2") and u("cat1") and {
                "partij": fk(u("persoon2")), "categorie": fk(u("cat1")),
                "beginDatum": "2026-02-01", "eindDatum": None},
            "klantcontacten": lambda: klantcontact_body(
                "Tijdelijk contact", referentienummer="KC-9%03d" % n),
            "betrokkenen": lambda: u("kc0") and {
                "wasPartij": fk(u("persoon2")) if u("persoon2") else None,
                "hadKlantcontact": fk(u("kc0")), "bezoekadres": None,
                "correspondentieadres": None,
                "contactnaam": contactnaam("A.", "Anouk", "", "Bakker"),
                "rol": "klant", "organisatienaam": "", "initiator": True},
            "onderwerpobjecten": lambda: u("kc0") and {
                "klantcontact": fk(u("kc0")), "wasKlantcontact": None,
                "onderwerpobjectidentificator": ident("ZAAK-2026-0099")},
            "bijlagen": lambda: u("kc0") and {
                "wasBijlageVanKlantcontact": fk(u("kc0")),
                "bijlageidentificator": ident("DOC-99")},
            "actorklantcontacten": lambda: u("kc0") and u("bot") and {
                "actor": fk(u("bot")), "klantcontact": fk(u("kc0"))},
            "internetaken": lambda: u("kc0") and u("team") and {
                "gevraagdeHandeling": "Doorzetten naar backoffice",
                "aanleidinggevendKlantcontact": fk(u("kc0")),
                "toegewezenAanActoren": [fk(u("team"))],
                "toelichting": "Wegwerp", "status": "te_verwerken"},
        }
        return bodies[coll]()

    def fresh_partij(self, n):
        """A partij of its own (a partij has one identificator of a
        kind)."""
        name = "tmp_partij_%d" % n
        if name not in self.g:
            self.g[name] = None
            self.create(name, "partijen", partij_body(
                "persoon", {"contactnaam": contactnaam(
                    "K.", "Kees", "", "Kwast %d" % n)}))
        return self.uid(name)

    # One member to change per collection, for PUT and PATCH.
    CHANGES = {
        "categorieen": {"naam": "Gewijzigd"},
        "actoren": {"naam": "Gewijzigde naam", "indicatieActief": False},
        "partijen": {"interneNotitie": "Gewijzigd", "voorkeurstaal": "eng"},
        "partij-identificatoren": {"anderePartijIdentificator": "oud-nr-7"},
        "digitaleadressen": {"omschrijving": "nieuw", "isStandaardAdres":
                             True},
        "rekeningnummers": {"bic": "INGBNL2A"},
        "vertegenwoordigingen": {},  # filled in: another party
        "categorie-relaties": {"eindDatum": "2026-12-31"},
        "klantcontacten": {"onderwerp": "Gewijzigd onderwerp",
                           "vertrouwelijk": True},
        "betrokkenen": {"organisatienaam": "Gewijzigd", "initiator": False},
        "onderwerpobjecten": {"onderwerpobjectidentificator":
                              ident("ZAAK-2026-0100")},
        "bijlagen": {"bijlageidentificator": ident("DOC-100")},
        "actorklantcontacten": {},  # filled in: another actor
        "internetaken": {"toelichting": "Gewijzigd", "status": "verwerkt"},
    }
    # Members a change may legitimately alter besides the changed ones.
    DERIVED = {"partijen": {"_expand"}, "betrokkenen": {"volledigeNaam"},
               "internetaken": {"afgehandeldOp"}}

    def patch_for(self, coll):
        """One member, changed again after the PUT."""
        u = self.uid
        return {
            "categorieen": {"naam": "Nogmaals"},
            "actoren": {"naam": "Weer anders"},
            "partijen": {"interneNotitie": "Gepatcht"},
            "partij-identificatoren": {"anderePartijIdentificator":
                                       "oud-nr-8"},
            "digitaleadressen": {"omschrijving": "gepatcht"},
            "rekeningnummers": {"bic": "RABONL2U"},
            "vertegenwoordigingen": u("persoon2") and {
                "vertegenwoordigdePartij": fk(u("persoon2"))},
            "categorie-relaties": {"beginDatum": "2026-03-01"},
            "klantcontacten": {"inhoud": "Aangevuld na terugbellen"},
            "betrokkenen": {"organisatienaam": "Gepatcht"},
            "onderwerpobjecten": {"onderwerpobjectidentificator":
                                  ident("ZAAK-2026-0101")},
            "bijlagen": {"bijlageidentificator": ident("DOC-101")},
            "actorklantcontacten": u("mdw") and {"actor": fk(u("mdw"))},
            "internetaken": {"toelichting": "Nog eens gewijzigd"},
        }[coll]

    def changes(self, coll):
        ch = dict(self.CHANGES[coll])
        if coll == "vertegenwoordigingen" and self.uid("persoon"):
            ch["vertegenwoordigdePartij"] = fk(self.uid("persoon"))
        if coll == "actorklantcontacten" and self.uid("team"):
            ch["actor"] = fk(self.uid("team"))
        return ch

    def test_07_update(self):
        """PUT replaces (and fails, per the document, without a required
        member); PATCH changes only what it is sent; both are what a
        following GET returns."""
        for coll in ORDER:
            ops = RES.get(coll, {})
            if "update" not in ops and "partial" not in ops:
                continue
            item, body = self.throwaway(coll)
            if not item:
                continue
            u = item["uuid"]
            ch = self.changes(coll)
            derived = self.DERIVED.get(coll, set())
            if "update" in ops:
                oid = ops["update"]
                put = dict(body, **ch)
                status, got = self.call(oid, u, body=put)
                if status == 200 and isinstance(got, dict):
                    self.check_identity(oid, coll, got, u)
                    self.check_echo(oid, "PUT %s/%s" % (coll, u), put, got)
                    self.after(coll, u, oid, put)
                # Optional members left out of a PUT stay (the document's
                # description of PUT).
                req = DOC.writable_required(oid, put)
                minimal = {k: v for k, v in put.items() if k in req}
                status, before = self.call(ops["retrieve"], u)
                status, got = self.call(oid, u, body=minimal)
                if status == 200 and isinstance(before, dict) and \
                        isinstance(got, dict):
                    self.same_except(oid, "PUT %s/%s %s" % (
                        coll, u, _short(minimal)), before, got, derived)
                # A required member missing.
                if req:
                    broken = {k: v for k, v in put.items() if k != req[0]}
                    self.call(oid, u, body=broken,
                              expect=VALIDATION_STATUSES, check_request=False)
                    status, still = self.call(ops["retrieve"], u)
                    if isinstance(still, dict) and isinstance(got, dict):
                        self.same_except(oid, "after a failed PUT", got,
                                         still, derived)
                else:
                    self.warnings.append("%s: the document requires no "
                                         "member; no missing-member PUT" %
                                         oid)
            if "partial" in ops:
                oid = ops["partial"]
                status, before = self.call(ops["retrieve"], u)
                patch = self.patch_for(coll)
                if not patch:
                    continue
                status, got = self.call(oid, u, body=patch)
                if status == 200 and isinstance(got, dict) and \
                        isinstance(before, dict):
                    self.check_echo(oid, "PATCH %s/%s" % (coll, u), patch,
                                    got)
                    self.same_except(oid, "PATCH %s/%s %s" % (
                        coll, u, _short(patch)), before, got,
                        derived | set(patch))
                    self.after(coll, u, oid, patch)
        self.done()

    def test_07b_default_address(self):
        """Per partij and soortDigitaalAdres one isStandaardAdres: marking
        another one turns the first off (the document's description of
        isStandaardAdres)."""
        coll = "digitaleadressen"
        owner = self.fresh_partij(len(self.g))
        if not owner:
            return self.done()

        def address(i, standaard):
            return self.create("std_%d_%d" % (len(self.g), i), coll, {
                "verstrektDoorBetrokkene": None,
                "verstrektDoorPartij": fk(owner),
                "adres": "standaard%d.%d@example.nl" % (i, len(self.g)),
                "soortDigitaalAdres": "email", "isStandaardAdres": standaard,
                "omschrijving": "", "referentie": "std-%d" % i,
                "verificatieDatum": None})

        a = address(1, True)
        b = address(2, True)
        phone = self.create("std_phone_%d" % len(self.g), coll, {
            "verstrektDoorPartij": fk(owner), "adres": "0687654321",
            "soortDigitaalAdres": "telefoonnummer", "isStandaardAdres": True})
        if not (a and b and phone):
            return self.done()
        oid = RES[coll]["retrieve"]
        for item, want in ((a, False), (b, True), (phone, True)):
            status, got = self.call(oid, item["uuid"])
            if isinstance(got, dict) and got.get("isStandaardAdres") != want:
                self.f.add(oid, "GET %s/%s (%s)" % (coll, item["uuid"],
                                                    item.get("adres")),
                           "isStandaardAdres %s after a second standard "
                           "e-mail address" % want,
                           got.get("isStandaardAdres"))
        # And back, by PATCH.
        status, _ = self.call(RES[coll]["partial"], a["uuid"],
                              body={"isStandaardAdres": True})
        status, got = self.call(oid, b["uuid"])
        if isinstance(got, dict) and got.get("isStandaardAdres") is not False:
            self.f.add(RES[coll]["partial"], "PATCH %s/%s "
                       "isStandaardAdres=true" % (coll, a["uuid"]),
                       "the other e-mail address no longer standard",
                       got.get("isStandaardAdres"))
        self.done()

    def after(self, coll, u, oid, sent):
        status, got = self.call(RES[coll]["retrieve"], u)
        if status == 200 and isinstance(got, dict):
            self.check_echo(oid, "GET %s/%s after %s" % (coll, u, oid),
                            sent, got)

    def same_except(self, oid, req, before, after, skip):
        for k in sorted(set(before) | set(after)):
            if k in skip:
                continue
            if before.get(k, MISSING) != after.get(k, MISSING):
                self.f.add(oid, req, "%s unchanged (%s)" % (
                    k, _short(before.get(k))), _short(after.get(k)))

    def test_08_delete(self):
        """DELETE answers as the document says, and then the item is
        gone: GET and a second DELETE give 404."""
        for coll in ORDER:
            ops = RES.get(coll, {})
            if "destroy" not in ops:
                continue
            item, _ = self.throwaway(coll)
            if not item:
                continue
            u = item["uuid"]
            status, _ = self.call(ops["destroy"], u)
            if status is None or not 200 <= status < 300:
                continue
            self.call(ops["retrieve"], u, expect=(404,))
            self.call(ops["destroy"], u, expect=(404,))
            if "list" in ops:
                res = self.list_all(ops["list"], {})
                if res is not None and u in ids(res):
                    self.f.add(ops["list"], "after DELETE %s/%s" % (coll, u),
                               "not listed", "listed")
        # onderwerpobjecten: the document's cascade parameter.
        oid = RES.get("onderwerpobjecten", {}).get("destroy")
        if oid and any(p["name"] == "cascade" for p in DOC.query_params(oid)):
            item, _ = self.throwaway("onderwerpobjecten")
            if item:
                self.call(oid, item["uuid"], query={"cascade": "true"})
                self.call(RES["onderwerpobjecten"]["retrieve"], item["uuid"],
                          expect=(404,))
        self.done()

    # -- 9: unknown and malformed ids, on every item operation --

    def test_09_not_found(self):
        """An unknown uuid gives 404 on every item operation; a malformed
        one gives 400 or 404; both with a valid error body."""
        unknown = str(uuidlib.uuid4())
        for oid, op in sorted(DOC.ops.items()):
            if "{uuid}" not in op["path"]:
                continue
            coll = op["path"].strip("/").split("/")[0]
            body = None
            if op["method"] in ("PUT", "PATCH"):
                tmp = self.g.get("tmp_" + coll + "@sent")
                body = tmp or {}
            self.call(oid, unknown, body=body, expect=(404,),
                      check_request=False)
            for bad in ("not-a-uuid", "12345", unknown[:-1] + "g"):
                self.call(oid, bad, body=body,
                          expect=MALFORMED_UUID_STATUSES,
                          check_request=False)
        self.done()

    # -- 10: confidential klantcontacten --

    def test_10_confidential(self):
        """A caller without the confidential scope cannot tell a
        confidential klantcontact from an unknown one: 404 on retrieve,
        absent from the list and from its count, a valid error body."""
        if not self.need("kc2", "kc1"):
            return self.done()
        kc2, kc1 = self.uid("kc2"), self.uid("kc1")
        ops = RES["klantcontacten"]
        self.call(ops["retrieve"], kc2, auth="plain", expect=(404,))
        self.call(ops["retrieve"], kc1, auth="plain")
        status, plain = self.call(ops["list"], query={"pageSize": 500},
                                  auth="plain")
        status2, full = self.call(ops["list"], query={"pageSize": 500})
        if isinstance(plain, dict) and isinstance(full, dict):
            got = ids(plain.get("results") or [])
            if kc2 in got or kc1 not in got:
                self.f.add(ops["list"], "GET klantcontacten (no "
                           "confidential scope)", "kc1 listed, kc2 not",
                           got)
            if plain.get("count") != len(got) or plain.get(
                    "count") >= full.get("count", 0):
                self.f.add(ops["list"], "GET klantcontacten (no "
                           "confidential scope)", "a count without kc2 "
                           "(full list: %s)" % full.get("count"),
                           plain.get("count"))
        q = {"vertrouwelijk": "true", "pageSize": 500}
        status, hidden = self.call(ops["list"], query=q, auth="plain")
        if isinstance(hidden, dict) and hidden.get("count") != 0:
            self.f.add(ops["list"], "GET %s (no confidential scope)" %
                       self.path_of(ops["list"], query=q), "count 0",
                       hidden.get("count"))
        # A reference to it in a body is refused exactly as an unknown
        # uuid is.
        if self.need("persoon"):
            answers = []
            for ref in (kc2, str(uuidlib.uuid4())):
                body = {"wasPartij": fk(self.uid("persoon")),
                        "hadKlantcontact": fk(ref), "rol": "klant",
                        "initiator": False}
                status, got = self.call(RES["betrokkenen"]["create"],
                                        body=body, auth="plain",
                                        expect=VALIDATION_STATUSES)
                answers.append((status, sorted(
                    (p.get("name"), p.get("code")) for p in
                    (got or {}).get("invalidParams") or [])))
            if answers[0] != answers[1]:
                self.f.add(RES["betrokkenen"]["create"], "POST betrokkenen "
                           "hadKlantcontact=<confidential> (no confidential "
                           "scope)", "the answer to an unknown uuid %s" %
                           (answers[1],), answers[0])
        self.done()

    # -- 11: methods the document does not declare --

    def test_11_undeclared_methods(self):
        """A method the document does not declare for a path is refused
        (405, or 404), never carried out, and never a 5xx."""
        any_uuid = self.uid("kc1") or str(uuidlib.uuid4())
        for path, item in sorted(DOC.raw["paths"].items()):
            for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                if method.lower() in item:
                    continue
                p = BASE + path.replace("{uuid}", any_uuid)
                body = {} if method in ("POST", "PUT", "PATCH") else None
                try:
                    r = self.srv.request(method, p, json_body=body, headers={
                        "Authorization": "Token " + self.token})
                except Exception as e:
                    self.f.add("(undeclared)", "%s %s" % (method, p),
                               "405", "no response (%s)" % e)
                    continue
                if r.status not in (404, 405):
                    self.f.add("(undeclared)", "%s %s" % (method, p),
                               "405 (or 404)", r.status, _short(r.body))
        self.done()

    # -- 12: text is data --

    # Free-text members Loket may check for meaning (codes, addresses,
    # identifiers): left alone here.
    NOT_FREE_TEXT = {"kanaal", "taal", "voorkeurstaal", "adres", "objectId",
                     "codeObjecttype", "codeRegister", "codeSoortObjectId",
                     "referentienummer", "nummer", "faxnummer",
                     "anderePartijIdentificator", "huisnummertoevoeging"}

    def test_12_verbatim(self):
        """Every member the document types as free text (a string without
        format, pattern or enum), at its maxLength in characters, holding
        markup, quotes, an entity and a character outside the BMP, comes
        back exactly as sent, on create and on retrieve."""
        payload = "<script>alert(\"x\")</script> &amp; 'ë' \U0001d11e<b>"
        tried = 0
        for coll in ORDER:
            body = self.throwaway_body(coll)
            if not body:
                continue
            oid = RES[coll]["create"]
            members = [(path, n) for path, n in DOC.text_members(oid, body)
                       if path[-1] not in self.NOT_FREE_TEXT]
            if not members:
                continue
            body = json.loads(json.dumps(body))
            tried += len(members)
            for path, n in members:
                holder = body
                for k in path[:-1]:
                    holder = holder[k]
                text = (payload * (n // len(payload) + 1))[:n]
                holder[path[-1]] = text
            # One character over maxLength is refused.
            path, n = members[0]
            over = json.loads(json.dumps(body))
            holder = over
            for k in path[:-1]:
                holder = holder[k]
            holder[path[-1]] = "\U0001d11e" * (n + 1)
            self.call(oid, body=over, expect=VALIDATION_STATUSES,
                      check_request=False)
            got = self.create("text_" + coll, coll, body)
            if got:
                status, again = self.call(RES[coll]["retrieve"], got["uuid"])
                self.check_echo(RES[coll]["retrieve"], "GET %s/%s" % (
                    coll, got["uuid"]), body, again or {})
                if coll in ("vertegenwoordigingen", "actorklantcontacten",
                            "categorie-relaties"):
                    self.call(RES[coll]["destroy"], got["uuid"])
                    del self.g["text_" + coll]
        print("verbatim: %d free-text members" % tried, file=sys.stderr)
        self.assertGreater(tried, 0)
        self.done()

    # -- the end: was everything exercised? --

    def test_99_coverage(self):
        """Every operationId in the document answered with a 2xx that
        validated against the document."""
        lines = []
        for oid in sorted(DOC.ops):
            mark = "ok " if oid in self.passed else (
                "ERR" if oid in self.called else "---")
            lines.append("  %s %-40s %s %s" % (
                mark, oid, DOC.ops[oid]["method"], DOC.ops[oid]["path"]))
        print("\nCoverage (ok = a 2xx that validated; ERR = called, never "
              "a valid 2xx; --- = never called):\n" + "\n".join(lines),
              file=sys.stderr)
        print("error bodies checked against: %s" % (
            "; ".join(sorted(self.error_sources)) or "-"), file=sys.stderr)
        print("%d of %d operations conform" % (len(self.passed),
                                               len(DOC.ops)), file=sys.stderr)
        missing = sorted(set(DOC.ops) - self.passed)
        self.assertEqual(missing, [], "operations never answered with a "
                         "valid 2xx")


def _short(v, n=300):
    if isinstance(v, bytes):
        s = v[:n].decode("utf-8", "replace")
    else:
        try:
            s = json.dumps(v, ensure_ascii=False, sort_keys=True)
        except (TypeError, ValueError):
            s = repr(v)
    return s if len(s) <= n else s[:n] + "..."


if __name__ == "__main__":
    loketlib.main()
