#!/usr/bin/env bash
# sse_fanout.sh - many public SSE subscribers, and how fast an update
# reaches all of them.  See docs/benchmarks.md, "Public event streams".
#
# Each round, on fresh data directories:
#   1. reference: one loket process, BASE_N subscribers (default 1,000);
#   2. one loket process, N1 subscribers (default 15,000);
#   3. K loket processes sharing the port with --reuseport over one data
#      directory, NK subscribers (default 5 and 60,000).
# In each step the subscribers (bench/sse_clients, several processes of at
# most 15,000 connections, from 127.0.0.1..127.0.0.8) watch
# /actueel/stream and /actueel/{id}/stream half and half.  The script
# measures the loket processes' RSS (VmRSS) before and after they connect,
# their CPU over IDLE_S seconds with everybody connected and nothing
# published, then publishes M updates (default 10) GAP seconds apart
# through POST /api/v1/notices/{id}/updates (in step 3 through whichever
# process the kernel picks), noting the time just before each request
# (CLOCK_REALTIME, so the figures include starting curl).  The clients note
# when each update arrives; the report gives p50/p99/max of
# publish-to-receive over every (subscriber, update) pair, and how many
# subscribers received every update.
#
# Usage: bench/sse_fanout.sh [ROUNDS]      (default 3; medians at the end)
# Env: BASE_N N1 NK K M GAP IDLE_S PER_CLIENT, STEPS (default
# "base one multi"), LOKET, BUILD_DIR, KEEP_TMP=1.
#
# Needs: curl, python3; the release build (bench/sse_clients and loket).
# Raises the soft file limit to the hard one (20,000 here: each process may
# hold that many descriptors, hence several client processes) and, when it
# runs as root, net.core.somaxconn to 4096 if lower; it prints
# ip_local_port_range, which with eight source addresses gives 8 x ~28,000
# ports for the one destination.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ROUNDS=${1:-3}
BASE_N=${BASE_N:-1000}
N1=${N1:-15000}
NK=${NK:-60000}
K=${K:-5}
M=${M:-10}
GAP=${GAP:-2}
IDLE_S=${IDLE_S:-10}
PER_CLIENT=${PER_CLIENT:-7500}
STEPS=${STEPS:-base one multi}
BUILD=${BUILD_DIR:-$ROOT/build/release}
CLIENTS=$BUILD/bench/sse_clients

need curl python3
[ -x "$CLIENTS" ] || die "no $CLIENTS; build first: cmake --preset release && cmake --build build/release -j2"
bench_init sse-fanout

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(id -u)" = 0 ] && [ "$(cat /proc/sys/net/core/somaxconn)" -lt 4096 ]; then
  sysctl -q -w net.core.somaxconn=4096 || true
fi
echo "# $(machine_line)"
echo "# files per process: $(ulimit -n); somaxconn $(cat /proc/sys/net/core/somaxconn);" \
  "ip_local_port_range $(tr '\t' ' ' </proc/sys/net/ipv4/ip_local_port_range)"
echo "# M=$M updates ${GAP}s apart; idle window ${IDLE_S}s; clients of at most $PER_CLIENT connections"

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
sum() { local t=0 x; for x in "$@"; do t=$((t + x)); done; echo "$t"; }

api() { # METHOD PATH [BODY]
  curl -sS -f -X "$1" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' ${3:+-d "$3"} "$BASE_URL$2"
}

# run_step NAME NPROC NSUBS: one measurement; appends a result line to
# $BENCH_TMP/results.
run_step() {
  local name=$1 nproc=$2 nsubs=$3 dir=$BENCH_TMP/$1 pids=() port p i
  local nclients per rss0 rss1 rss2 c0 c1 nid t got
  mkdir -p "$dir"
  "$LOKET" token create --name bench --scopes admin --data "$dir/data" >"$dir/token" ||
    die "token create failed"
  TOKEN=$(tail -n 1 "$dir/token")
  if [ "$nproc" -gt 1 ]; then
    port=$(free_port)
    # The first process migrates the schema; the others then open it.
    start_loket "$dir/out.0" "$dir/err.0" --listen "127.0.0.1:$port" \
      --data "$dir/data" --log-level warn --reuseport
    pids+=("$LOKET_PID")
    for i in $(seq 1 $((nproc - 1))); do
      start_loket "$dir/out.$i" "$dir/err.$i" --listen "127.0.0.1:$port" \
        --data "$dir/data" --log-level warn --reuseport
      pids+=("$LOKET_PID")
    done
  else
    start_loket "$dir/out.0" "$dir/err.0" --listen 127.0.0.1:0 \
      --data "$dir/data" --log-level warn
    pids+=("$LOKET_PID")
  fi
  BASE_URL=${LOKET_URL%/}
  port=${BASE_URL##*:}
  nid=$(api POST /api/v1/notices \
    '{"kind":"calamiteit","title":"Brand","body":"Bench","publish":true}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  sleep 1
  # Idle CPU with nobody connected (for K processes: the polling for each
  # other's events).
  c0=$(sum $(for p in "${pids[@]}"; do cpu_ticks "$p"; done))
  sleep "$IDLE_S"
  c1=$(sum $(for p in "${pids[@]}"; do cpu_ticks "$p"; done))
  local idle_empty
  idle_empty=$(awk -v d=$((c1 - c0)) -v s="$IDLE_S" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.2f", 100 * d / hz / s }')
  rss0=$(sum $(for p in "${pids[@]}"; do rss_kb "$p"; done))

  nclients=$(((nsubs + PER_CLIENT - 1) / PER_CLIENT))
  per=$(((nsubs + nclients - 1) / nclients))
  local cpids=() left=$nsubs n t0 t1
  t0=$(date +%s.%N)
  for i in $(seq 0 $((nclients - 1))); do
    n=$per
    [ "$left" -lt "$n" ] && n=$left
    left=$((left - n))
    "$CLIENTS" --port "$port" -n "$n" --path /actueel/stream \
      --path "/actueel/$nid/stream" --event notice.update_added \
      --out "$dir/rec.$i" >"$dir/cl.$i" 2>"$dir/clerr.$i" &
    cpids+=("$!")
    track "$!"
  done
  for i in $(seq 0 $((nclients - 1))); do
    for _ in $(seq 1 1200); do
      grep -q '^ready' "$dir/cl.$i" && break
      sleep 0.1
    done
  done
  t1=$(date +%s.%N)
  got=$(cat "$dir"/cl.* | awk '/^ready/ {c += $2; f += $3} END {print c + 0, f + 0}')
  # Let the streams settle (their first bytes sent, connections suspended).
  sleep 2
  rss1=$(sum $(for p in "${pids[@]}"; do rss_kb "$p"; done))
  c0=$(sum $(for p in "${pids[@]}"; do cpu_ticks "$p"; done))
  sleep "$IDLE_S"
  c1=$(sum $(for p in "${pids[@]}"; do cpu_ticks "$p"; done))
  local idle_full
  idle_full=$(awk -v d=$((c1 - c0)) -v s="$IDLE_S" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.2f", 100 * d / hz / s }')

  : >"$dir/pub"
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  for i in $(seq 1 "$M"); do
    date +%s%6N >>"$dir/pub"
    curl -sS -f -o /dev/null -w '%{time_total}\n' -X POST \
      -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
      -d "{\"body\":\"Update $i\"}" "$BASE_URL/api/v1/notices/$nid/updates" \
      >>"$dir/post_s"
    sleep "$GAP"
  done
  sleep 1
  rss2=$(sum $(for p in "${pids[@]}"; do rss_kb "$p"; done))
  local fanout="-"
  if [ "$nproc" -eq 1 ]; then
    fanout=$(curl -s "$BASE_URL/metrics" | awk '
      /^loket_public_fanout_seconds_total / {s = $2}
      /^loket_public_fanouts_total / {n = $2}
      END { if (n > 0) printf "%.1f", 1000 * s / n; else print "-" }')
  fi
  for p in "${cpids[@]}"; do
    kill -TERM "$p" 2>/dev/null || true
  done
  for p in "${cpids[@]}"; do
    wait "$p" 2>/dev/null || true
  done
  for p in "${pids[@]}"; do
    stop "$p"
  done
  for p in "${cpids[@]}"; do
    stop "$p"
  done
  python3 - "$dir" "$name" "$nsubs" "$nproc" "$M" "$rss0" "$rss1" "$rss2" \
    "$idle_empty" "$idle_full" "$fanout" "$got" "$t0" "$t1" "$load" <<'EOF' | tee -a "$BENCH_TMP/results"
import glob, sys
d, name, nsubs, nproc, m = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rss0, rss1, rss2 = (int(x) for x in sys.argv[6:9])
idle_empty, idle_full, fanout = sys.argv[9], sys.argv[10], sys.argv[11]
connected, failed = (int(x) for x in sys.argv[12].split())
t_connect = float(sys.argv[14]) - float(sys.argv[13])
load = sys.argv[15]
post_s = sorted(float(x) for x in open(d + "/post_s").read().split())
pubs = [int(x) for x in open(d + "/pub").read().split()]
recs = []
for f in sorted(glob.glob(d + "/rec.*")):
    for line in open(f):
        c, i, t = line.split()
        recs.append((f, int(c), int(i), int(t)))
ids = sorted({r[2] for r in recs})
if len(ids) > len(pubs):
    ids = ids[-len(pubs):]
pub_of = {i: pubs[k] for k, i in enumerate(ids)}
lat = sorted((t - pub_of[i]) / 1000.0 for _, _, i, t in recs if i in pub_of)
per_sub = {}
for f, c, i, t in recs:
    if i in pub_of:
        per_sub.setdefault((f, c), set()).add(i)
complete = sum(1 for s in per_sub.values() if len(s) == m)
def pct(p):
    return lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")
print("%s procs=%d subs=%d connected=%d failed=%d connect_s=%.1f "
      "rss_kb_per_sub=%.2f rss_kb_per_sub_after=%.2f idle_cpu_empty=%s%% "
      "idle_cpu_subs=%s%% events=%d/%d complete=%d p50_ms=%.1f p99_ms=%.1f "
      "max_ms=%.1f fanout_ms=%s post_ms=%.1f load=%s" % (
          name, nproc, nsubs, connected, failed, t_connect,
          (rss1 - rss0) / nsubs, (rss2 - rss0) / nsubs, idle_empty, idle_full,
          len(ids), m, complete, pct(0.5), pct(0.99),
          lat[-1] if lat else float("nan"), fanout,
          1000 * post_s[len(post_s) // 2], load))
EOF
  [ -n "${KEEP_TMP:-}" ] || rm -rf "$dir"
}

for r in $(seq 1 "$ROUNDS"); do
  echo "# round $r"
  for step in $STEPS; do
    case $step in
    base) run_step "base$r" 1 "$BASE_N" ;;
    one) run_step "one$r" 1 "$N1" ;;
    multi) run_step "multi$r" "$K" "$NK" ;;
    *) die "unknown step $step (STEPS: base one multi)" ;;
    esac
  done
done

python3 - "$BENCH_TMP/results" <<'EOF'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name = re.match(r"([a-z]+)\d+ ", line).group(1)
    kv = dict(re.findall(r"(\w+)=([^ %]+)", line))
    rows.setdefault(name, []).append(kv)
def med(name, key):
    vals = []
    for kv in rows.get(name, []):
        try:
            vals.append(float(kv[key]))
        except (KeyError, ValueError):
            pass
    return statistics.median(vals) if vals else float("nan")
print("# medians over %d rounds" % max(len(v) for v in rows.values()))
for name in ("base", "one", "multi"):
    if name not in rows:
        continue
    kv = rows[name][0]
    print("%-5s procs=%s subs=%s: RSS/subscriber %.2f KB (%.2f after updates), "
          "p50 %.1f ms, p99 %.1f ms, max %.1f ms, complete %d, idle CPU %.2f%% "
          "empty / %.2f%% with subscribers, fan-out %.1f ms" % (
              name, kv["procs"], kv["subs"], med(name, "rss_kb_per_sub"),
              med(name, "rss_kb_per_sub_after"), med(name, "p50_ms"),
              med(name, "p99_ms"), med(name, "max_ms"), med(name, "complete"),
              med(name, "idle_cpu_empty"), med(name, "idle_cpu_subs"),
              med(name, "fanout_ms")))
if "base" in rows and "one" in rows:
    print("p99 ratio 15k/1k: %.2f" % (med("one", "p99_ms") / med("base", "p99_ms")))
EOF
