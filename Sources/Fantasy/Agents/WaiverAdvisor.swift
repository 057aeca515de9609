import Foundation

/// One waiver suggestion: add a free agent, drop (bench) the starter he beats.
public struct WaiverSuggestion: Codable, Sendable, Equatable {
    public var add: String
    public var addName: String
    public var position: String
    public var addPoints: Double
    public var drop: String
    public var dropName: String
    public var dropPoints: Double
    public var gain: Double

    enum CodingKeys: String, CodingKey {
        case add, position, drop, gain
        case addName = "add_name"
        case addPoints = "add_points"
        case dropName = "drop_name"
        case dropPoints = "drop_points"
    }
}

/// Finds free agents who beat a member's weakest starter at a slot they can fill.
enum WaiverAdvisor {
    /// Up to `limit` (default 3) suggestions, best free agent first; each starter is suggested for replacement
    /// at most once, always the weakest one the free agent could replace.
    static func suggest(lineup: Lineup, freeAgents: [Candidate], limit: Int = 3) -> [WaiverSuggestion] {
        var replaced = Set<Int>()
        var suggestions: [WaiverSuggestion] = []
        for agent in freeAgents.sorted(by: { ($0.projection ?? 0, $1.player.id) > ($1.projection ?? 0, $0.player.id) }) {
            guard suggestions.count < limit, let points = agent.projection else { break }
            let positions = Set(agent.player.fantasyPositions.isEmpty ? [agent.player.position] : agent.player.fantasyPositions)
            let weakest = lineup.lineup.indices
                .filter { !replaced.contains($0) && !(Slot.eligiblePositions(lineup.lineup[$0].slot) ?? []).isDisjoint(with: positions) }
                .min { (lineup.lineup[$0].projectedPoints ?? 0) < (lineup.lineup[$1].projectedPoints ?? 0) }
            guard let index = weakest else { continue }
            let starter = lineup.lineup[index]
            let starterPoints = starter.projectedPoints ?? 0
            guard points > starterPoints, let starterID = starter.playerID else { continue }
            replaced.insert(index)
            suggestions.append(WaiverSuggestion(
                add: agent.player.id, addName: agent.player.name, position: agent.player.position, addPoints: points,
                drop: starterID, dropName: starter.name ?? starterID, dropPoints: starterPoints,
                gain: ((points - starterPoints) * 100).rounded() / 100))
        }
        return suggestions
    }
}
