import Foundation

/// Sleeper's `state/nfl`: the current season and week.
public struct SleeperState: Codable, Sendable, Equatable {
    /// The season, e.g. "2026".
    public var season: String
    /// The current week (0 before the season starts).
    public var week: Int
    /// "regular", "pre" or "post".
    public var seasonType: String?

    enum CodingKeys: String, CodingKey {
        case season, week
        case seasonType = "season_type"
    }
}

/// Sleeper's `league/{id}`: the slots and scoring that analyses use.
public struct SleeperLeague: Codable, Sendable, Equatable {
    /// The league id (a long numeric string).
    public var leagueID: String
    /// The league's name.
    public var name: String?
    /// The season it plays.
    public var season: String
    /// Slots in order: starting ones (QB, RB, FLEX, …) then BN, IR, TAXI.
    public var rosterPositions: [String]
    /// Scoring rules; `rec` (points per reception) picks the projection format.
    public var scoringSettings: [String: Double]?
    /// How many teams.
    public var totalRosters: Int

    enum CodingKeys: String, CodingKey {
        case name, season
        case leagueID = "league_id"
        case rosterPositions = "roster_positions"
        case scoringSettings = "scoring_settings"
        case totalRosters = "total_rosters"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        leagueID = try container.decode(String.self, forKey: .leagueID)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        season = try container.decode(String.self, forKey: .season)
        rosterPositions = try container.decode([String].self, forKey: .rosterPositions)
        scoringSettings = try container.decodeIfPresent([String: Lenient<Double>].self, forKey: .scoringSettings)?
            .compactMapValues(\.value)
        totalRosters = try container.decode(Int.self, forKey: .totalRosters)
    }
}

/// One entry of Sleeper's `league/{id}/users`.
public struct SleeperUser: Codable, Sendable, Equatable {
    /// Sleeper's user id.
    public var userID: String
    /// The name shown in Sleeper.
    public var displayName: String?
    /// League-specific settings; `team_name` is the name of the user's team.
    public var metadata: [String: Lenient<String>]?

    enum CodingKeys: String, CodingKey {
        case metadata
        case userID = "user_id"
        case displayName = "display_name"
    }

    /// The user's team name in the league, if set.
    public var teamName: String? { metadata?["team_name"]?.value.flatMap { $0.isEmpty ? nil : $0 } }
}

/// One entry of Sleeper's `league/{id}/rosters`.
public struct SleeperRoster: Codable, Sendable, Equatable {
    /// The roster's number in its league (1…teams).
    public var rosterID: Int
    /// The owning Sleeper user, if any.
    public var ownerID: String?
    /// Every player id on the roster.
    public var players: [String]?
    /// Starters aligned with the league's starting slots ("0" = empty slot).
    public var starters: [String]?
    /// Players on injured reserve.
    public var reserve: [String]?

    enum CodingKeys: String, CodingKey {
        case players, starters, reserve
        case rosterID = "roster_id"
        case ownerID = "owner_id"
    }
}

/// One player of Sleeper's `players/nfl` (an object keyed by player id).
public struct SleeperPlayer: Codable, Sendable, Equatable {
    /// The player id (team defenses use the team abbreviation).
    public var playerID: String?
    /// First name (a defense's city).
    public var firstName: String?
    /// Last name (a defense's nickname).
    public var lastName: String?
    /// Full name (absent for defenses).
    public var fullName: String?
    /// Primary position.
    public var position: String?
    /// Positions the player can fill.
    public var fantasyPositions: [String]?
    /// NFL team abbreviation, nil for free agents.
    public var team: String?
    /// "Active", "Inactive", "Injured Reserve", …
    public var status: String?
    /// Questionable, Doubtful, Out, IR, PUP, Sus, NA — nil when healthy.
    public var injuryStatus: String?

    enum CodingKeys: String, CodingKey {
        case position, team, status
        case playerID = "player_id"
        case firstName = "first_name"
        case lastName = "last_name"
        case fullName = "full_name"
        case fantasyPositions = "fantasy_positions"
        case injuryStatus = "injury_status"
    }

    /// The name to show: full name, else first and last.
    public var displayName: String? {
        if let fullName, !fullName.isEmpty { return fullName }
        let joined = [firstName, lastName].compactMap { $0 }.joined(separator: " ")
        return joined.isEmpty ? nil : joined
    }
}

/// One entry of Sleeper's weekly projections (`projections/nfl/{season}/{week}`).
public struct SleeperProjection: Codable, Sendable, Equatable {
    /// The player projected.
    public var playerID: String
    /// Projected stats; the points are `pts_ppr`, `pts_half_ppr` and `pts_std`.
    public var stats: [String: Double]

    enum CodingKeys: String, CodingKey {
        case stats
        case playerID = "player_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        playerID = try container.decode(String.self, forKey: .playerID)
        // Sleeper mixes numbers with the odd string or null in stats; only numbers matter here.
        let raw = try container.decodeIfPresent([String: Lenient<Double>].self, forKey: .stats) ?? [:]
        stats = raw.compactMapValues(\.value)
    }

    /// A projection with these stats.
    public init(playerID: String, stats: [String: Double]) {
        self.playerID = playerID
        self.stats = stats
    }
}

/// A JSON value kept when it decodes as `Value` and ignored otherwise: Sleeper mixes types in some maps
/// (a number's place may hold a string or null).
public struct Lenient<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    /// The value, if it had the expected type.
    public var value: Value?

    public init(from decoder: any Decoder) throws {
        value = try? decoder.singleValueContainer().decode(Value.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
