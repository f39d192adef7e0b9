#!/bin/sh
# Installs what Loket needs on Debian 12, and nothing that is already there.
#
#   scripts/setup.sh run    build and run (compiler, CMake, -dev libraries,
#                           Node.js and npm for the front-end bundle)
#   scripts/setup.sh test   also the test tools (cmocka, clang for the
#                           fuzzer, promtool, Chromium for the browser
#                           tests)
#   scripts/setup.sh bench  also wrk and nginx for the benchmarks
#
# Quick when everything is present: one dpkg-query, no network.
set -eu
cd "$(dirname "$0")/.."

mode=${1:-run}

run_pkgs="build-essential cmake pkg-config libmicrohttpd-dev libjansson-dev
libsqlite3-dev libsodium-dev libcurl4-openssl-dev libgmime-3.0-dev"
test_pkgs="libcmocka-dev python3 clang-14 libclang-rt-14-dev prometheus
python3-yaml python3-jsonschema chromium postfix dovecot-core dovecot-imapd
dovecot-lmtpd"
bench_pkgs="wrk nginx-light valgrind curl sqlite3"

case $mode in
  run) want=$run_pkgs ;;
  test) want="$run_pkgs $test_pkgs" ;;
  bench) want="$run_pkgs $test_pkgs $bench_pkgs" ;;
  *) echo "usage: $0 run|test|bench" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case $status in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
  esac
done

# Node.js and npm build the front-end bundle (docs/frontend.md).  Debian's
# packages unless a node and an npm are already on the PATH (a newer
# Node.js installed another way is fine: package.json says what it needs).
if [ -f package.json ]; then
  command -v node >/dev/null 2>&1 || missing="$missing nodejs"
  command -v npm >/dev/null 2>&1 || missing="$missing npm"
fi

if [ -n "$missing" ]; then
  echo "setup: installing$missing"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
  $sudo apt-get update -qq
  # Postfix asks how to configure itself; the tests bring their own
  # configuration (tests/integration/mailserver.py).
  case $missing in
    *postfix*)
      echo 'postfix postfix/main_mailer_type select No configuration' |
        $sudo debconf-set-selections ;;
  esac
  # promtool comes with the prometheus package, whose service must not
  # start during installation on a machine without systemd.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    --no-install-recommends $missing >/dev/null
fi

# Front-end packages exactly as package-lock.json pins them (again only
# when the lock file changed since the last install), then the bundle:
# web/build.mjs returns at once when nothing changed.
if [ -f package.json ]; then
  if [ ! -f node_modules/.package-lock.json ] ||
     [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
  npm run --silent build
fi
