"""Actueel subscriptions end to end, against a real Postfix and Dovecot
(tests/integration/mailserver.py): subscribe, the confirmation mail in
the mailbox, confirm by POST, a notice mail with RFC 8058 headers, a
one-click unsubscribe, and what must not be mailed; SMTP down and up."""

import email.header
import hashlib
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mailserver  # noqa: E402
from loketlib import (LoketTestCase, create_token, db_query, main,  # noqa
                      run_cli, wait_until)

FORM = "application/x-www-form-urlencoded"
PUBLIC = "https://loket.example.nl"
USERS = ["jan", "piet", "klaas", "anna", "els", "ruud", "mies", "bob",
         "kees", "lot", "zus", "wim"]


def text_part(msg, subtype="plain"):
    for part in msg.walk():
        if part.get_content_type() == "text/" + subtype:
            return part.get_content()
    return None


class Subscriptions(LoketTestCase):
    ms = None

    @classmethod
    def setUpClass(cls):
        cls.ms = mailserver.MailServer(users=USERS).start()

    @classmethod
    def tearDownClass(cls):
        if cls.ms is not None:
            cls.ms.stop()

    def setUp(self):
        self.srv = self.start_server(extra_args=[
            "--public-url", PUBLIC + "/",
            "--smtp-url", "smtp://127.0.0.1:%d" % self.ms.smtp_port,
            "--mail-from", "Gemeente Voorbeeld <actueel@loket.test>",
            "--outbox-backoff-ms", "300"])
        _, self.admin = create_token(self.srv.data, "beheer", "admin")
        self.seen = {}

    # ---- helpers ----------------------------------------------------------

    def form_token(self):
        r = self.srv.get("/actueel/abonneren")
        self.assertEqual(r.status, 200, r.text)
        m = re.search(r'name="csrf" value="([^"]+)"', r.text)
        self.assertIsNotNone(m, r.text)
        return m.group(1), r

    def subscribe(self, email, postcode, extra=None):
        tok, _ = self.form_token()
        fields = {"csrf": tok, "postcode": postcode, "email": email,
                  "website": ""}
        fields.update(extra or {})
        return self.srv.request("POST", "/actueel/abonneren",
                                body=urllib.parse.urlencode(fields),
                                headers={"Content-Type": FORM,
                                         "Cookie": "loket_csrf=" + tok})

    def new_mail(self, user, timeout=15):
        """The next message in `user`'s mailbox (one more than seen)."""
        n = self.seen.get(user, self.count(user)) + 1
        msgs = self.ms.wait_for_mail(user, n, timeout)
        self.seen[user] = len(msgs)
        return msgs[n - 1]

    def count(self, user):
        return len(self.ms.raw_messages(user))

    def mark(self, user):
        self.seen[user] = self.count(user)

    def confirm_link(self, msg):
        m = re.search(re.escape(PUBLIC) +
                      r"/actueel/abonneren/bevestigen\?token=(lks_[\w-]+)",
                      text_part(msg))
        self.assertIsNotNone(m, text_part(msg))
        return m.group(1)

    def confirm(self, token):
        return self.srv.request("POST", "/actueel/abonneren/bevestigen",
                                body=urllib.parse.urlencode({"token": token}),
                                headers={"Content-Type": FORM})

    def subscribed(self, user, postcode):
        """Subscribes `user` to `postcode` and confirms through the mail."""
        self.mark(user)
        r = self.subscribe(self.ms.address(user), postcode)
        self.assertEqual(r.status, 200, r.text)
        tok = self.confirm_link(self.new_mail(user))
        r = self.confirm(tok)
        self.assertEqual(r.status, 200, r.text)
        self.assertIn("Aanmelding bevestigd", r.text)

    def publish(self, title, postcodes, body="Tekst van de melding.",
                kind="wegafsluiting"):
        r = self.srv.post_json("/api/v1/notices", {
            "kind": kind, "title": title, "body": body,
            "postcodes": postcodes, "publish": True}, token=self.admin)
        self.assertEqual(r.status, 201, r.text)
        return r.json()["id"]

    def rows(self, email=None):
        sql = "SELECT email, postcode, state FROM subscriptions"
        if email is not None:
            return db_query(self.srv.data, sql + " WHERE email = ?", (email,))
        return db_query(self.srv.data, sql)

    def outbox(self, kind="subscription-mail"):
        return db_query(self.srv.data,
                        "SELECT key, payload, state, attempts, last_error "
                        "FROM outbox WHERE kind = ? ORDER BY seq", (kind,))

    def wait_outbox_done(self, timeout=15):
        wait_until(lambda: all(r[2] != "pending" for r in self.outbox()),
                   timeout, what="the outbox to empty")

    # ---- tests ------------------------------------------------------------

    def test_journey_subscribe_confirm_notice_unsubscribe(self):
        jan = self.ms.address("jan")
        self.mark("jan")
        r = self.subscribe(jan, "1234")
        self.assertEqual(r.status, 200, r.text)
        self.assertIn("Bekijk uw e-mail", r.text)
        self.assertEqual(self.rows(jan), [(jan, "1234", "pending")])

        # The confirmation mail: Dutch, UTF-8, a link with the token.
        msg = self.new_mail("jan")
        self.assertIn("1234", str(msg["Subject"]))
        self.assertEqual(msg["From"].addresses[0].addr_spec,
                         "actueel@loket.test")
        self.assertEqual(msg["From"].addresses[0].display_name,
                         "Gemeente Voorbeeld")
        self.assertRegex(msg["Message-ID"], r"^<[0-9a-f-]{36}@loket\.test>$")
        self.assertIsNotNone(msg["Date"])
        token = self.confirm_link(msg)
        digest = db_query(self.srv.data, "SELECT confirm_digest FROM "
                          "subscriptions")[0][0]
        self.assertNotIn(token, digest)
        self.assertEqual(len(digest), 64)

        # A GET (a mail scanner) shows a button and changes nothing.
        r = self.srv.get("/actueel/abonneren/bevestigen?token=" + token)
        self.assertEqual(r.status, 200, r.text)
        self.assertIn('method="post"', r.text)
        self.assertIn('name="token" value="%s"' % token, r.text)
        self.assertEqual(self.rows(jan)[0][2], "pending")
        r = self.confirm(token)
        self.assertEqual(r.status, 200, r.text)
        self.assertIn("bevestigd", r.text)
        self.assertEqual(self.rows(jan)[0][2], "confirmed")
        # The token is used up.
        self.assertEqual(self.confirm(token).status, 404)

        # A notice touching a PC6 inside the subscribed PC4.
        title = "Kérkstraat dicht: één rijstrook <script>x</script>"
        nid = self.publish(title, ["1234AB"],
                           body="Werkzaamheden aan de riolering.\n"
                                "Omleiding via de Dorpsstraat.")
        msg = self.new_mail("jan")
        self.assertEqual(str(msg["Subject"]), "Wegafsluiting: " + title)
        raw = self.ms.raw_messages("jan")[-1].decode("ascii")
        self.assertRegex(raw, r"(?m)^Subject: =\?UTF-8\?B\?")
        self.assertIn("MIME-Version: 1.0", raw)
        self.assertIn("Auto-Submitted: auto-generated", raw)
        lu = msg["List-Unsubscribe"]
        m = re.fullmatch(r"<" + re.escape(PUBLIC) +
                         r"/actueel/afmelden\?token=(lks_[\w-]+)>", lu)
        self.assertIsNotNone(m, lu)
        unsub = m.group(1)
        self.assertEqual(msg["List-Unsubscribe-Post"],
                         "List-Unsubscribe=One-Click")
        plain = text_part(msg)
        self.assertIn("één rijstrook", plain)
        self.assertIn("Omleiding via de Dorpsstraat.", plain)
        self.assertIn(PUBLIC + "/actueel/" + nid, plain)
        self.assertIn(PUBLIC + "/actueel/afmelden?token=" + unsub, plain)
        html = text_part(msg, "html")
        self.assertIn("&lt;script&gt;x&lt;/script&gt;", html)
        self.assertNotIn("<script>", html)
        self.assertIn("Werkzaamheden aan de riolering.<br>", html)

        # The GET of the unsubscribe link changes nothing.
        r = self.srv.get("/actueel/afmelden?token=" + unsub)
        self.assertEqual(r.status, 200, r.text)
        self.assertIn('<button', r.text)
        self.assertEqual(self.rows(jan)[0][2], "confirmed")
        # RFC 8058: a POST with that body, no cookie, no CSRF token.
        r = self.srv.request("POST", "/actueel/afmelden?token=" + unsub,
                             body="List-Unsubscribe=One-Click",
                             headers={"Content-Type": FORM})
        self.assertEqual(r.status, 200, r.text)
        self.assertIn("afgemeld", r.text)
        # Unsubscribed: the address is forgotten, the row counts on.
        self.assertEqual(self.rows(jan), [])
        self.assertEqual(self.rows(""), [("", "1234", "unsubscribed")])
        # Again: still fine, still unsubscribed.
        r = self.srv.request("POST", "/actueel/afmelden?token=" + unsub,
                             body="List-Unsubscribe=One-Click",
                             headers={"Content-Type": FORM})
        self.assertEqual(r.status, 200, r.text)

        # The next notice: piet (also 1234) gets it, jan does not.
        self.subscribed("piet", "1234")
        self.mark("jan")
        self.publish("Tweede melding", ["1234"])
        self.assertEqual(str(self.new_mail("piet")["Subject"]),
                         "Wegafsluiting: Tweede melding")
        self.wait_outbox_done()
        time.sleep(0.5)
        self.assertEqual(self.count("jan"), self.seen["jan"])
        # Every mail went out once: two notices, one recipient each.
        keys = [r[0] for r in self.outbox() if r[0].startswith("notice:")]
        self.assertEqual(len(keys), 2, keys)
        # The address part of a key is keyed with the server's secret: a
        # supervisor reading the outbox cannot test a guessed address.
        guess = hashlib.blake2b(jan.lower().encode(),
                                digest_size=16).hexdigest()
        r = self.srv.get("/api/v1/outbox?kind=subscription-mail",
                         token=self.admin)
        self.assertEqual(r.status, 200, r.text)
        self.assertIn("notice:", r.text)
        self.assertNotIn(guess, r.text)
        for key in keys:
            self.assertRegex(key, r"^notice:[0-9a-f-]{36}:to:[0-9a-f]{32}$")
            self.assertNotIn(guess, key)
        # No address or token in a key or payload, nor a token in the log.
        for key, payload, *_ in self.outbox():
            for secret in ("@", "lks_"):
                self.assertNotIn(secret, key + payload)
        self.assertNotIn("lks_", self.srv.log_text())

    def test_only_matching_confirmed_subscribers(self):
        self.subscribed("klaas", "1234AB")   # PC6 equal: yes
        self.subscribed("anna", "1234CD")    # other PC6 in the PC4: no
        self.subscribed("els", "5678")       # elsewhere: no
        self.mark("ruud")
        r = self.subscribe(self.ms.address("ruud"), "1234")  # unconfirmed
        self.assertEqual(r.status, 200)
        self.new_mail("ruud")  # the confirmation only
        self.subscribed("mies", "1234")      # PC4 containing it: yes
        # klaas is also subscribed to 1234 (PC4): still one mail for him.
        self.subscribed("klaas", "1234")
        for u in ("anna", "els", "ruud"):
            self.mark(u)
        self.publish("Storing water", ["1234ab"], kind="storing")
        self.assertEqual(str(self.new_mail("klaas")["Subject"]),
                         "Storing: Storing water")
        self.assertEqual(str(self.new_mail("mies")["Subject"]),
                         "Storing: Storing water")
        self.wait_outbox_done()
        time.sleep(1.0)
        for u in ("anna", "els", "ruud", "klaas"):
            self.assertEqual(self.count(u), self.seen[u], u)
        # A notice for a PC4 reaches a PC6 subscriber inside it.
        self.publish("Evenement in de wijk", ["1234"], kind="evenement")
        self.assertEqual(str(self.new_mail("anna")["Subject"]),
                         "Evenement: Evenement in de wijk")

    def test_one_click_ends_every_postcode_of_the_address(self):
        """An address on 1234 and 1234AB gets one mail for a notice on
        1234AB; its one link ends both, and the page says so."""
        self.subscribed("kees", "1234")
        self.subscribed("kees", "1234AB")
        self.subscribed("bob", "1234")
        self.publish("Gaslek", ["1234AB"], kind="calamiteit")
        msg = self.new_mail("kees")
        self.new_mail("bob")
        self.wait_outbox_done()
        time.sleep(0.5)
        self.assertEqual(self.count("kees"), self.seen["kees"])  # just one
        unsub = re.fullmatch(r"<.*\?token=(lks_[\w-]+)>",
                             msg["List-Unsubscribe"]).group(1)
        r = self.srv.get("/actueel/afmelden?token=" + unsub)
        self.assertIn("andere postcodes", r.text)
        r = self.srv.request("POST", "/actueel/afmelden?token=" + unsub,
                             body="List-Unsubscribe=One-Click",
                             headers={"Content-Type": FORM})
        self.assertEqual(r.status, 200, r.text)
        self.assertRegex(r.text, r"postcodes (1234, 1234AB|1234AB, 1234)\.")
        self.assertEqual(self.rows(self.ms.address("kees")), [])
        self.assertEqual(self.rows(self.ms.address("bob")),
                         [(self.ms.address("bob"), "1234", "confirmed")])
        self.mark("kees")
        self.publish("Tweede gaslek", ["1234"], kind="calamiteit")
        self.new_mail("bob")
        self.wait_outbox_done()
        time.sleep(0.5)
        self.assertEqual(self.count("kees"), self.seen["kees"])

    def test_one_click_header_only_over_https(self):
        """RFC 8058 wants an HTTPS URI for one-click: with an http://
        --public-url the mail keeps List-Unsubscribe, not the Post."""
        self.srv.stop()
        self.srv = self.start_server(extra_args=[
            "--public-url", "http://loket.test:8080",
            "--smtp-url", "smtp://127.0.0.1:%d" % self.ms.smtp_port,
            "--mail-from", "actueel@loket.test"])
        _, self.admin = create_token(self.srv.data, "beheer", "admin")
        self.mark("els")
        self.subscribe(self.ms.address("els"), "4000")
        tok = re.search(r"bevestigen\?token=(lks_[\w-]+)",
                        text_part(self.new_mail("els"))).group(1)
        self.assertEqual(self.confirm(tok).status, 200)
        self.publish("Markt", ["4000"], kind="evenement")
        msg = self.new_mail("els")
        self.assertRegex(msg["List-Unsubscribe"],
                         r"^<http://loket\.test:8080/actueel/afmelden\?"
                         r"token=lks_[\w-]+>$")
        self.assertIsNone(msg["List-Unsubscribe-Post"])

    def test_approval_publishes_then_mails(self):
        self.subscribed("bob", "4321")
        r = self.srv.request("PUT", "/api/v1/notice-kinds/calamiteit",
                             body='{"requiresSecondPerson":true}',
                             headers={"Content-Type": "application/json"},
                             token=self.admin)
        self.assertIn(r.status, (200, 204), r.text)
        nid = self.publish("Brand in loods", ["4321"], kind="calamiteit")
        time.sleep(1.0)
        self.assertEqual(self.count("bob"), self.seen["bob"])
        _, second = create_token(self.srv.data, "tweede", "admin")
        r = self.srv.request("POST", "/api/v1/notices/%s/approve" % nid,
                             token=second)
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(str(self.new_mail("bob")["Subject"]),
                         "Calamiteit: Brand in loods")

    def test_errors_next_to_fields_and_escaped(self):
        evil = '"><script>alert(1)</script>'
        r = self.subscribe(evil, "0123")
        self.assertEqual(r.status, 422, r.text)
        t = r.text
        self.assertNotIn("<script>alert", t)
        self.assertIn("&quot;&gt;&lt;script&gt;", t)
        for f in ("abonnement-postcode", "abonnement-email"):
            self.assertIn('id="%s-fout"' % f, t)
            m = re.search(r'<input[^>]*id="%s"[^>]*>' % f, t)
            self.assertIsNotNone(m, t)
            self.assertIn("%s-fout" % f, m.group(0))
            self.assertIn('aria-invalid="true"', m.group(0))
            self.assertIn('href="#%s"' % f, t)  # the summary links to it
        self.assertIn('role="alert"', t)
        self.assertIn('<title>Fout:', t)
        # Addresses no mail can be sent to are refused at the field, not
        # answered with "Bekijk uw e-mail".
        for bad in ("jöhn@voorbeeld.nl", "a,b@x.nl"):
            r = self.subscribe(bad, "1234")
            self.assertEqual(r.status, 422, bad)
            self.assertIn('id="abonnement-email-fout"', r.text)
            self.assertNotIn('id="abonnement-postcode-fout"', r.text)
            self.assertNotIn("Bekijk uw e-mail", r.text)
        r = self.subscribe("iemand@example.nl", "12345")
        self.assertEqual(r.status, 422)
        self.assertIn('id="abonnement-postcode-fout"', r.text)
        self.assertNotIn('id="abonnement-email-fout"', r.text)
        self.assertEqual(self.rows(), [])

    def test_no_reveal_idempotent_and_limits(self):
        wim = self.ms.address("wim")
        self.mark("wim")
        first = self.subscribe(wim, "9999 zz")
        self.assertEqual(first.status, 200)
        self.new_mail("wim")
        again = self.subscribe(wim.upper(), "9999ZZ")
        self.assertEqual(again.status, 200)
        self.assertEqual(first.text, again.text)
        second = self.new_mail("wim")  # sent again while pending
        self.assertEqual(self.rows(), [(wim, "9999ZZ", "pending")])
        self.assertEqual(self.confirm(self.confirm_link(second)).status, 200)
        confirmed = self.subscribe(wim, "9999ZZ")
        self.assertEqual(confirmed.text, first.text)
        self.assertEqual(len(self.rows()), 1)
        # Three confirmation mails per address per hour; the answer stays.
        lot = self.ms.address("lot")
        self.mark("lot")
        for _ in range(5):
            self.assertEqual(self.subscribe(lot, "1111").text, first.text)
        self.wait_outbox_done()
        time.sleep(0.5)
        self.assertEqual(self.count("lot"), self.seen["lot"] + 3)
        # A robot filling the honeypot is told the same and stores nothing.
        r = self.subscribe("robot@example.nl", "2222",
                           {"website": "http://spam"})
        self.assertEqual(r.text, first.text)
        self.assertEqual(self.rows("robot@example.nl"), [])
        # A post without the form token is refused.
        r = self.srv.request("POST", "/actueel/abonneren",
                             body="postcode=1234&email=x%40example.nl",
                             headers={"Content-Type": FORM})
        self.assertEqual(r.status, 403, r.text)
        # From another site, even with a token.
        tok, _ = self.form_token()
        r = self.srv.request("POST", "/actueel/abonneren",
                             body="csrf=%s&postcode=1234&email=x%%40e.nl" % tok,
                             headers={"Content-Type": FORM,
                                      "Cookie": "loket_csrf=" + tok,
                                      "Origin": "https://evil.example"})
        self.assertEqual(r.status, 403, r.text)

    def test_per_client_limit(self):
        srv = self.start_server(extra_args=["--subscribe-limit", "2"])
        for i in range(2):
            tok = re.search(r'name="csrf" value="([^"]+)"',
                            srv.get("/actueel/abonneren").text).group(1)
            r = srv.request("POST", "/actueel/abonneren", body=urllib.parse.
                            urlencode({"csrf": tok, "postcode": "1234",
                                       "email": "a%d@example.nl" % i}),
                            headers={"Content-Type": FORM,
                                     "Cookie": "loket_csrf=" + tok})
            self.assertEqual(r.status, 200, r.text)
        r = srv.request("POST", "/actueel/abonneren", body=urllib.parse.
                        urlencode({"csrf": tok, "postcode": "1234",
                                   "email": "a9@example.nl"}),
                        headers={"Content-Type": FORM,
                                 "Cookie": "loket_csrf=" + tok})
        self.assertEqual(r.status, 429, r.text)
        self.assertIsNotNone(r.header("Retry-After"))

    def test_token_guessing_is_404(self):
        self.subscribed("kees", "3000")
        guesses = ["lks_" + secrets.token_urlsafe(24), "lks_kort", "", "x" * 60,
                   "lkt_" + secrets.token_urlsafe(24)]
        for g in guesses:
            q = urllib.parse.quote(g)
            for path in ("/actueel/abonneren/bevestigen?token=",
                         "/actueel/afmelden?token="):
                self.assertEqual(self.srv.get(path + q).status, 404, path + g)
                r = self.srv.request("POST", path + q, body="",
                                     headers={"Content-Type": FORM})
                self.assertEqual(r.status, 404, path + g)
        self.assertEqual(self.rows(self.ms.address("kees"))[0][2],
                         "confirmed")

    def test_smtp_down_retried_once_delivered(self):
        self.subscribed("zus", "6000")
        self.ms.stop_smtp()
        try:
            self.publish("Storing stroom", ["6000"], kind="storing")
            wait_until(lambda: any(r[3] >= 2 and r[4]
                                   for r in self.outbox()
                                   if r[0].startswith("notice:")),
                       20, what="failed attempts while SMTP is down")
            row = [r for r in self.outbox() if r[0].startswith("notice:")][0]
            self.assertEqual(row[2], "pending")
            self.assertNotIn(mailserver.PASSWORD, row[4] or "")
        finally:
            self.ms.start_smtp()
        self.assertEqual(str(self.new_mail("zus", 30)["Subject"]),
                         "Storing: Storing stroom")
        self.wait_outbox_done()
        time.sleep(2.0)
        subjects = [str(m["Subject"]) for m in self.ms.messages("zus")]
        self.assertEqual(subjects.count("Storing: Storing stroom"), 1)

    def test_smtp_auth_and_no_secret_leaks(self):
        secrets_dir = tempfile.mkdtemp(prefix="loket-smtp-")
        self.addCleanup(shutil.rmtree, secrets_dir, True)
        good = os.path.join(secrets_dir, "good")
        with open(good, "w") as f:
            f.write(mailserver.PASSWORD + "\n")
        srv = self.start_server(extra_args=[
            "--public-url", PUBLIC,
            "--smtp-url", "smtp://127.0.0.1:%d" % self.ms.submission_port,
            "--smtp-user", self.ms.address("lot"),
            "--smtp-password-file", good, "--smtp-insecure-auth",
            "--mail-from", "actueel@loket.test"])
        self.srv = srv
        self.mark("lot")
        self.assertEqual(self.subscribe(self.ms.address("lot"), "8000").status,
                         200)
        self.assertIn("8000", str(self.new_mail("lot")["Subject"]))
        srv.stop()

        wrong = "verkeerd-%s" % secrets.token_hex(8)
        bad = os.path.join(secrets_dir, "bad")
        with open(bad, "w") as f:
            f.write(wrong)
        self.srv = self.start_server(extra_args=[
            "--public-url", PUBLIC,
            "--smtp-url", "smtp://127.0.0.1:%d" % self.ms.submission_port,
            "--smtp-user", self.ms.address("lot"),
            "--smtp-password-file", bad, "--smtp-insecure-auth",
            "--mail-from", "actueel@loket.test",
            "--outbox-backoff-ms", "200", "--log-level", "debug"])
        _, admin = create_token(self.srv.data, "beheer", "admin")
        self.subscribe(self.ms.address("lot"), "8001")
        wait_until(lambda: any(r[3] >= 2 for r in self.outbox()), 20,
                   what="refused log-ins to be retried")
        row = self.outbox()[0]
        self.assertEqual(row[2], "pending")  # a refused log-in is retried
        self.assertTrue(row[4])
        r = self.srv.get("/api/v1/outbox", token=admin)
        self.assertEqual(r.status, 200, r.text)
        for text in (row[4], r.text, self.srv.log_text()):
            self.assertNotIn(wrong, text)
        # Nor are the tokens of the links anywhere but in the mail.
        self.assertNotIn("lks_", self.srv.log_text())
        self.assertNotIn("lks_", r.text)

    def test_smtp_auth_in_clear_refused_at_start(self):
        """A password never goes over plain SMTP: smtp:// with a user and
        neither STARTTLS nor the loopback-only --smtp-insecure-auth
        stops the start with a reason; nothing was sent."""
        data = tempfile.mkdtemp(prefix="loket-smtp-")
        self.addCleanup(shutil.rmtree, data, True)
        pw = os.path.join(data, "pw")
        with open(pw, "w") as f:
            f.write(mailserver.PASSWORD)
        base = ["serve", "--listen", "127.0.0.1:0", "--public-url", PUBLIC,
                "--mail-from", "actueel@loket.test",
                "--smtp-user", self.ms.address("lot"),
                "--smtp-password-file", pw]
        for url, extra, why in (
                ("smtp://127.0.0.1:%d" % self.ms.submission_port, [],
                 "in clear"),
                ("smtp://mail.example.nl:587", ["--smtp-insecure-auth"],
                 "loopback")):
            p = run_cli(*(base + ["--smtp-url", url] + extra),
                        data=os.path.join(data, "d"), timeout=30)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn(why, p.stderr)
            self.assertIn("--smtp-starttls", p.stderr)
            self.assertNotIn(mailserver.PASSWORD, p.stderr + p.stdout)

    def test_empty_key_file_named_at_start(self):
        """An empty subscriptions.key (a crash while an older version
        wrote it) stops the start with the file's name, not a silent new
        key nor a bare errno."""
        data = tempfile.mkdtemp(prefix="loket-key-")
        self.addCleanup(shutil.rmtree, data, True)
        open(os.path.join(data, "subscriptions.key"), "wb").close()
        p = run_cli("serve", "--listen", "127.0.0.1:0", data=data,
                    timeout=30)
        self.assertNotEqual(p.returncode, 0, p.stderr)
        self.assertIn(os.path.join(data, "subscriptions.key"), p.stderr)
        self.assertIn("not a 32-byte key", p.stderr)
        self.assertEqual(os.path.getsize(os.path.join(data,
                                                      "subscriptions.key")), 0)

    def test_outbox_kind_mail(self):
        """The kind "mail" the e-mail channel will queue: a composed
        message with extra headers and an HTML alternative."""
        import json
        import sqlite3
        import uuid
        payload = {"to": self.ms.address("wim"),
                   "subject": "Uw vraag over de Oude Gracht: één antwoord",
                   "text": "Beste inwoner,\n\nHier is het antwoord.\n",
                   "html": "<p>Hier is het antwoord &amp; meer.</p>",
                   "headers": {"In-Reply-To": "<vraag-1@example.nl>"}}
        now = int(time.time() * 1000)
        self.mark("wim")
        db = sqlite3.connect(os.path.join(self.srv.data, "loket.db"),
                             timeout=10)
        with db:
            db.execute("INSERT INTO outbox (id, kind, key, payload, state,"
                       " next_attempt_at, created_at, updated_at) VALUES"
                       " (?, 'mail', 'test:1', ?, 'pending', ?, ?, ?)",
                       (str(uuid.uuid4()), json.dumps(payload), now, now,
                        now))
        db.close()
        msg = self.new_mail("wim")
        self.assertEqual(str(msg["Subject"]), payload["subject"])
        self.assertEqual(msg["In-Reply-To"], "<vraag-1@example.nl>")
        self.assertEqual(text_part(msg).replace("\r\n", "\n"),
                         payload["text"])
        self.assertIn("&amp; meer", text_part(msg, "html"))
        wait_until(lambda: self.outbox("mail")[0][2] == "sent", 10,
                   what="the row to be sent")
        self.assertRegex(db_query(self.srv.data, "SELECT result FROM outbox"
                                  " WHERE kind = 'mail'")[0][0],
                         r"^<[0-9a-f-]{36}@loket\.test>$")

    def test_stats_counts_without_addresses(self):
        self.subscribed("jan", "7000")
        self.subscribe("iemand@example.nl", "7000")
        self.subscribe("ander@example.nl", "7001AB")
        r = self.srv.get("/api/v1/subscriptions/stats", token=self.admin)
        self.assertEqual(r.status, 200, r.text)
        j = r.json()
        self.assertEqual(j["totals"], {"pending": 2, "confirmed": 1,
                                       "unsubscribed": 0})
        self.assertEqual(j["items"], [
            {"postcode": "7000", "pending": 1, "confirmed": 1,
             "unsubscribed": 0},
            {"postcode": "7001AB", "pending": 1, "confirmed": 0,
             "unsubscribed": 0}])
        self.assertNotIn("@", r.text)
        r = self.srv.get("/api/v1/subscriptions/stats?limit=1",
                         token=self.admin)
        self.assertEqual(r.json()["next"], "7000")
        r = self.srv.get("/api/v1/subscriptions/stats?after=7000",
                         token=self.admin)
        self.assertEqual([i["postcode"] for i in r.json()["items"]],
                         ["7001AB"])
        _, agent = create_token(self.srv.data, "agent", "api")
        r = self.srv.get("/api/v1/subscriptions/stats", token=agent)
        self.assertEqual(r.status, 403, r.text)

    def test_actueel_links_to_the_form(self):
        r = self.srv.get("/actueel")
        self.assertIn('href="/actueel/abonneren"', r.text)
        _, form = self.form_token()
        self.assertIn('autocomplete="email"', form.text)
        self.assertIn('for="abonnement-postcode"', form.text)
        self.assertNotIn("<script", form.text)


if __name__ == "__main__":
    mailserver.skip_unless_available()
    main()
