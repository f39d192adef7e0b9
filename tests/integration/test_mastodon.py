#!/usr/bin/env python3
"""Notices cross-posted to Mastodon through the outbox, against a local
stand-in for the Mastodon client API (mastodon_standin.py).

Checked: a publication and each update become one status each, with the
right text, token, visibility, language and Idempotency-Key; a failing
server is retried until it recovers and the status is still made once; a
refused token fails the message, which staff see and retry; an edit is not
posted again; a Loket killed between Mastodon's answer and its own commit
posts once after the restart; the token never reaches the log or the API;
without Mastodon configured nothing is queued.
"""

import os
import secrets
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from loketlib import (LoketTestCase, create_token, main,  # noqa: E402
                      metric, run_cli, wait_until)
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


if __name__ == "__main__":
    main()
