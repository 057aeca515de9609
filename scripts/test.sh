#!/usr/bin/env bash
# `make test`: everything CI runs, against a throwaway PostgreSQL (scripts/with-throwaway-pg.sh):
# the migration checks (psql and `huddle migrate` agree, migrating twice is a no-op, the committed schema
# snapshot matches), every Swift test, the REST contract (a live `huddle serve` against openapi.yaml) and
# the demo snapshot (regenerates identically), docker-compose.yml (Compose Specification schema, real huddle
# commands) and the dashboard in headless Chromium (scripts/check-browser.sh). Exits non-zero on any failure.
# The Python checks install PyYAML, jsonschema and selenium from PyPI when missing; as root, Debian's chromium
# and chromium-driver are apt-get installed when missing.
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

echo "== checking the REST contract (openapi.yaml against a live huddle serve)"
scripts/check-api.sh "$HUDDLE_TEST_DATABASE_URL" .build/debug/huddle

echo "== checking the demo snapshot (demo/ is what scripts/make-demo-snapshot.py generates)"
python3 scripts/make-demo-snapshot.py --check

echo "== checking docker-compose.yml"
python3 scripts/check-compose.py --install-deps .build/debug/huddle

echo "== checking the dashboard in a real browser (headless Chromium; screenshots in .build/browser-artifacts)"
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null; }
  else
    echo "the browser check needs chromium and chromium-driver: sudo apt-get install -y chromium chromium-driver" >&2
    exit 1
  fi
fi
scripts/check-browser.sh "$HUDDLE_TEST_DATABASE_URL" .build/debug/huddle
