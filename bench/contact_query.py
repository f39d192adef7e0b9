#!/usr/bin/env python3
"""contact_query.py - latency of full-text search and of the inbox over a
seeded contact centre (bench/contact_query.sh starts the server and passes
its URL, a token and the database).

Measured, one request at a time over one kept-alive connection:
  search  GET /api/v1/search?q=Q&limit=25 for each realistic Dutch query
  inbox   GET /api/v1/conversations?teamId=T&status=open&limit=25 per team
and, side by side at the store level (Python's sqlite3 on the same file,
the same SQLite library Loket links):
  fts     the FTS5 query Loket runs: MATCH, newest first, LIMIT 25
  like    what the peers do: subject/content LIKE '%term%' per word,
          newest first, LIMIT 25 (a scan when few rows match)
  inbox   the inbox query on the conversations_team index

Prints p50, p95, p99 and max in milliseconds per set, the slowest queries,
and the ratio of the LIKE scan's p95 to the HTTP search's p95.
Standard library only.
"""

import argparse
import http.client
import json
import os
import sqlite3
import statistics
import sys
import time
import urllib.parse

# What residents' contacts are looked up by at a KCC: topics, a rare word,
# two-word queries, names, a prefix, and a word that occurs nowhere.
QUERIES = [
    "paspoort", "container", "parkeervergunning", "WOZ", "traplift",
    "scootmobiel", "asbest", "lantaarnpaal", "geluidsoverlast", "grofvuil",
    "kwijtschelding", "dakkapel", "hondenbelasting", "stoeptegels",
    "rijbewijs verlengen", "afvalpas kwijt", "bezwaar parkeerboete",
    "de Vries", "Jansen", "Bakker Utrecht", "huishoudelijke hulp",
    "terugbellen", "parkeer*", "zwembad", "paspoort traplift",
]
# Search combined with the inbox filters (status, channel), as staff use it:
# the walk down the match list goes on until a page of matches passes.
FILTERED = [
    ("paspoort", {"status": "open"}),
    ("container", {"status": "pending", "channel": "kiosk"}),
    ("de Vries", {"status": "open", "channel": "email"}),
]
LIMIT = 25


def pct(samples, p):
    s = sorted(samples)
    if not s:
        return float("nan")
    k = (len(s) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summary(name, samples):
    return ("%-28s n=%-5d p50 %7.2f  p95 %7.2f  p99 %7.2f  max %8.2f ms" %
            (name, len(samples), pct(samples, 50), pct(samples, 95),
             pct(samples, 99), max(samples)))


class Client:
    def __init__(self, url, token):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port
        self.headers = {"Authorization": "Bearer " + token}
        self.conn = http.client.HTTPConnection(self.host, self.port,
                                               timeout=30)

    def get(self, path):
        """Returns (milliseconds, status, parsed body)."""
        t0 = time.perf_counter()
        self.conn.request("GET", path, headers=self.headers)
        r = self.conn.getresponse()
        body = r.read()
        ms = (time.perf_counter() - t0) * 1000.0
        if r.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port,
                                                   timeout=30)
        return ms, r.status, body


def fts_query(q):
    """The quoting of lk_store_fts_query: each word a phrase, '*' a
    prefix."""
    out = []
    for w in q.split():
        prefix = w.endswith("*")
        w = w.rstrip("*").replace('"', '""')
        out.append('"%s"%s' % (w, " *" if prefix else ""))
    return " ".join(out)


FTS_SQL = ("SELECT c.id, c.conversation_id FROM contacts_fts"
           " JOIN contacts c ON c.seq = contacts_fts.rowid"
           " WHERE contacts_fts MATCH ? ORDER BY contacts_fts.rowid DESC"
           " LIMIT %d" % LIMIT)
INBOX_SQL = ("SELECT id, reference, subject, last_message_at"
             " FROM conversations WHERE team_id = ? AND status = 'open'"
             " ORDER BY last_message_at DESC LIMIT %d" % LIMIT)


def like_sql(q):
    words = [w.rstrip("*") for w in q.split()]
    cond = " AND ".join("(c.subject LIKE ? OR c.content LIKE ?)"
                        for _ in words)
    params = []
    for w in words:
        params += ["%" + w + "%", "%" + w + "%"]
    return ("SELECT c.id, c.conversation_id FROM contacts c WHERE %s"
            " ORDER BY c.seq DESC LIMIT %d" % (cond, LIMIT)), params


def server_cpu_ms(pid):
    """User + system CPU time of process `pid` in ms (0 without a pid)."""
    if not pid:
        return 0.0
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks * 1000.0 / os.sysconf("SC_CLK_TCK")


def timed(conn, sql, params):
    t0 = time.perf_counter()
    rows = conn.execute(sql, params).fetchall()
    return (time.perf_counter() - t0) * 1000.0, len(rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--like-rounds", type=int, default=2)
    ap.add_argument("--pid", type=int, default=0,
                    help="the server's pid, for its CPU time per request")
    a = ap.parse_args()

    db = sqlite3.connect("file:%s?mode=ro" % a.db, uri=True)
    teams = db.execute("SELECT id, name FROM actors"
                       " WHERE kind = 'organisatorische_eenheid'"
                       " ORDER BY name").fetchall()
    contacts = db.execute("SELECT max(seq) FROM contacts").fetchone()[0]
    print("database: %s contacts, %s parties, %s conversations" % (
        contacts,
        db.execute("SELECT count(*) FROM parties").fetchone()[0],
        db.execute("SELECT count(*) FROM conversations").fetchone()[0]))

    cl = Client(a.url, a.token)
    search = {q: [] for q in QUERIES}
    filtered = {q + " " + urllib.parse.urlencode(f): []
                for q, f in FILTERED}
    inbox = {t: [] for t, _ in teams}
    hits = {}
    # Round 0 warms the caches and is not counted.
    def get_ok(path, what):
        ms, status, body = cl.get(path)
        if status != 200:
            sys.exit("%s: HTTP %d %s" % (what, status, body[:200]))
        return ms, body

    # Three phases, so that the server's CPU time (from /proc, when
    # --pid is given) can be told per kind of request: a figure the noise
    # of a shared machine hardly moves.  Round 0 warms up, uncounted.
    cpu = {}
    t0 = server_cpu_ms(a.pid)
    n = 0
    for rnd in range(a.rounds + 1):
        for q in QUERIES:
            path = "/api/v1/search?" + urllib.parse.urlencode(
                {"q": q, "limit": LIMIT})
            ms, body = get_ok(path, "search %r" % q)
            n += 1
            if rnd == 0:
                hits[q] = len(json.loads(body)["items"])
            else:
                search[q].append(ms)
    time.sleep(0.1)  # the processing-log rows of the reads commit
    cpu["search"] = (server_cpu_ms(a.pid) - t0) / n

    t0 = server_cpu_ms(a.pid)
    n = 0
    for rnd in range(a.rounds + 1):
        for q, f in FILTERED:
            params = dict(f, q=q, limit=LIMIT)
            path = "/api/v1/search?" + urllib.parse.urlencode(params)
            ms, body = get_ok(path, "search %r" % q)
            n += 1
            if rnd > 0:
                filtered[q + " " + urllib.parse.urlencode(f)].append(ms)
    time.sleep(0.1)
    cpu["search + status/channel"] = (server_cpu_ms(a.pid) - t0) / n

    t0 = server_cpu_ms(a.pid)
    n = 0
    for rnd in range(a.rounds + 1):
        for t, name in teams:
            path = "/api/v1/conversations?" + urllib.parse.urlencode(
                {"teamId": t, "status": "open", "limit": LIMIT})
            ms, body = get_ok(path, "inbox %s" % name)
            n += 1
            items = json.loads(body)["items"]
            if any(i["status"] != "open" or i["teamId"] != t for i in items):
                sys.exit("inbox %s: wrong items" % name)
            if rnd > 0:
                inbox[t].append(ms)
    time.sleep(0.1)
    cpu["inbox, team + open"] = (server_cpu_ms(a.pid) - t0) / n

    fts = {q: [] for q in QUERIES}
    like = {q: [] for q in QUERIES}
    inbox_store = []
    like_hits = {}
    for rnd in range(a.rounds + 1):
        for q in QUERIES:
            ms, n = timed(db, FTS_SQL, (fts_query(q),))
            if rnd > 0:
                fts[q].append(ms)
        for t, _ in teams:
            ms, n = timed(db, INBOX_SQL, (t,))
            if rnd > 0:
                inbox_store.append(ms)
    for rnd in range(a.like_rounds):
        for q in QUERIES:
            sql, params = like_sql(q)
            ms, n = timed(db, sql, params)
            like[q].append(ms)
            like_hits[q] = n

    all_search = [x for v in search.values() for x in v]
    all_filtered = [x for v in filtered.values() for x in v]
    all_inbox = [x for v in inbox.values() for x in v]
    all_fts = [x for v in fts.values() for x in v]
    all_like = [x for v in like.values() for x in v]
    print()
    print("HTTP, one request at a time on one kept-alive connection:")
    print(summary("search (GET /api/v1/search)", all_search))
    print(summary("search + status/channel", all_filtered))
    print(summary("inbox, team + open", all_inbox))
    print("store level (sqlite3, same file):")
    print(summary("FTS5 MATCH, newest 25", all_fts))
    print(summary("LIKE '%term%' scan, newest 25", all_like))
    print(summary("inbox query on the index", inbox_store))
    print()
    print("per query (HTTP p95 | FTS p95 | LIKE median, ms; hits on page):")
    for q in QUERIES:
        print("  %-24s %7.2f | %7.2f | %9.1f   %2d" % (
            q, pct(search[q], 95), pct(fts[q], 95),
            statistics.median(like[q]), hits[q]))
    for k, v in filtered.items():
        print("  %-40s HTTP p95 %7.2f" % (k, pct(v, 95)))
    if a.pid:
        print()
        print("server CPU time per request (all its threads, incl. the"
              " processing-log writes):")
        for k, v in cpu.items():
            print("  %-28s %6.2f ms" % (k, v))
    print()
    s95 = pct(all_search + all_filtered, 95)
    i95 = pct(all_inbox, 95)
    l95 = pct(all_like, 95)
    print("RESULT search_p95_ms=%.2f target<20 %s" %
          (s95, "met" if s95 < 20 else "MISSED"))
    print("RESULT inbox_p95_ms=%.2f target<10 %s" %
          (i95, "met" if i95 < 10 else "MISSED"))
    print("RESULT like_p95_ms=%.1f like_over_search_p95=%.0f" %
          (l95, l95 / s95 if s95 > 0 else float("nan")))


if __name__ == "__main__":
    main()
