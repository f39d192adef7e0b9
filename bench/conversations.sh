#!/usr/bin/env bash
# conversations.sh - the contact-centre figures of issue 3, with wrk:
#  1. inbox: GET /api/v1/conversations?teamId=T&status=open (first page,
#     a random team per request), one connection, p50/p95;
#  2. search: GET /api/v1/search?q=WORD (a random word of the seed's
#     vocabulary, or two), one connection, p50/p95;
#  3. create: POST /api/v1/conversations (new sender each time, so a new
#     party too) from CONNECTIONS connections, requests per second.
# Data: a data directory seeded by bench/conversations_seed.py (default
# 1,000,000 messages over 200,000 parties), made once and reused via
# SEED_DIR, copied per run so the seed stays pristine.
#
# Usage: bench/conversations.sh
# Environment: SEED_DIR (seed here if missing), MESSAGES (1000000),
#   DURATION (10s), CONNECTIONS (64), WRK_THREADS (2), SERVER_THREADS (2),
#   LOKET.  Loopback only; stops everything it started.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

MESSAGES=${MESSAGES:-1000000}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
SERVER_THREADS=${SERVER_THREADS:-2}

need wrk curl python3
bench_init conversations
SEED_DIR=${SEED_DIR:-${TMPDIR:-/tmp}/loket-seed-$MESSAGES}
if [ ! -f "$SEED_DIR/loket.db" ]; then
  mkdir -p "$(dirname "$SEED_DIR")"
  python3 "$BENCH_DIR/conversations_seed.py" "$LOKET" "$SEED_DIR" "$MESSAGES"
fi
DATA=$BENCH_TMP/data
mkdir -p "$DATA"
cp "$SEED_DIR/loket.db" "$DATA/"
TOKEN=$("$LOKET" token create --name bench --scopes "api confidential" \
  --data "$DATA" | tail -1)
TEAMS=$(python3 -c "
import sqlite3, sys
db = sqlite3.connect('$DATA/loket.db')
print(' '.join(r[0] for r in db.execute(\"SELECT id FROM actors WHERE kind = 'organisatorische_eenheid'\")))")

PORT=$(free_port)
"$LOKET" serve --listen "127.0.0.1:$PORT" --data "$DATA" \
  --threads "$SERVER_THREADS" --log-level warn >/dev/null 2>&1 &
track $!
wait_http "http://127.0.0.1:$PORT/healthz" 30 $! || die "loket did not start"
URL="http://127.0.0.1:$PORT"

cat >"$BENCH_TMP/common.lua" <<LUA
token = "$TOKEN"
teams = {}
for t in string.gmatch("$TEAMS", "%S+") do table.insert(teams, t) end
words = {"afval", "container", "paspoort", "rijbewijs", "parkeren",
         "vergunning", "melding", "straat", "lantaarn", "boom", "belasting",
         "aanslag", "verhuizing", "uitkering", "subsidie", "overlast",
         "riool", "afspraak", "factuur", "bezwaar", "klacht"}
headers = {["Authorization"] = "Bearer " .. token}
function done(summary, latency, requests)
  io.write(string.format("requests %d  errors %d  rps %.0f  p50 %.2f ms  p95 %.2f ms  p99 %.2f ms\n",
    summary.requests, summary.errors.status + summary.errors.connect +
    summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
LUA
cat >"$BENCH_TMP/inbox.lua" <<'LUA'
dofile(os.getenv("COMMON"))
request = function()
  local t = teams[math.random(#teams)]
  return wrk.format("GET", "/api/v1/conversations?teamId=" .. t ..
                    "&status=open", headers)
end
LUA
cat >"$BENCH_TMP/search.lua" <<'LUA'
dofile(os.getenv("COMMON"))
request = function()
  local q = words[math.random(#words)]
  if math.random(2) == 1 then q = q .. "%20" .. words[math.random(#words)] end
  return wrk.format("GET", "/api/v1/search?q=" .. q, headers)
end
LUA
cat >"$BENCH_TMP/create.lua" <<'LUA'
dofile(os.getenv("COMMON"))
n = 0
id = 0
setup = function(thread) id = id + 1; thread:set("tid", id) end
request = function()
  n = n + 1
  local body = string.format('{"channel":"webformulier","subject":"Melding %d",' ..
    '"content":"De %s bij ons in de straat is kapot, nummer %d",' ..
    '"from":{"name":"Inwoner %d","email":"inwoner%d.%d@example.nl"},' ..
    '"teamId":"%s"}', n, words[math.random(#words)], n, n, tid or 0, n,
    teams[math.random(#teams)])
  local h = {["Authorization"] = headers["Authorization"],
             ["Content-Type"] = "application/json"}
  return wrk.format("POST", "/api/v1/conversations", h, body)
end
response = function(status, headers, body)
  if status ~= 201 then io.write("status " .. status .. "\n") end
end
LUA
export COMMON=$BENCH_TMP/common.lua
# Creation first: the reads below each queue processing-log rows (one per
# resident on a page), which the writer would otherwise still be
# committing and checkpointing when creation starts.
echo "== create conversation, $CONNECTIONS connections"
wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$BENCH_TMP/create.lua" \
  "$URL" | tail -1
sleep 2
echo "== inbox (teamId + status=open, first page), 1 connection"
wrk -t1 -c1 -d"$DURATION" -s "$BENCH_TMP/inbox.lua" "$URL" | tail -1
echo "== search (one or two words), 1 connection"
wrk -t1 -c1 -d"$DURATION" -s "$BENCH_TMP/search.lua" "$URL" | tail -1
