"""An event stream opened with a staff session ends when that session
ends (log-out, password change, disabled account), the way a stream ends
when its API token is revoked; streams of other sessions go on."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loketlib import (LoketTestCase, SSEClient, add_staff_user,  # noqa: E402
                      create_token, main)

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new secret"


class Browser:
    """A session cookie and its CSRF token."""

    def __init__(self, srv, email, password=PASSWORD):
        self.srv = srv
        r = srv.post_json("/api/v1/session",
                          {"email": email, "password": password})
        if r.status != 201:
            raise AssertionError("log-in failed: %r" % r)
        self.csrf = r.json()["csrfToken"]
        self.cookie = self._cookie(r)

    @staticmethod
    def _cookie(r):
        for v in r.header_all("Set-Cookie"):
            name, _, rest = v.partition("=")
            if name == "loket_session":
                return rest.split(";")[0]
        raise AssertionError("no session cookie in %r" % r)

    def headers(self):
        return {"Cookie": "loket_session=" + self.cookie,
                "X-CSRF-Token": self.csrf}

    def request(self, method, path, body=None):
        return self.srv.request(method, path, json_body=body,
                                headers=self.headers())

    def stream(self):
        s = SSEClient(self.srv, extra_headers={
            "Cookie": "loket_session=" + self.cookie})
        if s.status != 200:
            raise AssertionError("stream refused: %d" % s.status)
        s.next_block(5)  # retry:
        return s


class SessionStreams(LoketTestCase):
    def setUp(self):
        self.data = self.make_data_dir()
        self.admin_id = add_staff_user(self.data, "admin@example.org",
                                       "admin")
        self.agent_id = add_staff_user(self.data, "agent@example.org")
        _, self.token = create_token(self.data, "watcher", "admin")
        self.srv = self.start_server(self.data, log_level="warn")

    def streams(self):
        s = SSEClient(self.srv, token=self.token)
        self.assertEqual(s.status, 200)
        s.next_block(5)
        self.addCleanup(s.close)
        return s

    def assert_alive(self, *streams):
        """Each stream still delivers the next event."""
        r = self.srv.post_json("/api/v1/tokens", {"name": "ping"},
                               token=self.token)
        self.assertEqual(r.status, 201, r)
        for s in streams:
            ev = s.next_event(5)
            self.assertIsNotNone(ev, "stream ended")
            while ev["event"] != "token.created":
                ev = s.next_event(5)
                self.assertIsNotNone(ev, "stream ended")

    def ended_event(self, watcher, user_id):
        ev = watcher.next_event(5)
        self.assertEqual((ev["event"], ev["json"]["subject"]),
                         ("session.ended", user_id))
        self.assertEqual(ev["json"]["data"], {"user": user_id})

    def test_logout_ends_only_that_sessions_stream(self):
        watcher = self.streams()
        one = Browser(self.srv, "agent@example.org")
        two = Browser(self.srv, "agent@example.org")
        s1, s2 = one.stream(), two.stream()
        self.addCleanup(s1.close)
        self.addCleanup(s2.close)
        r = one.request("DELETE", "/api/v1/session")
        self.assertIn(r.status, (200, 204), r)
        self.assertTrue(s1.wait_eof(5), "stream outlived its session")
        self.ended_event(watcher, self.agent_id)
        # The account's other session keeps its stream and its access.
        self.assertEqual(two.request("GET", "/api/v1/session").status, 200)
        self.assert_alive(s2, watcher)
        # A new stream with the ended session is refused.
        s = SSEClient(self.srv, extra_headers={
            "Cookie": "loket_session=" + one.cookie})
        self.addCleanup(s.close)
        self.assertEqual(s.status, 401)

    def test_password_change_ends_the_accounts_streams(self):
        watcher = self.streams()
        one = Browser(self.srv, "agent@example.org")
        two = Browser(self.srv, "agent@example.org")
        admin = Browser(self.srv, "admin@example.org")
        s1, s2, sa = one.stream(), two.stream(), admin.stream()
        for s in (s1, s2, sa):
            self.addCleanup(s.close)
        r = one.request("POST", "/api/v1/session/password",
                        {"currentPassword": PASSWORD,
                         "newPassword": NEW_PASSWORD})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(s1.wait_eof(5), "stream outlived the password")
        self.assertTrue(s2.wait_eof(5), "stream outlived the password")
        self.ended_event(watcher, self.agent_id)
        self.assert_alive(sa, watcher)

    def test_disabled_account_loses_its_stream(self):
        watcher = self.streams()
        agent = Browser(self.srv, "agent@example.org")
        admin = Browser(self.srv, "admin@example.org")
        s, sa = agent.stream(), admin.stream()
        self.addCleanup(s.close)
        self.addCleanup(sa.close)
        r = admin.request("PATCH", "/api/v1/users/" + self.agent_id,
                          {"disabled": True})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(s.wait_eof(5), "stream outlived the account")
        self.ended_event(watcher, self.agent_id)
        self.assert_alive(sa, watcher)


if __name__ == "__main__":
    main()
