#!/usr/bin/env bash
# idle.sh - start-to-ready time and idle memory of `loket serve`, with an
# empty and with a populated database, against nginx in the same run.
#
# Start-to-ready (median of STARTS starts, the three alternating):
#   loket: from fork+exec to the "Loket serving" line on stdout, and the
#          server's own "startup_ms" from its "ready" log line on stderr;
#   both:  from fork+exec to the first 200 answer on a new connection
#          (loket: GET /healthz; nginx: a static file), polled every 1 ms.
# Idle memory (median of RSS_STARTS starts, IDLE_WAIT seconds after ready):
#   VmRSS of the loket process; for nginx the sum over master and workers
#   (which counts shared pages more than once) and the sum of their PSS.
# Targets: loket idle RSS < 20 MB, start-to-ready < 100 ms.
#
# Usage: bench/idle.sh
# Environment: STARTS (20), RSS_STARTS (3), IDLE_WAIT (3 s),
#              POPULATE_SECS (5: seconds of POST /api/v1/tokens that fill
#              the populated database), SERVER_THREADS (2), LOKET, NGINX.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

STARTS=${STARTS:-20}
RSS_STARTS=${RSS_STARTS:-3}
IDLE_WAIT=${IDLE_WAIT:-3}
POPULATE_SECS=${POPULATE_SECS:-5}
SERVER_THREADS=${SERVER_THREADS:-2}
RSS_TARGET_KB=$((20 * 1024))
READY_TARGET_MS=100

need wrk curl "$NGINX"
bench_init idle
T=$BENCH_TMP

# A FIFO opened read-write never delivers data: `read -t` on it is a
# sleep without forking a process.
mkfifo "$T/tick"
exec 9<>"$T/tick"
nap() { read -r -t "$1" -u 9 _ || true; }

# now_us: wall clock in microseconds (bash builtin, no fork).
now_us() { local t=${EPOCHREALTIME/[.,]/}; echo "$t"; }

# probe PORT PATH: true if a new connection gets "HTTP/1.x 200".
probe() {
  local status
  { exec 7<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&7
  status=
  read -r -t 2 -u 7 status || true
  exec 7<&- 7>&-
  [[ $status == HTTP/1.[01]\ 200* ]]
}

# wait_probe PID PORT PATH: polls every 1 ms, up to 10 s, while PID lives.
wait_probe() {
  local i
  for ((i = 0; i < 10000; i++)); do
    probe "$2" "$3" && return 0
    kill -0 "$1" 2>/dev/null || return 1
    nap 0.001
  done
  return 1
}

kb_of() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/$3"; }
rss_kb() { kb_of "$1" VmRSS status; }
pss_kb() { kb_of "$1" Pss smaps_rollup 2>/dev/null || echo 0; }

# ---- loket ----------------------------------------------------------------
# loket_start DATA: sets L_PID, L_PORT, L_LINE_US (exec to "Loket serving"),
# L_HTTP_US (exec to first 200), L_STARTUP_MS (from the ready log line).
loket_start() {
  local data=$1 t0 line
  rm -f "$T/out"
  mkfifo "$T/out"
  t0=$(now_us)
  "$LOKET" serve --listen 127.0.0.1:0 --data "$data" \
    --log-level info --threads "$SERVER_THREADS" >"$T/out" 2>"$T/err" &
  L_PID=$!
  track "$L_PID"
  exec 8<"$T/out"
  line=
  read -r -u 8 line || true
  L_LINE_US=$(($(now_us) - t0))
  [[ $line == "Loket serving http://127.0.0.1:"* ]] ||
    die "loket did not start: $(cat "$T/err")"
  L_PORT=${line##*:}
  L_PORT=${L_PORT%/}
  wait_probe "$L_PID" "$L_PORT" /healthz || die "loket does not answer /healthz"
  L_HTTP_US=$(($(now_us) - t0))
  L_STARTUP_MS=$(sed -n 's/.*"msg":"ready".*"startup_ms":"\([0-9.]*\)".*/\1/p' "$T/err")
}

loket_stop() {
  stop "$L_PID"
  exec 8<&-
}

# ---- nginx ------------------------------------------------------------------
NGX=$T/nginx
mkdir -p "$NGX/html"
echo '{"status":"ok"}' >"$NGX/html/healthz"
chmod -R a+rX "$NGX"

# nginx_start: sets N_PID, N_HTTP_US.  Retries on another port if the one
# picked was taken meanwhile.
nginx_start() {
  local port t0 try
  for try in 1 2 3; do
    port=$(free_port)
    write_nginx_conf "$NGX" "$port" "$NGX/html"
    t0=$(now_us)
    start_nginx "$NGX"
    N_PID=$NGINX_PID
    if wait_probe "$N_PID" "$port" /healthz; then
      N_HTTP_US=$(($(now_us) - t0))
      return 0
    fi
    stop "$N_PID"
  done
  die "nginx did not start: $(cat "$NGX/error.log")"
}

nginx_mem() {
  local rss pss p
  rss=$(rss_kb "$N_PID")
  pss=$(pss_kb "$N_PID")
  for p in $(pgrep -P "$N_PID"); do
    rss=$((rss + $(rss_kb "$p")))
    pss=$((pss + $(pss_kb "$p")))
  done
  echo "$rss $pss"
}

ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

echo "== idle: start-to-ready and idle memory, loket vs nginx"
machine_line

# ---- the two databases --------------------------------------------------
EMPTY=$T/empty
FULL=$T/full
loket_start "$EMPTY" # creates and migrates the database
FIRST_LINE_US=$L_LINE_US
FIRST_STARTUP_MS=$L_STARTUP_MS
loket_stop

make_token "$FULL" populate
loket_start "$FULL"
cat >"$T/post.lua" <<EOF
wrk.method = "POST"
wrk.body = '{"name":"populated","scopes":["api"]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
EOF
wrk -t2 -c64 -d"${POPULATE_SECS}s" -s "$T/post.lua" \
  "http://127.0.0.1:$L_PORT/api/v1/tokens" >"$T/populate.log" 2>&1 ||
  die "populating failed: $(cat "$T/populate.log")"
loket_stop
if command -v sqlite3 >/dev/null; then
  NTOKENS=$(sqlite3 -readonly "$FULL/loket.db" 'SELECT count(*) FROM api_tokens')
  NEVENTS=$(sqlite3 -readonly "$FULL/loket.db" 'SELECT count(*) FROM events')
else
  NTOKENS=$(awk '/requests in/ { print $1 }' "$T/populate.log")
  NEVENTS=$NTOKENS
fi
DB_BYTES=$(cat "$FULL"/loket.db* | wc -c)
echo "populated database: $NTOKENS tokens, $NEVENTS events and as many" \
  "audit entries, $(mb $((DB_BYTES / 1024))) MB"
echo "first start on a new data dir (creates and migrates the database):" \
  "$(ms "$FIRST_LINE_US") ms to ready, startup_ms $FIRST_STARTUP_MS"

# ---- start-to-ready, alternating --------------------------------------------
LE_LINE=() LE_HTTP=() LE_SMS=() LF_LINE=() LF_HTTP=() LF_SMS=() N_HTTP=()
for i in $(seq 1 "$STARTS"); do
  case $((i % 3)) in
  0) order="empty full nginx" ;;
  1) order="full nginx empty" ;;
  *) order="nginx empty full" ;;
  esac
  for who in $order; do
    case $who in
    empty)
      loket_start "$EMPTY"
      LE_LINE+=("$L_LINE_US") LE_HTTP+=("$L_HTTP_US") LE_SMS+=("$L_STARTUP_MS")
      loket_stop
      ;;
    full)
      loket_start "$FULL"
      LF_LINE+=("$L_LINE_US") LF_HTTP+=("$L_HTTP_US") LF_SMS+=("$L_STARTUP_MS")
      loket_stop
      ;;
    nginx)
      nginx_start
      N_HTTP+=("$N_HTTP_US")
      stop "$N_PID"
      ;;
    esac
  done
done
med() { printf '%s\n' "$@" | median; }
max() { printf '%s\n' "$@" | sort -g | tail -n 1; }

# ---- idle memory -------------------------------------------------------------
LE_RSS=() LE_PSS=() LF_RSS=() LF_PSS=() N_RSS=() N_PSS=()
for i in $(seq 1 "$RSS_STARTS"); do
  loket_start "$EMPTY"
  nap "$IDLE_WAIT"
  LE_RSS+=("$(rss_kb "$L_PID")") LE_PSS+=("$(pss_kb "$L_PID")")
  loket_stop
  loket_start "$FULL"
  nap "$IDLE_WAIT"
  LF_RSS+=("$(rss_kb "$L_PID")") LF_PSS+=("$(pss_kb "$L_PID")")
  loket_stop
  nginx_start
  nap "$IDLE_WAIT"
  read -r r p <<<"$(nginx_mem)"
  N_RSS+=("$r") N_PSS+=("$p")
  stop "$N_PID"
done

LE_RSS_M=$(med "${LE_RSS[@]}")
LF_RSS_M=$(med "${LF_RSS[@]}")
N_RSS_M=$(med "${N_RSS[@]}")
LE_LINE_M=$(med "${LE_LINE[@]}")
LF_LINE_M=$(med "${LF_LINE[@]}")
N_HTTP_M=$(med "${N_HTTP[@]}")
# below A B: "met" if A < B, else "MISSED" (medians may have fractions).
below() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b) ? "met" : "MISSED" }'; }
larger() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b) ? a : b }'; }
one() { awk -v v="$1" 'BEGIN { printf "%.1f", v }'; }

echo
echo "start-to-ready, $STARTS starts each (median / max, ms):"
printf '  %-22s %8s %14s %14s\n' "" "to line" "to 1st 200" "startup_ms"
printf '  %-22s %8s %14s %14s\n' "loket, empty db" \
  "$(ms "$LE_LINE_M")/$(ms "$(max "${LE_LINE[@]}")")" \
  "$(ms "$(med "${LE_HTTP[@]}")")/$(ms "$(max "${LE_HTTP[@]}")")" \
  "$(one "$(med "${LE_SMS[@]}")")/$(one "$(max "${LE_SMS[@]}")")"
printf '  %-22s %8s %14s %14s\n' "loket, populated db" \
  "$(ms "$LF_LINE_M")/$(ms "$(max "${LF_LINE[@]}")")" \
  "$(ms "$(med "${LF_HTTP[@]}")")/$(ms "$(max "${LF_HTTP[@]}")")" \
  "$(one "$(med "${LF_SMS[@]}")")/$(one "$(max "${LF_SMS[@]}")")"
printf '  %-22s %8s %14s %14s\n' "nginx" "-" \
  "$(ms "$N_HTTP_M")/$(ms "$(max "${N_HTTP[@]}")")" "-"
echo
echo "idle memory, $RSS_STARTS starts each, ${IDLE_WAIT} s after ready (median, MB):"
printf '  %-22s RSS %6s   PSS %6s\n' "loket, empty db" "$(mb "$LE_RSS_M")" \
  "$(mb "$(med "${LE_PSS[@]}")")"
printf '  %-22s RSS %6s   PSS %6s\n' "loket, populated db" "$(mb "$LF_RSS_M")" \
  "$(mb "$(med "${LF_PSS[@]}")")"
printf '  %-22s RSS %6s   PSS %6s   (master + 2 workers, summed)\n' "nginx" \
  "$(mb "$N_RSS_M")" "$(mb "$(med "${N_PSS[@]}")")"
echo
echo "summary:"
worst_rss=$(larger "$LE_RSS_M" "$LF_RSS_M")
worst_line=$(larger "$LE_LINE_M" "$LF_LINE_M")
echo "  loket idle RSS $(mb "$worst_rss") MB (worse of the two dbs);" \
  "ratio to nginx RSS $(ratio "$worst_rss" "$N_RSS_M");" \
  "target < 20 MB: $(below "$worst_rss" "$RSS_TARGET_KB")"
LE_HTTP_M=$(med "${LE_HTTP[@]}")
echo "  loket start-to-ready $(ms "$worst_line") ms (worse of the two dbs);" \
  "to first answer $(ms "$LE_HTTP_M") ms (empty db) vs nginx" \
  "$(ms "$N_HTTP_M") ms, ratio $(ratio "$LE_HTTP_M" "$N_HTTP_M");" \
  "target < $READY_TARGET_MS ms: $(below "$worst_line" $((READY_TARGET_MS * 1000)))"
