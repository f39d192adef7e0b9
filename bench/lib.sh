# lib.sh - helpers shared by the benchmark scripts (sourced, not run).
#
# Every script keeps the processes it starts in BENCH_PIDS and its files in
# BENCH_TMP; bench_cleanup (installed as the EXIT trap by bench_init) stops
# exactly those processes and removes that directory.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
LOKET=${LOKET:-$ROOT/build/release/loket}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
BENCH_PIDS=()
BENCH_TMP=

die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

need() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "$tool" ] ||
      die "needs $tool (apt-get install -y $(basename "$tool"))"
  done
}

bench_cleanup() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${BENCH_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  BENCH_PIDS=()
  if [ -n "$BENCH_TMP" ] && [ -d "$BENCH_TMP" ] && [ -z "${KEEP_TMP:-}" ]; then
    rm -rf "$BENCH_TMP"
  fi
}

# bench_init NAME: temp dir, cleanup trap, loket binary check.
bench_init() {
  [ -x "$LOKET" ] ||
    die "no $LOKET; build first: cmake --preset release && cmake --build build/release -j2"
  BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/loket-$1.XXXXXX")
  # nginx workers run as an unprivileged user when started as root.
  chmod 755 "$BENCH_TMP"
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

# track PID: remember a process to stop at exit.
track() { BENCH_PIDS+=("$1"); }

# stop PID: stop one tracked process now and forget it.
stop() {
  local pid=$1 keep=() p
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${BENCH_PIDS[@]}"; do
    [ "$p" = "$pid" ] || keep+=("$p")
  done
  BENCH_PIDS=("${keep[@]}")
}

# median: of the numbers on stdin, one per line.
median() {
  sort -g | awk '{a[NR] = $1}
    END { if (NR == 0) print "nan";
          else if (NR % 2) print a[(NR + 1) / 2];
          else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# ratio A B: A/B with 2 decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "nan"; else printf "%.2f\n", a / b }'; }

# run_wrk LABEL WRK_ARGS...: one "${WRK[@]}" run (the caller's wrk command
# line) with WRK_ARGS; its output goes to $BENCH_TMP/wrk.log.  Prints
# "REQ_PER_S P99_MS"; dies on a non-2xx answer, as a figure over errors
# would mean nothing.
run_wrk() {
  local label=$1 out rps p99 bad
  shift
  out=$("${WRK[@]}" "$@" 2>&1) || die "wrk failed for $label: $out"
  echo "$out" >>"$BENCH_TMP/wrk.log"
  if bad=$(echo "$out" | grep -E 'Non-2xx'); then
    die "$label: $bad"
  fi
  if bad=$(echo "$out" | grep -E 'Socket errors'); then
    echo "warning: $label: $bad" >&2
  fi
  rps=$(echo "$out" | awk '/^Requests\/sec:/ { print $2 }')
  p99=$(echo "$out" | awk '$1 == "99%" {
      v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
      if (u == "us") v /= 1000; else if (u == "s") v *= 1000;
      print v }')
  [ -n "$rps" ] || die "$label: no Requests/sec in wrk output: $out"
  echo "$rps ${p99:-nan}"
}

# wrk_rounds FIRST LOKET_ARGS...: $ROUNDS rounds of run_wrk, loket with
# LOKET_ARGS against nginx with $NGINX_GET, FIRST ("loket" or "nginx")
# going first in odd rounds and second in even ones, so neither always
# runs on a warmer machine.  Prints a row a round and sets the medians
# L_MED, N_MED (req/s), L_P99_MED, N_P99_MED (ms), RATIO = L_MED/N_MED and
# MET ("met" or "MISSED" against $TARGET).
# shellcheck disable=SC2034 # the medians are the calling script's to print
wrk_rounds() {
  local first=$1 r res lr lp nr np
  local -a l_rps=() n_rps=() l_p99=() n_p99=()
  shift
  printf '%-6s %14s %14s %8s %16s\n' round loket_req/s nginx_req/s ratio \
    p99_ms_l/n
  for r in $(seq 1 "$ROUNDS"); do
    if { [ "$first" = loket ] && [ $((r % 2)) -eq 1 ]; } ||
      { [ "$first" = nginx ] && [ $((r % 2)) -eq 0 ]; }; then
      res=$(run_wrk loket "$@")
      read -r lr lp <<<"$res"
      res=$(run_wrk nginx "$NGINX_GET")
      read -r nr np <<<"$res"
    else
      res=$(run_wrk nginx "$NGINX_GET")
      read -r nr np <<<"$res"
      res=$(run_wrk loket "$@")
      read -r lr lp <<<"$res"
    fi
    l_rps+=("$lr")
    n_rps+=("$nr")
    l_p99+=("$lp")
    n_p99+=("$np")
    printf '%-6s %14.0f %14.0f %8s %16s\n' "$r" "$lr" "$nr" \
      "$(ratio "$lr" "$nr")" "$lp/$np"
  done
  L_MED=$(printf '%s\n' "${l_rps[@]}" | median)
  N_MED=$(printf '%s\n' "${n_rps[@]}" | median)
  L_P99_MED=$(printf '%s\n' "${l_p99[@]}" | median)
  N_P99_MED=$(printf '%s\n' "${n_p99[@]}" | median)
  RATIO=$(ratio "$L_MED" "$N_MED")
  MET=$(awk -v r="$RATIO" -v t="$TARGET" 'BEGIN { print (r >= t) ? "met" : "MISSED" }')
}

# free_port: a loopback TCP port nobody listens on, below the ephemeral
# range so that no client connection holds it (racy, good enough).
free_port() {
  local p lo=32768
  read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  [ "$lo" -gt 11000 ] || lo=32768
  for _ in $(seq 1 100); do
    p=$((10000 + RANDOM % (lo - 10000)))
    if ! { exec 6<>"/dev/tcp/127.0.0.1/$p"; } 2>/dev/null; then
      echo "$p"
      return 0
    fi
    exec 6<&- 6>&-
  done
  die "no free port found"
}

# wait_http URL [SECONDS [PID]]: until URL answers at all (any status);
# gives up early if PID exits.
wait_http() {
  local url=$1 deadline=$((SECONDS + ${2:-10})) pid=${3:-}
  while [ $SECONDS -lt $deadline ]; do
    curl -s -o /dev/null --max-time 1 "$url" && return 0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      return 1
    fi
    sleep 0.05
  done
  return 1
}

# write_nginx_conf DIR PORT ROOT: an nginx.conf serving ROOT statically on
# 127.0.0.1:PORT with everything kept inside DIR.
write_nginx_conf() {
  local dir=$1 port=$2 root=$3
  mkdir -p "$dir/tmp"
  cat >"$dir/nginx.conf" <<EOF
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  sendfile on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  server {
    listen 127.0.0.1:$port;
    root $root;
  }
}
EOF
}

# start_loket OUTFILE ERRFILE ARGS...: runs `loket serve ARGS` in the
# background, waits for its "Loket serving URL" line and sets LOKET_PID and
# LOKET_URL.
start_loket() {
  local out=$1 err=$2 i
  shift 2
  "$LOKET" serve "$@" >"$out" 2>"$err" &
  LOKET_PID=$!
  track "$LOKET_PID"
  for i in $(seq 1 200); do
    # The background job may not have created $out yet; under set -e a
    # failing sed here would end the script with loket still starting.
    LOKET_URL=$(sed -n 's/^Loket serving \(http[^ ]*\)$/\1/p' "$out" 2>/dev/null || true)
    [ -n "$LOKET_URL" ] && return 0
    kill -0 "$LOKET_PID" 2>/dev/null || break
    sleep 0.05
  done
  cat "$err" >&2
  die "loket did not start"
}

# start_nginx CONFDIR: nginx in the foreground of a background job; sets
# NGINX_PID (the master).
start_nginx() {
  "$NGINX" -p "$1" -c "$1/nginx.conf" -g 'daemon off;' 2>>"$1/error.log" &
  NGINX_PID=$!
  track "$NGINX_PID"
}

# make_token DATA NAME: creates an admin token; sets TOKEN_ID, TOKEN.
make_token() {
  local out
  out=$("$LOKET" token create --name "$2" --scopes admin --data "$1") ||
    die "loket token create failed"
  TOKEN_ID=$(printf '%s\n' "$out" | sed -n '1s/^id:[[:space:]]*//p')
  TOKEN=$(printf '%s\n' "$out" | tail -n 1)
  [ -n "$TOKEN_ID" ] && [ -n "$TOKEN" ] || die "cannot parse: $out"
}

machine_line() {
  echo "machine: $(nproc) cores, $(uname -srm), $(date -u +%Y-%m-%d)"
}
