"""The resident card, look-up and timeline for staff (GET /api/v1/parties,
/parties/{id}, /parties/{id}/timeline): BSN masking and its logged reveal,
confidential parties and contacts, merged histories, involved contacts,
cursor pagination, IDOR and HTML kept as data.

The residents and their histories are made through the endpoints that
write them, in the order they happened: parties, identifiers and
addresses through the Klantinteracties API, conversations, messages and
notes through /api/v1/conversations, involvement through /betrokkenen,
tasks through /api/v1/tasks, merges through /api/v1/party-merges.  The
database is only read.
"""

import os
import shutil
import sys
import tempfile
import time
import unittest
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import loketlib  # noqa: E402
from loketlib import (LoketTestCase, api_ok, conversation_message,  # noqa
                      conversation_note, create_token, db_query, ki_address,
                      ki_identifier, ki_organisation, ki_request,
                      new_conversation, wait_until)

DAY = 86_400_000


def new_id():
    return str(uuid.uuid4())


class History:
    """Writes a resident's history through the endpoints."""

    def __init__(self, srv, token):
        self.srv = srv
        self.token = token

    def person(self, voornaam, voorvoegsel, achternaam, **extra):
        naam = {"voornaam": voornaam, "achternaam": achternaam}
        if voorvoegsel:
            naam["voorvoegselAchternaam"] = voorvoegsel
        body = {"soortPartij": "persoon", "indicatieActief": True,
                "partijIdentificatie": {"contactnaam": naam}}
        body.update(extra)
        return api_ok(ki_request(self.srv, "POST", "partijen", body,
                                 self.token), 201, "POST partijen")["uuid"]

    def conversation(self, party, channel, subject, content="",
                     confidential=False):
        c = new_conversation(self.srv, self.token, content or subject,
                             channel, party_id=party, subject=subject,
                             confidential=confidential)
        return c["id"], c["messageId"], c["createdAt"]

    def message(self, conv, subject="", content="", **extra):
        return conversation_message(self.srv, self.token, conv,
                                    content or subject or "bericht",
                                    subject=subject, **extra)["id"]

    def involve(self, contact, party):
        api_ok(ki_request(self.srv, "POST", "betrokkenen", {
            "hadKlantcontact": {"uuid": contact},
            "wasPartij": {"uuid": party}, "rol": "klant",
            "initiator": False}, self.token), 201, "POST betrokkenen")

    def task(self, contact, action, status="te_verwerken", deadline=None):
        body = {"contactId": contact, "kind": "callback", "action": action}
        if deadline:
            body["deadline"] = deadline
        t = api_ok(self.srv.post_json("/api/v1/tasks", body,
                                      token=self.token), 201, "POST task")
        if status != "te_verwerken":
            api_ok(self.srv.request("PATCH", "/api/v1/tasks/" + t["id"],
                                    json_body={"status": status},
                                    token=self.token), 200, "PATCH task")
        return t["id"]

    def merge(self, survivor, merged):
        return api_ok(self.srv.post_json(
            "/api/v1/party-merges", {"survivorId": survivor,
                                     "mergedId": merged,
                                     "reason": "dubbel"},
            token=self.token), 201, "POST party-merges")


def schema_errors(doc, schema, value, where="$"):
    """Checks `value` against an OpenAPI 3.0 schema of `doc` (the subset
    the part files use: $ref, type, nullable, enum, required, properties,
    additionalProperties, items, maxItems, pattern-free strings).  Returns
    a list of faults; additional members are faults unless allowed."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return schema_errors(doc, doc["components"]["schemas"][name], value,
                             where)
    if value is None:
        return [] if schema.get("nullable") else ["%s is null" % where]
    errs = []
    kind = schema.get("type")
    types = {"object": dict, "array": list, "string": str, "boolean": bool}
    if kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            return ["%s is not an integer: %r" % (where, value)]
    elif kind in types and not isinstance(value, types[kind]):
        return ["%s is not %s: %r" % (where, kind, value)]
    if "enum" in schema and value not in schema["enum"]:
        errs.append("%s = %r not in %r" % (where, value, schema["enum"]))
    if kind == "object":
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                errs.append("%s lacks %s" % (where, name))
        extra = schema.get("additionalProperties")
        for name, v in value.items():
            if name in props:
                errs += schema_errors(doc, props[name], v,
                                      "%s.%s" % (where, name))
            elif isinstance(extra, dict):
                errs += schema_errors(doc, extra, v, "%s.%s" % (where, name))
            elif props and extra is not True:
                errs.append("%s has undocumented %s" % (where, name))
    if kind == "array":
        if len(value) > schema.get("maxItems", len(value)):
            errs.append("%s has too many items" % where)
        for i, v in enumerate(value):
            errs += schema_errors(doc, schema.get("items", {}), v,
                                  "%s[%d]" % (where, i))
    return errs


def proclog_rows(data, where="1=1", params=()):
    return db_query(data, "SELECT actor, party_id, operation, activity,"
                    " resource, reason, request_id FROM processing_log"
                    " WHERE " + where + " ORDER BY seq", params)


class ResidentsTest(LoketTestCase):
    """One server and one seeded database for the whole class: the tests
    only read (and append to the processing log)."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="loket-test-")
        data = os.path.join(cls.tmp, "data")
        cls.data = data
        _, cls.plain = create_token(data, "kcc", "api")
        _, cls.cleared = create_token(data, "kcc-vertrouwelijk",
                                      "api confidential")
        _, cls.events_only = create_token(data, "events", "events")
        _, admin = create_token(data, "basisregistratie", "admin")
        cls.server = srv = loketlib.Server(data)
        srv.start()
        h = History(srv, admin)
        # Anna: the main resident.  Her BSN 123456782 passes the 11-proef.
        cls.anna_ident = {"contactnaam": {"voornaam": "Anna",
                                          "voorvoegselAchternaam": "de",
                                          "achternaam": "Vries"}}
        cls.anna = h.person("Anna", "de", "Vries", correspondentieadres={
            "adresregel1": "Dorpsstraat 1", "land": "NL"})
        cls.anna_bsn = ki_identifier(srv, admin, cls.anna, "bsn",
                                     "123456782")["uuid"]
        ki_identifier(srv, admin, cls.anna, "kvk_nummer", "69599084",
                      object_type="niet_natuurlijk_persoon", register="hr")
        ki_address(srv, admin, cls.anna, "Anna@Example.NL", default=True,
                   verified="2026-01-02")
        ki_address(srv, admin, cls.anna, "anna.oud@example.nl")
        ki_address(srv, admin, cls.anna, "0612345678", "telefoonnummer",
                   default=True)
        # An earlier party of Anna's, merged into her below.
        cls.old = h.person("A.", "de", "Vries")
        ki_address(srv, admin, cls.old, "a.devries@example.nl")
        # Someone else, in whose conversation Anna was involved.
        cls.other = h.person("Bert", "", "Bakker")
        # A confidential party.
        cls.secret = h.person("Geheim", "", "Persoon",
                              indicatieGeheimhouding=True)
        ki_address(srv, admin, cls.secret, "geheim@example.nl")
        # HTML in every text field.
        cls.html_name = '<script>alert("x")</script> & <b>Co</b>'
        cls.html = ki_organisation(srv, admin, cls.html_name)["uuid"]
        html_conv, _, _ = h.conversation(cls.html, "email",
                                         "<img src=x onerror=1>")
        h.message(html_conv, subject="<i>onderwerp</i>",
                  content="<a href='javascript:alert(1)'>klik</a>")
        cls.carla = h.person("Carla", "", "Geheim",
                             indicatieGeheimhouding=True)

        # Anna's history, in this order:
        #   c1 inbound (email)       conversation X
        #   c2 inbound (chat)        conversation Y of the party merged later
        #   c3 outbound (email)      conversation X
        #   c4 inbound (telefoon)    conversation Z of Bert, Anna involved
        #   c5 note                  conversation X
        #   c6 inbound, confidential conversation X
        #   c7 inbound               confidential conversation W
        #   c8 inbound               Carla's (confidential) conversation,
        #                            Anna involved
        c = {}
        cls.conv_x, c[1], cls.t1 = h.conversation(
            cls.anna, "email", "Afval niet opgehaald",
            "Goedemorgen,\n\nmijn  container is niet geleegd.")
        cls.conv_y, c[2], _ = h.conversation(cls.old, "chat",
                                             "Paspoort verlengen")
        c[3] = h.message(cls.conv_x, subject="Re: Afval",
                         direction="outbound")
        cls.conv_z, c[4], _ = h.conversation(cls.other, "telefoon",
                                             "Overlast buren")
        h.involve(c[4], cls.anna)
        c[5] = conversation_note(srv, admin, cls.conv_x,
                                 "Intern: wijkteam gebeld")["id"]
        c[6] = h.message(cls.conv_x, subject="Vertrouwelijk",
                         confidential=True)
        cls.conv_w, c[7], _ = h.conversation(cls.anna, "balie", "Zorgvraag",
                                             confidential=True)
        conv_q, c[8], _ = h.conversation(cls.carla, "email", "Over Anna")
        h.involve(c[8], cls.anna)
        cls.contacts = c
        # The merge: Y's history becomes Anna's.
        cls.merge = h.merge(cls.anna, cls.old)
        cls.deadline = int(time.time() * 1000) + DAY
        cls.task_open = h.task(c[1], "Terugbellen over container",
                               deadline=cls.deadline)
        h.task(c[3], "Al gedaan", status="verwerkt")
        cls.task_secret = h.task(c[6], "Vertrouwelijke taak")
        h.task(c[4], "Taak van Bert")
        # Ten parties for paging by name.
        cls.page_names = ["Pagina %02d" % i for i in range(10)]
        cls.page_ids = [ki_organisation(srv, admin, n)["uuid"]
                        for n in cls.page_names]
        cls.admin = admin

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.cleanup()
        finally:
            shutil.rmtree(cls.tmp, True)

    def get(self, path, token=None, **params):
        if params:
            path += "?" + urllib.parse.urlencode(params)
        return self.server.get(path,
                               token=self.plain if token is None else token)

    def ok(self, path, token=None, **params):
        r = self.get(path, token, **params)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.content_type.startswith("application/json"), r)
        return r.json()

    # ---- look-up ---------------------------------------------------------

    def test_lookup_by_email_is_normalised(self):
        for email in ("anna@example.nl", "  ANNA@Example.nl "):
            body = self.ok("/api/v1/parties", email=email)
            self.assertEqual([p["id"] for p in body["items"]], [self.anna])
            self.assertIsNone(body["next"])
        item = body["items"][0]
        self.assertEqual(item["name"], "Anna de Vries")
        self.assertEqual(item["kind"], "persoon")
        self.assertIsNone(item["mergedInto"])
        self.assertEqual(self.ok("/api/v1/parties",
                                 email="nobody@example.nl")["items"], [])

    def test_lookup_by_phone_is_normalised(self):
        for phone in ("0612345678", "+31 6 1234 5678", "0031-6-12345678"):
            body = self.ok("/api/v1/parties", phone=phone)
            self.assertEqual([p["id"] for p in body["items"]], [self.anna],
                             phone)

    def test_lookup_by_bsn_shows_no_bsn(self):
        r = self.get("/api/v1/parties", bsn="123456782")
        self.assertEqual(r.status, 200, r)
        self.assertEqual([p["id"] for p in r.json()["items"]], [self.anna])
        self.assertNotIn(b"123456782", r.body)
        self.assertEqual(self.ok("/api/v1/parties", bsn="111222333")["items"],
                         [])

    def test_lookup_of_merged_party_points_to_survivor(self):
        # Found by name, the merged party says where it went ...
        body = self.ok("/api/v1/parties", name="A. de Vries")
        self.assertEqual(len(body["items"]), 1)
        self.assertEqual(body["items"][0]["id"], self.old)
        self.assertEqual(body["items"][0]["mergedInto"], self.anna)
        # ... and its address went with its history to the survivor.
        body = self.ok("/api/v1/parties", email="a.devries@example.nl")
        self.assertEqual([(p["id"], p["mergedInto"]) for p in body["items"]],
                         [(self.anna, None)])

    def test_lookup_by_name_prefix_pages_with_a_cursor(self):
        seen = []
        after = None
        pages = 0
        while True:
            params = {"name": "Pagina ", "limit": 3}
            if after:
                params["after"] = after
            body = self.ok("/api/v1/parties", **params)
            seen += [p["name"] for p in body["items"]]
            pages += 1
            after = body["next"]
            if after is None:
                break
            self.assertLess(pages, 10)
        self.assertEqual(seen, self.page_names)
        self.assertEqual(pages, 4)
        # A prefix is case-sensitive and matches the start only.
        self.assertEqual(self.ok("/api/v1/parties", name="agina")["items"], [])

    def test_lookup_parameters(self):
        self.assertProblem(self.get("/api/v1/parties"), 400,
                           "invalid-parameter")
        self.assertProblem(self.get("/api/v1/parties", email="a@b.nl",
                                    name="A"), 400, "invalid-parameter")
        self.assertProblem(self.get("/api/v1/parties", bsn="12345"), 400,
                           "invalid-parameter", field="bsn")
        self.assertProblem(self.get("/api/v1/parties", name="A", limit=51),
                           400, "invalid-parameter", field="limit")
        self.assertProblem(self.get("/api/v1/parties", name="A",
                                    after="garbage"), 400,
                           "invalid-parameter", field="after")

    def test_lookup_needs_a_token_with_api(self):
        r = self.server.get("/api/v1/parties?name=A")
        self.assertProblem(r, 401, "unauthenticated")
        self.assertProblem(self.get("/api/v1/parties", self.events_only,
                                    name="A"), 403, "insufficient-scope")

    def test_lookup_hides_confidential_parties(self):
        self.assertEqual(self.ok("/api/v1/parties",
                                 email="geheim@example.nl")["items"], [])
        body = self.ok("/api/v1/parties", self.cleared,
                       email="geheim@example.nl")
        self.assertEqual([p["id"] for p in body["items"]], [self.secret])
        self.assertTrue(body["items"][0]["confidential"])

    def test_lookup_is_logged_per_party_without_the_value(self):
        r = self.get("/api/v1/parties", bsn="123456782")
        rid = r.header("X-Request-Id")
        rows = wait_until(lambda: proclog_rows(self.data, "request_id = ?",
                                               (rid,)), 10, what="log row")
        self.assertEqual(len(rows), 1)
        actor, party, op, activity, resource, reason, _ = rows[0]
        self.assertTrue(actor.startswith("token:tok_"))
        self.assertEqual((party, op, activity, resource),
                         (self.anna, "search", "klantbeeld", "parties?bsn"))
        # A search that finds nobody is logged too, with no party.
        r = self.get("/api/v1/parties", bsn="111222333")
        rid = r.header("X-Request-Id")
        rows = wait_until(lambda: proclog_rows(self.data, "request_id = ?",
                                               (rid,)), 10, what="log row")
        self.assertEqual([(x[1], x[2]) for x in rows], [("", "search")])
        for row in proclog_rows(self.data):
            self.assertNotIn("123456782", "".join(row))

    # ---- the card ----------------------------------------------------------

    def card(self, pid, token=None, **params):
        return self.ok("/api/v1/parties/" + pid, token, **params)

    def test_card_masks_the_bsn(self):
        r = self.get("/api/v1/parties/" + self.anna)
        self.assertEqual(r.status, 200, r)
        self.assertNotIn(b"123456782", r.body)
        ids = {i["type"]: i for i in r.json()["identifiers"]}
        self.assertEqual(ids["bsn"]["objectId"], "*****6782")
        self.assertTrue(ids["bsn"]["masked"])
        self.assertEqual(ids["bsn"]["id"], self.anna_bsn)
        # Other identifiers are not personal numbers and are shown.
        self.assertEqual(ids["kvk_nummer"]["objectId"], "69599084")
        self.assertFalse(ids["kvk_nummer"]["masked"])

    def test_card_contents(self):
        card = self.card(self.anna)
        self.assertEqual(card["id"], self.anna)
        self.assertEqual(card["name"], "Anna de Vries")
        self.assertEqual(card["kind"], "persoon")
        self.assertFalse(card["confidential"])
        self.assertIsNone(card["mergedInto"])
        self.assertEqual(card["mergedFrom"], [self.old])
        self.assertEqual(card["identification"]["contactnaam"],
                         self.anna_ident["contactnaam"])
        self.assertEqual(card["postalAddress"],
                         {"adresregel1": "Dorpsstraat 1", "land": "NL"})
        self.assertIsNone(card["visitingAddress"])
        addrs = {a["address"]: a for a in card["digitalAddresses"]}
        self.assertEqual(set(addrs), {"Anna@Example.NL", "anna.oud@example.nl",
                                      "0612345678", "a.devries@example.nl"})
        self.assertTrue(addrs["Anna@Example.NL"]["verified"])
        self.assertEqual(addrs["Anna@Example.NL"]["verifiedOn"], "2026-01-02")
        self.assertTrue(addrs["Anna@Example.NL"]["isDefault"])
        self.assertFalse(addrs["anna.oud@example.nl"]["verified"])
        self.assertFalse(addrs["anna.oud@example.nl"]["isDefault"])
        self.assertIsNone(addrs["anna.oud@example.nl"]["verifiedOn"])
        self.assertEqual(addrs["0612345678"]["kind"], "telefoonnummer")
        self.assertFalse(addrs["a.devries@example.nl"]["isDefault"])
        # Conversations over her whole history (the merged party's too),
        # the confidential one left out for this token.
        self.assertEqual(card["conversationsPerChannel"],
                         {"email": 1, "chat": 1})
        self.assertEqual(card["conversationCount"], 2)
        self.assertEqual([c["id"] for c in card["recentConversations"]],
                         [self.conv_x, self.conv_y])
        # The merge moved Y with the rest of the history.
        self.assertEqual(card["recentConversations"][1]["partyId"], self.anna)
        # Priority by name, as the conversations API gives it.
        self.assertEqual([c["priority"] for c in card["recentConversations"]],
                         ["normal", "normal"])
        # Open tasks only, of her conversations, none confidential.
        self.assertEqual([t["id"] for t in card["openTasks"]],
                         [self.task_open])
        task = card["openTasks"][0]
        self.assertEqual(task["action"], "Terugbellen over container")
        self.assertEqual(task["status"], "te_verwerken")
        self.assertEqual(task["deadline"], self.deadline)
        self.assertEqual(task["conversationId"], self.conv_x)
        self.assertEqual(task["contactId"], self.contacts[1])

    def test_card_with_confidential_scope_shows_more(self):
        card = self.card(self.anna, self.cleared)
        self.assertEqual(card["conversationsPerChannel"],
                         {"email": 1, "chat": 1, "balie": 1})
        self.assertEqual(card["recentConversations"][0]["id"], self.conv_w)
        self.assertEqual(card["recentConversations"][-1]["id"], self.conv_y)
        self.assertEqual(card["mergedFrom"], [self.old])
        self.assertEqual({t["id"] for t in card["openTasks"]},
                         {self.task_open, self.task_secret})
        # Still masked: the scope is no reveal.
        self.assertNotIn("123456782", str(card))

    def test_card_read_is_logged(self):
        r = self.get("/api/v1/parties/" + self.anna)
        rid = r.header("X-Request-Id")
        rows = wait_until(lambda: proclog_rows(self.data, "request_id = ?",
                                               (rid,)), 10, what="log row")
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][1:5], (self.anna, "read", "klantbeeld",
                                        "party/" + self.anna))

    def test_reveal_needs_a_reason(self):
        path = "/api/v1/parties/" + self.anna
        before = len(proclog_rows(self.data, "operation = 'reveal-bsn'"))
        reveal = (lambda p, **b: self.server.post_json(
            p + "/reveal", dict({"field": "bsn"}, **b), token=self.plain))
        self.assertProblem(reveal(path), 422, "missing-field",
                           field="/reason")
        self.assertProblem(reveal(path, reason=""), 422,
                           "missing-field", field="/reason")
        self.assertProblem(reveal(path, reason="a\nb"), 422,
                           "invalid-field", field="/reason")
        self.assertProblem(reveal(path, reason="x" * 201),
                           422, "invalid-field", field="/reason")
        self.assertProblem(reveal(path, field="name", reason="waarom"), 422,
                           "invalid-field", field="/field")
        # An unknown party gives the same 422 without a reason, and 404
        # with one: nothing tells which ids exist.
        self.assertProblem(reveal("/api/v1/parties/" + new_id()),
                           422, "missing-field")
        self.assertProblem(reveal("/api/v1/parties/" + new_id(),
                                  reason="test"), 404,
                           "not-found")
        self.assertEqual(
            len(proclog_rows(self.data, "operation = 'reveal-bsn'")), before)

    def test_reveal_with_a_reason_shows_and_logs_it(self):
        reason = "Identificatie aan de telefoon <b>&</b>"
        r = self.server.post_json("/api/v1/parties/%s/reveal" % self.anna,
                                  {"field": "bsn", "reason": reason},
                                  token=self.plain)
        self.assertEqual(r.status, 200, r)
        ids = {i["type"]: i for i in r.json()["identifiers"]}
        self.assertEqual(ids["bsn"]["objectId"], "123456782")
        self.assertFalse(ids["bsn"]["masked"])
        # Durable before the answer: no waiting needed.
        rid = r.header("X-Request-Id")
        rows = proclog_rows(self.data, "request_id = ?", (rid,))
        self.assertEqual(sorted(x[2] for x in rows), ["read", "reveal-bsn"])
        reveal = [x for x in rows if x[2] == "reveal-bsn"][0]
        self.assertTrue(reveal[0].startswith("token:tok_"))
        self.assertEqual(reveal[1], self.anna)
        self.assertEqual(reveal[3], "klantbeeld")
        self.assertEqual(reveal[5], reason)
        # The next plain read is masked again.
        self.assertNotIn(b"123456782",
                         self.get("/api/v1/parties/" + self.anna).body)

    def test_confidential_party_is_not_found_without_the_scope(self):
        for path in ("/api/v1/parties/" + self.secret,
                     "/api/v1/parties/" + self.secret + "/timeline"):
            p = self.assertProblem(self.get(path), 404, "not-found")
            unknown = self.assertProblem(
                self.get(path.replace(self.secret, new_id())), 404,
                "not-found")
            self.assertEqual(p["detail"], unknown["detail"])
            self.assertEqual(self.get(path, self.cleared).status, 200)
        card = self.card(self.secret, self.cleared)
        self.assertTrue(card["confidential"])
        self.assertEqual(card["name"], "Geheim Persoon")

    def test_unknown_and_malformed_ids_are_not_found(self):
        for pid in (new_id(), "not-a-uuid", "1", self.anna.upper(),
                    self.anna[:-1] + "%00", "..%2F..%2Fetc"):
            for suffix in ("", "/timeline"):
                r = self.get("/api/v1/parties/" + pid + suffix)
                self.assertProblem(r, 404, "not-found")

    def test_html_is_returned_verbatim_as_data(self):
        card = self.card(self.html)
        self.assertEqual(card["name"], self.html_name)
        self.assertEqual(card["recentConversations"][0]["subject"],
                         "<img src=x onerror=1>")
        found = self.ok("/api/v1/parties", name="<script>")
        self.assertEqual([p["name"] for p in found["items"]],
                         [self.html_name])
        r = self.get("/api/v1/parties/" + self.html + "/timeline")
        self.assertTrue(r.content_type.startswith("application/json"), r)
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
        item = r.json()["items"][0]
        self.assertEqual(item["subject"], "<i>onderwerp</i>")
        self.assertEqual(item["preview"],
                         "<a href='javascript:alert(1)'>klik</a>")

    # ---- the timeline -----------------------------------------------------

    def timeline(self, pid, token=None, limit=100):
        items = []
        after = None
        while True:
            params = {"limit": limit}
            if after:
                params["after"] = after
            body = self.ok("/api/v1/parties/%s/timeline" % pid, token,
                           **params)
            self.assertLessEqual(len(body["items"]), limit)
            items += body["items"]
            after = body["next"]
            if after is None:
                return items

    def test_timeline_spans_merges_and_involvement_newest_first(self):
        c = self.contacts
        items = self.timeline(self.anna)
        self.assertEqual([i["id"] for i in items],
                         [c[5], c[4], c[3], c[2], c[1]])
        by_id = {i["id"]: i for i in items}
        self.assertEqual(by_id[c[5]]["kind"], "note")
        self.assertEqual(by_id[c[4]]["via"], "involved")
        self.assertEqual(by_id[c[4]]["partyId"], self.other)
        self.assertEqual(by_id[c[4]]["conversationId"], self.conv_z)
        self.assertEqual(by_id[c[4]]["channel"], "telefoon")
        self.assertEqual(by_id[c[2]]["via"], "conversation")
        self.assertEqual(by_id[c[2]]["partyId"], self.anna)  # merged
        self.assertEqual(by_id[c[2]]["channel"], "chat")
        self.assertEqual(by_id[c[3]]["kind"], "outbound")
        self.assertEqual(by_id[c[1]]["subject"], "Afval niet opgehaald")
        self.assertEqual(by_id[c[1]]["preview"],
                         "Goedemorgen, mijn container is niet geleegd.")
        self.assertEqual(by_id[c[1]]["occurredAt"], self.t1)
        self.assertEqual([i["occurredAt"] for i in items],
                         sorted((i["occurredAt"] for i in items),
                                reverse=True))
        # With the scope, the confidential contacts appear in their place.
        items = self.timeline(self.anna, self.cleared)
        self.assertEqual([i["id"] for i in items],
                         [c[8], c[7], c[6], c[5], c[4], c[3], c[2], c[1]])
        self.assertTrue(all(i["confidential"] for i in items[:3]))
        self.assertFalse(any(i["confidential"] for i in items[3:]))
        self.assertEqual((items[0]["via"], items[0]["partyId"]),
                         ("involved", self.carla))
        # The merged party's history went to Anna, its own timeline is
        # empty; Bert's has the contact Anna was involved in, through his
        # conversation.
        self.assertEqual(self.timeline(self.old), [])
        bert = self.timeline(self.other)
        self.assertEqual([(i["id"], i["via"]) for i in bert],
                         [(c[4], "conversation")])

    def test_timeline_pages_are_stable(self):
        # A resident of this test's own, so that the contact added between
        # two pages changes no other test's history.
        h = History(self.server, self.admin)
        pid = h.person("Stefan", "", "Stabiel")
        conv, _, _ = h.conversation(pid, "email", "Eerste")
        for i in range(3):
            h.message(conv, subject="Bericht %d" % i,
                      confidential=(i == 1))
        conv2, _, _ = h.conversation(pid, "chat", "Tweede",
                                     confidential=True)
        h.message(conv, subject="Antwoord", direction="outbound")
        conversation_note(self.server, self.admin, conv, "Notitie")
        h.message(conv2, subject="Nog een")
        whole = [i["id"] for i in self.timeline(pid, self.cleared)]
        self.assertEqual(len(whole), 8)
        for limit in (1, 2, 3, 7):
            self.assertEqual(
                [i["id"] for i in self.timeline(pid, self.cleared,
                                                limit)], whole, limit)
        first = self.ok("/api/v1/parties/%s/timeline" % pid,
                        self.cleared, limit=3)
        self.assertIsNotNone(first["next"])
        # A contact that arrives between two pages does not shift them.
        newest = h.message(conv, subject="Nieuw")
        rest = []
        after = first["next"]
        while after:
            body = self.ok("/api/v1/parties/%s/timeline" % pid,
                           self.cleared, limit=3, after=after)
            rest += [i["id"] for i in body["items"]]
            after = body["next"]
        self.assertEqual([i["id"] for i in first["items"]] + rest, whole)
        self.assertEqual(self.ok("/api/v1/parties/%s/timeline" % pid,
                                 self.cleared, limit=1)["items"][0]["id"],
                         newest)

    @unittest.expectedFailure
    def test_merged_in_confidential_party_stays_hidden(self):
        # BUG (C3, src/core/merge.c lk_merge_apply): merging a confidential
        # party into one that is not moves its conversations to the
        # survivor as they are, so its whole history becomes visible to
        # every caller without the confidential scope (here on the card
        # and the timeline of the survivor).  The merge should keep that
        # history confidential (mark what it moves, or refuse the merge).
        h = History(self.server, self.admin)
        open_ = h.person("Olga", "", "Open")
        hidden = h.person("Olga", "", "Afgeschermd")
        conv, contact, _ = h.conversation(hidden, "post", "Brief")
        # Placed under geheimhouding after her first letter.
        api_ok(ki_request(self.server, "PATCH", "partijen/" + hidden,
                          {"indicatieGeheimhouding": True}, self.admin), 200)
        self.assertProblem(self.get("/api/v1/parties/%s/timeline" % hidden),
                           404, "not-found")
        self.assertEqual([i["id"] for i in self.timeline(hidden,
                                                         self.cleared)],
                         [contact])
        h.merge(open_, hidden)
        self.assertEqual(self.timeline(open_), [])
        self.assertEqual(self.card(open_)["conversationCount"], 0)
        self.assertEqual([i["id"] for i in self.timeline(open_,
                                                         self.cleared)],
                         [contact])

    def test_timeline_parameters(self):
        path = "/api/v1/parties/%s/timeline" % self.anna
        self.assertProblem(self.get(path, limit=101), 400,
                           "invalid-parameter", field="limit")
        self.assertProblem(self.get(path, after="x.y"), 400,
                           "invalid-parameter", field="after")
        self.assertEqual(self.ok(path, after="0.0")["items"], [])

    def test_timeline_read_is_logged(self):
        r = self.get("/api/v1/parties/%s/timeline" % self.anna)
        rid = r.header("X-Request-Id")
        rows = wait_until(lambda: proclog_rows(self.data, "request_id = ?",
                                               (rid,)), 10, what="log row")
        self.assertEqual(rows[0][1:5], (self.anna, "read", "klantbeeld",
                                        "party/%s/timeline" % self.anna))

    def test_responses_match_the_openapi_document(self):
        doc = self.server.get("/api/openapi.json").json()

        def check(path, template, token, **params):
            r = self.get(path, token, **params)
            op = doc["paths"][template]["get"]
            resp = op["responses"][str(r.status)]
            media = "application/json" if r.status == 200 else \
                "application/problem+json"
            schema = resp["content"][media]["schema"]
            self.assertEqual(schema_errors(doc, schema, r.json()), [],
                             (path, params))
            return r

        parties = "/api/v1/parties"
        one = "/api/v1/parties/{id}"
        for token in (self.plain, self.cleared):
            check(parties, parties, token, name="A", limit=50)
            check(parties, parties, token, email="anna@example.nl")
            for pid in (self.anna, self.old, self.html, self.secret):
                check("/api/v1/parties/" + pid, one, token)
                check("/api/v1/parties/%s/timeline" % pid, one + "/timeline",
                      token)
        check("/api/v1/parties/" + self.anna, one, self.plain, reveal="bsn",
              reason="controle")
        check("/api/v1/parties/" + self.anna, one, self.plain, reveal="bsn")
        check(parties, parties, self.plain, bsn="1")
        _, admin = create_token(self.data, "toezicht", "admin")
        check("/api/v1/processing-log", "/api/v1/processing-log", admin,
              limit=200)
        check("/api/v1/processing-log", "/api/v1/processing-log",
              self.plain)


if __name__ == "__main__":
    loketlib.main()
