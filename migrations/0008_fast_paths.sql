-- 0008_fast_paths: the statements every job pays for, made cheaper and steadier, with the same rules and answers.
--
-- queue.enqueue reads the queue's row once (to create it on first use and to learn whether a worker waits)
-- instead of through two helper functions and two look-ups, and a job without a unique_key takes a plain
-- INSERT instead of ON CONFLICT's speculative insertion.
--
-- queue.claim_batch is planned once per session instead of on every call. 0003 planned each claim afresh
-- because a cached plan, costed for an unknown LIMIT and possibly for stale statistics, could scan or hash
-- the whole table; here the plan cannot take that shape: the claimed ids are gathered first (an ARRAY
-- sub-select over jobs_claim_idx in claim order) and the UPDATE finds them by primary key, and the
-- function's settings rule out sequential scans, sorts, hash and merge joins (and JIT) for its one statement.
--
-- The outcome writers (complete, fail, snooze, release, heartbeat) stay SQL functions planned per call, but
-- can no longer fall off a cliff when the statistics predate a burst of work. After ANALYZE has seen a table
-- of finished jobs, the planner believed no job was running and joined the batch's ids to every running job
-- one by one: completing 500 jobs took half a second, and a burn-down of 100,000 jobs ran at ~3,500 jobs/s
-- instead of ~40,000. Now they find their rows by primary key (j.id = ANY (ids)) or at worst by scanning the
-- running jobs once, hash-joined to the batch: nested loops, merge joins and sequential scans are ruled out
-- for their one statement.
--
-- docs/benchmarks.md has the measurements.
BEGIN;
DO $$ BEGIN PERFORM queue.begin_migration(8, 'fast_paths'); END $$;

CREATE OR REPLACE FUNCTION queue.enqueue(
    kind         text,
    args         jsonb       DEFAULT '{}',
    queue        text        DEFAULT 'default',
    priority     integer     DEFAULT 0,
    run_at       timestamptz DEFAULT now(),
    max_attempts integer     DEFAULT 5,
    unique_key   text        DEFAULT NULL,
    user_id      text        DEFAULT NULL
)
RETURNS bigint
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_kind    text        := queue.require_name('kind', enqueue.kind);
    v_queue   text        := queue.require_name('queue', enqueue.queue);
    v_args    jsonb       := coalesce(enqueue.args, '{}');
    v_run     timestamptz := coalesce(enqueue.run_at, now());
    v_due     boolean     := v_run <= now();
    v_waiting boolean;
    v_id      bigint;
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

    -- The wake-up handshake with queue.await_work (0003): a due job's enqueue holds this lock from before it
    -- reads workers_waiting until it commits, so a worker cannot go idle unseen while the job is in flight.
    IF v_due THEN
        PERFORM pg_advisory_xact_lock_shared(1215, hashtext(v_queue));
    END IF;
    -- One look at the queue's row: it exists (else create it), and whether a worker waits on it.
    SELECT q.workers_waiting INTO v_waiting FROM queue.queues q WHERE q.name = v_queue;
    IF NOT FOUND THEN
        INSERT INTO queue.queues (name) VALUES (v_queue) ON CONFLICT (name) DO NOTHING;
        v_waiting := false;  -- a worker arming now waits for our lock, then sees this job
    END IF;

    IF enqueue.unique_key IS NULL THEN
        -- No key: a plain insert, without ON CONFLICT's speculative-insertion round.
        INSERT INTO queue.jobs AS j (kind, queue, priority, run_at, max_attempts, args, user_id)
        VALUES (v_kind, v_queue, enqueue.priority, v_run, enqueue.max_attempts, v_args, enqueue.user_id)
        RETURNING j.id INTO v_id;
    ELSE
        LOOP
            INSERT INTO queue.jobs AS j (kind, queue, priority, run_at, max_attempts, args, unique_key, user_id)
            VALUES (v_kind, v_queue, enqueue.priority, v_run, enqueue.max_attempts, v_args, enqueue.unique_key, enqueue.user_id)
            ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'running') DO NOTHING
            RETURNING j.id INTO v_id;
            EXIT WHEN v_id IS NOT NULL;
            -- The key is held by a live job: answer with its id. If that job finished between the two
            -- statements the key is free again, so try the insert once more.
            SELECT j.id INTO v_id FROM queue.jobs j
             WHERE j.unique_key = enqueue.unique_key AND j.state IN ('available', 'running');
            IF v_id IS NOT NULL THEN
                RETURN v_id;
            END IF;
        END LOOP;
    END IF;
    -- One notifying enqueue in flight per queue is enough (see queue.wake_workers).
    IF v_due AND v_waiting AND pg_try_advisory_xact_lock(1216, hashtext(v_queue)) THEN
        PERFORM pg_notify('huddle_jobs', v_queue);
    END IF;
    RETURN v_id;
END;
$$;

CREATE OR REPLACE FUNCTION queue.claim_batch(p_worker text, p_queue text, p_kinds text[], p_limit integer, p_lease interval)
RETURNS SETOF queue.claimed_job
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET enable_sort = off
SET enable_hashjoin = off
SET enable_mergejoin = off
SET jit = off  -- the settings above inflate cost estimates past JIT's thresholds; JIT on this tiny plan costs ~70 ms
AS $$
BEGIN
    -- The oldest due jobs of the highest priority (lower number first) that no one else holds, read from
    -- jobs_claim_idx (queue, priority, run_at, id) WHERE state = 'available' and locked as they are read;
    -- then each is updated through the primary key. The only sort left is of the claimed rows themselves,
    -- so the caller gets them in claim order.
    RETURN QUERY
    WITH claimed AS (
        UPDATE queue.jobs j
           SET state = 'running', attempt = j.attempt + 1, worker = p_worker,
               lease_expires_at = now() + p_lease, started_at = now()
         WHERE j.id = ANY (ARRAY(
                   SELECT p.id
                     FROM queue.jobs p
                    WHERE p.state = 'available'
                      AND p.queue = p_queue
                      AND p.run_at <= now()
                      AND p.kind = ANY (p_kinds)
                    ORDER BY p.priority, p.run_at, p.id
                    LIMIT p_limit
                      FOR UPDATE SKIP LOCKED))
        RETURNING j.id, j.kind, j.queue, j.attempt, j.max_attempts, j.args, j.user_id, j.priority, j.run_at
    )
    SELECT c.id, c.kind, c.queue, c.attempt, c.max_attempts, c.args, c.user_id
      FROM claimed c
     ORDER BY c.priority, c.run_at, c.id;
END;
$$;

CREATE OR REPLACE FUNCTION queue.complete(worker text, ids bigint[], attempts integer[], results jsonb[] DEFAULT NULL)
RETURNS SETOF bigint
LANGUAGE sql
SET enable_nestloop = off
SET enable_mergejoin = off
SET enable_seqscan = off
SET jit = off
AS $$
    UPDATE queue.jobs j
       SET state = 'completed', finished_at = now(), lease_expires_at = NULL, progress = 100,
           result = nullif(done.result, 'null'::jsonb)
      FROM unnest(complete.ids, complete.attempts,
                  coalesce(complete.results, array_fill(NULL::jsonb, ARRAY[cardinality(complete.ids)])))
               AS done(id, attempt, result)
     WHERE j.id = ANY (complete.ids)
       AND j.id = done.id AND j.state = 'running' AND j.attempt = done.attempt AND j.worker = complete.worker
    RETURNING j.id
$$;

CREATE OR REPLACE FUNCTION queue.fail(worker text, ids bigint[], attempts integer[], errors text[], retry_in interval[], permanent boolean[])
RETURNS TABLE (id bigint, state queue.job_state)
LANGUAGE sql
SET enable_nestloop = off
SET enable_mergejoin = off
SET enable_seqscan = off
SET jit = off
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
     WHERE j.id = ANY (fail.ids)
       AND j.id = f.id AND j.state = 'running' AND j.attempt = f.attempt AND j.worker = fail.worker
    RETURNING j.id, j.state
$$;

CREATE OR REPLACE FUNCTION queue.snooze(worker text, ids bigint[], attempts integer[], delays interval[])
RETURNS SETOF bigint
LANGUAGE sql
SET enable_nestloop = off
SET enable_mergejoin = off
SET enable_seqscan = off
SET jit = off
AS $$
    -- A snooze is not a failure: the attempt it used is given back by raising max_attempts.
    UPDATE queue.jobs j
       SET state = 'available', run_at = now() + greatest(coalesce(s.delay, interval '0'), interval '0'),
           lease_expires_at = NULL, max_attempts = j.max_attempts + 1
      FROM unnest(snooze.ids, snooze.attempts, snooze.delays) AS s(id, attempt, delay)
     WHERE j.id = ANY (snooze.ids)
       AND j.id = s.id AND j.state = 'running' AND j.attempt = s.attempt AND j.worker = snooze.worker
    RETURNING j.id
$$;

CREATE OR REPLACE FUNCTION queue.release(worker text, ids bigint[], attempts integer[])
RETURNS SETOF bigint
LANGUAGE sql
SET enable_nestloop = off
SET enable_mergejoin = off
SET enable_seqscan = off
SET jit = off
AS $$
    -- Graceful shutdown: unfinished jobs go back at once, and the attempt they used is given back.
    UPDATE queue.jobs j
       SET state = 'available', run_at = now(), lease_expires_at = NULL, max_attempts = j.max_attempts + 1
      FROM unnest(release.ids, release.attempts) AS r(id, attempt)
     WHERE j.id = ANY (release.ids)
       AND j.id = r.id AND j.state = 'running' AND j.attempt = r.attempt AND j.worker = release.worker
    RETURNING j.id
$$;

CREATE OR REPLACE FUNCTION queue.heartbeat(worker text, ids bigint[], attempts integer[], lease interval DEFAULT '30 seconds')
RETURNS SETOF bigint
LANGUAGE sql
SET enable_nestloop = off
SET enable_mergejoin = off
SET enable_seqscan = off
SET jit = off
AS $$
    UPDATE queue.jobs j
       SET lease_expires_at = now() + heartbeat.lease
      FROM unnest(heartbeat.ids, heartbeat.attempts) AS h(id, attempt)
     WHERE j.id = ANY (heartbeat.ids)
       AND j.id = h.id AND j.state = 'running' AND j.attempt = h.attempt AND j.worker = heartbeat.worker
    RETURNING j.id
$$;

COMMIT;
