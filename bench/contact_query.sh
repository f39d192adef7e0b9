#!/usr/bin/env bash
# contact_query.sh - full-text search and inbox latency over the seeded
# contact centre (1,000,000 contacts, 200,000 parties), through HTTP, with
# the store-level FTS5 query and a LIKE '%term%' scan (what peers do) as the
# side-by-side reference.  Targets: search p95 < 20 ms, inbox (first page,
# one team, status open) p95 < 10 ms.  See bench/contact_query.py.
#
# Usage: bench/contact_query.sh [DIR]
#   DIR: the seeded data directory (default build/release/bench/contact-data;
#   seeded with bench/contact_seed.sh first if it holds no database).
# Environment: ROUNDS (10), LIKE_ROUNDS (2), SERVER_THREADS (2), LOKET.
# Serving the directory adds rows (the processing log of the reads).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-10}
LIKE_ROUNDS=${LIKE_ROUNDS:-2}
SERVER_THREADS=${SERVER_THREADS:-2}
DIR=${1:-$(dirname "$LOKET")/bench/contact-data}

need curl sqlite3 python3
bench_init contact_query
[ -f "$DIR/loket.db" ] || "$BENCH_DIR/contact_seed.sh" "$DIR"
echo "== search and inbox latency (bench/contact_query.sh)"
machine_line
echo "load average before: $(cut -d" " -f1-3 /proc/loadavg) (other work on the machine adds noise)"
make_token "$DIR" contact-query
start_loket "$BENCH_TMP/loket.out" "$BENCH_TMP/loket.err" \
  --listen 127.0.0.1:0 --data "$DIR" --log-level warn \
  --threads "$SERVER_THREADS"
CMD=(python3 "$BENCH_DIR/contact_query.py" --url "$LOKET_URL" --token "\$TOKEN"
  --db "$DIR/loket.db" --rounds "$ROUNDS" --like-rounds "$LIKE_ROUNDS"
  --pid "$LOKET_PID")
echo "command: loket serve --threads $SERVER_THREADS; ${CMD[*]}"
CMD[5]=$TOKEN
"${CMD[@]}"
