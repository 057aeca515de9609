#!/usr/bin/env bash
# `make run`: Huddle on a local PostgreSQL, from a fresh clone, in one command.
#  - Without DATABASE_URL: creates (once) and starts a cluster under .local/pg on 127.0.0.1:$PG_PORT
#    (default 54329; as the unprivileged user huddle-pg when run as root) and a database `huddle`.
#  - Builds huddle, applies the migrations, loads the demo league (demo/sleeper: users alice … judy) with its
#    schedules, enqueues a few demo jobs and a demo schedule, and starts
#    `huddle all` (API + WebSockets on :8000, a worker, the scheduler) until Ctrl-C, which shuts it down
#    gracefully. HUDDLE_SECRET comes from the environment, else from .local/secret (made once).
set -euo pipefail
cd "$(dirname "$0")/.."
PG_DIR=${PG_DIR:-.local/pg}
PG_PORT=${PG_PORT:-54329}

if [ -z "${DATABASE_URL:-}" ]; then
  scripts/pg.sh start "$PG_DIR" "$PG_PORT"
  admin=$(scripts/pg.sh url "$PG_DIR" "$PG_PORT" postgres)
  if [ "$(psql -XAtq "$admin" -c "SELECT 1 FROM pg_database WHERE datname = 'huddle'")" != "1" ]; then
    psql -Xq "$admin" -c "CREATE DATABASE huddle"
  fi
  export DATABASE_URL
  DATABASE_URL=$(scripts/pg.sh url "$PG_DIR" "$PG_PORT" huddle)
fi

if [ -z "${HUDDLE_SECRET:-}" ]; then
  mkdir -p .local
  [ -s .local/secret ] || (umask 077 && python3 -c 'import secrets; print(secrets.token_hex(32))' > .local/secret)
  HUDDLE_SECRET=$(cat .local/secret)
fi
export HUDDLE_SECRET
PORT=${PORT:-8000}
# Offline by default: the monitors refresh players from the bundled snapshot, not the public Sleeper API.
export HUDDLE_SLEEPER_URL=${HUDDLE_SLEEPER_URL:-file://$PWD/demo/sleeper}

. scripts/swift-env.sh
swift build --product huddle
huddle=.build/debug/huddle
"$huddle" migrate
"$huddle" demo load

# Demo data: a few jobs for the demo user, so the first screen shows work moving.
for ms in 200 400 800; do
  "$huddle" enqueue sleep --args "{\"ms\": $ms}" --user alice >/dev/null
done
"$huddle" enqueue noop >/dev/null
# A demo schedule (created or replaced): a noop job every 30 seconds, fired by `huddle schedule`.
psql -XAtq -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "SELECT FROM queue.upsert_schedule('demo-pulse', 'noop', every => '30 seconds')"

alice=$("$huddle" token alice)
admin=$("$huddle" token ops --admin)
cat <<MSG

Huddle is starting on $(echo "$DATABASE_URL" | sed -E 's#://([^:@]*):[^@]*@#://\1:***@#') and http://127.0.0.1:$PORT
Dashboard, signed in as alice:  http://127.0.0.1:$PORT/#token=$alice
Operations view (admin):        http://127.0.0.1:$PORT/#token=$admin
Tokens (valid 24 h) for curl and psql:
  export DATABASE_URL='$DATABASE_URL' ALICE='$alice' ADMIN='$admin'
  curl -s -H "Authorization: Bearer \$ALICE" http://127.0.0.1:$PORT/api/v1/jobs                  # alice's jobs
  curl -s -H "Authorization: Bearer \$ALICE" -d '{"kind":"sleep","args":{"ms":3000}}' http://127.0.0.1:$PORT/api/v1/jobs
  curl -s -H "Authorization: Bearer \$ALICE" http://127.0.0.1:$PORT/api/v1/me/leagues            # alice's league and roster
  curl -s -H "Authorization: Bearer \$ALICE" -d '{"league_id":"1180000000000000001","roster_id":1}' http://127.0.0.1:$PORT/api/v1/agents/sit-start
  curl -s -H "Authorization: Bearer \$ALICE" http://127.0.0.1:$PORT/api/v1/agents/tasks/<task_id>  # the lineup
  websocket: ws://127.0.0.1:$PORT/ws/alice?token=\$ALICE       (docs/websocket.md)
  psql "\$DATABASE_URL" -c 'SELECT * FROM queue.stats WHERE jobs > 0'     # watch the queue
  psql "\$DATABASE_URL" -c 'SELECT * FROM queue.schedule_status'           # watch the schedules
  docs: docs/domain.md · docs/api.md · docs/websocket.md · docs/sql-api.md · docs/worker.md · docs/schedules.md
Press Ctrl-C to stop (running jobs finish first, sockets close with 1001).

MSG
exec "$huddle" all --port "$PORT"
