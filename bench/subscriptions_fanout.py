#!/usr/bin/env python3
"""Fan-out of one notice to N confirmed subscribers (default 10,000):
how long the publishing write takes when it queues one outbox row per
recipient, and how fast the outbox hands the mails to a real Postfix
(delivered by Dovecot; tests/integration/mailserver.py).

    LOKET_BIN=build/release/loket python3 bench/subscriptions_fanout.py [N]

Figures in docs/benchmarks.md and docs/subscriptions.md."""

import os
import secrets
import sqlite3
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import loketlib  # noqa: E402
import mailserver  # noqa: E402


def seed(data, n, postcode):
    p = loketlib.run_cli("migrate", data=data)
    assert p.returncode == 0, p.stderr
    now = int(time.time() * 1000)
    db = sqlite3.connect(loketlib.db_path(data))
    with db:
        db.executemany(
            "INSERT INTO subscriptions (id, email, address_key, postcode, pc4,"
            " state, unsubscribe_digest, created_at, confirmed_at)"
            " VALUES (?, ?, ?, ?, ?, 'confirmed', ?, ?, ?)",
            [("00000000-0000-7000-8000-%012d" % i,
              "bulk+%d@example.nl" % i, "bulk+%d@example.nl" % i, postcode,
              postcode[:4], secrets.token_hex(32), now, now)
             for i in range(n)])
    db.close()


def publish(srv, token, title, postcodes):
    t0 = time.monotonic()
    r = srv.post_json("/api/v1/notices", {
        "kind": "storing", "title": title, "postcodes": postcodes,
        "publish": True}, token=token)
    dt = time.monotonic() - t0
    assert r.status == 201, r
    return dt


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    mailserver.skip_unless_available()
    data = tempfile.mkdtemp(prefix="loket-fanout-")
    seed(data, n, "1234")
    with mailserver.MailServer(users=["bulk"]) as ms:
        srv = loketlib.Server(data, log_level="warn", extra_args=[
            "--public-url", "https://loket.example.nl",
            "--smtp-url", "smtp://127.0.0.1:%d" % ms.smtp_port,
            "--mail-from", "Gemeente <actueel@loket.test>"]).start()
        try:
            _, token = loketlib.create_token(data, "bench", "admin")
            none = publish(srv, token, "Niemand", ["9999"])
            t0 = time.monotonic()
            all_ = publish(srv, token, "Iedereen", ["1234AB"])
            pending = lambda: loketlib.db_query(  # noqa: E731
                data, "SELECT count(*) FROM outbox WHERE kind ="
                " 'subscription-mail' AND state = 'pending'")[0][0]
            loketlib.wait_until(lambda: pending() == 0, 1200, 0.2,
                                "the outbox to send everything")
            sent = time.monotonic() - t0
            loketlib.wait_until(lambda: ms.count("bulk") >= n, 600, 0.5,
                                "Dovecot to deliver everything")
            delivered = time.monotonic() - t0
        finally:
            srv.stop()
    print("subscribers            %d" % n)
    print("publish, 0 recipients  %.1f ms" % (none * 1000))
    print("publish, %d recipients %.1f ms (queues %d outbox rows)" %
          (n, all_ * 1000, n))
    print("all handed to Postfix  %.1f s (%.0f mails/s)" % (sent, n / sent))
    print("all in the mailbox     %.1f s" % delivered)


if __name__ == "__main__":
    main()
