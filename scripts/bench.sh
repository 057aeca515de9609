#!/usr/bin/env bash
# `make bench`: every benchmark, on a release build, against DATABASE_URL or the `make run` cluster (which
# keeps PostgreSQL's durability defaults). Prints machine-readable `bench …` lines; docs/benchmarks.md
# records them.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DATABASE_URL:-}" ]; then
  scripts/pg.sh start .local/pg "${PG_PORT:-54329}"
  admin=$(scripts/pg.sh url .local/pg "${PG_PORT:-54329}" postgres)
  [ "$(psql -XAtq "$admin" -c "SELECT 1 FROM pg_database WHERE datname = 'huddle'")" = "1" ] || psql -Xq "$admin" -c "CREATE DATABASE huddle"
  export DATABASE_URL
  DATABASE_URL=$(scripts/pg.sh url .local/pg "${PG_PORT:-54329}" huddle)
fi
. scripts/swift-env.sh
huddle=.build/release/huddle
"$huddle" migrate --log-level warning >/dev/null
# Each measurement starts from the same state: no dead rows left by the previous one, no checkpoint due.
settle() { psql -Xq "$DATABASE_URL" -c "VACUUM ANALYZE queue.jobs, queue.queues" -c "CHECKPOINT"; }
settle; bench/limit.sh
settle; "$huddle" bench latency --rate 200 --seconds 10
settle; "$huddle" bench latency --rate 1000 --seconds 10
settle; "$huddle" bench enqueue --clients 8 --seconds 10
