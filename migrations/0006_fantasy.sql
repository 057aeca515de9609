-- 0006_fantasy: the fantasy-football domain (schema `fantasy`): Sleeper players, weekly projections, leagues,
-- rosters, the members linking a Huddle user to a roster, and the memory that makes each monitor notify once
-- per change. Loading goes through the functions below (the Sleeper importer and the monitors call them),
-- so an import or a monitor run is one transaction: it happens whole, with its notifications, or not at all.
BEGIN;
DO $$ BEGIN PERFORM queue.begin_migration(6, 'fantasy'); END $$;

CREATE SCHEMA fantasy;
COMMENT ON SCHEMA fantasy IS 'Fantasy-football data loaded from the Sleeper API (or the bundled demo snapshot); see docs/domain.md.';

CREATE TABLE fantasy.nfl_state (
    sport       text PRIMARY KEY DEFAULT 'nfl',
    season      text NOT NULL,
    week        int  NOT NULL CONSTRAINT nfl_state_week_range CHECK (week BETWEEN 0 AND 25),
    season_type text NOT NULL DEFAULT 'regular',
    updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE fantasy.nfl_state IS 'Sleeper''s state/nfl: the current season and week, which analyses default to.';

CREATE TABLE fantasy.players (
    player_id         text PRIMARY KEY,
    full_name         text NOT NULL,
    position          text,
    fantasy_positions text[] NOT NULL DEFAULT '{}',
    team              text,
    status            text,
    injury_status     text,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE fantasy.players IS 'Sleeper players/nfl: one row per player (team defenses have the team as player_id). injury_status uses Sleeper''s words: Questionable, Doubtful, Out, IR, PUP, Sus, NA; NULL = healthy.';

CREATE TABLE fantasy.projections (
    season       text NOT NULL,
    week         int  NOT NULL CONSTRAINT projections_week_range CHECK (week BETWEEN 1 AND 25),
    player_id    text NOT NULL REFERENCES fantasy.players ON DELETE CASCADE,
    pts_ppr      double precision NOT NULL DEFAULT 0,
    pts_half_ppr double precision NOT NULL DEFAULT 0,
    pts_std      double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (season, week, player_id)
);
COMMENT ON TABLE fantasy.projections IS 'Projected fantasy points per player and week in the three common scoring formats. No row for a week = no game that week (a bye): such a player is never started.';

CREATE TABLE fantasy.leagues (
    league_id        text PRIMARY KEY,
    name             text NOT NULL,
    season           text NOT NULL,
    roster_positions text[] NOT NULL,
    scoring_settings jsonb NOT NULL DEFAULT '{}',
    total_rosters    int NOT NULL,
    scoring_format   text GENERATED ALWAYS AS (
        CASE WHEN jsonb_typeof(scoring_settings -> 'rec') = 'number' AND (scoring_settings ->> 'rec')::numeric >= 1 THEN 'ppr'
             WHEN jsonb_typeof(scoring_settings -> 'rec') = 'number' AND (scoring_settings ->> 'rec')::numeric >= 0.5 THEN 'half_ppr'
             ELSE 'std' END) STORED,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE fantasy.leagues IS 'Sleeper league/{id}: roster_positions are the slots (QB, RB, WR, TE, FLEX, SUPER_FLEX, K, DEF, BN, IR, …); scoring_format (ppr, half_ppr, std) follows the points per reception.';

CREATE TABLE fantasy.rosters (
    league_id  text NOT NULL REFERENCES fantasy.leagues ON DELETE CASCADE,
    roster_id  int  NOT NULL,
    owner_id   text,
    owner_name text,
    team_name  text,
    players    text[] NOT NULL DEFAULT '{}',
    starters   text[] NOT NULL DEFAULT '{}',
    reserve    text[] NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (league_id, roster_id)
);
COMMENT ON TABLE fantasy.rosters IS 'Sleeper league/{id}/rosters: players (all, including reserve), starters aligned with the league''s starting slots ("0" = empty), reserve (IR). owner_name is the owner''s Sleeper display name, team_name the team''s name in the league.';
-- For "whose rosters hold this player" (the injury monitor).
CREATE INDEX rosters_players_idx ON fantasy.rosters USING gin (players);

CREATE TABLE fantasy.members (
    user_id    text NOT NULL,
    league_id  text NOT NULL,
    roster_id  int  NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, league_id),
    FOREIGN KEY (league_id, roster_id) REFERENCES fantasy.rosters ON DELETE CASCADE
);
COMMENT ON TABLE fantasy.members IS 'Links a Huddle user (the token''s subject) to their roster in a league: whose lineups the monitors check and who is notified.';
CREATE INDEX members_roster_idx ON fantasy.members (league_id, roster_id);

CREATE TABLE fantasy.advice (
    user_id     text NOT NULL,
    league_id   text NOT NULL,
    topic       text NOT NULL CONSTRAINT advice_topic_known CHECK (topic IN ('waiver', 'lineup')),
    fingerprint text NOT NULL,
    event_id    bigint,
    advised_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, league_id, topic)
);
COMMENT ON TABLE fantasy.advice IS 'The last suggestion each member was sent per topic, so an unchanged suggestion is not repeated.';

CREATE FUNCTION fantasy.require_array(value jsonb, what text)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF jsonb_typeof(value) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION '% must be a JSON array, not %', what, coalesce(jsonb_typeof(value), 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN value;
END;
$$;
COMMENT ON FUNCTION fantasy.require_array(jsonb, text) IS 'Returns value if it is a JSON array; raises 22023 naming what otherwise.';

CREATE FUNCTION fantasy.points(p fantasy.projections, scoring_format text)
RETURNS double precision
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE scoring_format WHEN 'ppr' THEN p.pts_ppr WHEN 'half_ppr' THEN p.pts_half_ppr ELSE p.pts_std END
$$;
COMMENT ON FUNCTION fantasy.points(fantasy.projections, text) IS 'A projection''s points in a scoring format (ppr, half_ppr, std).';

CREATE FUNCTION fantasy.set_state(season text, week int, season_type text DEFAULT 'regular')
RETURNS void
LANGUAGE sql AS $$
    INSERT INTO fantasy.nfl_state (sport, season, week, season_type) VALUES ('nfl', season, week, season_type)
    ON CONFLICT (sport) DO UPDATE SET season = EXCLUDED.season, week = EXCLUDED.week,
                                      season_type = EXCLUDED.season_type, updated_at = now()
$$;
COMMENT ON FUNCTION fantasy.set_state(text, int, text) IS 'Sets the current season and week. Example: SELECT fantasy.set_state(''2026'', 12);';

CREATE FUNCTION fantasy.refresh_players(players jsonb)
RETURNS TABLE (changes int, notifications int)
LANGUAGE sql AS $$
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
COMMENT ON FUNCTION fantasy.refresh_players(jsonb) IS
    'Upserts players from a JSON array and, in the same transaction, notifies (type injury) every member whose roster holds a player whose injury status changed — once per change, since the stored status moves with it. Returns (changes, notifications).';

CREATE FUNCTION fantasy.load_projections(season text, week int, projections jsonb)
RETURNS int
LANGUAGE plpgsql AS $$
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
COMMENT ON FUNCTION fantasy.load_projections(text, int, jsonb) IS
    'Replaces one week''s projections from a JSON array [{player_id, pts_ppr, pts_half_ppr, pts_std}]; unknown players are skipped. Returns the rows stored.';

CREATE FUNCTION fantasy.load_league(league jsonb, rosters jsonb)
RETURNS int
LANGUAGE plpgsql AS $$
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
COMMENT ON FUNCTION fantasy.load_league(jsonb, jsonb) IS
    'Creates or updates a league and its rosters from JSON (the Sleeper importer''s normalized shapes); returns the rosters stored.';

CREATE FUNCTION fantasy.add_member(user_id text, league_id text, roster_id int)
RETURNS void
LANGUAGE plpgsql AS $$
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
COMMENT ON FUNCTION fantasy.add_member(text, text, int) IS
    'Links a Huddle user to a roster (one roster per user and league). Example: SELECT fantasy.add_member(''alice'', ''1180000000000000001'', 1);';

CREATE FUNCTION fantasy.advise(user_id text, league_id text, topic text, fingerprint text,
                               title text, message text, data jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE plpgsql AS $$
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
COMMENT ON FUNCTION fantasy.advise(text, text, text, text, text, text, jsonb) IS
    'Notifies a member of a suggestion (topic waiver or lineup) unless it is the same as the last one sent; returns the event id, or NULL when nothing was sent.';

COMMIT;
