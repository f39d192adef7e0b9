"""The processing log: GET /api/v1/processing-log for supervisors, its
filters and cursor, the log of reading the log, `loket proclog`, and the
append-only rule of the table.

The parties are made through the Klantinteracties API by a token of
their own (so its log rows stay out of the actors under test); the log
rows are written by the server itself through the reads under test.
"""

import json
import os
import shutil
import sqlite3
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import loketlib  # noqa: E402
from loketlib import (create_token, db_path, db_query, ki_identifier,  # noqa
                      ki_person, run_cli, wait_until)


class ProcessingLogTest(loketlib.LoketTestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="loket-test-")
        data = os.path.join(cls.tmp, "data")
        cls.data = data
        cls.agent_id, cls.agent = create_token(data, "kcc", "api")
        cls.other_id, cls.other = create_token(data, "kcc-2", "api")
        cls.admin_id, cls.admin = create_token(data, "toezicht", "admin")
        _, setup = create_token(data, "basisregistratie", "api")
        cls.server = loketlib.Server(data)
        cls.server.start()
        cls.anna = ki_person(cls.server, setup, "Vries", "Anna")["uuid"]
        ki_identifier(cls.server, setup, cls.anna, "bsn", "123456782")
        cls.bert = ki_person(cls.server, setup, "Bakker", "Bert")["uuid"]
        # Known traffic: the agent reads Anna twice and reveals her BSN
        # once, the other token reads Bert.
        cls.read(cls.agent, "/api/v1/parties/" + cls.anna)
        cls.read(cls.agent, "/api/v1/parties/%s/timeline" % cls.anna)
        assert cls.server.post_json(
            "/api/v1/parties/%s/reveal" % cls.anna,
            {"field": "bsn", "reason": "Balie: legitimatie"},
            token=cls.agent).status == 200
        cls.read(cls.other, "/api/v1/parties/" + cls.bert)
        wait_until(lambda: db_query(
            data, "SELECT COUNT(*) FROM processing_log")[0][0] >= 5, 10,
            what="the reads in the log")

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.cleanup()
        finally:
            shutil.rmtree(cls.tmp, True)

    @classmethod
    def read(cls, token, path):
        r = cls.server.get(path, token=token)
        if r.status != 200:
            raise AssertionError("GET %s: %r" % (path, r))
        return r

    def log(self, token=None, **params):
        path = "/api/v1/processing-log"
        if params:
            path += "?" + urllib.parse.urlencode(params)
        return self.server.get(path,
                               token=self.admin if token is None else token)

    def entries(self, **params):
        r = self.log(**params)
        self.assertEqual(r.status, 200, r)
        body = r.json()
        return body["items"], body["next"]

    def test_only_supervisors_and_admins_read_it(self):
        self.assertProblem(self.log(self.agent), 403, "insufficient-role")
        self.assertProblem(self.server.get("/api/v1/processing-log"), 401)
        self.assertEqual(self.log().status, 200)

    def test_filter_by_party(self):
        items, _ = self.entries(partyId=self.anna, limit=200)
        self.assertTrue(items)
        self.assertTrue(all(i["partyId"] == self.anna for i in items))
        ops = [i["operation"] for i in items if i["activity"] == "klantbeeld"]
        self.assertEqual(sorted(ops), ["read", "read", "read", "reveal-bsn"])
        items, _ = self.entries(partyId=self.bert, operation="read")
        self.assertEqual([(i["actor"], i["resource"]) for i in items
                          if i["activity"] == "klantbeeld"],
                         [("token:" + self.other_id, "party/" + self.bert)])

    def test_filter_by_actor_and_operation(self):
        items, _ = self.entries(actor="token:" + self.agent_id, limit=200)
        self.assertGreaterEqual(len(items), 4)
        self.assertTrue(all(i["actor"] == "token:" + self.agent_id
                            for i in items))
        items, _ = self.entries(operation="reveal-bsn")
        self.assertEqual(len(items), 1)
        reveal = items[0]
        self.assertEqual(reveal["partyId"], self.anna)
        self.assertEqual(reveal["reason"], "Balie: legitimatie")
        self.assertEqual(reveal["activity"], "klantbeeld")
        self.assertTrue(reveal["requestId"])
        self.assertTrue(reveal["at"].endswith("Z"))
        self.assertEqual(self.entries(actor="token:tok_0000000000000000")[0],
                         [])

    def test_filter_by_time(self):
        items, _ = self.entries(partyId=self.anna, operation="read",
                                limit=200)
        times = sorted(i["time"] for i in items)
        first, last = times[0], times[-1]
        inside, _ = self.entries(partyId=self.anna, operation="read",
                                 limit=200, **{"from": first, "to": last + 1})
        self.assertEqual(len(inside), len(items))
        none, _ = self.entries(partyId=self.anna, **{"from": last + 1})
        self.assertEqual([i for i in none if i["activity"] == "klantbeeld"],
                         [])
        # (Before the first read there are only the rows of her creation.)
        before, _ = self.entries(partyId=self.anna, operation="read",
                                 to=first)
        self.assertEqual(before, [])
        made, _ = self.entries(partyId=self.anna, to=first)
        self.assertTrue(made)
        self.assertTrue(all(i["operation"] != "read" for i in made), made)
        # RFC 3339 works as well as milliseconds.
        future, _ = self.entries(**{"from": "2999-01-01T00:00:00Z"})
        self.assertEqual(future, [])
        past, _ = self.entries(**{"from": "2000-01-01", "limit": 1})
        self.assertEqual(len(past), 1)

    def test_newest_first_with_a_stable_cursor(self):
        whole, nxt = self.entries(actor="token:" + self.agent_id, limit=200)
        self.assertIsNone(nxt)
        keys = [(i["time"], i["seq"]) for i in whole]
        self.assertEqual(keys, sorted(keys, reverse=True))
        pages = []
        after = None
        while True:
            params = {"actor": "token:" + self.agent_id, "limit": 1}
            if after:
                params["after"] = after
            items, after = self.entries(**params)
            pages += items
            # Reads in between (this very loop is logged) come later than
            # the cursor and do not shift the pages.
            self.read(self.agent, "/api/v1/parties/" + self.bert)
            if after is None:
                break
        self.assertEqual([i["seq"] for i in pages], [i["seq"] for i in whole])

    def test_reading_the_log_is_logged(self):
        r = self.log(partyId=self.anna)
        self.assertEqual(r.status, 200)
        rid = r.header("X-Request-Id")
        rows = wait_until(lambda: db_query(
            self.data, "SELECT actor, party_id, operation, activity, resource"
            " FROM processing_log WHERE request_id = ?", (rid,)), 10,
            what="the log of the log")
        self.assertEqual(rows, [("token:" + self.admin_id, self.anna, "read",
                                 "logboek-inzage", "processing-log")])

    def test_bad_parameters(self):
        for params, field in (({"partyId": "nope"}, "partyId"),
                              ({"from": "gisteren"}, "from"),
                              ({"to": "2026-02-30"}, "to"),
                              ({"after": "12"}, "after"),
                              ({"limit": 201}, "limit"),
                              ({"limit": 0}, "limit")):
            self.assertProblem(self.log(**params), 400, "invalid-parameter",
                               field=field)

    def test_rows_cannot_be_changed_or_deleted(self):
        conn = sqlite3.connect(db_path(self.data), timeout=10)
        self.addCleanup(conn.close)
        before = conn.execute("SELECT COUNT(*), MAX(seq) FROM processing_log"
                              ).fetchone()
        for sql in ("UPDATE processing_log SET reason = 'gewist'",
                    "UPDATE processing_log SET actor = 'x' WHERE seq = 1",
                    "DELETE FROM processing_log",
                    "DELETE FROM processing_log WHERE seq = 1"):
            with self.assertRaises(sqlite3.DatabaseError) as cm:
                with conn:
                    conn.execute(sql)
            self.assertIn("append-only", str(cm.exception))
        after = conn.execute("SELECT COUNT(*), MIN(seq) FROM processing_log"
                             ).fetchone()
        self.assertGreaterEqual(after[0], before[0])
        self.assertEqual(after[1], 1)
        self.assertEqual(conn.execute(
            "SELECT COUNT(*) FROM processing_log WHERE reason = 'gewist'"
        ).fetchone()[0], 0)

    def test_cli_prints_json_lines_and_logs_itself(self):
        p = run_cli("proclog", "--party", self.anna, "--limit", "3",
                    data=self.data)
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = [json.loads(x) for x in p.stdout.splitlines()]
        self.assertEqual(len(lines), 3)
        self.assertTrue(all(x["partyId"] == self.anna for x in lines))
        # Its own read is logged (and committed) before it prints.
        self.assertTrue(lines[0]["actor"].startswith("cli:"))
        self.assertEqual(lines[0]["activity"], "logboek-inzage")
        self.assertEqual([(x["time"], x["seq"]) for x in lines],
                         sorted(((x["time"], x["seq"]) for x in lines),
                                reverse=True))
        p = run_cli("proclog", "--operation", "reveal-bsn", "--limit", "0",
                    data=self.data)
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = [json.loads(x) for x in p.stdout.splitlines()]
        self.assertEqual([x["reason"] for x in lines], ["Balie: legitimatie"])
        p = run_cli("proclog", "--actor", "token:" + self.other_id,
                    "--since", "2000-01-01T00:00:00Z", data=self.data)
        self.assertEqual(p.returncode, 0, p.stderr)
        actors = {json.loads(x)["actor"] for x in p.stdout.splitlines()}
        self.assertEqual(actors, {"token:" + self.other_id})
        p = run_cli("proclog", "--since", "2999-01-01", data=self.data)
        self.assertEqual((p.returncode, p.stdout), (0, ""))

    def test_cli_usage_errors(self):
        for args in (["--since", "gisteren"], ["--party", "x"],
                     ["--limit", "-1"], ["extra"]):
            p = run_cli("proclog", *args, data=self.data)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertTrue(p.stderr.startswith("loket: "), p.stderr)


if __name__ == "__main__":
    loketlib.main()
