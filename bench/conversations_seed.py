#!/usr/bin/env python3
"""Fills a data directory with conversations for the inbox and search
benchmarks (bench/conversations_bench.py): PARTIES parties, MESSAGES
contacts in conversations of 1-5 messages, 20 teams, 60 agents, 12
categories.  Writes straight into SQLite after `loket migrate`, so the
FTS triggers of the schema index every contact as Loket would.

Usage: conversations_seed.py LOKET_BIN DATA_DIR [MESSAGES [PARTIES]]
"""
import os
import random
import sqlite3
import subprocess
import sys
import time
import uuid

WORDS = ("afval container grofvuil paspoort rijbewijs parkeren vergunning "
         "melding straat lantaarn kapot boom stoep gemeente belasting "
         "aanslag kwijtschelding verhuizing adres uittreksel geboorte "
         "huwelijk bijstand uitkering subsidie woning huur overlast geluid "
         "hond fiets wrak riool water storing afspraak balie loket "
         "identiteitskaart rijbewijs gft papier plastic ophalen kalender "
         "factuur betaling herinnering bezwaar beroep termijn brief "
         "formulier aanvraag status vraag klacht compliment dank").split()
FIRST = ("Jan Piet Kees Sanne Fatima Mohammed Lotte Emma Daan Sem Noah "
         "Julia Mila Tess Anouk Bram Thijs Ayoub Yara Zoë").split()
LAST = ("de Vries Jansen Bakker Visser Smit Meijer de Boer Mulder de Groot "
        "Bos Vos Peters Hendriks van Leeuwen Dekker Brouwer de Wit Dijkstra "
        "Yilmaz El Amrani").split(" ")
CHANNELS = ("webformulier chat email telefoon post social video kiosk "
            "balie").split()
STATUSES = ["open"] * 20 + ["pending"] * 10 + ["snoozed"] * 5 + \
    ["resolved"] * 65


def uid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def main():
    loket, data = sys.argv[1], sys.argv[2]
    messages = int(sys.argv[3]) if len(sys.argv) > 3 else 1000000
    parties = int(sys.argv[4]) if len(sys.argv) > 4 else messages // 5
    subprocess.run([loket, "migrate", "--data", data], check=True,
                   stdout=subprocess.DEVNULL)
    rng = random.Random(42)
    db = sqlite3.connect(os.path.join(data, "loket.db"))
    db.execute("PRAGMA synchronous=OFF")
    t0 = time.time()
    now = int(time.time() * 1000)
    teams = [uid(rng) for _ in range(20)]
    agents = [uid(rng) for _ in range(60)]
    cats = [uid(rng) for _ in range(12)]
    db.executemany(
        "INSERT INTO actors (id, kind, name, created_at, updated_at)"
        " VALUES (?, 'organisatorische_eenheid', ?, 0, 0)",
        [(t, "Team %d" % i) for i, t in enumerate(teams)])
    db.executemany(
        "INSERT INTO actors (id, kind, name, created_at, updated_at)"
        " VALUES (?, 'medewerker', ?, 0, 0)",
        [(a, "Medewerker %d" % i) for i, a in enumerate(agents)])
    db.executemany("INSERT INTO categories (id, name, created_at)"
                   " VALUES (?, ?, 0)",
                   [(c, "Categorie %d" % i) for i, c in enumerate(cats)])
    pids = []
    rows = []
    for i in range(parties):
        p = uid(rng)
        pids.append(p)
        rows.append((p, "%010d" % (i + 1), "%s %s" % (rng.choice(FIRST),
                                                      rng.choice(LAST))))
    db.executemany("INSERT INTO parties (id, nummer, kind, display_name,"
                   " created_at, updated_at) VALUES (?, ?, 'persoon', ?, 0,"
                   " 0)", rows)
    done = 0
    n = 0
    t = now - messages * 1000  # one message a second, oldest first
    while done < messages:
        n += 1
        cid = uid(rng)
        k = min(rng.randint(1, 5), messages - done)
        status = rng.choice(STATUSES)
        team = rng.choice(teams)
        assignee = rng.choice(agents) if rng.random() < 0.7 else None
        channel = rng.choice(CHANNELS)
        subject = " ".join(rng.choice(WORDS) for _ in range(3))
        conf = 1 if rng.random() < 0.02 else 0
        first = t
        db.execute(
            "INSERT INTO conversations (id, reference, party_id, subject,"
            " channel, status, priority, team_id, assignee_id, confidential,"
            " version, created_at, updated_at, last_message_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
            (cid, "LK-%s-%06d" % (time.strftime("%Y", time.gmtime()), n), rng.choice(pids), subject, channel,
             status, rng.randint(0, 3), team, assignee, conf, first, first,
             first + (k - 1) * 1000))
        if rng.random() < 0.5:
            db.execute("INSERT INTO conversation_categories VALUES (?, ?)",
                       (cid, rng.choice(cats)))
        for j in range(k):
            kind = "inbound" if j % 2 == 0 else "outbound"
            db.execute(
                "INSERT INTO contacts (id, conversation_id, kind, channel,"
                " subject, content, confidential, occurred_at, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (uid(rng), cid, kind, channel, subject if j == 0 else "",
                 " ".join(rng.choice(WORDS) for _ in range(rng.randint(8,
                                                                       40))),
                 conf, t, t))
            t += 1000
        done += k
        if n % 20000 == 0:
            db.commit()
            sys.stderr.write("%d messages, %.0f s\n" % (done, time.time() - t0))
    # The numbers Loket hands out next must follow the seeded ones.
    db.execute("INSERT INTO counters (name, value) VALUES ('parties', ?)"
               " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
               (parties,))
    db.execute("INSERT INTO counters (name, value) VALUES (?, ?)"
               " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
               ("conversations:%s" % time.strftime("%Y", time.gmtime()), n))
    db.commit()
    # Bulk commits leave a few huge FTS5 segments that the first small
    # commits would then merge at great cost; a server that grew message by
    # message has a steady merge tree instead.  Start from one segment.
    db.execute("INSERT INTO contacts_fts (contacts_fts) VALUES ('optimize')")
    db.commit()
    db.execute("ANALYZE")
    db.commit()
    db.close()
    print("seeded %d messages in %d conversations, %d parties in %.0f s" %
          (done, n, parties, time.time() - t0))


if __name__ == "__main__":
    main()
