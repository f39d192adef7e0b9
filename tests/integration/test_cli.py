"""The loket command line: help, version, usage errors, tokens, users."""

import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loketlib  # noqa: E402
from loketlib import (LoketTestCase, run_cli, create_token, db_query,  # noqa
                      wait_until)


class HelpAndVersion(LoketTestCase):
    def test_help(self):
        for flag in ("--help", "-h", "help"):
            with self.subTest(flag=flag):
                p = run_cli(flag)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertTrue(p.stdout.startswith("Usage: loket COMMAND"),
                                p.stdout)
                for cmd in ("serve", "migrate", "token", "user", "version"):
                    self.assertRegex(p.stdout, r"(?m)^  %s\s" % cmd)
                self.assertEqual(p.stderr, "")

    def test_command_help(self):
        for cmd in ("serve", "migrate", "token", "user"):
            for flag in ("--help", "-h"):
                with self.subTest(cmd=cmd, flag=flag):
                    p = run_cli(cmd, flag, data=self.make_data_dir())
                    self.assertEqual(p.returncode, 0, p.stderr)
                    self.assertTrue(
                        p.stdout.startswith("Usage: loket %s" % cmd), p.stdout)
                    self.assertIn("--data DIR", p.stdout)
                    self.assertEqual(p.stderr, "")

    def test_help_does_not_touch_the_data_dir(self):
        data = self.make_data_dir()
        for cmd in ("serve", "migrate", "token", "user"):
            run_cli(cmd, "--help", data=data)
        self.assertFalse(os.path.exists(data))

    def test_version(self):
        for arg in ("version", "--version"):
            with self.subTest(arg=arg):
                p = run_cli(arg)
                self.assertEqual(p.returncode, 0)
                self.assertRegex(p.stdout, r"^loket \d+\.\d+\.\d+\S*\n$")


class UsageErrors(LoketTestCase):
    """Exit status 2 and exactly one line on stderr, "loket: ..."."""

    def assertUsageError(self, args, needle=None, data=True):
        kw = {"data": self.make_data_dir()} if data else {}
        try:
            p = run_cli(*args, timeout=8, **kw)
        except subprocess.TimeoutExpired:
            self.fail("loket %s did not exit (it should refuse to run)" %
                      " ".join(args))
        self.assertEqual(p.returncode, 2, (args, p.stdout, p.stderr))
        lines = p.stderr.splitlines()
        self.assertEqual(len(lines), 1, (args, p.stderr))
        self.assertTrue(p.stderr.endswith("\n"))
        self.assertTrue(lines[0].startswith("loket: "), (args, p.stderr))
        self.assertEqual(p.stdout, "", args)
        if needle is not None:
            self.assertIn(needle, lines[0])
        return lines[0]

    def test_no_command(self):
        self.assertUsageError([], data=False)

    def test_unknown_command(self):
        line = self.assertUsageError(["frobnicate"], data=False)
        self.assertIn("frobnicate", line)
        self.assertUsageError(["--frobnicate"], data=False)

    def test_unknown_flag(self):
        for args in (["serve", "--bogus"], ["migrate", "--bogus"],
                     ["token", "list", "--bogus"],
                     ["user", "add", "--bogus"], ["serve", "-x"]):
            with self.subTest(args=args):
                line = self.assertUsageError(args)
                self.assertIn(args[-1], line)

    def test_missing_value(self):
        for args in (["serve", "--listen"], ["serve", "--max-body"],
                     ["migrate", "--to"], ["token", "create", "--name"],
                     ["user", "add", "--email"]):
            with self.subTest(args=args):
                # --data goes first here: a trailing flag lacks its value.
                p = run_cli(args[0], "--data", self.make_data_dir(),
                            *args[1:], timeout=8)
                self.assertEqual(p.returncode, 2, (args, p.stderr))
                lines = p.stderr.splitlines()
                self.assertEqual(len(lines), 1, p.stderr)
                self.assertTrue(lines[0].startswith("loket: "))
                self.assertIn(args[-1], lines[0])
                self.assertIn("value", lines[0])

    def test_bad_listen(self):
        for value in ("nocolon", "127.0.0.1:", ":8080", "127.0.0.1:99999",
                      "127.0.0.1:-1", "127.0.0.1:80x", "[::1]8080", "",
                      "a" * 100 + ":80", "example.com:8080",
                      "256.1.1.1:80", "[nope]:80"):
            with self.subTest(listen=value):
                self.assertUsageError(["serve", "--listen", value], "--listen")

    def test_bad_listen_from_environment(self):
        p = run_cli("serve", data=self.make_data_dir(),
                    env={"LOKET_LISTEN": "no-port-here"}, timeout=8)
        self.assertEqual(p.returncode, 2)
        self.assertIn("no-port-here", p.stderr)

    def test_bad_log_level(self):
        for args in (["serve", "--log-level", "loud"],
                     ["migrate", "--log-level", "INFO"],
                     ["token", "list", "--log-level", ""]):
            with self.subTest(args=args):
                self.assertUsageError(args, "log level")

    def test_bad_numbers(self):
        for args in (["serve", "--threads", "0"], ["serve", "--threads", "x"],
                     ["serve", "--max-body", "-5"],
                     ["serve", "--heartbeat", "1.5"],
                     ["serve", "--heartbeat", "99999999999999999999"],
                     ["migrate", "--to", "0"], ["migrate", "--to", "999"],
                     ["migrate", "--to", "1x"]):
            with self.subTest(args=args):
                self.assertUsageError(args)

    def test_extra_argument(self):
        self.assertUsageError(["serve", "extra"], "extra")
        self.assertUsageError(["token", "list", "extra"], "extra")

    def test_token_usage(self):
        self.assertUsageError(["token"])
        self.assertUsageError(["token", "explode"], "explode")
        self.assertUsageError(["token", "create"], "--name")
        self.assertUsageError(["token", "revoke"])
        self.assertUsageError(["token", "create", "--name", "x", "--scopes",
                               "root"], "scopes")
        self.assertUsageError(["token", "create", "--name", "x", "--scopes",
                               "api api"], "scopes")
        self.assertUsageError(["token", "create", "--name", ""], "name")
        self.assertUsageError(["token", "revoke", "not-an-id"])


class ServeFailures(LoketTestCase):
    def test_port_in_use(self):
        import socket
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen(1)
            port = busy.getsockname()[1]
            p = run_cli("serve", "--listen", "127.0.0.1:%d" % port,
                        data=self.make_data_dir(), timeout=20)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("cannot listen on 127.0.0.1:%d" % port, p.stderr)
        self.assertNotIn("Loket serving", p.stdout)

    def test_unusable_data_dir(self):
        root = self.make_data_dir()
        os.makedirs(root)
        blocker = os.path.join(root, "file")
        with open(blocker, "w") as f:
            f.write("not a directory")
        p = run_cli("serve", "--listen", "127.0.0.1:0", data=blocker,
                    timeout=20)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("cannot open the database", p.stderr)


class Tokens(LoketTestCase):
    def test_create_list_revoke_round_trip(self):
        data = self.make_data_dir()
        tid, secret = create_token(data, name="Zaaksysteem", scopes="admin")
        self.assertRegex(secret, r"^lkt_[A-Za-z0-9_-]{32}$")
        other_id, other_secret = create_token(data, name="Website",
                                              scopes="api events")
        self.assertNotEqual(tid, other_id)

        p = run_cli("token", "list", data=data)
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        self.assertTrue(lines[0].startswith("ID"), lines)
        rows = {l.split()[0]: l for l in lines[1:]}
        self.assertEqual(set(rows), {tid, other_id})
        self.assertIn("Zaaksysteem", rows[tid])
        self.assertIn("api events", rows[other_id])
        # The secret is shown once and never again.
        self.assertNotIn(secret, p.stdout)
        with open(loketlib.db_path(data), "rb") as f:
            self.assertNotIn(secret[4:].encode(), f.read())

        srv = self.start_server(data)
        r = srv.get("/api/v1/tokens/" + other_id, token=secret)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["name"], "Website")
        # The "Token" scheme works too.
        r = srv.get("/api/v1/tokens",
                    headers={"Authorization": "Token " + secret})
        self.assertEqual(r.status, 200, r)

        # Revoke from another process while the server runs.
        p = run_cli("token", "revoke", tid, data=data)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(tid, p.stdout)
        # The server learns of it through the event the CLI committed,
        # which it picks up within about a second (docs/api.md).
        wait_until(lambda: srv.get("/api/v1/tokens", token=secret).status
                   == 401, 5, what="the revoked token to be refused")
        r = srv.get("/api/v1/tokens", token=secret)
        self.assertProblem(r, 401, "invalid-token")
        self.assertIn("Bearer", r.header("WWW-Authenticate", ""))
        # The other token is unaffected and sees the revocation.
        r = srv.get("/api/v1/tokens/" + tid, token=other_secret)
        self.assertProblem(r, 403, "insufficient-scope")

        p = run_cli("token", "list", data=data)
        row = [l for l in p.stdout.splitlines() if l.startswith(tid)][0]
        self.assertRegex(row, r"^%s\s+\S+Z\s+\d{4}-\d\d-\d\dT\S+Z\s" % tid)

        # Revoking twice, or an unknown id, fails with status 1.
        p = run_cli("token", "revoke", tid, data=data)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no active token", p.stderr)
        p = run_cli("token", "revoke", "tok_0000000000000000", data=data)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(srv.stop(), 0)

    def test_list_pages_through_many(self):
        data = self.make_data_dir()
        # More than one CLI page (200) without 201 processes: via the API.
        tid, secret = create_token(data)
        srv = self.start_server(data)
        c = srv.connection()
        for i in range(205):
            r = srv.post_json("/api/v1/tokens", {"name": "t%d" % i},
                              token=secret, conn=c)
            self.assertEqual(r.status, 201, r)
        c.close()
        srv.stop()
        p = run_cli("token", "list", data=data)
        self.assertEqual(p.returncode, 0)
        ids = [l.split()[0] for l in p.stdout.splitlines()[1:]]
        self.assertEqual(len(ids), 206)
        self.assertEqual(ids, sorted(set(ids)))


class Users(LoketTestCase):
    PASSWORD = "correct horse battery staple"

    def test_add_with_password_on_stdin(self):
        data = self.make_data_dir()
        p = run_cli("user", "add", "--email", "Anna@Example.nl", "--role",
                    "supervisor", "--name", "Anna de Vries",
                    input=self.PASSWORD + "\n", data=data)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout,
                         r"^added anna@example\.nl \(usr_[0-9a-f]{16}\) as "
                         r"supervisor\n$")
        rows = db_query(data, "SELECT email, display_name, role, "
                        "password_hash FROM staff_users")
        self.assertEqual(len(rows), 1)
        email, name, role, pw_hash = rows[0]
        self.assertEqual((email, name, role),
                         ("anna@example.nl", "Anna de Vries", "supervisor"))
        self.assertTrue(pw_hash.startswith("$argon2id$"), pw_hash)
        # The password is nowhere in the database file or the output.
        for f in os.listdir(data):
            with open(os.path.join(data, f), "rb") as fh:
                self.assertNotIn(self.PASSWORD.encode(), fh.read(), f)
        self.assertNotIn(self.PASSWORD, p.stdout + p.stderr)

        # Duplicate e-mail (case differs): status 1, nothing added.
        p = run_cli("user", "add", "--email", "anna@example.NL", "--role",
                    "agent", input=self.PASSWORD + "\n", data=data)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("already exists", p.stderr)
        self.assertEqual(db_query(data, "SELECT COUNT(*) FROM staff_users"),
                         [(1,)])

    def test_crlf_and_no_trailing_newline(self):
        data = self.make_data_dir()
        for i, given in enumerate((self.PASSWORD + "\r\n", self.PASSWORD)):
            p = run_cli("user", "add", "--email", "u%d@example.nl" % i,
                        "--role", "agent", input=given, data=data)
            self.assertEqual(p.returncode, 0, p.stderr)

    def test_short_or_missing_password(self):
        data = self.make_data_dir()
        for given in ("short\n", "elevenchars\n", "\n", ""):
            with self.subTest(password=given):
                p = run_cli("user", "add", "--email", "b@example.nl",
                            "--role", "agent", input=given, data=data)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
                self.assertTrue(p.stderr.startswith("loket: "))
                if given.strip():
                    self.assertNotIn(given.strip(), p.stderr)
        p = run_cli("user", "add", "--email", "b@example.nl", "--role",
                    "agent", input="twelve chars\n", data=data)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_password_never_in_argv(self):
        data = self.make_data_dir()
        # There is no option that takes a password...
        for opt in ("--password", "--pass", "-p"):
            p = run_cli("user", "add", "--email", "c@example.nl", "--role",
                        "agent", opt, self.PASSWORD, input=self.PASSWORD +
                        "\n", data=data)
            self.assertEqual(p.returncode, 2, (opt, p.stderr))
            self.assertNotIn(self.PASSWORD, p.stderr)
        # ...and while the command waits for the password, its argv (what
        # other users see in ps) holds only what we gave it.
        proc = subprocess.Popen(
            [loketlib.LOKET_BIN, "user", "add", "--email", "c@example.nl",
             "--role", "agent", "--data", data], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        loketlib._track(proc)
        try:
            with open("/proc/%d/cmdline" % proc.pid, "rb") as f:
                cmdline = f.read()
            out, err = proc.communicate((self.PASSWORD + "\n").encode(),
                                        timeout=loketlib.CLI_TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            loketlib._untrack(proc)
        self.assertEqual(proc.returncode, 0, err)
        self.assertNotIn(self.PASSWORD.encode(), cmdline)
        self.assertIsNone(loketlib.sanitizer_report(err.decode()))

    def test_bad_arguments(self):
        data = self.make_data_dir()
        cases = [
            (["--email", "x@example.nl", "--role", "root"], "role"),
            (["--email", "not-an-address", "--role", "agent"], "email"),
            (["--role", "agent"], "--email"),
            (["--email", "x@example.nl"], "--role"),
        ]
        for args, needle in cases:
            with self.subTest(args=args):
                p = run_cli("user", "add", *args, input=self.PASSWORD + "\n",
                            data=data)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual(len(p.stderr.splitlines()), 1)
                self.assertIn(needle, p.stderr)
        p = run_cli("user", "remove", input="", data=data)
        self.assertEqual(p.returncode, 2)


if __name__ == "__main__":
    loketlib.main()
