import Foundation

/// A roster player offered to the lineup optimiser with his projection for the week and whether he can start
/// (the caller decides that with `Availability.canStart`).
public struct Candidate: Sendable, Equatable {
    /// The player.
    public var player: Player
    /// His projected points for the week, nil when he has none (bye or no game).
    public var projection: Double?
    /// Whether he may start this week; an unavailable candidate only ever sits on the bench.
    public var available: Bool

    /// A candidate; `available` is normally `Availability.canStart(player, projection:, isCurrentWeek:)`.
    public init(player: Player, projection: Double?, available: Bool) {
        self.player = player
        self.projection = projection
        self.available = available
    }
}

/// One row of a lineup or bench: the slot and who fills it (player fields null for an empty slot), so the
/// result reads without a second lookup.
public struct LineupEntry: Codable, Sendable, Equatable {
    /// The slot's name ("QB", "FLEX", …; "BN" on the bench).
    public var slot: String
    /// The player's id, nil for an empty slot.
    public var playerID: String?
    /// The player's name.
    public var name: String?
    /// The player's primary position.
    public var position: String?
    /// The player's NFL team.
    public var team: String?
    /// His projection for the week (as given, even for an unavailable player), nil when he has none.
    public var projectedPoints: Double?
    /// His injury status.
    public var injuryStatus: String?

    /// An entry for `slot` holding `candidate` (nil = empty).
    init(slot: String, candidate: Candidate?) {
        self.slot = slot
        playerID = candidate?.player.id
        name = candidate?.player.name
        position = candidate?.player.position
        team = candidate?.player.team
        projectedPoints = candidate?.projection
        injuryStatus = candidate?.player.injuryStatus
    }

    enum CodingKeys: String, CodingKey {
        case slot, name, position, team
        case playerID = "player_id"
        case projectedPoints = "projected_points"
        case injuryStatus = "injury_status"
    }

    /// Encodes every key, writing null for missing values (an empty slot shows as nulls, not missing keys).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(slot, forKey: .slot)
        try container.encode(playerID, forKey: .playerID)
        try container.encode(name, forKey: .name)
        try container.encode(position, forKey: .position)
        try container.encode(team, forKey: .team)
        try container.encode(projectedPoints, forKey: .projectedPoints)
        try container.encode(injuryStatus, forKey: .injuryStatus)
    }
}

/// One suggested lineup move: who leaves slot `slot`, who comes in, and the points it gains.
public struct Change: Codable, Sendable, Equatable {
    /// The slot's name.
    public var slot: String
    /// The current starter's id, nil when the slot is empty now.
    public var out: String?
    /// The suggested starter's id, nil when the slot is best left empty.
    public var `in`: String?
    /// The in player's points minus the out player's (an unavailable or missing out player counts 0), to 2 decimals.
    public var gain: Double

    /// A change of `slot` from `out` to `in` gaining `gain` points.
    public init(slot: String, out: String?, in: String?, gain: Double) {
        self.slot = slot
        self.out = out
        self.in = `in`
        self.gain = gain
    }

    enum CodingKeys: String, CodingKey {
        case slot, out, `in`, gain
    }

    /// Encodes every key, writing null for a missing out or in player.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(slot, forKey: .slot)
        try container.encode(out, forKey: .out)
        try container.encode(self.in, forKey: .in)
        try container.encode(gain, forKey: .gain)
    }
}

/// The lineup optimiser's answer: the best lineup, the bench, the moves from the current starters, and both
/// totals, so a user sees what to change and what it is worth.
public struct Lineup: Codable, Sendable, Equatable {
    /// One entry per starting slot, in the slots' order.
    public var lineup: [LineupEntry]
    /// Every roster player not starting (slot "BN"), best projection first, players without one last.
    public var bench: [LineupEntry]
    /// The moves, one per slot whose suggested player differs from the current starter, in slot order.
    public var changes: [Change]
    /// The suggested lineup's projected points, to 2 decimals.
    public var projectedTotal: Double
    /// The current starters' projected points (an unavailable or missing starter counts 0), to 2 decimals.
    public var currentTotal: Double

    /// A lineup result from its parts.
    public init(lineup: [LineupEntry], bench: [LineupEntry], changes: [Change], projectedTotal: Double,
                currentTotal: Double) {
        self.lineup = lineup
        self.bench = bench
        self.changes = changes
        self.projectedTotal = projectedTotal
        self.currentTotal = currentTotal
    }

    enum CodingKeys: String, CodingKey {
        case lineup, bench, changes
        case projectedTotal = "projected_total"
        case currentTotal = "current_total"
    }
}

/// Rounding of points for display, so results carry the 2 decimals projections are given in.
enum Points {
    /// `value` rounded to 2 decimals (half away from zero).
    static func rounded(_ value: Double) -> Double {
        (value * 100).rounded() / 100 + 0   // + 0 turns -0.0 into 0.0
    }
}
