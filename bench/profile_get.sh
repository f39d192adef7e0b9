#!/usr/bin/env bash
# profile_get.sh - where GET /api/v1/tokens/{id} spends its time: the
# diagnostic behind http_get.sh (not a benchmark with a target).
#
# 1. callgrind: REQUESTS keep-alive GETs over one connection (curl), counted
#    after startup; prints instructions per request and the top functions by
#    inclusive instruction count.  Repeatable, but note that valgrind counts
#    every iteration of `rep stosb` as one instruction, so large memsets
#    (libmicrohttpd zeroing its connection pool) look far costlier than
#    they are.
# 2. perf stat (if perf works): system calls, context switches and CPU time
#    per request of the server under wrk load (-t2 -c64, DURATION).
#
# Usage: bench/profile_get.sh
# Environment: REQUESTS (5000), DURATION (5), TOP (30), LOKET.
# Keeps callgrind.out.* in KEEP_TMP's directory if KEEP_TMP is set.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

REQUESTS=${REQUESTS:-5000}
DURATION=${DURATION:-5}
TOP=${TOP:-30}

need valgrind callgrind_control callgrind_annotate curl wrk
bench_init profile_get
T=$BENCH_TMP
make_token "$T/data" profile
AUTH="Authorization: Bearer $TOKEN"

echo "== profile_get: GET /api/v1/tokens/{id}"
machine_line

# ---- callgrind ---------------------------------------------------------
PORT=$(free_port)
valgrind --tool=callgrind --callgrind-out-file="$T/callgrind.out" \
  "$LOKET" serve --listen "127.0.0.1:$PORT" --data "$T/data" \
  --log-level warn --threads 2 >"$T/vg.out" 2>"$T/vg.err" &
VG=$!
track "$VG"
for _ in $(seq 1 300); do
  grep -q '^Loket serving' "$T/vg.out" && break
  kill -0 "$VG" 2>/dev/null || die "loket under valgrind died: $(cat "$T/vg.err")"
  sleep 0.1
done
URL=http://127.0.0.1:$PORT/api/v1/tokens/$TOKEN_ID
curl -sf -o /dev/null -H "$AUTH" "$URL" || die "GET $URL failed"
for _ in $(seq 1 "$REQUESTS"); do
  printf 'url = "%s"\noutput = "/dev/null"\n' "$URL"
done >"$T/urls"
callgrind_control -z "$VG" >/dev/null 2>&1
curl -s -H "$AUTH" -K "$T/urls"
callgrind_control -d "$VG" >/dev/null 2>&1
stop "$VG"
CG=$(ls "$T"/callgrind.out.* | head -n 1)
TOTAL=$(sed -n 's/^summary: //p' "$CG")
MEMSET=$(callgrind_annotate --inclusive=no --threshold=100 "$CG" 2>/dev/null |
  awk '/memset/ { gsub(",", "", $1); s += $1 } END { print s + 0 }')
echo
echo "callgrind, $REQUESTS requests on one keep-alive connection:"
printf '  %.0f instructions per request; %.0f without memset\n' \
  "$(awk -v t="$TOTAL" -v n="$REQUESTS" 'BEGIN { print t / n }')" \
  "$(awk -v t="$TOTAL" -v m="$MEMSET" -v n="$REQUESTS" 'BEGIN { print (t - m) / n }')"
echo "  top functions, inclusive instructions per request:"
callgrind_annotate --inclusive=yes --threshold=100 "$CG" 2>/dev/null |
  awk -v n="$REQUESTS" -v top="$TOP" '
    /^ *[0-9,]+ +\([ 0-9.]+%\) +/ {
      c = $1; gsub(",", "", c);
      name = $0; sub(/^ *[0-9,]+ +\([ 0-9.]+%\) +/, "", name);
      sub(/ \[.*\]$/, "", name); sub(/^.*:/, "", name);
      if (name ~ /^(clone|start_thread|0x[0-9a-f]+)$/) next;
      if (++k <= top) printf "  %9.0f  %s\n", c / n, name }'
if [ -n "${KEEP_TMP:-}" ]; then echo "  (data in $T)"; fi

# ---- perf stat ---------------------------------------------------------
if perf stat -e task-clock true >/dev/null 2>&1; then
  start_loket "$T/p.out" "$T/p.err" --listen 127.0.0.1:0 --data "$T/data" \
    --log-level warn --threads 2
  URL=${LOKET_URL}api/v1/tokens/$TOKEN_ID
  wrk -t2 -c64 -d1s -H "$AUTH" "$URL" >/dev/null
  perf stat -x, -e task-clock,context-switches,raw_syscalls:sys_enter \
    -e syscalls:sys_enter_fcntl,syscalls:sys_enter_newfstatat \
    -e syscalls:sys_enter_futex -p "$LOKET_PID" -o "$T/perf.txt" \
    -- sleep "$DURATION" &
  PS=$!
  wrk -t2 -c64 -d"${DURATION}s" -H "$AUTH" "$URL" >"$T/wrk.txt"
  wait "$PS"
  N=$(awk '/requests in/ { print $1 }' "$T/wrk.txt")
  echo
  echo "perf stat of the server under wrk -t2 -c64 -d${DURATION}s ($N requests), per request:"
  awk -F, -v n="$N" '
    $3 == "task-clock" { printf "  CPU %.1f us", $1 * 1000 / n }
    $3 == "context-switches" { printf ", context switches %.2f", $1 / n }
    $3 == "raw_syscalls:sys_enter" { printf ", system calls %.2f", $1 / n }
    $3 ~ /sys_enter_/ { sub(/.*sys_enter_/, "", $3); extra = extra sprintf(" %s %.2f", $3, $1 / n) }
    END { print ""; print "  of which" extra }' "$T/perf.txt"
else
  echo "(perf stat does not work here: no per-request system calls)"
fi
