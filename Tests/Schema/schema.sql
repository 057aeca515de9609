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
-- Name: fantasy; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA fantasy;


--
-- Name: SCHEMA fantasy; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA fantasy IS 'Fantasy-football data loaded from the Sleeper API (or the bundled demo snapshot); see docs/domain.md.';


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


--
-- Name: add_member(text, text, integer); Type: FUNCTION; Schema: fantasy; Owner: -
--

CREATE FUNCTION fantasy.add_member(user_id text, league_id text, roster_id integer) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM queue.require_name('user_id', add_member.user_id);
    IF NOT EXISTS (SELECT 1 FROM fantasy.rosters r WHERE r.league_id = add_member.league_id AND r.roster_id = add_member.roster_id) THEN
        RAISE EXCEPTION 'league % has no roster %', add_member.league_id, add_member.roster_id
            USING ERRCODE = 'no_data_found', HINT = 'Import the league first: huddle sleeper import --league ID.';
    END IF;
    INSERT INTO fantasy.members AS m (user_id, league_id, roster_id)
    VALUES (add_member.user_id, add_member.league_id, add_member.roster_id)
    ON CONFLICT ON CONSTRAINT members_pkey DO UPDATE SET roster_id = EXCLUDED.roster_id;
END;
$$;


--
-- Name: FUNCTION add_member(user_id text, league_id text, roster_id integer); Type: COMMENT; Schema: fantasy; Owner: -
--

COMMENT ON FUNCTION fantasy.add_member(user_id text, league_id text, roster_id integer) IS 'Links a Huddle user to a roster (one roster per user and league). Example: SELECT fantasy.add_member(''alice'', ''1180000000000000001'', 1);';


--
-- Name: advise(text, text, text, text, text, text, jsonb); Type: FUNCTION; Schema: fantasy; Owner: -
--

CREATE FUNCTION fantasy.advise(user_id text, league_id text, topic text, fingerprint text, title text, message text, data jsonb DEFAULT '{}'::jsonb) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
-- Sends the suggestion only if it differs from the last one on this topic; NULL fingerprint = nothing to
-- suggest now (forgets the last, so the same suggestion coming back later is sent again).
DECLARE
    v_event bigint;
BEGIN
    IF fingerprint IS NULL THEN
        DELETE FROM fantasy.advice a
         WHERE a.user_id = advise.user_id AND a.league_id = advise.league_id AND a.topic = advise.topic;
        RETURN NULL;
    END IF;
    INSERT INTO fantasy.advice AS a (user_id, league_id, topic, fingerprint)
    VALUES (advise.user_id, advise.league_id, advise.topic, advise.fingerprint)
    ON CONFLICT ON CONSTRAINT advice_pkey DO UPDATE
       SET fingerprint = EXCLUDED.fingerprint, advised_at = now()
     WHERE a.fingerprint IS DISTINCT FROM EXCLUDED.fingerprint;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    v_event := queue.notify_user(user_id, topic, title, message, data);
    UPDATE fantasy.advice a SET event_id = v_event
     WHERE a.user_id = advise.user_id AND a.league_id = advise.league_id AND a.topic = advise.topic;
    RETURN v_event;
END;
$$;


--
-- Name: FUNCTION advise(user_id text, league_id text, topic text, fingerprint text, title text, message text, data jsonb); Type: COMMENT; Schema: fantasy; Owner: -
--

COMMENT ON FUNCTION fantasy.advise(user_id text, league_id text, topic text, fingerprint text, title text, message text, data jsonb) IS 'Notifies a member of a suggestion (topic waiver or lineup) unless it is the same as the last one sent; returns the event id, or NULL when nothing was sent.';


--
-- Name: load_league(jsonb, jsonb); Type: FUNCTION; Schema: fantasy; Owner: -
--

CREATE FUNCTION fantasy.load_league(league jsonb, rosters jsonb) RETURNS integer
    LANGUAGE plpgsql
    AS $$
-- league: {league_id, name, season, roster_positions, scoring_settings, total_rosters};
-- rosters: [{roster_id, owner_id, owner_name, team_name, players, starters, reserve}, …]. Rosters no longer in the
-- league are removed (with their members).
DECLARE
    v_id text := league ->> 'league_id';
    v_count int;
BEGIN
    IF v_id IS NULL OR jsonb_typeof(league -> 'roster_positions') IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'league needs league_id and roster_positions' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM fantasy.require_array(rosters, 'rosters');
    INSERT INTO fantasy.leagues AS l (league_id, name, season, roster_positions, scoring_settings, total_rosters)
    VALUES (v_id, coalesce(league ->> 'name', v_id), league ->> 'season',
            ARRAY(SELECT jsonb_array_elements_text(league -> 'roster_positions')),
            coalesce(league -> 'scoring_settings', '{}'), (league ->> 'total_rosters')::int)
    ON CONFLICT (league_id) DO UPDATE
       SET name = EXCLUDED.name, season = EXCLUDED.season, roster_positions = EXCLUDED.roster_positions,
           scoring_settings = EXCLUDED.scoring_settings, total_rosters = EXCLUDED.total_rosters, updated_at = now();
    INSERT INTO fantasy.rosters AS r (league_id, roster_id, owner_id, owner_name, team_name, players, starters, reserve)
    SELECT v_id, x.roster_id, x.owner_id, x.owner_name, x.team_name, coalesce(x.players, '{}'), coalesce(x.starters, '{}'),
           coalesce(x.reserve, '{}')
      FROM jsonb_to_recordset(rosters) AS x(roster_id int, owner_id text, owner_name text, team_name text, players text[],
                                             starters text[], reserve text[])
    ON CONFLICT (league_id, roster_id) DO UPDATE
       SET owner_id = EXCLUDED.owner_id, owner_name = EXCLUDED.owner_name, team_name = EXCLUDED.team_name,
           players = EXCLUDED.players,
           starters = EXCLUDED.starters, reserve = EXCLUDED.reserve, updated_at = now();
    GET DIAGNOSTICS v_count = ROW_COUNT;
    DELETE FROM fantasy.rosters r
     WHERE r.league_id = v_id
       AND r.roster_id NOT IN (SELECT (x ->> 'roster_id')::int FROM jsonb_array_elements(rosters) AS x);
    RETURN v_count;
END;
$$;


--
-- Name: FUNCTION load_league(league jsonb, rosters jsonb); Type: COMMENT; Schema: fantasy; Owner: -
--

COMMENT ON FUNCTION fantasy.load_league(league jsonb, rosters jsonb) IS 'Creates or updates a league and its rosters from JSON (the Sleeper importer''s normalized shapes); returns the rosters stored.';


--
-- Name: load_projections(text, integer, jsonb); Type: FUNCTION; Schema: fantasy; Owner: -
--

CREATE FUNCTION fantasy.load_projections(season text, week integer, projections jsonb) RETURNS integer
    LANGUAGE plpgsql
    AS $$
-- projections: [{player_id, pts_ppr, pts_half_ppr, pts_std}, …]; replaces the week's projections.
DECLARE
    v_count int;
BEGIN
    PERFORM fantasy.require_array(projections, 'projections');
    DELETE FROM fantasy.projections p WHERE p.season = load_projections.season AND p.week = load_projections.week;
    INSERT INTO fantasy.projections (season, week, player_id, pts_ppr, pts_half_ppr, pts_std)
    SELECT load_projections.season, load_projections.week, r.player_id,
           coalesce(r.pts_ppr, 0), coalesce(r.pts_half_ppr, 0), coalesce(r.pts_std, 0)
      FROM jsonb_to_recordset(projections) AS r(player_id text, pts_ppr double precision,
                                                 pts_half_ppr double precision, pts_std double precision)
     WHERE EXISTS (SELECT 1 FROM fantasy.players p WHERE p.player_id = r.player_id)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END;
$$;


--
-- Name: FUNCTION load_projections(season text, week integer, projections jsonb); Type: COMMENT; Schema: fantasy; Owner: -
--

COMMENT ON FUNCTION fantasy.load_projections(season text, week integer, projections jsonb) IS 'Replaces one week''s projections from a JSON array [{player_id, pts_ppr, pts_half_ppr, pts_std}]; unknown players are skipped. Returns the rows stored.';


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: projections; Type: TABLE; Schema: fantasy; Owner: -
--

CREATE TABLE fantasy.projections (
    season text NOT NULL,
    week integer NOT NULL,
    player_id text NOT NULL,
    pts_ppr double precision DEFAULT 0 NOT NULL,
    pts_half_ppr double precision DEFAULT 0 NOT NULL,
    pts_std double precision DEFAULT 0 NOT NULL,
    CONSTRAINT projections_week_range CHECK (((week >= 1) AND (week <= 25)))
);


--
-- Name: TABLE projections; Type: COMMENT; Schema: fantasy; Owner: -
--

COMMENT ON TABLE fantasy.projections IS 'Projected fantasy points per player and week in the three common scoring formats. No row for a week = no game that week (a bye): such a player is never started.';


--
-- Name: points(fantasy.projections, text); Type: FUNCTION; Schema: fantasy; Owner: -
--

CREATE FUNCTION fantasy.points(p fantasy.projections, scoring_format text) RETURNS double precision
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT CASE scoring_format WHEN 'ppr' THEN p.pts_ppr WHEN 'half_ppr' THEN p.pts_half_ppr ELSE p.pts_std END
$$;


--
-- Name: FUNCTION points(p fantasy.projections, scoring_format text); Type: COMMENT; Schema: fantasy; Owner: -
--

COMMENT ON FUNCTION fantasy.points(p fantasy.projections, scoring_format text) IS 'A projection''s points in a scoring format (ppr, half_ppr, std).';


--
-- Name: refresh_players(jsonb); Type: FUNCTION; Schema: fantasy; Owner: -
--

CREATE FUNCTION fantasy.refresh_players(players jsonb) RETURNS TABLE(changes integer, notifications integer)
    LANGUAGE sql
    AS $$
-- players: [{player_id, full_name, position, fantasy_positions, team, status, injury_status}, …]. Every part
-- of the statement sees the table as it was before it, so the changes are computed against the old rows.
WITH refreshed AS (
    SELECT r.player_id, r.full_name, r.position, coalesce(r.fantasy_positions, '{}') AS fantasy_positions,
           r.team, r.status, r.injury_status
      FROM jsonb_to_recordset(fantasy.require_array(players, 'players'))
           AS r(player_id text, full_name text, position text, fantasy_positions text[], team text, status text,
                injury_status text)
     WHERE r.player_id IS NOT NULL AND r.full_name IS NOT NULL
), changed AS (
    -- An existing player whose injury status differs; a new player is not a change.
    SELECT r.player_id, r.full_name, r.position, r.team, p.injury_status AS old_status, r.injury_status AS new_status
      FROM refreshed r JOIN fantasy.players p USING (player_id)
     WHERE p.injury_status IS DISTINCT FROM r.injury_status
), stored AS (
    INSERT INTO fantasy.players AS p (player_id, full_name, position, fantasy_positions, team, status, injury_status)
    SELECT player_id, full_name, position, fantasy_positions, team, status, injury_status FROM refreshed
    ON CONFLICT (player_id) DO UPDATE
       SET full_name = EXCLUDED.full_name, position = EXCLUDED.position, fantasy_positions = EXCLUDED.fantasy_positions,
           team = EXCLUDED.team, status = EXCLUDED.status, injury_status = EXCLUDED.injury_status, updated_at = now()
     WHERE (p.full_name, p.position, p.fantasy_positions, p.team, p.status, p.injury_status)
           IS DISTINCT FROM (EXCLUDED.full_name, EXCLUDED.position, EXCLUDED.fantasy_positions, EXCLUDED.team,
                             EXCLUDED.status, EXCLUDED.injury_status)
    RETURNING 1
), notified AS (
    SELECT count(queue.notify_user(
               m.user_id, 'injury',
               format('%s (%s, %s): %s', c.full_name, coalesce(c.position, '?'), coalesce(c.team, 'FA'),
                      coalesce(c.new_status, 'healthy')),
               format('%s → %s', coalesce(c.old_status, 'healthy'), coalesce(c.new_status, 'healthy')),
               jsonb_build_object('player_id', c.player_id, 'name', c.full_name, 'position', c.position,
                                  'team', c.team, 'old_status', c.old_status, 'new_status', c.new_status,
                                  'league_id', r.league_id, 'roster_id', r.roster_id)))::int AS n
      FROM changed c
      JOIN fantasy.rosters r ON r.players @> ARRAY[c.player_id]
      JOIN fantasy.members m ON m.league_id = r.league_id AND m.roster_id = r.roster_id
)
SELECT (SELECT count(*)::int FROM changed), (SELECT n FROM notified)
$$;


--
-- Name: FUNCTION refresh_players(players jsonb); Type: COMMENT; Schema: fantasy; Owner: -
--

COMMENT ON FUNCTION fantasy.refresh_players(players jsonb) IS 'Upserts players from a JSON array and, in the same transaction, notifies (type injury) every member whose roster holds a player whose injury status changed — once per change, since the stored status moves with it. Returns (changes, notifications).';


--
-- Name: require_array(jsonb, text); Type: FUNCTION; Schema: fantasy; Owner: -
--

CREATE FUNCTION fantasy.require_array(value jsonb, what text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    AS $$
BEGIN
    IF jsonb_typeof(value) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION '% must be a JSON array, not %', what, coalesce(jsonb_typeof(value), 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN value;
END;
$$;


--
-- Name: FUNCTION require_array(value jsonb, what text); Type: COMMENT; Schema: fantasy; Owner: -
--

COMMENT ON FUNCTION fantasy.require_array(value jsonb, what text) IS 'Returns value if it is a JSON array; raises 22023 naming what otherwise.';


--
-- Name: set_state(text, integer, text); Type: FUNCTION; Schema: fantasy; Owner: -
--

CREATE FUNCTION fantasy.set_state(season text, week integer, season_type text DEFAULT 'regular'::text) RETURNS void
    LANGUAGE sql
    AS $$
    INSERT INTO fantasy.nfl_state (sport, season, week, season_type) VALUES ('nfl', season, week, season_type)
    ON CONFLICT (sport) DO UPDATE SET season = EXCLUDED.season, week = EXCLUDED.week,
                                      season_type = EXCLUDED.season_type, updated_at = now()
$$;


--
-- Name: FUNCTION set_state(season text, week integer, season_type text); Type: COMMENT; Schema: fantasy; Owner: -
--

COMMENT ON FUNCTION fantasy.set_state(season text, week integer, season_type text) IS 'Sets the current season and week. Example: SELECT fantasy.set_state(''2026'', 12);';


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
-- Name: any_in_progress(xid8[]); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.any_in_progress(xids xid8[]) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
    SELECT EXISTS (SELECT 1 FROM unnest(xids) AS x WHERE pg_xact_status(x) = 'in progress')
$$;


--
-- Name: FUNCTION any_in_progress(xids xid8[]); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.any_in_progress(xids xid8[]) IS 'Whether any of xids is still running (see queue.in_progress_xids).';


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
    SET plan_cache_mode TO 'force_generic_plan'
    SET enable_seqscan TO 'off'
    SET enable_sort TO 'off'
    SET enable_hashjoin TO 'off'
    SET enable_mergejoin TO 'off'
    SET jit TO 'off'
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


--
-- Name: FUNCTION claim_batch(p_worker text, p_queue text, p_kinds text[], p_limit integer, p_lease interval); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.claim_batch(p_worker text, p_queue text, p_kinds text[], p_limit integer, p_lease interval) IS 'One claim statement: up to p_limit due available jobs of p_queue whose kind is in p_kinds, in priority, run_at, id order, skipping rows other workers hold; each becomes running with attempt + 1, the worker''s name and a lease. Used by queue.claim.';


--
-- Name: complete(text, bigint[], integer[], jsonb[]); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.complete(worker text, ids bigint[], attempts integer[], results jsonb[] DEFAULT NULL::jsonb[]) RETURNS SETOF bigint
    LANGUAGE sql
    SET enable_nestloop TO 'off'
    SET enable_mergejoin TO 'off'
    SET enable_seqscan TO 'off'
    SET jit TO 'off'
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


--
-- Name: FUNCTION complete(worker text, ids bigint[], attempts integer[], results jsonb[]); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.complete(worker text, ids bigint[], attempts integer[], results jsonb[]) IS 'Marks a worker''s claimed jobs completed with their results (fenced by worker and attempt); returns the ids it applied to. Example: SELECT queue.complete(''w1'', ARRAY[42], ARRAY[1], ARRAY[''{"ok": true}''::jsonb]);';


--
-- Name: cron_error(text); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.cron_error(p_cron text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    AS $_$
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
$_$;


--
-- Name: FUNCTION cron_error(p_cron text); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.cron_error(p_cron text) IS 'NULL when p_cron is a valid 5-field cron expression or macro, otherwise what is wrong with it. Example: SELECT queue.cron_error(''61 * * * *'');';


--
-- Name: disable_schedule(text); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.disable_schedule(name text) RETURNS boolean
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM queue.schedule_row(disable_schedule.name);
    UPDATE queue.schedules s SET enabled = false WHERE s.name = disable_schedule.name AND s.enabled;
    RETURN FOUND;
END;
$$;


--
-- Name: FUNCTION disable_schedule(name text); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.disable_schedule(name text) IS 'Switches a schedule off: it fires nothing until enabled again. Returns false when it already was off; raises P0002 for an unknown name. Example: SELECT queue.disable_schedule(''nightly'');';


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
-- Name: enable_schedule(text); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.enable_schedule(name text) RETURNS boolean
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM queue.schedule_row(enable_schedule.name);
    UPDATE queue.schedules s SET enabled = true WHERE s.name = enable_schedule.name AND NOT s.enabled;
    RETURN FOUND;
END;
$$;


--
-- Name: FUNCTION enable_schedule(name text); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.enable_schedule(name text) IS 'Switches a schedule on; its next run is worked out afresh from now (no burst of missed runs). Returns false when it already was on; raises P0002 for an unknown name. Example: SELECT queue.enable_schedule(''nightly'');';


--
-- Name: enqueue(text, jsonb, text, integer, timestamp with time zone, integer, text, text); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.enqueue(kind text, args jsonb DEFAULT '{}'::jsonb, queue text DEFAULT 'default'::text, priority integer DEFAULT 0, run_at timestamp with time zone DEFAULT now(), max_attempts integer DEFAULT 5, unique_key text DEFAULT NULL::text, user_id text DEFAULT NULL::text) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: FUNCTION enqueue(kind text, args jsonb, queue text, priority integer, run_at timestamp with time zone, max_attempts integer, unique_key text, user_id text); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.enqueue(kind text, args jsonb, queue text, priority integer, run_at timestamp with time zone, max_attempts integer, unique_key text, user_id text) IS 'Adds an available job and returns its id, waking workers when it is due. Defaults: args {}, queue ''default'', priority 0 (lower runs first), run_at now(), max_attempts 5, no unique_key, no user. A unique_key already held by a live (available or running) job returns that job''s id instead. Example: SELECT queue.enqueue(''sleep'', ''{"ms": 100}'');';


--
-- Name: enqueue_many(jsonb); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.enqueue_many(jobs jsonb) RETURNS TABLE(ord integer, id bigint)
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: FUNCTION enqueue_many(jobs jsonb); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.enqueue_many(jobs jsonb) IS 'Enqueues every element of a JSON array (objects with queue.enqueue''s parameter names; missing ones take its defaults) in one statement, returning (ord, id) per element in order, 1-based; a unique key held by a live job, or by an earlier element, answers with that job''s id. All or nothing: one bad element fails the call, naming it. Example: SELECT * FROM queue.enqueue_many(''[{"kind": "noop"}, {"kind": "sleep", "args": {"ms": 100}}]'');';


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
-- Name: event_message(queue.events); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.event_message(e queue.events) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    SELECT jsonb_build_object('type', e.type, 'id', e.id)
        || e.payload
        || CASE WHEN e.type = 'notification' THEN jsonb_build_object('timestamp', e.created_at) ELSE '{}'::jsonb END
$$;


--
-- Name: FUNCTION event_message(e queue.events); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.event_message(e queue.events) IS 'The WebSocket message for an event, as sent: agent_update {type, id, task_id, kind, status, progress, current_step, data} or notification {type, id, notification_type, title, message, data, timestamp}. Example: SELECT queue.event_message(e) FROM queue.events e ORDER BY id DESC LIMIT 5;';


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
    SET enable_nestloop TO 'off'
    SET enable_mergejoin TO 'off'
    SET enable_seqscan TO 'off'
    SET jit TO 'off'
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


--
-- Name: FUNCTION fail(worker text, ids bigint[], attempts integer[], errors text[], retry_in interval[], permanent boolean[]); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.fail(worker text, ids bigint[], attempts integer[], errors text[], retry_in interval[], permanent boolean[]) IS 'Records failed attempts (fenced): each error is appended to errors; the job goes back to available after retry_in, or to discarded when permanent or out of attempts. Returns each applied id with its new state.';


--
-- Name: fire_schedule(text, timestamp with time zone, timestamp with time zone[], timestamp with time zone, integer); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.fire_schedule(p_name text, p_due timestamp with time zone, p_cron_ticks timestamp with time zone[] DEFAULT NULL::timestamp with time zone[], p_cron_next timestamp with time zone DEFAULT NULL::timestamp with time zone, p_max_catch_up integer DEFAULT 100) RETURNS bigint[]
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: FUNCTION fire_schedule(p_name text, p_due timestamp with time zone, p_cron_ticks timestamp with time zone[], p_cron_next timestamp with time zone, p_max_catch_up integer); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.fire_schedule(p_name text, p_due timestamp with time zone, p_cron_ticks timestamp with time zone[], p_cron_next timestamp with time zone, p_max_catch_up integer) IS 'Scheduler only: fires the schedule''s ticks due at p_due in one transaction (one job per tick under catch_up all, the latest only under skip, each keyed schedule:<name>:<tick>) and moves next_run_at on. Returns the new job ids, or NULL when another scheduler got there first or the row changed.';


--
-- Name: first_tick(interval, timestamp with time zone); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.first_tick(every interval, after timestamp with time zone DEFAULT now()) RETURNS timestamp with time zone
    LANGUAGE sql STABLE
    SET "TimeZone" TO 'UTC'
    AS $$
    SELECT CASE WHEN extract(month FROM every) = 0 AND extract(year FROM every) = 0
                THEN date_bin(every, after, timestamptz '2000-01-01 00:00:00+00') + every
                ELSE after + every
           END
$$;


--
-- Name: FUNCTION first_tick(every interval, after timestamp with time zone); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.first_tick(every interval, after timestamp with time zone) IS 'The first tick of an interval schedule after `after`: the next multiple of every since 2000-01-01 UTC (so ''1 hour'' fires on the hour, ''1 day'' at midnight UTC), or after + every when every counts months.';


--
-- Name: from_micros(bigint); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.from_micros(p_micros bigint) RETURNS timestamp with time zone
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT timestamptz 'epoch' + p_micros * interval '1 microsecond'
$$;


--
-- Name: FUNCTION from_micros(p_micros bigint); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.from_micros(p_micros bigint) IS 'Microseconds since 1970 to timestamptz, exactly (the scheduler''s wire form for ticks).';


--
-- Name: heartbeat(text, bigint[], integer[], interval); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.heartbeat(worker text, ids bigint[], attempts integer[], lease interval DEFAULT '00:00:30'::interval) RETURNS SETOF bigint
    LANGUAGE sql
    SET enable_nestloop TO 'off'
    SET enable_mergejoin TO 'off'
    SET enable_seqscan TO 'off'
    SET jit TO 'off'
    AS $$
    UPDATE queue.jobs j
       SET lease_expires_at = now() + heartbeat.lease
      FROM unnest(heartbeat.ids, heartbeat.attempts) AS h(id, attempt)
     WHERE j.id = ANY (heartbeat.ids)
       AND j.id = h.id AND j.state = 'running' AND j.attempt = h.attempt AND j.worker = heartbeat.worker
    RETURNING j.id
$$;


--
-- Name: FUNCTION heartbeat(worker text, ids bigint[], attempts integer[], lease interval); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.heartbeat(worker text, ids bigint[], attempts integer[], lease interval) IS 'Extends the leases of a worker''s running jobs and returns the ids it still holds; a missing id was cancelled or rescued, and the worker stops its handler.';


--
-- Name: in_progress_xids(); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.in_progress_xids() RETURNS xid8[]
    LANGUAGE sql STABLE
    AS $$
    SELECT coalesce(array_agg(x), '{}') FROM pg_snapshot_xip(pg_current_snapshot()) AS x
$$;


--
-- Name: FUNCTION in_progress_xids(); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.in_progress_xids() IS 'Transactions in progress now. The event feed calls it when it sees a hole in event ids (an id handed out to a transaction that has not committed yet) and waits for them to end before moving past the hole.';


--
-- Name: interval_ticks(interval, timestamp with time zone, timestamp with time zone, integer); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.interval_ticks(p_every interval, p_due timestamp with time zone, p_now timestamp with time zone, p_cap integer, OUT ticks timestamp with time zone[], OUT next_tick timestamp with time zone) RETURNS record
    LANGUAGE plpgsql STABLE
    SET "TimeZone" TO 'UTC'
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


--
-- Name: FUNCTION interval_ticks(p_every interval, p_due timestamp with time zone, p_now timestamp with time zone, p_cap integer, OUT ticks timestamp with time zone[], OUT next_tick timestamp with time zone); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.interval_ticks(p_every interval, p_due timestamp with time zone, p_now timestamp with time zone, p_cap integer, OUT ticks timestamp with time zone[], OUT next_tick timestamp with time zone) IS 'For an interval schedule due at p_due: its ticks that have come by p_now (the latest p_cap of them, oldest first) and the first tick after p_now. Used by queue.fire_schedule.';


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
-- Name: prune(interval, interval, integer); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.prune(jobs_older_than interval DEFAULT '7 days'::interval, events_older_than interval DEFAULT '1 day'::interval, max_rows integer DEFAULT NULL::integer) RETURNS TABLE(jobs_deleted bigint, events_deleted bigint)
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: FUNCTION prune(jobs_older_than interval, events_older_than interval, max_rows integer); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.prune(jobs_older_than interval, events_older_than interval, max_rows integer) IS 'Deletes finished (completed, discarded, cancelled) jobs older than jobs_older_than (default 7 days), events older than events_older_than (default 1 day) and schedulers unseen as long; never an available or running job. max_rows (default no limit) caps each kind per call, oldest first. Example: SELECT * FROM queue.prune(''3 days'');';


--
-- Name: release(text, bigint[], integer[]); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.release(worker text, ids bigint[], attempts integer[]) RETURNS SETOF bigint
    LANGUAGE sql
    SET enable_nestloop TO 'off'
    SET enable_mergejoin TO 'off'
    SET enable_seqscan TO 'off'
    SET jit TO 'off'
    AS $$
    -- Graceful shutdown: unfinished jobs go back at once, and the attempt they used is given back.
    UPDATE queue.jobs j
       SET state = 'available', run_at = now(), lease_expires_at = NULL, max_attempts = j.max_attempts + 1
      FROM unnest(release.ids, release.attempts) AS r(id, attempt)
     WHERE j.id = ANY (release.ids)
       AND j.id = r.id AND j.state = 'running' AND j.attempt = r.attempt AND j.worker = release.worker
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
-- Name: run_schedule_now(text); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.run_schedule_now(name text) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: FUNCTION run_schedule_now(name text); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.run_schedule_now(name text) IS 'Enqueues the schedule''s job now, outside its cadence (next_run_at is unchanged), even when it is disabled; returns the job id. Raises P0002 for an unknown name. Example: SELECT queue.run_schedule_now(''nightly'');';


--
-- Name: schedule_failed(text, timestamp with time zone, text); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.schedule_failed(p_name text, p_updated_at timestamp with time zone, p_error text) RETURNS boolean
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM set_config('huddle.schedule_writer', 'scheduler', true);
    UPDATE queue.schedules
       SET last_error = p_error
     WHERE name = p_name AND updated_at = p_updated_at AND last_error IS DISTINCT FROM p_error;
    PERFORM set_config('huddle.schedule_writer', '', true);
    RETURN FOUND;
END;
$$;


--
-- Name: FUNCTION schedule_failed(p_name text, p_updated_at timestamp with time zone, p_error text); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.schedule_failed(p_name text, p_updated_at timestamp with time zone, p_error text) IS 'Scheduler only: records why a schedule is being skipped; true only when that is news (so it is logged once), false when already recorded or the row was edited meanwhile.';


--
-- Name: schedule_job_key(text, timestamp with time zone); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.schedule_job_key(p_name text, p_tick timestamp with time zone) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT 'schedule:' || p_name || ':'
        || to_char(p_tick AT TIME ZONE 'UTC',
                   CASE WHEN extract(microseconds FROM p_tick)::bigint % 1000000 = 0
                        THEN 'YYYY-MM-DD"T"HH24:MI:SS"Z"' ELSE 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"' END)
$$;


--
-- Name: FUNCTION schedule_job_key(p_name text, p_tick timestamp with time zone); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.schedule_job_key(p_name text, p_tick timestamp with time zone) IS 'The unique_key of the job a schedule fires for a tick: schedule:<name>:<tick as UTC ISO-8601>, e.g. schedule:nightly:2026-11-28T00:00:00Z.';


--
-- Name: schedules; Type: TABLE; Schema: queue; Owner: -
--

CREATE TABLE queue.schedules (
    name text NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    kind text NOT NULL,
    every interval,
    cron text,
    timezone text DEFAULT 'UTC'::text NOT NULL,
    next_run_at timestamp with time zone,
    last_run_at timestamp with time zone,
    last_job_id bigint,
    last_error text,
    args jsonb DEFAULT '{}'::jsonb NOT NULL,
    queue text DEFAULT 'default'::text NOT NULL,
    priority smallint DEFAULT 0 NOT NULL,
    max_attempts integer DEFAULT 5 NOT NULL,
    catch_up text DEFAULT 'skip'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT schedules_args_is_object CHECK ((jsonb_typeof(args) = 'object'::text)),
    CONSTRAINT schedules_attempts_at_least_one CHECK ((max_attempts >= 1)),
    CONSTRAINT schedules_catch_up_is_known CHECK ((catch_up = ANY (ARRAY['skip'::text, 'all'::text]))),
    CONSTRAINT schedules_every_is_positive CHECK ((every > '00:00:00'::interval)),
    CONSTRAINT schedules_every_xor_cron CHECK (((every IS NULL) <> (cron IS NULL))),
    CONSTRAINT schedules_kind_is_named CHECK ((length(btrim(kind)) > 0)),
    CONSTRAINT schedules_name_is_named CHECK (((length(btrim(name)) > 0) AND (length(name) <= 160))),
    CONSTRAINT schedules_queue_is_named CHECK ((length(btrim(queue)) > 0))
);


--
-- Name: TABLE schedules; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON TABLE queue.schedules IS 'One row per periodic job; any number of `huddle schedule` processes fire each tick exactly once. INSERT INTO queue.schedules (name, kind, every) VALUES (''nightly'', ''noop'', ''1 day'') fires without a restart. See docs/schedules.md.';


--
-- Name: COLUMN schedules.every; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON COLUMN queue.schedules.every IS 'Elapsed time between runs (UTC; ticks are aligned to multiples of it since 2000-01-01 when it has no months). Exactly one of every and cron is set.';


--
-- Name: COLUMN schedules.cron; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON COLUMN queue.schedules.cron IS '5-field cron (minute hour day-of-month month day-of-week, or @hourly/@daily/@weekly/@monthly/@yearly) read in timezone.';


--
-- Name: COLUMN schedules.timezone; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON COLUMN queue.schedules.timezone IS 'IANA time zone for cron (default UTC); DST-safe: skipped times fire once at the jump, repeated times once.';


--
-- Name: COLUMN schedules.next_run_at; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON COLUMN queue.schedules.next_run_at IS 'The next tick. NULL means "work it out": the scheduler (or, for every, this row''s trigger) sets it from now. Changing every, cron or timezone, or re-enabling, resets it.';


--
-- Name: COLUMN schedules.last_error; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON COLUMN queue.schedules.last_error IS 'Why the scheduler is skipping this row (bad cron, unknown time zone or kind); cleared when the row is edited or fires.';


--
-- Name: COLUMN schedules.catch_up; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON COLUMN queue.schedules.catch_up IS 'After missed ticks (no scheduler running): skip (default) fires once for all of them; all fires every missed tick, up to the scheduler''s cap (default 100, the latest ones).';


--
-- Name: schedule_row(text); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.schedule_row(p_name text) RETURNS queue.schedules
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: FUNCTION schedule_row(p_name text); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.schedule_row(p_name text) IS 'Locks and returns one schedule, raising no_data_found (P0002) when it does not exist.';


--
-- Name: scheduler_heartbeat(text, bigint, bigint, bigint, bigint, boolean); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.scheduler_heartbeat(p_name text, p_ticks_fired bigint, p_jobs_rescued bigint, p_jobs_pruned bigint, p_events_pruned bigint, p_stopping boolean DEFAULT false) RETURNS void
    LANGUAGE sql
    AS $$
    INSERT INTO queue.schedulers AS s (name, ticks_fired, jobs_rescued, jobs_pruned, events_pruned, stopped_at)
    VALUES (p_name, p_ticks_fired, p_jobs_rescued, p_jobs_pruned, p_events_pruned, CASE WHEN p_stopping THEN now() END)
    ON CONFLICT (name) DO UPDATE
       SET last_seen_at = now(), ticks_fired = excluded.ticks_fired, jobs_rescued = excluded.jobs_rescued,
           jobs_pruned = excluded.jobs_pruned, events_pruned = excluded.events_pruned, stopped_at = excluded.stopped_at
$$;


--
-- Name: FUNCTION scheduler_heartbeat(p_name text, p_ticks_fired bigint, p_jobs_rescued bigint, p_jobs_pruned bigint, p_events_pruned bigint, p_stopping boolean); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.scheduler_heartbeat(p_name text, p_ticks_fired bigint, p_jobs_rescued bigint, p_jobs_pruned bigint, p_events_pruned bigint, p_stopping boolean) IS 'Scheduler only: records that p_name is alive (or, with p_stopping, that it stopped cleanly) with its totals since start.';


--
-- Name: schedules_announce(); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.schedules_announce() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    -- The scheduler's own bookkeeping (fires, first next_run_at, last_error) wakes no one.
    IF coalesce(current_setting('huddle.schedule_writer', true), '') <> 'scheduler' THEN
        PERFORM pg_notify('huddle_schedules', '');
    END IF;
    RETURN NULL;
END;
$$;


--
-- Name: FUNCTION schedules_announce(); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.schedules_announce() IS 'Trigger: NOTIFY huddle_schedules (empty payload) after an edit, so schedulers re-read at once instead of at their next poll.';


--
-- Name: schedules_before_write(); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.schedules_before_write() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: FUNCTION schedules_before_write(); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.schedules_before_write() IS 'Trigger: resets next_run_at when the cadence changes or the row is re-enabled, fills it in for interval schedules, stamps updated_at and clears last_error on edits.';


--
-- Name: snooze(text, bigint[], integer[], interval[]); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.snooze(worker text, ids bigint[], attempts integer[], delays interval[]) RETURNS SETOF bigint
    LANGUAGE sql
    SET enable_nestloop TO 'off'
    SET enable_mergejoin TO 'off'
    SET enable_seqscan TO 'off'
    SET jit TO 'off'
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


--
-- Name: FUNCTION snooze(worker text, ids bigint[], attempts integer[], delays interval[]); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.snooze(worker text, ids bigint[], attempts integer[], delays interval[]) IS 'Puts claimed jobs back to available after a delay without using up an attempt (fenced); returns the ids it applied to.';


--
-- Name: start_schedule(text, text, text, timestamp with time zone); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.start_schedule(p_name text, p_cron text, p_timezone text, p_next timestamp with time zone) RETURNS boolean
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM set_config('huddle.schedule_writer', 'scheduler', true);
    UPDATE queue.schedules
       SET next_run_at = p_next, last_error = NULL
     WHERE name = p_name AND enabled AND next_run_at IS NULL AND cron = p_cron AND timezone = p_timezone;
    PERFORM set_config('huddle.schedule_writer', '', true);
    RETURN FOUND;
END;
$$;


--
-- Name: FUNCTION start_schedule(p_name text, p_cron text, p_timezone text, p_next timestamp with time zone); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.start_schedule(p_name text, p_cron text, p_timezone text, p_next timestamp with time zone) IS 'Scheduler only: sets the first next_run_at of a cron schedule it has just validated, unless the row changed meanwhile.';


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
-- Name: timezone_error(text); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.timezone_error(p_timezone text) RETURNS text
    LANGUAGE sql STABLE
    AS $$
    SELECT CASE WHEN p_timezone IS NULL THEN 'timezone must not be NULL'
                WHEN NOT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = p_timezone)
                THEN format('unknown time zone "%s"; use an IANA name such as Europe/Berlin or UTC', p_timezone)
           END
$$;


--
-- Name: FUNCTION timezone_error(p_timezone text); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.timezone_error(p_timezone text) IS 'NULL when p_timezone is a time zone name PostgreSQL knows, otherwise why not.';


--
-- Name: to_micros(timestamp with time zone); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.to_micros(p_at timestamp with time zone) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT (extract(epoch FROM p_at) * 1000000)::bigint
$$;


--
-- Name: FUNCTION to_micros(p_at timestamp with time zone); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.to_micros(p_at timestamp with time zone) IS 'timestamptz to microseconds since 1970, exactly (the scheduler''s wire form for ticks).';


--
-- Name: upsert_schedule(text, text, interval, text, text, jsonb, text, integer, integer, text, boolean); Type: FUNCTION; Schema: queue; Owner: -
--

CREATE FUNCTION queue.upsert_schedule(name text, kind text, every interval DEFAULT NULL::interval, cron text DEFAULT NULL::text, timezone text DEFAULT 'UTC'::text, args jsonb DEFAULT '{}'::jsonb, queue text DEFAULT 'default'::text, priority integer DEFAULT 0, max_attempts integer DEFAULT 5, catch_up text DEFAULT 'skip'::text, enabled boolean DEFAULT true) RETURNS queue.schedules
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: FUNCTION upsert_schedule(name text, kind text, every interval, cron text, timezone text, args jsonb, queue text, priority integer, max_attempts integer, catch_up text, enabled boolean); Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON FUNCTION queue.upsert_schedule(name text, kind text, every interval, cron text, timezone text, args jsonb, queue text, priority integer, max_attempts integer, catch_up text, enabled boolean) IS 'Creates or replaces a schedule after checking it (exactly one of every/cron, a valid cron and time zone, ...), raising 22023 with the reason otherwise. Example: SELECT * FROM queue.upsert_schedule(''reports'', ''noop'', cron => ''0 9 * * MON-FRI'', timezone => ''Europe/Berlin'');';


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
-- Name: advice; Type: TABLE; Schema: fantasy; Owner: -
--

CREATE TABLE fantasy.advice (
    user_id text NOT NULL,
    league_id text NOT NULL,
    topic text NOT NULL,
    fingerprint text NOT NULL,
    event_id bigint,
    advised_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT advice_topic_known CHECK ((topic = ANY (ARRAY['waiver'::text, 'lineup'::text])))
);


--
-- Name: TABLE advice; Type: COMMENT; Schema: fantasy; Owner: -
--

COMMENT ON TABLE fantasy.advice IS 'The last suggestion each member was sent per topic, so an unchanged suggestion is not repeated.';


--
-- Name: leagues; Type: TABLE; Schema: fantasy; Owner: -
--

CREATE TABLE fantasy.leagues (
    league_id text NOT NULL,
    name text NOT NULL,
    season text NOT NULL,
    roster_positions text[] NOT NULL,
    scoring_settings jsonb DEFAULT '{}'::jsonb NOT NULL,
    total_rosters integer NOT NULL,
    scoring_format text GENERATED ALWAYS AS (
CASE
    WHEN ((jsonb_typeof((scoring_settings -> 'rec'::text)) = 'number'::text) AND (((scoring_settings ->> 'rec'::text))::numeric >= (1)::numeric)) THEN 'ppr'::text
    WHEN ((jsonb_typeof((scoring_settings -> 'rec'::text)) = 'number'::text) AND (((scoring_settings ->> 'rec'::text))::numeric >= 0.5)) THEN 'half_ppr'::text
    ELSE 'std'::text
END) STORED,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: TABLE leagues; Type: COMMENT; Schema: fantasy; Owner: -
--

COMMENT ON TABLE fantasy.leagues IS 'Sleeper league/{id}: roster_positions are the slots (QB, RB, WR, TE, FLEX, SUPER_FLEX, K, DEF, BN, IR, …); scoring_format (ppr, half_ppr, std) follows the points per reception.';


--
-- Name: members; Type: TABLE; Schema: fantasy; Owner: -
--

CREATE TABLE fantasy.members (
    user_id text NOT NULL,
    league_id text NOT NULL,
    roster_id integer NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: TABLE members; Type: COMMENT; Schema: fantasy; Owner: -
--

COMMENT ON TABLE fantasy.members IS 'Links a Huddle user (the token''s subject) to their roster in a league: whose lineups the monitors check and who is notified.';


--
-- Name: nfl_state; Type: TABLE; Schema: fantasy; Owner: -
--

CREATE TABLE fantasy.nfl_state (
    sport text DEFAULT 'nfl'::text NOT NULL,
    season text NOT NULL,
    week integer NOT NULL,
    season_type text DEFAULT 'regular'::text NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT nfl_state_week_range CHECK (((week >= 0) AND (week <= 25)))
);


--
-- Name: TABLE nfl_state; Type: COMMENT; Schema: fantasy; Owner: -
--

COMMENT ON TABLE fantasy.nfl_state IS 'Sleeper''s state/nfl: the current season and week, which analyses default to.';


--
-- Name: players; Type: TABLE; Schema: fantasy; Owner: -
--

CREATE TABLE fantasy.players (
    player_id text NOT NULL,
    full_name text NOT NULL,
    "position" text,
    fantasy_positions text[] DEFAULT '{}'::text[] NOT NULL,
    team text,
    status text,
    injury_status text,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: TABLE players; Type: COMMENT; Schema: fantasy; Owner: -
--

COMMENT ON TABLE fantasy.players IS 'Sleeper players/nfl: one row per player (team defenses have the team as player_id). injury_status uses Sleeper''s words: Questionable, Doubtful, Out, IR, PUP, Sus, NA; NULL = healthy.';


--
-- Name: rosters; Type: TABLE; Schema: fantasy; Owner: -
--

CREATE TABLE fantasy.rosters (
    league_id text NOT NULL,
    roster_id integer NOT NULL,
    owner_id text,
    owner_name text,
    team_name text,
    players text[] DEFAULT '{}'::text[] NOT NULL,
    starters text[] DEFAULT '{}'::text[] NOT NULL,
    reserve text[] DEFAULT '{}'::text[] NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: TABLE rosters; Type: COMMENT; Schema: fantasy; Owner: -
--

COMMENT ON TABLE fantasy.rosters IS 'Sleeper league/{id}/rosters: players (all, including reserve), starters aligned with the league''s starting slots ("0" = empty), reserve (IR). owner_name is the owner''s Sleeper display name, team_name the team''s name in the league.';


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
-- Name: schedule_status; Type: VIEW; Schema: queue; Owner: -
--

CREATE VIEW queue.schedule_status AS
 SELECT s.name,
    s.enabled,
    s.kind,
    COALESCE(('every '::text || (s.every)::text), (s.cron ||
        CASE
            WHEN (s.timezone <> 'UTC'::text) THEN ((' ('::text || s.timezone) || ')'::text)
            ELSE ''::text
        END)) AS cadence,
    s.next_run_at,
    s.last_run_at,
        CASE
            WHEN (s.enabled AND (s.next_run_at < now())) THEN (now() - s.next_run_at)
            ELSE '00:00:00'::interval
        END AS lag,
    s.last_job_id,
    j.state AS last_job_state,
    s.last_error
   FROM (queue.schedules s
     LEFT JOIN queue.jobs j ON ((j.id = s.last_job_id)));


--
-- Name: VIEW schedule_status; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON VIEW queue.schedule_status IS 'Each schedule with its cadence, next and last run, lag (how late its due tick is: above a few seconds means no scheduler is firing it), last job''s state and last_error. Example: SELECT * FROM queue.schedule_status WHERE lag > interval ''1 minute'' OR last_error IS NOT NULL;';


--
-- Name: schedulers; Type: TABLE; Schema: queue; Owner: -
--

CREATE TABLE queue.schedulers (
    name text NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    last_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    stopped_at timestamp with time zone,
    ticks_fired bigint DEFAULT 0 NOT NULL,
    jobs_rescued bigint DEFAULT 0 NOT NULL,
    jobs_pruned bigint DEFAULT 0 NOT NULL,
    events_pruned bigint DEFAULT 0 NOT NULL
);


--
-- Name: TABLE schedulers; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON TABLE queue.schedulers IS 'One row per `huddle schedule` process (name host/pid/random), refreshed every few seconds with its totals since it started; stopped_at is set on a clean shutdown. See queue.scheduler_status.';


--
-- Name: scheduler_status; Type: VIEW; Schema: queue; Owner: -
--

CREATE VIEW queue.scheduler_status AS
 SELECT schedulers.name,
    ((schedulers.stopped_at IS NULL) AND (schedulers.last_seen_at > (now() - '00:00:30'::interval))) AS alive,
    (now() - schedulers.last_seen_at) AS since_last_seen,
    schedulers.started_at,
    schedulers.last_seen_at,
    schedulers.stopped_at,
    schedulers.ticks_fired,
    schedulers.jobs_rescued,
    schedulers.jobs_pruned,
    schedulers.events_pruned
   FROM queue.schedulers;


--
-- Name: VIEW scheduler_status; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON VIEW queue.scheduler_status IS 'Schedulers and whether each is alive (seen in the last 30 s, six default heartbeats, and not stopped). No alive row means nothing fires schedules or rescues jobs. Example: SELECT * FROM queue.scheduler_status WHERE alive;';


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
-- Name: advice advice_pkey; Type: CONSTRAINT; Schema: fantasy; Owner: -
--

ALTER TABLE ONLY fantasy.advice
    ADD CONSTRAINT advice_pkey PRIMARY KEY (user_id, league_id, topic);


--
-- Name: leagues leagues_pkey; Type: CONSTRAINT; Schema: fantasy; Owner: -
--

ALTER TABLE ONLY fantasy.leagues
    ADD CONSTRAINT leagues_pkey PRIMARY KEY (league_id);


--
-- Name: members members_pkey; Type: CONSTRAINT; Schema: fantasy; Owner: -
--

ALTER TABLE ONLY fantasy.members
    ADD CONSTRAINT members_pkey PRIMARY KEY (user_id, league_id);


--
-- Name: nfl_state nfl_state_pkey; Type: CONSTRAINT; Schema: fantasy; Owner: -
--

ALTER TABLE ONLY fantasy.nfl_state
    ADD CONSTRAINT nfl_state_pkey PRIMARY KEY (sport);


--
-- Name: players players_pkey; Type: CONSTRAINT; Schema: fantasy; Owner: -
--

ALTER TABLE ONLY fantasy.players
    ADD CONSTRAINT players_pkey PRIMARY KEY (player_id);


--
-- Name: projections projections_pkey; Type: CONSTRAINT; Schema: fantasy; Owner: -
--

ALTER TABLE ONLY fantasy.projections
    ADD CONSTRAINT projections_pkey PRIMARY KEY (season, week, player_id);


--
-- Name: rosters rosters_pkey; Type: CONSTRAINT; Schema: fantasy; Owner: -
--

ALTER TABLE ONLY fantasy.rosters
    ADD CONSTRAINT rosters_pkey PRIMARY KEY (league_id, roster_id);


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
-- Name: schedulers schedulers_pkey; Type: CONSTRAINT; Schema: queue; Owner: -
--

ALTER TABLE ONLY queue.schedulers
    ADD CONSTRAINT schedulers_pkey PRIMARY KEY (name);


--
-- Name: schedules schedules_pkey; Type: CONSTRAINT; Schema: queue; Owner: -
--

ALTER TABLE ONLY queue.schedules
    ADD CONSTRAINT schedules_pkey PRIMARY KEY (name);


--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: queue; Owner: -
--

ALTER TABLE ONLY queue.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: members_roster_idx; Type: INDEX; Schema: fantasy; Owner: -
--

CREATE INDEX members_roster_idx ON fantasy.members USING btree (league_id, roster_id);


--
-- Name: rosters_players_idx; Type: INDEX; Schema: fantasy; Owner: -
--

CREATE INDEX rosters_players_idx ON fantasy.rosters USING gin (players);


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
-- Name: jobs_schedule_idx; Type: INDEX; Schema: queue; Owner: -
--

CREATE INDEX jobs_schedule_idx ON queue.jobs USING btree (schedule_name, id) WHERE (schedule_name IS NOT NULL);


--
-- Name: INDEX jobs_schedule_idx; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON INDEX queue.jobs_schedule_idx IS 'Jobs a schedule made: SELECT * FROM queue.jobs WHERE schedule_name = ''nightly'' ORDER BY id DESC.';


--
-- Name: jobs_user_idx; Type: INDEX; Schema: queue; Owner: -
--

CREATE INDEX jobs_user_idx ON queue.jobs USING btree (user_id, id) WHERE (user_id IS NOT NULL);


--
-- Name: schedules_due_idx; Type: INDEX; Schema: queue; Owner: -
--

CREATE INDEX schedules_due_idx ON queue.schedules USING btree (next_run_at) WHERE enabled;


--
-- Name: INDEX schedules_due_idx; Type: COMMENT; Schema: queue; Owner: -
--

COMMENT ON INDEX queue.schedules_due_idx IS 'Serves the scheduler''s due and next-due queries.';


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
-- Name: schedules schedules_announce; Type: TRIGGER; Schema: queue; Owner: -
--

CREATE TRIGGER schedules_announce AFTER INSERT OR DELETE OR UPDATE ON queue.schedules FOR EACH STATEMENT EXECUTE FUNCTION queue.schedules_announce();


--
-- Name: schedules schedules_before_write; Type: TRIGGER; Schema: queue; Owner: -
--

CREATE TRIGGER schedules_before_write BEFORE INSERT OR UPDATE ON queue.schedules FOR EACH ROW EXECUTE FUNCTION queue.schedules_before_write();


--
-- Name: members members_league_id_roster_id_fkey; Type: FK CONSTRAINT; Schema: fantasy; Owner: -
--

ALTER TABLE ONLY fantasy.members
    ADD CONSTRAINT members_league_id_roster_id_fkey FOREIGN KEY (league_id, roster_id) REFERENCES fantasy.rosters(league_id, roster_id) ON DELETE CASCADE;


--
-- Name: projections projections_player_id_fkey; Type: FK CONSTRAINT; Schema: fantasy; Owner: -
--

ALTER TABLE ONLY fantasy.projections
    ADD CONSTRAINT projections_player_id_fkey FOREIGN KEY (player_id) REFERENCES fantasy.players(player_id) ON DELETE CASCADE;


--
-- Name: rosters rosters_league_id_fkey; Type: FK CONSTRAINT; Schema: fantasy; Owner: -
--

ALTER TABLE ONLY fantasy.rosters
    ADD CONSTRAINT rosters_league_id_fkey FOREIGN KEY (league_id) REFERENCES fantasy.leagues(league_id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--


