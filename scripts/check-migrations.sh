#!/usr/bin/env bash
# Checks the migrations as CI pipelines and operators use them, against the PostgreSQL server at URL:
#  1. applying migrations/*.sql in order with plain `psql -v ON_ERROR_STOP=1 -f` and with `huddle migrate`
#     gives identical `pg_dump --schema-only` output;
#  2. `huddle migrate` afterwards finds nothing to do, on both databases;
#  3. the schema equals the committed snapshot Tests/Schema/schema.sql (regenerate it with
#     `make schema` and review the diff whenever a migration changes the schema).
# Usage: scripts/check-migrations.sh SERVER_URL HUDDLE_BINARY [--update]
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning"
cd "$(dirname "$0")/.."
server=${1:?server URL}; huddle=${2:?huddle binary}; mode=${3:-check}
base=${server%/*}
snapshot=Tests/Schema/schema.sql
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; for db in huddle_check_psql huddle_check_migrate; do psql -q "$server" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done' EXIT

for db in huddle_check_psql huddle_check_migrate; do
  psql -q -v ON_ERROR_STOP=1 "$server" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db TEMPLATE template0" >/dev/null
done

for file in migrations/[0-9][0-9][0-9][0-9]_*.sql; do
  psql -q -X -v ON_ERROR_STOP=1 "$base/huddle_check_psql" -f "$file" >/dev/null
done
"$huddle" migrate --log-level warning --database-url "$base/huddle_check_migrate" >/dev/null

# pg_dump stamps versions and (since 15.14) a random \restrict key: drop those lines before comparing.
dump() { pg_dump --schema-only --no-owner --no-privileges "$base/$1" | grep -Ev '^(-- Dumped (from|by)|\\(un)?restrict )'; }
dump huddle_check_psql >"$tmp/psql.sql"
dump huddle_check_migrate >"$tmp/migrate.sql"
if ! diff -u "$tmp/psql.sql" "$tmp/migrate.sql"; then
  echo "FAIL: psql and huddle migrate produce different schemas (diff above)" >&2; exit 1
fi
echo "ok: psql -f and huddle migrate give identical schemas"

for db in huddle_check_psql huddle_check_migrate; do
  out=$("$huddle" migrate --log-level warning --database-url "$base/$db")
  if [ "$out" != "database is up to date" ]; then
    echo "FAIL: a second huddle migrate on $db did something: $out" >&2; exit 1
  fi
done
echo "ok: migrating again is a no-op (after psql and after huddle migrate)"

if [ "$mode" = "--update" ]; then
  mkdir -p "$(dirname "$snapshot")"
  cp "$tmp/migrate.sql" "$snapshot"
  echo "updated $snapshot"
elif ! diff -u "$snapshot" "$tmp/migrate.sql"; then
  echo "FAIL: the schema differs from $snapshot (diff above). If the change is intended, run \`make schema\` and commit the snapshot." >&2
  exit 1
else
  echo "ok: schema matches $snapshot"
fi
