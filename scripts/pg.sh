#!/usr/bin/env bash
# Local PostgreSQL clusters for development and tests, with no system service involved.
#
#   scripts/pg.sh start DIR PORT   create (once) and start a cluster in DIR on 127.0.0.1:PORT
#   scripts/pg.sh stop DIR         stop the cluster in DIR (fast shutdown)
#   scripts/pg.sh url DIR PORT [DB] print the connection URL for database DB (default huddle)
#
# As root the cluster runs as the unprivileged user $HUDDLE_PG_USER (default huddle-pg, created on
# first use), because initdb refuses to run as root. Binaries come from $PG_BIN, else the newest
# /usr/lib/postgresql/*/bin, else PATH. Extra server settings go in $HUDDLE_PG_OPTS (e.g. "-c fsync=off"
# for throwaway test clusters); the defaults keep PostgreSQL's durability settings.
set -euo pipefail

pg_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$d" ]; then echo "$d"; else dirname "$(command -v pg_ctl)"; fi
}

BIN=$(pg_bin)
PG_USER=${HUDDLE_PG_USER:-huddle-pg}

# Runs a command as the cluster's owner: ourselves normally, the unprivileged user as root.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$PG_USER" -- "$@"
  else
    "$@"
  fi
}

ensure_user() {
  [ "$(id -u)" -eq 0 ] || return 0
  id -u "$PG_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER"
}

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start DIR PORT | stop DIR | url DIR PORT [DB]" >&2; exit 2; }

case "$cmd" in
  start)
    port=${3:?port required}
    ensure_user
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ "$(id -u)" -eq 0 ]; then chown "$PG_USER" "$dir"; chmod 700 "$dir"; fi
    if [ ! -f "$dir/PG_VERSION" ]; then
      as_owner "$BIN/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/../initdb.log" 2>&1 \
        || as_owner "$BIN/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$dir/../initdb.log" 2>&1 \
        || { cat "$dir/../initdb.log" >&2; exit 1; }
    fi
    if as_owner "$BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then exit 0; fi
    if ! python3 -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1])))' "$port" 2>/dev/null; then
      echo "pg.sh: port $port on 127.0.0.1 is already in use (another PostgreSQL?); choose another with PG_PORT=NNNNN" >&2
      exit 1
    fi
    as_owner "$BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c max_connections=300 ${HUDDLE_PG_OPTS:-}" \
      start >/dev/null
    ;;
  stop)
    [ -f "$dir/PG_VERSION" ] || exit 0
    as_owner "$BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  url)
    port=${3:?port required}
    echo "postgres://postgres@127.0.0.1:$port/${4:-huddle}"
    ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
