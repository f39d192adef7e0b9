"""Graceful shutdown on SIGTERM and SIGINT."""

import json
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loketlib  # noqa: E402
from loketlib import (LoketTestCase, RawClient, SSEClient,  # noqa: E402
                      create_token, metric, wait_until)

PATH = "/api/v1/tokens"
GRACE = 5.0


class Shutdown(LoketTestCase):
    def setUp(self):
        self.data = self.make_data_dir()
        self.admin_id, self.admin = create_token(self.data, "shutdown")
        self.srv = self.start_server(self.data)

    def in_flight(self):
        # The /metrics request counts itself.
        return metric(self.srv.metrics(),
                      "loket_http_requests_in_flight") - 1

    def check_in_flight_requests_finish(self, sig, n=50):
        """n POSTs whose headers (and half the body) the server has when
        the signal arrives; the rest of each body follows it."""
        srv = self.srv
        clients = []
        for i in range(n):
            body = json.dumps({"name": "in-flight-%d" % i}).encode()
            c = srv.raw()
            self.addCleanup(c.close)
            c.send(RawClient.build("POST", PATH, {
                "Authorization": "Bearer " + self.admin,
                "Content-Type": "application/json",
                "Content-Length": str(len(body))}) + body[:5])
            clients.append((c, body))
        wait_until(lambda: self.in_flight() == n, 10,
                   what="%d requests in flight" % n)

        # An idle kept-alive connection must not hold the shutdown up.
        idle = srv.raw()
        self.addCleanup(idle.close)
        self.assertEqual(idle.request("GET", "/healthz").status, 200)

        t0 = time.monotonic()
        srv.send_signal(sig)
        results = [None] * n

        def finish(i):
            c, body = clients[i]
            try:
                c.send(body[5:])
                results[i] = c.read_response()
            except Exception as e:  # reported below
                results[i] = e

        ts = [threading.Thread(target=finish, args=(i,)) for i in range(n)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(15)
        rc = srv.wait(15)
        elapsed = time.monotonic() - t0
        self.assertEqual(rc, 0, srv.log_text()[-2000:])
        self.assertLess(elapsed, GRACE, "exit took %.2f s" % elapsed)

        statuses = {}
        for r in results:
            self.assertIsInstance(r, loketlib.Response,
                                  "no complete response: %r" % (r,))
            statuses[r.status] = statuses.get(r.status, 0) + 1
            # The body is complete and parses.
            r.json()
        # Requests that had arrived are served, not turned away.
        self.assertEqual(statuses, {201: n}, statuses)
        created = {r.json()["id"] for r in results}
        rows = {row[0] for row in loketlib.db_query(
            self.data, "SELECT id FROM api_tokens")}
        self.assertTrue(created <= rows)
        logs = [rec.get("msg") for rec in srv.log_records()]
        self.assertIn("shutting down", logs)
        self.assertEqual(logs[-1], "stopped")

    def test_sigterm_finishes_in_flight_requests(self):
        self.check_in_flight_requests_finish(signal.SIGTERM)

    def test_sigint_finishes_in_flight_requests(self):
        self.check_in_flight_requests_finish(signal.SIGINT)

    def check_streams_end(self, sig):
        streams = []
        for _ in range(3):
            s = SSEClient(self.srv, token=self.admin)
            self.addCleanup(s.close)
            self.assertEqual(s.status, 200)
            self.assertEqual(s.next_block(5).get("retry"), "3000")
            streams.append(s)
        t0 = time.monotonic()
        self.srv.send_signal(sig)
        for s in streams:
            self.assertTrue(s.wait_eof(GRACE), "stream not ended")
        rc = self.srv.wait(GRACE + 5)
        elapsed = time.monotonic() - t0
        self.assertEqual(rc, 0)
        self.assertLess(elapsed, GRACE, "exit took %.2f s" % elapsed)
        # Ended cleanly with the last chunk, not cut off.
        for s in streams:
            self.assertTrue(s.chunked)
            self.assertTrue(s.raw.buf == b"" and s.text == "", s.text)

    def test_sigterm_ends_event_streams(self):
        self.check_streams_end(signal.SIGTERM)

    def test_sigint_ends_event_streams(self):
        self.check_streams_end(signal.SIGINT)

    def test_new_requests_during_drain_get_503(self):
        # One request held open keeps the server draining...
        body = b'{"name":"slow"}'
        slow = self.srv.raw()
        self.addCleanup(slow.close)
        slow.send(RawClient.build("POST", PATH, {
            "Authorization": "Bearer " + self.admin,
            "Content-Type": "application/json",
            "Content-Length": str(len(body))}) + body[:3])
        keep = self.srv.raw()
        self.addCleanup(keep.close)
        self.assertEqual(keep.request("GET", "/healthz").status, 200)
        wait_until(lambda: self.in_flight() == 1, 10, what="slow request")
        t0 = time.monotonic()
        self.srv.send_signal(signal.SIGTERM)
        # ...while a new request on an open connection is turned away.
        r = wait_until(lambda: (lambda r: r if r.status == 503 else None)(
            keep.request("GET", "/healthz")), 3, what="503 while draining")
        self.assertProblem(r, 503, "shutting-down")
        self.assertEqual(r.header("Connection"), "close")
        self.assertIsNotNone(r.header("Retry-After"))
        self.assertTrue(keep.at_eof(2))
        # ...and a new connection is closed without an answer.
        try:
            with self.srv.raw() as fresh:
                fresh.send(RawClient.build("GET", "/healthz"))
                self.assertTrue(fresh.at_eof(2), "new connection served")
        except (ConnectionRefusedError, ConnectionResetError,
                BrokenPipeError):
            pass
        slow.send(body[3:])
        r = slow.read_response()
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.srv.wait(10), 0)
        self.assertLess(time.monotonic() - t0, GRACE)

    def test_stuck_client_does_not_block_exit(self):
        # A request whose body never comes: the server gives up on it
        # after the grace period and still exits 0.
        c = self.srv.raw()
        self.addCleanup(c.close)
        c.send(RawClient.build("POST", PATH, {
            "Authorization": "Bearer " + self.admin,
            "Content-Type": "application/json",
            "Content-Length": "100"}) + b'{"na')
        wait_until(lambda: self.in_flight() == 1, 10, what="stuck request")
        t0 = time.monotonic()
        self.srv.send_signal(signal.SIGTERM)
        self.assertEqual(self.srv.wait(15), 0)
        # The server's grace period is 4 s; allow for a loaded machine.
        self.assertLess(time.monotonic() - t0, GRACE + 3)

    def test_restart_after_shutdown_keeps_data(self):
        r = self.srv.post_json(PATH, {"name": "kept"}, token=self.admin)
        self.assertEqual(r.status, 201)
        tid = r.json()["id"]
        self.assertEqual(self.srv.stop(), 0)
        srv = self.start_server(self.data)
        r = srv.get(PATH + "/" + tid, token=self.admin)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["name"], "kept")


if __name__ == "__main__":
    loketlib.main()
