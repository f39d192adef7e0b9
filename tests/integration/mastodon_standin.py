"""A local stand-in for a Mastodon server: POST /api/v1/statuses of the
Mastodon client API, as far as Loket uses it (the tests cannot reach the
internet).

What it does like Mastodon (docs.joinmastodon.org, methods/statuses):
- `Authorization: Bearer <token>` must name the account's token, else 401
  {"error": "The access token is invalid"};
- the status text (form or JSON body) must be 1..500 characters, else 422
  {"error": "Validation failed: ..."}; visibility public, unlisted,
  private or direct;
- `Idempotency-Key`: a second request with a key the account used before
  gets the status the first one made, and no new status;
- 200 with a Status entity: id (a string), uri, url, created_at,
  content (HTML), visibility, language, account.

For tests it can be told to answer the next N requests with 503 (with a
Retry-After if asked), to close the next N connections without an answer,
or to hold the next answer for some seconds after the status was made
(so a test can kill Loket between Mastodon's commit and Loket's).

Standard library only.  Use:

    m = MastodonStandin(token="secret").start()
    ... m.url ... m.statuses ... m.fail_next(2) ...
    m.stop()
"""

import html
import json
import threading
import time
import urllib.parse
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATUS_MAX = 500


class MastodonStandin:

    def __init__(self, token, account="gemeente"):
        self.token = token
        self.account = account
        self.lock = threading.Lock()
        # Every status made, in order: {"json": the Status entity, "text",
        # "visibility", "language", "key"}.
        self.statuses = []
        self.requests = []      # every POST seen: path, headers, body
        self.by_key = {}        # Idempotency-Key -> an item of statuses
        self._fail = 0
        self._fail_status = 503
        self._retry_after = None
        self._fail_error = None
        self._fail_headers = None
        self._drop = 0
        self._hold = 0.0
        self.held = threading.Event()  # set when a held answer is waiting
        self._next_id = 109000000000000000
        self.httpd = None
        self.thread = None

    # -- control --

    def fail_next(self, n, status=503, retry_after=None, error=None,
                  headers=None):
        """The next n requests get `status` (and Retry-After, and the error
        text `error` instead of the usual one, and `headers`: a dict, or a
        function returning one, as Mastodon's X-RateLimit-Reset)."""
        with self.lock:
            self._fail = n
            self._fail_status = status
            self._retry_after = retry_after
            self._fail_error = error
            self._fail_headers = headers

    def drop_next(self, n):
        with self.lock:
            self._drop = n

    def hold_next(self, seconds):
        with self.lock:
            self._hold = seconds
            self.held.clear()

    def set_token(self, token):
        with self.lock:
            self.token = token

    def with_key(self, key):
        """The statuses made for `key` and the requests that carried it."""
        with self.lock:
            made = [s for s in self.statuses if s["key"] == key]
            seen = [r for r in self.requests
                    if r["headers"].get("Idempotency-Key") == key]
        return made, seen

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.httpd.server_address[1]

    def start(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):
                pass

            def do_POST(self):
                standin._post(self)

            def do_GET(self):
                self._plain(404, {"error": "Record not found"})

            def _plain(self, code, obj):
                standin._send(self, code, obj)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    # -- the API --

    def _send(self, h, code, obj, headers=None):
        body = json.dumps(obj).encode()
        h.send_response(code)
        h.send_header("Content-Type", "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(body)

    def _params(self, h, raw):
        ctype = (h.headers.get("Content-Type") or "").split(";")[0].strip()
        if ctype == "application/json":
            obj = json.loads(raw.decode("utf-8") or "{}")
            return obj if isinstance(obj, dict) else None
        if ctype in ("application/x-www-form-urlencoded", ""):
            q = urllib.parse.parse_qs(raw.decode("utf-8"),
                                      keep_blank_values=True)
            return {k: v[-1] for k, v in q.items()}
        return None

    def _post(self, h):
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length)
        record = {"path": h.path, "headers": dict(h.headers.items()),
                  "body": raw.decode("utf-8", "replace")}
        with self.lock:
            self.requests.append(record)
            drop = self._drop > 0
            if drop:
                self._drop -= 1
            fail = self._fail > 0
            if fail:
                self._fail -= 1
            fail_status, retry_after = self._fail_status, self._retry_after
            fail_error = self._fail_error or "Service Unavailable"
            fail_headers = self._fail_headers
            token = self.token
        if drop:
            h.close_connection = True
            h.connection.shutdown(2)
            return
        if h.path != "/api/v1/statuses":
            self._send(h, 404, {"error": "Record not found"})
            return
        if h.headers.get("Authorization") != "Bearer " + token:
            self._send(h, 401, {"error": "The access token is invalid"})
            return
        if fail:
            hdr = {"Retry-After": str(retry_after)} if retry_after else {}
            if callable(fail_headers):
                fail_headers = fail_headers()
            hdr.update(fail_headers or {})
            self._send(h, fail_status, {"error": fail_error}, hdr)
            return
        try:
            p = self._params(h, raw)
        except ValueError:
            p = None
        if p is None:
            self._send(h, 422, {"error": "Validation failed: bad body"})
            return
        text = p.get("status")
        vis = p.get("visibility", "public")
        if not isinstance(text, str) or not text.strip():
            self._send(h, 422, {"error": "Validation failed: Text can't be "
                                "blank"})
            return
        if len(text) > STATUS_MAX:
            self._send(h, 422, {"error": "Validation failed: Text character "
                                "limit of %d exceeded" % STATUS_MAX})
            return
        if vis not in ("public", "unlisted", "private", "direct"):
            self._send(h, 422, {"error": "Validation failed: Visibility is "
                                "not included in the list"})
            return
        key = h.headers.get("Idempotency-Key")
        with self.lock:
            item = self.by_key.get(key) if key else None
            if item is None:
                item = {"json": self._make(text, vis, p.get("language")),
                        "text": text, "visibility": vis,
                        "language": p.get("language"), "key": key}
                self.statuses.append(item)
                if key:
                    self.by_key[key] = item
            status = item["json"]
            hold, self._hold = self._hold, 0.0
        if hold > 0:
            self.held.set()
            time.sleep(hold)
        try:
            self._send(h, 200, status)
        except OSError:
            pass  # the client is gone (killed while we held the answer)

    def _make(self, text, visibility, language):
        self._next_id += 1
        sid = str(self._next_id)
        paras = "".join("<p>%s</p>" % html.escape(p).replace("\n", "<br />")
                        for p in text.split("\n\n"))
        base = "https://social.example"
        return {
            "id": sid,
            "created_at": datetime.now(timezone.utc).strftime(
                "%Y-%m-%dT%H:%M:%S.000Z"),
            "uri": "%s/users/%s/statuses/%s" % (base, self.account, sid),
            "url": "%s/@%s/%s" % (base, self.account, sid),
            "content": paras,
            "visibility": visibility,
            "language": language,
            "sensitive": False,
            "spoiler_text": "",
            "account": {"id": "1", "username": self.account,
                        "acct": self.account},
        }
