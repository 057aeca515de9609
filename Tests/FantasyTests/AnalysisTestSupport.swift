@testable import Fantasy

/// SplitMix64: a small deterministic random number generator, so the randomised analysis tests replay exactly.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The lineup optimum by exhaustive search, the reference the Hungarian optimiser is checked against.
enum BruteForceLineup {
    /// Every assignment of distinct startable candidates to `slots` (each slot a candidate index or nil) with
    /// the largest total, and that total; a slot that stays empty counts 0.
    static func optima(slots: [String], candidates: [Candidate]) -> (total: Double, assignments: [[Int?]]) {
        var best = -Double.infinity
        var assignments: [[Int?]] = []
        var current: [Int?] = []
        var used = Set<Int>()

        func visit(_ slot: Int, _ total: Double) {
            if slot == slots.count {
                if total > best + 1e-9 {
                    best = total
                    assignments = [current]
                } else if abs(total - best) <= 1e-9 {
                    assignments.append(current)
                }
                return
            }
            current.append(nil)
            visit(slot + 1, total)
            current.removeLast()
            guard let positions = Slot.eligiblePositions(slots[slot]) else { return }
            for (index, candidate) in candidates.enumerated() where !used.contains(index) && candidate.available {
                guard let points = candidate.projection, !candidate.player.eligiblePositions.isDisjoint(with: positions) else {
                    continue
                }
                used.insert(index)
                current.append(index)
                visit(slot + 1, total + points)
                current.removeLast()
                used.remove(index)
            }
        }
        visit(0, 0)
        return (best, assignments)
    }
}

/// A player for the analysis tests; `positions` defaults to just `position`.
func testPlayer(_ id: String, _ position: String, positions: [String] = [], team: String? = "TST",
                status: String? = nil) -> Player {
    Player(id: id, name: "Player \(id)", position: position, fantasyPositions: positions.isEmpty ? [position] : positions,
           team: team, injuryStatus: status)
}

/// A current-week candidate whose availability follows `Availability.canStart`.
func testCandidate(_ player: Player, _ projection: Double?) -> Candidate {
    Candidate(player: player, projection: projection,
              available: Availability.canStart(player, projection: projection, isCurrentWeek: true))
}
