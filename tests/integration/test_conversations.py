#!/usr/bin/env python3
"""Conversations through /api/v1: creation with identity linking and
idempotency, the inbox with every filter and its pagination, messages,
notes, changes with If-Match, confidentiality, and ids that name nothing
the caller may see (in paths and in bodies)."""
import json
import os
import re
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loketlib  # noqa: E402
from loketlib import (LoketTestCase, add_category, add_team,  # noqa: E402
                      create_token, db_exec, db_query)

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
    "javascript:alert(document.cookie)",
    "\"'><a href=\"javascript:alert(1)\">klik</a>&amp;&lt;",
    "{{7*7}} ${7*7} %s %n \\u0000",
]


class Base(LoketTestCase):
    def setUp(self):
        self.data = self.make_data_dir()
        _, self.admin = create_token(self.data, "admin", "admin")
        _, self.tok = create_token(self.data, "crm", "api")
        _, self.other = create_token(self.data, "other", "api")
        _, self.conf = create_token(self.data, "conf", "api confidential")
        self.srv = self.start_server(self.data)
        self.team = add_team(self.data, "KCC")
        self.team2 = add_team(self.data, "Backoffice")

    def create(self, token=None, expect=201, **fields):
        body = {"channel": "email", "subject": "Vraag",
                "content": "Hallo gemeente",
                "from": {"name": "Jan Jansen"}}
        body.update(fields)
        body = {k: v for k, v in body.items() if v is not None}
        r = self.srv.post_json("/api/v1/conversations", body,
                               token=token or self.tok)
        self.assertEqual(r.status, expect, r)
        return r.json() if r.status < 300 else r

    def get(self, cid, token=None):
        return self.srv.get("/api/v1/conversations/" + cid,
                            token=token or self.tok)

    def inbox(self, query="", token=None):
        r = self.srv.get("/api/v1/conversations" + query,
                         token=token or self.tok)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def ids(self, query="", token=None):
        return [i["id"] for i in self.inbox(query, token)["items"]]

    def message(self, cid, token=None, expect=201, **fields):
        body = {"direction": "inbound", "content": "nog een vraag"}
        body.update(fields)
        r = self.srv.post_json("/api/v1/conversations/%s/messages" % cid,
                               body, token=token or self.tok)
        self.assertEqual(r.status, expect, r)
        return r.json() if r.status < 300 else r

    def patch(self, cid, body, token=None, headers=None):
        hdrs = {"Content-Type": "application/json"}
        hdrs.update(headers or {})
        return self.srv.request("PATCH", "/api/v1/conversations/" + cid,
                                body=json.dumps(body), headers=hdrs,
                                token=token or self.tok)

    def count(self, table):
        return db_query(self.data, "SELECT COUNT(*) FROM " + table)[0][0]

    def add_verified(self, kind, address, key, name="Bekende Inwoner"):
        pid = str(uuid.uuid4())
        db_exec(self.data, "INSERT INTO parties (id, nummer, kind,"
                " display_name, created_at, updated_at) VALUES"
                " (?, ?, 'persoon', ?, 0, 0)",
                (pid, "9%09d" % (len(pid) + int(time.time() * 1000) %
                                  100000000), name))
        db_exec(self.data, "INSERT INTO digital_addresses (id, party_id,"
                " kind, address, address_key, verified_on, created_at)"
                " VALUES (?, ?, ?, ?, ?, '2026-01-01', 0)",
                (str(uuid.uuid4()), pid, kind, address, key))
        return pid


class CreateTest(Base):
    def test_create_returns_reference_party_and_location(self):
        c = self.create(teamId=self.team, priority="high",
                        language="eng")
        self.assertRegex(c["reference"], r"^LK-\d{4}-000001$")
        self.assertEqual(c["status"], "open")
        self.assertEqual(c["priority"], "high")
        self.assertEqual(c["teamId"], self.team)
        self.assertIsNone(c["assigneeId"])
        self.assertEqual(c["party"]["name"], "Jan Jansen")
        c2 = self.create()
        self.assertRegex(c2["reference"], r"^LK-\d{4}-000002$")
        g = self.get(c["id"])
        self.assertEqual(g.status, 200, g)
        self.assertEqual(g.header("ETag"), '"1"')
        body = g.json()
        self.assertEqual(body["language"], "eng")
        self.assertIsNotNone(body["waitingSince"])
        self.assertEqual(len(body["messages"]), 1)
        m = body["messages"][0]
        self.assertEqual(m["id"], c["messageId"])
        self.assertEqual(m["kind"], "inbound")
        self.assertEqual(m["content"], "Hallo gemeente")
        # the betrokkene links the message to its party as klant/initiator
        rows = db_query(self.data, "SELECT party_id, role, initiator FROM"
                        " involved WHERE contact_id = ?", (m["id"],))
        self.assertEqual(rows, [(c["party"]["id"], "klant", 1)])
        # the creation and the read are in the processing log
        log = db_query(self.data, "SELECT operation, activity FROM"
                       " processing_log WHERE party_id = ?",
                       (c["party"]["id"],))
        self.assertIn(("create", "klantcontact"), log)
        loketlib.wait_until(
            lambda: ("read", "klantcontact") in db_query(
                self.data, "SELECT operation, activity FROM processing_log"
                " WHERE party_id = ?", (c["party"]["id"],)), 5,
            what="the read in the processing log")

    def test_events_carry_ids_not_content(self):
        c = self.create(teamId=self.team, content="geheim verhaal")
        rows = db_query(self.data, "SELECT type, subject, payload FROM events"
                        " WHERE type IN ('conversation.created',"
                        " 'contact.added') ORDER BY seq")
        self.assertEqual([r[0] for r in rows],
                         ["conversation.created", "contact.added"])
        created = json.loads(rows[0][2])
        self.assertEqual(created["id"], c["id"])
        self.assertEqual(created["status"], "open")
        self.assertEqual(created["channel"], "email")
        self.assertEqual(created["teamId"], self.team)
        self.assertIsNone(created["assigneeId"])
        for r in rows:
            self.assertNotIn("geheim", r[2])

    def test_validation(self):
        cases = [
            ({"channel": "fax"}, "/channel"),
            ({"channel": None}, "/channel"),
            ({"priority": "asap"}, "/priority"),
            ({"content": ""}, "/content"),
            ({"content": None}, "/content"),
            ({"content": "a\x07b"}, "/content"),
            ({"subject": "x" * 201}, "/subject"),
            ({"subject": "line\nbreak"}, "/subject"),
            ({"language": "Dutch"}, "/language"),
            ({"language": "nl"}, "/language"),
            ({"from": {"name": ""}}, "/from/name"),
            ({"from": {"name": "A", "email": "geen-adres"}}, "/from/email"),
            ({"from": {"name": "A", "phone": "bel me"}}, "/from/phone"),
            ({"from": {"name": "A", "fax": "1"}}, "/from/fax"),
            ({"from": None}, "/from"),
            ({"confidential": "yes"}, "/confidential"),
            ({"categories": "x"}, "/categories"),
            ({"categories": [1]}, "/categories/0"),
            ({"attachmentIds": [str(uuid.uuid4())] * 21}, "/attachmentIds"),
            ({"bogus": 1}, "/bogus"),
        ]
        before = self.count("conversations")
        for fields, field in cases:
            r = self.create(expect=422, **fields)
            self.assertProblem(r, 422, field=field)
        self.assertEqual(self.count("conversations"), before)

    def test_every_channel(self):
        for ch in ("webformulier", "chat", "email", "telefoon", "post",
                   "social", "video", "kiosk", "balie"):
            self.assertEqual(self.create(channel=ch)["channel"], ch)


class IdempotencyTest(Base):
    def test_same_key_same_conversation(self):
        a = self.create(clientKey="form-123")
        r = self.srv.post_json("/api/v1/conversations",
                               {"channel": "chat", "content": "anders",
                                "from": {"name": "X"},
                                "clientKey": "form-123"}, token=self.tok)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["id"], a["id"])
        self.assertEqual(r.json()["messageId"], a["messageId"])
        self.assertEqual(self.count("conversations"), 1)
        self.assertEqual(self.count("contacts"), 1)

    def test_header_key(self):
        hdr = {"Idempotency-Key": "hdr-1"}
        body = {"channel": "chat", "content": "hoi", "from": {"name": "X"}}
        r1 = self.srv.post_json("/api/v1/conversations", body,
                                token=self.tok, headers=hdr)
        r2 = self.srv.post_json("/api/v1/conversations", body,
                                token=self.tok, headers=hdr)
        self.assertEqual((r1.status, r2.status), (201, 200))
        self.assertEqual(r1.json()["id"], r2.json()["id"])
        body["clientKey"] = "other"
        r3 = self.srv.post_json("/api/v1/conversations", body,
                                token=self.tok, headers=hdr)
        self.assertProblem(r3, 422, field="/clientKey")

    def test_key_is_per_caller(self):
        a = self.create(clientKey="k")
        b = self.create(token=self.other, clientKey="k")
        self.assertNotEqual(a["id"], b["id"])

    def test_concurrent_same_key(self):
        import threading
        results = []

        def go():
            results.append(self.srv.post_json(
                "/api/v1/conversations",
                {"channel": "chat", "content": "x", "from": {"name": "X"},
                 "clientKey": "race"}, token=self.tok))
        ts = [threading.Thread(target=go) for _ in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(sorted(r.status for r in results),
                         [200] * 7 + [201])
        self.assertEqual(len({r.json()["id"] for r in results}), 1)
        self.assertEqual(self.count("conversations"), 1)


class IdentityTest(Base):
    def test_verified_email_joins_history(self):
        pid = self.add_verified("email", "jan@example.nl", "jan@example.nl")
        c = self.create(**{"from": {"name": "J.", "email":
                                    "  JAN@Example.NL "}})
        self.assertEqual(c["party"]["id"], pid)
        self.assertEqual(c["party"]["name"], "Bekende Inwoner")
        # nothing new: no party, no address
        self.assertEqual(self.count("parties"), 1)
        self.assertEqual(self.count("digital_addresses"), 1)
        self.assertEqual(self.ids("?partyId=" + pid), [c["id"]])

    def test_verified_phone_joins_in_any_notation(self):
        pid = self.add_verified("telefoonnummer", "+31 6 12345678",
                                "0031612345678")
        for phone in ("06-1234 5678", "+31 (0)6 12345678", "0031612345678"):
            c = self.create(**{"from": {"name": "X", "phone": phone}})
            self.assertEqual(c["party"]["id"], pid, phone)

    def test_unverified_address_never_links(self):
        a = self.create(**{"from": {"name": "Eerste",
                                    "email": "piet@example.nl"}})
        b = self.create(**{"from": {"name": "Tweede",
                                    "email": "piet@example.nl"}})
        self.assertNotEqual(a["party"]["id"], b["party"]["id"])
        rows = db_query(self.data, "SELECT party_id, address_key,"
                        " verified_on, is_default FROM digital_addresses"
                        " ORDER BY seq")
        self.assertEqual(rows, [(a["party"]["id"], "piet@example.nl", None,
                                 1),
                                (b["party"]["id"], "piet@example.nl", None,
                                 1)])
        kinds = db_query(self.data, "SELECT kind, display_name FROM parties"
                         " WHERE id = ?", (b["party"]["id"],))
        self.assertEqual(kinds, [("persoon", "Tweede")])

    def test_known_party_by_id(self):
        a = self.create()
        b = self.create(partyId=a["party"]["id"], **{"from": None})
        self.assertEqual(b["party"]["id"], a["party"]["id"])
        r = self.create(expect=422, partyId=a["party"]["id"])
        self.assertProblem(r, 422, field="/from")


class IdorTest(Base):
    def test_ids_in_body_that_name_nothing(self):
        medewerker = str(uuid.uuid4())
        db_exec(self.data, "INSERT INTO actors (id, kind, name, created_at,"
                " updated_at) VALUES (?, 'medewerker', 'M', 0, 0)",
                (medewerker,))
        cat = add_category(self.data, "Afval")
        first = self.create()
        att = self.srv.request(
            "POST", "/api/v1/attachments?filename=a.txt", body=b"hallo",
            headers={"Content-Type": "text/plain"}, token=self.other).json()
        before = (self.count("conversations"), self.count("contacts"),
                  self.count("parties"))
        cases = [
            ({"teamId": str(uuid.uuid4())}, "/teamId"),
            ({"teamId": medewerker}, "/teamId"),
            ({"teamId": "not-a-uuid"}, "/teamId"),
            ({"categories": [cat, str(uuid.uuid4())]}, "/categories/1"),
            ({"partyId": str(uuid.uuid4()), "from": None}, "/partyId"),
            ({"wasContactId": str(uuid.uuid4())}, "/wasContactId"),
            ({"attachmentIds": [att["id"]]}, "/attachmentIds/0"),
            ({"attachmentIds": [str(uuid.uuid4())]}, "/attachmentIds/0"),
        ]
        for fields, field in cases:
            r = self.create(expect=404, **fields)
            self.assertProblem(r, 404, "not-found", field=field)
        self.assertEqual((self.count("conversations"), self.count("contacts"),
                          self.count("parties")), before)
        # the same with real ids works
        c = self.create(teamId=self.team, categories=[cat],
                        wasContactId=first["messageId"])
        was = db_query(self.data, "SELECT was_contact_id FROM"
                       " subject_objects WHERE contact_id = ?",
                       (c["messageId"],))
        self.assertEqual(was, [(first["messageId"],)])

    def test_ids_in_paths_that_name_nothing(self):
        c = self.create()
        for cid in (str(uuid.uuid4()), "nope", c["id"][:-1] + "x"):
            self.assertProblem(self.get(cid), 404, "not-found")
            self.assertProblem(self.patch(cid, {"status": "pending"}), 404)
            r = self.srv.post_json("/api/v1/conversations/%s/messages" % cid,
                                   {"direction": "inbound", "content": "x"},
                                   token=self.tok)
            self.assertProblem(r, 404, "not-found")
            r = self.srv.post_json("/api/v1/conversations/%s/notes" % cid,
                                   {"content": "x"}, token=self.tok)
            self.assertProblem(r, 404, "not-found")
        self.assertEqual(self.count("contacts"), 1)

    def test_ids_in_patch_body(self):
        c = self.create()
        r = self.patch(c["id"], {"teamId": str(uuid.uuid4())})
        self.assertProblem(r, 404, field="/teamId")
        r = self.patch(c["id"], {"categories": [str(uuid.uuid4())]})
        self.assertProblem(r, 404, field="/categories/0")
        self.assertEqual(self.get(c["id"]).json()["version"], 1)

    def test_needs_a_token_with_api_scope(self):
        _, ev = create_token(self.data, "ev", "events")
        r = self.srv.get("/api/v1/conversations")
        self.assertProblem(r, 401)
        r = self.srv.get("/api/v1/conversations", token=ev)
        self.assertProblem(r, 403)


class ConfidentialTest(Base):
    def test_confidential_conversation_is_invisible(self):
        secret = self.create(confidential=True, subject="Geheim dossier",
                             content="vertrouwelijke inhoud")
        open_ = self.create(subject="Gewoon")
        self.assertProblem(self.get(secret["id"]), 404, "not-found")
        self.assertEqual(self.get(secret["id"], self.conf).status, 200)
        self.assertEqual(self.ids(), [open_["id"]])
        self.assertEqual(self.ids(token=self.conf),
                         [open_["id"], secret["id"]])
        r = self.srv.get("/api/v1/search?q=vertrouwelijke", token=self.tok)
        self.assertEqual(r.json()["items"], [])
        r = self.srv.get("/api/v1/search?q=vertrouwelijke", token=self.conf)
        self.assertEqual(len(r.json()["items"]), 1)
        # its messages' events are withheld like the conversation, though
        # a message's own flag only records explicit marking
        m = self.message(secret["id"], token=self.conf, content="meer")
        rows = db_query(self.data, "SELECT payload FROM events WHERE type ="
                        " 'contact.added' AND subject IN (?, ?)",
                        (secret["messageId"], m["id"]))
        self.assertEqual(len(rows), 2)
        for (payload,) in rows:
            self.assertTrue(json.loads(payload).get("confidential"), payload)
        # writing to it is as impossible as reading it
        self.message(secret["id"], expect=404)
        self.assertProblem(self.patch(secret["id"], {"status": "pending"}),
                           404)
        # and it cannot be continued (wasContactId) by those who cannot see it
        r = self.create(expect=404, wasContactId=secret["messageId"])
        self.assertProblem(r, 404, field="/wasContactId")

    def test_confidential_message_is_hidden_in_timeline(self):
        c = self.create()
        m = self.message(c["id"], content="BSN 123456782", confidential=True)
        plain = [x["id"] for x in self.get(c["id"]).json()["messages"]]
        full = [x["id"] for x in self.get(c["id"], self.conf).json()
                ["messages"]]
        self.assertNotIn(m["id"], plain)
        self.assertIn(m["id"], full)
        r = self.srv.get("/api/v1/search?q=123456782", token=self.tok)
        self.assertEqual(r.json()["items"], [])
        # the inbox preview never shows it either
        self.assertEqual(self.inbox()["items"][0]["preview"], "Hallo gemeente")

    def test_party_under_geheimhouding_makes_it_confidential(self):
        pid = self.add_verified("email", "geheim@example.nl",
                                "geheim@example.nl", name="Geheime Naam")
        db_exec(self.data, "UPDATE parties SET confidential = 1 WHERE id = ?",
                (pid,))
        c = self.create(**{"from": {"name": "X",
                                    "email": "geheim@example.nl"}})
        self.assertTrue(c["confidential"])
        self.assertIsNone(c["party"])  # the filer learns nothing of it
        self.assertNotIn("Geheime", json.dumps(c))
        self.assertProblem(self.get(c["id"]), 404)
        g = self.get(c["id"], self.conf).json()
        self.assertEqual(g["party"]["id"], pid)
        self.assertTrue(g["messages"][0]["confidential"])
        self.assertEqual(self.ids(), [])

    def test_confidential_party_by_id(self):
        a = self.create()
        db_exec(self.data, "UPDATE parties SET confidential = 1 WHERE id = ?",
                (a["party"]["id"],))
        r = self.create(expect=404, partyId=a["party"]["id"],
                        **{"from": None})
        self.assertProblem(r, 404, field="/partyId")
        self.create(token=self.conf, partyId=a["party"]["id"],
                    **{"from": None})


class InboxTest(Base):
    def test_every_filter(self):
        cat = add_category(self.data, "Paspoort")
        agent = str(uuid.uuid4())
        db_exec(self.data, "INSERT INTO actors (id, kind, name, created_at,"
                " updated_at) VALUES (?, 'medewerker', 'M', 0, 0)", (agent,))
        a = self.create(channel="email", teamId=self.team, categories=[cat],
                        content="paspoort verlopen")
        b = self.create(channel="chat", teamId=self.team2,
                        content="container vol")
        c = self.create(channel="telefoon", teamId=self.team,
                        content="boom omgewaaid")
        self.assertEqual(self.patch(b["id"], {"status": "pending"}).status,
                         200)
        db_exec(self.data, "UPDATE conversations SET assignee_id = ?"
                " WHERE id = ?", (agent, c["id"]))
        self.assertEqual(self.ids(), [c["id"], b["id"], a["id"]])
        self.assertEqual(self.ids("?status=open"), [c["id"], a["id"]])
        self.assertEqual(self.ids("?status=pending"), [b["id"]])
        self.assertEqual(self.ids("?channel=chat"), [b["id"]])
        self.assertEqual(self.ids("?teamId=" + self.team), [c["id"], a["id"]])
        self.assertEqual(self.ids("?teamId=%s&status=open" % self.team),
                         [c["id"], a["id"]])
        self.assertEqual(self.ids("?teamId=%s&status=pending" % self.team),
                         [])
        self.assertEqual(self.ids("?assigneeId=" + agent), [c["id"]])
        self.assertEqual(self.ids("?assigneeId=none"), [b["id"], a["id"]])
        self.assertEqual(self.ids("?categoryId=" + cat), [a["id"]])
        self.assertEqual(self.ids("?partyId=" + b["party"]["id"]), [b["id"]])
        self.assertEqual(self.ids("?q=paspoort"), [a["id"]])
        self.assertEqual(self.ids("?q=container&teamId=" + self.team), [])
        self.assertEqual(self.ids("?teamId=" + str(uuid.uuid4())), [])
        t = db_query(self.data, "SELECT last_message_at FROM conversations"
                     " WHERE id = ?", (b["id"],))[0][0]
        self.assertEqual(self.ids("?from=%d&to=%d" % (t, t + 1)), [b["id"]])
        self.assertEqual(set(self.ids("?to=%d" % t)) & {b["id"]}, set())
        self.assertIn(b["id"], self.ids("?from=%d" % t))
        # "me" needs a staff member, a token is not one
        r = self.srv.get("/api/v1/conversations?assigneeId=me",
                         token=self.tok)
        self.assertProblem(r, 400, field="assigneeId")
        for bad in ("status=gone", "channel=fax", "limit=0", "limit=101",
                    "cursor=zz", "from=yesterday", "q=" + "x" * 201):
            r = self.srv.get("/api/v1/conversations?" + bad, token=self.tok)
            self.assertIn(r.status, (400, 422), (bad, r))

    def test_text_query_pages_each_conversation_once(self):
        made = [self.create(content="fietswrak bij station %d" % i)["id"]
                for i in range(7)]
        other = self.create(content="iets anders")["id"]
        # more matches in older conversations: they move up, once each
        for cid in (made[0], made[2], made[0]):
            self.message(cid, content="nog steeds dat fietswrak")
        expect = [made[0], made[2]] + [c for c in reversed(made)
                                       if c not in (made[0], made[2])]
        seen = []
        cursor = None
        for _ in range(20):
            q = "?q=fietswrak&limit=2" + ("&cursor=" + cursor
                                          if cursor else "")
            page = self.inbox(q)
            seen += [i["id"] for i in page["items"]]
            for i in page["items"]:
                self.assertIn("fietswrak", i["preview"])
            cursor = page["next"]
            if cursor is None:
                break
        self.assertEqual(seen, expect)
        self.assertNotIn(other, seen)
        r = self.srv.get("/api/v1/conversations?q=x&cursor=1.2",
                         token=self.tok)
        self.assertProblem(r, 400, field="cursor")

    def test_item_shape(self):
        self.create(teamId=self.team, content="x" * 500)
        item = self.inbox()["items"][0]
        for key in ("id", "reference", "subject", "status", "priority",
                    "channel", "party", "teamId", "assigneeId",
                    "lastMessageAt", "preview"):
            self.assertIn(key, item)
        self.assertEqual(set(item["party"]), {"id", "name"})
        self.assertEqual(len(item["preview"]), 140)

    def test_pagination_without_duplicates_or_gaps(self):
        made = [self.create(subject="c%d" % i)["id"] for i in range(23)]
        seen = []
        cursor = None
        pages = 0
        touched = set()
        while True:
            q = "?limit=5" + ("&cursor=" + cursor if cursor else "")
            page = self.inbox(q)
            seen += [i["id"] for i in page["items"]]
            self.assertLessEqual(len(page["items"]), 5)
            # meanwhile: a new conversation and a reply to one already seen
            self.create(subject="new during paging")
            if page["items"]:
                self.message(page["items"][0]["id"])
                touched.add(page["items"][0]["id"])
            pages += 1
            cursor = page["next"]
            if cursor is None:
                break
            self.assertLess(pages, 20)
        self.assertEqual(len(seen), len(set(seen)), "duplicates across pages")
        self.assertEqual(set(made) - set(seen), set(), "gaps across pages")
        self.assertEqual(seen[:23], list(reversed(made))[:len(seen[:23])])

    def test_limit_default_and_max(self):
        for i in range(27):
            self.create()
        self.assertEqual(len(self.inbox()["items"]), 25)
        self.assertIsNotNone(self.inbox()["next"])
        self.assertEqual(len(self.inbox("?limit=100")["items"]), 27)


class MessagesTest(Base):
    def test_inbound_reopens(self):
        c = self.create()
        for status in ("resolved", "pending"):
            r = self.patch(c["id"], {"status": status})
            self.assertEqual(r.status, 200, r)
            body = r.json()
            self.assertEqual(body["status"], status)
            self.assertIsNone(body["waitingSince"])
            if status == "resolved":
                self.assertIsNotNone(body["resolvedAt"])
            m = self.message(c["id"])
            self.assertEqual(m["conversation"]["status"], "open")
            g = self.get(c["id"]).json()
            self.assertIsNone(g["resolvedAt"])
            self.assertIsNotNone(g["waitingSince"])

    def test_outbound_sets_first_response_once_and_queues(self):
        c = self.create()
        m1 = self.message(c["id"], direction="outbound", content="antwoord")
        self.assertEqual(m1["delivery"], "queued")
        first = self.get(c["id"]).json()["firstResponseAt"]
        self.assertIsNotNone(first)
        time.sleep(0.01)
        m2 = self.message(c["id"], direction="outbound", content="nog eens",
                          channel="telefoon")
        self.assertIsNone(m2["delivery"])
        g = self.get(c["id"]).json()
        self.assertEqual(g["firstResponseAt"], first)
        self.assertEqual([m["kind"] for m in g["messages"]],
                         ["inbound", "outbound", "outbound"])
        self.assertEqual(g["messages"][2]["channel"], "telefoon")
        self.assertEqual(g["version"], 3)
        r = self.message(c["id"], expect=422, direction="note")
        self.assertProblem(r, 422, field="/direction")

    def test_notes_are_kept_apart(self):
        c = self.create()
        r = self.srv.post_json("/api/v1/conversations/%s/notes" % c["id"],
                               {"content": "bel terug na 14:00"},
                               token=self.tok)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["kind"], "note")
        self.assertIsNone(r.json()["delivery"])
        g = self.get(c["id"]).json()
        self.assertEqual(g["messages"][-1]["kind"], "note")
        # a note is not a message: preview, last activity unchanged
        self.assertEqual(self.inbox()["items"][0]["preview"], "Hallo gemeente")
        self.assertEqual(g["lastMessageAt"], c["lastMessageAt"])
        audit = db_query(self.data, "SELECT action FROM audit_log WHERE"
                         " subject = ?", (r.json()["id"],))
        self.assertEqual(audit, [("note.added",)])
        r = self.srv.post_json("/api/v1/conversations/%s/notes" % c["id"],
                               {"content": "x", "direction": "outbound"},
                               token=self.tok)
        self.assertProblem(r, 422, field="/direction")

    def test_timeline_pages(self):
        c = self.create()
        for i in range(6):
            self.message(c["id"], content="m%d" % i)
        r = self.srv.get("/api/v1/conversations/%s?limit=3" % c["id"],
                         token=self.tok).json()
        self.assertEqual(len(r["messages"]), 3)
        r2 = self.srv.get("/api/v1/conversations/%s?limit=3&after=%s" %
                          (c["id"], r["messagesNext"]), token=self.tok).json()
        self.assertEqual([m["content"] for m in r2["messages"]],
                         ["m2", "m3", "m4"])


class PatchTest(Base):
    def test_if_match_and_version(self):
        c = self.create()
        r = self.patch(c["id"], {"priority": "urgent"},
                       headers={"If-Match": '"1"'})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("ETag"), '"2"')
        self.assertEqual(r.json()["priority"], "urgent")
        r = self.patch(c["id"], {"priority": "low"},
                       headers={"If-Match": '"1"'})
        self.assertProblem(r, 412)
        r = self.patch(c["id"], {"priority": "low", "version": 1})
        self.assertProblem(r, 412)
        r = self.patch(c["id"], {"priority": "low", "version": 2})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["version"], 3)
        r = self.patch(c["id"], {"priority": "low"},
                       headers={"If-Match": "garbage"})
        self.assertProblem(r, 412)

    def test_fields(self):
        c = self.create()
        cat = add_category(self.data, "Wonen")
        until = int(time.time() * 1000) + 3600000
        r = self.patch(c["id"], {"status": "snoozed", "snoozedUntil": until,
                                 "subject": "Nieuw onderwerp",
                                 "teamId": self.team2, "categories": [cat]})
        self.assertEqual(r.status, 200, r)
        g = r.json()
        self.assertEqual((g["status"], g["snoozedUntil"], g["subject"],
                          g["teamId"]),
                         ("snoozed", until, "Nieuw onderwerp", self.team2))
        self.assertEqual([x["id"] for x in g["categories"]], [cat])
        g = self.patch(c["id"], {"teamId": None, "categories": []}).json()
        self.assertIsNone(g["teamId"])
        self.assertEqual(g["categories"], [])
        for body, field in (({"status": "snoozed"}, "/snoozedUntil"),
                            ({"status": "snoozed", "snoozedUntil": 1000},
                             "/snoozedUntil"),
                            ({"snoozedUntil": until}, "/snoozedUntil"),
                            ({"status": "closed"}, "/status"),
                            ({"priority": 3}, "/priority"),
                            ({"assigneeId": str(uuid.uuid4())},
                             "/assigneeId")):
            self.assertProblem(self.patch(c["id"], body), 422, field=field)
        ev = db_query(self.data, "SELECT payload FROM events WHERE type ="
                      " 'conversation.updated' ORDER BY seq")
        self.assertEqual(json.loads(ev[0][0])["status"], "snoozed")
        audit = db_query(self.data, "SELECT actor FROM audit_log WHERE"
                         " action = 'conversation.updated'")
        self.assertEqual(len(audit), 2)
        self.assertTrue(audit[0][0].startswith("token:tok_"))


class VerbatimTest(Base):
    def test_markup_is_stored_and_returned_as_data(self):
        for text in HOSTILE:
            c = self.create(subject=text.replace("\\u0000", ""),
                            content=text + "\n" + text,
                            **{"from": {"name": text[:200]}})
            r = self.get(c["id"])
            self.assertTrue(r.content_type.startswith("application/json"))
            g = r.json()
            self.assertEqual(g["subject"], text.replace("\\u0000", ""))
            self.assertEqual(g["messages"][0]["content"], text + "\n" + text)
            self.assertEqual(g["party"]["name"], text[:200])
            n = self.srv.post_json("/api/v1/conversations/%s/notes" %
                                   c["id"], {"content": text},
                                   token=self.tok)
            self.assertEqual(n.status, 201)
            self.assertEqual(self.get(c["id"]).json()["messages"][-1]
                             ["content"], text)
            stored = db_query(self.data, "SELECT content FROM contacts WHERE"
                              " id = ?", (n.json()["id"],))
            self.assertEqual(stored, [(text,)])
        item = self.inbox("?limit=1")["items"][0]
        self.assertEqual(item["party"]["name"], HOSTILE[-1][:200])


class OpenApiTest(Base):
    def test_document_describes_these_endpoints(self):
        r = self.srv.get("/api/openapi.json")
        self.assertEqual(r.status, 200, r)
        doc = r.json()
        for path, methods in (("/api/v1/conversations", ("get", "post")),
                              ("/api/v1/conversations/{id}",
                               ("get", "patch")),
                              ("/api/v1/conversations/{id}/messages",
                               ("post",)),
                              ("/api/v1/conversations/{id}/notes", ("post",)),
                              ("/api/v1/search", ("get",)),
                              ("/api/v1/attachments", ("post",)),
                              ("/api/v1/attachments/{id}/content", ("get",))):
            for m in methods:
                self.assertIn(m, doc["paths"][path], (path, m))
        schemas = doc["components"]["schemas"]
        self.assertIn("Problem", schemas)  # the base document's, kept
        # every $ref in the part resolves
        text = json.dumps(doc)
        for ref in set(re.findall(r'"#/components/schemas/([A-Za-z]+)"',
                                  text)):
            self.assertIn(ref, schemas, ref)
        # a created conversation has the members the schema requires
        c = self.create()
        g = self.get(c["id"]).json()
        for part in schemas["Conversation"]["allOf"]:
            req = part.get("required") or schemas[
                part["$ref"].rsplit("/", 1)[1]]["required"]
            for key in req:
                self.assertIn(key, g, key)


if __name__ == "__main__":
    loketlib.main()
