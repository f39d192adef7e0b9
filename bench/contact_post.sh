#!/usr/bin/env bash
# contact_post.sh - conversations created per second, each with its first
# message and acknowledged only once durably committed, by 64 concurrent
# clients (POST /api/v1/conversations through wrk and contact_post.lua),
# with group commit (the server's setting) against one commit per write
# (LOKET_GROUP_COMMIT=0) in the same run.  Target: >= 5,000/s.
#
# Each measurement starts Loket on a fresh data directory holding the
# scale-1 demo data (500 parties, 2,000 contacts), warms up, then counts
# what wrk gets back in DURATION; afterwards the database must hold at
# least as many new conversations as wrk saw acknowledged.
#
# With SEED_DB=path/to/loket.db each measurement starts from a copy of that
# file instead (a seeded one: bench/contact_seed.sh, 1,000,000 contacts),
# so the inserts land in B-trees and a full-text index of realistic size;
# the copy is migrated when Loket opens it.
#
# Usage: bench/contact_post.sh
# Environment: ROUNDS (3), DURATION (10s), WARMUP (2s), CONNECTIONS (64),
#              WRK_THREADS (2), SERVER_THREADS (cores), SEED_DB, LOKET.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
SERVER_THREADS=${SERVER_THREADS:-$(nproc)}
SEED_DB=${SEED_DB:-}
TARGET=5000

need wrk curl sqlite3
bench_init contact_post
echo "== conversation + first message, durable, $CONNECTIONS clients (bench/contact_post.sh)"
machine_line
echo "load average before: $(cut -d" " -f1-3 /proc/loadavg) (other work on the machine adds noise)"
WRK=(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" --latency -s "$BENCH_DIR/contact_post.lua")
[ -z "$SEED_DB" ] || echo "data: a copy of $SEED_DB per measurement"
echo "command: LOKET_GROUP_COMMIT=1|0 loket serve --threads $SERVER_THREADS;" \
  "BENCH_TOKEN=... ${WRK[*]} -d$DURATION URL/api/v1/conversations"

# measure MODE N: prints "creates/s p99_ms writes_per_commit
# writer_us_per_write"; MODE is 1 (group) or 0.  The last two come from the
# server's /metrics (warm-up included): how full the commits were and how
# long the writer thread was busy per write (running it and committing).
measure() {
  local mode=$1 n=$2 data=$BENCH_TMP/data-$1-$2 out rps p99 before after done
  local metrics batch busy
  if [ -n "$SEED_DB" ]; then
    mkdir -p "$data" && cp "$SEED_DB" "$data/loket.db" || die "cannot copy $SEED_DB"
  else
    "$LOKET" demo --data "$data" >/dev/null || die "loket demo failed"
  fi
  make_token "$data" contact-post
  LOKET_GROUP_COMMIT=$mode start_loket "$BENCH_TMP/loket-$mode-$n.out" \
    "$BENCH_TMP/loket-$mode-$n.err" --listen 127.0.0.1:0 --data "$data" \
    --log-level warn --threads "$SERVER_THREADS"
  before=$(sqlite3 "$data/loket.db" "SELECT count(*) FROM conversations")
  BENCH_TOKEN=$TOKEN "${WRK[@]}" -d"$WARMUP" "${LOKET_URL}api/v1/conversations" \
    >/dev/null 2>&1 || die "wrk warm-up failed"
  out=$(BENCH_TOKEN=$TOKEN "${WRK[@]}" -d"$DURATION" \
    "${LOKET_URL}api/v1/conversations" 2>&1) || die "wrk failed: $out"
  echo "$out" >>"$BENCH_TMP/wrk.log"
  if echo "$out" | grep -q 'Non-2xx'; then
    die "mode $mode: $(echo "$out" | grep 'Non-2xx'); $(head -c 300 "$BENCH_TMP/loket-$mode-$n.err")"
  fi
  metrics=$(curl -sf "${LOKET_URL}metrics") || die "no /metrics"
  stop "$LOKET_PID"
  batch=$(echo "$metrics" | awk '/^loket_store_commits_total / { c = $2 }
    /^loket_store_writes_total / { w = $2 }
    END { printf "%.1f", c ? w / c : 0 }')
  busy=$(echo "$metrics" | awk '/^loket_store_writes_total / { w = $2 }
    /^loket_store_commit_duration_seconds_sum / { s = $2 }
    END { printf "%.0f", w ? s / w * 1e6 : 0 }')
  rps=$(echo "$out" | awk '/^Requests\/sec:/ { printf "%.0f", $2 }')
  done=$(echo "$out" | awk '/requests in/ { print $1 }')
  p99=$(echo "$out" | awk '$1 == "99%" {
      v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
      if (u == "us") v /= 1000; else if (u == "s") v *= 1000;
      print v }')
  after=$(sqlite3 "$data/loket.db" "SELECT count(*) FROM conversations")
  # warm-up + measured requests were all acknowledged: all must be there.
  [ $((after - before)) -ge "$done" ] ||
    die "mode $mode: $done acknowledged but only $((after - before)) stored"
  rm -rf "$data"
  echo "$rps $p99 $batch $busy"
}

: >"$BENCH_TMP/group" && : >"$BENCH_TMP/single"
for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) -eq 1 ]; then order="1 0"; else order="0 1"; fi
  for mode in $order; do
    res=$(measure "$mode" "$r")
    if [ "$mode" = 1 ]; then echo "$res" >>"$BENCH_TMP/group"; else echo "$res" >>"$BENCH_TMP/single"; fi
    printf 'round %d  %-22s %6s creates/s  p99 %s ms  %s writes/commit  writer %s us/write\n' "$r" \
      "$([ "$mode" = 1 ] && echo "group commit" || echo "one commit per write")" \
      ${res}
  done
done
g=$(cut -d' ' -f1 "$BENCH_TMP/group" | median)
s=$(cut -d' ' -f1 "$BENCH_TMP/single" | median)
gp=$(cut -d' ' -f2 "$BENCH_TMP/group" | median)
sp=$(cut -d' ' -f2 "$BENCH_TMP/single" | median)
echo "median: group commit $g creates/s (p99 $gp ms), one commit per write $s creates/s (p99 $sp ms), ratio $(ratio "$g" "$s")"
echo "RESULT creates_per_s=$g target>=$TARGET $(awk -v g="$g" -v t="$TARGET" 'BEGIN { print (g >= t) ? "met" : "MISSED" }')"
