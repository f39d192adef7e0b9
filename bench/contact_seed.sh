#!/usr/bin/env bash
# contact_seed.sh - seeds the benchmark's contact centre with the demo
# generator: 1,000,000 contacts across 200,000 parties (`loket demo`), and
# reports how long it took, rows per second and the size on disk.  The data
# directory is kept for bench/contact_query.sh.
#
# Usage: bench/contact_seed.sh [DIR]
#   DIR: where the data goes (default build/release/bench/contact-data);
#   an existing DIR is removed first, so the seeding is always measured
#   from empty.
# Environment: PARTIES (200000), CONTACTS (1000000), SEED (1), LOKET.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PARTIES=${PARTIES:-200000}
CONTACTS=${CONTACTS:-1000000}
SEED=${SEED:-1}
DIR=${1:-$(dirname "$LOKET")/bench/contact-data}

[ -x "$LOKET" ] || die "no $LOKET; build first"
rm -rf "$DIR"
mkdir -p "$(dirname "$DIR")"
echo "== seed: $CONTACTS contacts across $PARTIES parties (bench/contact_seed.sh)"
machine_line
echo "load average before: $(cut -d" " -f1-3 /proc/loadavg) (other work on the machine adds noise)"
CMD=("$LOKET" demo --parties "$PARTIES" --contacts "$CONTACTS" --seed "$SEED"
  --scale 400 --data "$DIR")
echo "command: ${CMD[*]}"
start=$EPOCHREALTIME
"${CMD[@]}" >"$DIR.out" 2>"$DIR.err" || {
  cat "$DIR.err" >&2
  die "loket demo failed"
}
end=$EPOCHREALTIME
secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
sed -n '2,6p' "$DIR.out"
rows=$(sqlite3 "$DIR/loket.db" "SELECT (SELECT count(*) FROM parties) +
  (SELECT count(*) FROM party_identifiers) +
  (SELECT count(*) FROM digital_addresses) +
  (SELECT count(*) FROM conversations) +
  (SELECT count(*) FROM conversation_categories) +
  (SELECT count(*) FROM contacts) + (SELECT count(*) FROM involved) +
  (SELECT count(*) FROM contact_actors) +
  (SELECT count(*) FROM subject_objects) + (SELECT count(*) FROM tasks) +
  (SELECT count(*) FROM task_assignees) +
  (SELECT count(*) FROM processing_log)" 2>/dev/null || echo 0)
size=$(du -sm "$DIR" | cut -f1)
echo "seeded in ${secs} s: $(awk -v c="$CONTACTS" -v s="$secs" 'BEGIN { printf "%.0f", c / s }') contacts/s," \
  "$rows rows ($(awk -v r="$rows" -v s="$secs" 'BEGIN { printf "%.0f", r / s }') rows/s, full-text index not counted), ${size} MB"
echo "RESULT seed_seconds=$secs"
