#!/usr/bin/env bash
# The bare-SQL limits of this machine and database, next to Huddle's own figures, in one run:
#   cycle       pgbench: one job per transaction — insert, claim (SKIP LOCKED), delete — from $CLIENTS clients
#   batch       pgbench: claim-and-delete a backlog 100 rows per statement (the burn-down ceiling)
#   huddle      `huddle bench burn-down` on the same database, as a ratio of both
#   history     the burn-down again after ANALYZE saw $HISTORY completed jobs (stale statistics), as a ratio
# Uses DATABASE_URL, else the `make run` cluster (PostgreSQL's durability defaults: fsync and
# synchronous_commit on). Needs a release build: `swift build -c release --product huddle`.
# Settings: JOBS (default 100000), CLIENTS (8), BENCH_SECONDS (10), WORKERS (2), CONCURRENCY (500), HISTORY (50000).
set -euo pipefail
. "$(dirname "$0")/env.sh"
JOBS=${JOBS:-100000}; CLIENTS=${CLIENTS:-8}; BENCH_SECONDS=${BENCH_SECONDS:-10}
WORKERS=${WORKERS:-2}; CONCURRENCY=${CONCURRENCY:-500}; HISTORY=${HISTORY:-50000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; psql -Xq "$DATABASE_URL" -c "DROP TABLE IF EXISTS huddle_limit_jobs" >/dev/null 2>&1 || true' EXIT

echo "settings: $(bench_settings)"
psql -Xq -v ON_ERROR_STOP=1 "$DATABASE_URL" <<'SQL'
DROP TABLE IF EXISTS huddle_limit_jobs;
CREATE TABLE huddle_limit_jobs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    state text NOT NULL DEFAULT 'available',
    args jsonb NOT NULL DEFAULT '{}',
    run_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX ON huddle_limit_jobs (state, id);
SQL

cat >"$tmp/cycle.sql" <<'SQL'
INSERT INTO huddle_limit_jobs DEFAULT VALUES;
UPDATE huddle_limit_jobs SET state = 'running' WHERE id = (SELECT id FROM huddle_limit_jobs WHERE state = 'available' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED);
DELETE FROM huddle_limit_jobs WHERE id = (SELECT id FROM huddle_limit_jobs WHERE state = 'running' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED);
SQL
cycle=$("$PGBENCH" -n -f "$tmp/cycle.sql" -c "$CLIENTS" -j 2 -T "$BENCH_SECONDS" "$DATABASE_URL" 2>/dev/null \
  | sed -nE 's/^tps = ([0-9.]+).*/\1/p' | head -n 1)
echo "bench limit_cycle clients=$CLIENTS jobs_per_s=${cycle%.*}"

psql -Xq "$DATABASE_URL" -c "TRUNCATE huddle_limit_jobs" -c "INSERT INTO huddle_limit_jobs (state) SELECT 'available' FROM generate_series(1, $JOBS)" -c "VACUUM ANALYZE huddle_limit_jobs"
echo "DELETE FROM huddle_limit_jobs WHERE id IN (SELECT id FROM huddle_limit_jobs ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED);" >"$tmp/batch.sql"
per_client=$(( JOBS / 100 / CLIENTS ))
batch_tps=$("$PGBENCH" -n -f "$tmp/batch.sql" -c "$CLIENTS" -j 2 -t "$per_client" "$DATABASE_URL" 2>/dev/null \
  | sed -nE 's/^tps = ([0-9.]+).*/\1/p' | head -n 1)
batch=$(python3 -c "print(int(float('$batch_tps') * 100))")
echo "bench limit_batch100 clients=$CLIENTS jobs_per_s=$batch"

# Huddle starts from the state pgbench's runs started from (settle: no checkpoint due, no dead rows in its
# table), and with none in pgbench's either: the WAL the pgbench runs wrote would otherwise bring a checkpoint,
# and their dead rows an autovacuum, into the middle of the burn-down.
psql -Xq "$DATABASE_URL" -c "DROP TABLE huddle_limit_jobs"
settle
line=$("$HUDDLE" bench burn-down --database-url "$DATABASE_URL" --jobs "$JOBS" --workers "$WORKERS" --concurrency "$CONCURRENCY")
echo "$line"
jobs_per_s() { echo "$1" | sed -nE 's/.*jobs_per_s=([0-9]+).*/\1/p'; }
huddle=$(jobs_per_s "$line")
python3 -c "print('bench ratio huddle_burn_down/limit_cycle=%.1f huddle_burn_down/limit_batch100=%.2f' % ($huddle / float('$cycle'), $huddle / $batch))"

# The same burn-down on a table whose statistics saw only finished jobs (ANALYZE after $HISTORY completed
# ones), as after a quiet spell in production: the plans must not depend on fresh statistics.
settle
stale=$("$HUDDLE" bench burn-down --database-url "$DATABASE_URL" --jobs "$JOBS" --history "$HISTORY" --workers "$WORKERS" --concurrency "$CONCURRENCY")
echo "$stale"
python3 -c "print('bench ratio huddle_burn_down_after_history/huddle_burn_down=%.2f' % ($(jobs_per_s "$stale") / $huddle))"
