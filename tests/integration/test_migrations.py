"""Schema migrations: old data survives an upgrade, a newer schema is
refused."""

import os
import re
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loketlib  # noqa: E402
from loketlib import LoketTestCase, run_cli, db_query  # noqa: E402

STATUS_RE = re.compile(r"^schema version (\d+) \(newest (\d+)\)\n$")


def status(data):
    p = run_cli("migrate", "--status", data=data)
    if p.returncode != 0:
        raise AssertionError("migrate --status failed: %s" % p.stderr)
    m = STATUS_RE.match(p.stdout)
    if not m:
        raise AssertionError("unexpected migrate --status output %r" %
                             p.stdout)
    return int(m.group(1)), int(m.group(2))


def versions():
    """The migration versions in the source tree: helpers number their
    files from ranges handed out in advance, so there may be gaps."""
    d = os.path.join(loketlib.SOURCE_DIR, "src", "store", "sqlite",
                     "migrations")
    return sorted(int(f[:4]) for f in os.listdir(d)
                  if re.match(r"^\d{4}_.*\.sql$", f))


def tables(data):
    return {r[0] for r in db_query(
        data, "SELECT name FROM sqlite_master WHERE type = 'table'")}


class Migrations(LoketTestCase):
    def test_upgrade_keeps_old_data(self):
        data = self.make_data_dir()
        p = run_cli("migrate", "--to", "1", data=data)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "schema migrated from version 0 to 1\n")
        version, newest = status(data)
        self.assertEqual(version, 1)
        self.assertGreaterEqual(newest, 2)
        self.assertIn("api_tokens", tables(data))
        self.assertNotIn("audit_log", tables(data))
        # Again: nothing to do.
        p = run_cli("migrate", "--to", "1", data=data)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("up to date", p.stdout)

        # A token as a version-1 Loket would have stored it (the CLI would
        # migrate first, so write the row ourselves).
        secret = loketlib.new_token_secret()
        tid = "tok_0123456789abcdef"
        created = int(time.time() * 1000) - 86400000
        conn = sqlite3.connect(loketlib.db_path(data))
        with conn:
            conn.execute(
                "INSERT INTO api_tokens (id, name, scopes, secret_hash,"
                " created_at) VALUES (?, ?, ?, ?, ?)",
                (tid, "Uit versie 1", "admin", loketlib.secret_hash(secret),
                 created))
            conn.execute(
                "INSERT INTO events (type, subject, time, payload)"
                " VALUES ('token.created', ?, ?, ?)",
                (tid, created, '{"id":"%s"}' % tid))
        conn.close()

        srv = self.start_server(data)
        # serve migrated to the newest version on start.
        self.assertEqual(
            db_query(data, "SELECT MAX(version) FROM schema_migrations"),
            [(newest,)])
        self.assertIn("audit_log", tables(data))
        applied = [r for r in srv.log_records()
                   if r.get("msg") == "migration applied"]
        self.assertEqual(len(applied), len(versions()) - 1, applied)

        # The old token still authenticates and reads back unchanged.
        r = srv.get("/api/v1/tokens/" + tid, token=secret)
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(body["name"], "Uit versie 1")
        self.assertEqual(body["scopes"], ["admin"])
        self.assertEqual(body["createdAt"], created)
        self.assertIsNone(body["revokedAt"])
        # ...and can use the new schema: creating a token writes an audit
        # entry in the table migration 2 added.
        r = srv.post_json("/api/v1/tokens", {"name": "na upgrade"},
                          token=secret)
        self.assertEqual(r.status, 201, r)
        new_id = r.json()["id"]
        audit = db_query(data, "SELECT actor, action, subject FROM audit_log")
        self.assertIn(("token:" + tid, "token.created", new_id), audit)
        # The old event is still the first in the log.
        first = db_query(data, "SELECT seq, subject FROM events ORDER BY seq"
                         " LIMIT 1")
        self.assertEqual(first, [(1, tid)])
        self.assertEqual(srv.stop(), 0)

        self.assertEqual(status(data), (newest, newest))
        p = run_cli("migrate", data=data)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "schema version %d is up to date\n" %
                         newest)
        # Going back is refused.
        p = run_cli("migrate", "--to", "1", data=data)
        self.assertEqual(p.returncode, 1)
        self.assertIn("already past version 1", p.stderr)
        self.assertEqual(status(data), (newest, newest))

    def test_migrate_applies_all_in_one_step(self):
        data = self.make_data_dir()
        p = run_cli("migrate", data=data)
        self.assertEqual(p.returncode, 0, p.stderr)
        _, newest = status(data)
        self.assertEqual(p.stdout,
                         "schema migrated from version 0 to %d\n" % newest)
        rows = db_query(data, "SELECT version, name FROM schema_migrations"
                        " ORDER BY version")
        self.assertEqual([r[0] for r in rows], versions())
        self.assertEqual(versions()[-1], newest)
        self.assertTrue(all(r[1] for r in rows))

    def test_late_migration_below_the_newest_is_applied(self):
        """A database that already ran higher-numbered migrations still
        gets one that landed later with a lower number (numbers are handed
        out in advance): pending means not recorded."""
        data = self.make_data_dir()
        p = run_cli("migrate", data=data)
        self.assertEqual(p.returncode, 0, p.stderr)
        _, newest = status(data)
        late = 17  # 0017_console landed after 0020-0025
        self.assertIn(late, versions())
        self.assertLess(late, newest)
        conn = sqlite3.connect(loketlib.db_path(data))
        with conn:
            for t in ("canned_answers", "conversation_reads",
                      "conversation_viewers"):
                conn.execute("DROP TABLE %s" % t)
            conn.execute("DELETE FROM schema_migrations WHERE version = ?",
                         (late,))
        conn.close()
        self.assertEqual(status(data), (newest, newest))
        p = run_cli("migrate", data=data)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "schema version %d: 1 late migration"
                         " applied\n" % newest)
        self.assertIn("canned_answers", tables(data))
        rows = db_query(data, "SELECT version FROM schema_migrations"
                        " ORDER BY version")
        self.assertEqual([r[0] for r in rows], versions())
        p = run_cli("migrate", data=data)
        self.assertIn("up to date", p.stdout)

    def test_newer_schema_is_refused(self):
        data = self.make_data_dir()
        p = run_cli("migrate", data=data)
        self.assertEqual(p.returncode, 0, p.stderr)
        _, newest = status(data)
        conn = sqlite3.connect(loketlib.db_path(data))
        with conn:
            conn.execute("INSERT INTO schema_migrations (version, name,"
                         " applied_at) VALUES (?, 'from the future', 0)",
                         (newest + 1,))
        conn.close()
        before = db_query(data, "SELECT * FROM schema_migrations")

        for args in (["serve", "--listen", "127.0.0.1:0"], ["migrate"],
                     ["migrate", "--status"], ["token", "list"],
                     ["token", "create", "--name", "x"]):
            with self.subTest(args=args):
                p = run_cli(*args, data=data, timeout=20)
                self.assertNotEqual(p.returncode, 0, p.stdout)
                self.assertNotEqual(p.returncode, 2)
                self.assertIn("newer than this program", p.stderr)
                self.assertNotIn("Loket serving", p.stdout)
        self.assertEqual(db_query(data, "SELECT * FROM schema_migrations"),
                         before)
        self.assertEqual(db_query(data, "SELECT COUNT(*) FROM api_tokens"),
                         [(0,)])

    def test_serve_on_fresh_directory_creates_everything(self):
        data = self.make_data_dir()
        self.assertFalse(os.path.exists(data))
        srv = self.start_server(data)
        self.assertTrue(os.path.isfile(loketlib.db_path(data)))
        self.assertEqual(os.stat(data).st_mode & 0o777, 0o700)
        self.assertEqual(srv.get("/readyz").status, 200)
        self.assertEqual(srv.stop(), 0)
        version, newest = status(data)
        self.assertEqual(version, newest)


if __name__ == "__main__":
    loketlib.main()
