#!/usr/bin/env bash
# `make test`: everything CI runs, against a throwaway PostgreSQL (scripts/with-throwaway-pg.sh):
# the migration checks (psql and `huddle migrate` agree, migrating twice is a no-op, the committed schema
# snapshot matches) and every Swift test. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${HUDDLE_TEST_DATABASE_URL:-}" ]; then exec scripts/with-throwaway-pg.sh "$0" "$@"; fi

. scripts/swift-env.sh
echo "== building"
swift build --build-tests

echo "== checking migrations"
scripts/check-migrations.sh "$HUDDLE_TEST_DATABASE_URL" .build/debug/huddle

echo "== running tests"
swift test --skip-build
