#!/usr/bin/env bash
# The dashboard check: a real browser (headless Chromium + Selenium) against `huddle serve` and `huddle work`
# on a fresh database of the server at $1 with the demo league, driven by scripts/check-browser.py (which
# starts, restarts and stops the two processes itself). Screenshots: .build/browser-artifacts/.
# Usage: scripts/check-browser.sh SERVER_URL HUDDLE_BIN [--update-readme-screenshot]
# Needs chromium and chromium-driver (apt-get install -y chromium chromium-driver); selenium is pip-installed.
set -euo pipefail
cd "$(dirname "$0")/.."
server=$1 huddle=$2
shift 2
db="huddle_browser_$$"
admin="${server%/*}/postgres"
url="${server%/*}/$db"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export HUDDLE_SECRET=browser-check-secret-0123456789abcdef DATABASE_URL=$url
export HUDDLE_SLEEPER_URL="file://$PWD/demo/sleeper"
piddir=$(mktemp -d /tmp/huddle-browser.XXXXXX)
cleanup() {
  # The Python script stops its processes; these are for when it could not (killed, crashed).
  for f in "$piddir"/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$piddir"
  psql -Xq "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT
psql -Xq "$admin" -c "CREATE DATABASE $db"
"$huddle" migrate --log-level warning >/dev/null
"$huddle" demo load --log-level warning >/dev/null
python3 scripts/check-browser.py --install-deps --pid-dir "$piddir" "$@" "http://127.0.0.1:$port" "$huddle"
