"""Public event streams at scale (behaviour, not timing): several loket
processes sharing one port with --reuseport over one data directory, and
many subscribers of one process.  The figures are bench/sse_fanout.sh's."""
import selectors
import socket
import time

import loketlib
from loketlib import (LoketTestCase, RawClient, Response, api_ok,
                      create_token, metric, wait_until)


class PublicStream(loketlib.SSEClient):
    """loketlib.SSEClient on a public path, without authentication."""

    def __init__(self, server, path, headers=None):
        self.raw = RawClient(server.host, server.port, 10)
        h = {"Accept": "text/event-stream"}
        h.update(headers or {})
        self.raw.send(RawClient.build("GET", path, h))
        self.status, self.reason, self.headers = self.raw.read_head()
        self.response = Response(self.status, self.reason, self.headers, b"")
        self.chunked = "chunked" in (self.response.header(
            "Transfer-Encoding") or "").lower()
        self.text = ""
        self.received = b""
        self.eof = False

    def process(self):
        """Which process answered: the prefix of its request ids."""
        return self.response.header("X-Request-Id").split("-")[0]

    def next_update(self, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            block = self.next_block(max(0.01, deadline - time.monotonic()))
            if block is None:
                raise AssertionError("stream ended")
            if block.get("event") == "notice.update_added":
                return block


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_notice(srv, token):
    r = srv.post_json("/api/v1/notices",
                      {"kind": "calamiteit", "title": "Brand",
                       "body": "Rook", "publish": True}, token=token)
    api_ok(r, what="create notice")
    return r.json()["id"]


class SharedPort(LoketTestCase):
    def test_two_processes_serve_one_port_and_share_events(self):
        data = self.make_data_dir()
        _, token = create_token(data)
        port = free_port()
        args = ["--listen", "127.0.0.1:%d" % port, "--reuseport"]
        a = self.start_server(data, extra_args=args)
        b = self.start_server(data, extra_args=args)
        self.assertEqual(a.port, port)
        self.assertEqual(b.port, port)
        nid = new_notice(a, token)
        # The kernel spreads connections over both sockets: open streams
        # until each process holds one.
        streams = {}
        extra = []
        for _ in range(64):
            s = PublicStream(a, "/actueel/%s/stream" % nid)
            self.assertEqual(s.status, 200)
            if s.process() in streams:
                extra.append(s)
            else:
                streams[s.process()] = s
            if len(streams) == 2:
                break
        for s in extra:
            s.close()
        self.assertEqual(len(streams), 2, "both processes accept")
        try:
            # Publish until each process has taken a publication; every
            # one reaches the streams of both.
            posted_by = set()
            for i in range(40):
                r = a.post_json("/api/v1/notices/%s/updates" % nid,
                                {"body": "Update %d" % i}, token=token)
                api_ok(r, what="add update")
                posted_by.add(r.header("X-Request-Id").split("-")[0])
                ids = {p: s.next_update(5.0)["id"]
                       for p, s in streams.items()}
                self.assertEqual(len(set(ids.values())), 1, ids)
                if posted_by == set(streams):
                    break
            self.assertEqual(posted_by, set(streams))
        finally:
            for s in streams.values():
                s.close()


class LargeHeaders(LoketTestCase):
    def test_stream_with_kilobytes_of_cookies(self):
        # The stream daemon's small pool cannot take them; the acceptor
        # sees that and gives the connection to the main daemon.
        data = self.make_data_dir()
        _, token = create_token(data)
        srv = self.start_server(data)
        nid = new_notice(srv, token)
        for size in (100, 3000, 12000):
            s = PublicStream(srv, "/actueel/%s/stream" % nid,
                             {"Cookie": "analytics=" + "x" * size})
            try:
                self.assertEqual(s.status, 200, size)
                self.assertEqual(s.next_block(5).get("retry"), "3000")
                api_ok(srv.post_json("/api/v1/notices/%s/updates" % nid,
                                     {"body": "Update"}, token=token))
                s.next_update(5)
            finally:
                s.close()


class ManySubscribers(LoketTestCase):
    N = 500

    def test_all_receive_and_closing_frees_connections(self):
        data = self.make_data_dir()
        _, token = create_token(data)
        srv = self.start_server(data, heartbeat=1)
        nid = new_notice(srv, token)
        base = metric(srv.metrics(), "loket_http_open_connections")
        sel = selectors.DefaultSelector()
        socks = []
        got = {}
        try:
            for i in range(self.N):
                path = ("/actueel/stream" if i % 2 else
                        "/actueel/%s/stream" % nid)
                s = socket.create_connection((srv.host, srv.port), 10)
                s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n"
                           "Accept: text/event-stream\r\n\r\n" % path)
                          .encode())
                s.setblocking(False)
                sel.register(s, selectors.EVENT_READ, i)
                socks.append(s)
                got[i] = b""

            def read_until(marker, timeout):
                waiting = {i for i in got if marker not in got[i]}
                deadline = time.monotonic() + timeout
                while waiting and time.monotonic() < deadline:
                    for key, _ in sel.select(0.2):
                        try:
                            data_ = key.fileobj.recv(65536)
                        except BlockingIOError:
                            continue
                        got[key.data] += data_
                        if marker in got[key.data]:
                            waiting.discard(key.data)
                return waiting

            self.assertEqual(read_until(b"retry: 3000", 30), set(),
                             "every stream started")
            m = srv.metrics()
            self.assertEqual(metric(m, "loket_public_streams_open"), self.N)
            # The gauge also counts the test's own short API connections,
            # which the server may not have seen close yet: the streams are
            # exact, the rest within what was open before.
            opened = metric(m, "loket_http_open_connections")
            self.assertGreaterEqual(opened, self.N)
            self.assertLessEqual(opened, base + self.N)
            r = srv.post_json("/api/v1/notices/%s/updates" % nid,
                              {"body": "Water is veilig"}, token=token)
            api_ok(r, what="add update")
            self.assertEqual(
                read_until(b"event: notice.update_added", 30), set(),
                "every subscriber received the update")
            m = srv.metrics()
            self.assertGreaterEqual(
                metric(m, "loket_public_fanout_woken_total"), self.N)
        finally:
            for s in socks:
                sel.unregister(s)
                s.close()
        # A closed client is noticed at the next write, the heartbeat.
        wait_until(lambda: metric(srv.metrics(),
                                  "loket_http_open_connections") <= base, 20,
                   what="connections to close")
        m = srv.metrics()
        self.assertEqual(metric(m, "loket_public_streams_open"), 0)
        self.assertEqual(metric(m, "loket_http_streams_open"), 0)


if __name__ == "__main__":
    loketlib.main()
