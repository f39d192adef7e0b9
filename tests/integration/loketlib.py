"""Shared helpers for Loket's integration tests.

The tests start the real `loket` binary ($LOKET_BIN) on a free loopback
port (--listen 127.0.0.1:0; the bound port is read from the line
"Loket serving http://HOST:PORT/" on stdout) with a fresh data directory,
talk HTTP to it and stop it again.  Standard library only: they run with
Debian's /usr/bin/python3.

Every server and CLI run is checked for AddressSanitizer and
UndefinedBehaviorSanitizer reports on its stderr (the debug preset builds
with both), so a test fails if the server misbehaved even when the HTTP
answers looked right.
"""

import atexit
import base64
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import sys
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("LOKET_SOURCE_DIR") or os.path.dirname(
    os.path.dirname(HERE))
LOKET_BIN = os.environ.get("LOKET_BIN") or os.path.join(
    SOURCE_DIR, "build", "loket")
WEB_DIR = os.path.join(SOURCE_DIR, "web")

# Generous: a sanitizer build starts and answers more slowly.
START_TIMEOUT = 20.0
HTTP_TIMEOUT = 15.0
CLI_TIMEOUT = 60.0

SANITIZER_MARKERS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "runtime error:",
    "WARNING: ThreadSanitizer",
)

READY_RE = re.compile(r"^Loket serving http://([^/]+):(\d+)/$")

# Every process we start, so that none outlives the test run even if a
# test forgets (or fails before) its cleanup.
_live = set()
_live_lock = threading.Lock()


def _track(proc):
    with _live_lock:
        _live.add(proc)


def _untrack(proc):
    with _live_lock:
        _live.discard(proc)


@atexit.register
def _kill_leftovers():
    with _live_lock:
        procs = list(_live)
    for p in procs:
        if p.poll() is None:
            p.kill()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                pass


def sanitizer_report(text):
    """The first sanitizer report in `text`, or None."""
    for marker in SANITIZER_MARKERS:
        i = text.find(marker)
        if i >= 0:
            start = text.rfind("\n", 0, max(0, i - 200)) + 1
            return text[start:start + 3000]
    return None


def wait_until(pred, timeout, interval=0.02, what="condition"):
    """Polls pred() until it returns a true value; returns that value."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.1f s waiting for %s" %
                                 (timeout, what))
        time.sleep(interval)


# ---- the command line ---------------------------------------------------


def run_cli(*args, input=None, data=None, env=None, timeout=CLI_TIMEOUT,
            check_sanitizers=True):
    """Runs `loket ARGS` (with --data DATA appended if given) and returns
    the CompletedProcess with text stdout/stderr."""
    argv = [LOKET_BIN] + [str(a) for a in args]
    if data is not None:
        argv += ["--data", data]
    full_env = dict(os.environ)
    for k in ("LOKET_LISTEN", "LOKET_DATA", "LOKET_WEB", "LOKET_LOG_LEVEL"):
        full_env.pop(k, None)
    if env:
        full_env.update(env)
    p = subprocess.run(argv, input=input, capture_output=True, text=True,
                       env=full_env, timeout=timeout,
                       stdin=None if input is not None else subprocess.DEVNULL)
    if check_sanitizers:
        report = sanitizer_report(p.stderr)
        if report:
            raise AssertionError("sanitizer report from %r:\n%s" %
                                 (argv, report))
    return p


def create_token(data, name="test", scopes="admin"):
    """Creates a token with the CLI; returns (id, secret)."""
    p = run_cli("token", "create", "--name", name, "--scopes", scopes,
                data=data)
    if p.returncode != 0:
        raise AssertionError("token create failed (%d): %s" %
                             (p.returncode, p.stderr))
    lines = p.stdout.strip().splitlines()
    secret = lines[-1].strip()
    m = re.search(r"^id:\s+(tok_[0-9a-f]{16})$", p.stdout, re.M)
    if not m or not secret.startswith("lkt_"):
        raise AssertionError("unexpected token create output: %r" % p.stdout)
    return m.group(1), secret


def secret_hash(secret):
    """What Loket stores for a token secret (BLAKE2b-256, hex)."""
    return hashlib.blake2b(secret.encode(), digest_size=32).hexdigest()


def new_token_secret():
    return "lkt_" + base64.urlsafe_b64encode(
        secrets.token_bytes(24)).decode().rstrip("=")


def db_path(data):
    return os.path.join(data, "loket.db")


def db_query(data, sql, params=()):
    """Runs one query on the data directory's database (read-only)."""
    conn = sqlite3.connect("file:%s?mode=ro" % db_path(data), uri=True,
                           timeout=10)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


# ---- HTTP ---------------------------------------------------------------


class Response:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers  # list of (name, value)
        self.body = body

    def header(self, name, default=None):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return default

    def header_all(self, name):
        name = name.lower()
        return [v for k, v in self.headers if k.lower() == name]

    @property
    def content_type(self):
        return self.header("Content-Type", "")

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def __repr__(self):
        return "<Response %d %r %r>" % (self.status, self.content_type,
                                        self.body[:300])


def auth(token):
    return {"Authorization": "Bearer " + token}


class Server:
    """One `loket serve` process."""

    def __init__(self, data, log_level="info", web=None, threads=None,
                 max_body=None, heartbeat=None, extra_args=(), env=None):
        self.data = data
        self.args = ["serve", "--listen", "127.0.0.1:0", "--data", data,
                     "--web", web or WEB_DIR, "--log-level", log_level]
        if threads is not None:
            self.args += ["--threads", str(threads)]
        if max_body is not None:
            self.args += ["--max-body", str(max_body)]
        if heartbeat is not None:
            self.args += ["--heartbeat", str(heartbeat)]
        self.args += list(extra_args)
        self.env = env
        self.proc = None
        self.port = None
        self.host = "127.0.0.1"
        self.stdout_lines = []
        self.returncode = None
        self.log_path = None
        self._log_file = None
        self._stdout_thread = None
        self._ready = threading.Event()

    # -- life cycle --

    def start(self, timeout=START_TIMEOUT):
        fd, self.log_path = tempfile.mkstemp(prefix="loket-stderr-",
                                             suffix=".log")
        self._log_file = os.fdopen(fd, "wb")
        env = dict(os.environ)
        for k in ("LOKET_LISTEN", "LOKET_DATA", "LOKET_WEB",
                  "LOKET_LOG_LEVEL"):
            env.pop(k, None)
        if self.env:
            env.update(self.env)
        self.proc = subprocess.Popen([LOKET_BIN] + self.args,
                                     stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=self._log_file, env=env)
        _track(self.proc)
        self._stdout_thread = threading.Thread(target=self._read_stdout,
                                               daemon=True)
        self._stdout_thread.start()
        deadline = time.monotonic() + timeout
        while not self._ready.wait(0.02):
            if self.proc.poll() is not None:
                self._stdout_thread.join(2)
                raise AssertionError(
                    "loket serve exited with %d before it was ready:\n%s" %
                    (self.proc.returncode, self.log_text()[-3000:]))
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError("loket serve was not ready in %.0f s:\n%s"
                                     % (timeout, self.log_text()[-3000:]))
        return self

    def _read_stdout(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.stdout_lines.append(line)
            m = READY_RE.match(line)
            if m and not self._ready.is_set():
                self.host = m.group(1)
                self.port = int(m.group(2))
                self._ready.set()

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, timeout):
        """Waits for the process to exit; returns its status."""
        self.returncode = self.proc.wait(timeout)
        self._finish()
        return self.returncode

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        """Stops the server gracefully and returns its exit status; kills it
        if it does not exit in time (and raises)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                raise AssertionError("loket serve did not exit within %.0f s "
                                     "of signal %d" % (timeout, sig))
        self.returncode = self.proc.returncode
        self._finish()
        if self.returncode not in (0, None) and self.returncode != -9:
            # A crash or a failed stop: show why in the test's output.
            sys.stderr.write("loket serve exited with %d; end of its log:\n%s\n"
                             % (self.returncode, self.log_text()[-3000:]))
        return self.returncode

    def kill(self):
        """SIGKILL, as in a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        if self.proc is not None:
            self.returncode = self.proc.returncode
        self._finish()

    def _finish(self):
        if self._stdout_thread is not None:
            self._stdout_thread.join(5)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        if self.proc is not None:
            if self.proc.stdout is not None:
                self.proc.stdout.close()
            _untrack(self.proc)

    def cleanup(self):
        """For addCleanup: stop if still running, then fail on sanitizer
        reports and remove the log file."""
        try:
            if self.running():
                try:
                    self.stop()
                except AssertionError:
                    pass
            self.assert_no_sanitizer_errors()
        finally:
            if self.log_path and os.path.exists(self.log_path):
                os.unlink(self.log_path)

    # -- the log --

    def log_text(self):
        if self._log_file is not None:
            self._log_file.flush()
        if not self.log_path:
            return ""
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def log_records(self):
        """Every stderr line parsed as JSON; raises if one is not."""
        out = []
        text = self.log_text()
        if self.running() and not text.endswith("\n"):
            text = text[:text.rfind("\n") + 1]  # a line being written
        for n, line in enumerate(text.splitlines(), 1):
            if not line:
                continue
            try:
                rec = json.loads(line)
            except ValueError as e:
                raise AssertionError("log line %d is not JSON (%s): %r" %
                                     (n, e, line[:500]))
            if not isinstance(rec, dict):
                raise AssertionError("log line %d is not an object: %r" %
                                     (n, line[:500]))
            out.append(rec)
        return out

    def assert_no_sanitizer_errors(self):
        report = sanitizer_report(self.log_text())
        if report:
            raise AssertionError("sanitizer report from loket serve:\n" +
                                 report)

    # -- HTTP --

    @property
    def base_url(self):
        return "http://%s:%d" % (self.host, self.port)

    def connection(self, timeout=HTTP_TIMEOUT):
        return http.client.HTTPConnection(self.host, self.port,
                                          timeout=timeout)

    def request(self, method, path, body=None, headers=None, token=None,
                json_body=None, conn=None, timeout=HTTP_TIMEOUT):
        """One request; on a new connection unless `conn` is given."""
        hdrs = dict(headers or {})
        if token is not None:
            hdrs["Authorization"] = "Bearer " + token
        if json_body is not None:
            body = json.dumps(json_body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        if isinstance(body, str):
            body = body.encode()
        own = conn is None
        c = conn or self.connection(timeout)
        try:
            c.request(method, path, body=body, headers=hdrs)
            r = c.getresponse()
            data = r.read()
            return Response(r.status, r.reason, r.getheaders(), data)
        finally:
            if own:
                c.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post_json(self, path, obj, token=None, **kw):
        return self.request("POST", path, json_body=obj, token=token, **kw)

    def metrics(self):
        r = self.get("/metrics")
        if r.status != 200:
            raise AssertionError("GET /metrics: %r" % r)
        return parse_metrics(r.text)

    def raw(self, timeout=HTTP_TIMEOUT):
        return RawClient(self.host, self.port, timeout)


def parse_metrics(text):
    """Prometheus text format to {(name, frozenset(labels)): value}."""
    out = {}
    line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)$')
    label_re = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = line_re.match(line)
        if not m:
            raise AssertionError("bad metrics line: %r" % line)
        labels = frozenset(label_re.findall(m.group(3) or ""))
        out[(m.group(1), labels)] = float(m.group(4))
    return out


def metric(metrics, name, **labels):
    """The value of one series (labels must match exactly), or None."""
    return metrics.get((name, frozenset(labels.items())))


def metric_sum(metrics, name, **labels):
    """Sum over every series of `name` whose labels include `labels`."""
    want = set(labels.items())
    return sum(v for (n, ls), v in metrics.items()
               if n == name and want <= set(ls))


# ---- a raw HTTP/1.1 client ----------------------------------------------


class RawClient:
    """HTTP/1.1 over a plain socket, for keep-alive, pipelining, chunked
    uploads and byte-exact bodies."""

    def __init__(self, host, port, timeout=HTTP_TIMEOUT):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.host = host
        self.port = port

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data):
        self.sock.sendall(data)

    @staticmethod
    def build(method, path, headers=None, body=None, host="127.0.0.1"):
        hdrs = [("Host", host)]
        for k, v in (headers or {}).items():
            hdrs.append((k, v))
        if body is not None and not any(k.lower() in ("content-length",
                                                      "transfer-encoding")
                                        for k, _ in hdrs):
            hdrs.append(("Content-Length", str(len(body))))
        head = "%s %s HTTP/1.1\r\n" % (method, path)
        head += "".join("%s: %s\r\n" % kv for kv in hdrs) + "\r\n"
        return head.encode("latin-1") + (body or b"")

    def request(self, method, path, headers=None, body=None):
        self.send(self.build(method, path, headers, body))
        return self.read_response(head=(method == "HEAD"))

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed by the server")
        self.buf += chunk

    def _read_until(self, sep):
        while True:
            i = self.buf.find(sep)
            if i >= 0:
                out = self.buf[:i]
                self.buf = self.buf[i + len(sep):]
                return out
            self._fill()

    def _read_exact(self, n):
        while len(self.buf) < n:
            self._fill()
        out = self.buf[:n]
        self.buf = self.buf[n:]
        return out

    def read_head(self):
        head = self._read_until(b"\r\n\r\n").decode("latin-1")
        lines = head.split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/"):
            raise AssertionError("bad status line: %r" % lines[0])
        status = int(parts[1])
        reason = parts[2] if len(parts) > 2 else ""
        headers = []
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers.append((k.strip(), v.strip()))
        return status, reason, headers

    def read_chunk(self):
        """One chunk of a chunked body; b"" for the last one."""
        size_line = self._read_until(b"\r\n")
        size = int(size_line.split(b";")[0].strip(), 16)
        if size == 0:
            # trailers until an empty line
            while self._read_until(b"\r\n") != b"":
                pass
            return b""
        data = self._read_exact(size)
        if self._read_exact(2) != b"\r\n":
            raise AssertionError("chunk not followed by CRLF")
        return data

    def read_response(self, head=False):
        status, reason, headers = self.read_head()
        r = Response(status, reason, headers, b"")
        if head or status in (204, 304) or 100 <= status < 200:
            return r
        te = (r.header("Transfer-Encoding") or "").lower()
        cl = r.header("Content-Length")
        if "chunked" in te:
            parts = []
            while True:
                c = self.read_chunk()
                if not c:
                    break
                parts.append(c)
            r.body = b"".join(parts)
        elif cl is not None:
            r.body = self._read_exact(int(cl))
        else:
            while True:
                try:
                    self._fill()
                except EOFError:
                    break
            r.body, self.buf = self.buf, b""
        return r

    def at_eof(self, timeout=0.0):
        """True if the server closed the connection (within `timeout`)."""
        if self.buf:
            return False
        self.sock.settimeout(timeout if timeout > 0 else 0.000001)
        try:
            chunk = self.sock.recv(65536)
        except (socket.timeout, BlockingIOError):
            return False
        except ConnectionResetError:
            return True
        finally:
            self.sock.settimeout(HTTP_TIMEOUT)
        if not chunk:
            return True
        self.buf += chunk
        return False


# ---- Server-Sent Events -------------------------------------------------


class SSEClient:
    """GET /api/v1/events over a raw socket, decoding the chunked body
    incrementally and splitting it into SSE blocks."""

    def __init__(self, server, token=None, last_event_id=None, query="",
                 timeout=HTTP_TIMEOUT, extra_headers=None):
        self.raw = RawClient(server.host, server.port, timeout)
        headers = {"Accept": "text/event-stream"}
        if token is not None:
            headers["Authorization"] = "Bearer " + token
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        headers.update(extra_headers or {})
        self.raw.send(RawClient.build("GET", "/api/v1/events" + query,
                                      headers))
        self.status, self.reason, self.headers = self.raw.read_head()
        self.response = Response(self.status, self.reason, self.headers, b"")
        self.chunked = "chunked" in (self.response.header(
            "Transfer-Encoding") or "").lower()
        self.text = ""      # decoded body not yet split into blocks
        self.received = b""  # every body byte so far
        self.eof = False
        if self.status != 200:
            self._read_error_body()

    def _read_error_body(self):
        r = self.response
        cl = r.header("Content-Length")
        if cl is not None:
            r.body = self.raw._read_exact(int(cl))
        return r

    def close(self):
        self.raw.close()

    def _more(self, deadline):
        """Reads more body bytes; sets eof at the end of the stream."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout("no SSE data in time")
        self.raw.sock.settimeout(remaining)
        try:
            if self.chunked:
                data = self.raw.read_chunk()
                if data == b"":
                    self.eof = True
            else:
                if self.raw.buf:
                    data, self.raw.buf = self.raw.buf, b""
                else:
                    data = self.raw.sock.recv(65536)
                    if not data:
                        self.eof = True
        except (EOFError, ConnectionResetError):
            self.eof = True
            data = b""
        self.received += data
        self.text += data.decode("utf-8")

    def next_block(self, timeout=10.0):
        """The next SSE block as a dict: 'id', 'event', 'data', 'retry',
        'comments' (list).  Returns None at the end of the stream; raises
        socket.timeout if nothing arrives in time."""
        deadline = time.monotonic() + timeout
        while True:
            i = self.text.find("\n\n")
            if i >= 0:
                block, self.text = self.text[:i], self.text[i + 2:]
                return parse_sse_block(block)
            if self.eof:
                return None
            self._more(deadline)

    def next_event(self, timeout=10.0):
        """The next block that is an event (skipping comments and retry)."""
        deadline = time.monotonic() + timeout
        while True:
            b = self.next_block(max(0.0, deadline - time.monotonic()) or
                                0.001)
            if b is None or "data" in b or "event" in b:
                return b

    def events(self, n, timeout=10.0):
        deadline = time.monotonic() + timeout
        out = []
        while len(out) < n:
            ev = self.next_event(max(0.001, deadline - time.monotonic()))
            if ev is None:
                raise AssertionError("stream ended after %d of %d events" %
                                     (len(out), n))
            out.append(ev)
        return out

    def wait_eof(self, timeout=10.0):
        """Reads (and drops) until the stream ends; True if it did."""
        deadline = time.monotonic() + timeout
        try:
            while not self.eof:
                self._more(deadline)
        except socket.timeout:
            return False
        return True


def parse_sse_block(block):
    out = {"comments": []}
    for line in block.split("\n"):
        if line.startswith(":"):
            out["comments"].append(line[1:].strip())
            continue
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "data":
            out["data"] = (out["data"] + "\n" + value) if "data" in out \
                else value
        elif field in ("id", "event", "retry"):
            out[field] = value
    if "data" in out:
        out["json"] = json.loads(out["data"])
    return out


# ---- test case base -----------------------------------------------------


class LoketTestCase(unittest.TestCase):
    """Gives each test temp data directories and servers that are stopped
    (and checked for sanitizer reports) whatever happens."""

    def make_data_dir(self):
        d = tempfile.mkdtemp(prefix="loket-test-")
        self.addCleanup(shutil.rmtree, d, True)
        return os.path.join(d, "data")

    def start_server(self, data=None, **kw):
        if data is None:
            data = self.make_data_dir()
        srv = Server(data, **kw)
        self.addCleanup(srv.cleanup)
        srv.start()
        return srv

    def assertProblem(self, r, status, slug=None, field=None, path=None):
        """r is an RFC 9457 problem with `status` (and slug and field)."""
        self.assertEqual(r.status, status, r)
        self.assertTrue(r.content_type.startswith("application/problem+json"),
                        r)
        p = r.json()
        self.assertEqual(p.get("status"), status, p)
        self.assertTrue(p.get("type", "").startswith("urn:loket:problem:"), p)
        if slug is not None:
            self.assertEqual(p["type"], "urn:loket:problem:" + slug, p)
        if field is not None:
            self.assertEqual(p.get("field"), field, p)
        self.assertEqual(p.get("requestId"), r.header("X-Request-Id"), p)
        if path is not None:
            self.assertEqual(p.get("instance"), path, p)
        self.assertIsInstance(p.get("title"), str)
        return p


def main():
    if not os.access(LOKET_BIN, os.X_OK):
        raise SystemExit("LOKET_BIN %r is not an executable" % LOKET_BIN)
    unittest.main(verbosity=2)


# ---- seeding rows directly (helper D, residents) ------------------------


def db_write(data, statements):
    """Runs [(sql, params), ...] in one transaction on its own read-write
    connection to the data directory's database.  For fixtures whose
    writing endpoints do not exist yet; safe while the server runs (WAL,
    with a busy timeout).  Returns nothing; raises sqlite3 errors."""
    conn = sqlite3.connect(db_path(data), timeout=10)
    try:
        with conn:
            for sql, params in statements:
                conn.execute(sql, params)
    finally:
        conn.close()
# ---- rows written straight into the database ----------------------------
# For tests of one area that need rows another area's endpoints create
# (conversations, parties): the test writes them as that area would.


def db_execute(data, sql, params=()):
    """Runs one writing statement on the data directory's database, also
    while the server runs (WAL; waits up to 30 s for the write lock).
    Returns the number of rows changed."""
    conn = sqlite3.connect(db_path(data), timeout=30)
    try:
        with conn:
            return conn.execute(sql, params).rowcount
    finally:
        conn.close()


def add_staff_user(data, email, role="agent", name="",
                   password="correct horse battery staple"):
    """Creates a staff account with the CLI; returns its id (usr_...)."""
    args = ["user", "add", "--email", email, "--role", role]
    if name:
        args += ["--name", name]
    p = run_cli(*args, input=password + "\n", data=data)
    if p.returncode != 0:
        raise AssertionError("user add failed (%d): %s" %
                             (p.returncode, p.stderr))
    m = re.search(r"\((usr_[0-9a-f]{16})\)", p.stdout)
    if not m:
        raise AssertionError("unexpected user add output: %r" % p.stdout)
    return m.group(1)


def insert_conversation(data, team_id=None, assignee_id=None, party_id=None,
                        status="open", waiting_since=None, confidential=0,
                        snoozed_until=None):
    """A conversation row as the conversation endpoints would write it;
    returns its id.  waiting_since None means "queued now" for an open,
    unassigned conversation; pass 0 to leave it out of the queue."""
    import uuid
    now = int(time.time() * 1000)
    if waiting_since is None:
        waiting_since = now if status == "open" and not assignee_id else 0
    cid = str(uuid.uuid4())
    db_execute(data,
               "INSERT INTO conversations (id, reference, party_id, channel,"
               " status, snoozed_until, team_id, assignee_id, confidential,"
               " created_at, updated_at, last_message_at, waiting_since)"
               " VALUES (?, ?, ?, 'email', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (cid, "T-" + cid[:13], party_id, status, snoozed_until,
                team_id, assignee_id, confidential, now, now, now,
                waiting_since or None))
    return cid


# ---- writing through the real endpoints (helper X) -----------------------
# Fixtures made the way a client makes them: the conversation endpoints
# (/api/v1/conversations) and the Klantinteracties API
# (/klantinteracties/api/v1).  Each raises AssertionError with the answer
# when the server refuses, so a fixture never fails silently.

KI_PATH = "/klantinteracties/api/v1"


def api_ok(r, status=(200, 201), what="request"):
    """r's JSON body if r.status is one of `status`; else raises."""
    if isinstance(status, int):
        status = (status,)
    if r.status not in status:
        raise AssertionError("%s: expected %s, got %r" % (what, status, r))
    return r.json() if r.body else None


def ki_request(srv, method, path, body=None, token=None):
    """One Klantinteracties call (Authorization: Token ...); `path` is
    relative to /klantinteracties/api/v1 unless it starts with '/'."""
    hdrs = {"Authorization": "Token " + token}
    raw = None
    if body is not None:
        raw = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    if not path.startswith("/"):
        path = KI_PATH + "/" + path
    return srv.request(method, path, body=raw, headers=hdrs)


def ki_person(srv, token, achternaam, voornaam="", **extra):
    """POST /partijen of a persoon; returns the partij."""
    naam = {"achternaam": achternaam}
    if voornaam:
        naam["voornaam"] = voornaam
    body = {"soortPartij": "persoon", "indicatieActief": True,
            "partijIdentificatie": {"contactnaam": naam}}
    body.update(extra)
    return api_ok(ki_request(srv, "POST", "partijen", body, token), 201,
                  "POST partijen")


def ki_organisation(srv, token, naam, **extra):
    body = {"soortPartij": "organisatie", "indicatieActief": True,
            "partijIdentificatie": {"naam": naam}}
    body.update(extra)
    return api_ok(ki_request(srv, "POST", "partijen", body, token), 201,
                  "POST partijen")


def ki_address(srv, token, party_id, adres, soort="email", verified=None,
               default=False, **extra):
    """POST /digitaleadressen for a party; `verified` is a verificatieDatum
    ("2026-01-02") or None.  Returns the address."""
    body = {"verstrektDoorPartij": {"uuid": party_id}, "adres": adres,
            "soortDigitaalAdres": soort, "isStandaardAdres": default}
    if verified:
        body["verificatieDatum"] = verified
    body.update(extra)
    return api_ok(ki_request(srv, "POST", "digitaleadressen", body, token),
                  201, "POST digitaleadressen")


def ki_identifier(srv, token, party_id, id_type, object_id,
                  object_type="natuurlijk_persoon", register="brp"):
    body = {"identificeerdePartij": {"uuid": party_id},
            "partijIdentificator": {"codeObjecttype": object_type,
                                    "codeSoortObjectId": id_type,
                                    "objectId": object_id,
                                    "codeRegister": register}}
    return api_ok(ki_request(srv, "POST", "partij-identificatoren", body,
                             token), 201, "POST partij-identificatoren")


def new_conversation(srv, token, content="Vraag", channel="email",
                     party_id=None, name=None, email=None, phone=None,
                     **extra):
    """POST /api/v1/conversations; the sender is `party_id` or a `from`
    of name/email/phone.  Returns the created conversation (with its
    messageId)."""
    body = {"channel": channel, "content": content}
    if party_id is not None:
        body["partyId"] = party_id
    else:
        sender = {"name": name or "Inwoner"}
        if email is not None:
            sender["email"] = email
        if phone is not None:
            sender["phone"] = phone
        body["from"] = sender
    body.update(extra)
    return api_ok(srv.post_json("/api/v1/conversations", body, token=token),
                  201, "POST /api/v1/conversations")


def conversation_message(srv, token, conv_id, content, direction="inbound",
                         **extra):
    body = {"direction": direction, "content": content}
    body.update(extra)
    return api_ok(srv.post_json("/api/v1/conversations/%s/messages" %
                                conv_id, body, token=token), 201,
                  "POST messages")


def conversation_note(srv, token, conv_id, content, **extra):
    body = {"content": content}
    body.update(extra)
    return api_ok(srv.post_json("/api/v1/conversations/%s/notes" % conv_id,
                                body, token=token), 201, "POST notes")


def patch_conversation(srv, token, conv_id, body):
    return api_ok(srv.request("PATCH", "/api/v1/conversations/" + conv_id,
                              json_body=body, token=token), 200,
                  "PATCH conversation")


class StaffSession:
    """A staff member logged in with POST /api/v1/session: the session
    cookie on every request and, unless told otherwise, the CSRF token on
    state-changing ones, as the browser front end sends them."""

    def __init__(self, srv, email, password="correct horse battery staple"):
        self.srv = srv
        r = srv.post_json("/api/v1/session",
                          {"email": email, "password": password})
        self.login = r
        body = api_ok(r, 201, "log-in of " + email)
        self.csrf = body["csrfToken"]
        self.user = body["user"]
        self.cookie = None
        for v in r.header_all("Set-Cookie"):
            name, _, rest = v.partition("=")
            if name.strip() == "loket_session":
                self.cookie = rest.split(";", 1)[0]
        if not self.cookie:
            raise AssertionError("no session cookie in %r" % r.headers)

    def request(self, method, path, body=None, csrf=True, headers=None,
                raw=None, content_type=None):
        hdrs = {"Cookie": "loket_session=" + self.cookie}
        if csrf and method not in ("GET", "HEAD", "OPTIONS"):
            hdrs["X-CSRF-Token"] = self.csrf
        hdrs.update(headers or {})
        if raw is not None:
            if content_type:
                hdrs["Content-Type"] = content_type
            return self.srv.request(method, path, body=raw, headers=hdrs)
        return self.srv.request(method, path, json_body=body, headers=hdrs)

    def get(self, path):
        return self.request("GET", path)


# ---- fixtures of the conversations tests (helper C1) ----------------------


def db_exec(data, sql, params=()):
    """Runs one writing statement on the data directory's database, as
    another process would (the server keeps running: WAL)."""
    conn = sqlite3.connect(db_path(data), timeout=10)
    try:
        with conn:
            conn.execute(sql, params)
    finally:
        conn.close()


def add_team(data, name="KCC"):
    """Inserts a team (actor of kind organisatorische_eenheid); its id."""
    import uuid
    tid = str(uuid.uuid4())
    db_exec(data, "INSERT INTO actors (id, kind, name, created_at,"
            " updated_at) VALUES (?, 'organisatorische_eenheid', ?, 0, 0)",
            (tid, name))
    return tid


def add_category(data, name):
    import uuid
    cid = str(uuid.uuid4())
    db_exec(data, "INSERT INTO categories (id, name, created_at)"
            " VALUES (?, ?, 0)", (cid, name))
    return cid
