import Foundation
import Logging
import PostgresNIO
import Queue

/// What a player refresh changed: status changes seen and notifications sent.
public struct PlayerRefresh: Sendable, Equatable {
    /// Players whose injury status changed.
    public var changes: Int
    /// Notifications sent to members (one per change and roster holding the player).
    public var notifications: Int
}

/// A season and week.
public struct SeasonWeek: Sendable, Equatable {
    /// e.g. "2026".
    public var season: String
    /// 1…18 in the regular season.
    public var week: Int
}

/// A stored league.
public struct LeagueInfo: Sendable, Equatable {
    /// Sleeper's league id.
    public var id: String
    /// Its name.
    public var name: String
    /// Its season.
    public var season: String
    /// All slots, starting ones first.
    public var rosterPositions: [String]
    /// ppr, half_ppr or std.
    public var scoringFormat: String
    /// Number of teams.
    public var teams: Int
}

/// A stored roster.
public struct RosterInfo: Sendable, Equatable {
    /// The roster's number in its league.
    public var id: Int
    /// The owner's Sleeper display name.
    public var ownerName: String?
    /// Every player on it.
    public var players: [String]
    /// Current starters, aligned with the starting slots ("0" = empty).
    public var starters: [String]
    /// Players on injured reserve.
    public var reserve: [String]
}

/// A stored player.
public struct PlayerRow: Sendable, Equatable {
    public var id: String
    public var name: String
    public var position: String?
    public var fantasyPositions: [String]
    public var team: String?
    public var injuryStatus: String?
}

/// One projection.
public struct ProjectionRow: Sendable, Equatable {
    public var playerID: String
    public var week: Int
    public var points: Double
}

/// A user's place in a league (`GET /api/v1/me/leagues`).
public struct Membership: Codable, Sendable, Equatable {
    public var leagueID: String
    public var leagueName: String
    public var season: String
    public var rosterID: Int
    public var teamName: String?
    public var scoringFormat: String
    public var teams: Int

    enum CodingKeys: String, CodingKey {
        case season, teams
        case leagueID = "league_id"
        case leagueName = "league_name"
        case rosterID = "roster_id"
        case teamName = "team_name"
        case scoringFormat = "scoring_format"
    }
}

/// A member, as the monitors walk them.
public struct MemberRef: Sendable, Equatable {
    public var userID: String
    public var leagueID: String
    public var rosterID: Int
}

/// The fantasy schema's reads and writes (migration 0006), for the importer, the job handlers and the API.
public struct FantasyStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// A store on `postgres`.
    public init(postgres: PostgresClient, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    /// The current season and week, if an import has set them.
    public func state() async throws -> SeasonWeek? {
        try await postgres.execute(FantasyQueries.CurrentState(), logger: logger).collect().first
    }

    /// A league, or nil.
    public func league(_ id: String) async throws -> LeagueInfo? {
        try await postgres.execute(FantasyQueries.League(leagueID: id), logger: logger).collect().first
    }

    /// A league's rosters by roster id.
    public func rosters(league id: String) async throws -> [RosterInfo] {
        try await postgres.execute(FantasyQueries.Rosters(leagueID: id), logger: logger).collect()
    }

    /// Players by id (every player when `ids` is nil).
    public func players(_ ids: [String]?) async throws -> [PlayerRow] {
        try await postgres.execute(FantasyQueries.Players(ids: ids), logger: logger).collect()
    }

    /// Projections in `format` for `weeks` of `season`: player id → week → points.
    public func projections(season: String, weeks: ClosedRange<Int>, format: String, ids: [String]?) async throws -> [String: [Int: Double]] {
        var result: [String: [Int: Double]] = [:]
        let rows = try await postgres.execute(
            FantasyQueries.Projections(season: season, from: weeks.lowerBound, to: weeks.upperBound, format: format, ids: ids),
            logger: logger).collect()
        for row in rows { result[row.playerID, default: [:]][row.week] = row.points }
        return result
    }

    /// The leagues `userID` belongs to.
    public func memberships(of userID: String) async throws -> [Membership] {
        try await postgres.execute(FantasyQueries.Memberships(userID: userID), logger: logger).collect()
    }

    /// Every member of every league.
    public func members() async throws -> [MemberRef] {
        try await postgres.execute(FantasyQueries.AllMembers(), logger: logger).collect()
    }

    /// Links `userID` to a roster.
    public func addMember(_ userID: String, league: String, roster: Int) async throws {
        try await postgres.execute(FantasyQueries.AddMember(userID: userID, leagueID: league, rosterID: roster), logger: logger).consume()
    }

    /// Sends a suggestion unless it equals the last one on `topic`; nil `fingerprint` forgets the last. Returns the
    /// event id when something was sent.
    @discardableResult
    public func advise(_ userID: String, league: String, topic: String, fingerprint: String?, title: String,
                       message: String, data: some Encodable) async throws -> Int64? {
        let json = String(decoding: try JSONEncoder().encode(data), as: UTF8.self)
        let rows = try await postgres.execute(
            FantasyQueries.Advise(userID: userID, leagueID: league, topic: topic, fingerprint: fingerprint, title: title,
                                  message: message, dataJSON: json), logger: logger).collect()
        return rows.first ?? nil
    }

    /// Upserts players and notifies members of status changes, in one transaction.
    public func refreshPlayers(_ players: [String: SleeperPlayer]) async throws -> PlayerRefresh {
        let rows = players.sorted { $0.key < $1.key }.compactMap { id, player -> StoredPlayer? in
            guard let name = player.displayName else { return nil }
            return StoredPlayer(player_id: player.playerID ?? id, full_name: name, position: player.position,
                                fantasy_positions: player.fantasyPositions ?? player.position.map { [$0] } ?? [],
                                team: player.team, status: player.status, injury_status: player.injuryStatus)
        }
        let json = String(decoding: try JSONEncoder().encode(rows), as: UTF8.self)
        let result = try await postgres.execute(FantasyQueries.RefreshPlayers(playersJSON: json), logger: logger).collect()
        return result.first ?? PlayerRefresh(changes: 0, notifications: 0)
    }

    /// Stores a league with its rosters (owner names from `users`).
    public func loadLeague(_ league: SleeperLeague, rosters: [SleeperRoster], users: [SleeperUser]) async throws -> Int {
        let byID = Dictionary(users.map { ($0.userID, $0) }, uniquingKeysWith: { first, _ in first })
        let leagueRow = StoredLeague(league_id: league.leagueID, name: league.name ?? league.leagueID, season: league.season,
                                     roster_positions: league.rosterPositions, scoring_settings: league.scoringSettings ?? [:],
                                     total_rosters: league.totalRosters)
        let rosterRows = rosters.map { roster in
            StoredRoster(roster_id: roster.rosterID, owner_id: roster.ownerID,
                         owner_name: roster.ownerID.flatMap { byID[$0]?.displayName ?? $0 },
                         team_name: roster.ownerID.flatMap { byID[$0]?.teamName },
                         players: roster.players ?? [], starters: roster.starters ?? [], reserve: roster.reserve ?? [])
        }
        let encoder = JSONEncoder()
        return try await postgres.execute(FantasyQueries.LoadLeague(
            leagueJSON: String(decoding: try encoder.encode(leagueRow), as: UTF8.self),
            rostersJSON: String(decoding: try encoder.encode(rosterRows), as: UTF8.self)), logger: logger).collect().first ?? 0
    }

    /// Replaces one week's projections; returns the rows stored.
    public func loadProjections(season: String, week: Int, _ projections: [SleeperProjection]) async throws -> Int {
        let rows = projections.map {
            StoredProjection(player_id: $0.playerID, pts_ppr: $0.stats["pts_ppr"], pts_half_ppr: $0.stats["pts_half_ppr"],
                             pts_std: $0.stats["pts_std"])
        }
        let json = String(decoding: try JSONEncoder().encode(rows), as: UTF8.self)
        return try await postgres.execute(FantasyQueries.LoadProjections(season: season, week: week, projectionsJSON: json),
                                          logger: logger).collect().first ?? 0
    }

    /// Sets the current season and week.
    public func setState(_ state: SleeperState) async throws {
        try await postgres.execute(FantasyQueries.SetState(season: state.season, week: state.week,
                                                           seasonType: state.seasonType ?? "regular"), logger: logger).consume()
    }

    /// Creates the domain's periodic schedules unless they exist: `monitor-injuries` every hour,
    /// `check-waiver-wire` every 6 hours, `optimize-lineups` every 30 minutes (the seed's beat schedule).
    public func seedSchedules() async throws {
        for (name, kind, every) in FantasySchedules.all {
            try await postgres.execute(FantasyQueries.SeedSchedule(name: name, kind: kind, every: every), logger: logger).consume()
        }
    }
}

/// The domain's periodic schedules: (name, kind, interval).
public enum FantasySchedules {
    /// monitor-injuries hourly, check-waiver-wire every 6 hours, optimize-lineups every 30 minutes.
    public static let all: [(String, String, String)] = [
        ("monitor-injuries", "monitor_injuries", "1 hour"),
        ("check-waiver-wire", "check_waiver_wire", "6 hours"),
        ("optimize-lineups", "optimize_lineups", "30 minutes"),
    ]
}

// The JSON shapes the fantasy.* load functions take (snake_case, as the SQL reads them).
private struct StoredPlayer: Encodable {
    var player_id: String
    var full_name: String
    var position: String?
    var fantasy_positions: [String]
    var team: String?
    var status: String?
    var injury_status: String?
}

private struct StoredLeague: Encodable {
    var league_id: String
    var name: String
    var season: String
    var roster_positions: [String]
    var scoring_settings: [String: Double]
    var total_rosters: Int
}

private struct StoredRoster: Encodable {
    var roster_id: Int
    var owner_id: String?
    var owner_name: String?
    var team_name: String?
    var players: [String]
    var starters: [String]
    var reserve: [String]
}

private struct StoredProjection: Encodable {
    var player_id: String
    var pts_ppr: Double?
    var pts_half_ppr: Double?
    var pts_std: Double?
}
