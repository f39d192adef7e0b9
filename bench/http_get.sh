#!/usr/bin/env bash
# http_get.sh - keep-alive GET of a small JSON record read from the store
# (GET /api/v1/tokens/{id}: bearer-token auth + row read, both through
# SQLite) against nginx serving a static file of exactly the same body, in
# one run, alternating rounds, same wrk settings.  Prints medians and the
# ratio loket/nginx (target >= 0.50), then one round with loket's access
# log on (info level, to /dev/null) to show what the log costs, and one
# round of GET /healthz (HTTP layer only: no auth, no store) to show how
# much of loket's cost is the store.
#
# Usage: bench/http_get.sh
# Environment: ROUNDS (5), DURATION (10s), CONNECTIONS (64), WRK_THREADS (2),
#              SERVER_THREADS (2), WARMUP (2s), LOKET (binary), NGINX.
# Loopback only; stops everything it started.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
SERVER_THREADS=${SERVER_THREADS:-2}
WARMUP=${WARMUP:-2s}
TARGET=0.50

need wrk curl "$NGINX"
bench_init http_get

WRK=(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency)

# ---- loket with one admin token --------------------------------------
DATA=$BENCH_TMP/data
make_token "$DATA" bench
start_loket "$BENCH_TMP/loket.out" "$BENCH_TMP/loket.err" \
  --listen 127.0.0.1:0 --data "$DATA" --log-level warn \
  --threads "$SERVER_THREADS"
LOKET_GET=${LOKET_URL}api/v1/tokens/$TOKEN_ID
AUTH="Authorization: Bearer $TOKEN"

# ---- nginx serving the same bytes -------------------------------------
NGX=$BENCH_TMP/nginx
mkdir -p "$NGX/html"
curl -sf -H "$AUTH" -o "$NGX/html/token.json" "$LOKET_GET" ||
  die "GET $LOKET_GET failed"
chmod -R a+rX "$NGX"
BODY_BYTES=$(stat -c %s "$NGX/html/token.json")
for try in 1 2 3; do # the port picked may be taken meanwhile
  NGINX_PORT=$(free_port)
  write_nginx_conf "$NGX" "$NGINX_PORT" "$NGX/html"
  start_nginx "$NGX"
  NGINX_GET=http://127.0.0.1:$NGINX_PORT/token.json
  wait_http "$NGINX_GET" 10 "$NGINX_PID" && break
  stop "$NGINX_PID"
  [ "$try" -lt 3 ] || die "nginx did not start: $(cat "$NGX/error.log")"
done
NGINX_BYTES=$(curl -sf "$NGINX_GET" | wc -c)
[ "$NGINX_BYTES" = "$BODY_BYTES" ] ||
  die "body sizes differ: loket $BODY_BYTES, nginx $NGINX_BYTES"
hdr_bytes() { curl -s -D - -o /dev/null "$@" | wc -c; }
LOKET_HDR=$(hdr_bytes -H "$AUTH" "$LOKET_GET")
NGINX_HDR=$(hdr_bytes "$NGINX_GET")

echo "== http_get: GET /api/v1/tokens/{id} (loket) vs static file (nginx)"
machine_line
echo "body $BODY_BYTES bytes each; response headers loket $LOKET_HDR B," \
  "nginx $NGINX_HDR B"
echo "wrk ${WRK[*]:1}; loket --threads $SERVER_THREADS --log-level warn;" \
  "nginx worker_processes 2, access_log off"
echo "warm-up $WARMUP each"
wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$NGINX_GET" >/dev/null
wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "$AUTH" \
  "$LOKET_GET" >/dev/null

wrk_rounds nginx -H "$AUTH" "$LOKET_GET"

# ---- diagnostic: the HTTP layer alone (no auth, no store) ---------------
res=$(run_wrk loket-healthz "${LOKET_URL}healthz")
read -r hr hp <<<"$res"

# ---- one round with the access log on ---------------------------------
stop "$LOKET_PID"
start_loket "$BENCH_TMP/loket-info.out" /dev/null \
  --listen 127.0.0.1:0 --data "$DATA" --log-level info \
  --threads "$SERVER_THREADS"
LOKET_GET=${LOKET_URL}api/v1/tokens/$TOKEN_ID
wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "$AUTH" \
  "$LOKET_GET" >/dev/null
res=$(run_wrk loket-access-log -H "$AUTH" "$LOKET_GET")
read -r ar ap <<<"$res"
res=$(run_wrk nginx "$NGINX_GET")
read -r anr anp <<<"$res"

echo
echo "summary ($ROUNDS rounds of $DURATION each, medians):"
printf '  loket  %8.0f req/s  p99 %s ms\n' "$L_MED" "$L_P99_MED"
printf '  nginx  %8.0f req/s  p99 %s ms\n' "$N_MED" "$N_P99_MED"
echo "  ratio loket/nginx $RATIO (target >= $TARGET: $MET)"
printf '  access log on (info, to /dev/null), one round: %.0f req/s' "$ar"
printf ' = %s of the median without it; nginx right after: %.0f req/s,' \
  "$(ratio "$ar" "$L_MED")" "$anr"
printf ' ratio %s\n' "$(ratio "$ar" "$anr")"
printf '  diagnostic: loket GET /healthz (no auth, no store), one round:'
printf ' %.0f req/s = %s of the nginx median\n' "$hr" "$(ratio "$hr" "$N_MED")"
