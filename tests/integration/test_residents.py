"""The resident card, look-up and timeline for staff (GET /api/v1/parties,
/parties/{id}, /parties/{id}/timeline): BSN masking and its logged reveal,
confidential parties and contacts, merged histories, involved contacts,
cursor pagination, IDOR and HTML kept as data.

The parties, conversations and contacts are seeded with SQL (Fixture below,
through loketlib.db_write) because the endpoints that write them belong to
other parts of the issue; the rows follow 0003_contact.sql.
"""

import os
import shutil
import sys
import tempfile
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import loketlib  # noqa: E402
from loketlib import (LoketTestCase, create_token, db_query, db_write,  # noqa
                      run_cli, wait_until)

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z


def new_id():
    return str(uuid.uuid4())


class Fixture:
    """Builds rows of the contact schema and writes them in one go."""

    def __init__(self):
        self.statements = []
        self.n = 0

    def _next(self):
        self.n += 1
        return self.n

    def party(self, name, kind="persoon", confidential=False,
              merged_into=None, postal=None, visiting=None,
              identification='{"contactnaam":{"achternaam":"x"}}'):
        pid = new_id()
        self.statements.append((
            "INSERT INTO parties (id, nummer, kind, display_name,"
            " identification, confidential, merged_into, postal_address,"
            " visiting_address, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (pid, "%010d" % (uuid.uuid4().int % 10**10), kind, name,
             identification, 1 if confidential else 0, merged_into, postal,
             visiting, T0, T0)))
        return pid

    def identifier(self, party, id_type, object_id,
                   object_type="natuurlijk_persoon", register="brp"):
        iid = new_id()
        self.statements.append((
            "INSERT INTO party_identifiers (id, party_id, object_type,"
            " register, id_type, object_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (iid, party, object_type, register, id_type, object_id, T0)))
        return iid

    def address(self, party, kind, address, key, default=False,
                verified=None):
        aid = new_id()
        self.statements.append((
            "INSERT INTO digital_addresses (id, party_id, kind, address,"
            " address_key, is_default, verified_on, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (aid, party, kind, address, key, 1 if default else 0, verified,
             T0)))
        return aid

    def conversation(self, party, channel="email", subject="Vraag",
                     confidential=False, last=T0, status="open"):
        cid = new_id()
        self.statements.append((
            "INSERT INTO conversations (id, reference, party_id, subject,"
            " channel, status, confidential, created_at, updated_at,"
            " last_message_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (cid, "LK-%s" % cid[:13], party, subject, channel, status,
             1 if confidential else 0, T0, last, last)))
        return cid

    def contact(self, conversation, at, kind="inbound", channel="email",
                subject="", content="", confidential=False):
        cid = new_id()
        self.statements.append((
            "INSERT INTO contacts (id, conversation_id, kind, channel,"
            " subject, content, confidential, occurred_at, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (cid, conversation, kind, channel, subject, content,
             1 if confidential else 0, at, at)))
        return cid

    def involve(self, contact, party):
        self.statements.append((
            "INSERT INTO involved (id, contact_id, party_id, role,"
            " created_at) VALUES (?, ?, ?, 'klant', ?)",
            (new_id(), contact, party, T0)))

    def task(self, contact, action, status="te_verwerken", deadline=None):
        tid = new_id()
        self.statements.append((
            "INSERT INTO tasks (id, contact_id, kind, action, status,"
            " deadline, assigned_at, created_at, updated_at)"
            " VALUES (?, ?, 'callback', ?, ?, ?, ?, ?, ?)",
            (tid, contact, action, status, deadline, T0, T0, T0)))
        return tid

    def write(self, data):
        db_write(data, self.statements)
        self.statements = []


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


def migrate(data):
    p = run_cli("migrate", data=data)
    if p.returncode != 0:
        raise AssertionError("migrate failed: %s" % p.stderr)


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
        migrate(data)
        f = Fixture()
        # Anna: the main resident.  Her BSN 123456782 passes the 11-proef.
        cls.anna = f.party("Anna de Vries",
                           postal='{"adresregel1":"Dorpsstraat 1",'
                                  '"land":"6030"}')
        cls.anna_bsn = f.identifier(cls.anna, "bsn", "123456782")
        f.identifier(cls.anna, "kvk_nummer", "69599084",
                     object_type="niet_natuurlijk_persoon", register="hr")
        f.address(cls.anna, "email", "Anna@Example.NL", "anna@example.nl",
                  default=True, verified="2026-01-02")
        f.address(cls.anna, "email", "anna.oud@example.nl",
                  "anna.oud@example.nl")
        f.address(cls.anna, "telefoonnummer", "06-1234 5678", "0031612345678",
                  default=True)
        # An earlier party of Anna's, merged into her.
        cls.old = f.party("A. de Vries", merged_into=cls.anna)
        f.address(cls.old, "email", "a.devries@example.nl",
                  "a.devries@example.nl")
        # Someone else, in whose conversation Anna was involved.
        cls.other = f.party("Bert Bakker")
        # A confidential party.
        cls.secret = f.party("Geheim Persoon", confidential=True)
        f.address(cls.secret, "email", "geheim@example.nl",
                  "geheim@example.nl")
        # HTML in every text field.
        cls.html_name = '<script>alert("x")</script> & <b>Co</b>'
        cls.html = f.party(cls.html_name, kind="organisatie")
        html_conv = f.conversation(cls.html, subject="<img src=x onerror=1>")
        f.contact(html_conv, T0 + 1, subject="<i>onderwerp</i>",
                  content="<a href='javascript:alert(1)'>klik</a>")

        # Anna's history:
        #   t1 inbound (email)       conversation X
        #   t2 inbound (chat)        conversation Y of the merged party
        #   t3 outbound (email)      conversation X
        #   t4 inbound (telefoon)    conversation Z of Bert, Anna involved
        #   t5 note                  conversation X
        #   t6 inbound, confidential conversation X
        #   t7 inbound               confidential conversation W
        cls.conv_x = f.conversation(cls.anna, "email", "Afval",
                                    last=T0 + 6000)
        cls.conv_y = f.conversation(cls.old, "chat", "Paspoort",
                                    last=T0 + 2000)
        cls.conv_z = f.conversation(cls.other, "telefoon", "Buren",
                                    last=T0 + 4000)
        cls.conv_w = f.conversation(cls.anna, "balie", "Zorg",
                                    confidential=True, last=T0 + 7000)
        c = {}
        c[1] = f.contact(cls.conv_x, T0 + 1000, subject="Afval niet opgehaald",
                         content="Goedemorgen,\n\nmijn  container is niet "
                                 "geleegd.")
        c[2] = f.contact(cls.conv_y, T0 + 2000, channel="chat",
                         subject="Paspoort verlengen")
        c[3] = f.contact(cls.conv_x, T0 + 3000, kind="outbound",
                         subject="Re: Afval")
        c[4] = f.contact(cls.conv_z, T0 + 4000, channel="telefoon",
                         subject="Overlast buren")
        f.involve(c[4], cls.anna)
        c[5] = f.contact(cls.conv_x, T0 + 5000, kind="note",
                         subject="Intern: wijkteam gebeld")
        c[6] = f.contact(cls.conv_x, T0 + 6000, subject="Vertrouwelijk",
                         confidential=True)
        c[7] = f.contact(cls.conv_w, T0 + 7000, channel="balie",
                         subject="Zorgvraag")
        # A confidential party in whose conversation Anna was involved, and
        # a confidential party merged into Anna: neither may show through
        # her history without the scope.
        cls.carla = f.party("Carla Geheim", confidential=True)
        conv_q = f.conversation(cls.carla, "email", "Geheim gesprek",
                                last=T0 + 8000)
        c[8] = f.contact(conv_q, T0 + 8000, subject="Over Anna")
        f.involve(c[8], cls.anna)
        cls.hidden_old = f.party("Anna (afgeschermd)", confidential=True,
                                 merged_into=cls.anna)
        cls.conv_h = f.conversation(cls.hidden_old, "post", "Brief",
                                    last=T0 + 500)
        c[9] = f.contact(cls.conv_h, T0 + 500, channel="post",
                         subject="Brief")
        cls.contacts = c
        cls.task_open = f.task(c[1], "Terugbellen over container",
                               deadline=T0 + 86_400_000)
        f.task(c[3], "Al gedaan", status="verwerkt")
        cls.task_secret = f.task(c[6], "Vertrouwelijke taak")
        f.task(c[4], "Taak van Bert")
        # Ten parties for paging by name.
        cls.page_names = ["Pagina %02d" % i for i in range(10)]
        cls.page_ids = [f.party(n) for n in cls.page_names]
        f.write(data)

        cls.data = data
        _, cls.plain = create_token(data, "kcc", "api")
        _, cls.cleared = create_token(data, "kcc-vertrouwelijk",
                                      "api confidential")
        _, cls.events_only = create_token(data, "events", "events")
        cls.server = loketlib.Server(data)
        cls.server.start()

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
        body = self.ok("/api/v1/parties", email="a.devries@example.nl")
        self.assertEqual(len(body["items"]), 1)
        self.assertEqual(body["items"][0]["id"], self.old)
        self.assertEqual(body["items"][0]["mergedInto"], self.anna)

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
        self.assertEqual(card["identification"],
                         {"contactnaam": {"achternaam": "x"}})
        self.assertEqual(card["postalAddress"],
                         {"adresregel1": "Dorpsstraat 1", "land": "6030"})
        self.assertIsNone(card["visitingAddress"])
        addrs = {a["address"]: a for a in card["digitalAddresses"]}
        self.assertEqual(set(addrs), {"Anna@Example.NL",
                                      "anna.oud@example.nl", "06-1234 5678"})
        self.assertTrue(addrs["Anna@Example.NL"]["verified"])
        self.assertEqual(addrs["Anna@Example.NL"]["verifiedOn"], "2026-01-02")
        self.assertTrue(addrs["Anna@Example.NL"]["isDefault"])
        self.assertFalse(addrs["anna.oud@example.nl"]["verified"])
        self.assertFalse(addrs["anna.oud@example.nl"]["isDefault"])
        self.assertIsNone(addrs["anna.oud@example.nl"]["verifiedOn"])
        self.assertEqual(addrs["06-1234 5678"]["kind"], "telefoonnummer")
        # Conversations over her whole history (the merged party's too),
        # the confidential one left out for this token.
        self.assertEqual(card["conversationsPerChannel"],
                         {"email": 1, "chat": 1})
        self.assertEqual(card["conversationCount"], 2)
        self.assertEqual([c["id"] for c in card["recentConversations"]],
                         [self.conv_x, self.conv_y])
        self.assertEqual(card["recentConversations"][1]["partyId"], self.old)
        # Open tasks only, of her conversations, none confidential.
        self.assertEqual([t["id"] for t in card["openTasks"]],
                         [self.task_open])
        task = card["openTasks"][0]
        self.assertEqual(task["action"], "Terugbellen over container")
        self.assertEqual(task["status"], "te_verwerken")
        self.assertEqual(task["deadline"], T0 + 86_400_000)
        self.assertEqual(task["conversationId"], self.conv_x)
        self.assertEqual(task["contactId"], self.contacts[1])

    def test_card_with_confidential_scope_shows_more(self):
        card = self.card(self.anna, self.cleared)
        self.assertEqual(card["conversationsPerChannel"],
                         {"email": 1, "chat": 1, "balie": 1, "post": 1})
        self.assertEqual(card["recentConversations"][0]["id"], self.conv_w)
        self.assertEqual(card["recentConversations"][-1]["id"], self.conv_h)
        self.assertEqual(sorted(card["mergedFrom"]),
                         sorted([self.old, self.hidden_old]))
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
        self.assertProblem(self.get(path, reveal="bsn"), 422, "missing-field",
                           field="reason")
        self.assertProblem(self.get(path, reveal="bsn", reason=""), 422,
                           "missing-field", field="reason")
        self.assertProblem(self.get(path, reveal="bsn", reason="a\nb"), 422,
                           "invalid-field", field="reason")
        self.assertProblem(self.get(path, reveal="bsn", reason="x" * 201),
                           422, "invalid-field", field="reason")
        self.assertProblem(self.get(path, reveal="name", reason="waarom"), 400,
                           "invalid-parameter", field="reveal")
        # An unknown party gives the same 422 without a reason, and 404
        # with one: nothing tells which ids exist.
        self.assertProblem(self.get("/api/v1/parties/" + new_id(),
                                    reveal="bsn"), 422, "missing-field")
        self.assertProblem(self.get("/api/v1/parties/" + new_id(),
                                    reveal="bsn", reason="test"), 404,
                           "not-found")
        self.assertEqual(
            len(proclog_rows(self.data, "operation = 'reveal-bsn'")), before)

    def test_reveal_with_a_reason_shows_and_logs_it(self):
        reason = "Identificatie aan de telefoon <b>&</b>"
        r = self.get("/api/v1/parties/" + self.anna, reveal="bsn",
                     reason=reason)
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
        self.assertEqual(by_id[c[2]]["partyId"], self.old)
        self.assertEqual(by_id[c[2]]["channel"], "chat")
        self.assertEqual(by_id[c[3]]["kind"], "outbound")
        self.assertEqual(by_id[c[1]]["subject"], "Afval niet opgehaald")
        self.assertEqual(by_id[c[1]]["preview"],
                         "Goedemorgen, mijn container is niet geleegd.")
        self.assertEqual(by_id[c[1]]["occurredAt"], T0 + 1000)
        self.assertEqual([i["occurredAt"] for i in items],
                         sorted((i["occurredAt"] for i in items),
                                reverse=True))
        # With the scope, the confidential contacts appear in their place.
        items = self.timeline(self.anna, self.cleared)
        self.assertEqual([i["id"] for i in items],
                         [c[8], c[7], c[6], c[5], c[4], c[3], c[2], c[1],
                          c[9]])
        self.assertTrue(all(i["confidential"] for i in items[:3]))
        self.assertTrue(items[-1]["confidential"])
        self.assertEqual((items[0]["via"], items[0]["partyId"]),
                         ("involved", self.carla))
        # The merged party's own timeline is only its own history; Bert's
        # has the contact Anna was involved in, through his conversation.
        self.assertEqual([i["id"] for i in self.timeline(self.old)], [c[2]])
        bert = self.timeline(self.other)
        self.assertEqual([(i["id"], i["via"]) for i in bert],
                         [(c[4], "conversation")])

    def test_timeline_pages_are_stable(self):
        whole = [i["id"] for i in self.timeline(self.anna, self.cleared)]
        for limit in (1, 2, 3, 7):
            self.assertEqual(
                [i["id"] for i in self.timeline(self.anna, self.cleared,
                                                limit)], whole, limit)
        first = self.ok("/api/v1/parties/%s/timeline" % self.anna,
                        self.cleared, limit=3)
        self.assertIsNotNone(first["next"])
        # A contact that arrives between two pages does not shift them.
        f = Fixture()
        newest = f.contact(self.conv_x, T0 + 9000, subject="Nieuw")
        f.write(self.data)
        self.addCleanup(db_write, self.data, [
            ("DELETE FROM contacts WHERE id = ?", (newest,))])
        rest = []
        after = first["next"]
        while after:
            body = self.ok("/api/v1/parties/%s/timeline" % self.anna,
                           self.cleared, limit=3, after=after)
            rest += [i["id"] for i in body["items"]]
            after = body["next"]
        self.assertEqual([i["id"] for i in first["items"]] + rest, whole)
        self.assertEqual(self.ok("/api/v1/parties/%s/timeline" % self.anna,
                                 self.cleared, limit=1)["items"][0]["id"],
                         newest)

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
