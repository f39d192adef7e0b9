#!/usr/bin/env python3
"""initiatives.py - participation pages over a large city (docs/benchmarks.md,
section 10).

Seeds, with bulk SQL on a fresh data directory (python3's sqlite3, the
schema made by `loket migrate`):
  100,000 initiatives (9 themes, 10 neighbourhoods, every status; 80% public)
  50,000 resident accounts
  2,000,000 followers (1,000 each on 1% of them, 10 on every one)
  1,000,000 doe-mee sign-ups: into p_joins when that table (migration 0022,
            "matching") exists, and always as participants_count
and the counters (followers_count, participants_count) once, as the
writes keep them.  Then starts `loket serve` (release build) on it and
measures, one request at a time over one kept-alive connection:
  list   GET /initiatieven?thema=&wijk=&status= (random filters, also none)
         and the page after it (the `na` cursor)
  page   GET /initiatieven/{id} of random public initiatives
and runs build/.../bench/initiatives_query on the same file: the same list
and initiative reads at the store level with the counters, and with
COUNT(*) at request time (the reference), alternating.

  bench/initiatives.py [--build build/release] [--data DIR] [--n 500]

A --data directory that is already seeded is reused.  Standard library
only.
"""

import argparse
import http.client
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
THEMES = ["groen", "samenleven", "schoon", "cultuur", "sport", "zorg",
          "duurzaam", "jeugd", "verkeer"]
HOODS = ["binnenstad", "noordoost", "oost", "zuid", "zuidwest", "west",
         "noordwest", "overvecht", "leidsche-rijn", "vleuten-de-meern"]
N_INIT, N_ACC = 100000, 50000
BASE = 1735689600000  # 2025-01-01, one publication a second after it


def pct(v, p):
    s = sorted(v)
    k = (len(s) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summary(name, v):
    return ("%-30s n=%-5d p50 %7.2f  p95 %7.2f  p99 %7.2f  max %7.2f ms" %
            (name, len(v), pct(v, 50), pct(v, 95), pct(v, 99), max(v)))


def seed(loket, data):
    os.makedirs(data, exist_ok=True)
    subprocess.run([loket, "migrate", "--data", data], check=True,
                   stdout=subprocess.DEVNULL)
    db = sqlite3.connect(os.path.join(data, "loket.db"))
    # Theme, neighbourhood and status independent of each other (status
    # goes by x % 10, the others by two multiplicative hashes).
    db.create_function("theme", 1, lambda x: THEMES[
        (x * 2654435761 % 4294967296) // 97 % 9])
    db.create_function("hood", 1, lambda x: HOODS[
        (x * 2246822519 % 4294967296) // 131 % 10])
    t0 = time.time()
    db.execute("PRAGMA synchronous=OFF")
    with db:
        db.execute("""
WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < ?)
INSERT INTO p_accounts (id, email, email_key, display_name, confirmed_at,
                        created_at, updated_at)
SELECT printf('01800000-0000-7000-8000-%012x', x),
       'bewoner' || x || '@example.nl', 'bewoner' || x || '@example.nl',
       'Bewoner ' || x, ?2, ?2, ?2 FROM n""", (N_ACC - 1, BASE))
        db.execute("""
WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < ?)
INSERT INTO initiatives (id, owner_id, title, summary, description,
  theme_id, neighbourhood_id, address, lat, lon, start_date, status,
  status_reason, status_changed_at, published_at, created_at, updated_at)
SELECT printf('01900000-0000-7000-8000-%012x', x),
       printf('01800000-0000-7000-8000-%012x', x % ?2),
       'Initiatief ' || x || ': ' || theme(x) || ' in ' || hood(x),
       'Buren doen samen iets voor de straat en de wijk.',
       substr('Wij willen in onze buurt iets beginnen waar iedereen aan mee '
              || 'kan doen. We zoeken mensen die een paar uur willen helpen, '
              || 'gereedschap kunnen lenen of een ruimte weten. ', 1, 200)
         || ' Nummer ' || x || '.',
       theme(x), hood(x), 'Straat ' || (x % 300),
       52.06 + (x % 997) / 12000.0, 5.04 + (x % 991) / 8000.0,
       '2026-05-30',
       CASE x % 10 WHEN 0 THEN 'draft' WHEN 1 THEN 'prescreening'
                   WHEN 6 THEN 'running' WHEN 7 THEN 'running'
                   WHEN 8 THEN 'completed' WHEN 9 THEN 'stopped'
                   ELSE 'published' END,
       CASE x % 10 WHEN 9 THEN 'Te weinig deelnemers' ELSE '' END,
       ?3 + x * 1000,
       CASE WHEN x % 10 < 2 THEN NULL ELSE ?3 + x * 1000 END,
       ?3 + x * 1000, ?3 + x * 1000 FROM n""", (N_INIT - 1, N_ACC, BASE))
        db.execute("""
INSERT INTO initiative_organisers (initiative_id, account_id, role,
                                   created_at)
SELECT id, owner_id, 'owner', created_at FROM initiatives""")
        # 2,000,000 followers, skewed: every 100th initiative (1,000, all
        # published: x % 100 = 5) has 1,000 followers, and every
        # initiative 10 more.  Accounts
        # (i*37 + k*47) and (i*37 + k*2503 + 25000) mod 50,000 never meet
        # within one initiative.
        db.execute("""
WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < ?)
INSERT INTO initiative_followers (initiative_id, account_id, created_at)
SELECT printf('01900000-0000-7000-8000-%012x', (x % 1000) * 100 + 5),
       printf('01800000-0000-7000-8000-%012x',
              (((x % 1000) * 100 + 5) * 37 + (x / 1000) * 47) % ?2), ?3
FROM n""",
                   (1000 * 1000 - 1, N_ACC, BASE))
        db.execute("""
WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < ?)
INSERT INTO initiative_followers (initiative_id, account_id, created_at)
SELECT printf('01900000-0000-7000-8000-%012x', x % ?2),
       printf('01800000-0000-7000-8000-%012x',
              ((x % ?2) * 37 + (x / ?2) * 2503 + 25000) % ?3), ?4 FROM n""",
                   (N_INIT * 10 - 1, N_INIT, N_ACC, BASE))
        joins = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table'"
                           " AND name = 'p_joins'").fetchone() is not None
        if joins:
            db.execute("""
WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < ?)
INSERT INTO p_joins (initiative_id, account_id, created_at)
SELECT printf('01900000-0000-7000-8000-%012x', x % ?2),
       printf('01800000-0000-7000-8000-%012x',
              ((x % ?2) * 41 + (x / ?2) * 4001 + 17) % ?3), ?4 FROM n""",
                       (N_INIT * 10 - 1, N_INIT, N_ACC, BASE))
        # The counters, once, as the writes keep them.
        db.execute("UPDATE initiatives SET participants_count = 10,"
                   " followers_count = (SELECT COUNT(*) FROM"
                   " initiative_followers f WHERE f.initiative_id ="
                   " initiatives.id)")
    db.execute("ANALYZE")
    db.close()
    print("seeded in %.0f s (sign-ups %s)" % (
        time.time() - t0, "in p_joins" if joins else
        "as counters only: no p_joins table in this build"))


class Client:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(self, path):
        t0 = time.perf_counter()
        self.conn.request("GET", path)
        r = self.conn.getresponse()
        body = r.read()
        ms = (time.perf_counter() - t0) * 1000
        if r.status != 200:
            raise SystemExit("GET %s: %d" % (path, r.status))
        return ms, body.decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build",
                                                    "release"))
    ap.add_argument("--data")
    ap.add_argument("--n", type=int, default=500)
    a = ap.parse_args()
    loket = os.path.join(a.build, "loket")
    own = a.data is None
    data = a.data or os.path.join(tempfile.mkdtemp(prefix="loket-init-"),
                                  "data")
    try:
        if not os.path.exists(os.path.join(data, "loket.db")):
            seed(loket, data)
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(
            data, "loket.db"), uri=True)
        ids = [r[0] for r in db.execute(
            "SELECT id FROM initiatives WHERE published_at IS NOT NULL"
            " ORDER BY random() LIMIT ?", (a.n,))]
        db.close()
        srv = subprocess.Popen([loket, "serve", "--listen", "127.0.0.1:0",
                                "--data", data, "--web",
                                os.path.join(ROOT, "web"), "--log-level",
                                "warn"], stdout=subprocess.PIPE, text=True)
        try:
            line = srv.stdout.readline()
            port = int(re.search(r":(\d+)/", line).group(1))
            c = Client(port)
            rnd = random.Random(7)
            lists, nexts, pages = [], [], []
            for i in range(a.n):
                q = "/initiatieven?thema=%s&wijk=%s&status=%s" % (
                    rnd.choice(THEMES + [""]), rnd.choice(HOODS + [""]),
                    rnd.choice(["", "published", "running", "completed",
                                "stopped"]))
                ms, body = c.get(q)
                lists.append(ms)
                m = re.search(r'rel="next" href="([^"]+)"', body)
                if m:
                    ms, _ = c.get(m.group(1).replace("&amp;", "&"))
                    nexts.append(ms)
                ms, _ = c.get("/initiatieven/" + ids[i % len(ids)])
                pages.append(ms)
            print(summary("HTTP list, filtered", lists))
            print(summary("HTTP list, next page", nexts))
            print(summary("HTTP initiative page", pages))
        finally:
            srv.terminate()
            srv.wait(10)
        subprocess.run([os.path.join(a.build, "bench", "initiatives_query"),
                        "--dir", data, "--rounds", str(a.n)], check=True)
    finally:
        if own:
            shutil.rmtree(os.path.dirname(data), ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
