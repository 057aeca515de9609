#!/usr/bin/env bash
# The REST contract check: a real `huddle serve` on a fresh database of the server at $1, probed by
# scripts/check-openapi.py against openapi.yaml. Usage: scripts/check-api.sh SERVER_URL HUDDLE_BIN
set -euo pipefail
cd "$(dirname "$0")/.."
server=$1 huddle=$2
db="huddle_contract_$$"
admin="${server%/*}/postgres"
url="${server%/*}/$db"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export HUDDLE_SECRET=contract-check-secret-0123456789abcdef DATABASE_URL=$url
pid=
cleanup() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  psql -Xq "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT
psql -Xq "$admin" -c "CREATE DATABASE $db"
"$huddle" migrate --log-level warning >/dev/null
"$huddle" demo load --log-level warning >/dev/null
"$huddle" serve --port "$port" --log-level warning &
pid=$!
for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { echo "huddle serve exited early" >&2; exit 1; }
  sleep 0.1
done
python3 scripts/check-openapi.py --install-deps "http://127.0.0.1:$port" "$huddle"
