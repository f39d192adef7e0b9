#!/usr/bin/env python3
"""Facilitation (docs/facilitation.md): organisers ask for a room, crew
hours or a budget through the resident pages; staff assess, decide and
pay through /api/v1; pots are never overspent and rooms never booked twice
under concurrent decisions; meetings fill up to their capacity and no
further; the .ics file is valid RFC 5545; every text field is escaped;
one initiative's organiser cannot touch another's requests.

Accounts, sessions and initiatives belong to the participation core
(migration 0018); the tests write those rows straight into the database
as that core would, and drive everything of facilitation over HTTP."""
import base64
import csv
import datetime
import hashlib
import io
import json
import re
import secrets
import sqlite3
import threading
import time
import urllib.parse
import uuid
import zoneinfo

from loketlib import (LoketTestCase, create_token, db_query, db_write, main,
                      wait_until)

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
EVIL = "<script>alert(1)</script> & \"quotes\" 'n; komma, \\slash"


def now_ms():
    return int(time.time() * 1000)


def new_id():
    return str(uuid.uuid4())


def next_weekday(days_ahead=10, weekday=1):
    """A date at least `days_ahead` days away falling on ISO `weekday`."""
    d = datetime.date.today() + datetime.timedelta(days=days_ahead)
    while d.isoweekday() != weekday:
        d += datetime.timedelta(days=1)
    return d


def local_ms(d, hhmm):
    h, m = map(int, hhmm.split(":"))
    dt = datetime.datetime(d.year, d.month, d.day, h, m, tzinfo=AMS)
    return int(dt.timestamp() * 1000)


class Facilitation(LoketTestCase):
    def setUp(self):
        self.srv = self.start_server()
        self.data = self.srv.data
        _, self.admin = create_token(self.data, "admin", "admin")
        _, self.agent = create_token(self.data, "agent", "api")
        self.origin = "http://127.0.0.1:%d" % self.srv.port

    # ---- fixtures of the participation core ----------------------------

    def account(self, name="Bewoner"):
        """A confirmed account with a live session; returns (id, cookie)."""
        aid = new_id()
        sid = base64.urlsafe_b64encode(
            secrets.token_bytes(16)).decode().rstrip("=")
        t = now_ms()
        email = "%s@example.nl" % aid[:8]
        db_write(self.data, [
            ("INSERT INTO p_accounts (id, email, email_key, display_name,"
             " confirmed_at, created_at, updated_at)"
             " VALUES (?, ?, ?, ?, ?, ?, ?)",
             (aid, email, email, name, t, t, t)),
            ("INSERT INTO p_sessions (id_hash, account_id, created_at,"
             " last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)",
             (hashlib.blake2b(sid.encode(), digest_size=32).hexdigest(), aid,
              t, t, t + 86400000)),
        ])
        return aid, "loket_bewoner=" + sid

    def initiative(self, owner, neighbourhood="oost", title="Moestuin"):
        iid = new_id()
        t = now_ms()
        db_write(self.data, [
            ("INSERT INTO initiatives (id, owner_id, title, summary,"
             " neighbourhood_id, theme_id, status, status_changed_at,"
             " published_at, created_at, updated_at)"
             " VALUES (?, ?, ?, 'Samen tuinieren', ?, 'groen', 'running',"
             " ?, ?, ?, ?)", (iid, owner, title, neighbourhood, t, t, t, t)),
            ("INSERT INTO initiative_organisers (initiative_id, account_id,"
             " role, created_at) VALUES (?, ?, 'owner', ?)", (iid, owner, t)),
        ])
        return iid

    # ---- HTTP helpers ----------------------------------------------------

    def page(self, path, cookie):
        return self.srv.get(path, headers={"Cookie": cookie})

    def csrf(self, path, cookie):
        r = self.page(path, cookie)
        self.assertEqual(r.status, 200, r)
        m = re.search(r'name="csrf" value="([^"]+)"', r.text)
        self.assertIsNotNone(m, r.text)
        return m.group(1)

    def form(self, path, fields, cookie, csrf):
        f = dict(fields)
        f["csrf"] = csrf
        return self.srv.request(
            "POST", path, body=urllib.parse.urlencode(f),
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Origin": self.origin, "Cookie": cookie})

    def ask(self, iid, cookie, **fields):
        path = "/initiatieven/%s/faciliteiten" % iid
        tok = self.csrf(path, cookie)
        return self.form(path, fields, cookie, tok)

    def ask_ok(self, iid, cookie, **fields):
        r = self.ask(iid, cookie, **fields)
        self.assertEqual(r.status, 303, r.text)
        loc = r.header("Location")
        m = re.search(r"#aanvraag-([0-9a-f-]{36})$", loc)
        self.assertIsNotNone(m, loc)
        return m.group(1)

    def api(self, method, path, body=None, token=None):
        return self.srv.request(method, "/api/v1" + path, json_body=body,
                                token=token or self.admin)

    def decide(self, rid, body, token=None):
        return self.api("POST", "/facilitation-requests/%s/decision" % rid,
                        body, token)

    def pot(self, year=None, nb="oost", cents=100000):
        year = year or datetime.datetime.now(AMS).year
        r = self.api("POST", "/budget-pots",
                     {"year": year, "neighbourhoodId": nb,
                      "amountCents": cents})
        self.assertEqual(r.status, 201, r.text)
        return r.json()

    def room(self, name="Stadhuis zaal 1", capacity=40,
             location="Stadsplateau 1"):
        r = self.api("POST", "/rooms",
                     {"name": name, "location": location,
                      "capacity": capacity, "opens": "09:00",
                      "closes": "22:00", "days": [1, 2, 3, 4, 5]})
        self.assertEqual(r.status, 201, r.text)
        return r.json()

    def parallel(self, fns):
        out = [None] * len(fns)
        start = threading.Barrier(len(fns))

        def run(i):
            start.wait()
            out[i] = fns[i]()
        ts = [threading.Thread(target=run, args=(i,))
              for i in range(len(fns))]
        for t in ts:
            t.start()
        for t in ts:
            t.join(60)
        return out

    # ---- tests -----------------------------------------------------------

    def test_budget_life_cycle(self):
        aid, cookie = self.account("Anna")
        iid = self.initiative(aid)
        pot = self.pot(cents=50000)
        rid = self.ask_ok(iid, cookie, soort="budget", doel="Zaden en gereedschap",
                          bedrag="250,00")
        r = self.api("GET", "/facilitation-requests/" + rid)
        self.assertEqual(r.status, 200, r.text)
        req = r.json()
        self.assertEqual(req["status"], "submitted")
        self.assertEqual(req["amountCents"], 25000)
        self.assertEqual(req["requestedBy"], aid)

        # Agents read but do not decide.
        r = self.decide(rid, {"outcome": "granted"}, token=self.agent)
        self.assertEqual(r.status, 403, r.text)
        r = self.api("POST", "/facilitation-requests/%s/review" % rid)
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["status"], "in_review")
        # Partly needs a reason and less than asked.
        r = self.decide(rid, {"outcome": "partly_granted",
                              "grantedCents": 10000})
        self.assertProblem(r, 422, "invalid-field", "/reason")
        r = self.decide(rid, {"outcome": "partly_granted",
                              "grantedCents": 30000, "reason": "x"})
        self.assertProblem(r, 422, "invalid-field", "/grantedCents")
        r = self.decide(rid, {"outcome": "partly_granted",
                              "grantedCents": 10000,
                              "reason": "Gereedschap leent u bij de "
                                        "buurtschuur"})
        self.assertEqual(r.status, 200, r.text)
        req = r.json()
        self.assertEqual(req["status"], "partly_granted")
        self.assertEqual(req["grantedCents"], 10000)
        self.assertEqual(req["potId"], pot["id"])
        p = self.api("GET", "/budget-pots/" + pot["id"]).json()
        self.assertEqual((p["committedCents"], p["paidCents"], p["leftCents"]),
                         (10000, 0, 40000))
        # A second decision is a conflict.
        r = self.decide(rid, {"outcome": "granted"})
        self.assertProblem(r, 409, "invalid-transition")

        # Payments move committed to paid, never beyond what was granted.
        r = self.api("POST", "/facilitation-requests/%s/payments" % rid,
                     {"amountCents": 6000})
        self.assertEqual(r.status, 200, r.text)
        r = self.api("POST", "/facilitation-requests/%s/payments" % rid,
                     {"amountCents": 5000})
        self.assertProblem(r, 409, "budget-exceeded")
        p = self.api("GET", "/budget-pots/" + pot["id"]).json()
        self.assertEqual((p["committedCents"], p["paidCents"], p["leftCents"]),
                         (4000, 6000, 40000))
        # The pot cannot shrink below what it has given.
        r = self.api("PATCH", "/budget-pots/" + pot["id"],
                     {"amountCents": 9999})
        self.assertProblem(r, 409, "budget-exceeded")
        r = self.api("PATCH", "/budget-pots/" + pot["id"],
                     {"amountCents": 20000})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["leftCents"], 10000)

        hist = self.api("GET", "/facilitation-requests/" + rid).json()[
            "history"]
        self.assertEqual([h["action"] for h in hist],
                         ["submitted", "in_review", "partly_granted", "paid"])
        self.assertEqual(hist[0]["actor"], "p:" + aid)
        self.assertEqual(hist[3]["amountCents"], 6000)
        # Staff decisions are audited; residents' steps logged.
        actions = [a for (a,) in db_query(
            self.data, "SELECT action FROM audit_log WHERE subject = ?",
            (rid,))]
        self.assertEqual(actions, ["facilitation.reviewed",
                                   "facilitation.decided",
                                   "facilitation.paid"])
        self.assertTrue(db_query(
            self.data, "SELECT 1 FROM audit_log WHERE subject = ? AND"
            " action = 'budget_pot.updated'", (pot["id"],)))
        self.assertTrue(db_query(
            self.data, "SELECT 1 FROM processing_log WHERE resource = ?",
            ("facilitation-requests/" + rid,)))
        types = [t for (t,) in db_query(
            self.data, "SELECT type FROM events WHERE subject = ?"
            " ORDER BY seq", (rid,))]
        self.assertEqual(types, ["facilitation.requested",
                                 "facilitation.reviewed",
                                 "facilitation.decided", "facilitation.paid"])

        # The organisers see the decision, its reason and the history.
        html = self.page("/initiatieven/%s/faciliteiten" % iid, cookie).text
        self.assertIn("Deels toegekend", html)
        self.assertIn("Gereedschap leent u bij de buurtschuur", html)
        self.assertIn("€ 100,00 toegekend", html)
        self.assertIn("door de gemeente", html)

        # The initiative's own page shows what the municipality gave, to
        # everyone; its organisers also get the links to ask and to plan.
        r = self.srv.get("/initiatieven/" + iid)
        self.assertEqual(r.status, 200, r.text)
        self.assertIn("Bijdrage van de gemeente", r.text)
        self.assertIn("€ 100,00 toegekend, waarvan € 60,00 uitbetaald",
                      r.text)
        self.assertNotIn("/faciliteiten", r.text)
        html = self.page("/initiatieven/" + iid, cookie).text
        self.assertIn('href="/initiatieven/%s/faciliteiten"' % iid, html)

        # The public summary counts it in the initiative's neighbourhood.
        html = self.srv.get("/initiatieven/gefaciliteerd").text
        self.assertIn("Oost", html)
        self.assertIn("€ 100,00", html)
        data = self.srv.get("/initiatieven/gefaciliteerd.json").json()
        oost = [n for n in data["neighbourhoods"]
                if n["neighbourhoodId"] == "oost"][0]
        self.assertEqual(oost["granted"]["grantedCents"], 10000)
        self.assertEqual(oost["granted"]["paidCents"], 6000)
        csv = self.srv.get("/initiatieven/gefaciliteerd.csv")
        self.assertTrue(csv.content_type.startswith("text/csv"))
        self.assertIn(",oost,Oost,0,0,0,10000,6000", csv.text)

    def test_no_pot_and_declined(self):
        aid, cookie = self.account()
        iid = self.initiative(aid, neighbourhood="west")
        rid = self.ask_ok(iid, cookie, soort="budget", doel="Koffie",
                          bedrag="12,5")
        self.assertEqual(self.api("GET", "/facilitation-requests/" + rid)
                         .json()["amountCents"], 1250)
        r = self.decide(rid, {"outcome": "granted"})
        self.assertProblem(r, 409, "no-budget-pot")
        r = self.decide(rid, {"outcome": "declined"})
        self.assertProblem(r, 422, "invalid-field", "/reason")
        r = self.decide(rid, {"outcome": "declined", "reason": "Geen budget"})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["reason"], "Geen budget")
        # Form validation: a bad amount is shown next to its field.
        r = self.ask(iid, cookie, soort="budget", doel="x", bedrag="veel")
        self.assertEqual(r.status, 422)
        self.assertIn('id="budget-bedrag-fout"', r.text)
        self.assertIn('aria-invalid="true"', r.text)

    def test_last_euros_concurrent(self):
        aid, cookie = self.account()
        iid = self.initiative(aid, neighbourhood="zuid")
        pot = self.pot(nb="zuid", cents=10000)
        rids = [self.ask_ok(iid, cookie, soort="budget", doel="Deel %d" % i,
                            bedrag="30") for i in range(12)]
        out = self.parallel([
            (lambda rid=rid: self.decide(rid, {"outcome": "granted"}))
            for rid in rids])
        granted = [r for r in out if r.status == 200]
        refused = [r for r in out if r.status == 409]
        self.assertEqual(len(granted), 3, [r.status for r in out])
        self.assertEqual(len(refused), 9)
        for r in refused:
            self.assertEqual(r.json()["type"],
                             "urn:loket:problem:budget-exceeded")
        p = self.api("GET", "/budget-pots/" + pot["id"]).json()
        self.assertEqual(p["committedCents"], 9000)
        self.assertEqual(p["leftCents"], 1000)
        # The refused requests stay open for another decision.
        open_ = self.api("GET", "/facilitation-requests?status=submitted"
                         "&initiativeId=" + iid).json()["items"]
        self.assertEqual(len(open_), 9)

    def test_room_bookings_concurrent(self):
        room = self.room()
        day = next_weekday(10, 2)  # a Tuesday
        cookies, rids = [], []
        for i in range(6):
            aid, cookie = self.account()
            iid = self.initiative(aid, title="Club %d" % i)
            # Overlapping evenings: 19:00-21:00 shifted by 15 minutes each.
            start = "%02d:%02d" % (19, 15 * (i % 4))
            rids.append(self.ask_ok(iid, cookie, soort="room",
                                    doel="Vergadering", zaal=room["id"],
                                    datum=day.isoformat(), van=start,
                                    tot="21:00", personen="10"))
            cookies.append((iid, cookie))
        out = self.parallel([
            (lambda rid=rid: self.decide(rid, {"outcome": "granted"}))
            for rid in rids])
        self.assertEqual(sum(r.status == 200 for r in out), 1,
                         [r.status for r in out])
        for r in out:
            if r.status != 200:
                self.assertProblem(r, 409, "room-booked")
        rows = db_query(self.data, "SELECT starts_at, ends_at FROM"
                        " room_bookings WHERE room_id = ?", (room["id"],))
        self.assertEqual(len(rows), 1)
        # A room cannot be partly granted, nor asked outside its hours,
        # nor for more people than it holds.
        iid, cookie = cookies[0]
        r = self.ask(iid, cookie, soort="room", doel="Laat", zaal=room["id"],
                     datum=day.isoformat(), van="21:00", tot="23:00",
                     personen="5")
        self.assertEqual(r.status, 422)
        self.assertIn("niet open", r.text)
        saturday = next_weekday(10, 6)
        r = self.ask(iid, cookie, soort="room", doel="Weekend",
                     zaal=room["id"], datum=saturday.isoformat(), van="10:00",
                     tot="12:00", personen="5")
        self.assertEqual(r.status, 422)
        r = self.ask(iid, cookie, soort="room", doel="Groot", zaal=room["id"],
                     datum=day.isoformat(), van="10:00", tot="12:00",
                     personen="400")
        self.assertEqual(r.status, 422)
        self.assertIn("passen niet", r.text)
        r = self.decide(rids[1], {"outcome": "partly_granted", "reason": "x"})
        self.assertIn(r.status, (409, 422))
        # The public side counts the granted room.
        rid = [rids[i] for i in range(6) if out[i].status == 200][0]
        req = self.api("GET", "/facilitation-requests/" + rid).json()
        self.assertIsNotNone(req["bookingId"])

    def test_crew_hours_and_withdraw(self):
        aid, cookie = self.account()
        iid = self.initiative(aid)
        day = next_weekday(5, 3)
        rid = self.ask_ok(iid, cookie, soort="crew", doel="Bankjes plaatsen",
                          uren="16", datum=day.isoformat(),
                          totdatum=(day + datetime.timedelta(days=2))
                          .isoformat())
        req = self.api("GET", "/facilitation-requests/" + rid).json()
        self.assertEqual(req["hours"], 16)
        self.assertEqual(req["endsAt"] - req["startsAt"], 3 * 86400000)
        r = self.decide(rid, {"outcome": "partly_granted", "grantedHours": 8,
                              "reason": "Eén ploeg"})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["grantedHours"], 8)
        # A granted request cannot be withdrawn.
        path = "/initiatieven/%s/faciliteiten" % iid
        tok = self.csrf(path, cookie)
        r = self.form(path + "/%s/intrekken" % rid, {}, cookie, tok)
        self.assertEqual(r.status, 303)
        self.assertEqual(self.api("GET", "/facilitation-requests/" + rid)
                         .json()["status"], "partly_granted")
        # An open one can; then staff cannot decide it.
        rid2 = self.ask_ok(iid, cookie, soort="crew", doel="Snoeien",
                           uren="4", datum=day.isoformat())
        r = self.form(path + "/%s/intrekken" % rid2, {}, cookie, tok)
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(self.api("GET", "/facilitation-requests/" + rid2)
                         .json()["status"], "withdrawn")
        r = self.decide(rid2, {"outcome": "granted"})
        self.assertProblem(r, 409, "invalid-transition")
        # Without the CSRF token nothing happens.
        rid3 = self.ask_ok(iid, cookie, soort="crew", doel="Vegen", uren="2",
                           datum=day.isoformat())
        r = self.form(path + "/%s/intrekken" % rid3, {}, cookie, "nee")
        self.assertEqual(r.status, 403)
        self.assertEqual(self.api("GET", "/facilitation-requests/" + rid3)
                         .json()["status"], "submitted")

    def test_other_initiative_idor(self):
        a, ca = self.account("A")
        b, cb = self.account("B")
        ia = self.initiative(a)
        ib = self.initiative(b)
        rid = self.ask_ok(ia, ca, soort="budget", doel="Geheim plan",
                          bedrag="10")
        # B sees nothing of A's page and cannot withdraw A's request,
        # neither through A's initiative nor through B's own.
        r = self.page("/initiatieven/%s/faciliteiten" % ia, cb)
        self.assertEqual(r.status, 404)
        self.assertNotIn("Geheim plan", r.text)
        tok = self.csrf("/initiatieven/%s/faciliteiten" % ib, cb)
        for path in ("/initiatieven/%s/faciliteiten/%s/intrekken" % (ia, rid),
                     "/initiatieven/%s/faciliteiten/%s/intrekken" % (ib, rid)):
            r = self.form(path, {}, cb, tok)
            self.assertEqual(r.status, 404, path)
        self.assertEqual(self.api("GET", "/facilitation-requests/" + rid)
                         .json()["status"], "submitted")
        # Nor ask for A's initiative.
        r = self.form("/initiatieven/%s/faciliteiten" % ia,
                      {"soort": "budget", "doel": "x", "bedrag": "5"}, cb, tok)
        self.assertEqual(r.status, 404)
        self.assertNotIn("Geheim plan", self.page(
            "/initiatieven/%s/faciliteiten" % ib, cb).text)
        # Without a session: to the log-in page.
        r = self.srv.get("/initiatieven/%s/faciliteiten" % ia)
        self.assertEqual(r.status, 303)
        self.assertIn("/initiatieven/inloggen?next=", r.header("Location"))

    def test_escaping(self):
        aid, cookie = self.account(EVIL)
        iid = self.initiative(aid, title=EVIL)
        self.pot(cents=100000)
        room = self.room(name="Zaal " + EVIL, location=EVIL)
        rid = self.ask_ok(iid, cookie, soort="budget", doel=EVIL + "\nregel 2",
                          bedrag="5")
        r = self.decide(rid, {"outcome": "partly_granted",
                              "grantedCents": 100, "reason": EVIL})
        self.assertEqual(r.status, 200, r.text)
        # JSON carries the text verbatim.
        req = self.api("GET", "/facilitation-requests/" + rid).json()
        self.assertEqual(req["purpose"], EVIL + "\nregel 2")
        self.assertEqual(req["reason"], EVIL)
        self.assertEqual(self.api("GET", "/rooms/" + room["id"])
                         .json()["name"], "Zaal " + EVIL)
        # HTML escapes every one of them.
        day = next_weekday(10, 4)
        r = self.ask(iid, cookie, soort="room", doel=EVIL, zaal=room["id"],
                     datum=day.isoformat(), van="10:00", tot="11:00",
                     personen="2")
        self.assertEqual(r.status, 303, r.text)
        mid = self.meeting(iid, cookie, titel=EVIL, omschrijving=EVIL,
                           plaats=EVIL, plaatsen="5")
        self.register(mid, cookie)
        for path in ("/initiatieven/%s/faciliteiten" % iid,
                     "/initiatieven/bijeenkomsten/" + mid,
                     "/initiatieven/gefaciliteerd"):
            html = self.page(path, cookie).text
            self.assertNotIn("<script>alert", html, path)
            self.assertNotIn('"quotes"', html.split("</head>")[1], path)
        html = self.page("/initiatieven/%s/faciliteiten" % iid, cookie).text
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; &amp; "
                      "&quot;quotes&quot;", html)
        html = self.page("/initiatieven/bijeenkomsten/" + mid, cookie).text
        self.assertIn("&lt;script&gt;", html)
        # The organiser's list shows the registrant's name, escaped.
        self.assertIn("Aanmeldingen", html)
        # <title>, the initiative's link, the heading, the place, the
        # description and the registrant: all six escaped.
        self.assertEqual(html.count("&lt;script&gt;alert(1)"), 6, html)

    # ---- meetings ----------------------------------------------------------

    def meeting(self, iid, cookie, **fields):
        path = "/initiatieven/%s/bijeenkomsten" % iid
        tok = self.csrf(path, cookie)
        day = next_weekday(12, 3)
        f = {"titel": "Plantdag", "omschrijving": "", "plaats": "Moestuin",
             "reservering": "", "datum": day.isoformat(), "van": "10:00",
             "tot": "12:30", "plaatsen": "3"}
        f.update(fields)
        r = self.form(path, f, cookie, tok)
        self.assertEqual(r.status, 303, r.text)
        m = re.search(r"/initiatieven/bijeenkomsten/([0-9a-f-]{36})$",
                      r.header("Location"))
        return m.group(1)

    def register(self, mid, cookie, action="aanmelden"):
        path = "/initiatieven/bijeenkomsten/" + mid
        tok = self.csrf(path, cookie) if action else None
        return self.form(path + "/" + action, {}, cookie, tok)

    def test_meeting_last_seat_concurrent(self):
        aid, cookie = self.account("Organisator")
        iid = self.initiative(aid)
        mid = self.meeting(iid, cookie, plaatsen="3")
        people = [self.account("Deelnemer %d" % i) for i in range(10)]
        tokens = [self.csrf("/initiatieven/bijeenkomsten/" + mid, c)
                  for _, c in people]
        path = "/initiatieven/bijeenkomsten/%s/aanmelden" % mid
        out = self.parallel([
            (lambda c=c, t=t: self.form(path, {}, c, t))
            for (_, c), t in zip(people, tokens)])
        self.assertTrue(all(r.status == 303 for r in out))
        notes = [r.header("Location").split("melding=")[1] for r in out]
        self.assertEqual(notes.count("aangemeld"), 3, notes)
        self.assertEqual(notes.count("vol"), 7, notes)
        (registered,), = db_query(self.data, "SELECT registered FROM meetings"
                                  " WHERE id = ?", (mid,))
        self.assertEqual(registered, 3)
        self.assertEqual(db_query(
            self.data, "SELECT COUNT(*) FROM meeting_registrations WHERE"
            " meeting_id = ?", (mid,))[0][0], 3)
        winner = [people[i] for i in range(10) if notes[i] == "aangemeld"][0]
        loser = [people[i] for i in range(10) if notes[i] == "vol"][0]
        # Registering twice keeps one registration.
        r = self.register(mid, winner[1])
        self.assertIn("melding=aangemeld", r.header("Location"))
        self.assertEqual(db_query(self.data, "SELECT registered FROM meetings"
                                  " WHERE id = ?", (mid,))[0][0], 3)
        # Unregistering frees the seat for someone else.
        r = self.register(mid, winner[1], "afmelden")
        self.assertIn("melding=afgemeld", r.header("Location"))
        r = self.register(mid, loser[1])
        self.assertIn("melding=aangemeld", r.header("Location"))
        # Staff and the organiser see who comes; others do not.
        regs = self.api("GET", "/meetings/%s/registrations" % mid,
                        token=self.agent)
        self.assertEqual(regs.status, 200, regs.text)
        self.assertEqual(len(regs.json()["items"]), 3)
        names = {i["displayName"] for i in regs.json()["items"]}
        self.assertIn(loser and db_query(
            self.data, "SELECT display_name FROM p_accounts WHERE id = ?",
            (loser[0],))[0][0], names)
        html = self.page("/initiatieven/bijeenkomsten/" + mid, cookie).text
        self.assertIn("Aanmeldingen", html)
        html = self.page("/initiatieven/bijeenkomsten/" + mid,
                         people[0][1]).text
        self.assertNotIn("Aanmeldingen", html)
        # A read is logged by a write of its own, shortly after.
        wait_until(lambda: db_query(
            self.data, "SELECT 1 FROM processing_log WHERE resource = ?"
            " AND operation = 'read'",
            ("meetings/%s/registrations" % mid,)), 10,
            what="the processing log's read row")
        m = self.api("GET", "/meetings/" + mid).json()
        self.assertEqual((m["capacity"], m["registered"]), (3, 3))

    def test_meeting_in_granted_room_and_ics(self):
        aid, cookie = self.account()
        iid = self.initiative(aid)
        room = self.room(capacity=12)
        day = next_weekday(14, 1)
        rid = self.ask_ok(iid, cookie, soort="room", doel="Buurtavond",
                          zaal=room["id"], datum=day.isoformat(), van="19:00",
                          tot="22:00", personen="12")
        booking = self.decide(rid, {"outcome": "granted"}).json()["bookingId"]
        self.assertIsNotNone(booking)
        # The meeting must fit in the booking: its time and the room.
        path = "/initiatieven/%s/bijeenkomsten" % iid
        tok = self.csrf(path, cookie)
        form = {"titel": "Buurtavond", "omschrijving": "", "plaats": "",
                "reservering": booking, "datum": day.isoformat(),
                "van": "18:00", "tot": "21:00", "plaatsen": "10"}
        self.assertEqual(self.form(path, form, cookie, tok).status, 422)
        form.update(van="19:30", plaatsen="50")
        self.assertEqual(self.form(path, form, cookie, tok).status, 422)
        title = "Buurt; avond, met \\ en een lange titel " + "é" * 40
        mid = self.meeting(iid, cookie, titel=title, reservering=booking,
                           plaats="", datum=day.isoformat(), van="19:30",
                           tot="21:30", plaatsen="12",
                           omschrijving="Regel 1\r\nRegel 2")
        m = self.api("GET", "/meetings/" + mid).json()
        self.assertEqual(m["place"], "Stadhuis zaal 1, Stadsplateau 1")
        self.assertEqual(m["bookingId"], booking)

        r = self.srv.get("/initiatieven/bijeenkomsten/%s/agenda.ics" % mid)
        self.assertEqual(r.status, 200)
        self.assertTrue(r.content_type.startswith("text/calendar"))
        raw = r.body
        self.assertTrue(raw.endswith(b"\r\n"))
        lines = raw.split(b"\r\n")[:-1]
        for ln in lines:
            self.assertLessEqual(len(ln), 75, ln)
            self.assertNotIn(b"\n", ln)
            # A fold never splits a UTF-8 character.
            ln.decode("utf-8")
        # Unfold (RFC 5545 3.1) and read the properties.
        unfolded = raw.replace(b"\r\n ", b"").decode("utf-8")
        props = {}
        for ln in unfolded.split("\r\n")[:-1]:
            name, _, value = ln.partition(":")
            props.setdefault(name, value)
        self.assertEqual(unfolded.split("\r\n")[0], "BEGIN:VCALENDAR")
        self.assertEqual(props["VERSION"], "2.0")
        self.assertIn("PRODID", props)
        self.assertEqual(props["UID"], mid + "@loket")
        self.assertRegex(props["DTSTAMP"], r"^\d{8}T\d{6}Z$")
        start = datetime.datetime.strptime(props["DTSTART"], "%Y%m%dT%H%M%SZ")
        start = start.replace(tzinfo=datetime.timezone.utc)
        self.assertEqual(int(start.timestamp() * 1000),
                         local_ms(day, "19:30"))
        end = datetime.datetime.strptime(props["DTEND"], "%Y%m%dT%H%M%SZ")
        self.assertEqual((end - start.replace(tzinfo=None)).seconds, 7200)
        self.assertEqual(props["SUMMARY"],
                         title.replace("\\", "\\\\").replace(";", "\\;")
                         .replace(",", "\\,"))
        self.assertEqual(props["DESCRIPTION"], "Regel 1\\nRegel 2")
        self.assertEqual(props["LOCATION"],
                         "Stadhuis zaal 1\\, Stadsplateau 1")
        self.assertEqual(props["STATUS"], "CONFIRMED")
        self.assertIn("BEGIN:VEVENT", unfolded)
        self.assertTrue(unfolded.endswith("END:VEVENT\r\nEND:VCALENDAR\r\n"))
        # Only an organiser calls it off; then the .ics says so and no
        # one registers any more.
        other, oc = self.account("Ander")
        otok = self.csrf("/initiatieven/bijeenkomsten/" + mid, oc)
        r = self.form("/initiatieven/bijeenkomsten/%s/annuleren" % mid, {},
                      oc, otok)
        self.assertEqual(r.status, 404)
        tok = self.csrf("/initiatieven/bijeenkomsten/" + mid, cookie)
        r = self.form("/initiatieven/bijeenkomsten/%s/annuleren" % mid, {},
                      cookie, tok)
        self.assertEqual(r.status, 303, r.text)
        ics = self.srv.get("/initiatieven/bijeenkomsten/%s/agenda.ics" %
                           mid).text
        self.assertIn("\r\nSTATUS:CANCELLED\r\n", ics)
        self.assertIn("\r\nSEQUENCE:1\r\n", ics)
        self.assertIn("gaat niet door", self.page(
            "/initiatieven/bijeenkomsten/" + mid, oc).text)
        r = self.form("/initiatieven/bijeenkomsten/%s/aanmelden" % mid, {},
                      oc, otok)
        self.assertEqual(r.status, 404)
        self.assertFalse(db_query(
            self.data, "SELECT 1 FROM meeting_registrations WHERE"
            " account_id = ?", (other,)))
        # The initiative of a meeting must be public.
        db_write(self.data, [("UPDATE initiatives SET hidden_at = 1"
                              " WHERE id = ?", (iid,))])
        r = self.srv.get("/initiatieven/bijeenkomsten/%s/agenda.ics" % mid)
        self.assertEqual(r.status, 404)

    def test_no_sign_up_after_the_initiative_stopped(self):
        aid, cookie = self.account("Organisator")
        iid = self.initiative(aid)
        mid = self.meeting(iid, cookie, plaatsen="5")
        _, early = self.account("Vroeg")
        _, late = self.account("Laat")
        r = self.register(mid, early)
        self.assertIn("melding=aangemeld", r.header("Location"))
        path = "/initiatieven/bijeenkomsten/" + mid
        tok = self.csrf(path, late)  # the page was open before the stop
        r = self.api("POST", "/initiatives/%s/status" % iid,
                     {"action": "stop", "reason": "Geen grond meer"})
        self.assertEqual(r.status, 200, r.text)
        r = self.form(path + "/aanmelden", {}, late, tok)
        self.assertEqual(r.status, 404, r.text)
        self.assertEqual(db_query(
            self.data, "SELECT registered FROM meetings WHERE id = ?",
            (mid,))[0][0], 1)
        # Leaving stays possible.
        r = self.register(mid, early, "afmelden")
        self.assertIn("melding=afgemeld", r.header("Location"))
        self.assertEqual(db_query(
            self.data, "SELECT registered FROM meetings WHERE id = ?",
            (mid,))[0][0], 0)

    def test_csv_export_neutralises_formulas(self):
        aid, _ = self.account()
        iid = self.initiative(aid, title="=1+2")
        db_write(self.data, [("UPDATE initiatives SET summary = ? WHERE"
                              " id = ?", ("\t=HYPERLINK(\"http://x\")\nmeer",
                                          iid))])
        r = self.srv.get("/initiatieven/export.csv")
        self.assertEqual(r.status, 200)
        row = [x for x in csv.reader(io.StringIO(r.text, newline=""))
               if x and x[0] == iid][0]
        self.assertEqual(row[1], "'=1+2")
        self.assertEqual(row[2], "'\t=HYPERLINK(\"http://x\")\nmeer")

    def test_no_room_granted_in_the_past(self):
        room = self.room()
        aid, cookie = self.account()
        iid = self.initiative(aid)
        rid = self.ask_ok(iid, cookie, soort="room", doel="Vergadering",
                          zaal=room["id"], datum=next_weekday(10, 2)
                          .isoformat(), van="19:00", tot="21:00",
                          personen="10")
        # Left undecided until its evening (four weeks ago) has passed.
        four_weeks = 28 * 86400000
        db_write(self.data, [("UPDATE facilitation_requests SET starts_at ="
                              " starts_at - ?1, ends_at = ends_at - ?1"
                              " WHERE id = ?2", (four_weeks, rid))])
        r = self.decide(rid, {"outcome": "granted"})
        self.assertProblem(r, 409, "room-closed")
        self.assertEqual(db_query(self.data, "SELECT COUNT(*) FROM"
                                  " room_bookings")[0][0], 0)
        r = self.decide(rid, {"outcome": "declined", "reason": "Voorbij"})
        self.assertEqual(r.status, 200, r.text)

    def test_history_append_only(self):
        aid, cookie = self.account()
        iid = self.initiative(aid)
        self.ask_ok(iid, cookie, soort="budget", doel="x", bedrag="1")
        for sql in ("UPDATE facilitation_history SET note = 'anders'",
                    "DELETE FROM facilitation_history"):
            with self.assertRaises(sqlite3.DatabaseError) as cm:
                db_write(self.data, [(sql, ())])
            self.assertIn("append-only", str(cm.exception))

    def test_rooms_and_pots_api(self):
        room = self.room()
        r = self.api("POST", "/rooms", {"name": room["name"], "capacity": 5})
        self.assertProblem(r, 409, "conflict", "/name")
        r = self.api("POST", "/rooms", {"name": "X", "capacity": 5,
                                        "opens": "10:00"})
        self.assertProblem(r, 422, "invalid-field", "/closes")
        r = self.api("POST", "/rooms", {"name": "X", "capacity": 5,
                                        "opens": "25:00", "closes": "26:00"})
        self.assertProblem(r, 422, "invalid-field")
        r = self.api("PATCH", "/rooms/" + room["id"],
                     {"opens": "20:00", "closes": "19:00"})
        self.assertProblem(r, 422, "invalid-field")
        r = self.api("PATCH", "/rooms/" + room["id"], {"active": False},
                     token=self.agent)
        self.assertEqual(r.status, 403)
        r = self.api("PATCH", "/rooms/" + room["id"], {"active": False})
        self.assertEqual(r.status, 200)
        self.assertFalse(r.json()["active"])
        self.assertEqual(self.api("GET", "/rooms").json()["items"][0]["id"],
                         room["id"])
        self.pot(year=2031, nb="west", cents=5)
        r = self.api("POST", "/budget-pots", {"year": 2031,
                                              "neighbourhoodId": "west",
                                              "amountCents": 5})
        self.assertProblem(r, 409, "conflict")
        r = self.api("POST", "/budget-pots", {"year": 2031,
                                              "neighbourhoodId": "atlantis",
                                              "amountCents": 5})
        self.assertProblem(r, 422, "invalid-field", "/neighbourhoodId")
        items = self.api("GET", "/budget-pots?year=2031").json()["items"]
        self.assertEqual(len(items), 1)
        self.assertEqual(self.api("GET", "/budget-pots/" + new_id()).status,
                         404)
        self.assertEqual(self.api("GET", "/facilitation-requests/nope")
                         .status, 404)
        s = self.api("GET", "/facilitation-summary?year=2031")
        self.assertEqual(s.json(), {"year": 2031, "neighbourhoods": []})


if __name__ == "__main__":
    main()
