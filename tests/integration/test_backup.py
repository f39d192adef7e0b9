"""loket backup: a consistent copy while the server runs and writes."""

import os
import sqlite3
import stat
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loketlib  # noqa: E402
from loketlib import LoketTestCase, create_token, run_cli  # noqa: E402

PATH = "/api/v1/tokens"


class Backup(LoketTestCase):
    def scratch(self, name):
        """A path in a new, existing folder of this test."""
        d = self.make_data_dir()
        os.makedirs(d)
        return os.path.join(d, name)

    def test_backup_while_writing_restores(self):
        data = self.make_data_dir()
        _, admin = create_token(data, "backup-admin")
        srv = self.start_server(data)
        before = []
        for i in range(50):
            r = srv.post_json(PATH, {"name": "before-%d" % i}, token=admin)
            self.assertEqual(r.status, 201, r)
            before.append(r.json()["id"])

        # Writers keep going while the copy is taken.
        stop = threading.Event()
        errors = []

        def write():
            c = srv.connection()
            n = 0
            while not stop.is_set():
                r = srv.post_json(PATH, {"name": "during-%d" % n},
                                  token=admin, conn=c)
                if r.status != 201:
                    errors.append(r)
                n += 1
            c.close()
        writers = [threading.Thread(target=write) for _ in range(4)]
        for t in writers:
            t.start()
        copy = self.scratch("copy.db")
        try:
            p = run_cli("backup", "--to", copy, data=data)
        finally:
            stop.set()
            for t in writers:
                t.join(30)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(errors, [])
        # Only its owner may read it: it holds password and token hashes.
        self.assertEqual(stat.S_IMODE(os.stat(copy).st_mode), 0o600)
        conn = sqlite3.connect(copy)
        try:
            self.assertEqual(conn.execute("PRAGMA integrity_check")
                             .fetchall(), [("ok",)])
            # A snapshot: every token has its event and audit entry.
            tokens = {r[0] for r in conn.execute("SELECT id FROM api_tokens")}
            events = {r[0] for r in conn.execute(
                "SELECT subject FROM events WHERE type = 'token.created'")}
        finally:
            conn.close()
        self.assertEqual(tokens, events)
        self.assertTrue(set(before) <= tokens)

        # Restored into an empty data directory, it serves.
        restored = self.make_data_dir()
        os.makedirs(restored)
        os.replace(copy, loketlib.db_path(restored))
        srv2 = self.start_server(restored)
        for tid in before:
            self.assertEqual(srv2.get(PATH + "/" + tid, token=admin).status,
                             200)

    def test_refuses_to_overwrite(self):
        data = self.make_data_dir()
        create_token(data, "x")
        target = self.scratch("exists.db")
        with open(target, "wb") as f:
            f.write(b"precious")
        p = run_cli("backup", "--to", target, data=data)
        self.assertEqual(p.returncode, 1)
        self.assertIn("already exists", p.stderr)
        with open(target, "rb") as f:
            self.assertEqual(f.read(), b"precious")

    def test_usage(self):
        p = run_cli("backup", data=self.make_data_dir())
        self.assertEqual(p.returncode, 2)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1)
        self.assertTrue(p.stderr.startswith("loket: "))


if __name__ == "__main__":
    loketlib.main()
