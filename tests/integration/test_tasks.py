"""/api/v1/tasks: Loket's own API for interne taken, over real HTTP."""

import json
import os
import sqlite3
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loketlib import (LoketTestCase, create_token, db_query,  # noqa: E402
                      main, wait_until)

KI = "/klantinteracties/api/v1"
TASKS = "/api/v1/tasks"
XSS = "<script>alert('x')</script><img src=x onerror=alert(1)>"
TASK_KEYS = {"id", "number", "kind", "action", "explanation", "status",
             "deadline", "contactId", "conversationId", "assigneeIds",
             "assignedAt", "doneAt", "createdAt", "updatedAt"}


class TasksTest(LoketTestCase):
    def setUp(self):
        self.data = self.make_data_dir()
        _, self.conf = create_token(self.data, "tasks-conf",
                                    "api confidential")
        _, self.plain = create_token(self.data, "tasks-plain", "api")
        _, self.events_only = create_token(self.data, "tasks-ev", "events")
        self.srv = self.start_server(self.data)

    def call(self, method, path, body=None, token=None):
        return self.srv.request(method, path, json_body=body,
                                token=token or self.conf)

    def ok(self, method, path, body=None, token=None, status=None):
        r = self.call(method, path, body, token)
        self.assertEqual(r.status, status or (201 if method == "POST"
                                              else 200), r)
        return r.json()

    def contact(self, token=None, **kw):
        body = {"kanaal": "telefoon", "onderwerp": "Vraag", "taal": "nld",
                "vertrouwelijk": False}
        body.update(kw)
        return self.ok("POST", KI + "/klantcontacten", body, token)["uuid"]

    def actor(self, naam):
        return self.ok("POST", KI + "/actoren", {
            "naam": naam, "soortActor": "medewerker",
            "indicatieActief": True})["uuid"]

    def conversation(self, confidential=False, contacts=("inbound",)):
        """A conversation with contacts, written as the conversation side
        of Loket would; returns (conversation id, [contact ids])."""
        conv = str(uuid.uuid4())
        ids = []
        conn = sqlite3.connect(os.path.join(self.data, "loket.db"),
                               timeout=10)
        with conn:
            conn.execute("INSERT INTO conversations (id, reference, channel,"
                         " confidential, created_at, updated_at,"
                         " last_message_at) VALUES (?, ?, 'chat', ?, 1, 1,"
                         " 1)", (conv, "REF-" + conv[:8], int(confidential)))
            for i, kind in enumerate(contacts):
                cid = str(uuid.uuid4())
                ids.append(cid)
                conn.execute("INSERT INTO contacts (id, conversation_id,"
                             " kind, channel, occurred_at, created_at) VALUES"
                             " (?, ?, ?, 'chat', ?, 1)", (cid, conv, kind,
                                                          100 + i))
        conn.close()
        return conv, ids

    # -- create, read, change --

    def test_create_get_patch(self):
        c = self.contact()
        a1 = self.actor("Anna")
        a2 = self.actor("Bert")
        r = self.call("POST", TASKS, {
            "contactId": c, "kind": "callback", "action": "Terugbellen",
            "explanation": "Na 14:00\nliefst mobiel", "deadline": 1900000000000,
            "assigneeIds": [a1, a2]})
        self.assertEqual(r.status, 201, r)
        t = r.json()
        self.assertEqual(r.header("Location"), TASKS + "/" + t["id"])
        self.assertEqual(set(t), TASK_KEYS)
        self.assertEqual((t["kind"], t["status"], t["contactId"]),
                         ("callback", "te_verwerken", c))
        self.assertEqual(t["assigneeIds"], [a1, a2])
        self.assertIsNone(t["doneAt"])
        self.assertIsNone(t["conversationId"])
        self.assertEqual(t["deadline"], 1900000000000)
        self.assertEqual(t["number"], "0000000001")
        self.assertEqual(self.ok("GET", TASKS + "/" + t["id"]), t)
        # The same task through the standard.
        ki = self.ok("GET", KI + "/internetaken/" + t["id"])
        self.assertEqual(ki["gevraagdeHandeling"], "Terugbellen")
        self.assertEqual([x["uuid"] for x in ki["toegewezenAanActoren"]],
                         [a1, a2])
        # Done.
        d = self.ok("PATCH", TASKS + "/" + t["id"], {"status": "verwerkt"})
        self.assertEqual(d["status"], "verwerkt")
        self.assertIsInstance(d["doneAt"], int)
        self.assertGreaterEqual(d["doneAt"], t["createdAt"])
        self.assertEqual(d["assignedAt"], t["assignedAt"])
        self.assertIsNotNone(self.ok("GET", KI + "/internetaken/" + t["id"])
                             ["afgehandeldOp"])
        # Other members; assignees change the assignment time.
        p = self.ok("PATCH", TASKS + "/" + t["id"], {
            "assigneeIds": [a2], "explanation": "", "deadline": None,
            "kind": "backoffice", "status": "te_verwerken"})
        self.assertEqual(p["assigneeIds"], [a2])
        self.assertEqual(p["explanation"], "")
        self.assertIsNone(p["deadline"])
        self.assertIsNone(p["doneAt"])
        self.assertEqual(p["kind"], "backoffice")
        self.assertGreaterEqual(p["assignedAt"], t["assignedAt"])
        self.assertEqual(p["action"], "Terugbellen")
        # Events, audit, processing log.
        ev = db_query(self.data, "SELECT type, payload FROM events WHERE"
                      " subject = ? ORDER BY seq", (t["id"],))
        self.assertEqual([e[0] for e in ev],
                         ["task.created", "task.updated", "task.updated"])
        self.assertEqual(json.loads(ev[1][1])["status"], "verwerkt")
        self.assertNotIn("Terugbellen", ev[0][1])
        audit = db_query(self.data, "SELECT action FROM audit_log WHERE"
                         " subject = ? ORDER BY id", (t["id"],))
        self.assertEqual([a for (a,) in audit],
                         ["task.created", "task.updated", "task.updated"])
        log = db_query(self.data, "SELECT operation FROM processing_log"
                       " WHERE resource = ? ORDER BY seq",
                       ("task:" + t["id"],))
        ops = [o for (o,) in log]
        self.assertEqual((ops.count("create"), ops.count("update")), (1, 2))
        self.assertEqual(ops[0], "create")
        self.assertIn("read", ops)

    def test_from_conversation(self):
        conv, (first, last) = self.conversation(contacts=("inbound",
                                                          "outbound"))
        conv2, (note,) = self.conversation(contacts=("note",))
        t = self.ok("POST", TASKS, {"conversationId": conv,
                                    "action": "Vraag backoffice",
                                    "kind": "backoffice"})
        # The conversation's newest message led to the task.
        self.assertEqual(t["contactId"], last)
        self.assertEqual(t["conversationId"], conv)
        lst = self.ok("GET", TASKS + "?conversationId=" + conv)
        self.assertEqual([x["id"] for x in lst["items"]], [t["id"]])
        # A conversation with only an internal note has nothing to start
        # from; an unknown one names nothing.
        for cid in (conv2, str(uuid.uuid4())):
            r = self.call("POST", TASKS, {"conversationId": cid,
                                          "action": "x"})
            self.assertProblem(r, 422, "invalid-field", "/conversationId")
        # A note is not a contact a task can come from.
        r = self.call("POST", TASKS, {"contactId": note, "action": "x"})
        self.assertProblem(r, 422, "invalid-field", "/contactId")
        r = self.call("POST", TASKS, {"contactId": first,
                                      "conversationId": conv,
                                      "action": "x"})
        self.assertProblem(r, 422, "invalid-field", "/conversationId")

    def test_validation(self):
        c = self.contact()
        a = self.actor("Anna")
        cases = [
            ({"action": "x"}, "/contactId"),
            ({"contactId": c}, "/action"),
            ({"contactId": c, "action": ""}, "/action"),
            ({"contactId": c, "action": "x" * 201}, "/action"),
            ({"contactId": c, "action": "a\x1bb"}, "/action"),
            ({"contactId": c, "action": "x", "kind": "urgent"}, "/kind"),
            ({"contactId": c, "action": "x", "deadline": "morgen"},
             "/deadline"),
            ({"contactId": c, "action": "x", "deadline": -5}, "/deadline"),
            ({"contactId": c, "action": "x", "assigneeIds": a},
             "/assigneeIds"),
            ({"contactId": c, "action": "x", "assigneeIds": [a, a]},
             "/assigneeIds"),
            ({"contactId": c, "action": "x", "assigneeIds": ["nope"]},
             "/assigneeIds"),
            ({"contactId": c, "action": "x",
              "assigneeIds": [str(uuid.uuid4())]}, "/assigneeIds"),
            ({"contactId": c, "action": "x", "explanation": "x" * 1001},
             "/explanation"),
            ({"contactId": "not-a-uuid", "action": "x"}, "/contactId"),
            ({"contactId": str(uuid.uuid4()), "action": "x"}, "/contactId"),
            ({"contactId": c, "action": "x", "status": "verwerkt"},
             "/status"),
        ]
        for body, field in cases:
            r = self.call("POST", TASKS, body)
            self.assertEqual(r.status, 422, (body, r))
            self.assertEqual(r.json().get("field"), field, (body, r.json()))
        # 200 characters (not bytes) fit.
        self.ok("POST", TASKS, {"contactId": c, "action": "é" * 200})
        t = self.ok("POST", TASKS, {"contactId": c, "action": "x"})
        for body, field in [({"status": "klaar"}, "/status"),
                            ({"contactId": c}, "/contactId"),
                            ({"assigneeIds": [str(uuid.uuid4())]},
                             "/assigneeIds")]:
            r = self.call("PATCH", TASKS + "/" + t["id"], body)
            self.assertEqual(r.status, 422, (body, r))
            self.assertEqual(r.json().get("field"), field, (body, r.json()))
        r = self.call("POST", TASKS, {"contactId": c, "action": "x",
                                      "secret": 1})
        self.assertProblem(r, 422, "unknown-field", "/secret")
        r = self.srv.request("POST", TASKS, body=b"{", headers={
            "Content-Type": "application/json",
            "Authorization": "Bearer " + self.conf})
        self.assertProblem(r, 400, "malformed-json")
        # Unknown, malformed ids in the path.
        for tid in (str(uuid.uuid4()), "nope"):
            self.assertProblem(self.call("GET", TASKS + "/" + tid), 404,
                               "not-found")
            self.assertProblem(self.call("PATCH", TASKS + "/" + tid,
                                         {"status": "verwerkt"}), 404,
                               "not-found")
        # Authentication and scope.
        self.assertProblem(self.srv.request("GET", TASKS), 401)
        self.assertProblem(self.call("GET", TASKS, token=self.events_only),
                           403, "insufficient-scope")

    def test_list_filters_and_cursor(self):
        c1 = self.contact()
        c2 = self.contact()
        a1 = self.actor("Anna")
        a2 = self.actor("Bert")
        mk = [
            ("t-late", c1, "callback", 3000, [a1]),
            ("t-none", c1, "other", None, [a2]),
            ("t-early", c2, "backoffice", 1000, [a1, a2]),
            ("t-mid", c2, "callback", 2000, []),
            ("t-none2", c2, "other", None, []),
        ]
        ids = {}
        for name, c, kind, deadline, who in mk:
            body = {"contactId": c, "action": name, "kind": kind,
                    "assigneeIds": who}
            if deadline is not None:
                body["deadline"] = deadline
            ids[name] = self.ok("POST", TASKS, body)["id"]
        self.ok("PATCH", TASKS + "/" + ids["t-mid"], {"status": "verwerkt"})

        def names(q):
            items = self.ok("GET", TASKS + q)["items"]
            back = {v: k for k, v in ids.items()}
            return [back[x["id"]] for x in items]

        # Earliest deadline first; none last, oldest first among them.
        self.assertEqual(names(""), ["t-early", "t-mid", "t-late", "t-none",
                                     "t-none2"])
        # Each listed task is a logged read.
        wait_until(lambda: len(db_query(
            self.data, "SELECT DISTINCT resource FROM processing_log WHERE"
            " operation = 'read' AND activity = 'internetaak'")) == 5, 10,
            what="reads of the 5 listed tasks in the processing log")
        self.assertEqual(names("?status=te_verwerken"),
                         ["t-early", "t-late", "t-none", "t-none2"])
        self.assertEqual(names("?status=verwerkt"), ["t-mid"])
        self.assertEqual(names("?kind=callback"), ["t-mid", "t-late"])
        self.assertEqual(names("?assigneeId=" + a1), ["t-early", "t-late"])
        self.assertEqual(names("?assigneeId=" + a2), ["t-early", "t-none"])
        self.assertEqual(names("?contactId=" + c1), ["t-late", "t-none"])
        self.assertEqual(names("?dueBefore=2500"), ["t-early", "t-mid"])
        self.assertEqual(names("?kind=callback&status=te_verwerken"),
                         ["t-late"])
        # Cursor pages of 2 give every task once, in order.
        seen = []
        q = "?limit=2"
        for _ in range(5):
            page = self.ok("GET", TASKS + q)
            seen += [x["id"] for x in page["items"]]
            if page["next"] is None:
                break
            self.assertLessEqual(len(page["items"]), 2)
            q = "?limit=2&after=" + page["next"]
        self.assertEqual(seen, [ids[n] for n in ("t-early", "t-mid", "t-late",
                                                 "t-none", "t-none2")])
        # Bad parameters.
        for q, field in [("?status=open", "status"), ("?kind=x", "kind"),
                         ("?assigneeId=nope", "assigneeId"),
                         ("?contactId=1", "contactId"),
                         ("?dueBefore=soon", "dueBefore"),
                         ("?after=zzz", "after"), ("?limit=0", "limit"),
                         ("?limit=101", "limit")]:
            self.assertProblem(self.call("GET", TASKS + q), 400,
                               "invalid-parameter", field)
        # "me" needs a staff member; a token has no actor.
        self.assertProblem(self.call("GET", TASKS + "?assigneeId=me"), 400,
                           "invalid-parameter", "assigneeId")

    def test_confidential_tasks(self):
        secret = self.contact(vertrouwelijk=True)
        open_ = self.contact()
        conv, _ = self.conversation(confidential=True)
        ts = self.ok("POST", TASKS, {"contactId": secret, "action": "geheim"})
        tc = self.ok("POST", TASKS, {"conversationId": conv,
                                     "action": "geheim gesprek"})
        to = self.ok("POST", TASKS, {"contactId": open_, "action": "open"})
        pl = self.plain
        self.assertEqual([x["id"] for x in
                          self.ok("GET", TASKS, token=pl)["items"]],
                         [to["id"]])
        self.assertEqual(len(self.ok("GET", TASKS)["items"]), 3)
        for t in (ts, tc):
            self.assertProblem(self.call("GET", TASKS + "/" + t["id"],
                                         token=pl), 404, "not-found")
            self.assertProblem(self.call("PATCH", TASKS + "/" + t["id"],
                                         {"status": "verwerkt"}, token=pl),
                               404, "not-found")
        self.assertEqual(self.ok("GET", TASKS + "?contactId=" + secret,
                                 token=pl)["items"], [])
        # Ids in the body: the hidden contact and conversation are unknown.
        r = self.call("POST", TASKS, {"contactId": secret, "action": "x"},
                      token=pl)
        self.assertProblem(r, 422, "invalid-field", "/contactId")
        r = self.call("POST", TASKS, {"conversationId": conv, "action": "x"},
                      token=pl)
        self.assertProblem(r, 422, "invalid-field", "/conversationId")
        # Still unchanged.
        self.assertEqual(self.ok("GET", TASKS + "/" + ts["id"])["status"],
                         "te_verwerken")

    def test_html_stored_verbatim(self):
        c = self.contact()
        t = self.ok("POST", TASKS, {"contactId": c, "action": XSS,
                                    "explanation": XSS + "\n&lt;"})
        self.assertEqual(t["action"], XSS)
        got = self.ok("GET", TASKS + "/" + t["id"])
        self.assertEqual(got["explanation"], XSS + "\n&lt;")
        rows = db_query(self.data, "SELECT action, explanation FROM tasks"
                        " WHERE id = ?", (t["id"],))
        self.assertEqual(rows, [(XSS, XSS + "\n&lt;")])

    def test_openapi_part(self):
        doc = self.srv.get("/api/openapi.json").json()
        self.assertIn("/api/v1/tasks", doc["paths"])
        self.assertIn("/api/v1/tasks/{id}", doc["paths"])
        self.assertIn("Task", doc["components"]["schemas"])
        self.assertEqual(set(doc["components"]["schemas"]["Task"]
                             ["properties"]), TASK_KEYS)


if __name__ == "__main__":
    main()
