import Foundation
import PostgresNIO
import Queue

/// Every statement the fantasy domain runs, one type each; writes go through the `fantasy.*` functions of
/// migration 0006 so psql and the service share them.
enum FantasyQueries {
    /// `fantasy.set_state`.
    struct SetState: PostgresPreparedStatement {
        static let sql = "SELECT fantasy.set_state($1, $2::int, $3)"
        static let bindingDataTypes: [PostgresDataType] = [.text, .int8, .text]
        typealias Row = Void
        var season: String
        var week: Int
        var seasonType: String
        func makeBindings() -> PostgresBindings { .values(season, week, seasonType) }
        func decodeRow(_ row: PostgresRow) throws {}
    }

    /// `fantasy.refresh_players`: upsert and notify the changes.
    struct RefreshPlayers: PostgresPreparedStatement {
        static let sql = "SELECT changes, notifications FROM fantasy.refresh_players($1::jsonb)"
        static let bindingDataTypes: [PostgresDataType] = [.text]
        typealias Row = PlayerRefresh
        var playersJSON: String
        func makeBindings() -> PostgresBindings { .values(playersJSON) }
        func decodeRow(_ row: PostgresRow) throws -> PlayerRefresh {
            let (changes, notifications) = try row.decode((Int, Int).self)
            return PlayerRefresh(changes: changes, notifications: notifications)
        }
    }

    /// `fantasy.load_league`.
    struct LoadLeague: PostgresPreparedStatement {
        static let sql = "SELECT fantasy.load_league($1::jsonb, $2::jsonb)"
        static let bindingDataTypes: [PostgresDataType] = [.text, .text]
        typealias Row = Int
        var leagueJSON: String
        var rostersJSON: String
        func makeBindings() -> PostgresBindings { .values(leagueJSON, rostersJSON) }
        func decodeRow(_ row: PostgresRow) throws -> Int { try row.decode(Int.self) }
    }

    /// `fantasy.load_projections`.
    struct LoadProjections: PostgresPreparedStatement {
        static let sql = "SELECT fantasy.load_projections($1, $2::int, $3::jsonb)"
        static let bindingDataTypes: [PostgresDataType] = [.text, .int8, .text]
        typealias Row = Int
        var season: String
        var week: Int
        var projectionsJSON: String
        func makeBindings() -> PostgresBindings { .values(season, week, projectionsJSON) }
        func decodeRow(_ row: PostgresRow) throws -> Int { try row.decode(Int.self) }
    }

    /// `fantasy.add_member`.
    struct AddMember: PostgresPreparedStatement {
        static let sql = "SELECT fantasy.add_member($1, $2, $3::int)"
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .int8]
        typealias Row = Void
        var userID: String
        var leagueID: String
        var rosterID: Int
        func makeBindings() -> PostgresBindings { .values(userID, leagueID, rosterID) }
        func decodeRow(_ row: PostgresRow) throws {}
    }

    /// `fantasy.advise`: the event id, or nil when the suggestion was already sent.
    struct Advise: PostgresPreparedStatement {
        static let sql = "SELECT fantasy.advise($1, $2, $3, $4, $5, $6, $7::jsonb)"
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .text, .text, .text, .text]
        typealias Row = Int64?
        var userID: String
        var leagueID: String
        var topic: String
        var fingerprint: String?
        var title: String
        var message: String
        var dataJSON: String
        func makeBindings() -> PostgresBindings { .values(userID, leagueID, topic, fingerprint, title, message, dataJSON) }
        func decodeRow(_ row: PostgresRow) throws -> Int64? { try row.decode(Int64?.self) }
    }

    /// The current season and week.
    struct CurrentState: PostgresPreparedStatement {
        static let sql = "SELECT season, week FROM fantasy.nfl_state WHERE sport = 'nfl'"
        static let bindingDataTypes: [PostgresDataType] = []
        typealias Row = SeasonWeek
        func makeBindings() -> PostgresBindings { PostgresBindings() }
        func decodeRow(_ row: PostgresRow) throws -> SeasonWeek {
            let (season, week) = try row.decode((String, Int).self)
            return SeasonWeek(season: season, week: week)
        }
    }

    /// One league.
    struct League: PostgresPreparedStatement {
        static let sql = """
            SELECT league_id, name, season, roster_positions, scoring_format, total_rosters \
            FROM fantasy.leagues WHERE league_id = $1
            """
        static let bindingDataTypes: [PostgresDataType] = [.text]
        typealias Row = LeagueInfo
        var leagueID: String
        func makeBindings() -> PostgresBindings { .values(leagueID) }
        func decodeRow(_ row: PostgresRow) throws -> LeagueInfo {
            let (id, name, season, slots, format, teams) = try row.decode((String, String, String, [String], String, Int).self)
            return LeagueInfo(id: id, name: name, season: season, rosterPositions: slots, scoringFormat: format, teams: teams)
        }
    }

    /// A league's rosters.
    struct Rosters: PostgresPreparedStatement {
        static let sql = """
            SELECT roster_id, owner_name, players, starters, reserve FROM fantasy.rosters \
            WHERE league_id = $1 ORDER BY roster_id
            """
        static let bindingDataTypes: [PostgresDataType] = [.text]
        typealias Row = RosterInfo
        var leagueID: String
        func makeBindings() -> PostgresBindings { .values(leagueID) }
        func decodeRow(_ row: PostgresRow) throws -> RosterInfo {
            let (id, owner, players, starters, reserve) = try row.decode((Int, String?, [String], [String], [String]).self)
            return RosterInfo(id: id, ownerName: owner, players: players, starters: starters, reserve: reserve)
        }
    }

    /// Players by id, or every player when `ids` is nil.
    struct Players: PostgresPreparedStatement {
        static let sql = """
            SELECT player_id, full_name, position, fantasy_positions, team, injury_status FROM fantasy.players \
            WHERE $1::text[] IS NULL OR player_id = ANY($1::text[])
            """
        static let bindingDataTypes: [PostgresDataType] = [.textArray]
        typealias Row = PlayerRow
        var ids: [String]?
        func makeBindings() -> PostgresBindings { .values(ids) }
        func decodeRow(_ row: PostgresRow) throws -> PlayerRow {
            let (id, name, position, positions, team, injury) = try row.decode((String, String, String?, [String], String?, String?).self)
            return PlayerRow(id: id, name: name, position: position, fantasyPositions: positions, team: team, injuryStatus: injury)
        }
    }

    /// Projected points in `format` for weeks `from...to` of `season`, for `ids` (or everyone when nil).
    struct Projections: PostgresPreparedStatement {
        static let sql = """
            SELECT player_id, week, fantasy.points(p, $4) FROM fantasy.projections p \
            WHERE season = $1 AND week BETWEEN $2::int AND $3::int AND ($5::text[] IS NULL OR player_id = ANY($5::text[]))
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .int8, .int8, .text, .textArray]
        typealias Row = ProjectionRow
        var season: String
        var from: Int
        var to: Int
        var format: String
        var ids: [String]?
        func makeBindings() -> PostgresBindings { .values(season, from, to, format, ids) }
        func decodeRow(_ row: PostgresRow) throws -> ProjectionRow {
            let (id, week, points) = try row.decode((String, Int, Double).self)
            return ProjectionRow(playerID: id, week: week, points: points)
        }
    }

    /// The leagues a user belongs to, with their roster.
    struct Memberships: PostgresPreparedStatement {
        static let sql = """
            SELECT m.league_id, l.name, l.season, m.roster_id, coalesce(r.team_name, r.owner_name), l.scoring_format, l.total_rosters \
            FROM fantasy.members m JOIN fantasy.leagues l USING (league_id) \
            JOIN fantasy.rosters r ON r.league_id = m.league_id AND r.roster_id = m.roster_id \
            WHERE m.user_id = $1 ORDER BY l.name, m.league_id
            """
        static let bindingDataTypes: [PostgresDataType] = [.text]
        typealias Row = Membership
        var userID: String
        func makeBindings() -> PostgresBindings { .values(userID) }
        func decodeRow(_ row: PostgresRow) throws -> Membership {
            let (league, name, season, roster, owner, format, teams) = try row.decode((String, String, String, Int, String?, String, Int).self)
            return Membership(leagueID: league, leagueName: name, season: season, rosterID: roster, teamName: owner,
                              scoringFormat: format, teams: teams)
        }
    }

    /// Every member, for the monitors.
    struct AllMembers: PostgresPreparedStatement {
        static let sql = "SELECT user_id, league_id, roster_id FROM fantasy.members ORDER BY league_id, roster_id, user_id"
        static let bindingDataTypes: [PostgresDataType] = []
        typealias Row = MemberRef
        func makeBindings() -> PostgresBindings { PostgresBindings() }
        func decodeRow(_ row: PostgresRow) throws -> MemberRef {
            let (user, league, roster) = try row.decode((String, String, Int).self)
            return MemberRef(userID: user, leagueID: league, rosterID: roster)
        }
    }

    /// Creates a schedule unless one of that name exists (an operator's changes are kept).
    struct SeedSchedule: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO queue.schedules (name, kind, every) VALUES ($1, $2, $3::interval) ON CONFLICT (name) DO NOTHING
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text]
        typealias Row = Void
        var name: String
        var kind: String
        var every: String
        func makeBindings() -> PostgresBindings { .values(name, kind, every) }
        func decodeRow(_ row: PostgresRow) throws {}
    }
}
