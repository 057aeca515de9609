@testable import Fantasy
import Foundation
import Testing

/// The lineup optimiser: exact against brute force, never starts unavailable players, keeps an optimal lineup,
/// and reports changes, gains and totals as computed by hand.
@Suite("Lineup optimiser")
struct LineupOptimizerTests {
    static let slotMenu = ["QB", "RB", "WR", "TE", "K", "DEF", "FLEX", "SUPER_FLEX", "WRRB_FLEX", "REC_FLEX", "LB", "IDP_FLEX"]
    static let positionMenu = ["QB", "RB", "WR", "TE", "K", "DEF", "LB", "DL"]
    static let statusMenu: [String?] = [nil, nil, nil, nil, nil, nil, "Questionable", "Doubtful", "Out", "IR", "COV", "Sus", "PUP", "NA"]

    /// A random roster (0-8 candidates), slot layout (1-5 slots) and current starters drawn from `rng`.
    static func randomCase(_ rng: inout SplitMix64) -> (slots: [String], candidates: [Candidate], current: [String?]) {
        let slots = (0..<Int.random(in: 1...5, using: &rng)).map { _ in slotMenu.randomElement(using: &rng)! }
        let ties = Bool.random(using: &rng)   // coarse projections: many equal lineups
        let currentWeek = Int.random(in: 0..<4, using: &rng) > 0
        let candidates = (0..<Int.random(in: 0...8, using: &rng)).map { index -> Candidate in
            let position = positionMenu.randomElement(using: &rng)!
            var positions = [position]
            if Int.random(in: 0..<10, using: &rng) == 0 { positions.append(positionMenu.randomElement(using: &rng)!) }
            let player = testPlayer("p\(index)", position, positions: positions, status: statusMenu.randomElement(using: &rng)!)
            let projection: Double? = Int.random(in: 0..<7, using: &rng) == 0 ? nil
                : ties ? Double(Int.random(in: 0...8, using: &rng)) * 2.5
                : Double(Int.random(in: -100...3000, using: &rng)) / 100
            return Candidate(player: player, projection: projection,
                             available: Availability.canStart(player, projection: projection, isCurrentWeek: currentWeek))
        }
        let current = slots.map { _ -> String? in
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: nil
            case 1: "0"
            case 2: "ghost"
            default: candidates.randomElement(using: &rng)?.player.id
            }
        }
        return (slots, candidates, current)
    }

    /// Checks that `lineup` is a valid assignment of `candidates` to `slots` and returns its unrounded total.
    static func checkValid(_ lineup: Lineup, slots: [String], candidates: [Candidate], _ label: String) -> Double {
        let byID = Dictionary(uniqueKeysWithValues: candidates.map { ($0.player.id, $0) })
        #expect(lineup.lineup.map(\.slot) == slots, "\(label): one entry per slot, in order")
        let started = lineup.lineup.compactMap(\.playerID)
        #expect(Set(started).count == started.count, "\(label): distinct starters")
        var total = 0.0
        for entry in lineup.lineup {
            guard let id = entry.playerID else { continue }
            guard let candidate = byID[id] else { Issue.record("\(label): \(id) is not a candidate"); continue }
            #expect(candidate.available && candidate.projection != nil, "\(label): \(id) cannot start")
            #expect(!candidate.player.eligiblePositions.isDisjoint(with: Slot.eligiblePositions(entry.slot) ?? []),
                    "\(label): \(id) cannot fill \(entry.slot)")
            #expect(entry.projectedPoints == candidate.projection)
            total += candidate.projection ?? 0
        }
        let benched = lineup.bench.compactMap(\.playerID)
        #expect((started + benched).sorted() == candidates.map(\.player.id).sorted(), "\(label): everyone starts or sits once")
        #expect(lineup.bench.allSatisfy { $0.slot == "BN" })
        let benchPoints = lineup.bench.map { $0.projectedPoints ?? -.infinity }
        #expect(benchPoints == benchPoints.sorted(by: >), "\(label): bench sorted by projection")
        return total
    }

    @Test func matchesBruteForceOnSeededRandomRosters() {
        var rng = SplitMix64(seed: 20_260_512)
        var cases = 0, withTies = 0
        for seed in 0..<600 {
            let (slots, candidates, current) = Self.randomCase(&rng)
            let label = "case \(seed): slots \(slots), current \(current)"
            let lineup = LineupOptimizer.optimize(slots: slots, candidates: candidates, currentStarters: current)
            let total = Self.checkValid(lineup, slots: slots, candidates: candidates, label)
            let (best, optima) = BruteForceLineup.optima(slots: slots, candidates: candidates)
            #expect(abs(total - best) < 1e-9, "\(label): optimiser \(total) vs brute force \(best)")
            #expect(lineup.projectedTotal == Points.rounded(best), "\(label)")

            // Changes are exactly the slots whose player differs from the (normalised) current starter.
            let ids = Set(candidates.map(\.player.id))
            var seated = Set<String>()
            let normalised = current.map { id -> String? in
                guard let id, ids.contains(id), seated.insert(id).inserted else { return nil }
                return id
            }
            let expected = slots.indices.filter { lineup.lineup[$0].playerID != normalised[$0] }
            #expect(lineup.changes.map(\.slot) == expected.map { slots[$0] }, "\(label)")
            #expect(lineup.changes.map(\.out) == expected.map { normalised[$0] }, "\(label)")
            #expect(lineup.changes.map(\.in) == expected.map { lineup.lineup[$0].playerID }, "\(label)")
            let gains = lineup.changes.reduce(0) { $0 + $1.gain }
            #expect(abs(gains - (lineup.projectedTotal - lineup.currentTotal)) < 0.005 * Double(slots.count + 1), "\(label)")

            // Starting from any optimal lineup (of possibly many equal ones), nothing changes.
            let chosen = optima[Int.random(in: 0..<optima.count, using: &rng)]
            let starters = chosen.map { $0.map { candidates[$0].player.id } }
            let kept = LineupOptimizer.optimize(slots: slots, candidates: candidates, currentStarters: starters)
            #expect(kept.changes.isEmpty, "\(label): optimal starters \(starters) changed: \(kept.changes)")
            #expect(kept.lineup.map(\.playerID) == starters, "\(label)")
            #expect(kept.projectedTotal == kept.currentTotal, "\(label)")
            cases += 1
            if optima.count > 1 { withTies += 1 }
        }
        #expect(cases == 600 && withTies > 100, "enough cases with several optimal lineups (\(withTies))")
    }

    @Test func outIRCOVAndByePlayersNeverStartEvenWhenTheyProjectHighest() {
        let slots = ["QB", "RB", "WR", "FLEX", "SUPER_FLEX"]
        let candidates = [
            testCandidate(testPlayer("qb-out", "QB", status: "Out"), 31.00),
            testCandidate(testPlayer("qb", "QB"), 17.20),
            testCandidate(testPlayer("qb2", "QB"), 5.00),
            testCandidate(testPlayer("rb-ir", "RB", status: "IR"), 25.00),
            testCandidate(testPlayer("rb-bye", "RB"), nil),
            testCandidate(testPlayer("rb-cov", "RB", status: "COV"), 24.00),
            testCandidate(testPlayer("rb-q", "RB", status: "Questionable"), 11.00),
            testCandidate(testPlayer("wr-sus", "WR", status: "Sus"), 22.00),
            testCandidate(testPlayer("wr", "WR"), 9.50),
            testCandidate(testPlayer("wr-d", "WR", status: "Doubtful"), 4.25),
            testCandidate(testPlayer("te", "TE"), 3.00),
        ]
        let lineup = LineupOptimizer.optimize(slots: slots, candidates: candidates,
                                              currentStarters: ["qb-out", "rb-ir", "wr-sus", "rb-bye", "rb-cov"])
        // QB 17.20, RB 11.00 (Questionable may start), WR 9.50, FLEX 4.25 (Doubtful), SUPER_FLEX 5.00 (qb2):
        // 46.95; every current starter is unavailable, so the current total is 0.
        #expect(lineup.lineup.map(\.playerID) == ["qb", "rb-q", "wr", "wr-d", "qb2"])
        #expect(lineup.projectedTotal == 46.95 && lineup.currentTotal == 0)
        #expect(lineup.changes.count == 5)
        for change in lineup.changes {
            #expect(change.gain == lineup.lineup.first { $0.slot == change.slot }?.projectedPoints, "out counts 0: \(change)")
        }
        // The unavailable ones sit on the bench with their projections; the bye player (none) comes last.
        #expect(lineup.bench.map(\.playerID) == ["qb-out", "rb-ir", "rb-cov", "wr-sus", "te", "rb-bye"])
        #expect(lineup.bench.map(\.projectedPoints) == [31.00, 25.00, 24.00, 22.00, 3.00, nil])
    }

    @Test func availabilityFollowsTheWeekAndTheStatus() {
        let out = testPlayer("o", "RB", status: "Out"), ir = testPlayer("i", "RB", status: "IR")
        let questionable = testPlayer("q", "RB", status: "Questionable"), cov = testPlayer("c", "RB", status: "COV")
        #expect(!Availability.canStart(out, projection: 10, isCurrentWeek: true))
        #expect(Availability.canStart(out, projection: 10, isCurrentWeek: false), "Out is short-term")
        #expect(Availability.canStart(cov, projection: 10, isCurrentWeek: false))
        #expect(!Availability.canStart(cov, projection: 10, isCurrentWeek: true))
        #expect(!Availability.canStart(ir, projection: 10, isCurrentWeek: false) && ir.isUnavailableLongTerm)
        #expect(Availability.canStart(questionable, projection: 10, isCurrentWeek: true))
        #expect(!Availability.canStart(testPlayer("b", "RB"), projection: nil, isCurrentWeek: false), "no projection: bye")
        for status in ["IR", "PUP", "Sus", "NA"] {
            #expect(testPlayer("x", "WR", status: status).isOut(isCurrentWeek: false), "\(status)")
        }
        for status in ["Out", "Doubtful", "Questionable", "COV"] {
            #expect(!testPlayer("x", "WR", status: status).isUnavailableLongTerm, "\(status)")
        }
    }

    @Test func slotsKnowWhichPositionsTheyTake() {
        #expect(Slot.eligiblePositions("FLEX") == ["RB", "WR", "TE"])
        #expect(Slot.eligiblePositions("SUPER_FLEX") == ["QB", "RB", "WR", "TE"])
        #expect(Slot.eligiblePositions("WRRB_FLEX") == ["RB", "WR"])
        #expect(Slot.eligiblePositions("REC_FLEX") == ["WR", "TE"])
        #expect(Slot.eligiblePositions("IDP_FLEX") == ["DL", "LB", "DB"])
        #expect(Slot.eligiblePositions("DST") == ["DEF"] && Slot.eligiblePositions("DEF") == ["DEF"])
        for slot in ["BN", "IR", "TAXI", "RESERVE", "NOT_A_SLOT"] { #expect(Slot.eligiblePositions(slot) == nil, "\(slot)") }
        #expect(Slot.startingSlots(["QB", "RB", "FLEX", "BN", "BN", "IR", "TAXI"]) == ["QB", "RB", "FLEX"])
        let defense = Player(id: "SEA", name: "Seattle", position: "DST")
        #expect(defense.eligiblePositions == ["DEF"], "an empty fantasy_positions means the primary position")
    }

    @Test func anAlreadyOptimalLineupYieldsNoChanges() {
        let slots = ["QB", "RB", "WR", "WR", "FLEX"]
        let candidates = [
            testCandidate(testPlayer("qb", "QB"), 20.00),
            testCandidate(testPlayer("rb1", "RB"), 14.00),
            testCandidate(testPlayer("rb2", "RB"), 6.00),
            testCandidate(testPlayer("wr1", "WR"), 10.00),
            testCandidate(testPlayer("wr2", "WR"), 10.00),
            testCandidate(testPlayer("wr3", "WR"), 10.00),
        ]
        // Three WRs at 10.00 for WR, WR and FLEX: every arrangement is optimal, so whichever is current stays.
        for current in [["qb", "rb1", "wr1", "wr2", "wr3"], ["qb", "rb1", "wr3", "wr1", "wr2"], ["qb", "rb1", "wr2", "wr3", "wr1"]] {
            let lineup = LineupOptimizer.optimize(slots: slots, candidates: candidates, currentStarters: current)
            #expect(lineup.changes.isEmpty, "\(current)")
            #expect(lineup.lineup.map(\.playerID) == current)
            #expect(lineup.projectedTotal == 64.00 && lineup.currentTotal == 64.00)
        }
        // And the optimiser's own answer, fed back, is kept.
        let first = LineupOptimizer.optimize(slots: slots, candidates: candidates, currentStarters: [])
        let again = LineupOptimizer.optimize(slots: slots, candidates: candidates, currentStarters: first.lineup.map(\.playerID))
        #expect(again.changes.isEmpty && again.lineup == first.lineup && again.projectedTotal == again.currentTotal)
    }

    @Test func changesAndGainsMatchAHandComputedCase() throws {
        let slots = ["QB", "RB", "WR", "FLEX", "SUPER_FLEX", "TE", "K"]
        let candidates = [
            testCandidate(testPlayer("q1", "QB"), 20.50),
            testCandidate(testPlayer("q2", "QB"), 18.00),
            testCandidate(testPlayer("r1", "RB"), 15.00),
            testCandidate(testPlayer("r2", "RB"), 9.25),
            testCandidate(testPlayer("r3", "RB", status: "Out"), 12.00),
            testCandidate(testPlayer("w1", "WR"), 13.10),
            testCandidate(testPlayer("w2", "WR"), 11.40),
            testCandidate(testPlayer("w3", "WR"), 8.00),
            testCandidate(testPlayer("k1", "K"), 7.00),
        ]
        // Current: QB q1 20.50, RB r3 (Out: 0), WR w3 8.00, FLEX w1 13.10, SUPER_FLEX r2 9.25, TE empty ("0", no
        // TE on the roster), K "ghost" (not on the roster: empty) → current total 50.85.
        // Best: QB q1 20.50, RB r1 15.00, WR + FLEX w1 13.10 and w2 11.40 (w1 stays at FLEX, where he is),
        // SUPER_FLEX q2 18.00 (beats w2/r2), TE empty, K k1 7.00 → 85.00.
        let lineup = LineupOptimizer.optimize(slots: slots, candidates: candidates,
                                              currentStarters: ["q1", "r3", "w3", "w1", "r2", "0", "ghost"])
        #expect(lineup.lineup.map(\.playerID) == ["q1", "r1", "w2", "w1", "q2", nil, "k1"])
        #expect(lineup.changes == [
            Change(slot: "RB", out: "r3", in: "r1", gain: 15.00),         // 15.00 − 0 (Out)
            Change(slot: "WR", out: "w3", in: "w2", gain: 3.40),          // 11.40 − 8.00
            Change(slot: "SUPER_FLEX", out: "r2", in: "q2", gain: 8.75),  // 18.00 − 9.25
            Change(slot: "K", out: nil, in: "k1", gain: 7.00),            // 7.00 − 0 (ghost = empty)
        ])
        #expect(lineup.projectedTotal == 85.00 && lineup.currentTotal == 50.85)
        #expect(lineup.bench.map(\.playerID) == ["r3", "r2", "w3"])

        // The JSON uses the snake_case keys and writes null for the empty TE slot.
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(lineup)) as? [String: Any])
        #expect(Set(json.keys) == ["lineup", "bench", "changes", "projected_total", "current_total"])
        let entries = try #require(json["lineup"] as? [[String: Any]])
        #expect(Set(entries[5].keys) == ["slot", "player_id", "name", "position", "team", "projected_points", "injury_status"])
        #expect(entries[5]["player_id"] is NSNull && entries[5]["slot"] as? String == "TE")
        let change = try #require((json["changes"] as? [[String: Any]])?.last)
        #expect(change["out"] is NSNull && change["in"] as? String == "k1" && change["gain"] as? Double == 7.0)
        #expect(try JSONDecoder().decode(Lineup.self, from: JSONEncoder().encode(lineup)) == lineup)
    }

    @Test func anUnknownSlotKeepsItsCurrentStarter() {
        let slots = ["QB", "MYSTERY", "WR"]
        let candidates = [
            testCandidate(testPlayer("q", "QB"), 10.00),
            testCandidate(testPlayer("w1", "WR"), 12.00),
            testCandidate(testPlayer("w2", "WR"), 8.00),
        ]
        let lineup = LineupOptimizer.optimize(slots: slots, candidates: candidates, currentStarters: ["q", "w1", "w2"])
        #expect(lineup.lineup.map(\.playerID) == ["q", "w1", "w2"], "w1 stays in the slot the optimiser does not know")
        #expect(lineup.changes.isEmpty && lineup.projectedTotal == 30.00 && lineup.currentTotal == 30.00)
    }

    @Test func theHungarianAlgorithmHandlesRectangularAndForbiddenCases() {
        #expect(Hungarian.maximize([]) == [])
        #expect(Hungarian.maximize([[], []]) == [nil, nil], "no columns: every row stays unassigned")
        #expect(Hungarian.maximize([[5, 3], [4, nil]]) == [1, 0], "3 + 4 beats 5")
        #expect(Hungarian.maximize([[nil, nil], [2, 1]]) == [nil, 0])
        #expect(Hungarian.maximize([[-1, -2]]) == [nil], "a negative weight loses to staying unassigned")
        #expect(Hungarian.maximize([[1], [3], [2]]) == [nil, 0, nil], "more rows than columns")
    }
}
