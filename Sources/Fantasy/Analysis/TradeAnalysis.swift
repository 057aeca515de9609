import Foundation

/// The trade analyser's answer: a verdict and every number behind it, so a user can check the reasoning.
public struct TradeAnalysis: Codable, Sendable, Equatable {
    /// "accept", "decline" or "fair" (the rule is on `TradeAnalyzer.analyze`).
    public var verdict: String
    /// One sentence with the key numbers.
    public var summary: String
    /// The weeks valued: [first, last].
    public var weeks: [Int]
    /// The players you give, with their rest-of-season points and value over replacement.
    public var youGive: [TradePlayer]
    /// The players you get.
    public var youGet: [TradePlayer]
    /// The sum of the given players' VOR, to 2 decimals.
    public var valueGiven: Double
    /// The sum of the received players' VOR, to 2 decimals.
    public var valueReceived: Double
    /// Your optimal lineup's rest-of-season points before and after the trade.
    public var yourLineup: LineupEffect
    /// The other roster's optimal lineup's rest-of-season points before and after.
    public var theirLineup: LineupEffect
    /// The rest-of-season points of the replacement player per position, to 2 decimals.
    public var replacementLevels: [String: Double]

    /// An analysis from its parts.
    public init(verdict: String, summary: String, weeks: [Int], youGive: [TradePlayer], youGet: [TradePlayer],
                valueGiven: Double, valueReceived: Double, yourLineup: LineupEffect, theirLineup: LineupEffect,
                replacementLevels: [String: Double]) {
        self.verdict = verdict
        self.summary = summary
        self.weeks = weeks
        self.youGive = youGive
        self.youGet = youGet
        self.valueGiven = valueGiven
        self.valueReceived = valueReceived
        self.yourLineup = yourLineup
        self.theirLineup = theirLineup
        self.replacementLevels = replacementLevels
    }

    enum CodingKeys: String, CodingKey {
        case verdict, summary, weeks
        case youGive = "you_give"
        case youGet = "you_get"
        case valueGiven = "value_given"
        case valueReceived = "value_received"
        case yourLineup = "your_lineup"
        case theirLineup = "their_lineup"
        case replacementLevels = "replacement_levels"
    }
}

/// One player in a trade with his rest-of-season value, so each side's worth is visible player by player.
public struct TradePlayer: Codable, Sendable, Equatable {
    /// Sleeper's player id.
    public var playerID: String
    /// His name.
    public var name: String
    /// His primary position.
    public var position: String
    /// His NFL team.
    public var team: String?
    /// His injury status.
    public var injuryStatus: String?
    /// Rest-of-season points: his projections summed over the weeks he can start, to 2 decimals.
    public var rosPoints: Double
    /// Value over replacement: `rosPoints` minus his position's replacement level, to 2 decimals.
    public var vor: Double

    /// A trade player from his parts.
    public init(playerID: String, name: String, position: String, team: String?, injuryStatus: String?,
                rosPoints: Double, vor: Double) {
        self.playerID = playerID
        self.name = name
        self.position = position
        self.team = team
        self.injuryStatus = injuryStatus
        self.rosPoints = rosPoints
        self.vor = vor
    }

    enum CodingKeys: String, CodingKey {
        case name, position, team, vor
        case playerID = "player_id"
        case injuryStatus = "injury_status"
        case rosPoints = "ros_points"
    }

    /// Encodes every key, writing null for a missing team or injury status.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(playerID, forKey: .playerID)
        try container.encode(name, forKey: .name)
        try container.encode(position, forKey: .position)
        try container.encode(team, forKey: .team)
        try container.encode(injuryStatus, forKey: .injuryStatus)
        try container.encode(rosPoints, forKey: .rosPoints)
        try container.encode(vor, forKey: .vor)
    }
}

/// A roster's optimal-lineup points over the rest of the season before and after a trade, so the trade's
/// effect on what actually scores is explicit.
public struct LineupEffect: Codable, Sendable, Equatable {
    /// Rest-of-season optimal-lineup points with the current roster, to 2 decimals.
    public var before: Double
    /// The same after the trade, to 2 decimals.
    public var after: Double
    /// `after` − `before`, to 2 decimals.
    public var change: Double

    /// An effect from before and after; `change` is their difference, to 2 decimals.
    public init(before: Double, after: Double) {
        self.before = Points.rounded(before)
        self.after = Points.rounded(after)
        change = Points.rounded(self.after - self.before)
    }
}

/// Why a trade cannot be analysed, with a message fit to show the user.
public enum TradeError: Error, CustomStringConvertible, Equatable {
    /// A side of the trade lists no players (the argument's name: "my_players" or "their_players").
    case emptySide(String)
    /// Player ids listed more than once (within a side or on both sides).
    case duplicatePlayers([String])
    /// Ids in `myPlayers` that are not on your roster.
    case notOnYourRoster([String])
    /// Ids in `theirPlayers` that are not on the other roster.
    case notOnTheirRoster([String])

    /// The message for the user.
    public var description: String {
        switch self {
        case let .emptySide(side): "\(side) must not be empty"
        case let .duplicatePlayers(ids): "listed more than once: \(ids.joined(separator: ", "))"
        case let .notOnYourRoster(ids): "not on your roster: \(ids.joined(separator: ", "))"
        case let .notOnTheirRoster(ids): "not on their roster: \(ids.joined(separator: ", "))"
        }
    }
}
