#!/usr/bin/env python3
"""Ingest of N queued mails (default 10,000) by the e-mail channel, beside
a plain IMAP fetch of the same messages from the same Dovecot in the same
run (tests/integration/mailserver.py: real Postfix and Dovecot on
loopback; root).

  1. N mails are put in one mailbox's Maildir (as a delivery agent
     would), each with its own Message-ID, some with an attachment;
  2. imaplib logs in, SELECTs (read-only: nothing is flagged), UID
     SEARCHes and UID FETCHes BODY.PEEK[] of all of them, 500 per command,
     and again one per command (as libcurl does): what Dovecot itself
     can serve;
  3. Loket starts with a mailbox on that folder; the clock runs from the
     start until N conversations exist; a last check that every message
     carries the $LoketIngested keyword.

    LOKET_BIN=build/release/loket python3 bench/mail_ingest.py [N]

Figures in docs/benchmarks.md (section 7) and docs/mail.md."""

import base64
import imaplib
import os
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import loketlib  # noqa: E402
import mailserver  # noqa: E402

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44"
    "ae426082")


def message(i, to):
    mid = "bench-%d-%s@example.nl" % (i, uuid.uuid4())
    head = ("From: Bewoner %d <bewoner%d@example.nl>\r\nTo: %s\r\n"
            "Subject: Melding openbare ruimte %d\r\nMessage-ID: <%s>\r\n"
            "Date: Sat, 28 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n"
            % (i, i, to, i, mid))
    text = ("Geachte heer/mevrouw,\r\n\r\nDe stoeptegel voor huisnummer %d "
            "ligt los. Graag een reparatie.\r\n\r\nMet vriendelijke groet"
            "\r\n" % i)
    if i % 10:
        return (head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" +
                text).encode()
    return (head + "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
            "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text +
            "--b\r\nContent-Type: image/png\r\nContent-Disposition: "
            "attachment; filename=\"foto.png\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n" +
            base64.b64encode(PNG).decode() + "\r\n--b--\r\n").encode()


def imap_fetch_one_by_one(ms, user):
    """One UID FETCH per message, as Loket's libcurl client does."""
    t0 = time.monotonic()
    imap = imaplib.IMAP4("127.0.0.1", ms.imap_port)
    imap.login(ms.address(user), mailserver.PASSWORD)
    imap.select("INBOX", readonly=True)
    typ, data = imap.uid("SEARCH", None, "ALL")
    n = 0
    for uid in data[0].split():
        typ, d = imap.uid("FETCH", uid, "(BODY.PEEK[])")
        n += sum(1 for x in d if isinstance(x, tuple))
    imap.logout()
    return n, time.monotonic() - t0


def imap_fetch_all(ms, user):
    t0 = time.monotonic()
    imap = imaplib.IMAP4("127.0.0.1", ms.imap_port)
    imap.login(ms.address(user), mailserver.PASSWORD)
    imap.select("INBOX", readonly=True)
    typ, data = imap.uid("SEARCH", None, "ALL")
    uids = data[0].split()
    n = 0
    for k in range(0, len(uids), 500):
        typ, data = imap.uid("FETCH", b",".join(uids[k:k + 500]),
                             "(BODY.PEEK[])")
        n += sum(1 for x in data if isinstance(x, tuple))
    imap.logout()
    return n, time.monotonic() - t0


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    mailserver.skip_unless_available()
    work = tempfile.mkdtemp(prefix="loket-mailbench-")
    data = os.path.join(work, "data")
    with mailserver.MailServer(users=["vragen"]) as ms:
        to = ms.address("vragen")
        t0 = time.monotonic()
        ms.put("vragen", [message(i, to) for i in range(n)])
        print("queued %d mails in the Maildir in %.1f s" %
              (n, time.monotonic() - t0))
        got, dt = imap_fetch_all(ms, "vragen")
        assert got == n, (got, n)
        print("imaplib UID FETCH BODY.PEEK[] of %d, 500 per command: "
              "%.2f s = %.0f msg/s" % (got, dt, got / dt))
        got1, dt1 = imap_fetch_one_by_one(ms, "vragen")
        assert got1 == n, (got1, n)
        print("imaplib UID FETCH BODY.PEEK[] of %d, one per command: "
              "%.2f s = %.0f msg/s" % (got1, dt1, got1 / dt1))

        srv = loketlib.Server(data, log_level="warn").start()
        try:
            _, admin = loketlib.create_token(data, "bench", "api admin")
            pw = os.path.join(work, "pw")
            with open(pw, "w") as f:
                f.write(mailserver.PASSWORD + "\n")
            os.chmod(pw, 0o600)  # a password file others can read is refused
            r = srv.post_json("/api/v1/teams", {"name": "Post",
                                                "active": True},
                              token=admin)
            team = r.json()["id"]
            t0 = time.monotonic()
            r = srv.post_json("/api/v1/mailboxes", {
                "teamId": team, "address": to, "imapHost": "127.0.0.1",
                "imapPort": ms.imap_port, "imapTls": "none", "imapUser": to,
                "imapPasswordFile": pw, "smtpHost": "127.0.0.1",
                "smtpPort": ms.submission_port, "smtpTls": "none",
                "pollSeconds": 1}, token=admin)
            assert r.status == 201, r
            count = 0
            while count < n:
                time.sleep(0.05)
                count = loketlib.db_query(
                    data, "SELECT count(*) FROM conversations")[0][0]
            dt2 = time.monotonic() - t0
            print("Loket ingest of %d into conversations: %.2f s = %.0f "
                  "msg/s (%.1fx the batched, %.1fx the one-by-one IMAP "
                  "fetch time)" % (n, dt2, n / dt2, dt2 / dt, dt2 / dt1))
            atts = loketlib.db_query(data, "SELECT count(*) FROM"
                                     " attachments")[0][0]
            print("attachments stored: %d" % atts)
            # Every message flagged once its write committed.
            time.sleep(1.5)
            imap = imaplib.IMAP4("127.0.0.1", ms.imap_port)
            imap.login(to, mailserver.PASSWORD)
            imap.select("INBOX", readonly=True)
            typ, d = imap.uid("SEARCH", None, "UNKEYWORD", "$LoketIngested")
            left = len(d[0].split())
            imap.logout()
            print("left without $LoketIngested: %d" % left)
            m = srv.metrics()
            print("metrics: created=%s duplicates=%s" % (
                loketlib.metric(m, "loket_mail_in_total", outcome="created"),
                loketlib.metric(m, "loket_mail_in_total",
                                outcome="duplicate")))
        finally:
            srv.stop()


if __name__ == "__main__":
    main()
