"""The resident contact pages: /contact (channels, hours, waiting time),
PUT /api/v1/channels, the web form, the status link and its replies, and
the kiosk (docs/resident-pages.md)."""

import os
import re
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loketlib import (LoketTestCase, add_category, conversation_message,  # noqa
                      conversation_note, create_token, db_execute, db_query,
                      main, wait_until)

XSS = ["<script>alert(1)</script>", "<b onmouseover=alert(2)>x</b>",
       "<svg onload=alert(3)>", "javascript:alert(4)",
       "\"><img src=x onerror=alert(5)>"]
ALL_DAY = {"hours": {d: ["00:00-24:00"] for d in
                     ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def multipart(fields, files=()):
    """(body, content type) of a multipart/form-data request."""
    boundary = "----loket" + uuid.uuid4().hex
    out = []
    for k, v in fields.items():
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\""
                    "\r\n\r\n" % (boundary, k)).encode() + v.encode() +
                   b"\r\n")
    for name, filename, ctype, data in files:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; "
                    "filename=\"%s\"\r\nContent-Type: %s\r\n\r\n" %
                    (boundary, name, filename, ctype)).encode() + data +
                   b"\r\n")
    out.append(("--%s--\r\n" % boundary).encode())
    return b"".join(out), "multipart/form-data; boundary=" + boundary


def no_raw_markup(test, html):
    """Nothing resident-controlled came through as markup."""
    for bad in ("<script>alert", "<b onmouseover", "<svg onload",
                "<img src=x", 'href="javascript:'):
        test.assertNotIn(bad, html)


class ContactPages(LoketTestCase):
    def setUp(self):
        self.srv = self.start_server(extra_args=["--max-attachment",
                                                 "300000"])
        d = self.srv.data
        _, self.admin = create_token(d, "admin", "admin")
        _, self.api = create_token(d, "api", "api")
        self.origin = "http://127.0.0.1:%d" % self.srv.port

    # ---- helpers --------------------------------------------------------

    def put_channel(self, channel, body, token=None):
        return self.srv.request("PUT", "/api/v1/channels/" + channel,
                                json_body=body, token=token or self.admin)

    def post_form(self, fields, files=(), path="/contact/formulier",
                  origin=True, headers=None):
        body, ctype = multipart(fields, files)
        h = {"Content-Type": ctype}
        if origin:
            h["Origin"] = self.origin
        h.update(headers or {})
        return self.srv.request("POST", path, body=body, headers=h)

    def valid(self, **over):
        f = {"soort": "vraag", "bericht": "Wanneer wordt het afval "
             "opgehaald?", "naam": "Jan Jansen", "email": "jan@example.nl",
             "telefoon": "", "toestemming": "ja", "website": ""}
        f.update(over)
        return f

    def submit(self, **over):
        r = self.post_form(self.valid(**over))
        self.assertEqual(r.status, 200, r.text)
        ref = re.search(r"onder nummer <strong[^>]*>(LK-\d{4}-\d+)</strong>",
                        r.text).group(1)
        token = re.search(r'href="/contact/status/([A-Za-z0-9_-]+)"',
                          r.text).group(1)
        return ref, token

    def conv_of(self, ref):
        return db_query(self.srv.data, "SELECT id, channel, subject, party_id"
                        " FROM conversations WHERE reference = ?", (ref,))[0]

    # ---- /contact and the channels API ------------------------------------

    def test_contact_page_shows_enabled_channels_with_hours(self):
        r = self.srv.get("/contact")
        self.assertEqual(r.status, 200, r.text)
        self.assertIn("Webformulier", r.text)
        self.assertIn('href="/contact/formulier"', r.text)
        self.assertIn("Openingstijden", r.text)
        self.assertIn("08:00&ndash;17:00", r.text)
        # disabled until an admin gives a number
        self.assertNotIn('data-channel="telefoon"', r.text)
        r = self.put_channel("telefoon", {
            "label": "Telefoon", "enabled": True, "hours": ALL_DAY,
            "contact": "14 020", "description": "Wij helpen u direct."})
        self.assertEqual(r.status, 200, r.text)
        j = r.json()
        self.assertTrue(j["openNow"])
        self.assertEqual(j["hours"]["hours"]["sat"], ["00:00-24:00"])
        r = self.srv.get("/contact")
        open_part = r.text.split('id="nu-gesloten"')[0]
        self.assertIn('data-channel="telefoon"', open_part)
        self.assertIn('href="tel:14020"', r.text)
        self.assertIn("Wij helpen u direct.", r.text)
        rows = db_query(self.srv.data, "SELECT action, actor FROM audit_log"
                        " WHERE action = 'channel.updated'")
        self.assertEqual(len(rows), 1, rows)

    def test_channel_put_validation_and_roles(self):
        good = {"label": "Chat", "enabled": True, "hours": ALL_DAY}
        self.assertProblem(self.put_channel("chat", good, token=self.api),
                           403)
        self.assertProblem(self.put_channel("fax", good), 404)
        self.assertProblem(self.put_channel("chat", {"enabled": True,
                                                     "hours": ALL_DAY}),
                           422, "invalid-field", "/label")
        self.assertProblem(self.put_channel("chat", dict(good, enabled="ja")),
                           422, "invalid-field", "/enabled")
        bad = dict(good, hours={"hours": {"mon": ["17:00-08:00"]}})
        self.assertProblem(self.put_channel("chat", bad), 422,
                           "invalid-field", "/hours/hours/mon")
        self.assertProblem(self.put_channel("telefoon", dict(
            good, label="Telefoon")), 422, "invalid-field", "/contact")
        self.assertProblem(self.put_channel("chat", dict(good, extra=1)),
                           422)
        r = self.srv.get("/api/v1/channels", token=self.api)
        self.assertEqual(r.status, 200)
        names = [c["channel"] for c in r.json()["items"]]
        self.assertEqual(names[:5], ["webformulier", "chat", "telefoon",
                                     "email", "balie"])
        self.assertProblem(self.srv.get("/api/v1/channels"), 401)

    def test_channel_text_is_escaped_on_the_page(self):
        for ch, label in (("telefoon", XSS[0]), ("email", XSS[2]),
                          ("balie", XSS[4])):
            r = self.put_channel(ch, {
                "label": label, "enabled": True, "hours": ALL_DAY,
                "contact": XSS[3], "description": XSS[1]})
            self.assertEqual(r.status, 200, r.text)
        r = self.srv.get("/contact")
        no_raw_markup(self, r.text)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", r.text)
        self.assertIn("&lt;svg onload=alert(3)&gt;", r.text)
        self.assertNotIn("mailto:javascript", r.text)
        self.assertNotIn("tel:javascript", r.text)

    def test_waiting_time_comes_from_live_data(self):
        self.assertEqual(self.put_channel("chat", {
            "label": "Chat", "enabled": True, "hours": ALL_DAY}).status, 200)
        now = int(time.time() * 1000)
        # answered after 2, 4 and 9 minutes: the median is 4 minutes
        for i, minutes in enumerate((2, 4, 9)):
            created = now - 30 * 60000 - i * 1000
            db_execute(self.srv.data,
                       "INSERT INTO conversations (id, reference, channel,"
                       " status, created_at, updated_at, last_message_at,"
                       " first_response_at) VALUES (?, ?, 'chat', 'open',"
                       " ?, ?, ?, ?)",
                       (str(uuid.uuid4()), "LK-T-%d" % i, created, created,
                        created, created + minutes * 60000))
        c = self.srv.get("/api/v1/channels/chat", token=self.api).json()
        w = c["waiting"]
        self.assertEqual(w["samples"], 3)
        self.assertEqual(w["answeredLastHour"], 3)
        self.assertEqual(w["estimateSeconds"], 240)
        # a queue of 6 at 3 answers an hour takes 2 hours: that wins
        for i in range(6):
            db_execute(self.srv.data,
                       "INSERT INTO conversations (id, reference, channel,"
                       " status, created_at, updated_at, last_message_at,"
                       " waiting_since) VALUES (?, ?, 'chat', 'open', ?, ?,"
                       " ?, ?)",
                       (str(uuid.uuid4()), "LK-Q-%d" % i, now, now, now, now))
        c = self.srv.get("/api/v1/channels/chat", token=self.api).json()
        self.assertEqual(c["waiting"]["queue"], 6)
        self.assertEqual(c["waiting"]["estimateSeconds"], 7200)
        r = self.srv.get("/contact")
        self.assertIn("Verwachte wachttijd: ongeveer 2 uur.", r.text)
        self.assertIn("Er wachten nu 6 personen.", r.text)

    # ---- the form ----------------------------------------------------------

    def test_form_page(self):
        r = self.srv.get("/contact/formulier")
        self.assertEqual(r.status, 200)
        self.assertIn('enctype="multipart/form-data"', r.text)
        self.assertIn('name="csrf"', r.text)
        self.assertIn("loket_csrf=", r.header("Set-Cookie"))
        self.assertIn("Path=/contact", r.header("Set-Cookie"))
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertIn('type="file"', r.text)
        self.assertIn("toestemming", r.text)
        self.assertNotIn("Onderwerp (niet verplicht)", r.text)
        add_category(self.srv.data, "Afval")
        r = self.srv.get("/contact/formulier")
        self.assertIn(">Afval</option>", r.text)

    def test_empty_form_shows_errors_next_to_fields(self):
        r = self.post_form({"bericht": "", "toestemming": ""})
        self.assertEqual(r.status, 422, r.text)
        for fid in ("soort", "bericht", "email", "toestemming"):
            self.assertIn('id="%s-fout"' % fid, r.text)
        self.assertIn('aria-invalid="true"', r.text)
        self.assertIn('href="#bericht"', r.text)
        self.assertEqual(db_query(self.srv.data,
                                  "SELECT COUNT(*) FROM conversations"),
                         [(0,)])

    def test_invalid_fields_keep_what_was_typed(self):
        f = self.valid(email="geen-adres", telefoon="abc", soort="klacht",
                       bericht="Regel 1\r\nRegel 2 & <ok>")
        r = self.post_form(f, files=[("bijlage", "foto.pdf",
                                      "application/pdf", PDF)])
        self.assertEqual(r.status, 422, r.text)
        self.assertIn('id="email-fout"', r.text)
        self.assertIn('id="telefoon-fout"', r.text)
        self.assertIn('value="geen-adres"', r.text)
        self.assertIn('value="abc"', r.text)
        self.assertIn(">Regel 1\nRegel 2 &amp; &lt;ok&gt;</textarea>", r.text)
        self.assertIn('value="klacht" checked', r.text)
        self.assertIn('name="toestemming" value="ja" required checked',
                      r.text)
        # the file cannot be given back: the page says so
        self.assertIn("U had het bestand &ldquo;foto.pdf&rdquo; gekozen",
                      r.text)

    def test_every_field_is_escaped(self):
        cat = add_category(self.srv.data, XSS[2])
        for payload in XSS:
            f = self.valid(naam=payload, email=payload, telefoon=payload,
                           bericht=payload, categorie=str(uuid.uuid4()))
            r = self.post_form(f, files=[("bijlage", payload + ".svg",
                                          "image/svg+xml",
                                          b"<svg onload=alert(6)/>")])
            self.assertEqual(r.status, 422, r.text)
            no_raw_markup(self, r.text)
        # a valid question whose every text is markup
        f = self.valid(naam=XSS[1], bericht="\n".join(XSS), categorie=cat)
        r = self.post_form(f, files=[("bijlage", XSS[2] + ".pdf",
                                      "application/pdf", PDF)])
        self.assertEqual(r.status, 200, r.text)
        no_raw_markup(self, r.text)
        token = re.search(r'href="/contact/status/([A-Za-z0-9_-]+)"',
                          r.text).group(1)
        r = self.srv.get("/contact/status/" + token)
        self.assertEqual(r.status, 200)
        no_raw_markup(self, r.text)
        self.assertIn("Bijlage: &lt;svg onload=alert(3)&gt;.pdf", r.text)
        self.assertIn("Vraag: &lt;svg onload=alert(3)&gt;", r.text)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;\n&lt;b "
                      "onmouseover=alert(2)&gt;", r.text)

    def test_success_makes_a_conversation_with_a_status_link(self):
        cat = add_category(self.srv.data, "Afval")
        body, ctype = multipart(self.valid(soort="klacht", categorie=cat,
                                           telefoon="06 12345678"),
                                [("bijlage", "brief.pdf", "application/pdf",
                                  PDF)])
        r = self.srv.request("POST", "/contact/formulier", body=body,
                             headers={"Content-Type": ctype,
                                      "Origin": self.origin})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.header("Cache-Control"), "no-store")
        ref = re.search(r"(LK-\d{4}-\d{6})", r.text).group(1)
        token = re.search(r'href="/contact/status/([A-Za-z0-9_-]+)"',
                          r.text).group(1)
        self.assertGreaterEqual(len(token), 32)  # 192 bits
        cid, channel, subject, party = self.conv_of(ref)
        self.assertEqual(channel, "webformulier")
        self.assertEqual(subject, "Klacht: Afval")
        d = self.srv.data
        self.assertEqual(db_query(d, "SELECT category_id FROM "
                                  "conversation_categories WHERE "
                                  "conversation_id = ?", (cid,)), [(cat,)])
        att = db_query(d, "SELECT a.filename, a.media_type FROM attachments a"
                       " JOIN contacts k ON k.id = a.contact_id"
                       " WHERE k.conversation_id = ?", (cid,))
        self.assertEqual(att, [("brief.pdf", "application/pdf")])
        log = db_query(d, "SELECT actor, operation FROM processing_log WHERE"
                       " party_id = ?", (party,))
        self.assertIn(("public:contact", "create"), log)
        # only a digest of the token is stored
        links = db_query(d, "SELECT digest, conversation_id FROM "
                         "status_links")
        self.assertEqual(len(links), 1)
        self.assertEqual(links[0][1], cid)
        self.assertNotEqual(links[0][0], token)
        for table in ("status_links", "contacts", "audit_log", "events"):
            dump = repr(db_query(d, "SELECT * FROM %s" % table))
            self.assertNotIn(token, dump, table)
        # in the agents' inbox through the conversation core
        inbox = self.srv.get("/api/v1/conversations?channel=webformulier",
                             token=self.api).json()["items"]
        self.assertEqual([c["reference"] for c in inbox], [ref])

    def test_honeypot_stores_nothing(self):
        r = self.post_form(self.valid(website="http://spam.example"))
        self.assertEqual(r.status, 200)
        self.assertIn("ontvangen", r.text)
        self.assertEqual(db_query(self.srv.data,
                                  "SELECT COUNT(*) FROM conversations"),
                         [(0,)])

    # ---- attachments ----------------------------------------------------------

    def test_attachment_checks(self):
        cases = [
            ("plaatje.svg", "image/svg+xml", b"<svg onload=alert(1)/>"),
            ("nep.pdf", "application/pdf", b"<html><script></script>"),
            ("leeg.pdf", "application/pdf", b""),
            ("groot.pdf", "application/pdf", b"%PDF-" + b"x" * 250000),
            ("app.exe", "application/octet-stream", b"MZ\x90\x00"),
        ]
        for name, ctype, data in cases:
            r = self.post_form(self.valid(), files=[("bijlage", name, ctype,
                                                     data)])
            self.assertEqual(r.status, 422, (name, r.text))
            self.assertIn('id="bijlage-fout"', r.text, name)
            self.assertIn('href="#bijlage"', r.text, name)
        self.assertEqual(db_query(self.srv.data,
                                  "SELECT COUNT(*) FROM attachments"), [(0,)])
        # no file chosen at all is fine
        r = self.post_form(self.valid(), files=[(
            "bijlage", "", "application/octet-stream", b"")])
        self.assertEqual(r.status, 200, r.text)

    def test_body_over_the_limit_is_a_page_for_browsers(self):
        body, ctype = multipart(self.valid(), [(
            "bijlage", "x.pdf", "application/pdf", b"%PDF-" + b"x" * 400000)])
        r = self.srv.request("POST", "/contact/formulier", body=body,
                             headers={"Content-Type": ctype,
                                      "Origin": self.origin,
                                      "Accept": "text/html"})
        self.assertEqual(r.status, 413)
        self.assertIn("text/html", r.content_type)
        self.assertIn("Bestand te groot", r.text)

    # ---- protection -------------------------------------------------------------

    def test_cross_site_posts_are_refused(self):
        for h in ({"Origin": "http://evil.example"},
                  {"Origin": self.origin, "Sec-Fetch-Site": "cross-site"}):
            r = self.post_form(self.valid(), origin=False, headers=h)
            self.assertEqual(r.status, 403, r.text)
            self.assertIn("nogmaals", r.text)
        # without Origin: a token is needed, the 403 page hands one out
        r = self.post_form(self.valid(), origin=False)
        self.assertEqual(r.status, 403)
        tok = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
        self.assertIn("Wanneer wordt het afval opgehaald?", r.text)
        r = self.post_form(self.valid(csrf=tok), origin=False,
                           headers={"Cookie": "loket_csrf=" + tok})
        self.assertEqual(r.status, 200, r.text)
        r = self.post_form(self.valid(csrf="A" * 22), origin=False,
                           headers={"Cookie": "loket_csrf=" + "B" * 22})
        self.assertEqual(r.status, 403)
        self.assertEqual(db_query(self.srv.data,
                                  "SELECT COUNT(*) FROM conversations"),
                         [(1,)])

    # ---- the status page ----------------------------------------------------------

    def test_status_page_follows_answers_and_takes_replies(self):
        ref, token = self.submit()
        cid = self.conv_of(ref)[0]
        path = "/contact/status/" + token
        r = self.srv.get(path)
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertIn(ref, r.text)
        self.assertIn("Wanneer wordt het afval opgehaald?", r.text)
        conversation_message(self.srv, self.api, cid,
                             "Dinsdag. <i>Groet</i>", direction="outbound")
        conversation_note(self.srv, self.api, cid, "INTERN: lastige klant")
        r = self.srv.get(path)
        self.assertIn("De gemeente schreef", r.text)
        self.assertIn("Dinsdag. &lt;i&gt;Groet&lt;/i&gt;", r.text)
        self.assertNotIn("INTERN", r.text)
        # the token is the only credential: the access log names the route
        wait_until(lambda: "/contact/status/{token}" in self.srv.log_text(),
                   5, what="the access log line")
        self.assertNotIn(token, self.srv.log_text())
        # the resident replies: a new inbound contact in the conversation
        body, ctype = multipart({"reactie": "Dank! " + XSS[0]},
                                [("bijlage", "foto.png", "image/png",
                                  b"\x89PNG\r\n\x1a\n" + b"\0" * 32)])
        r = self.srv.request("POST", path, body=body,
                             headers={"Content-Type": ctype,
                                      "Origin": self.origin})
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(r.header("Location"), path + "?verstuurd=1")
        rows = db_query(self.srv.data, "SELECT kind, channel, content FROM"
                        " contacts WHERE conversation_id = ? ORDER BY seq",
                        (cid,))
        self.assertEqual([k for k, _, _ in rows],
                         ["inbound", "outbound", "note", "inbound"])
        self.assertEqual(rows[-1][2], "Dank! " + XSS[0])
        r = self.srv.get(path + "?verstuurd=1")
        self.assertIn("Uw reactie is verstuurd.", r.text)
        self.assertIn("Bijlage: foto.png", r.text)
        no_raw_markup(self, r.text)
        log = db_query(self.srv.data, "SELECT operation FROM processing_log"
                       " WHERE actor = 'public:status-link'")
        self.assertIn(("read",), log)
        self.assertIn(("create",), log)
        # an empty reply is an error next to the field
        body, ctype = multipart({"reactie": "  "})
        r = self.srv.request("POST", path, body=body,
                             headers={"Content-Type": ctype,
                                      "Origin": self.origin})
        self.assertEqual(r.status, 422)
        self.assertIn('id="reactie-fout"', r.text)
        # from another site: refused, nothing added
        body, ctype = multipart({"reactie": "vals"})
        r = self.srv.request("POST", path, body=body,
                             headers={"Content-Type": ctype,
                                      "Origin": "http://evil.example"})
        self.assertEqual(r.status, 403)
        self.assertEqual(len(db_query(self.srv.data, "SELECT 1 FROM contacts"
                                      " WHERE conversation_id = ?", (cid,))),
                         4)
        # without Origin: the double-submit token of the page, the same
        # cookie as the form's (one loket_csrf per path, never two)
        r = self.srv.get(path)
        tok = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
        self.assertIn("Path=/contact;", r.header("Set-Cookie"))
        body, ctype = multipart({"reactie": "Zonder Origin", "csrf": tok})
        r = self.srv.request("POST", path, body=body, headers={
            "Content-Type": ctype, "Cookie": "loket_csrf=" + tok})
        self.assertEqual(r.status, 303, r.text)

    def test_status_page_hides_only_what_staff_marked_confidential(self):
        """One rule with the chat (docs/chat.md): a geheimhouding
        conversation stays the resident's; a message staff marked
        confidential is not shown."""
        ref, token = self.submit()
        cid = self.conv_of(ref)[0]
        db_execute(self.srv.data, "UPDATE conversations SET confidential = 1"
                   " WHERE id = ?", (cid,))
        _, conf = create_token(self.srv.data, "conf", "api confidential")
        for body in ({"direction": "outbound", "content": "Openbaar antwoord"},
                     {"direction": "outbound", "content": "Geheim antwoord",
                      "confidential": True}):
            r = self.srv.post_json("/api/v1/conversations/%s/messages" % cid,
                                   body, token=conf)
            self.assertEqual(r.status, 201, r)
        r = self.srv.get("/contact/status/" + token)
        self.assertEqual(r.status, 200, r.text)
        self.assertIn("Wanneer wordt het afval opgehaald?", r.text)
        self.assertIn("Openbaar antwoord", r.text)
        self.assertNotIn("Geheim antwoord", r.text)

    def test_unknown_foreign_and_expired_tokens_are_404(self):
        ref1, t1 = self.submit()
        ref2, t2 = self.submit(bericht="Tweede vraag")
        r = self.srv.get("/contact/status/" + t2)
        self.assertNotIn("Wanneer wordt het afval", r.text)
        bad = ["A" * 32, t1[:-1], t1 + "A", "..%2f..%2fetc", "%3Cscript%3E",
               t1.upper() if t1.upper() != t1 else t1.lower()]
        for t in bad:
            r = self.srv.get("/contact/status/" + t)
            self.assertEqual(r.status, 404, t)
            self.assertIn("text/html", r.content_type)
            body, ctype = multipart({"reactie": "hallo"})
            r = self.srv.request("POST", "/contact/status/" + t, body=body,
                                 headers={"Content-Type": ctype,
                                          "Origin": self.origin})
            self.assertEqual(r.status, 404, t)
        db_execute(self.srv.data, "UPDATE status_links SET expires_at = 1")
        self.assertEqual(self.srv.get("/contact/status/" + t1).status, 404)

    # ---- the kiosk ------------------------------------------------------------------

    def test_kiosk_pages(self):
        for path in ("/kiosk", "/kiosk/formulier"):
            r = self.srv.get(path)
            self.assertEqual(r.status, 200, r.text)
            self.assertEqual(r.header("Cache-Control"), "no-store")
            self.assertIsNone(r.header("Set-Cookie"))
            self.assertRegex(r.text, r'<meta http-equiv="refresh" '
                             r'content="120;url=/kiosk">')
            self.assertIn("Begin opnieuw", r.text)
            self.assertIn('data-kiosk-idle="120"', r.text)
            for href in re.findall(r'href="([^"]*)"', r.text):
                self.assertTrue(href.startswith(("/kiosk", "#", "/assets/",
                                                 "/static/")), href)
        self.assertIn('autocomplete="off"', r.text)
        self.assertNotIn('type="file"', r.text)
        self.assertNotIn('name="csrf"', r.text)
        r = self.post_form(self.valid(), path="/kiosk/formulier")
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.header("Cache-Control"), "no-store")
        ref = re.search(r"(LK-\d{4}-\d{6})", r.text).group(1)
        self.assertIn('<code id="statuslink">', r.text)
        self.assertNotIn('href="/contact/status/', r.text)
        self.assertEqual(self.conv_of(ref)[1], "kiosk")

    def test_kiosk_idle_is_configurable(self):
        srv = self.start_server(extra_args=["--kiosk-idle", "7"])
        r = srv.get("/kiosk")
        self.assertIn('content="7;url=/kiosk"', r.text)
        self.assertIn('data-kiosk-idle="7"', r.text)


if __name__ == "__main__":
    main()
