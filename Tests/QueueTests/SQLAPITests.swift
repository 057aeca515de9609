import Foundation
import PostgresNIO
import Testing
import TestSupport
@testable import Queue

/// The queue.* functions' contracts, called exactly as the service calls them (through QueueClient) or as
/// an operator would from psql (plain SQL), on a real PostgreSQL.
@Suite("SQL API")
struct SQLAPITests {
    // MARK: enqueue

    @Test func enqueueAppliesTheDocumentedDefaults() async throws {
        try await TestDatabase.with { db async throws in
            let id = try await db.client.enqueue(EnqueueRequest(kind: "noop"))
            let job = try #require(try await db.client.job(id: id))
            #expect(job.state == .available)
            #expect(job.queue == "default")
            #expect(job.priority == 0)
            #expect(job.attempt == 0)
            #expect(job.maxAttempts == 5)
            #expect(job.args == "{}")
            #expect(job.errors == "[]")
            #expect(job.userID == nil)
            #expect(job.finishedAt == nil)
            let queues = try await db.column("SELECT name FROM queue.queues", as: String.self)
            #expect(queues == ["default"])
        }
    }

    @Test func enqueueFromPsqlWithNamedArguments() async throws {
        try await TestDatabase.with { db async throws in
            let id = try await db.scalar("""
                SELECT queue.enqueue('sleep', '{"ms": 5}', queue => 'slow', priority => -3,
                                     run_at => now() + interval '1 hour', max_attempts => 2, user_id => 'alice')
                """, as: Int64.self)
            let job = try #require(try await db.client.job(id: id))
            #expect(job.kind == "sleep")
            #expect(job.queue == "slow")
            #expect(job.priority == -3)
            #expect(job.maxAttempts == 2)
            #expect(job.userID == "alice")
            #expect(job.runAt > Date().addingTimeInterval(3000))
        }
    }

    @Test(arguments: [
        (EnqueueRequest(kind: ""), "kind must not be empty"),
        (EnqueueRequest(kind: "   "), "kind must not be empty"),
        (EnqueueRequest(kind: "noop", queue: ""), "queue must not be empty"),
        (EnqueueRequest(kind: "noop", argsJSON: "[1, 2]"), "args must be a JSON object, not a JSON array"),
        (EnqueueRequest(kind: "noop", argsJSON: "42"), "args must be a JSON object, not a JSON number"),
        (EnqueueRequest(kind: "noop", argsJSON: "{oops"), "invalid input syntax for type json"),
        (EnqueueRequest(kind: "noop", maxAttempts: 0), "max_attempts must be at least 1, got 0"),
        (EnqueueRequest(kind: "noop", maxAttempts: -1), "max_attempts must be at least 1, got -1"),
        (EnqueueRequest(kind: "noop", priority: 40000), "priority 40000 is out of range"),
        (EnqueueRequest(kind: "noop", uniqueKey: ""), "unique_key must not be empty"),
        (EnqueueRequest(kind: "noop", userID: " "), "user_id must not be empty"),
        (EnqueueRequest(kind: String(repeating: "k", count: 201)), "kind is 201 characters long; the limit is 200"),
    ])
    func enqueueRefusesBadArgumentsClearlyAndAddsNothing(request: EnqueueRequest, message: String) async throws {
        try await TestDatabase.with { db async throws in
            await #expect {
                _ = try await db.client.enqueue(request)
            } throws: { error in
                guard case let .invalidArgument(got, _) = error as? QueueError else { return false }
                return got.hasPrefix(message)
            }
            #expect(try await db.scalar("SELECT count(*)::int FROM queue.jobs", as: Int.self) == 0)
        }
    }

    @Test func badArgumentsComeWithAHint() async throws {
        try await TestDatabase.with { db async throws in
            await #expect(throws: QueueError.invalidArgument(
                message: "max_attempts must be at least 1, got 0",
                hint: "max_attempts counts the first run: 1 means never retry.")) {
                _ = try await db.client.enqueue(EnqueueRequest(kind: "noop", maxAttempts: 0))
            }
        }
    }

    @Test func sixteenConcurrentEnqueuesWithOneKeyMakeOneJobAndAllGetItsId() async throws {
        try await TestDatabase.with(maximumConnections: 16) { db async throws in
            let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<16 {
                    group.addTask { try await db.client.enqueue(EnqueueRequest(kind: "noop", uniqueKey: "league:42:refresh")) }
                }
                var ids: [Int64] = []
                for try await id in group { ids.append(id) }
                return ids
            }
            #expect(ids.count == 16)
            #expect(Set(ids).count == 1)
            let live = try await db.scalar(
                "SELECT count(*)::int FROM queue.jobs WHERE unique_key = 'league:42:refresh'", as: Int.self)
            #expect(live == 1)
        }
    }

    @Test func aUniqueKeyIsFreeAgainOnceItsJobFinishes() async throws {
        try await TestDatabase.with { db async throws in
            let request = EnqueueRequest(kind: "noop", uniqueKey: "k")
            let first = try await db.client.enqueue(request)
            try await db.simulateClaim(first)
            #expect(try await db.client.enqueue(request) == first, "a running job still holds its key")
            try await db.simulateComplete(first)
            let second = try await db.client.enqueue(request)
            #expect(second != first)
            #expect(try await db.client.cancel(jobID: second))
            let third = try await db.client.enqueue(request)
            #expect(third != second)
        }
    }

    @Test func enqueueWakesWaitingWorkersWithTheQueueNameOnlyAndBusyOnesNotAtAll() async throws {
        try await TestDatabase.with { db async throws in
            try await db.listening(on: "huddle_jobs") { stream async throws in
                var iterator = stream.makeAsyncIterator()
                // No worker waits: an enqueue sends nothing (the marker arrives first).
                _ = try await db.client.enqueue(EnqueueRequest(kind: "noop", queue: "fast"))
                try await db.exec("SELECT pg_notify('huddle_jobs', 'marker-1')")
                #expect(try await iterator.next()?.payload == "marker-1")

                // A worker about to wait: the next enqueue wakes it, naming the queue and nothing else.
                #expect(try await db.scalar("SELECT queue.await_work(ARRAY['fast'])", as: Bool.self))
                _ = try await db.client.enqueue(EnqueueRequest(kind: "noop", argsJSON: #"{"secret": "x"}"#, queue: "fast"))
                #expect(try await iterator.next()?.payload == "fast")

                // A worker finding plenty of work: enqueues are silent again.
                _ = try await db.column("SELECT id FROM queue.claim('w', 'fast', ARRAY['noop'], 1, stop_wakeups => true)", as: Int64.self)
                _ = try await db.client.enqueue(EnqueueRequest(kind: "noop", queue: "fast"))
                try await db.exec("SELECT pg_notify('huddle_jobs', 'marker-2')")
                #expect(try await iterator.next()?.payload == "marker-2")

                // A job for later wakes nobody, even with a worker waiting.
                #expect(try await db.scalar("SELECT queue.await_work(ARRAY['fast'])", as: Bool.self))
                _ = try await db.client.enqueue(EnqueueRequest(kind: "noop", queue: "fast", runAt: Date().addingTimeInterval(600)))
                try await db.exec("SELECT pg_notify('huddle_jobs', 'marker-3')")
                #expect(try await iterator.next()?.payload == "marker-3")
            }
        }
    }

    @Test func aWorkerIsNotArmedWhileAnEnqueueIsInFlight() async throws {
        try await TestDatabase.with { db async throws in
            try await db.withConnection { enqueuer async throws in
                try await enqueuer.query("BEGIN", logger: db.logger)
                try await enqueuer.query("SELECT queue.enqueue('noop', queue => 'fast')", logger: db.logger).consume()
                // The uncommitted enqueue holds the wake-up lock shared: arming now could miss its job.
                #expect(try await db.scalar("SELECT queue.await_work(ARRAY['fast'])", as: Bool.self) == false)
                #expect(try await db.scalar(
                    "SELECT coalesce((SELECT workers_waiting FROM queue.queues WHERE name = 'fast'), false)", as: Bool.self) == false)
                try await enqueuer.query("COMMIT", logger: db.logger)
            }
            #expect(try await db.scalar("SELECT queue.await_work(ARRAY['fast'])", as: Bool.self))
            #expect(try await db.scalar("SELECT workers_waiting FROM queue.queues WHERE name = 'fast'", as: Bool.self))
        }
    }

    @Test func anEnqueueThatMeetsAWorkerArmingWaitsForItAndThenWakesIt() async throws {
        try await TestDatabase.with { db async throws in
            try await db.exec("SELECT queue.enqueue('noop', queue => 'fast')")  // the queue's row exists, unarmed
            try await db.listening(on: "huddle_jobs") { stream async throws in
                var iterator = stream.makeAsyncIterator()
                try await db.withConnection { worker async throws in
                    // A worker arming, not yet committed: an enqueue now must not read the flag before it can see it.
                    try await worker.query("BEGIN", logger: db.logger)
                    let armed = try await worker.query("SELECT queue.await_work(ARRAY['fast'])", logger: db.logger)
                        .collect().first?.decode(Bool.self)
                    #expect(armed == true)
                    let enqueue = Task { try await db.client.enqueue(EnqueueRequest(kind: "noop", queue: "fast")) }
                    try await eventually("the enqueue to wait on the wake-up lock") {
                        try await db.scalar("""
                            SELECT count(*)::int FROM pg_locks l JOIN pg_database d ON d.oid = l.database
                             WHERE d.datname = current_database() AND l.locktype = 'advisory' AND NOT l.granted
                            """, as: Int.self) == 1
                    }
                    try await worker.query("COMMIT", logger: db.logger)
                    _ = try await enqueue.value
                }
                // The wake-up arrives before this marker; without it the marker comes first.
                try await db.exec("SELECT pg_notify('huddle_jobs', 'marker')")
                #expect(try await iterator.next()?.payload == "fast")
            }
        }
    }

    // MARK: cancel

    @Test func cancelRulesForEveryState() async throws {
        try await TestDatabase.with { db async throws in
            let states = try await jobsInEveryState(db)
            #expect(try await db.client.cancel(jobID: states.available))
            #expect(try await db.client.cancel(jobID: states.running))
            for id in [states.completed, states.discarded, states.cancelled] {
                #expect(try await db.client.cancel(jobID: id) == false)
            }
            #expect(try await db.client.job(id: states.available)?.state == .cancelled)
            #expect(try await db.client.job(id: states.running)?.state == .cancelled)
            #expect(try await db.client.job(id: states.running)?.finishedAt != nil)
            #expect(try await db.client.job(id: states.completed)?.state == .completed)
            #expect(try await db.client.job(id: states.discarded)?.state == .discarded)
            await #expect(throws: QueueError.self) { _ = try await db.client.cancel(jobID: 999_999) }
        }
    }

    @Test func cancellingARunningJobTellsItsWorker() async throws {
        try await TestDatabase.with { db async throws in
            let id = try await db.client.enqueue(EnqueueRequest(kind: "sleep"))
            try await db.simulateClaim(id)
            try await db.listening(on: "huddle_cancel") { stream async throws in
                #expect(try await db.client.cancel(jobID: id))
                var iterator = stream.makeAsyncIterator()
                #expect(try await iterator.next()?.payload == String(id))
            }
        }
    }

    @Test func aCancelledWorkersLateWritesAreFencedOut() async throws {
        try await TestDatabase.with { db async throws in
            let id = try await db.client.enqueue(EnqueueRequest(kind: "sleep"))
            let attempt = try await db.simulateClaim(id)
            #expect(try await db.client.cancel(jobID: id))
            #expect(try await db.client.progress(jobID: id, percent: 90, step: "late", attempt: attempt) == false)
            #expect(try await db.client.job(id: id)?.progress == 0)
        }
    }

    // MARK: retry

    @Test func retryRulesForEveryState() async throws {
        try await TestDatabase.with { db async throws in
            let states = try await jobsInEveryState(db)
            for id in [states.available, states.running, states.completed] {
                #expect(try await db.client.retry(jobID: id) == false)
            }
            #expect(try await db.client.job(id: states.running)?.state == .running)
            for id in [states.discarded, states.cancelled] {
                let before = try #require(try await db.client.job(id: id))
                #expect(try await db.client.retry(jobID: id))
                let after = try #require(try await db.client.job(id: id))
                #expect(after.state == .available)
                #expect(after.finishedAt == nil)
                #expect(after.attempt == before.attempt, "attempt only grows, so old claims stay fenced")
                #expect(after.maxAttempts - after.attempt == before.maxAttempts, "a fresh budget of max_attempts runs")
                #expect(after.errors == before.errors, "the failure history is kept")
            }
            await #expect(throws: QueueError.self) { _ = try await db.client.retry(jobID: 999_999) }
            await #expect(throws: QueueError.invalidArgument(message: "attempts must be at least 1, got 0", hint: nil)) {
                _ = try await db.client.retry(jobID: states.discarded, attempts: 0)
            }
        }
    }

    @Test func retryWithAnExplicitBudget() async throws {
        try await TestDatabase.with { db async throws in
            let id = try await db.client.enqueue(EnqueueRequest(kind: "noop"))
            try await db.exec("SELECT queue.discard(\(id))")
            #expect(try await db.client.retry(jobID: id, attempts: 2))
            let job = try #require(try await db.client.job(id: id))
            #expect(job.maxAttempts == job.attempt + 2)
        }
    }

    // MARK: progress

    @Test func progressUpdatesTheRowAndReachesTheUser() async throws {
        try await TestDatabase.with { db async throws in
            let id = try await db.client.enqueue(EnqueueRequest(kind: "sit_start", userID: "alice"))
            let attempt = try await db.simulateClaim(id)
            #expect(try await db.client.progress(jobID: id, percent: 40, step: "projecting", dataJSON: #"{"week": 3}"#, attempt: attempt))
            let job = try #require(try await db.client.job(id: id))
            #expect(job.progress == 40)
            #expect(job.currentStep == "projecting")
            let payload = try await db.scalar("""
                SELECT payload::text FROM queue.events WHERE job_id = \(id) ORDER BY id DESC LIMIT 1
                """, as: String.self)
            let event = try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any]
            #expect(event?["status"] as? String == "in_progress")
            #expect(event?["progress"] as? Int == 40)
            #expect(event?["current_step"] as? String == "projecting")
            #expect((event?["data"] as? [String: Any])?["week"] as? Int == 3)
            #expect(event?["task_id"] as? String == String(id))
        }
    }

    @Test func progressRefusesBadInputAndNonRunningJobs() async throws {
        try await TestDatabase.with { db async throws in
            let id = try await db.client.enqueue(EnqueueRequest(kind: "noop"))
            await #expect(throws: QueueError.wrongState(message: "job \(id) is available, not running")) {
                _ = try await db.client.progress(jobID: id, percent: 10, step: nil)
            }
            let attempt = try await db.simulateClaim(id)
            for bad in [-1, 101] {
                await #expect {
                    _ = try await db.client.progress(jobID: id, percent: bad, step: nil)
                } throws: { error in
                    if case .invalidArgument = error as? QueueError { return true }
                    return false
                }
            }
            #expect(try await db.client.progress(jobID: id, percent: 10, step: nil, attempt: attempt + 1) == false,
                    "another attempt's write is fenced out")
            await #expect(throws: QueueError.self) { _ = try await db.client.progress(jobID: 999_999, percent: 1, step: nil) }
        }
    }

    // MARK: events

    @Test func everyStateChangeOfAUsersJobBecomesAnAgentUpdate() async throws {
        try await TestDatabase.with { db async throws in
            let id = try await db.client.enqueue(EnqueueRequest(kind: "sit_start", userID: "alice"))
            try await db.simulateClaim(id)
            _ = try await db.client.cancel(jobID: id)
            _ = try await db.client.retry(jobID: id)
            // An operator's raw UPDATE from psql reaches the browser the same way.
            try await db.exec("UPDATE queue.jobs SET state = 'discarded', finished_at = now() WHERE id = \(id)")
            let statuses = try await db.column("""
                SELECT payload->>'status' FROM queue.events WHERE job_id = \(id) AND user_id = 'alice' ORDER BY id
                """, as: String.self)
            #expect(statuses == ["pending", "in_progress", "cancelled", "pending", "failed"])
        }
    }

    @Test func systemJobsWriteNoEvents() async throws {
        try await TestDatabase.with { db async throws in
            let id = try await db.client.enqueue(EnqueueRequest(kind: "noop"))
            try await db.simulateClaim(id)
            _ = try await db.client.progress(jobID: id, percent: 50, step: "half")
            _ = try await db.client.cancel(jobID: id)
            #expect(try await db.scalar("SELECT count(*)::int FROM queue.events", as: Int.self) == 0)
        }
    }

    @Test func notifyUserStoresAndAnnouncesTheNotification() async throws {
        try await TestDatabase.with { db async throws in
            try await db.listening(on: "huddle_events") { stream async throws in
                let id = try await db.client.notifyUser("bob", type: "injury", title: "Player out",
                                                        message: "Questionable -> Out", dataJSON: #"{"player_id": "4034"}"#)
                var iterator = stream.makeAsyncIterator()
                #expect(try await iterator.next()?.payload == String(id), "the NOTIFY carries the event id only")
                let row = try await db.scalar("""
                    SELECT jsonb_build_object('user', user_id, 'type', type, 'payload', payload)::text
                      FROM queue.events WHERE id = \(id)
                    """, as: String.self)
                let event = try JSONSerialization.jsonObject(with: Data(row.utf8)) as? [String: Any]
                #expect(event?["user"] as? String == "bob")
                #expect(event?["type"] as? String == "notification")
                let payload = event?["payload"] as? [String: Any]
                #expect(payload?["notification_type"] as? String == "injury")
                #expect(payload?["title"] as? String == "Player out")
                #expect(payload?["message"] as? String == "Questionable -> Out")
                #expect((payload?["data"] as? [String: Any])?["player_id"] as? String == "4034")
            }
            await #expect(throws: QueueError.self) {
                _ = try await db.client.notifyUser("", type: "injury", title: "t", message: "m")
            }
            await #expect(throws: QueueError.self) {
                _ = try await db.client.notifyUser("bob", type: "injury", title: "t", message: "m", dataJSON: "[]")
            }
        }
    }

    // MARK: pause and resume

    @Test func pauseAndResumeAreIdempotentAndVisibleInStats() async throws {
        try await TestDatabase.with { db async throws in
            #expect(try await db.client.pause(queue: "imports"))
            #expect(try await db.client.pause(queue: "imports") == false)
            #expect(try await db.scalar("SELECT bool_and(paused) FROM queue.stats WHERE queue = 'imports'", as: Bool.self))
            #expect(try await db.client.resume(queue: "imports"))
            #expect(try await db.client.resume(queue: "imports") == false)
            #expect(try await db.scalar("SELECT bool_or(paused) FROM queue.stats WHERE queue = 'imports'", as: Bool.self) == false)
            await #expect(throws: QueueError.self) { _ = try await db.client.pause(queue: "") }
        }
    }

    // MARK: bulk operations

    @Test func bulkRetryDiscardAndReschedule() async throws {
        try await TestDatabase.with { db async throws in
            var waiting: [Int64] = []
            for _ in 0..<3 { waiting.append(try await db.client.enqueue(EnqueueRequest(kind: "check_waiver_wire"))) }
            let other = try await db.client.enqueue(EnqueueRequest(kind: "noop"))

            #expect(try await db.scalar("SELECT queue.discard_jobs(kind => 'check_waiver_wire', reason => 'feed down')", as: Int.self) == 3)
            #expect(try await db.client.job(id: other)?.state == .available)
            let reason = try await db.scalar("SELECT errors->0->>'error' FROM queue.jobs WHERE id = \(waiting[0])", as: String.self)
            #expect(reason == "feed down")

            #expect(try await db.scalar("SELECT queue.retry_jobs(kind => 'check_waiver_wire')", as: Int.self) == 3)
            #expect(try await db.scalar("SELECT count(*)::int FROM queue.jobs WHERE state = 'available'", as: Int.self) == 4)

            let later = try await db.scalar(
                "SELECT queue.reschedule_jobs(queue => 'default', run_at => now() + interval '1 day')", as: Int.self)
            #expect(later == 4)
            let dueLag = try await db.scalar("""
                SELECT extract(epoch FROM lag)::int FROM queue.stats WHERE queue = 'default' AND state = 'available'
                """, as: Int.self)
            #expect(dueLag == 0, "nothing is due, so nothing lags")
            #expect(try await db.scalar("SELECT queue.reschedule(\(other), now() - interval '1 hour')", as: Bool.self))
            let lagSeconds = try await db.scalar("""
                SELECT extract(epoch FROM lag)::int FROM queue.stats WHERE queue = 'default' AND state = 'available'
                """, as: Int.self)
            #expect(lagSeconds >= 3600)
        }
    }

    @Test func bulkOperationsRefuseBadFilters() async throws {
        try await TestDatabase.with { db async throws in
            await #expect {
                try await db.exec("SELECT queue.retry_jobs(state => 'bogus')")
            } throws: { error in
                let error = error as? PSQLError
                return error?.serverMessage == "unknown job state 'bogus'"
                    && error?.serverInfo?[.hint] == "Job states are: available, running, completed, discarded, cancelled."
            }
            await #expect(throws: PSQLError.self) { try await db.exec("SELECT queue.retry_jobs(state => 'completed')") }
            await #expect(throws: PSQLError.self) { try await db.exec("SELECT queue.discard_jobs()") }
            await #expect(throws: PSQLError.self) { try await db.exec("SELECT queue.reschedule(1, NULL)") }
        }
    }

    @Test func discardAndRescheduleOnlyTouchAvailableJobs() async throws {
        try await TestDatabase.with { db async throws in
            let states = try await jobsInEveryState(db)
            for id in [states.running, states.completed, states.discarded, states.cancelled] {
                #expect(try await db.scalar("SELECT queue.discard(\(id))", as: Bool.self) == false)
                #expect(try await db.scalar("SELECT queue.reschedule(\(id), now())", as: Bool.self) == false)
            }
            #expect(try await db.scalar("SELECT queue.discard(\(states.available), 'bad args')", as: Bool.self))
            #expect(try await db.client.job(id: states.available)?.state == .discarded)
        }
    }

    // MARK: prune

    @Test func pruneDeletesOnlyOldFinishedJobsAndOldEvents() async throws {
        try await TestDatabase.with { db async throws in
            let states = try await jobsInEveryState(db, userID: "carol")
            try await db.exec("UPDATE queue.jobs SET finished_at = now() - interval '30 days' WHERE finished_at IS NOT NULL")
            try await db.exec("UPDATE queue.jobs SET run_at = now() - interval '30 days', created_at = now() - interval '30 days'")
            let recent = try await db.client.enqueue(EnqueueRequest(kind: "noop"))
            try await db.simulateClaim(recent)
            try await db.simulateComplete(recent)
            try await db.exec("UPDATE queue.events SET created_at = now() - interval '2 days' WHERE job_id <> \(states.available)")

            let (jobs, events) = try await db.postgres.query(
                "SELECT jobs_deleted::int, events_deleted::int FROM queue.prune()", logger: db.logger
            ).decode((Int, Int).self).first { _ in true } ?? (-1, -1)
            #expect(jobs == 3)
            let left = Set(try await db.column("SELECT id FROM queue.jobs", as: Int64.self))
            #expect(left == [states.available, states.running, recent])
            #expect(events > 0)
            #expect(try await db.scalar("SELECT count(*)::int FROM queue.events WHERE created_at < now() - interval '1 day'", as: Int.self) == 0)
            await #expect(throws: PSQLError.self) { try await db.exec("SELECT * FROM queue.prune('-1 day')") }
        }
    }

    // MARK: helpers

    struct JobsInEveryState {
        var available, running, completed, discarded, cancelled: Int64
    }

    /// One job in each state, made through the API (and a simulated claim for running/completed).
    private func jobsInEveryState(_ db: TestDatabase, userID: String? = nil) async throws -> JobsInEveryState {
        func make() async throws -> Int64 { try await db.client.enqueue(EnqueueRequest(kind: "noop", userID: userID)) }
        let available = try await make()
        let running = try await make()
        try await db.simulateClaim(running)
        let completed = try await make()
        try await db.simulateClaim(completed)
        try await db.simulateComplete(completed)
        let discarded = try await make()
        try await db.exec("SELECT queue.discard(\(discarded), 'test')")
        let cancelled = try await make()
        _ = try await db.client.cancel(jobID: cancelled)
        return JobsInEveryState(available: available, running: running, completed: completed,
                                discarded: discarded, cancelled: cancelled)
    }
}
