"""The agent console's shell page (GET /agent, src/pages/agent.c) over
real HTTP: a 303 to the log-in page without a session (and with an ended
one), the page for any staff role with a session, no inline script or
style, the CSP and no caching.  The console itself is tested in Chromium
(tests/browser/test_agent*.mjs)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loketlib import LoketTestCase, create_token, main, run_cli  # noqa: E402

PASSWORD = "correct horse battery staple"


def add_user(data, email, role):
    p = run_cli("user", "add", "--email", email, "--role", role, "--name",
                "Medewerker <b>", input=PASSWORD + "\n", data=data)
    if p.returncode != 0:
        raise AssertionError("user add failed: %s" % p.stderr)


class AgentPageTest(LoketTestCase):
    def setUp(self):
        self.data = self.make_data_dir()
        for role in ("agent", "supervisor", "admin"):
            add_user(self.data, role + "@example.nl", role)
        self.srv = self.start_server(self.data, log_level="warn")
        self.admin = create_token(self.data, scopes="admin")[1]

    def login(self, email):
        r = self.srv.request("POST", "/api/v1/session", json_body={
            "email": email, "password": PASSWORD})
        self.assertEqual(r.status, 201, r.text)
        cookie = r.header("Set-Cookie").split(";")[0]
        return {"Cookie": cookie}, r.json()["csrfToken"]

    def test_without_session_redirects_to_login(self):
        r = self.srv.get("/agent")
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header("Location"), "/login?next=/agent")
        r = self.srv.get("/agent", headers={
            "Cookie": "loket_session=AAAAAAAAAAAAAAAAAAAAAA"})
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header("Location"), "/login?next=/agent")
        # A token is no session: the page is for people.
        r = self.srv.get("/agent", token=self.admin)
        self.assertEqual(r.status, 303)

    def test_page_for_every_role(self):
        for role in ("agent", "supervisor", "admin"):
            h, _ = self.login(role + "@example.nl")
            r = self.srv.get("/agent", headers=h)
            self.assertEqual(r.status, 200, role)
            self.assertTrue(r.content_type.startswith("text/html"))
            self.assertEqual(r.header("Cache-Control"), "no-store")
            csp = r.header("Content-Security-Policy")
            self.assertIn("script-src 'self'", csp)
            self.assertNotIn("unsafe-inline", csp)
            html = r.text
            self.assertNotRegex(html, r"<script(?![^>]*\bsrc=)")
            self.assertNotRegex(html, r"<style|\sstyle=|\son[a-z]+=")
            self.assertIn('href="/agent/dashboard"', html)
            self.assertIn('action="/logout"', html)
            self.assertIn('id="console-live"', html)
            # Accounts without an agent have no medewerker id.
            self.assertIn('data-actor=""', html)

    def test_agent_id_for_the_script(self):
        r = self.srv.get("/api/v1/users", token=self.admin)
        user = [u for u in r.json()["items"]
                if u["email"] == "agent@example.nl"][0]
        r = self.srv.post_json("/api/v1/agents", {"userId": user["id"]},
                               token=self.admin)
        self.assertEqual(r.status, 201, r.text)
        h, _ = self.login("agent@example.nl")
        html = self.srv.get("/agent", headers=h).text
        self.assertIn('data-actor="%s"' % r.json()["id"], html)

    def test_ended_session_redirects(self):
        h, csrf = self.login("agent@example.nl")
        h2 = dict(h)
        h2["X-CSRF-Token"] = csrf
        r = self.srv.request("DELETE", "/api/v1/session", headers=h2)
        self.assertEqual(r.status, 204)
        r = self.srv.get("/agent", headers=h)
        self.assertEqual(r.status, 303)


if __name__ == "__main__":
    main()
