import Foundation

/// Values a trade over the rest of the season: each player's value over replacement and, what decides, the
/// change in both rosters' optimal lineups.
public enum TradeAnalyzer {
    /// Analyses giving `myPlayers` (ids on `myRoster`) for `theirPlayers` (ids on `theirRoster`).
    ///
    /// - `slots`: the league's starting slots; `teams`: its number of rosters; `weeks`: the rest of the season,
    ///   current week first; `projections`: player id → week → points for every player in `pool` (the whole
    ///   league's players, rostered or not).
    /// - ROS (rest-of-season points) of a player: his projections summed over the weeks of `weeks` in which he
    ///   can start (`Availability.canStart`, the first week being the current one).
    /// - Replacement level of a position: the ROS of the best player at it left once every team's starting
    ///   slots are filled from `pool` best-first, dedicated slots then flex (see `ReplacementLevels`); a
    ///   player's VOR is his ROS minus his primary position's level.
    /// - Lineup effect: for each roster, the sum over `weeks` of that week's optimal lineup
    ///   (`LineupOptimizer`), before and after the trade.
    /// - Verdict: with threshold = max(5 points, 1% of your lineup's points before), "accept" when your lineup
    ///   changes by at least +threshold, "decline" when by −threshold or worse, "fair" in between (all on the
    ///   2-decimal figures reported). VOR is reported, not decisive.
    ///
    /// Throws `TradeError` when a side is empty, an id is listed twice (on one side or both), or an id is not
    /// on the roster its side names.
    public static func analyze(slots: [String], teams: Int, weeks: ClosedRange<Int>, projections: [String: [Int: Double]],
                               pool: [Player], myRoster: [Player], theirRoster: [Player],
                               myPlayers: [String], theirPlayers: [String]) throws -> TradeAnalysis {
        try validate(myRoster: myRoster, theirRoster: theirRoster, myPlayers: myPlayers, theirPlayers: theirPlayers)
        let given = myPlayers.map { id in myRoster.first { $0.id == id }! }
        let received = theirPlayers.map { id in theirRoster.first { $0.id == id }! }

        func ros(_ player: Player) -> Double {
            weeks.reduce(0) { total, week in
                let projection = projections[player.id]?[week]
                let starts = Availability.canStart(player, projection: projection, isCurrentWeek: week == weeks.lowerBound)
                return total + (starts ? projection ?? 0 : 0)
            }
        }
        let players = unique(pool)
        let rosByID = Dictionary(players.map { ($0.id, ros($0)) }, uniquingKeysWith: { first, _ in first })
        let positions = Set(slots.compactMap(Slot.eligiblePositions).flatMap { $0 })
            .union((given + received).map { Slot.normalizedPosition($0.position) })
        let levels = ReplacementLevels.compute(slots: slots, teams: teams, pool: players, ros: rosByID, positions: positions)

        func valued(_ player: Player) -> (TradePlayer, vor: Double) {
            let points = rosByID[player.id] ?? ros(player)
            let vor = points - (levels[Slot.normalizedPosition(player.position)] ?? 0)
            return (TradePlayer(playerID: player.id, name: player.name, position: player.position, team: player.team,
                                injuryStatus: player.injuryStatus, rosPoints: Points.rounded(points), vor: Points.rounded(vor)), vor)
        }
        let give = given.map(valued), get = received.map(valued)

        func seasonLineup(_ roster: [Player]) -> Double {
            let roster = unique(roster)
            return weeks.reduce(0) { total, week in
                let candidates = roster.map { player in
                    let projection = projections[player.id]?[week]
                    return Candidate(player: player, projection: projection,
                                     available: Availability.canStart(player, projection: projection,
                                                                      isCurrentWeek: week == weeks.lowerBound))
                }
                return total + LineupOptimizer.bestTotal(slots: slots, candidates: candidates)
            }
        }
        let yours = LineupEffect(before: seasonLineup(myRoster),
                                 after: seasonLineup(myRoster.filter { !myPlayers.contains($0.id) } + received))
        let theirs = LineupEffect(before: seasonLineup(theirRoster),
                                  after: seasonLineup(theirRoster.filter { !theirPlayers.contains($0.id) } + given))

        let (verdict, threshold) = verdict(change: yours.change, before: yours.before)
        let valueGiven = Points.rounded(give.reduce(0) { $0 + $1.vor })
        let valueReceived = Points.rounded(get.reduce(0) { $0 + $1.vor })
        let summary = summary(verdict: verdict, given: given, received: received, weeks: weeks, lineup: yours,
                              threshold: threshold, valueGiven: valueGiven, valueReceived: valueReceived)
        return TradeAnalysis(verdict: verdict, summary: summary, weeks: [weeks.lowerBound, weeks.upperBound],
                             youGive: give.map(\.0), youGet: get.map(\.0), valueGiven: valueGiven,
                             valueReceived: valueReceived, yourLineup: yours, theirLineup: theirs,
                             replacementLevels: levels.mapValues(Points.rounded))
    }

    /// The verdict on a lineup change of `change` points from `before`, and the threshold used:
    /// max(5, `before` / 100); "accept" at +threshold or more, "decline" at −threshold or less, else "fair".
    static func verdict(change: Double, before: Double) -> (verdict: String, threshold: Double) {
        let threshold = max(5, before / 100)
        return (change >= threshold ? "accept" : change <= -threshold ? "decline" : "fair", threshold)
    }

    /// Checks the trade's sides (see `analyze`), reporting the first problem found.
    static func validate(myRoster: [Player], theirRoster: [Player], myPlayers: [String], theirPlayers: [String]) throws {
        if myPlayers.isEmpty { throw TradeError.emptySide("my_players") }
        if theirPlayers.isEmpty { throw TradeError.emptySide("their_players") }
        var seen = Set<String>(), repeated: [String] = []
        for id in myPlayers + theirPlayers where !seen.insert(id).inserted && !repeated.contains(id) {
            repeated.append(id)
        }
        if !repeated.isEmpty { throw TradeError.duplicatePlayers(repeated) }
        let mine = Set(myRoster.map(\.id)), theirs = Set(theirRoster.map(\.id))
        let notMine = myPlayers.filter { !mine.contains($0) }
        if !notMine.isEmpty { throw TradeError.notOnYourRoster(notMine) }
        let notTheirs = theirPlayers.filter { !theirs.contains($0) }
        if !notTheirs.isEmpty { throw TradeError.notOnTheirRoster(notTheirs) }
    }

    /// `players` without repeated ids (the first one kept).
    static func unique(_ players: [Player]) -> [Player] {
        var seen = Set<String>()
        return players.filter { seen.insert($0.id).inserted }
    }

    /// The one-sentence summary: verdict, the players, the lineup change against the threshold, and the VOR.
    static func summary(verdict: String, given: [Player], received: [Player], weeks: ClosedRange<Int>,
                        lineup: LineupEffect, threshold: Double, valueGiven: Double, valueReceived: Double) -> String {
        func names(_ players: [Player]) -> String {
            let names = players.map(\.name)
            return names.count <= 1 ? names.joined() : names.dropLast().joined(separator: ", ") + " and " + names.last!
        }
        func number(_ value: Double) -> String { String(format: "%.2f", value) }
        let points = number(abs(lineup.change))
        let effect = switch verdict {
        case "accept": "raises your optimal lineup by \(points) points"
        case "decline": "lowers your optimal lineup by \(points) points"
        default: "changes your optimal lineup by \(lineup.change < 0 ? "-" : "+")\(points) points"
        }
        let bound = verdict == "fair" ? "within the ±\(number(threshold))-point threshold"
                                      : "at least the \(number(threshold))-point threshold"
        let span = weeks.count == 1 ? "week \(weeks.lowerBound)" : "weeks \(weeks.lowerBound)-\(weeks.upperBound)"
        return "\(verdict.prefix(1).uppercased() + verdict.dropFirst()): giving \(names(given)) for \(names(received)) "
            + "\(effect) over \(span) (\(number(lineup.before)) → \(number(lineup.after))), \(bound); "
            + "you give \(number(valueGiven)) points of value over replacement and get \(number(valueReceived))."
    }
}
