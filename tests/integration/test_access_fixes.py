"""Regression tests for access defects found in review: each class guards
one fix (confidential items reaching callers or agents who may not see
them, the KI API's authentication, the BSN reveal, the rate limiter)."""

import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loketlib  # noqa: E402
from loketlib import (LoketTestCase, add_staff_user, create_token,  # noqa: E402
                      db_execute, db_query, insert_conversation, wait_until)


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

    def agent(self, role="agent", presence="available", capacity=5):
        self.n += 1
        user = add_staff_user(self.data, "f%d@example.nl" % self.n,
                              role=role, name="Staff %d" % self.n)
        r = self.srv.post_json("/api/v1/agents",
                               {"userId": user, "capacity": capacity},
                               token=self.admin)
        self.assertEqual(r.status, 201, r)
        a = r.json()["id"]
        r = self.srv.request("PUT", "/api/v1/agents/%s/presence" % a,
                             json_body={"presence": presence},
                             token=self.admin)
        self.assertEqual(r.status, 200, r)
        return a


class ConfidentialAssignment(Base):
    """Fix 1: confidential conversations go to supervisors/admins only."""

    def test_round_robin_skips_agent_role(self):
        ag = self.agent("agent")
        secret = insert_conversation(self.data, confidential=1,
                                     waiting_since=1000)
        plain = insert_conversation(self.data, waiting_since=2000)
        # The plain one behind it is not blocked; the secret one waits.
        wait_until(lambda: assignee(self.data, plain) == ag, 5,
                   what="plain conversation assigned")
        self.assertIsNone(assignee(self.data, secret))
        sup = self.agent("supervisor")
        wait_until(lambda: assignee(self.data, secret) == sup, 5,
                   what="confidential conversation to the supervisor")

    def test_manual_assignment_refuses_agent_role(self):
        ag = self.agent("agent", presence="offline")
        adm = self.agent("admin", presence="offline")
        secret = insert_conversation(self.data, confidential=1)
        path = "/api/v1/conversations/%s/" % secret
        r = self.srv.post_json(path + "assignment", {"assigneeId": ag},
                               token=self.conf)
        self.assertProblem(r, 422, field="/assigneeId")
        r = self.srv.post_json(path + "claim", {"agentId": ag},
                               token=self.conf)
        self.assertProblem(r, 422, field="/agentId")
        self.assertIsNone(assignee(self.data, secret))
        r = self.srv.post_json(path + "assignment", {"assigneeId": adm},
                               token=self.conf)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(assignee(self.data, secret), adm)


def now_ms():
    import time
    return int(time.time() * 1000)


def insert_party(data, name, confidential=0, bsn=None):
    pid = str(uuid.uuid4())
    n = db_query(data, "SELECT COUNT(*) FROM parties")[0][0] + 1
    db_execute(data,
               "INSERT INTO parties (id, nummer, kind, display_name,"
               " confidential, created_at, updated_at)"
               " VALUES (?, ?, 'persoon', ?, ?, ?, ?)",
               (pid, "%010d" % n, name, confidential, now_ms(), now_ms()))
    return pid


class ConfidentialMerge(Base):
    """Fix 2: merging a confidential party makes the survivor confidential."""

    def test_survivor_becomes_confidential(self):
        plain = insert_party(self.data, "Open Baar")
        secret = insert_party(self.data, "Geheim Persoon", confidential=1)
        conv = insert_conversation(self.data, party_id=secret,
                                   confidential=1)
        self.assertEqual(self.srv.get("/api/v1/parties/" + plain,
                                      token=self.api).status, 200)
        r = self.srv.post_json("/api/v1/party-merges",
                               {"survivorId": plain, "mergedId": secret,
                                "reason": "dubbel"}, token=self.admin)
        self.assertEqual(r.status, 201, r)
        mg = r.json()
        self.assertIs(mg["moved"].get("confidential"), True)
        self.assertEqual(db_query(self.data, "SELECT confidential FROM"
                                  " parties WHERE id = ?", (plain,)), [(1,)])
        moved = db_query(self.data, "SELECT moved FROM party_merges")[0][0]
        self.assertIn('"confidential":true', moved)
        details = db_query(self.data, "SELECT details FROM audit_log WHERE"
                           " action = 'party.merged'")[0][0]
        self.assertIn('"confidential":true', details)
        # The merged data is no more visible than it was before.
        for path in ("/api/v1/parties/" + plain,
                     "/api/v1/conversations/" + conv):
            with self.subTest(path=path):
                self.assertProblem(self.srv.get(path, token=self.api), 404)
        self.assertEqual(self.srv.get("/api/v1/parties/" + plain,
                                      token=self.conf).status, 200)


class KiNeedsToken(Base):
    """Fix 3: a staff session cookie does not authenticate on the KI API."""

    def test_session_refused_token_works(self):
        from test_session import Browser
        add_staff_user(self.data, "beheer@example.nl", role="admin")
        b = Browser(self.srv)
        self.assertEqual(b.login("beheer@example.nl").status, 201)
        self.assertEqual(b.request("GET", "/api/v1/conversations").status, 200)
        base = "/klantinteracties/api/v1/"
        for method, path, body in (
                ("GET", base + "partijen", None),
                ("GET", base + "partijen/" + str(uuid.uuid4()), None),
                ("GET", base + "betrokkenen", None),
                ("POST", base + "partijen", {}),
                ("POST", base + "maak-klantcontact", {})):
            with self.subTest(method=method, path=path):
                r = b.request(method, path, json_body=body)
                p = self.assertProblem(r, 401, "unauthenticated")
                self.assertEqual(p["code"], "unauthenticated")
                self.assertEqual(p["status"], 401)
                self.assertTrue(r.header("WWW-Authenticate"))
        # Systems keep working, with either scheme name.
        for scheme in ("Token ", "Bearer "):
            r = self.srv.request("GET", base + "partijen", headers={
                "Authorization": scheme + self.api})
            self.assertEqual(r.status, 200, r)


KI = "/klantinteracties/api/v1/"


def ki_get(srv, path, token):
    return srv.request("GET", KI + path,
                       headers={"Authorization": "Token " + token})


def seed_betrokkene(data, party):
    """A plain contact whose betrokkene is `party`, and an address that
    betrokkene gave; returns (contact, betrokkene, address)."""
    conv = insert_conversation(data)
    contact, inv, addr = (str(uuid.uuid4()) for _ in range(3))
    db_execute(data, "INSERT INTO contacts (id, conversation_id, kind,"
               " channel, subject, content, occurred_at, created_at)"
               " VALUES (?, ?, 'inbound', 'email', 'Paspoort', 'vraag',"
               " ?, ?)", (contact, conv, now_ms(), now_ms()))
    db_execute(data, "INSERT INTO involved (id, contact_id, party_id, role,"
               " created_at) VALUES (?, ?, ?, 'klant', ?)",
               (inv, contact, party, now_ms()))
    db_execute(data, "INSERT INTO digital_addresses (id, party_id,"
               " betrokkene_id, kind, address, address_key, created_at)"
               " VALUES (?, NULL, ?, 'email', 'geheim@example.nl',"
               " 'geheim@example.nl', ?)", (addr, inv, now_ms()))
    return contact, inv, addr


class ConfidentialBetrokkenen(Base):
    """Fix 4: a confidential party's betrokkenen (and what reaches it
    through them) are hidden like the party."""

    def test_hidden_without_confidential(self):
        secret = insert_party(self.data, "Geheim", confidential=1)
        contact, inv, addr = seed_betrokkene(self.data, secret)
        for token, seen in ((self.api, False), (self.conf, True)):
            with self.subTest(confidential=seen):
                r = ki_get(self.srv, "betrokkenen", token)
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json()["count"], 1 if seen else 0)
                r = ki_get(self.srv, "betrokkenen/" + inv, token)
                self.assertEqual(r.status, 200 if seen else 404, r)
                r = ki_get(self.srv, "klantcontacten/%s?expand="
                           "hadBetrokkenen" % contact, token)
                self.assertEqual(r.status, 200, r)
                kc = r.json()
                self.assertEqual(len(kc["hadBetrokkenen"]), 1 if seen else 0)
                self.assertEqual(
                    len(kc["_expand"].get("hadBetrokkenen") or []),
                    1 if seen else 0)
                self.assertEqual(inv in r.text, seen)
                r = ki_get(self.srv, "klantcontacten?hadBetrokkene__"
                           "wasPartij__uuid=" + secret, token)
                self.assertEqual(r.json()["count"], 1 if seen else 0)
                r = ki_get(self.srv, "digitaleadressen", token)
                self.assertEqual(r.json()["count"], 1 if seen else 0)
                r = ki_get(self.srv, "digitaleadressen/" + addr, token)
                self.assertEqual(r.status, 200 if seen else 404, r)
                self.assertEqual("geheim@example.nl" in r.text, seen)


class EventFilter(Base):
    """Fix 5: the event stream withholds events about confidential items
    from subscribers without `confidential`, and user.* from non-admins,
    live and when resumed from the store."""

    def until(self, stream, marker):
        """Events up to and including the one whose data.id is `marker`."""
        out = []
        while True:
            ev = stream.next_event(timeout=10)
            self.assertIsNotNone(ev, "stream ended")
            out.append(ev)
            if ev["json"]["data"].get("id") == marker:
                return out

    def test_filtered_per_subscriber(self):
        _, plain_t = create_token(self.data, "ev", "events api")
        _, conf_t = create_token(self.data, "evc", "events confidential")
        sup = self.agent("supervisor", presence="offline")
        streams = {}
        for name, tok in (("plain", plain_t), ("conf", conf_t),
                          ("admin", self.admin)):
            streams[name] = loketlib.SSEClient(self.srv, token=tok)
            self.addCleanup(streams[name].close)
            self.assertEqual(streams[name].status, 200)
        r = self.srv.post_json("/api/v1/users", {
            "email": "nieuw@example.nl", "role": "agent",
            "password": "correct horse battery staple"}, token=self.admin)
        self.assertEqual(r.status, 201, r)
        secret = insert_conversation(self.data, confidential=1)
        plain = insert_conversation(self.data)
        for conv in (secret, plain):
            r = self.srv.post_json("/api/v1/conversations/%s/assignment"
                                   % conv, {"assigneeId": sup},
                                   token=self.conf)
            self.assertEqual(r.status, 200, r)

        def check(evs, confidential, admin):
            types = [e["json"]["type"] for e in evs]
            ids = [e["json"]["data"].get("id") for e in evs]
            self.assertEqual(secret in ids, confidential, types)
            self.assertEqual(any(t.startswith("user.") for t in types),
                             admin, types)
            for e in evs:
                if e["json"]["data"].get("id") == secret:
                    self.assertIs(e["json"]["data"]["confidential"], True)

        check(self.until(streams["plain"], plain), False, False)
        check(self.until(streams["conf"], plain), True, False)
        check(self.until(streams["admin"], plain), True, True)
        # Resumed from the store after a restart: the same filter.
        for st in streams.values():
            st.close()
        self.srv.stop()
        self.srv = self.start_server(self.data)
        for tok, conf, admin in ((plain_t, False, False),
                                 (conf_t, True, False),
                                 (self.admin, True, True)):
            st = loketlib.SSEClient(self.srv, token=tok, last_event_id=0)
            self.addCleanup(st.close)
            check(self.until(st, plain), conf, admin)


class RevealIsPost(Base):
    """Fix 7: revealing a BSN writes the log, so it is a POST (with CSRF
    for sessions); GET ?reveal=bsn writes nothing and answers 400."""

    def reveals(self):
        return db_query(self.data, "SELECT COUNT(*) FROM processing_log"
                        " WHERE operation = 'reveal-bsn'")[0][0]

    def test_reveal_by_post_only(self):
        from test_residents import schema_errors
        from test_session import Browser
        anna = loketlib.ki_person(self.srv, self.api, "Vries", "Anna")["uuid"]
        loketlib.ki_identifier(self.srv, self.api, anna, "bsn", "123456782")
        path = "/api/v1/parties/" + anna
        # The cross-site link: a GET with a reason writes nothing.
        r = self.srv.get(path + "?reveal=bsn&reason=aanvaller",
                         token=self.api)
        p = self.assertProblem(r, 400, "invalid-parameter", field="reveal")
        self.assertIn("POST", p["detail"])
        self.assertNotIn(b"123456782", r.body)
        self.assertEqual(self.reveals(), 0)
        # The POST shows the number once the row is durable.
        r = self.srv.post_json(path + "/reveal",
                               {"field": "bsn", "reason": "Balie"},
                               token=self.api)
        self.assertEqual(r.status, 200, r)
        ids = {i["type"]: i for i in r.json()["identifiers"]}
        self.assertEqual(ids["bsn"]["objectId"], "123456782")
        rows = db_query(self.data, "SELECT actor, party_id, reason FROM"
                        " processing_log WHERE operation = 'reveal-bsn'")
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][1:], (anna, "Balie"))
        doc = self.srv.get("/api/openapi.json").json()
        op = doc["paths"]["/api/v1/parties/{id}/reveal"]["post"]
        schema = op["responses"]["200"]["content"]["application/json"][
            "schema"]
        self.assertEqual(schema_errors(doc, schema, r.json()), [])
        self.assertProblem(self.srv.post_json(
            path + "/reveal", {"field": "naam", "reason": "x"},
            token=self.api), 422, field="/field")
        # A staff session needs its CSRF token, like every POST.
        add_staff_user(self.data, "balie@example.nl", role="agent")
        b = Browser(self.srv)
        self.assertEqual(b.login("balie@example.nl").status, 201)
        r = b.request("POST", path + "/reveal",
                      json_body={"field": "bsn", "reason": "x"}, csrf=False)
        self.assertProblem(r, 403)
        r = b.request("POST", path + "/reveal",
                      json_body={"field": "bsn", "reason": "Balie"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.reveals(), 2)


if __name__ == "__main__":
    loketlib.main()
