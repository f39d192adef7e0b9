"""Participation matching end to end (docs/matching.md): doe mee and its
counter, help needs with places and the race for the last one, offers
and needs with suggested matches and their mails, messages relayed
without addresses, reports, the staff moderation queue, hiding
everywhere, blocking, the post limit, escaping of every text field and
ids that are not the caller's."""

import base64
import hashlib
import os
import re
import secrets
import sys
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loketlib import (LoketTestCase, create_token, db_query,  # noqa: E402
                      db_write, main)

FORM = "application/x-www-form-urlencoded"
EVIL = "<script>alert(1)</script>\"'&amp;"


def now_ms():
    return int(time.time() * 1000)


class Resident:
    """A confirmed resident with a live session, seeded as the
    participation core writes them."""

    def __init__(self, srv, name):
        self.srv = srv
        self.id = str(uuid.uuid4())
        self.email = "%s-%s@bewoner.example" % (name, self.id[:8])
        self.name = name
        self.sid = base64.urlsafe_b64encode(
            secrets.token_bytes(16)).decode().rstrip("=")
        digest = hashlib.blake2b(self.sid.encode(),
                                 digest_size=32).hexdigest()
        t = now_ms()
        db_write(srv.data, [
            ("INSERT INTO p_accounts (id, email, email_key, display_name,"
             " confirmed_at, created_at, updated_at)"
             " VALUES (?, ?, ?, ?, ?, ?, ?)",
             (self.id, self.email, self.email, name, t, t, t)),
            ("INSERT INTO p_sessions (id_hash, account_id, created_at,"
             " last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)",
             (digest, self.id, t, t, t + 86400000)),
        ])
        self.csrf = None

    def headers(self, extra=None):
        h = {"Cookie": "loket_bewoner=" + self.sid}
        h.update(extra or {})
        return h

    def get(self, path):
        return self.srv.get(path, headers=self.headers())

    def token(self):
        if self.csrf is None:
            r = self.get("/initiatieven/aanbod-en-vraag/nieuw")
            assert r.status == 200, r
            m = re.search(r'name="csrf" value="([^"]+)"', r.text)
            assert m, r.text
            self.csrf = m.group(1)
        return self.csrf

    def post(self, path, fields, csrf=True):
        f = dict(fields)
        if csrf:
            f["csrf"] = self.token()
        origin = "http://127.0.0.1:%d" % self.srv.port
        return self.srv.request(
            "POST", path, body=urllib.parse.urlencode(f),
            headers=self.headers({"Content-Type": FORM, "Origin": origin}))


def initiative(srv, owner, status="published", title="Buurttuin"):
    iid = str(uuid.uuid4())
    t = now_ms()
    db_write(srv.data, [
        ("INSERT INTO initiatives (id, owner_id, title, theme_id,"
         " neighbourhood_id, status, status_changed_at, published_at,"
         " created_at, updated_at) VALUES (?, ?, ?, 'groen', 'oost', ?, ?,"
         " ?, ?, ?)",
         (iid, owner.id, title, status, t,
          None if status == "draft" else t, t, t)),
        ("INSERT INTO initiative_organisers VALUES (?, ?, 'owner', ?)",
         (iid, owner.id, t)),
    ])
    return iid


def listing_fields(kind, title, **kw):
    f = {"soort": kind, "categorie": "tools", "thema": "groen",
         "wijk": "oost", "titel": title, "tekst": "Graag!"}
    f.update(kw)
    return f


def location_id(r, prefix):
    loc = r.header("Location") or ""
    m = re.match(re.escape(prefix) + r"([0-9a-f-]{36})", loc)
    assert m, (r, loc)
    return m.group(1)


class Matching(LoketTestCase):
    limit = None

    def setUp(self):
        env = {}
        if self.limit is not None:
            env["LOKET_PARTICIPATION_POST_LIMIT"] = str(self.limit)
        self.srv = self.start_server(
            extra_args=["--public-url", "https://loket.example.nl"], env=env)
        _, self.admin = create_token(self.srv.data, "beheer", "admin")
        _, self.agent = create_token(self.srv.data, "kcc", "api")

    def post_listing(self, who, kind, title, **kw):
        r = who.post("/initiatieven/aanbod-en-vraag",
                     listing_fields(kind, title, **kw))
        self.assertEqual(r.status, 303, r.text)
        return location_id(r, "/initiatieven/aanbod-en-vraag/")

    def outbox(self):
        return db_query(self.srv.data,
                        "SELECT key, payload FROM outbox WHERE kind = 'mail'"
                        " ORDER BY seq")

    # ---- offers, needs, matches, messages --------------------------------

    def test_match_mails_and_relayed_messages(self):
        a, b, c = (Resident(self.srv, n) for n in ("Anna", "Bert", "Cor"))
        need = self.post_listing(a, "need", "Aanhanger gezocht")
        offer = self.post_listing(b, "offer", "Aanhanger te leen")
        rows = db_query(self.srv.data,
                        "SELECT offer_id, need_id, score, reasons"
                        " FROM p_matches")
        self.assertEqual(rows, [(offer, need, 80,
                                 "theme category place time")])
        mails = self.outbox()
        self.assertEqual(len(mails), 2)
        for key, payload in mails:
            # Each side hears of the match; neither gets the other's
            # address.
            self.assertEqual(
                (a.email in payload) + (b.email in payload), 1, payload)
            self.assertIn("/initiatieven/mijn/matches", payload)
        page = a.get("/initiatieven/mijn/matches")
        self.assertEqual(page.status, 200)
        self.assertIn("Aanhanger te leen", page.text)
        self.assertIn("score 80", page.text)

        # Bert writes to Anna's need: a thread; Anna is told by mail
        # without Bert's address or his words.
        r = b.post("/initiatieven/aanbod-en-vraag/%s/bericht" % need,
                   {"tekst": "Bel me: 06-11111111"})
        self.assertEqual(r.status, 303, r.text)
        thread = location_id(r, "/initiatieven/berichten/")
        key, payload = self.outbox()[-1]
        self.assertIn(a.email, payload)
        self.assertNotIn(b.email, payload)
        self.assertNotIn("06-11111111", payload)
        self.assertIn("/initiatieven/berichten/" + thread, payload)
        page = a.get("/initiatieven/berichten/" + thread)
        self.assertEqual(page.status, 200)
        self.assertIn("06-11111111", page.text)
        r = a.post("/initiatieven/berichten/" + thread, {"tekst": "Prima!"})
        self.assertEqual(r.status, 303, r.text)
        self.assertIn(b.email, self.outbox()[-1][1])
        # Neither side ever sees an address on any page.
        for who in (a, b):
            for path in ("/initiatieven/berichten",
                         "/initiatieven/berichten/" + thread,
                         "/initiatieven/mijn/matches",
                         "/initiatieven/aanbod-en-vraag",
                         "/initiatieven/aanbod-en-vraag/" + need,
                         "/initiatieven/aanbod-en-vraag/" + offer):
                text = who.get(path).text
                self.assertNotIn(a.email, text, path)
                self.assertNotIn(b.email, text, path)

        # A third resident: the thread is as unknown as a made-up id, for
        # reading and for writing.
        self.assertEqual(c.get("/initiatieven/berichten/" + thread).status,
                         404)
        self.assertEqual(c.post("/initiatieven/berichten/" + thread,
                                {"tekst": "ik ook"}).status, 404)
        self.assertEqual(db_query(self.srv.data,
                                  "SELECT count(*) FROM p_messages"),
                         [(2,)])
        # Not to one's own listing; not closing another's.
        self.assertEqual(a.post("/initiatieven/aanbod-en-vraag/%s/bericht"
                                % need, {"tekst": "x"}).status, 422)
        self.assertEqual(c.post("/initiatieven/aanbod-en-vraag/%s/sluiten"
                                % need, {}).status, 404)
        r = a.post("/initiatieven/aanbod-en-vraag/%s/sluiten" % need, {})
        self.assertEqual(r.status, 303)
        listed = self.srv.get("/initiatieven/aanbod-en-vraag").text
        self.assertNotIn("Aanhanger gezocht", listed)
        self.assertIn("Aanhanger te leen", listed)

    def test_filters_and_validation(self):
        a, b = Resident(self.srv, "Anna"), Resident(self.srv, "Bert")
        self.post_listing(a, "offer", "Boormachine", wijk="zuid")
        self.post_listing(b, "need", "Ruimte voor repaircafe",
                          categorie="space", thema="samenleven", wijk="")
        page = self.srv.get("/initiatieven/aanbod-en-vraag?soort=need").text
        self.assertIn("Ruimte voor repaircafe", page)
        self.assertNotIn("Boormachine", page)
        page = self.srv.get("/initiatieven/aanbod-en-vraag?wijk=zuid").text
        self.assertIn("Boormachine", page)
        self.assertNotIn("repaircafe", page)
        api = self.srv.get("/api/v1/listings?theme=samenleven",
                           token=self.agent).json()
        self.assertEqual([i["title"] for i in api["items"]],
                         ["Ruimte voor repaircafe"])
        # Form errors are shown next to the fields, nothing is stored.
        for bad in ({"titel": ""}, {"thema": ""}, {"soort": "ruil"},
                    {"vanaf": "2026-13-01"},
                    {"vanaf": "2026-12-05", "tot": "2026-12-01"}):
            r = a.post("/initiatieven/aanbod-en-vraag",
                       listing_fields("offer", "x", **bad))
            self.assertEqual(r.status, 422, bad)
            self.assertIn("Controleer het formulier", r.text)
        r = a.post("/initiatieven/aanbod-en-vraag",
                   listing_fields("offer", "x", thema="bestaat-niet"))
        self.assertEqual(r.status, 422)
        self.assertEqual(db_query(self.srv.data,
                                  "SELECT count(*) FROM p_listings"),
                         [(2,)])
        # Without a session: to the log-in page; a POST without the CSRF
        # field is refused.
        r = self.srv.get("/initiatieven/aanbod-en-vraag/nieuw")
        self.assertEqual(r.status, 303)
        self.assertTrue(r.header("Location").startswith(
            "/initiatieven/inloggen?next="))
        r = a.post("/initiatieven/aanbod-en-vraag",
                   listing_fields("offer", "x"), csrf=False)
        self.assertEqual(r.status, 403)

    def test_escaping_of_every_field(self):
        a, b = Resident(self.srv, EVIL), Resident(self.srv, "Bert")
        need = self.post_listing(a, "need", EVIL, tekst=EVIL)
        r = b.post("/initiatieven/aanbod-en-vraag/%s/bericht" % need,
                   {"tekst": EVIL})
        thread = location_id(r, "/initiatieven/berichten/")
        iid = initiative(self.srv, a, title="Tuin")
        r = a.post("/initiatieven/%s/hulp" % iid,
                   {"titel": EVIL, "plaatsen": "2", "uitleg": EVIL})
        self.assertEqual(r.status, 303, r.text)
        pages = [(b, "/initiatieven/aanbod-en-vraag"),
                 (b, "/initiatieven/aanbod-en-vraag/" + need),
                 (a, "/initiatieven/aanbod-en-vraag/" + need),
                 (a, "/initiatieven/berichten"),
                 (a, "/initiatieven/berichten/" + thread),
                 (b, "/initiatieven/berichten/" + thread),
                 (a, "/initiatieven/mijn/matches"),
                 (b, "/initiatieven/melden?type=listing&id=" + need)]
        for who, path in pages:
            r = who.get(path)
            self.assertEqual(r.status, 200, path)
            self.assertNotIn("<script>alert", r.text, path)
            self.assertNotIn("\"'&amp;amp;\"", r.text, path)
        text = b.get("/initiatieven/aanbod-en-vraag/" + need).text
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;"
                      "&amp;amp;", text)
        # A report whose reason is refused comes back escaped too.
        r = b.post("/initiatieven/melden",
                   {"type": "listing", "id": need, "reden": ""})
        self.assertEqual(r.status, 422)
        # The API returns the text as data, verbatim.
        item = self.srv.get("/api/v1/listings/" + need,
                            token=self.agent).json()
        self.assertEqual(item["title"], EVIL)
        self.assertEqual(item["body"], EVIL)

    # ---- doe mee and help needs -------------------------------------------

    def test_join_counter(self):
        a, b = Resident(self.srv, "Anna"), Resident(self.srv, "Bert")
        iid = initiative(self.srv, a)
        draft = initiative(self.srv, a, status="draft")
        r = b.post("/initiatieven/%s/doe-mee" % iid, {})
        self.assertEqual(r.status, 303)
        self.assertTrue(r.header("Location").startswith(
            "/initiatieven/%s?melding=meedoen" % iid))
        self.assertEqual(b.post("/initiatieven/%s/doe-mee" % iid, {}).status,
                         409)
        count = "SELECT participants_count FROM initiatives WHERE id = ?"
        self.assertEqual(db_query(self.srv.data, count, (iid,)), [(1,)])
        self.assertEqual(b.post("/initiatieven/%s/doe-mee" % draft,
                                {}).status, 404)
        self.assertEqual(b.post("/initiatieven/%s/doe-mee/stoppen" % iid,
                                {}).status, 303)
        self.assertEqual(db_query(self.srv.data, count, (iid,)), [(0,)])
        self.assertEqual(b.post("/initiatieven/%s/doe-mee/stoppen" % iid,
                                {}).status, 404)

    def test_join_counter_under_concurrency(self):
        org = Resident(self.srv, "Org")
        iid = initiative(self.srv, org)
        people = [Resident(self.srv, "J%d" % i) for i in range(16)]
        for p in people:
            p.token()
        go = threading.Barrier(len(people))
        statuses = []

        def join(p):
            go.wait()
            statuses.append(p.post("/initiatieven/%s/doe-mee" % iid,
                                   {}).status)

        threads = [threading.Thread(target=join, args=(p,))
                   for p in people]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(statuses, [303] * 16)
        self.assertEqual(db_query(
            self.srv.data, "SELECT participants_count, (SELECT count(*)"
            " FROM p_joins WHERE initiative_id = ?1) FROM initiatives"
            " WHERE id = ?1", (iid,)), [(16, 16)])

    def test_last_place_under_concurrency(self):
        org = Resident(self.srv, "Org")
        iid = initiative(self.srv, org)
        # Only an organiser asks for help.
        stranger = Resident(self.srv, "Vreemde")
        self.assertEqual(stranger.post("/initiatieven/%s/hulp" % iid,
                                       {"titel": "x", "plaatsen": "3"}).status,
                         404)
        r = org.post("/initiatieven/%s/hulp" % iid,
                     {"titel": "Scheppen zaterdag", "plaatsen": "3",
                      "datum": "2026-12-05", "tijd": "10:00"})
        self.assertEqual(r.status, 303, r.text)
        need = db_query(self.srv.data, "SELECT id FROM p_help_needs")[0][0]
        people = [Resident(self.srv, "R%d" % i) for i in range(24)]
        for p in people:
            p.token()
        statuses = []
        lock = threading.Lock()
        go = threading.Barrier(len(people))

        def sign(p):
            go.wait()
            s = p.post("/initiatieven/hulp/%s/aanmelden" % need, {}).status
            with lock:
                statuses.append(s)

        threads = [threading.Thread(target=sign, args=(p,)) for p in people]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(sorted(statuses), [303] * 3 + [409] * 21)
        self.assertEqual(db_query(self.srv.data,
                                  "SELECT taken, capacity FROM p_help_needs"),
                         [(3, 3)])
        self.assertEqual(db_query(self.srv.data,
                                  "SELECT count(*) FROM p_help_signups"),
                         [(3,)])
        # One sign-up per person; a withdrawal frees the place.
        holder = db_query(self.srv.data,
                          "SELECT account_id FROM p_help_signups")[0][0]
        h = next(p for p in people if p.id == holder)
        self.assertEqual(h.post("/initiatieven/hulp/%s/aanmelden" % need,
                                {}).status, 409)
        self.assertEqual(h.post("/initiatieven/hulp/%s/afmelden" % need,
                                {}).status, 303)
        late = next(p for p in people if p.id != holder and db_query(
            self.srv.data, "SELECT count(*) FROM p_help_signups WHERE"
            " account_id = ?", (p.id,)) == [(0,)])
        self.assertEqual(late.post("/initiatieven/hulp/%s/aanmelden" % need,
                                   {}).status, 303)

    def test_section_on_initiative_page(self):
        org, b = Resident(self.srv, "Org"), Resident(self.srv, "Bert")
        iid = initiative(self.srv, org)
        r = org.post("/initiatieven/%s/hulp" % iid,
                     {"titel": "Aanhanger zaterdag", "plaatsen": "1"})
        self.assertEqual(r.status, 303, r.text)
        need = db_query(self.srv.data, "SELECT id FROM p_help_needs")[0][0]
        page = org.get("/initiatieven/" + iid).text
        self.assertIn('id="doe-mee-kop"', page)
        self.assertIn("Hulp vragen", page)  # the organiser's form
        anon = self.srv.get("/initiatieven/" + iid).text
        self.assertIn("Aanhanger zaterdag", anon)
        self.assertIn("0 van 1 plaatsen bezet", anon)
        self.assertNotIn('action="/initiatieven/%s/hulp"' % iid, anon)
        self.assertEqual(b.post("/initiatieven/hulp/%s/aanmelden" % need,
                                {}).status, 303)
        self.assertEqual(b.post("/initiatieven/%s/doe-mee" % iid, {}).status,
                         303)
        page = b.get("/initiatieven/" + iid).text
        self.assertIn("1 van 1 plaatsen bezet (vol)", page)
        self.assertIn("Afmelden voor deze hulp", page)
        self.assertIn("Niet meer meedoen", page)
        r = self.srv.post_json("/api/v1/moderation/actions",
                               {"action": "hide", "type": "help_need",
                                "id": need, "reason": "Dubbel"},
                               token=self.admin)
        self.assertEqual(r.status, 200, r.text)
        self.assertNotIn("Aanhanger zaterdag",
                         self.srv.get("/initiatieven/" + iid).text)
        self.assertEqual(b.post("/initiatieven/hulp/%s/afmelden" % need,
                                {}).status, 404)

    # ---- moderation ------------------------------------------------------

    def test_report_hide_restore_block(self):
        a, b = Resident(self.srv, "Anna"), Resident(self.srv, "Bert")
        need = self.post_listing(a, "need", "Aanhanger gezocht")
        offer = self.post_listing(b, "offer", "Koop nu goedkope horloges")
        r = a.post("/initiatieven/melden",
                   {"type": "listing", "id": offer, "reden": "Reclame"})
        self.assertEqual(r.status, 200, r.text)
        # Unknown targets cannot be reported.
        r = a.post("/initiatieven/melden", {"type": "listing",
                                            "id": str(uuid.uuid4()),
                                            "reden": "x"})
        self.assertEqual(r.status, 404)

        q = self.srv.get("/api/v1/moderation/reports", token=self.agent)
        self.assertEqual(q.status, 200)
        items = q.json()["items"]
        self.assertEqual(len(items), 1)
        self.assertEqual((items[0]["type"], items[0]["target"],
                          items[0]["reason"]), ("listing", offer, "Reclame"))
        act = {"action": "hide", "type": "listing", "id": offer,
               "reason": "Commerciële reclame"}
        # An agent reads the queue, a supervisor acts.
        r = self.srv.post_json("/api/v1/moderation/actions", act,
                               token=self.agent)
        self.assertEqual(r.status, 403)
        r = self.srv.post_json("/api/v1/moderation/actions", act,
                               token=self.admin)
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["reportsResolved"], 1)
        r = self.srv.post_json("/api/v1/moderation/actions", act,
                               token=self.admin)
        self.assertProblem(r, 409)
        self.assertEqual(self.srv.get("/api/v1/moderation/reports",
                                      token=self.agent).json()["items"], [])

        # Gone everywhere but for its author, who sees why.
        self.assertNotIn("horloges",
                         self.srv.get("/initiatieven/aanbod-en-vraag").text)
        self.assertEqual(a.get("/initiatieven/aanbod-en-vraag/" +
                               offer).status, 404)
        self.assertNotIn("horloges", a.get("/initiatieven/mijn/matches").text)
        api = self.srv.get("/api/v1/listings", token=self.agent).json()
        self.assertEqual([i["id"] for i in api["items"]], [need])
        own = b.get("/initiatieven/aanbod-en-vraag/" + offer)
        self.assertEqual(own.status, 200)
        self.assertIn("Commerciële reclame", own.text)
        self.assertIn("Commerciële reclame",
                      b.get("/initiatieven/mijn/matches").text)
        audit = db_query(self.srv.data, "SELECT actor, action, subject"
                         " FROM audit_log WHERE action = 'hide'")
        self.assertEqual(len(audit), 1)
        self.assertEqual(audit[0][2], "listing:" + offer)
        # Restore: back in the list.
        r = self.srv.post_json("/api/v1/moderation/actions",
                               {"action": "restore", "type": "listing",
                                "id": offer}, token=self.admin)
        self.assertEqual(r.status, 200, r.text)
        self.assertIn("horloges",
                      self.srv.get("/initiatieven/aanbod-en-vraag").text)

        # Block: no more posting, messages or reports.
        r = self.srv.post_json("/api/v1/moderation/actions",
                               {"action": "block", "id": b.id,
                                "reason": "Spam"}, token=self.admin)
        self.assertEqual(r.status, 200, r.text)
        r = b.post("/initiatieven/aanbod-en-vraag",
                   listing_fields("offer", "Nog meer horloges"))
        self.assertEqual(r.status, 403)
        self.assertEqual(b.post("/initiatieven/aanbod-en-vraag/%s/bericht"
                                % need, {"tekst": "hoi"}).status, 403)
        r = self.srv.post_json("/api/v1/moderation/actions",
                               {"action": "unblock", "id": b.id},
                               token=self.admin)
        self.assertEqual(r.status, 200)
        self.post_listing(b, "offer", "Gratis tuinslang")

    def test_hide_message_update_initiative(self):
        a, b = Resident(self.srv, "Anna"), Resident(self.srv, "Bert")
        need = self.post_listing(a, "need", "Ladder")
        r = b.post("/initiatieven/aanbod-en-vraag/%s/bericht" % need,
                   {"tekst": "Scheldwoord"})
        thread = location_id(r, "/initiatieven/berichten/")
        msg = db_query(self.srv.data, "SELECT id FROM p_messages")[0][0]
        r = a.post("/initiatieven/melden",
                   {"type": "message", "id": msg, "reden": "Beledigend"})
        self.assertEqual(r.status, 200)
        rep = self.srv.get("/api/v1/moderation/reports",
                           token=self.agent).json()["items"][0]
        one = self.srv.get("/api/v1/moderation/reports/" + rep["id"],
                           token=self.agent).json()
        self.assertEqual((one["type"], one["content"]["body"]),
                         ("message", "Scheldwoord"))
        r = self.srv.post_json("/api/v1/moderation/actions",
                               {"action": "hide", "type": "message",
                                "id": msg, "reason": "Beledigend"},
                               token=self.admin)
        self.assertEqual(r.status, 200, r.text)
        self.assertNotIn("Scheldwoord",
                         a.get("/initiatieven/berichten/" + thread).text)
        mine = b.get("/initiatieven/berichten/" + thread).text
        self.assertIn("Scheldwoord", mine)
        self.assertIn("Verborgen door de gemeente", mine)

        # Initiatives and updates (0018's tables): the hidden mark, and
        # the update no longer counted.
        iid = initiative(self.srv, a)
        upd = str(uuid.uuid4())
        db_write(self.srv.data, [
            ("INSERT INTO initiative_updates (id, initiative_id, author_id,"
             " title, body, created_at) VALUES (?, ?, ?, 'Nieuws', 'x', 1)",
             (upd, iid, a.id)),
            ("UPDATE initiatives SET updates_count = 1 WHERE id = ?",
             (iid,))])
        r = b.post("/initiatieven/melden",
                   {"type": "update", "id": upd, "reden": "Onjuist"})
        self.assertEqual(r.status, 200)
        for typ, ident in (("update", upd), ("initiative", iid)):
            r = self.srv.post_json("/api/v1/moderation/actions",
                                   {"action": "hide", "type": typ,
                                    "id": ident, "reason": "Onjuist"},
                                   token=self.admin)
            self.assertEqual(r.status, 200, r.text)
        self.assertEqual(db_query(
            self.srv.data, "SELECT hidden_reason, updates_count FROM"
            " initiatives WHERE id = ?", (iid,)), [("Onjuist", 0)])
        self.assertEqual(db_query(
            self.srv.data, "SELECT hidden_reason FROM initiative_updates"
            " WHERE id = ?", (upd,)), [("Onjuist",)])
        # Gone from the public list, page and open-data export.
        for path in ("/initiatieven", "/initiatieven/export.json",
                     "/initiatieven/export.csv"):
            self.assertNotIn(iid, self.srv.get(path).text, path)
        self.assertEqual(self.srv.get("/initiatieven/" + iid).status, 404)
        # A hidden initiative takes nobody in.
        self.assertEqual(b.post("/initiatieven/%s/doe-mee" % iid, {}).status,
                         404)
        events = [t for (t,) in db_query(
            self.srv.data, "SELECT type FROM events WHERE type LIKE"
            " 'moderation.%' OR type LIKE 'report.%'")]
        self.assertEqual(events.count("moderation.hidden"), 3)
        self.assertEqual(events.count("report.created"), 2)
        # Payloads carry ids and states, never reasons or texts.
        for (p,) in db_query(self.srv.data, "SELECT payload FROM events"
                             " WHERE type LIKE 'moderation.%'"):
            self.assertNotIn("Onjuist", p)
            self.assertNotIn("Beledigend", p)

    def test_moderation_api_validation(self):
        for body, field in (({"action": "wipe", "id": "x"}, "/action"),
                            ({"action": "hide", "type": "listing",
                              "id": "x"}, "/reason"),
                            ({"action": "hide", "type": "account",
                              "id": "x", "reason": "r"}, "/type")):
            r = self.srv.post_json("/api/v1/moderation/actions", body,
                                   token=self.admin)
            self.assertProblem(r, 422, field=field)
        r = self.srv.post_json("/api/v1/moderation/actions",
                               {"action": "hide", "type": "listing",
                                "id": str(uuid.uuid4()), "reason": "r"},
                               token=self.admin)
        self.assertProblem(r, 404)
        r = self.srv.get("/api/v1/moderation/reports?state=weird",
                         token=self.agent)
        self.assertProblem(r, 400)
        self.assertEqual(self.srv.get("/api/v1/moderation/reports").status,
                         401)


class PostLimit(LoketTestCase):
    def test_posts_per_hour(self):
        srv = self.start_server(env={"LOKET_PARTICIPATION_POST_LIMIT": "3"})
        a = Resident(srv, "Anna")
        for i in range(3):
            r = a.post("/initiatieven/aanbod-en-vraag",
                       listing_fields("offer", "Ding %d" % i))
            self.assertEqual(r.status, 303, r.text)
        r = a.post("/initiatieven/aanbod-en-vraag",
                   listing_fields("offer", "Nog een"))
        self.assertEqual(r.status, 429)
        self.assertGreater(int(r.header("Retry-After")), 0)
        self.assertIn("Even wachten", r.text)
        self.assertIn('lang="nl"', r.text)
        # Per account and kind: another resident, and a report, still go.
        b = Resident(srv, "Bert")
        r = b.post("/initiatieven/aanbod-en-vraag",
                   listing_fields("need", "Iets"))
        self.assertEqual(r.status, 303)
        self.assertEqual(db_query(srv.data,
                                  "SELECT count(*) FROM p_listings"), [(4,)])


if __name__ == "__main__":
    main()
