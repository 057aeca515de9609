#!/usr/bin/env bash
# Enqueue throughput at the SQL level, from $CLIENTS pgbench clients (no Swift in the way), in one run:
#   single      SELECT queue.enqueue(...)            one job per transaction
#   many_N      SELECT queue.enqueue_many(<N jobs>)   N jobs per transaction, for N in $BATCHES
#   worker      single again while `huddle work` runs every job (claim + complete on the same disk)
# Prints jobs/s for each and its ratio to `single`. Uses DATABASE_URL, else the `make run` cluster
# (PostgreSQL's durability defaults). Needs a release build for the worker run.
# Settings: CLIENTS (default 8), BENCH_SECONDS (8), BATCHES ("4 16").
set -euo pipefail
. "$(dirname "$0")/env.sh"
CLIENTS=${CLIENTS:-8}; BENCH_SECONDS=${BENCH_SECONDS:-8}; BATCHES=${BATCHES:-4 16}
queue="bench_sql_$$"
tmp=$(mktemp -d)
worker=
cleanup() {
  [ -n "$worker" ] && kill -TERM "$worker" 2>/dev/null && wait "$worker" 2>/dev/null || true
  psql -Xq "$DATABASE_URL" -c "DELETE FROM queue.jobs WHERE queue = '$queue'; DELETE FROM queue.queues WHERE name = '$queue'" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

tps() {  # file → transactions per second
  "$PGBENCH" -n -c "$CLIENTS" -j 2 -T "$BENCH_SECONDS" -f "$1" "$DATABASE_URL" 2>&1 \
    | sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
}
settle_queue() { psql -Xq "$DATABASE_URL" -c "DELETE FROM queue.jobs WHERE queue = '$queue'" >/dev/null; settle >/dev/null; }

echo "settings: $(bench_settings) clients=$CLIENTS seconds=$BENCH_SECONDS"
echo "SELECT queue.enqueue('noop', queue => '$queue');" > "$tmp/single.sql"
settle_queue; single=$(tps "$tmp/single.sql")
echo "bench enqueue_sql mode=single jobs_per_s=${single%.*} ratio=1.00"
for n in $BATCHES; do
  python3 -c "import json,sys; print(\"SELECT count(*) FROM queue.enqueue_many('\" + json.dumps([{'kind': 'noop', 'queue': sys.argv[2]}] * int(sys.argv[1])) + \"');\")" "$n" "$queue" > "$tmp/many.sql"
  settle_queue; t=$(tps "$tmp/many.sql")
  jobs=$(python3 -c "print(int(float('$t') * $n))")
  echo "bench enqueue_sql mode=many_$n jobs_per_s=$jobs ratio=$(python3 -c "print(f'{$jobs / float(\"$single\"):.2f}')")"
done
settle_queue
"$HUDDLE" work --queues "$queue" --concurrency 50 --log-level warning --database-url "$DATABASE_URL" & worker=$!
sleep 2
kill -0 "$worker" 2>/dev/null || { echo "huddle work exited (see above)" >&2; exit 1; }
t=$(tps "$tmp/single.sql")
kill -TERM "$worker"; wait "$worker" || true; worker=
echo "bench enqueue_sql mode=single_with_worker jobs_per_s=${t%.*} ratio=$(python3 -c "print(f'{float(\"$t\") / float(\"$single\"):.2f}')")"
