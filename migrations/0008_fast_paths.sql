-- 0008_fast_paths: the two statements every job pays for, made cheaper with the same rules and answers.
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

COMMIT;
