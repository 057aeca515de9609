# Sourced by the bench/ scripts: the database (DATABASE_URL, else the `make run` cluster, started if needed),
# the huddle binary (HUDDLE, default the release build), pgbench (PGBENCH, else PostgreSQL's newest), quiet
# notices, settle, which runs before each measurement, and bench_settings, which prints the durability settings
# every figure depends on.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PGOPTIONS="-c client_min_messages=warning"
if [ -z "${DATABASE_URL:-}" ]; then
  scripts/pg.sh start .local/pg "${PG_PORT:-54329}"
  DATABASE_URL=$(scripts/pg.sh url .local/pg "${PG_PORT:-54329}" huddle)
fi
HUDDLE=${HUDDLE:-.build/release/huddle}
PGBENCH=${PGBENCH:-$(ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -n 1)}
PGBENCH=${PGBENCH:-pgbench}

# Every measurement starts from the same state: no dead rows left in Huddle's tables by the previous one, and
# no checkpoint due.
settle() { psql -Xq "$DATABASE_URL" -c "VACUUM ANALYZE queue.jobs, queue.queues" -c "CHECKPOINT"; }

bench_settings() {
  psql -XAt "$DATABASE_URL" -c "SELECT 'fsync=' || current_setting('fsync') || ' synchronous_commit=' || current_setting('synchronous_commit')"
}
