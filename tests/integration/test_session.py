"""Staff sessions over real HTTP: log-in and log-out, cookie flags,
rotation, time-outs, CSRF and Origin checks, rate limits, password
changes, disabled accounts, account management, the /login page and
`loket user passwd`."""

import hashlib
import os
import re
import sqlite3
import statistics
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loketlib  # noqa: E402
from loketlib import (LoketTestCase, create_token, db_query,  # noqa: E402
                      run_cli)

PASSWORD = "correct horse battery staple"
SESSION_ID_RE = re.compile(r"^[A-Za-z0-9_-]{22}$")
# High limits for the classes that are not about rate limiting.
RELAXED = ["--login-attempts", "64", "--login-attempts-address", "64"]


def add_user(data, email, role="agent", password=PASSWORD, name="Medewerker"):
    p = run_cli("user", "add", "--email", email, "--role", role, "--name",
                name, input=password + "\n", data=data)
    if p.returncode != 0:
        raise AssertionError("user add failed: %s" % p.stderr)
    return re.search(r"\((usr_[0-9a-f]{16})\)", p.stdout).group(1)


def set_cookies(r):
    """{name: (value, attributes as a lower-case list)} from Set-Cookie."""
    out = {}
    for v in r.header_all("Set-Cookie"):
        parts = [p.strip() for p in v.split(";")]
        name, _, value = parts[0].partition("=")
        out[name] = (value, [p.lower() for p in parts[1:]])
    return out


def digest(secret):
    return hashlib.blake2b(secret.encode(), digest_size=32).hexdigest()


class Browser:
    """One browser: its cookie jar and the session's CSRF token."""

    def __init__(self, srv, address=None):
        self.srv = srv
        self.cookies = {}
        self.csrf = None
        self.address = address  # X-Forwarded-For, with --trust-proxy

    @property
    def origin(self):
        return "http://%s:%d" % (self.srv.host, self.srv.port)

    def headers(self, extra=None):
        h = {}
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv
                                    for kv in self.cookies.items())
        if self.address:
            h["X-Forwarded-For"] = self.address
        h.update(extra or {})
        return h

    def keep(self, r):
        for name, (value, attrs) in set_cookies(r).items():
            if "max-age=0" in attrs:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return r

    def request(self, method, path, json_body=None, body=None, headers=None,
                csrf=True):
        extra = dict(headers or {})
        if csrf and self.csrf and method not in ("GET", "HEAD"):
            extra.setdefault("X-CSRF-Token", self.csrf)
        return self.keep(self.srv.request(method, path, json_body=json_body,
                                          body=body,
                                          headers=self.headers(extra)))

    def login(self, email, password=PASSWORD, headers=None):
        r = self.request("POST", "/api/v1/session",
                         {"email": email, "password": password},
                         headers=headers, csrf=False)
        if r.status == 201:
            self.csrf = r.json()["csrfToken"]
        return r

    def form(self, path, fields, headers=None):
        body = urllib.parse.urlencode(fields)
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        h.update(headers or {})
        return self.request("POST", path, body=body, headers=h, csrf=False)

    @property
    def session(self):
        return self.cookies.get("loket_session")


class SessionCase(LoketTestCase):
    extra = RELAXED

    def setUp(self):
        self.data = self.make_data_dir()
        self.admin_id = add_user(self.data, "admin@example.org", "admin",
                                 name="Beheerder")
        self.agent_id = add_user(self.data, "agent@example.org", "agent",
                                 name="Agent")
        self.srv = self.start_server(self.data, log_level="warn",
                                     extra_args=self.extra)

    def browser(self, **kw):
        return Browser(self.srv, **kw)

    def logged_in(self, email="agent@example.org", password=PASSWORD):
        b = self.browser()
        r = b.login(email, password)
        self.assertEqual(r.status, 201, r)
        return b


class LogIn(SessionCase):
    def test_login_sets_a_safe_cookie(self):
        b = self.browser()
        r = b.login("Agent@Example.ORG")
        self.assertEqual(r.status, 201, r)
        cookies = set_cookies(r)
        self.assertEqual(list(cookies), ["loket_session"])
        value, attrs = cookies["loket_session"]
        self.assertRegex(value, SESSION_ID_RE)
        self.assertIn("httponly", attrs)
        self.assertIn("samesite=lax", attrs)
        self.assertIn("path=/", attrs)
        self.assertNotIn("secure", attrs)  # plain HTTP here
        body = r.json()
        self.assertEqual(body["user"], {
            "id": self.agent_id, "email": "agent@example.org",
            "displayName": "Agent", "role": "agent", "actorId": None})
        self.assertRegex(body["csrfToken"], r"^[A-Za-z0-9_-]{43}$")
        self.assertGreater(body["expiresAt"], body["createdAt"])
        # Only the digest is stored.
        rows = db_query(self.data, "SELECT id_hash, user_id FROM "
                        "staff_sessions")
        self.assertEqual(rows, [(digest(value), self.agent_id)])
        for suffix in ("", "-wal"):
            path = loketlib.db_path(self.data) + suffix
            if os.path.exists(path):
                with open(path, "rb") as f:
                    self.assertNotIn(value.encode(), f.read())
        # Who am I.
        r = b.request("GET", "/api/v1/session")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["user"]["id"], self.agent_id)
        self.assertEqual(r.json()["csrfToken"], b.csrf)
        audit = db_query(self.data, "SELECT actor, action, subject FROM "
                         "audit_log WHERE action = 'session.created'")
        self.assertEqual(audit, [("user:" + self.agent_id, "session.created",
                                  self.agent_id)])

    def test_refusals_look_alike(self):
        add_user(self.data, "disabled@example.org")
        admin = self.logged_in("admin@example.org")
        uid = db_query(self.data, "SELECT id FROM staff_users WHERE email ="
                       " 'disabled@example.org'")[0][0]
        r = admin.request("PATCH", "/api/v1/users/" + uid,
                          {"disabled": True})
        self.assertEqual(r.status, 200, r)
        answers = []
        for email, pw in (("agent@example.org", "wrong password here"),
                          ("nobody@example.org", PASSWORD),
                          ("disabled@example.org", PASSWORD),
                          ("x" * 300 + "@example.org", PASSWORD)):
            r = self.browser().login(email, pw)
            p = self.assertProblem(r, 401, "invalid-credentials")
            self.assertIsNone(r.header("Set-Cookie"))
            del p["requestId"]
            answers.append((r.status, sorted(k for k, _ in r.headers
                                             if k not in ("Date",
                                                          "X-Request-Id")),
                            p))
        for a in answers[1:]:
            self.assertEqual(a, answers[0])

    def test_unknown_account_takes_as_long(self):
        def timed(email, pw):
            t = time.monotonic()
            r = self.browser().login(email, pw)
            self.assertEqual(r.status, 401)
            return time.monotonic() - t
        known = statistics.median(timed("agent@example.org", "wrong pw!!!!")
                                  for _ in range(3))
        unknown = statistics.median(timed("nobody@example.org",
                                          "wrong pw!!!!") for _ in range(3))
        # argon2id runs either way; a lookup alone would be 100x faster.
        self.assertGreater(unknown, known / 3, (known, unknown))

    def test_parallel_logins(self):
        # Password checks queue on the hashing threads; every one is
        # answered, each with its own session.
        import threading
        results = []

        def one(email):
            b = self.browser()
            results.append((b.login(email).status, b.session))
        threads = [threading.Thread(target=one, args=(e,)) for e in
                   ["agent@example.org", "admin@example.org"] * 4]
        for t in threads:
            t.start()
        t0 = time.monotonic()
        r = self.srv.get("/healthz")
        healthz = time.monotonic() - t0
        for t in threads:
            t.join()
        self.assertEqual(r.status, 200)
        self.assertEqual(sorted(st for st, _ in results), [201] * 8)
        self.assertEqual(len({sid for _, sid in results}), 8)
        # The HTTP threads stay free while argon2id runs elsewhere.
        self.assertLess(healthz, 2.0)

    def test_bad_bodies(self):
        b = self.browser()
        r = b.request("POST", "/api/v1/session", {"email": "a@b.nl"},
                      csrf=False)
        self.assertProblem(r, 422, "missing-field", "/password")
        r = b.request("POST", "/api/v1/session",
                      {"email": "a@b.nl", "password": "x", "role": "admin"},
                      csrf=False)
        self.assertProblem(r, 422, "unknown-field")
        r = b.request("POST", "/api/v1/session", body="email=a&password=b",
                      headers={"Content-Type":
                               "application/x-www-form-urlencoded"})
        self.assertProblem(r, 415)

    def test_rotation_at_login(self):
        b = self.logged_in()
        first = b.session
        # Logging in again while the old cookie is there ends the old one.
        r = b.login("agent@example.org")
        self.assertEqual(r.status, 201, r)
        self.assertNotEqual(b.session, first)
        old = self.browser()
        old.cookies["loket_session"] = first
        self.assertProblem(old.request("GET", "/api/v1/session"), 401,
                           "session-expired")
        self.assertEqual(b.request("GET", "/api/v1/session").status, 200)
        # A planted id is never adopted: log-in makes its own.
        planted = "AAAAAAAAAAAAAAAAAAAAAA"
        victim = self.browser()
        victim.cookies["loket_session"] = planted
        self.assertEqual(victim.login("agent@example.org").status, 201)
        self.assertNotEqual(victim.session, planted)
        self.assertRegex(victim.session, SESSION_ID_RE)

    def test_session_of_another_users_login_is_ended(self):
        admin = self.logged_in("admin@example.org")
        # The admin's browser is used to log in as the agent: the admin's
        # session must not live on next to the agent's.
        admin_sid = admin.session
        self.assertEqual(admin.login("agent@example.org").status, 201)
        other = self.browser()
        other.cookies["loket_session"] = admin_sid
        self.assertEqual(other.request("GET", "/api/v1/session").status, 401)

    def test_bad_cookies(self):
        b = self.logged_in()
        sid = b.session
        for cookie in ("loket_session=%s; loket_session=%s" % (sid, sid),
                       "loket_session=%s; loket_session=other" % sid,
                       "loket_session=" + sid[:-1],
                       "loket_session=" + sid + "x",
                       "loket_session=%s" % ("A" * 22),
                       "loket_session=bad value"):
            with self.subTest(cookie=cookie):
                r = self.srv.get("/api/v1/session",
                                 headers={"Cookie": cookie})
                self.assertProblem(r, 401, "session-expired")
                _, attrs = set_cookies(r)["loket_session"]
                self.assertIn("max-age=0", attrs)
        r = self.srv.get("/api/v1/session",
                         headers={"Cookie": "other=1; loket_session=" + sid})
        self.assertEqual(r.status, 200, r)
        # No cookie at all: the API answers exactly as before sessions.
        r = self.srv.get("/api/v1/tokens")
        p = self.assertProblem(r, 401, "unauthenticated")
        self.assertIsNone(r.header("Set-Cookie"))
        self.assertIn("Bearer", r.header("WWW-Authenticate"))
        self.assertTrue(p["detail"])

    def test_logout(self):
        b = self.logged_in()
        keep = self.logged_in()  # another browser stays logged in
        sid = b.session
        r = b.request("DELETE", "/api/v1/session", csrf=False)
        self.assertProblem(r, 403, "csrf")
        r = b.request("DELETE", "/api/v1/session")
        self.assertEqual(r.status, 204, r)
        _, attrs = set_cookies(r)["loket_session"]
        self.assertIn("max-age=0", attrs)
        self.assertIsNone(b.session)
        again = self.browser()
        again.cookies["loket_session"] = sid
        self.assertEqual(again.request("GET", "/api/v1/session").status, 401)
        self.assertEqual(keep.request("GET", "/api/v1/session").status, 200)
        self.assertEqual(db_query(self.data, "SELECT COUNT(*) FROM "
                                  "audit_log WHERE action = "
                                  "'session.ended'"), [(1,)])

    def test_actor_of_the_staff_member(self):
        b = self.logged_in()
        actor = "0190a1b2-0000-7000-8000-0000000000aa"
        conn = sqlite3.connect(loketlib.db_path(self.data), timeout=10)
        with conn:
            conn.execute("INSERT INTO actors (id, kind, name, user_id,"
                         " created_at, updated_at) VALUES (?, 'medewerker',"
                         " 'Agent', ?, 1, 1)", (actor, self.agent_id))
        conn.close()
        r = b.request("GET", "/api/v1/session")
        self.assertEqual(r.json()["user"]["actorId"], actor)


class Csrf(SessionCase):
    def setUp(self):
        super().setUp()
        _, self.token = create_token(self.data, "csrf-tests")
        self.admin = self.logged_in("admin@example.org")

    def create_token(self, b, **kw):
        return b.request("POST", "/api/v1/tokens", {"name": "via session"},
                         **kw)

    def test_missing_or_wrong_token(self):
        self.assertProblem(self.create_token(self.admin, csrf=False), 403,
                           "csrf")
        for bad in ("", "x", self.admin.csrf[:-1], self.admin.csrf + "A",
                    self.admin.csrf.swapcase(), self.admin.session):
            with self.subTest(token=bad):
                r = self.create_token(self.admin,
                                      headers={"X-CSRF-Token": bad})
                self.assertProblem(r, 403, "csrf")
        # Another session's token is no good either.
        other = self.logged_in("admin@example.org")
        r = self.create_token(self.admin,
                              headers={"X-CSRF-Token": other.csrf})
        self.assertProblem(r, 403, "csrf")
        r = self.create_token(self.admin)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(db_query(self.data, "SELECT actor FROM audit_log "
                                  "WHERE subject = ?", (r.json()["id"],)),
                         [("user:" + self.admin_id,)])
        # Reads need no token.
        self.assertEqual(self.admin.request("GET", "/api/v1/tokens",
                                            csrf=False).status, 200)

    def test_every_unsafe_method_is_checked(self):
        for method, path in (("POST", "/api/v1/users"),
                             ("PATCH", "/api/v1/users/" + self.agent_id),
                             ("DELETE", "/api/v1/tokens/tok_0000000000000000"),
                             ("DELETE", "/api/v1/session"),
                             ("POST", "/api/v1/session/password")):
            with self.subTest(method=method, path=path):
                r = self.admin.request(method, path, {}, csrf=False)
                self.assertProblem(r, 403, "csrf")

    def test_form_field_counts(self):
        # A urlencoded body with the token passes the CSRF check (and then
        # fails on its type), one without it does not.
        body = urllib.parse.urlencode({"csrf": self.admin.csrf, "name": "x"})
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        r = self.admin.request("POST", "/api/v1/tokens", body=body,
                               headers=h, csrf=False)
        self.assertProblem(r, 415)
        r = self.admin.request("POST", "/api/v1/tokens", body="name=x",
                               headers=h, csrf=False)
        self.assertProblem(r, 403, "csrf")

    def test_cross_site_origin(self):
        for headers in ({"Origin": "http://evil.example"},
                        {"Origin": "null"},
                        {"Origin": self.admin.origin + ".evil.example"},
                        {"Origin": "http://127.0.0.1:1"},
                        {"Origin": self.admin.origin + "/path"},
                        {"Sec-Fetch-Site": "cross-site"},
                        {"Sec-Fetch-Site": "same-site"}):
            with self.subTest(headers=headers):
                r = self.create_token(self.admin, headers=headers)
                self.assertProblem(r, 403, "cross-origin")
        for headers in ({"Origin": self.admin.origin},
                        {"Origin": self.admin.origin.upper()},
                        {"Sec-Fetch-Site": "same-origin",
                         "Origin": self.admin.origin},
                        {}):
            with self.subTest(headers=headers):
                self.assertEqual(self.create_token(self.admin,
                                                   headers=headers).status,
                                 201)
        # Log-in from another site is refused before any password check.
        r = self.browser().login("agent@example.org",
                                 headers={"Origin": "https://evil.example"})
        self.assertProblem(r, 403, "cross-origin")

    def test_token_callers_unaffected(self):
        # No CSRF token, a foreign Origin and even a session cookie beside
        # it: the Authorization header decides, as before.
        h = {"Authorization": "Bearer " + self.token,
             "Origin": "http://evil.example",
             "Cookie": "loket_session=" + self.admin.session}
        r = self.srv.post_json("/api/v1/tokens", {"name": "system"},
                               headers=h)
        self.assertEqual(r.status, 201, r)
        self.assertIsNone(r.header("Set-Cookie"))
        created = r.json()["id"]
        self.assertEqual(db_query(self.data, "SELECT actor FROM audit_log "
                                  "WHERE subject = ?", (created,)),
                         [("token:" + db_query(self.data, "SELECT id FROM "
                                               "api_tokens WHERE name = "
                                               "'csrf-tests'")[0][0],)])
        r = self.srv.request("DELETE", "/api/v1/tokens/" + created,
                             token=self.token)
        self.assertEqual(r.status, 204, r)
        r = self.srv.get("/api/v1/users", token=self.token)
        self.assertEqual(r.status, 200, r)
        # A token has no session to end.
        r = self.srv.request("DELETE", "/api/v1/session", token=self.token)
        self.assertProblem(r, 403, "session-required")
        r = self.srv.get("/api/v1/tokens",
                         headers={"Authorization": "Bearer lkt_nope"})
        self.assertProblem(r, 401, "invalid-token")


class Roles(SessionCase):
    def test_agent_is_not_admin(self):
        agent = self.logged_in()
        for path in ("/api/v1/tokens", "/api/v1/users",
                     "/api/v1/users/" + self.agent_id):
            with self.subTest(path=path):
                self.assertProblem(agent.request("GET", path), 403,
                                   "insufficient-scope")
        r = agent.request("PATCH", "/api/v1/users/" + self.agent_id,
                          {"role": "admin"})
        self.assertProblem(r, 403, "insufficient-scope")
        self.assertEqual(db_query(self.data, "SELECT role FROM staff_users"
                                  " WHERE id = ?", (self.agent_id,)),
                         [("agent",)])

    def test_session_reads_the_event_stream(self):
        agent = self.logged_in()
        sse = loketlib.SSEClient(self.srv, extra_headers={
            "Cookie": "loket_session=" + agent.session})
        try:
            self.assertEqual(sse.status, 200)
        finally:
            sse.close()
        sse = loketlib.SSEClient(self.srv, extra_headers={
            "Cookie": "loket_session=AAAAAAAAAAAAAAAAAAAAAA"})
        try:
            self.assertEqual(sse.status, 401)
        finally:
            sse.close()

    def test_role_change_holds_at_once(self):
        admin = self.logged_in("admin@example.org")
        agent = self.logged_in()
        self.assertEqual(agent.request("GET", "/api/v1/users").status, 403)
        r = admin.request("PATCH", "/api/v1/users/" + self.agent_id,
                          {"role": "admin"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(agent.request("GET", "/api/v1/users").status, 200)


class Accounts(SessionCase):
    def test_password_change_ends_every_session(self):
        one = self.logged_in()
        two = self.logged_in()
        path = "/api/v1/session/password"
        r = one.request("POST", path, {"currentPassword": "not it at all",
                                       "newPassword": "a brand new secret"})
        self.assertProblem(r, 422, "invalid-field", "/currentPassword")
        r = one.request("POST", path, {"currentPassword": PASSWORD,
                                       "newPassword": "too short"})
        self.assertProblem(r, 422, "invalid-field", "/newPassword")
        r = one.request("POST", path, {"currentPassword": PASSWORD})
        self.assertProblem(r, 422, "missing-field", "/newPassword")
        old_sid = one.session
        r = one.request("POST", path, {"currentPassword": PASSWORD,
                                       "newPassword": "a brand new secret"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["sessionsEnded"], 2)
        self.assertNotEqual(one.session, old_sid)
        self.assertRegex(one.session, SESSION_ID_RE)
        one.csrf = r.json()["csrfToken"]
        self.assertEqual(one.request("GET", "/api/v1/session").status, 200)
        self.assertProblem(two.request("GET", "/api/v1/session"), 401,
                           "session-expired")
        stale = self.browser()
        stale.cookies["loket_session"] = old_sid
        self.assertEqual(stale.request("GET", "/api/v1/session").status, 401)
        self.assertEqual(self.browser().login("agent@example.org").status,
                         401)
        self.assertEqual(self.browser().login(
            "agent@example.org", "a brand new secret").status, 201)
        self.assertEqual(db_query(self.data, "SELECT COUNT(*) FROM audit_log"
                                  " WHERE action = 'user.password_changed'"),
                         [(1,)])

    def test_disabled_account_stops_at_once(self):
        admin = self.logged_in("admin@example.org")
        agent = self.logged_in()
        r = admin.request("PATCH", "/api/v1/users/" + self.agent_id,
                          {"disabled": True})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json()["disabled"])
        self.assertIsInstance(r.json()["disabledAt"], int)
        self.assertProblem(agent.request("GET", "/api/v1/session"), 401)
        self.assertProblem(self.browser().login("agent@example.org"), 401,
                           "invalid-credentials")
        self.assertEqual(db_query(self.data, "SELECT COUNT(*) FROM "
                                  "staff_sessions WHERE user_id = ?",
                                  (self.agent_id,)), [(0,)])
        r = admin.request("PATCH", "/api/v1/users/" + self.agent_id,
                          {"disabled": False})
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.json()["disabledAt"])
        self.assertEqual(self.browser().login("agent@example.org").status,
                         201)
        # Nobody locks themselves out.
        r = admin.request("PATCH", "/api/v1/users/" + self.admin_id,
                          {"disabled": True})
        self.assertProblem(r, 422, "invalid-field", "/disabled")
        r = admin.request("PATCH", "/api/v1/users/" + self.admin_id,
                          {"role": "agent"})
        self.assertProblem(r, 422, "invalid-field", "/role")

    def test_disabled_by_another_process(self):
        agent = self.logged_in()
        conn = sqlite3.connect(loketlib.db_path(self.data), timeout=10)
        with conn:
            conn.execute("UPDATE staff_users SET disabled_at = 1 WHERE id ="
                         " ?", (self.agent_id,))
        conn.close()
        self.assertProblem(agent.request("GET", "/api/v1/session"), 401,
                           "session-expired")

    def test_manage_accounts(self):
        admin = self.logged_in("admin@example.org")
        name = "<script>alert(1)</script> & \"Piet\""
        r = admin.request("POST", "/api/v1/users", {
            "email": "Piet@Example.org", "displayName": name,
            "role": "supervisor", "password": "piets password!"})
        self.assertEqual(r.status, 201, r)
        piet = r.json()
        self.assertEqual(r.header("Location"), "/api/v1/users/" + piet["id"])
        self.assertEqual(piet["email"], "piet@example.org")
        self.assertEqual(piet["displayName"], name)  # verbatim, as data
        self.assertNotIn("piets password", r.text)
        self.assertNotIn("argon2", r.text)
        r = admin.request("POST", "/api/v1/users", {
            "email": "piet@example.org", "role": "agent",
            "password": "piets password!"})
        self.assertProblem(r, 409, "conflict")
        for body, field in (
                ({"email": "x@example.org", "role": "root",
                  "password": "long enough pw"}, "/role"),
                ({"email": "x@example.org", "role": "agent",
                  "password": "short"}, "/password"),
                ({"email": "nope", "role": "agent",
                  "password": "long enough pw"}, "/email"),
                ({"email": "x@example.org", "role": "agent",
                  "password": "long enough pw", "displayName": "a\nb"},
                 "/displayName")):
            with self.subTest(field=field):
                self.assertProblem(admin.request("POST", "/api/v1/users",
                                                 body), 422, None, field)
        self.assertEqual(self.browser().login("piet@example.org",
                                              "piets password!").status, 201)
        r = admin.request("GET", "/api/v1/users?limit=2")
        self.assertEqual(r.status, 200, r)
        first = r.json()
        self.assertEqual(len(first["items"]), 2)
        self.assertIsNotNone(first["next"])
        r = admin.request("GET", "/api/v1/users?limit=2&after=" +
                          first["next"])
        rest = r.json()
        self.assertEqual(len(rest["items"]), 1)
        self.assertIsNone(rest["next"])
        ids = [u["id"] for u in first["items"] + rest["items"]]
        self.assertEqual(ids, sorted(ids))
        self.assertEqual(set(ids), {self.admin_id, self.agent_id,
                                    piet["id"]})
        self.assertProblem(admin.request("GET", "/api/v1/users?limit=101"),
                           400, "invalid-parameter")
        r = admin.request("GET", "/api/v1/users/" + piet["id"])
        self.assertEqual(r.json(), piet)
        for bad in ("usr_ffffffffffffffff", "usr_x", "tok_0000000000000000"):
            with self.subTest(id=bad):
                self.assertProblem(admin.request("GET", "/api/v1/users/" +
                                                 bad), 404, "not-found")
                self.assertProblem(admin.request("PATCH", "/api/v1/users/" +
                                                 bad, {"role": "agent"}),
                                   404, "not-found")
        r = admin.request("PATCH", "/api/v1/users/" + piet["id"],
                          {"role": "agent", "displayName": "Piet"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["role"], r.json()["displayName"]),
                         ("agent", "Piet"))
        for body, field in (({}, None), ({"disabled": "yes"}, "/disabled"),
                            ({"role": 5}, "/role"),
                            ({"email": "a@b.nl"}, None)):
            with self.subTest(body=body):
                r = admin.request("PATCH", "/api/v1/users/" + piet["id"],
                                  body)
                self.assertProblem(r, 422, None, field)
        actions = [a for (a,) in db_query(
            self.data, "SELECT action FROM audit_log WHERE subject = ? "
            "ORDER BY id", (piet["id"],))]
        self.assertEqual(actions, ["user.created", "session.created",
                                   "user.updated"])

    def test_cli_passwd(self):
        one = self.logged_in()
        two = self.logged_in()
        p = run_cli("user", "passwd", "AGENT@example.org",
                    input="changed by the cli\n", data=self.data)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("ended 2 sessions", p.stdout)
        self.assertIn(self.agent_id, p.stdout)
        for b in (one, two):
            self.assertEqual(b.request("GET", "/api/v1/session").status, 401)
        self.assertEqual(self.browser().login("agent@example.org",
                                              "changed by the cli").status,
                         201)
        p = run_cli("user", "passwd", "nobody@example.org",
                    input="changed by the cli\n", data=self.data)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no staff account", p.stderr)
        p = run_cli("user", "passwd", "agent@example.org", input="short\n",
                    data=self.data)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(len(p.stderr.splitlines()), 1)
        p = run_cli("user", "passwd", input="x\n", data=self.data)
        self.assertEqual(p.returncode, 2)
        p = run_cli("user", "passwd", "agent@example.org", "--role", "admin",
                    input="changed by the cli\n", data=self.data)
        self.assertEqual(p.returncode, 2)
        p = run_cli("user", "--help")
        self.assertIn("passwd", p.stdout)


class TimeOuts(SessionCase):
    """Short time-outs, set by flags and by the environment."""

    def setUp(self):
        self.data = self.make_data_dir()
        add_user(self.data, "agent@example.org")

    def test_idle_time_out(self):
        self.srv = self.start_server(self.data, log_level="warn",
                                     extra_args=["--session-lifetime", "60"],
                                     env={"LOKET_SESSION_IDLE": "2"})
        b = self.logged_in()
        # Activity keeps it alive past the idle time-out...
        for _ in range(3):
            time.sleep(0.9)
            self.assertEqual(b.request("GET", "/api/v1/session").status, 200)
        sid = b.session
        # ...and 2 s without a request end it.
        time.sleep(2.3)
        r = b.request("GET", "/api/v1/session")
        self.assertProblem(r, 401, "session-expired")
        self.assertIsNone(b.session)
        # The next log-in purges it from the table.
        self.logged_in()
        self.assertEqual(db_query(self.data, "SELECT COUNT(*) FROM "
                                  "staff_sessions WHERE id_hash = ?",
                                  (digest(sid),)), [(0,)])

    def test_absolute_time_out(self):
        self.srv = self.start_server(self.data, log_level="warn",
                                     extra_args=["--session-idle", "3"],
                                     env={"LOKET_SESSION_LIFETIME": "5"})
        b = self.logged_in()
        t0 = time.monotonic()  # the session was made before this
        # Never idle for long, and still it ends 5 s after log-in.
        while time.monotonic() - t0 < 3.0:
            self.assertEqual(b.request("GET", "/api/v1/session").status, 200)
            time.sleep(0.5)
        time.sleep(max(0.0, 5.3 - (time.monotonic() - t0)))
        self.assertProblem(b.request("GET", "/api/v1/session"), 401,
                           "session-expired")


class RateLimits(SessionCase):
    extra = ["--login-attempts", "3", "--login-attempts-address", "5",
             "--login-window", "60", "--trust-proxy"]

    def test_per_account(self):
        b = self.browser(address="192.0.2.1")
        for _ in range(3):
            self.assertEqual(b.login("agent@example.org", "bad guess 1234")
                             .status, 401)
        r = b.login("agent@example.org", "bad guess 1234")
        p = self.assertProblem(r, 429, "too-many-attempts")
        retry = int(r.header("Retry-After"))
        self.assertTrue(1 <= retry <= 60, retry)
        # Locked means locked: the right password does not get through, and
        # neither from another address.
        self.assertEqual(b.login("agent@example.org").status, 429)
        other = self.browser(address="192.0.2.2")
        self.assertEqual(other.login("AGENT@example.org").status, 429)
        # An account that does not exist is limited the same way.
        for _ in range(3):
            self.assertEqual(self.browser(address="192.0.2.3").login(
                "ghost@example.org", "bad guess 1234").status, 401)
        r2 = self.browser(address="192.0.2.4").login("ghost@example.org",
                                                     "bad guess 1234")
        p2 = self.assertProblem(r2, 429, "too-many-attempts")
        for q in (p, p2):
            del q["requestId"]
        self.assertEqual(p, p2)

    def test_per_address(self):
        b = self.browser(address="198.51.100.7")
        for i in range(5):
            self.assertEqual(b.login("user%d@example.org" % i,
                                     "bad guess 1234").status, 401)
        r = b.login("agent@example.org")
        self.assertProblem(r, 429, "too-many-attempts")
        self.assertIsNotNone(r.header("Retry-After"))
        # Another address is not affected; nor is the account.
        self.assertEqual(self.browser(address="198.51.100.8").login(
            "agent@example.org").status, 201)
        # IPv6 clients are counted per /64.
        for i in range(5):
            self.browser(address="2001:db8:1:2::%x" % (i + 1)).login(
                "v6-%d@example.org" % i, "bad guess 1234")
        self.assertEqual(self.browser(address="2001:db8:1:2:ffff::1").login(
            "agent@example.org").status, 429)
        self.assertEqual(self.browser(address="2001:db8:1:3::1").login(
            "agent@example.org").status, 201)

    def test_success_does_not_count(self):
        b = self.browser(address="203.0.113.9")
        for _ in range(2):
            self.assertEqual(b.login("agent@example.org", "bad guess 1234")
                             .status, 401)
        self.assertEqual(b.login("agent@example.org").status, 201)
        # The account starts afresh: three more guesses before the lock.
        for _ in range(3):
            self.assertEqual(self.browser(address="203.0.113.9").login(
                "agent@example.org", "bad guess 1234").status, 401)
        self.assertEqual(self.browser(address="203.0.113.10").login(
            "agent@example.org").status, 429)

    def test_html_form_is_limited_too(self):
        b = self.browser(address="192.0.2.99")
        r = b.request("GET", "/login")
        token = b.cookies["loket_csrf"]
        for _ in range(3):
            r = b.form("/login", {"csrf": token, "email": "agent@example.org",
                                  "password": "bad guess 1234"})
            self.assertEqual(r.status, 422, r)
        r = b.form("/login", {"csrf": token, "email": "agent@example.org",
                              "password": PASSWORD})
        self.assertEqual(r.status, 429, r)
        self.assertTrue(int(r.header("Retry-After")) >= 1)
        self.assertIn("Te veel mislukte pogingen", r.text)
        self.assertNotIn("loket_session", r.header("Set-Cookie") or "")


class LoginPage(SessionCase):
    def get_form(self, b, path="/login"):
        r = b.request("GET", path)
        self.assertEqual(r.status, 200, r)
        return r

    def test_form(self):
        b = self.browser()
        r = self.get_form(b)
        self.assertTrue(r.content_type.startswith("text/html"))
        html = r.text
        self.assertIn('<html lang="nl">', html)
        self.assertIn('<label class="utrecht-form-label" for="email">', html)
        self.assertIn('<label class="utrecht-form-label" for="wachtwoord">',
                      html)
        self.assertIn('autocomplete="username"', html)
        self.assertIn('autocomplete="current-password"', html)
        self.assertIn('type="email"', html)
        self.assertIn('type="password"', html)
        self.assertNotIn("<script", html)
        self.assertNotIn("style=", html)
        self.assertNotIn("<style", html)
        self.assertNotIn("aria-invalid", html)
        token = b.cookies["loket_csrf"]
        self.assertRegex(token, SESSION_ID_RE)
        _, attrs = set_cookies(r)["loket_csrf"]
        self.assertIn("httponly", attrs)
        self.assertIn("path=/login", attrs)
        self.assertIn('name="csrf" value="%s"' % token, html)
        # The same token while the cookie lives.
        r = self.get_form(b)
        self.assertIsNone(r.header("Set-Cookie"))
        self.assertIn('name="csrf" value="%s"' % token, r.text)

    def test_login_and_redirect(self):
        b = self.browser()
        self.get_form(b, "/login?next=/agent/gesprekken%3Fstatus%3Dopen")
        r = b.form("/login", {"csrf": b.cookies["loket_csrf"],
                              "email": "agent@example.org",
                              "password": PASSWORD,
                              "next": "/agent/gesprekken?status=open"})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"),
                         "/agent/gesprekken?status=open")
        cookies = set_cookies(r)
        self.assertRegex(cookies["loket_session"][0], SESSION_ID_RE)
        self.assertIn("max-age=0", cookies["loket_csrf"][1])
        self.assertEqual(b.request("GET", "/api/v1/session").status, 200)

    def test_open_redirects_refused(self):
        for nxt in ("//evil.example", "//evil.example/agent",
                    "/\\evil.example", "https://evil.example/",
                    "http:/evil.example", "evil.example", "/\tx",
                    "/agent\r\nSet-Cookie: x=1", "javascript:alert(1)",
                    "/" + "a" * 600, ""):
            with self.subTest(next=nxt):
                b = self.browser()
                r = self.get_form(b, "/login?" +
                                  urllib.parse.urlencode({"next": nxt}))
                self.assertNotIn('name="next"', r.text)
                r = b.form("/login", {"csrf": b.cookies["loket_csrf"],
                                      "email": "agent@example.org",
                                      "password": PASSWORD, "next": nxt})
                self.assertEqual(r.status, 303, r)
                self.assertEqual(r.header("Location"), "/agent")

    def test_errors_next_to_fields(self):
        b = self.browser()
        self.get_form(b)
        token = b.cookies["loket_csrf"]
        r = b.form("/login", {"csrf": token, "email": "", "password": ""})
        self.assertEqual(r.status, 422, r)
        html = r.text
        self.assertIn("<title>Fout: Inloggen", html)
        self.assertIn('role="alert"', html)
        self.assertRegex(html, r'id="email-fout">Vul uw e-mailadres in\.')
        self.assertRegex(html, r'id="wachtwoord-fout">Vul uw wachtwoord '
                         r'in\.')
        self.assertRegex(html, r'id="email"[^>]*aria-invalid="true" '
                         r'aria-describedby="email-fout"')
        self.assertRegex(html, r'id="wachtwoord"[^>]*aria-invalid="true" '
                         r'aria-describedby="wachtwoord-fout"')
        self.assertIn('href="#email"', html)
        # The typed address is kept (escaped); the password never is.
        typed = 'agent@example.org"><script>alert(1)</script>'
        r = b.form("/login", {"csrf": token, "email": typed,
                              "password": "wrong password 123"})
        self.assertEqual(r.status, 422, r)
        html = r.text
        self.assertNotIn("<script>", html)
        self.assertIn('value="agent@example.org&quot;&gt;&lt;script&gt;',
                      html)
        self.assertNotIn("wrong password 123", html)
        self.assertIn("Het e-mailadres of het wachtwoord is onjuist.", html)
        self.assertRegex(html, r'id="email"[^>]*aria-describedby='
                         r'"wachtwoord-fout"')
        self.assertIsNone(b.session)
        # A wrong password for a real account reads the same.
        r2 = b.form("/login", {"csrf": token, "email": "nobody@example.org",
                               "password": "wrong password 123"})
        r3 = b.form("/login", {"csrf": token, "email": "agent@example.org",
                               "password": "wrong password 123"})
        self.assertEqual(r2.status, r3.status)
        self.assertEqual(r2.text.replace("nobody", "agent"), r3.text)

    def test_csrf_of_the_form(self):
        b = self.browser()
        self.get_form(b)
        token = b.cookies["loket_csrf"]
        good = {"email": "agent@example.org", "password": PASSWORD}
        for fields, cookies in (
                (dict(good), {"loket_csrf": token}),
                (dict(good, csrf="A" * 22), {"loket_csrf": token}),
                (dict(good, csrf=token), {}),
                (dict(good, csrf=token), {"loket_csrf": "B" * 22})):
            with self.subTest(fields=fields, cookies=cookies):
                c = self.browser()
                c.cookies.update(cookies)
                r = c.form("/login", fields)
                self.assertEqual(r.status, 403, r)
                self.assertIn("Het formulier is verlopen", r.text)
                self.assertIsNone(c.session)
                # A fresh token comes with the answer, so a retry works.
                fresh = c.cookies["loket_csrf"]
                self.assertIn('value="%s"' % fresh, r.text)
                r = c.form("/login", dict(good, csrf=fresh))
                self.assertEqual(r.status, 303, r)
        # Duplicated cookies (a sibling domain tossing its own) fail.
        r = self.srv.request("POST", "/login", body=urllib.parse.urlencode(
            dict(good, csrf=token)), headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "loket_csrf=%s; loket_csrf=%s" % (token, token)})
        self.assertEqual(r.status, 403, r)
        # Another site's form is refused even with a matching pair.
        r = b.form("/login", dict(good, csrf=token),
                   headers={"Origin": "http://evil.example"})
        self.assertEqual(r.status, 403, r)
        r = b.request("POST", "/login", body="{}",
                      headers={"Content-Type": "application/json"})
        self.assertProblem(r, 415)

    def test_logout_form(self):
        b = self.logged_in()
        sid = b.session
        r = b.form("/logout", {})
        self.assertEqual(r.status, 403, r)
        self.assertIn('action="/logout"', r.text)
        self.assertIn('name="csrf" value="%s"' % b.csrf, r.text)
        r = b.form("/logout", {"csrf": "A" * 43})
        self.assertEqual(r.status, 403, r)
        r = b.form("/logout", {"csrf": b.csrf},
                   headers={"Origin": "http://evil.example"})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(b.request("GET", "/api/v1/session").status, 200)
        r = b.form("/logout", {"csrf": b.csrf})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/login")
        self.assertIn("max-age=0", set_cookies(r)["loket_session"][1])
        stale = self.browser()
        stale.cookies["loket_session"] = sid
        self.assertEqual(stale.request("GET", "/api/v1/session").status, 401)
        # Without a session there is nothing to end: to the log-in page.
        r = self.browser().form("/logout", {"csrf": "x"})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/login")


class OpenApi(SessionCase):
    def test_described(self):
        doc = self.srv.get("/api/openapi.json").json()
        for path, methods in (("/api/v1/session", ("post", "get", "delete")),
                              ("/api/v1/session/password", ("post",)),
                              ("/api/v1/users", ("get", "post")),
                              ("/api/v1/users/{id}", ("get", "patch"))):
            for m in methods:
                self.assertIn(m, doc["paths"][path], (path, m))
        schemas = doc["components"]["schemas"]
        self.assertIn("session", doc["components"]["securitySchemes"])
        self.assertIn("bearer", doc["components"]["securitySchemes"])
        # What the server answers has what the document promises, and no
        # more.
        b = self.browser()
        sess = b.login("admin@example.org").json()
        self.assertEqual(set(sess), set(schemas["Session"]["properties"]))
        self.assertEqual(set(sess["user"]),
                         set(schemas["SessionUser"]["required"]))
        user = b.request("GET", "/api/v1/users/" + self.agent_id).json()
        self.assertEqual(set(user), set(schemas["User"]["required"]))
        self.assertEqual(set(user), set(schemas["User"]["properties"]))


class SecureCookies(LoketTestCase):
    def test_secure_flag(self):
        data = self.make_data_dir()
        add_user(data, "agent@example.org")
        srv = self.start_server(data, log_level="warn",
                                extra_args=["--secure-cookies"])
        b = Browser(srv)
        r = b.login("agent@example.org")
        self.assertEqual(r.status, 201, r)
        self.assertIn("secure", set_cookies(r)["loket_session"][1])
        r = b.request("GET", "/login")
        self.assertIn("secure", set_cookies(r)["loket_csrf"][1])
        # Over TLS an http:// origin is another site.
        r = b.request("DELETE", "/api/v1/session",
                      headers={"Origin": b.origin})
        self.assertProblem(r, 403, "cross-origin")
        r = b.request("DELETE", "/api/v1/session", headers={
            "Origin": b.origin.replace("http:", "https:")})
        self.assertEqual(r.status, 204, r)
        self.assertIn("secure", set_cookies(r)["loket_session"][1])

    def test_forwarded_proto(self):
        data = self.make_data_dir()
        add_user(data, "agent@example.org")
        plain = self.start_server(data, log_level="warn")
        b = Browser(plain)
        r = b.login("agent@example.org",
                    headers={"X-Forwarded-Proto": "https"})
        self.assertNotIn("secure", set_cookies(r)["loket_session"][1])
        plain.stop()
        proxied = self.start_server(data, log_level="warn",
                                    env={"LOKET_TRUST_PROXY": "1"})
        b = Browser(proxied)
        r = b.login("agent@example.org",
                    headers={"X-Forwarded-Proto": "https",
                             "X-Forwarded-Host": "loket.gemeente.nl",
                             "Origin": "https://loket.gemeente.nl"})
        self.assertEqual(r.status, 201, r)
        self.assertIn("secure", set_cookies(r)["loket_session"][1])
        r = b.login("agent@example.org", headers={"X-Forwarded-Proto": "http"})
        self.assertNotIn("secure", set_cookies(r)["loket_session"][1])

    def test_bad_configuration(self):
        data = self.make_data_dir()
        for args, env in ((["--session-idle", "0"], None),
                          (["--session-lifetime", "x"], None),
                          (["--login-attempts", "65"], None),
                          ([], {"LOKET_SECURE_COOKIES": "maybe"}),
                          ([], {"LOKET_SESSION_IDLE": "-5"})):
            with self.subTest(args=args, env=env):
                p = run_cli("serve", "--listen", "127.0.0.1:0", *args,
                            data=data, env=env)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
        p = run_cli("serve", "--help")
        for flag in ("--session-idle", "--session-lifetime",
                     "--secure-cookies", "--trust-proxy", "--login-attempts"):
            self.assertIn(flag, p.stdout)


if __name__ == "__main__":
    loketlib.main()
