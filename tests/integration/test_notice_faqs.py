"""Veelgestelde vragen on a notice: made from a real answer in a real
question conversation (POST /actueel/{id}/vragen, then an agent's
outbound reply), edited with If-Match and a visible history, reordered,
withdrawn; refused sources; escaping; the public page, JSON, streams and
calamity cache; and the edit history of updates
(/api/v1/notices/{id}/updates/{updateId}/edits, "Eerdere versie")."""

import html
import json
import os
import re
import socket
import sys
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loketlib import (LoketTestCase, SSEClient, create_token,  # noqa: E402
                      db_query, db_write, main)
from test_actueel import PublicSSE  # noqa: E402

N = "/api/v1/notices"
FORM = "application/x-www-form-urlencoded"
CDN = "public, max-age=10, stale-while-revalidate=30"
# Markup in every shape a field could smuggle in.
NASTY = ['<script>alert("q")</script>', "<img src=x onerror=alert(1)>",
         "<svg onload=alert(1)><circle r=1/></svg>", "javascript:alert(1)",
         "\"'><a href=\"javascript:alert(1)\">x</a>", "&amp; &lt;b&gt;"]


class NoticeFaqs(LoketTestCase):
    def setUp(self):
        self.data = self.make_data_dir()
        _, self.admin = create_token(self.data, "admin", "api admin")
        self.agent_id, self.agent = create_token(self.data, "agent", "api")
        _, self.conf = create_token(self.data, "conf", "api confidential")
        _, self.events = create_token(self.data, "events", "events")
        self.srv = self.start_server(self.data)
        self.nid = self.notice("Storing drinkwater")
        self.other = self.notice("Afsluiting Damrak")

    # ---- helpers -------------------------------------------------------

    def send(self, method, path, body=None, token=None, headers=None):
        return self.srv.request(method, path, json_body=body,
                                token=token or self.agent, headers=headers)

    def notice(self, title, kind="storing", publish=True):
        r = self.send("POST", N, {"kind": kind, "title": title,
                                  "body": "Tekst.", "publish": publish},
                      token=self.admin)
        self.assertEqual(r.status, 201, r)
        return r.json()["id"]

    def ask(self, nid, question):
        """A resident's question through the public form, as a browser
        sends it (same origin); returns the conversation id."""
        origin = "http://127.0.0.1:%d" % self.srv.port
        r = self.srv.request("POST", "/actueel/%s/vragen" % nid,
                             body=urllib.parse.urlencode(
                                 {"naam": "Jan", "vraag": question}),
                             headers={"Content-Type": FORM,
                                      "Origin": origin})
        self.assertEqual(r.status, 200, r.text)
        ref = re.search(r"(LK-\d{4}-\d+)", r.text).group(1)
        r = self.send("GET", "%s/%s/questions?limit=100" % (N, nid))
        ids = [q["id"] for q in r.json()["items"] if q["reference"] == ref]
        self.assertEqual(len(ids), 1, r.text)
        return ids[0]

    def reply(self, conv, text, token=None, direction="outbound", **extra):
        path = "/api/v1/conversations/%s/%s" % (
            conv, "notes" if direction == "note" else "messages")
        body = {"content": text}
        if direction != "note":
            body["direction"] = direction
        body.update(extra)
        r = self.send("POST", path, body, token=token)
        self.assertEqual(r.status, 201, r)
        return r.json()["id"]

    def faq(self, nid, body, token=None, status=201):
        r = self.send("POST", "%s/%s/faqs" % (N, nid), body, token=token)
        self.assertEqual(r.status, status, r)
        return r.json()

    def page(self, nid):
        r = self.srv.get("/actueel/" + nid)
        self.assertEqual(r.status, 200, r)
        return r.text

    def public_json(self, nid):
        r = self.srv.get("/actueel/%s.json" % nid)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def faq_section(self, text):
        m = re.search(r'<section class="loket-faqs".*?</section>', text,
                      re.S)
        self.assertIsNotNone(m, text)
        return m.group(0)

    def audit(self, action):
        return db_query(self.data, "SELECT subject, details FROM audit_log"
                        " WHERE action = ? ORDER BY rowid", (action,))

    # ---- tests ---------------------------------------------------------

    def test_from_answer_in_question_conversation(self):
        stream = SSEClient(self.srv, token=self.events)
        self.addCleanup(stream.close)
        public = PublicSSE(self.srv, "/actueel/%s/stream" % self.nid)
        self.addCleanup(public.close)
        self.assertEqual(public.status, 200)
        conv = self.ask(self.nid, "Mag ik het kraanwater drinken?")
        self.reply(conv, "Even kijken.", direction="note")
        answer = self.reply(conv, "Ja, na drie minuten koken.")
        f = self.faq(self.nid, {"sourceContactId": answer})
        uuid.UUID(f["id"])
        self.assertEqual(f["question"], "Mag ik het kraanwater drinken?")
        self.assertEqual(f["answer"], "Ja, na drie minuten koken.")
        self.assertEqual((f["noticeId"], f["sourceContactId"], f["status"],
                          f["position"], f["version"], f["edits"]),
                         (self.nid, answer, "published", 1, 1, 0))
        self.assertIsNone(f["editedAt"])
        # Both defaults can be overridden in the same request.
        g = self.faq(self.nid, {"sourceContactId": answer,
                                "question": "Is het water veilig?"})
        self.assertEqual((g["question"], g["answer"], g["position"]),
                         ("Is het water veilig?", f["answer"], 2))
        r = self.send("GET", "%s/%s/faqs/%s" % (N, self.nid, f["id"]))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("ETag"), '"1"')
        self.assertEqual(r.json(), f)

        # The event reaches the staff stream and the notice's public
        # stream; ids only, not the klantcontact it came from.
        for s in (stream, public):
            ev = s.next_event()
            while ev["event"] != "notice.faq_added":
                ev = s.next_event()
            self.assertEqual(ev["json"]["data"]["faqId"], f["id"])
            self.assertEqual(ev["json"]["data"]["id"], self.nid)
            self.assertNotIn("kraanwater", ev["data"])
            self.assertNotIn(answer, ev["data"])
        rows = self.audit("notice.faq_added")
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows[0][0], self.nid)
        self.assertEqual(json.loads(rows[0][1])["sourceContactId"], answer)
        rows = db_query(self.data, "SELECT actor, resource FROM"
                        " processing_log WHERE activity = 'actueel-faq'")
        self.assertEqual(rows[0], ("token:" + self.agent_id,
                                   "conversation/" + conv))

        # Public: page, its JSON and the list JSON.
        sec = self.faq_section(self.page(self.nid))
        self.assertNotIn(" hidden", sec.split(">")[0])
        self.assertIn("<h2", sec)
        self.assertIn("Veelgestelde vragen", sec)
        self.assertIn('<dt class="loket-faq-question">Mag ik het kraanwater '
                      'drinken?</dt>', sec)
        self.assertLess(sec.index("Mag ik"), sec.index("Is het water"))
        doc = self.public_json(self.nid)
        self.assertEqual([x["id"] for x in doc["faqs"]], [f["id"], g["id"]])
        self.assertEqual(doc["faqs"][0]["answer"], f["answer"])
        self.assertNotIn("sourceContactId", json.dumps(doc))
        lst = self.srv.get("/actueel.json").json()["notices"]
        by_id = {n["id"]: n for n in lst}
        self.assertEqual([x["question"] for x in by_id[self.nid]["faqs"]],
                         [f["question"], g["question"]])
        self.assertEqual(by_id[self.other]["faqs"], [])
        # Atom stays the notice's timeline (docs/actueel.md): no FAQs.
        feed = self.srv.get("/actueel/%s/feed.atom" % self.nid)
        self.assertEqual(feed.status, 200)
        self.assertNotIn("kraanwater", feed.text)
        self.assertIn("Storing drinkwater", feed.text)
        # The question form is still there, after the FAQs.
        text = self.page(self.nid)
        self.assertLess(text.index("Veelgestelde vragen"),
                        text.index("/vragen\""))

    def test_refused_sources(self):
        conv = self.ask(self.nid, "Wanneer is er weer water?")
        inbound = db_query(self.data, "SELECT id FROM contacts WHERE"
                           " conversation_id = ? AND kind = 'inbound'",
                           (conv,))[0][0]
        note = self.reply(conv, "Intern: navragen.", direction="note")
        other_conv = self.ask(self.other, "Hoe lang is het Damrak dicht?")
        other_answer = self.reply(other_conv, "Tot vrijdag.")
        # An ordinary conversation, not a question about any notice.
        r = self.send("POST", "/api/v1/conversations", {
            "channel": "email", "subject": "Paspoort", "content": "Wanneer?",
            "from": {"name": "Piet", "email": "piet@example.nl"}})
        self.assertEqual(r.status, 201, r)
        plain = self.reply(r.json()["id"], "Dinsdag.")
        for source, field in ((inbound, "/sourceContactId"),
                              (note, "/sourceContactId"),
                              (other_answer, "/sourceContactId"),
                              (plain, "/sourceContactId"),
                              ("geen-id", "/sourceContactId")):
            r = self.send("POST", "%s/%s/faqs" % (N, self.nid),
                          {"sourceContactId": source})
            self.assertProblem(r, 422, "invalid-field", field=field)
        r = self.send("POST", "%s/%s/faqs" % (N, self.nid),
                      {"sourceContactId": str(uuid.uuid4())})
        self.assertProblem(r, 404, "not-found", field="/sourceContactId")
        # Without a source both texts are required.
        self.assertProblem(self.send("POST", "%s/%s/faqs" % (N, self.nid),
                                     {"question": "Alleen een vraag?"}),
                           422, field="/answer")
        self.assertProblem(self.send("POST", "%s/%s/faqs" % (N, self.nid),
                                     {"answer": "Alleen antwoord."}),
                           422, field="/question")
        for bad in ({"question": "", "answer": "a"},
                    {"question": "q\x07", "answer": "a"},
                    {"question": "q", "answer": "a" * 5001},
                    {"question": "q" * 1001, "answer": "a"},
                    {"question": "q", "answer": "a", "position": 0},
                    {"question": "q", "answer": "a", "extra": 1}):
            self.assertEqual(self.send("POST", "%s/%s/faqs" % (N, self.nid),
                                       bad).status, 422, bad)
        # The other notice's answer is fine on its own notice.
        self.faq(self.other, {"sourceContactId": other_answer})
        for nid in (str(uuid.uuid4()), "nope"):
            r = self.send("POST", "%s/%s/faqs" % (N, nid),
                          {"question": "q", "answer": "a"})
            self.assertProblem(r, 404)
        r = self.srv.request("POST", "%s/%s/faqs" % (N, self.nid),
                             json_body={"question": "q", "answer": "a"})
        self.assertProblem(r, 401)
        r = self.send("POST", "%s/%s/faqs" % (N, self.nid),
                      {"question": "q", "answer": "a"}, token=self.events)
        self.assertProblem(r, 403)
        self.assertEqual(db_query(self.data, "SELECT COUNT(*) FROM"
                                  " notice_faqs WHERE notice_id = ?",
                                  (self.nid,))[0][0], 0)

    def test_confidential_source(self):
        conv = self.ask(self.nid, "Ik heb een medische vraag.")
        secret = self.reply(conv, "Bel de huisarts.", token=self.conf,
                            confidential=True)
        r = self.send("POST", "%s/%s/faqs" % (N, self.nid),
                      {"sourceContactId": secret})
        self.assertProblem(r, 404, "not-found", field="/sourceContactId")
        f = self.faq(self.nid, {"sourceContactId": secret}, token=self.conf)
        self.assertEqual(f["answer"], "Bel de huisarts.")
        # A confidential conversation hides all its answers.
        conv2 = self.ask(self.nid, "Tweede vraag")
        plain = self.reply(conv2, "Gewoon antwoord.")
        db_write(self.data, [("UPDATE conversations SET confidential = 1"
                              " WHERE id = ?", (conv2,))])
        r = self.send("POST", "%s/%s/faqs" % (N, self.nid),
                      {"sourceContactId": plain})
        self.assertProblem(r, 404, "not-found", field="/sourceContactId")
        g = self.faq(self.nid, {"sourceContactId": plain}, token=self.conf)
        self.assertEqual(g["question"], "Tweede vraag")

    def test_edit_history_reorder_withdraw(self):
        a = self.faq(self.nid, {"question": "Waar haal ik water?",
                                "answer": "Bij het gemeentehuis."})
        b = self.faq(self.nid, {"question": "Tot wanneer?",
                                "answer": "Tot morgen."})
        path = "%s/%s/faqs/%s" % (N, self.nid, a["id"])
        r = self.send("PATCH", path, {"answer": "Bij het gemeentehuis en de "
                                      "sporthal <Noord>."},
                      headers={"If-Match": '"1"'})
        self.assertEqual(r.status, 200, r)
        e = r.json()
        self.assertEqual((e["version"], e["edits"]), (2, 1))
        self.assertIsNotNone(e["editedAt"])
        self.assertEqual(r.header("ETag"), '"2"')
        self.assertProblem(self.send("PATCH", path, {"answer": "x"},
                                     headers={"If-Match": '"1"'}), 412)
        # A PATCH that changes nothing writes nothing.
        r = self.send("PATCH", path, {"answer": e["answer"]})
        self.assertEqual(r.json()["version"], 2)
        r = self.send("GET", path + "/edits")
        self.assertEqual(r.status, 200, r)
        items = r.json()["items"]
        self.assertEqual(len(items), 1)
        self.assertEqual((items[0]["previousQuestion"],
                          items[0]["previousAnswer"], items[0]["public"],
                          items[0]["editedBy"]),
                         ("Waar haal ik water?", "Bij het gemeentehuis.",
                          True, "token:" + self.agent_id))
        sec = self.faq_section(self.page(self.nid))
        self.assertIn("Bijgewerkt op <time", sec)
        self.assertIn("<details class=\"loket-history\"><summary>Eerdere "
                      "versie</summary>", sec)
        self.assertIn("Bij het gemeentehuis.</p>", sec)
        self.assertIn("sporthal &lt;Noord&gt;", sec)
        faq = self.public_json(self.nid)["faqs"][0]
        prev = faq["previousVersions"]
        self.assertEqual(prev[0]["answer"], "Bij het gemeentehuis.")
        self.assertEqual(prev[0]["question"], "Waar haal ik water?")
        self.assertEqual(faq["previousVersionsTotal"], len(prev))

        # A correction can take the earlier texts off the page.
        r = self.send("PATCH", path, {"question": "Waar haal ik flessen?",
                                      "hidePrevious": True})
        self.assertEqual(r.status, 200, r)
        sec = self.faq_section(self.page(self.nid))
        self.assertNotIn("Waar haal ik water?", sec)
        self.assertNotIn("<details", sec)
        faq = self.public_json(self.nid)["faqs"][0]
        self.assertEqual(faq["previousVersions"], [])
        self.assertEqual(faq["previousVersionsTotal"], 0)
        items = self.send("GET", path + "/edits?limit=1").json()
        self.assertEqual(len(items["items"]), 1)
        self.assertFalse(items["items"][0]["public"])
        nxt = self.send("GET", path + "/edits?limit=1&after=" +
                        items["next"]).json()
        self.assertEqual(nxt["items"][0]["previousAnswer"],
                         "Bij het gemeentehuis.")
        self.assertEqual(len(self.audit("notice.faq_history_hidden")), 1)

        # Reorder: b first.
        r = self.send("PATCH", path, {"position": 10})
        self.assertEqual(r.json()["position"], 10)
        self.assertEqual([x["id"] for x in
                          self.public_json(self.nid)["faqs"]],
                         [b["id"], a["id"]])
        lst = self.send("GET", "%s/%s/faqs?limit=1" % (N, self.nid)).json()
        self.assertEqual([x["id"] for x in lst["items"]], [b["id"]])
        lst = self.send("GET", "%s/%s/faqs?limit=1&after=%s" % (
            N, self.nid, lst["next"])).json()
        self.assertEqual([x["id"] for x in lst["items"]], [a["id"]])

        # Withdraw: off the page, kept for staff and the audit trail.
        stream = PublicSSE(self.srv, "/actueel/%s/stream" % self.nid)
        self.addCleanup(stream.close)
        r = self.send("DELETE", path)
        self.assertEqual(r.status, 204, r)
        ev = stream.next_event()
        self.assertEqual((ev["event"], ev["json"]["data"]["faqId"]),
                         ("notice.faq_removed", a["id"]))
        self.assertEqual(self.send("DELETE", path).status, 204)
        self.assertNotIn("Waar haal ik flessen", self.page(self.nid))
        self.assertEqual([x["id"] for x in
                          self.public_json(self.nid)["faqs"]], [b["id"]])
        got = self.send("GET", path).json()
        self.assertEqual(got["status"], "withdrawn")
        self.assertIsNotNone(got["withdrawnAt"])
        self.assertEqual(len(self.send("GET", "%s/%s/faqs" % (
            N, self.nid)).json()["items"]), 2)
        self.assertEqual(len(self.audit("notice.faq_removed")), 1)
        # Editing a withdrawn FAQ is news to nobody; publishing it again is.
        self.send("PATCH", path, {"answer": "Nieuw antwoord."})
        with self.assertRaises(socket.timeout):
            stream.next_event(timeout=1.0)
        r = self.send("PATCH", path, {"status": "published"})
        self.assertEqual(r.json()["status"], "published")
        self.assertIsNone(r.json()["withdrawnAt"])
        self.assertEqual(stream.next_event()["event"], "notice.faq_added")
        self.assertIn("Nieuw antwoord.", self.page(self.nid))
        # Another notice's path does not reach this FAQ.
        for p in ("%s/%s/faqs/%s" % (N, self.other, a["id"]),
                  "%s/%s/faqs/%s" % (N, self.nid, uuid.uuid4()),
                  "%s/%s/faqs/nope" % (N, self.nid)):
            self.assertProblem(self.send("PATCH", p, {"answer": "x"}), 404)
            self.assertProblem(self.send("DELETE", p), 404)
            self.assertProblem(self.send("GET", p + "/edits"), 404)

    def test_escaping_in_every_field(self):
        ids = []
        for i, s in enumerate(NASTY):
            f = self.faq(self.nid, {"question": "V%d %s" % (i, s),
                                    "answer": "A%d %s\nregel 2" % (i, s)})
            self.assertEqual(f["question"], "V%d %s" % (i, s))
            ids.append(f["id"])
            r = self.send("PATCH", "%s/%s/faqs/%s" % (N, self.nid, f["id"]),
                          {"answer": "Nu: " + s})
            self.assertEqual(r.status, 200, r)
        text = self.page(self.nid)
        sec = self.faq_section(text)
        for bad in ("<script>alert", "<img", "<svg", "<a href",
                    'href="javascript', "<circle"):
            self.assertNotIn(bad, sec, bad)
        for i, s in enumerate(NASTY):
            self.assertIn("V%d %s" % (i, html.escape(s, quote=True)
                                      .replace("&#x27;", "&#39;")), sec)
            self.assertIn("Nu: " + html.escape(s, quote=True)
                          .replace("&#x27;", "&#39;"), sec)
        # The only script on the page is the bundle's live script (none
        # when the bundle is not built: docs/frontend.md).
        for tag in re.findall(r"<script[^>]*>", text):
            self.assertRegex(tag, r'^<script src="/assets/actueel-[A-Z0-9]{8}'
                                  r'\.js" defer>$')
        doc = self.public_json(self.nid)
        for i, s in enumerate(NASTY):
            self.assertEqual(doc["faqs"][i]["question"], "V%d %s" % (i, s))
            self.assertEqual(doc["faqs"][i]["answer"], "Nu: " + s)
            self.assertEqual(doc["faqs"][i]["previousVersions"][0]["answer"],
                             "A%d %s\nregel 2" % (i, s))

    def test_draft_ended_and_withdrawn_notices(self):
        stream = SSEClient(self.srv, token=self.events)
        self.addCleanup(stream.close)
        draft = self.notice("Concept", publish=False)
        self.faq(draft, {"question": "Concept?", "answer": "Ja."})
        self.assertEqual(self.srv.get("/actueel/" + draft).status, 404)
        self.assertEqual(self.srv.get("/actueel/%s.json" % draft).status,
                         404)
        self.assertEqual(len(self.audit("notice.faq_changed")), 1)
        with self.assertRaises(socket.timeout):
            stream.next_event(timeout=1.0)
        # Ended: the FAQ stays on the ended page, without the form.
        f = self.faq(self.nid, {"question": "Blijft dit staan?",
                                "answer": "Ja."})
        r = self.send("PATCH", "%s/%s" % (N, self.nid), {"status": "ended"},
                      token=self.admin)
        self.assertEqual(r.status, 200, r)
        text = self.page(self.nid)
        self.assertIn("Blijft dit staan?", text)
        self.assertIn("beëindigd", text)
        self.assertNotIn('/vragen"', text)
        self.assertEqual(self.public_json(self.nid)["faqs"][0]["id"],
                         f["id"])
        self.faq(self.nid, {"question": "Nog een?", "answer": "Ja."})
        # Withdrawn: nothing more can be added.
        gone = self.notice("Weg")
        self.send("PATCH", "%s/%s" % (N, gone), {"status": "withdrawn"},
                  token=self.admin)
        r = self.send("POST", "%s/%s/faqs" % (N, gone),
                      {"question": "q", "answer": "a"})
        self.assertProblem(r, 409)

    def test_history_beyond_what_is_shown(self):
        # Ten earlier texts are shown, the rest counted; the JSON says how
        # many there are so the live script can count them as the page.
        a = self.faq(self.nid, {"question": "Hoe vaak?", "answer": "v0"})
        path = "%s/%s/faqs/%s" % (N, self.nid, a["id"])
        for i in range(1, 13):
            r = self.send("PATCH", path, {"answer": "v%d" % i})
            self.assertEqual(r.status, 200, r)
        faq = self.public_json(self.nid)["faqs"][0]
        self.assertEqual([p["answer"] for p in faq["previousVersions"]],
                         ["v%d" % i for i in range(11, 1, -1)])
        self.assertEqual(faq["previousVersionsTotal"], 12)
        sec = self.faq_section(self.page(self.nid))
        self.assertIn("<summary>Eerdere versies (12)</summary>", sec)
        self.assertIn("De 2 oudste versies staan niet op deze pagina.", sec)

    def test_empty_section_is_hidden(self):
        sec = self.faq_section(self.page(self.nid))
        self.assertIn(" hidden>", sec.split("\n")[0])
        self.assertEqual(self.public_json(self.nid)["faqs"], [])

    def test_published_limit(self):
        for i in range(50):
            self.faq(self.nid, {"question": "V%d" % i, "answer": "A"})
        r = self.send("POST", "%s/%s/faqs" % (N, self.nid),
                      {"question": "V50", "answer": "A"})
        self.assertProblem(r, 409, "faq-limit")
        first = self.send("GET", "%s/%s/faqs?limit=1" % (N, self.nid))
        fid = first.json()["items"][0]["id"]
        path = "%s/%s/faqs/%s" % (N, self.nid, fid)
        self.assertEqual(self.send("DELETE", path).status, 204)
        self.faq(self.nid, {"question": "V50", "answer": "A"})
        self.assertProblem(self.send("PATCH", path, {"status": "published"}),
                           409, "faq-limit")
        self.assertEqual(len(self.public_json(self.nid)["faqs"]), 50)

    def test_calamity_page_follows_faqs(self):
        cid = self.notice("Grote brand", kind="calamiteit")
        r = self.send("POST", "/api/v1/calamity", {"noticeId": cid},
                      token=self.admin)
        self.assertEqual(r.status, 200, r)
        for path in ("/actueel/" + cid, "/actueel/%s.json" % cid,
                     "/actueel.json"):
            first = self.srv.get(path)
            self.assertEqual(first.header("Cache-Control"), CDN)
            self.assertEqual(self.srv.get(path).body, first.body)
        f = self.faq(cid, {"question": "Moeten de ramen dicht?",
                           "answer": "Ja, houd ramen en deuren gesloten."})
        r = self.srv.get("/actueel/" + cid)
        self.assertEqual(r.header("Cache-Control"), CDN)
        self.assertIn("Moeten de ramen dicht?", r.text)
        self.assertEqual(self.srv.get("/actueel/%s.json" % cid).json()
                         ["faqs"][0]["id"], f["id"])
        lst = self.srv.get("/actueel.json").json()["notices"]
        self.assertEqual([n["faqs"][0]["id"] for n in lst
                          if n["id"] == cid], [f["id"]])
        self.send("PATCH", "%s/%s/faqs/%s" % (N, cid, f["id"]),
                  {"answer": "Ja, en zet de ventilatie uit."})
        self.assertIn("zet de ventilatie uit", self.srv.get(
            "/actueel/" + cid).text)
        self.send("DELETE", "%s/%s/faqs/%s" % (N, cid, f["id"]))
        self.assertNotIn("Moeten de ramen dicht?", self.srv.get(
            "/actueel/" + cid).text)


class UpdateEdits(LoketTestCase):
    def setUp(self):
        self.data = self.make_data_dir()
        self.agent_id, self.agent = create_token(self.data, "agent", "api")
        _, self.events = create_token(self.data, "events", "events")
        self.srv = self.start_server(self.data)
        self.nid = self.send("POST", N, {
            "kind": "storing", "title": "Stroomstoring",
            "body": "Geen stroom.", "publish": True}).json()["id"]
        self.other = self.send("POST", N, {
            "kind": "storing", "title": "Andere", "body": "x",
            "publish": True}).json()["id"]

    def send(self, method, path, body=None, token=None):
        return self.srv.request(method, path, json_body=body,
                                token=token or self.agent)

    def test_history_served_and_shown(self):
        u = self.send("POST", "%s/%s/updates" % (N, self.nid),
                      {"body": "Evacuatie Dorpsstraat 1-20."}).json()
        path = "%s/%s/updates/%s" % (N, self.nid, u["id"])
        for body in ("Evacuatie Dorpsstraat 1-40 <script>x</script>.",
                     "Evacuatie Dorpsstraat 1-60."):
            r = self.send("PATCH", path, {"body": body})
            self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["edits"], 2)
        r = self.send("GET", path + "/edits")
        self.assertEqual(r.status, 200, r)
        items = r.json()["items"]
        self.assertEqual([i["previousBody"] for i in items],
                         ["Evacuatie Dorpsstraat 1-40 <script>x</script>.",
                          "Evacuatie Dorpsstraat 1-20."])
        self.assertTrue(all(i["public"] and i["editedBy"] == "token:" +
                            self.agent_id for i in items))
        self.assertGreater(items[0]["seq"], items[1]["seq"])
        page = self.send("GET", path + "/edits?limit=1").json()
        self.assertEqual(len(page["items"]), 1)
        rest = self.send("GET", path + "/edits?limit=1&after=" +
                         page["next"]).json()
        self.assertEqual(rest["items"][0]["previousBody"],
                         "Evacuatie Dorpsstraat 1-20.")
        self.assertEqual(self.send("GET", path + "/edits?limit=1&after=" +
                                   rest["next"]).json(),
                         {"items": [], "next": None})
        # Public: the current text first, the earlier ones behind
        # <details>, newest first, escaped.
        text = self.srv.get("/actueel/" + self.nid).text
        li = re.search(r'<li class="loket-update".*?</li>\n(?=</ol>)', text,
                       re.S).group(0)
        self.assertIn("bijgewerkt om", li)
        self.assertIn("<summary>Eerdere versies (2)</summary>", li)
        self.assertLess(li.index("1-60"), li.index("<details"))
        self.assertLess(li.index("1-40"), li.index("1-20"))
        self.assertIn("&lt;script&gt;x&lt;/script&gt;", li)
        self.assertNotIn("<script>x", text)
        doc = self.srv.get("/actueel/%s.json" % self.nid).json()
        prev = doc["updates"][0]["previousVersions"]
        self.assertEqual([p["body"] for p in prev],
                         ["Evacuatie Dorpsstraat 1-40 <script>x</script>.",
                          "Evacuatie Dorpsstraat 1-20."])
        self.assertTrue(all(p["until"].endswith("Z") for p in prev))
        self.assertEqual(doc["updates"][0]["previousVersionsTotal"], 2)

        # A correction that must not stay public hides all earlier texts.
        r = self.send("PATCH", path, {"body": "Evacuatie Dorpsstraat.",
                                      "hidePrevious": True})
        self.assertEqual(r.status, 200, r)
        text = self.srv.get("/actueel/" + self.nid).text
        self.assertNotIn("1-40", text)
        self.assertNotIn("Eerdere versie", text)
        u = self.srv.get("/actueel/%s.json" % self.nid).json()["updates"][0]
        self.assertEqual(u["previousVersions"], [])
        self.assertEqual(u["previousVersionsTotal"], 0)
        items = self.send("GET", path + "/edits").json()["items"]
        self.assertEqual(len(items), 3)
        self.assertFalse(any(i["public"] for i in items))
        rows = db_query(self.data, "SELECT COUNT(*) FROM audit_log WHERE"
                        " action = 'notice.update_history_hidden'")
        self.assertEqual(rows[0][0], 1)
        # A later edit is public again; the hidden ones stay hidden.
        self.send("PATCH", path, {"body": "Evacuatie voorbij."})
        text = self.srv.get("/actueel/" + self.nid).text
        self.assertIn("<summary>Eerdere versie</summary>", text)
        self.assertNotIn("1-40", text)

    def test_not_found_and_auth(self):
        u = self.send("POST", "%s/%s/updates" % (N, self.nid),
                      {"body": "Eerste."}).json()
        ok = "%s/%s/updates/%s/edits" % (N, self.nid, u["id"])
        self.assertEqual(self.send("GET", ok).json(),
                         {"items": [], "next": None})
        for p in ("%s/%s/updates/%s/edits" % (N, self.other, u["id"]),
                  "%s/%s/updates/%s/edits" % (N, self.nid, uuid.uuid4()),
                  "%s/nope/updates/%s/edits" % (N, u["id"])):
            self.assertProblem(self.send("GET", p), 404)
        self.assertProblem(self.srv.get(ok), 401)
        self.assertProblem(self.send("GET", ok, token=self.events), 403)
        for q in ("?after=x", "?after=-1", "?limit=101"):
            self.assertIn(self.send("GET", ok + q).status, (400, 422), q)
        r = self.send("PATCH", "%s/%s/updates/%s" % (N, self.nid, u["id"]),
                      {"body": "x", "hidePrevious": "ja"})
        self.assertProblem(r, 422)
        r = self.send("POST", "%s/%s/updates" % (N, self.nid),
                      {"body": "x", "hidePrevious": True})
        self.assertProblem(r, 422)
        # Core's nested field names reach the problem with one slash.
        r = self.send("POST", N, {"kind": "storing", "title": "x",
                                  "severity": "erg"})
        self.assertProblem(r, 422, field="/severity")


if __name__ == "__main__":
    main()
