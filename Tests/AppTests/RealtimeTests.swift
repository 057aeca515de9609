import Foundation
import HummingbirdWSClient
import NIOWebSocket
import PostgresNIO
import Testing
import TestSupport
@testable import App
@testable import Queue

/// The real-time path end to end: changes written with SQL (as psql or a worker would) reach exactly the
/// owner's live WebSockets through LISTEN/NOTIFY, `queue.events`, the feed and the hub.
@Suite("Real-time WebSockets")
struct RealtimeTests {
    private func isNotification(_ m: JSONValue) -> Bool { m.type == "notification" }

    @Test func progressAndNotificationsFromSQLReachOnlyTheOwner() async throws {
        try await TestDatabase.with { db async throws in
            try await LiveServer.with(db) { server async throws in
                let alice = server.socket("/ws/alice?token=\(try await server.token("alice"))")
                let bob = server.socket("/ws/bob", headers: [.authorization: "Bearer \(try await server.token("bob"))"])
                // Both registered: a ping each is answered only after the session started.
                alice.send(#"{"type":"ping"}"#)
                bob.send(#"{"type":"ping"}"#)
                try await alice.wait(for: 1, "alice's pong") { $0.type == "pong" }
                try await bob.wait(for: 1, "bob's pong") { $0.type == "pong" }

                let job = try await db.scalar("SELECT queue.enqueue('sleep', '{\"ms\": 1}', user_id => 'alice')", as: Int64.self)
                try await db.simulateClaim(job)
                try await db.exec("SELECT queue.progress(\(job), 40, 'projections loaded')")
                try await db.exec("SELECT queue.notify_user('alice', 'injury', 'Player out', 'Questionable -> Out', '{\"player_id\": \"4046\"}')")
                try await db.exec("SELECT queue.notify_user('bob', 'waiver', 'For bob', 'only bob')")

                try await alice.wait(for: 1, "alice's notification", where: isNotification)
                try await bob.wait(for: 1, "bob's notification", where: isNotification)
                let updates = alice.received.filter { $0.type == "agent_update" }
                #expect(updates.map { $0.string("status") } == ["pending", "in_progress", "in_progress"])
                #expect(updates.last?.string("current_step") == "projections loaded")
                #expect(updates.last?["progress"] == .number(40))
                #expect(updates.allSatisfy { $0.string("task_id") == String(job) })
                let note = try #require(alice.received.first(where: isNotification))
                #expect(note.string("notification_type") == "injury")
                #expect(note.string("title") == "Player out")
                #expect(note["data"]?["player_id"] == .string("4046"))
                #expect(note.string("timestamp") != nil)
                // Bob's socket saw nothing of Alice's, only his pong and his own notification.
                #expect(bob.received.map(\.type) == ["pong", "notification"])
                #expect(bob.received.last?.string("title") == "For bob")
            }
        }
    }

    @Test func wrongOrMissingTokensAreRefused() async throws {
        try await TestDatabase.with { db async throws in
            try await LiveServer.with(db) { server async throws in
                let cases: [(String, String)] = [
                    ("/ws/alice", "no token"),
                    ("/ws/alice?token=not-a-token", "garbage"),
                    ("/ws/alice?token=\(try await server.token("bob"))", "someone else's token"),
                    ("/ws/alice?token=\(try await TokenAuthority(secret: String(repeating: "x", count: 40)).token(for: "alice"))", "another secret"),
                ]
                for (path, what) in cases {
                    let socket = server.socket(path)
                    let frame = try await socket.closeFrame
                    #expect(frame?.closeCode == .policyViolation, "\(what): closed with 1008")
                    #expect(socket.received.isEmpty, "\(what): nothing delivered")
                }
                let (status, body, _) = try await server.request(.get, "/api/v1/jobs")
                #expect(status == .unauthorized)
                #expect(body?["error"]?.string("code") == "unauthorized")
            }
        }
    }

    @Test func anExpiredTokenClosesTheSocket() async throws {
        try await TestDatabase.with { db async throws in
            try await LiveServer.with(db) { server async throws in
                let socket = server.socket("/ws/alice?token=\(try await server.token("alice", ttl: .seconds(2)))")
                socket.send(#"{"type":"ping"}"#)
                try await socket.wait(for: 1, "pong") { $0.type == "pong" }
                let frame = try await socket.closeFrame
                #expect(frame?.closeCode == .policyViolation)
                #expect(frame?.reason == "token expired")
            }
        }
    }

    @Test func resumeAcrossADisconnectDuringABurstDeliversEveryEventOnceInOrder() async throws {
        try await TestDatabase.with { db async throws in
            try await LiveServer.with(db) { server async throws in
                let token = try await server.token("alice")
                let first = server.socket("/ws/alice?token=\(token)")
                first.send(#"{"type":"ping"}"#)
                try await first.wait(for: 1, "pong") { $0.type == "pong" }
                // 500 notifications, each its own transaction, from four concurrent producers.
                let burst = Task {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for lane in 0..<4 {
                            group.addTask {
                                for i in stride(from: lane, to: 500, by: 4) {
                                    try await db.exec("SELECT queue.notify_user('alice', 'burst', \(String(i)), '')")
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                try await first.wait(for: 50, "the first 50", where: isNotification)
                first.close()
                _ = try await first.closeFrame
                let seen = first.received.filter(isNotification)
                let last = try #require(seen.last?.eventID)
                // Reconnect with ?after=, while the burst goes on.
                let second = server.socket("/ws/alice?token=\(token)&after=\(last)")
                try await burst.value
                let total = 500
                try await second.wait(for: total - seen.count, "the rest", where: isNotification)
                let all = (seen + second.received.filter(isNotification)).map { $0.string("title") ?? "" }
                #expect(all.count == total, "every event exactly once")
                #expect(Set(all).count == total)
                let ids = (seen + second.received.filter(isNotification)).compactMap(\.eventID)
                #expect(ids == ids.sorted(), "in order")
                second.close()
            }
        }
    }

    @Test func theResumeMessageReplaysWhatWasMissed() async throws {
        try await TestDatabase.with { db async throws in
            try await LiveServer.with(db) { server async throws in
                for i in 0..<30 { try await db.exec("SELECT queue.notify_user('alice', 'old', \(String(i)), '')") }
                // Connect once the server has routed all 30 (so none reaches this socket live).
                let newest = try await db.scalar("SELECT max(id) FROM queue.events", as: Int64.self)
                try await server.waitUntilRouted(through: newest)
                let socket = server.socket("/ws/alice?token=\(try await server.token("alice"))")
                socket.send(#"{"type":"resume","after":0}"#)
                try await socket.wait(for: 30, "the replay", where: isNotification)
                try await db.exec("SELECT queue.notify_user('alice', 'new', 'live', '')")
                try await socket.wait(for: 31, "the live one", where: isNotification)
                let titles = socket.received.filter(isNotification).compactMap { $0.string("title") }
                #expect(titles == (0..<30).map(String.init) + ["live"])
                socket.close()
            }
        }
    }

    @Test func eventsSurviveTheListenerBeingTerminatedDuringABurst() async throws {
        try await TestDatabase.with { db async throws in
            try await LiveServer.with(db) { server async throws in
                let socket = server.socket("/ws/alice?token=\(try await server.token("alice"))")
                socket.send(#"{"type":"ping"}"#)
                try await socket.wait(for: 1, "pong") { $0.type == "pong" }
                let burst = Task {
                    for i in 0..<500 { try await db.exec("SELECT queue.notify_user('alice', 'burst', \(String(i)), '')") }
                }
                try await socket.wait(for: 100, "the first 100", where: isNotification)
                let killed = try await db.scalar("""
                    SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity
                     WHERE application_name = 'huddle events' AND datname = current_database()
                    """, as: Int.self)
                #expect(killed == 1)
                try await burst.value
                try await socket.wait(for: 500, "all 500", where: isNotification)
                let titles = socket.received.filter(isNotification).compactMap { $0.string("title") }
                #expect(titles == (0..<500).map(String.init), "none lost, none twice, in order")
                socket.close()
            }
        }
    }

    @Test func aStalledClientIsClosedWith1013WhileAnotherKeepsReceiving() async throws {
        try await TestDatabase.with { db async throws in
            // An outbox just over the feed's batch of 1,000: a healthy client absorbs any one batch.
            // A long close grace: the stalled client reads again at the end and must find the 1013 close frame.
            try await LiveServer.with(db, configure: { $0.outboxCapacity = 1100; $0.closeGrace = .seconds(120) }) { server async throws in
                let token = try await server.token("alice")
                let healthy = server.socket("/ws/alice?token=\(token)")
                let stalled = server.socket("/ws/alice?token=\(token)", read: false)
                healthy.send(#"{"type":"ping"}"#)
                try await healthy.wait(for: 1, "pong") { $0.type == "pong" }
                stalled.send(#"{"type":"ping"}"#)
                // Rounds of 1,000 large events that the healthy client keeps up with (it gets each round before
                // the next is written); together they overflow the stalled socket's TCP buffers and outbox.
                let padding = String(repeating: "x", count: 4000)
                for round in 1...10 {
                    try await db.exec("""
                        SELECT queue.notify_user('alice', 'bulk', g::text, \(padding)) FROM generate_series(1, 1000) g
                        """)
                    try await healthy.wait(for: round * 1000, "round \(round) on the healthy socket", where: isNotification)
                }
                stalled.startReading()
                let frame = try await stalled.closeFrame
                #expect(frame?.closeCode == .unknown(1013), "the stalled socket was closed as too slow")
                #expect(stalled.received.filter(isNotification).count < 10_000)
                healthy.close()
            }
        }
    }

    @Test func aClientThatNeverReadsAgainIsDroppedAfterTheCloseGrace() async throws {
        try await TestDatabase.with { db async throws in
            try await LiveServer.with(db, configure: { $0.outboxCapacity = 200; $0.closeGrace = .milliseconds(500) }) { server async throws in
                let token = try await server.token("alice")
                let healthy = server.socket("/ws/alice?token=\(token)")
                let stalled = server.socket("/ws/alice?token=\(token)", read: false)
                healthy.send(#"{"type":"ping"}"#)
                try await healthy.wait(for: 1, "pong") { $0.type == "pong" }
                stalled.send(#"{"type":"ping"}"#)
                // It cannot show a pong (it does not read), so wait for the server to hold both sessions.
                try await eventually("both sockets registered", interval: .milliseconds(20)) { server.hub.sessionCount == 2 }
                // 20 MB for alice: far more than the stalled socket's kernel buffers and outbox hold, so the
                // server's writes to it block, and then even its 1013 close frame cannot be written.
                let padding = String(repeating: "x", count: 10_000)
                for round in 1...10 {
                    try await db.exec("""
                        SELECT queue.notify_user('alice', 'bulk', g::text, \(padding)) FROM generate_series(1, 200) g
                        """)
                    try await healthy.wait(for: round * 200, "round \(round) on the healthy socket", where: isNotification)
                }
                try await eventually("the server letting go of the stalled socket though it never read again",
                                     timeout: .seconds(30), interval: .milliseconds(20)) { server.hub.sessionCount == 1 }
                healthy.send(#"{"type":"ping"}"#)
                try await healthy.wait(for: 2, "a second pong") { $0.type == "pong" }
                stalled.startReading()
                let frame = try? await stalled.closeFrame
                #expect(frame?.closeCode != .normalClosure, "the stalled socket ended as too slow (1013) or dropped")
                #expect(stalled.received.filter(isNotification).count < 2000)
                healthy.close()
            }
        }
    }

    @Test func badFramesGetErrorsAndTheConnectionStays() async throws {
        try await TestDatabase.with { db async throws in
            try await LiveServer.with(db, configure: { $0.maxMessageBytes = 1024 }) { server async throws in
                let mine = try await db.scalar("SELECT queue.enqueue('noop', user_id => 'alice')", as: Int64.self)
                let theirs = try await db.scalar("SELECT queue.enqueue('noop', user_id => 'bob')", as: Int64.self)
                let other = try await db.scalar("SELECT queue.enqueue('noop', user_id => 'alice')", as: Int64.self)
                // The jobs' creation events are routed before the socket exists, so only later updates reach it.
                try await server.waitUntilRouted(through: try await db.scalar("SELECT max(id) FROM queue.events", as: Int64.self))
                let socket = server.socket("/ws/alice?token=\(try await server.token("alice"))")
                socket.send("not json")
                socket.send(#"{"type":"dance"}"#)
                socket.send(#"{"no":"type"}"#)
                socket.send(#"{"type":"subscribe","task_id":"\#(theirs)"}"#)
                socket.send(#"{"type":"subscribe","task_id":\#(mine)}"#)
                socket.send(#"{"type":"ping"}"#)
                try await socket.wait(for: 1, "pong") { $0.type == "pong" }
                let errors = socket.received.filter { $0.type == "error" }.compactMap { $0.string("error") }
                #expect(errors.count == 4)
                #expect(errors[1] == "unknown message type \"dance\"")
                #expect(errors[3] == "task \(theirs) not found")
                // Subscribed to one task: updates of the other are filtered out.
                try await db.exec("SELECT queue.cancel(\(other))")
                try await db.exec("SELECT queue.cancel(\(mine))")
                try await socket.wait(for: 1, "the subscribed task's update") { $0.type == "agent_update" }
                #expect(socket.received.filter { $0.type == "agent_update" }.map { $0.string("task_id") } == [String(mine)])
                // An oversized frame closes with 1009.
                socket.send(String(repeating: "y", count: 4096))
                let frame = try await socket.closeFrame
                #expect(frame?.closeCode == .messageTooLarge)
            }
        }
    }

    @Test func resumingPastTheRetentionWindowSaysResync() async throws {
        try await TestDatabase.with { db async throws in
            try await LiveServer.with(db) { server async throws in
                for i in 0..<5 { try await db.exec("SELECT queue.notify_user('alice', 'old', \(String(i)), '')") }
                let first = try await db.scalar("SELECT min(id) FROM queue.events", as: Int64.self)
                // The pruner took the two oldest.
                try await db.exec("DELETE FROM queue.events WHERE id < \(first + 2)")
                let socket = server.socket("/ws/alice?token=\(try await server.token("alice"))&after=\(first)")
                try await socket.wait(for: 3, "what is left", where: isNotification)
                #expect(socket.received.first?.type == "resync", "told to reload before the replay")
                #expect(socket.received.filter(isNotification).compactMap { $0.string("title") } == ["2", "3", "4"])
                socket.close()
            }
        }
    }

    @Test func gracefulShutdownClosesSocketsWith1001() async throws {
        try await TestDatabase.with { db async throws in
            let socket = try await LiveServer.with(db) { server async throws -> TestSocket in
                let socket = server.socket("/ws/alice?token=\(try await server.token("alice"))")
                socket.send(#"{"type":"ping"}"#)
                try await socket.wait(for: 1, "pong") { $0.type == "pong" }
                return socket  // leaving the block shuts the server down gracefully
            }
            let frame = try await socket.closeFrame
            #expect(frame?.closeCode == .goingAway)
        }
    }
}
