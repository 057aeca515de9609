-- 0004_schedules: periodic jobs as rows (celery-beat's replacement), the scheduler heartbeat, and batched
-- pruning for the maintenance services.
--
-- Exactly once: any number of schedulers race for a due row. Firing a tick and inserting its job happen in
-- one transaction (queue.fire_schedule) that first locks the row only where next_run_at still equals the
-- tick the scheduler saw, and whose job carries the unique key schedule:<name>:<tick>. The loser of the race
-- finds the row locked or already moved on and does nothing.
BEGIN;
DO $$ BEGIN PERFORM queue.begin_migration(4, 'schedules'); END $$;

CREATE TABLE queue.schedules (
    name         text        PRIMARY KEY,
    enabled      boolean     NOT NULL DEFAULT true,
    kind         text        NOT NULL,
    every        interval,
    cron         text,
    timezone     text        NOT NULL DEFAULT 'UTC',
    next_run_at  timestamptz,
    last_run_at  timestamptz,
    last_job_id  bigint,
    last_error   text,
    args         jsonb       NOT NULL DEFAULT '{}',
    queue        text        NOT NULL DEFAULT 'default',
    priority     smallint    NOT NULL DEFAULT 0,
    max_attempts integer     NOT NULL DEFAULT 5,
    catch_up     text        NOT NULL DEFAULT 'skip',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    -- 160 leaves room for the job key schedule:<name>:<tick> within the 200-character key limit.
    CONSTRAINT schedules_name_is_named          CHECK (length(btrim(name)) > 0 AND length(name) <= 160),
    CONSTRAINT schedules_kind_is_named          CHECK (length(btrim(kind)) > 0),
    CONSTRAINT schedules_queue_is_named         CHECK (length(btrim(queue)) > 0),
    CONSTRAINT schedules_every_xor_cron         CHECK ((every IS NULL) <> (cron IS NULL)),
    CONSTRAINT schedules_every_is_positive      CHECK (every > interval '0'),
    CONSTRAINT schedules_catch_up_is_known      CHECK (catch_up IN ('skip', 'all')),
    CONSTRAINT schedules_args_is_object         CHECK (jsonb_typeof(args) = 'object'),
    CONSTRAINT schedules_attempts_at_least_one  CHECK (max_attempts >= 1)
);
COMMENT ON TABLE queue.schedules IS
    'One row per periodic job; any number of `huddle schedule` processes fire each tick exactly once. INSERT INTO queue.schedules (name, kind, every) VALUES (''nightly'', ''noop'', ''1 day'') fires without a restart. See docs/schedules.md.';
COMMENT ON COLUMN queue.schedules.every IS
    'Elapsed time between runs (UTC; ticks are aligned to multiples of it since 2000-01-01 when it has no months). Exactly one of every and cron is set.';
COMMENT ON COLUMN queue.schedules.cron IS
    '5-field cron (minute hour day-of-month month day-of-week, or @hourly/@daily/@weekly/@monthly/@yearly) read in timezone.';
COMMENT ON COLUMN queue.schedules.timezone IS 'IANA time zone for cron (default UTC); DST-safe: skipped times fire once at the jump, repeated times once.';
COMMENT ON COLUMN queue.schedules.next_run_at IS
    'The next tick. NULL means "work it out": the scheduler (or, for every, this row''s trigger) sets it from now. Changing every, cron or timezone, or re-enabling, resets it.';
COMMENT ON COLUMN queue.schedules.last_error IS
    'Why the scheduler is skipping this row (bad cron, unknown time zone or kind); cleared when the row is edited or fires.';
COMMENT ON COLUMN queue.schedules.catch_up IS
    'After missed ticks (no scheduler running): skip (default) fires once for all of them; all fires every missed tick, up to the scheduler''s cap (default 100, the latest ones).';

-- The scheduler's "what is due, and when is the next one" (DueSchedules, NextDue).
CREATE INDEX schedules_due_idx ON queue.schedules (next_run_at) WHERE enabled;
COMMENT ON INDEX queue.schedules_due_idx IS 'Serves the scheduler''s due and next-due queries.';

-- Jobs of one schedule, newest first (the status view's last job, operators' history).
CREATE INDEX jobs_schedule_idx ON queue.jobs (schedule_name, id) WHERE schedule_name IS NOT NULL;
COMMENT ON INDEX queue.jobs_schedule_idx IS 'Jobs a schedule made: SELECT * FROM queue.jobs WHERE schedule_name = ''nightly'' ORDER BY id DESC.';

---------------------------------------------------------------------------------------------------------
-- Ticks.
---------------------------------------------------------------------------------------------------------

CREATE FUNCTION queue.first_tick(every interval, after timestamptz DEFAULT now())
RETURNS timestamptz
LANGUAGE sql STABLE
SET timezone = 'UTC'
AS $$
    SELECT CASE WHEN extract(month FROM every) = 0 AND extract(year FROM every) = 0
                THEN date_bin(every, after, timestamptz '2000-01-01 00:00:00+00') + every
                ELSE after + every
           END
$$;
COMMENT ON FUNCTION queue.first_tick(interval, timestamptz) IS
    'The first tick of an interval schedule after `after`: the next multiple of every since 2000-01-01 UTC (so ''1 hour'' fires on the hour, ''1 day'' at midnight UTC), or after + every when every counts months.';

CREATE FUNCTION queue.interval_ticks(p_every interval, p_due timestamptz, p_now timestamptz, p_cap integer,
                                     OUT ticks timestamptz[], OUT next_tick timestamptz)
LANGUAGE plpgsql STABLE
SET timezone = 'UTC'
AS $$
DECLARE
    n    bigint;
    last timestamptz;
BEGIN
    IF p_due > p_now THEN
        ticks := '{}';
        next_tick := p_due;
        RETURN;
    END IF;
    IF extract(month FROM p_every) = 0 AND extract(year FROM p_every) = 0 THEN
        -- Fixed length: jump straight to the last tick, however long the outage was.
        n := floor(extract(epoch FROM p_now - p_due) / extract(epoch FROM p_every));
        last := p_due + p_every * n;
        WHILE last + p_every <= p_now LOOP last := last + p_every; n := n + 1; END LOOP;
        WHILE last > p_now LOOP last := last - p_every; n := n - 1; END LOOP;
        ticks := ARRAY(SELECT last - p_every * k FROM generate_series(least(n, p_cap - 1), 0, -1) AS k);
        next_tick := last + p_every;
    ELSE
        -- Months vary in length: walk (at most a few hundred steps, months being long).
        ticks := '{}';
        last := p_due;
        WHILE last <= p_now LOOP
            ticks := (ticks || last)[greatest(1, cardinality(ticks) + 2 - p_cap):];
            last := last + p_every;
        END LOOP;
        next_tick := last;
    END IF;
END;
$$;
COMMENT ON FUNCTION queue.interval_ticks(interval, timestamptz, timestamptz, integer) IS
    'For an interval schedule due at p_due: its ticks that have come by p_now (the latest p_cap of them, oldest first) and the first tick after p_now. Used by queue.fire_schedule.';

CREATE FUNCTION queue.schedule_job_key(p_name text, p_tick timestamptz)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT 'schedule:' || p_name || ':'
        || to_char(p_tick AT TIME ZONE 'UTC',
                   CASE WHEN extract(microseconds FROM p_tick)::bigint % 1000000 = 0
                        THEN 'YYYY-MM-DD"T"HH24:MI:SS"Z"' ELSE 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"' END)
$$;
COMMENT ON FUNCTION queue.schedule_job_key(text, timestamptz) IS
    'The unique_key of the job a schedule fires for a tick: schedule:<name>:<tick as UTC ISO-8601>, e.g. schedule:nightly:2026-11-28T00:00:00Z.';

---------------------------------------------------------------------------------------------------------
-- Validation, for the operator helpers (the scheduler validates again, in Swift, and records last_error).
---------------------------------------------------------------------------------------------------------

CREATE FUNCTION queue.cron_error(p_cron text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    expr   text := btrim(p_cron);
    fields text[];
    labels text[] := ARRAY['minute', 'hour', 'day-of-month', 'month', 'day-of-week'];
    lows   int[]  := ARRAY[0, 0, 1, 1, 0];
    highs  int[]  := ARRAY[59, 23, 31, 12, 7];
    names  text   := NULL;
    item   text;
    m      text[];
    bound  text;
    v      int;
    lo     int;
    hi     int;
BEGIN
    IF p_cron IS NULL THEN
        RETURN NULL;
    END IF;
    IF expr LIKE '@%' THEN
        IF lower(expr) IN ('@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly') THEN
            RETURN NULL;
        END IF;
        RETURN format('unknown cron macro "%s"; use @yearly, @monthly, @weekly, @daily or @hourly', expr);
    END IF;
    fields := CASE WHEN expr = '' THEN '{}' ELSE regexp_split_to_array(expr, '\s+') END;
    IF cardinality(fields) <> 5 THEN
        RETURN format('cron "%s" has %s fields; expected 5: minute hour day-of-month month day-of-week', expr, cardinality(fields));
    END IF;
    FOR i IN 1..5 LOOP
        names := CASE i WHEN 4 THEN 'JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC'
                        WHEN 5 THEN 'SUN MON TUE WED THU FRI SAT' END;
        FOREACH item IN ARRAY string_to_array(fields[i], ',') LOOP
            m := regexp_match(upper(item), '^(\*|([0-9]+|[A-Z]{3})(-([0-9]+|[A-Z]{3}))?)(/([0-9]+))?$');
            IF m IS NULL THEN
                RETURN format('%s "%s" is not *, a value, a range a-b or a step x/n in "%s"', labels[i], item, expr);
            END IF;
            IF m[6] IS NOT NULL AND m[6]::int = 0 THEN
                RETURN format('%s step "0" must be a positive number in "%s"', labels[i], expr);
            END IF;
            CONTINUE WHEN m[1] = '*';
            lo := NULL;
            FOREACH bound IN ARRAY ARRAY[m[2], m[4]] LOOP
                CONTINUE WHEN bound IS NULL;
                IF bound ~ '^[0-9]+$' THEN
                    v := bound::int;
                    IF v NOT BETWEEN lows[i] AND highs[i] THEN
                        RETURN format('%s %s is out of range %s-%s in "%s"', labels[i], v, lows[i], highs[i], expr);
                    END IF;
                ELSE
                    v := position(bound IN coalesce(names, ''));
                    IF v = 0 OR v % 4 <> 1 THEN
                        RETURN format('%s "%s" is not a number%s in "%s"', labels[i], bound,
                                      CASE WHEN names IS NULL THEN '' ELSE ' or a name' END, expr);
                    END IF;
                    v := (v - 1) / 4 + lows[i];
                END IF;
                IF lo IS NULL THEN lo := v; ELSE hi := v; END IF;
            END LOOP;
            IF m[4] IS NOT NULL AND hi < lo THEN
                RETURN format('%s range "%s" runs backwards in "%s"', labels[i], split_part(item, '/', 1), expr);
            END IF;
        END LOOP;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION queue.cron_error(text) IS
    'NULL when p_cron is a valid 5-field cron expression or macro, otherwise what is wrong with it. Example: SELECT queue.cron_error(''61 * * * *'');';

CREATE FUNCTION queue.timezone_error(p_timezone text)
RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p_timezone IS NULL THEN 'timezone must not be NULL'
                WHEN NOT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = p_timezone)
                THEN format('unknown time zone "%s"; use an IANA name such as Europe/Berlin or UTC', p_timezone)
           END
$$;
COMMENT ON FUNCTION queue.timezone_error(text) IS 'NULL when p_timezone is a time zone name PostgreSQL knows, otherwise why not.';

---------------------------------------------------------------------------------------------------------
-- Keeping next_run_at honest, and telling schedulers about edits.
---------------------------------------------------------------------------------------------------------

CREATE FUNCTION queue.schedules_before_write()
RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        -- A new cadence, or a schedule switched back on, starts from now — unless the statement itself
        -- set next_run_at.
        IF ((NEW.every, NEW.cron, NEW.timezone) IS DISTINCT FROM (OLD.every, OLD.cron, OLD.timezone)
            OR (NEW.enabled AND NOT OLD.enabled))
           AND NEW.next_run_at IS NOT DISTINCT FROM OLD.next_run_at THEN
            NEW.next_run_at := NULL;
        END IF;
        IF (NEW.kind, NEW.every, NEW.cron, NEW.timezone, NEW.enabled, NEW.args, NEW.queue, NEW.priority,
            NEW.max_attempts, NEW.catch_up)
           IS DISTINCT FROM (OLD.kind, OLD.every, OLD.cron, OLD.timezone, OLD.enabled, OLD.args, OLD.queue,
                             OLD.priority, OLD.max_attempts, OLD.catch_up) THEN
            NEW.updated_at := now();
            -- An edited row is judged afresh by the next scheduler pass.
            IF NEW.last_error IS NOT DISTINCT FROM OLD.last_error THEN
                NEW.last_error := NULL;
            END IF;
        END IF;
    END IF;
    IF NEW.next_run_at IS NULL AND NEW.every IS NOT NULL THEN
        NEW.next_run_at := queue.first_tick(NEW.every, now());
    END IF;
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION queue.schedules_before_write() IS
    'Trigger: resets next_run_at when the cadence changes or the row is re-enabled, fills it in for interval schedules, stamps updated_at and clears last_error on edits.';
CREATE TRIGGER schedules_before_write BEFORE INSERT OR UPDATE ON queue.schedules
    FOR EACH ROW EXECUTE FUNCTION queue.schedules_before_write();

CREATE FUNCTION queue.schedules_announce()
RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- The scheduler's own bookkeeping (fires, first next_run_at, last_error) wakes no one.
    IF coalesce(current_setting('huddle.schedule_writer', true), '') <> 'scheduler' THEN
        PERFORM pg_notify('huddle_schedules', '');
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION queue.schedules_announce() IS
    'Trigger: NOTIFY huddle_schedules (empty payload) after an edit, so schedulers re-read at once instead of at their next poll.';
CREATE TRIGGER schedules_announce AFTER INSERT OR UPDATE OR DELETE ON queue.schedules
    FOR EACH STATEMENT EXECUTE FUNCTION queue.schedules_announce();

---------------------------------------------------------------------------------------------------------
-- What schedulers call.
---------------------------------------------------------------------------------------------------------

CREATE FUNCTION queue.from_micros(p_micros bigint)
RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT timestamptz 'epoch' + p_micros * interval '1 microsecond'
$$;
CREATE FUNCTION queue.to_micros(p_at timestamptz)
RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (extract(epoch FROM p_at) * 1000000)::bigint
$$;
COMMENT ON FUNCTION queue.from_micros(bigint) IS 'Microseconds since 1970 to timestamptz, exactly (the scheduler''s wire form for ticks).';
COMMENT ON FUNCTION queue.to_micros(timestamptz) IS 'timestamptz to microseconds since 1970, exactly (the scheduler''s wire form for ticks).';

CREATE FUNCTION queue.fire_schedule(p_name text, p_due timestamptz, p_cron_ticks timestamptz[] DEFAULT NULL,
                                    p_cron_next timestamptz DEFAULT NULL, p_max_catch_up integer DEFAULT 100)
RETURNS bigint[]
LANGUAGE plpgsql AS $$
DECLARE
    s       queue.schedules;
    v_ticks timestamptz[];
    v_next  timestamptz;
    v_tick  timestamptz;
    v_id    bigint;
    v_ids   bigint[] := '{}';
BEGIN
    -- The guard: the row, locked, still due at exactly the tick this scheduler saw. Another scheduler firing
    -- it holds the lock (skip), or already moved next_run_at on (no match): either way, do nothing.
    SELECT * INTO s FROM queue.schedules
     WHERE name = p_name AND enabled AND next_run_at = p_due AND next_run_at <= now()
       FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF s.every IS NOT NULL THEN
        SELECT t.ticks, t.next_tick INTO v_ticks, v_next
          FROM queue.interval_ticks(s.every, p_due, now(), greatest(p_max_catch_up, 1)) AS t;
    ELSE
        -- A next tick that has already come (the pass crossed it) is simply due at the next pass.
        IF p_cron_next IS NULL OR coalesce(cardinality(p_cron_ticks), 0) = 0
           OR p_cron_next <= p_cron_ticks[cardinality(p_cron_ticks)] THEN
            RAISE EXCEPTION 'a cron schedule needs its due ticks and a later next tick'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        v_ticks := p_cron_ticks;
        v_next := p_cron_next;
    END IF;
    IF s.catch_up = 'skip' THEN
        v_ticks := v_ticks[cardinality(v_ticks):];  -- one run for all missed ticks: the latest
    END IF;
    PERFORM queue.ensure_queue(s.queue);
    FOREACH v_tick IN ARRAY v_ticks LOOP
        v_id := NULL;
        INSERT INTO queue.jobs AS j (kind, queue, priority, max_attempts, args, unique_key, schedule_name)
        VALUES (s.kind, s.queue, s.priority, s.max_attempts, s.args, queue.schedule_job_key(s.name, v_tick), s.name)
        ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'running') DO NOTHING
        RETURNING j.id INTO v_id;
        IF v_id IS NOT NULL THEN
            v_ids := v_ids || v_id;
        END IF;
    END LOOP;
    PERFORM set_config('huddle.schedule_writer', 'scheduler', true);
    UPDATE queue.schedules
       SET next_run_at = v_next, last_run_at = now(), last_error = NULL,
           last_job_id = coalesce(v_ids[cardinality(v_ids)], last_job_id)
     WHERE name = p_name AND next_run_at = p_due;
    PERFORM set_config('huddle.schedule_writer', '', true);
    IF cardinality(v_ids) > 0 THEN
        PERFORM queue.wake_workers(s.queue);
    END IF;
    RETURN v_ids;
END;
$$;
COMMENT ON FUNCTION queue.fire_schedule(text, timestamptz, timestamptz[], timestamptz, integer) IS
    'Scheduler only: fires the schedule''s ticks due at p_due in one transaction (one job per tick under catch_up all, the latest only under skip, each keyed schedule:<name>:<tick>) and moves next_run_at on. Returns the new job ids, or NULL when another scheduler got there first or the row changed.';

CREATE FUNCTION queue.start_schedule(p_name text, p_cron text, p_timezone text, p_next timestamptz)
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('huddle.schedule_writer', 'scheduler', true);
    UPDATE queue.schedules
       SET next_run_at = p_next, last_error = NULL
     WHERE name = p_name AND enabled AND next_run_at IS NULL AND cron = p_cron AND timezone = p_timezone;
    PERFORM set_config('huddle.schedule_writer', '', true);
    RETURN FOUND;
END;
$$;
COMMENT ON FUNCTION queue.start_schedule(text, text, text, timestamptz) IS
    'Scheduler only: sets the first next_run_at of a cron schedule it has just validated, unless the row changed meanwhile.';

CREATE FUNCTION queue.schedule_failed(p_name text, p_updated_at timestamptz, p_error text)
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('huddle.schedule_writer', 'scheduler', true);
    UPDATE queue.schedules
       SET last_error = p_error
     WHERE name = p_name AND updated_at = p_updated_at AND last_error IS DISTINCT FROM p_error;
    PERFORM set_config('huddle.schedule_writer', '', true);
    RETURN FOUND;
END;
$$;
COMMENT ON FUNCTION queue.schedule_failed(text, timestamptz, text) IS
    'Scheduler only: records why a schedule is being skipped; true only when that is news (so it is logged once), false when already recorded or the row was edited meanwhile.';

---------------------------------------------------------------------------------------------------------
-- Operator helpers.
---------------------------------------------------------------------------------------------------------

CREATE FUNCTION queue.upsert_schedule(
    name         text,
    kind         text,
    every        interval DEFAULT NULL,
    cron         text     DEFAULT NULL,
    timezone     text     DEFAULT 'UTC',
    args         jsonb    DEFAULT '{}',
    queue        text     DEFAULT 'default',
    priority     integer  DEFAULT 0,
    max_attempts integer  DEFAULT 5,
    catch_up     text     DEFAULT 'skip',
    enabled      boolean  DEFAULT true
)
RETURNS queue.schedules
LANGUAGE plpgsql AS $$
#variable_conflict use_variable
DECLARE
    v_problem text;
    v_row     queue.schedules;
BEGIN
    PERFORM queue.require_name('name', name);
    IF length(name) > 160 THEN
        RAISE EXCEPTION 'name is % characters long; the limit for schedules is 160', length(name)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM queue.require_name('kind', kind);
    PERFORM queue.require_name('queue', queue);
    IF (every IS NULL) = (cron IS NULL) THEN
        RAISE EXCEPTION 'give exactly one of every (an interval) or cron (5 fields)'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'e.g. every => ''15 minutes'' or cron => ''0 9 * * MON-FRI''.';
    END IF;
    IF every <= interval '0' THEN
        RAISE EXCEPTION 'every must be a positive interval, got %', every USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_problem := coalesce(queue.cron_error(cron), CASE WHEN cron IS NOT NULL THEN queue.timezone_error(timezone) END);
    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION '%', v_problem USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF args IS NULL OR jsonb_typeof(args) <> 'object' THEN
        RAISE EXCEPTION 'args must be a JSON object' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF priority IS NULL OR priority NOT BETWEEN -32768 AND 32767 THEN
        RAISE EXCEPTION 'priority % is out of range', priority USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF max_attempts IS NULL OR max_attempts < 1 THEN
        RAISE EXCEPTION 'max_attempts must be at least 1' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF catch_up IS NULL OR catch_up NOT IN ('skip', 'all') THEN
        RAISE EXCEPTION 'catch_up must be skip or all, got %', coalesce(catch_up, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO queue.schedules AS s (name, kind, every, cron, timezone, args, queue, priority, max_attempts, catch_up, enabled)
    VALUES (name, kind, every, cron, coalesce(timezone, 'UTC'), args, queue, priority, max_attempts, catch_up, enabled)
    ON CONFLICT ON CONSTRAINT schedules_pkey DO UPDATE
       SET kind = excluded.kind, every = excluded.every, cron = excluded.cron, timezone = excluded.timezone,
           args = excluded.args, queue = excluded.queue, priority = excluded.priority,
           max_attempts = excluded.max_attempts, catch_up = excluded.catch_up, enabled = excluded.enabled
    RETURNING * INTO v_row;
    RETURN v_row;
END;
$$;
COMMENT ON FUNCTION queue.upsert_schedule(text, text, interval, text, text, jsonb, text, integer, integer, text, boolean) IS
    'Creates or replaces a schedule after checking it (exactly one of every/cron, a valid cron and time zone, ...), raising 22023 with the reason otherwise. Example: SELECT * FROM queue.upsert_schedule(''reports'', ''noop'', cron => ''0 9 * * MON-FRI'', timezone => ''Europe/Berlin'');';

CREATE FUNCTION queue.schedule_row(p_name text)
RETURNS queue.schedules
LANGUAGE plpgsql AS $$
DECLARE
    s queue.schedules;
BEGIN
    SELECT * INTO s FROM queue.schedules WHERE name = p_name FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'schedule % does not exist', coalesce(quote_literal(p_name), 'NULL')
            USING ERRCODE = 'no_data_found', HINT = 'SELECT name FROM queue.schedules; lists them.';
    END IF;
    RETURN s;
END;
$$;
COMMENT ON FUNCTION queue.schedule_row(text) IS 'Locks and returns one schedule, raising no_data_found (P0002) when it does not exist.';

CREATE FUNCTION queue.enable_schedule(name text)
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM queue.schedule_row(enable_schedule.name);
    UPDATE queue.schedules s SET enabled = true WHERE s.name = enable_schedule.name AND NOT s.enabled;
    RETURN FOUND;
END;
$$;
COMMENT ON FUNCTION queue.enable_schedule(text) IS
    'Switches a schedule on; its next run is worked out afresh from now (no burst of missed runs). Returns false when it already was on; raises P0002 for an unknown name. Example: SELECT queue.enable_schedule(''nightly'');';

CREATE FUNCTION queue.disable_schedule(name text)
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM queue.schedule_row(disable_schedule.name);
    UPDATE queue.schedules s SET enabled = false WHERE s.name = disable_schedule.name AND s.enabled;
    RETURN FOUND;
END;
$$;
COMMENT ON FUNCTION queue.disable_schedule(text) IS
    'Switches a schedule off: it fires nothing until enabled again. Returns false when it already was off; raises P0002 for an unknown name. Example: SELECT queue.disable_schedule(''nightly'');';

CREATE FUNCTION queue.run_schedule_now(name text)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    s    queue.schedules := queue.schedule_row(run_schedule_now.name);
    v_id bigint;
BEGIN
    PERFORM queue.ensure_queue(s.queue);
    INSERT INTO queue.jobs AS j (kind, queue, priority, max_attempts, args, unique_key, schedule_name)
    VALUES (s.kind, s.queue, s.priority, s.max_attempts, s.args, queue.schedule_job_key(s.name, now()), s.name)
    ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'running') DO NOTHING
    RETURNING j.id INTO v_id;
    IF v_id IS NULL THEN  -- run twice in one transaction: the job already made
        SELECT j.id INTO v_id FROM queue.jobs j
         WHERE j.unique_key = queue.schedule_job_key(s.name, now()) AND j.state IN ('available', 'running');
    END IF;
    PERFORM set_config('huddle.schedule_writer', 'scheduler', true);
    UPDATE queue.schedules SET last_run_at = now(), last_job_id = v_id WHERE schedules.name = s.name;
    PERFORM set_config('huddle.schedule_writer', '', true);
    PERFORM queue.wake_workers(s.queue);
    RETURN v_id;
END;
$$;
COMMENT ON FUNCTION queue.run_schedule_now(text) IS
    'Enqueues the schedule''s job now, outside its cadence (next_run_at is unchanged), even when it is disabled; returns the job id. Raises P0002 for an unknown name. Example: SELECT queue.run_schedule_now(''nightly'');';

CREATE VIEW queue.schedule_status AS
SELECT s.name,
       s.enabled,
       s.kind,
       coalesce('every ' || s.every::text, s.cron || CASE WHEN s.timezone <> 'UTC' THEN ' (' || s.timezone || ')' ELSE '' END) AS cadence,
       s.next_run_at,
       s.last_run_at,
       CASE WHEN s.enabled AND s.next_run_at < now() THEN now() - s.next_run_at ELSE interval '0' END AS lag,
       s.last_job_id,
       j.state AS last_job_state,
       s.last_error
  FROM queue.schedules s
  LEFT JOIN queue.jobs j ON j.id = s.last_job_id;
COMMENT ON VIEW queue.schedule_status IS
    'Each schedule with its cadence, next and last run, lag (how late its due tick is: above a few seconds means no scheduler is firing it), last job''s state and last_error. Example: SELECT * FROM queue.schedule_status WHERE lag > interval ''1 minute'' OR last_error IS NOT NULL;';

---------------------------------------------------------------------------------------------------------
-- Scheduler heartbeats: is any scheduler alive, and what has it done?
---------------------------------------------------------------------------------------------------------

CREATE TABLE queue.schedulers (
    name          text        PRIMARY KEY,
    started_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    stopped_at    timestamptz,
    ticks_fired   bigint      NOT NULL DEFAULT 0,
    jobs_rescued  bigint      NOT NULL DEFAULT 0,
    jobs_pruned   bigint      NOT NULL DEFAULT 0,
    events_pruned bigint      NOT NULL DEFAULT 0
);
COMMENT ON TABLE queue.schedulers IS
    'One row per `huddle schedule` process (name host/pid/random), refreshed every few seconds with its totals since it started; stopped_at is set on a clean shutdown. See queue.scheduler_status.';

CREATE FUNCTION queue.scheduler_heartbeat(p_name text, p_ticks_fired bigint, p_jobs_rescued bigint,
                                          p_jobs_pruned bigint, p_events_pruned bigint, p_stopping boolean DEFAULT false)
RETURNS void
LANGUAGE sql AS $$
    INSERT INTO queue.schedulers AS s (name, ticks_fired, jobs_rescued, jobs_pruned, events_pruned, stopped_at)
    VALUES (p_name, p_ticks_fired, p_jobs_rescued, p_jobs_pruned, p_events_pruned, CASE WHEN p_stopping THEN now() END)
    ON CONFLICT (name) DO UPDATE
       SET last_seen_at = now(), ticks_fired = excluded.ticks_fired, jobs_rescued = excluded.jobs_rescued,
           jobs_pruned = excluded.jobs_pruned, events_pruned = excluded.events_pruned, stopped_at = excluded.stopped_at
$$;
COMMENT ON FUNCTION queue.scheduler_heartbeat(text, bigint, bigint, bigint, bigint, boolean) IS
    'Scheduler only: records that p_name is alive (or, with p_stopping, that it stopped cleanly) with its totals since start.';

CREATE VIEW queue.scheduler_status AS
SELECT name,
       stopped_at IS NULL AND last_seen_at > now() - interval '30 seconds' AS alive,
       now() - last_seen_at AS since_last_seen,
       started_at, last_seen_at, stopped_at, ticks_fired, jobs_rescued, jobs_pruned, events_pruned
  FROM queue.schedulers;
COMMENT ON VIEW queue.scheduler_status IS
    'Schedulers and whether each is alive (seen in the last 30 s, six default heartbeats, and not stopped). No alive row means nothing fires schedules or rescues jobs. Example: SELECT * FROM queue.scheduler_status WHERE alive;';

---------------------------------------------------------------------------------------------------------
-- Pruning in batches, so the pruner never holds a long transaction over a big backlog.
---------------------------------------------------------------------------------------------------------

DROP FUNCTION queue.prune(interval, interval);
CREATE FUNCTION queue.prune(jobs_older_than interval DEFAULT '7 days', events_older_than interval DEFAULT '1 day',
                            max_rows integer DEFAULT NULL)
RETURNS TABLE (jobs_deleted bigint, events_deleted bigint)
LANGUAGE plpgsql AS $$
BEGIN
    IF jobs_older_than IS NULL OR events_older_than IS NULL
       OR jobs_older_than < interval '0' OR events_older_than < interval '0' THEN
        RAISE EXCEPTION 'retention windows must be non-negative intervals'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF max_rows IS NOT NULL AND max_rows < 1 THEN
        RAISE EXCEPTION 'max_rows must be at least 1 (or NULL for no limit)' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Only finished jobs: available and running jobs never have finished_at (jobs_finished_iff_final).
    DELETE FROM queue.jobs
     WHERE id IN (SELECT j.id FROM queue.jobs j
                   WHERE j.finished_at < now() - prune.jobs_older_than
                     AND j.state IN ('completed', 'discarded', 'cancelled')
                   ORDER BY j.finished_at
                   LIMIT prune.max_rows
                     FOR UPDATE SKIP LOCKED);
    GET DIAGNOSTICS jobs_deleted = ROW_COUNT;
    DELETE FROM queue.events
     WHERE id IN (SELECT e.id FROM queue.events e
                   WHERE e.created_at < now() - prune.events_older_than
                   ORDER BY e.id
                   LIMIT prune.max_rows);
    GET DIAGNOSTICS events_deleted = ROW_COUNT;
    -- Scheduler rows unseen for as long as finished jobs are kept.
    DELETE FROM queue.schedulers WHERE last_seen_at < now() - prune.jobs_older_than;
    RETURN NEXT;
END;
$$;
COMMENT ON FUNCTION queue.prune(interval, interval, integer) IS
    'Deletes finished (completed, discarded, cancelled) jobs older than jobs_older_than (default 7 days), events older than events_older_than (default 1 day) and schedulers unseen as long; never an available or running job. max_rows (default no limit) caps each kind per call, oldest first. Example: SELECT * FROM queue.prune(''3 days'');';

COMMIT;
