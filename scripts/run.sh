#!/usr/bin/env bash
# `make run`: Huddle on a local PostgreSQL, from a fresh clone, in one command.
#  - Without DATABASE_URL: creates (once) and starts a cluster under .local/pg on 127.0.0.1:$PG_PORT
#    (default 54329; as the unprivileged user huddle-pg when run as root) and a database `huddle`.
#  - Builds huddle, applies the migrations, enqueues a few demo jobs and a demo schedule, and starts the
#    scheduler (background) and a worker (foreground) until Ctrl-C, which shuts both down gracefully.
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

. scripts/swift-env.sh
swift build --product huddle
huddle=.build/debug/huddle
"$huddle" migrate

# Demo data: a few jobs for the demo user, so the first screen shows work moving.
for ms in 200 400 800; do
  "$huddle" enqueue sleep --args "{\"ms\": $ms}" --user alice >/dev/null
done
"$huddle" enqueue noop >/dev/null
# A demo schedule (created or replaced): a noop job every 30 seconds, fired by `huddle schedule`.
psql -XAtq -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "SELECT FROM queue.upsert_schedule('demo-pulse', 'noop', every => '30 seconds')"

cat <<MSG

Huddle is starting on $(echo "$DATABASE_URL" | sed -E 's#://([^:@]*):[^@]*@#://\1:***@#'). In another shell:
  export DATABASE_URL='$DATABASE_URL'
  psql "\$DATABASE_URL" -c 'SELECT * FROM queue.stats WHERE jobs > 0'     # watch the queue
  psql "\$DATABASE_URL" -c 'SELECT * FROM queue.schedule_status'           # watch the schedules
  $huddle enqueue sleep --args '{"ms": 1000}'                          # add a job
  operator's guide: docs/sql-api.md · workers: docs/worker.md · schedules: docs/schedules.md
Press Ctrl-C to stop (running jobs finish first).

MSG
# Ctrl-C reaches both (same process group); each shuts down gracefully.
"$huddle" schedule &
scheduler=$!
trap 'kill -TERM "$scheduler" 2>/dev/null || true; wait "$scheduler" || true' EXIT
"$huddle" work
