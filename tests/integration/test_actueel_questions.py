"""Questions from residents on /actueel/{id}: the form, its POST and the
staff list GET /api/v1/notices/{id}/questions."""

import os
import re
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loketlib import LoketTestCase, create_token, db_query, main  # noqa
from test_actueel import add_notice  # noqa: E402

FORM = "application/x-www-form-urlencoded"
XSS = "<script>alert('x')</script> & \"q\""


def strings(v):
    """Every string value in a JSON document."""
    if isinstance(v, dict):
        return [s for x in v.values() for s in strings(x)]
    if isinstance(v, list):
        return [s for x in v for s in strings(x)]
    return [v] if isinstance(v, str) else []


class ActueelQuestions(LoketTestCase):
    def setUp(self):
        self.srv = self.start_server()
        d = self.srv.data
        self.nid = add_notice(d, "Storing <b>water</b>")
        self.ended = add_notice(d, "Oud", status="ended",
                                ended_at=int(time.time() * 1000))
        self.draft = add_notice(d, "Concept", status="draft")
        _, self.token = create_token(d, "q", "api")

    def page(self, nid):
        """The notice page's form has no token (it is publicly cached);
        a first POST without an Origin header answers 403 with the form,
        the text kept, and a token for this client."""
        r = self.srv.get("/actueel/" + nid)
        self.assertEqual(r.status, 200, r.text)
        self.assertIn('action="/actueel/%s/vragen"' % nid, r.text)
        self.assertNotIn('name="csrf"', r.text)
        self.assertEqual(r.header("Cache-Control"), "public, max-age=10")
        r = self.srv.request("POST", "/actueel/%s/vragen" % nid,
                             body="vraag=eerst+%3Cb%3E",
                             headers={"Content-Type": FORM})
        self.assertEqual(r.status, 403, r.text)
        self.assertIn("eerst &lt;b&gt;</textarea>", r.text)
        m = re.search(r'name="csrf" value="([^"]+)"', r.text)
        self.assertIsNotNone(m, r.text)
        self.assertIn("loket_csrf=" + m.group(1), r.header("Set-Cookie"))
        self.assertEqual(self.questions(nid), [])
        return m.group(1)

    def ask(self, nid, fields, token=None, cookie=True, headers=None):
        tok = token if token is not None else self.page(self.nid)
        body = dict(fields)
        if tok:
            body["csrf"] = tok
        hdrs = dict(headers or {}, **{"Content-Type": FORM})
        if cookie and tok:
            hdrs["Cookie"] = "loket_csrf=" + tok
        return self.srv.request("POST", "/actueel/%s/vragen" % nid,
                                body=urllib.parse.urlencode(body),
                                headers=hdrs)

    def questions(self, nid):
        r = self.srv.get("/api/v1/notices/%s/questions" % nid,
                         token=self.token)
        self.assertEqual(r.status, 200, r.text)
        return r.json()["items"]

    def test_question_becomes_tagged_conversation(self):
        r = self.ask(self.nid, {"naam": "Jan", "contact": "jan@example.nl",
                                "vraag": "Wanneer is er weer water?",
                                "website": ""})
        self.assertEqual(r.status, 200, r.text)
        m = re.search(r"onder nummer <strong[^>]*>(LK-\d{4}-\d+)</strong>",
                      r.text)
        self.assertIsNotNone(m, r.text)
        ref = m.group(1)
        inbox = self.srv.get("/api/v1/conversations", token=self.token)
        self.assertEqual(inbox.status, 200, inbox.text)
        items = [c for c in inbox.json()["items"]
                 if c.get("reference") == ref]
        self.assertEqual(len(items), 1, inbox.text)
        conv = items[0]
        self.assertEqual(conv["channel"], "webformulier")
        self.assertEqual(conv["subject"], "Vraag over: Storing <b>water</b>")
        qs = self.questions(self.nid)
        self.assertEqual([q["reference"] for q in qs], [ref])
        self.assertEqual(qs[0]["id"], conv["id"])
        self.assertEqual(self.questions(self.ended), [])
        rows = db_query(self.srv.data,
                        "SELECT actor FROM processing_log WHERE actor = ?",
                        ("public:actueel",))
        self.assertTrue(rows)

    def test_anonymous_and_markup_verbatim(self):
        r = self.ask(self.nid, {"vraag": XSS + "\r\nregel 2"})
        self.assertEqual(r.status, 200, r.text)
        qs = self.questions(self.nid)
        self.assertEqual(len(qs), 1)
        c = self.srv.get("/api/v1/conversations/" + qs[0]["id"],
                         token=self.token)
        self.assertEqual(c.status, 200, c.text)
        self.assertIn(XSS + "\nregel 2", strings(c.json()))
        self.assertEqual(c.json()["subject"], "Vraag over: Storing <b>water</b>")

    def test_errors_next_to_fields(self):
        r = self.ask(self.nid, {"naam": XSS, "contact": "geen adres <x>",
                                "vraag": ""})
        self.assertEqual(r.status, 422, r.text)
        t = r.text
        self.assertIn('id="vraag-contact-fout"', t)
        self.assertIn('id="vraag-tekst-fout"', t)
        self.assertIn('aria-describedby="vraag-contact-uitleg '
                      'vraag-contact-fout"', t)
        self.assertIn('aria-describedby="vraag-tekst-uitleg '
                      'vraag-tekst-fout"', t)
        self.assertNotIn("<script>", t)
        self.assertIn("&lt;script&gt;", t)
        self.assertIn("geen adres &lt;x&gt;", t)
        self.assertIn("<title>Fout:", t)
        r = self.ask(self.nid, {"vraag": "x" * 2001})
        self.assertEqual(r.status, 422)
        self.assertIn('id="vraag-tekst-fout"', r.text)
        r = self.ask(self.nid, {"vraag": "é" * 2000})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(len(self.questions(self.nid)), 1)

    def test_long_title_cut_at_character(self):
        nid = add_notice(self.srv.data, "é" * 100)
        r = self.ask(nid, {"vraag": "Hoe lang nog?"})
        self.assertEqual(r.status, 200, r.text)
        c = self.srv.get("/api/v1/conversations/" + self.questions(nid)[0]
                         ["id"], token=self.token).json()
        self.assertEqual(c["subject"], "Vraag over: " + "é" * 94)

    def test_csrf_and_honeypot(self):
        r = self.ask(self.nid, {"vraag": "Hallo"}, token="")
        self.assertEqual(r.status, 403, r.text)
        tok = self.page(self.nid)
        r = self.ask(self.nid, {"vraag": "Hallo"}, token=tok, cookie=False)
        self.assertEqual(r.status, 403)
        r = self.ask(self.nid, {"vraag": "Hallo"}, token=tok,
                     headers={"Origin": "https://elders.example"})
        self.assertEqual(r.status, 403)
        r = self.ask(self.nid, {"vraag": "Hallo", "website": "spam.example"})
        self.assertEqual(r.status, 200)
        self.assertNotIn("LK-", r.text)
        self.assertEqual(self.questions(self.nid), [])

    def test_browser_sends_once(self):
        # A browser names the page's origin on a form POST: the question
        # is taken at the first attempt, without a token.
        origin = "http://127.0.0.1:%d" % self.srv.port
        r = self.ask(self.nid, {"vraag": "In een keer"}, token="",
                     headers={"Origin": origin})
        self.assertEqual(r.status, 200, r.text)
        self.assertIn("LK-", r.text)
        self.assertEqual(len(self.questions(self.nid)), 1)

    def test_unknown_or_unpublished_404(self):
        for nid in (self.draft, self.ended,
                    "0190aaaa-0000-7000-8000-000000000000", "nope"):
            r = self.ask(nid, {"vraag": "Hallo"})
            self.assertEqual(r.status, 404, nid)
        r = self.srv.get("/actueel/" + self.ended)
        self.assertNotIn('/vragen"', r.text)
        r = self.srv.get("/api/v1/notices/%s/questions" %
                         "0190aaaa-0000-7000-8000-000000000000",
                         token=self.token)
        self.assertEqual(r.status, 404)
        r = self.srv.get("/api/v1/notices/%s/questions" % self.nid)
        self.assertEqual(r.status, 401)


if __name__ == "__main__":
    main()
