"""Measure over HTTP: service norms, the live norm state (breached first),
figures as JSON, CSV and Prometheus series, and `loket figures rebuild`:
after a scenario and a restart the figures the writer kept equal those
recomputed from the events, row for row.

Business-hour rules are tested with a fixed clock in tests/unit
(test_calendar, test_measure); here the norms use calendar time so the
test does not depend on the hour it runs at."""

import csv
import io
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loketlib import (LoketTestCase, add_staff_user, create_token,  # noqa
                      db_query, main, metric, new_conversation,
                      patch_conversation, run_cli)

NORMS = {"norms": [
    {"metric": "first_response", "channel": "chat", "targetSeconds": 1,
     "clock": "calendar"},
    {"metric": "first_response", "targetSeconds": 3600,
     "clock": "calendar"},
    {"metric": "next_response", "targetSeconds": 7200,
     "clock": "calendar"},
    {"metric": "resolution", "targetSeconds": 86400, "clock": "calendar",
     "warnSeconds": 86400},
    {"metric": "callback", "targetSeconds": 600, "clock": "calendar"}]}

TABLES = ["measure_conv", "measure_task", "measure_counts", "measure_hist",
          "measure_agent", "measure_occupancy", "measure_counts_day",
          "measure_hist_day", "measure_occupancy_day", "measure_days"]


def snapshot(data):
    return {t: sorted(db_query(data, "SELECT * FROM " + t)) for t in TABLES}


class Measure(LoketTestCase):
    def setUp(self):
        self.data = self.make_data_dir()
        _, self.sup = create_token(self.data, "supervisor", "api admin")
        _, self.api = create_token(self.data, "system", "api")
        self.srv = self.start_server(self.data)

    def put_norms(self, body, token=None, expect=200):
        r = self.srv.request("PUT", "/api/v1/norms", json_body=body,
                             token=token or self.sup)
        self.assertEqual(r.status, expect, r)
        return r

    def message(self, conv, direction):
        r = self.srv.post_json("/api/v1/conversations/%s/messages" % conv,
                               {"direction": direction, "content": "Ja"},
                               token=self.api)
        self.assertEqual(r.status, 201, r)

    def state(self, **query):
        q = "&".join("%s=%s" % kv for kv in query.items())
        r = self.srv.get("/api/v1/norms/state" + ("?" + q if q else ""),
                         token=self.api)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def figures(self, query="", token=None, headers=None):
        now = int(time.time() * 1000)
        q = "from=%d&to=%d" % (now - 3 * 3600000, now + 3600000)
        r = self.srv.request("GET", "/api/v1/figures?" + q + query,
                             token=token or self.sup, headers=headers)
        return r

    def test_norms_config(self):
        r = self.srv.get("/api/v1/norms", token=self.api)
        self.assertEqual(r.status, 200, r)
        doc = r.json()
        self.assertEqual(doc["version"], 0)  # the defaults
        self.assertEqual(doc["calendar"]["hours"]["mon"], ["08:00-17:00"])
        self.assertIn({"metric": "first_response", "channel": "telefoon",
                       "categoryId": None, "teamId": None,
                       "targetSeconds": 25, "clock": "calendar",
                       "warnSeconds": 5}, doc["norms"])
        # Agents may read but not change them.
        self.put_norms(NORMS, token=self.api, expect=403)
        r = self.put_norms(dict(NORMS, calendar={
            "hours": {"sat": ["10:00-13:00"]}, "closedDays": ["2026-12-24"]}))
        self.assertEqual(r.json()["version"], 1)
        got = self.srv.get("/api/v1/norms", token=self.api).json()
        self.assertEqual(got["version"], 1)
        self.assertEqual(got["calendar"]["hours"]["sat"], ["10:00-13:00"])
        self.assertEqual(got["calendar"]["closedDays"], ["2026-12-24"])
        self.assertEqual(len(got["norms"]), 5)
        # What GET gives, PUT takes back (its version is ignored).
        self.assertEqual(self.put_norms(got).json()["version"], 2)
        for bad, field in (
                ({"norms": [{"metric": "speed", "targetSeconds": 1,
                             "clock": "calendar"}]}, "/norms/0/metric"),
                ({"norms": [], "calendar": {"hours": {"mon": ["9-5"]}}},
                 "/calendar/hours/mon"),
                ({"norms": [{"metric": "resolution", "targetSeconds": 1,
                             "clock": "calendar", "teamId": "nope"}]},
                 "/norms/0/teamId")):
            r = self.put_norms(bad, expect=422)
            self.assertProblem(r, 422, field=field)
        # Audited and announced.
        rows = db_query(self.data, "SELECT count(*) FROM audit_log"
                        " WHERE action = 'norms.updated'")
        self.assertEqual(rows[0][0], 2)
        rows = db_query(self.data, "SELECT payload FROM events"
                        " WHERE type = 'norms.updated' ORDER BY seq")
        self.assertEqual([r[0] for r in rows],
                         ['{"version":1}', '{"version":2}'])

    def test_live_state_breached_first(self):
        self.put_norms(NORMS)
        email = new_conversation(self.srv, self.api, "Vraag", "email",
                                 name="Els")["id"]
        chat = new_conversation(self.srv, self.api, "Hallo", "chat",
                                name="Chris")["id"]
        time.sleep(1.2)  # the chat's one second passes
        items = self.state()["items"]
        self.assertEqual([i["id"] for i in items], [chat, email])
        fr = [n for n in items[0]["norms"]
              if n["metric"] == "first_response"][0]
        self.assertEqual(fr["state"], "breached")
        self.assertLess(fr["leftSeconds"], 0)
        fr = [n for n in items[1]["norms"]
              if n["metric"] == "first_response"][0]
        self.assertEqual(fr["state"], "ok")
        self.assertGreater(fr["leftSeconds"], 3500)
        res = [n for n in items[1]["norms"] if n["metric"] == "resolution"][0]
        self.assertEqual(res["state"], "warning")  # warns a whole day ahead
        # The answer stops the first clock; pending pauses the rest.
        self.message(chat, "outbound")
        patch_conversation(self.srv, self.api, chat, {"status": "pending"})
        self.assertEqual(self.state(conversationId=chat)["items"], [])
        self.assertEqual([i["id"] for i in self.state()["items"]], [email])
        # The resident answers: open again, a next response is owed.
        self.message(chat, "inbound")
        got = self.state(conversationId=chat)["items"][0]
        self.assertEqual(sorted(n["metric"] for n in got["norms"]),
                         ["next_response", "resolution"])
        # A callback with a slot in the past is the most overdue of all.
        r = self.srv.post_json("/api/v1/tasks", {
            "conversationId": email, "kind": "callback",
            "action": "Terugbellen", "deadline": int(time.time() * 1000) -
            60000}, token=self.api)
        self.assertEqual(r.status, 201, r)
        task = r.json()["id"]
        items = self.state()["items"]
        self.assertEqual(items[0]["id"], task)
        self.assertEqual(items[0]["kind"], "callback")
        self.assertEqual(items[0]["norms"][0]["state"], "breached")
        # Paging follows the same order.
        page = self.state(limit=1)
        self.assertEqual(page["items"][0]["id"], task)
        nxt = self.state(limit=1, after=page["next"])
        self.assertEqual(nxt["items"][0]["id"], items[1]["id"])
        r = self.srv.get("/api/v1/norms/state?after=bad", token=self.api)
        self.assertProblem(r, 400)

    def test_figures_csv_and_metrics(self):
        self.put_norms(NORMS)
        a = new_conversation(self.srv, self.api, "Vraag", "email",
                             name="Anna")["id"]
        b = new_conversation(self.srv, self.api, "Vraag", "email",
                             name="Bert")["id"]
        c = new_conversation(self.srv, self.api, "Vraag", "telefoon",
                             name="Cor")["id"]
        self.message(a, "outbound")
        patch_conversation(self.srv, self.api, a, {"status": "resolved"})
        self.message(b, "outbound")
        self.message(b, "inbound")
        patch_conversation(self.srv, self.api, b, {"status": "resolved"})
        r = self.srv.post_json("/api/v1/tasks", {
            "conversationId": c, "kind": "callback", "action": "Bellen",
            "deadline": int(time.time() * 1000) + 3600000}, token=self.api)
        patch = self.srv.request("PATCH", "/api/v1/tasks/" + r.json()["id"],
                                 json_body={"status": "verwerkt"},
                                 token=self.api)
        self.assertEqual(patch.status, 200, patch)

        r = self.figures()
        self.assertEqual(r.status, 200, r)
        doc = hourly = r.json()
        t = doc["total"]
        self.assertEqual(t["conversations"], 3)
        self.assertEqual(t["firstResponse"]["count"], 2)
        self.assertEqual(t["firstResponse"]["withinNorm"], 2)
        self.assertEqual(t["firstResponse"]["share"], 1.0)
        self.assertEqual(t["resolution"]["count"], 2)
        self.assertEqual(t["firstContactResolution"]["firstContact"], 1)
        self.assertEqual(t["firstContactResolution"]["share"], 0.5)
        self.assertEqual(t["callbacks"]["done"], 1)
        self.assertEqual(t["callbacks"]["onTime"], 1)
        self.assertEqual(doc["backlog"]["open"], 1)
        self.assertIn(len(doc["buckets"]), (4, 5))  # whole hours
        self.assertEqual(sum(x["conversations"] for x in doc["buckets"]), 3)
        # Per channel.
        doc = self.figures("&channel=telefoon").json()
        self.assertEqual(doc["total"]["conversations"], 1)
        self.assertEqual(doc["backlog"]["open"], 1)
        # Day buckets are Amsterdam days.
        doc = self.figures("&granularity=day").json()
        self.assertEqual(doc["granularity"], "day")
        self.assertEqual(doc["total"]["conversations"], 3)
        # CSV, by Accept or by format.
        for r in (self.figures(headers={"Accept": "text/csv"}),
                  self.figures("&format=csv")):
            self.assertEqual(r.status, 200, r)
            self.assertTrue(r.content_type.startswith("text/csv"))
            rows = list(csv.DictReader(io.StringIO(r.text)))
            self.assertEqual(rows[-1]["start"], "total")
            self.assertEqual(rows[-1]["conversations"], "3")
            self.assertEqual(rows[-1]["first_response_within_norm_share"],
                             "1.0000")
            self.assertEqual(len(rows), len(hourly["buckets"]) + 1)
        # Supervisors only; bad parameters.
        self.assertEqual(self.figures(token=self.api).status, 403)
        for q in ("&granularity=week", "&channel=fax", "&teamId=x",
                  "&format=xml"):
            self.assertProblem(self.figures(q), 400)
        r = self.srv.get("/api/v1/figures?from=0&to=%d" % (
            40 * 86400000), token=self.sup)
        self.assertProblem(r, 400)
        # The same figures on /metrics, per channel.
        m = self.srv.metrics()
        self.assertEqual(metric(m, "loket_conversations_created_total",
                                channel="email"), 2)
        self.assertEqual(metric(m, "loket_first_responses_within_norm_total",
                                channel="email"), 2)
        self.assertEqual(metric(m, "loket_resolved_conversations",
                                channel="email"), 2)
        self.assertEqual(metric(m, "loket_backlog_conversations",
                                channel="telefoon"), 1)
        self.assertEqual(metric(m, "loket_callbacks_on_time",
                                channel="telefoon"), 1)

    def test_occupancy(self):
        user = add_staff_user(self.data, "agent@example.nl", name="Agent")
        r = self.srv.post_json("/api/v1/agents", {"userId": user},
                               token=self.sup)
        self.assertEqual(r.status, 201, r)
        agent = r.json()["id"]
        r = self.srv.request("PUT", "/api/v1/agents/%s/presence" % agent,
                             json_body={"presence": "available"},
                             token=self.sup)
        self.assertEqual(r.status, 200, r)
        conv = new_conversation(self.srv, self.api, "Vraag", "chat",
                                name="Dirk")["id"]
        r = self.srv.post_json("/api/v1/conversations/%s/assignment" % conv,
                               {"assigneeId": agent}, token=self.api)
        self.assertIn(r.status, (200, 409), r)  # or the assigner was first
        time.sleep(0.3)
        occ = self.figures().json()["occupancy"]
        self.assertEqual([a["agentId"] for a in occ["agents"]], [agent])
        self.assertGreater(occ["agents"][0]["onlineSeconds"], 0.2)
        self.assertGreater(occ["agents"][0]["busySeconds"], 0.1)
        self.assertLessEqual(occ["busySeconds"], occ["onlineSeconds"])

    def test_rebuild_equals_live_after_restart(self):
        self.put_norms(NORMS)
        team = self.srv.post_json("/api/v1/teams", {"name": "Burgerzaken"},
                                  token=self.sup).json()["id"]
        convs = []
        for i, ch in enumerate(["email", "chat", "telefoon", "email"]):
            convs.append(new_conversation(self.srv, self.api, "V%d" % i, ch,
                                          name="Inwoner %d" % i)["id"])
        self.message(convs[0], "outbound")
        patch_conversation(self.srv, self.api, convs[0], {"status": "pending"})
        self.message(convs[0], "inbound")
        patch_conversation(self.srv, self.api, convs[1], {"teamId": team})
        self.message(convs[1], "outbound")
        patch_conversation(self.srv, self.api, convs[1],
                           {"status": "resolved"})
        self.message(convs[1], "inbound")  # reopened
        patch_conversation(self.srv, self.api, convs[1],
                           {"status": "resolved"})
        r = self.srv.post_json("/api/v1/tasks", {
            "conversationId": convs[2], "kind": "callback",
            "action": "Bellen"}, token=self.api)
        task = r.json()["id"]
        self.srv.request("PATCH", "/api/v1/tasks/" + task,
                         json_body={"status": "verwerkt"}, token=self.api)
        self.put_norms({"norms": [{"metric": "resolution",
                                   "targetSeconds": 60,
                                   "clock": "calendar"}]})
        patch_conversation(self.srv, self.api, convs[3],
                           {"status": "resolved"})
        # An agent online for a while, then offline: occupancy rows.
        user = add_staff_user(self.data, "agent@example.nl", name="Agent")
        agent = self.srv.post_json("/api/v1/agents", {"userId": user},
                                   token=self.sup).json()["id"]
        for presence in ("available", "offline"):
            r = self.srv.request("PUT", "/api/v1/agents/%s/presence" % agent,
                                 json_body={"presence": presence},
                                 token=self.sup)
            self.assertEqual(r.status, 200, r)
            time.sleep(0.05)
        # Restart, then compare with figures recomputed from scratch.
        self.srv.stop()
        live = snapshot(self.data)
        self.assertGreater(len(live["measure_counts"]), 4)
        self.assertGreater(len(live["measure_hist"]), 4)
        self.assertEqual(len(live["measure_conv"]), 4)
        # The daily counter and histogram rows (0024) are written once a
        # day is over (0028; the unit test crosses days): not today's.
        self.assertGreaterEqual(len(live["measure_occupancy_day"]), 1)
        p = run_cli("figures", "rebuild", data=self.data)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"rebuilt from \d+ events")
        rebuilt = snapshot(self.data)
        for t in TABLES:
            self.assertEqual(live[t], rebuilt[t], t)
        # And the API serves the same after the restart.
        self.srv = self.start_server(self.data)
        doc = self.figures().json()
        self.assertEqual(doc["total"]["conversations"], 4)
        self.assertEqual(doc["total"]["resolution"]["count"], 2)
        self.assertEqual(doc["total"]["reopened"], 1)
        # By team: the team got its conversation after creation, so it
        # holds the resolution but not the creation.
        self.assertEqual(doc["backlog"]["open"], 2)
        doc = self.figures("&teamId=" + team).json()
        self.assertEqual(doc["total"]["conversations"], 0)
        self.assertEqual(doc["total"]["resolution"]["count"], 1)
        # It moved into the team's backlog and out of it again.
        self.assertEqual(doc["backlog"]["open"], 0)
        self.assertEqual(doc["total"]["backlogIn"], 2)
        self.assertEqual(doc["total"]["backlogOut"], 2)
        doc = self.figures("&teamId=%s&channel=chat" % team).json()
        self.assertEqual(doc["total"]["resolution"]["count"], 1)
        doc = self.figures("&teamId=%s&channel=email" % team).json()
        self.assertEqual(doc["total"]["resolution"]["count"], 0)
        # A rebuild from an emptied table arrives at the same rows too.
        self.srv.stop()
        p = run_cli("figures", "rebuild", data=self.data)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(snapshot(self.data), live)
        p = run_cli("figures", "frobnicate", data=self.data)
        self.assertEqual(p.returncode, 2)


if __name__ == "__main__":
    main()
