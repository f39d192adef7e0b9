"""POST/GET /api/v1/party-merges: two parties with overlapping histories
become one; nothing is lost, every moved row is recorded, the invariants
on addresses hold, and ids that name nothing are refused.

Parties and what hangs off them are made through the Klantinteracties
API, conversations and their contacts through /api/v1/conversations, a second
party involved in a contact through the Klantinteracties /betrokkenen.
The database is only read.
"""

import json
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loketlib  # noqa: E402
from loketlib import (LoketTestCase, api_ok, create_token,  # noqa: E402
                      db_query, ki_address, ki_identifier,
                      ki_organisation, ki_person, ki_request,
                      new_conversation, wait_until)

TABLES = ("parties", "conversations", "contacts", "involved",
          "digital_addresses", "party_identifiers", "bank_accounts",
          "category_relations", "representations")


def now_ms():
    return int(time.time() * 1000)


class Fixture:
    """A resident's history, made through the endpoints that write it."""

    def __init__(self, srv, token):
        self.srv = srv
        self.token = token

    def ki(self, resource, body):
        return api_ok(ki_request(self.srv, "POST", resource, body,
                                 self.token), 201, "POST " + resource)["uuid"]

    def party(self, name, confidential=0, kind="persoon"):
        extra = {"indicatieGeheimhouding": True} if confidential else {}
        if kind == "organisatie":
            return ki_organisation(self.srv, self.token, name,
                                   **extra)["uuid"]
        return ki_person(self.srv, self.token, name, **extra)["uuid"]

    def address(self, party, kind, address, default=False, verified=False):
        return ki_address(self.srv, self.token, party, address, kind,
                          verified="2026-01-01" if verified else None,
                          default=default)["uuid"]

    def conversation(self, party):
        """A conversation with its first contact; returns both ids."""
        c = new_conversation(self.srv, self.token,
                             "Wanneer is mijn paspoort klaar?", "email",
                             party_id=party, subject="Paspoort")
        return c["id"], c["messageId"]

    def involved_id(self, contact, party):
        rows = db_query(self.srv.data, "SELECT id FROM involved WHERE"
                        " contact_id = ? AND party_id = ?", (contact, party))
        assert len(rows) == 1, rows
        return rows[0][0]

    def involve(self, contact, party):
        return self.ki("betrokkenen", {
            "hadKlantcontact": {"uuid": contact}, "wasPartij": {"uuid": party},
            "rol": "klant", "initiator": False})


class Merge(LoketTestCase):
    def setUp(self):
        self.data = self.make_data_dir()
        _, self.admin = create_token(self.data, "admin", "admin")
        _, self.api = create_token(self.data, "system", "api")
        self.srv = self.start_server(self.data)
        self.fx = Fixture(self.srv, self.admin)

    def merge(self, survivor, merged, reason="dubbel na kanaalwissel",
              token=None):
        return self.srv.post_json("/api/v1/party-merges",
                                  {"survivorId": survivor,
                                   "mergedId": merged, "reason": reason},
                                  token=token or self.admin)

    def counts(self):
        return {t: db_query(self.data, "SELECT COUNT(*) FROM " + t)[0][0]
                for t in TABLES}

    def test_overlapping_histories(self):
        fx = self.fx
        s = fx.party("Jan Jansen")
        m = fx.party("J. Jansen")
        r = fx.party("Advocatenkantoor De Wit", kind="organisatie")
        # Addresses: the same e-mail on both (only M's copy verified), the
        # same other e-mail (only S's verified), a default of each kind on
        # both.
        s_x = fx.address(s, "email", "Jan@Example.nl", default=True)
        s_phone = fx.address(s, "telefoonnummer", "0612345678", default=True,
                             verified=True)
        s_z = fx.address(s, "email", "z@example.nl", verified=True)
        m_x = fx.address(m, "email", "jan@example.nl", default=True,
                         verified=True)
        m_y = fx.address(m, "email", "y@example.nl")
        m_phone = fx.address(m, "telefoonnummer", "0687654321", default=True)
        m_z = fx.address(m, "email", "z@example.nl")
        pref = ki_request(self.srv, "PATCH", "partijen/" + s,
                          {"voorkeursDigitaalAdres": {"uuid": s_x}},
                          self.admin)
        self.assertEqual(pref.status, 200, pref)
        # Conversations and contacts: both parties involved in one contact.
        conv_s, c1 = fx.conversation(s)
        conv_m, c2 = fx.conversation(m)
        inv = [fx.involved_id(c1, s), fx.involve(c1, m),
               fx.involved_id(c2, m)]
        # Identifiers, accounts, categories, representations.
        bsn = ki_identifier(self.srv, self.admin, m, "bsn",
                            "999993653")["uuid"]
        iban = fx.ki("rekeningnummers", {"partij": {"uuid": m},
                                         "iban": "NL91ABNA0417164300"})
        cat = fx.ki("categorieen", {"naam": "Ondernemer"})
        catrel = fx.ki("categorie-relaties", {"partij": {"uuid": m},
                                              "categorie": {"uuid": cat}})

        def rep(representing, represented):
            return fx.ki("vertegenwoordigingen", {
                "vertegenwoordigendePartij": {"uuid": representing},
                "vertegenwoordigdePartij": {"uuid": represented}})
        rep_self = rep(m, s)
        rep_move = rep(r, m)
        rep(s, r)
        rep_dup = rep(m, r)
        before = self.counts()
        ver_m = db_query(self.data, "SELECT version FROM conversations"
                         " WHERE id = ?", (conv_m,))[0][0]

        resp = self.merge(s, m, reason="<b>zelfde</b> persoon")
        self.assertEqual(resp.status, 201, resp)
        mg = resp.json()
        self.assertEqual(resp.header("Location"),
                         "/api/v1/party-merges/" + mg["id"])
        self.assertEqual((mg["survivorId"], mg["mergedId"], mg["reason"]),
                         (s, m, "<b>zelfde</b> persoon"))
        moved = mg["moved"]

        # Nothing deleted; both histories complete under the survivor.
        self.assertEqual(self.counts(), before)
        self.assertEqual(
            db_query(self.data, "SELECT id FROM conversations WHERE"
                     " party_id = ? ORDER BY id", (s,)),
            sorted([(conv_s,), (conv_m,)]))
        self.assertEqual(
            db_query(self.data, "SELECT COUNT(*) FROM contacts WHERE"
                     " conversation_id IN (?, ?)", (conv_s, conv_m)), [(2,)])
        self.assertEqual(
            db_query(self.data, "SELECT DISTINCT party_id FROM involved"),
            [(s,)])
        self.assertEqual(
            db_query(self.data, "SELECT version FROM conversations"
                     " WHERE id = ?", (conv_m,)), [(ver_m + 1,)])
        self.assertEqual(
            db_query(self.data, "SELECT merged_into FROM parties"
                     " WHERE id = ?", (m,)), [(s,)])
        self.assertEqual(
            db_query(self.data, "SELECT merged_into FROM parties"
                     " WHERE id = ?", (s,)), [(None,)])

        # Addresses: each once on the survivor, the verified copy kept,
        # one default per kind.
        addr = {row[0]: row[1:] for row in db_query(
            self.data, "SELECT id, party_id, is_default FROM"
            " digital_addresses")}
        self.assertEqual(addr[s_x], (m, 0))
        self.assertEqual(addr[m_x], (s, 1))
        self.assertEqual(addr[m_y], (s, 0))
        self.assertEqual(addr[s_phone], (s, 1))
        self.assertEqual(addr[m_phone], (s, 0))
        self.assertEqual(addr[s_z], (s, 0))
        self.assertEqual(addr[m_z], (m, 0))
        keys = db_query(self.data, "SELECT kind, address_key FROM"
                        " digital_addresses WHERE party_id = ?", (s,))
        self.assertEqual(len(keys), len(set(keys)))
        self.assertEqual(
            sorted(db_query(self.data, "SELECT kind FROM digital_addresses"
                            " WHERE party_id = ? AND is_default = 1", (s,))),
            [("email",), ("telefoonnummer",)])
        self.assertEqual(
            db_query(self.data, "SELECT preferred_address_id FROM parties"
                     " WHERE id = ?", (s,)), [(m_x,)])

        # Exactly which rows moved.
        self.assertEqual(moved["conversations"], [conv_m])
        self.assertEqual(sorted(moved["involved"]), sorted(inv[1:]))
        self.assertEqual(moved["partyIdentifiers"], [bsn])
        self.assertEqual(moved["bankAccounts"], [iban])
        self.assertEqual(moved["categoryRelations"], [catrel])
        self.assertEqual(moved["contactPersons"], [])
        self.assertEqual(sorted(moved["digitalAddresses"]),
                         sorted([m_x, m_y, m_phone]))
        self.assertEqual(moved["digitalAddressesToMerged"], [s_x])
        self.assertEqual(moved["digitalAddressesKept"], [m_z])
        self.assertEqual(sorted(moved["defaultsCleared"]),
                         sorted([s_x, m_phone]))
        self.assertEqual(moved["defaultsSet"], [])
        self.assertEqual(moved["representations"], [rep_move])
        self.assertEqual(sorted(moved["representationsKept"]),
                         sorted([rep_self, rep_dup]))
        self.assertEqual(
            db_query(self.data, "SELECT representing_id, represented_id"
                     " FROM representations WHERE id = ?", (rep_move,)),
            [(r, s)])
        self.assertEqual(
            json.loads(db_query(self.data, "SELECT moved FROM party_merges"
                                " WHERE id = ?", (mg["id"],))[0][0]), moved)
        for table, ids in (("party_identifiers", [bsn]),
                           ("bank_accounts", [iban]),
                           ("category_relations", [catrel])):
            self.assertEqual(
                db_query(self.data, "SELECT party_id FROM %s WHERE id = ?"
                         % table, (ids[0],)), [(s,)])

        # Logged: audit, processing log for both parties, the event.
        self.assertEqual(
            db_query(self.data, "SELECT actor, action FROM audit_log WHERE"
                     " subject = ?", (mg["id"],)),
            [(mg["actor"], "party.merged")])
        self.assertEqual(
            sorted(db_query(self.data, "SELECT party_id, operation,"
                            " activity, reason FROM processing_log"
                            " WHERE activity = 'party-merge'")),
            sorted([(s, "update", "party-merge", "<b>zelfde</b> persoon"),
                    (m, "update", "party-merge", "<b>zelfde</b> persoon")]))
        ev = db_query(self.data, "SELECT subject, payload FROM events WHERE"
                      " type = 'party.merged'")
        self.assertEqual(len(ev), 1)
        self.assertEqual(ev[0][0], s)
        self.assertEqual(json.loads(ev[0][1]),
                         {"id": mg["id"], "survivorId": s, "mergedId": m,
                          "conversations": 1})

        # Inspectable.
        r1 = self.srv.get("/api/v1/party-merges/" + mg["id"],
                          token=self.admin)
        self.assertEqual(r1.status, 200, r1)
        self.assertEqual(r1.json(), mg)
        for pid in (s, m):
            r2 = self.srv.get("/api/v1/party-merges?partyId=" + pid,
                              token=self.admin)
            self.assertEqual(r2.status, 200, r2)
            items = r2.json()["items"]
            self.assertEqual([x["id"] for x in items], [mg["id"]])
            self.assertNotIn("moved", items[0])
        r3 = self.srv.get("/api/v1/party-merges?partyId=" + r,
                          token=self.admin)
        self.assertEqual(r3.json(), {"items": [], "next": None})
        # Reading a merge is a read of both residents' data.
        wait_until(lambda: db_query(
            self.data, "SELECT COUNT(*) FROM processing_log WHERE"
            " operation = 'read' AND activity = 'party-merge'")[0][0] >= 6,
            5, what="processing-log read entries")

    def test_refusals(self):
        fx = self.fx
        a = fx.party("A")
        b = fx.party("B")
        c = fx.party("C")
        unknown = str(uuid.uuid4())
        self.assertProblem(self.merge(a, a), 422, field="/mergedId")
        for s, m in ((a, unknown), (unknown, a), ("x", a), (a, "../" + b)):
            with self.subTest(survivor=s, merged=m):
                self.assertProblem(self.merge(s, m), 404, "not-found")
        self.assertProblem(self.merge(a, b, reason=""), 422, field="/reason")
        self.assertProblem(self.merge(a, b, reason="x" * 1001), 422,
                           field="/reason")
        self.assertProblem(self.merge(a, b, token=self.api), 403,
                           "insufficient-role")
        r = self.srv.post_json("/api/v1/party-merges",
                               {"survivorId": a, "mergedId": b},
                               token=self.admin)
        self.assertProblem(r, 422, field="/reason")
        self.assertEqual(self.merge(a, b).status, 201)
        # b is merged now: neither side of another merge.
        self.assertProblem(self.merge(b, c), 409, "party-merged",
                           field="/survivorId")
        self.assertProblem(self.merge(c, b), 409, "party-merged",
                           field="/mergedId")
        self.assertProblem(self.merge(a, b), 409, "party-merged",
                           field="/mergedId")
        self.assertEqual(
            db_query(self.data, "SELECT COUNT(*) FROM party_merges"), [(1,)])
        # Inspecting ids that name nothing.
        for path in ("/api/v1/party-merges/" + unknown,
                     "/api/v1/party-merges/nope",
                     "/api/v1/party-merges?partyId=" + unknown,
                     "/api/v1/party-merges?partyId=nope"):
            with self.subTest(path=path):
                self.assertProblem(self.srv.get(path, token=self.admin), 404)
        self.assertProblem(self.srv.get("/api/v1/party-merges",
                                        token=self.api), 403)
        self.assertProblem(self.srv.get("/api/v1/party-merges?after=x",
                                        token=self.admin), 400)

    def test_list_is_paged(self):
        fx = self.fx
        survivor = fx.party("S")
        ids = []
        for i in range(5):
            r = self.merge(survivor, fx.party("M%d" % i))
            self.assertEqual(r.status, 201, r)
            ids.append(r.json()["id"])
        seen = []
        path = "/api/v1/party-merges?limit=2&partyId=" + survivor
        while path:
            r = self.srv.get(path, token=self.admin)
            self.assertEqual(r.status, 200, r)
            page = r.json()
            self.assertLessEqual(len(page["items"]), 2)
            seen += [x["id"] for x in page["items"]]
            path = ("/api/v1/party-merges?limit=2&partyId=%s&after=%s" %
                    (survivor, page["next"]) if page["next"] else None)
        self.assertEqual(seen, ids)


if __name__ == "__main__":
    loketlib.main()
