#!/usr/bin/env python3
"""Notices cross-posted to Mastodon through the outbox, against a local
stand-in for the Mastodon client API (mastodon_standin.py).

Checked: a publication and each update become one status each, with the
right text, token, visibility, language and Idempotency-Key; a failing
server is retried until it recovers and the status is still made once; a
refused token fails the message, which staff see and retry; an edit is not
posted again; a Loket killed between Mastodon's answer and its own commit
posts once after the restart; the token never reaches the log or the API;
without Mastodon configured nothing is queued.  The status says what the
notice says when it is sent (an edit, a hidden text, a withdrawal before
then count; rows queued with a copy of the text by earlier versions too);
a 429's X-RateLimit-Reset is waited for; a stop lets a short send finish;
a hanging SMTP server does not hold up Mastodon.
"""

import json
import os
import secrets
import signal
import socket
import sqlite3
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from loketlib import (LoketTestCase, create_token, db_query,  # noqa: E402
                      main, metric, run_cli, wait_until)
from mastodon_standin import MastodonStandin  # noqa: E402

PUBLIC = "https://loket.gemeente.example"


class MastodonTest(LoketTestCase):

    def setUp(self):
        self.token = "mtok_" + secrets.token_urlsafe(24)
        self.masto = MastodonStandin(self.token).start()
        self.addCleanup(self.masto.stop)
        self.data = self.make_data_dir()
        self.token_file = os.path.join(os.path.dirname(self.data),
                                       "mastodon-token")
        with open(self.token_file, "w") as f:
            f.write(self.token + "\n")
        _, self.admin = create_token(self.data, "admin", "api admin")
        _, self.agent = create_token(self.data, "agent", "api")

    def serve(self, *extra, mastodon=True):
        args = ["--outbox-backoff-ms", "200"]
        if mastodon:
            args += ["--mastodon-url", self.masto.url + "/",
                     "--mastodon-token-file", self.token_file,
                     "--public-url", PUBLIC + "/"]
        return self.start_server(self.data, extra_args=args + list(extra))

    # -- helpers --

    def publish(self, srv, title="Gaslek Stationsplein",
                body="Blijf uit de buurt van het Stationsplein."):
        r = srv.post_json("/api/v1/notices", {
            "kind": "calamiteit", "title": title, "body": body,
            "publish": True}, token=self.admin)
        self.assertEqual(r.status, 201, r)
        return r.json()["id"]

    def add_update(self, srv, nid, text):
        r = srv.post_json("/api/v1/notices/%s/updates" % nid,
                          {"body": text}, token=self.admin)
        self.assertEqual(r.status, 201, r)
        return r.json()["id"]

    def notice(self, srv, nid):
        r = srv.get("/api/v1/notices/" + nid, token=self.admin)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def cross_post(self, srv, nid, uid=None):
        n = self.notice(srv, nid)
        if uid is None:
            return n["crossPost"]
        return [u for u in n["updates"] if u["id"] == uid][0]["crossPost"]

    def wait_state(self, srv, nid, uid, state, timeout=15):
        def done():
            cp = self.cross_post(srv, nid, uid)
            return cp if cp and cp["state"] == state else None
        return wait_until(done, timeout, 0.05, "crossPost %s" % state)

    def outbox(self, srv, **query):
        q = "&".join("%s=%s" % kv for kv in query.items())
        r = srv.get("/api/v1/outbox?" + q, token=self.admin)
        self.assertEqual(r.status, 200, r)
        return r.json()["items"]

    # -- the tests --

    def test_publication_and_update_are_posted_once(self):
        srv = self.serve()
        nid = self.publish(srv)
        uid = self.add_update(srv, nid, "De brandweer meet nu de gaswaarden.\n"
                              "Ramen en deuren dicht.")
        cp = self.wait_state(srv, nid, uid, "sent")
        self.wait_state(srv, nid, None, "sent")
        link = PUBLIC + "/actueel/" + nid

        made, seen = self.masto.with_key("update:" + uid)
        self.assertEqual(len(made), 1)
        self.assertEqual(len(seen), 1)
        self.assertEqual(made[0]["text"],
                         "Gaslek Stationsplein\n\nDe brandweer meet nu de "
                         "gaswaarden.\nRamen en deuren dicht.\n\n" + link)
        self.assertEqual(made[0]["visibility"], "public")
        self.assertEqual(made[0]["language"], "nl")
        self.assertEqual(cp, {"state": "sent", "url": made[0]["json"]["url"],
                              "error": None})
        h = seen[0]["headers"]
        self.assertEqual(h["Authorization"], "Bearer " + self.token)
        self.assertTrue(h["Content-Type"].startswith("application/json"))

        made, _ = self.masto.with_key("notice:" + nid)
        self.assertEqual(len(made), 1)
        self.assertEqual(made[0]["text"], "Gaslek Stationsplein\n\nBlijf uit "
                         "de buurt van het Stationsplein.\n\n" + link)
        self.assertEqual(len(self.masto.statuses), 2)

        # A long update is cut at a character boundary, with an ellipsis,
        # and still links to the notice.
        long_text = "Éénrichtingsverkeer op de Brink en de Kerkstraat. " * 19
        uid2 = self.add_update(srv, nid, long_text[:990])
        self.wait_state(srv, nid, uid2, "sent")
        made, _ = self.masto.with_key("update:" + uid2)
        text = made[0]["text"]
        self.assertLessEqual(len(text), 500)
        self.assertTrue(text.endswith("\u2026\n\n" + link), text[-80:])
        self.assertTrue(text.startswith("Gaslek Stationsplein\n\nÉénrichting"))

        m = srv.metrics()
        self.assertEqual(metric(m, "loket_outbox_sent_total"), 3)
        self.assertEqual(metric(m, "loket_outbox_failed_total"), 0)

        # Only supervisors and admins see the outbox; no content in it.
        r = srv.get("/api/v1/outbox", token=self.agent)
        self.assertProblem(r, 403)
        items = self.outbox(srv, kind="mastodon", state="sent")
        self.assertEqual({i["key"] for i in items},
                         {"notice:" + nid, "update:" + uid,
                          "update:" + uid2})
        self.assertNotIn("payload", items[0])
        self.assertNotIn("Gaslek", str(items))

    def test_second_person_approval_posts_on_approval(self):
        srv = self.serve()
        _, admin2 = create_token(self.data, "admin2", "api admin")
        r = srv.request("PUT", "/api/v1/notice-kinds/calamiteit",
                        json_body={"requiresSecondPerson": True},
                        token=self.admin)
        self.assertEqual(r.status, 200, r)
        nid = self.publish(srv)
        n = self.notice(srv, nid)
        self.assertEqual(n["status"], "awaiting-approval")
        self.assertIsNone(n["crossPost"])
        r = srv.request("POST", "/api/v1/notices/%s/approve" % nid,
                        token=admin2)
        self.assertEqual(r.status, 200, r)
        self.wait_state(srv, nid, None, "sent")
        made, _ = self.masto.with_key("notice:" + nid)
        self.assertEqual(len(made), 1)
        self.assertEqual(len(self.masto.statuses), 1)

    def test_failures_are_retried_and_post_once(self):
        srv = self.serve()
        nid = self.publish(srv)
        self.wait_state(srv, nid, None, "sent")
        self.masto.fail_next(2)          # 503, 503
        uid = self.add_update(srv, nid, "Stroomstoring in Noord.")
        self.wait_state(srv, nid, uid, "sent")
        made, seen = self.masto.with_key("update:" + uid)
        self.assertEqual((len(made), len(seen)), (1, 3))
        m = srv.metrics()
        self.assertEqual(metric(m, "loket_outbox_retries_total"), 2)

        # A connection closed without an answer is retried too.
        self.masto.drop_next(1)
        uid = self.add_update(srv, nid, "Storing duurt langer.")
        self.wait_state(srv, nid, uid, "sent")
        made, seen = self.masto.with_key("update:" + uid)
        self.assertEqual((len(made), len(seen)), (1, 2))

        # 429 with Retry-After: the next try waits that long (not 200 ms).
        self.masto.fail_next(1, status=429, retry_after=2)
        uid = self.add_update(srv, nid, "Storing bijna voorbij.")
        r = self.wait_state(srv, nid, uid, "sent")
        made, seen = self.masto.with_key("update:" + uid)
        self.assertEqual((len(made), len(seen)), (1, 2))
        rows = [i for i in self.outbox(srv, kind="mastodon")
                if i["key"] == "update:" + uid]
        self.assertEqual(rows[0]["attempts"], 2)
        self.assertGreaterEqual(rows[0]["sentAt"] - rows[0]["createdAt"],
                                1900)
        self.assertIsNone(r["error"])

    def test_refused_token_fails_visibly_and_staff_retry(self):
        srv = self.serve()
        nid = self.publish(srv)
        self.wait_state(srv, nid, None, "sent")
        self.masto.set_token("rotated-" + self.token)
        uid = self.add_update(srv, nid, "Wateroverlast Dorpsstraat.")
        cp = self.wait_state(srv, nid, uid, "failed")
        self.assertEqual(cp["error"], "HTTP 401: The access token is invalid")
        self.assertIsNone(cp["url"])
        failed = self.outbox(srv, state="failed")
        self.assertEqual([i["key"] for i in failed], ["update:" + uid])
        self.assertEqual(failed[0]["attempts"], 1)  # permanent: no retries
        m = srv.metrics()
        self.assertEqual(metric(m, "loket_outbox_failed_total"), 1)

        # Staff fix the token on the Mastodon side and retry.
        self.masto.set_token(self.token)
        r = srv.request("POST", "/api/v1/outbox/%s/retry" % failed[0]["id"],
                        token=self.agent)
        self.assertProblem(r, 403)
        r = srv.request("POST", "/api/v1/outbox/%s/retry" % failed[0]["id"],
                        token=self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["state"], "pending")
        self.assertEqual(r.json()["attempts"], 0)
        self.wait_state(srv, nid, uid, "sent")
        made, _ = self.masto.with_key("update:" + uid)
        self.assertEqual(len(made), 1)
        r = srv.request("POST", "/api/v1/outbox/%s/retry" % failed[0]["id"],
                        token=self.admin)
        self.assertProblem(r, 409)
        r = srv.request("POST", "/api/v1/outbox/%s/retry" %
                        "01900000-0000-7000-8000-000000000000",
                        token=self.admin)
        self.assertProblem(r, 404)

    def test_edit_is_not_posted_again(self):
        srv = self.serve()
        nid = self.publish(srv)
        uid = self.add_update(srv, nid, "Omleiding via de Rijksweg.")
        self.wait_state(srv, nid, uid, "sent")
        r = srv.request("PATCH", "/api/v1/notices/%s/updates/%s" % (nid, uid),
                        json_body={"body": "Omleiding via de Rijksweg en "
                                   "de Kanaalweg."}, token=self.admin)
        self.assertEqual(r.status, 200, r)
        # The worker wakes on every queueing commit; give it the time.
        time.sleep(1.0)
        self.assertEqual(len(self.masto.statuses), 2)
        self.assertEqual(len(self.outbox(srv)), 2)
        self.assertEqual(self.cross_post(srv, nid, uid)["state"], "sent")

    def test_killed_between_post_and_commit_posts_once(self):
        srv = self.serve()
        nid = self.publish(srv)
        self.wait_state(srv, nid, None, "sent")
        self.masto.hold_next(5)
        uid = self.add_update(srv, nid, "Ontruiming van de Julianastraat.")
        self.assertTrue(self.masto.held.wait(15))
        # Mastodon has made the status; Loket has not recorded it.
        srv.kill()
        self.assertEqual(srv.returncode, -signal.SIGKILL)
        srv2 = self.serve()
        self.wait_state(srv2, nid, uid, "sent")
        made, seen = self.masto.with_key("update:" + uid)
        self.assertEqual(len(made), 1)
        self.assertEqual(len(seen), 2)  # sent again, with the same key
        self.assertEqual(len(self.masto.statuses), 2)
        wait_until(lambda: "took back the leases" in srv2.log_text(), 5,
                   what="the log line")

    def test_two_processes_on_one_database_send_each_once(self):
        a = self.serve()
        b = self.serve()
        nid = self.publish(a)
        uids = [self.add_update(srv, nid, "Bericht %d." % i)
                for i, srv in enumerate([a, b] * 6)]
        for uid in uids:
            self.wait_state(a, nid, uid, "sent")
        for uid in uids:
            made, seen = self.masto.with_key("update:" + uid)
            self.assertEqual((len(made), len(seen)), (1, 1), uid)
        sent = [metric(srv.metrics(), "loket_outbox_sent_total")
                for srv in (a, b)]
        self.assertEqual(sum(sent), len(uids) + 1)

    def test_stop_during_a_send_is_quick_and_posts_once(self):
        srv = self.serve()
        nid = self.publish(srv)
        self.wait_state(srv, nid, None, "sent")
        self.masto.hold_next(30)
        uid = self.add_update(srv, nid, "Zandzakken bij het gemeentehuis.")
        self.assertTrue(self.masto.held.wait(15))
        t0 = time.monotonic()
        self.assertEqual(srv.stop(), 0)
        # The transfer is cut short, not waited for (30 s).
        self.assertLess(time.monotonic() - t0, 8)
        srv2 = self.serve()
        self.wait_state(srv2, nid, uid, "sent")
        made, seen = self.masto.with_key("update:" + uid)
        self.assertEqual((len(made), len(seen)), (1, 2))
        rows = [i for i in self.outbox(srv2) if i["key"] == "update:" + uid]
        self.assertEqual(rows[0]["attempts"], 1)  # the cut one did not count

    def test_token_never_leaks(self):
        srv = self.serve("--log-level", "debug")
        nid = self.publish(srv)
        self.wait_state(srv, nid, None, "sent")
        # A server that echoes the token in its refusal.
        self.masto.fail_next(1, status=403,
                             error="token %s is suspended" % self.token)
        uid = self.add_update(srv, nid, "Brug open.")
        cp = self.wait_state(srv, nid, uid, "failed")
        self.assertTrue(cp["error"].startswith("HTTP 403: token "), cp)
        outputs = [srv.get("/api/v1/notices/" + nid, token=self.admin).text,
                   srv.get("/api/v1/outbox", token=self.admin).text,
                   srv.get("/metrics").text]
        srv.stop()
        outputs.append(srv.log_text())
        for text in outputs:
            self.assertNotIn(self.token, text)
        # A bad configuration is refused without quoting the token.
        p = run_cli("serve", "--listen", "127.0.0.1:0", "--data", self.data,
                    "--mastodon-url", self.masto.url,
                    "--mastodon-token-file", self.token_file)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("--public-url", p.stderr)
        self.assertNotIn(self.token, p.stderr + p.stdout)
        with open(self.token_file, "w") as f:
            f.write(self.token + " " + self.token + "\n")
        p = run_cli("serve", "--listen", "127.0.0.1:0", "--data", self.data,
                    "--mastodon-url", self.masto.url, "--public-url", PUBLIC,
                    "--mastodon-token-file", self.token_file)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("token file", p.stderr)
        self.assertNotIn(self.token, p.stderr + p.stdout)

    def test_unlisted_visibility_and_environment(self):
        env = {"LOKET_MASTODON_URL": self.masto.url,
               "LOKET_MASTODON_TOKEN_FILE": self.token_file,
               "LOKET_PUBLIC_URL": PUBLIC}
        srv = self.start_server(self.data, env=env, extra_args=[
            "--mastodon-visibility", "unlisted"])
        nid = self.publish(srv, body="")
        self.wait_state(srv, nid, None, "sent")
        made, _ = self.masto.with_key("notice:" + nid)
        self.assertEqual(made[0]["visibility"], "unlisted")
        self.assertEqual(made[0]["text"], "Gaslek Stationsplein\n\n" +
                         PUBLIC + "/actueel/" + nid)

    def test_not_configured_queues_nothing(self):
        srv = self.serve(mastodon=False)
        nid = self.publish(srv)
        uid = self.add_update(srv, nid, "Geen cross-post.")
        n = self.notice(srv, nid)
        self.assertIsNone(n["crossPost"])
        self.assertIsNone(n["updates"][0]["crossPost"])
        self.assertEqual(self.outbox(srv), [])
        self.assertEqual(n["updates"][0]["id"], uid)
        time.sleep(0.5)
        self.assertEqual(self.masto.requests, [])

    # -- the text at send time, not at queue time --

    def first_attempt_fails(self, key_prefix, retry_after=2):
        """The next request is refused with a 503 asking for `retry_after`
        seconds; returns a function that waits until it was made."""
        self.masto.fail_next(1, retry_after=retry_after)

        def seen():
            return [r for r in self.masto.requests
                    if r["headers"].get("Idempotency-Key", "")
                    .startswith(key_prefix)]
        return lambda: wait_until(seen, 15, 0.02, "the first attempt")

    def test_edit_before_the_send_posts_the_current_text(self):
        srv = self.serve()
        nid = self.publish(srv)
        self.wait_state(srv, nid, None, "sent")
        attempted = self.first_attempt_fails("update:")
        uid = self.add_update(srv, nid, "Adres van de opvang: Dorpsstraat 1, "
                              "06-12345678 (privénummer).")
        attempted()
        # Corrected before Mastodon took it, the old text hidden.
        r = srv.request("PATCH", "/api/v1/notices/%s/updates/%s" % (nid, uid),
                        json_body={"body": "Opvang in sporthal De Wissel.",
                                   "hidePrevious": True}, token=self.admin)
        self.assertEqual(r.status, 200, r)
        self.wait_state(srv, nid, uid, "sent")
        made, seen = self.masto.with_key("update:" + uid)
        self.assertEqual((len(made), len(seen)), (1, 2))
        self.assertEqual(made[0]["text"], "Gaslek Stationsplein\n\nOpvang in "
                         "sporthal De Wissel.\n\n" + PUBLIC + "/actueel/" + nid)
        # The attempt after the edit sent the new text only.
        self.assertNotIn("privénummer", seen[1]["body"])

    def test_withdrawn_before_the_send_is_not_posted(self):
        srv = self.serve()
        attempted = self.first_attempt_fails("notice:")
        nid = self.publish(srv, title="Verkeerde melding")
        attempted()
        r = srv.request("PATCH", "/api/v1/notices/" + nid,
                        json_body={"status": "withdrawn"}, token=self.admin)
        self.assertEqual(r.status, 200, r)
        cp = self.wait_state(srv, nid, None, "sent")
        # Done, not failed, and nothing on Mastodon.
        self.assertEqual(cp, {"state": "sent", "url": None, "error": None})
        row = [i for i in self.outbox(srv) if i["key"] == "notice:" + nid][0]
        self.assertEqual(row["result"], "skipped: notice withdrawn")
        self.assertEqual(row["attempts"], 2)
        time.sleep(0.5)
        self.assertEqual(self.masto.statuses, [])
        self.assertEqual(len(self.masto.requests), 1)
        self.assertEqual(metric(srv.metrics(), "loket_outbox_failed_total"), 0)

    def test_rows_queued_with_a_text_post_the_current_one(self):
        """Rows that earlier versions queued carry title and text; they
        are sent by their ids like new ones."""
        srv = self.serve()
        attempted = self.first_attempt_fails("notice:", retry_after=3)
        nid = self.publish(srv)
        attempted()
        old = json.dumps({"noticeId": nid, "updateId": None,
                          "title": "Oude titel", "text": "Oude tekst"})
        db = sqlite3.connect(os.path.join(self.data, "loket.db"), timeout=10)
        with db:
            n = db.execute("UPDATE outbox SET payload = ? WHERE key = ?",
                           (old, "notice:" + nid)).rowcount
        db.close()
        self.assertEqual(n, 1)
        self.wait_state(srv, nid, None, "sent")
        made, _ = self.masto.with_key("notice:" + nid)
        self.assertEqual(made[0]["text"], "Gaslek Stationsplein\n\nBlijf uit "
                         "de buurt van het Stationsplein.\n\n" + PUBLIC +
                         "/actueel/" + nid)

    # -- Mastodon's rate limit --

    def test_rate_limit_reset_is_waited_for(self):
        srv = self.serve()
        reset = {}

        def headers():
            at = datetime.now(timezone.utc) + timedelta(seconds=3)
            reset["at"] = at.timestamp()
            return {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": at.strftime("%Y-%m-%dT%H:%M:%S.")
                    + "%03dZ" % (at.microsecond // 1000)}
        self.masto.fail_next(1, status=429, error="Too many requests",
                             headers=headers)
        nid = self.publish(srv)
        cp = self.wait_state(srv, nid, None, "sent")
        made, seen = self.masto.with_key("notice:" + nid)
        self.assertEqual((len(made), len(seen)), (1, 2))
        made_at = datetime.strptime(made[0]["json"]["created_at"],
                                    "%Y-%m-%dT%H:%M:%S.000Z").replace(
                                        tzinfo=timezone.utc).timestamp()
        # Not the 200 ms backoff: the reset (the stand-in's clock has
        # whole seconds).
        self.assertGreaterEqual(made_at, int(reset["at"]) - 0.001)
        self.assertEqual(cp["state"], "sent")

    # -- stopping --

    def test_stop_lets_a_short_send_finish(self):
        srv = self.serve()
        nid = self.publish(srv)
        self.wait_state(srv, nid, None, "sent")
        self.masto.hold_next(2)
        uid = self.add_update(srv, nid, "Water weer drinkbaar.")
        self.assertTrue(self.masto.held.wait(15))
        t0 = time.monotonic()
        self.assertEqual(srv.stop(), 0)
        self.assertGreater(time.monotonic() - t0, 1.0)  # it was waited for
        srv2 = self.serve()
        rows = [i for i in self.outbox(srv2) if i["key"] == "update:" + uid]
        self.assertEqual((rows[0]["state"], rows[0]["attempts"]), ("sent", 1))
        time.sleep(0.5)
        made, seen = self.masto.with_key("update:" + uid)
        self.assertEqual((len(made), len(seen)), (1, 1))  # not sent again

    # -- a hanging mail server --

    def test_hanging_smtp_does_not_hold_up_mastodon(self):
        """Mail rows for an SMTP server that accepts and never greets:
        Mastodon statuses still leave at once, and a stop is bounded."""
        lsock = socket.socket()
        lsock.bind(("127.0.0.1", 0))
        lsock.listen(16)
        conns = []
        stop = threading.Event()

        def accept():
            lsock.settimeout(0.2)
            while not stop.is_set():
                try:
                    conns.append(lsock.accept()[0])
                except OSError:
                    pass
        t = threading.Thread(target=accept, daemon=True)
        t.start()

        def cleanup():
            stop.set()
            t.join()
            for c in conns:
                c.close()
            lsock.close()
        self.addCleanup(cleanup)
        srv = self.serve("--smtp-url", "smtp://127.0.0.1:%d" %
                         lsock.getsockname()[1],
                         "--mail-from", "actueel@loket.test")
        now = int(time.time() * 1000)
        db = sqlite3.connect(os.path.join(self.data, "loket.db"), timeout=10)
        with db:
            for i in range(10):
                db.execute("INSERT INTO outbox (id, kind, key, payload,"
                           " next_attempt_at, created_at, updated_at) VALUES"
                           " (?, 'mail', ?, ?, ?, ?, ?)",
                           ("0190c0de-0000-7000-8000-%012d" % i, "test:%d" % i,
                            json.dumps({"to": "inwoner%d@example.nl" % i,
                                        "subject": "Antwoord",
                                        "text": "Hallo.\n"}), now, now, now))
        db.close()
        wait_until(lambda: conns, 10, 0.05, "Loket to connect to SMTP")
        t0 = time.monotonic()
        nid = self.publish(srv)
        uid = self.add_update(srv, nid, "Tweede bericht.")
        self.wait_state(srv, nid, None, "sent", timeout=5)
        self.wait_state(srv, nid, uid, "sent", timeout=5)
        self.assertLess(time.monotonic() - t0, 3)
        t0 = time.monotonic()
        self.assertEqual(srv.stop(), 0)
        # The hanging SMTP transfer had its grace (5 s), then was cut.
        self.assertLess(time.monotonic() - t0, 9)
        pending = db_query(self.data, "SELECT COUNT(*) FROM outbox WHERE"
                           " kind = 'mail' AND state = 'pending'"
                           " AND lease_owner IS NULL")
        self.assertEqual(pending, [(10,)])


if __name__ == "__main__":
    main()
