"""/api/v1/agents and /api/v1/teams: making staff agents, presence,
capacity, teams and their members; who may do what; ids that name nothing;
text stored verbatim."""

import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loketlib  # noqa: E402
from loketlib import (LoketTestCase, add_staff_user, create_token,  # noqa: E402
                      db_query)

HTML_NAME = '<script>alert("x")</script> & <b>Team</b> \u00e9\u00e9n'


class Base(LoketTestCase):
    def setUp(self):
        self.data = self.make_data_dir()
        _, self.admin = create_token(self.data, "admin", "admin")
        _, self.api = create_token(self.data, "system", "api")
        self.srv = self.start_server(self.data)

    def post(self, path, body, token=None):
        return self.srv.post_json(path, body, token=token or self.admin)

    def send(self, method, path, body=None, token=None):
        return self.srv.request(method, path, json_body=body,
                                token=token or self.admin)

    def make_agent(self, email, **extra):
        user = add_staff_user(self.data, email, name=email.split("@")[0])
        body = {"userId": user}
        body.update(extra)
        r = self.post("/api/v1/agents", body)
        self.assertEqual(r.status, 201, r)
        return r.json()

    def make_team(self, name="Burgerzaken"):
        r = self.post("/api/v1/teams", {"name": name})
        self.assertEqual(r.status, 201, r)
        return r.json()


class Agents(Base):
    def test_create_list_get(self):
        team = self.make_team()
        user = add_staff_user(self.data, "anna@example.nl", name="Anna")
        r = self.post("/api/v1/agents", {"userId": user, "capacity": 3,
                                         "teamIds": [team["id"]]})
        self.assertEqual(r.status, 201, r)
        a = r.json()
        self.assertEqual(r.header("Location"), "/api/v1/agents/" + a["id"])
        uuid.UUID(a["id"])
        self.assertEqual((a["name"], a["userId"], a["capacity"],
                          a["presence"], a["active"], a["load"]),
                         ("Anna", user, 3, "offline", True, 0))
        self.assertEqual(a["teams"], [{"id": team["id"],
                                       "name": "Burgerzaken"}])
        # The row is an actor of kind medewerker linked to the account.
        self.assertEqual(
            db_query(self.data, "SELECT kind, user_id FROM actors"
                     " WHERE id = ?", (a["id"],)),
            [("medewerker", user)])
        # Listed and readable by any caller with the api scope.
        r = self.srv.get("/api/v1/agents", token=self.api)
        self.assertEqual(r.status, 200, r)
        self.assertEqual([x["id"] for x in r.json()["items"]], [a["id"]])
        self.assertIsNone(r.json()["next"])
        r = self.srv.get("/api/v1/agents/" + a["id"], token=self.api)
        self.assertEqual(r.json(), a)
        # An event and an audit entry.
        self.assertEqual(
            db_query(self.data, "SELECT COUNT(*) FROM events WHERE"
                     " type = 'agent.updated' AND subject = ?", (a["id"],)),
            [(1,)])
        self.assertEqual(
            db_query(self.data, "SELECT action FROM audit_log WHERE"
                     " subject = ?", (a["id"],)), [("agent.created",)])

    def test_create_twice_is_a_conflict(self):
        user = add_staff_user(self.data, "bob@example.nl")
        self.assertEqual(self.post("/api/v1/agents", {"userId": user}).status,
                         201)
        r = self.post("/api/v1/agents", {"userId": user})
        self.assertProblem(r, 409, "already-an-agent", field="/userId")
        self.assertEqual(db_query(self.data, "SELECT COUNT(*) FROM actors"),
                         [(1,)])

    def test_unknown_ids_in_the_body(self):
        user = add_staff_user(self.data, "carla@example.nl")
        for body in ({"userId": "usr_0000000000000000"},
                     {"userId": "usr_../../etc"},
                     {"userId": user, "teamIds": [str(uuid.uuid4())]},
                     {"userId": user, "teamIds": ["not-a-uuid"]}):
            with self.subTest(body=body):
                self.assertProblem(self.post("/api/v1/agents", body), 404,
                                   "not-found")
        # An agent's id is no team id.
        a = self.make_agent("dirk@example.nl")
        user2 = add_staff_user(self.data, "eva@example.nl")
        self.assertProblem(self.post("/api/v1/agents", {
            "userId": user2, "teamIds": [a["id"]]}), 404)
        # Nothing half-made.
        self.assertEqual(db_query(self.data, "SELECT COUNT(*) FROM actors"),
                         [(1,)])

    def test_validation(self):
        user = add_staff_user(self.data, "fleur@example.nl")
        cases = [({"userId": user, "capacity": 101}, "/capacity"),
                 ({"userId": user, "capacity": -1}, "/capacity"),
                 ({"userId": user, "capacity": "3"}, "/capacity"),
                 ({"userId": user, "name": "a\u0007b"}, "/name"),
                 ({"userId": user, "name": ""}, "/name"),
                 ({"userId": user, "teamIds": "x"}, "/teamIds"),
                 ({"userId": 5}, "/userId"),
                 ({}, "/userId")]
        for body, field in cases:
            with self.subTest(body=body):
                self.assertProblem(self.post("/api/v1/agents", body), 422,
                                   field=field)
        r = self.post("/api/v1/agents", {"userId": user, "role": "admin"})
        self.assertProblem(r, 422)

    def test_only_supervisors_make_and_change_agents(self):
        user = add_staff_user(self.data, "gijs@example.nl")
        self.assertProblem(self.post("/api/v1/agents", {"userId": user},
                                     token=self.api), 403,
                           "insufficient-role")
        a = self.make_agent("hans@example.nl")
        r = self.send("PATCH", "/api/v1/agents/" + a["id"], {"capacity": 9},
                      token=self.api)
        self.assertProblem(r, 403, "insufficient-role")
        self.assertProblem(self.srv.get("/api/v1/agents"), 401)

    def test_patch(self):
        a = self.make_agent("ilse@example.nl")
        r = self.send("PATCH", "/api/v1/agents/" + a["id"],
                      {"capacity": 8, "active": False, "name": HTML_NAME})
        self.assertEqual(r.status, 200, r)
        b = r.json()
        self.assertEqual((b["capacity"], b["active"], b["name"]),
                         (8, False, HTML_NAME))
        self.assertEqual(
            db_query(self.data, "SELECT capacity, active, name FROM actors"
                     " WHERE id = ?", (a["id"],)), [(8, 0, HTML_NAME)])
        for body, field in (({"capacity": 1000}, "/capacity"),
                            ({"active": "no"}, "/active"),
                            ({"presence": "available"}, None)):
            with self.subTest(body=body):
                self.assertProblem(self.send("PATCH", "/api/v1/agents/" +
                                             a["id"], body), 422, field=field)

    def test_presence(self):
        a = self.make_agent("jan@example.nl")
        path = "/api/v1/agents/%s/presence" % a["id"]
        for p in ("available", "busy", "away", "offline", "available"):
            r = self.send("PUT", path, {"presence": p})
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json()["presence"], p)
        self.assertProblem(self.send("PUT", path, {"presence": "lunch"}), 422,
                           field="/presence")
        self.assertProblem(self.send("PUT", path, {}), 422, field="/presence")
        # A system token is not that agent and no supervisor.
        self.assertProblem(self.send("PUT", path, {"presence": "busy"},
                                     token=self.api), 403)
        self.assertEqual(
            db_query(self.data, "SELECT presence FROM actors WHERE id = ?",
                     (a["id"],)), [("available",)])
        self.assertEqual(
            db_query(self.data, "SELECT COUNT(*) FROM events WHERE"
                     " type = 'agent.updated' AND subject = ?", (a["id"],)),
            [(6,)])

    def test_unknown_agent_in_path(self):
        for aid in (str(uuid.uuid4()), "nope", "x" * 200):
            with self.subTest(aid=aid):
                self.assertProblem(self.srv.get("/api/v1/agents/" + aid,
                                                token=self.admin), 404)
                self.assertProblem(self.send("PATCH", "/api/v1/agents/" + aid,
                                             {"capacity": 1}), 404)
                self.assertProblem(self.send(
                    "PUT", "/api/v1/agents/%s/presence" % aid,
                    {"presence": "busy"}), 404)
        # A team's id is no agent's.
        t = self.make_team()
        self.assertProblem(self.send("PATCH", "/api/v1/agents/" + t["id"],
                                     {"capacity": 1}), 404)

    def test_list_is_paged(self):
        ids = sorted(self.make_agent("p%d@example.nl" % i)["id"]
                     for i in range(5))
        seen = []
        path = "/api/v1/agents?limit=2"
        while path:
            r = self.srv.get(path, token=self.api)
            self.assertEqual(r.status, 200, r)
            page = r.json()
            self.assertLessEqual(len(page["items"]), 2)
            seen += [x["id"] for x in page["items"]]
            path = ("/api/v1/agents?limit=2&after=" + page["next"]
                    if page["next"] else None)
        self.assertEqual(seen, ids)
        self.assertProblem(self.srv.get("/api/v1/agents?limit=101",
                                        token=self.api), 400)


class Teams(Base):
    def test_html_in_names_stored_verbatim(self):
        t = self.make_team(HTML_NAME)
        self.assertEqual(t["name"], HTML_NAME)
        r = self.srv.get("/api/v1/teams/" + t["id"], token=self.api)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["name"], HTML_NAME)
        self.assertTrue(r.content_type.startswith("application/json"))
        self.assertIn(b'<script>alert(\\"x\\")</script>', r.body)
        self.assertEqual(
            db_query(self.data, "SELECT kind, name FROM actors WHERE id = ?",
                     (t["id"],)), [("organisatorische_eenheid", HTML_NAME)])

    def test_members(self):
        t = self.make_team()
        a = self.make_agent("kees@example.nl")
        b = self.make_agent("lies@example.nl")
        base = "/api/v1/teams/%s/members/" % t["id"]
        for agent in (a, b, a):  # PUT is idempotent
            r = self.send("PUT", base + agent["id"])
            self.assertEqual(r.status, 204, r)
        r = self.srv.get("/api/v1/teams/" + t["id"], token=self.api)
        team = r.json()
        self.assertEqual(team["memberCount"], 2)
        self.assertEqual(sorted(m["id"] for m in team["members"]),
                         sorted([a["id"], b["id"]]))
        r = self.srv.get("/api/v1/agents/" + a["id"], token=self.api)
        self.assertEqual([x["id"] for x in r.json()["teams"]], [t["id"]])
        self.assertEqual(self.send("DELETE", base + a["id"]).status, 204)
        self.assertProblem(self.send("DELETE", base + a["id"]), 404)
        self.assertEqual(
            db_query(self.data, "SELECT actor_id FROM team_members"),
            [(b["id"],)])
        self.assertEqual(
            db_query(self.data, "SELECT COUNT(*) FROM events WHERE"
                     " type = 'team.updated' AND subject = ?", (t["id"],)),
            [(4,)])  # created, two joined, one left

    def test_member_ids_that_name_nothing(self):
        t = self.make_team()
        a = self.make_agent("mien@example.nl")
        other = self.make_team("Other")
        cases = [(t["id"], str(uuid.uuid4())),       # unknown agent
                 (str(uuid.uuid4()), a["id"]),       # unknown team
                 (t["id"], other["id"]),             # a team is no agent
                 (a["id"], a["id"]),                 # an agent is no team
                 ("zzz", a["id"]), (t["id"], "zzz")]
        for team_id, agent_id in cases:
            with self.subTest(team=team_id, agent=agent_id):
                path = "/api/v1/teams/%s/members/%s" % (team_id, agent_id)
                self.assertProblem(self.send("PUT", path), 404)
        self.assertEqual(db_query(self.data,
                                  "SELECT COUNT(*) FROM team_members"),
                         [(0,)])

    def test_patch_and_permissions(self):
        t = self.make_team()
        r = self.send("PATCH", "/api/v1/teams/" + t["id"],
                      {"name": "Publiekszaken", "active": False})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["name"], r.json()["active"]),
                         ("Publiekszaken", False))
        self.assertProblem(self.send("PATCH", "/api/v1/teams/" + t["id"],
                                     {"name": "x\ny"}), 422, field="/name")
        self.assertProblem(self.send("PATCH", "/api/v1/teams/" +
                                     str(uuid.uuid4()), {"name": "x"}), 404)
        self.assertProblem(self.post("/api/v1/teams", {"name": "x"},
                                     token=self.api), 403)
        self.assertProblem(self.post("/api/v1/teams", {}), 422, field="/name")
        self.assertProblem(self.post("/api/v1/teams", {"name": "a" * 201}),
                           422, field="/name")
        a = self.make_agent("noor@example.nl")
        self.assertProblem(self.send("PUT", "/api/v1/teams/%s/members/%s" %
                                     (t["id"], a["id"]), token=self.api), 403)
        r = self.srv.get("/api/v1/teams", token=self.api)
        self.assertEqual([x["id"] for x in r.json()["items"]], [t["id"]])

    def test_openapi_describes_the_paths(self):
        r = self.srv.get("/api/openapi.json")
        self.assertEqual(r.status, 200, r)
        paths = r.json()["paths"]
        for p in ("/api/v1/agents", "/api/v1/agents/{id}",
                  "/api/v1/agents/{id}/presence", "/api/v1/teams",
                  "/api/v1/teams/{id}",
                  "/api/v1/teams/{id}/members/{agentId}",
                  "/api/v1/conversations/{id}/assignment",
                  "/api/v1/conversations/{id}/claim",
                  "/api/v1/party-merges", "/api/v1/party-merges/{id}"):
            self.assertIn(p, paths)


if __name__ == "__main__":
    loketlib.main()
