#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster: starts one on a free loopback port, exports its
# URL as HUDDLE_TEST_DATABASE_URL (database `postgres`), runs the command, then stops and deletes it.
# The cluster skips fsync: it holds test data only (benchmarks use the `make run` cluster, with defaults).
# It allows 1,000 connections: tests run in parallel, each with its own pools, servers and sockets.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/huddle-pg.XXXXXX)
chmod 755 "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() { scripts/pg.sh stop "$work/pg" || true; rm -rf "$work"; }
trap cleanup EXIT
HUDDLE_PG_OPTS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=1000 ${HUDDLE_PG_OPTS:-}" \
  scripts/pg.sh start "$work/pg" "$port"
export HUDDLE_TEST_DATABASE_URL
HUDDLE_TEST_DATABASE_URL=$(scripts/pg.sh url "$work/pg" "$port" postgres)
echo "== throwaway PostgreSQL at $HUDDLE_TEST_DATABASE_URL" >&2
"$@"
