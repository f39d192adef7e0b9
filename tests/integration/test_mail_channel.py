"""The e-mail channel end to end, against a real Postfix and Dovecot
(tests/integration/mailserver.py): mailboxes configured over the API,
mail read over IMAP into conversations, an agent's reply sent over SMTP
submission and threaded in the resident's mailbox, the resident's reply
joining the conversation, a forged In-Reply-To that does not, noise and
bounces, attachments and charsets, and a kill -9 in the middle of 1,000
mails."""

import email
import email.policy
import hashlib
import imaplib
import json
import os
import smtplib
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mailserver  # noqa: E402
from loketlib import (LoketTestCase, Server, create_token, db_query,  # noqa
                      db_write, main, metric, wait_until)

BOXES = ["v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "w1", "w2", "w3",
         "w4", "w5", "w6", "w7"]
RESIDENTS = ["inwoner", "ander", "bewoner", "klant", "anna", "bram"]
# A 1x1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44"
    "ae426082")


def mail(frm, to, subject, body, msgid, extra=""):
    return ("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\n"
            "Date: Sat, 28 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n"
            "%sContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n%s\r\n" %
            (frm, to, subject, msgid, extra, body)).encode("utf-8")


class MailChannel(LoketTestCase):
    ms = None

    @classmethod
    def setUpClass(cls):
        mailserver.skip_unless_available()
        cls.ms = mailserver.MailServer(users=BOXES + RESIDENTS).start()

    @classmethod
    def tearDownClass(cls):
        if cls.ms is not None:
            cls.ms.stop()

    # ---- helpers ----------------------------------------------------------

    def setup_loket(self, box, data=None, extra_args=None, **fields):
        self.srv = self.start_server(data=data, extra_args=extra_args or ())
        _, self.admin = create_token(self.srv.data, "beheer", "api admin")
        pw = os.path.join(os.path.dirname(self.srv.data), "mail.pw")
        with open(os.open(pw, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                          0o600), "w") as f:
            f.write(mailserver.PASSWORD + "\n")
        os.chmod(pw, 0o600)
        r = self.srv.post_json("/api/v1/teams", {"name": "Post",
                                                 "active": True},
                               token=self.admin)
        self.assertEqual(r.status, 201, r.text)
        self.team = r.json()["id"]
        self.box = box
        self.addr = self.ms.address(box)
        r = self.srv.post_json("/api/v1/mailboxes", {
            "teamId": self.team, "address": self.addr,
            "fromName": "Gemeente Zuidbroek", "imapHost": "127.0.0.1",
            "imapPort": self.ms.imap_port, "imapTls": "none",
            "imapUser": self.addr, "imapPasswordFile": pw,
            "smtpHost": "127.0.0.1", "smtpPort": self.ms.submission_port,
            "smtpTls": "none", "smtpUser": self.addr, "smtpPasswordFile": pw,
            "pollSeconds": 1, **fields}, token=self.admin)
        self.assertEqual(r.status, 201, r.text)
        self.mailbox = r.json()
        return self.mailbox

    def patch_mailbox(self, fields):
        r = self.srv.request("PATCH", "/api/v1/mailboxes/" + self.mailbox["id"],
                             body=json.dumps(fields).encode(),
                             headers={"Content-Type": "application/json"},
                             token=self.admin)
        self.assertEqual(r.status, 200, r.text)

    def imap(self, box):
        imap = imaplib.IMAP4("127.0.0.1", self.ms.imap_port, timeout=10)
        imap.login(self.ms.address(box), mailserver.PASSWORD)
        imap.select("INBOX")
        return imap

    def flags(self, box):
        """{Message-ID: set of flags} of `box`'s INBOX, read without
        changing a flag."""
        imap = self.imap(box)
        try:
            out = {}
            typ, data = imap.fetch("1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS"
                                   " (MESSAGE-ID)])")
            for item in data:
                if not isinstance(item, tuple):
                    continue
                flags = imaplib.ParseFlags(item[0])
                mid = email.message_from_bytes(item[1])["Message-ID"]
                out[mid.strip().strip("<>")] = {f.decode() for f in flags}
            return out
        finally:
            imap.logout()

    def metric(self, name, **labels):
        return metric(self.srv.metrics(), name, **labels) or 0

    def inbound(self, msgid):
        """(contact id, conversation id) rows of inbound mail `msgid`, in
        whichever mailbox it came."""
        return db_query(self.srv.data,
                        "SELECT contact_id, c.conversation_id"
                        " FROM mail_received r JOIN contacts c"
                        " ON c.id = r.contact_id WHERE r.message_id = ?",
                        (msgid,))

    def contact(self, msgid, timeout=20):
        """(contact id, conversation id) of the mail `msgid`, once in."""
        rows = []

        def arrived():
            rows[:] = db_query(self.srv.data,
                               "SELECT id, conversation_id FROM contacts"
                               " WHERE channel = 'email' AND external_id = ?",
                               (msgid,))
            return bool(rows)
        wait_until(arrived, timeout, interval=0.1, what="mail " + msgid)
        return rows[0][0], rows[0][1]

    def conversation(self, cid):
        r = self.srv.get("/api/v1/conversations/" + cid, token=self.admin)
        self.assertEqual(r.status, 200, r.text)
        return r.json()

    def reply(self, cid, text):
        r = self.srv.post_json("/api/v1/conversations/%s/messages" % cid,
                               {"direction": "outbound", "content": text},
                               token=self.admin)
        self.assertEqual(r.status, 201, r.text)
        return r.json()

    def delivery(self, contact_id):
        return db_query(self.srv.data, "SELECT delivery FROM contacts"
                        " WHERE id = ?", (contact_id,))[0][0]

    def ingested(self):
        return db_query(self.srv.data, "SELECT count(*) FROM contacts"
                        " WHERE channel = 'email' AND kind = 'inbound'")[0][0]

    # ---- tests ------------------------------------------------------------

    def test_1_mailbox_api_keeps_passwords_out(self):
        mb = self.setup_loket("v6")
        self.assertNotIn("password", {k.lower() for k in mb} - {
            "imappasswordfile", "smtppasswordfile"})
        self.assertNotIn(mailserver.PASSWORD, str(mb))
        # A password given instead of a file is refused, not stored.
        r = self.srv.post_json("/api/v1/mailboxes", dict(
            teamId=self.team, address="x@example.nl", imapHost="h",
            imapUser="u", imapPasswordFile="/p", smtpHost="h",
            password="geheim"), token=self.admin)
        self.assertProblem(r, 422)
        r = self.srv.request("PATCH", "/api/v1/mailboxes/" + mb["id"],
                             body=b'{"imapPasswordFile": "relative"}',
                             headers={"Content-Type": "application/json"},
                             token=self.admin)
        self.assertProblem(r, 422, field="/imapPasswordFile")
        r = self.srv.request("PATCH", "/api/v1/mailboxes/" + mb["id"],
                             body=b'{"trustedAuthservId": "mx; dmarc=pass"}',
                             headers={"Content-Type": "application/json"},
                             token=self.admin)
        self.assertProblem(r, 422, field="/trustedAuthservId")
        self.assertEqual(mb["trustedAuthservId"], "")
        # A password file is never one of Loket's own keys (its first
        # line would go to an admin-chosen host), nor a file others can
        # read or that belongs to someone else.
        for name in ("mail.key", "subscriptions.key", "nieuw.pw"):
            r = self.srv.request(
                "PATCH", "/api/v1/mailboxes/" + mb["id"],
                body=json.dumps({"imapPasswordFile": os.path.join(
                    self.srv.data, name)}).encode(),
                headers={"Content-Type": "application/json"},
                token=self.admin)
            self.assertProblem(r, 422, field="/imapPasswordFile")
            self.assertIn("data directory", r.json()["detail"])
        loose = mb["imapPasswordFile"] + ".loose"
        with open(loose, "w") as f:
            f.write("x\n")
        for mode in (0o644, 0o640, 0o604):
            os.chmod(loose, mode)
            r = self.srv.request(
                "PATCH", "/api/v1/mailboxes/" + mb["id"],
                body=json.dumps({"smtpPasswordFile": loose}).encode(),
                headers={"Content-Type": "application/json"},
                token=self.admin)
            self.assertProblem(r, 422, field="/smtpPasswordFile")
            self.assertIn("0600", r.json()["detail"])
        r = self.srv.request(
            "PATCH", "/api/v1/mailboxes/" + mb["id"],
            body=json.dumps({"imapPasswordFile": "/etc/passwd"}).encode(),
            headers={"Content-Type": "application/json"}, token=self.admin)
        self.assertProblem(r, 422, field="/imapPasswordFile")
        os.chmod(loose, 0o400)
        r = self.srv.request(
            "PATCH", "/api/v1/mailboxes/" + mb["id"],
            body=json.dumps({"smtpPasswordFile": loose}).encode(),
            headers={"Content-Type": "application/json"}, token=self.admin)
        self.assertEqual(r.status, 200, r.text)
        r = self.srv.request(
            "PATCH", "/api/v1/mailboxes/" + mb["id"],
            body=json.dumps({"smtpPasswordFile":
                             mb["smtpPasswordFile"]}).encode(),
            headers={"Content-Type": "application/json"}, token=self.admin)
        self.assertEqual(r.status, 200, r.text)
        # IMAP always logs in: without TLS only to a loopback server, both
        # on creation and when a PATCH changes the host or TLS alone.
        r = self.srv.post_json("/api/v1/mailboxes", dict(
            teamId=self.team, address="y@example.nl",
            imapHost="imap.example.nl", imapTls="none", imapUser="u",
            imapPasswordFile=mb["imapPasswordFile"], smtpHost="h"),
            token=self.admin)
        self.assertProblem(r, 422, field="/imapTls")
        r = self.srv.request("PATCH", "/api/v1/mailboxes/" + mb["id"],
                             body=b'{"imapHost": "imap.example.nl"}',
                             headers={"Content-Type": "application/json"},
                             token=self.admin)
        self.assertProblem(r, 422, field="/imapTls")
        r = self.srv.request("PATCH", "/api/v1/mailboxes/" + mb["id"],
                             body=b'{"imapHost": "localhost"}',
                             headers={"Content-Type": "application/json"},
                             token=self.admin)
        self.assertEqual(r.status, 200, r.text)
        r = self.srv.request("PATCH", "/api/v1/mailboxes/" + mb["id"],
                             body=b'{"imapHost": "127.0.0.1"}',
                             headers={"Content-Type": "application/json"},
                             token=self.admin)
        self.assertEqual(r.status, 200, r.text)
        mb = r.json()
        # A wrong password file: the poller says so without the secret.
        # (The file is read at each connection: a change of the mailbox
        # makes the poller and the watcher connect afresh.)
        with open(mb["imapPasswordFile"], "w") as f:
            f.write("fout-wachtwoord\n")
        before = self.srv.log_text().count("mailbox not read")
        r = self.srv.request("PATCH", "/api/v1/mailboxes/" + mb["id"],
                             body=b'{"pollSeconds": 2}',
                             headers={"Content-Type": "application/json"},
                             token=self.admin)
        self.assertEqual(r.status, 200, r.text)
        self.ms.put(self.box, [mail("inwoner@example.nl", self.addr, "x",
                                    "y", "pw-%s@example.nl" % uuid.uuid4())])
        wait_until(lambda: self.srv.log_text().count("mailbox not read") >
                   before, 20, what="a failed login logged")
        log = self.srv.log_text()
        self.assertNotIn("fout-wachtwoord", log)
        self.assertNotIn(mailserver.PASSWORD, log)
        self.assertEqual(self.ingested(), 0)
        # Fixed: the same mail comes in, once.
        with open(mb["imapPasswordFile"], "w") as f:
            f.write(mailserver.PASSWORD + "\n")
        wait_until(lambda: self.ingested() == 1, 30, what="mail after fix")
        self.assertNotIn("fout-wachtwoord", str(db_query(
            self.srv.data, "SELECT * FROM mailboxes")))

    def test_2_thread_reply_and_forgery(self):
        self.setup_loket("v1", trustedAuthservId="mx.zuidbroek.test")
        m1 = "vraag-%s@example.nl" % uuid.uuid4()
        self.ms.deliver(self.addr, mail(
            "Inge Inwoner <inwoner@example.nl>", self.addr,
            "Vraag over mijn paspoort", "Wanneer kan ik het ophalen? Groet, "
            "Inge Ëlsinga", m1))
        contact1, conv = self.contact(m1)
        c = self.conversation(conv)
        self.assertEqual(c["channel"], "email")
        self.assertEqual(c["teamId"], self.team)
        self.assertIn("Ëlsinga", c["messages"][0]["content"])
        # The IMAP keyword follows the commit.
        out = self.reply(conv, "Beste Inge, uw paspoort ligt klaar. Met "
                         "vriendelijke groet, Gemeente Zuidbroek — Burgerzaken")
        self.assertEqual(out["delivery"], "queued")
        got = self.ms.wait_for_mail("inwoner", 1, timeout=20)
        ans = got[-1]
        self.assertEqual(ans["In-Reply-To"], "<%s>" % m1)
        self.assertIn("<%s>" % m1, ans["References"])
        self.assertTrue(ans["Message-ID"].startswith("<lk."), ans)
        self.assertIn(self.addr, ans["From"])
        self.assertEqual(str(ans["Subject"]), "Re: Vraag over mijn paspoort"
                         " [%s]" % c["reference"])
        self.assertIn("Burgerzaken", ans.get_body(("plain",)).get_content())
        wait_until(lambda: self.delivery(out["id"]) == "sent", 10,
                   what="delivery sent")
        ours = ans["Message-ID"].strip("<>")
        # The resident answers in her mail program: same conversation.
        m2 = "antwoord-%s@example.nl" % uuid.uuid4()
        self.ms.deliver(self.addr, mail(
            "inwoner@example.nl", self.addr, "Re: Vraag over mijn paspoort",
            "Dank u, ik kom morgen.", m2,
            "In-Reply-To: <%s>\r\nReferences: <%s> <%s>\r\n" %
            (ours, m1, ours)))
        _, conv2 = self.contact(m2)
        self.assertEqual(conv2, conv)
        # The agent's second reply carries the longer References list.
        out2 = self.reply(conv, "Tot morgen, wij zijn open vanaf 9 uur.")
        got = self.ms.wait_for_mail("inwoner", 2, timeout=20)
        ans2 = got[-1]
        self.assertEqual(ans2["In-Reply-To"], "<%s>" % m2)
        refs = ans2["References"].split()
        self.assertIn("<%s>" % m1, refs)
        self.assertIn("<%s>" % m2, refs)
        wait_until(lambda: self.delivery(out2["id"]) == "sent", 10,
                   what="second reply sent")
        # Someone else names her messages (even the real token): new
        # conversations, hers stays hers.
        m3 = "vals-%s@example.nl" % uuid.uuid4()
        self.ms.deliver(self.addr, mail(
            "ander@example.nl", self.addr, "Re: Vraag over mijn paspoort",
            "Stuur het paspoort maar naar mij.", m3,
            "In-Reply-To: <%s>\r\nReferences: <%s> <%s>\r\n" %
            (m1, m1, ours)))
        _, conv3 = self.contact(m3)
        self.assertNotEqual(conv3, conv)
        # A made-up token from her own address does not attach either.
        forged = ours[:-len("@example.nl") - 6] + "abcdef@example.nl"
        m4 = "namaak-%s@example.nl" % uuid.uuid4()
        self.ms.deliver(self.addr, mail(
            "inwoner@example.nl", self.addr, "Re: iets", "tekst", m4,
            "In-Reply-To: <%s>\r\n" % forged))
        _, conv4 = self.contact(m4)
        self.assertNotEqual(conv4, conv)
        # A known, verified address with a new subject, its From: proven
        # by the trusted server (DMARC): a new conversation in that
        # resident's history.
        party = c["party"]["id"]
        db_write(self.srv.data, [(
            "UPDATE digital_addresses SET verified_on = '2026-11-28'"
            " WHERE party_id = ? AND address_key = 'inwoner@example.nl'",
            (party,))])
        m5 = "nieuw-%s@example.nl" % uuid.uuid4()
        self.ms.deliver(self.addr, mail(
            "inwoner@example.nl", self.addr, "Afvalpas kwijt", "Help.", m5,
            "Authentication-Results: mx.zuidbroek.test;\r\n"
            "  spf=pass smtp.mailfrom=inwoner@example.nl;\r\n"
            "  dkim=pass header.d=example.nl; dmarc=pass"
            " header.from=example.nl\r\n"))
        _, conv5 = self.contact(m5)
        self.assertNotEqual(conv5, conv)
        self.assertEqual(self.conversation(conv5)["party"]["id"], party)
        # Her address in a From: nobody proved (no Authentication-Results,
        # another server's, a failed DMARC, a signature of another
        # domain): the sender's word only, never her history.
        forged = [
            "",
            "Authentication-Results: mx.elders.test; dmarc=pass\r\n",
            "Authentication-Results: mx.zuidbroek.test; dmarc=fail\r\n",
            "Authentication-Results: mx.zuidbroek.test; dkim=pass"
            " header.d=oplichter.example\r\n",
        ]
        for i, extra in enumerate(forged):
            m6 = "vervalst-%d-%s@example.nl" % (i, uuid.uuid4())
            self.ms.deliver(self.addr, mail(
                "Inge Inwoner <inwoner@example.nl>", self.addr,
                "Nieuw IBAN", "Maak het geld voortaan over naar NL00.", m6,
                extra))
            _, conv6 = self.contact(m6)
            c6 = self.conversation(conv6)
            self.assertNotEqual(c6["party"]["id"], party, extra)
            self.assertEqual(db_query(
                self.srv.data, "SELECT verified_on FROM digital_addresses"
                " WHERE party_id = ?", (c6["party"]["id"],)), [(None,)])
        # Every mail was taken in exactly once, and flagged on the server.
        time.sleep(1.5)
        self.assertEqual(self.ingested(), 5 + len(forged))

    def test_3_noise_and_bounce(self):
        self.setup_loket("v2")
        noise = [
            ("Auto-Submitted: auto-replied\r\n", "Afwezig"),
            ("X-Autoreply: yes\r\n", "Out of office"),
            ("Precedence: bulk\r\n", "Nieuwsbrief"),
            ("Auto-Submitted: auto-generated\r\n", "Ontvangstbevestiging"),
        ]
        for extra, subject in noise:
            self.ms.deliver(self.addr, mail(
                "bewoner@example.nl", self.addr, subject, "automatisch",
                "ruis-%s@example.nl" % uuid.uuid4(), extra))
        # A mail that is no noise, to know the noise has been looked at.
        m1 = "echt-%s@example.nl" % uuid.uuid4()
        self.ms.deliver(self.addr, mail(
            "Klaas <klaas.weg@example.nl>", self.addr, "Echte vraag",
            "Mijn adres klopt niet.", m1))
        _, conv = self.contact(m1)
        wait_until(lambda: 'outcome="ignored"} 4' in self.srv.get(
            "/metrics").text, 20, what="four noise mails ignored")
        self.assertEqual(self.ingested(), 1)
        # Nothing was sent to the auto-replier.
        time.sleep(1)
        self.assertEqual(self.ms.count("bewoner"), 0)
        # The reply to klaas.weg (no such mailbox) bounces: the DSN comes
        # back to the mailbox and marks the reply failed.
        out = self.reply(conv, "Beste Klaas, wat is uw nieuwe adres?")
        wait_until(lambda: self.delivery(out["id"]) == "failed", 40,
                   what="the bounce marks the reply failed")
        msg = [m for m in self.conversation(conv)["messages"]
               if m["id"] == out["id"]][0]
        self.assertEqual(msg["delivery"], "failed")
        self.assertEqual(self.ingested(), 1)
        self.assertIn('outcome="bounce"} 1', self.srv.get("/metrics").text)
        # It came back to the signed return path (VERP), not the mailbox.
        dsn = [m for m in self.ms.messages(self.box)
               if "+lkb-" in str(m.get("Delivered-To", ""))]
        self.assertEqual(len(dsn), 1, [m["Delivered-To"] for m in
                                       self.ms.messages(self.box)])

        # Someone who knows the Message-ID of a sent reply (it is in every
        # answer and forward) writes a "bounce" for it: to the mailbox
        # itself, or to a bounce address with a made-up token.  Neither
        # marks anything.
        m2 = "echt2-%s@example.nl" % uuid.uuid4()
        self.ms.deliver(self.addr, mail(
            "Bea <bewoner@example.nl>", self.addr, "Vraag", "Hoe?", m2))
        _, conv2 = self.contact(m2)
        out2 = self.reply(conv2, "Zo.")
        sent = self.ms.wait_for_mail("bewoner", 1)[-1]
        wait_until(lambda: self.delivery(out2["id"]) == "sent", 20,
                   what="the second reply sent")
        local, domain = self.addr.split("@")
        ignored = self.metric("loket_mail_in_total", outcome="ignored")
        fake = local + "+lkb-" + "a" * 39 + "@" + domain
        for to in (self.addr, fake):
            self.ms.deliver(to, (
                "From: MAILER-DAEMON@example.nl\r\nTo: %s\r\n"
                "Subject: Undelivered Mail\r\nMessage-ID: <%s>\r\n"
                "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
                "Content-Type: multipart/report; report-type=delivery-status;"
                " boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\n"
                "failed\r\n--B\r\nContent-Type: message/delivery-status\r\n"
                "\r\nReporting-MTA: dns; x\r\n\r\nFinal-Recipient: rfc822;"
                " bewoner@example.nl\r\nAction: failed\r\nStatus: 5.1.1\r\n"
                "\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
                "Message-ID: %s\r\n\r\n--B--\r\n" % (
                    to, uuid.uuid4(), sent["Message-ID"])).encode(),
                mail_from="")
        wait_until(lambda: self.metric("loket_mail_in_total",
                                       outcome="ignored") >= ignored + 2,
                   20, what="two forged bounces looked at")
        self.assertEqual(self.delivery(out2["id"]), "sent")
        self.assertIn('outcome="bounce"} 1', self.srv.get("/metrics").text)

    def test_4_attachments_and_charsets(self):
        self.setup_loket("v3")
        m1 = "bijlage-%s@example.nl" % uuid.uuid4()
        raw = (
            "From: =?iso-8859-1?q?Ren=E9_M=FCller?= <klant@example.nl>\r\n"
            "To: %s\r\nSubject: =?iso-8859-1?q?Caf=E9_op_de_st=F8ep?=\r\n"
            "Message-ID: <%s>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
            "--b1\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
            "Geachte heer, het caf=E9 is d=E1=E1r. Co=F6peratie=\r\n"
            " =80 12,50\r\n"
            "--b1\r\nContent-Type: image/png\r\n"
            "Content-Disposition: attachment; filename=\"foto.png\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n"
            "--b1\r\nContent-Type: application/x-msdownload\r\n"
            "Content-Disposition: attachment; filename=\"virus.exe\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n"
            "--b1--\r\n" % (self.addr, m1,
                             __import__("base64").b64encode(PNG).decode()))
        # windows-1252 (the euro sign is 0x80 there, not in iso-8859-1):
        # an HTML-only mail, turned into text.
        m2 = "html-%s@example.nl" % uuid.uuid4()
        html = ("From: klant@example.nl\r\nTo: %s\r\nSubject: Brief\r\n"
                "Message-ID: <%s>\r\nMIME-Version: 1.0\r\n"
                "Content-Type: text/html; charset=windows-1252\r\n"
                "Content-Transfer-Encoding: 8bit\r\n\r\n" %
                (self.addr, m2)).encode() + (
            "<html><head><style>p{x}</style><script>alert(1)</script></head>"
            "<body><p>Prijs: \u20ac 5 &amp; co&#246;rdinatie</p>"
            "<p>Tweede&nbsp;regel</p></body></html>\r\n").encode("cp1252")
        self.ms.deliver(self.addr, raw.encode("ascii"))
        self.ms.deliver(self.addr, html)
        c1, conv1 = self.contact(m1)
        c = self.conversation(conv1)
        self.assertEqual(c["subject"], "Café op de støep")
        text = c["messages"][0]["content"]
        # Labelled iso-8859-1, decoded as windows-1252 (WHATWG): 0x80 is
        # the euro sign the sender meant.
        self.assertIn("het café is dáár. Coöperatie € 12,50",
                      " ".join(text.split()))
        self.assertIn("1 bijlage niet opgeslagen", text)
        atts = c["messages"][0]["attachments"]
        self.assertEqual([a["filename"] for a in atts], ["foto.png"])
        self.assertEqual(atts[0]["mediaType"], "image/png")
        r = self.srv.get("/api/v1/attachments/%s/content" % atts[0]["id"],
                         token=self.admin)
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(hashlib.sha256(r.body).hexdigest(),
                         hashlib.sha256(PNG).hexdigest())
        party = db_query(self.srv.data, "SELECT p.display_name FROM"
                         " conversations c JOIN parties p ON p.id ="
                         " c.party_id WHERE c.id = ?", (conv1,))[0][0]
        self.assertEqual(party, "René Müller")
        _, conv2 = self.contact(m2)
        t2 = self.conversation(conv2)["messages"][0]["content"]
        self.assertIn("Prijs: € 5 & coördinatie", t2)
        self.assertIn("Tweede\u00a0regel", t2)
        self.assertNotIn("alert", t2)
        self.assertNotIn("<p>", t2)
        # An agent's reply with a Dutch subject and an attachment.
        r = self.srv.request(
            "POST", "/api/v1/attachments?filename=antwoord.png",
            body=PNG, headers={"Content-Type": "image/png"},
            token=self.admin)
        self.assertEqual(r.status, 201, r.text)
        att = r.json()["id"]
        r = self.srv.post_json(
            "/api/v1/conversations/%s/messages" % conv1,
            {"direction": "outbound", "content": "Zie bijlage, René.",
             "attachmentIds": [att]}, token=self.admin)
        self.assertEqual(r.status, 201, r.text)
        got = self.ms.wait_for_mail("klant", 1, timeout=20)[-1]
        self.assertEqual(str(got["Subject"]), "Re: Café op de støep [%s]"
                         % c["reference"])
        files = [p for p in got.iter_attachments()]
        self.assertEqual(files[0].get_filename(), "antwoord.png")
        self.assertEqual(files[0].get_content(), PNG)
        self.assertIn("René", got.get_body(("plain",)).get_content())

    def test_8_oversized_mail_becomes_a_note(self):
        """A mail over --mail-max-kib is not fetched whole (the transfer
        is cut off): it becomes a conversation saying so, gets the
        keyword, and the mails after it still come in."""
        self.setup_loket("v8", extra_args=["--mail-max-kib", "64"])
        big = "big-%s@example.nl" % uuid.uuid4()
        small = "small-%s@example.nl" % uuid.uuid4()
        blob = __import__("base64").encodebytes(os.urandom(300 * 1024))
        raw = (("From: Anna <anna@example.nl>\r\nTo: %s\r\n"
                "Subject: Grote scan\r\nMessage-ID: <%s>\r\n"
                "MIME-Version: 1.0\r\n"
                "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
                "--b\r\nContent-Type: text/plain\r\n\r\nZie scan.\r\n"
                "--b\r\nContent-Type: application/pdf\r\n"
                "Content-Disposition: attachment; filename=\"scan.pdf\"\r\n"
                "Content-Transfer-Encoding: base64\r\n\r\n" %
                (self.addr, big)).encode() +
               blob.replace(b"\n", b"\r\n") + b"--b--\r\n")
        self.assertGreater(len(raw), 64 * 1024)
        self.ms.put(self.box, [raw, mail("anna@example.nl", self.addr,
                                         "Daarna", "nog een", small)])
        _, conv = self.contact(big)
        c = self.conversation(conv)
        self.assertEqual(c["subject"], "Grote scan")
        text = c["messages"][0]["content"]
        self.assertIn("te groot", text)
        self.assertNotIn("Zie scan", text)
        self.assertEqual(c["messages"][0]["attachments"], [])
        self.contact(small)
        # Both carry the keyword: nothing is fetched again.
        time.sleep(2.5)
        self.assertEqual(self.ingested(), 2)
        self.assertEqual(db_query(self.srv.data, "SELECT count(*) FROM"
                                  " conversations")[0][0], 2)

    def test_6_smtp_down_reply_fails_after_retries(self):
        self.setup_loket("v5", extra_args=["--outbox-attempts", "2",
                                           "--outbox-backoff-ms", "200"])
        m1 = "down-%s@example.nl" % uuid.uuid4()
        self.ms.deliver(self.addr, mail("klant@example.nl", self.addr,
                                        "Vraag", "tekst", m1))
        _, conv = self.contact(m1)
        self.ms.stop_smtp()
        try:
            out = self.reply(conv, "Antwoord dat niet weg kan.")
            wait_until(lambda: self.delivery(out["id"]) == "failed", 30,
                       what="delivery failed after the last retry")
            # The message's delivery is marked in the send; the outbox row
            # records its own outcome in the write right after.
            q = ("SELECT state, attempts FROM outbox WHERE kind = 'mailbox'")
            wait_until(lambda: db_query(self.srv.data, q) == [("failed", 2)],
                       10, what="the outbox row failed after 2 attempts")
        finally:
            self.ms.start_smtp()

    def test_7_agent_opens_by_mail(self):
        """An e-mail conversation an agent opens goes out through the
        team's mailbox, with text and HTML, and the answer comes back."""
        self.setup_loket("v7")
        r = self.srv.post_json("/api/v1/conversations", {
            "channel": "email", "subject": "Uw aanvraag", "teamId": self.team,
            "content": "Telefoonnotitie: mevrouw wil het per mail.",
            "from": {"name": "Anna de Vries",
                     "email": self.ms.address("anna")}}, token=self.admin)
        self.assertEqual(r.status, 201, r.text)
        conv = r.json()["id"]
        out = self.reply(conv, "Beste mevrouw De Vries,\n\n<b>niet vet</b> "
                         "& één regel.")
        got = self.ms.wait_for_mail("anna", 1, timeout=20)[-1]
        html = got.get_body(("html",)).get_content()
        self.assertIn("&lt;b&gt;niet vet&lt;/b&gt; &amp; één regel.", html)
        self.assertIn("<b>niet vet</b> & één regel.",
                      got.get_body(("plain",)).get_content())
        self.assertIsNone(got["In-Reply-To"])
        wait_until(lambda: self.delivery(out["id"]) == "sent", 10,
                   what="delivery sent")
        m2 = "anna-%s@example.nl" % uuid.uuid4()
        self.ms.deliver(self.addr, mail(
            self.ms.address("anna"), self.addr, "Re: Uw aanvraag", "Graag.",
            m2, "In-Reply-To: %s\r\n" % got["Message-ID"]))
        _, conv2 = self.contact(m2)
        self.assertEqual(conv2, conv)

    def test_5_kill_during_1000(self):
        N = 1000
        self.setup_loket("v4")
        data = self.srv.data
        ids = ["bulk-%04d-%s@example.nl" % (i, uuid.uuid4()) for i in
               range(N)]
        self.ms.put(self.box, [mail("bewoner@example.nl", self.addr,
                                    "Melding %d" % i, "Losse stoeptegel %d"
                                    % i, mid) for i, mid in enumerate(ids)])
        wait_until(lambda: self.ingested() >= 100, 60, interval=0.005,
                   what="some mails in")
        self.srv.kill()
        before = db_query(data, "SELECT count(*) FROM contacts")[0][0]
        self.assertLess(before, N * 2, "killed too late to mean anything")
        srv2 = Server(data)
        self.addCleanup(srv2.cleanup)
        srv2.start()
        self.srv = srv2
        wait_until(lambda: self.ingested() == N, 120, interval=0.2,
                   what="all %d mails after the restart" % N)
        time.sleep(2.5)  # two more polls: nothing more comes in
        self.assertEqual(self.ingested(), N)
        rows = db_query(data, "SELECT count(DISTINCT external_id),"
                        " count(DISTINCT conversation_id) FROM contacts"
                        " WHERE channel = 'email'")
        self.assertEqual(rows[0], (N, N))


    def test_9_flags_only_after_commit_and_temporary_errors(self):
        # Two mails wait in the mailbox; a person has read A already.
        a = "gelezen-%s@example.nl" % uuid.uuid4()
        b = "bijlage-%s@example.nl" % uuid.uuid4()
        self.ms.deliver("w1", mail("Anna <anna@example.nl>",
                                   self.ms.address("w1"), "Gelezen",
                                   "Al gelezen door een collega.", a))
        self.ms.deliver("w1", (
            "From: Anna <anna@example.nl>\r\nTo: %s\r\n"
            "Subject: Foto\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=XX\r\n\r\n"
            "--XX\r\nContent-Type: text/plain\r\n\r\nZie de foto.\r\n"
            "--XX\r\nContent-Type: image/png; name=f.png\r\n"
            "Content-Disposition: attachment; filename=f.png\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--XX--\r\n"
            % (self.ms.address("w1"), b,
               __import__("base64").b64encode(PNG).decode())).encode())
        wait_until(lambda: self.ms.count("w1") == 2, 15, what="2 mails")
        imap = self.imap("w1")
        typ, data = imap.search(None, "HEADER", "Message-ID", a)
        imap.store(data[0], "+FLAGS", "\\Seen")
        imap.logout()
        self.assertEqual(self.flags("w1"), {a: {"\\Seen"}, b: set()})

        # The disk under the attachments fails (a file where the blobs
        # directory belongs): B must wait, unmarked, not become unreadable.
        self.setup_loket("w1", enabled=False)
        blobs = os.path.join(self.srv.data, "blobs")
        if os.path.isdir(blobs):
            os.rename(blobs, blobs + ".weg")
        with open(blobs, "w") as f:
            f.write("geen map\n")
        self.patch_mailbox({"enabled": True})
        self.contact(a)
        wait_until(lambda: self.metric("loket_mail_deferred_total") >= 2, 20,
                   what="B deferred twice (backoff, retry)")
        self.assertEqual(self.inbound(b), [])
        fl = self.flags("w1")
        # A, read by a person, is taken in all the same and marked only
        # now; B was fetched (PEEK) twice and is still unread, unmarked.
        self.assertEqual(fl[a], {"\\Seen", "$LoketIngested"})
        self.assertEqual(fl[b], set())
        m = self.srv.metrics()
        self.assertGreaterEqual(metric(m, "loket_mail_in_total",
                                       outcome="created"), 1)
        self.assertEqual(metric(m, "loket_mail_in_total",
                                outcome="unreadable"), 0)

        # The disk is back: B comes in once, with its attachment.
        os.unlink(blobs)
        if os.path.isdir(blobs + ".weg"):
            os.rename(blobs + ".weg", blobs)
        cid, conv = self.contact(b, timeout=30)
        msg = [x for x in self.conversation(conv)["messages"]
               if x["id"] == cid][0]
        self.assertEqual(len(msg["attachments"]), 1, msg)
        wait_until(lambda: self.flags("w1")[b] == {"\\Seen",
                                                   "$LoketIngested"},
                   10, what="B marked after its commit")
        self.assertEqual(self.ingested(), 2)

    def test_10_unparseable_mail_becomes_a_note(self):
        # Bytes GMime cannot make a message of: permanent, so a note.
        self.setup_loket("w2")
        self.ms.put("w2", [b""])
        wait_until(lambda: self.metric("loket_mail_in_total",
                                       outcome="unreadable") == 1, 20,
                   what="the unreadable note")
        rows = db_query(self.srv.data, "SELECT content FROM contacts"
                        " WHERE channel = 'email' AND kind = 'inbound'")
        self.assertEqual(len(rows), 1)
        self.assertIn("niet lezen", rows[0][0])

    def test_11_one_mail_to_two_team_mailboxes(self):
        self.setup_loket("w4")
        first = self.mailbox
        r = self.srv.post_json("/api/v1/teams", {"name": "Belastingen",
                                                 "active": True},
                               token=self.admin)
        self.assertEqual(r.status, 201, r.text)
        team2 = r.json()["id"]
        body = dict((k, v) for k, v in first.items() if k in (
            "imapHost", "imapPort", "imapTls", "imapPasswordFile",
            "smtpHost", "smtpPort", "smtpTls", "smtpPasswordFile",
            "pollSeconds"))
        a2 = self.ms.address("w5")
        r = self.srv.post_json("/api/v1/mailboxes", dict(
            body, teamId=team2, address=a2, imapUser=a2, smtpUser=a2,
            fromName="Belastingen"), token=self.admin)
        self.assertEqual(r.status, 201, r.text)
        # One mail to both team addresses: two deliveries, one Message-ID.
        mid = "twee-teams-%s@example.nl" % uuid.uuid4()
        raw = mail("Bram <%s>" % self.ms.address("bram"),
                   "%s, %s" % (self.addr, a2), "Aanslag en adres",
                   "Voor beide afdelingen.", mid)
        with smtplib.SMTP("127.0.0.1", self.ms.smtp_port, timeout=10) as s:
            s.sendmail(self.ms.address("bram"), [self.addr, a2], raw)
        # And a second copy of it in the first mailbox (fetched twice).
        self.ms.put("w4", [raw])
        wait_until(lambda: len(self.inbound(mid)) == 2, 20,
                   what="the mail in both mailboxes")
        time.sleep(2.5)  # more polls: the second copy adds nothing
        rows = self.inbound(mid)
        self.assertEqual(len(rows), 2, rows)
        self.assertEqual(self.ingested(), 2)
        teams = {self.conversation(conv)["teamId"] for _, conv in rows}
        self.assertEqual(teams, {self.team, team2})
        self.assertGreaterEqual(self.metric("loket_mail_in_total",
                                            outcome="duplicate"), 1)
        # The second team's reply threads under the resident's mail too.
        conv2 = [conv for _, conv in rows
                 if self.conversation(conv)["teamId"] == team2][0]
        self.reply(conv2, "Wij kijken naar uw aanslag.")
        got = self.ms.wait_for_mail("bram", 1)
        self.assertEqual(got[-1]["In-Reply-To"].strip(), "<%s>" % mid)
        self.assertEqual(got[-1]["From"].addresses[0].addr_spec, a2)

    def test_12_idle_brings_mail_in_at_once(self):
        # Polling only once an hour: what comes in quickly came by IDLE.
        self.setup_loket("w3", pollSeconds=3600)
        wait_until(lambda: self.metric("loket_mail_poll_errors_total") == 0
                   and "loket_mail_idle_wakeups_total" in
                   self.srv.get("/metrics").text, 10, what="metrics")
        time.sleep(1.5)  # the first pass is done, the watcher in IDLE
        for i in range(2):
            mid = "idle-%d-%s@example.nl" % (i, uuid.uuid4())
            t0 = time.monotonic()
            self.ms.deliver(self.addr, mail(
                "Anna <anna@example.nl>", self.addr, "Snel %d" % i,
                "Komt dit meteen binnen?", mid))
            self.contact(mid, timeout=10)
            took = time.monotonic() - t0
            print("IDLE: mail %d in after %.2f s" % (i, took))
            self.assertLess(took, 2.5)
        self.assertGreaterEqual(
            self.metric("loket_mail_idle_wakeups_total"), 2)
        # The server ends the sessions: the watcher reconnects (1 s
        # backoff) and the next mail comes in without waiting an hour.
        self.ms.kick(self.box)
        wait_until(lambda: "mail: mailbox not watched" in
                   self.srv.log_text(), 10, what="the watcher's loss")
        mid = "na-herstart-%s@example.nl" % uuid.uuid4()
        self.ms.deliver(self.addr, mail(
            "Anna <anna@example.nl>", self.addr, "Na herstart",
            "En nu?", mid))
        self.contact(mid, timeout=15)
        self.assertEqual(self.ingested(), 3)
        # No credential in what Loket logged about it.
        log = self.srv.log_text()
        self.assertIn("mail: mailbox not watched", log)
        self.assertNotIn(mailserver.PASSWORD, log)

    def test_13_more_than_64_mailboxes(self):
        # 65 enabled mailboxes whose server is not there (a closed port),
        # then a real one: the 66th in the list is read like the first.
        dead = mailserver.free_port()
        self.setup_loket("w7", imapPort=dead)
        body = dict((k, v) for k, v in self.mailbox.items() if k in (
            "teamId", "imapHost", "imapPort", "imapTls", "imapPasswordFile",
            "smtpHost", "smtpPort", "smtpTls", "smtpPasswordFile",
            "pollSeconds"))
        for i in range(64):
            a = "dood%d@example.nl" % i
            r = self.srv.post_json("/api/v1/mailboxes", dict(
                body, address=a, imapUser=a, smtpUser=a), token=self.admin)
            self.assertEqual(r.status, 201, r.text)
        real = self.ms.address("w6")
        # Ids are UUIDv7: a later millisecond puts this one last in id
        # order (two ids of one millisecond are ordered at random).
        time.sleep(0.01)
        r = self.srv.post_json("/api/v1/mailboxes", dict(
            body, address=real, imapUser=real, smtpUser=real,
            imapPort=self.ms.imap_port), token=self.admin)
        self.assertEqual(r.status, 201, r.text)
        r = self.srv.get("/api/v1/mailboxes?limit=100", token=self.admin)
        self.assertEqual(r.status, 200, r.text)
        items = r.json()["items"]
        self.assertEqual(len(items), 66)
        self.assertEqual(items[-1]["address"], real)  # last in id order
        mid = "zesenzestig-%s@example.nl" % uuid.uuid4()
        self.ms.deliver(real, mail("Anna <anna@example.nl>", real,
                                   "Nummer 66", "Ook ik word gelezen.", mid))
        self.contact(mid, timeout=20)

    def test_14_server_without_idle_is_polled(self):
        # A second Dovecot whose CAPABILITY lacks IDLE: no watcher, the
        # mailbox is polled (every second here) and the mail comes in.
        ms2 = mailserver.MailServer(
            users=["zonder"], imap_capability="IMAP4rev1 SASL-IR "
            "LOGIN-REFERRALS ID ENABLE LITERAL+ UIDPLUS").start()
        self.addCleanup(ms2.stop)
        own = self.ms
        self.ms = ms2
        try:
            self.setup_loket("zonder")
            wait_until(lambda: "the server offers no IDLE; polling" in
                       self.srv.log_text(), 15, what="the fall-back logged")
            mid = "zonder-idle-%s@example.nl" % uuid.uuid4()
            ms2.deliver(self.addr, mail("Anna <anna@example.nl>", self.addr,
                                        "Gepold", "Zonder IDLE.", mid))
            self.contact(mid, timeout=15)
            self.assertEqual(self.metric("loket_mail_idle_wakeups_total"),
                             0)
        finally:
            self.ms = own


if __name__ == "__main__":
    main()
