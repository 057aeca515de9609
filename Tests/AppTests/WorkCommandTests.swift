import Foundation
import PostgresNIO
import Testing
import TestSupport
@testable import Queue

/// `huddle work` as a real process: it runs jobs, SIGTERM lets the running job finish and exits 0, and a
/// process killed outright loses nothing.
@Suite("huddle work")
struct WorkCommandTests {
    @Test func runsJobsAndStopsGracefullyOnSigterm() async throws {
        try await TestDatabase.with { db async throws in
            try await db.listening(on: QueueChannel.events) { events async throws in
                var statuses = JobStatuses(db: db, events: events.makeAsyncIterator())
                let worker = try HuddleProcess(db, ["work", "--concurrency", "2", "--poll", "0.2"])

                let quick = try await db.client.enqueue(EnqueueRequest(kind: "noop", userID: "ops"))
                try await statuses.wait(for: quick, status: "completed")

                let slow = try await db.client.enqueue(EnqueueRequest(kind: "sleep", argsJSON: #"{"ms": 700}"#, userID: "ops"))
                try await statuses.wait(for: slow, status: "in_progress")
                worker.process.terminate()  // SIGTERM while the sleep runs
                #expect(await worker.exitStatus() == 0, "a graceful shutdown exits 0")
                #expect(try await db.client.job(id: slow)?.state == .completed, "the running job finished within the grace period")
            }
        }
    }

    /// The crash the lease exists for: SIGKILL mid-job, so nothing is released, completed or said goodbye to.
    /// Once its lease expires the rescuer hands the job to another worker process, which completes it.
    @Test func aWorkerKilledMidJobLosesNothing() async throws {
        try await TestDatabase.with { db async throws in
            try await db.listening(on: QueueChannel.events) { events async throws in
                var statuses = JobStatuses(db: db, events: events.makeAsyncIterator())
                let doomed = try HuddleProcess(db, ["work", "--lease", "2", "--poll", "0.2"])
                let job = try await db.client.enqueue(EnqueueRequest(kind: "sleep", argsJSON: #"{"ms": 1500}"#, userID: "ops"))
                try await statuses.wait(for: job, status: "in_progress")
                let lost = try #require(try await db.client.job(id: job))
                kill(doomed.process.processIdentifier, SIGKILL)
                #expect(await doomed.exitStatus() == SIGKILL)
                #expect(try await db.client.job(id: job)?.state == .running, "a killed worker writes nothing: the job stays running until its lease expires")

                // The scheduler's rescuer (every 0.5 s here) hands the job to a second worker process.
                let rescuer = try HuddleProcess(db, ["schedule", "--rescue-interval", "0.5"])
                let survivor = try HuddleProcess(db, ["work", "--lease", "2", "--poll", "0.2"])
                try await statuses.wait(for: job, status: "completed")
                for process in [survivor, rescuer] {
                    process.process.terminate()
                    #expect(await process.exitStatus() == 0)
                }

                let done = try #require(try await db.client.job(id: job))
                #expect(done.state == .completed)
                #expect(done.attempt == 2, "the lost attempt counts, the rescued one completed")
                #expect(done.worker != nil && done.worker != lost.worker, "a different process finished it")
                #expect(done.errors.contains("lease expired (worker lost)"), "the rescue is recorded: \(done.errors)")
            }
        }
    }
}

/// Reads announced `queue.events` ids until a job's agent_update reaches a status: waiting on events, not time.
private struct JobStatuses {
    let db: TestDatabase
    var events: PostgresNotificationSequence.AsyncIterator

    mutating func wait(for job: Int64, status: String) async throws {
        while let notification = try await events.next() {
            guard let id = Int64(notification.payload) else { continue }
            let matched = try await db.scalar("""
                SELECT count(*)::int FROM queue.events
                 WHERE id <= \(id) AND job_id = \(job) AND payload->>'status' = \(status)
                """, as: Int.self)
            if matched > 0 { return }
        }
        Issue.record("the event stream ended before job \(job) was \(status)")
    }
}
