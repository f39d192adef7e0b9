#!/usr/bin/env bash
# calamity_page.sh - the calamity page in calamity mode against nginx
# serving the same bytes as a static file, in one run:
#
# 1. keep-alive throughput: wrk on GET /actueel/{id} (the page `/`
#    redirects to), alternating rounds loket, nginx, ...; medians and the
#    ratio loket/nginx (target >= 0.50);
# 2. a connection spike: bench/conn_spike opens SPIKE_CONNECTIONS new
#    connections within SPIKE_WINDOW_MS, one GET each, kept open until all
#    are answered; every one must get a 200 (no refused, reset or
#    unanswered connection).  Alternating loket, nginx, ...; then one burst
#    each with all connections at once (a diagnostic, no target).
#
# Set-up: a fresh data directory, an admin token, a published notice of
# kind calamiteit with a realistic text, area, postcodes and four updates;
# calamity mode switched on with POST /api/v1/calamity.  The bytes of the
# page that `/` redirects to are stored as the file nginx serves, under
# the same path, with the same Content-Type and Cache-Control and the same
# security headers, so that both send nearly the same number of bytes.
# Neither compresses.
#
# CPUs: loket (--threads 2), nginx (worker_processes 2), wrk (-t2) and
# conn_spike all run under `taskset -c $CPUS` (default 0,1): the servers get
# the same cores and the load generator shares them.  On a 2-core machine
# that is the whole machine.
#
# Usage: bench/calamity_page.sh
# Environment: ROUNDS (3), DURATION (10s), CONNECTIONS (64), WRK_THREADS (2),
#   SERVER_THREADS (2), WARMUP (2s), CPUS (0,1), SPIKE_ROUNDS (3),
#   SPIKE_CONNECTIONS (2000), SPIKE_WINDOW_MS (1000), LOKET, NGINX.
# Loopback only; stops everything it started.  About 1.5 minutes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
SERVER_THREADS=${SERVER_THREADS:-2}
WARMUP=${WARMUP:-2s}
CPUS=${CPUS:-0,1}
SPIKE_ROUNDS=${SPIKE_ROUNDS:-3}
SPIKE_CONNECTIONS=${SPIKE_CONNECTIONS:-2000}
SPIKE_WINDOW_MS=${SPIKE_WINDOW_MS:-1000}
SPIKE=${SPIKE:-$(dirname "$LOKET")/bench/conn_spike}
TARGET=0.50

need wrk curl taskset python3 "$NGINX" "$SPIKE"
bench_init calamity_page
PIN=(taskset -c "$CPUS")
WRK=("${PIN[@]}" wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION"
  --latency)

# ---- loket: a calamity notice, calamity mode on -------------------------
DATA=$BENCH_TMP/data
out=$("$LOKET" token create --name bench --scopes "api admin" --data "$DATA") ||
  die "loket token create failed"
TOKEN=$(printf '%s\n' "$out" | tail -n 1)
LOKET_BIN=$LOKET
# start_loket runs "$LOKET"; pin it through a wrapper script.
cat >"$BENCH_TMP/pinned-loket" <<EOF
#!/bin/sh
exec taskset -c $CPUS $LOKET_BIN "\$@"
EOF
chmod +x "$BENCH_TMP/pinned-loket"
LOKET=$BENCH_TMP/pinned-loket
start_loket "$BENCH_TMP/loket.out" "$BENCH_TMP/loket.err" \
  --listen 127.0.0.1:0 --data "$DATA" --log-level warn \
  --threads "$SERVER_THREADS"
LOKET=$LOKET_BIN
BASE=${LOKET_URL%/}
AUTH="Authorization: Bearer $TOKEN"

api() { # METHOD PATH JSON: prints the answer, fails on a non-2xx
  curl -sf -X "$1" -H "$AUTH" -H 'Content-Type: application/json' \
    --data-binary "$3" "$BASE$2" || die "$1 $2 failed"
}
json_id() { python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'; }

NOTICE=$(python3 - <<'EOF'
import json
body = (
    "Sinds 14.20 uur woedt een zeer grote brand in een bedrijfspand aan de "
    "Westhavenweg. Er komt veel rook vrij die over de wijken Westhaven, "
    "Oud-West en de Spaarndammerbuurt trekt. De brandweer heeft het sein "
    "GRIP 2 gegeven.\n\n"
    "Wat moet u doen?\n"
    "- Ga naar binnen en houd ramen en deuren gesloten.\n"
    "- Zet mechanische ventilatie en afzuigkappen uit.\n"
    "- Vermijd het gebied rond de Westhavenweg; hulpdiensten moeten er "
    "snel door kunnen.\n"
    "- Help buren die hulp nodig hebben, als dat veilig kan.\n\n"
    "Heeft u last van de rook, zoals hoofdpijn, benauwdheid of "
    "geïrriteerde ogen? Neem contact op met uw huisarts of de "
    "huisartsenpost. Bel bij direct gevaar 112.\n\n"
    "Scholen en kinderopvang in het gebied houden de kinderen binnen. "
    "Ouders hoeven hun kinderen niet eerder op te halen. De tram- en "
    "buslijnen 12, 14 en 48 rijden om. Volg deze pagina voor de laatste "
    "informatie; wij werken haar bij zodra er nieuws is.")
print(json.dumps({
    "kind": "calamiteit", "title": "Grote brand Westhavenweg: houd ramen "
    "en deuren gesloten", "body": body, "severity": "zeer-ernstig",
    "area": {"type": "polygon", "coordinates": [
        [4.8631, 52.3889], [4.8795, 52.3901], [4.8902, 52.3840],
        [4.8866, 52.3768], [4.8712, 52.3741], [4.8598, 52.3802]]},
    "postcodes": ["1013", "1014", "1051", "1052", "1055"],
    "publish": True}))
EOF
)
NOTICE_ID=$(api POST /api/v1/notices "$NOTICE" | json_id)
for text in \
  "De brandweer heeft de brand omsingeld. De rookontwikkeling blijft groot." \
  "Metingen van de GGD laten geen gevaarlijke stoffen in de rook zien. Houd ramen en deuren wel gesloten." \
  "De Westhavenweg is afgesloten tussen de Haparandaweg en de Transformatorweg. Volg de omleiding." \
  "De brand is onder controle. Het nablussen duurt naar verwachting tot vanavond 22.00 uur."; do
  api POST "/api/v1/notices/$NOTICE_ID/updates" \
    "$(python3 -c 'import json, sys; print(json.dumps({"body": sys.argv[1]}))' "$text")" \
    >/dev/null
done
api POST /api/v1/calamity "{\"noticeId\":\"$NOTICE_ID\"}" >/dev/null

# The front page redirects to the calamity page: that is what is measured.
LOCATION=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$BASE/")
[ "${LOCATION%% *}" = 303 ] || die "GET / answered ${LOCATION%% *}, not 303"
PAGE_PATH=/actueel/$NOTICE_ID
[ "${LOCATION#* }" = "$BASE$PAGE_PATH" ] ||
  die "GET / redirects to ${LOCATION#* }, not $PAGE_PATH"
LOKET_GET=$BASE$PAGE_PATH

# ---- nginx serving the same bytes ---------------------------------------
NGX=$BENCH_TMP/nginx
mkdir -p "$NGX/html/actueel" "$NGX/tmp"
curl -sf -o "$NGX/html$PAGE_PATH" -D "$BENCH_TMP/loket.headers" "$LOKET_GET" ||
  die "GET $LOKET_GET failed"
chmod -R a+rX "$NGX"
hval() { # NAME: that header's value in loket's answer
  awk -v n="$1" '
    { sub(/\r$/, "") } tolower($0) ~ "^" tolower(n) ":" {
      sub(/^[^:]*: */, ""); print; exit }' "$BENCH_TMP/loket.headers"
}
CTYPE=$(hval Content-Type)
[ "$CTYPE" = "text/html; charset=utf-8" ] || die "unexpected Content-Type $CTYPE"
BODY_BYTES=$(stat -c %s "$NGX/html$PAGE_PATH")
ADD_HEADERS=
for h in Cache-Control Content-Security-Policy X-Content-Type-Options \
  Referrer-Policy X-Frame-Options Cross-Origin-Opener-Policy; do
  v=$(hval "$h")
  [ -n "$v" ] && ADD_HEADERS+="      add_header $h \"$v\" always;"$'\n'
done
NOFILE=$(ulimit -Hn)
[ "$NOFILE" = unlimited ] && NOFILE=65536
write_conf() { # PORT
  cat >"$NGX/nginx.conf" <<EOF
worker_processes 2;
worker_rlimit_nofile $NOFILE;
pid $NGX/nginx.pid;
error_log $NGX/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  server_tokens off;
  sendfile on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  types { }
  default_type "$CTYPE";
  client_body_temp_path $NGX/tmp/body;
  proxy_temp_path $NGX/tmp/proxy;
  fastcgi_temp_path $NGX/tmp/fastcgi;
  uwsgi_temp_path $NGX/tmp/uwsgi;
  scgi_temp_path $NGX/tmp/scgi;
  server {
    # The same listen backlog as loket (src/http/server.c).
    listen 127.0.0.1:$1 backlog=1024;
    root $NGX/html;
    location = / { return 303 $PAGE_PATH; }
    location /actueel/ {
$ADD_HEADERS    }
  }
}
EOF
}
for try in 1 2 3; do # the port picked may be taken meanwhile
  NGINX_PORT=$(free_port)
  write_conf "$NGINX_PORT"
  "${PIN[@]}" "$NGINX" -p "$NGX" -c "$NGX/nginx.conf" -g 'daemon off;' \
    2>>"$NGX/error.log" &
  NGINX_PID=$!
  track "$NGINX_PID"
  NGINX_GET=http://127.0.0.1:$NGINX_PORT$PAGE_PATH
  wait_http "$NGINX_GET" 10 "$NGINX_PID" && break
  stop "$NGINX_PID"
  [ "$try" -lt 3 ] || die "nginx did not start: $(cat "$NGX/error.log")"
done
cmp -s <(curl -sf "$NGINX_GET") "$NGX/html$PAGE_PATH" ||
  die "nginx does not serve the same bytes"
cmp -s <(curl -sf "$LOKET_GET") "$NGX/html$PAGE_PATH" ||
  die "loket's page changed between two GETs"
[ "$(curl -s -o /dev/null -w '%{content_type}' "$NGINX_GET")" = "$CTYPE" ] ||
  die "nginx sends another Content-Type"
hdr_bytes() { curl -s -D - -o /dev/null "$1" | wc -c; }
LOKET_HDR=$(hdr_bytes "$LOKET_GET")
NGINX_HDR=$(hdr_bytes "$NGINX_GET")

echo "== calamity_page: GET $PAGE_PATH in calamity mode (loket, from" \
  "memory) vs the same bytes as a static file (nginx)"
machine_line
echo "cpus: loket, nginx, wrk and conn_spike all pinned to $CPUS" \
  "(taskset; the machine has $(nproc)); the load generator shares them"
echo "body $BODY_BYTES bytes each, $CTYPE, no compression; response" \
  "headers loket $LOKET_HDR B, nginx $NGINX_HDR B"
echo "wrk ${WRK[*]:3}; loket --threads $SERVER_THREADS --log-level warn;" \
  "nginx worker_processes 2, access_log off, sendfile on"
"${PIN[@]}" wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$NGINX_GET" \
  >/dev/null
"${PIN[@]}" wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$LOKET_GET" \
  >/dev/null

wrk_rounds loket "$LOKET_GET"
echo "summary ($ROUNDS rounds of $DURATION each, medians):"
printf '  loket  %8.0f req/s  p99 %s ms\n' "$L_MED" "$L_P99_MED"
printf '  nginx  %8.0f req/s  p99 %s ms\n' "$N_MED" "$N_P99_MED"
echo "  ratio loket/nginx $RATIO (target >= $TARGET: $MET)"

# ---- the spike ------------------------------------------------------------
# spike LABEL URL WINDOW_MS: one conn_spike run; prints its RESULT line
# (and its details on stderr when a connection failed).
spike() {
  local out
  out=$("${PIN[@]}" "$SPIKE" --url "$2" --connections "$SPIKE_CONNECTIONS" \
    --window-ms "$3" --label "$1") || echo "$out" | sed -n '1,4p' >&2
  echo "$out" >>"$BENCH_TMP/spike.log"
  echo "$out" | sed -n 's/^RESULT //p'
  [ -n "$out" ] || die "conn_spike printed nothing"
}
SPIKE_FAILED=0
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
echo
echo "spike: $SPIKE_CONNECTIONS new connections within $SPIKE_WINDOW_MS ms," \
  "one GET each, kept open until all are answered"
echo "listen backlog 1024 both (net.core.somaxconn $(sysctl -n net.core.somaxconn 2>/dev/null || echo ?)," \
  "tcp_max_syn_backlog $(sysctl -n net.ipv4.tcp_max_syn_backlog 2>/dev/null || echo ?))"
printf '%-6s %-6s %9s %9s %7s %7s %9s %9s\n' round server opened/s \
  max_open ok errors p50_ms p99_ms
L_SP50=()
L_SP99=()
N_SP50=()
N_SP99=()
for r in $(seq 1 "$SPIKE_ROUNDS"); do
  if [ $((r % 2)) -eq 1 ]; then order="loket nginx"; else order="nginx loket"; fi
  for who in $order; do
    if [ "$who" = loket ]; then url=$LOKET_GET; else url=$NGINX_GET; fi
    res=$(spike "$who" "$url" "$SPIKE_WINDOW_MS")
    [ "$(field errors <<<" $res")" = 0 ] || SPIKE_FAILED=$((SPIKE_FAILED + 1))
    printf '%-6s %-6s %9s %9s %7s %7s %9s %9s\n' "$r" "$who" \
      "$(field open_per_s <<<" $res")" "$(field max_open <<<" $res")" \
      "$(field ok <<<" $res")" "$(field errors <<<" $res")" \
      "$(field p50_ms <<<" $res")" "$(field p99_ms <<<" $res")"
    if [ "$who" = loket ]; then
      L_SP50+=("$(field p50_ms <<<" $res")")
      L_SP99+=("$(field p99_ms <<<" $res")")
    else
      N_SP50+=("$(field p50_ms <<<" $res")")
      N_SP99+=("$(field p99_ms <<<" $res")")
    fi
    sleep 1 # let the closed connections go before the next run
  done
done
echo "burst (diagnostic): all $SPIKE_CONNECTIONS at once"
for who in loket nginx; do
  if [ "$who" = loket ]; then url=$LOKET_GET; else url=$NGINX_GET; fi
  res=$(spike "$who-burst" "$url" 0)
  printf '%-6s %-6s %9s %9s %7s %7s %9s %9s\n' burst "$who" \
    "$(field open_per_s <<<" $res")" "$(field max_open <<<" $res")" \
    "$(field ok <<<" $res")" "$(field errors <<<" $res")" \
    "$(field p50_ms <<<" $res")" "$(field p99_ms <<<" $res")"
  sleep 1
done
echo "summary spike (medians of $SPIKE_ROUNDS rounds):"
printf '  loket  p50 %s ms  p99 %s ms\n' \
  "$(printf '%s\n' "${L_SP50[@]}" | median)" \
  "$(printf '%s\n' "${L_SP99[@]}" | median)"
printf '  nginx  p50 %s ms  p99 %s ms\n' \
  "$(printf '%s\n' "${N_SP50[@]}" | median)" \
  "$(printf '%s\n' "${N_SP99[@]}" | median)"
if [ "$SPIKE_FAILED" -eq 0 ]; then
  echo "  every connection answered 200 (target: met)"
else
  echo "  $SPIKE_FAILED run(s) with errors (target: MISSED; see above)"
fi
