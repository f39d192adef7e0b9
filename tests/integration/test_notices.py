"""/api/v1/notices: staff create and publish Actueel notices, the
second-person rule, updates with their edit history, audit rows, events,
problems for bad input, ids that name nothing, text stored verbatim."""

import json
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loketlib import (LoketTestCase, SSEClient, create_token,  # noqa: E402
                      db_query, main)

N = "/api/v1/notices"
HTML = '<script>alert("x")</script> & <b>Brand</b> \u00e9\u00e9n'
CIRCLE = {"type": "circle", "center": [4.9041, 52.3676], "radius": 750}


class Notices(LoketTestCase):
    def setUp(self):
        self.data = self.make_data_dir()
        _, self.admin = create_token(self.data, "admin", "admin")
        _, self.admin2 = create_token(self.data, "admin2", "api admin")
        self.agent_id, self.agent = create_token(self.data, "agent", "api")
        _, self.events = create_token(self.data, "events", "events")
        self.srv = self.start_server(self.data)

    def send(self, method, path, body=None, token=None, headers=None):
        return self.srv.request(method, path, json_body=body,
                                token=token or self.admin, headers=headers)

    def create(self, token=None, **extra):
        body = {"kind": "wegafsluiting", "title": "Afsluiting Damrak",
                "body": "Het Damrak is dicht.", "severity": "waarschuwing",
                "area": CIRCLE, "postcodes": ["1012", "1012ab"],
                "startsAt": 1764300000000, "expectedEndAt": 1764400000000,
                "publish": True}
        body.update(extra)
        r = self.send("POST", N, body, token=token)
        self.assertEqual(r.status, 201, r)
        return r.json()

    def problem(self, r, status):
        self.assertEqual(r.status, status, r)
        self.assertTrue(r.content_type.startswith(
            "application/problem+json"), r)
        self.assertEqual(r.json()["status"], status)
        return r.json()

    def test_create_and_publish(self):
        stream = SSEClient(self.srv, token=self.admin)
        self.addCleanup(stream.close)
        self.assertEqual(stream.status, 200)
        n = self.create(token=self.agent)
        uuid.UUID(n["id"])
        self.assertEqual(n["status"], "published")
        self.assertEqual(n["postcodes"], ["1012", "1012AB"])
        self.assertEqual(n["area"], CIRCLE)
        self.assertIsNotNone(n["publishedAt"])
        self.assertEqual(n["updates"], [])
        ev = stream.next_event()
        self.assertEqual(ev["event"], "notice.published")
        payload = json.loads(ev["data"])
        self.assertIn(n["id"], ev["data"])
        self.assertNotIn("Damrak", ev["data"])
        self.assertIn("published", json.dumps(payload))
        rows = db_query(self.data, "SELECT action, actor FROM audit_log"
                        " WHERE subject = ?", (n["id"],))
        self.assertEqual(rows, [("notice.published", "token:" +
                                 self.agent_id)])
        # A draft stays a draft and announces nothing.
        d = self.create(publish=False, area=None, postcodes=[])
        self.assertEqual((d["status"], d["area"], d["postcodes"]),
                         ("draft", None, []))
        r = self.send("GET", N + "?limit=1")
        self.assertEqual(r.status, 200, r)
        page = r.json()
        self.assertEqual([x["id"] for x in page["items"]], [d["id"]])
        r = self.send("GET", N + "?limit=1&after=" + page["next"])
        self.assertEqual([x["id"] for x in r.json()["items"]], [n["id"]])
        self.problem(self.send("GET", N + "?limit=101"), 400)

    def test_second_person(self):
        r = self.send("PUT", "/api/v1/notice-kinds/calamiteit",
                      {"requiresSecondPerson": True}, token=self.agent)
        self.problem(r, 403)
        r = self.send("PUT", "/api/v1/notice-kinds/calamiteit",
                      {"requiresSecondPerson": True})
        self.assertEqual(r.status, 200, r)
        self.problem(self.send("PUT", "/api/v1/notice-kinds/brand",
                               {"requiresSecondPerson": True}), 404)
        n = self.create(kind="calamiteit", title="Grote brand")
        self.assertEqual(n["status"], "awaiting-approval")
        self.assertIsNone(n["publishedAt"])
        path = N + "/" + n["id"] + "/approve"
        # The same person may not approve, nor an agent.
        p = self.problem(self.send("POST", path), 403)
        self.assertTrue(p["type"].endswith("second-person-required"), p)
        self.problem(self.send("POST", path, token=self.agent), 403)
        # Updates wait for publication.
        self.problem(self.send("POST", N + "/" + n["id"] + "/updates",
                               {"body": "x"}), 409)
        r = self.send("POST", path, token=self.admin2)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["status"], "published")
        self.assertTrue(r.json()["approvedBy"].startswith("token:"))
        self.problem(self.send("POST", path, token=self.admin2), 409)
        acts = [a for (a,) in db_query(
            self.data, "SELECT action FROM audit_log WHERE subject = ?"
            " ORDER BY id", (n["id"],))]
        self.assertEqual(acts, ["notice.created", "notice.approved"])

    def test_updates_and_edits(self):
        n = self.create()
        u = N + "/" + n["id"] + "/updates"
        r = self.send("POST", u, {"body": "Omleiding via Rokin."})
        self.assertEqual(r.status, 201, r)
        up = r.json()
        self.assertIsNone(up["editedAt"])
        r = self.send("POST", u, {"body": "Nog een uur."})
        second = r.json()
        r = self.send("PATCH", u + "/" + up["id"],
                      {"body": "Omleiding via Rokin en Nieuwezijds."})
        self.assertEqual(r.status, 200, r)
        self.assertIsNotNone(r.json()["editedAt"])
        self.assertEqual(r.json()["edits"], 1)
        hist = db_query(self.data, "SELECT previous_body FROM"
                        " notice_update_edits WHERE update_id = ?",
                        (up["id"],))
        self.assertEqual(hist, [("Omleiding via Rokin.",)])
        got = self.send("GET", N + "/" + n["id"]).json()
        self.assertEqual([x["id"] for x in got["updates"]],
                         [second["id"], up["id"]])
        self.assertEqual(got["updates"][1]["body"],
                         "Omleiding via Rokin en Nieuwezijds.")
        self.problem(self.send("POST", u, {"body": "x" * 1001}), 422)
        self.problem(self.send("PATCH", u + "/" + str(uuid.uuid4()),
                               {"body": "x"}), 404)
        types = [t for (t,) in db_query(
            self.data, "SELECT type FROM events WHERE subject = ?"
            " ORDER BY seq", (n["id"],))]
        self.assertEqual(types, ["notice.published", "notice.update_added",
                                 "notice.update_added",
                                 "notice.update_edited"])
        for (p,) in db_query(self.data, "SELECT payload FROM events"
                             " WHERE subject = ?", (n["id"],)):
            self.assertNotIn("Rokin", p)
        acts = [a for (a,) in db_query(
            self.data, "SELECT action FROM audit_log WHERE subject = ?",
            (n["id"],))]
        self.assertEqual(acts.count("notice.update_edited"), 1)

    def test_patch_and_transitions(self):
        n = self.create()
        path = N + "/" + n["id"]
        r = self.send("PATCH", path, {"severity": "ernstig"},
                      headers={"If-Match": '"1"'})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["version"], 2)
        self.problem(self.send("PATCH", path, {"severity": "ernstig"},
                               headers={"If-Match": '"1"'}), 412)
        r = self.send("PATCH", path, {"status": "ended"})
        self.assertEqual(r.json()["status"], "ended")
        self.assertIsNotNone(r.json()["endedAt"])
        self.problem(self.send("PATCH", path, {"status": "withdrawn"}), 409)
        self.problem(self.send("PATCH", path, {"status": "published"}), 422)
        (t,), = db_query(self.data, "SELECT type FROM events WHERE subject"
                         " = ? ORDER BY seq DESC LIMIT 1", (n["id"],))
        self.assertEqual(t, "notice.ended")
        # Withdrawing a draft is audited but announces nothing.
        d = self.create(publish=False)
        r = self.send("PATCH", N + "/" + d["id"], {"status": "withdrawn"})
        self.assertEqual(r.json()["status"], "withdrawn")
        self.assertEqual(db_query(self.data, "SELECT COUNT(*) FROM events"
                                  " WHERE subject = ?", (d["id"],)), [(0,)])
        self.assertEqual(db_query(self.data, "SELECT action FROM audit_log"
                                  " WHERE subject = ? ORDER BY id",
                                  (d["id"],)),
                         [("notice.created",), ("notice.changed",)])

    def test_bad_input(self):
        bad = [
            {"kind": "brand"},
            {"title": ""},
            {"title": "a" * 201},
            {"body": "x" * 20001},
            {"severity": "rampzalig"},
            {"area": {"type": "circle", "center": [4.9, 52.3],
                      "radius": 0}},
            {"area": {"type": "circle", "center": [190, 52.3],
                      "radius": 10}},
            {"area": {"type": "polygon", "coordinates": [[1, 2], [3, 4]]}},
            {"area": [1, 2]},
            {"postcodes": ["123"]},
            {"postcodes": "1234"},
            {"startsAt": 1764400000000, "expectedEndAt": 1764300000000},
            {"publish": "ja"},
            {"colour": "red"},
        ]
        for extra in bad:
            body = {"kind": "storing", "title": "Storing"}
            body.update(extra)
            r = self.send("POST", N, body)
            self.problem(r, 422)
        self.problem(self.send("POST", N, {"title": "geen soort"}), 422)
        r = self.srv.request("POST", N, body=b"{", token=self.admin,
                             headers={"Content-Type": "application/json"})
        self.problem(r, 400)
        r = self.srv.request("POST", N, body=b"x", token=self.admin,
                             headers={"Content-Type": "text/plain"})
        self.problem(r, 415)
        self.problem(self.srv.request("GET", N), 401)
        self.problem(self.send("GET", N, token=self.events), 403)
        self.assertEqual(db_query(self.data,
                                  "SELECT COUNT(*) FROM notices"), [(0,)])

    def test_unknown_ids(self):
        for method, path, body in [
                ("GET", N + "/" + str(uuid.uuid4()), None),
                ("GET", N + "/nope", None),
                ("PATCH", N + "/" + str(uuid.uuid4()), {"title": "x"}),
                ("POST", N + "/" + str(uuid.uuid4()) + "/approve", None),
                ("POST", N + "/nope/updates", {"body": "x"}),
                ("POST", N + "/" + str(uuid.uuid4()) + "/updates",
                 {"body": "x"})]:
            self.problem(self.send(method, path, body, token=self.admin2),
                         404)

    def test_html_stored_verbatim(self):
        n = self.create(title=HTML, body=HTML + "\n" + HTML)
        got = self.send("GET", N + "/" + n["id"]).json()
        self.assertEqual((got["title"], got["body"]),
                         (HTML, HTML + "\n" + HTML))
        r = self.send("POST", N + "/" + n["id"] + "/updates", {"body": HTML})
        self.assertEqual(r.json()["body"], HTML)
        (t,), = db_query(self.data, "SELECT title FROM notices WHERE id = ?",
                         (n["id"],))
        self.assertEqual(t, HTML)


if __name__ == "__main__":
    main()
