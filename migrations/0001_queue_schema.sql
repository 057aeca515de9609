-- 0001_queue_schema: the queue's tables, its job state type and the migration ledger.
--
-- Every migration file is one transaction (BEGIN ... COMMIT) that first takes the migration lock and
-- records its own version, so `psql -v ON_ERROR_STOP=1 -f` and `huddle migrate` apply it identically and
-- two migrators running at once can never both apply it.
BEGIN;

-- One migration at a time, whoever runs it (the key is the text 'huddle.migrate' hashed once).
DO $$ BEGIN PERFORM pg_advisory_xact_lock(4829174251); END $$;

CREATE SCHEMA IF NOT EXISTS queue;
COMMENT ON SCHEMA queue IS 'Huddle: jobs, schedules and real-time events. Operate it through the queue.* functions (docs/sql-api.md).';

CREATE TABLE IF NOT EXISTS queue.schema_migrations (
    version    integer     PRIMARY KEY,
    name       text        NOT NULL,
    checksum   text,
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by text        NOT NULL DEFAULT current_user
);
COMMENT ON TABLE queue.schema_migrations IS
    'One row per applied migrations/NNNN_name.sql. checksum is the SHA-256 of the file recorded by huddle migrate (NULL when applied with psql until huddle migrate adopts it).';

CREATE OR REPLACE FUNCTION queue.begin_migration(p_version integer, p_name text)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(4829174251);
    IF EXISTS (SELECT 1 FROM queue.schema_migrations WHERE version = p_version) THEN
        RAISE EXCEPTION 'migration % (%) is already applied', lpad(p_version::text, 4, '0'), p_name
            USING ERRCODE = 'unique_violation',
                  HINT = 'Run `huddle migrate --status` to see what is applied; migrations are forward-only.';
    END IF;
    INSERT INTO queue.schema_migrations (version, name) VALUES (p_version, p_name);
END;
$$;
COMMENT ON FUNCTION queue.begin_migration(integer, text) IS
    'Called first by every migration file: takes the migration lock and records the version, refusing one that is already applied.';

DO $$ BEGIN PERFORM queue.begin_migration(1, 'queue_schema'); END $$;

-- Job states. available includes jobs whose run_at is still in the future.
CREATE TYPE queue.job_state AS ENUM ('available', 'running', 'completed', 'discarded', 'cancelled');
COMMENT ON TYPE queue.job_state IS
    'available (waiting, maybe until run_at) -> running -> completed | available (retry) | discarded (attempts exhausted or permanent error); available/running -> cancelled; discarded/cancelled -> available (queue.retry). See docs/state-machine.md.';

CREATE TABLE queue.jobs (
    id               bigint          GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    state            queue.job_state NOT NULL DEFAULT 'available',
    kind             text            NOT NULL,
    queue            text            NOT NULL DEFAULT 'default',
    priority         smallint        NOT NULL DEFAULT 0,
    attempt          integer         NOT NULL DEFAULT 0,
    max_attempts     integer         NOT NULL DEFAULT 5,
    run_at           timestamptz     NOT NULL DEFAULT now(),
    progress         smallint        NOT NULL DEFAULT 0,
    current_step     text,
    user_id          text,
    args             jsonb           NOT NULL DEFAULT '{}',
    result           jsonb,
    errors           jsonb           NOT NULL DEFAULT '[]',
    unique_key       text,
    worker           text,
    lease_expires_at timestamptz,
    schedule_name    text,
    created_at       timestamptz     NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz,

    CONSTRAINT jobs_kind_is_named            CHECK (length(btrim(kind)) > 0),
    CONSTRAINT jobs_queue_is_named           CHECK (length(btrim(queue)) > 0),
    CONSTRAINT jobs_attempts_at_least_one    CHECK (max_attempts >= 1),
    CONSTRAINT jobs_attempt_not_negative     CHECK (attempt >= 0),
    CONSTRAINT jobs_progress_is_percent      CHECK (progress BETWEEN 0 AND 100),
    CONSTRAINT jobs_args_is_object           CHECK (jsonb_typeof(args) = 'object'),
    CONSTRAINT jobs_errors_is_array          CHECK (jsonb_typeof(errors) = 'array'),
    CONSTRAINT jobs_running_has_lease        CHECK (state <> 'running' OR (worker IS NOT NULL AND lease_expires_at IS NOT NULL)),
    CONSTRAINT jobs_running_was_claimed      CHECK (state <> 'running' OR attempt >= 1),
    CONSTRAINT jobs_finished_iff_final       CHECK ((finished_at IS NOT NULL) = (state IN ('completed', 'discarded', 'cancelled')))
);
COMMENT ON TABLE queue.jobs IS
    'One row per job. Change it through the queue.* functions so every change wakes workers and reaches users; see docs/sql-api.md.';
COMMENT ON COLUMN queue.jobs.priority IS 'Lower runs first (default 0); ties go to the earlier run_at, then the lower id.';
COMMENT ON COLUMN queue.jobs.attempt IS 'Attempts started so far; only ever grows, and fences a worker''s writes to the attempt it claimed.';
COMMENT ON COLUMN queue.jobs.errors IS 'One {attempt, error, at} entry per failed attempt, oldest first.';
COMMENT ON COLUMN queue.jobs.unique_key IS 'At most one live (available or running) job holds a key; queue.enqueue returns that job''s id instead of a new one.';
COMMENT ON COLUMN queue.jobs.lease_expires_at IS 'While running: when the rescuer may take the job back unless the worker''s heartbeat extends it (database clock).';

-- Serves the claim: state = 'available' AND queue = $q AND run_at <= now()
-- ORDER BY priority, run_at, id LIMIT n FOR UPDATE SKIP LOCKED, and the lag column of queue.stats.
CREATE INDEX jobs_claim_idx ON queue.jobs (queue, priority, run_at, id) WHERE state = 'available';

-- Serves the unique_key rule of queue.enqueue (INSERT ... ON CONFLICT on live jobs).
CREATE UNIQUE INDEX jobs_live_unique_key_idx ON queue.jobs (unique_key)
    WHERE unique_key IS NOT NULL AND state IN ('available', 'running');

-- Serves the rescuer: state = 'running' AND lease_expires_at < now().
CREATE INDEX jobs_lease_idx ON queue.jobs (lease_expires_at) WHERE state = 'running';

-- Serves a user's task list: user_id = $u ORDER BY id DESC.
CREATE INDEX jobs_user_idx ON queue.jobs (user_id, id) WHERE user_id IS NOT NULL;

-- Serves the pruner: finished jobs older than the retention window.
CREATE INDEX jobs_finished_idx ON queue.jobs (finished_at) WHERE finished_at IS NOT NULL;

CREATE TABLE queue.queues (
    name       text        PRIMARY KEY,
    paused     boolean     NOT NULL DEFAULT false,
    paused_at  timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT queues_name_is_named   CHECK (length(btrim(name)) > 0),
    CONSTRAINT queues_paused_has_time CHECK (paused = (paused_at IS NOT NULL))
);
COMMENT ON TABLE queue.queues IS 'Per-queue settings; a row is created on first use. A paused queue starts nothing (queue.pause / queue.resume).';

CREATE TABLE queue.events (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    text        NOT NULL,
    job_id     bigint,
    type       text        NOT NULL,
    payload    jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT events_type_is_known     CHECK (type IN ('agent_update', 'notification')),
    CONSTRAINT events_user_is_named     CHECK (length(user_id) > 0),
    CONSTRAINT events_payload_is_object CHECK (jsonb_typeof(payload) = 'object')
);
COMMENT ON TABLE queue.events IS
    'Durable log behind real-time delivery: each row is announced by pg_notify(''huddle_events'', id) on commit and replayed by id after any reconnect. Pruned after a retention window.';

-- Serves replay: user_id = $u AND id > $after ORDER BY id.
CREATE INDEX events_user_idx ON queue.events (user_id, id);
-- Serves the pruner: created_at < now() - retention (rows arrive in time order, so BRIN stays tiny).
CREATE INDEX events_created_brin ON queue.events USING brin (created_at);

COMMIT;
