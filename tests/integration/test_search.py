#!/usr/bin/env python3
"""GET /api/v1/search: full text over messages, subjects and party names,
hostile FTS5 syntax, filters, paging and confidentiality."""
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loketlib  # noqa: E402
from loketlib import LoketTestCase, add_team, create_token  # noqa: E402


class SearchTest(LoketTestCase):
    def setUp(self):
        self.data = self.make_data_dir()
        _, self.tok = create_token(self.data, "crm", "api")
        self.srv = self.start_server(self.data)
        self.team = add_team(self.data)

    def create(self, **fields):
        body = {"channel": "email", "subject": "Vraag", "content": "Hallo",
                "from": {"name": "Jan Jansen"}}
        body.update(fields)
        r = self.srv.post_json("/api/v1/conversations", body, token=self.tok)
        self.assertEqual(r.status, 201, r)
        return r.json()

    def search(self, q, extra="", expect=200):
        r = self.srv.get("/api/v1/search?q=%s%s" %
                         (urllib.parse.quote(q, safe=""), extra),
                         token=self.tok)
        self.assertEqual(r.status, expect, (q, r))
        return r.json() if expect == 200 else r

    def hits(self, q, extra=""):
        return [h["message"]["id"] for h in self.search(q, extra)["items"]]

    def test_finds_content_subject_and_party_name(self):
        a = self.create(subject="Grofvuil ophalen",
                        content="Mijn bank staat buiten",
                        **{"from": {"name": "Fatima El Amrani"}})
        b = self.create(content="De lantaarnpaal is kapot")
        self.assertEqual(self.hits("grofvuil"), [a["messageId"]])
        self.assertEqual(self.hits("lantaarnpaal kapot"), [b["messageId"]])
        self.assertEqual(self.hits("amrani"), [a["messageId"]])
        self.assertEqual(self.hits("lantaarnpaal grofvuil"), [])
        # prefix and diacritics
        self.assertEqual(self.hits("lantaarn*"), [b["messageId"]])
        c = self.create(content="Het café op de hoek maakt lawaai")
        self.assertEqual(self.hits("cafe"), [c["messageId"]])
        self.assertEqual(self.hits("CAFÉ"), [c["messageId"]])

    def test_hit_shape_and_snippet(self):
        a = self.create(teamId=self.team,
                        content="Een <b>vette</b> klacht over de <script> "
                                "afvalcontainer die al weken vol staat")
        h = self.search("afvalcontainer")["items"][0]
        self.assertEqual(h["message"]["id"], a["messageId"])
        self.assertEqual(h["message"]["kind"], "inbound")
        self.assertEqual(h["conversation"]["id"], a["id"])
        self.assertEqual(h["conversation"]["teamId"], self.team)
        self.assertIn("afvalcontainer", h["snippet"])
        # plain text: the stored markup comes back as it was, unescaped
        self.assertIn("<script>", h["snippet"])

    def test_hostile_syntax_never_fails(self):
        a = self.create(content="NEAR and OR are words too, so is AND")
        queries = ['"', '""', 'NEAR(a b)', 'NEAR', '*', 'a*', '(', ')',
                   '((', '-foo', 'foo OR bar', 'AND', 'NOT x', 'subject:x',
                   'content : x', '^x', '"unbalanced', "it's", '\\', '{x}',
                   '[x]', 'x AND', 'OR OR', 'NEAR/3', 'a + b', '\u00e9*',
                   'x"y', '*near', 'rowid:1', '; DROP TABLE contacts; --']
        for q in queries:
            r = self.srv.get("/api/v1/search?q=" +
                             urllib.parse.quote(q, safe=""), token=self.tok)
            self.assertIn(r.status, (200, 422), (q, r))
            if r.status == 422:
                self.assertProblem(r, 422, field="q")
        self.assertEqual(self.hits("near"), [a["messageId"]])
        self.assertEqual(self.hits("NEAR(and or)"), [a["messageId"]])
        self.assertEqual(self.hits("\"so is\""), [a["messageId"]])
        self.assertEqual(self.hits("-words"), [a["messageId"]])

    def test_bad_input(self):
        for q in ("", "   ", "x" * 201, " ".join(["w"] * 17), "(-)", "*"):
            r = self.search(q, expect=422)
            self.assertProblem(r, 422, field="q")
        r = self.srv.get("/api/v1/search", token=self.tok)
        self.assertProblem(r, 422, field="q")
        r = self.srv.get("/api/v1/search?q=a%01b", token=self.tok)
        self.assertProblem(r, 422, field="q")
        for extra in ("&limit=51", "&limit=0", "&cursor=x", "&status=x"):
            r = self.srv.get("/api/v1/search?q=x" + extra, token=self.tok)
            self.assertProblem(r, 400)

    def test_newest_first_paging_and_filters(self):
        made = []
        for i in range(13):
            made.append(self.create(content="parkeervergunning nummer %d" % i,
                                    channel="chat" if i % 2 else "email",
                                    teamId=self.team if i < 5 else None)
                        ["messageId"])
        seen = []
        cursor = None
        while True:
            extra = "&limit=4" + ("&cursor=" + cursor if cursor else "")
            page = self.search("parkeervergunning", extra)
            seen += [h["message"]["id"] for h in page["items"]]
            cursor = page["next"]
            if cursor is None:
                break
        self.assertEqual(seen, list(reversed(made)))
        self.assertEqual(self.hits("parkeervergunning", "&channel=chat"),
                         [m for i, m in reversed(list(enumerate(made)))
                          if i % 2])
        self.assertEqual(self.hits("parkeervergunning",
                                   "&teamId=" + self.team),
                         list(reversed(made[:5])))
        self.assertEqual(self.hits("parkeervergunning",
                                   "&teamId=%s&status=resolved" % self.team),
                         [])
        self.assertEqual(len(self.hits("parkeervergunning", "&limit=50")), 13)

    def test_notes_are_searchable_by_staff(self):
        a = self.create()
        r = self.srv.post_json("/api/v1/conversations/%s/notes" % a["id"],
                               {"content": "terugbelverzoek genoteerd"},
                               token=self.tok)
        self.assertEqual(r.status, 201)
        h = self.search("terugbelverzoek")["items"]
        self.assertEqual([(x["message"]["id"], x["message"]["kind"])
                          for x in h], [(r.json()["id"], "note")])


if __name__ == "__main__":
    loketlib.main()
