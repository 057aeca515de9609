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
. bench/env.sh  # settle: each measurement starts from the same state
settle; bench/limit.sh
settle; "$huddle" bench latency --rate 200 --seconds 10
settle; "$huddle" bench latency --rate 1000 --seconds 10
settle; "$huddle" bench enqueue --clients 8 --seconds 10
settle; bench/enqueue-sql.sh
# 10,000 sockets need more than the usual 1,024 open files in the bench and in the server it starts.
ulimit -n 20000 2>/dev/null || echo "note: ulimit -n is $(ulimit -n); bench ws may fail to open 10,000 sockets" >&2
settle; "$huddle" bench ws --clients 10000 --users 1000 --rate 500 --seconds 10
