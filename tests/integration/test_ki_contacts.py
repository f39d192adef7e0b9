"""The klantcontact side of the Klantinteracties API over real HTTP:
klantcontacten, betrokkenen, bijlagen, onderwerpobjecten,
actorklantcontacten, internetaken and maak-klantcontact."""

import os
import sys
import threading
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loketlib import (LoketTestCase, create_token, db_query,  # noqa: E402
                      main, wait_until)
# The document's schemas and a small validator (None without PyYAML).
from test_ki_parties import SCHEMAS, schema_errors  # noqa: E402

BASE = "/klantinteracties/api/v1"
XSS = "<script>alert('x')</script><img src=x onerror=alert(1)>&amp;\"'"

CONTACT_KEYS = {
    "uuid", "url", "gingOverOnderwerpobjecten", "hadBetrokkenActoren",
    "omvatteBijlagen", "hadBetrokkenen", "leiddeTotInterneTaken", "nummer",
    "referentienummer", "kanaal", "onderwerp", "inhoud", "reactie",
    "indicatieContactGelukt", "verdereActieOndernomen", "taal",
    "vertrouwelijk", "plaatsgevondenOp", "metadata"}
BETROKKENE_KEYS = {
    "uuid", "url", "wasPartij", "hadKlantcontact", "digitaleAdressen",
    "bezoekadres", "correspondentieadres", "contactnaam", "volledigeNaam",
    "rol", "organisatienaam", "initiator"}
TAAK_KEYS = {
    "uuid", "url", "nummer", "referentienummer", "gevraagdeHandeling",
    "aanleidinggevendKlantcontact", "toegewezenAanActoren", "toelichting",
    "status", "toegewezenOp", "afgehandeldOp"}


# Item and page schema of each collection, from the document.
SCHEMA_OF = {
    "klantcontacten": ("ExpandKlantcontact",
                       "PaginatedExpandKlantcontactList"),
    "betrokkenen": ("ExpandBetrokkene", "PaginatedExpandBetrokkeneList"),
    "bijlagen": ("Bijlage", "PaginatedBijlageList"),
    "onderwerpobjecten": ("Onderwerpobject", "PaginatedOnderwerpobjectList"),
    "actorklantcontacten": ("ActorKlantcontact",
                            "PaginatedActorKlantcontactList"),
    "internetaken": ("InterneTaak", "PaginatedInterneTaakList"),
    "maak-klantcontact": ("MaakKlantcontact", None),
}


def contact_body(**kw):
    body = {"kanaal": "telefoon", "onderwerp": "Paspoort aanvragen",
            "taal": "nld", "vertrouwelijk": False,
            "inhoud": "Wanneer kan ik mijn paspoort ophalen?",
            "plaatsgevondenOp": "2024-05-01T10:00:00Z"}
    body.update(kw)
    return body


class KiContactsTest(LoketTestCase):
    @classmethod
    def setUpClass(cls):
        pass

    def setUp(self):
        self.data = self.make_data_dir()
        _, self.conf = create_token(self.data, "ki-conf",
                                    "api confidential")
        _, self.plain = create_token(self.data, "ki-plain", "api")
        self.srv = self.start_server(self.data)

    # -- helpers --

    def req(self, method, path, body=None, token=None):
        hdrs = {"Authorization": "Token " + (token or self.conf)}
        return self.srv.request(method, BASE + path, json_body=body,
                                headers=hdrs)

    def ok(self, method, path, body=None, token=None, status=None):
        r = self.req(method, path, body, token)
        want = status or {"POST": 201, "DELETE": 204}.get(method, 200)
        self.assertEqual(r.status, want, r)
        if not r.body:
            return None
        v = r.json()
        self.check_schema(path, v)
        return v

    def check_schema(self, path, v):
        """The response validates against the document's schema."""
        parts = path.split("?")[0].strip("/").split("/")
        names = SCHEMA_OF.get(parts[0])
        if SCHEMAS is None or names is None:
            return
        name = names[0] if len(parts) > 1 or "results" not in v else names[1]
        self.assertEqual(schema_errors(v, {"$ref": "#/components/schemas/" +
                                           name}), [], (name, v))

    def invalid(self, r, name, code=None):
        self.assertEqual(r.status, 400, r)
        p = r.json()
        for k in ("type", "code", "title", "status", "detail", "instance"):
            self.assertIn(k, p)
        names = [x["name"] for x in p["invalidParams"]]
        self.assertIn(name, names, p)
        if code is not None:
            got = [x["code"] for x in p["invalidParams"] if x["name"] == name]
            self.assertEqual(got[0], code, p)
        return p

    def not_found(self, r):
        self.assertEqual(r.status, 404, r)
        p = r.json()
        self.assertEqual(p["status"], 404)
        self.assertIn("code", p)

    def contact(self, **kw):
        return self.ok("POST", "/klantcontacten", contact_body(**kw))

    def actor(self, naam="Medewerker Mees"):
        return self.ok("POST", "/actoren", {
            "naam": naam, "soortActor": "medewerker",
            "indicatieActief": True})

    def partij(self, **kw):
        body = {"soortPartij": "persoon", "indicatieActief": True}
        body.update(kw)
        return self.ok("POST", "/partijen", body)

    # -- klantcontacten --

    def test_contact_crud(self):
        c = self.contact(metadata={"bron": "kcc"}, referentienummer="REF-1")
        self.assertEqual(set(c), CONTACT_KEYS)
        self.assertEqual(c["nummer"], "0000000001")
        self.assertTrue(c["url"].endswith("/klantcontacten/" + c["uuid"]))
        self.assertEqual(c["metadata"], {"bron": "kcc"})
        self.assertIsNone(c["indicatieContactGelukt"])
        c2 = self.contact()
        self.assertEqual(c2["nummer"], "0000000002")
        got = self.ok("GET", "/klantcontacten/" + c["uuid"])
        self.assertEqual(got, c)
        # Upper-case uuids name the same item.
        self.assertEqual(
            self.ok("GET", "/klantcontacten/" + c["uuid"].upper())["uuid"],
            c["uuid"])
        # KI-made contacts have no conversation.
        rows = db_query(self.data, "SELECT conversation_id, kind FROM"
                        " contacts WHERE id = ?", (c["uuid"],))
        self.assertEqual(rows, [(None, "inbound")])
        # PATCH changes what it names only.
        p = self.ok("PATCH", "/klantcontacten/" + c["uuid"],
                    {"reactie": "Volgende week", "indicatieContactGelukt":
                     True})
        self.assertEqual(p["reactie"], "Volgende week")
        self.assertTrue(p["indicatieContactGelukt"])
        self.assertEqual(p["inhoud"], c["inhoud"])
        # PUT needs every required member; missing ones are named.
        r = self.req("PUT", "/klantcontacten/" + c["uuid"],
                     {"kanaal": "email"})
        p = self.invalid(r, "onderwerp", "required")
        self.assertIn("taal", [x["name"] for x in p["invalidParams"]])
        put = self.ok("PUT", "/klantcontacten/" + c["uuid"],
                      {"kanaal": "email", "onderwerp": "Rijbewijs",
                       "taal": "eng", "vertrouwelijk": False})
        self.assertEqual((put["kanaal"], put["onderwerp"], put["taal"]),
                         ("email", "Rijbewijs", "eng"))
        # Optional members not in the PUT are left as they were.
        self.assertEqual(put["reactie"], "Volgende week")
        self.ok("DELETE", "/klantcontacten/" + c["uuid"])
        self.not_found(self.req("GET", "/klantcontacten/" + c["uuid"]))
        self.not_found(self.req("DELETE", "/klantcontacten/" + c["uuid"]))

    def test_concurrent_creates_get_distinct_numbers(self):
        got = []
        errors = []
        lock = threading.Lock()

        def work():
            c = self.srv.connection()
            try:
                for _ in range(5):
                    r = self.srv.request(
                        "POST", BASE + "/maak-klantcontact", conn=c,
                        json_body={"klantcontact": contact_body(),
                                   "betrokkene": {"rol": "klant",
                                                  "initiator": True}},
                        headers={"Authorization": "Token " + self.conf})
                    if r.status != 201:
                        errors.append(r)
                        return
                    with lock:
                        got.append(r.json()["klantcontact"]["nummer"])
            finally:
                c.close()

        ts = [threading.Thread(target=work) for _ in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(60)
        self.assertEqual(errors, [])
        self.assertEqual(sorted(got), ["%010d" % i for i in range(1, 41)])
        self.assertEqual(self.ok("GET", "/betrokkenen")["count"], 40)

    def test_contact_validation(self):
        r = self.req("POST", "/klantcontacten", {"onderwerp": "x"})
        p = self.invalid(r, "kanaal", "required")
        names = {x["name"] for x in p["invalidParams"]}
        self.assertTrue({"taal", "vertrouwelijk"} <= names, p)
        self.invalid(self.req("POST", "/klantcontacten",
                              contact_body(onderwerp="x" * 201)),
                     "onderwerp", "max_length")
        # 200 characters (not bytes) fit.
        self.contact(onderwerp="é" * 200)
        self.invalid(self.req("POST", "/klantcontacten",
                              contact_body(plaatsgevondenOp="gisteren")),
                     "plaatsgevondenOp")
        self.invalid(self.req("POST", "/klantcontacten",
                              contact_body(metadata={"a": 1})), "metadata")
        self.invalid(self.req("POST", "/klantcontacten",
                              contact_body(vertrouwelijk="ja")),
                     "vertrouwelijk")
        self.invalid(self.req("POST", "/klantcontacten",
                              contact_body(inhoud="bel\x07mij")), "inhoud")
        # A nummer is unique.
        self.contact(nummer="12345")
        self.invalid(self.req("POST", "/klantcontacten",
                              contact_body(nummer="12345")), "nummer",
                     "unique")

    def test_contact_filters_and_pages(self):
        a = self.contact(kanaal="email", onderwerp="Afval ophalen",
                         referentienummer="R1")
        b = self.contact(kanaal="telefoon", onderwerp="Parkeervergunning",
                         reactie="Aanvraag is binnen",
                         indicatieContactGelukt=True)
        for i in range(3):
            self.contact(onderwerp="Vulling %d" % i)

        def uuids(q):
            return [x["uuid"] for x in
                    self.ok("GET", "/klantcontacten?" + q)["results"]]

        self.assertEqual(uuids("kanaal=email"), [a["uuid"]])
        self.assertEqual(uuids("onderwerp=parkeer"), [b["uuid"]])
        self.assertEqual(uuids("reactie=binnen"), [b["uuid"]])
        self.assertEqual(uuids("indicatieContactGelukt=true"), [b["uuid"]])
        self.assertEqual(uuids("referentienummer=R1"), [a["uuid"]])
        self.assertEqual(uuids("nummer=" + b["nummer"]), [b["uuid"]])
        self.assertEqual(
            uuids("plaatsgevondenOp=2024-05-01T10:00:00Z"),
            uuids(""))
        self.invalid(self.req("GET", "/klantcontacten?vertrouwelijk=misschien"),
                     "vertrouwelijk")
        # Pages.
        page = self.ok("GET", "/klantcontacten?pageSize=2")
        self.assertEqual(page["count"], 5)
        self.assertEqual(len(page["results"]), 2)
        self.assertIsNone(page["previous"])
        self.assertIn("page=2", page["next"])
        last = self.ok("GET", "/klantcontacten?pageSize=2&page=3")
        self.assertEqual(len(last["results"]), 1)
        self.assertIsNone(last["next"])
        self.assertIn("page=2", last["previous"])
        self.not_found(self.req("GET", "/klantcontacten?pageSize=2&page=4"))
        seen = []
        for n in (1, 2, 3):
            seen += [x["uuid"] for x in self.ok(
                "GET", "/klantcontacten?pageSize=2&page=%d" % n)["results"]]
        self.assertEqual(len(set(seen)), 5)

    # -- betrokkenen --

    def test_betrokkene_crud_expand_and_filters(self):
        c = self.contact()
        p = self.partij()
        b = self.ok("POST", "/betrokkenen", {
            "hadKlantcontact": {"uuid": c["uuid"]},
            "wasPartij": {"uuid": p["uuid"]},
            "rol": "klant", "initiator": True,
            "organisatienaam": "Bakkerij De Korst",
            "contactnaam": {"voornaam": "Jan", "voorvoegselAchternaam": "van",
                            "achternaam": "Dijk", "voorletters": "J."},
            "bezoekadres": {"straatnaam": "Kerkstraat", "huisnummer": 12,
                            "postcode": "1234 AB", "stad": "Utrecht"},
            "correspondentieadres": {"adresregel1": "Postbus 1",
                                     "land": "NL"}})
        self.assertEqual(set(b), BETROKKENE_KEYS)
        self.assertEqual(b["volledigeNaam"], "Jan van Dijk")
        self.assertEqual(b["wasPartij"]["uuid"], p["uuid"])
        self.assertEqual(b["bezoekadres"]["huisnummer"], 12)
        # A digital address given by the betrokkene.
        d = self.ok("POST", "/digitaleadressen", {
            "verstrektDoorBetrokkene": {"uuid": b["uuid"]},
            "soortDigitaalAdres": "email", "adres": "Jan@Example.nl"})
        got = self.ok("GET", "/betrokkenen/%s?expand=digitaleAdressen" %
                      b["uuid"])
        self.assertEqual([x["uuid"] for x in got["digitaleAdressen"]],
                         [d["uuid"]])
        self.assertEqual(got["_expand"]["digitaleAdressen"][0]["adres"],
                         "Jan@Example.nl")
        kc = self.ok("GET", "/klantcontacten/%s?expand=hadBetrokkenen,"
                     "hadBetrokkenen.digitaleAdressen,hadBetrokkenen.wasPartij"
                     % c["uuid"])
        exp = kc["_expand"]["hadBetrokkenen"][0]
        self.assertEqual(exp["uuid"], b["uuid"])
        self.assertEqual(exp["_expand"]["wasPartij"]["uuid"], p["uuid"])
        self.assertEqual(exp["_expand"]["digitaleAdressen"][0]["uuid"],
                         d["uuid"])
        self.invalid(self.req("GET", "/klantcontacten?expand=bestaatNiet"),
                     "expand")
        # Through a party and a digital address to the contact and its tasks.
        pe = self.ok("GET", "/partijen/%s?expand=betrokkenen.hadKlantcontact"
                     % p["uuid"])
        self.assertEqual(pe["_expand"]["betrokkenen"][0]["_expand"]
                         ["hadKlantcontact"]["uuid"], c["uuid"])
        de = self.ok("GET", "/digitaleadressen/%s?expand=verstrektDoor"
                     "Betrokkene.hadKlantcontact.leiddeTotInterneTaken"
                     % d["uuid"])
        kce = (de["_expand"]["verstrektDoorBetrokkene"]["_expand"]
               ["hadKlantcontact"])
        self.assertEqual(kce["uuid"], c["uuid"])
        self.assertEqual(kce["_expand"]["leiddeTotInterneTaken"], [])
        # Klantcontact filters through the betrokkene.
        other = self.contact()
        self.ok("POST", "/betrokkenen", {
            "hadKlantcontact": {"uuid": other["uuid"]}, "rol": "klant",
            "initiator": False})

        def kc_uuids(q):
            return [x["uuid"] for x in
                    self.ok("GET", "/klantcontacten?" + q)["results"]]

        self.assertEqual(kc_uuids(
            "hadBetrokkene__digitaaladres__adres__icontains=jan@EXAMPLE"),
            [c["uuid"]])
        self.assertEqual(kc_uuids("hadBetrokkene__uuid=" + b["uuid"]),
                         [c["uuid"]])
        self.assertEqual(kc_uuids("hadBetrokkene__url=" + b["url"]),
                         [c["uuid"]])
        self.assertEqual(kc_uuids("hadBetrokkene__uuid=" + b["uuid"].upper()),
                         [c["uuid"]])
        self.assertEqual(kc_uuids("hadBetrokkene__wasPartij=true"),
                         [c["uuid"]])
        self.assertEqual(kc_uuids("hadBetrokkene__wasPartij=false"),
                         [other["uuid"]])
        self.assertEqual(kc_uuids("hadBetrokkene__wasPartij__uuid=" +
                                  p["uuid"]), [c["uuid"]])

        def b_uuids(q):
            return [x["uuid"] for x in
                    self.ok("GET", "/betrokkenen?" + q)["results"]]

        self.assertEqual(b_uuids("contactnaamAchternaam=Dijk"), [b["uuid"]])
        self.assertEqual(b_uuids("organisatienaam=Bakkerij%20De%20Korst"),
                         [b["uuid"]])
        self.assertEqual(b_uuids("hadKlantcontact__uuid=" + c["uuid"]),
                         [b["uuid"]])
        self.assertEqual(b_uuids("hadKlantcontact__nummer=" + c["nummer"]),
                         [b["uuid"]])
        self.assertEqual(b_uuids("wasPartij__nummer=" + p["nummer"]),
                         [b["uuid"]])
        self.assertEqual(b_uuids("verstrektedigitaalAdres__uuid=" +
                                 d["uuid"]), [b["uuid"]])
        # PATCH, PUT, validation, delete.
        pb = self.ok("PATCH", "/betrokkenen/" + b["uuid"],
                     {"rol": "vertegenwoordiger", "contactnaam": None})
        self.assertEqual(pb["rol"], "vertegenwoordiger")
        self.assertIsNone(pb["contactnaam"])
        self.assertEqual(pb["volledigeNaam"], "")
        self.invalid(self.req("PUT", "/betrokkenen/" + b["uuid"],
                              {"rol": "klant"}), "hadKlantcontact",
                     "required")
        self.invalid(self.req("PATCH", "/betrokkenen/" + b["uuid"],
                              {"rol": "baas"}), "rol")
        self.invalid(self.req("PATCH", "/betrokkenen/" + b["uuid"], {
            "bezoekadres": {"postcode": "12345"}}), "bezoekadres.postcode")
        self.invalid(self.req("PATCH", "/betrokkenen/" + b["uuid"], {
            "bezoekadres": {"huisnummer": 0}}), "bezoekadres.huisnummer")
        # null and empty members where the document has a pattern are left
        # out, so the answer keeps to the document.
        pa = self.ok("PATCH", "/betrokkenen/" + b["uuid"], {
            "bezoekadres": {"postcode": "", "land": None, "stad": "Ede",
                            "huisnummer": None},
            "correspondentieadres": {"nummeraanduidingId": ""}})
        self.assertEqual(pa["bezoekadres"], {"stad": "Ede"})
        self.assertEqual(pa["correspondentieadres"], {})
        self.ok("DELETE", "/betrokkenen/" + b["uuid"])
        self.not_found(self.req("GET", "/betrokkenen/" + b["uuid"]))
        self.assertEqual(self.ok("GET", "/klantcontacten/" + c["uuid"])
                         ["hadBetrokkenen"], [])

    # -- bijlagen, onderwerpobjecten, actorklantcontacten --

    def test_bijlagen(self):
        c = self.contact()
        a = self.ok("POST", "/bijlagen", {
            "wasBijlageVanKlantcontact": {"uuid": c["uuid"]},
            "bijlageidentificator": {"objectId": "doc-1",
                                     "codeObjecttype": "DOCUMENT",
                                     "codeRegister": "open-zaak",
                                     "codeSoortObjectId": "uuid"}})
        self.assertEqual(set(a), {"uuid", "url", "wasBijlageVanKlantcontact",
                                  "bijlageidentificator"})
        self.assertEqual(a["bijlageidentificator"]["objectId"], "doc-1")
        self.ok("POST", "/bijlagen", {"bijlageidentificator": None})
        lst = self.ok("GET", "/bijlagen?bijlageidentificatorObjectId=doc-1")
        self.assertEqual([x["uuid"] for x in lst["results"]], [a["uuid"]])
        lst = self.ok("GET", "/bijlagen?klantcontact__uuid=" + c["uuid"])
        self.assertEqual(lst["count"], 1)
        kc = self.ok("GET", "/klantcontacten/%s?expand=omvatteBijlagen" %
                     c["uuid"])
        self.assertEqual(kc["_expand"]["omvatteBijlagen"][0]["uuid"],
                         a["uuid"])
        p = self.ok("PATCH", "/bijlagen/" + a["uuid"],
                    {"bijlageidentificator": {"objectId": "doc-2"}})
        self.assertEqual(p["bijlageidentificator"]["objectId"], "doc-2")
        self.ok("PUT", "/bijlagen/" + a["uuid"],
                {"wasBijlageVanKlantcontact": None})
        self.assertEqual(self.ok("GET", "/klantcontacten/" + c["uuid"])
                         ["omvatteBijlagen"], [])
        self.ok("DELETE", "/bijlagen/" + a["uuid"])
        self.not_found(self.req("GET", "/bijlagen/" + a["uuid"]))

    def test_onderwerpobjecten_and_was_klantcontact(self):
        first = self.contact(kanaal="chat")
        later = self.contact(kanaal="telefoon")
        o = self.ok("POST", "/onderwerpobjecten", {
            "klantcontact": {"uuid": later["uuid"]},
            "wasKlantcontact": {"uuid": first["uuid"]},
            "onderwerpobjectidentificator": {
                "objectId": "zaak-9", "codeObjecttype": "zaak",
                "codeRegister": "open-zaak", "codeSoortObjectId": "uuid"}})
        self.assertEqual(o["wasKlantcontact"]["uuid"], first["uuid"])
        self.assertEqual(self.ok("GET", "/klantcontacten/" + later["uuid"])
                         ["gingOverOnderwerpobjecten"][0]["uuid"], o["uuid"])

        def kc_uuids(q):
            return [x["uuid"] for x in
                    self.ok("GET", "/klantcontacten?" + q)["results"]]

        self.assertEqual(kc_uuids("wasOnderwerpobject__uuid=" + o["uuid"]),
                         [first["uuid"]])
        self.assertEqual(kc_uuids("onderwerpobject__uuid=" + o["uuid"]),
                         [later["uuid"]])
        self.assertEqual(kc_uuids("onderwerpobject__onderwerpobject"
                                  "identificatorObjectId=zaak-9"),
                         [later["uuid"]])
        lst = self.ok("GET", "/onderwerpobjecten?wasKlantcontact__uuid=" +
                      first["uuid"])
        self.assertEqual([x["uuid"] for x in lst["results"]], [o["uuid"]])
        lst = self.ok("GET", "/onderwerpobjecten?onderwerpobjectidentificator"
                      "CodeRegister=open-zaak")
        self.assertEqual(lst["count"], 1)
        p = self.ok("PATCH", "/onderwerpobjecten/" + o["uuid"],
                    {"onderwerpobjectidentificator": None})
        self.assertIsNone(p["onderwerpobjectidentificator"])
        # Deleting the earlier contact keeps the object, without the link.
        self.ok("DELETE", "/klantcontacten/" + first["uuid"])
        self.assertIsNone(self.ok("GET", "/onderwerpobjecten/" + o["uuid"])
                          ["wasKlantcontact"])
        self.ok("DELETE", "/onderwerpobjecten/" + o["uuid"])
        self.not_found(self.req("GET", "/onderwerpobjecten/" + o["uuid"]))

    def test_actorklantcontacten(self):
        c = self.contact()
        act = self.actor()
        link = self.ok("POST", "/actorklantcontacten", {
            "actor": {"uuid": act["uuid"]},
            "klantcontact": {"uuid": c["uuid"]}})
        self.assertEqual(set(link), {"uuid", "url", "actor", "klantcontact"})
        kc = self.ok("GET", "/klantcontacten/" + c["uuid"])
        self.assertEqual(kc["hadBetrokkenActoren"][0]["uuid"], act["uuid"])
        self.assertEqual(kc["hadBetrokkenActoren"][0]["naam"],
                         "Medewerker Mees")
        # The same pair twice is refused.
        self.invalid(self.req("POST", "/actorklantcontacten", {
            "actor": {"uuid": act["uuid"]},
            "klantcontact": {"uuid": c["uuid"]}}), "nonFieldErrors",
            "unique")
        lst = self.ok("GET", "/actorklantcontacten?actor__uuid=" + act["uuid"])
        self.assertEqual([x["uuid"] for x in lst["results"]], [link["uuid"]])
        lst = self.ok("GET", "/actorklantcontacten?klantcontact__url=" +
                      c["url"])
        self.assertEqual(lst["count"], 1)
        self.invalid(self.req("PUT", "/actorklantcontacten/" + link["uuid"],
                              {"actor": {"uuid": act["uuid"]}}),
                     "klantcontact", "required")
        other = self.contact()
        p = self.ok("PATCH", "/actorklantcontacten/" + link["uuid"],
                    {"klantcontact": {"uuid": other["uuid"]}})
        self.assertEqual(p["klantcontact"]["uuid"], other["uuid"])
        self.ok("DELETE", "/actorklantcontacten/" + link["uuid"])
        self.not_found(self.req("GET", "/actorklantcontacten/" +
                                link["uuid"]))

    # -- internetaken --

    def test_internetaken(self):
        c = self.contact(referentienummer="KC-7")
        a1 = self.actor("Anna")
        a2 = self.actor("Bert")
        t = self.ok("POST", "/internetaken", {
            "aanleidinggevendKlantcontact": {"uuid": c["uuid"]},
            "gevraagdeHandeling": "Terugbellen",
            "toegewezenAanActoren": [{"uuid": a1["uuid"]},
                                     {"uuid": a2["uuid"]}],
            "toelichting": "Na 14:00", "status": "te_verwerken"})
        self.assertEqual(set(t), TAAK_KEYS | {"toegewezenAanActor"})
        self.assertEqual(t["toegewezenAanActor"]["uuid"], a1["uuid"])
        self.assertEqual([x["uuid"] for x in t["toegewezenAanActoren"]],
                         [a1["uuid"], a2["uuid"]])
        self.assertIsNone(t["afgehandeldOp"])
        self.assertEqual(t["nummer"], "0000000001")
        kc = self.ok("GET", "/klantcontacten/%s?expand=leiddeTotInterneTaken"
                     % c["uuid"])
        self.assertEqual(kc["leiddeTotInterneTaken"][0]["uuid"], t["uuid"])
        self.assertEqual(kc["_expand"]["leiddeTotInterneTaken"][0]
                         ["gevraagdeHandeling"], "Terugbellen")
        self.assertEqual([x["uuid"] for x in self.ok(
            "GET", "/klantcontacten?leiddeTotInterneTaken=true")["results"]],
            [c["uuid"]])
        # Done: afgehandeldOp is set; back: cleared.
        d = self.ok("PATCH", "/internetaken/" + t["uuid"],
                    {"status": "verwerkt"})
        self.assertIsNotNone(d["afgehandeldOp"])
        self.assertEqual(d["toegewezenOp"], t["toegewezenOp"])
        u = self.ok("PATCH", "/internetaken/" + t["uuid"],
                    {"status": "te_verwerken"})
        self.assertIsNone(u["afgehandeldOp"])
        # A number, once given, stays.
        self.assertEqual(self.ok("PATCH", "/internetaken/" + t["uuid"],
                                 {"nummer": None})["nummer"], t["nummer"])
        # The deprecated single actor replaces the list.
        s = self.ok("PATCH", "/internetaken/" + t["uuid"],
                    {"toegewezenAanActor": {"uuid": a2["uuid"]}})
        self.assertEqual([x["uuid"] for x in s["toegewezenAanActoren"]],
                         [a2["uuid"]])

        def ids(q):
            return [x["uuid"] for x in
                    self.ok("GET", "/internetaken?" + q)["results"]]

        self.assertEqual(ids("status=te_verwerken"), [t["uuid"]])
        self.assertEqual(ids("status=verwerkt"), [])
        self.invalid(self.req("GET", "/internetaken?status=klaar"), "status")
        self.assertEqual(ids("toegewezenAanActor__uuid=" + a2["uuid"]),
                         [t["uuid"]])
        self.assertEqual(ids("toegewezenAanActor__uuid=" + a1["uuid"]), [])
        self.assertEqual(ids("actoren__naam=Bert"), [t["uuid"]])
        self.assertEqual(ids("klantcontact__referentienummer=KC-7"),
                         [t["uuid"]])
        self.assertEqual(ids("aanleidinggevendKlantcontact__url=" +
                             c["url"]), [t["uuid"]])
        self.assertEqual(ids("nummer=0000000001"), [t["uuid"]])
        # Validation.
        self.invalid(self.req("POST", "/internetaken", {
            "aanleidinggevendKlantcontact": {"uuid": c["uuid"]},
            "status": "te_verwerken"}), "gevraagdeHandeling", "required")
        self.invalid(self.req("POST", "/internetaken", {
            "aanleidinggevendKlantcontact": {"uuid": c["uuid"]},
            "gevraagdeHandeling": "x", "status": "te_verwerken",
            "toegewezenAanActoren": [{"uuid": str(uuid.uuid4())}]}),
            "toegewezenAanActoren", "does_not_exist")
        self.ok("DELETE", "/internetaken/" + t["uuid"])
        self.not_found(self.req("GET", "/internetaken/" + t["uuid"]))

    # -- maak-klantcontact --

    def test_maak_klantcontact(self):
        earlier = self.contact()
        p = self.partij()
        r = self.ok("POST", "/maak-klantcontact", {
            "klantcontact": contact_body(kanaal="balie"),
            "betrokkene": {"wasPartij": {"uuid": p["uuid"]}, "rol": "klant",
                           "initiator": True,
                           "contactnaam": {"voornaam": "Fatima",
                                           "achternaam": "El Amrani"}},
            "onderwerpobject": {
                "wasKlantcontact": {"uuid": earlier["uuid"]},
                "onderwerpobjectidentificator": {"objectId": "z-1"}}})
        self.assertEqual(set(r), {"klantcontact", "betrokkene",
                                  "onderwerpobject"})
        kc = r["klantcontact"]
        self.assertEqual(set(kc), CONTACT_KEYS)
        self.assertEqual(r["betrokkene"]["hadKlantcontact"]["uuid"],
                         kc["uuid"])
        self.assertEqual(r["betrokkene"]["volledigeNaam"], "Fatima El Amrani")
        self.assertEqual(r["onderwerpobject"]["klantcontact"]["uuid"],
                         kc["uuid"])
        self.assertEqual(r["onderwerpobject"]["wasKlantcontact"]["uuid"],
                         earlier["uuid"])
        self.assertEqual(self.ok("GET", "/klantcontacten/" + kc["uuid"])
                         ["hadBetrokkenen"][0]["uuid"],
                         r["betrokkene"]["uuid"])
        # Only a klantcontact.
        alone = self.ok("POST", "/maak-klantcontact",
                        {"klantcontact": contact_body()})
        self.assertEqual(set(alone), {"klantcontact"})
        self.invalid(self.req("POST", "/maak-klantcontact", {}),
                     "klantcontact", "required")
        r = self.req("GET", "/maak-klantcontact")
        self.assertEqual(r.status, 405, r)
        self.assertEqual(r.header("Allow"), "POST")
        self.not_found(self.req("GET", "/maak-klantcontact/" + kc["uuid"]))
        # Malformed JSON and a non-object part.
        r = self.srv.request("POST", BASE + "/maak-klantcontact", body=b"{",
                             headers={"Authorization": "Token " + self.conf,
                                      "Content-Type": "application/json"})
        self.assertEqual(r.status, 400, r)
        self.invalid(self.req("POST", "/maak-klantcontact",
                              {"klantcontact": contact_body(),
                               "betrokkene": "klant"}), "betrokkene")
        r = self.srv.request("POST", BASE + "/maak-klantcontact",
                             json_body={"klantcontact": contact_body()})
        self.assertEqual(r.status, 401, r)

    def test_maak_klantcontact_is_atomic(self):
        before = self.ok("GET", "/klantcontacten")["count"]
        n_before = db_query(self.data, "SELECT COUNT(*) FROM contacts")[0][0]
        # Invalid betrokkene member: refused before anything is written.
        self.invalid(self.req("POST", "/maak-klantcontact", {
            "klantcontact": contact_body(),
            "betrokkene": {"rol": "baas", "initiator": True}}),
            "betrokkene.rol")
        # A betrokkene naming a party that does not exist, and one that
        # vanishes between the check and the write, leave nothing behind.
        p = self.partij()
        self.invalid(self.req("POST", "/maak-klantcontact", {
            "klantcontact": contact_body(),
            "betrokkene": {"rol": "klant", "initiator": True,
                           "wasPartij": {"uuid": str(uuid.uuid4())}}}),
            "betrokkene.wasPartij", "does_not_exist")
        self.invalid(self.req("POST", "/maak-klantcontact", {
            "klantcontact": contact_body(),
            "onderwerpobject": {"wasKlantcontact":
                                {"uuid": str(uuid.uuid4())}}}),
            "onderwerpobject.wasKlantcontact", "does_not_exist")
        self.assertEqual(self.ok("GET", "/klantcontacten")["count"], before)
        self.assertEqual(
            db_query(self.data, "SELECT COUNT(*) FROM contacts")[0][0],
            n_before)
        self.assertEqual(db_query(self.data, "SELECT COUNT(*) FROM involved")
                         [0][0], 0)
        # The counter did not move either: the next contact gets 1.
        self.assertEqual(self.ok("POST", "/maak-klantcontact", {
            "klantcontact": contact_body(),
            "betrokkene": {"rol": "klant", "initiator": True,
                           "wasPartij": {"uuid": p["uuid"]}}})
            ["klantcontact"]["nummer"], "0000000001")

    # -- confidentiality --

    def test_confidential_contacts(self):
        open_ = self.contact()
        secret = self.contact(vertrouwelijk=True, onderwerp="Geheim")
        b = self.ok("POST", "/betrokkenen", {
            "hadKlantcontact": {"uuid": secret["uuid"]}, "rol": "klant",
            "initiator": True})
        o = self.ok("POST", "/onderwerpobjecten",
                    {"klantcontact": {"uuid": secret["uuid"]}})
        a = self.ok("POST", "/bijlagen", {
            "wasBijlageVanKlantcontact": {"uuid": secret["uuid"]}})
        act = self.actor()
        link = self.ok("POST", "/actorklantcontacten", {
            "actor": {"uuid": act["uuid"]},
            "klantcontact": {"uuid": secret["uuid"]}})
        t = self.ok("POST", "/internetaken", {
            "aanleidinggevendKlantcontact": {"uuid": secret["uuid"]},
            "gevraagdeHandeling": "x", "status": "te_verwerken"})
        # With the scope: all there.
        self.assertEqual(self.ok("GET", "/klantcontacten")["count"], 2)
        self.assertEqual(self.ok("GET", "/klantcontacten?vertrouwelijk=true")
                         ["count"], 1)
        # Without: like unknown uuids, everywhere.
        pl = self.plain
        lst = self.ok("GET", "/klantcontacten", token=pl)
        self.assertEqual(lst["count"], 1)
        self.assertEqual([x["uuid"] for x in lst["results"]], [open_["uuid"]])
        self.assertEqual(self.ok("GET", "/klantcontacten?vertrouwelijk=true",
                                 token=pl)["count"], 0)
        for path in ("/klantcontacten/" + secret["uuid"],
                     "/betrokkenen/" + b["uuid"],
                     "/onderwerpobjecten/" + o["uuid"],
                     "/bijlagen/" + a["uuid"],
                     "/actorklantcontacten/" + link["uuid"],
                     "/internetaken/" + t["uuid"]):
            self.not_found(self.req("GET", path, token=pl))
            self.not_found(self.req("PATCH", path, {}, token=pl))
            self.not_found(self.req("DELETE", path, token=pl))
        for coll in ("betrokkenen", "onderwerpobjecten", "bijlagen",
                     "actorklantcontacten", "internetaken"):
            self.assertEqual(self.ok("GET", "/" + coll, token=pl)["count"],
                             0, coll)
        # In bodies: a hidden contact is an unknown one.
        self.invalid(self.req("POST", "/betrokkenen", {
            "hadKlantcontact": {"uuid": secret["uuid"]}, "rol": "klant",
            "initiator": True}, token=pl), "hadKlantcontact",
            "does_not_exist")
        self.invalid(self.req("POST", "/internetaken", {
            "aanleidinggevendKlantcontact": {"uuid": secret["uuid"]},
            "gevraagdeHandeling": "x", "status": "te_verwerken"}, token=pl),
            "aanleidinggevendKlantcontact", "does_not_exist")
        self.invalid(self.req("POST", "/onderwerpobjecten", {
            "wasKlantcontact": {"uuid": secret["uuid"]}}, token=pl),
            "wasKlantcontact", "does_not_exist")
        # A caller without the scope cannot make a contact confidential.
        self.invalid(self.req("POST", "/klantcontacten",
                              contact_body(vertrouwelijk=True), token=pl),
                     "vertrouwelijk")
        self.invalid(self.req("PATCH", "/klantcontacten/" + open_["uuid"],
                              {"vertrouwelijk": True}, token=pl),
                     "vertrouwelijk")
        # Still all there for the scope.
        self.assertEqual(self.ok("GET", "/klantcontacten/" + secret["uuid"])
                         ["onderwerp"], "Geheim")

    def test_internal_notes_are_never_served(self):
        c = self.contact()
        # A note written by the conversation side of Loket.
        rows = db_query(self.data, "SELECT COUNT(*) FROM contacts")
        self.assertEqual(rows[0][0], 1)
        import sqlite3
        conn = sqlite3.connect(os.path.join(self.data, "loket.db"),
                               timeout=10)
        note = str(uuid.uuid4())
        with conn:
            conn.execute("INSERT INTO contacts (id, kind, channel, subject,"
                         " content, occurred_at, created_at) VALUES"
                         " (?, 'note', 'intern', 'n', 'alleen intern', 1, 1)",
                         (note,))
        conn.close()
        self.not_found(self.req("GET", "/klantcontacten/" + note))
        self.assertEqual([x["uuid"] for x in
                          self.ok("GET", "/klantcontacten")["results"]],
                         [c["uuid"]])
        self.invalid(self.req("POST", "/betrokkenen", {
            "hadKlantcontact": {"uuid": note}, "rol": "klant",
            "initiator": True}), "hadKlantcontact", "does_not_exist")
        self.not_found(self.req("DELETE", "/klantcontacten/" + note))

    # -- ids, text --

    def test_unknown_and_malformed_ids(self):
        c = self.contact()
        ghost = str(uuid.uuid4())
        for coll in ("klantcontacten", "betrokkenen", "bijlagen",
                     "onderwerpobjecten", "actorklantcontacten",
                     "internetaken"):
            self.not_found(self.req("GET", "/%s/%s" % (coll, ghost)))
            self.not_found(self.req("GET", "/%s/not-a-uuid" % coll))
            self.not_found(self.req("PATCH", "/%s/%s" % (coll, ghost), {}))
            self.not_found(self.req("DELETE", "/%s/%s" % (coll, ghost)))
        self.invalid(self.req("POST", "/betrokkenen", {
            "hadKlantcontact": {"uuid": ghost}, "rol": "klant",
            "initiator": True}), "hadKlantcontact", "does_not_exist")
        self.invalid(self.req("POST", "/betrokkenen", {
            "hadKlantcontact": {"uuid": "nope"}, "rol": "klant",
            "initiator": True}), "hadKlantcontact")
        self.invalid(self.req("POST", "/actorklantcontacten", {
            "actor": {"uuid": ghost}, "klantcontact": {"uuid": c["uuid"]}}),
            "actor", "does_not_exist")
        # A uuid of another kind of item is not a klantcontact.
        act = self.actor()
        self.invalid(self.req("POST", "/bijlagen", {
            "wasBijlageVanKlantcontact": {"uuid": act["uuid"]}}),
            "wasBijlageVanKlantcontact", "does_not_exist")
        self.not_found(self.req("GET", "/klantcontacten/" + act["uuid"]))
        # No token, wrong scheme.
        r = self.srv.request("GET", BASE + "/klantcontacten")
        self.assertEqual(r.status, 401, r)

    def test_html_is_stored_verbatim(self):
        c = self.contact(onderwerp=XSS, inhoud=XSS, reactie=XSS,
                         kanaal="<b>chat</b>", referentienummer="<i>1</i>",
                         metadata={"<k>": XSS})
        for k in ("onderwerp", "inhoud", "reactie"):
            self.assertEqual(c[k], XSS)
        self.assertEqual(c["kanaal"], "<b>chat</b>")
        self.assertEqual(c["metadata"], {"<k>": XSS})
        b = self.ok("POST", "/betrokkenen", {
            "hadKlantcontact": {"uuid": c["uuid"]}, "rol": "klant",
            "initiator": True, "organisatienaam": XSS,
            "contactnaam": {"voornaam": "<b>", "achternaam": XSS[:200]},
            "bezoekadres": {"straatnaam": XSS, "stad": "<i>x</i>"}})
        self.assertEqual(b["organisatienaam"], XSS)
        self.assertEqual(b["bezoekadres"]["straatnaam"], XSS)
        self.assertEqual(b["volledigeNaam"], "<b> " + XSS[:200])
        a = self.ok("POST", "/bijlagen", {"bijlageidentificator": {
            "objectId": XSS, "codeObjecttype": "<svg/onload=1>"}})
        self.assertEqual(a["bijlageidentificator"]["objectId"], XSS)
        o = self.ok("POST", "/onderwerpobjecten", {
            "onderwerpobjectidentificator": {"objectId": XSS}})
        self.assertEqual(o["onderwerpobjectidentificator"]["objectId"], XSS)
        t = self.ok("POST", "/internetaken", {
            "aanleidinggevendKlantcontact": {"uuid": c["uuid"]},
            "gevraagdeHandeling": XSS, "toelichting": XSS,
            "status": "te_verwerken"})
        self.assertEqual((t["gevraagdeHandeling"], t["toelichting"]),
                         (XSS, XSS))
        again = self.ok("GET", "/klantcontacten/" + c["uuid"])
        self.assertEqual(again["inhoud"], XSS)
        r = self.req("GET", "/klantcontacten/" + c["uuid"])
        self.assertTrue(r.content_type.startswith("application/json"))
        rows = db_query(self.data, "SELECT subject, content FROM contacts"
                        " WHERE id = ?", (c["uuid"],))
        self.assertEqual(rows, [(XSS, XSS)])

    def test_changes_are_logged(self):
        c = self.contact()
        p = self.partij()
        self.ok("POST", "/betrokkenen", {
            "hadKlantcontact": {"uuid": c["uuid"]}, "rol": "klant",
            "initiator": True, "wasPartij": {"uuid": p["uuid"]}})
        self.ok("GET", "/klantcontacten/" + c["uuid"])
        ev = db_query(self.data, "SELECT type, subject FROM events"
                      " WHERE type = 'contact.added' ORDER BY seq")
        self.assertEqual(ev, [("contact.added", c["uuid"])] * 2)
        audit = db_query(self.data, "SELECT action FROM audit_log"
                         " WHERE action LIKE 'klantcontact.%' OR action"
                         " LIKE 'betrokkene.%' ORDER BY id")
        self.assertEqual([a for (a,) in audit],
                         ["klantcontact.create", "betrokkene.create"])
        rows = db_query(self.data, "SELECT operation, activity FROM"
                        " processing_log WHERE party_id = ? ORDER BY seq",
                        (p["uuid"],))
        self.assertIn(("create", "klantcontact"), rows)
        self.assertIn(("read", "klantinteracties"), rows)
        # Reading a part of the contact is a read of the resident's data.
        for coll, body in (("bijlagen", {"wasBijlageVanKlantcontact":
                                         {"uuid": c["uuid"]}}),
                           ("onderwerpobjecten", {"klantcontact":
                                                  {"uuid": c["uuid"]}})):
            item = self.ok("POST", "/" + coll, body)
            path = BASE + "/%s/%s" % (coll, item["uuid"])
            self.ok("GET", "/%s/%s" % (coll, item["uuid"]))
            wait_until(lambda: db_query(
                self.data, "SELECT 1 FROM processing_log WHERE party_id = ?"
                " AND operation = 'read' AND resource = ?",
                (p["uuid"], path)), 10, what="the read of " + path)


if __name__ == "__main__":
    main()
