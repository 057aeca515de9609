import Foundation
import PostgresNIO
import Synchronization
import Testing
import TestSupport
@testable import Queue

/// The worker against a real PostgreSQL: several workers in one test, real LISTEN connections, real
/// cancellation and shutdown. Tests wait on the workers' events, never on wall-clock sleeps.
@Suite("Worker")
struct WorkerTests {
    typealias Log = EventLog<WorkerEvent>

    private func config(_ log: Log, name: String = WorkerConfiguration.defaultName(), concurrency: Int = 4,
                        lease: Duration = .seconds(30), poll: Duration = .milliseconds(200), grace: Duration = .seconds(10),
                        rescue: Duration? = .seconds(15), queues: [String] = ["default"]) -> WorkerConfiguration {
        WorkerConfiguration(name: name, queues: queues, concurrency: concurrency, lease: lease, pollInterval: poll,
                            shutdownGrace: grace, rescueInterval: rescue, observer: { log.record($0) })
    }

    private static func finished(_ events: [WorkerEvent]) -> [Int64] {
        events.compactMap { if case let .finished(id, _) = $0 { id } else { nil } }
    }

    @Test func threeWorkersRunThreeThousandJobsEachExactlyOnce() async throws {
        try await TestDatabase.with { db async throws in
            let runs = Mutex<[Int64: Int]>([:])
            var handlers = JobHandlers.builtin
            handlers.register("count") { (_: EmptyArgs, context: JobContext) in
                runs.withLock { $0[context.jobID, default: 0] += 1 }
            }
            let log = Log()
            let workers = (0..<3).map { i in db.worker(config(log, name: "w\(i)", concurrency: 8), handlers: handlers) }
            try await db.withWorkers(workers) { _ async throws in
                let ids = try await db.enqueueMany(3000, kind: "count")
                try await log.wait(for: "3000 finished jobs") { Self.finished($0).count >= 3000 }
                #expect(Set(Self.finished(log.all)) == Set(ids))
            }
            #expect(Self.finished(log.all).count == 3000, "no job was finished twice")
            #expect(runs.withLock { $0.count } == 3000)
            #expect(runs.withLock { $0.values.allSatisfy { $0 == 1 } }, "every handler ran exactly once")
            let summary = try await db.scalar("""
                SELECT format('%s/%s/%s', count(*) FILTER (WHERE state = 'completed'), count(*) FILTER (WHERE attempt = 1),
                              count(DISTINCT worker))
                  FROM queue.jobs
                """, as: String.self)
            #expect(summary == "3000/3000/3", "all completed on their first attempt, spread over the three workers")
        }
    }

    @Test func aDeadWorkersJobIsRescuedAndCompletedElsewhereAndItsLateWriteRejected() async throws {
        try await TestDatabase.with { db async throws in
            let id = try await db.client.enqueue(EnqueueRequest(kind: "noop"))
            // A worker claims the job with a 1-second lease and dies: no heartbeats, no connection, no release.
            let claimed = try await db.column(
                "SELECT id FROM queue.claim('crashed-worker', 'default', ARRAY['noop'], 10, '1 second')", as: Int64.self)
            #expect(claimed == [id])
            let log = Log()
            try await db.withWorkers([db.worker(config(log, rescue: .milliseconds(200)))]) { _ async throws in
                try await log.wait(for: "the rescue") { $0.contains(.rescued([id])) }
                try await log.wait(for: "the rescued job to complete") { $0.contains(.finished(id: id, state: "completed")) }
            }
            let job = try #require(try await db.client.job(id: id))
            #expect(job.state == .completed)
            #expect(job.attempt == 2)
            #expect(job.errors.contains("lease expired (worker lost)"))
            #expect(job.errors.contains("crashed-worker"))
            // The dead worker comes back and tries to finish its attempt: the fence refuses it.
            let stale = try await db.column("SELECT queue.complete('crashed-worker', ARRAY[\(id)]::bigint[], ARRAY[1])", as: Int64.self)
            #expect(stale.isEmpty)
            let staleFail = try await db.column(
                "SELECT id FROM queue.fail('crashed-worker', ARRAY[\(id)]::bigint[], ARRAY[1], ARRAY['late'], ARRAY['0']::interval[], ARRAY[true])",
                as: Int64.self)
            #expect(staleFail.isEmpty)
            #expect(try await db.client.job(id: id)?.state == .completed)
        }
    }

    @Test func heartbeatsKeepALongJobPastItsLeaseWhileAPeerKeepsRescuing() async throws {
        try await TestDatabase.with { db async throws in
            let log = Log()
            // A 3-second lease, a job that runs 7 s (more than two leases), and a peer rescuing expired leases
            // every 100 ms: only the heartbeats (every lease/3) keep the job from being taken back.
            let runner = db.worker(config(log, name: "runner", lease: .seconds(3), rescue: nil))
            let rescuer = db.worker(config(log, name: "rescuer", rescue: .milliseconds(100), queues: ["elsewhere"]))
            let id = try await db.client.enqueue(EnqueueRequest(kind: "sleep", argsJSON: #"{"ms": 7000}"#))
            try await db.withWorkers([runner, rescuer]) { _ async throws in
                try await log.wait(for: "the long job") { $0.contains(.finished(id: id, state: "completed")) }
            }
            #expect(!log.all.contains { if case .rescued = $0 { true } else { false } })
            let job = try #require(try await db.client.job(id: id))
            #expect(job.attempt == 1)
            #expect(job.worker == "runner")
            #expect(job.errors == "[]")
        }
    }

    @Test func theRescuerDiscardsAJobWhoseLastAttemptWasLost() async throws {
        try await TestDatabase.with { db async throws in
            let id = try await db.client.enqueue(EnqueueRequest(kind: "noop", maxAttempts: 1))
            _ = try await db.column("SELECT id FROM queue.claim('gone', 'default', ARRAY['noop'], 1, '1 second')", as: Int64.self)
            try await db.exec("UPDATE queue.jobs SET lease_expires_at = now() - interval '1 second' WHERE id = \(id)")
            let rescued = try await db.scalar("SELECT state::text FROM queue.rescue_expired()", as: String.self)
            #expect(rescued == "discarded")
            #expect(try await db.client.job(id: id)?.finishedAt != nil)
        }
    }

    @Test func failuresBackOffThenDiscardAndPermanentErrorsDiscardAtOnce() async throws {
        try await TestDatabase.with { db async throws in
            var handlers = JobHandlers.builtin
            handlers.register("flaky", retry: RetryPolicy(baseDelay: .milliseconds(50), multiplier: 2, jitter: 0)) {
                (_: EmptyArgs, context: JobContext) in
                throw TestDatabaseError("boom on attempt \(context.attempt)")
            }
            handlers.register("hopeless") { (_: EmptyArgs, _: JobContext) in throw JobError.permanent("league not found") }
            let log = Log()
            let flaky = try await db.client.enqueue(EnqueueRequest(kind: "flaky", maxAttempts: 3))
            let hopeless = try await db.client.enqueue(EnqueueRequest(kind: "hopeless"))
            let badArgs = try await db.client.enqueue(EnqueueRequest(kind: "sleep", argsJSON: #"{"ms": "soon"}"#))
            try await db.withWorkers([db.worker(config(log, poll: .milliseconds(20)), handlers: handlers)]) { _ async throws in
                try await log.wait(for: "three discards") { events in
                    [flaky, hopeless, badArgs].allSatisfy { events.contains(.finished(id: $0, state: "discarded")) }
                }
            }
            let flakyJob = try #require(try await db.client.job(id: flaky))
            #expect(flakyJob.attempt == 3)
            let errors = try JSONSerialization.jsonObject(with: Data(flakyJob.errors.utf8)) as? [[String: Any]]
            #expect(errors?.map { $0["error"] as? String } == ["boom on attempt 1", "boom on attempt 2", "boom on attempt 3"])
            #expect(errors?.map { $0["attempt"] as? Int } == [1, 2, 3])
            // Backoff: 50 ms after the first failure, 100 ms after the second (database clock).
            let gaps = try await db.column("""
                SELECT extract(epoch FROM (e2->>'at')::timestamptz - (e1->>'at')::timestamptz)::float8
                  FROM queue.jobs, LATERAL (SELECT errors->0 AS e1, errors->1 AS e2 UNION ALL SELECT errors->1, errors->2) p
                 WHERE id = \(flaky)
                """, as: Double.self)
            #expect(gaps.count == 2)
            #expect(gaps[0] >= 0.05 && gaps[1] >= 0.1, "gaps \(gaps)")
            let hopelessJob = try #require(try await db.client.job(id: hopeless))
            #expect(hopelessJob.attempt == 1)
            #expect(hopelessJob.errors.contains("league not found"))
            #expect(try await db.client.job(id: badArgs)?.errors.contains("invalid arguments for sleep") == true)
        }
    }

    @Test func aSnoozeRunsAgainLaterWithoutUsingUpAnAttempt() async throws {
        try await TestDatabase.with { db async throws in
            var handlers = JobHandlers.builtin
            handlers.register("patient") { (_: EmptyArgs, context: JobContext) in
                if context.attempt == 1 { throw JobError.snooze(.milliseconds(100)) }
            }
            let log = Log()
            let id = try await db.client.enqueue(EnqueueRequest(kind: "patient", maxAttempts: 1))
            try await db.withWorkers([db.worker(config(log, poll: .milliseconds(20)), handlers: handlers)]) { _ async throws in
                try await log.wait(for: "completion after the snooze") { $0.contains(.finished(id: id, state: "completed")) }
            }
            let job = try #require(try await db.client.job(id: id))
            #expect(job.attempt == 2)
            #expect(job.maxAttempts == 2, "the snoozed attempt was given back")
            #expect(job.errors == "[]")
        }
    }

    @Test func cancellingARunningSleepStopsItsHandlerAndFreesTheSlot() async throws {
        try await TestDatabase.with { db async throws in
            let log = Log()
            try await db.withWorkers([db.worker(config(log, concurrency: 1))]) { _ async throws in
                try await log.wait(for: "the listener") { $0.contains(.listenerConnected) }
                let sleeper = try await db.client.enqueue(EnqueueRequest(kind: "sleep", argsJSON: #"{"ms": 600000}"#))
                try await log.wait(for: "the sleep to start") { $0.contains(.claimed([sleeper])) }
                #expect(try await db.client.cancel(jobID: sleeper))
                // With concurrency 1, a job enqueued now can only run once the cancelled handler let go.
                let next = try await db.client.enqueue(EnqueueRequest(kind: "noop"))
                try await log.wait(for: "the next job") { $0.contains(.finished(id: next, state: "completed")) }
                let job = try #require(try await db.client.job(id: sleeper))
                #expect(job.state == .cancelled)
                #expect(job.errors == "[]", "a cancellation is not a failure")
            }
        }
    }

    @Test func aHandlerThatIgnoresCancellationIsStillCancelledAndItsLateResultDropped() async throws {
        try await TestDatabase.with { db async throws in
            let release = Mutex(false)
            let started = Mutex(false)
            var handlers = JobHandlers.builtin
            handlers.register("stubborn") { (_: EmptyArgs, _: JobContext) -> [String: String] in
                started.withLock { $0 = true }
                while !release.withLock({ $0 }) { await Task.yield(); try? await Task.sleep(for: .milliseconds(5)) }
                return ["late": "result"]
            }
            let log = Log()
            try await db.withWorkers([db.worker(config(log), handlers: handlers)]) { _ async throws in
                let id = try await db.client.enqueue(EnqueueRequest(kind: "stubborn"))
                try await log.wait(for: "the claim") { $0.contains(.claimed([id])) }
                #expect(try await db.client.cancel(jobID: id))
                release.withLock { $0 = true }
                try await log.wait(for: "the dropped outcome") { $0.contains(.dropped(id: id)) }
                let job = try #require(try await db.client.job(id: id))
                #expect(job.state == .cancelled)
                #expect(job.result == nil)
            }
            #expect(started.withLock { $0 })
        }
    }

    @Test func gracefulShutdownFinishesStartedWorkAndLeavesUnstartedWork() async throws {
        try await TestDatabase.with { db async throws in
            let gate = Mutex(false)
            var handlers = JobHandlers.builtin
            handlers.register("gated") { (_: EmptyArgs, _: JobContext) in
                while !gate.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(5)) }
            }
            let log = Log()
            let running = try await db.enqueueMany(2, kind: "gated")
            let worker = db.worker(config(log, concurrency: 2, grace: .seconds(30)), handlers: handlers)
            try await db.withWorkers([worker]) { group async throws in
                try await log.wait(for: "both jobs to start") { events in
                    Set(events.flatMap { event -> [Int64] in if case let .claimed(ids) = event { ids } else { [] } }) == Set(running)
                }
                _ = try await db.enqueueMany(5, kind: "noop")
                await group.triggerGracefulShutdown()
                try await log.wait(for: "the worker to stop claiming") { $0.contains(.stopping) }
                gate.withLock { $0 = true }  // the started jobs may finish now, inside the grace period
            }
            for id in running { #expect(try await db.client.job(id: id)?.state == .completed) }
            let waiting = try await db.scalar(
                "SELECT count(*)::int FROM queue.jobs WHERE kind = 'noop' AND state = 'available' AND attempt = 0", as: Int.self)
            #expect(waiting == 5, "nothing new is claimed once shutdown begins")
        }
    }

    @Test func shutdownReturnsWhatCouldNotFinishWithoutUsingUpAnAttempt() async throws {
        try await TestDatabase.with { db async throws in
            let log = Log()
            let id = try await db.client.enqueue(EnqueueRequest(kind: "sleep", argsJSON: #"{"ms": 600000}"#))
            try await db.withWorkers([db.worker(config(log, grace: .milliseconds(200)))]) { group async throws in
                try await log.wait(for: "the claim") { $0.contains(.claimed([id])) }
                await group.triggerGracefulShutdown()
            }
            #expect(log.all.contains(.released([id])))
            let job = try #require(try await db.client.job(id: id))
            #expect(job.state == .available)
            #expect(job.attempt == 1)
            #expect(job.maxAttempts == 6, "the interrupted attempt is given back")
            #expect(job.errors == "[]")
        }
    }

    @Test func shutdownDoesNotHangOnAHandlerThatIgnoresCancellation() async throws {
        try await TestDatabase.with { db async throws in
            let release = Mutex(false)
            var handlers = JobHandlers.builtin
            handlers.register("deaf") { (_: EmptyArgs, _: JobContext) in
                while !release.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(5)) }
            }
            let log = Log()
            let id = try await db.client.enqueue(EnqueueRequest(kind: "deaf"))
            let worker = db.worker(config(log, grace: .milliseconds(100)), handlers: handlers)
            let finished = try await withThrowingTaskGroup(of: Bool.self) { race in
                race.addTask {
                    try await db.withWorkers([worker]) { group async throws in
                        try await log.wait(for: "the claim") { $0.contains(.claimed([id])) }
                        await group.triggerGracefulShutdown()
                    }
                    return true
                }
                race.addTask {
                    try await Task.sleep(for: .seconds(30))
                    return false
                }
                let first = try await race.next() ?? false
                race.cancelAll()
                return first
            }
            release.withLock { $0 = true }
            #expect(finished, "the worker stopped although its handler ignored cancellation")
            #expect(log.all.contains(.released([id])))
            #expect(try await db.client.job(id: id)?.state == .available)
        }
    }

    @Test func jobsKeepFlowingWhenTheListenConnectionIsKilledAndItComesBack() async throws {
        try await TestDatabase.with { db async throws in
            let log = Log()
            let name = "listener-victim"
            try await db.withWorkers([db.worker(config(log, name: name, poll: .milliseconds(100)))]) { _ async throws in
                try await log.wait(for: "the listener") { $0.contains(.listenerConnected) }
                let killed = try await db.scalar("""
                    SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity
                     WHERE application_name = 'huddle worker ' || \(name) AND datname = current_database()
                    """, as: Int.self)
                #expect(killed == 1)
                let ids = try await db.enqueueMany(20, kind: "noop")
                try await log.wait(for: "jobs enqueued after the kill") { Set(Self.finished($0)).isSuperset(of: ids) }
                try await log.wait(for: "the listener to come back") { $0.filter { $0 == .listenerConnected }.count >= 2 }
                let more = try await db.enqueueMany(5, kind: "noop")
                try await log.wait(for: "jobs after the reconnect") { Set(Self.finished($0)).isSuperset(of: more) }
            }
        }
    }

    @Test func aPausedQueueStartsNothingUntilResumed() async throws {
        try await TestDatabase.with { db async throws in
            let log = Log()
            #expect(try await db.client.pause(queue: "default"))
            let ids = try await db.enqueueMany(3, kind: "noop")
            let probe = try await db.client.enqueue(EnqueueRequest(kind: "noop", queue: "other"))
            try await db.withWorkers([db.worker(config(log, queues: ["default", "other"]))]) { _ async throws in
                // The other queue's job finishing shows the worker has looked at both queues.
                try await log.wait(for: "the other queue's job") { $0.contains(.finished(id: probe, state: "completed")) }
                #expect(Set(Self.finished(log.all)).isDisjoint(with: ids))
                #expect(try await db.client.resume(queue: "default"))
                try await log.wait(for: "the resumed queue's jobs") { Set(Self.finished($0)).isSuperset(of: ids) }
            }
        }
    }

    @Test func claimsFollowPriorityThenRunAtThenIdAndSkipFutureJobs() async throws {
        try await TestDatabase.with { db async throws in
            let late = try await db.client.enqueue(EnqueueRequest(kind: "noop", priority: 5))
            let urgent = try await db.client.enqueue(EnqueueRequest(kind: "noop", priority: -1))
            let older = try await db.client.enqueue(EnqueueRequest(kind: "noop", runAt: Date().addingTimeInterval(-60)))
            let normal = try await db.client.enqueue(EnqueueRequest(kind: "noop"))
            let future = try await db.client.enqueue(EnqueueRequest(kind: "noop", runAt: Date().addingTimeInterval(3600)))
            let other = try await db.client.enqueue(EnqueueRequest(kind: "not_mine"))
            let order = try await db.column(
                "SELECT id FROM queue.claim('w', 'default', ARRAY['noop'], 10)", as: Int64.self)
            #expect(Set(order) == [urgent, older, normal, late])
            #expect(!order.contains(future) && !order.contains(other))
            let claimedOrder = try await db.column("""
                SELECT id FROM queue.jobs WHERE state = 'running' ORDER BY priority, run_at, id
                """, as: Int64.self)
            #expect(claimedOrder == [urgent, older, normal, late])
            let small = try await db.column("SELECT id FROM queue.claim('w', 'default', ARRAY['not_mine'], 1)", as: Int64.self)
            #expect(small == [other])
        }
    }

    @Test func claimRefusesNonsense() async throws {
        try await TestDatabase.with { db async throws in
            for call in [
                "queue.claim('w', 'default', ARRAY['noop'], 0)",
                "queue.claim('w', 'default', ARRAY[]::text[], 1)",
                "queue.claim('', 'default', ARRAY['noop'], 1)",
                "queue.claim('w', 'default', ARRAY['noop'], 1, '0 seconds')",
            ] {
                await #expect(throws: PSQLError.self) { try await db.exec(PostgresQuery(unsafeSQL: "SELECT * FROM \(call)")) }
            }
        }
    }
}

@Suite("RetryPolicy")
struct RetryPolicyTests {
    @Test func growsExponentiallyUpToTheCap() {
        let policy = RetryPolicy(baseDelay: .seconds(1), multiplier: 2, maxDelay: .seconds(10), jitter: 0)
        #expect((1...6).map { policy.delay(afterAttempt: $0, unit: 0.5) } == [1, 2, 4, 8, 10, 10].map { Duration.seconds($0) })
    }

    @Test func jitterStaysWithinItsBand() {
        let policy = RetryPolicy(baseDelay: .seconds(10), jitter: 0.2)
        #expect(policy.delay(afterAttempt: 1, unit: 0) == .seconds(8))
        #expect(policy.delay(afterAttempt: 1, unit: 0.5) == .seconds(10))
        #expect(policy.delay(afterAttempt: 1, unit: 0.999_999) <= .seconds(12))
        let spread = Set((0..<50).map { _ in policy.delay(afterAttempt: 3) })
        #expect(spread.count > 1, "real randomness spreads retries")
        #expect(spread.allSatisfy { $0 >= .seconds(32) && $0 <= .seconds(48) })
    }
}
