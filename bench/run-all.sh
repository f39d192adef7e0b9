#!/usr/bin/env bash
# run-all.sh - builds the release preset and runs every benchmark, one after
# the other (they must not overlap: each measures against a reference on
# the same machine).  Not run in CI.  See docs/benchmarks.md.
#
# Usage: bench/run-all.sh [STORE_DIR]
#   STORE_DIR: where store_writes puts its data directories (default
#   build/release/bench, i.e. the disk the repository is on).
# The output is also saved in build/bench-results/YYYYMMDD-HHMMSS.txt.
# BUILD_DIR=DIR builds and measures a Release build in DIR instead of the
# preset's build/release.
# The environment variables of the single scripts apply (ROUNDS, DURATION,
# STARTS, ...); CONTACT_SEED=0 skips reseeding the contact benchmarks'
# 1,000,000 contacts when STORE_DIR/contact-data holds them already.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

# BUILD_DIR: build somewhere else than the release preset's build/release
# (e.g. while someone else is building there); still a Release build.
if [ -n "${BUILD_DIR:-}" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
else
  BUILD_DIR=$ROOT/build/release
  cmake --preset release >/dev/null
fi
# Only what is measured: the server and the bench/*.c programs.
TARGETS=(loket)
for src in bench/*.c; do
  TARGETS+=("$(basename "$src" .c)")
done
cmake --build "$BUILD_DIR" -j"$(nproc)" --target "${TARGETS[@]}" >/dev/null
export LOKET=$BUILD_DIR/loket

STORE_DIR=${1:-$BUILD_DIR/bench}
mkdir -p build/bench-results
OUT=build/bench-results/$(date -u +%Y%m%d-%H%M%S).txt
{
  echo "loket $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')"
  echo
  bench/http_get.sh
  echo
  bench/calamity_page.sh
  echo
  "$BUILD_DIR/bench/store_writes" --dir "$STORE_DIR"
  echo
  bench/idle.sh
  # The contact core: seed 1,000,000 contacts (kept in $STORE_DIR for the
  # query benchmark; CONTACT_SEED=0 reuses an earlier seed), then search
  # and inbox latency, then durable conversation creation over HTTP and
  # at the store level.
  echo
  if [ "${CONTACT_SEED:-1}" != 0 ] || [ ! -f "$STORE_DIR/contact-data/loket.db" ]; then
    bench/contact_seed.sh "$STORE_DIR/contact-data"
    echo
  fi
  bench/contact_query.sh "$STORE_DIR/contact-data"
  echo
  bench/contact_post.sh
  echo
  "$BUILD_DIR/bench/contact_writes" --dir "$STORE_DIR"
  # Participation: 100,000 initiatives, 2,000,000 followers (about 5 min
  # to seed, kept in $STORE_DIR/initiatives-data).
  echo
  bench/initiatives.py --build "$BUILD_DIR" --data "$STORE_DIR/initiatives-data"
} 2>&1 | tee "$OUT"
echo
echo "saved in $OUT"
