"""`loket demo`: a data directory with a fictitious contact centre.

It runs, prints staff log-ins that match real accounts, the data has the
promised shape (valid BSNs, every channel and status, one default address
per kind, notes, tasks, wasKlantcontact links, counters), the same seed
gives the same data, the server serves it, and a second run on a directory
that already holds data is refused without changing anything.
"""

import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loketlib import (LoketTestCase, run_cli, create_token,  # noqa: E402
                      db_query, auth)

CHANNELS = {"webformulier", "chat", "email", "telefoon", "post", "social",
            "video", "kiosk", "balie"}
STATUSES = {"open", "pending", "snoozed", "resolved"}
TEAMS = {"Burgerzaken", "Belastingen", "Wijkbeheer", "Sociaal Domein",
         "Klantcontactcentrum"}
CATEGORIES = {"Afval", "Paspoort en ID-kaart", "Parkeren", "Belastingen",
              "WMO", "Openbare ruimte", "Bouwen en wonen", "Overlast"}
LOGIN = re.compile(r"^  (admin|supervisor|agent)\s+(\S+@\S+)\s+(\S{12,})$",
                   re.M)


def bsn_valid(s):
    """The 11-proef, written independently of the C code."""
    if not re.fullmatch(r"[0-9]{9}", s):
        return False
    total = sum((9 - i) * int(s[i]) for i in range(8)) - int(s[8])
    return total != 0 and total % 11 == 0


class Demo(LoketTestCase):
    @classmethod
    def setUpClass(cls):
        # One scale-1 run serves most tests (it takes a few seconds under
        # the sanitizers).
        import tempfile
        import shutil
        cls._tmp = tempfile.mkdtemp(prefix="loket-test-demo-")
        cls.data = os.path.join(cls._tmp, "data")
        cls.first = run_cli("demo", "--scale", "1", "--seed", "7",
                          data=cls.data, timeout=300)
        cls._rm = shutil.rmtree

    @classmethod
    def tearDownClass(cls):
        cls._rm(cls._tmp, True)

    def q(self, sql, params=()):
        return db_query(self.data, sql, params)

    def one(self, sql, params=()):
        return self.q(sql, params)[0][0]

    def test_runs_and_prints_a_summary(self):
        p = self.first
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("500 parties", p.stdout)
        self.assertIn("2000 contacts", p.stdout)

    def test_printed_logins_are_the_staff_accounts(self):
        logins = LOGIN.findall(self.first.stdout)
        roles = [r for r, _, _ in logins]
        self.assertEqual(roles.count("admin"), 1, self.first.stdout)
        self.assertEqual(roles.count("supervisor"), 1)
        self.assertGreaterEqual(roles.count("agent"), 5)
        self.assertEqual(len({e for _, e, _ in logins}), len(logins))
        self.assertEqual(len({p for _, _, p in logins}), len(logins))
        for role, email, password in logins:
            with self.subTest(email=email):
                rows = self.q("SELECT u.role, u.password_hash, a.kind"
                              " FROM staff_users u"
                              " JOIN actors a ON a.user_id = u.id"
                              " WHERE u.email = ?", (email,))
                self.assertEqual(len(rows), 1)
                self.assertEqual(rows[0][0], role)
                self.assertTrue(rows[0][1].startswith("$argon2id$"))
                self.assertEqual(rows[0][2], "medewerker")
                self.assertNotIn(password, rows[0][1])
        # Every agent works in at least one team.
        self.assertEqual(self.one(
            "SELECT count(*) FROM actors a JOIN staff_users u"
            " ON u.id = a.user_id WHERE u.role = 'agent' AND NOT EXISTS"
            " (SELECT 1 FROM team_members m WHERE m.actor_id = a.id)"), 0)

    def test_the_password_logs_in(self):
        """The printed password is the account's: a log-in with it works
        and one with another password does not (through the staff log-in
        when this build has it)."""
        logins = LOGIN.findall(self.first.stdout)
        srv = self.start_server(self.data)
        r = srv.request("GET", "/login")
        if r.status == 404:
            self.skipTest("this build has no staff log-in yet")
        role, email, password = logins[-1]
        for pw, ok in ((password, True), (password + "x", False)):
            conn = srv.connection()
            body = json.dumps({"email": email, "password": pw})
            conn.request("POST", "/api/v1/session", body=body,
                         headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            resp.read()
            conn.close()
            self.assertEqual(resp.status in (200, 201, 204), ok,
                             (pw == password, resp.status))

    def test_parties(self):
        kinds = dict(self.q("SELECT kind, count(*) FROM parties GROUP BY 1"))
        self.assertEqual(sum(kinds.values()), 500)
        self.assertGreater(kinds["persoon"], 400)
        self.assertGreater(kinds["organisatie"], 0)
        self.assertGreater(kinds["contactpersoon"], 0)
        bsns = [r[0] for r in self.q(
            "SELECT object_id FROM party_identifiers WHERE id_type = 'bsn'")]
        self.assertGreater(len(bsns), 400)
        self.assertEqual(len(set(bsns)), len(bsns))
        for b in bsns:
            self.assertTrue(bsn_valid(b), b)
            # Test numbers only: never a real resident's BSN.
            self.assertTrue(b.startswith("999"), b)
        for (kvk,) in self.q("SELECT object_id FROM party_identifiers"
                             " WHERE id_type = 'kvk_nummer'"):
            self.assertRegex(kvk, r"^[0-9]{8}$")
        # Names: the standard's contactnaam, and the display name from it.
        for name, ident in self.q("SELECT display_name, identification"
                                  " FROM parties WHERE kind = 'persoon'"
                                  " LIMIT 50"):
            cn = json.loads(ident)["contactnaam"]
            parts = [cn["voornaam"], cn["voorvoegselAchternaam"],
                     cn["achternaam"]]
            self.assertEqual(name, " ".join(p for p in parts if p))
        for (addr,) in self.q("SELECT visiting_address FROM parties"
                              " WHERE kind = 'persoon' LIMIT 50"):
            a = json.loads(addr)
            self.assertRegex(a["postcode"], r"^[1-9][0-9]{3} [A-Z]{2}$")
            self.assertGreaterEqual(a["huisnummer"], 1)
            self.assertTrue(a["straatnaam"] and a["stad"])
        contactpersons = self.q("SELECT p.works_for, o.kind FROM parties p"
                                " JOIN parties o ON o.id = p.works_for"
                                " WHERE p.kind = 'contactpersoon'")
        self.assertEqual(len(contactpersons), kinds["contactpersoon"])
        self.assertTrue(all(k == "organisatie" for _, k in contactpersons))

    def test_digital_addresses(self):
        self.assertEqual(self.one(
            "SELECT count(*) FROM (SELECT party_id, kind FROM"
            " digital_addresses WHERE is_default = 1 GROUP BY 1, 2"
            " HAVING count(*) > 1)"), 0)
        verified = dict(self.q(
            "SELECT kind, count(*) FROM digital_addresses"
            " WHERE verified_on IS NOT NULL GROUP BY 1"))
        self.assertGreater(verified.get("email", 0), 0)
        self.assertGreater(verified.get("telefoonnummer", 0), 0)
        unverified = self.one("SELECT count(*) FROM digital_addresses"
                              " WHERE verified_on IS NULL")
        self.assertGreater(unverified, 0)
        for addr, in self.q("SELECT address FROM digital_addresses"
                            " WHERE kind = 'email'"):
            # Only reserved example domains: no mail can reach anyone.
            self.assertRegex(addr, r"[@.]example(\.com|\.net|\.org)?$")
        # Keys follow lk_address_key(), or identity linking would miss.
        for kind, addr, key in self.q("SELECT kind, address, address_key"
                                      " FROM digital_addresses"):
            if kind == "email":
                self.assertEqual(key, addr.lower())
            else:
                digits = "".join(c for c in addr if c.isdigit())
                self.assertEqual(key, "0031" + digits[1:])
        # The preferred address is one of the party's own.
        self.assertEqual(self.one(
            "SELECT count(*) FROM parties p WHERE preferred_address_id IS NOT"
            " NULL AND NOT EXISTS (SELECT 1 FROM digital_addresses d"
            " WHERE d.id = p.preferred_address_id AND d.party_id = p.id)"), 0)

    def test_teams_and_categories(self):
        teams = {r[0] for r in self.q(
            "SELECT name FROM actors WHERE kind = 'organisatorische_eenheid'")}
        self.assertEqual(teams, TEAMS)
        cats = {r[0] for r in self.q("SELECT name FROM categories")}
        self.assertEqual(cats, CATEGORIES)

    def test_conversations_and_contacts(self):
        self.assertEqual(self.one("SELECT count(*) FROM contacts"), 2000)
        self.assertEqual({r[0] for r in self.q(
            "SELECT DISTINCT channel FROM conversations")}, CHANNELS)
        self.assertEqual({r[0] for r in self.q(
            "SELECT DISTINCT status FROM conversations")}, STATUSES)
        self.assertEqual({r[0] for r in self.q(
            "SELECT DISTINCT kind FROM contacts")},
            {"inbound", "outbound", "note"})
        lens = [r[0] for r in self.q("SELECT count(*) FROM contacts"
                                     " GROUP BY conversation_id")]
        self.assertEqual(min(lens), 1)
        self.assertEqual(max(lens), 6)
        self.assertEqual(len(lens), self.one(
            "SELECT count(*) FROM conversations"))
        self.assertGreater(self.one("SELECT count(*) FROM conversations"
                                    " WHERE confidential = 1"), 0)
        self.assertGreater(self.one("SELECT count(*) FROM conversations"
                                    " WHERE assignee_id IS NOT NULL"), 0)
        self.assertGreater(self.one("SELECT count(*) FROM conversations"
                                    " WHERE waiting_since IS NOT NULL"), 0)
        # Every conversation has a category and a team; the assignee is a
        # medewerker.
        self.assertEqual(self.one(
            "SELECT count(*) FROM conversations c WHERE NOT EXISTS"
            " (SELECT 1 FROM conversation_categories k"
            " WHERE k.conversation_id = c.id) OR team_id IS NULL"), 0)
        self.assertEqual(self.one(
            "SELECT count(*) FROM conversations c JOIN actors a"
            " ON a.id = c.assignee_id WHERE a.kind <> 'medewerker'"), 0)
        self.assertEqual(self.one(
            "SELECT count(*) FROM conversations WHERE status = 'snoozed'"
            " AND snoozed_until IS NULL"), 0)
        self.assertEqual(self.one(
            "SELECT count(*) FROM conversations WHERE status = 'resolved'"
            " AND resolved_at IS NULL"), 0)
        # Continued in another channel: wasKlantcontact points at the
        # earlier contact of the same conversation.
        links = self.q(
            "SELECT a.channel, b.channel, a.conversation_id = b.conversation_id"
            ", b.occurred_at <= a.occurred_at FROM subject_objects s"
            " JOIN contacts a ON a.id = s.contact_id"
            " JOIN contacts b ON b.id = s.was_contact_id")
        self.assertGreater(len(links), 0)
        for new, old, same, before in links:
            self.assertNotEqual(new, old)
            self.assertTrue(same and before)
        # Texts are Dutch and searchable.
        self.assertGreater(self.one(
            "SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH"
            " 'paspoort'"), 0)
        self.assertEqual(self.one("SELECT count(*) FROM contacts_fts"), 2000)
        refs = [r[0] for r in self.q("SELECT reference FROM conversations")]
        self.assertTrue(all(re.fullmatch(r"LK-20[0-9]{2}-[0-9]{6}", r)
                            for r in refs), refs[:3])
        self.assertEqual(len(set(refs)), len(refs))

    def test_tasks(self):
        kinds = dict(self.q("SELECT kind, count(*) FROM tasks GROUP BY 1"))
        self.assertGreater(kinds.get("callback", 0), 0)
        self.assertGreater(kinds.get("backoffice", 0), 0)
        self.assertEqual(self.one(
            "SELECT count(*) FROM tasks t WHERE deadline IS NULL OR NOT EXISTS"
            " (SELECT 1 FROM task_assignees a WHERE a.task_id = t.id)"), 0)
        self.assertEqual(self.one(
            "SELECT count(*) FROM tasks WHERE status = 'verwerkt'"
            " AND done_at IS NULL"), 0)

    def test_counters_continue_after_the_demo(self):
        counters = dict(self.q("SELECT name, value FROM counters"))
        self.assertEqual(counters["contact"], 2000)
        self.assertEqual(counters["partij"], 500)
        self.assertEqual(counters["task"],
                         self.one("SELECT count(*) FROM tasks"))
        self.assertEqual(self.one("SELECT max(nummer) FROM parties"),
                         "%010d" % 500)

    def test_the_rules_the_app_keeps(self):
        # What the assigner and the conversations API would never produce
        # does not appear in the demo either.
        over = self.q(
            "SELECT a.name, a.capacity, count(*) FROM conversations c"
            " JOIN actors a ON a.id = c.assignee_id"
            " WHERE c.status IN ('open', 'pending')"
            " GROUP BY a.id HAVING count(*) > a.capacity")
        self.assertEqual(over, [])
        self.assertEqual(self.q(
            "SELECT c.reference FROM conversations c"
            " JOIN actors a ON a.id = c.assignee_id"
            " JOIN staff_users u ON u.id = a.user_id"
            " WHERE c.confidential = 1 AND u.role = 'agent'"), [])
        self.assertEqual(self.q(
            "SELECT c.reference FROM conversations c"
            " JOIN parties p ON p.id = c.party_id"
            " WHERE p.confidential = 1 AND c.confidential = 0"), [])
        self.assertNotIn("parties", dict(self.q(
            "SELECT name, value FROM counters")))

    def test_integrity(self):
        self.assertEqual(self.q("PRAGMA foreign_key_check"), [])
        self.assertEqual(self.one("PRAGMA integrity_check"), "ok")
        self.assertEqual(self.one(
            "SELECT count(*) FROM audit_log WHERE action = 'demo.created'"), 1)
        self.assertGreaterEqual(self.one(
            "SELECT count(*) FROM processing_log WHERE activity = 'demo'"
            " AND operation = 'create'"), 500)

    def test_the_server_serves_it(self):
        _, token = create_token(self.data, scopes="api admin")
        srv = self.start_server(self.data)
        team = self.one("SELECT id FROM actors WHERE name = 'Burgerzaken'")
        r = srv.get("/api/v1/conversations?teamId=%s&status=open" % team,
                    headers=auth(token))
        if r.status == 404:
            self.skipTest("this build has no conversations API")
        self.assertEqual(r.status, 200, r.text)
        items = r.json()["items"]
        self.assertGreater(len(items), 0)
        self.assertTrue(all(i["status"] == "open" and i["teamId"] == team
                            for i in items))

    def test_same_seed_same_data_and_a_second_run_is_refused(self):
        other = self.make_data_dir()
        p = run_cli("demo", "--seed", "7", data=other, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        sql = ("SELECT id, display_name, identification FROM parties"
               " ORDER BY seq")
        self.assertEqual(db_query(other, sql), self.q(sql))
        sql = "SELECT id, content FROM contacts ORDER BY seq"
        self.assertEqual(db_query(other, sql), self.q(sql))
        # The passwords are not derived from the seed.
        self.assertNotEqual(LOGIN.findall(p.stdout),
                            LOGIN.findall(self.first.stdout))

        before = db_query(other, "SELECT count(*) FROM contacts")
        again = run_cli("demo", "--seed", "8", data=other, timeout=300)
        self.assertEqual(again.returncode, 1)
        self.assertIn("already holds", again.stderr)
        self.assertEqual(again.stdout, "")
        self.assertEqual(db_query(other, "SELECT count(*) FROM contacts"),
                         before)

    def test_a_database_with_only_accounts_is_filled(self):
        """An admin created first (loket user add) is no reason to refuse."""
        data = self.make_data_dir()
        p = run_cli("user", "add", "--email", "me@gemeente.example",
                    "--role", "admin", input="correct horse battery\n",
                    data=data)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = run_cli("demo", "--contacts", "50", "--parties", "20", data=data)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(db_query(data, "SELECT count(*) FROM contacts"),
                         [(50,)])
        self.assertEqual(db_query(data, "SELECT count(*) FROM parties"),
                         [(20,)])

    def test_usage_errors(self):
        for args in (["--scale", "0"], ["--scale", "x"], ["--seed", "-1"],
                     ["--contacts", "0"], ["extra"], ["--bogus"]):
            with self.subTest(args=args):
                data = self.make_data_dir()
                p = run_cli("demo", *args, data=data)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertTrue(p.stderr.startswith("loket: "), p.stderr)
                self.assertFalse(os.path.exists(data))

    def test_help(self):
        p = run_cli("demo", "--help")
        self.assertEqual(p.returncode, 0)
        self.assertTrue(p.stdout.startswith("Usage: loket demo"))
        self.assertIn("--data DIR", p.stdout)


if __name__ == "__main__":
    import unittest
    unittest.main()
