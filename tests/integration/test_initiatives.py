"""Participation core end to end (docs/participation.md): resident accounts
with mailed links, the life cycle of initiatives enforced by the server,
prescreening by staff, organisers only (IDOR), CSRF, escaping of every
field, follow and the one mail per follower per update, images, the
open-data export and the staff API."""

import json
import os
import re
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loketlib import (LoketTestCase, create_token, db_query,  # noqa: E402
                      db_write, main, secret_hash)

FORM = "application/x-www-form-urlencoded"
XSS = '<script>alert(1)</script>"\'&<img src=x onerror=alert(2)>'
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00"
       b"\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc"
       b"\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`"
       b"\x82")


class Browser:
    """A resident's browser: cookies, same-origin Origin on every POST."""

    def __init__(self, srv):
        self.srv = srv
        self.cookies = {}

    def _headers(self, extra=None):
        h = dict(extra or {})
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in
                                    self.cookies.items())
        return h

    def _keep(self, r):
        for v in r.header_all("Set-Cookie"):
            name, _, rest = v.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in v:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return r

    def get(self, path):
        return self._keep(self.srv.get(path, headers=self._headers()))

    def post(self, path, fields, origin=True, content_type=FORM, body=None):
        h = {"Content-Type": content_type}
        if origin:
            h["Origin"] = "http://127.0.0.1:%d" % self.srv.port
        if body is None:
            body = urllib.parse.urlencode(fields)
        return self._keep(self.srv.request("POST", path, body=body,
                                           headers=self._headers(h)))

    def csrf(self, path):
        r = self.get(path)
        m = re.search(r'name="csrf" value="([^"]+)"', r.text)
        assert m, (path, r.status, r.text[:400])
        return m.group(1)


def mails(data, like):
    return [(k, json.loads(p)) for k, p in db_query(
        data, "SELECT key, payload FROM outbox WHERE kind = 'mail' AND key"
        " LIKE ? ORDER BY seq", (like,))]


class Initiatives(LoketTestCase):

    def setUp(self):
        # Some tests start dozens of initiatives from one account.
        self.srv = self.start_server(extra_args=[
            "--public-url", "https://loket.example.nl"],
            env={"LOKET_PARTICIPATION_POST_LIMIT": "64"})
        _, self.admin = create_token(self.srv.data, "beheer", "admin")

    # ---- helpers -----------------------------------------------------------

    def login(self, email, name="Bewoner"):
        """Registers (or logs in) `email`, follows the mailed link and
        returns the browser."""
        b = Browser(self.srv)
        tok = b.csrf("/initiatieven/registreren")
        before = len(mails(self.srv.data, "p-link:%"))
        r = b.post("/initiatieven/registreren",
                   {"csrf": tok, "email": email, "naam": name})
        self.assertEqual(r.status, 200, r.text)
        self.assertIn("Bekijk uw e-mail", r.text)
        sent = mails(self.srv.data, "p-link:%")
        self.assertEqual(len(sent), before + 1)
        mail = sent[-1][1]
        self.assertEqual(mail["to"], email)
        link = re.search(r"(https://loket\.example\.nl)(/initiatieven/link"
                         r"\?token=(lkp_[A-Za-z0-9_-]+))", mail["text"])
        self.assertIsNotNone(link, mail["text"])
        r = b.get(link.group(2))
        self.assertEqual(r.status, 200, r.text)
        self.assertIn('method="post"', r.text)
        self.assertNotIn("loket_bewoner", b.cookies)  # a GET logs nobody in
        r = b.post("/initiatieven/link", {"token": link.group(3)})
        self.assertEqual(r.status, 303, r.text)
        self.assertIn("loket_bewoner", b.cookies)
        b.token = link.group(3)
        return b

    def create(self, b, **fields):
        tok = b.csrf("/initiatieven/nieuw")
        f = {"csrf": tok, "titel": "Buurtmoestuin", "samenvatting":
             "Samen groenten kweken.", "beschrijving": "Elke zaterdag.",
             "thema": "groen", "wijk": "oost", "adres": "Merelstraat 1",
             "lat": "52.087", "lon": "5.145", "start": "2026-05-30",
             "eind": "2026-09-30", "website": "https://moestuin.example"}
        f.update(fields)
        r = b.post("/initiatieven/nieuw", f)
        self.assertEqual(r.status, 303, r.text)
        return r.header("Location").rsplit("/", 1)[1]

    def act(self, b, iid, action, reason=""):
        tok = b.csrf("/initiatieven/" + iid)
        return b.post("/initiatieven/%s/status" % iid,
                      {"csrf": tok, "actie": action, "reden": reason})

    def status(self, iid):
        return db_query(self.srv.data, "SELECT status, status_reason FROM"
                        " initiatives WHERE id = ?", (iid,))[0]

    # ---- accounts ----------------------------------------------------------

    def test_expired_link_is_refused_on_sight(self):
        b = Browser(self.srv)
        tok = b.csrf("/initiatieven/registreren")
        r = b.post("/initiatieven/registreren",
                   {"csrf": tok, "email": "laat@example.nl", "naam": "Laat"})
        self.assertEqual(r.status, 200, r.text)
        token = re.search(r"token=(lkp_[\w-]+)",
                          mails(self.srv.data, "p-link:%")[-1][1]["text"])
        db_write(self.srv.data, [("UPDATE p_links SET expires_at = ?",
                                  (int(time.time() * 1000) - 1000,))])
        r = b.get("/initiatieven/link?token=" + token.group(1))
        self.assertEqual(r.status, 404, r.text)
        self.assertIn("verlopen", r.text)
        self.assertNotIn('method="post"', r.text)
        r = b.post("/initiatieven/link", {"token": token.group(1)})
        self.assertEqual(r.status, 404, r.text)
        self.assertNotIn("loket_bewoner", b.cookies)

    def test_coorganiser_lookups_are_rate_limited(self):
        # Adding a co-organiser reveals whether an address has an account:
        # an owner cannot probe addresses without bound.
        self.srv = self.start_server(
            extra_args=["--public-url", "https://loket.example.nl"],
            env={"LOKET_PARTICIPATION_LINK_LIMIT": "3"})
        owner = self.login("eigenaar@example.nl", "Eigenaar")
        iid = self.create(owner)
        path = "/initiatieven/%s/organisatoren" % iid
        for i in range(3):
            tok = owner.csrf("/initiatieven/" + iid)
            r = owner.post(path, {"csrf": tok,
                                  "email": "probe%d@example.nl" % i})
            self.assertEqual(r.status, 422, r.text)
        tok = owner.csrf("/initiatieven/" + iid)
        r = owner.post(path, {"csrf": tok, "email": "probe9@example.nl"})
        self.assertEqual(r.status, 429, r.text)
        self.assertTrue(r.header("Retry-After"))
        self.assertNotIn("geen account", r.text)

    def test_register_confirm_and_login_by_link(self):
        b = self.login("anna@example.nl", "Anna")
        r = b.get("/initiatieven/mijn")
        self.assertEqual(r.status, 200)
        self.assertIn("Anna", r.text)
        row = db_query(self.srv.data, "SELECT confirmed_at, display_name FROM"
                       " p_accounts WHERE email_key = 'anna@example.nl'")
        self.assertIsNotNone(row[0][0])
        # A link works once.
        r = Browser(self.srv).post("/initiatieven/link", {"token": b.token})
        self.assertEqual(r.status, 404)
        # An unknown address on log-in: the same answer, no mail.
        c = Browser(self.srv)
        before = len(mails(self.srv.data, "p-link:%"))
        tok = c.csrf("/initiatieven/inloggen")
        r = c.post("/initiatieven/inloggen",
                   {"csrf": tok, "email": "niemand@example.nl"})
        self.assertEqual(r.status, 200)
        self.assertIn("Bekijk uw e-mail", r.text)
        self.assertEqual(len(mails(self.srv.data, "p-link:%")), before)
        # A known one gets a log-in link that logs in.
        r = c.post("/initiatieven/inloggen",
                   {"csrf": tok, "email": "ANNA@example.nl"})
        self.assertEqual(len(mails(self.srv.data, "p-link:%")), before + 1)
        token = re.search(r"token=(lkp_[\w-]+)",
                          mails(self.srv.data, "p-link:%")[-1][1]["text"])
        r = c.post("/initiatieven/link", {"token": token.group(1)})
        self.assertEqual(r.status, 303)
        self.assertIn("Anna", c.get("/initiatieven/mijn").text)
        # Log-out ends the session on the server.
        tok = c.csrf("/initiatieven/mijn")
        old = dict(c.cookies)
        r = c.post("/initiatieven/uitloggen", {"csrf": tok})
        self.assertEqual(r.status, 303)
        c.cookies = old
        r = c.get("/initiatieven/mijn")
        self.assertEqual(r.status, 303)
        self.assertTrue(r.header("Location").startswith(
            "/initiatieven/inloggen?next="))

    def test_unconfirmed_account_does_nothing_public(self):
        """A session of an account whose address is not proven (staff made
        it, or it was reset) may look, not act."""
        b = Browser(self.srv)
        tok = b.csrf("/initiatieven/registreren")
        b.post("/initiatieven/registreren",
               {"csrf": tok, "email": "nog@example.nl", "naam": "Nog"})
        (acc,), = db_query(self.srv.data, "SELECT id FROM p_accounts WHERE"
                           " email_key = 'nog@example.nl' AND confirmed_at"
                           " IS NULL")
        sid = "A" * 22  # a session id as the server makes them
        db_write(self.srv.data, [(
            "INSERT INTO p_sessions (id_hash, account_id, created_at,"
            " last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            (secret_hash(sid), acc, 1 << 40, 1 << 41, 1 << 42))])
        b.cookies["loket_bewoner"] = sid
        r = b.get("/initiatieven/nieuw")
        self.assertEqual(r.status, 403, r.text)
        self.assertIn("Bevestig eerst uw e-mailadres", r.text)
        self.assertIn("Nog", b.get("/initiatieven/mijn").text)
        tok = b.csrf("/initiatieven/mijn")
        r = b.post("/initiatieven/nieuw", {"csrf": tok, "titel": "Niet"})
        self.assertEqual(r.status, 403)
        self.assertEqual(db_query(self.srv.data,
                                  "SELECT COUNT(*) FROM initiatives")[0][0], 0)

    def test_form_validation_and_csrf(self):
        b = Browser(self.srv)
        tok = b.csrf("/initiatieven/registreren")
        r = b.post("/initiatieven/registreren",
                   {"csrf": tok, "email": "geen-adres", "naam": "x"})
        self.assertEqual(r.status, 422)
        self.assertIn('aria-invalid="true"', r.text)
        self.assertIn("Fout:", r.text)
        r = b.post("/initiatieven/registreren",
                   {"csrf": "fout", "email": "a@example.nl", "naam": "Aa"},
                   origin=False)
        self.assertEqual(r.status, 403)
        # A resident POST without the session's token, or cross-site.
        a = self.login("bob@example.nl", "Bob")
        r = a.post("/initiatieven/nieuw", {"titel": "Zonder token"})
        self.assertEqual(r.status, 403)
        tok = a.csrf("/initiatieven/nieuw")
        r = a.srv.request("POST", "/initiatieven/nieuw", body=urllib.parse.
                          urlencode({"csrf": tok, "titel": "Andere site"}),
                          headers=a._headers({
                              "Content-Type": FORM,
                              "Origin": "https://evil.example"}))
        self.assertEqual(r.status, 403)
        self.assertEqual(db_query(self.srv.data,
                                  "SELECT COUNT(*) FROM initiatives")[0][0], 0)

    # ---- life cycle --------------------------------------------------------

    def test_life_cycle_without_prescreening(self):
        a = self.login("org@example.nl", "Organisator")
        iid = self.create(a, samenvatting="")
        anon = Browser(self.srv)
        self.assertEqual(anon.get("/initiatieven/" + iid).status, 404)
        self.assertEqual(a.get("/initiatieven/" + iid).status, 200)
        # Submitting needs a summary.
        r = self.act(a, iid, "submit")
        self.assertEqual(r.status, 422, r.text)
        self.assertEqual(self.status(iid)[0], "draft")
        tok = a.csrf("/initiatieven/%s/bewerken" % iid)
        r = a.post("/initiatieven/%s/bewerken" % iid, {
            "csrf": tok, "versie": "1", "titel": "Buurtmoestuin Oost",
            "samenvatting": "Samen kweken.", "thema": "groen",
            "wijk": "oost"})
        self.assertEqual(r.status, 303, r.text)
        # A second edit from the same (old) version is a conflict.
        r = a.post("/initiatieven/%s/bewerken" % iid, {
            "csrf": tok, "versie": "1", "titel": "Oud formulier",
            "samenvatting": "x", "thema": "groen", "wijk": "oost"})
        self.assertEqual(r.status, 409, r.text)
        self.assertEqual(self.act(a, iid, "start").status, 409)
        self.assertEqual(self.act(a, iid, "submit").status, 303)
        self.assertEqual(self.status(iid)[0], "published")
        r = anon.get("/initiatieven/" + iid)
        self.assertEqual(r.status, 200)
        self.assertIn("Buurtmoestuin Oost", anon.get("/initiatieven").text)
        # An organiser cannot approve (a staff decision).
        self.assertEqual(self.act(a, iid, "approve").status, 409)
        self.assertEqual(self.act(a, iid, "start").status, 303)
        self.assertEqual(self.status(iid)[0], "running")
        r = self.act(a, iid, "stop")  # a reason is required
        self.assertEqual(r.status, 422)
        self.assertEqual(self.act(a, iid, "stop", "Geen vrijwilligers").status,
                         303)
        self.assertEqual(self.status(iid), ("stopped", "Geen vrijwilligers"))
        self.assertIn("Geen vrijwilligers", anon.get("/initiatieven/" +
                                                     iid).text)
        for action in ("start", "complete", "stop", "submit"):
            self.assertEqual(self.act(a, iid, action, "x").status, 409)
        log = db_query(self.srv.data, "SELECT from_status, to_status FROM"
                       " initiative_status_log WHERE initiative_id = ?"
                       " ORDER BY seq", (iid,))
        self.assertEqual(log, [("draft", "published"),
                               ("published", "running"),
                               ("running", "stopped")])
        types = [t for (t,) in db_query(
            self.srv.data, "SELECT type FROM events WHERE subject = ?"
            " ORDER BY seq", (iid,))]
        self.assertEqual(types.count("initiative.status_changed"), 3)

    def test_prescreening_by_staff(self):
        self.srv.stop()
        self.srv = self.start_server(data=self.srv.data, extra_args=[
            "--participation-prescreen",
            "--public-url", "https://loket.example.nl"])
        a = self.login("pre@example.nl", "Pre")
        iid = self.create(a)
        self.assertEqual(self.act(a, iid, "submit").status, 303)
        self.assertEqual(self.status(iid)[0], "prescreening")
        self.assertEqual(Browser(self.srv).get("/initiatieven/" +
                                               iid).status, 404)
        path = "/api/v1/initiatives/%s/prescreen" % iid
        r = self.srv.post_json(path, {"decision": "refuse"}, token=self.admin)
        self.assertProblem(r, 422, field="/reason")
        r = self.srv.post_json(path, {"decision": "refuse", "reason":
                                      "Graag een adres"}, token=self.admin)
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["status"], "draft")
        self.assertEqual(r.json()["statusReason"], "Graag een adres")
        self.assertIn("Graag een adres", a.get("/initiatieven/" + iid).text)
        self.assertEqual(self.act(a, iid, "submit").status, 303)
        r = self.srv.post_json(path, {"decision": "approve", "reason":
                                      "Interne notitie"}, token=self.admin)
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["status"], "published")
        for url in ("/initiatieven/export.json", "/initiatieven/" + iid):
            self.assertNotIn("Interne notitie",
                             Browser(self.srv).get(url).text, url)
        r = self.srv.post_json(path, {"decision": "approve"},
                               token=self.admin)
        self.assertProblem(r, 409, "invalid-transition")
        audit = db_query(self.srv.data, "SELECT COUNT(*) FROM audit_log"
                         " WHERE action = 'initiative.status'")
        self.assertEqual(audit[0][0], 2)

    # ---- who may do what ---------------------------------------------------

    def test_someone_elses_initiative(self):
        owner = self.login("eigen@example.nl", "Eigenaar")
        other = self.login("ander@example.nl", "Ander")
        iid = self.create(owner)
        self.assertEqual(other.get("/initiatieven/" + iid).status, 404)
        self.assertEqual(other.get("/initiatieven/%s/bewerken" %
                                   iid).status, 404)
        tok = other.csrf("/initiatieven/mijn")
        for path, fields in (
                ("bewerken", {"versie": "1", "titel": "Gekaapt"}),
                ("status", {"actie": "submit"}),
                ("nieuws", {"titel": "x", "bericht": "y"}),
                ("organisatoren", {"email": "ander@example.nl"}),
                ("volgen", {"volgen": "1"})):
            fields["csrf"] = tok
            r = other.post("/initiatieven/%s/%s" % (iid, path), fields)
            self.assertEqual(r.status, 404, (path, r.text[:300]))
        self.assertEqual(self.status(iid)[0], "draft")
        row = db_query(self.srv.data, "SELECT title, version FROM initiatives"
                       " WHERE id = ?", (iid,))[0]
        self.assertEqual(row, ("Buurtmoestuin", 1))
        # Adding the other as co-organiser lets them edit, not add others.
        tok = owner.csrf("/initiatieven/" + iid)
        r = owner.post("/initiatieven/%s/organisatoren" % iid,
                       {"csrf": tok, "email": "ander@example.nl"})
        self.assertEqual(r.status, 303)
        tok = other.csrf("/initiatieven/%s/bewerken" % iid)
        r = other.post("/initiatieven/%s/bewerken" % iid, {
            "csrf": tok, "versie": "1", "titel": "Samen", "thema": "groen"})
        self.assertEqual(r.status, 303, r.text)
        r = other.post("/initiatieven/%s/organisatoren" % iid,
                       {"csrf": tok, "email": "eigen@example.nl"})
        self.assertEqual(r.status, 404)
        # An organisation one is no member of cannot be named.
        orgs = db_query(self.srv.data, "SELECT COUNT(*) FROM p_organisations")
        self.assertEqual(orgs[0][0], 0)
        tok = owner.csrf("/initiatieven/mijn")
        r = owner.post("/initiatieven/mijn/organisaties",
                       {"csrf": tok, "organisatie": "Buurtvereniging Oost"})
        self.assertEqual(r.status, 303)
        org = db_query(self.srv.data, "SELECT id FROM p_organisations")[0][0]
        tok = other.csrf("/initiatieven/nieuw")
        r = other.post("/initiatieven/nieuw", {
            "csrf": tok, "titel": "Namens anderen", "organisatie": org})
        self.assertEqual(r.status, 422, r.text)

    # ---- escaping ----------------------------------------------------------

    def test_every_field_is_escaped(self):
        a = self.login("xss@example.nl", "Naam " + XSS[:60])
        iid = self.create(a, titel="T " + XSS[:100], samenvatting=XSS,
                          beschrijving=XSS, adres=XSS[:150])
        self.assertEqual(self.act(a, iid, "submit").status, 303)
        tok = a.csrf("/initiatieven/" + iid)
        r = a.post("/initiatieven/%s/nieuws" % iid,
                   {"csrf": tok, "titel": XSS[:140], "bericht": XSS})
        self.assertEqual(r.status, 303, r.text)
        r = a.post("/initiatieven/%s/afbeeldingen" % iid, None,
                   content_type="multipart/form-data; boundary=XyZ",
                   body=multipart(tok, PNG, "image/png", XSS[:200]))
        self.assertEqual(r.status, 303, r.text)
        # A website with markup is refused, not stored.
        tok = a.csrf("/initiatieven/nieuw")
        r = a.post("/initiatieven/nieuw", {
            "csrf": tok, "titel": "Link", "website":
            'https://x.example/"><script>alert(3)</script>'})
        self.assertEqual(r.status, 422)
        self.assertNotIn("<script>alert(3)", r.text)
        tok = a.csrf("/initiatieven/mijn")
        a.post("/initiatieven/mijn/organisaties",
               {"csrf": tok, "organisatie": XSS[:90]})
        anon = Browser(self.srv)
        for path in ("/initiatieven", "/initiatieven/" + iid,
                     "/initiatieven/kaart"):
            for who in (anon, a):
                text = who.get(path).text
                self.assertNotIn("<script>alert", text, path)
                self.assertNotIn("<img src=x", text, path)
                self.assertNotRegex(text, r"<[^>]*onerror=", path)
        page = a.get("/initiatieven/" + iid).text
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page)
        mine = a.get("/initiatieven/mijn").text
        self.assertNotIn("<script>alert", mine)
        self.assertIn("&lt;script&gt;", mine)
        r = a.get("/initiatieven/%s/bewerken" % iid)
        self.assertNotIn("<script>alert", r.text)
        data = json.loads(anon.get("/initiatieven/export.json").text)
        self.assertEqual(data["items"][0]["description"], XSS)

    # ---- follow and news ---------------------------------------------------

    def test_posting_limit(self):
        """New initiatives count against the per-account posting limit
        (pages/matching.h); a refused one stores nothing."""
        self.srv = self.start_server(
            extra_args=["--public-url", "https://loket.example.nl"],
            env={"LOKET_PARTICIPATION_POST_LIMIT": "2"})
        a = self.login("veel@example.nl", "Veel")
        for i in range(2):
            self.create(a, titel="Initiatief %d" % i)
        tok = a.csrf("/initiatieven/nieuw")
        r = a.post("/initiatieven/nieuw", {
            "csrf": tok, "titel": "Nog een", "samenvatting": "x",
            "thema": "groen", "wijk": "oost"})
        self.assertEqual(r.status, 429, r.text)
        self.assertGreater(int(r.header("Retry-After")), 0)
        self.assertEqual(db_query(self.srv.data, "SELECT count(*) FROM"
                                  " initiatives")[0][0], 2)
        # Someone else may still start one.
        self.create(self.login("ander@example.nl", "Ander"))

    def test_follow_and_one_mail_per_follower(self):
        a = self.login("maker@example.nl", "Maker")
        f1 = self.login("f1@example.nl", "Volger Een")
        f2 = self.login("f2@example.nl", "Volger Twee")
        iid = self.create(a)
        # A draft cannot be followed.
        tok = f1.csrf("/initiatieven/mijn")
        r = f1.post("/initiatieven/%s/volgen" % iid,
                    {"csrf": tok, "volgen": "1"})
        self.assertEqual(r.status, 404)
        self.assertEqual(self.act(a, iid, "submit").status, 303)
        for who in (f1, f2, a):
            tok = who.csrf("/initiatieven/" + iid)
            r = who.post("/initiatieven/%s/volgen" % iid,
                         {"csrf": tok, "volgen": "1"})
            self.assertEqual(r.status, 303)
        r = f1.post("/initiatieven/%s/volgen" % iid,
                    {"csrf": f1.csrf("/initiatieven/" + iid), "volgen": "1"})
        self.assertEqual(r.status, 303)  # twice: still one
        count = lambda: db_query(self.srv.data, "SELECT followers_count FROM"  # noqa
                                 " initiatives WHERE id = ?", (iid,))[0][0]
        self.assertEqual(count(), 3)
        self.assertIn("Niet meer volgen", f1.get("/initiatieven/" +
                                                 iid).text)
        tok = a.csrf("/initiatieven/" + iid)
        r = a.post("/initiatieven/%s/nieuws" % iid,
                   {"csrf": tok, "titel": "Eerste oogst",
                    "bericht": "Tomaten!\r\nKom kijken."})
        self.assertEqual(r.status, 303, r.text)
        sent = mails(self.srv.data, "p-update:%")
        self.assertEqual(sorted(m["to"] for _, m in sent),
                         ["f1@example.nl", "f2@example.nl"])  # not the author
        self.assertEqual(len({k for k, _ in sent}), 2)
        self.assertIn("Eerste oogst", sent[0][1]["text"])
        self.assertIn("https://loket.example.nl/initiatieven/" + iid,
                      sent[0][1]["text"])
        tok = f2.csrf("/initiatieven/" + iid)
        f2.post("/initiatieven/%s/volgen" % iid, {"csrf": tok, "volgen": "0"})
        self.assertEqual(count(), 2)
        r = a.post("/initiatieven/%s/nieuws" % iid,
                   {"csrf": tok, "titel": "Tweede", "bericht": "Meer"})
        self.assertEqual(r.status, 403)  # f2's token is not a's
        tok = a.csrf("/initiatieven/" + iid)
        a.post("/initiatieven/%s/nieuws" % iid,
               {"csrf": tok, "titel": "Tweede", "bericht": "Meer"})
        self.assertEqual(len(mails(self.srv.data, "p-update:%")), 3)
        page = Browser(self.srv).get("/initiatieven/" + iid).text
        self.assertIn("Eerste oogst", page)
        self.assertIn("Tomaten!\nKom kijken.", page)

    # ---- images ------------------------------------------------------------

    def test_images_sniffed_and_served(self):
        a = self.login("foto@example.nl", "Foto")
        iid = self.create(a)
        tok = a.csrf("/initiatieven/" + iid)
        svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'
        r = a.post("/initiatieven/%s/afbeeldingen" % iid, None,
                   content_type="multipart/form-data; boundary=XyZ",
                   body=multipart(tok, svg, "image/png", "Een tekening"))
        self.assertEqual(r.status, 422)
        r = a.post("/initiatieven/%s/afbeeldingen" % iid, None,
                   content_type="multipart/form-data; boundary=XyZ",
                   body=multipart(tok, PNG, "image/jpeg", ""))
        self.assertEqual(r.status, 422)  # no text alternative
        r = a.post("/initiatieven/%s/afbeeldingen" % iid, None,
                   content_type="multipart/form-data; boundary=XyZ",
                   body=multipart(tok, PNG, "application/pdf", "Het veld"))
        self.assertEqual(r.status, 303, r.text)
        (img, mt), = db_query(self.srv.data, "SELECT id, media_type FROM"
                              " initiative_images")
        self.assertEqual(mt, "image/png")  # from the bytes, not the claim
        self.assertEqual(Browser(self.srv).get(
            "/initiatieven/afbeelding/" + img).status, 404)  # still a draft
        r = a.get("/initiatieven/afbeelding/" + img)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.content_type, "image/png")
        self.assertEqual(r.body, PNG)
        self.assertIn('alt="Het veld"', a.get("/initiatieven/" + iid).text)

    # ---- public list, map, export ------------------------------------------

    def test_list_filters_pagination_map_and_export(self):
        a = self.login("veel@example.nl", "Veel")
        ids = []
        for i in range(23):
            iid = self.create(a, titel="Initiatief %02d" % i,
                              thema="groen" if i % 2 else "sport",
                              wijk="oost" if i % 3 else "west")
            self.assertEqual(self.act(a, iid, "submit").status, 303)
            ids.append(iid)
        draft = self.create(a, titel="Nog een concept")
        anon = Browser(self.srv)
        r = anon.get("/initiatieven")
        self.assertEqual(r.text.count('class="loket-initiative"'), 20)
        self.assertNotIn("Nog een concept", r.text)
        nxt = re.search(r'rel="next" href="([^"]+)"', r.text).group(1)
        r = anon.get(nxt.replace("&amp;", "&"))
        self.assertEqual(r.text.count('class="loket-initiative"'), 3)
        self.assertIn("Initiatief 00", r.text)
        r = anon.get("/initiatieven?thema=groen&wijk=west")
        want = [i for i in range(23) if i % 2 and not i % 3]
        self.assertEqual(r.text.count('class="loket-initiative"'), len(want))
        r = anon.get("/initiatieven?status=running")
        self.assertIn("Geen initiatieven gevonden", r.text)
        self.assertEqual(anon.get("/initiatieven?na=bogus").status, 200)
        r = anon.get("/initiatieven/kaart")
        self.assertEqual(r.status, 200)
        self.assertIn("<svg", r.text)
        listed = r.text.split('class="utrecht-ordered-list loket-map-list"')[1]
        self.assertEqual(listed.split("</ol>")[0].count("<li>"), 23)
        self.assertEqual(r.text.count('class="loket-map__point"'), 23)
        r = anon.get("/initiatieven/export.json")
        self.assertEqual(r.status, 200)
        items = r.json()["items"]
        self.assertEqual(len(items), 23)
        self.assertNotIn(draft, r.text)
        self.assertNotIn("@", r.text)
        self.assertNotIn("ownerId", r.text)
        r = anon.get("/initiatieven/export.csv")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.content_type.startswith("text/csv"))
        self.assertEqual(len(r.text.strip().split("\r\n")), 24)
        self.assertNotIn("@", r.text)

    # ---- staff API ---------------------------------------------------------

    def test_staff_api(self):
        a = self.login("api@example.nl", "Api")
        iid = self.create(a)
        r = self.srv.get("/api/v1/initiatives", token=self.admin)
        self.assertEqual(r.status, 200)
        self.assertEqual([i["id"] for i in r.json()["items"]], [iid])
        self.assertEqual(r.json()["items"][0]["ownerName"], "Api")
        r = self.srv.get("/api/v1/initiatives?status=bogus", token=self.admin)
        self.assertProblem(r, 400)
        r = self.srv.get("/api/v1/initiatives/" + iid, token=self.admin)
        self.assertEqual(r.json()["status"], "draft")
        r = self.srv.get("/api/v1/initiatives/0190a000-0000-7000-8000-"
                         "000000000000", token=self.admin)
        self.assertProblem(r, 404)
        self.assertEqual(self.srv.get("/api/v1/initiatives").status, 401)
        r = self.srv.post_json("/api/v1/initiatives/%s/status" % iid,
                               {"action": "start"}, token=self.admin)
        self.assertProblem(r, 409, "invalid-transition")
        r = self.srv.request("PUT", "/api/v1/neighbourhoods/lunetten",
                             json_body={"name": "Lunetten", "position": 11,
                                        "lat": 52.06, "lon": 5.14},
                             token=self.admin)
        self.assertEqual(r.status, 201, r.text)
        r = self.srv.get("/api/v1/neighbourhoods", token=self.admin)
        self.assertIn("lunetten", [n["id"] for n in r.json()["items"]])
        self.assertIn("Lunetten", Browser(self.srv).get(
            "/initiatieven").text)
        reads = db_query(self.srv.data, "SELECT COUNT(*) FROM"
                         " processing_log WHERE activity = 'initiatief'"
                         " AND operation = 'read'")
        self.assertGreaterEqual(reads[0][0], 2)


def multipart(csrf, data, ctype, alt):
    parts = []
    for name, value in (("csrf", csrf), ("alt", alt)):
        parts.append(b"--XyZ\r\nContent-Disposition: form-data; name=\"" +
                     name.encode() + b"\"\r\n\r\n" + value.encode() + b"\r\n")
    parts.append(b"--XyZ\r\nContent-Disposition: form-data; name=\"afbeelding"
                 b"\"; filename=\"a.png\"\r\nContent-Type: " + ctype.encode() +
                 b"\r\n\r\n" + data + b"\r\n--XyZ--\r\n")
    return b"".join(parts)


if __name__ == "__main__":
    main()
