import Foundation

/// The replacement level per position: what the best player nobody would start is worth, the baseline of
/// value over replacement.
enum ReplacementLevels {
    /// Replacement rest-of-season points for each of `positions`, by filling every team's starting slots from
    /// `pool` best-first (by `ros`, then id): first `teams` × each dedicated slot (a slot taking one position;
    /// a player eligible for several goes to the first of his fantasy positions with room), then `teams` ×
    /// each flex slot, narrowest flex first (then in slot order), with the best players left who fit it. The
    /// level of position P is the `ros` of the best player left whose primary position is P, 0 if none is.
    static func compute(slots: [String], teams: Int, pool: [Player], ros: [String: Double],
                        positions: Set<String>) -> [String: Double] {
        let ranked = pool.sorted { (ros[$0.id] ?? 0, $1.id) > (ros[$1.id] ?? 0, $0.id) }
        var taken = [Bool](repeating: false, count: ranked.count)
        let teams = max(teams, 0)

        var room: [String: Int] = [:]
        var flex: [(index: Int, positions: Set<String>)] = []
        for (index, slot) in slots.enumerated() {
            guard let eligible = Slot.eligiblePositions(slot) else { continue }
            if eligible.count == 1, let position = eligible.first {
                room[position, default: 0] += teams
            } else {
                flex.append((index, eligible))
            }
        }

        for (rank, player) in ranked.enumerated() {
            let choices = (player.fantasyPositions.isEmpty ? [player.position] : player.fantasyPositions)
                .map(Slot.normalizedPosition)
            if let position = choices.first(where: { room[$0, default: 0] > 0 }) {
                room[position, default: 0] -= 1
                taken[rank] = true
            }
        }

        for slot in flex.sorted(by: { ($0.positions.count, $0.index) < ($1.positions.count, $1.index) }) {
            var left = teams
            for (rank, player) in ranked.enumerated() where left > 0 && !taken[rank]
                && !player.eligiblePositions.isDisjoint(with: slot.positions) {
                taken[rank] = true
                left -= 1
            }
        }

        var levels: [String: Double] = [:]
        for position in positions {
            let best = ranked.indices.first { !taken[$0] && Slot.normalizedPosition(ranked[$0].position) == position }
            levels[position] = best.map { ros[ranked[$0].id] ?? 0 } ?? 0
        }
        return levels
    }
}
