@testable import Fantasy
import Foundation
import Logging
import PostgresNIO
import Queue
import TestSupport
import Synchronization
import Testing

/// The domain's analyses and monitors against a real PostgreSQL loaded from the demo snapshot.
@Suite("Fantasy agents")
struct AgentsTests {
    static let league = SnapshotServer.league

    /// Loads `snapshot` (default the committed demo) into `db` with members alice … judy on rosters 1-10.
    static func load(_ db: TestDatabase, snapshot: String = SnapshotServer.directory) async throws -> SleeperImporter.Summary {
        let client = try SleeperClient(baseURL: "file://" + snapshot, logger: db.logger)
        let importer = SleeperImporter(client: client, store: FantasyStore(postgres: db.postgres, logger: db.logger), logger: db.logger)
        let users = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"]
        return try await importer.importLeague(league, members: users.map { ($0, $0) })
    }

    static func agents(_ db: TestDatabase, snapshot: String = SnapshotServer.directory) throws -> FantasyAgents {
        FantasyAgents(store: FantasyStore(postgres: db.postgres, logger: db.logger),
                      sleeper: try SleeperClient(baseURL: "file://" + snapshot, logger: db.logger), logger: db.logger)
    }

    static let noProgress: ProgressReporter = { _, _ in }

    @Test func theDemoImportsWholeAndAgainInPlace() async throws {
        try await TestDatabase.with { db async throws in
            let first = try await Self.load(db)
            #expect(first.rosters == 10 && first.members == 10 && first.players >= 250 && first.projections > 3000)
            let second = try await Self.load(db)
            #expect(second == first)
            #expect(try await db.scalar("SELECT count(*)::int FROM fantasy.members", as: Int.self) == 10)
            #expect(try await db.scalar("SELECT count(*)::int FROM queue.events", as: Int.self) == 0, "a re-import changes nothing")
            let schedules = try await db.column("SELECT name || '=' || every::text FROM queue.schedules ORDER BY name", as: String.self)
            #expect(schedules == ["check-waiver-wire=06:00:00", "monitor-injuries=01:00:00", "optimize-lineups=00:30:00"])
        }
    }

    @Test func sitStartNeverStartsOutIRorByePlayersAndProposesTheBetterLineup() async throws {
        try await TestDatabase.with { db async throws in
            _ = try await Self.load(db)
            let agents = try Self.agents(db)
            let steps = StepLog()
            let alice = try await agents.sitStart(leagueID: Self.league, rosterID: 1, week: nil) { percent, step in steps.record(percent, step) }
            #expect(steps.percents == steps.percents.sorted() && steps.percents.count >= 4, "progress rises step by step")
            let started = alice.lineup.lineup.compactMap(\.playerID)
            let unavailable = try await db.column("""
                SELECT p.player_id FROM fantasy.players p
                 WHERE p.injury_status IN ('Out', 'IR', 'PUP', 'Sus', 'NA')
                    OR NOT EXISTS (SELECT 1 FROM fantasy.projections j, fantasy.nfl_state s
                                    WHERE j.player_id = p.player_id AND j.season = s.season AND j.week = s.week)
                """, as: String.self)
            #expect(Set(started).isDisjoint(with: unavailable), "no Out, IR or bye player starts")
            #expect(!alice.lineup.changes.isEmpty, "alice's demo lineup starts an Out player")
            #expect(alice.lineup.projectedTotal > alice.lineup.currentTotal)
            let gain = alice.lineup.changes.reduce(0) { $0 + $1.gain }
            #expect(abs(gain - (alice.lineup.projectedTotal - alice.lineup.currentTotal)) < 0.05)

            let bob = try await agents.sitStart(leagueID: Self.league, rosterID: 2, week: nil, progress: Self.noProgress)
            #expect(bob.lineup.changes.isEmpty, "bob's demo lineup is already optimal")
            #expect(bob.lineup.projectedTotal == bob.lineup.currentTotal)

            await #expect(throws: FantasyError.unknownLeague("42")) {
                try await agents.sitStart(leagueID: "42", rosterID: 1, week: nil, progress: Self.noProgress)
            }
            await #expect(throws: FantasyError.unknownRoster(league: Self.league, roster: 11)) {
                try await agents.sitStart(leagueID: Self.league, rosterID: 11, week: nil, progress: Self.noProgress)
            }
        }
    }

    @Test func theInjuryMonitorNotifiesTheHoldersOfAChangedPlayerOnce() async throws {
        try await TestDatabase.with { db async throws in
            _ = try await Self.load(db)
            // A snapshot in which one healthy player on carol's roster (roster 3) is now Out.
            let player = try await db.scalar("""
                SELECT p.player_id FROM fantasy.players p JOIN fantasy.rosters r ON r.players @> ARRAY[p.player_id]
                 WHERE r.roster_id = 3 AND p.injury_status IS NULL ORDER BY p.player_id LIMIT 1
                """, as: String.self)
            let changed = try ChangedSnapshot(changing: player, to: "Out")
            defer { changed.remove() }
            let agents = try Self.agents(db, snapshot: changed.directory)

            let first = try await agents.monitorInjuries()
            #expect(first == PlayerRefresh(changes: 1, notifications: 1))
            let sent = try await db.column("""
                SELECT user_id || ':' || (payload ->> 'notification_type') || ':' || (payload -> 'data' ->> 'player_id')
                  || ':' || (payload -> 'data' ->> 'new_status') FROM queue.events ORDER BY id
                """, as: String.self)
            #expect(sent == ["carol:injury:\(player):Out"])
            let again = try await agents.monitorInjuries()
            #expect(again == PlayerRefresh(changes: 0, notifications: 0), "the same status is not news twice")
        }
    }

    @Test func lineupAndWaiverMonitorsNotifyOnlyWhatChangedAndNeverRepeat() async throws {
        try await TestDatabase.with { db async throws in
            _ = try await Self.load(db)
            let agents = try Self.agents(db)
            let lineups = try await agents.optimizeLineups()
            #expect(lineups.checked == 10)
            let lineupUsers = try await db.column("""
                SELECT user_id FROM queue.events WHERE payload ->> 'notification_type' = 'lineup' ORDER BY user_id
                """, as: String.self)
            #expect(lineupUsers.contains("alice") && !lineupUsers.contains("bob"))
            #expect(lineups.notified == lineupUsers.count)
            #expect(try await agents.optimizeLineups().notified == 0, "an unchanged suggestion is not sent again")

            let waivers = try await agents.checkWaiverWire()
            #expect(waivers.checked == 10 && waivers.notified >= 1, "the demo's free agents beat some starters")
            let payloads = try await db.column("""
                SELECT payload -> 'data' -> 'suggestions' -> 0 ->> 'gain' FROM queue.events
                 WHERE payload ->> 'notification_type' = 'waiver'
                """, as: String.self)
            #expect(payloads.allSatisfy { (Double($0) ?? 0) > 0 }, "every suggestion gains points")
            #expect(try await agents.checkWaiverWire().notified == 0)
        }
    }

    @Test func tradeAnalysisValuesBothSidesOfADemoTrade() async throws {
        try await TestDatabase.with { db async throws in
            _ = try await Self.load(db)
            let agents = try Self.agents(db)
            // alice gives her best-projected healthy WR for bob's best-projected healthy RB.
            func best(_ roster: Int, _ position: String) async throws -> String {
                try await db.scalar("""
                    SELECT p.player_id FROM fantasy.players p JOIN fantasy.rosters r ON r.players @> ARRAY[p.player_id]
                      JOIN fantasy.projections j ON j.player_id = p.player_id
                     WHERE r.roster_id = \(roster) AND p.position = \(position) AND p.injury_status IS NULL
                     GROUP BY p.player_id ORDER BY sum(j.pts_ppr) DESC LIMIT 1
                    """, as: String.self)
            }
            let give = try await best(1, "WR"), get = try await best(2, "RB")
            let analysis = try await agents.tradeAnalysis(userID: "alice", leagueID: Self.league, myPlayers: [give],
                                                          theirPlayers: [get], progress: Self.noProgress)
            #expect(["accept", "decline", "fair"].contains(analysis.verdict))
            #expect(analysis.youGive.map(\.playerID) == [give] && analysis.youGet.map(\.playerID) == [get])
            #expect(analysis.yourLineup.before > 0 && analysis.theirLineup.before > 0)
            await #expect(throws: FantasyError.notAMember(user: "mallory", league: Self.league)) {
                try await agents.tradeAnalysis(userID: "mallory", leagueID: Self.league, myPlayers: [give], theirPlayers: [get],
                                               progress: Self.noProgress)
            }
        }
    }
}

/// Progress reports seen, in order.
final class StepLog: Sendable {
    private let steps = Mutex<[(Int, String)]>([])
    func record(_ percent: Int, _ step: String) { steps.withLock { $0.append((percent, step)) } }
    var percents: [Int] { steps.withLock { $0.map(\.0) } }
}

/// A copy of the demo snapshot in a temporary directory with one player's injury status changed.
struct ChangedSnapshot {
    let directory: String

    init(changing player: String, to status: String?) throws {
        directory = NSTemporaryDirectory() + "huddle-snapshot-" + UUID().uuidString
        try FileManager.default.copyItem(atPath: SnapshotServer.directory, toPath: directory)
        let path = directory + "/v1/players/nfl.json"
        var players = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        var entry = players[player] as! [String: Any]
        entry["injury_status"] = status ?? NSNull()
        players[player] = entry
        try JSONSerialization.data(withJSONObject: players).write(to: URL(fileURLWithPath: path))
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}
