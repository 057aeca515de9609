import Foundation
import PostgresNIO
import Testing
import TestSupport
@testable import Queue

/// The maintenance services against a real PostgreSQL: the pruner deletes exactly what is past retention
/// (never an unfinished job), the rescuer takes back expired leases, and the heartbeat shows in psql.
@Suite("Maintenance")
struct MaintenanceTests {
    typealias Log = EventLog<MaintenanceEvent>

    @Test func thePrunerDeletesOnlyFinishedJobsAndEventsPastRetentionInBatches() async throws {
        try await TestDatabase.with { db async throws in
            func job(_ label: String) async throws -> Int64 {
                try await db.client.enqueue(EnqueueRequest(kind: "noop", argsJSON: #"{"label": "\#(label)"}"#))
            }
            var old: [Int64] = []
            for state in ["completed", "discarded", "cancelled"] {
                let id = try await job("old \(state)")
                try await db.exec("""
                    UPDATE queue.jobs SET state = \(state)::queue.job_state, finished_at = now() - interval '8 days' WHERE id = \(id)
                    """)
                old.append(id)
            }
            let recent = try await job("recent completed")
            try await db.exec("UPDATE queue.jobs SET state = 'completed', finished_at = now() - interval '6 days' WHERE id = \(recent)")
            let running = try await job("old running")
            try await db.simulateClaim(running)
            try await db.exec("UPDATE queue.jobs SET created_at = now() - interval '30 days', started_at = now() - interval '30 days' WHERE id = \(running)")
            let waiting = try await job("old available")
            try await db.exec("UPDATE queue.jobs SET created_at = now() - interval '30 days', run_at = now() - interval '30 days' WHERE id = \(waiting)")
            let oldEvent = try await db.client.notifyUser("ann", type: "injury", title: "t", message: "m")
            try await db.exec("UPDATE queue.events SET created_at = now() - interval '2 days' WHERE id = \(oldEvent)")
            let newEvent = try await db.client.notifyUser("ann", type: "injury", title: "t", message: "m")

            let log = Log()
            let maintenance = db.maintenance(MaintenanceConfiguration(
                rescueInterval: nil, pruneInterval: .seconds(3600), pruneBatch: 2, observer: { log.record($0) }))
            try await db.withServices([maintenance]) { _ async throws in
                try await log.wait(for: "a prune") { $0.contains { if case .pruned = $0 { true } else { false } } }
            }
            #expect(log.all.contains(.pruned(jobs: 3, events: 1)), "three old finished jobs (in batches of 2) and one old event")
            let left = try await db.column("SELECT id FROM queue.jobs ORDER BY id", as: Int64.self)
            #expect(left == [recent, running, waiting], "recent, running and available jobs stay")
            let events = try await db.column("SELECT id FROM queue.events ORDER BY id", as: Int64.self)
            #expect(events == [newEvent])
        }
    }

    @Test func theRescuerTakesBackExpiredLeasesAndTheHeartbeatShowsIt() async throws {
        try await TestDatabase.with { db async throws in
            let id = try await db.client.enqueue(EnqueueRequest(kind: "noop"))
            try await db.simulateClaim(id, worker: "lost-worker")
            try await db.exec("UPDATE queue.jobs SET lease_expires_at = now() - interval '1 second' WHERE id = \(id)")

            let log = Log()
            let maintenance = db.maintenance(MaintenanceConfiguration(
                name: "maint-1", rescueInterval: .seconds(3600), pruneInterval: nil, heartbeatInterval: .milliseconds(100),
                observer: { log.record($0) }))
            try await db.withServices([maintenance]) { _ async throws in
                // Two heartbeats after the rescue: the second one's totals were certainly read after it.
                try await log.wait(for: "the rescue, then two heartbeats") { events in
                    guard let rescue = events.firstIndex(of: .rescued([id])) else { return false }
                    return events[rescue...].filter { $0 == .heartbeat }.count >= 2
                }
                let status = try await db.scalar("""
                    SELECT format('%s %s', alive, jobs_rescued) FROM queue.scheduler_status WHERE name = 'maint-1'
                    """, as: String.self)
                #expect(status == "t 1", "alive, and its total shows in psql")
            }
            let job = try #require(try await db.client.job(id: id))
            #expect(job.state == .available)
            #expect(job.errors.contains("lease expired (worker lost)"))
            let stopped = try await db.scalar("""
                SELECT format('%s %s', alive, stopped_at IS NOT NULL) FROM queue.scheduler_status WHERE name = 'maint-1'
                """, as: String.self)
            #expect(stopped == "f t", "a clean stop is recorded: no longer alive")
        }
    }
}
