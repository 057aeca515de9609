import Foundation

/// Chooses the lineup with the most projected points for one week — an exact assignment of roster players to
/// starting slots — and compares it with the current starters.
public enum LineupOptimizer {
    /// The best lineup for `slots` (starting slots, e.g. `Slot.startingSlots(league.rosterPositions)`) from
    /// `candidates` (the roster; a repeated player id counts once), compared with `currentStarters`.
    ///
    /// - Slot s may take candidate p when p is `available`, has a projection, and one of p's fantasy positions
    ///   is among `Slot.eligiblePositions(s)`; each player starts at most once; the lineup maximises the sum of
    ///   projections exactly (Hungarian algorithm). A slot no one can fill stays empty and counts 0, and so does
    ///   one whose only takers project below 0.
    /// - `currentStarters[i]` is the player in slot i now; nil, "0", an id not among `candidates` and a repeat
    ///   of an id already seated earlier all mean empty (missing trailing entries too).
    /// - Among lineups with the same total the one keeping the most current starters in their slot wins, so an
    ///   already optimal lineup yields no changes.
    /// - A slot `Slot.eligiblePositions` does not know (nil) is left as the caller has it: its current starter
    ///   stays there, no change is proposed, and he is counted (if available) in both totals.
    public static func optimize(slots: [String], candidates: [Candidate], currentStarters: [String?]) -> Lineup {
        var seen = Set<String>()
        let roster = candidates.filter { seen.insert($0.player.id).inserted }
        let current = seats(currentStarters, slotCount: slots.count, roster: roster)
        let chosen = assign(slots: slots, candidates: roster, current: current)

        let starting = Set(chosen.compactMap { $0 })
        let lineup = slots.indices.map { LineupEntry(slot: slots[$0], candidate: chosen[$0].map { roster[$0] }) }
        let bench = roster.indices.filter { !starting.contains($0) }
            .map { roster[$0] }
            .sorted { a, b in
                (a.projection ?? -.infinity, b.player.name, b.player.id) > (b.projection ?? -.infinity, a.player.name, a.player.id)
            }
            .map { LineupEntry(slot: "BN", candidate: $0) }

        func points(_ index: Int?) -> Double { index.map { startingPoints(roster[$0]) } ?? 0 }
        let changes = slots.indices.filter { chosen[$0] != current[$0] }.map { i in
            Change(slot: slots[i], out: current[i].map { roster[$0].player.id }, in: chosen[i].map { roster[$0].player.id },
                   gain: Points.rounded(points(chosen[i]) - points(current[i])))
        }
        return Lineup(lineup: lineup, bench: bench, changes: changes,
                      projectedTotal: Points.rounded(chosen.reduce(0) { $0 + points($1) }),
                      currentTotal: Points.rounded(current.reduce(0) { $0 + points($1) }))
    }

    /// The best lineup's points (unrounded) with nobody seated yet, for analyses that only need the total.
    static func bestTotal(slots: [String], candidates: [Candidate]) -> Double {
        let chosen = assign(slots: slots, candidates: candidates, current: Array(repeating: nil, count: slots.count))
        return chosen.reduce(0) { total, index in total + (index.map { startingPoints(candidates[$0]) } ?? 0) }
    }

    /// What `candidate` adds to a lineup: his projection when he can start, else 0.
    static func startingPoints(_ candidate: Candidate) -> Double {
        candidate.available ? candidate.projection ?? 0 : 0
    }

    /// `currentStarters` as candidate indices per slot (see `optimize` for what counts as empty).
    static func seats(_ currentStarters: [String?], slotCount: Int, roster: [Candidate]) -> [Int?] {
        let index = Dictionary(roster.enumerated().map { ($1.player.id, $0) }, uniquingKeysWith: { first, _ in first })
        var seated = Set<Int>()
        return (0..<slotCount).map { i in
            guard i < currentStarters.count, let id = currentStarters[i], let c = index[id], seated.insert(c).inserted else {
                return nil
            }
            return c
        }
    }

    /// The optimal assignment: per slot, the candidate index starting there or nil (see `optimize`).
    static func assign(slots: [String], candidates: [Candidate], current: [Int?]) -> [Int?] {
        var chosen = [Int?](repeating: nil, count: slots.count)
        var open: [(slot: Int, positions: Set<String>)] = []
        for (i, slot) in slots.enumerated() {
            if let positions = Slot.eligiblePositions(slot) {
                open.append((i, positions))
            } else {
                chosen[i] = current[i]   // unknown slot: left as it is
            }
        }
        let fixed = Set(chosen.compactMap { $0 })
        let pool = candidates.indices.filter { candidates[$0].available && candidates[$0].projection != nil && !fixed.contains($0) }

        // Tie-break: keeping slot i's current occupant (a player, or nobody) earns a bonus ε. Projections come in
        // multiples of 0.01, so two lineups with different totals differ by at least 0.01 (up to floating-point
        // noise far below 1e-9); every slot earns ε at most once, so all bonuses together stay below 0.001 and
        // can only order lineups whose totals are equal — among those, the one keeping the most current starters
        // in place wins.
        let epsilon = 0.001 / Double(open.count + 1)
        let weights = open.map { slot in
            pool.map { c -> Double? in
                let candidate = candidates[c]
                guard let projection = candidate.projection,
                      !candidate.player.eligiblePositions.isDisjoint(with: slot.positions) else { return nil }
                return projection + (current[slot.slot] == c ? epsilon : 0)
            }
        }
        let assignment = Hungarian.maximize(weights, unassigned: open.map { current[$0.slot] == nil ? epsilon : 0 })
        for (row, slot) in open.enumerated() {
            chosen[slot.slot] = assignment[row].map { pool[$0] }
        }
        return chosen
    }
}
