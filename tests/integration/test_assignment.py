"""Assignment: by hand (POST .../assignment, .../claim) and round robin.

Conversations are made and changed through the conversation endpoints
(POST /api/v1/conversations, PATCH .../{id}, POST .../messages), so the
assigner reacts to the events they really emit: a resolve frees an
agent's room, an inbound message re-opens and re-queues.  The database is
only read, to see assignments the answers do not show.
"""

import os
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loketlib  # noqa: E402
from loketlib import (LoketTestCase, add_staff_user,  # noqa: E402
                      create_token, db_query, new_conversation,
                      patch_conversation, wait_until)


def assignee(data, conv):
    return db_query(data, "SELECT assignee_id FROM conversations"
                    " WHERE id = ?", (conv,))[0][0]


class Base(LoketTestCase):
    def setUp(self):
        self.data = self.make_data_dir()
        _, self.admin = create_token(self.data, "admin", "admin")
        _, self.api = create_token(self.data, "system", "api")
        _, self.conf = create_token(self.data, "trusted", "api confidential")
        self.srv = self.start_server(self.data)
        self.n = 0

    def conv(self, team=None, confidential=False):
        """A resident's new conversation, as the web form makes it."""
        self.n += 1
        extra = {"teamId": team} if team else {}
        return new_conversation(
            self.srv, self.conf if confidential else self.api,
            "Vraag %d" % self.n, "webformulier", name="Inwoner %d" % self.n,
            confidential=confidential, **extra)["id"]

    def patch(self, conv, body):
        return patch_conversation(self.srv, self.api, conv, body)

    def send(self, method, path, body=None, token=None):
        return self.srv.request(method, path, json_body=body,
                                token=token or self.admin)

    def agent(self, capacity=5, teams=(), presence=None):
        self.n += 1
        user = add_staff_user(self.data, "agent%d@example.nl" % self.n,
                              name="Agent %d" % self.n)
        r = self.srv.post_json("/api/v1/agents",
                               {"userId": user, "capacity": capacity,
                                "teamIds": list(teams)}, token=self.admin)
        self.assertEqual(r.status, 201, r)
        a = r.json()["id"]
        if presence:
            self.presence(a, presence)
        return a

    def presence(self, agent, p):
        r = self.send("PUT", "/api/v1/agents/%s/presence" % agent,
                      {"presence": p})
        self.assertEqual(r.status, 200, r)

    def team(self, name):
        r = self.srv.post_json("/api/v1/teams", {"name": name},
                               token=self.admin)
        self.assertEqual(r.status, 201, r)
        return r.json()["id"]

    def assign(self, conv, body, token=None):
        return self.srv.post_json(
            "/api/v1/conversations/%s/assignment" % conv, body,
            token=token or self.api)

    def claim(self, conv, agent, token=None, conn=None):
        return self.srv.post_json("/api/v1/conversations/%s/claim" % conv,
                                  {"agentId": agent},
                                  token=token or self.api, conn=conn)

    def wait_assigned(self, conv, who, timeout=5.0):
        wait_until(lambda: assignee(self.data, conv) == who, timeout,
                   what="%s assigned to %s" % (conv, who))


class Manual(Base):
    def test_assign_and_unassign(self):
        a = self.agent()
        b = self.agent()
        t = self.team("Burgerzaken")
        conv = self.conv()
        r = self.assign(conv, {"assigneeId": a, "teamId": t})
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual((body["conversationId"], body["assigneeId"],
                          body["previousAssigneeId"], body["teamId"],
                          body["version"], body["changed"]),
                         (conv, a, None, t, 2, True))
        self.assertEqual(
            db_query(self.data, "SELECT assignee_id, team_id, waiting_since,"
                     " version FROM conversations WHERE id = ?", (conv,)),
            [(a, t, None, 2)])
        # Reassign with the version seen; a stale version is refused.
        r = self.assign(conv, {"assigneeId": b, "version": 2})
        self.assertEqual(r.json()["previousAssigneeId"], a)
        r = self.assign(conv, {"assigneeId": a, "version": 2})
        p = self.assertProblem(r, 409, "version-mismatch")
        self.assertEqual(p["assigneeId"], b)
        # Unassigned, an open conversation waits in the queue again.
        r = self.assign(conv, {"assigneeId": None})
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.json()["assigneeId"])
        row = db_query(self.data, "SELECT assignee_id, waiting_since"
                       " FROM conversations WHERE id = ?", (conv,))[0]
        self.assertIsNone(row[0])
        self.assertIsNotNone(row[1])
        # Events and audit entries, one per change.
        events = db_query(self.data, "SELECT payload FROM events WHERE"
                          " type = 'conversation.assigned' AND subject = ?"
                          " ORDER BY seq", (conv,))
        self.assertEqual(len(events), 3)
        self.assertIn('"via":"manual"', events[0][0])
        self.assertEqual(
            db_query(self.data, "SELECT COUNT(*) FROM audit_log WHERE"
                     " action = 'conversation.assigned' AND subject = ?",
                     (conv,)), [(3,)])

    def test_ids_that_name_nothing(self):
        a = self.agent()
        t = self.team("T")
        conv = self.conv()
        unknown = str(uuid.uuid4())
        cases = [
            (unknown, {"assigneeId": a}),          # unknown conversation
            ("nope", {"assigneeId": a}),           # malformed
            (conv, {"assigneeId": unknown}),       # unknown agent
            (conv, {"assigneeId": "usr_1"}),       # malformed agent
            (conv, {"assigneeId": t}),             # a team is no agent
            (conv, {"assigneeId": a, "teamId": unknown}),
            (conv, {"assigneeId": a, "teamId": a}),  # an agent is no team
        ]
        for cid, body in cases:
            with self.subTest(conv=cid, body=body):
                self.assertProblem(self.assign(cid, body), 404, "not-found")
                if "teamId" not in body:
                    self.assertProblem(self.claim(cid, body["assigneeId"]),
                                       404, "not-found")
        self.assertIsNone(assignee(self.data, conv))
        # Confidential: unknown to a caller who may not see it.
        secret = self.conv(confidential=True)
        self.assertProblem(self.assign(secret, {"assigneeId": a}), 404)
        self.assertProblem(self.claim(secret, a), 404)
        r = self.assign(secret, {"assigneeId": a}, token=self.conf)
        self.assertProblem(r, 422, field="/assigneeId")  # agent role

    def test_validation(self):
        a = self.agent()
        conv = self.conv()
        for body, field in (({}, "/assigneeId"),
                            ({"assigneeId": 5}, "/assigneeId"),
                            ({"assigneeId": a, "version": 0}, "/version"),
                            ({"assigneeId": a, "teamId": 7}, "/teamId")):
            with self.subTest(body=body):
                self.assertProblem(self.assign(conv, body), 422, field=field)
        self.assertProblem(self.assign(conv, {"assigneeId": a, "x": 1}), 422)
        # An inactive agent takes no conversations.
        r = self.send("PATCH", "/api/v1/agents/" + a, {"active": False})
        self.assertEqual(r.status, 200)
        self.assertProblem(self.assign(conv, {"assigneeId": a}), 422,
                           field="/assigneeId")
        # A token claims for the agent it names.
        r = self.srv.request("POST", "/api/v1/conversations/%s/claim" % conv,
                             token=self.api)
        self.assertProblem(r, 422, field="/agentId")

    def test_claim(self):
        a = self.agent()
        b = self.agent()
        conv = self.conv()
        r = self.claim(conv, a)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["assigneeId"], r.json()["changed"]),
                         (a, True))
        # Claiming one's own again changes nothing.
        r = self.claim(conv, a)
        self.assertEqual((r.status, r.json()["changed"]), (200, False))
        r = self.claim(conv, b)
        p = self.assertProblem(r, 409, "already-assigned")
        self.assertEqual((p["assigneeId"], p["assigneeName"]), (a, "Agent 1"))
        self.assertIn("Agent 1", p["detail"])
        self.assertEqual(assignee(self.data, conv), a)

    def test_concurrent_claims_exactly_one_wins(self):
        agents = [self.agent(), self.agent()]
        convs = [self.conv() for _ in range(25)]
        results = {}

        def claimer(i):
            c = self.srv.connection()
            try:
                for conv in convs:
                    barrier.wait(10)
                    results[(conv, i)] = self.claim(conv, agents[i], conn=c)
            finally:
                c.close()

        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=claimer, args=(i,))
                   for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        wins = {0: 0, 1: 0}
        for conv in convs:
            rs = [results[(conv, 0)], results[(conv, 1)]]
            statuses = sorted(r.status for r in rs)
            self.assertEqual(statuses, [200, 409], rs)
            winner = 0 if rs[0].status == 200 else 1
            wins[winner] += 1
            p = rs[1 - winner].json()
            self.assertEqual(p["type"], "urn:loket:problem:already-assigned")
            self.assertEqual(p["assigneeId"], agents[winner])
            self.assertEqual(assignee(self.data, conv), agents[winner])
            self.assertEqual(
                db_query(self.data, "SELECT COUNT(*) FROM events WHERE"
                         " type = 'conversation.assigned' AND subject = ?",
                         (conv,)), [(1,)])
        self.assertEqual(wins[0] + wins[1], len(convs))


class RoundRobin(Base):
    def test_presence_capacity_and_team(self):
        ta = self.team("Burgerzaken")
        tb = self.team("Belastingen")
        a1 = self.agent(capacity=1, teams=[ta])
        a2 = self.agent(capacity=1, teams=[ta])
        b1 = self.agent(capacity=5, teams=[tb])
        qa = [self.conv(ta) for i in range(3)]  # oldest first
        qb = self.conv(tb)
        time.sleep(1.5)  # passes ran: everyone is offline
        self.assertEqual([assignee(self.data, c) for c in qa + [qb]],
                         [None] * 4)
        # Available agents of team A take its two oldest, one each.
        self.presence(a1, "available")
        self.wait_assigned(qa[0], a1)
        self.presence(a2, "available")
        self.wait_assigned(qa[1], a2)
        time.sleep(1.5)
        self.assertIsNone(assignee(self.data, qa[2]))  # both full
        self.assertIsNone(assignee(self.data, qb))  # b1 is offline
        # Busy agents take nothing; available ones of another team neither.
        self.presence(b1, "busy")
        time.sleep(1.2)
        self.assertIsNone(assignee(self.data, qb))
        self.presence(b1, "available")
        self.wait_assigned(qb, b1)
        self.assertIsNone(assignee(self.data, qa[2]))
        # Raising a capacity frees room at once.
        r = self.send("PATCH", "/api/v1/agents/" + a2, {"capacity": 2})
        self.assertEqual(r.status, 200, r)
        self.wait_assigned(qa[2], a2)
        r = self.srv.get("/api/v1/agents/" + a2, token=self.api)
        self.assertEqual(r.json()["load"], 2)
        events = db_query(self.data, "SELECT payload FROM events WHERE"
                          " type = 'conversation.assigned' AND subject = ?",
                          (qa[2],))
        self.assertEqual(len(events), 1)
        self.assertIn('"via":"round_robin"', events[0][0])

    def test_reoffered_when_an_agent_frees_up(self):
        t = self.team("KCC")
        a = self.agent(capacity=1, teams=[t], presence="available")
        first = self.conv(t)
        self.wait_assigned(first, a)
        waiting = [self.conv(t)
                   for _ in range(2)]
        time.sleep(1.5)
        self.assertEqual([assignee(self.data, c) for c in waiting],
                         [None, None])
        # Resolving one lets the next queued one come to the same agent:
        # the PATCH's conversation.updated wakes the assigner, well
        # before its once-a-second pass.
        t0 = time.monotonic()
        self.assertEqual(self.patch(first, {"status": "resolved"})
                         ["status"], "resolved")
        self.wait_assigned(waiting[0], a)
        self.assertLess(time.monotonic() - t0, 0.9)
        self.assertIsNone(assignee(self.data, waiting[1]))
        # An agent joining the team is offered the rest at once.
        other = self.agent(capacity=1, presence="available")
        r = self.send("PUT", "/api/v1/teams/%s/members/%s" % (t, other))
        self.assertEqual(r.status, 204)
        self.wait_assigned(waiting[1], other)

    def test_reopened_by_a_message_is_queued_again(self):
        t = self.team("Wonen")
        a = self.agent(capacity=1, teams=[t])
        conv = self.conv(t)
        # Resolved while nobody had it: out of the queue.
        self.patch(conv, {"status": "resolved"})
        self.assertEqual(
            db_query(self.data, "SELECT assignee_id, waiting_since FROM"
                     " conversations WHERE id = ?", (conv,)), [(None, None)])
        self.presence(a, "available")
        time.sleep(1.2)
        self.assertIsNone(assignee(self.data, conv))
        # The resident writes again: open, queued, and offered at once.
        r = self.srv.post_json("/api/v1/conversations/%s/messages" % conv,
                               {"direction": "inbound",
                                "content": "Toch nog een vraag"},
                               token=self.api)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["conversation"]["status"], "open")
        self.wait_assigned(conv, a, timeout=0.9)
        # Pending on the resident leaves the queue too; an inbound
        # message brings it back to its agent's list, not the queue.
        self.patch(conv, {"status": "pending"})
        r = self.srv.post_json("/api/v1/conversations/%s/messages" % conv,
                               {"direction": "inbound", "content": "Hier"},
                               token=self.api)
        self.assertEqual(r.json()["conversation"]["status"], "open")
        self.assertEqual(assignee(self.data, conv), a)
        # Re-opened by hand after an unassignment: queued again.
        self.presence(a, "away")
        r = self.assign(conv, {"assigneeId": None})
        self.assertEqual(r.status, 200, r)
        self.patch(conv, {"status": "resolved"})
        self.patch(conv, {"status": "open"})
        self.assertIsNotNone(
            db_query(self.data, "SELECT waiting_since FROM conversations"
                     " WHERE id = ?", (conv,))[0][0])
        self.presence(a, "available")
        self.wait_assigned(conv, a)

    def test_conversations_without_team_go_to_any_agent(self):
        t = self.team("Zorg")
        a = self.agent(teams=[t], presence="available")
        conv = self.conv()
        self.wait_assigned(conv, a)

    def test_snoozed_conversation_wakes(self):
        a = self.agent()  # offline while the conversations are made
        conv = self.conv()
        mine = self.conv()
        self.assertEqual(self.assign(mine, {"assigneeId": a}).status, 200)
        until = int(time.time() * 1000) + 1500
        for c in (conv, mine):
            got = self.patch(c, {"status": "snoozed", "snoozedUntil": until})
            self.assertEqual((got["status"], got["snoozedUntil"]),
                             ("snoozed", until))
        mark = db_query(self.data, "SELECT MAX(seq) FROM events")[0][0]
        self.presence(a, "available")
        time.sleep(0.5)
        self.assertEqual(db_query(self.data, "SELECT status FROM"
                                  " conversations WHERE id = ?", (conv,)),
                         [("snoozed",)])
        self.assertIsNone(assignee(self.data, conv))
        self.wait_assigned(conv, a, timeout=6)
        self.assertGreaterEqual(int(time.time() * 1000), until)
        rows = db_query(self.data, "SELECT id, status, snoozed_until"
                        " FROM conversations ORDER BY id")
        self.assertEqual(sorted(rows), sorted([(conv, "open", None),
                                               (mine, "open", None)]))
        self.assertEqual(assignee(self.data, mine), a)
        events = db_query(self.data, "SELECT subject FROM events WHERE"
                          " type = 'conversation.updated' AND seq > ?",
                          (mark,))
        self.assertEqual(sorted(e[0] for e in events), sorted([conv, mine]))

    def test_oldest_first_in_turns(self):
        t = self.team("Vergunningen")
        convs = [self.conv(t) for i in range(6)]
        agents = [self.agent(capacity=2, teams=[t]) for _ in range(3)]
        for a in agents:
            self.presence(a, "available")
        wait_until(lambda: all(assignee(self.data, c) for c in convs), 6,
                   what="every conversation assigned")
        counts = {}
        for c in convs:
            counts[assignee(self.data, c)] = counts.get(
                assignee(self.data, c), 0) + 1
        self.assertEqual(sorted(counts.values()), [2, 2, 2])


if __name__ == "__main__":
    loketlib.main()
