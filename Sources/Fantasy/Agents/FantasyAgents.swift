import Foundation
import Logging

/// Reports a step's progress (0…100) and name to whoever runs the analysis (a job's live progress).
public typealias ProgressReporter = @Sendable (_ percent: Int, _ step: String) async throws -> Void

/// The domain's analyses and monitors over the `fantasy` schema: what the job kinds `sit_start`,
/// `trade_analysis`, `monitor_injuries`, `check_waiver_wire` and `optimize_lineups` run.
public struct FantasyAgents: Sendable {
    let store: FantasyStore
    /// Where `monitor_injuries` refreshes players from; nil = nothing to refresh from.
    let sleeper: SleeperClient?
    let logger: Logger

    /// Agents over `store`; `sleeper` feeds the injury monitor.
    public init(store: FantasyStore, sleeper: SleeperClient?, logger: Logger) {
        self.store = store
        self.sleeper = sleeper
        self.logger = logger
    }

    // MARK: sit_start

    /// The optimal lineup of roster `rosterID` in league `leagueID` for `week` (default the current week).
    public func sitStart(leagueID: String, rosterID: Int, week: Int?, progress: ProgressReporter) async throws -> SitStartResult {
        try await progress(10, "Loading league \(leagueID)")
        let (league, state) = try await loadLeague(leagueID)
        let week = try Self.week(week ?? state.week)
        guard let roster = try await store.rosters(league: leagueID).first(where: { $0.id == rosterID }) else {
            throw FantasyError.unknownRoster(league: leagueID, roster: rosterID)
        }
        try await progress(30, "Loading projections for week \(week)")
        let candidates = try await candidates(for: roster.players, league: league, week: week)
        try await progress(60, "Choosing the best lineup")
        let lineup = LineupOptimizer.optimize(slots: Slot.startingSlots(league.rosterPositions), candidates: candidates,
                                              currentStarters: roster.starters.map { $0 == "0" ? nil : $0 })
        try await progress(90, "Comparing with your current starters")
        return SitStartResult(week: week, lineup: lineup)
    }

    // MARK: trade_analysis

    /// Values a trade for `userID`'s roster in `leagueID`: `myPlayers` go to the roster holding
    /// `theirPlayers`, which come back.
    public func tradeAnalysis(userID: String, leagueID: String, myPlayers: [String], theirPlayers: [String],
                              progress: ProgressReporter) async throws -> TradeAnalysis {
        try await progress(10, "Loading league \(leagueID)")
        let (league, state) = try await loadLeague(leagueID)
        guard let membership = try await store.memberships(of: userID).first(where: { $0.leagueID == leagueID }) else {
            throw FantasyError.notAMember(user: userID, league: leagueID)
        }
        let rosters = try await store.rosters(league: leagueID)
        guard let mine = rosters.first(where: { $0.id == membership.rosterID }) else {
            throw FantasyError.unknownRoster(league: leagueID, roster: membership.rosterID)
        }
        let holders = Set(theirPlayers.compactMap { id in rosters.first { $0.players.contains(id) }?.id })
        guard holders.count == 1, let theirs = rosters.first(where: { $0.id == holders.first }), theirs.id != mine.id else {
            throw FantasyError.invalid(theirPlayers.isEmpty ? "their_players must not be empty"
                                       : "their_players must all be on one other roster of league \(leagueID)")
        }
        let first = try Self.week(max(state.week, 1))
        let weeks = first...max(first, 18)
        try await progress(30, "Loading rest-of-season projections (weeks \(weeks.lowerBound)-\(weeks.upperBound))")
        let pool = try await store.players(nil).map(\.player)
        let projections = try await store.projections(season: league.season, weeks: weeks, format: league.scoringFormat, ids: nil)
        let byID = Dictionary(pool.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        try await progress(60, "Valuing both sides and replaying your lineups")
        let analysis = try TradeAnalyzer.analyze(
            slots: Slot.startingSlots(league.rosterPositions), teams: league.teams, weeks: weeks, projections: projections,
            pool: pool, myRoster: mine.players.compactMap { byID[$0] }, theirRoster: theirs.players.compactMap { byID[$0] },
            myPlayers: myPlayers, theirPlayers: theirPlayers)
        try await progress(90, "Weighing the verdict")
        return analysis
    }

    // MARK: monitors

    /// Refreshes players from Sleeper and notifies members of status changes (once per change).
    public func monitorInjuries() async throws -> PlayerRefresh {
        guard let sleeper else { throw FantasyError.invalid("no Sleeper source configured (--sleeper-url)") }
        let refresh = try await store.refreshPlayers(try await sleeper.players())
        logger.info("injury monitor ran", metadata: ["changes": "\(refresh.changes)", "notifications": "\(refresh.notifications)"])
        return refresh
    }

    /// For each member: free agents projected above their weakest starter at a slot they can fill this week.
    /// An unchanged suggestion is not sent again.
    public func checkWaiverWire() async throws -> MonitorReport {
        var report = MonitorReport()
        for (leagueID, members) in try await membersByLeague() {
            let (league, state) = try await loadLeague(leagueID)
            let week = try Self.week(state.week)
            let rosters = try await store.rosters(league: leagueID)
            let rostered = Set(rosters.flatMap(\.players))
            let all = try await store.players(nil)
            let projections = try await store.projections(season: league.season, weeks: week...week, format: league.scoringFormat, ids: nil)
            let freeAgents = all.filter { !rostered.contains($0.id) }.map {
                let projection = projections[$0.id]?[week]
                return Candidate(player: $0.player, projection: projection,
                                 available: Availability.canStart($0.player, projection: projection, isCurrentWeek: true))
            }.filter(\.available)
            for member in members {
                guard let roster = rosters.first(where: { $0.id == member.rosterID }) else { continue }
                let candidates = try await candidates(for: roster.players, league: league, week: week)
                let lineup = LineupOptimizer.optimize(slots: Slot.startingSlots(league.rosterPositions), candidates: candidates,
                                                      currentStarters: roster.starters.map { $0 == "0" ? nil : $0 })
                let suggestions = WaiverAdvisor.suggest(lineup: lineup, freeAgents: freeAgents)
                report.checked += 1
                let sent = try await store.advise(
                    member.userID, league: leagueID, topic: "waiver",
                    fingerprint: suggestions.isEmpty ? nil : "\(week):" + suggestions.map { "\($0.add)>\($0.drop)" }.joined(separator: ","),
                    title: suggestions.first.map { "Waiver wire: \($0.addName) (\($0.position)) projects \(Self.points($0.addPoints)) vs \($0.dropName)'s \(Self.points($0.dropPoints))" } ?? "",
                    message: suggestions.map { "Add \($0.addName) for \($0.dropName) (+\(Self.points($0.gain)))" }.joined(separator: "; "),
                    data: WaiverNotice(league_id: leagueID, week: week, suggestions: suggestions))
                if sent != nil { report.notified += 1 }
            }
        }
        return report
    }

    /// For each member: the optimal lineup this week; notifies when it differs from their starters (an unchanged
    /// suggestion is not sent again).
    public func optimizeLineups() async throws -> MonitorReport {
        var report = MonitorReport()
        for (leagueID, members) in try await membersByLeague() {
            let (league, state) = try await loadLeague(leagueID)
            let week = try Self.week(state.week)
            let rosters = try await store.rosters(league: leagueID)
            for member in members {
                guard let roster = rosters.first(where: { $0.id == member.rosterID }) else { continue }
                let candidates = try await candidates(for: roster.players, league: league, week: week)
                let lineup = LineupOptimizer.optimize(slots: Slot.startingSlots(league.rosterPositions), candidates: candidates,
                                                      currentStarters: roster.starters.map { $0 == "0" ? nil : $0 })
                report.checked += 1
                let gain = lineup.projectedTotal - lineup.currentTotal
                let names = Dictionary(candidates.map { ($0.player.id, $0.player.name) }, uniquingKeysWith: { first, _ in first })
                let sent = try await store.advise(
                    member.userID, league: leagueID, topic: "lineup",
                    fingerprint: lineup.changes.isEmpty ? nil : "\(week):" + lineup.changes.map { "\($0.slot):\($0.out ?? "-")>\($0.in ?? "-")" }.joined(separator: ","),
                    title: "Lineup: \(lineup.changes.count) change\(lineup.changes.count == 1 ? "" : "s") for week \(week) (+\(Self.points(gain)) pts)",
                    message: lineup.changes.map { "\($0.slot): start \($0.in.flatMap { names[$0] } ?? "nobody") over \($0.out.flatMap { names[$0] } ?? "nobody")" }.joined(separator: "; "),
                    data: LineupNotice(league_id: leagueID, roster_id: roster.id, week: week, changes: lineup.changes,
                                       projected_total: lineup.projectedTotal, current_total: lineup.currentTotal))
                if sent != nil { report.notified += 1 }
            }
        }
        return report
    }

    // MARK: helpers

    private func loadLeague(_ id: String) async throws -> (LeagueInfo, SeasonWeek) {
        guard let league = try await store.league(id) else { throw FantasyError.unknownLeague(id) }
        guard let state = try await store.state() else { throw FantasyError.noState }
        return (league, state)
    }

    private func candidates(for ids: [String], league: LeagueInfo, week: Int) async throws -> [Candidate] {
        let players = try await store.players(ids)
        let missing = Set(ids).subtracting(players.map(\.id))
        if !missing.isEmpty { throw FantasyError.unknownPlayers(missing.sorted()) }
        let projections = try await store.projections(season: league.season, weeks: week...week, format: league.scoringFormat, ids: ids)
        return players.map { row in
            let projection = projections[row.id]?[week]
            return Candidate(player: row.player, projection: projection,
                             available: Availability.canStart(row.player, projection: projection, isCurrentWeek: true))
        }
    }

    private func membersByLeague() async throws -> [(String, [MemberRef])] {
        let members = try await store.members()
        return Dictionary(grouping: members, by: \.leagueID).sorted { $0.key < $1.key }
    }

    static func week(_ week: Int) throws -> Int {
        guard (1...18).contains(week) else { throw FantasyError.invalid("week must be between 1 and 18 (got \(week))") }
        return week
    }

    static func points(_ value: Double) -> String { String(format: "%.1f", value) }
}

/// `sit_start`'s result: the week, then the lineup's fields.
public struct SitStartResult: Encodable, Sendable {
    /// The week optimised.
    public var week: Int
    /// The lineup, bench, changes and totals.
    public var lineup: Lineup

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: WeekKey.self)
        try container.encode(week, forKey: .week)
        try lineup.encode(to: encoder)
    }

    private enum WeekKey: String, CodingKey { case week }
}

/// What a monitor run did.
public struct MonitorReport: Codable, Sendable, Equatable {
    /// Members checked.
    public var checked = 0
    /// Notifications sent.
    public var notified = 0
}

struct WaiverNotice: Encodable {
    var league_id: String
    var week: Int
    var suggestions: [WaiverSuggestion]
}

struct LineupNotice: Encodable {
    var league_id: String
    var roster_id: Int
    var week: Int
    var changes: [Change]
    var projected_total: Double
    var current_total: Double
}

extension PlayerRow {
    /// The analysis' view of this player.
    var player: Player {
        Player(id: id, name: name, position: position ?? fantasyPositions.first ?? "?", fantasyPositions: fantasyPositions,
               team: team, injuryStatus: injuryStatus)
    }
}
