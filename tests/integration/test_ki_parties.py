#!/usr/bin/env python3
"""The party side of the Klantinteracties API over real HTTP: partijen,
partij-identificatoren, digitaleadressen, rekeningnummers,
vertegenwoordigingen, categorieen, categorie-relaties and actoren.

Responses are also checked against the schemas of the standard's own
OpenAPI document when PyYAML is there to read it (it is on the build
hosts; the suite still runs without it)."""

import json
import os
import re
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loketlib  # noqa: E402
from loketlib import LoketTestCase, create_token, db_query  # noqa: E402

KI = "/klantinteracties/api/v1"
DOC = os.path.join(loketlib.SOURCE_DIR, "..", "..", "shared", "standards",
                   "klantinteracties-openapi.yaml")
for cand in (os.environ.get("KI_OPENAPI", ""),
             "/work/shared/standards/klantinteracties-openapi.yaml", DOC):
    if cand and os.path.exists(cand):
        DOC = cand
        break

try:
    import yaml  # not in the standard library
    with open(DOC) as f:
        SCHEMAS = yaml.safe_load(f)["components"]["schemas"]
except Exception:  # noqa: BLE001 - any failure means: no schema checks
    SCHEMAS = None

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                     r"[0-9a-f]{12}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
XSS = "<script>alert('x')</script>&amp;\"quoted\""
BSN = "999990019"


def resolve(schema):
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].split("/")[-1]]
    return schema


def schema_errors(value, schema, path="$"):
    """A small validator for the parts of OpenAPI 3.0 the document uses:
    $ref, allOf, oneOf with a discriminator, type, nullable, enum,
    required, properties, items, maxLength, minLength, pattern and the
    uuid, date and uri formats."""
    schema = resolve(schema)
    errs = []
    if value is None:
        if not schema.get("nullable") and schema.get("type") is not None:
            errs.append("%s: null not allowed" % path)
        return errs
    if "allOf" in schema:
        for s in schema["allOf"]:
            errs += schema_errors(value, s, path)
        if schema.get("nullable") is False:
            pass
        return errs
    if "oneOf" in schema:
        disc = schema.get("discriminator")
        if disc:
            kind = value.get(disc["propertyName"])
            target = disc["mapping"].get(kind)
            if target is None:
                return ["%s: unknown %s %r" % (path, disc["propertyName"],
                                                kind)]
            return schema_errors(value, {"$ref": target}, path)
        return errs
    t = schema.get("type")
    if "enum" in schema and value not in schema["enum"]:
        errs.append("%s: %r not in enum" % (path, value))
    if t == "object" or "properties" in schema:
        if not isinstance(value, dict):
            return ["%s: not an object" % path]
        for r in schema.get("required", []):
            if r not in value:
                errs.append("%s: missing required %s" % (path, r))
        for k, s in schema.get("properties", {}).items():
            if k in value:
                errs += schema_errors(value[k], s, path + "." + k)
    elif t == "array":
        if not isinstance(value, list):
            return ["%s: not an array" % path]
        for i, v in enumerate(value):
            errs += schema_errors(v, schema["items"], "%s[%d]" % (path, i))
    elif t == "string":
        if not isinstance(value, str):
            errs.append("%s: not a string" % path)
        elif "maxLength" in schema and len(value) > schema["maxLength"]:
            errs.append("%s: longer than %d" % (path, schema["maxLength"]))
        elif "minLength" in schema and len(value) < schema["minLength"]:
            errs.append("%s: shorter than %d" % (path, schema["minLength"]))
        elif "pattern" in schema and not re.search(schema["pattern"], value):
            errs.append("%s: %r does not match %s" % (path, value,
                                                      schema["pattern"]))
        elif schema.get("format") == "uuid" and not UUID_RE.match(value):
            errs.append("%s: %r is not a uuid" % (path, value))
        elif schema.get("format") == "date" and not DATE_RE.match(value):
            errs.append("%s: %r is not a date" % (path, value))
        elif schema.get("format") == "uri" and not value.startswith("http"):
            errs.append("%s: %r is not an absolute url" % (path, value))
    elif t == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            errs.append("%s: not an integer" % path)
    elif t == "boolean":
        if not isinstance(value, bool):
            errs.append("%s: not a boolean" % path)
    return errs


class KiPartiesTest(LoketTestCase):

    @classmethod
    def setUpClass(cls):
        cls._case = cls("test_unauthenticated")
        cls.data = cls._case.make_data_dir()
        _, cls.token = create_token(cls.data, "ki", "api")
        _, cls.secret_token = create_token(cls.data, "ki-conf",
                                           "api confidential")
        cls.srv = loketlib.Server(cls.data)
        cls.srv.start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.cleanup()
        cls._case.doCleanups()

    # ---- helpers -------------------------------------------------------

    def call(self, method, path, body=None, token=None, headers=None):
        hdrs = {"Authorization": "Token " + (token or self.token)}
        hdrs.update(headers or {})
        raw = None
        if body is not None:
            raw = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        return self.srv.request(method, path if path.startswith("/")
                                else KI + "/" + path, body=raw, headers=hdrs)

    def ok(self, method, path, body=None, status=200, schema=None, **kw):
        r = self.call(method, path, body, **kw)
        self.assertEqual(r.status, status, r)
        if status == 204:
            return None
        self.assertTrue(r.content_type.startswith("application/json"), r)
        self.assertEqual(r.header("API-version"), "0.9.0")
        v = r.json()
        if schema is not None and SCHEMAS is not None:
            self.assertEqual(schema_errors(v, {"$ref": "#/x/" + schema}), [],
                             json.dumps(v)[:600])
        return v

    def fout(self, r, status, name=None, code=None):
        """r is the standard's error body (Fout, ValidatieFout on 400)."""
        self.assertEqual(r.status, status, r)
        self.assertTrue(r.content_type.startswith("application/problem+json"),
                        r)
        p = r.json()
        for k in ("type", "code", "title", "status", "detail", "instance"):
            self.assertIn(k, p, p)
        self.assertEqual(p["status"], status)
        if status == 400:
            self.assertIsInstance(p["invalidParams"], list, p)
            for ip in p["invalidParams"]:
                self.assertEqual(set(ip), {"name", "code", "reason"}, p)
            if name is not None:
                names = [ip["name"] for ip in p["invalidParams"]]
                self.assertIn(name, names, p)
                if code is not None:
                    got = [ip["code"] for ip in p["invalidParams"]
                           if ip["name"] == name]
                    self.assertIn(code, got, p)
        return p

    def persoon(self, voornaam="Jan", achternaam="Jansen", **extra):
        body = {"soortPartij": "persoon", "indicatieActief": True,
                "partijIdentificatie": {"contactnaam": {
                    "voornaam": voornaam, "achternaam": achternaam}}}
        body.update(extra)
        return self.ok("POST", "partijen", body, 201, "Partij")

    def bsn(self, party, number=BSN):
        return self.call("POST", "partij-identificatoren", {
            "identificeerdePartij": {"uuid": party["uuid"]},
            "partijIdentificator": {
                "codeObjecttype": "natuurlijk_persoon",
                "codeSoortObjectId": "bsn", "objectId": number,
                "codeRegister": "brp"}})

    # ---- authentication and errors ------------------------------------

    def test_unauthenticated(self):
        r = self.srv.request("GET", KI + "/partijen")
        self.fout(r, 401)
        r = self.srv.request("GET", KI + "/partijen",
                             headers={"Authorization": "Token lkt_nope"})
        self.fout(r, 401)

    def test_unknown_and_malformed_uuids(self):
        for res in ("partijen", "partij-identificatoren", "digitaleadressen",
                    "rekeningnummers", "vertegenwoordigingen", "categorieen",
                    "categorie-relaties", "actoren"):
            for u in ("0190f3b2-8c4e-7a4e-9b1e-0123456789ab", "not-a-uuid",
                      "'; DROP TABLE parties; --"):
                path = KI + "/" + res + "/" + urllib.parse.quote(u)
                self.fout(self.call("GET", path), 404)
                self.fout(self.call("PATCH", path, {"x": 1}), 404)
                self.fout(self.call("DELETE", path), 404)
        self.fout(self.call("GET", "nope"), 404)
        self.fout(self.call("DELETE", "partijen"), 405)

    def test_bad_bodies(self):
        r = self.call("POST", "partijen", headers={
            "Content-Type": "text/plain"}, body="x")
        self.fout(r, 415)
        r = self.srv.request("POST", KI + "/partijen", body=b"{bad",
                             headers={"Authorization": "Token " + self.token,
                                      "Content-Type": "application/json"})
        self.fout(r, 400)
        r = self.call("POST", "partijen", {"soortPartij": "dier"})
        self.fout(r, 400, "soortPartij", "invalid_choice")
        self.fout(r, 400, "indicatieActief", "required")

    # ---- partijen ------------------------------------------------------

    def test_partij_crud(self):
        p = self.persoon(interneNotitie="eerste",
                         bezoekadres={"straatnaam": "Dorpsstraat",
                                      "huisnummer": 12, "postcode": "1234 AB",
                                      "stad": "Utrecht"})
        self.assertRegex(p["nummer"], r"^\d{10}$")
        self.assertTrue(p["url"].endswith("/partijen/" + p["uuid"]))
        self.assertTrue(p["url"].startswith("http://"))
        self.assertEqual(p["partijIdentificatie"]["volledigeNaam"],
                         "Jan Jansen")
        self.assertIsNone(p["correspondentieadres"])
        got = self.ok("GET", "partijen/" + p["uuid"], schema="ExpandPartij")
        self.assertEqual(got["bezoekadres"]["huisnummer"], 12)
        # PATCH changes only what it names.
        v = self.ok("PATCH", "partijen/" + p["uuid"],
                    {"interneNotitie": "tweede"}, schema="Partij")
        self.assertEqual(v["interneNotitie"], "tweede")
        self.assertEqual(v["bezoekadres"]["stad"], "Utrecht")
        self.assertEqual(v["nummer"], p["nummer"])
        # PUT needs every required member ...
        r = self.call("PUT", "partijen/" + p["uuid"],
                      {"interneNotitie": "derde"})
        self.fout(r, 400, "soortPartij", "required")
        self.fout(r, 400, "indicatieActief", "required")
        # ... and leaves optional ones it does not name unchanged.
        v = self.ok("PUT", "partijen/" + p["uuid"],
                    {"soortPartij": "persoon", "indicatieActief": False,
                     "bezoekadres": None}, schema="Partij")
        self.assertFalse(v["indicatieActief"])
        self.assertIsNone(v["bezoekadres"])
        self.assertEqual(v["interneNotitie"], "tweede")
        self.ok("DELETE", "partijen/" + p["uuid"], status=204)
        self.fout(self.call("GET", "partijen/" + p["uuid"]), 404)

    def test_partij_kinds(self):
        org = self.ok("POST", "partijen", {
            "soortPartij": "organisatie", "indicatieActief": True,
            "partijIdentificatie": {"naam": "ACME B.V."}}, 201, "Partij")
        self.assertEqual(org["partijIdentificatie"], {"naam": "ACME B.V."})
        cp = self.ok("POST", "partijen", {
            "soortPartij": "contactpersoon", "indicatieActief": True,
            "partijIdentificatie": {
                "werkteVoorPartij": {"uuid": org["uuid"]},
                "contactnaam": {"voorletters": "P.", "achternaam": "Smit"}}},
            201, "Partij")
        self.assertEqual(cp["partijIdentificatie"]["werkteVoorPartij"]["uuid"],
                         org["uuid"])
        self.assertEqual(cp["partijIdentificatie"]["volledigeNaam"], "P. Smit")
        r = self.call("POST", "partijen", {
            "soortPartij": "contactpersoon", "indicatieActief": True,
            "partijIdentificatie": {"werkteVoorPartij": {
                "uuid": "0190f3b2-8c4e-7a4e-9b1e-0123456789ab"}}})
        self.fout(r, 400, "partijIdentificatie.werkteVoorPartij",
                  "does_not_exist")

    def test_partij_validation(self):
        cases = [
            ({"bezoekadres": {"postcode": "123AB"}}, "bezoekadres.postcode"),
            ({"bezoekadres": {"huisnummer": 0}}, "bezoekadres.huisnummer"),
            ({"bezoekadres": {"nummeraanduidingId": "12"}},
             "bezoekadres.nummeraanduidingId"),
            ({"correspondentieadres": {"land": "NLD"}},
             "correspondentieadres.land"),
            ({"voorkeurstaal": "nederlands"}, "voorkeurstaal"),
            ({"interneNotitie": "x" * 1001}, "interneNotitie"),
            ({"nummer": "12a"}, "nummer"),
            ({"voorkeursDigitaalAdres": {
                "uuid": "0190f3b2-8c4e-7a4e-9b1e-0123456789ab"}},
             "voorkeursDigitaalAdres"),
            ({"indicatieGeheimhouding": True}, "indicatieGeheimhouding"),
        ]
        for extra, name in cases:
            body = {"soortPartij": "persoon", "indicatieActief": True}
            body.update(extra)
            self.fout(self.call("POST", "partijen", body), 400, name)
        # 1000 characters of two bytes each are within maxLength.
        p = self.persoon(interneNotitie="\u00e9" * 1000)
        self.assertEqual(len(p["interneNotitie"]), 1000)

    def test_confidential_party_hidden(self):
        p = self.ok("POST", "partijen", {
            "soortPartij": "persoon", "indicatieActief": True,
            "indicatieGeheimhouding": True}, 201, token=self.secret_token)
        self.fout(self.call("GET", "partijen/" + p["uuid"]), 404)
        self.fout(self.call("PATCH", "partijen/" + p["uuid"],
                            {"interneNotitie": "x"}), 404)
        lst = self.ok("GET", "partijen?indicatieGeheimhouding=true")
        self.assertNotIn(p["uuid"], [x["uuid"] for x in lst["results"]])
        r = self.call("POST", "digitaleadressen", {
            "verstrektDoorPartij": {"uuid": p["uuid"]}, "adres": "a@b.nl",
            "soortDigitaalAdres": "email"})
        self.fout(r, 400, "verstrektDoorPartij", "does_not_exist")
        got = self.ok("GET", "partijen/" + p["uuid"],
                      token=self.secret_token)
        self.assertTrue(got["indicatieGeheimhouding"])

    def test_pagination(self):
        marker = "Pagina"
        made = [self.persoon(achternaam=marker)["uuid"] for _ in range(5)]
        q = "partijen?soortPartij=persoon&pageSize=2&" \
            "bezoekadresLand=&nummer="
        # An empty filter value matches only empty values: use a real one.
        q = "partijen?soortPartij=persoon&pageSize=2"
        first = self.ok("GET", q, schema="PaginatedExpandPartijList")
        self.assertIsNone(first["previous"])
        self.assertEqual(len(first["results"]), 2)
        count = first["count"]
        self.assertGreaterEqual(count, 5)
        seen = [x["uuid"] for x in first["results"]]
        nxt = first["next"]
        pages = 1
        while nxt:
            u = urllib.parse.urlsplit(nxt)
            self.assertEqual(u.path, KI + "/partijen")
            qs = urllib.parse.parse_qs(u.query)
            self.assertEqual(qs["pageSize"], ["2"])
            self.assertEqual(qs["soortPartij"], ["persoon"])
            page = self.ok("GET", u.path + "?" + u.query)
            self.assertIsNotNone(page["previous"])
            self.assertEqual(page["count"], count)
            seen += [x["uuid"] for x in page["results"]]
            nxt = page["next"]
            pages += 1
        self.assertEqual(len(seen), count)
        self.assertEqual(len(set(seen)), count)
        self.assertTrue(set(made) <= set(seen))
        self.assertEqual(pages, (count + 1) // 2)
        self.fout(self.call("GET", q + "&page=%d" % (pages + 1)), 404)
        self.fout(self.call("GET", "partijen?pageSize=501"), 400, "pageSize")
        self.fout(self.call("GET", "partijen?page=0"), 400, "page")
        self.fout(self.call("GET", "partijen?page=x"), 400, "page")
        full = self.ok("GET", "partijen?pageSize=500")
        self.assertEqual(full["count"], len(full["results"]))
        self.assertIsNone(full["next"])

    def test_partij_filters(self):
        a = self.persoon(achternaam="Filter",
                         bezoekadres={"adresregel1": "Postbus 7",
                                      "land": "BE"})
        b = self.ok("POST", "partijen", {
            "soortPartij": "organisatie", "indicatieActief": False,
            "partijIdentificatie": {"naam": "Filter BV"},
            "correspondentieadres": {"nummeraanduidingId":
                                     "0363200000123456"}}, 201)
        self.assertEqual(self.bsn(a, "111222333").status, 201)
        kvk = self.ok("POST", "partij-identificatoren", {
            "identificeerdePartij": {"uuid": b["uuid"]},
            "partijIdentificator": {
                "codeObjecttype": "niet_natuurlijk_persoon",
                "codeSoortObjectId": "kvk_nummer", "objectId": "87654321",
                "codeRegister": "hr"}}, 201)
        self.ok("POST", "partij-identificatoren", {
            "identificeerdePartij": {"uuid": b["uuid"]},
            "subIdentificatorVan": {"uuid": kvk["uuid"]},
            "partijIdentificator": {
                "codeObjecttype": "vestiging",
                "codeSoortObjectId": "vestigingsnummer",
                "objectId": "000087654321", "codeRegister": "hr"}}, 201)
        cat = self.ok("POST", "categorieen", {"naam": "Filtercategorie"}, 201)
        self.ok("POST", "categorie-relaties", {
            "partij": {"uuid": a["uuid"]}, "categorie": {"uuid": cat["uuid"]},
            "beginDatum": "2024-01-01"}, 201, "CategorieRelatie")
        self.ok("POST", "vertegenwoordigingen", {
            "vertegenwoordigendePartij": {"uuid": b["uuid"]},
            "vertegenwoordigdePartij": {"uuid": a["uuid"]}}, 201,
            "Vertegenwoordigden")

        def uuids(q):
            return [x["uuid"] for x in self.ok("GET", "partijen?" + q)[
                "results"]]
        self.assertEqual(uuids("partijIdentificator__objectId=111222333"),
                         [a["uuid"]])
        self.assertEqual(uuids("partijIdentificator__codeSoortObjectId=bsn&"
                               "partijIdentificator__objectId=111222333"),
                         [a["uuid"]])
        self.assertEqual(uuids("partijIdentificator__codeSoortObjectId=rsin&"
                               "partijIdentificator__objectId=111222333"),
                         [])
        self.assertEqual(uuids("subIdentificatorVan__objectId=87654321"),
                         [b["uuid"]])
        self.assertEqual(uuids("bezoekadresAdresregel1=Postbus%207"),
                         [a["uuid"]])
        self.assertEqual(uuids("bezoekadresLand=BE"), [a["uuid"]])
        self.assertEqual(uuids("correspondentieadresNummeraanduidingId="
                               "0363200000123456"), [b["uuid"]])
        self.assertEqual(uuids("categorierelatie__categorie__naam="
                               "Filtercategorie"), [a["uuid"]])
        self.assertEqual(uuids("vertegenwoordigdePartij__uuid=" + a["uuid"]),
                         [b["uuid"]])
        self.assertEqual(uuids("vertegenwoordigdePartij__url=" +
                               urllib.parse.quote(a["url"])), [b["uuid"]])
        self.assertEqual(uuids("nummer=" + a["nummer"]), [a["uuid"]])
        self.assertIn(b["uuid"], uuids("indicatieActief=false"))
        self.assertNotIn(a["uuid"], uuids("indicatieActief=false"))
        self.assertIn(b["uuid"], uuids("soortPartij=organisatie"))
        self.assertNotIn(b["uuid"], uuids("soortPartij=persoon"))
        self.fout(self.call("GET", "partijen?soortPartij=dier"), 400,
                  "soortPartij")
        self.fout(self.call("GET", "partijen?indicatieActief=misschien"),
                  400, "indicatieActief")
        self.fout(self.call("GET", "partijen?vertegenwoordigdePartij__uuid=x"),
                  400, "vertegenwoordigdePartij__uuid")
        # Reverse lists on the party.
        got = self.ok("GET", "partijen/" + a["uuid"])
        self.assertEqual(got["categorieRelaties"][0]["categorieNaam"],
                         "Filtercategorie")
        got = self.ok("GET", "partijen/" + b["uuid"])
        self.assertEqual([x["uuid"] for x in got["vertegenwoordigden"]],
                         [a["uuid"]])
        self.assertEqual(len(got["partijIdentificatoren"]), 2)
        # A kvk_nummer with a vestiging under it keeps its identity.
        r = self.call("DELETE", "partij-identificatoren/" + kvk["uuid"])
        self.fout(r, 400)

    def test_expand(self):
        p = self.persoon(achternaam="Expand")
        adres = self.ok("POST", "digitaleadressen", {
            "verstrektDoorPartij": {"uuid": p["uuid"]},
            "adres": "expand@example.nl", "soortDigitaalAdres": "email"}, 201)
        cat = self.ok("POST", "categorieen", {"naam": "Expandcategorie"}, 201)
        rel = self.ok("POST", "categorie-relaties", {
            "partij": {"uuid": p["uuid"]},
            "categorie": {"uuid": cat["uuid"]}}, 201)
        v = self.ok("GET", "partijen/" + p["uuid"] +
                    "?expand=digitaleAdressen,categorieRelaties,betrokkenen",
                    schema="ExpandPartij")
        ex = v["_expand"]
        self.assertEqual(ex["digitaleAdressen"][0]["adres"],
                         "expand@example.nl")
        self.assertEqual(ex["digitaleAdressen"][0]["uuid"], adres["uuid"])
        self.assertEqual(ex["categorieRelaties"][0]["uuid"], rel["uuid"])
        self.assertEqual(ex["categorieRelaties"][0]["categorie"]["naam"],
                         "Expandcategorie")
        self.assertEqual(ex["betrokkenen"], [])
        lst = self.ok("GET", "partijen?expand=digitaleAdressen&nummer=" +
                      p["nummer"])
        self.assertEqual(len(lst["results"][0]["_expand"]["digitaleAdressen"]),
                         1)
        self.assertNotIn("_expand", self.ok("GET", "partijen/" + p["uuid"]))
        self.fout(self.call("GET", "partijen/" + p["uuid"] + "?expand=bsn"),
                  400, "expand")

    # ---- partij-identificatoren ----------------------------------------

    def test_identificatoren(self):
        p = self.persoon(achternaam="Bsn")
        q = self.persoon(achternaam="Bsn2")
        r = self.bsn(p, "999990018")
        self.fout(r, 400, "partijIdentificator.objectId", "invalid")
        r = self.bsn(p, "99999001")
        self.fout(r, 400, "partijIdentificator.objectId")
        r = self.bsn(p, "999993653")
        self.assertEqual(r.status, 201, r)
        ident = r.json()
        if SCHEMAS is not None:
            self.assertEqual(schema_errors(ident, {
                "$ref": "#/x/PartijIdentificator"}), [])
        # One object id identifies one party ...
        self.fout(self.bsn(q, "999993653"), 400,
                  "partijIdentificator.objectId", "unique")
        # ... and a party has one BSN.
        self.fout(self.bsn(p, "111222333"), 400,
                  "partijIdentificator.codeSoortObjectId", "unique")
        # Combinations outside the register table are refused.
        r = self.call("POST", "partij-identificatoren", {
            "partijIdentificator": {
                "codeObjecttype": "natuurlijk_persoon",
                "codeSoortObjectId": "bsn", "objectId": BSN,
                "codeRegister": "hr"}})
        self.fout(r, 400, "partijIdentificator.codeSoortObjectId")
        r = self.call("POST", "partij-identificatoren", {
            "partijIdentificator": {
                "codeObjecttype": "vestiging",
                "codeSoortObjectId": "vestigingsnummer",
                "objectId": "000011112222", "codeRegister": "hr"}})
        self.fout(r, 400, "subIdentificatorVan")
        r = self.call("POST", "partij-identificatoren", {
            "partijIdentificator": {
                "codeObjecttype": "niet_natuurlijk_persoon",
                "codeSoortObjectId": "kvk_nummer", "objectId": "1234567",
                "codeRegister": "hr"}})
        self.fout(r, 400, "partijIdentificator.objectId")
        r = self.call("POST", "partij-identificatoren", {
            "partijIdentificator": {"codeObjecttype": "natuurlijk_persoon"}})
        self.fout(r, 400, "partijIdentificator.objectId", "required")
        # PATCH, filters, DELETE.
        v = self.ok("PATCH", "partij-identificatoren/" + ident["uuid"],
                    {"anderePartijIdentificator": XSS})
        self.assertEqual(v["anderePartijIdentificator"], XSS)
        self.assertEqual(v["partijIdentificator"]["objectId"], "999993653")
        lst = self.ok("GET", "partij-identificatoren?"
                      "partijIdentificatorObjectId=999993653&"
                      "partijIdentificatorCodeSoortObjectId=bsn",
                      schema="PaginatedPartijIdentificatorList")
        self.assertEqual([x["uuid"] for x in lst["results"]], [ident["uuid"]])
        self.fout(self.call("GET", "partij-identificatoren?"
                            "partijIdentificatorCodeRegister=gba"), 400)
        self.ok("DELETE", "partij-identificatoren/" + ident["uuid"],
                status=204)
        self.assertEqual(self.bsn(q, "999993653").status, 201)

    def test_partij_with_identificatoren(self):
        ident = {"partijIdentificator": {
            "codeObjecttype": "natuurlijk_persoon",
            "codeSoortObjectId": "bsn", "objectId": "123456782",
            "codeRegister": "brp"}}
        p = self.persoon(achternaam="Inline", partijIdentificatoren=[ident])
        ids = p["partijIdentificatoren"]
        self.assertEqual(len(ids), 1)
        self.assertEqual(ids[0]["identificeerdePartij"]["uuid"], p["uuid"])
        # The same BSN for a second party: nothing of it is created.
        r = self.call("POST", "partijen", {
            "soortPartij": "persoon", "indicatieActief": True,
            "interneNotitie": "atomair", "partijIdentificatoren": [ident]})
        self.fout(r, 400,
                  "partijIdentificatoren.0.partijIdentificator.objectId",
                  "unique")
        self.assertEqual(db_query(self.data, "SELECT COUNT(*) FROM parties"
                                  " WHERE internal_note = 'atomair'"),
                         [(0,)])
        bad = json.loads(json.dumps(ident))
        bad["partijIdentificator"]["objectId"] = "123456781"
        r = self.call("POST", "partijen", {
            "soortPartij": "persoon", "indicatieActief": True,
            "partijIdentificatoren": [bad]})
        self.fout(r, 400,
                  "partijIdentificatoren.0.partijIdentificator.objectId",
                  "invalid")
        # PATCH without the list keeps it; with a list sets it.
        v = self.ok("PATCH", "partijen/" + p["uuid"],
                    {"interneNotitie": "blijft"})
        self.assertEqual([x["uuid"] for x in v["partijIdentificatoren"]],
                         [ids[0]["uuid"]])
        other = dict(bad)
        other["partijIdentificator"] = dict(bad["partijIdentificator"],
                                            objectId="999990019")
        lst = self.ok("GET", "partijen?partijIdentificator__objectId="
                      "999990019")
        if lst["count"] == 0:
            v = self.ok("PATCH", "partijen/" + p["uuid"],
                        {"partijIdentificatoren": [other]})
            self.assertEqual(
                [x["partijIdentificator"]["objectId"]
                 for x in v["partijIdentificatoren"]], ["999990019"])
        v = self.ok("PATCH", "partijen/" + p["uuid"],
                    {"partijIdentificatoren": []})
        self.assertEqual(v["partijIdentificatoren"], [])
        self.fout(self.call("GET", "partij-identificatoren/" +
                            ids[0]["uuid"]), 404)

    def test_partij_with_adressen_and_rekeningnummers(self):
        d = self.ok("POST", "digitaleadressen", {
            "adres": "los@example.nl", "soortDigitaalAdres": "email",
            "isStandaardAdres": True}, 201)
        self.assertIsNone(d["verstrektDoorPartij"])
        acct = self.ok("POST", "rekeningnummers",
                       {"iban": "GB82WEST12345698765432"}, 201)
        p = self.persoon(achternaam="Links",
                         digitaleAdressen=[{"uuid": d["uuid"]}],
                         voorkeursDigitaalAdres={"uuid": d["uuid"]},
                         rekeningnummers=[{"uuid": acct["uuid"]}],
                         voorkeursRekeningnummer={"uuid": acct["uuid"]})
        self.assertEqual([x["uuid"] for x in p["digitaleAdressen"]],
                         [d["uuid"]])
        self.assertEqual(p["voorkeursDigitaalAdres"]["uuid"], d["uuid"])
        self.assertEqual(p["voorkeursRekeningnummer"]["uuid"], acct["uuid"])
        self.assertEqual(self.ok("GET", "digitaleadressen/" + d["uuid"])[
            "verstrektDoorPartij"]["uuid"], p["uuid"])
        # A PATCH of something else leaves the links alone.
        v = self.ok("PATCH", "partijen/" + p["uuid"], {"interneNotitie": "x"})
        self.assertEqual(len(v["digitaleAdressen"]), 1)
        # Another party takes the address: it leaves the first one, and so
        # does the preference.
        q = self.persoon(achternaam="Links2",
                         digitaleAdressen=[{"uuid": d["uuid"]}])
        self.assertEqual(len(q["digitaleAdressen"]), 1)
        v = self.ok("GET", "partijen/" + p["uuid"])
        self.assertEqual(v["digitaleAdressen"], [])
        self.assertIsNone(v["voorkeursDigitaalAdres"])
        moved = self.ok("GET", "digitaleadressen/" + d["uuid"])
        self.assertEqual(moved["verstrektDoorPartij"]["uuid"], q["uuid"])
        # Preferring an address that is not the party's own is refused.
        r = self.call("PATCH", "partijen/" + p["uuid"], {
            "voorkeursDigitaalAdres": {"uuid": d["uuid"]}})
        self.fout(r, 400, "voorkeursDigitaalAdres")
        v = self.ok("PATCH", "partijen/" + p["uuid"],
                    {"rekeningnummers": []})
        self.assertEqual(v["rekeningnummers"], [])
        self.assertIsNone(v["voorkeursRekeningnummer"])
        r = self.call("PATCH", "partijen/" + p["uuid"], {
            "digitaleAdressen": [{"uuid":
                                  "0190f3b2-8c4e-7a4e-9b1e-0123456789ab"}]})
        self.fout(r, 400, "digitaleAdressen.0", "does_not_exist")

    # ---- digitaleadressen ---------------------------------------------

    def test_digitale_adressen(self):
        p = self.persoon(achternaam="Adres")
        q = self.persoon(achternaam="Adres2")

        def post(party, adres, soort="email", **kw):
            body = {"verstrektDoorPartij": {"uuid": party["uuid"]},
                    "adres": adres, "soortDigitaalAdres": soort}
            body.update(kw)
            return self.call("POST", "digitaleadressen", body)

        for adres, soort in (("geen-adres", "email"), ("a@b", "email"),
                             ("0900123456", "telefoonnummer"),
                             ("06-1234", "telefoonnummer")):
            self.fout(post(p, adres, soort), 400, "adres")
        self.fout(post(p, "a@b.nl", "fax"), 400, "soortDigitaalAdres")
        self.fout(post(p, "a@b.nl", referentie="met spatie"), 400,
                  "referentie")
        self.fout(post(p, "a@b.nl", verificatieDatum="2024-02-30"), 400,
                  "verificatieDatum")
        a1 = post(p, "Jan@Example.nl", isStandaardAdres=True,
                  verificatieDatum="2024-03-01")
        self.assertEqual(a1.status, 201, a1)
        a1 = a1.json()
        a2 = post(p, "jan2@example.nl", isStandaardAdres=True).json()
        tel = post(p, "+31612345678", "telefoonnummer",
                   isStandaardAdres=True).json()
        # A new default resets the other default of that kind only.
        self.assertFalse(self.ok("GET", "digitaleadressen/" + a1["uuid"])[
            "isStandaardAdres"])
        self.assertTrue(self.ok("GET", "digitaleadressen/" + a2["uuid"])[
            "isStandaardAdres"])
        self.assertTrue(self.ok("GET", "digitaleadressen/" + tel["uuid"])[
            "isStandaardAdres"])
        # A verified address belongs to one party only.
        r = post(q, "JAN@example.NL", verificatieDatum="2024-04-01")
        p409 = self.fout(r, 409)
        self.assertIn("partij", p409["detail"])
        self.assertEqual(post(q, "jan@example.nl").status, 201)
        # Verified once: not even the same party holds it twice.
        r = self.call("PATCH", "digitaleadressen/" + a2["uuid"], {
            "adres": "jan@EXAMPLE.nl", "verificatieDatum": "2024-05-01"})
        self.fout(r, 409)
        r = self.call("PATCH", "digitaleadressen/" + a2["uuid"], {
            "verificatieDatum": "2024-05-01"})
        self.assertEqual(r.status, 200, r)
        # PUT needs adres and soortDigitaalAdres.
        self.fout(self.call("PUT", "digitaleadressen/" + a2["uuid"],
                            {"omschrijving": "x"}), 400, "adres", "required")
        v = self.ok("PUT", "digitaleadressen/" + a2["uuid"], {
            "adres": "0201234567", "soortDigitaalAdres": "telefoonnummer"},
            schema="DigitaalAdres")
        self.assertEqual(v["verificatieDatum"], "2024-05-01")
        # Filters.

        def uuids(q):
            return [x["uuid"] for x in self.ok(
                "GET", "digitaleadressen?" + q,
                schema="PaginatedExpandDigitaalAdresList")["results"]]
        mine = "verstrektDoorPartij__uuid=" + p["uuid"]
        self.assertEqual(set(uuids(mine)), {a1["uuid"], a2["uuid"],
                                            tel["uuid"]})
        self.assertEqual(uuids(mine + "&soortDigitaalAdres=email"),
                         [a1["uuid"]])
        self.assertEqual(uuids(mine + "&isGeverifieerd=true"),
                         [a1["uuid"], a2["uuid"]])
        self.assertEqual(uuids(mine + "&adres__icontains=EXAMPLE"),
                         [a1["uuid"]])
        self.assertEqual(uuids(mine + "&verificatieDatum__gt=2024-03-01"),
                         [a2["uuid"]])
        self.assertEqual(uuids(mine + "&verificatieDatum__lte=2024-03-01"),
                         [a1["uuid"]])
        # a2 became the default phone number: tel is no longer.
        self.assertEqual(uuids(mine + "&isStandaardAdres=true"),
                         [a2["uuid"]])
        self.assertEqual(uuids("verstrektDoorPartij__url=" +
                               urllib.parse.quote(p["url"]) +
                               "&adres=%2B31612345678"), [tel["uuid"]])
        self.fout(self.call("GET", "digitaleadressen?verificatieDatum=gisteren"
                            ), 400, "verificatieDatum")
        # An unknown party in the body is named, never linked silently.
        r = self.call("POST", "digitaleadressen", {
            "verstrektDoorPartij": {
                "uuid": "0190f3b2-8c4e-7a4e-9b1e-0123456789ab"},
            "adres": "x@y.nl", "soortDigitaalAdres": "email"})
        self.fout(r, 400, "verstrektDoorPartij", "does_not_exist")
        r = self.call("POST", "digitaleadressen", {
            "verstrektDoorPartij": {"uuid": "nope"},
            "adres": "x@y.nl", "soortDigitaalAdres": "email"})
        self.fout(r, 400, "verstrektDoorPartij")
        # The preferred address must be one of the party's own.
        r = self.call("PATCH", "partijen/" + q["uuid"], {
            "voorkeursDigitaalAdres": {"uuid": a1["uuid"]}})
        self.fout(r, 400, "voorkeursDigitaalAdres")
        v = self.ok("PATCH", "partijen/" + p["uuid"], {
            "voorkeursDigitaalAdres": {"uuid": a1["uuid"]}})
        self.assertEqual(v["voorkeursDigitaalAdres"]["uuid"], a1["uuid"])
        self.ok("DELETE", "digitaleadressen/" + a1["uuid"], status=204)
        v = self.ok("GET", "partijen/" + p["uuid"])
        self.assertIsNone(v["voorkeursDigitaalAdres"])
        # address keys in the store
        rows = db_query(self.data, "SELECT address_key FROM digital_addresses"
                        " WHERE id = ?", (tel["uuid"],))
        self.assertEqual(rows[0][0], "0612345678")

    # ---- rekeningnummers, vertegenwoordigingen, categorieën -----------

    def test_rekeningnummers(self):
        p = self.persoon(achternaam="Bank")
        r = self.call("POST", "rekeningnummers", {
            "partij": {"uuid": p["uuid"]}, "iban": "NL91ABNA0417164301"})
        self.fout(r, 400, "iban")
        self.fout(self.call("POST", "rekeningnummers", {"bic": "ABNANL2A"}),
                  400, "iban", "required")
        self.fout(self.call("POST", "rekeningnummers", {
            "iban": "NL91ABNA0417164300", "bic": "ABN"}), 400, "bic")
        v = self.ok("POST", "rekeningnummers", {
            "partij": {"uuid": p["uuid"]}, "iban": "NL91ABNA0417164300",
            "bic": "ABNANL2A"}, 201, "Rekeningnummer")
        lst = self.ok("GET", "rekeningnummers?iban=NL91ABNA0417164300&uuid=" +
                      v["uuid"], schema="PaginatedRekeningnummerList")
        self.assertEqual(lst["count"], 1)
        v2 = self.ok("PATCH", "rekeningnummers/" + v["uuid"],
                     {"iban": "DE89370400440532013000"})
        self.assertEqual(v2["bic"], "ABNANL2A")
        self.assertEqual(self.ok("GET", "partijen/" + p["uuid"])[
            "rekeningnummers"][0]["uuid"], v["uuid"])
        self.ok("DELETE", "rekeningnummers/" + v["uuid"], status=204)
        self.assertEqual(self.ok("GET", "partijen/" + p["uuid"])[
            "rekeningnummers"], [])

    def test_vertegenwoordigingen(self):
        a = self.persoon(achternaam="Ouder")
        b = self.persoon(achternaam="Kind")
        v = self.ok("POST", "vertegenwoordigingen", {
            "vertegenwoordigendePartij": {"uuid": a["uuid"]},
            "vertegenwoordigdePartij": {"uuid": b["uuid"]}}, 201)
        r = self.call("POST", "vertegenwoordigingen", {
            "vertegenwoordigendePartij": {"uuid": a["uuid"]},
            "vertegenwoordigdePartij": {"uuid": b["uuid"]}})
        self.fout(r, 400)
        self.fout(self.call("POST", "vertegenwoordigingen", {
            "vertegenwoordigendePartij": {"uuid": a["uuid"]},
            "vertegenwoordigdePartij": {"uuid": a["uuid"]}}), 400)
        self.fout(self.call("POST", "vertegenwoordigingen", {
            "vertegenwoordigendePartij": {"uuid": a["uuid"]}}), 400,
            "vertegenwoordigdePartij", "required")
        lst = self.ok("GET", "vertegenwoordigingen?"
                      "vertegenwoordigendePartij__uuid=" + a["uuid"],
                      schema="PaginatedVertegenwoordigdenList")
        self.assertEqual([x["uuid"] for x in lst["results"]], [v["uuid"]])
        self.fout(self.call("PUT", "vertegenwoordigingen/" + v["uuid"], {
            "vertegenwoordigendePartij": {"uuid": b["uuid"]}}), 400,
            "vertegenwoordigdePartij", "required")
        v2 = self.ok("PUT", "vertegenwoordigingen/" + v["uuid"], {
            "vertegenwoordigendePartij": {"uuid": b["uuid"]},
            "vertegenwoordigdePartij": {"uuid": a["uuid"]}})
        self.assertEqual(v2["vertegenwoordigdePartij"]["uuid"], a["uuid"])
        self.ok("DELETE", "vertegenwoordigingen/" + v["uuid"], status=204)

    def test_categorieen(self):
        c = self.ok("POST", "categorieen", {"naam": "Afval"}, 201, "Categorie")
        self.fout(self.call("POST", "categorieen", {"naam": "Afval"}), 400,
                  "naam", "unique")
        self.fout(self.call("POST", "categorieen", {"naam": "x" * 81}), 400,
                  "naam", "max_length")
        lst = self.ok("GET", "categorieen", schema="PaginatedCategorieList")
        self.assertIn(c["uuid"], [x["uuid"] for x in lst["results"]])
        p = self.persoon(achternaam="Cat")
        rel = self.ok("POST", "categorie-relaties", {
            "partij": {"uuid": p["uuid"]}, "categorie": {"uuid": c["uuid"]},
            "beginDatum": "2024-01-01", "eindDatum": "2024-12-31"}, 201)
        self.fout(self.call("PATCH", "categorie-relaties/" + rel["uuid"], {
            "eindDatum": "2023-01-01"}), 400, "eindDatum")
        self.fout(self.call("POST", "categorie-relaties", {
            "categorie": {"uuid": p["uuid"]}}), 400, "categorie",
            "does_not_exist")
        for q in ("categorie__naam=Afval", "categorie__uuid=" + c["uuid"],
                  "partij__nummer=" + p["nummer"], "partij__uuid=" + p["uuid"],
                  "beginDatum=2024-01-01"):
            lst = self.ok("GET", "categorie-relaties?" + q,
                          schema="PaginatedCategorieRelatieList")
            self.assertIn(rel["uuid"], [x["uuid"] for x in lst["results"]], q)
        # A category in use stays.
        self.fout(self.call("DELETE", "categorieen/" + c["uuid"]), 409)
        self.ok("DELETE", "categorie-relaties/" + rel["uuid"], status=204)
        self.ok("DELETE", "categorieen/" + c["uuid"], status=204)

    # ---- actoren -------------------------------------------------------

    def test_actoren(self):
        m = self.ok("POST", "actoren", {
            "naam": "Piet Medewerker", "soortActor": "medewerker",
            "actoridentificator": {"objectId": "m-42",
                                   "codeObjecttype": "mdw",
                                   "codeRegister": "ad",
                                   "codeSoortObjectId": "id"},
            "actorIdentificatie": {"functie": "KCC",
                                   "emailadres": "piet@gemeente.nl",
                                   "telefoonnummer": "0201234567"}},
            201, "Actor")
        self.assertTrue(m["indicatieActief"])
        t = self.ok("POST", "actoren", {
            "naam": "Team Afval", "soortActor": "organisatorische_eenheid",
            "indicatieActief": False,
            "actorIdentificatie": {"omschrijving": "afval"}}, 201, "Actor")
        g = self.ok("POST", "actoren", {
            "naam": "Chatbot", "soortActor": "geautomatiseerde_actor"}, 201,
            "Actor")
        self.assertIsNone(g["actoridentificator"])
        self.fout(self.call("POST", "actoren", {
            "naam": "x", "soortActor": "medewerker",
            "actorIdentificatie": {"functie": "x",
                                   "telefoonnummer": "12"}}), 400,
            "actorIdentificatie.telefoonnummer")
        self.fout(self.call("POST", "actoren", {
            "naam": "x", "soortActor": "robot"}), 400, "soortActor")

        def uuids(q):
            return [x["uuid"] for x in self.ok(
                "GET", "actoren?" + q, schema="PaginatedActorList")[
                "results"]]
        self.assertEqual(uuids("actoridentificatorObjectId=m-42"),
                         [m["uuid"]])
        self.assertIn(t["uuid"], uuids("indicatieActief=false"))
        self.assertNotIn(m["uuid"], uuids("indicatieActief=false"))
        self.assertEqual(uuids("soortActor=geautomatiseerde_actor&naam=chat"),
                         [g["uuid"]])
        v = self.ok("PATCH", "actoren/" + m["uuid"], {"naam": "Piet P."})
        self.assertEqual(v["actorIdentificatie"]["functie"], "KCC")
        self.fout(self.call("PUT", "actoren/" + m["uuid"], {"naam": "P"}),
                  400, "soortActor", "required")
        self.ok("DELETE", "actoren/" + g["uuid"], status=204)
        self.fout(self.call("GET", "actoren/" + g["uuid"]), 404)

    def test_delete_partij_takes_its_items(self):
        p = self.persoon(achternaam="Weg")
        other = self.persoon(achternaam="Blijft")
        ident = self.bsn(p, "999991905")
        self.assertEqual(ident.status, 201, ident)
        d = self.ok("POST", "digitaleadressen", {
            "verstrektDoorPartij": {"uuid": p["uuid"]}, "adres": "w@e.nl",
            "soortDigitaalAdres": "email"}, 201)
        acct = self.ok("POST", "rekeningnummers", {
            "partij": {"uuid": p["uuid"]}, "iban": "NL91ABNA0417164300"}, 201)
        rep = self.ok("POST", "vertegenwoordigingen", {
            "vertegenwoordigendePartij": {"uuid": other["uuid"]},
            "vertegenwoordigdePartij": {"uuid": p["uuid"]}}, 201)
        self.ok("DELETE", "partijen/" + p["uuid"], status=204)
        for path in ("partij-identificatoren/" + ident.json()["uuid"],
                     "digitaleadressen/" + d["uuid"],
                     "rekeningnummers/" + acct["uuid"],
                     "vertegenwoordigingen/" + rep["uuid"]):
            self.fout(self.call("GET", path), 404)
        self.assertEqual(self.ok("GET", "partijen/" + other["uuid"])[
            "vertegenwoordigden"], [])
        self.fout(self.call("DELETE", "partijen/" + p["uuid"]), 404)

    def test_concurrent_duplicates(self):
        """Two clients claim one BSN, or one verified address, at once:
        exactly one wins, the other gets a clean error."""
        import threading
        parties = [self.persoon(achternaam="Race%d" % i) for i in range(2)]
        for attempt in range(3):
            number = ("99999%03d" % (100 + attempt))
            number = next(n for n in ("%s%d" % (number, k)
                                      for k in range(10))
                          if sum(int(a) * b for a, b in zip(
                              n, [9, 8, 7, 6, 5, 4, 3, 2, -1])) % 11 == 0)
            results = [None, None]

            def claim(i):
                results[i] = self.bsn(parties[i], number).status

            ts = [threading.Thread(target=claim, args=(i,)) for i in (0, 1)]
            [t.start() for t in ts]
            [t.join() for t in ts]
            self.assertEqual(sorted(results), [201, 400], (number, results))
            # Free the party's BSN slot for the next round.
            for x in self.ok("GET", "partij-identificatoren?"
                             "partijIdentificatorObjectId=" + number)[
                    "results"]:
                self.ok("DELETE", "partij-identificatoren/" + x["uuid"],
                        status=204)
        results = [None, None]

        def verify(i):
            results[i] = self.call("POST", "digitaleadressen", {
                "verstrektDoorPartij": {"uuid": parties[i]["uuid"]},
                "adres": "race@example.nl", "soortDigitaalAdres": "email",
                "verificatieDatum": "2024-06-01"}).status

        ts = [threading.Thread(target=verify, args=(i,)) for i in (0, 1)]
        [t.start() for t in ts]
        [t.join() for t in ts]
        self.assertEqual(sorted(results), [201, 409], results)

    # ---- text is data ----------------------------------------------------

    def test_html_stored_verbatim(self):
        p = self.ok("POST", "partijen", {
            "soortPartij": "persoon", "indicatieActief": True,
            "interneNotitie": XSS + "\nregel 2",
            "partijIdentificatie": {"contactnaam": {
                "voorletters": "<b>", "voornaam": XSS,
                "voorvoegselAchternaam": "<i>", "achternaam": XSS}},
            "bezoekadres": {"straatnaam": XSS, "huisnummertoevoeging": "<a>",
                            "stad": XSS, "adresregel1": XSS[:80],
                            "adresregel2": "<img src=x>",
                            "adresregel3": "\"'"}}, 201)
        got = self.ok("GET", "partijen/" + p["uuid"])
        self.assertEqual(got["interneNotitie"], XSS + "\nregel 2")
        cn = got["partijIdentificatie"]["contactnaam"]
        self.assertEqual((cn["voorletters"], cn["voornaam"],
                          cn["voorvoegselAchternaam"], cn["achternaam"]),
                         ("<b>", XSS, "<i>", XSS))
        self.assertEqual(got["partijIdentificatie"]["volledigeNaam"],
                         "%s <i> %s" % (XSS, XSS))
        self.assertEqual(got["bezoekadres"]["straatnaam"], XSS)
        self.assertEqual(got["bezoekadres"]["adresregel2"], "<img src=x>")
        org = self.ok("POST", "partijen", {
            "soortPartij": "organisatie", "indicatieActief": True,
            "partijIdentificatie": {"naam": XSS}}, 201)
        self.assertEqual(org["partijIdentificatie"]["naam"], XSS)
        d = self.ok("POST", "digitaleadressen", {
            "verstrektDoorPartij": {"uuid": p["uuid"]},
            "adres": "<svg onload=alert(1)>", "soortDigitaalAdres": "overig",
            "omschrijving": XSS[:40]}, 201)
        self.assertEqual(d["adres"], "<svg onload=alert(1)>")
        self.assertEqual(d["omschrijving"], XSS[:40])
        c = self.ok("POST", "categorieen", {"naam": XSS}, 201)
        self.assertEqual(c["naam"], XSS)
        a = self.ok("POST", "actoren", {
            "naam": XSS, "soortActor": "geautomatiseerde_actor",
            "actoridentificator": {"objectId": XSS},
            "actorIdentificatie": {"functie": "<b>bot</b>",
                                   "omschrijving": XSS}}, 201)
        self.assertEqual(a["naam"], XSS)
        self.assertEqual(a["actorIdentificatie"]["omschrijving"], XSS)
        # Control characters are refused, not stored.
        self.fout(self.call("POST", "categorieen", {"naam": "a\u001bb"}), 400,
                  "naam")
        # Filters take the text as data too.
        lst = self.ok("GET", "actoren?naam=" + urllib.parse.quote(XSS))
        self.assertEqual([x["uuid"] for x in lst["results"]], [a["uuid"]])

    # ---- bookkeeping -----------------------------------------------------

    def test_processing_log_and_events(self):
        p = self.persoon(achternaam="Logboek")
        self.ok("GET", "partijen/" + p["uuid"])
        self.ok("PATCH", "partijen/" + p["uuid"], {"interneNotitie": "x"})

        def ops():
            return [r[0] for r in db_query(
                self.data, "SELECT operation FROM processing_log"
                " WHERE party_id = ? ORDER BY seq", (p["uuid"],))]
        loketlib.wait_until(lambda: "read" in ops(), 5, what="read logged")
        self.assertIn("create", ops())
        self.assertIn("update", ops())
        rows = db_query(self.data, "SELECT activity, actor FROM processing_log"
                        " WHERE party_id = ?", (p["uuid"],))
        self.assertTrue(all(r[0] == "klantinteracties" for r in rows))
        self.assertTrue(all(r[1].startswith("token:") for r in rows))
        ev = [r[0] for r in db_query(
            self.data, "SELECT type FROM events WHERE subject = ?"
            " ORDER BY seq", (p["uuid"],))]
        self.assertEqual(ev[:2], ["party.created", "party.updated"])
        payloads = db_query(self.data, "SELECT payload FROM events WHERE"
                            " subject = ?", (p["uuid"],))
        for (pl,) in payloads:
            self.assertNotIn("Logboek", pl)
        self.assertTrue(db_query(self.data, "SELECT 1 FROM audit_log WHERE"
                                 " subject = ?", (p["uuid"],)))

    def test_host_header_in_urls(self):
        r = self.call("GET", "categorieen",
                      headers={"Host": "loket.example.nl:8443"})
        self.assertEqual(r.status, 200)
        self.call("POST", "categorieen", {"naam": "Hostcat"})
        r = self.call("GET", "categorieen",
                      headers={"Host": "evil\"<x>.nl"})
        for item in r.json()["results"]:
            self.assertTrue(item["url"].startswith("http://localhost/"),
                            item)
        r = self.call("GET", "categorieen",
                      headers={"Host": "loket.example.nl:8443"})
        for item in r.json()["results"]:
            self.assertTrue(item["url"].startswith(
                "http://loket.example.nl:8443" + KI + "/categorieen/"), item)


if __name__ == "__main__":
    loketlib.main()
