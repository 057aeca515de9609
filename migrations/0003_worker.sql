-- 0003_worker: what workers call — claim, complete, fail, snooze, heartbeat, release — plus the rescuer,
-- and wake-ups that cost no NOTIFY while every worker is busy.
BEGIN;
DO $$ BEGIN PERFORM queue.begin_migration(3, 'worker'); END $$;

---------------------------------------------------------------------------------------------------------
-- Wake-ups. NOTIFY takes a database-wide lock while the notifying transaction commits, so a NOTIFY per
-- enqueue caps enqueue throughput. Only a worker about to wait needs waking: it says so with
-- queue.await_work (setting workers_waiting), enqueues notify only while that is set, and a worker that
-- finds plenty of work clears it. An advisory lock orders the two sides: each enqueue holds it shared until
-- it commits, and queue.await_work sets the flag only if it can take the lock exclusively at once — that is,
-- when no enqueue is in flight, so the claim that follows sees every job committed before, and every later
-- enqueue sees the flag. When enqueues are in flight it sets nothing and the worker looks again a moment
-- later, since work is about to arrive. Enqueuers never write the queues row or wait for a worker, and the
-- worker's flag writes commit without waiting for the disk (a lost flag only means waiting for a poll).
---------------------------------------------------------------------------------------------------------

ALTER TABLE queue.queues ADD COLUMN workers_waiting boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN queue.queues.workers_waiting IS
    'Set by a worker about to wait for work on this queue (queue.await_work), cleared by a worker that finds plenty; while it is set, enqueues NOTIFY huddle_jobs.';

-- Replaces 0002's one-argument form (whose callers resolve to this one through the default).
DROP FUNCTION queue.wake_workers(text);

CREATE FUNCTION queue.wake_workers(p_queue text, p_force boolean DEFAULT false)
RETURNS void
LANGUAGE plpgsql AS $$
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
COMMENT ON FUNCTION queue.wake_workers(text, boolean) IS
    'Tells idle workers that p_queue has due work (channel huddle_jobs, payload the queue name) when any is waiting, or always with p_force. Called by enqueue, retry, reschedule and resume.';

CREATE FUNCTION queue.await_work(queues text[])
RETURNS boolean
LANGUAGE plpgsql AS $$
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
COMMENT ON FUNCTION queue.await_work(text[]) IS
    'Called by a worker about to wait for work: marks its queues so that enqueues notify, and returns true; returns false (marking nothing more) while an enqueue to one of them is in flight, in which case the worker should look again shortly rather than wait.';

CREATE OR REPLACE FUNCTION queue.resume(queue text)
RETURNS boolean
LANGUAGE plpgsql AS $$
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

---------------------------------------------------------------------------------------------------------
-- Claiming.
---------------------------------------------------------------------------------------------------------

CREATE TYPE queue.claimed_job AS (
    id           bigint,
    kind         text,
    queue        text,
    attempt      integer,
    max_attempts integer,
    args         jsonb,
    user_id      text
);
COMMENT ON TYPE queue.claimed_job IS 'What a worker needs to run a job it has just claimed.';

CREATE FUNCTION queue.claim_batch(p_worker text, p_queue text, p_kinds text[], p_limit integer, p_lease interval)
RETURNS SETOF queue.claimed_job
LANGUAGE plpgsql
-- Plan each call with its real LIMIT: a generic plan cannot tell 10 from 10,000 and may sort the whole queue.
SET plan_cache_mode = force_custom_plan
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
COMMENT ON FUNCTION queue.claim_batch(text, text, text[], integer, interval) IS
    'One claim statement: up to p_limit due available jobs of p_queue whose kind is in p_kinds, in priority, run_at, id order, skipping rows other workers hold; each becomes running with attempt + 1, the worker''s name and a lease. Used by queue.claim.';

CREATE FUNCTION queue.claim(worker text, queue text, kinds text[], max_jobs integer, lease interval DEFAULT '30 seconds',
                            stop_wakeups boolean DEFAULT false)
RETURNS SETOF queue.claimed_job
LANGUAGE plpgsql AS $$
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
COMMENT ON FUNCTION queue.claim(text, text, text[], integer, interval, boolean) IS
    'Claims up to max_jobs due jobs of one queue for a worker (none from a paused queue), with a lease (default 30 seconds). stop_wakeups (a worker that keeps finding work) stops enqueues from notifying until a worker waits again. Example: SELECT * FROM queue.claim(''w1'', ''default'', ARRAY[''noop''], 10);';

---------------------------------------------------------------------------------------------------------
-- Finishing. Every write is fenced: it applies only while the job is running the attempt the worker
-- claimed, under that worker's name. Each function takes arrays (one element per job) so a worker finishes many jobs per statement,
-- and returns the ids it applied to; a missing id means the worker lost that job (lease expired and
-- rescued, or cancelled), and its outcome is dropped.
---------------------------------------------------------------------------------------------------------

CREATE FUNCTION queue.complete(worker text, ids bigint[], attempts integer[], results jsonb[] DEFAULT NULL)
RETURNS SETOF bigint
LANGUAGE sql AS $$
    UPDATE queue.jobs j
       SET state = 'completed', finished_at = now(), lease_expires_at = NULL, progress = 100,
           result = nullif(done.result, 'null'::jsonb)
      FROM unnest(complete.ids, complete.attempts,
                  coalesce(complete.results, array_fill(NULL::jsonb, ARRAY[cardinality(complete.ids)])))
               AS done(id, attempt, result)
     WHERE j.id = done.id AND j.state = 'running' AND j.attempt = done.attempt AND j.worker = complete.worker
    RETURNING j.id
$$;
COMMENT ON FUNCTION queue.complete(text, bigint[], integer[], jsonb[]) IS
    'Marks a worker''s claimed jobs completed with their results (fenced by worker and attempt); returns the ids it applied to. Example: SELECT queue.complete(''w1'', ARRAY[42], ARRAY[1], ARRAY[''{"ok": true}''::jsonb]);';

CREATE FUNCTION queue.fail(worker text, ids bigint[], attempts integer[], errors text[], retry_in interval[], permanent boolean[])
RETURNS TABLE (id bigint, state queue.job_state)
LANGUAGE sql AS $$
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
COMMENT ON FUNCTION queue.fail(text, bigint[], integer[], text[], interval[], boolean[]) IS
    'Records failed attempts (fenced): each error is appended to errors; the job goes back to available after retry_in, or to discarded when permanent or out of attempts. Returns each applied id with its new state.';

CREATE FUNCTION queue.snooze(worker text, ids bigint[], attempts integer[], delays interval[])
RETURNS SETOF bigint
LANGUAGE sql AS $$
    -- A snooze is not a failure: the attempt it used is given back by raising max_attempts.
    UPDATE queue.jobs j
       SET state = 'available', run_at = now() + greatest(coalesce(s.delay, interval '0'), interval '0'),
           lease_expires_at = NULL, max_attempts = j.max_attempts + 1
      FROM unnest(snooze.ids, snooze.attempts, snooze.delays) AS s(id, attempt, delay)
     WHERE j.id = s.id AND j.state = 'running' AND j.attempt = s.attempt AND j.worker = snooze.worker
    RETURNING j.id
$$;
COMMENT ON FUNCTION queue.snooze(text, bigint[], integer[], interval[]) IS
    'Puts claimed jobs back to available after a delay without using up an attempt (fenced); returns the ids it applied to.';

CREATE FUNCTION queue.release(worker text, ids bigint[], attempts integer[])
RETURNS SETOF bigint
LANGUAGE sql AS $$
    -- Graceful shutdown: unfinished jobs go back at once, and the attempt they used is given back.
    UPDATE queue.jobs j
       SET state = 'available', run_at = now(), lease_expires_at = NULL, max_attempts = j.max_attempts + 1
      FROM unnest(release.ids, release.attempts) AS r(id, attempt)
     WHERE j.id = r.id AND j.state = 'running' AND j.attempt = r.attempt AND j.worker = release.worker
    RETURNING j.id
$$;
COMMENT ON FUNCTION queue.release(text, bigint[], integer[]) IS
    'Returns claimed jobs to available now without using up an attempt (fenced); a worker shutting down calls it for jobs it could not finish.';

CREATE FUNCTION queue.heartbeat(worker text, ids bigint[], attempts integer[], lease interval DEFAULT '30 seconds')
RETURNS SETOF bigint
LANGUAGE sql AS $$
    UPDATE queue.jobs j
       SET lease_expires_at = now() + heartbeat.lease
      FROM unnest(heartbeat.ids, heartbeat.attempts) AS h(id, attempt)
     WHERE j.id = h.id AND j.state = 'running' AND j.attempt = h.attempt AND j.worker = heartbeat.worker
    RETURNING j.id
$$;
COMMENT ON FUNCTION queue.heartbeat(text, bigint[], integer[], interval) IS
    'Extends the leases of a worker''s running jobs and returns the ids it still holds; a missing id was cancelled or rescued, and the worker stops its handler.';

---------------------------------------------------------------------------------------------------------
-- Rescue.
---------------------------------------------------------------------------------------------------------

CREATE FUNCTION queue.rescue_expired(max_jobs integer DEFAULT 1000)
RETURNS TABLE (id bigint, state queue.job_state)
LANGUAGE sql AS $$
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
COMMENT ON FUNCTION queue.rescue_expired(integer) IS
    'Takes back running jobs whose lease expired (their worker died or hung): available again, or discarded on their last attempt, with "lease expired (worker lost)" appended to errors. Returns what it changed. Example: SELECT * FROM queue.rescue_expired();';

COMMIT;
