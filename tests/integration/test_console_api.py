"""The agent console's server API (docs/console-api.md): canned answers
with placeholders and scopes, read marks, unread flags and counts, and the
viewing / typing indicator over the event stream."""

import json
import os
import sys
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loketlib  # noqa: E402
from loketlib import (LoketTestCase, SSEClient, StaffSession,  # noqa: E402
                      add_staff_user, api_ok, conversation_message,
                      conversation_note, create_token, db_execute, db_query,
                      new_conversation, wait_until)

EVIL = ('<script>alert(1)</script><img src=x onerror=alert(2)>'
        '<svg onload=alert(3)><a href="javascript:alert(4)">x</a> {{datum}}')


class Base(LoketTestCase):
    def setUp(self):
        self.data = self.make_data_dir()
        _, self.admin = create_token(self.data, "admin", "admin")
        _, self.api = create_token(self.data, "system", "api events")
        _, self.conf = create_token(self.data, "conf",
                                    "api events confidential")
        self.srv = self.start_server(self.data)
        self.team = api_ok(self.srv.post_json(
            "/api/v1/teams", {"name": "Burgerzaken"}, token=self.admin), 201)
        self.alice = self.staff("alice@example.nl", "Alice", team=True)
        self.bob = self.staff("bob@example.nl", "Bob")
        self.sup = self.staff("sup@example.nl", "Sanne", role="supervisor")

    def staff(self, email, name, role="agent", team=False):
        user = add_staff_user(self.data, email, role=role, name=name)
        body = {"userId": user}
        if team:
            body["teamIds"] = [self.team["id"]]
        agent = api_ok(self.srv.post_json("/api/v1/agents", body,
                                          token=self.admin), 201)
        s = StaffSession(self.srv, email)
        s.agent = agent
        s.user_id = user
        return s

    def conv(self, **kw):
        kw.setdefault("name", "Jan Jansen")
        return new_conversation(self.srv, self.api, **kw)

    def viewing(self, who, cid, state="viewing"):
        return who.request("PUT", "/api/v1/conversations/%s/viewers/me" % cid,
                           {"state": state})

    def next_viewing(self, sse, timeout=10):
        while True:
            ev = sse.next_event(timeout)
            self.assertIsNotNone(ev)
            if ev.get("event") == "console.viewing":
                return json.loads(ev["data"])


# ---- canned answers ----------------------------------------------------


class CannedAnswers(Base):
    def create(self, who, body, status=201):
        r = who.request("POST", "/api/v1/canned-answers", body)
        self.assertEqual(r.status, status, r)
        return r

    def test_personal_crud_and_audit(self):
        r = self.create(self.alice, {
            "title": "Afvalkalender", "shortcut": "afval",
            "body": "Beste {{inwoner.naam}},\nZie {{gesprek.referentie}}."})
        a = r.json()
        self.assertEqual(r.header("Location"),
                         "/api/v1/canned-answers/" + a["id"])
        self.assertEqual((a["scope"], a["ownerId"], a["teamId"],
                          a["version"]),
                         ("personal", self.alice.user_id, None, 1))
        self.assertEqual(a["placeholders"],
                         ["inwoner.naam", "gesprek.referentie"])
        path = "/api/v1/canned-answers/" + a["id"]
        r = self.alice.get(path)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("ETag"), '"1"')
        # Nobody else sees a personal answer, not even an admin.
        for other in (self.bob, self.sup):
            self.assertProblem(other.get(path), 404, "not-found")
            self.assertProblem(other.request("PATCH", path, {"title": "x"}),
                               404, "not-found")
        self.assertProblem(self.srv.get(path, token=self.admin), 404)
        ids = [i["id"] for i in
               self.bob.get("/api/v1/canned-answers").json()["items"]]
        self.assertNotIn(a["id"], ids)
        # Changes with and without If-Match.
        r = self.alice.request("PATCH", path, {"title": "Afval",
                                               "shortcut": None},
                               headers={"If-Match": '"1"'})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["title"], r.json()["shortcut"],
                          r.json()["version"]), ("Afval", None, 2))
        self.assertProblem(self.alice.request(
            "PATCH", path, {"title": "Oud"}, headers={"If-Match": '"1"'}),
            412, "precondition-failed")
        self.assertProblem(self.alice.request("PATCH", path, {"scope": "team"}),
                           422, "unknown-field")
        self.assertEqual(self.alice.request("DELETE", path).status, 204)
        self.assertProblem(self.alice.get(path), 404)
        self.assertProblem(self.alice.request("DELETE", path), 404)
        rows = db_query(self.data, "SELECT actor, action, details FROM"
                        " audit_log WHERE subject = ? ORDER BY id", (a["id"],))
        self.assertEqual([x[1] for x in rows],
                         ["canned_answer.created", "canned_answer.updated",
                          "canned_answer.deleted"])
        self.assertEqual(rows[0][0], "user:" + self.alice.user_id)
        self.assertNotIn("Beste", "".join(x[2] for x in rows))

    def test_placeholders_checked_at_save(self):
        for body, bad in (("Hallo {{inwoner.email}}", "{{inwoner.email}}"),
                          ("Hallo {{ inwoner.naam }}", "{{ inwoner.naam }}"),
                          ("Hallo {{inwoner.naam", "{{inwoner.naam"),
                          ("{{}}", "{{}}")):
            r = self.create(self.alice, {"title": "t", "body": body}, 422)
            p = self.assertProblem(r, 422, "invalid-field", "/body")
            self.assertIn(bad, p["detail"])
        r = self.create(self.alice, {"title": "t", "body": "ok"})
        path = "/api/v1/canned-answers/" + r.json()["id"]
        r = self.alice.request("PATCH", path, {"body": "x {{zaak.id}}"})
        self.assertProblem(r, 422, "invalid-field", "/body")
        for bad in ({"title": "", "body": "x"}, {"title": "a\nb", "body": "x"},
                    {"title": "t", "body": ""},
                    {"title": "t", "body": "x", "shortcut": "Hoofd"},
                    {"title": "t", "body": "x", "shortcut": "a b"},
                    {"title": "t", "body": "x", "scope": "world"}):
            self.assertEqual(self.create(self.alice, bad, 422).status, 422)
        self.assertProblem(self.create(self.alice, {"body": "x"}, 422), 422,
                           field="/title")
        self.assertProblem(self.create(self.alice, {"title": "t", "body": "x",
                                                    "extra": 1}, 422),
                           422, "unknown-field")

    def test_scopes_and_rights(self):
        team_body = {"title": "Team", "body": "Groet van {{team.naam}}",
                     "scope": "team", "teamId": self.team["id"]}
        # Only supervisors and admins make shared answers.
        self.assertProblem(self.create(self.alice, team_body, 403), 403,
                           "forbidden")
        self.assertProblem(self.create(self.alice, {
            "title": "Alle", "body": "x", "scope": "everyone"}, 403), 403)
        t = self.create(self.sup, team_body).json()
        e = self.create(self.sup, {"title": "Alle", "body": "Voor iedereen",
                                   "scope": "everyone"}).json()
        # Token: no personal answers; a system token sees only everyone's.
        r = self.srv.post_json("/api/v1/canned-answers",
                               {"title": "t", "body": "x"}, token=self.api)
        self.assertProblem(r, 403, "needs-staff-member")
        # Team answers: the team's members, supervisors, admins.
        tp = "/api/v1/canned-answers/" + t["id"]
        self.assertEqual(self.alice.get(tp).status, 200)
        self.assertEqual(self.sup.get(tp).status, 200)
        self.assertEqual(self.srv.get(tp, token=self.admin).status, 200)
        self.assertProblem(self.bob.get(tp), 404)
        self.assertProblem(self.srv.get(tp, token=self.api), 404)
        # Seen but not to be changed: 403.
        self.assertProblem(self.alice.request("PATCH", tp, {"title": "x"}),
                           403, "forbidden")
        ep = "/api/v1/canned-answers/" + e["id"]
        self.assertProblem(self.bob.request("DELETE", ep), 403)
        self.assertEqual(self.bob.get(ep).status, 200)
        self.assertEqual(self.sup.request("PATCH", ep, {"body": "Nieuw"})
                         .status, 200)
        # Team rules on creation.
        for body, field in (({"title": "t", "body": "x", "scope": "team"},
                             "/teamId"),
                            ({"title": "t", "body": "x", "scope": "everyone",
                              "teamId": self.team["id"]}, "/teamId"),
                            ({"title": "t", "body": "x", "scope": "team",
                              "teamId": str(uuid.uuid4())}, "/teamId"),
                            ({"title": "t", "body": "x", "scope": "team",
                              "teamId": self.alice.agent["id"]}, "/teamId")):
            self.assertProblem(self.create(self.sup, body, 422), 422,
                               "invalid-field", field)
        # Lists follow the same visibility.
        ids = lambda s: [i["id"] for i in  # noqa: E731
                         s.get("/api/v1/canned-answers").json()["items"]]
        self.assertEqual(ids(self.alice), [t["id"], e["id"]])
        self.assertEqual(ids(self.bob), [e["id"]])
        self.assertEqual([i["id"] for i in self.srv.get(
            "/api/v1/canned-answers", token=self.api).json()["items"]],
            [e["id"]])

    def test_list_filters_and_paging(self):
        made = []
        for title, shortcut in (("Paspoort aanvragen", "pas"),
                                ("Rijbewijs", "rijbewijs"),
                                ("Parkeervergunning", None),
                                ("Afval", "afval-pas")):
            body = {"title": title, "body": "x"}
            if shortcut:
                body["shortcut"] = shortcut
            made.append(self.create(self.alice, body).json()["id"])
        t = self.create(self.sup, {"title": "Team pas", "body": "x",
                                   "scope": "team",
                                   "teamId": self.team["id"]}).json()["id"]

        def ids(q):
            r = self.alice.get("/api/v1/canned-answers?" + q)
            self.assertEqual(r.status, 200, r)
            return [i["id"] for i in r.json()["items"]]
        self.assertEqual(ids("q=PAS"), [made[0], made[3], t])
        self.assertEqual(ids("q=park"), [made[2]])
        self.assertEqual(ids("scope=team"), [t])
        self.assertEqual(ids("scope=personal&q=pas"), [made[0], made[3]])
        self.assertEqual(ids("teamId=" + self.team["id"]), [t])
        self.assertEqual(ids("teamId=" + str(uuid.uuid4())), [])
        self.assertEqual(ids("q=%3Cscript%3E"), [])
        seen, after = [], None
        while True:
            q = "limit=2" + ("&after=" + after if after else "")
            page = self.alice.get("/api/v1/canned-answers?" + q).json()
            seen += [i["id"] for i in page["items"]]
            after = page["next"]
            if after is None:
                break
        self.assertEqual(seen, made + [t])
        for bad in ("scope=x", "limit=0", "limit=101", "q=", "q=" + "a" * 101):
            self.assertProblem(self.alice.get("/api/v1/canned-answers?" + bad),
                               400, "invalid-parameter")

    def test_render(self):
        conv = self.conv(name=EVIL, subject="Container <b>vol</b>",
                         teamId=self.team["id"])
        a = self.create(self.alice, {
            "title": "t",
            "body": "Beste {{inwoner.naam}},\n{{gesprek.referentie}} /"
                    " {{gesprek.onderwerp}} / {{team.naam}} / {{datum}}\n"
                    "Groet, {{medewerker.naam}}"}).json()
        path = "/api/v1/canned-answers/%s/render?conversationId=%s" % (
            a["id"], conv["id"])
        r = self.alice.get(path)
        self.assertEqual(r.status, 200, r)
        out = r.json()
        months = ["januari", "februari", "maart", "april", "mei", "juni",
                  "juli", "augustus", "september", "oktober", "november",
                  "december"]
        t = time.gmtime(time.time() + 3600)  # near enough to Dutch time
        date = "%d %s %d" % (t.tm_mday, months[t.tm_mon - 1], t.tm_year)
        # Text is plain and verbatim: the resident's "{{datum}}" in the
        # name is not filled in a second time.
        self.assertEqual(out["text"],
                         "Beste %s,\n%s / Container <b>vol</b> / Burgerzaken"
                         " / %s\nGroet, Alice" % (EVIL, conv["reference"],
                                                   date))
        self.assertEqual(out["empty"], [])
        # The read of the resident's name is logged (it commits with the
        # writer's next group, just after the answer).
        wait_until(lambda: db_query(
            self.data, "SELECT COUNT(*) FROM processing_log WHERE actor = ?"
            " AND party_id = ? AND operation = 'read' AND resource = ?",
            ("user:" + self.alice.user_id, conv["party"]["id"],
             "canned-answer render conversation:" + conv["id"]))[0][0] == 1,
            5, what="the processing-log read")
        # Missing values are empty and said so.
        plain = self.conv(name="Piet")
        r = self.srv.get("/api/v1/canned-answers/%s/render?conversationId=%s"
                         % (a["id"], plain["id"]), token=self.admin)
        self.assertProblem(r, 404)  # personal: the token cannot see it
        e = self.create(self.sup, {"title": "e", "scope": "everyone",
                                   "body": "{{team.naam}}{{medewerker.naam}}"
                                   "{{inwoner.naam}}"}).json()
        r = self.srv.get("/api/v1/canned-answers/%s/render?conversationId=%s"
                         % (e["id"], plain["id"]), token=self.api)
        self.assertEqual(r.json(), {"text": "Piet",
                                    "empty": ["medewerker.naam",
                                              "team.naam"]})
        # The conversation must be visible: confidential is unknown.
        secret = self.conv(name="Geheim", confidential=True)
        for cid in (secret["id"], str(uuid.uuid4()), "nope"):
            r = self.alice.get("/api/v1/canned-answers/%s/render?"
                               "conversationId=%s" % (a["id"], cid))
            self.assertProblem(r, 404, "not-found", "conversationId")
        r = self.sup.get("/api/v1/canned-answers/%s/render?conversationId=%s"
                         % (e["id"], secret["id"]))
        self.assertEqual(r.json()["text"], "SanneGeheim")
        self.assertProblem(self.alice.get("/api/v1/canned-answers/%s/render"
                                          % a["id"]), 400,
                           "invalid-parameter")


# ---- unread ------------------------------------------------------------


class Unread(Base):
    def inbox(self, who, q=""):
        r = who.get("/api/v1/conversations?limit=100" + q)
        self.assertEqual(r.status, 200, r)
        return {i["id"]: i["unread"] for i in r.json()["items"]}

    def read(self, who, cid):
        return who.request("POST", "/api/v1/conversations/%s/read" % cid, {})

    def test_marks_and_flags(self):
        c1 = self.conv(content="Eerste vraag")
        c2 = self.conv(content="Tweede vraag")
        self.assertEqual(self.inbox(self.alice), {c1["id"]: True,
                                                  c2["id"]: True})
        r = self.read(self.alice, c1["id"])
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual((body["conversationId"], body["unread"]),
                         (c1["id"], False))
        self.assertGreater(body["readSeq"], 0)
        self.assertEqual(self.inbox(self.alice), {c1["id"]: False,
                                                  c2["id"]: True})
        # Marks are per person.
        self.assertEqual(self.inbox(self.bob)[c1["id"]], True)
        # A new inbound message makes it unread again.
        conversation_message(self.srv, self.api, c1["id"], "Nog iets")
        self.assertTrue(self.inbox(self.alice)[c1["id"]])
        r2 = self.read(self.alice, c1["id"]).json()
        self.assertGreater(r2["readSeq"], body["readSeq"])
        # One's own reply and note do not; a colleague's note does.
        self.alice.request("POST", "/api/v1/conversations/%s/messages"
                           % c1["id"], {"direction": "outbound",
                                        "content": "Antwoord"})
        self.alice.request("POST", "/api/v1/conversations/%s/notes"
                           % c1["id"], {"content": "Eigen notitie"})
        self.assertFalse(self.inbox(self.alice)[c1["id"]])
        self.bob.request("POST", "/api/v1/conversations/%s/notes" % c1["id"],
                         {"content": "Let op"})
        self.assertTrue(self.inbox(self.alice)[c1["id"]])
        # Marking again with nothing new keeps the mark; empty body is fine.
        r3 = self.alice.request("POST", "/api/v1/conversations/%s/read"
                                % c1["id"]).json()
        r4 = self.read(self.alice, c1["id"]).json()
        self.assertEqual(r3["readSeq"], r4["readSeq"])
        # A token has marks of its own.
        self.assertTrue(self.inbox_token(c1["id"]))
        self.srv.post_json("/api/v1/conversations/%s/read" % c1["id"], {},
                           token=self.api)
        self.assertFalse(self.inbox_token(c1["id"]))
        # The filtered and the text-search inbox carry it too.
        self.assertIn(c2["id"], self.inbox(self.alice, "&status=open"))
        r = self.alice.get("/api/v1/conversations?q=Tweede")
        self.assertEqual([(i["id"], i["unread"])
                          for i in r.json()["items"]], [(c2["id"], True)])

    def inbox_token(self, cid):
        r = self.srv.get("/api/v1/conversations?limit=100", token=self.api)
        return {i["id"]: i["unread"] for i in r.json()["items"]}[cid]

    def test_hidden_and_unknown(self):
        secret = self.conv(confidential=True)
        for cid in (secret["id"], str(uuid.uuid4()), "x"):
            self.assertProblem(self.read(self.alice, cid), 404, "not-found")
        self.assertEqual(self.read(self.sup, secret["id"]).status, 200)
        plain = self.conv()
        # A confidential message in a plain conversation: unread only for
        # those who may see it.
        self.read(self.alice, plain["id"])
        self.read(self.sup, plain["id"])
        conversation_message(self.srv, self.conf, plain["id"], "Geheim",
                             confidential=True)
        self.assertFalse(self.inbox(self.alice)[plain["id"]])
        self.assertTrue(self.inbox(self.sup)[plain["id"]])
        r = self.alice.request("POST", "/api/v1/conversations/%s/read"
                               % plain["id"], {"seq": 3})
        self.assertProblem(r, 422, "unknown-field")

    def test_counts(self):
        r = self.alice.get("/api/v1/console/counts")
        self.assertEqual(r.status, 200, r)
        zero = {"open": 0, "unread": 0, "more": False}
        self.assertEqual(r.json(), {"mine": zero, "unassigned": zero,
                                    "myTeams": zero, "all": zero,
                                    "cap": 200})
        mine = self.conv(teamId=self.team["id"])
        api_ok(self.alice.request("POST", "/api/v1/conversations/%s/claim"
                                  % mine["id"], {}), 200)
        team_open = self.conv(teamId=self.team["id"])
        other = self.conv()
        self.conv(confidential=True)
        done = self.conv()
        api_ok(self.srv.request("PATCH", "/api/v1/conversations/" +
                                done["id"], json_body={"status": "resolved"},
                                token=self.api), 200)
        self.read(self.alice, other["id"])
        c = self.alice.get("/api/v1/console/counts").json()
        self.assertEqual(c["mine"], {"open": 1, "unread": 1, "more": False})
        self.assertEqual(c["unassigned"], {"open": 2, "unread": 1,
                                           "more": False})
        self.assertEqual(c["myTeams"], {"open": 2, "unread": 2,
                                        "more": False})
        self.assertEqual(c["all"], {"open": 3, "unread": 2, "more": False})
        # The supervisor sees the confidential one; not in a team.
        c = self.sup.get("/api/v1/console/counts").json()
        self.assertEqual(c["all"], {"open": 4, "unread": 4, "more": False})
        self.assertEqual(c["myTeams"], {"open": 0, "unread": 0,
                                        "more": False})
        # A token has no "mine" nor teams.
        c = self.srv.get("/api/v1/console/counts", token=self.api).json()
        self.assertIsNone(c["mine"])
        self.assertIsNone(c["myTeams"])
        self.assertEqual(c["all"]["open"], 3)
        del team_open

    def test_counts_are_capped(self):
        now = int(time.time() * 1000)
        rows = []
        for i in range(1003):
            rows.append(("INSERT INTO conversations (id, reference, channel,"
                         " status, created_at, updated_at, last_message_at)"
                         " VALUES (?, ?, 'email', 'open', ?, ?, ?)",
                         (str(uuid.uuid4()), "CAP-%d" % i, now, now, now)))
        loketlib.db_write(self.data, rows)
        c = self.alice.get("/api/v1/console/counts").json()
        self.assertEqual(c["cap"], 200)
        self.assertEqual(c["all"], {"open": 200, "unread": 0, "more": True})
        c = self.alice.get("/api/v1/console/counts?cap=1000").json()
        self.assertEqual(c["cap"], 1000)
        self.assertEqual(c["all"], {"open": 1000, "unread": 0, "more": True})
        self.assertEqual(c["unassigned"]["open"], 1000)
        self.assertTrue(c["unassigned"]["more"])
        for bad in ("0", "1001", "x", "", "-1"):
            self.assertProblem(self.alice.get("/api/v1/console/counts?cap=" +
                                              bad), 400, "invalid-parameter",
                               "cap")


# ---- viewers -----------------------------------------------------------


class Viewers(Base):
    def test_indicator_and_events(self):
        conv = self.conv()
        cid = conv["id"]
        sse = SSEClient(self.srv, token=self.api)
        self.addCleanup(sse.close)
        self.assertEqual(sse.status, 200)
        r = self.viewing(self.alice, cid)
        self.assertEqual(r.status, 200, r)
        v = r.json()
        self.assertEqual((v["conversationId"], v["userId"], v["actorId"],
                          v["name"], v["state"]),
                         (cid, self.alice.user_id, self.alice.agent["id"],
                          "Alice", "viewing"))
        self.assertAlmostEqual(v["expiresAt"] - v["since"], 30000, delta=50)
        ev = self.next_viewing(sse)
        self.assertEqual((ev["data"]["conversationId"], ev["data"]["userId"],
                          ev["data"]["state"]), (cid, self.alice.user_id,
                                                 "viewing"))
        self.assertNotIn("confidential", ev["data"])
        # A heartbeat that changes nothing emits nothing: the next event
        # is bob's arrival.
        self.assertEqual(self.viewing(self.alice, cid).status, 200)
        self.assertEqual(self.viewing(self.bob, cid, "typing").status, 200)
        ev = self.next_viewing(sse)
        self.assertEqual((ev["data"]["userId"], ev["data"]["state"]),
                         (self.bob.user_id, "typing"))
        r = self.alice.get("/api/v1/conversations/%s/viewers" % cid)
        self.assertEqual(r.status, 200, r)
        items = r.json()["items"]
        self.assertEqual([(i["name"], i["state"]) for i in items],
                         [("Alice", "viewing"), ("Bob", "typing")])
        # Typing stops, bob leaves.
        self.viewing(self.bob, cid, "viewing")
        ev = self.next_viewing(sse)
        self.assertEqual(ev["data"]["state"], "viewing")
        self.assertEqual(self.bob.request(
            "DELETE", "/api/v1/conversations/%s/viewers/me" % cid).status, 204)
        ev = self.next_viewing(sse)
        self.assertEqual((ev["data"]["userId"], ev["data"]["state"],
                          ev["data"]["expiresAt"]),
                         (self.bob.user_id, "left", None))
        self.assertEqual(self.bob.request(
            "DELETE", "/api/v1/conversations/%s/viewers/me" % cid).status, 204)
        r = self.alice.get("/api/v1/conversations/%s/viewers" % cid)
        self.assertEqual([i["name"] for i in r.json()["items"]], ["Alice"])
        # Expiry: alice's heartbeats stop (the row is aged); the sweep
        # removes it within about five seconds and says so.
        db_execute(self.data, "UPDATE conversation_viewers SET expires_at ="
                   " expires_at - 31000 WHERE user_id = ?",
                   (self.alice.user_id,))
        self.assertEqual(self.alice.get("/api/v1/conversations/%s/viewers"
                                        % cid).json()["items"], [])
        ev = self.next_viewing(sse, timeout=15)
        self.assertEqual((ev["data"]["userId"], ev["data"]["state"],
                          ev["data"]["reason"]),
                         (self.alice.user_id, "left", "expired"))
        wait_until(lambda: db_query(self.data, "SELECT COUNT(*) FROM"
                                    " conversation_viewers")[0][0] == 0,
                   5, what="the sweep")

    def test_confidential_and_refusals(self):
        secret = self.conv(confidential=True)
        plain = self.conv()
        self.assertProblem(self.viewing(self.alice, secret["id"]), 404)
        self.assertProblem(self.alice.get("/api/v1/conversations/%s/viewers"
                                          % secret["id"]), 404)
        for cid in (str(uuid.uuid4()), "nope"):
            self.assertProblem(self.viewing(self.alice, cid), 404)
            self.assertProblem(self.alice.get(
                "/api/v1/conversations/%s/viewers" % cid), 404)
        self.assertProblem(self.viewing(self.alice, plain["id"], "away"), 422,
                           "invalid-field", "/state")
        self.assertProblem(self.alice.request(
            "PUT", "/api/v1/conversations/%s/viewers/me" % plain["id"], {}),
            422)
        r = self.srv.request("PUT", "/api/v1/conversations/%s/viewers/me"
                             % plain["id"], json_body={"state": "viewing"},
                             token=self.api)
        self.assertProblem(r, 403, "needs-staff-member")
        # A confidential conversation's events reach only those who may
        # see it.
        plain_sse = SSEClient(self.srv, token=self.api)
        conf_sse = SSEClient(self.srv, token=self.conf)
        self.addCleanup(plain_sse.close)
        self.addCleanup(conf_sse.close)
        self.assertEqual(self.viewing(self.sup, secret["id"]).status, 200)
        self.assertEqual(self.viewing(self.sup, plain["id"]).status, 200)
        ev = self.next_viewing(conf_sse)
        self.assertEqual((ev["data"]["conversationId"],
                          ev["data"]["confidential"]), (secret["id"], True))
        ev = self.next_viewing(plain_sse)
        self.assertEqual(ev["data"]["conversationId"], plain["id"])

    def test_heartbeat_rate_limit(self):
        conv = self.conv()
        codes = [self.viewing(self.bob, conv["id"]).status for _ in range(41)]
        self.assertEqual(codes[:40], [200] * 40)
        r = self.viewing(self.bob, conv["id"])
        p = self.assertProblem(r, 429, "too-many-requests")
        self.assertGreater(int(r.header("Retry-After")), 0)
        del p
        # Per account: alice is not affected.
        self.assertEqual(self.viewing(self.alice, conv["id"]).status, 200)



class Categories(Base):
    def test_picker_list(self):
        names = ["Afval", "Paspoort", "<b>Parkeren</b>", "Zorg", "afvalpas"]
        ids = {n: loketlib.add_category(self.data, n) for n in names}
        r = self.alice.get("/api/v1/categories")
        self.assertEqual(r.status, 200, r)
        got = r.json()
        self.assertEqual([i["name"] for i in got["items"]],
                         sorted(names))
        self.assertEqual(got["items"][0]["id"], ids[sorted(names)[0]])
        self.assertIsNone(got["next"])
        r = self.alice.get("/api/v1/categories?q=AFVAL")
        self.assertEqual([i["name"] for i in r.json()["items"]],
                         ["Afval", "afvalpas"])
        seen, after = [], None
        while True:
            q = "limit=2" + ("&after=" + urllib.parse.quote(after)
                             if after else "")
            page = self.srv.get("/api/v1/categories?" + q,
                                token=self.api).json()
            seen += [i["name"] for i in page["items"]]
            after = page["next"]
            if after is None:
                break
        self.assertEqual(seen, sorted(names))
        for bad in ("limit=0", "limit=101", "q="):
            self.assertProblem(self.alice.get("/api/v1/categories?" + bad),
                               400, "invalid-parameter")


class ResidentUntouched(Base):
    def test_viewing_a_chat_does_not_reach_the_resident(self):
        """An agent opening or typing in a chat's console view is staff
        business: the resident's stream (which reacts to every
        conversation.* event of its chat) hears nothing of it."""
        from test_chat import ChatStream, Resident
        res = Resident(self.srv)
        started = res.start(text="Hallo")
        cid = db_query(self.data, "SELECT id FROM conversations WHERE"
                       " reference = ?", (started["reference"],))[0][0]
        stream = ChatStream(res)
        self.addCleanup(stream.close)
        self.assertEqual(stream.status, 200)
        stream.wait_for("update")  # every connection starts with one
        self.assertEqual(self.viewing(self.alice, cid).status, 200)
        self.assertEqual(self.viewing(self.alice, cid, "typing").status, 200)
        self.assertEqual(self.alice.request(
            "DELETE", "/api/v1/conversations/%s/viewers/me" % cid).status, 204)
        # Nothing arrives (the stream's next() times out on the socket).
        with self.assertRaises((AssertionError, TimeoutError)):
            stream.next(timeout=2)
        # The stream is alive: a real change of the chat does reach it.
        api_ok(self.srv.post_json("/api/v1/conversations/%s/messages" % cid,
                                  {"direction": "outbound",
                                   "content": "Goedemiddag"},
                                  token=self.api), 201)
        stream.wait_for("update")


class SeveralProcesses(Base):
    """loket serve --reuseport: two processes on one data directory share
    viewers only through the database and the events table."""

    def test_viewers_across_processes(self):
        import copy
        other = self.start_server(self.data, extra_args=["--reuseport"])
        conv = self.conv()
        cid = conv["id"]
        here = SSEClient(self.srv, token=self.api)
        there = SSEClient(other, token=self.api)
        self.addCleanup(here.close)
        self.addCleanup(there.close)
        alice_there = copy.copy(self.alice)
        alice_there.srv = other
        # Viewing in one process shows in the other's stream and list.
        self.assertEqual(self.viewing(self.alice, cid).status, 200)
        ev = self.next_viewing(there)
        self.assertEqual((ev["data"]["userId"], ev["data"]["state"]),
                         (self.alice.user_id, "viewing"))
        r = alice_there.get("/api/v1/conversations/%s/viewers" % cid)
        self.assertEqual([i["userId"] for i in r.json()["items"]],
                         [self.alice.user_id])
        # A heartbeat through the other process renews the same entry and
        # emits nothing; typing there is seen here.
        self.assertEqual(self.viewing(alice_there, cid).status, 200)
        self.assertEqual(self.viewing(alice_there, cid,
                                         "typing").status, 200)
        ev = self.next_viewing(here)
        self.assertEqual(ev["data"]["state"], "viewing")
        ev = self.next_viewing(here)
        self.assertEqual(ev["data"]["state"], "typing")
        self.assertEqual(self.next_viewing(there)["data"]["state"], "typing")
        # Both processes sweep; the expiry is reported exactly once.
        db_execute(self.data, "UPDATE conversation_viewers SET expires_at ="
                   " expires_at - 31000")
        for stream in (here, there):
            ev = self.next_viewing(stream, timeout=15)
            self.assertEqual((ev["data"]["state"], ev["data"]["reason"]),
                             ("left", "expired"))
        time.sleep(6)  # a further sweep of each process has run
        rows = db_query(self.data, "SELECT COUNT(*) FROM events WHERE type ="
                        " 'console.viewing' AND payload LIKE"
                        " '%\"expired\"%'")
        self.assertEqual(rows[0][0], 1)


if __name__ == "__main__":
    loketlib.main()
