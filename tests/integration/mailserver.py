"""A real mail server for integration tests: Postfix and Dovecot on
loopback, configured from scratch in a short temporary directory.

    SMTP (Postfix, 127.0.0.1:smtp_port) -> LMTP unix socket -> Dovecot ->
    Maildir per virtual user; IMAP (Dovecot, 127.0.0.1:imap_port)

Everything (queue, sockets, mailboxes, logs) lives in the directory and
goes with it; nothing of the system's own Postfix or Dovecot set-up is
used or changed.  Needs root (Postfix's master runs as root and drops to
`postfix`; mailboxes belong to `nobody`).  See /work/shared/TESTING.md
for the facts this is built on (chroot off, maillog_file, the Dovecot
auth penalty, short socket paths).

    ms = MailServer(users=["inwoner", "ander"])   # @example.nl
    ms.start()
    ms.deliver("inwoner@example.nl", b"Subject: x\\r\\n\\r\\nhoi\\r\\n")
    msgs = ms.wait_for_mail("inwoner", 1, timeout=10)  # email.message
    ms.stop_smtp(); ...; ms.start_smtp()                # SMTP down and up

submission_port takes mail only after AUTH (PLAIN or LOGIN, no TLS) as
any user with PASSWORD, through Dovecot's auth socket.

"user+anything@example.nl" is delivered to user's INBOX, so a test can
use many distinct addresses with one mailbox.
    ms.stop()

Tests that need it call skip_unless_available() first: without the
binaries it prints why and exits 77, which ctest reports as skipped.
"""

import email
import email.policy
import imaplib
import os
import pwd
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import time

POSTFIX = "/usr/sbin/postfix"
DOVECOT = "/usr/sbin/dovecot"
DOVEADM = "/usr/bin/doveadm"
POSTFIX_DAEMONS = "/usr/lib/postfix/sbin"
DOVECOT_LMTP = "/usr/lib/dovecot/lmtp"
PASSWORD = "geheim-wachtwoord"

MASTER_CF = """\
{smtp_listen} inet n - n - - smtpd
{submission_listen} inet n - n - - smtpd
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_sasl_type=dovecot
  -o smtpd_sasl_path={auth_socket}
  -o smtpd_tls_auth_only=no
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def missing():
    """What the mail server needs and this machine lacks, or None."""
    need = [POSTFIX, DOVECOT, DOVEADM, POSTFIX_DAEMONS, DOVECOT_LMTP]
    absent = [p for p in need if not os.path.exists(p)]
    if absent:
        return ("not installed: %s (scripts/setup.sh test installs postfix, "
                "dovecot-core, dovecot-imapd, dovecot-lmtpd)" %
                ", ".join(absent))
    if os.geteuid() != 0:
        return "Postfix and Dovecot need root to start"
    return None


def skip_unless_available():
    why = missing()
    if why:
        print("SKIP: no mail server for this test: " + why)
        sys.exit(77)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(pid):
    """True if `pid` runs (a zombie of PID 1 is not running: TESTING.md)."""
    try:
        os.readlink("/proc/%d/exe" % pid)
        return True
    except OSError:
        return False


class MailServer:
    def __init__(self, users=("inwoner",), domain="example.nl",
                 imap_capability=None):
        """imap_capability: what Dovecot lists after login instead of its
        own CAPABILITY (e.g. one without IDLE)."""
        self.domain = domain
        self.imap_capability = imap_capability
        self.users = list(users)
        self.dir = None
        self.smtp_port = None
        self.submission_port = None  # SMTP with AUTH (user, PASSWORD)
        self.imap_port = None
        self.smtp_running = False
        self.dovecot_running = False

    # ---- life cycle -------------------------------------------------------

    def start(self, timeout=20.0):
        # Short: unix socket paths are limited to about 100 bytes.
        self.dir = tempfile.mkdtemp(prefix="lkm", dir="/tmp")
        os.chmod(self.dir, 0o755)  # postfix and dovecot need o+x
        self.smtp_port = free_port()
        self.submission_port = free_port()
        self.imap_port = free_port()
        try:
            self._write_dovecot()
            self._write_postfix()
            self._start_dovecot(timeout)
            self.start_smtp(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        if self.dir is None:
            return
        if self.smtp_running:
            self.stop_smtp()
        if self.dovecot_running:
            self._stop_dovecot()
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def address(self, user):
        return user if "@" in user else "%s@%s" % (user, self.domain)

    # ---- Dovecot ----------------------------------------------------------

    def _write_dovecot(self):
        nobody = pwd.getpwnam("nobody")
        for d in ("dovecot", "dovecot/state", "mail", "log"):
            os.makedirs(self.path(d), exist_ok=True)
        os.chown(self.path("mail"), nobody.pw_uid, nobody.pw_gid)
        with open(self.path("users"), "w") as f:
            for u in self.users:
                a = self.address(u)
                f.write("%s:{PLAIN}%s:%d:%d::%s::\n" %
                        (a, PASSWORD, nobody.pw_uid, nobody.pw_gid,
                         self.path("mail", a)))
        conf = """\
base_dir = {d}/dovecot
state_dir = {d}/dovecot/state
log_path = {d}/log/dovecot.log
info_log_path = {d}/log/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = {uid}
recipient_delimiter = +
mail_location = maildir:~/Maildir
mail_max_userip_connections = 500
default_internal_user = dovecot
default_login_user = dovenull
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {d}/users
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service lmtp {{
  unix_listener {d}/lmtp {{
    mode = 0666
  }}
}}
service auth {{
  unix_listener {d}/auth {{
    mode = 0666
  }}
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
""".format(d=self.dir, uid=nobody.pw_uid, imap=self.imap_port)
        if self.imap_capability:
            conf += "imap_capability = %s\n" % self.imap_capability
        with open(self.path("dovecot.conf"), "w") as f:
            f.write(conf)

    def kick(self, user):
        """Ends every IMAP session of `user` (doveadm kick), as a server
        restart or a network cut would."""
        subprocess.run([DOVEADM, "-c", self.path("dovecot.conf"), "kick",
                        self.address(user)], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=20, check=True)

    def _start_dovecot(self, timeout):
        # The master forks away; its output goes to the log, not a pipe
        # this process would wait on.
        with open(self.path("log", "dovecot-start.log"), "wb") as log:
            p = subprocess.run([DOVECOT, "-c", self.path("dovecot.conf")],
                               stdin=subprocess.DEVNULL, stdout=log,
                               stderr=log, timeout=timeout)
        if p.returncode != 0:
            raise AssertionError("dovecot did not start:\n" + self.log())
        self.dovecot_running = True
        self._wait_port(self.imap_port, timeout, "Dovecot IMAP")
        self._wait_file(self.path("lmtp"), timeout, "Dovecot LMTP socket")

    def _stop_dovecot(self):
        pid = self._pid(self.path("dovecot", "master.pid"))
        subprocess.run([DOVEADM, "-c", self.path("dovecot.conf"), "stop"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=20)
        if pid is not None and _alive(pid):
            os.kill(pid, 15)
        self._wait_gone(pid, 10)
        self.dovecot_running = False

    # ---- Postfix ----------------------------------------------------------

    def _write_postfix(self):
        for d in ("postfix", "queue", "pfdata"):
            os.makedirs(self.path(d), exist_ok=True)
        pf = pwd.getpwnam("postfix")
        os.chown(self.path("pfdata"), pf.pw_uid, pf.pw_gid)
        main = """\
compatibility_level = 3.6
queue_directory = {d}/queue
data_directory = {d}/pfdata
command_directory = /usr/sbin
daemon_directory = {daemons}
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.loket.test
mydomain = loket.test
myorigin = loket.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions = permit_mynetworks, reject
virtual_mailbox_domains = {domain}
recipient_delimiter = +
virtual_transport = lmtp:unix:{d}/lmtp
alias_maps =
alias_database =
local_recipient_maps =
maillog_file = {d}/log/postfix.log
maillog_file_prefixes = {d}/log
smtputf8_enable = yes
biff = no
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
delay_warning_time = 0
""".format(d=self.dir, daemons=POSTFIX_DAEMONS, domain=self.domain)
        with open(self.path("postfix", "main.cf"), "w") as f:
            f.write(main)
        with open(self.path("postfix", "master.cf"), "w") as f:
            f.write(MASTER_CF.format(
                smtp_listen="127.0.0.1:%d" % self.smtp_port,
                submission_listen="127.0.0.1:%d" % self.submission_port,
                auth_socket=self.path("auth")))

    def _postfix(self, *args, timeout=30):
        with open(self.path("log", "postfix-cmd.log"), "ab") as log:
            p = subprocess.run([POSTFIX, "-c", self.path("postfix")] +
                               list(args), stdin=subprocess.DEVNULL,
                               stdout=log, stderr=log, timeout=timeout)
        return p

    def start_smtp(self, timeout=20.0):
        """Starts Postfix (again)."""
        p = self._postfix("start")
        if p.returncode != 0:
            raise AssertionError("postfix start failed:\n" + self.log())
        self.smtp_running = True
        self._wait_port(self.smtp_port, timeout, "Postfix SMTP")
        self._wait_port(self.submission_port, timeout, "Postfix submission")

    def stop_smtp(self):
        """Stops Postfix: SMTP connections are refused until start_smtp()."""
        pid = self._pid(self.path("queue", "pid", "master.pid"))
        self._postfix("stop")
        self._wait_gone(pid, 15)
        self.smtp_running = False
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.smtp_port),
                                         0.2).close()
            except OSError:
                return
            time.sleep(0.05)

    # ---- mail -------------------------------------------------------------

    def deliver(self, to, message, mail_from="afzender@loket.test"):
        """Sends `message` (bytes or str) to `to` over SMTP."""
        if isinstance(message, str):
            message = message.encode("utf-8")
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=10) as s:
            s.sendmail(mail_from, [self.address(to)], message)

    def put(self, user, messages):
        """Drops `messages` (bytes each) straight into `user`'s Maildir, as
        a local delivery agent would: for queueing thousands of mails in a
        benchmark or a crash test without waiting for SMTP.  Dovecot sees
        them at its next look at the folder."""
        nobody = pwd.getpwnam("nobody")
        base = self.path("mail", self.address(user), "Maildir")
        for d in ("", "new", "cur", "tmp"):
            p = os.path.join(base, d)
            if not os.path.isdir(p):
                os.makedirs(p, exist_ok=True)
                os.chown(p, nobody.pw_uid, nobody.pw_gid)
        stamp = "%d.%d" % (time.time(), os.getpid())
        for i, m in enumerate(messages):
            if isinstance(m, str):
                m = m.encode("utf-8")
            name = "%s_%d.loket.test" % (stamp, i)
            tmp = os.path.join(base, "tmp", name)
            with open(tmp, "wb") as f:
                f.write(m)
            os.chown(tmp, nobody.pw_uid, nobody.pw_gid)
            os.rename(tmp, os.path.join(base, "new", name))

    def raw_messages(self, user):
        """Every message in `user`'s INBOX as bytes, oldest first."""
        imap = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=10)
        try:
            imap.login(self.address(user), PASSWORD)
            imap.select("INBOX", readonly=True)
            typ, data = imap.search(None, "ALL")
            ids = data[0].split()
            out = []
            if ids:
                typ, data = imap.fetch(b",".join(ids), "(RFC822)")
                for item in data:
                    if isinstance(item, tuple):
                        out.append(item[1])
            return out
        finally:
            try:
                imap.logout()
            except (OSError, imaplib.IMAP4.error):
                pass

    def count(self, user):
        """How many messages `user`'s INBOX holds (one IMAP SELECT)."""
        imap = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=10)
        try:
            imap.login(self.address(user), PASSWORD)
            typ, data = imap.select("INBOX", readonly=True)
            return int(data[0])
        finally:
            try:
                imap.logout()
            except (OSError, imaplib.IMAP4.error):
                pass

    def messages(self, user):
        return [email.message_from_bytes(m, policy=email.policy.default)
                for m in self.raw_messages(user)]

    def wait_for_mail(self, user, n, timeout=15.0):
        """Waits until `user` has at least `n` messages; returns them all
        (email.message.EmailMessage, oldest first)."""
        deadline = time.monotonic() + timeout
        while True:
            msgs = self.messages(user)
            if len(msgs) >= n:
                return msgs
            if time.monotonic() > deadline:
                raise AssertionError(
                    "%s has %d messages, not %d, after %.0f s; mail log:\n%s"
                    % (self.address(user), len(msgs), n, timeout,
                       self.log()[-3000:]))
            time.sleep(0.1)

    def log(self):
        out = []
        for name in ("postfix-cmd.log", "postfix.log", "dovecot-start.log",
                     "dovecot.log"):
            try:
                with open(self.path("log", name), errors="replace") as f:
                    out.append(f.read())
            except OSError:
                pass
        return "\n".join(out)

    # ---- helpers ----------------------------------------------------------

    @staticmethod
    def _pid(path):
        try:
            with open(path) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    @staticmethod
    def _wait_gone(pid, timeout):
        if pid is None:
            return
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)

    def _wait_port(self, port, timeout, what):
        deadline = time.monotonic() + timeout
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("%s did not listen on %d in %.0f s:"
                                         "\n%s" % (what, port, timeout,
                                                   self.log()[-3000:]))
                time.sleep(0.05)

    def _wait_file(self, path, timeout, what):
        deadline = time.monotonic() + timeout
        while not os.path.exists(path):
            if time.monotonic() > deadline:
                raise AssertionError("no %s after %.0f s:\n%s" %
                                     (what, timeout, self.log()[-3000:]))
            time.sleep(0.05)


if __name__ == "__main__":
    # A quick self-check: one mail through and back out over IMAP.
    skip_unless_available()
    t0 = time.monotonic()
    with MailServer(users=["inwoner"]) as ms:
        print("started in %.2f s: SMTP %d, IMAP %d, in %s" %
              (time.monotonic() - t0, ms.smtp_port, ms.imap_port, ms.dir))
        ms.deliver("inwoner", "Subject: test\r\nTo: inwoner@example.nl\r\n"
                   "\r\nhallo\r\n")
        with smtplib.SMTP("127.0.0.1", ms.submission_port, timeout=10) as s:
            s.login("inwoner@example.nl", PASSWORD)
            s.sendmail("inwoner@example.nl", ["inwoner@example.nl"],
                       b"Subject: met AUTH\r\n\r\nhallo\r\n")
        m = ms.wait_for_mail("inwoner", 2, 10)
        print("received:", [str(x["Subject"]) for x in m])
