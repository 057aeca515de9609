# The repository's commands. `make run` and `make test` are the two a newcomer needs.
.PHONY: run test build release schema db-start db-stop psql bench clean-db

PG_DIR  ?= .local/pg
PG_PORT ?= 54329

## run: start Huddle on a local PostgreSQL it creates under .local/ (unless DATABASE_URL is set)
run:
	scripts/run.sh

## test: everything CI runs, on a throwaway PostgreSQL
test:
	scripts/test.sh

build:
	. scripts/swift-env.sh && swift build

release:
	. scripts/swift-env.sh && swift build -c release --product huddle

## bench: every benchmark on a release build, against the `make run` cluster (or DATABASE_URL)
bench: release db-start
	scripts/bench.sh

## schema: regenerate Tests/Schema/schema.sql after changing a migration (review the diff)
schema: build
	scripts/with-throwaway-pg.sh sh -c 'scripts/check-migrations.sh "$$HUDDLE_TEST_DATABASE_URL" .build/debug/huddle --update'

## db-start / db-stop / psql: the local development cluster used by `make run`
db-start:
	scripts/pg.sh start $(PG_DIR) $(PG_PORT)

db-stop:
	scripts/pg.sh stop $(PG_DIR)

psql: db-start
	psql "$$(scripts/pg.sh url $(PG_DIR) $(PG_PORT))"

clean-db: db-stop
	rm -rf $(PG_DIR)
