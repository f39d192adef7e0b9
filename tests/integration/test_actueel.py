"""Actueel, the public side: /actueel pages, JSON and Atom feeds.

Notices and updates are written straight into the database with
loketlib.db_write, as the staff endpoints (/api/v1/notices) are built
elsewhere; switch the fixtures to those endpoints when they exist."""

import json
import os
import re
import socket
import sys
import time
import uuid
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loketlib  # noqa: E402
from loketlib import (LoketTestCase, RawClient, Response,  # noqa: E402
                      db_query, db_write, main)

ATOM = "{http://www.w3.org/2005/Atom}"
XSS = "<script>alert('x')</script> & \"q\""
CIRCLE = '{"type":"circle","center":[5.12,52.09],"radius":500}'
POLYGON = ('{"type":"polygon","coordinates":[[5.10,52.08],[5.14,52.08],'
           '[5.14,52.10],[5.10,52.10]]}')


def add_notice(data, title, status="published", severity="informatie",
               kind="storing", body="Tekst", area=CIRCLE, postcodes="3511",
               published_at=None, ended_at=None):
    nid = str(uuid.uuid4())
    now = int(time.time() * 1000)
    db_write(data, [(
        "INSERT INTO notices (id, kind, title, body, severity, area,"
        " postcodes, status, published_at, ended_at, created_by,"
        " approved_by, created_at, updated_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (nid, kind, title, body, severity, area, postcodes, status,
         published_at or now, ended_at, "user:usr_geheim", "user:usr_ok",
         now, now))])
    return nid


def add_update(data, notice_id, body, published_at=None, edited_at=None):
    uid = str(uuid.uuid4())
    now = int(time.time() * 1000)
    db_write(data, [(
        "INSERT INTO notice_updates (id, notice_id, body, author,"
        " published_at, edited_at, created_at) VALUES (?,?,?,?,?,?,?)",
        (uid, notice_id, body, "user:usr_geheim", published_at or now,
         edited_at, now))])
    return uid


class Actueel(LoketTestCase):
    def setUp(self):
        self.srv = self.start_server()
        d = self.srv.data
        t0 = int(time.time() * 1000) - 3600_000
        self.low = add_notice(d, "Lage melding", published_at=t0)
        self.high = add_notice(d, XSS, severity="zeer-ernstig",
                               kind="calamiteit", body="Body " + XSS,
                               published_at=t0, postcodes="3511 3512AB")
        self.poly = add_notice(d, "Wegafsluiting Oudegracht",
                               kind="wegafsluiting", area=POLYGON,
                               severity="waarschuwing", published_at=t0)
        self.draft = add_notice(d, "Concept", status="draft")
        self.withdrawn = add_notice(d, "Ingetrokken", status="withdrawn")
        self.ended = add_notice(d, "Voorbij", status="ended",
                                ended_at=t0 + 60_000)
        self.u1 = add_update(d, self.high, "Eerste " + XSS,
                             published_at=t0 + 1000)
        self.u2 = add_update(d, self.high, "Tweede update",
                             published_at=t0 + 2000,
                             edited_at=t0 + 5 * 60_000)

    def test_list_order_and_visibility(self):
        r = self.srv.get("/actueel")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.content_type.startswith("text/html"), r)
        self.assertEqual(r.header("Cache-Control"), "public, max-age=10")
        t = r.text
        for nid in (self.high, self.poly, self.low):
            self.assertIn("/actueel/" + nid, t)
        for nid in (self.draft, self.withdrawn, self.ended):
            self.assertNotIn(nid, t)
        self.assertLess(t.index(self.high), t.index(self.poly))
        self.assertLess(t.index(self.poly), t.index(self.low))
        self.assertNotIn("<script>alert", t)
        self.assertIn("&lt;script&gt;alert(&#39;x&#39;)", t)
        self.assertIn("Calamiteit", t)
        self.assertIn("Zeer ernstig", t)

    def test_notice_page(self):
        r = self.srv.get("/actueel/" + self.high)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Cache-Control"), "public, max-age=10")
        t = r.text
        self.assertNotIn("<script>alert", t)
        self.assertEqual(t.count("&lt;script&gt;alert"), 4, t)  # <title>,
        # h1, body, update
        self.assertLess(t.index("Tweede update"), t.index("Eerste "))
        self.assertIn("bijgewerkt om", t)
        self.assertEqual(t.count("bijgewerkt om"), 1)
        self.assertIn("<circle ", t)
        self.assertIn("<svg ", t)
        self.assertIn("<li>3512AB</li>", t)
        self.assertNotIn("usr_geheim", t)
        # no inline script: only the external one
        self.assertNotIn("<script>", t)
        # the live script, from the bundle under its hashed name when the
        # bundle is built (docs/frontend.md), else none
        for tag in re.findall(r"<script[^>]*>", t):
            self.assertRegex(tag, r'^<script src="/assets/actueel-[A-Z0-9]{8}'
                                  r'\.js" defer>$')

        r = self.srv.get("/actueel/" + self.poly)
        self.assertEqual(r.status, 200, r)
        self.assertIn("<polygon points=", r.text)

    def test_etag_and_304(self):
        for path in ("/actueel", "/actueel.json", "/actueel/feed.atom",
                     "/actueel/" + self.high, "/actueel/%s.json" % self.high,
                     "/actueel/%s/feed.atom" % self.high):
            with self.subTest(path=path):
                r = self.srv.get(path)
                tag = r.header("ETag")
                self.assertRegex(tag or "", r'^"[0-9a-f]{16}"$')
                r2 = self.srv.get(path, headers={"If-None-Match": tag})
                self.assertEqual(r2.status, 304, r2)
                self.assertEqual(r2.body, b"")
                r3 = self.srv.get(path, headers={"If-None-Match": '"0"'})
                self.assertEqual(r3.status, 200)
        r = self.srv.get("/actueel")
        tag = r.header("ETag")
        add_update(self.srv.data, self.low, "Nieuw")
        r = self.srv.get("/actueel", headers={"If-None-Match": tag})
        self.assertEqual(r.status, 200)
        self.assertNotEqual(r.header("ETag"), tag)

    def test_ended_notice_is_marked(self):
        r = self.srv.get("/actueel/" + self.ended)
        self.assertEqual(r.status, 200, r)
        self.assertIn("Deze melding is beëindigd", r.text)

    def test_not_found(self):
        for nid in (self.draft, self.withdrawn, str(uuid.uuid4()), "x" * 200):
            for suffix in ("", ".json", "/feed.atom"):
                with self.subTest(nid=nid[:10], suffix=suffix):
                    r = self.srv.get("/actueel/" + nid + suffix)
                    self.assertEqual(r.status, 404, r)
                    self.assertNotIn(b"Concept", r.body)

    def test_json(self):
        r = self.srv.get("/actueel.json")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Cache-Control"), "public, max-age=10")
        items = r.json()["notices"]
        self.assertEqual([n["id"] for n in items],
                         [self.high, self.poly, self.low])
        self.assertEqual(items[0]["title"], XSS)
        for n in items:
            self.assertNotIn("createdBy", n)
            self.assertNotIn("created_by", n)
            self.assertNotIn("approvedBy", n)
        r = self.srv.get("/actueel/%s.json" % self.high)
        self.assertEqual(r.status, 200, r)
        doc = r.json()
        self.assertEqual(doc["title"], XSS)
        self.assertEqual(doc["area"]["type"], "circle")
        self.assertEqual([u["id"] for u in doc["updates"]],
                         [self.u2, self.u1])
        self.assertIsNone(doc["updates"][1]["editedAt"])
        self.assertIsNotNone(doc["updates"][0]["editedAt"])
        self.assertNotIn(b"usr_", r.body)
        r = self.srv.get("/actueel/%s.json" % self.ended)
        self.assertEqual(r.json()["status"], "ended")

    def check_atom(self, r):
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.content_type,
                         "application/atom+xml; charset=utf-8")
        self.assertEqual(r.header("Cache-Control"), "public, max-age=10")
        feed = ET.fromstring(r.body)
        self.assertEqual(feed.tag, ATOM + "feed")
        for name in ("id", "title", "updated", "author"):
            self.assertIsNotNone(feed.find(ATOM + name), name)
        self.assertTrue(any(link.get("rel") == "self"
                            for link in feed.findall(ATOM + "link")))
        entries = feed.findall(ATOM + "entry")
        for e in entries:
            eid = e.find(ATOM + "id").text
            self.assertTrue(eid.startswith("urn:uuid:") or
                            eid.startswith("tag:"), eid)
            self.assertIsNotNone(e.find(ATOM + "title").text)
            self.assertRegex(e.find(ATOM + "updated").text,
                             r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
            self.assertEqual(e.find(ATOM + "content").get("type"), "text")
            self.assertIsNotNone(e.find(ATOM + "author/" + ATOM + "name"))
        return feed, entries

    def test_atom_all(self):
        feed, entries = self.check_atom(self.srv.get("/actueel/feed.atom"))
        ids = [e.find(ATOM + "id").text for e in entries]
        for nid in (self.high, self.poly, self.low, self.u1, self.u2):
            self.assertIn("urn:uuid:" + nid, ids)
        for nid in (self.draft, self.withdrawn, self.ended):
            self.assertNotIn("urn:uuid:" + nid, ids)
        titles = [e.find(ATOM + "title").text for e in entries]
        self.assertIn(XSS, titles)  # escaped in XML, verbatim once parsed

    def test_atom_one(self):
        feed, entries = self.check_atom(
            self.srv.get("/actueel/%s/feed.atom" % self.high))
        ids = [e.find(ATOM + "id").text for e in entries]
        self.assertEqual(sorted(ids), sorted("urn:uuid:" + x for x in
                                             (self.high, self.u1, self.u2)))
        self.assertIn(XSS, feed.find(ATOM + "title").text)

    def test_atom_control_characters(self):
        nid = add_notice(self.srv.data, "Bel\x01\x1b[0m ons",
                         body="a\x0bb\ufffe")
        feed, entries = self.check_atom(
            self.srv.get("/actueel/%s/feed.atom" % nid))
        self.assertEqual(entries[0].find(ATOM + "title").text, "Bel[0m ons")


class PublicSSE(loketlib.SSEClient):
    """loketlib.SSEClient on another path and without authentication."""

    def __init__(self, server, path, last_event_id=None):
        self.raw = RawClient(server.host, server.port, 10)
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.raw.send(RawClient.build("GET", path, headers))
        self.status, self.reason, self.headers = self.raw.read_head()
        self.response = Response(self.status, self.reason, self.headers, b"")
        self.chunked = "chunked" in (self.response.header(
            "Transfer-Encoding") or "").lower()
        self.text = ""
        self.received = b""
        self.eof = False
        if self.status != 200:
            self._read_error_body()


def add_event(data, type_, subject, payload):
    """An event committed by another process: the server's catch-up
    delivers it to the bus within about a second."""
    db_write(data, [("INSERT INTO events (type, subject, time, payload)"
                     " VALUES (?, ?, ?, ?)",
                     (type_, subject, int(time.time() * 1000),
                      json.dumps(payload)))])
    return db_query(data, "SELECT MAX(seq) FROM events")[0][0]


class Stream(LoketTestCase):
    def setUp(self):
        self.srv = self.start_server(heartbeat=1)
        d = self.srv.data
        self.a = add_notice(d, "A")
        self.b = add_notice(d, "B")
        self.draft = add_notice(d, "Concept", status="draft")

    def open(self, path, **kw):
        s = PublicSSE(self.srv, path, **kw)
        self.addCleanup(s.close)
        self.assertEqual(s.status, 200, s.response)
        self.assertTrue(s.response.header("Content-Type").startswith(
            "text/event-stream"))
        return s

    def test_only_notice_events_and_only_this_notice(self):
        every = self.open("/actueel/stream")
        one = self.open("/actueel/%s/stream" % self.b)
        d = self.srv.data
        add_event(d, "party.created", "x", {"id": "x"})
        add_event(d, "notice.published", self.a, {"id": self.a})
        add_event(d, "conversation.created", self.b, {"id": self.b})
        up = str(uuid.uuid4())
        add_event(d, "notice.update_added", up,
                  {"id": up, "notice_id": self.b})
        got = every.events(2)
        self.assertEqual([e["event"] for e in got],
                         ["notice.published", "notice.update_added"])
        self.assertEqual(got[1]["json"]["data"]["notice_id"], self.b)
        mine = one.next_event()
        self.assertEqual(mine["event"], "notice.update_added")
        self.assertEqual(mine["id"], got[1]["id"])
        # Nothing else arrives: only heartbeats.
        with self.assertRaises(socket.timeout):
            every.next_event(timeout=1.5)
        self.assertNotIn("party.created", every.received.decode())
        self.assertNotIn("conversation.created", one.received.decode())

    def test_resume_with_last_event_id(self):
        d = self.srv.data
        every = self.open("/actueel/stream")
        first = add_event(d, "notice.published", self.a, {"id": self.a})
        add_event(d, "team.updated", "t", {"id": "t"})
        last = add_event(d, "notice.ended", self.a, {"id": self.a})
        # Once the bus has them (an id the server has not seen yet would
        # count as one from the future and start at the present):
        self.assertEqual(every.events(2)[1]["id"], str(last))
        s = self.open("/actueel/%s/stream" % self.a, last_event_id=first)
        ev = s.next_event()
        self.assertEqual((ev["event"], ev["id"]), ("notice.ended", str(last)))

    def test_heartbeat(self):
        s = self.open("/actueel/stream")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            b = s.next_block(timeout=5)
            if "heartbeat" in b["comments"]:
                return
        self.fail("no heartbeat")

    def test_unknown_or_draft_notice_is_404(self):
        for nid in (self.draft, str(uuid.uuid4())):
            s = PublicSSE(self.srv, "/actueel/%s/stream" % nid)
            self.addCleanup(s.close)
            self.assertEqual(s.status, 404)


if __name__ == "__main__":
    main()
