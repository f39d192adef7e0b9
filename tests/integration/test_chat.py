"""Live chat and call-me-back (docs/chat.md): the resident's endpoints
under /contact/chat and /contact/terugbellen, and the agents' API
/api/v1/chats and /api/v1/callbacks, against a real server."""

import json
import re
import sys
import threading
import time
import urllib.parse
import uuid

from loketlib import (LoketTestCase, RawClient, add_staff_user, create_token,
                      db_query, main, parse_sse_block, run_cli,
                      wait_until)

EVIL = ('<script>alert(1)</script><img src=x onerror=alert(2)>'
        '<svg onload=alert(3)></svg><a href="javascript:alert(4)">x</a>"\'&')


class Resident:
    """A browser of one resident: keeps the cookies it is given."""

    def __init__(self, srv):
        self.srv = srv
        self.cookies = {}

    def _headers(self, extra=None):
        h = {"Origin": "http://%s:%d" % (self.srv.host, self.srv.port)}
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        h.update(extra or {})
        return h

    def _keep(self, r):
        for v in r.header_all("Set-Cookie"):
            name, _, rest = v.partition("=")
            self.cookies[name] = rest.split(";")[0]
        return r

    def post(self, path, body):
        return self._keep(self.srv.request("POST", path, json_body=body,
                                           headers=self._headers()))

    def get(self, path):
        return self._keep(self.srv.request("GET", path,
                                           headers=self._headers()))

    def form(self, path, fields):
        body = urllib.parse.urlencode(fields)
        return self._keep(self.srv.request(
            "POST", path, body=body, headers=self._headers(
                {"Content-Type": "application/x-www-form-urlencoded"})))

    def start(self, text="Mijn vraag", name="Inwoner", email=None):
        body = {"text": text, "name": name}
        if email:
            body["email"] = email
        r = self.post("/contact/chat/start", body)
        assert r.status == 201, r
        return r.json()

    def send(self, text, key=None):
        return self.post("/contact/chat/berichten",
                         {"clientKey": key or str(uuid.uuid4()), "text": text})

    def status(self, after=0):
        r = self.get("/contact/chat/status?after=%d" % after)
        assert r.status == 200, r
        return r.json()


class ChatStream:
    """GET /contact/chat/stroom with the resident's cookie."""

    def __init__(self, res):
        self.raw = RawClient(res.srv.host, res.srv.port, 10)
        h = res._headers({"Accept": "text/event-stream"})
        self.raw.send(RawClient.build("GET", "/contact/chat/stroom", h))
        self.status, _, _ = self.raw.read_head()
        self.text = ""

    def next(self, timeout=10.0):
        deadline = time.time() + timeout
        while "\n\n" not in self.text:
            if time.time() > deadline:
                raise AssertionError("no SSE block")
            self.raw.sock.settimeout(max(0.1, deadline - time.time()))
            chunk = self.raw.read_chunk()
            if chunk is None:
                raise AssertionError("stream ended")
            self.text += chunk.decode()
        block, self.text = self.text.split("\n\n", 1)
        return block

    def wait_for(self, event, timeout=10.0):
        deadline = time.time() + timeout
        while True:
            block = self.next(max(0.1, deadline - time.time()))
            if re.search(r"^event: %s$" % event, block, re.M):
                return block

    def close(self):
        self.raw.close()


# The other tests book and chat more than a resident would: limits wide.
WIDE = {k: "64" for k in ("LOKET_CHAT_START_LIMIT", "LOKET_CHAT_MAIL_LIMIT",
                          "LOKET_CHAT_MAIL_ADDRESS_LIMIT",
                          "LOKET_CALLBACK_LIMIT",
                          "LOKET_CALLBACK_PHONE_LIMIT")}


class Base(LoketTestCase):
    env = WIDE

    def setUp(self):
        self.data = self.make_data_dir()
        _, self.admin = create_token(self.data, "admin", "admin")
        _, self.api = create_token(self.data, "system", "api events")
        self.srv = self.start_server(self.data, env=self.env)
        self.n = 0

    def agent(self, presence=None):
        self.n += 1
        user = add_staff_user(self.data, "agent%d@example.nl" % self.n,
                              name="Agent %d" % self.n)
        r = self.srv.post_json("/api/v1/agents", {"userId": user},
                               token=self.admin)
        self.assertEqual(r.status, 201, r)
        a = r.json()["id"]
        if presence:
            r = self.srv.request("PUT", "/api/v1/agents/%s/presence" % a,
                                 json_body={"presence": presence},
                                 token=self.admin)
            self.assertEqual(r.status, 200, r)
        return a

    def conv_of(self, reference):
        return db_query(self.data, "SELECT id FROM conversations"
                        " WHERE reference = ?", (reference,))[0][0]

    def claim(self, conv, agent):
        r = self.srv.post_json("/api/v1/conversations/%s/claim" % conv,
                               {"agentId": agent}, token=self.api)
        self.assertEqual(r.status, 200, r)

    def answer(self, conv, text):
        r = self.srv.post_json("/api/v1/conversations/%s/messages" % conv,
                               {"direction": "outbound", "content": text},
                               token=self.api)
        self.assertEqual(r.status, 201, r)
        return r.json()

    def slots(self, res):
        r = res.get("/contact/chat/tijdvakken")
        self.assertEqual(r.status, 200, r)
        return r.json()["items"]


class Chat(Base):
    def test_messages_both_ways_and_resume(self):
        res = Resident(self.srv)
        ref = res.start("Hallo, ik heb een vraag")["reference"]
        conv = self.conv_of(ref)
        st = res.status()
        self.assertEqual(st["state"], "waiting")
        self.assertEqual(st["position"], 1)
        self.assertEqual([m["text"] for m in st["messages"]],
                         ["Hallo, ik heb een vraag"])
        # The agents see the waiting chat and take it.
        items = self.srv.get("/api/v1/chats", token=self.api).json()["items"]
        self.assertEqual([i["conversationId"] for i in items], [conv])
        self.assertEqual(items[0]["position"], 1)
        a = self.agent()
        stream = ChatStream(res)
        self.assertEqual(stream.status, 200)
        stream.wait_for("update")  # the first frame
        self.claim(conv, a)
        stream.wait_for("update")
        st = res.status()
        self.assertEqual(st["state"], "joined")
        self.assertEqual(st["agent"]["name"], "Agent 1")
        self.assertIsNone(st["position"])
        last = st["messages"][-1]["seq"]
        self.answer(conv, "Goedemiddag, waarmee kan ik helpen?")
        stream.wait_for("update")
        new = res.status(after=last)["messages"]
        self.assertEqual([(m["from"], m["text"]) for m in new],
                         [("agent", "Goedemiddag, waarmee kan ik helpen?")])
        self.assertEqual(new[0]["author"], "Medewerker")  # a token wrote it
        # The connection drops; meanwhile the agent writes twice and the
        # resident's send is retried: resuming from the last seq shows each
        # message once.
        stream.close()
        seen = new[0]["seq"]
        self.answer(conv, "Bent u er nog?")
        key = str(uuid.uuid4())
        r1 = res.send("Ja, sorry", key)
        self.assertEqual(r1.status, 201, r1)
        r2 = res.send("Ja, sorry", key)
        self.assertEqual(r2.status, 200, r2)
        self.assertTrue(r2.json()["replayed"])
        self.assertEqual(r1.json()["seq"], r2.json()["seq"])
        self.answer(conv, "Prima")
        stream = ChatStream(res)
        stream.wait_for("update")
        after = res.status(after=seen)["messages"]
        self.assertEqual([m["text"] for m in after],
                         ["Bent u er nog?", "Ja, sorry", "Prima"])
        self.assertEqual(after[1]["clientKey"], key)
        n = db_query(self.data, "SELECT COUNT(*) FROM contacts WHERE"
                     " conversation_id = ? AND content = 'Ja, sorry'",
                     (conv,))[0][0]
        self.assertEqual(n, 1)
        stream.close()

    def test_typing_and_read(self):
        res = Resident(self.srv)
        conv = self.conv_of(res.start("Vraag")["reference"])
        a = self.agent()
        self.claim(conv, a)
        stream = ChatStream(res)
        stream.wait_for("update")
        # The agent types: the resident's stream says so.
        r = self.srv.request("POST", "/api/v1/chats/%s/typing" % conv,
                             token=self.api)
        self.assertEqual(r.status, 204, r)
        self.assertIn('"by":"agent"', stream.wait_for("typing"))
        # The resident types and reads: the agents' event stream says so.
        from loketlib import SSEClient
        ev = SSEClient(self.srv, token=self.api)
        self.assertEqual(res.post("/contact/chat/typen", {}).status, 204)
        msg = self.answer(conv, "Antwoord")
        seq = res.status()["messages"][-1]["seq"]
        self.assertEqual(res.post("/contact/chat/gelezen",
                                  {"seq": seq}).status, 204)
        got = {}
        deadline = time.time() + 10
        while len(got) < 2 and time.time() < deadline:
            e = ev.next_event(10)
            if e["event"] in ("chat.typing", "chat.read"):
                got[e["event"]] = json.loads(e["data"])["data"]
        ev.close()
        self.assertEqual(got["chat.typing"],
                         {"conversationId": conv, "by": "resident"})
        self.assertEqual(got["chat.read"],
                         {"conversationId": conv, "by": "resident",
                          "seq": seq})
        # The agent reads: the resident sees agentRead.
        rseq = res.status()["messages"][0]["seq"]
        r = self.srv.post_json("/api/v1/chats/%s/read" % conv, {"seq": rseq},
                               token=self.api)
        self.assertEqual(r.status, 204, r)
        stream.wait_for("update")
        st = res.status()
        self.assertEqual(st["agentRead"], rseq)
        self.assertEqual(st["residentRead"], seq)
        # A read mark never goes back.
        self.srv.post_json("/api/v1/chats/%s/read" % conv, {"seq": 1},
                           token=self.api)
        self.assertEqual(res.status()["agentRead"], rseq)
        stream.close()
        self.assertIsNotNone(msg)

    def test_queue_position(self):
        rs = [Resident(self.srv) for _ in range(3)]
        convs = [self.conv_of(r.start("Vraag %d" % i)["reference"])
                 for i, r in enumerate(rs)]
        self.assertEqual([r.status()["position"] for r in rs], [1, 2, 3])
        stream = ChatStream(rs[2])
        stream.wait_for("update")
        self.claim(convs[0], self.agent())
        stream.wait_for("queue")
        self.assertEqual([r.status()["position"] for r in rs[1:]], [1, 2])
        self.assertIsNone(rs[0].status()["position"])
        stream.close()

    def quiet(self, stream, seconds=0.6):
        """No event frame on `stream` for `seconds` (heartbeats aside)."""
        try:
            while True:
                block = stream.next(seconds)
                self.assertNotRegex(block, r"(?m)^event: ", block)
        except TimeoutError:
            pass
        except AssertionError as e:
            if "no SSE block" not in str(e):
                raise

    def test_streams_hear_only_their_chat(self):
        # One listener serves every stream (pages/chat.c): a message, typing
        # or read mark in one chat wakes that chat's stream and no other;
        # a queue move reaches the chats still waiting, and a chat that was
        # taken and put back in the queue hears queue moves again.
        rs = [Resident(self.srv) for _ in range(4)]
        convs = [self.conv_of(r.start("Vraag %d" % i)["reference"])
                 for i, r in enumerate(rs)]
        sa, sb = ChatStream(rs[0]), ChatStream(rs[1])
        sa.wait_for("update")
        sb.wait_for("update")
        self.answer(convs[0], "Antwoord voor A")
        sa.wait_for("update")
        r = self.srv.post_json("/api/v1/chats/%s/typing" % convs[0], {},
                               token=self.api)
        self.assertEqual(r.status, 204, r)
        sa.wait_for("typing")
        self.quiet(sb)
        a = self.agent()
        self.claim(convs[0], a)       # the queue moves: B still waits
        sb.wait_for("queue")
        self.claim(convs[1], a)       # B is taken
        sb.wait_for("update")
        self.claim(convs[2], a)       # a move B no longer waits in
        self.quiet(sb)
        r = self.srv.post_json("/api/v1/conversations/%s/assignment"
                               % convs[1], {"assigneeId": None},
                               token=self.api)
        self.assertEqual(r.status, 200, r)
        sb.wait_for("update")         # back in the queue
        self.assertIsNotNone(rs[1].status()["position"])
        self.claim(convs[3], a)       # and it hears moves again
        sb.wait_for("queue")
        sa.close()
        sb.close()

    def test_end_with_transcript(self):
        res = Resident(self.srv)
        conv = self.conv_of(res.start("Vraag", email="a@example.nl")
                            ["reference"])
        self.answer(conv, "Antwoord")
        r = res.post("/contact/chat/einde", {"email": "Inwoner@Example.nl"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"transcript": "queued"})
        rows = db_query(self.data, "SELECT kind, key, payload FROM outbox")
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][0], "mail")
        p = json.loads(rows[0][2])
        self.assertEqual(p["to"], "inwoner@example.nl")
        self.assertIn("Vraag", p["text"])
        self.assertIn("Antwoord", p["text"])
        self.assertEqual(res.status()["state"], "ended")
        self.assertEqual(res.send("nog iets").status, 409)
        # Ending twice queues nothing more.
        res.post("/contact/chat/einde", {"email": "inwoner@example.nl"})
        self.assertEqual(db_query(self.data,
                                  "SELECT COUNT(*) FROM outbox")[0][0], 1)
        self.assertProblem(res.post("/contact/chat/einde",
                                    {"email": "geen adres"}), 422,
                           field="/email")

    def test_unknown_and_foreign_tokens(self):
        res = Resident(self.srv)
        res.start("Vraag")
        other = Resident(self.srv)
        for cookie in ({}, {"loket_chat": "A" * 22},
                       {"loket_chat": "not-a-token"}):
            other.cookies = dict(cookie)
            for method, path, body in (
                    ("GET", "/contact/chat/status", None),
                    ("GET", "/contact/chat/stroom", None),
                    ("POST", "/contact/chat/berichten",
                     {"clientKey": str(uuid.uuid4()), "text": "x"}),
                    ("POST", "/contact/chat/typen", {}),
                    ("POST", "/contact/chat/gelezen", {"seq": 1}),
                    ("POST", "/contact/chat/einde", {})):
                r = other.get(path) if method == "GET" else \
                    other.post(path, body)
                self.assertEqual(r.status, 404, (cookie, path, r))
        # Agents: unknown chats and callbacks.
        u = str(uuid.uuid4())
        for path in ("/api/v1/chats/%s/typing" % u,
                     "/api/v1/chats/nope/typing"):
            self.assertProblem(self.srv.request("POST", path,
                                                token=self.api), 404)
        self.assertProblem(self.srv.post_json(
            "/api/v1/chats/%s/read" % u, {"seq": 1}, token=self.api), 404)
        for path in ("/api/v1/callbacks/" + u, "/api/v1/callbacks/x"):
            self.assertProblem(self.srv.get(path, token=self.api), 404)
        self.assertProblem(self.srv.post_json(
            "/api/v1/callbacks/%s/outcome" % u, {"outcome": "reached"},
            token=self.api), 404)

    def test_confidential_chats_are_unknown(self):
        """A chat whose conversation became confidential behaves like an
        unknown id for callers who may not see it."""
        from loketlib import db_execute
        res = Resident(self.srv)
        conv = self.conv_of(res.start("Vraag")["reference"])
        slot = self.slots(res)[0]
        r = res.form("/contact/terugbellen", {
            "stap": "boeken", "telefoon": "0612345678",
            "tijdvak": str(slot["start"])})
        self.assertEqual(r.status, 201, r.text)
        cb = self.srv.get("/api/v1/callbacks",
                          token=self.api).json()["items"][0]["id"]
        db_execute(self.data, "UPDATE conversations SET confidential = 1"
                   " WHERE id = ?", (conv,))
        _, conf = create_token(self.data, "conf", "api confidential")
        self.assertEqual(self.srv.get("/api/v1/chats", token=self.api)
                         .json()["items"], [])
        self.assertEqual(len(self.srv.get("/api/v1/chats", token=conf)
                             .json()["items"]), 1)
        self.assertProblem(self.srv.request(
            "POST", "/api/v1/chats/%s/typing" % conv, token=self.api), 404)
        self.assertEqual(self.srv.request(
            "POST", "/api/v1/chats/%s/typing" % conv, token=conf).status, 204)
        self.assertEqual(self.srv.get("/api/v1/callbacks", token=self.api)
                         .json()["items"], [])
        self.assertProblem(self.srv.get("/api/v1/callbacks/" + cb,
                                        token=self.api), 404)
        self.assertProblem(self.srv.post_json(
            "/api/v1/callbacks/%s/outcome" % cb, {"outcome": "reached"},
            token=self.api), 404)
        self.assertEqual(self.srv.get("/api/v1/callbacks/" + cb,
                                      token=conf).status, 200)

    def test_geheimhouding_chat_stays_the_residents(self):
        """A chat whose conversation is confidential (geheimhouding) is
        still the resident's to read and write; only a message staff
        marked confidential is hidden from them."""
        from loketlib import db_execute
        res = Resident(self.srv)
        conv = self.conv_of(res.start("Vraag")["reference"])
        db_execute(self.data, "UPDATE conversations SET confidential = 1"
                   " WHERE id = ?", (conv,))
        _, conf = create_token(self.data, "conf", "api confidential")
        r = res.send("Nog iets")
        self.assertEqual(r.status, 201, r.text)
        for body in ({"direction": "outbound", "content": "Antwoord"},
                     {"direction": "outbound", "content": "Geheim",
                      "confidential": True}):
            r = self.srv.post_json("/api/v1/conversations/%s/messages" % conv,
                                   body, token=conf)
            self.assertEqual(r.status, 201, r)
        self.assertEqual([m["text"] for m in res.status()["messages"]],
                         ["Vraag", "Nog iets", "Antwoord"])
        # Staff without confidential access still cannot see the chat.
        self.assertProblem(self.srv.get("/api/v1/conversations/" + conv,
                                        token=self.api), 404)

    def test_typed_addresses_never_link_to_a_known_party(self):
        """A chat's e-mail address (and a callback's phone) is only the
        resident's word: the chat gets a new party with the address
        unverified, never the party that verified it."""
        from loketlib import db_execute
        pid = str(uuid.uuid4())
        db_execute(self.data, "INSERT INTO parties (id, nummer, kind,"
                   " display_name, created_at, updated_at) VALUES"
                   " (?, '9000000001', 'persoon', 'Bekend', 0, 0)", (pid,))
        for kind, addr, key in (("email", "bekend@example.nl",
                                 "bekend@example.nl"),
                                ("telefoonnummer", "0612345678",
                                 "0031612345678")):
            db_execute(self.data, "INSERT INTO digital_addresses (id,"
                       " party_id, kind, address, address_key, verified_on,"
                       " created_at) VALUES (?, ?, ?, ?, ?, '2026-01-01', 0)",
                       (str(uuid.uuid4()), pid, kind, addr, key))
        res = Resident(self.srv)
        conv = self.conv_of(res.start("Vraag", email="bekend@example.nl")
                            ["reference"])
        party = db_query(self.data, "SELECT party_id FROM conversations"
                         " WHERE id = ?", (conv,))[0][0]
        self.assertNotEqual(party, pid)
        self.assertEqual(db_query(
            self.data, "SELECT address, verified_on FROM digital_addresses"
            " WHERE party_id = ?", (party,)), [("bekend@example.nl", None)])
        slot = self.slots(res)[0]
        r = Resident(self.srv).form("/contact/terugbellen", {
            "stap": "boeken", "telefoon": "0612345678",
            "tijdvak": str(slot["start"])})
        self.assertEqual(r.status, 201, r.text)
        self.assertEqual(db_query(
            self.data, "SELECT count(*) FROM conversations"
            " WHERE party_id = ?", (pid,))[0][0], 0)

    def test_a_chat_keeps_at_most_two_streams(self):
        """A third stream of one chat session closes the oldest."""
        res = Resident(self.srv)
        res.start("Vraag")
        s1, s2 = ChatStream(res), ChatStream(res)
        for s in (s1, s2):
            self.assertEqual(s.status, 200)
            s.wait_for("update")
        s3 = ChatStream(res)
        s3.wait_for("update")
        deadline = time.time() + 10
        ended = False
        while not ended and time.time() < deadline:
            s1.raw.sock.settimeout(max(0.1, deadline - time.time()))
            try:
                ended = s1.raw.read_chunk() == b""
            except TimeoutError:
                continue
            except (OSError, ValueError):
                ended = True  # closed without a last chunk
        self.assertTrue(ended, "the oldest stream was not closed")
        self.assertEqual(res.send("Nog iets").status, 201)
        for s in (s2, s3):
            s.wait_for("update")
            s.close()

    def test_cross_site_and_validation(self):
        res = Resident(self.srv)
        r = self.srv.request("POST", "/contact/chat/start",
                             json_body={"text": "x"},
                             headers={"Origin": "http://evil.example"})
        self.assertEqual(r.status, 403, r)
        r = self.srv.request("POST", "/contact/chat/start",
                             body="text=x", headers={
                                 "Content-Type":
                                 "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 415, r)
        self.assertProblem(res.post("/contact/chat/start", {"text": " "}),
                           422, field="/text")
        res.start("Vraag")
        self.assertProblem(res.post("/contact/chat/berichten",
                                    {"clientKey": "x", "text": "y"}), 422,
                           field="/clientKey")
        self.assertProblem(res.send("a\x01b"), 422, field="/text")
        cookie = [v for v in self.srv.request(
            "POST", "/contact/chat/start", json_body={"text": "x"})
            .header_all("Set-Cookie") if v.startswith("loket_chat=")][0]
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        self.assertIn("Path=/contact", cookie)


class Expiry(Base):
    """Chats the resident left (docs/chat.md): short times through the
    environment; the server's once-a-second tick ends them."""
    env = dict(WIDE, LOKET_CHAT_ABANDON_SECONDS="2",
               LOKET_CHAT_IDLE_SECONDS="4")

    def chats(self):
        r = self.srv.request("GET", "/api/v1/chats?limit=100", token=self.api)
        self.assertEqual(r.status, 200, r)
        return [c["conversationId"] for c in r.json()["items"]]

    def session(self, conv):
        return db_query(self.data, "SELECT ended_at IS NOT NULL, end_reason"
                        " FROM chat_sessions WHERE conversation_id = ?",
                        (conv,))[0]

    def test_left_while_waiting_is_abandoned_and_never_assigned(self):
        gone, back, stays = (Resident(self.srv) for _ in range(3))
        c_gone = self.conv_of(gone.start("Ik ga zo weg")["reference"])
        c_back = self.conv_of(back.start("Ik kom terug")["reference"])
        c_stays = self.conv_of(stays.start("Ik blijf")["reference"])
        self.assertEqual(stays.status()["position"], 3)
        # `back` drops its stream and reconnects within the time; `stays`
        # keeps one open; `gone` never connects.
        s_stays = ChatStream(stays)
        s_stays.wait_for("update")
        s_back = ChatStream(back)
        s_back.wait_for("update")
        s_back.close()
        time.sleep(1.0)
        s_back = ChatStream(back)
        s_back.wait_for("update")
        # The abandonment moves the queue: the waiting ones hear it.
        s_stays.wait_for("queue", timeout=8)
        wait_until(lambda: self.session(c_gone)[0] == 1, timeout=8)
        self.assertEqual(self.session(c_gone), (1, "abandoned"))
        self.assertEqual(db_query(
            self.data, "SELECT status, assignee_id FROM conversations"
            " WHERE id = ?", (c_gone,))[0], ("resolved", None))
        notes = db_query(self.data, "SELECT content FROM contacts"
                         " WHERE conversation_id = ? AND kind = 'note'",
                         (c_gone,))
        self.assertEqual(len(notes), 1)
        self.assertIn("verlaten", notes[0][0])
        self.assertEqual(stays.status()["position"], 2)
        self.assertEqual(back.status()["position"], 1)
        self.assertNotIn(c_gone, self.chats())
        # The staff stream had its events.
        types = [r[0] for r in db_query(
            self.data, "SELECT type FROM events WHERE subject = ?", (c_gone,))]
        self.assertIn("chat.ended", types)
        self.assertIn("conversation.updated", types)
        # Connected residents keep their chats well past the time, one
        # of them after a drop and a reconnection.
        time.sleep(2.5)
        self.assertEqual(self.session(c_back), (0, None))
        self.assertEqual(self.session(c_stays), (0, None))
        self.assertEqual(set(self.chats()), {c_back, c_stays})
        r = back.send("Nog steeds hier")
        self.assertEqual(r.status, 201, r)
        # An agent comes: the live ones are assigned, the abandoned never.
        self.agent("available")
        wait_until(lambda: db_query(
            self.data, "SELECT COUNT(*) FROM conversations WHERE id IN"
            " (?, ?) AND assignee_id IS NOT NULL", (c_back, c_stays)
        )[0][0] == 2, timeout=8)
        self.assertEqual(db_query(
            self.data, "SELECT assignee_id FROM conversations WHERE id = ?",
            (c_gone,))[0][0], None)
        # The resident who left comes back: the chat has ended, and a new
        # one can start (the page offers it and the call-back form).
        st = gone.status()
        self.assertEqual(st["state"], "ended")
        self.assertIsNone(st["position"])
        self.assertEqual(gone.send("Hallo?").status, 409)
        r = gone.get("/contact/chat")
        self.assertEqual(r.status, 200, r)
        self.assertIn('data-going="nee"', r.text)
        new = self.conv_of(gone.start("Opnieuw")["reference"])
        self.assertNotEqual(new, c_gone)
        # The agent may have room for it already.
        self.assertIn(gone.status()["state"], ("waiting", "joined"))
        s_stays.close()
        s_back.close()

    def test_answered_chat_the_resident_left_is_ended(self):
        res = Resident(self.srv)
        conv = self.conv_of(res.start("Vraag", email="a@example.nl")
                            ["reference"])
        a = self.agent()
        self.claim(conv, a)
        self.answer(conv, "Antwoord")
        # Assigned and answered: the abandonment time does not apply.
        time.sleep(3)
        self.assertEqual(self.session(conv), (0, None))
        wait_until(lambda: self.session(conv)[0] == 1, timeout=8)
        self.assertEqual(self.session(conv), (1, "inactive"))
        self.assertEqual(db_query(
            self.data, "SELECT status FROM conversations WHERE id = ?",
            (conv,))[0][0], "resolved")
        self.assertEqual(res.status()["state"], "ended")
        # The transcript can still be asked for, once.
        r = res.post("/contact/chat/einde", {"email": "inwoner@example.nl"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"transcript": "queued"})
        rows = db_query(self.data, "SELECT payload FROM outbox")
        self.assertEqual(len(rows), 1)
        self.assertIn("Antwoord", json.loads(rows[0][0])["text"])
        # The end went through the figures' hook as any resolution: a
        # rebuild from the events arrives at the same rows.
        self.srv.stop()
        tables = ["measure_conv", "measure_counts", "measure_hist",
                  "measure_counts_day"]
        live = {t: sorted(db_query(self.data, "SELECT * FROM " + t))
                for t in tables}
        self.assertTrue(live["measure_conv"])
        p = run_cli("figures", "rebuild", data=self.data)
        self.assertEqual(p.returncode, 0, p.stderr)
        for t in tables:
            self.assertEqual(live[t], sorted(db_query(
                self.data, "SELECT * FROM " + t)), t)


class Callback(Base):
    def book(self, res, slot, phone="06 12345678", **extra):
        fields = {"stap": "boeken", "telefoon": phone,
                  "tijdvak": str(slot["start"])}
        fields.update(extra)
        return res.form("/contact/terugbellen", fields)

    def test_from_chat_carries_transcript(self):
        res = Resident(self.srv)
        conv = self.conv_of(res.start("Mijn paspoort is verlopen")
                            ["reference"])
        self.claim(conv, self.agent())
        self.answer(conv, "Wanneer moet u op reis?")
        res.send("Volgende week")
        page = res.get("/contact/terugbellen")
        self.assertEqual(page.status, 200)
        self.assertIn("Mijn paspoort is verlopen", page.text)
        slot = self.slots(res)[0]
        r = self.book(res, slot, email="inwoner@example.nl")
        self.assertEqual(r.status, 201, r.text)
        self.assertIn("terugbellen-bevestigd", r.text)
        items = self.srv.get("/api/v1/callbacks",
                             token=self.api).json()["items"]
        self.assertEqual(len(items), 1)
        cb = items[0]
        self.assertEqual(cb["conversationId"], conv)
        self.assertEqual(cb["source"], "chat")
        self.assertEqual(cb["phone"], "06 12345678")
        self.assertEqual([(t["from"], t["text"]) for t in
                          cb["context"]["transcript"]],
                         [("resident", "Mijn paspoort is verlopen"),
                          ("agent", "Wanneer moet u op reis?"),
                          ("resident", "Volgende week")])
        # The request continues the chat's last message (wasKlantcontact).
        was = db_query(self.data, "SELECT was_contact_id FROM subject_objects"
                       " WHERE contact_id = ?", (cb["contactId"],))[0][0]
        last = db_query(self.data, "SELECT id FROM contacts WHERE"
                        " content = 'Volgende week'")[0][0]
        self.assertEqual(was, last)
        kind = db_query(self.data, "SELECT kind FROM tasks WHERE id = ?",
                        (cb["taskId"],))[0][0]
        self.assertEqual(kind, "callback")
        mail = db_query(self.data, "SELECT payload FROM outbox WHERE kind ="
                        " 'mail'")
        self.assertEqual(len(mail), 1)
        self.assertIn("06 12345678", json.loads(mail[0][0])["text"])

        # The outcome: one POST logs an outbound telefoon contact.
        r = self.srv.post_json("/api/v1/callbacks/%s/outcome" % cb["id"],
                               {"outcome": "not_reached",
                                "note": "Geen gehoor"}, token=self.api)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["callback"]["taskStatus"], "te_verwerken")
        r = self.srv.post_json("/api/v1/callbacks/%s/outcome" % cb["id"],
                               {"outcome": "reached", "note": "Opgelost"},
                               token=self.api)
        self.assertEqual(r.status, 200, r)
        out = r.json()
        self.assertEqual(out["callback"]["taskStatus"], "verwerkt")
        self.assertEqual(out["callback"]["attempts"], 2)
        self.assertEqual(out["callback"]["outcome"], "reached")
        row = db_query(self.data, "SELECT kind, channel, succeeded, content"
                       " FROM contacts WHERE id = ?", (out["contactId"],))[0]
        self.assertEqual(row[:3], ("outbound", "telefoon", 1))
        self.assertIn("Opgelost", row[3])
        was = db_query(self.data, "SELECT was_contact_id FROM subject_objects"
                       " WHERE contact_id = ?", (out["contactId"],))[0][0]
        self.assertEqual(was, cb["contactId"])
        self.assertProblem(self.srv.post_json(
            "/api/v1/callbacks/%s/outcome" % cb["id"], {"outcome": "reached"},
            token=self.api), 409)
        self.assertProblem(self.srv.post_json(
            "/api/v1/callbacks/%s/outcome" % cb["id"], {"outcome": "maybe"},
            token=self.api), 422, field="/outcome")
        # Done callbacks leave the open queue.
        self.assertEqual(self.srv.get("/api/v1/callbacks", token=self.api)
                         .json()["items"], [])
        self.assertEqual(len(self.srv.get("/api/v1/callbacks?status=all",
                                          token=self.api).json()["items"]), 1)

    def test_from_form_carries_fields(self):
        res = Resident(self.srv)
        # The web form hands its half-filled fields over.
        r = res.form("/contact/terugbellen",
                     {"categorie": "afval", "vraag": "Mijn bak is\r\nkapot",
                      "naam": "Jan"})
        self.assertEqual(r.status, 200, r)
        self.assertIn('name="categorie" value="afval"', r.text)
        slot = self.slots(res)[0]
        r = self.book(res, slot, categorie="afval",
                      vraag="Mijn bak is\r\nkapot", naam="Jan")
        self.assertEqual(r.status, 201, r.text)
        cb = self.srv.get("/api/v1/callbacks",
                          token=self.api).json()["items"][0]
        self.assertEqual(cb["source"], "formulier")
        self.assertEqual(cb["context"]["fields"],
                         {"categorie": "afval", "vraag": "Mijn bak is\nkapot"})
        self.assertEqual(cb["residentName"], "Jan")
        # Invalid phone and slot: errors next to the fields, input kept.
        r = self.book(res, {"start": 1}, phone="bel me")
        self.assertEqual(r.status, 422)
        self.assertIn("tb-telefoon-fout", r.text)
        self.assertIn('value="bel me"', r.text)

    def test_from_the_web_form(self):
        """The web form's "Bel mij terug" button posts its fields (as
        multipart/form-data when the browser ignores formenctype)."""
        res = Resident(self.srv)
        page = res.get("/contact/formulier")
        self.assertEqual(page.status, 200)
        self.assertIn('formaction="/contact/terugbellen"', page.text)
        self.assertIn('formenctype="application/x-www-form-urlencoded"',
                      page.text)
        self.assertNotIn("/contact/terugbellen",
                         res.get("/kiosk/formulier").text)
        b = "----loketgrens"
        parts = [("soort", "klacht"), ("bericht", "Lantaarnpaal\r\nkapot"),
                 ("naam", "Piet"), ("telefoon", "0301234567"),
                 ("email", "")]
        body = "".join('--%s\r\nContent-Disposition: form-data; name="%s"'
                       '\r\n\r\n%s\r\n' % (b, k, v) for k, v in parts)
        body += ('--%s\r\nContent-Disposition: form-data; name="bijlage"; '
                 'filename="foto.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
                 'JPEGDATA\r\n--%s--\r\n' % (b, b))
        r = res._keep(self.srv.request(
            "POST", "/contact/terugbellen", body=body, headers=res._headers(
                {"Content-Type": "multipart/form-data; boundary=" + b})))
        self.assertEqual(r.status, 200, r)
        self.assertIn('value="0301234567"', r.text)
        self.assertIn("Lantaarnpaal", r.text)  # shown as carried
        for k in ("soort", "bericht", "bijlage"):
            self.assertIn('name="%s"' % k, r.text)
        # Booking from that page carries the fields as they were typed.
        slot = self.slots(res)[0]
        r = self.book(res, slot, phone="0301234567", naam="Piet",
                      soort="klacht", bericht="Lantaarnpaal\nkapot",
                      bijlage="foto.jpg")
        self.assertEqual(r.status, 201, r.text)
        cb = self.srv.get("/api/v1/callbacks",
                          token=self.api).json()["items"][0]
        self.assertEqual(cb["context"]["fields"],
                         {"soort": "klacht", "bericht": "Lantaarnpaal\nkapot",
                          "bijlage": "foto.jpg"})
        self.assertEqual(cb["residentName"], "Piet")

    def test_errors_link_to_their_fields(self):
        res = Resident(self.srv)
        r = res.form("/contact/terugbellen", {
            "stap": "boeken", "telefoon": "geen nummer", "tijdvak": "1"})
        self.assertEqual(r.status, 422, r.text)
        self.assertIn('<a class="utrecht-link" href="#tb-telefoon">', r.text)
        self.assertIn('id="tb-telefoon"', r.text)
        self.assertIn("Telefoonnummer (verplicht)", r.text)

    def test_slots_and_last_place(self):
        res = Resident(self.srv)
        slots = self.slots(res)
        self.assertGreater(len(slots), 0)
        for s in slots:
            self.assertEqual(s["start"] % 1800000, 0)
            self.assertEqual(s["free"], 2)
        slot = slots[0]
        self.assertEqual(self.book(Resident(self.srv), slot).status, 201)
        self.assertEqual([s["free"] for s in self.slots(res)
                          if s["start"] == slot["start"]], [1])
        # Eight residents want the last place at once: one gets it.
        results = []

        def go():
            results.append(self.book(Resident(self.srv), slot).status)
        ts = [threading.Thread(target=go) for _ in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(sorted(results), [201] + [409] * 7)
        n = db_query(self.data, "SELECT COUNT(*) FROM callbacks WHERE"
                     " slot_start = ?", (slot["start"],))[0][0]
        self.assertEqual(n, 2)
        # A full slot is not offered any more, on the page or as JSON.
        self.assertNotIn(slot["start"], [s["start"] for s in self.slots(res)])
        self.assertNotIn('value="%d"' % slot["start"],
                         res.get("/contact/terugbellen").text)
        # Tasks: one per booking.
        self.assertEqual(db_query(self.data, "SELECT COUNT(*) FROM tasks"
                                  " WHERE kind = 'callback'")[0][0], 2)

    def test_list_order_and_cursor(self):
        slots = self.slots(Resident(self.srv))
        for s in (slots[2], slots[0], slots[1]):
            self.assertEqual(self.book(Resident(self.srv), s).status, 201)
        r = self.srv.get("/api/v1/callbacks?limit=2", token=self.api).json()
        first = [c["slotStart"] for c in r["items"]]
        self.assertIsNotNone(r["next"])
        r2 = self.srv.get("/api/v1/callbacks?limit=2&after=" + r["next"],
                          token=self.api).json()
        starts = first + [c["slotStart"] for c in r2["items"]]
        self.assertEqual(starts, sorted(starts))
        self.assertEqual(len(starts), 3)
        self.assertIsNone(r2["next"])


class Limits(Base):
    env = {"LOKET_CHAT_START_LIMIT": "2", "LOKET_CHAT_MAIL_LIMIT": "3",
           "LOKET_CHAT_MAIL_ADDRESS_LIMIT": "1", "LOKET_CALLBACK_LIMIT": "2",
           "LOKET_CALLBACK_PHONE_LIMIT": "1"}

    def test_start_end_and_callback_are_limited(self):
        a, b = Resident(self.srv), Resident(self.srv)
        a.start("Een")
        b.start("Twee")
        r = Resident(self.srv).post("/contact/chat/start", {"text": "Drie"})
        self.assertProblem(r, 429)
        self.assertGreater(int(r.header("Retry-After")), 0)
        # A transcript: per e-mail address (any spelling) and per client.
        r = a.post("/contact/chat/einde", {"email": "Een@Example.nl"})
        self.assertEqual(r.status, 200, r.text)
        r = b.post("/contact/chat/einde", {"email": "een@example.nl"})
        self.assertProblem(r, 429)
        self.assertIsNotNone(r.header("Retry-After"))
        self.assertEqual(db_query(self.data, "SELECT COUNT(*) FROM outbox"
                                  " WHERE kind = 'mail'")[0][0], 1)
        # Callbacks: per phone number, then per client.
        slots = self.slots(a)
        r = Resident(self.srv).form("/contact/terugbellen", {
            "stap": "boeken", "telefoon": "06 11111111",
            "tijdvak": str(slots[0]["start"])})
        self.assertEqual(r.status, 201, r.text)
        r = Resident(self.srv).form("/contact/terugbellen", {
            "stap": "boeken", "telefoon": "0611111111",
            "tijdvak": str(slots[1]["start"])})
        self.assertEqual(r.status, 429, r.text)
        self.assertIn("Te veel", r.text)
        self.assertIsNotNone(r.header("Retry-After"))
        r = Resident(self.srv).form("/contact/terugbellen", {
            "stap": "boeken", "telefoon": "06 22222222",
            "tijdvak": str(slots[1]["start"])})
        self.assertEqual(r.status, 429, r.text)  # third from this client


class Escaping(Base):
    def test_every_resident_field_is_text(self):
        res = Resident(self.srv)
        conv = self.conv_of(res.start(EVIL, name=EVIL)["reference"])
        res.send(EVIL)
        st = res.status()
        self.assertTrue(all(m["text"] == EVIL for m in st["messages"]))
        page = res.get("/contact/terugbellen").text
        self.assertNotIn("<script>alert", page)
        self.assertNotIn("<img src=x", page)
        self.assertNotIn("<svg onload", page)
        self.assertIn("&lt;script&gt;", page)
        slot = self.slots(res)[0]
        other = Resident(self.srv)
        r = other.form("/contact/terugbellen",
                       {"stap": "boeken", "telefoon": EVIL, "naam": EVIL,
                        "email": EVIL, "tijdvak": str(slot["start"]),
                        "vraag": EVIL})
        self.assertEqual(r.status, 422)
        for bad in ("<script>alert", "<img src=x", "<svg onload",
                    '"javascript:'):
            self.assertNotIn(bad, r.text)
        r = other.form("/contact/terugbellen",
                       {"stap": "boeken", "telefoon": "0201234567",
                        "naam": EVIL, "tijdvak": str(slot["start"]),
                        "vraag": EVIL})
        self.assertEqual(r.status, 201, r.text)
        self.assertNotIn("<script>alert", r.text)
        cb = self.srv.get("/api/v1/callbacks",
                          token=self.api).json()["items"][0]
        self.assertEqual(cb["context"]["fields"]["vraag"], EVIL)
        self.assertEqual(cb["residentName"], EVIL)
        self.assertIsNotNone(conv)


if __name__ == "__main__":
    sys.exit(main())
