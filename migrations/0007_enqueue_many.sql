-- 0007_enqueue_many: many enqueues in one statement and one commit, with queue.enqueue's rules — the same
-- checks and defaults, unique keys answered with the live job's id, one wake-up per queue. Set-based: one
-- INSERT for every row, where single-row INSERTs pay the table's constraint and index set-up each time.
-- For bulk loads from psql and from Swift (QueueClient.enqueueMany).
BEGIN;
DO $$ BEGIN PERFORM queue.begin_migration(7, 'enqueue_many'); END $$;

CREATE FUNCTION queue.enqueue_many(jobs jsonb)
RETURNS TABLE (ord integer, id bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    bad    record;
    e      record;
    q      text;
    queues text[] := '{}';  -- every queue named, in first-use order
    due    text[] := '{}';  -- the queues given a job due now
BEGIN
    IF jsonb_typeof(enqueue_many.jobs) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'jobs must be a JSON array of objects, not %', coalesce('a JSON ' || jsonb_typeof(enqueue_many.jobs), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'E.g. ''[{"kind": "noop"}, {"kind": "sleep", "args": {"ms": 100}, "user_id": "alice"}]''.';
    END IF;

    -- queue.enqueue's checks for every element at once; the first failing element is reported by number.
    SELECT x.n, x.problem INTO bad FROM (
        SELECT i.ord::int AS n, CASE
            WHEN jsonb_typeof(i.j) <> 'object' THEN format('must be a JSON object, not a JSON %s', jsonb_typeof(i.j))
            WHEN u.unknown IS NOT NULL THEN 'has unknown keys: ' || u.unknown || ' (keys are queue.enqueue''s parameters)'
            WHEN coalesce(btrim(i.j->>'kind'), '') = '' THEN 'kind must not be empty'
            WHEN i.j ? 'queue' AND coalesce(btrim(i.j->>'queue'), '') = '' THEN 'queue must not be empty'
            WHEN i.j ? 'unique_key' AND jsonb_typeof(i.j->'unique_key') <> 'null' AND btrim(i.j->>'unique_key') = '' THEN 'unique_key must not be empty'
            WHEN i.j ? 'user_id' AND jsonb_typeof(i.j->'user_id') <> 'null' AND btrim(i.j->>'user_id') = '' THEN 'user_id must not be empty'
            WHEN greatest(length(i.j->>'kind'), length(i.j->>'queue'), length(i.j->>'unique_key'), length(i.j->>'user_id')) > 200
                THEN 'kind, queue, unique_key and user_id are limited to 200 characters'
            WHEN i.j ? 'args' AND jsonb_typeof(i.j->'args') NOT IN ('object', 'null')
                THEN format('args must be a JSON object, not a JSON %s', jsonb_typeof(i.j->'args'))
            WHEN NOT coalesce((i.j->>'priority')::integer, 0) BETWEEN -32768 AND 32767 THEN format('priority %s is out of range', i.j->>'priority')
            WHEN coalesce((i.j->>'max_attempts')::integer, 5) < 1 THEN format('max_attempts must be at least 1, got %s', i.j->>'max_attempts')
        END AS problem
          FROM jsonb_array_elements(enqueue_many.jobs) WITH ORDINALITY AS i(j, ord)
          CROSS JOIN LATERAL (
              SELECT string_agg(k, ', ') AS unknown
                FROM jsonb_object_keys(CASE WHEN jsonb_typeof(i.j) = 'object' THEN i.j ELSE '{}' END) AS k
               WHERE k NOT IN ('kind', 'args', 'queue', 'priority', 'run_at', 'max_attempts', 'unique_key', 'user_id')
          ) u
    ) x WHERE x.problem IS NOT NULL ORDER BY x.n LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'job %: %', bad.n, bad.problem USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- One INSERT for every element. Ids are drawn up front so each element knows its row; an element whose
    -- unique key is held by a live job (or by an earlier element) inserts nothing, and queue.enqueue then
    -- answers with that job's id (or inserts, if the job finished meanwhile).
    FOR e IN
        WITH parsed AS (
            SELECT i.ord::int AS n, nextval(pg_get_serial_sequence('queue.jobs', 'id')) AS new_id,
                   i.j->>'kind' AS kind, coalesce(nullif(i.j->'args', 'null'), '{}') AS args,
                   coalesce(i.j->>'queue', 'default') AS queue, coalesce((i.j->>'priority')::integer, 0) AS priority,
                   coalesce((i.j->>'run_at')::timestamptz, now()) AS run_at,
                   coalesce((i.j->>'max_attempts')::integer, 5) AS max_attempts,
                   i.j->>'unique_key' AS unique_key, i.j->>'user_id' AS user_id
              FROM jsonb_array_elements(enqueue_many.jobs) WITH ORDINALITY AS i(j, ord)
             ORDER BY i.ord
        ), inserted AS (
            INSERT INTO queue.jobs AS j (id, kind, queue, priority, run_at, max_attempts, args, unique_key, user_id)
            OVERRIDING SYSTEM VALUE
            SELECT p.new_id, p.kind, p.queue, p.priority, p.run_at, p.max_attempts, p.args, p.unique_key, p.user_id
              FROM parsed p ORDER BY p.n
            ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'running') DO NOTHING
            RETURNING j.id
        )
        SELECT p.*, EXISTS (SELECT 1 FROM inserted x WHERE x.id = p.new_id) AS done FROM parsed p ORDER BY p.n
    LOOP
        ord := e.n;
        id := CASE WHEN e.done THEN e.new_id
                   ELSE queue.enqueue(e.kind, e.args, e.queue, e.priority, e.run_at, e.max_attempts, e.unique_key, e.user_id) END;
        RETURN NEXT;
        IF NOT e.queue = ANY (queues) THEN queues := queues || e.queue; END IF;
        IF e.run_at <= now() AND NOT e.queue = ANY (due) THEN due := due || e.queue; END IF;
    END LOOP;

    -- Once per queue, in the same transaction as the rows: its settings row, and a wake-up if work is due.
    FOREACH q IN ARRAY queues LOOP
        PERFORM queue.ensure_queue(q);
        IF q = ANY (due) THEN
            PERFORM queue.wake_workers(q);
        END IF;
    END LOOP;
END;
$$;
COMMENT ON FUNCTION queue.enqueue_many(jsonb) IS
    'Enqueues every element of a JSON array (objects with queue.enqueue''s parameter names; missing ones take its defaults) in one statement, returning (ord, id) per element in order, 1-based; a unique key held by a live job, or by an earlier element, answers with that job''s id. All or nothing: one bad element fails the call, naming it. Example: SELECT * FROM queue.enqueue_many(''[{"kind": "noop"}, {"kind": "sleep", "args": {"ms": 100}}]'');';

COMMIT;
