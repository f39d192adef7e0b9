"""Issue 3 end to end, as residents and staff live it, over real HTTP with
real parts only: the conversation endpoints, the Klantinteracties API,
staff sessions, merges, the resident card and timeline, the processing
log and the event stream.  Nothing is written to the database directly;
the database is only read to check what the answers cannot show.

Each class runs one server for its whole journey.

  Journey       (a) one history across channels, (b) an unverified address
                does not join, (c) a merge of overlapping histories,
                (e) the events of it all, (f) the card reads in the log
  Sessions      (d) cookie log-in, CSRF, confidential conversations
  Idor          (g) ids of what the caller may not see, in paths and bodies
  Verbatim      (h) markup in every text field a resident controls
  PartiesFromMessages  parties made by messages: their event, and one
                sequence of party numbers with the Klantinteracties API
"""

import json
import os
import re
import shutil
import sys
import tempfile
import time
import unittest
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loketlib  # noqa: E402
from loketlib import (KI_PATH, LoketTestCase, SSEClient,  # noqa: E402
                      StaffSession, add_staff_user, api_ok, create_token,
                      db_query, ki_address, ki_organisation,
                      ki_person, ki_request, new_conversation, wait_until)

PASSWORD = "correct horse battery staple"
DOCUMENTED_EVENTS = {
    "party.created", "party.updated", "party.merged", "conversation.created",
    "conversation.updated", "conversation.assigned", "contact.added",
    "task.created", "task.updated", "agent.updated", "team.updated"}
TODAY = time.strftime("%Y-%m-%d", time.gmtime())


def new_id():
    return str(uuid.uuid4())


class ServerCase(LoketTestCase):
    """One server, tokens and two staff accounts for a whole class."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="loket-test-")
        cls.data = os.path.join(cls.tmp, "data")
        _, cls.admin = create_token(cls.data, "beheer", "admin")
        # The web form and the mail adapter are systems: agent level, no
        # confidential data.
        _, cls.system = create_token(cls.data, "webformulier", "api")
        _, cls.trusted = create_token(cls.data, "zorgloket",
                                      "api confidential")
        cls.agent_user = add_staff_user(cls.data, "agent@gemeente.nl",
                                        "agent", "Ayla Agent", PASSWORD)
        cls.sup_user = add_staff_user(cls.data, "sup@gemeente.nl",
                                      "supervisor", "Sven Supervisor",
                                      PASSWORD)
        cls.srv = loketlib.Server(cls.data)
        cls.srv.start()
        # The agent account works as an agent (a medewerker actor, offline
        # so that the round robin leaves these conversations alone).
        cls.agent_id = api_ok(cls.srv.post_json(
            "/api/v1/agents", {"userId": cls.agent_user},
            token=cls.admin), 201, "POST /api/v1/agents")["id"]

    @classmethod
    def tearDownClass(cls):
        try:
            cls.srv.cleanup()
        finally:
            shutil.rmtree(cls.tmp, True)

    def login(self, email):
        return StaffSession(self.srv, email, PASSWORD)

    def card(self, who, pid):
        r = who.get("/api/v1/parties/" + pid)
        self.assertEqual(r.status, 200, r)
        return r

    def timeline(self, who, pid):
        items, after = [], None
        while True:
            path = "/api/v1/parties/%s/timeline?limit=100" % pid
            if after:
                path += "&after=" + urllib.parse.quote(after)
            r = who.get(path)
            self.assertEqual(r.status, 200, r)
            items += r.json()["items"]
            after = r.json()["next"]
            if not after:
                return items

    def count(self, table, where="1=1", params=()):
        return db_query(self.data, "SELECT COUNT(*) FROM %s WHERE %s" %
                        (table, where), params)[0][0]


class Token:
    """A token caller with the StaffSession interface."""

    def __init__(self, srv, token):
        self.srv = srv
        self.token = token

    def request(self, method, path, body=None, **_):
        return self.srv.request(method, path, json_body=body,
                                token=self.token)

    def get(self, path):
        return self.request("GET", path)


def drain(sse, until_seq, timeout=10.0):
    """Every event block up to and including seq `until_seq`."""
    out = []
    deadline = time.monotonic() + timeout
    while not out or int(out[-1]["id"]) < until_seq:
        ev = sse.next_event(max(0.001, deadline - time.monotonic()))
        if ev is None:
            raise AssertionError("event stream ended")
        out.append(ev)
    return out


def last_seq(data):
    return db_query(data, "SELECT MAX(seq) FROM events")[0][0] or 0


# ---- (a) (b) (c) (e) (f) -------------------------------------------------


class Journey(ServerCase):

    def test_one_resident_one_history(self):
        srv = self.srv
        sse = SSEClient(srv, token=self.admin)
        self.addCleanup(sse.close)
        self.assertEqual(sse.status, 200, sse.response)
        agent = self.login("agent@gemeente.nl")
        sup = self.login("sup@gemeente.nl")
        system = Token(srv, self.system)
        expected = []   # (type, subject) in the order we caused them
        texts = []      # every subject and body a resident or staff wrote
        contacts = []   # every klantcontact of Anna's, oldest first
        card_reads = []  # X-Request-Id of the agent's reads of her card
        parties = set()  # the parties messages have made so far

        def conv(caller, body):
            r = caller.request("POST", "/api/v1/conversations", body)
            c = api_ok(r, 201, "POST conversation %r" % body)
            texts.extend([body.get("subject", ""), body["content"]])
            if "partyId" not in body and c["party"]["id"] not in parties:
                # A sender no verified address knows becomes a party.
                parties.add(c["party"]["id"])
                expected.append(("party.created", c["party"]["id"]))
            expected.append(("conversation.created", c["id"]))
            expected.append(("contact.added", c["messageId"]))
            return c

        def read_card(pid):
            r = self.card(agent, pid)
            card_reads.append(r.header("X-Request-Id"))
            return r.json()

        # (a) Anna writes through the web form with her e-mail address: a
        # new party, the address on it unverified.
        c1 = conv(system, {
            "channel": "webformulier", "subject": "Container niet geleegd",
            "content": "Mijn groene container is al twee weken niet geleegd.",
            "from": {"name": "Anna de Vries",
                     "email": "anna.devries@example.nl"}})
        anna = c1["party"]["id"]
        contacts.append(c1["messageId"])
        self.assertEqual(c1["party"]["name"], "Anna de Vries")
        addrs = api_ok(ki_request(srv, "GET", "digitaleadressen?"
                                  "verstrektDoorPartij__uuid=" + anna,
                                  token=self.admin))["results"]
        self.assertEqual([(a["adres"], a["soortDigitaalAdres"],
                           a["verificatieDatum"]) for a in addrs],
                         [("anna.devries@example.nl", "email", None)])
        card = read_card(anna)
        self.assertEqual([(a["address"], a["verified"])
                          for a in card["digitalAddresses"]],
                         [("anna.devries@example.nl", False)])

        # Before verification, a second message from that address is
        # someone new: an unverified address links nothing.
        c0 = conv(system, {"channel": "email", "content": "Nog een vraag",
                           "from": {"name": "Anna de Vries",
                                    "email": "anna.devries@example.nl"}})
        self.assertNotEqual(c0["party"]["id"], anna)
        twin = c0["party"]["id"]

        # Staff check her identity at the counter and verify the address
        # through the Klantinteracties API, which takes tokens only (a
        # session there would bypass BSN masking): the counter's system.
        r = system.request("PATCH", "%s/digitaleadressen/%s" %
                          (KI_PATH, addrs[0]["uuid"]),
                          {"verificatieDatum": TODAY})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["verificatieDatum"], TODAY)
        expected.append(("party.updated", anna))
        # Her BSN, recorded by staff: it must never travel in an event.
        bsn = "123456782"
        r = system.request("POST", KI_PATH + "/partij-identificatoren", {
            "identificeerdePartij": {"uuid": anna},
            "partijIdentificator": {
                "codeObjecttype": "natuurlijk_persoon",
                "codeSoortObjectId": "bsn", "objectId": bsn,
                "codeRegister": "brp"}})
        self.assertEqual(r.status, 201, r)
        expected.append(("party.updated", anna))

        # Later she mails from the same address in capitals: it joins her
        # history.
        c2 = conv(system, {"channel": "email", "subject": "Re: container",
                           "content": "Hij is nog steeds niet geleegd.",
                           "from": {"name": "A. DE VRIES",
                                    "email": "  ANNA.DEVRIES@EXAMPLE.NL"}})
        self.assertEqual(c2["party"]["id"], anna)
        contacts.append(c2["messageId"])

        # She phones; the agent records the call as continuing her first
        # contact (wasKlantcontact).
        c3 = conv(agent, {"channel": "telefoon", "partyId": anna,
                          "subject": "Telefoon over container",
                          "content": "Belt na over de container.",
                          "wasContactId": c1["messageId"]})
        contacts.append(c3["messageId"])
        self.assertEqual(c3["party"]["id"], anna)
        links = api_ok(system.request(
            "GET", KI_PATH + "/onderwerpobjecten?wasKlantcontact__uuid=" +
            c1["messageId"]))["results"]
        self.assertEqual([(o["klantcontact"]["uuid"],
                           o["wasKlantcontact"]["uuid"]) for o in links],
                         [(c3["messageId"], c1["messageId"])])

        # The agent answers by mail in the first conversation.
        out = api_ok(agent.request(
            "POST", "/api/v1/conversations/%s/messages" % c1["id"],
            {"direction": "outbound", "content": "We komen morgen langs."}),
            201, "outbound message")
        texts.append("We komen morgen langs.")
        expected.append(("contact.added", out["id"]))
        contacts.append(out["id"])

        # One card, one timeline, newest first, every channel.
        card = read_card(anna)
        self.assertEqual(card["conversationCount"], 3)
        self.assertEqual(card["conversationsPerChannel"],
                         {"webformulier": 1, "email": 1, "telefoon": 1})
        self.assertEqual([a["verified"] for a in card["digitalAddresses"]],
                         [True])
        self.assertNotIn(bsn, json.dumps(card))
        items = self.timeline(agent, anna)
        self.assertEqual([i["id"] for i in items], contacts[::-1])
        self.assertEqual([i["channel"] for i in items],
                         ["webformulier", "telefoon", "email",
                          "webformulier"])
        times = [i["occurredAt"] for i in items]
        self.assertEqual(times, sorted(times, reverse=True))

        # (b) A message that looks like hers, from an address of hers that
        # nobody verified, does not join her history.
        ki = ki_address(srv, self.admin, anna, "a.devries@example.nl")
        expected.append(("party.updated", anna))
        self.assertIsNone(ki["verificatieDatum"])
        forged = conv(system, {
            "channel": "email", "subject": "Wijziging rekeningnummer",
            "content": "Stort mijn toeslag voortaan op NL91ABNA0417164300.",
            "from": {"name": "Anna de Vries",
                     "email": "A.DeVries@example.nl"}})
        other = forged["party"]["id"]
        self.assertNotIn(other, (anna, twin))
        self.assertEqual([i["id"] for i in self.timeline(agent, anna)],
                         contacts[::-1])
        ocard = self.card(agent, other).json()
        self.assertEqual([(a["address"], a["verified"])
                          for a in ocard["digitalAddresses"]],
                         [("A.DeVries@example.nl", False)])
        self.assertEqual(ocard["conversationCount"], 1)

        # (c) The twin party, whose history overlaps hers in time: one
        # more message each way, then a supervisor merges it into Anna.
        m = api_ok(system.request(
            "POST", "/api/v1/conversations/%s/messages" % c0["id"],
            {"direction": "inbound", "content": "Is er al nieuws?"}), 201)
        texts.append("Is er al nieuws?")
        expected.append(("contact.added", m["id"]))
        m2 = api_ok(agent.request(
            "POST", "/api/v1/conversations/%s/messages" % c2["id"],
            {"direction": "outbound", "content": "Morgen, zoals beloofd."}),
            201)
        texts.append("Morgen, zoals beloofd.")
        expected.append(("contact.added", m2["id"]))
        twin_contacts = [c0["messageId"], m["id"]]
        # An agent may not merge.
        body = {"survivorId": anna, "mergedId": twin,
                "reason": "Zelfde inwoner, adres geverifieerd"}
        self.assertProblem(agent.request("POST", "/api/v1/party-merges",
                                         body), 403, "insufficient-role")
        r = sup.request("POST", "/api/v1/party-merges", body)
        self.assertEqual(r.status, 201, r)
        merge = r.json()
        expected.append(("party.merged", anna))
        self.assertEqual((merge["survivorId"], merge["mergedId"],
                          merge["actor"]),
                         (anna, twin, "user:" + self.sup_user))
        self.assertEqual(merge["moved"]["conversations"], [c0["id"]])
        r = sup.get("/api/v1/party-merges/" + merge["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), merge)
        r = sup.get("/api/v1/party-merges?partyId=" + twin)
        self.assertEqual([x["id"] for x in r.json()["items"]],
                         [merge["id"]])
        # The survivor's timeline holds both histories, interleaved by
        # time.
        want = sorted(contacts + twin_contacts + [m2["id"]],
                      key=lambda cid: db_query(
                          self.data, "SELECT occurred_at, rowid FROM"
                          " contacts WHERE id = ?", (cid,))[0])
        items = self.timeline(agent, anna)
        self.assertEqual([i["id"] for i in items], want[::-1])
        self.assertEqual(set(i["id"] for i in items) & set(twin_contacts),
                         set(twin_contacts))
        card = read_card(anna)
        self.assertEqual(card["mergedFrom"], [twin])
        self.assertEqual(card["conversationCount"], 4)
        self.assertEqual(self.card(agent, twin).json()["mergedInto"], anna)
        # A message to the twin's old conversation lands in her history.
        m3 = api_ok(system.request(
            "POST", "/api/v1/conversations/%s/messages" % c0["id"],
            {"direction": "inbound", "content": "Dank u wel!"}), 201)
        texts.append("Dank u wel!")
        expected.append(("contact.added", m3["id"]))
        self.assertEqual(self.timeline(agent, anna)[0]["id"], m3["id"])

        # (f) Every read of her card by the agent is in the processing log.
        for _ in range(2):
            read_card(anna)
        # Reads are logged in batches: wait for the last one.
        log = ("/api/v1/processing-log?limit=200&partyId=%s&actor=user:%s"
               "&operation=read" % (anna, self.agent_user))

        def card_rows():
            r = sup.get(log)
            self.assertEqual(r.status, 200, r)
            rows = [x for x in r.json()["items"]
                    if x["resource"] == "party/" + anna]
            ids = {x["requestId"] for x in rows}
            return rows if card_reads[-1] in ids else None
        rows = wait_until(card_rows, 10, what="the card reads in the log")
        self.assertEqual(sorted(x["requestId"] for x in rows),
                         sorted(card_reads))
        self.assertTrue(all(x["activity"] == "klantbeeld" for x in rows))

        # (e) Every change on the stream, in commit order, with the
        # documented types and no text or BSN in any payload.
        events = drain(sse, last_seq(self.data))
        seqs = [int(e["id"]) for e in events]
        self.assertEqual(seqs, sorted(set(seqs)))
        for e in events:
            self.assertIn(e["event"], DOCUMENTED_EVENTS, e)
            self.assertEqual((e["json"]["seq"], e["json"]["type"]),
                             (int(e["id"]), e["event"]))
            for t in [bsn] + [t for t in texts if t]:
                self.assertNotIn(t, e["data"], e)
        got = [(e["event"], e["json"]["subject"]) for e in events]
        self.assertEqual(got, expected)


# ---- (d) -------------------------------------------------------------------


class Sessions(ServerCase):

    def test_session_does_the_work_of_a_token(self):
        agent = self.login("agent@gemeente.nl")
        r = agent.get("/api/v1/session")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["user"]["role"], "agent")
        c = api_ok(agent.request("POST", "/api/v1/conversations", {
            "channel": "balie", "content": "Paspoort aangevraagd",
            "from": {"name": "Bram Balie"}}), 201)
        self.assertEqual(agent.get("/api/v1/conversations/" + c["id"]).status,
                         200)
        r = agent.request("PATCH", "/api/v1/conversations/" + c["id"],
                          {"status": "pending", "priority": "high"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["status"], r.json()["version"]),
                         ("pending", 2))
        n = agent.request("POST", "/api/v1/conversations/%s/notes" % c["id"],
                          {"content": "Legitimatie gezien"})
        self.assertEqual(n.status, 201, n)
        actor = db_query(self.data, "SELECT actor FROM audit_log WHERE"
                         " subject = ? AND action = 'conversation.updated'",
                         (c["id"],))
        self.assertEqual(actor, [("user:" + self.agent_user,)])

    def test_state_changes_without_csrf_are_refused(self):
        agent = self.login("agent@gemeente.nl")
        sup = self.login("sup@gemeente.nl")
        c = api_ok(agent.request("POST", "/api/v1/conversations", {
            "channel": "chat", "content": "Hallo", "from": {"name": "C"}}),
            201)
        other = api_ok(agent.request("POST", "/api/v1/conversations", {
            "channel": "chat", "content": "Hoi", "from": {"name": "D"}}),
            201)
        before = {t: self.count(t) for t in
                  ("conversations", "contacts", "parties", "party_merges",
                   "events", "digital_addresses")}
        cid = c["id"]
        attempts = [
            (agent, "POST", "/api/v1/conversations",
             {"channel": "chat", "content": "x", "from": {"name": "E"}}),
            (agent, "PATCH", "/api/v1/conversations/" + cid,
             {"status": "resolved"}),
            (agent, "POST", "/api/v1/conversations/%s/messages" % cid,
             {"direction": "outbound", "content": "x"}),
            (agent, "POST", "/api/v1/conversations/%s/notes" % cid,
             {"content": "x"}),
            (sup, "POST", "/api/v1/party-merges",
             {"survivorId": c["party"]["id"],
              "mergedId": other["party"]["id"], "reason": "x"}),
            (agent, "POST", KI_PATH + "/digitaleadressen",
             {"verstrektDoorPartij": {"uuid": c["party"]["id"]},
              "adres": "e@example.nl", "soortDigitaalAdres": "email"}),
        ]
        for who, method, path, body in attempts:
            for hdrs in ({}, {"X-CSRF-Token": "0" * len(who.csrf)},
                         {"X-CSRF-Token": ""}):
                with self.subTest(path=path, method=method, headers=hdrs):
                    r = who.request(method, path, body, csrf=False,
                                    headers=hdrs)
                    # No session at all on the KI API: 401.
                    self.assertEqual(
                        r.status, 401 if path.startswith(KI_PATH) else 403, r)
                    if not path.startswith(KI_PATH):
                        self.assertProblem(r, 403, "csrf")
        after = {t: self.count(t) for t in before}
        self.assertEqual(after, before)
        self.assertEqual(agent.get("/api/v1/conversations/" + cid)
                         .json()["version"], 1)
        # The same request with the token goes through.
        r = agent.request("PATCH", "/api/v1/conversations/" + cid,
                          {"status": "resolved"})
        self.assertEqual(r.status, 200, r)

    def test_confidential_conversations(self):
        agent = self.login("agent@gemeente.nl")
        sup = self.login("sup@gemeente.nl")
        word = "zorgindicatie" + uuid.uuid4().hex[:8]
        plain = new_conversation(self.srv, self.trusted, "Gewone vraag",
                                 "email", name="Fien Vertrouwelijk")
        secret = new_conversation(self.srv, self.trusted,
                                  "Over mijn %s" % word, "email",
                                  party_id=plain["party"]["id"],
                                  confidential=True)
        sid = secret["id"]
        unknown = new_id()
        inbox = "/api/v1/conversations?limit=100&partyId=" + \
            plain["party"]["id"]
        self.assertEqual([x["id"] for x in agent.get(inbox).json()["items"]],
                         [plain["id"]])
        self.assertEqual(sorted(x["id"] for x in
                                sup.get(inbox).json()["items"]),
                         sorted([plain["id"], sid]))
        self.assertEqual(agent.get("/api/v1/search?q=" + word)
                         .json()["items"], [])
        self.assertEqual([x["conversation"]["id"] for x in
                          sup.get("/api/v1/search?q=" + word)
                          .json()["items"]], [sid])
        r = sup.get("/api/v1/conversations/" + sid)
        self.assertEqual(r.status, 200, r)
        self.assertIn(word, r.json()["messages"][0]["content"])
        # For the agent it does not exist: the same answer, byte for byte
        # apart from the id itself and the request id, as for an id that
        # names nothing.
        probes = [("GET", "/api/v1/conversations/%s", None),
                  ("PATCH", "/api/v1/conversations/%s", {"priority": "low"}),
                  ("POST", "/api/v1/conversations/%s/messages",
                   {"direction": "outbound", "content": "x"}),
                  ("POST", "/api/v1/conversations/%s/notes",
                   {"content": "x"}),
                  ("POST", "/api/v1/conversations/%s/claim", {})]
        for method, tmpl, body in probes:
            with self.subTest(method=method, path=tmpl):
                a = agent.request(method, tmpl % sid, body)
                b = agent.request(method, tmpl % unknown, body)
                self.assertProblem(a, 404, "not-found")
                self.assertEqual(a.status, b.status)

                def shape(r, cid):
                    text = r.body.replace(cid.encode(), b"<id>")
                    rid = r.header("X-Request-Id").encode()
                    return text.replace(rid, b"<rid>")
                self.assertEqual(shape(a, sid), shape(b, unknown))
                self.assertEqual(sorted(k.lower() for k, _ in a.headers),
                                 sorted(k.lower() for k, _ in b.headers))
                self.assertEqual(a.content_type, b.content_type)
        self.assertEqual(sup.get("/api/v1/conversations/" + sid)
                         .json()["version"], 1)


# ---- (g) -------------------------------------------------------------------


class Idor(ServerCase):
    """An agent-level caller (the `system` token, no confidential scope)
    swaps ids of things it may not see into paths and bodies."""

    def setUp(self):
        srv, adm, sys_ = self.srv, self.admin, self.system
        # Parties made through the Klantinteracties API.
        self.mine = ki_person(srv, sys_, "Eigen")["uuid"]
        self.theirs = ki_person(srv, adm, "Ander")["uuid"]
        self.hidden = ki_person(srv, self.trusted, "Afgeschermd",
                                indicatieGeheimhouding=True)["uuid"]
        self.team = api_ok(srv.post_json("/api/v1/teams",
                                         {"name": "T" + new_id()[:8]},
                                         token=adm), 201)["id"]
        self.cat = api_ok(ki_request(srv, "POST", "categorieen",
                                     {"naam": "C" + new_id()[:8]}, adm),
                          201)["uuid"]
        # Their conversation: confidential, with an attachment.
        self.their_att = self.upload(self.trusted, b"geheim\n")
        self.secret = new_conversation(srv, self.trusted, "Geheime zaak",
                                       party_id=self.theirs,
                                       confidential=True,
                                       attachmentIds=[self.their_att])
        # An attachment someone else uploaded and has not linked yet.
        self.loose_att = self.upload(adm, b"los\n")
        # An attachment on another party's ordinary message: linked once.
        self.linked_att = self.upload(sys_, b"gekoppeld\n")
        self.public = new_conversation(srv, sys_, "Openbare vraag",
                                       party_id=self.theirs,
                                       attachmentIds=[self.linked_att])
        # Our own conversation, the target of the body swaps.
        self.own = new_conversation(srv, sys_, "Mijn vraag",
                                    party_id=self.mine)

    def upload(self, token, data, name="brief.txt"):
        r = self.srv.request("POST", "/api/v1/attachments?filename=" + name,
                             body=data, token=token,
                             headers={"Content-Type": "text/plain"})
        return api_ok(r, 201, "upload")["id"]

    def state(self):
        rows = {}
        for t in ("conversations", "contacts", "involved", "parties",
                  "subject_objects", "conversation_categories",
                  "party_merges", "tasks"):
            rows[t] = self.count(t)
        rows["att"] = db_query(self.data, "SELECT id, contact_id FROM"
                               " attachments ORDER BY id")
        rows["own"] = db_query(self.data, "SELECT version, team_id, status"
                               " FROM conversations WHERE id = ?",
                               (self.own["id"],))
        return rows

    def test_ids_in_paths(self):
        srv, tok = self.srv, self.system
        sid = self.secret["id"]
        before = self.state()
        paths = [
            ("GET", "/api/v1/conversations/" + sid, None),
            ("PATCH", "/api/v1/conversations/" + sid, {"status": "resolved"}),
            ("POST", "/api/v1/conversations/%s/messages" % sid,
             {"direction": "inbound", "content": "x"}),
            ("POST", "/api/v1/conversations/%s/notes" % sid,
             {"content": "x"}),
            ("POST", "/api/v1/conversations/%s/assignment" % sid,
             {"assigneeId": None}),
            ("GET", "/api/v1/attachments/" + self.their_att, None),
            ("GET", "/api/v1/attachments/%s/content" % self.their_att, None),
            ("GET", "/api/v1/attachments/" + self.loose_att, None),
            ("GET", "/api/v1/attachments/%s/content" % self.loose_att, None),
            ("GET", "/api/v1/parties/" + self.hidden, None),
            ("GET", "/api/v1/parties/%s/timeline" % self.hidden, None),
            ("GET", "%s/partijen/%s" % (KI_PATH, self.hidden), None),
            ("GET", "%s/klantcontacten/%s" % (KI_PATH,
                                              self.secret["messageId"]),
             None),
            ("PATCH", "%s/klantcontacten/%s" % (KI_PATH,
                                                self.secret["messageId"]),
             {"onderwerp": "x"}),
            # ids of one kind where another kind is expected
            ("GET", "/api/v1/conversations/" + self.own["messageId"], None),
            ("GET", "/api/v1/attachments/" + self.own["id"], None),
            ("GET", "/api/v1/parties/" + self.own["id"], None),
        ]
        for method, path, body in paths:
            with self.subTest(method=method, path=path):
                r = srv.request(method, path, json_body=body, token=tok)
                self.assertEqual(r.status, 404, r)
        self.assertEqual(self.state(), before)
        # The uploader and a cleared caller do see theirs.
        self.assertEqual(srv.get("/api/v1/attachments/" + self.loose_att,
                                 token=self.admin).status, 200)
        self.assertEqual(srv.get("/api/v1/attachments/" + self.their_att,
                                 token=self.trusted).status, 200)

    def test_ids_in_bodies(self):
        srv, tok = self.srv, self.system
        sid, own = self.secret["id"], self.own["id"]
        secret_msg = self.secret["messageId"]
        create = {"channel": "telefoon", "content": "x",
                  "partyId": self.mine}
        cases = [
            # creating a conversation
            ("POST", "/api/v1/conversations",
             dict(create, partyId=self.hidden), "/partyId"),
            ("POST", "/api/v1/conversations",
             dict(create, partyId=sid), "/partyId"),
            ("POST", "/api/v1/conversations",
             dict(create, wasContactId=secret_msg), "/wasContactId"),
            ("POST", "/api/v1/conversations",
             dict(create, wasContactId=self.theirs), "/wasContactId"),
            ("POST", "/api/v1/conversations",
             dict(create, attachmentIds=[self.loose_att]),
             "/attachmentIds/0"),
            ("POST", "/api/v1/conversations",
             dict(create, attachmentIds=[self.their_att]),
             "/attachmentIds/0"),
            ("POST", "/api/v1/conversations",
             dict(create, attachmentIds=[self.linked_att]),
             "/attachmentIds/0"),
            ("POST", "/api/v1/conversations",
             dict(create, teamId=self.theirs), "/teamId"),
            ("POST", "/api/v1/conversations",
             dict(create, teamId=sid), "/teamId"),
            ("POST", "/api/v1/conversations",
             dict(create, categories=[self.cat, self.theirs]),
             "/categories/1"),
            # a message on our own conversation
            ("POST", "/api/v1/conversations/%s/messages" % own,
             {"direction": "inbound", "content": "x",
              "attachmentIds": [self.their_att]}, "/attachmentIds/0"),
            ("POST", "/api/v1/conversations/%s/notes" % own,
             {"content": "x", "attachmentIds": [self.loose_att]},
             "/attachmentIds/0"),
            # changing our own conversation
            ("PATCH", "/api/v1/conversations/" + own,
             {"teamId": self.hidden}, "/teamId"),
            ("PATCH", "/api/v1/conversations/" + own,
             {"categories": [sid]}, "/categories/0"),
            ("POST", "/api/v1/conversations/%s/assignment" % own,
             {"assigneeId": None, "teamId": sid}, None),
            # a task on their contact (documented as 422 naming the field)
            ("POST", "/api/v1/tasks",
             {"contactId": secret_msg, "action": "Terugbellen"},
             ("/contactId", 422)),
            # the Klantinteracties API
            ("POST", KI_PATH + "/betrokkenen",
             {"hadKlantcontact": {"uuid": secret_msg},
              "wasPartij": {"uuid": self.mine}, "rol": "klant",
              "initiator": False}, "hadKlantcontact"),
            ("POST", KI_PATH + "/digitaleadressen",
             {"verstrektDoorPartij": {"uuid": self.hidden},
              "adres": "x@example.nl", "soortDigitaalAdres": "email"},
             "verstrektDoorPartij"),
            ("POST", KI_PATH + "/partij-identificatoren",
             {"identificeerdePartij": {"uuid": self.hidden},
              "partijIdentificator": {
                  "codeObjecttype": "natuurlijk_persoon",
                  "codeSoortObjectId": "bsn", "objectId": "999993653",
                  "codeRegister": "brp"}}, "identificeerdePartij"),
            # (supervisors may see confidential parties, so a merge can
            # only be given ids of the wrong kind)
            ("POST", "/api/v1/party-merges",
             {"survivorId": self.mine, "mergedId": sid, "reason": "x"},
             None),
            ("POST", "/api/v1/party-merges",
             {"survivorId": self.own["messageId"], "mergedId": self.mine,
              "reason": "x"}, None),
        ]
        before = self.state()
        for method, path, body, field in cases:
            with self.subTest(path=path, body=body):
                token = self.admin if "party-merges" in path else tok
                r = srv.request(method, path, json_body=body, token=token)
                self.assertTrue(400 <= r.status < 500, r)
                if path.startswith(KI_PATH):
                    names = [p["name"] for p in r.json()["invalidParams"]]
                    self.assertIn(field, names, r)
                elif isinstance(field, tuple):
                    self.assertProblem(r, field[1], field=field[0])
                elif field is not None:
                    self.assertProblem(r, 404, "not-found", field=field)
                else:
                    self.assertProblem(r, 404, "not-found")
        self.assertEqual(self.state(), before)


# ---- (h) -------------------------------------------------------------------

NAME = '<script>alert("naam")</script> & Zn.'
SUBJECT = '<svg onload="alert(1)"><title>x</title></svg>'
CONTENT = ('<a href="javascript:alert(2)">klik</a>\n'
           '<img src=x onerror=alert(3)> &lt;b&gt; \u00e9\u20ac')
DESCRIPTION = 'javascript:alert(4)//<b onclick=x>w</b>'  # 40 max
FILENAME = '<img src=x onerror=alert(6)>.txt'


class Verbatim(ServerCase):

    def assertJson(self, r):
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.content_type.startswith("application/json"), r)
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
        return r.json()

    def test_markup_is_data(self):
        srv, tok = self.srv, self.system
        r = srv.request("POST", "/api/v1/attachments?filename=" +
                        urllib.parse.quote(FILENAME), body=b"platte tekst\n",
                        token=tok, headers={"Content-Type": "text/plain"})
        att = api_ok(r, 201, "upload")
        self.assertEqual(att["filename"], FILENAME)
        c = new_conversation(srv, tok, CONTENT, "webformulier", name=NAME,
                             email="opmaak@example.nl", subject=SUBJECT,
                             attachmentIds=[att["id"]])
        pid = c["party"]["id"]
        self.assertEqual((c["party"]["name"], c["subject"]), (NAME, SUBJECT))
        addr = api_ok(ki_request(srv, "GET", "digitaleadressen?"
                                 "verstrektDoorPartij__uuid=" + pid,
                                 token=tok))["results"][0]
        r = ki_request(srv, "PATCH", "digitaleadressen/" + addr["uuid"],
                       {"omschrijving": DESCRIPTION}, tok)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["omschrijving"], DESCRIPTION)
        # Read back through every reader.
        conv = self.assertJson(srv.get("/api/v1/conversations/" + c["id"],
                                       token=tok))
        self.assertEqual(conv["subject"], SUBJECT)
        self.assertEqual(conv["party"]["name"], NAME)
        msg = conv["messages"][0]
        self.assertEqual((msg["content"], msg["subject"]), (CONTENT, SUBJECT))
        self.assertEqual(msg["attachments"][0]["filename"], FILENAME)
        meta = self.assertJson(srv.get("/api/v1/attachments/" + att["id"],
                                       token=tok))
        self.assertEqual(meta["filename"], FILENAME)
        card = self.assertJson(srv.get("/api/v1/parties/" + pid, token=tok))
        self.assertEqual(card["name"], NAME)
        self.assertEqual(card["digitalAddresses"][0]["description"],
                         DESCRIPTION)
        self.assertEqual(card["recentConversations"][0]["subject"], SUBJECT)
        tl = self.assertJson(srv.get("/api/v1/parties/%s/timeline" % pid,
                                     token=tok))["items"][0]
        self.assertEqual(tl["subject"], SUBJECT)
        self.assertEqual(tl["preview"], " ".join(CONTENT.split()))
        ki = self.assertJson(ki_request(srv, "GET", "digitaleadressen/" +
                                        addr["uuid"], token=tok))
        self.assertEqual(ki["omschrijving"], DESCRIPTION)
        inbox = self.assertJson(srv.get("/api/v1/conversations?partyId=" +
                                        pid, token=tok))["items"]
        self.assertEqual((inbox[0]["subject"], inbox[0]["party"]["name"]),
                         (SUBJECT, NAME))
        found = self.assertJson(srv.get("/api/v1/search?q=klik",
                                        token=tok))["items"]
        self.assertEqual([x["conversation"]["id"] for x in found], [c["id"]])
        self.assertEqual(found[0]["conversation"]["subject"], SUBJECT)
        self.assertIn("<a href=", found[0]["snippet"])
        # The bytes themselves come back as an attachment, never as a
        # page, and the download name keeps no markup in its plain form.
        r = srv.get("/api/v1/attachments/%s/content" % att["id"], token=tok)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, b"platte tekst\n")
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
        cd = r.header("Content-Disposition")
        self.assertTrue(cd.startswith("attachment"), cd)
        self.assertIn("filename*=UTF-8''" + urllib.parse.quote(FILENAME,
                                                                safe=""), cd)
        plain = re.search(r'filename="([^"]*)"', cd).group(1)
        self.assertNotIn("<", plain)
        # Stored as sent.
        self.assertEqual(db_query(self.data, "SELECT display_name FROM"
                                  " parties WHERE id = ?", (pid,)),
                         [(NAME,)])
        self.assertEqual(db_query(self.data, "SELECT subject, content FROM"
                                  " contacts WHERE id = ?",
                                  (c["messageId"],)), [(SUBJECT, CONTENT)])

    def test_then_markup_in_ki_party_names(self):
        # After test_markup_is_data: see test_party_numbers_are_one_sequence.
        org = ki_organisation(self.srv, self.system, NAME)
        card = self.assertJson(self.srv.get("/api/v1/parties/" + org["uuid"],
                                            token=self.system))
        self.assertEqual(card["name"], NAME)
        got = self.assertJson(ki_request(self.srv, "GET", "partijen/" +
                                         org["uuid"], token=self.system))
        self.assertEqual(got["partijIdentificatie"]["naam"], NAME)


# ---- bugs found on the way -------------------------------------------------


class FreshServer(LoketTestCase):
    """A server of its own per test: each bug shows on a fresh one, so
    one cannot make another fail for the wrong reason."""

    def setUp(self):
        self.data = self.make_data_dir()
        _, self.admin = create_token(self.data, "beheer", "admin")
        _, self.system = create_token(self.data, "webformulier", "api")
        self.srv = self.start_server(self.data)


class Linking(FreshServer):

    def test_verified_phone_joins(self):
        # One key for one number, whoever wrote the address: a number
        # verified through the Klantinteracties API links a call made
        # with it in another notation, and the look-up by phone finds a
        # number that came in with a message.
        c2 = new_conversation(self.srv, self.system, "Bel mij ook",
                              "telefoon", name="Ander",
                              phone="+31 (0)6-8765 4321")
        p = ki_person(self.srv, self.admin, "Telefoon")
        ki_address(self.srv, self.admin, p["uuid"], "+31612345678",
                   "telefoonnummer", verified=TODAY)
        c = new_conversation(self.srv, self.system, "Bel mij", "telefoon",
                             name="Iemand", phone="06 12345678")
        self.assertEqual(c["party"]["id"], p["uuid"])
        self.assertNotEqual(c2["party"]["id"], p["uuid"])
        for phone in ("0031687654321", "06 87654321"):
            r = self.srv.get("/api/v1/parties?phone=" +
                             urllib.parse.quote(phone), token=self.system)
            self.assertEqual([x["id"] for x in r.json()["items"]],
                             [c2["party"]["id"]], phone)


class PartiesFromMessages(FreshServer):

    def test_new_party_from_a_message_emits_party_created(self):
        # A party created by identity linking is announced like one made
        # through the Klantinteracties API.
        before = last_seq(self.data)
        c = new_conversation(self.srv, self.system, "Nieuw", "webformulier",
                             name="Nieuwe Inwoner",
                             email=new_id()[:8] + "@example.nl")
        rows = db_query(self.data, "SELECT type, subject FROM events WHERE"
                        " seq > ? ORDER BY seq", (before,))
        self.assertIn(("party.created", c["party"]["id"]), rows)

    def test_party_numbers_are_one_sequence(self):
        # Parties made by messages and through the Klantinteracties API
        # (one with a number chosen by the client, far ahead) draw from one
        # sequence, so no message is refused for a number already taken.
        new_conversation(self.srv, self.system, "Eerst", "webformulier",
                         name="Eerste")
        for i in range(10):
            ki_person(self.srv, self.system, "Partij %d" % i)
        r = ki_request(self.srv, "POST", "partijen", {
            "soortPartij": "persoon", "indicatieActief": True,
            "nummer": "0000000013", "partijIdentificatie": {
                "contactnaam": {"voornaam": "Gekozen",
                                "achternaam": "Nummer"}}},
            token=self.system)
        self.assertEqual(r.status, 201, r.body)
        c = new_conversation(self.srv, self.system, "Daarna",
                             "webformulier", name="Twaalfde")
        nummers = [r[0] for r in db_query(self.data,
                                           "SELECT nummer FROM parties")]
        self.assertEqual(len(nummers), 13)
        self.assertEqual(len(set(nummers)), 13)
        self.assertIn(c["party"]["id"],
                      [r[0] for r in db_query(self.data,
                                              "SELECT id FROM parties")])


if __name__ == "__main__":
    loketlib.main()
