import Foundation
import PostgresNIO
import Testing
import TestSupport
@testable import Queue

/// `huddle work` as a real process: it runs jobs, and SIGTERM lets the running job finish and exits 0.
@Suite("huddle work")
struct WorkCommandTests {
    @Test func runsJobsAndStopsGracefullyOnSigterm() async throws {
        try await TestDatabase.with { db async throws in
            try await db.listening(on: QueueChannel.events) { events async throws in
                var iterator = events.makeAsyncIterator()
                /// Waits for the job's agent_update with `status`, reading each announced event row.
                func waitFor(_ job: Int64, status: String) async throws {
                    while let notification = try await iterator.next() {
                        guard let id = Int64(notification.payload) else { continue }
                        let matched = try await db.scalar("""
                            SELECT count(*)::int FROM queue.events
                             WHERE id <= \(id) AND job_id = \(job) AND payload->>'status' = \(status)
                            """, as: Int.self)
                        if matched > 0 { return }
                    }
                }

                let process = Process()
                process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                    .appendingPathComponent("huddle")
                process.arguments = ["work", "--concurrency", "2", "--poll", "0.2", "--log-level", "warning"]
                process.environment = ProcessInfo.processInfo.environment.merging(["DATABASE_URL": db.url.urlString]) { _, new in new }
                let exited = AsyncStream<Int32>.makeStream()
                process.terminationHandler = { exited.continuation.yield($0.terminationStatus); exited.continuation.finish() }
                try process.run()

                let quick = try await db.client.enqueue(EnqueueRequest(kind: "noop", userID: "ops"))
                try await waitFor(quick, status: "completed")

                let slow = try await db.client.enqueue(EnqueueRequest(kind: "sleep", argsJSON: #"{"ms": 700}"#, userID: "ops"))
                try await waitFor(slow, status: "in_progress")
                process.terminate()  // SIGTERM while the sleep runs
                var statuses = exited.stream.makeAsyncIterator()
                let status = await statuses.next()
                #expect(status == 0, "a graceful shutdown exits 0")
                #expect(try await db.client.job(id: slow)?.state == .completed, "the running job finished within the grace period")
            }
        }
    }
}
