--
-- PostgreSQL database dump
--



SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: queue; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA queue;


--
-- Name: SCHEMA queue; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA queue IS 'Huddle: jobs, schedules and real-time events. Operate it through the queue.* functions (docs/sql-api.md).';


--
-- Name: claimed_job; Type: TYPE; Schema: queue; Owner: -
--

CREATE TYPE queue.claimed_job AS (
	id bigint,
	kind text,
	queue text,
	attempt integer,
	max_attempts integer,
	args jsonb,
	user_id text
);


--
-- Name: TYPE claimed_job; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON TYPE queue.claimed_job IS 'What a worker needs to run a job it has just claimed.';


--
-- Name: job_state; Type: TYPE; Schema: queue; Owner: -
--

CREATE TYPE queue.job_state AS ENUM (
    'available',
    'running',
    'completed',
    'discarded',
    'cancelled'
);


--
-- Name: TYPE job_state; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON TYPE queue.job_state IS 'available (waiting, maybe until run_at) -> running -> completed | available (retry) | discarded (attempts exhausted or permanent error); available/running -> cancelled; discarded/cancelled -> available (queue.retry). See docs/state-machine.md.';


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: jobs; Type: TABLE; Schema: queue; Owner: -
--

CREATE TABLE queue.jobs (
    id bigint NOT NULL,
    state queue.job_state DEFAULT 'available'::queue.job_state NOT NULL,
    kind text NOT NULL,
    queue text DEFAULT 'default'::text NOT NULL,
    priority smallint DEFAULT 0 NOT NULL,
    attempt integer DEFAULT 0 NOT NULL,
    max_attempts integer DEFAULT 5 NOT NULL,
    run_at timestamp with time zone DEFAULT now() NOT NULL,
    progress smallint DEFAULT 0 NOT NULL,
    current_step text,
    user_id text,
    args jsonb DEFAULT '{}'::jsonb NOT NULL,
    result jsonb,
    errors jsonb DEFAULT '[]'::jsonb NOT NULL,
    unique_key text,
    worker text,
    lease_expires_at timestamp with time zone,
    schedule_name text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    CONSTRAINT jobs_args_is_object CHECK ((jsonb_typeof(args) = 'object'::text)),
    CONSTRAINT jobs_attempt_not_negative CHECK ((attempt >= 0)),
    CONSTRAINT jobs_attempts_at_least_one CHECK ((max_attempts >= 1)),
    CONSTRAINT jobs_errors_is_array CHECK ((jsonb_typeof(errors) = 'array'::text)),
    CONSTRAINT jobs_finished_iff_final CHECK (((finished_at IS NOT NULL) = (state = ANY (ARRAY['completed'::queue.job_state, 'discarded'::queue.job_state, 'cancelled'::queue.job_state])))),
    CONSTRAINT jobs_kind_is_named CHECK ((length(btrim(kind)) > 0)),
    CONSTRAINT jobs_progress_is_percent CHECK (((progress >= 0) AND (progress <= 100))),
    CONSTRAINT jobs_queue_is_named CHECK ((length(btrim(queue)) > 0)),
    CONSTRAINT jobs_running_has_lease CHECK (((state <> 'running'::queue.job_state) OR ((worker IS NOT NULL) AND (lease_expires_at IS NOT NULL)))),
    CONSTRAINT jobs_running_was_claimed CHECK (((state <> 'running'::queue.job_state) OR (attempt >= 1)))
);


--
-- Name: TABLE jobs; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON TABLE queue.jobs IS 'One row per job. Change it through the queue.* functions so every change wakes workers and reaches users; see docs/sql-api.md.';


--
-- Name: COLUMN jobs.priority; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON COLUMN queue.jobs.priority IS 'Lower runs first (default 0); ties go to the earlier run_at, then the lower id.';


--
-- Name: COLUMN jobs.attempt; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON COLUMN queue.jobs.attempt IS 'Attempts started so far; only ever grows, and fences a worker''s writes to the attempt it claimed.';


--
-- Name: COLUMN jobs.errors; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON COLUMN queue.jobs.errors IS 'One {attempt, error, at} entry per failed attempt, oldest first.';


--
-- Name: COLUMN jobs.unique_key; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON COLUMN queue.jobs.unique_key IS 'At most one live (available or running) job holds a key; queue.enqueue returns that job''s id instead of a new one.';


--
-- Name: COLUMN jobs.lease_expires_at; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON COLUMN queue.jobs.lease_expires_at IS 'While running: when the rescuer may take the job back unless the worker''s heartbeat extends it (database clock).';


--
-- Name: agent_update_payload(queue.jobs, jsonb); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.agent_update_payload(j queue.jobs, p_data jsonb) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    SELECT jsonb_build_object(
        'task_id',      j.id::text,
        'kind',         j.kind,
        'status',       queue.task_status(j.state),
        'progress',     j.progress,
        'current_step', j.current_step,
        'data',         coalesce(p_data, CASE
                            WHEN j.state = 'completed' THEN jsonb_build_object('result', j.result)
                            WHEN j.state IN ('discarded', 'available') AND jsonb_array_length(j.errors) > 0
                                THEN jsonb_build_object('error', j.errors -> -1 ->> 'error', 'attempt', j.attempt,
                                                        'retry_at', CASE WHEN j.state = 'available' THEN j.run_at END)
                            ELSE '{}'::jsonb
                        END))
$$;


--
-- Name: FUNCTION agent_update_payload(j queue.jobs, p_data jsonb); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.agent_update_payload(j queue.jobs, p_data jsonb) IS 'The payload of an agent_update event for a job: task_id, kind, status, progress, current_step and data (p_data, else the result or last error).';


--
-- Name: await_work(text[]); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.await_work(queues text[]) RETURNS boolean
    LANGUAGE plpgsql
    AS $$
DECLARE
    q text;
BEGIN
    -- Losing this flag in a crash costs at most one poll interval, so do not wait for the disk.
    SET LOCAL synchronous_commit = off;
    FOREACH q IN ARRAY await_work.queues LOOP
        CONTINUE WHEN EXISTS (SELECT 1 FROM queue.queues WHERE name = q AND workers_waiting);
        IF NOT pg_try_advisory_xact_lock(1215, hashtext(q)) THEN
            RETURN false;  -- an enqueue is in flight: its job is about to be claimable
        END IF;
        INSERT INTO queue.queues AS x (name, workers_waiting) VALUES (q, true)
            ON CONFLICT (name) DO UPDATE SET workers_waiting = true WHERE NOT x.workers_waiting;
    END LOOP;
    RETURN true;
END;
$$;


--
-- Name: FUNCTION await_work(queues text[]); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.await_work(queues text[]) IS 'Called by a worker about to wait for work: marks its queues so that enqueues notify, and returns true; returns false (marking nothing more) while an enqueue to one of them is in flight, in which case the worker should look again shortly rather than wait.';


--
-- Name: begin_migration(integer, text); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.begin_migration(p_version integer, p_name text) RETURNS void
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: FUNCTION begin_migration(p_version integer, p_name text); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.begin_migration(p_version integer, p_name text) IS 'Called first by every migration file: takes the migration lock and records the version, refusing one that is already applied.';


--
-- Name: cancel(bigint); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.cancel(id bigint) RETURNS boolean
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
    j queue.jobs := queue.job_row(cancel.id);
BEGIN
    IF j.state NOT IN ('available', 'running') THEN
        RETURN false;
    END IF;
    UPDATE queue.jobs
       SET state = 'cancelled', finished_at = now(), lease_expires_at = NULL
     WHERE jobs.id = j.id AND jobs.state IN ('available', 'running');
    IF j.state = 'running' THEN
        -- The worker holding it cancels the handler; its late writes are fenced out by state.
        PERFORM pg_notify('huddle_cancel', j.id::text);
    END IF;
    RETURN true;
END;
$$;


--
-- Name: FUNCTION cancel(id bigint); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.cancel(id bigint) IS 'Cancels a job: available -> cancelled at once; running -> cancelled at once and its worker is told to cancel the handler (its later writes are refused). Returns false when the job had already finished; raises P0002 for an unknown id. Example: SELECT queue.cancel(42);';


--
-- Name: claim(text, text, text[], integer, interval, boolean); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.claim(worker text, queue text, kinds text[], max_jobs integer, lease interval DEFAULT '00:00:30'::interval, stop_wakeups boolean DEFAULT false) RETURNS SETOF queue.claimed_job
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
    v_queue text := queue.require_name('queue', claim.queue);
BEGIN
    -- A claim need not wait for the disk: if a crash loses it, the job is simply available again and runs
    -- again (at least once). The worker's later writes are fenced by its name as well as the attempt, so a
    -- lost claim's worker cannot finish the job for whoever claims it next; and any write that does commit
    -- durably flushes the claim before it.
    SET LOCAL synchronous_commit = off;
    PERFORM queue.require_name('worker', claim.worker);
    IF claim.max_jobs IS NULL OR claim.max_jobs < 1 OR claim.max_jobs > 10000 THEN
        RAISE EXCEPTION 'max_jobs must be between 1 and 10000, got %', coalesce(claim.max_jobs::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF claim.lease IS NULL OR claim.lease < interval '1 second' THEN
        RAISE EXCEPTION 'lease must be at least 1 second, got %', coalesce(claim.lease::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF claim.kinds IS NULL OR cardinality(claim.kinds) = 0 THEN
        RAISE EXCEPTION 'kinds must list the kinds this worker can run'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF claim.stop_wakeups THEN
        -- The worker is finding plenty of work: enqueues need not notify until a worker waits again.
        UPDATE queue.queues SET workers_waiting = false WHERE name = v_queue AND workers_waiting;
    END IF;
    IF EXISTS (SELECT 1 FROM queue.queues q WHERE q.name = v_queue AND q.paused) THEN
        RETURN;  -- a paused queue starts nothing
    END IF;
    RETURN QUERY SELECT * FROM queue.claim_batch(claim.worker, v_queue, claim.kinds, claim.max_jobs, claim.lease);
END;
$$;


--
-- Name: FUNCTION claim(worker text, queue text, kinds text[], max_jobs integer, lease interval, stop_wakeups boolean); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.claim(worker text, queue text, kinds text[], max_jobs integer, lease interval, stop_wakeups boolean) IS 'Claims up to max_jobs due jobs of one queue for a worker (none from a paused queue), with a lease (default 30 seconds). stop_wakeups (a worker that keeps finding work) stops enqueues from notifying until a worker waits again. Example: SELECT * FROM queue.claim(''w1'', ''default'', ARRAY[''noop''], 10);';


--
-- Name: claim_batch(text, text, text[], integer, interval); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.claim_batch(p_worker text, p_queue text, p_kinds text[], p_limit integer, p_lease interval) RETURNS SETOF queue.claimed_job
    LANGUAGE plpgsql
    SET plan_cache_mode TO 'force_custom_plan'
    AS $$
BEGIN
    -- The oldest due jobs of the highest priority (lower number first) that no one else holds, served by
    -- jobs_claim_idx (queue, priority, run_at, id) WHERE state = 'available'.
    RETURN QUERY
    WITH picked AS (
        SELECT j.id
          FROM queue.jobs j
         WHERE j.state = 'available'
           AND j.queue = p_queue
           AND j.run_at <= now()
           AND j.kind = ANY (p_kinds)
         ORDER BY j.priority, j.run_at, j.id
         LIMIT p_limit
           FOR UPDATE SKIP LOCKED
    )
    UPDATE queue.jobs j
       SET state = 'running', attempt = j.attempt + 1, worker = p_worker,
           lease_expires_at = now() + p_lease, started_at = now()
      FROM picked
     WHERE j.id = picked.id
    RETURNING j.id, j.kind, j.queue, j.attempt, j.max_attempts, j.args, j.user_id;
END;
$$;


--
-- Name: FUNCTION claim_batch(p_worker text, p_queue text, p_kinds text[], p_limit integer, p_lease interval); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.claim_batch(p_worker text, p_queue text, p_kinds text[], p_limit integer, p_lease interval) IS 'One claim statement: up to p_limit due available jobs of p_queue whose kind is in p_kinds, in priority, run_at, id order, skipping rows other workers hold; each becomes running with attempt + 1, the worker''s name and a lease. Used by queue.claim.';


--
-- Name: complete(text, bigint[], integer[], jsonb[]); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.complete(worker text, ids bigint[], attempts integer[], results jsonb[] DEFAULT NULL::jsonb[]) RETURNS SETOF bigint
    LANGUAGE sql
    AS $$
    UPDATE queue.jobs j
       SET state = 'completed', finished_at = now(), lease_expires_at = NULL, progress = 100,
           result = nullif(done.result, 'null'::jsonb)
      FROM unnest(complete.ids, complete.attempts,
                  coalesce(complete.results, array_fill(NULL::jsonb, ARRAY[cardinality(complete.ids)])))
               AS done(id, attempt, result)
     WHERE j.id = done.id AND j.state = 'running' AND j.attempt = done.attempt AND j.worker = complete.worker
    RETURNING j.id
$$;


--
-- Name: FUNCTION complete(worker text, ids bigint[], attempts integer[], results jsonb[]); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.complete(worker text, ids bigint[], attempts integer[], results jsonb[]) IS 'Marks a worker''s claimed jobs completed with their results (fenced by worker and attempt); returns the ids it applied to. Example: SELECT queue.complete(''w1'', ARRAY[42], ARRAY[1], ARRAY[''{"ok": true}''::jsonb]);';


--
-- Name: discard(bigint, text); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.discard(id bigint, reason text DEFAULT 'discarded by operator'::text) RETURNS boolean
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
    j queue.jobs := queue.job_row(discard.id);
BEGIN
    IF j.state <> 'available' THEN
        RETURN false;
    END IF;
    UPDATE queue.jobs
       SET state = 'discarded', finished_at = now(),
           errors = errors || jsonb_build_array(jsonb_build_object(
               'attempt', j.attempt, 'error', coalesce(discard.reason, 'discarded by operator'), 'at', now()))
     WHERE jobs.id = j.id AND jobs.state = 'available';
    RETURN true;
END;
$$;


--
-- Name: FUNCTION discard(id bigint, reason text); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.discard(id bigint, reason text) IS 'Permanently fails an available job without running it, recording reason in errors. Returns false for a job in any other state (cancel a running one instead). Example: SELECT queue.discard(42, ''bad args'');';


--
-- Name: discard_jobs(text, text, text); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.discard_jobs(kind text DEFAULT NULL::text, queue text DEFAULT NULL::text, reason text DEFAULT 'discarded by operator'::text) RETURNS integer
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
    n integer;
BEGIN
    IF discard_jobs.kind IS NULL AND discard_jobs.queue IS NULL THEN
        RAISE EXCEPTION 'discard_jobs needs a kind or a queue'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'To discard everything waiting, name each queue: SELECT queue.discard_jobs(queue => ''default'');';
    END IF;
    UPDATE queue.jobs
       SET state = 'discarded', finished_at = now(),
           errors = errors || jsonb_build_array(jsonb_build_object(
               'attempt', jobs.attempt, 'error', coalesce(discard_jobs.reason, 'discarded by operator'), 'at', now()))
     WHERE jobs.state = 'available'
       AND (discard_jobs.kind IS NULL OR jobs.kind = discard_jobs.kind)
       AND (discard_jobs.queue IS NULL OR jobs.queue = discard_jobs.queue);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END;
$$;


--
-- Name: FUNCTION discard_jobs(kind text, queue text, reason text); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.discard_jobs(kind text, queue text, reason text) IS 'Permanently fails every available job of a kind and/or queue (at least one is required), recording reason; returns the count. Running jobs are left alone. Example: SELECT queue.discard_jobs(kind => ''check_waiver_wire'');';


--
-- Name: enqueue(text, jsonb, text, integer, timestamp with time zone, integer, text, text); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.enqueue(kind text, args jsonb DEFAULT '{}'::jsonb, queue text DEFAULT 'default'::text, priority integer DEFAULT 0, run_at timestamp with time zone DEFAULT now(), max_attempts integer DEFAULT 5, unique_key text DEFAULT NULL::text, user_id text DEFAULT NULL::text) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
    v_kind  text        := queue.require_name('kind', enqueue.kind);
    v_queue text        := queue.require_name('queue', enqueue.queue);
    v_args  jsonb       := coalesce(enqueue.args, '{}');
    v_run   timestamptz := coalesce(enqueue.run_at, now());
    v_id    bigint;
BEGIN
    IF jsonb_typeof(v_args) <> 'object' THEN
        RAISE EXCEPTION 'args must be a JSON object, not a JSON %', jsonb_typeof(v_args)
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Wrap the value, e.g. ''{"value": 42}''.';
    END IF;
    IF enqueue.priority IS NULL OR enqueue.priority NOT BETWEEN -32768 AND 32767 THEN
        RAISE EXCEPTION 'priority % is out of range', coalesce(enqueue.priority::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use -32768..32767; lower runs first, default 0.';
    END IF;
    IF enqueue.max_attempts IS NULL OR enqueue.max_attempts < 1 THEN
        RAISE EXCEPTION 'max_attempts must be at least 1, got %', coalesce(enqueue.max_attempts::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'max_attempts counts the first run: 1 means never retry.';
    END IF;
    IF enqueue.unique_key IS NOT NULL THEN
        PERFORM queue.require_name('unique_key', enqueue.unique_key);
    END IF;
    IF enqueue.user_id IS NOT NULL THEN
        PERFORM queue.require_name('user_id', enqueue.user_id);
    END IF;

    PERFORM queue.ensure_queue(v_queue);

    LOOP
        INSERT INTO queue.jobs AS j (kind, queue, priority, run_at, max_attempts, args, unique_key, user_id)
        VALUES (v_kind, v_queue, enqueue.priority, v_run, enqueue.max_attempts, v_args, enqueue.unique_key, enqueue.user_id)
        ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'running') DO NOTHING
        RETURNING j.id INTO v_id;
        IF v_id IS NOT NULL THEN
            IF v_run <= now() THEN
                PERFORM queue.wake_workers(v_queue);
            END IF;
            RETURN v_id;
        END IF;
        -- The key is held by a live job: answer with its id. If that job finished between the two
        -- statements the key is free again, so try the insert once more.
        SELECT j.id INTO v_id FROM queue.jobs j
         WHERE j.unique_key = enqueue.unique_key AND j.state IN ('available', 'running');
        IF v_id IS NOT NULL THEN
            RETURN v_id;
        END IF;
    END LOOP;
END;
$$;


--
-- Name: FUNCTION enqueue(kind text, args jsonb, queue text, priority integer, run_at timestamp with time zone, max_attempts integer, unique_key text, user_id text); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.enqueue(kind text, args jsonb, queue text, priority integer, run_at timestamp with time zone, max_attempts integer, unique_key text, user_id text) IS 'Adds an available job and returns its id, waking workers when it is due. Defaults: args {}, queue ''default'', priority 0 (lower runs first), run_at now(), max_attempts 5, no unique_key, no user. A unique_key already held by a live (available or running) job returns that job''s id instead. Example: SELECT queue.enqueue(''sleep'', ''{"ms": 100}'');';


--
-- Name: ensure_queue(text); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.ensure_queue(p_queue text) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM queue.queues WHERE name = p_queue) THEN
        INSERT INTO queue.queues (name) VALUES (p_queue) ON CONFLICT (name) DO NOTHING;
    END IF;
END;
$$;


--
-- Name: FUNCTION ensure_queue(p_queue text); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.ensure_queue(p_queue text) IS 'Creates the queue''s settings row on first use (unpaused).';


--
-- Name: events_announce(); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.events_announce() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
    newest bigint;
BEGIN
    SELECT max(id) INTO newest FROM appended;
    IF newest IS NOT NULL THEN
        PERFORM pg_notify('huddle_events', newest::text);
    END IF;
    RETURN NULL;
END;
$$;


--
-- Name: FUNCTION events_announce(); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.events_announce() IS 'Trigger: one pg_notify(''huddle_events'', <newest id>) per statement that appends events; listeners then read the rows by id.';


--
-- Name: fail(text, bigint[], integer[], text[], interval[], boolean[]); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.fail(worker text, ids bigint[], attempts integer[], errors text[], retry_in interval[], permanent boolean[]) RETURNS TABLE(id bigint, state queue.job_state)
    LANGUAGE sql
    AS $$
    UPDATE queue.jobs j
       SET state = CASE WHEN f.permanent OR j.attempt >= j.max_attempts
                        THEN 'discarded'::queue.job_state ELSE 'available'::queue.job_state END,
           finished_at = CASE WHEN f.permanent OR j.attempt >= j.max_attempts THEN now() END,
           run_at = CASE WHEN f.permanent OR j.attempt >= j.max_attempts THEN j.run_at
                         ELSE now() + greatest(coalesce(f.retry_in, interval '0'), interval '0') END,
           lease_expires_at = NULL,
           errors = j.errors || jsonb_build_array(jsonb_build_object(
               'attempt', j.attempt, 'error', coalesce(f.error, 'unknown error'), 'at', now(), 'worker', j.worker))
      FROM unnest(fail.ids, fail.attempts, fail.errors, fail.retry_in, fail.permanent)
               AS f(id, attempt, error, retry_in, permanent)
     WHERE j.id = f.id AND j.state = 'running' AND j.attempt = f.attempt AND j.worker = fail.worker
    RETURNING j.id, j.state
$$;


--
-- Name: FUNCTION fail(worker text, ids bigint[], attempts integer[], errors text[], retry_in interval[], permanent boolean[]); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.fail(worker text, ids bigint[], attempts integer[], errors text[], retry_in interval[], permanent boolean[]) IS 'Records failed attempts (fenced): each error is appended to errors; the job goes back to available after retry_in, or to discarded when permanent or out of attempts. Returns each applied id with its new state.';


--
-- Name: heartbeat(text, bigint[], integer[], interval); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.heartbeat(worker text, ids bigint[], attempts integer[], lease interval DEFAULT '00:00:30'::interval) RETURNS SETOF bigint
    LANGUAGE sql
    AS $$
    UPDATE queue.jobs j
       SET lease_expires_at = now() + heartbeat.lease
      FROM unnest(heartbeat.ids, heartbeat.attempts) AS h(id, attempt)
     WHERE j.id = h.id AND j.state = 'running' AND j.attempt = h.attempt AND j.worker = heartbeat.worker
    RETURNING j.id
$$;


--
-- Name: FUNCTION heartbeat(worker text, ids bigint[], attempts integer[], lease interval); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.heartbeat(worker text, ids bigint[], attempts integer[], lease interval) IS 'Extends the leases of a worker''s running jobs and returns the ids it still holds; a missing id was cancelled or rescued, and the worker stops its handler.';


--
-- Name: job_row(bigint); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.job_row(p_id bigint) RETURNS queue.jobs
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
    j queue.jobs;
BEGIN
    SELECT * INTO j FROM queue.jobs WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'job % does not exist', coalesce(p_id::text, 'NULL')
            USING ERRCODE = 'no_data_found',
                  HINT = 'It may have been pruned; finished jobs are kept for the retention window only.';
    END IF;
    RETURN j;
END;
$$;


--
-- Name: FUNCTION job_row(p_id bigint); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.job_row(p_id bigint) IS 'Locks and returns one job, raising no_data_found (P0002) when it does not exist. Used by the single-job API functions.';


--
-- Name: jobs_emit_agent_update(); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.jobs_emit_agent_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO queue.events (user_id, job_id, type, payload)
    VALUES (NEW.user_id, NEW.id, 'agent_update', queue.agent_update_payload(NEW, NULL));
    RETURN NULL;
END;
$$;


--
-- Name: FUNCTION jobs_emit_agent_update(); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.jobs_emit_agent_update() IS 'Trigger: appends an agent_update event when a user''s job is created or changes state, whoever changed it (worker, API or psql).';


--
-- Name: notify_user(text, text, text, text, jsonb); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.notify_user(user_id text, notification_type text, title text, message text, data jsonb DEFAULT '{}'::jsonb) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
    v_id bigint;
BEGIN
    PERFORM queue.require_name('user_id', notify_user.user_id);
    PERFORM queue.require_name('notification_type', notify_user.notification_type);
    IF notify_user.title IS NULL THEN
        RAISE EXCEPTION 'title must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF notify_user.data IS NOT NULL AND jsonb_typeof(notify_user.data) <> 'object' THEN
        RAISE EXCEPTION 'data must be a JSON object, not a JSON %', jsonb_typeof(notify_user.data)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO queue.events AS e (user_id, type, payload)
    VALUES (notify_user.user_id, 'notification', jsonb_build_object(
        'notification_type', notify_user.notification_type,
        'title',             notify_user.title,
        'message',           coalesce(notify_user.message, ''),
        'data',              coalesce(notify_user.data, '{}')))
    RETURNING e.id INTO v_id;
    RETURN v_id;
END;
$$;


--
-- Name: FUNCTION notify_user(user_id text, notification_type text, title text, message text, data jsonb); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.notify_user(user_id text, notification_type text, title text, message text, data jsonb) IS 'Sends a notification to a user''s open sockets (and keeps it for GET /notifications); returns the event id. Example: SELECT queue.notify_user(''alice'', ''injury'', ''Player out'', ''Questionable -> Out'');';


--
-- Name: parse_state(text); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.parse_state(p_state text) RETURNS queue.job_state
    LANGUAGE plpgsql IMMUTABLE
    AS $$
BEGIN
    IF p_state IS NULL OR NOT p_state = ANY (enum_range(NULL::queue.job_state)::text[]) THEN
        RAISE EXCEPTION 'unknown job state %', coalesce(quote_literal(p_state), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Job states are: ' || array_to_string(enum_range(NULL::queue.job_state)::text[], ', ') || '.';
    END IF;
    RETURN p_state::queue.job_state;
END;
$$;


--
-- Name: FUNCTION parse_state(p_state text); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.parse_state(p_state text) IS 'Converts text to queue.job_state, raising 22023 with the list of valid states when it is not one.';


--
-- Name: pause(text); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.pause(queue text) RETURNS boolean
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
    v_queue text := queue.require_name('queue', pause.queue);
    changed boolean;
BEGIN
    PERFORM queue.ensure_queue(v_queue);
    UPDATE queue.queues SET paused = true, paused_at = now() WHERE name = v_queue AND NOT paused;
    changed := FOUND;
    RETURN changed;
END;
$$;


--
-- Name: FUNCTION pause(queue text); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.pause(queue text) IS 'Pauses a queue (creating its row if new): workers start none of its jobs until queue.resume; running jobs finish. Returns false when it was already paused. Example: SELECT queue.pause(''default'');';


--
-- Name: progress(bigint, integer, text, jsonb, integer); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.progress(id bigint, progress integer, current_step text, data jsonb DEFAULT NULL::jsonb, attempt integer DEFAULT NULL::integer) RETURNS boolean
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
    j queue.jobs;
BEGIN
    IF progress.progress IS NULL OR progress.progress NOT BETWEEN 0 AND 100 THEN
        RAISE EXCEPTION 'progress must be between 0 and 100, got %', coalesce(progress.progress::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'progress is a percentage.';
    END IF;
    IF progress.data IS NOT NULL AND jsonb_typeof(progress.data) <> 'object' THEN
        RAISE EXCEPTION 'data must be a JSON object, not a JSON %', jsonb_typeof(progress.data)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    UPDATE queue.jobs
       SET progress = progress.progress, current_step = progress.current_step
     WHERE jobs.id = progress.id AND jobs.state = 'running'
       AND (progress.attempt IS NULL OR jobs.attempt = progress.attempt)
    RETURNING * INTO j;
    IF NOT FOUND THEN
        IF progress.attempt IS NOT NULL THEN
            RETURN false;  -- a worker whose claim was lost: it logs and drops the update
        END IF;
        j := queue.job_row(progress.id);
        RAISE EXCEPTION 'job % is %, not running', j.id, j.state
            USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Progress applies to running jobs only.';
    END IF;
    IF j.user_id IS NOT NULL THEN
        INSERT INTO queue.events (user_id, job_id, type, payload)
        VALUES (j.user_id, j.id, 'agent_update', queue.agent_update_payload(j, coalesce(progress.data, '{}')));
    END IF;
    RETURN true;
END;
$$;


--
-- Name: FUNCTION progress(id bigint, progress integer, current_step text, data jsonb, attempt integer); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.progress(id bigint, progress integer, current_step text, data jsonb, attempt integer) IS 'Records a running job''s progress (0..100) and current step, and sends an agent_update to its user. With attempt (as workers pass it) it applies only to that attempt and returns false when the claim was lost; without it, a job that is not running raises 55000. Example: SELECT queue.progress(42, 50, ''fetching rosters'');';


--
-- Name: prune(interval, interval); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.prune(jobs_older_than interval DEFAULT '7 days'::interval, events_older_than interval DEFAULT '1 day'::interval) RETURNS TABLE(jobs_deleted bigint, events_deleted bigint)
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF jobs_older_than IS NULL OR events_older_than IS NULL
       OR jobs_older_than < interval '0' OR events_older_than < interval '0' THEN
        RAISE EXCEPTION 'retention windows must be non-negative intervals'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    DELETE FROM queue.jobs
     WHERE finished_at < now() - prune.jobs_older_than
       AND state IN ('completed', 'discarded', 'cancelled');
    GET DIAGNOSTICS jobs_deleted = ROW_COUNT;
    DELETE FROM queue.events WHERE created_at < now() - prune.events_older_than;
    GET DIAGNOSTICS events_deleted = ROW_COUNT;
    RETURN NEXT;
END;
$$;


--
-- Name: FUNCTION prune(jobs_older_than interval, events_older_than interval); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.prune(jobs_older_than interval, events_older_than interval) IS 'Deletes finished (completed, discarded, cancelled) jobs older than jobs_older_than (default 7 days) and events older than events_older_than (default 1 day); never touches available or running jobs. Example: SELECT * FROM queue.prune(''3 days'');';


--
-- Name: release(text, bigint[], integer[]); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.release(worker text, ids bigint[], attempts integer[]) RETURNS SETOF bigint
    LANGUAGE sql
    AS $$
    -- Graceful shutdown: unfinished jobs go back at once, and the attempt they used is given back.
    UPDATE queue.jobs j
       SET state = 'available', run_at = now(), lease_expires_at = NULL, max_attempts = j.max_attempts + 1
      FROM unnest(release.ids, release.attempts) AS r(id, attempt)
     WHERE j.id = r.id AND j.state = 'running' AND j.attempt = r.attempt AND j.worker = release.worker
    RETURNING j.id
$$;


--
-- Name: FUNCTION release(worker text, ids bigint[], attempts integer[]); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.release(worker text, ids bigint[], attempts integer[]) IS 'Returns claimed jobs to available now without using up an attempt (fenced); a worker shutting down calls it for jobs it could not finish.';


--
-- Name: require_name(text, text); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.require_name(p_what text, p_value text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    AS $$
BEGIN
    IF p_value IS NULL OR length(btrim(p_value)) = 0 THEN
        RAISE EXCEPTION '% must not be empty', p_what
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = format('Pass a non-blank %s.', p_what);
    END IF;
    IF length(p_value) > 200 THEN
        RAISE EXCEPTION '% is % characters long; the limit is 200', p_what, length(p_value)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN p_value;
END;
$$;


--
-- Name: FUNCTION require_name(p_what text, p_value text); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.require_name(p_what text, p_value text) IS 'Returns p_value, or raises 22023 when it is NULL, blank or over 200 characters. Used by the API functions to check kinds, queues and user ids.';


--
-- Name: reschedule(bigint, timestamp with time zone, integer); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.reschedule(id bigint, run_at timestamp with time zone, priority integer DEFAULT NULL::integer) RETURNS boolean
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
    j queue.jobs := queue.job_row(reschedule.id);
BEGIN
    IF reschedule.run_at IS NULL THEN
        RAISE EXCEPTION 'run_at must not be NULL' USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass now() to run it at once.';
    END IF;
    IF reschedule.priority IS NOT NULL AND reschedule.priority NOT BETWEEN -32768 AND 32767 THEN
        RAISE EXCEPTION 'priority % is out of range', reschedule.priority
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use -32768..32767; lower runs first.';
    END IF;
    IF j.state <> 'available' THEN
        RETURN false;
    END IF;
    UPDATE queue.jobs
       SET run_at = reschedule.run_at, priority = coalesce(reschedule.priority, jobs.priority)
     WHERE jobs.id = j.id AND jobs.state = 'available';
    IF reschedule.run_at <= now() THEN
        PERFORM queue.wake_workers(j.queue);
    END IF;
    RETURN true;
END;
$$;


--
-- Name: FUNCTION reschedule(id bigint, run_at timestamp with time zone, priority integer); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.reschedule(id bigint, run_at timestamp with time zone, priority integer) IS 'Moves an available job to a new run_at (and optionally priority). Returns false for a job in any other state. Example: SELECT queue.reschedule(42, now() + interval ''1 hour'');';


--
-- Name: reschedule_jobs(text, text, timestamp with time zone); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.reschedule_jobs(kind text DEFAULT NULL::text, queue text DEFAULT NULL::text, run_at timestamp with time zone DEFAULT now()) RETURNS integer
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
    n integer;
    queues text[];
BEGIN
    IF reschedule_jobs.run_at IS NULL THEN
        RAISE EXCEPTION 'run_at must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    WITH moved AS (
        UPDATE queue.jobs SET run_at = reschedule_jobs.run_at
         WHERE jobs.state = 'available'
           AND (reschedule_jobs.kind IS NULL OR jobs.kind = reschedule_jobs.kind)
           AND (reschedule_jobs.queue IS NULL OR jobs.queue = reschedule_jobs.queue)
        RETURNING jobs.queue
    )
    SELECT count(*), array_agg(DISTINCT m.queue) INTO n, queues FROM moved m;
    IF reschedule_jobs.run_at <= now() THEN
        PERFORM queue.wake_workers(q) FROM unnest(queues) AS q;
    END IF;
    RETURN n;
END;
$$;


--
-- Name: FUNCTION reschedule_jobs(kind text, queue text, run_at timestamp with time zone); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.reschedule_jobs(kind text, queue text, run_at timestamp with time zone) IS 'Moves every available job of a kind and/or queue (NULL = any) to run_at (default now(): run them at once); returns the count. Example: SELECT queue.reschedule_jobs(queue => ''default'', run_at => now() + interval ''10 minutes'');';


--
-- Name: rescue_expired(integer); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.rescue_expired(max_jobs integer DEFAULT 1000) RETURNS TABLE(id bigint, state queue.job_state)
    LANGUAGE sql
    AS $$
    WITH expired AS (
        SELECT j.id FROM queue.jobs j
         WHERE j.state = 'running' AND j.lease_expires_at < now()
         ORDER BY j.lease_expires_at
         LIMIT rescue_expired.max_jobs
           FOR UPDATE SKIP LOCKED
    )
    UPDATE queue.jobs j
       SET state = CASE WHEN j.attempt >= j.max_attempts THEN 'discarded'::queue.job_state
                        ELSE 'available'::queue.job_state END,
           finished_at = CASE WHEN j.attempt >= j.max_attempts THEN now() END,
           run_at = CASE WHEN j.attempt >= j.max_attempts THEN j.run_at ELSE now() END,
           lease_expires_at = NULL,
           errors = j.errors || jsonb_build_array(jsonb_build_object(
               'attempt', j.attempt, 'error', 'lease expired (worker lost)', 'at', now(), 'worker', j.worker))
      FROM expired
     WHERE j.id = expired.id AND j.state = 'running'
    RETURNING j.id, j.state
$$;


--
-- Name: FUNCTION rescue_expired(max_jobs integer); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.rescue_expired(max_jobs integer) IS 'Takes back running jobs whose lease expired (their worker died or hung): available again, or discarded on their last attempt, with "lease expired (worker lost)" appended to errors. Returns what it changed. Example: SELECT * FROM queue.rescue_expired();';


--
-- Name: resume(text); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.resume(queue text) RETURNS boolean
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
    v_queue text := queue.require_name('queue', resume.queue);
    changed boolean;
BEGIN
    PERFORM queue.ensure_queue(v_queue);
    UPDATE queue.queues SET paused = false, paused_at = NULL WHERE name = v_queue AND paused;
    changed := FOUND;
    IF changed THEN
        PERFORM queue.wake_workers(v_queue, true);
    END IF;
    RETURN changed;
END;
$$;


--
-- Name: FUNCTION resume(queue text); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.resume(queue text) IS 'Resumes a paused queue and wakes its workers. Returns false when it was not paused. Example: SELECT queue.resume(''default'');';


--
-- Name: retry(bigint, integer); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.retry(id bigint, attempts integer DEFAULT NULL::integer) RETURNS boolean
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
    j queue.jobs := queue.job_row(retry.id);
BEGIN
    IF retry.attempts IS NOT NULL AND retry.attempts < 1 THEN
        RAISE EXCEPTION 'attempts must be at least 1, got %', retry.attempts
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF j.state NOT IN ('discarded', 'cancelled') THEN
        RETURN false;
    END IF;
    UPDATE queue.jobs
       SET state = 'available', run_at = now(), finished_at = NULL, worker = NULL, lease_expires_at = NULL,
           max_attempts = j.attempt + coalesce(retry.attempts, j.max_attempts),
           progress = 0, current_step = NULL, result = NULL
     WHERE jobs.id = j.id AND jobs.state IN ('discarded', 'cancelled');
    PERFORM queue.wake_workers(j.queue);
    RETURN true;
END;
$$;


--
-- Name: FUNCTION retry(id bigint, attempts integer); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.retry(id bigint, attempts integer) IS 'Makes a discarded or cancelled job available now with a fresh budget of `attempts` more runs (default: its max_attempts). attempt keeps counting up and errors keep their history. Returns false for a job in any other state; raises P0002 for an unknown id. Example: SELECT queue.retry(42);';


--
-- Name: retry_jobs(text, text, text); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.retry_jobs(kind text DEFAULT NULL::text, queue text DEFAULT NULL::text, state text DEFAULT 'discarded'::text) RETURNS integer
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
    v_state queue.job_state := queue.parse_state(retry_jobs.state);
    n integer;
    queues text[];
BEGIN
    IF v_state NOT IN ('discarded', 'cancelled') THEN
        RAISE EXCEPTION 'cannot retry % jobs', v_state
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Only discarded or cancelled jobs can be retried.';
    END IF;
    WITH retried AS (
        UPDATE queue.jobs
           SET state = 'available', run_at = now(), finished_at = NULL, worker = NULL, lease_expires_at = NULL,
               max_attempts = jobs.attempt + jobs.max_attempts, progress = 0, current_step = NULL, result = NULL
         WHERE jobs.state = v_state
           AND (retry_jobs.kind IS NULL OR jobs.kind = retry_jobs.kind)
           AND (retry_jobs.queue IS NULL OR jobs.queue = retry_jobs.queue)
        RETURNING jobs.queue
    )
    SELECT count(*), array_agg(DISTINCT r.queue) INTO n, queues FROM retried r;
    PERFORM queue.wake_workers(q) FROM unnest(queues) AS q;
    RETURN n;
END;
$$;


--
-- Name: FUNCTION retry_jobs(kind text, queue text, state text); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.retry_jobs(kind text, queue text, state text) IS 'Retries every job in state (''discarded'' by default, or ''cancelled'') matching kind and queue (NULL = any), each with a fresh attempt budget; returns the count. Example: SELECT queue.retry_jobs(kind => ''sit_start'');';


--
-- Name: snooze(text, bigint[], integer[], interval[]); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.snooze(worker text, ids bigint[], attempts integer[], delays interval[]) RETURNS SETOF bigint
    LANGUAGE sql
    AS $$
    -- A snooze is not a failure: the attempt it used is given back by raising max_attempts.
    UPDATE queue.jobs j
       SET state = 'available', run_at = now() + greatest(coalesce(s.delay, interval '0'), interval '0'),
           lease_expires_at = NULL, max_attempts = j.max_attempts + 1
      FROM unnest(snooze.ids, snooze.attempts, snooze.delays) AS s(id, attempt, delay)
     WHERE j.id = s.id AND j.state = 'running' AND j.attempt = s.attempt AND j.worker = snooze.worker
    RETURNING j.id
$$;


--
-- Name: FUNCTION snooze(worker text, ids bigint[], attempts integer[], delays interval[]); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.snooze(worker text, ids bigint[], attempts integer[], delays interval[]) IS 'Puts claimed jobs back to available after a delay without using up an attempt (fenced); returns the ids it applied to.';


--
-- Name: task_status(queue.job_state); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.task_status(p_state queue.job_state) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE p_state
        WHEN 'available' THEN 'pending'
        WHEN 'running'   THEN 'in_progress'
        WHEN 'completed' THEN 'completed'
        WHEN 'discarded' THEN 'failed'
        WHEN 'cancelled' THEN 'cancelled'
    END
$$;


--
-- Name: FUNCTION task_status(p_state queue.job_state); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.task_status(p_state queue.job_state) IS 'The web client''s word for a job state: pending, in_progress, completed, failed (discarded) or cancelled.';


--
-- Name: wake_workers(text, boolean); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.wake_workers(p_queue text, p_force boolean DEFAULT false) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    -- Held shared until commit; queue.await_work waits for every holder before a worker goes idle.
    PERFORM pg_advisory_xact_lock_shared(1215, hashtext(p_queue));
    -- One notifying enqueue in flight per queue is enough: its commit wakes the worker, whose claims then
    -- take everything committed meanwhile (and look again while other enqueues are still in flight). This
    -- keeps concurrent enqueues from queueing behind each other at NOTIFY's commit-time lock.
    IF p_force OR (EXISTS (SELECT 1 FROM queue.queues WHERE name = p_queue AND workers_waiting)
                   AND pg_try_advisory_xact_lock(1216, hashtext(p_queue))) THEN
        PERFORM pg_notify('huddle_jobs', p_queue);
    END IF;
END;
$$;


--
-- Name: FUNCTION wake_workers(p_queue text, p_force boolean); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.wake_workers(p_queue text, p_force boolean) IS 'Tells idle workers that p_queue has due work (channel huddle_jobs, payload the queue name) when any is waiting, or always with p_force. Called by enqueue, retry, reschedule and resume.';


--
-- Name: events; Type: TABLE; Schema: queue; Owner: -
--

CREATE TABLE queue.events (
    id bigint NOT NULL,
    user_id text NOT NULL,
    job_id bigint,
    type text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT events_payload_is_object CHECK ((jsonb_typeof(payload) = 'object'::text)),
    CONSTRAINT events_type_is_known CHECK ((type = ANY (ARRAY['agent_update'::text, 'notification'::text]))),
    CONSTRAINT events_user_is_named CHECK ((length(user_id) > 0))
);


--
-- Name: TABLE events; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON TABLE queue.events IS 'Durable log behind real-time delivery: each row is announced by pg_notify(''huddle_events'', id) on commit and replayed by id after any reconnect. Pruned after a retention window.';


--
-- Name: events_id_seq; Type: SEQUENCE; Schema: queue; Owner: -
--

ALTER TABLE queue.events ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME queue.events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: jobs_id_seq; Type: SEQUENCE; Schema: queue; Owner: -
--

ALTER TABLE queue.jobs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME queue.jobs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: queues; Type: TABLE; Schema: queue; Owner: -
--

CREATE TABLE queue.queues (
    name text NOT NULL,
    paused boolean DEFAULT false NOT NULL,
    paused_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    workers_waiting boolean DEFAULT false NOT NULL,
    CONSTRAINT queues_name_is_named CHECK ((length(btrim(name)) > 0)),
    CONSTRAINT queues_paused_has_time CHECK ((paused = (paused_at IS NOT NULL)))
);


--
-- Name: TABLE queues; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON TABLE queue.queues IS 'Per-queue settings; a row is created on first use. A paused queue starts nothing (queue.pause / queue.resume).';


--
-- Name: COLUMN queues.workers_waiting; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON COLUMN queue.queues.workers_waiting IS 'Set by a worker about to wait for work on this queue (queue.await_work), cleared by a worker that finds plenty; while it is set, enqueues NOTIFY huddle_jobs.';


--
-- Name: schema_migrations; Type: TABLE; Schema: queue; Owner: -
--

CREATE TABLE queue.schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    checksum text,
    applied_at timestamp with time zone DEFAULT now() NOT NULL,
    applied_by text DEFAULT CURRENT_USER NOT NULL
);


--
-- Name: TABLE schema_migrations; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON TABLE queue.schema_migrations IS 'One row per applied migrations/NNNN_name.sql. checksum is the SHA-256 of the file recorded by huddle migrate (NULL when applied with psql until huddle migrate adopts it).';


--
-- Name: stats; Type: VIEW; Schema: queue; Owner: -
--

CREATE VIEW queue.stats AS
 SELECT q.name AS queue,
    s.state,
    COALESCE(c.jobs, (0)::bigint) AS jobs,
        CASE
            WHEN (s.state = 'available'::queue.job_state) THEN COALESCE(l.lag, '00:00:00'::interval)
            ELSE NULL::interval
        END AS lag,
    q.paused
   FROM (((queue.queues q
     CROSS JOIN unnest(enum_range(NULL::queue.job_state)) s(state))
     LEFT JOIN ( SELECT j.queue,
            j.state,
            count(*) AS jobs
           FROM queue.jobs j
          GROUP BY j.queue, j.state) c ON (((c.queue = q.name) AND (c.state = s.state))))
     LEFT JOIN LATERAL ( SELECT (now() - min(j.run_at)) AS lag
           FROM queue.jobs j
          WHERE ((j.queue = q.name) AND (j.state = 'available'::queue.job_state) AND (j.run_at <= now()))) l ON ((s.state = 'available'::queue.job_state)));


--
-- Name: VIEW stats; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON VIEW queue.stats IS 'Per queue and state: jobs (count), lag (available only: age of the oldest due job, 0 when none is waiting) and whether the queue is paused. Example: SELECT * FROM queue.stats WHERE jobs > 0;';


--
-- Name: events events_pkey; Type: CONSTRAINT; Schema: queue; Owner: -
--

ALTER TABLE ONLY queue.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (id);


--
-- Name: jobs jobs_pkey; Type: CONSTRAINT; Schema: queue; Owner: -
--

ALTER TABLE ONLY queue.jobs
    ADD CONSTRAINT jobs_pkey PRIMARY KEY (id);


--
-- Name: queues queues_pkey; Type: CONSTRAINT; Schema: queue; Owner: -
--

ALTER TABLE ONLY queue.queues
    ADD CONSTRAINT queues_pkey PRIMARY KEY (name);


--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: queue; Owner: -
--

ALTER TABLE ONLY queue.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: events_created_brin; Type: INDEX; Schema: queue; Owner: -
--

CREATE INDEX events_created_brin ON queue.events USING brin (created_at);


--
-- Name: events_user_idx; Type: INDEX; Schema: queue; Owner: -
--

CREATE INDEX events_user_idx ON queue.events USING btree (user_id, id);


--
-- Name: jobs_claim_idx; Type: INDEX; Schema: queue; Owner: -
--

CREATE INDEX jobs_claim_idx ON queue.jobs USING btree (queue, priority, run_at, id) WHERE (state = 'available'::queue.job_state);


--
-- Name: jobs_finished_idx; Type: INDEX; Schema: queue; Owner: -
--

CREATE INDEX jobs_finished_idx ON queue.jobs USING btree (finished_at) WHERE (finished_at IS NOT NULL);


--
-- Name: jobs_lease_idx; Type: INDEX; Schema: queue; Owner: -
--

CREATE INDEX jobs_lease_idx ON queue.jobs USING btree (lease_expires_at) WHERE (state = 'running'::queue.job_state);


--
-- Name: jobs_live_unique_key_idx; Type: INDEX; Schema: queue; Owner: -
--

CREATE UNIQUE INDEX jobs_live_unique_key_idx ON queue.jobs USING btree (unique_key) WHERE ((unique_key IS NOT NULL) AND (state = ANY (ARRAY['available'::queue.job_state, 'running'::queue.job_state])));


--
-- Name: jobs_user_idx; Type: INDEX; Schema: queue; Owner: -
--

CREATE INDEX jobs_user_idx ON queue.jobs USING btree (user_id, id) WHERE (user_id IS NOT NULL);


--
-- Name: events events_announce; Type: TRIGGER; Schema: queue; Owner: -
--

CREATE TRIGGER events_announce AFTER INSERT ON queue.events REFERENCING NEW TABLE AS appended FOR EACH STATEMENT EXECUTE FUNCTION queue.events_announce();


--
-- Name: jobs jobs_agent_update_on_insert; Type: TRIGGER; Schema: queue; Owner: -
--

CREATE TRIGGER jobs_agent_update_on_insert AFTER INSERT ON queue.jobs FOR EACH ROW WHEN ((new.user_id IS NOT NULL)) EXECUTE FUNCTION queue.jobs_emit_agent_update();


--
-- Name: jobs jobs_agent_update_on_state; Type: TRIGGER; Schema: queue; Owner: -
--

CREATE TRIGGER jobs_agent_update_on_state AFTER UPDATE OF state ON queue.jobs FOR EACH ROW WHEN (((new.user_id IS NOT NULL) AND (new.state IS DISTINCT FROM old.state))) EXECUTE FUNCTION queue.jobs_emit_agent_update();


--
-- PostgreSQL database dump complete
--


