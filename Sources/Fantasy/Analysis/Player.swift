import Foundation

/// A player as the analyses see him (Sleeper's id, name, positions, team and injury status), so the lineup
/// optimiser and the trade analyser work on plain values rather than database rows.
public struct Player: Codable, Sendable, Equatable, Hashable {
    /// Sleeper's player id (a team abbreviation for team defenses).
    public var id: String
    /// The player's full name.
    public var name: String
    /// His primary position: QB, RB, WR, TE, K, DEF (or an IDP position such as DL, LB, DB).
    public var position: String
    /// The positions he may fill in a lineup; empty means just `position`.
    public var fantasyPositions: [String]
    /// His NFL team's abbreviation, nil for a free agent.
    public var team: String?
    /// Sleeper's injury status (nil = healthy; "Questionable", "Doubtful", "Out", "IR", "PUP", "Sus", "NA", "COV").
    public var injuryStatus: String?

    /// A player; `fantasyPositions` defaults to none (meaning `[position]`), `team` and `injuryStatus` to nil.
    public init(id: String, name: String, position: String, fantasyPositions: [String] = [], team: String? = nil,
                injuryStatus: String? = nil) {
        self.id = id
        self.name = name
        self.position = position
        self.fantasyPositions = fantasyPositions
        self.team = team
        self.injuryStatus = injuryStatus
    }

    /// The positions he may fill, normalised by `Slot.normalizedPosition` ("DST" counts as "DEF"): his fantasy
    /// positions, or his primary position when that list is empty.
    public var eligiblePositions: Set<String> {
        Set((fantasyPositions.isEmpty ? [position] : fantasyPositions).map(Slot.normalizedPosition))
    }

    enum CodingKeys: String, CodingKey {
        case id, name, position, team
        case fantasyPositions = "fantasy_positions"
        case injuryStatus = "injury_status"
    }

    /// Decodes the snake_case JSON form; a missing `fantasy_positions` reads as none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        position = try container.decode(String.self, forKey: .position)
        fantasyPositions = try container.decodeIfPresent([String].self, forKey: .fantasyPositions) ?? []
        team = try container.decodeIfPresent(String.self, forKey: .team)
        injuryStatus = try container.decodeIfPresent(String.self, forKey: .injuryStatus)
    }

    /// Encodes the snake_case JSON form, writing null for a missing team or injury status.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(position, forKey: .position)
        try container.encode(fantasyPositions, forKey: .fantasyPositions)
        try container.encode(team, forKey: .team)
        try container.encode(injuryStatus, forKey: .injuryStatus)
    }
}
