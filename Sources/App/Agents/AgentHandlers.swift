import Fantasy
import Foundation
import Logging
import PostgresNIO
import Queue

/// Arguments of `sit_start`.
struct SitStartArgs: Codable, Sendable {
    var league_id: String
    var roster_id: Int
    var week: Int?
}

/// Arguments of `trade_analysis` (the user's roster comes from their membership).
struct TradeAnalysisArgs: Codable, Sendable {
    var league_id: String
    var my_players: [String]
    var their_players: [String]
}

/// The fantasy-football job kinds.
enum AgentKinds {
    /// Kinds a user starts through the agent endpoints.
    static let userTasks: Set<String> = ["sit_start", "trade_analysis"]
    /// The monitors, run by the seeded schedules (admins may also enqueue them).
    static let monitors: Set<String> = ["monitor_injuries", "check_waiver_wire", "optimize_lineups"]
    /// Every domain kind.
    static var all: Set<String> { userTasks.union(monitors) }
}

extension JobHandlers {
    /// The built-in kinds plus the fantasy-football kinds, run by `agents`. A domain error (unknown league,
    /// roster or player; bad week) discards the job with its message; anything else is retried.
    static func huddle(agents: FantasyAgents) -> JobHandlers {
        var handlers = JobHandlers.builtin
        handlers.register("sit_start") { (args: SitStartArgs, context: JobContext) in
            try await domain {
                try await agents.sitStart(leagueID: args.league_id, rosterID: args.roster_id, week: args.week,
                                          progress: context.reporter)
            }
        }
        handlers.register("trade_analysis") { (args: TradeAnalysisArgs, context: JobContext) -> TradeAnalysis in
            guard let user = context.userID else { throw JobError.permanent("trade_analysis needs the job's user_id (whose roster)") }
            return try await domain {
                try await agents.tradeAnalysis(userID: user, leagueID: args.league_id, myPlayers: args.my_players,
                                               theirPlayers: args.their_players, progress: context.reporter)
            }
        }
        handlers.register("monitor_injuries") { (_: EmptyArgs, _: JobContext) in
            let refresh = try await domain { try await agents.monitorInjuries() }
            return ["changes": refresh.changes, "notifications": refresh.notifications]
        }
        handlers.register("check_waiver_wire") { (_: EmptyArgs, _: JobContext) in
            try await domain { try await agents.checkWaiverWire() }
        }
        handlers.register("optimize_lineups") { (_: EmptyArgs, _: JobContext) in
            try await domain { try await agents.optimizeLineups() }
        }
        return handlers
    }

    /// Every kind this build's workers run (for the scheduler's and the API's validation).
    static var huddleKinds: [String] { (Set(JobHandlers.builtin.kinds).union(AgentKinds.all)).sorted() }
}

/// Runs `body`, turning the domain's user-facing errors into permanent job failures.
private func domain<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as FantasyError {
        throw JobError.permanent(error.description)
    } catch let error as TradeError {
        throw JobError.permanent(error.description)
    }
}

extension JobContext {
    /// Progress reports for the fantasy analyses.
    var reporter: ProgressReporter {
        { percent, step in try await self.progress(percent, step: step) }
    }
}
