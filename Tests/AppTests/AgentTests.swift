@testable import App
import Fantasy
import Foundation
import HTTPTypes
import Queue
import TestSupport
import Testing

/// The seed's agent endpoints end to end: a live server, a worker with the fantasy handlers, real sockets.
@Suite("Agents")
struct AgentTests {
    static let league = "1180000000000000001"
    static var snapshot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("demo/sleeper").path
    }

    static func loadDemo(_ db: TestDatabase) async throws -> FantasyAgents {
        let client = try SleeperClient(baseURL: "file://" + snapshot, logger: db.logger)
        let store = FantasyStore(postgres: db.postgres, logger: db.logger)
        _ = try await SleeperImporter(client: client, store: store, logger: db.logger)
            .importLeague(league, members: DemoLoad.users.map { ($0, $0) })
        return FantasyAgents(store: store, sleeper: client, logger: db.logger)
    }

    @Test func sitStartStreamsRisingProgressThenTheLineupAndTheTaskEndpointAgrees() async throws {
        try await TestDatabase.with { db async throws in
            let agents = try await Self.loadDemo(db)
            let worker = db.worker(WorkerConfiguration(concurrency: 2), handlers: .huddle(agents: agents))
            try await LiveServer.with(db) { server async throws in
                try await db.withServices([worker]) { _ async throws in
                    let token = try await server.token("alice")
                    let socket = server.socket("/ws/alice?token=\(token)")
                    socket.send(#"{"type":"ping"}"#)
                    try await socket.wait(for: 1, "pong") { $0.type == "pong" }

                    let (status, created, _) = try await server.request(
                        .post, "/api/v1/agents/sit-start", token: token, json: #"{"league_id":"\#(Self.league)","roster_id":1}"#)
                    #expect(status == .created)
                    #expect(created?.string("status") == "pending")
                    let task = try #require(created?.string("task_id"))
                    let mine: @Sendable (JSONValue) -> Bool = { $0.type == "agent_update" && $0.string("task_id") == task }
                    try await socket.wait(for: 1, "the completed update") { mine($0) && $0.string("status") == "completed" }

                    let updates = socket.received.filter(mine)
                    let progress = updates.compactMap { update -> Int? in
                        if case let .number(value)? = update["progress"] { Int(value) } else { nil }
                    }
                    #expect(progress == progress.sorted(), "progress only rises: \(progress)")
                    #expect(Set(progress.filter { (1...99).contains($0) }).count >= 3, "several steps in between: \(progress)")
                    #expect(updates.contains { $0.string("status") == "in_progress" && $0.string("current_step") != nil })
                    let pushed = try #require(updates.last?["data"]?["result"], "the completed update carries the result")
                    guard case let .array(lineup)? = pushed["lineup"] else { Issue.record("no lineup in \(pushed)"); return }
                    #expect(lineup.count == 10, "one entry per starting slot")

                    let (_, polled, _) = try await server.request(.get, "/api/v1/agents/tasks/\(task)", token: token)
                    #expect(polled?.string("status") == "completed")
                    #expect(polled?["progress"] == .number(100))
                    #expect(polled?["result"] == pushed, "the socket and the task endpoint show the same result")
                    #expect(polled?["error"] == nil || polled?["error"] == .null)
                    socket.close()
                }
            }
        }
    }

    @Test func agentRequestsAreCheckedFieldByFieldAndLeaguesAreListed() async throws {
        try await TestDatabase.with { db async throws in
            _ = try await Self.loadDemo(db)
            try await LiveServer.with(db) { server async throws in
                let alice = try await server.token("alice")
                func post(_ path: String, _ json: String, token: String? = nil) async throws -> (HTTPResponse.Status, JSONValue?) {
                    let (status, body, _) = try await server.request(.post, "/api/v1/agents/\(path)", token: token ?? alice, json: json)
                    return (status, body?["error"]?["fields"])
                }
                var (status, fields) = try await post("sit-start", #"{"week": 40}"#)
                #expect(status == .unprocessableContent)
                #expect(fields?.string("league_id") == "required" && fields?.string("roster_id") == "required")
                #expect(fields?.string("week") == "must be an integer from 1 to 18")
                (status, fields) = try await post("sit-start", #"{"league_id":"42","roster_id":1}"#)
                #expect(status == .unprocessableContent && fields?.string("league_id") == "unknown league 42")
                (status, fields) = try await post("sit-start", #"{"league_id":"\#(Self.league)","roster_id":11}"#)
                #expect(fields?.string("roster_id") == "league \(Self.league) has no roster 11")
                (status, fields) = try await post("sit-start", #"{"league_id":"\#(Self.league)","roster_id":1}"#, token: try await server.token("mallory"))
                #expect(fields?.string("league_id") == "you have no roster in league \(Self.league)")

                let bobsPlayer = try await db.scalar("SELECT players[1] FROM fantasy.rosters WHERE roster_id = 2", as: String.self)
                let carolsPlayer = try await db.scalar("SELECT players[1] FROM fantasy.rosters WHERE roster_id = 3", as: String.self)
                (status, fields) = try await post("trade-analysis", #"{"league_id":"\#(Self.league)","my_players":["\#(bobsPlayer)"],"their_players":["\#(bobsPlayer)","\#(carolsPlayer)"]}"#)
                #expect(status == .unprocessableContent)
                #expect(fields?.string("my_players") == "not on your roster: \(bobsPlayer)")
                #expect(fields?.string("their_players") == "must all be on one roster other than yours")
                (status, fields) = try await post("trade-analysis", #"{"league_id":"\#(Self.league)","my_players":[],"their_players":"x"}"#)
                #expect(fields?.string("my_players") == "must be a non-empty list of player ids (strings)")
                #expect(fields?.string("their_players") == "must be a list of player ids")
                #expect(try await db.scalar("SELECT count(*)::int FROM queue.jobs", as: Int.self) == 0, "nothing was enqueued")

                let (_, leagues, _) = try await server.request(.get, "/api/v1/me/leagues", token: alice)
                guard case let .array(list)? = leagues?["leagues"] else { Issue.record("no leagues: \(String(describing: leagues))"); return }
                #expect(list.count == 1)
                #expect(list.first?.string("league_id") == Self.league && list.first?["roster_id"] == .number(1))
                #expect(list.first?.string("team_name") == "Alice's Aces")
                let (_, none, _) = try await server.request(.get, "/api/v1/me/leagues", token: try await server.token("mallory"))
                #expect(none?["leagues"] == .array([]))
            }
        }
    }
}
