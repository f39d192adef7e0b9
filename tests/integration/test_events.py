"""GET /api/v1/events: Server-Sent Events, in order, resumable, persisted."""

import json
import os
import socket
import sqlite3
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loketlib  # noqa: E402
from loketlib import (LoketTestCase, SSEClient, create_token,  # noqa: E402
                      db_query, run_cli)

PATH = "/api/v1/tokens"


def create_many(srv, token, n, threads=8):
    """Creates n tokens over the API from several threads; returns ids."""
    ids = []
    lock = threading.Lock()
    errors = []
    todo = list(range(n))

    def work():
        c = srv.connection()
        try:
            while True:
                with lock:
                    if not todo:
                        return
                    i = todo.pop()
                r = srv.post_json(PATH, {"name": "bulk-%d" % i}, token=token,
                                  conn=c)
                if r.status != 201:
                    errors.append(r)
                    return
                with lock:
                    ids.append(r.json()["id"])
        except Exception as e:  # reported below
            errors.append(e)
        finally:
            c.close()

    ts = [threading.Thread(target=work) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    if errors:
        raise AssertionError("bulk create failed: %r" % errors[:3])
    return ids


class EventsTestCase(LoketTestCase):
    def setUp(self):
        self.data = self.make_data_dir()
        self.admin_id, self.admin = create_token(self.data, "events-admin")
        self.srv = self.start_server(self.data, **self.server_args())

    def server_args(self):
        return {}

    def stream(self, **kw):
        kw.setdefault("token", self.admin)
        s = SSEClient(self.srv, **kw)
        self.addCleanup(s.close)
        return s

    def create(self, name):
        r = self.srv.post_json(PATH, {"name": name}, token=self.admin)
        self.assertEqual(r.status, 201, r)
        return r.json()["id"]

    def revoke(self, tid):
        r = self.srv.request("DELETE", PATH + "/" + tid, token=self.admin)
        self.assertEqual(r.status, 204, r)

    def db_seqs(self):
        return [r[0] for r in db_query(
            self.data, "SELECT seq FROM events ORDER BY seq")]

    def assertEvents(self, events, expected):
        """events match [(type, subject)], with increasing integer ids."""
        got = [(e.get("event"), e["json"]["subject"]) for e in events]
        self.assertEqual(got, expected)
        ids = [int(e["id"]) for e in events]
        self.assertEqual(ids, sorted(set(ids)), "ids not increasing")
        for e in events:
            self.assertEqual(e["json"]["seq"], int(e["id"]))
            self.assertEqual(e["json"]["type"], e["event"])
            self.assertIsInstance(e["json"]["time"], str)
            self.assertIsInstance(e["json"]["data"], dict)


class LiveStream(EventsTestCase):
    def test_events_in_order(self):
        s = self.stream()
        self.assertEqual(s.status, 200)
        self.assertEqual(s.response.content_type,
                         "text/event-stream; charset=utf-8")
        self.assertEqual(s.response.header("Cache-Control"), "no-store")
        self.assertIsNotNone(s.response.header("X-Request-Id"))
        self.assertIn("frame-ancestors 'none'",
                      s.response.header("Content-Security-Policy"))
        first = s.next_block(5)
        self.assertEqual(first.get("retry"), "3000")
        self.assertTrue(s.received.startswith(b"retry: 3000\n\n"),
                        s.received[:40])

        a = self.create("a")
        b = self.create("b")
        c = self.create("c")
        self.revoke(b)
        events = s.events(4)
        # The stream starts at the present: the CLI's earlier event is not
        # replayed.
        self.assertEvents(events, [("token.created", a),
                                   ("token.created", b),
                                   ("token.created", c),
                                   ("token.revoked", b)])
        self.assertEqual(events[0]["json"]["data"]["name"], "a")
        self.assertEqual(events[3]["json"]["data"]["id"], b)
        self.assertNotIn("token", events[0]["json"]["data"],
                         "secret leaked into the event")
        self.assertEqual([int(e["id"]) for e in events], self.db_seqs()[-4:])

    def test_concurrent_writes_arrive_in_commit_order(self):
        s = self.stream()
        s.next_block(5)
        before = self.db_seqs()[-1]
        ids = create_many(self.srv, self.admin, 200)
        events = s.events(200, timeout=60)
        self.assertEqual([int(e["id"]) for e in events],
                         [q for q in self.db_seqs() if q > before])
        self.assertEqual(sorted(e["json"]["subject"] for e in events),
                         sorted(ids))

    def test_several_streams_see_the_same(self):
        streams = [self.stream() for _ in range(5)]
        for s in streams:
            s.next_block(5)
        made = [self.create("x%d" % i) for i in range(5)]
        seen = [[(e["id"], e["json"]["subject"]) for e in s.events(5)]
                for s in streams]
        for other in seen[1:]:
            self.assertEqual(other, seen[0])
        self.assertEqual([subj for _, subj in seen[0]], made)

    def test_event_from_another_process(self):
        s = self.stream()
        s.next_block(5)
        tid, _ = create_token(self.data, "from-cli", "api")
        done = time.monotonic()
        ev = s.next_event(10)
        elapsed = time.monotonic() - done
        self.assertIsNotNone(ev)
        self.assertEqual((ev["event"], ev["json"]["subject"]),
                         ("token.created", tid))
        # The server looks for other processes' events every second.
        self.assertLess(elapsed, 3.0, "CLI event took %.2f s" % elapsed)
        # Events of this process keep flowing after it, in order.
        mine = self.create("after-cli")
        ev2 = s.next_event(5)
        self.assertEqual(ev2["json"]["subject"], mine)
        self.assertGreater(int(ev2["id"]), int(ev["id"]))
        # Writes of this process (readiness probes) do not hold back the
        # other process's events.
        stop = threading.Event()

        def probe():
            while not stop.is_set():
                self.srv.get("/readyz")
                time.sleep(0.05)
        prober = threading.Thread(target=probe)
        prober.start()
        try:
            tid2, _ = create_token(self.data, "from-cli-busy", "api")
            done = time.monotonic()
            ev4 = s.next_event(10)
            elapsed = time.monotonic() - done
        finally:
            stop.set()
            prober.join()
        self.assertEqual(ev4["json"]["subject"], tid2)
        self.assertLess(elapsed, 3.0, "CLI event took %.2f s" % elapsed)
        # And a revocation by the CLI too.
        p = run_cli("token", "revoke", mine, data=self.data)
        self.assertEqual(p.returncode, 0, p.stderr)
        ev3 = s.next_event(5)
        self.assertEqual((ev3["event"], ev3["json"]["subject"]),
                         ("token.revoked", mine))


class Resume(EventsTestCase):
    def test_last_event_id_gets_exactly_the_missed_events(self):
        s = self.stream()
        s.next_block(5)
        t1 = self.create("t1")
        t2 = self.create("t2")
        e1, e2 = s.events(2)
        s.close()
        # Missed while away:
        t3 = self.create("t3")
        self.revoke(t1)

        r = self.stream(last_event_id=e2["id"])
        self.assertEqual(r.status, 200)
        got = r.events(2)
        self.assertEvents(got, [("token.created", t3),
                                ("token.revoked", t1)])
        # ...and then only what is new: nothing repeated in between.
        t4 = self.create("t4")
        self.assertEvents(r.events(1), [("token.created", t4)])

        # From an earlier point, with the query parameter an EventSource
        # uses on its first connection.
        q = self.stream(query="?lastEventId=" + e1["id"])
        self.assertEqual(q.status, 200)
        self.assertEvents(q.events(4), [("token.created", t2),
                                        ("token.created", t3),
                                        ("token.revoked", t1),
                                        ("token.created", t4)])
        # The header wins over the query parameter.
        h = self.stream(last_event_id=got[-1]["id"], query="?lastEventId=0")
        t5 = self.create("t5")
        self.assertEvents(h.events(2), [("token.created", t4),
                                        ("token.created", t5)])

    def test_id_from_the_future_starts_at_the_present(self):
        # A client that saw a newer database (restored from a backup since)
        # must not be silenced until the numbers catch up.
        s = self.stream(last_event_id=10**9)
        self.assertEqual(s.status, 200)
        t1 = self.create("t1")
        self.assertEvents(s.events(1), [("token.created", t1)])

    def test_from_zero_replays_everything(self):
        t1 = self.create("t1")
        s = self.stream(last_event_id=0)
        events = s.events(2)
        self.assertEvents(events, [("token.created", self.admin_id),
                                   ("token.created", t1)])
        self.assertEqual(int(events[0]["id"]), 1)

    def test_resume_after_restart(self):
        ids = create_many(self.srv, self.admin, 300)
        self.assertEqual(len(ids), 300)
        seqs = self.db_seqs()
        self.assertEqual(len(seqs), 301)
        self.assertEqual(self.srv.stop(), 0)
        self.srv = self.start_server(self.data)

        # Older than anything in memory (nothing is, after a restart):
        # read from the store in several batches, then live.
        s = self.stream(last_event_id=0)
        events = s.events(301, timeout=30)
        self.assertEqual([int(e["id"]) for e in events], seqs)
        self.assertEqual({e["json"]["subject"] for e in events[1:]},
                         set(ids))
        new = self.create("after-restart")
        self.assertEvents(s.events(1), [("token.created", new)])

        # From the middle.
        m = self.stream(last_event_id=seqs[149])
        events = m.events(152, timeout=30)
        self.assertEqual([int(e["id"]) for e in events],
                         seqs[150:] + [int(events[-1]["id"])])
        self.assertEqual(events[-1]["json"]["subject"], new)

        # From the last event before the restart: only the new one.
        last = self.stream(last_event_id=seqs[-1])
        self.assertEvents(last.events(1), [("token.created", new)])
        newer = self.create("newer")
        self.assertEvents(last.events(1), [("token.created", newer)])

    def test_cursor_older_than_the_memory_ring(self):
        # More events than the in-memory ring holds (4096), written by
        # "another process" so that it is quick; the server picks them up
        # by polling and publishes them.
        live = self.stream()
        live.next_block(5)
        n = 4300
        conn = sqlite3.connect(loketlib.db_path(self.data), timeout=10)
        with conn:
            conn.executemany(
                "INSERT INTO events (type, subject, time, payload)"
                " VALUES ('test.bulk', ?, ?, ?)",
                [("s%d" % i, int(time.time() * 1000),
                  json.dumps({"i": i})) for i in range(n)])
        conn.close()
        seqs = self.db_seqs()
        got = live.events(n, timeout=60)
        self.assertEqual([int(e["id"]) for e in got], seqs[-n:])
        self.assertEqual([e["json"]["data"]["i"] for e in got],
                         list(range(n)))

        # seq 1 has left the ring by now: the store serves the start.
        s = self.stream(last_event_id=0)
        events = s.events(len(seqs), timeout=60)
        self.assertEqual([int(e["id"]) for e in events], seqs)
        t = self.create("tail")
        self.assertEvents(s.events(1), [("token.created", t)])
        self.assertEvents(live.events(1), [("token.created", t)])


class Refusals(EventsTestCase):
    def test_invalid_last_event_id(self):
        for bad in ("abc", "-1", "1.5", "0x10", "1e3",
                    "99999999999999999999"):
            with self.subTest(header=bad):
                s = self.stream(last_event_id=bad)
                self.assertProblem(s.response, 400, "invalid-parameter",
                                   "Last-Event-ID", path="/api/v1/events")
            with self.subTest(query=bad):
                s = self.stream(query="?lastEventId=" + bad)
                self.assertProblem(s.response, 400, "invalid-parameter")

    def test_authentication(self):
        s = self.stream(token=None)
        self.assertProblem(s.response, 401, "unauthenticated")
        self.assertIn("Bearer", s.response.header("WWW-Authenticate"))
        s = self.stream(token="lkt_not-a-real-token")
        self.assertProblem(s.response, 401, "invalid-token")
        s = self.stream(token="garbage")
        self.assertProblem(s.response, 401, "invalid-token")
        _, api_only = create_token(self.data, "api-only", "api")
        s = self.stream(token=api_only)
        self.assertProblem(s.response, 403, "insufficient-scope")
        _, events_only = create_token(self.data, "events-only", "events")
        s = self.stream(token=events_only)
        self.assertEqual(s.status, 200)
        self.assertEqual(s.next_block(5).get("retry"), "3000")
        # Scope checks still hold for the rest of the API.
        r = self.srv.get(PATH, token=events_only)
        self.assertProblem(r, 403, "insufficient-scope")

    def test_revocation_ends_an_open_stream(self):
        tid, secret = create_token(self.data, "leaked", "events")
        s = self.stream(token=secret)
        s.next_block(5)
        self.revoke(tid)
        # Nothing created after the revocation reaches the revoked stream.
        self.create("after-revocation")
        self.assertTrue(s.wait_eof(5), "stream of a revoked token went on")
        subjects = [b.get("data", "") for b in iter(s.next_block, None)]
        self.assertFalse(any("after-revocation" in d for d in subjects))

    def test_revoked_token_cannot_open_a_stream(self):
        tid, secret = create_token(self.data, "soon-revoked", "events")
        self.revoke(tid)
        s = self.stream(token=secret)
        self.assertProblem(s.response, 401, "invalid-token")


class Heartbeat(EventsTestCase):
    def server_args(self):
        return {"heartbeat": 1}

    def test_heartbeat_comments(self):
        s = self.stream()
        self.assertEqual(s.next_block(5).get("retry"), "3000")
        times = []
        start = time.monotonic()
        while len(times) < 2:
            b = s.next_block(4)
            self.assertIsNotNone(b, "stream ended")
            if "heartbeat" in b["comments"]:
                times.append(time.monotonic())
        self.assertLess(times[0] - start, 3.0)
        self.assertGreater(times[1] - times[0], 0.5)
        # Heartbeats do not disturb events.
        t = self.create("between-heartbeats")
        ev = s.next_event(5)
        self.assertEqual(ev["json"]["subject"], t)


if __name__ == "__main__":
    loketlib.main()
