@testable import Fantasy
import Foundation
import Testing

/// The trade analyser on a 2-team league small enough to value by hand, and its validation.
///
/// League: slots QB, RB, WR, FLEX (RB/WR/TE); 2 teams; weeks 1-2, week 1 current. Weekly projections:
///
/// | player | pos | roster | week 1 | week 2 | ROS | note |
/// |---|---|---|---|---|---|---|
/// | a_qb  | QB | mine   | 20 | 20  | 40 | |
/// | a_rb1 | RB | mine   | 15 | 15  | 30 | |
/// | a_rb2 | RB | mine   | 8  | 8   | 16 | |
/// | a_wr1 | WR | mine   | 13 | 13  | 26 | |
/// | a_wr2 | WR | mine   | 10 | bye | 10 | no week-2 projection |
/// | b_qb  | QB | theirs | 18 | 18  | 36 | |
/// | b_rb1 | RB | theirs | 14 | 14  | 28 | |
/// | b_rb2 | RB | theirs | 12 | 12  | 12 | Out: misses the current week only |
/// | b_wr1 | WR | theirs | 12 | 12  | 24 | |
/// | b_wr2 | WR | theirs | 9  | 9   | 18 | |
/// | f_qb  | QB | free   | 10 | 10  | 20 | |
/// | f_rb  | RB | free   | 4.5| 4.5 | 9  | |
/// | f_wr  | WR | free   | 7  | 7   | 14 | |
/// | f_ir  | WR | free   | 30 | 30  | 0  | IR: out every week |
///
/// Replacement: by ROS, the QB slots take a_qb 40 and b_qb 36, RB a_rb1 30 and b_rb1 28, WR a_wr1 26 and
/// b_wr1 24; the two FLEX take the best RB/WR left, b_wr2 18 and a_rb2 16. Left over: f_qb 20, f_wr 14, b_rb2 12,
/// a_wr2 10, f_rb 9, f_ir 0 → QB 20, RB 12, WR 14, TE 0 (nobody).
///
/// Lineups before (QB + RB + WR + FLEX): mine week 1 20+15+13+10 (a_wr2) = 58, week 2 20+15+13+8 (a_rb2) = 56
/// → 114 (threshold max(5, 1.14) = 5); theirs week 1 18+14+12+9 (b_rb2 Out) = 53, week 2 18+14+12+12 = 56 → 109.
@Suite("Trade analyser")
struct TradeAnalyzerTests {
    static let slots = ["QB", "RB", "WR", "FLEX"]
    static let weeks = 1...2

    static let mine = [
        testPlayer("a_qb", "QB"), testPlayer("a_rb1", "RB"), testPlayer("a_rb2", "RB"),
        testPlayer("a_wr1", "WR"), testPlayer("a_wr2", "WR"),
    ]
    static let theirs = [
        testPlayer("b_qb", "QB"), testPlayer("b_rb1", "RB"), testPlayer("b_rb2", "RB", status: "Out"),
        testPlayer("b_wr1", "WR"), testPlayer("b_wr2", "WR"),
    ]
    static let free = [
        testPlayer("f_qb", "QB", team: nil), testPlayer("f_rb", "RB"), testPlayer("f_wr", "WR"),
        testPlayer("f_ir", "WR", status: "IR"),
    ]
    static let projections: [String: [Int: Double]] = [
        "a_qb": [1: 20, 2: 20], "a_rb1": [1: 15, 2: 15], "a_rb2": [1: 8, 2: 8], "a_wr1": [1: 13, 2: 13], "a_wr2": [1: 10],
        "b_qb": [1: 18, 2: 18], "b_rb1": [1: 14, 2: 14], "b_rb2": [1: 12, 2: 12], "b_wr1": [1: 12, 2: 12], "b_wr2": [1: 9, 2: 9],
        "f_qb": [1: 10, 2: 10], "f_rb": [1: 4.5, 2: 4.5], "f_wr": [1: 7, 2: 7], "f_ir": [1: 30, 2: 30],
    ]

    static func analyze(give: [String], get: [String]) throws -> TradeAnalysis {
        try TradeAnalyzer.analyze(slots: slots, teams: 2, weeks: weeks, projections: projections,
                                  pool: mine + theirs + free, myRoster: mine, theirRoster: theirs,
                                  myPlayers: give, theirPlayers: get)
    }

    static let levels: [String: Double] = ["QB": 20, "RB": 12, "WR": 14, "TE": 0]

    @Test func acceptsATwoForOneThatLiftsMyLineup() throws {
        // Give a_rb2 (16, VOR 16 − 12 = 4) and a_wr2 (10, VOR 10 − 14 = −4) for b_wr1 (24, VOR 24 − 14 = 10).
        // Mine after (a_qb, a_rb1, a_wr1, b_wr1): 20+15+13+12 = 60 both weeks → 120, +6 ≥ 5: accept.
        // Theirs after (+ a_rb2, a_wr2): week 1 18+14+10+9 = 51 (b_rb2 Out), week 2 18+14+9+12 = 53 (a_wr2 bye) → 104.
        let analysis = try Self.analyze(give: ["a_rb2", "a_wr2"], get: ["b_wr1"])
        #expect(analysis.verdict == "accept")
        #expect(analysis.weeks == [1, 2])
        #expect(analysis.replacementLevels == Self.levels)
        #expect(analysis.youGive.map(\.playerID) == ["a_rb2", "a_wr2"])
        #expect(analysis.youGive.map(\.rosPoints) == [16, 10] && analysis.youGive.map(\.vor) == [4, -4])
        #expect(analysis.youGet.map(\.rosPoints) == [24] && analysis.youGet.map(\.vor) == [10])
        #expect(analysis.valueGiven == 0 && analysis.valueReceived == 10)
        #expect(analysis.yourLineup == LineupEffect(before: 114, after: 120))
        #expect(analysis.yourLineup.change == 6)
        #expect(analysis.theirLineup == LineupEffect(before: 109, after: 104))
        #expect(analysis.summary.hasPrefix("Accept: giving Player a_rb2 and Player a_wr2 for Player b_wr1 raises your optimal lineup by 6.00 points over weeks 1-2 (114.00 → 120.00)"),
                "\(analysis.summary)")
    }

    @Test func declinesATradeThatCostsMyLineup() throws {
        // Give a_wr1 (26, VOR 12) for b_wr2 (18, VOR 4).
        // Mine after (a_qb, a_rb1, a_rb2, a_wr2, b_wr2): week 1 20+15+10+9 = 54, week 2 20+15+9+8 = 52 (a_wr2 bye)
        // → 106, −8 ≤ −5: decline. Theirs after (+ a_wr1, − b_wr2): week 1 18+14+13+12 = 57, week 2 18+14+13+12 = 57 → 114.
        let analysis = try Self.analyze(give: ["a_wr1"], get: ["b_wr2"])
        #expect(analysis.verdict == "decline")
        #expect(analysis.youGive.map(\.vor) == [12] && analysis.youGet.map(\.vor) == [4])
        #expect(analysis.valueGiven == 12 && analysis.valueReceived == 4)
        #expect(analysis.yourLineup == LineupEffect(before: 114, after: 106))
        #expect(analysis.theirLineup == LineupEffect(before: 109, after: 114))
        #expect(analysis.summary.hasPrefix("Decline: giving Player a_wr1 for Player b_wr2 lowers your optimal lineup by 8.00 points"),
                "\(analysis.summary)")
    }

    @Test func callsASmallChangeFairAndCountsAnOutPlayerFromNextWeek() throws {
        // Give a_wr2 (10, VOR −4) for b_rb2 (Out now: ROS 12 from week 2 only, VOR 0).
        // Mine after (a_qb, a_rb1, a_rb2, a_wr1, b_rb2): week 1 20+15+13+8 = 56 (b_rb2 Out), week 2 20+15+13+12 = 60
        // → 116, +2 < 5: fair. Theirs after (+ a_wr2, − b_rb2): week 1 18+14+12+10 = 54, week 2 18+14+12+9 = 53 → 107.
        let analysis = try Self.analyze(give: ["a_wr2"], get: ["b_rb2"])
        #expect(analysis.verdict == "fair")
        #expect(analysis.youGet.first == TradePlayer(playerID: "b_rb2", name: "Player b_rb2", position: "RB", team: "TST",
                                                      injuryStatus: "Out", rosPoints: 12, vor: 0))
        #expect(analysis.valueGiven == -4 && analysis.valueReceived == 0)
        #expect(analysis.yourLineup == LineupEffect(before: 114, after: 116))
        #expect(analysis.theirLineup == LineupEffect(before: 109, after: 107))
        #expect(analysis.summary.contains("changes your optimal lineup by +2.00 points") && analysis.summary.contains("±5.00"),
                "\(analysis.summary)")
    }

    @Test func theThresholdIsFivePointsOrOnePercent() {
        #expect(TradeAnalyzer.verdict(change: 5, before: 114) == ("accept", 5))
        #expect(TradeAnalyzer.verdict(change: 4.99, before: 114).verdict == "fair")
        #expect(TradeAnalyzer.verdict(change: -5, before: 114).verdict == "decline")
        #expect(TradeAnalyzer.verdict(change: 9.99, before: 1000) == ("fair", 10))
        #expect(TradeAnalyzer.verdict(change: 10, before: 1000).verdict == "accept")
        #expect(TradeAnalyzer.verdict(change: -10, before: 1000).verdict == "decline")
    }

    @Test func theJSONUsesSnakeCaseKeys() throws {
        let analysis = try Self.analyze(give: ["a_wr2"], get: ["b_rb2"])
        let data = try JSONEncoder().encode(analysis)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(json.keys) == ["verdict", "summary", "weeks", "you_give", "you_get", "value_given", "value_received",
                                   "your_lineup", "their_lineup", "replacement_levels"])
        let given = try #require((json["you_give"] as? [[String: Any]])?.first)
        #expect(Set(given.keys) == ["player_id", "name", "position", "team", "injury_status", "ros_points", "vor"])
        #expect(given["injury_status"] is NSNull)
        #expect(Set(try #require(json["your_lineup"] as? [String: Any]).keys) == ["before", "after", "change"])
        #expect(try JSONDecoder().decode(TradeAnalysis.self, from: data) == analysis)
    }

    @Test func rejectsMalformedTrades() {
        #expect(throws: TradeError.emptySide("my_players")) { try Self.analyze(give: [], get: ["b_wr1"]) }
        #expect(throws: TradeError.emptySide("their_players")) { try Self.analyze(give: ["a_wr1"], get: []) }
        #expect(throws: TradeError.notOnYourRoster(["b_wr2"])) { try Self.analyze(give: ["a_wr1", "b_wr2"], get: ["b_wr1"]) }
        #expect(throws: TradeError.notOnTheirRoster(["f_qb"])) { try Self.analyze(give: ["a_wr1"], get: ["f_qb"]) }
        #expect(throws: TradeError.duplicatePlayers(["a_wr1"])) { try Self.analyze(give: ["a_wr1", "a_wr1"], get: ["b_wr1"]) }
        #expect(throws: TradeError.duplicatePlayers(["b_wr1"])) { try Self.analyze(give: ["b_wr1"], get: ["b_wr1"]) }
        #expect(TradeError.notOnYourRoster(["x", "y"]).description == "not on your roster: x, y")
        #expect(TradeError.emptySide("their_players").description == "their_players must not be empty")
    }
}
