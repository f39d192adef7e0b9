"""The real Postfix + Dovecot of tests/integration/mailserver.py for the
browser tests, driven over stdin/stdout with one JSON object a line.

    python3 tests/browser/mailbox.py jan piet      (users @example.nl)

First line out: {"smtp_port": N, "imap_port": N} once both listen, or
{"skip": "why"} when the mail server is not installed (or not root), or
{"error": "..."}.  Then, per request line in, one line out:

    {"wait": "jan", "n": 2, "timeout": 15}
      -> {"messages": [{"headers": [[name, value], ...],
                        "text": "...", "html": "..."}, ...]}  (oldest first)
      or {"error": "..."}

End of input (the test finished or died) stops both servers and exits,
so no Postfix or Dovecot outlives the test.
"""

import json
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
import mailserver  # noqa: E402


def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def part(msg, subtype):
    for p in msg.walk():
        if p.get_content_type() == "text/" + subtype:
            return p.get_content()
    return None


def plain(msg):
    return {"headers": [[k, str(v)] for k, v in msg.items()],
            "text": part(msg, "plain"), "html": part(msg, "html")}


def main():
    why = mailserver.missing()
    if why:
        out({"skip": why})
        return 0
    ms = mailserver.MailServer(users=sys.argv[1:] or ["inwoner"])
    # SIGTERM (ctest's time-out) must also take the daemons down.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        ms.start()
    except AssertionError as e:
        out({"error": str(e)})
        return 1
    try:
        out({"smtp_port": ms.smtp_port, "imap_port": ms.imap_port})
        for line in sys.stdin:
            try:
                req = json.loads(line)
                msgs = ms.wait_for_mail(req["wait"], int(req["n"]),
                                        float(req.get("timeout", 15)))
                out({"messages": [plain(m) for m in msgs]})
            except (AssertionError, OSError, ValueError, KeyError) as e:
                out({"error": str(e)})
    finally:
        ms.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
