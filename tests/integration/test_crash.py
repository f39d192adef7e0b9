"""kill -9 in the middle of a write burst loses nothing acknowledged."""

import os
import sqlite3
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loketlib  # noqa: E402
from loketlib import LoketTestCase, create_token, wait_until  # noqa: E402

PATH = "/api/v1/tokens"
THREADS = 8
ROUNDS = 3


def integrity(data):
    # Opening read-write lets SQLite recover the WAL, as the server would.
    conn = sqlite3.connect(loketlib.db_path(data), timeout=10)
    try:
        return (conn.execute("PRAGMA integrity_check").fetchall(),
                conn.execute("PRAGMA foreign_key_check").fetchall())
    finally:
        conn.close()


class Burst:
    """THREADS writers creating tokens until stopped; each records the ids
    whose 201 it has read completely."""

    def __init__(self, srv, token, tag):
        self.srv = srv
        self.token = token
        self.tag = tag
        self.acked = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.unexpected = []
        self.threads = [threading.Thread(target=self.work, args=(i,))
                        for i in range(THREADS)]

    def start(self):
        for t in self.threads:
            t.start()

    def count(self):
        with self.lock:
            return len(self.acked)

    def work(self, i):
        n = 0
        c = None
        while not self.stop.is_set():
            try:
                if c is None:
                    c = self.srv.connection(timeout=10)
                name = "%s-%d-%d" % (self.tag, i, n)
                r = self.srv.post_json(PATH, {"name": name},
                                       token=self.token, conn=c)
                n += 1
                if r.status == 201:
                    body = r.json()
                    if body["name"] != name:
                        self.unexpected.append(body)
                    with self.lock:
                        self.acked.append(body["id"])
                else:
                    self.unexpected.append(r)
            except Exception:
                # The server died under us: whatever was not answered is
                # not acknowledged.
                if c is not None:
                    c.close()
                c = None
                if not self.srv.running():
                    break
        if c is not None:
            c.close()

    def join(self):
        self.stop.set()
        for t in self.threads:
            t.join(30)


class Crash(LoketTestCase):
    def test_kill_9_loses_no_acknowledged_write(self):
        data = self.make_data_dir()
        _, admin = create_token(data, "crash-admin")
        acked = []
        for rnd in range(ROUNDS):
            srv = self.start_server(data)
            # Everything acknowledged before is still there.
            self.assertAllPresent(srv, admin, acked)
            burst = Burst(srv, admin, "r%d" % rnd)
            burst.start()
            try:
                # Let the burst get going, then crash mid-stream.
                wait_until(lambda: burst.count() >= 600 + 200 * rnd, 60,
                           interval=0.005, what="writes to be acknowledged")
                srv.kill()
            finally:
                burst.join()
            self.assertEqual(burst.unexpected, [])
            self.assertEqual(srv.returncode, -9)
            self.assertEqual(len(set(burst.acked)), len(burst.acked))
            acked += burst.acked
            checks = integrity(data)
            self.assertEqual(checks, ([("ok",)], []))

        srv = self.start_server(data)
        self.assertAllPresent(srv, admin, acked)
        # Every acknowledged token has its event and audit entry: they were
        # committed in the same transaction.
        self.assertEqual(srv.stop(), 0)
        events = {r[0] for r in loketlib.db_query(
            data, "SELECT subject FROM events WHERE type = 'token.created'")}
        audit = {r[0] for r in loketlib.db_query(
            data, "SELECT subject FROM audit_log"
            " WHERE action = 'token.created'")}
        self.assertTrue(set(acked) <= events)
        self.assertTrue(set(acked) <= audit)
        # No half-written rows: each token row has both.
        rows = {r[0] for r in loketlib.db_query(data,
                                                "SELECT id FROM api_tokens")}
        self.assertEqual(rows - events, set())
        self.assertEqual(rows - audit, set())
        # Event numbers are unique and ascending after the crashes.
        seqs = [r[0] for r in loketlib.db_query(
            data, "SELECT seq FROM events ORDER BY seq")]
        self.assertEqual(len(seqs), len(set(seqs)))
        self.assertEqual(integrity(data), ([("ok",)], []))

    def assertAllPresent(self, srv, token, ids):
        c = srv.connection()
        try:
            missing = []
            for tid in ids:
                r = srv.get(PATH + "/" + tid, token=token, conn=c)
                if r.status != 200:
                    missing.append((tid, r.status))
            self.assertEqual(missing, [], "acknowledged but lost")
        finally:
            c.close()


if __name__ == "__main__":
    loketlib.main()
