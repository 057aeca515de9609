import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Runs jobs: claims due jobs of its queues with `FOR UPDATE SKIP LOCKED`, runs each kind's handler, and
/// writes outcomes in batches — all fenced by the claimed attempt, so a worker that lost a job can never
/// finish it. It is a `Service`: on graceful shutdown it stops claiming, lets running jobs finish within
/// the grace period and returns the rest to `available` without using up an attempt.
///
/// Around the claim loop run: a LISTEN connection (wake-ups on `huddle_jobs`, cancellations on
/// `huddle_cancel`) with polling as the fallback, heartbeats that extend leases every lease/3 and stop
/// handlers whose job was cancelled or rescued, a rescuer for expired leases, and the outcome writer.
/// Logs one line per claim batch at debug, and at info: rescues, dropped outcomes, shutdown.
public final class Worker: Service, Sendable {
    /// The pool connections a busy worker uses all the time: one claiming, one writing outcomes, one for
    /// heartbeats and rescue. Keep this many open in its pool (`DatabaseURL.clientConfiguration`).
    public static let busyConnections = 3

    /// How it runs.
    public let configuration: WorkerConfiguration
    private let handlers: JobHandlers
    private let postgres: PostgresClient
    private let database: DatabaseURL
    private let logger: Logger
    private let client: QueueClient

    private let wake = Signal()
    private let slotFreed = Signal()
    private let outcomesReady = Signal()
    private let state = Mutex(State())

    private enum StopReason { case cancelled, leaseLost, shutdown }

    private struct InFlight {
        var attempt: Int
        var task: Task<Void, Never>?
        var stop: StopReason?
    }

    private enum Outcome {
        case completed(id: Int64, attempt: Int, result: String?)
        case failed(id: Int64, attempt: Int, error: String, retryIn: Duration, permanent: Bool)
        case snoozed(id: Int64, attempt: Int, delay: Duration)
    }

    private struct State {
        var inFlight: [Int64: InFlight] = [:]
        var outcomes: [Outcome] = []
        var stopping = false
        var writerDone = false
    }

    /// Creates a worker running `handlers` (default: the built-in `noop` and `sleep`) on the pool
    /// `postgres` (which the caller runs), with a LISTEN connection of its own to `database`.
    public init(configuration: WorkerConfiguration = WorkerConfiguration(), handlers: JobHandlers = .builtin,
                postgres: PostgresClient, database: DatabaseURL, logger: Logger) {
        self.configuration = configuration
        self.handlers = handlers
        self.postgres = postgres
        self.database = database
        var logger = logger
        logger[metadataKey: "worker"] = "\(configuration.name)"
        self.logger = logger
        self.client = QueueClient(postgres: postgres, logger: logger)
    }

    /// Runs until graceful shutdown (or cancellation).
    public func run() async throws {
        let listener = NotificationListener(
            database: database, channels: [QueueChannel.jobs, QueueChannel.cancel],
            applicationName: "huddle worker \(configuration.name)", logger: logger,
            onConnected: { [self] in
                wake.raise()  // notifications may have been missed while disconnected
                configuration.observer?(.listenerConnected)
            },
            onNotification: { [self] channel, payload in
                if channel == QueueChannel.jobs {
                    if configuration.queues.contains(payload) { wake.raise() }
                } else if let id = Int64(payload) {
                    stopHandler(id, reason: .cancelled)
                }
            })
        logger.info("worker started", metadata: [
            "queues": "\(configuration.queues.joined(separator: ","))", "concurrency": "\(configuration.concurrency)",
            "kinds": "\(handlers.kinds.joined(separator: ","))",
        ])
        await withTaskGroup(of: Void.self) { background in
            background.addTask { await listener.run() }
            background.addTask { await self.heartbeatLoop() }
            if let interval = configuration.rescueInterval {
                background.addTask { await self.rescueLoop(every: interval) }
            }
            await withTaskGroup(of: Void.self) { main in
                main.addTask { await self.writeLoop() }
                await withGracefulShutdownHandler {
                    await self.claimLoop()
                } onGracefulShutdown: {
                    self.beginShutdown()
                }
                configuration.observer?(.stopping)
                await self.drainOrRelease()
                state.withLock { $0.writerDone = true }
                outcomesReady.raise()
                await main.waitForAll()
            }
            background.cancelAll()
        }
        logger.info("worker stopped")
    }

    /// Stops claiming; ``run()`` then finishes or releases what is in flight and returns.
    public func beginShutdown() {
        state.withLock { $0.stopping = true }
        wake.raise()
        slotFreed.raise()
    }

    // MARK: claiming

    private var inFlightCount: Int { state.withLock { $0.inFlight.count } }
    private var stopping: Bool { state.withLock { $0.stopping } }

    private func claimLoop() async {
        var rotation = 0
        var failures = 0
        var plenty = false
        while !stopping && !Task.isCancelled {
            if inFlightCount >= configuration.concurrency {
                await slotFreed.wait(timeout: configuration.pollInterval)
                continue
            }
            do {
                // A round that found several jobs means work is arriving faster than one claim per job:
                // look again soon, and tell enqueuers they need not notify.
                let began = ContinuousClock.now
                let round = try await claimRound(rotation: rotation, stopWakeups: plenty)
                rotation &+= 1
                failures = 0
                plenty = round.claimed >= 2
                if round.claimed > 0 {
                    // A full batch: more is waiting, so claim again at once. A single job: the stream is slow,
                    // and latency comes first. Several, emptying the queue: jobs stream in faster than one per
                    // claim, so wait as long as that claim took before the next — claims then take at most half
                    // the worker's database time, and batches grow as the database gets busier (the pause is
                    // capped by ``WorkerConfiguration/claimPacingLimit``).
                    if !round.full, plenty, let limit = configuration.claimPacingLimit {
                        try? await Task.sleep(for: min(ContinuousClock.now - began, limit))
                    }
                    continue
                }
                // Nothing due: ask to be woken, then look once more for what arrived in between.
                let armed = try await postgres.execute(WorkerQueries.AwaitWork(queues: configuration.queues), logger: logger)
                    .first { _ in true } ?? false
                if try await claimRound(rotation: rotation, stopWakeups: false).claimed > 0 { continue }
                // Armed: sleep until woken (or the poll interval). Not armed: enqueues are in flight, so
                // their jobs are moments away — look again shortly.
                await wake.wait(timeout: armed ? configuration.pollInterval : .milliseconds(2))
            } catch {
                failures += 1
                logger.warning("claim failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: min(configuration.pollInterval * failures, .seconds(5)))
            }
        }
    }

    /// Claims from each queue in turn while slots are free; returns how many jobs it claimed, and whether
    /// some queue filled every free slot (so more may be waiting there).
    private func claimRound(rotation: Int, stopWakeups: Bool) async throws -> (claimed: Int, full: Bool) {
        var claimed = 0
        var full = false
        for offset in 0..<configuration.queues.count {
            let free = configuration.concurrency - inFlightCount
            guard free > 0, !stopping else { break }
            let queue = configuration.queues[(rotation + offset) % configuration.queues.count]
            let jobs = try await postgres.execute(
                WorkerQueries.Claim(worker: configuration.name, queue: queue, kinds: handlers.kinds, limit: free,
                                    lease: configuration.lease, stopWakeups: stopWakeups),
                logger: logger
            ).collect()
            claimed += jobs.count
            if jobs.count == free { full = true }
            if !jobs.isEmpty { start(jobs) }
        }
        return (claimed, full)
    }

    private func start(_ jobs: [ClaimedJob]) {
        logger.debug("claimed \(jobs.count) jobs")
        configuration.observer?(.claimed(jobs.map(\.id)))
        for job in jobs {
            state.withLock { $0.inFlight[job.id] = InFlight(attempt: job.attempt) }
            let task = Task { await self.execute(job) }
            let stopAlready = state.withLock { state -> Bool in
                // The task may already have finished and removed itself, or been stopped before it was stored.
                guard state.inFlight[job.id] != nil else { return false }
                state.inFlight[job.id]?.task = task
                return state.inFlight[job.id]?.stop != nil
            }
            if stopAlready { task.cancel() }
        }
    }

    private func execute(_ job: ClaimedJob) async {
        guard let entry = handlers.entries[job.kind] else { return }
        var jobLogger = logger
        // One metadata write, not three: each write makes a log handler re-render its metadata.
        jobLogger.handler.metadata.merge(["job": "\(job.id)", "kind": "\(job.kind)", "attempt": "\(job.attempt)"]) { $1 }
        let context = JobContext(jobID: job.id, kind: job.kind, attempt: job.attempt, maxAttempts: job.maxAttempts,
                                 userID: job.userID, logger: jobLogger, client: client)
        var outcome: Outcome?
        let started = ContinuousClock.now
        defer {
            let elapsed = ContinuousClock.now - started
            Metrics.Timer(label: "huddle_job_duration_seconds", dimensions: [("kind", job.kind)])
                .recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        }
        do {
            let result = try await entry.run(job.argsJSON, context)
            outcome = .completed(id: job.id, attempt: job.attempt, result: result)
        } catch let JobError.permanent(message) {
            outcome = .failed(id: job.id, attempt: job.attempt, error: message, retryIn: .zero, permanent: true)
        } catch let JobError.snooze(delay) {
            outcome = .snoozed(id: job.id, attempt: job.attempt, delay: delay)
        } catch {
            let stopped = state.withLock { $0.inFlight[job.id]?.stop }
            if stopped == nil {
                outcome = .failed(id: job.id, attempt: job.attempt, error: Self.describe(error),
                                  retryIn: entry.retry.delay(afterAttempt: job.attempt), permanent: false)
            } else {
                jobLogger.info("handler stopped: the job was cancelled, rescued or released")
            }
        }
        state.withLock { state in
            state.inFlight[job.id] = nil
            if let outcome { state.outcomes.append(outcome) }
        }
        if outcome != nil { outcomesReady.raise() }
        slotFreed.raise()
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError { return error.explanation }
        if error is CancellationError { return "cancelled" }
        return String(describing: error)
    }

    /// Cancels a running handler (on `queue.cancel`, a lost lease or shutdown); its outcome is dropped.
    private func stopHandler(_ id: Int64, reason: StopReason) {
        let task = state.withLock { state -> Task<Void, Never>? in
            guard state.inFlight[id] != nil, state.inFlight[id]?.stop == nil else { return nil }
            state.inFlight[id]?.stop = reason
            return state.inFlight[id]?.task
        }
        task?.cancel()
    }

    // MARK: shutdown

    /// After the claim loop: wait for running jobs up to the grace period, then release the rest.
    private func drainOrRelease() async {
        let deadline = ContinuousClock.now + configuration.shutdownGrace
        while inFlightCount > 0, ContinuousClock.now < deadline, !Task.isCancelled {
            await slotFreed.wait(timeout: min(deadline - ContinuousClock.now, .milliseconds(250)))
        }
        let remaining = state.withLock { state -> [(Int64, Int, Task<Void, Never>?)] in
            state.inFlight.compactMap { id, job in
                guard job.stop == nil else { return nil }
                state.inFlight[id]?.stop = .shutdown
                return (id, job.attempt, job.task)
            }
        }
        guard !remaining.isEmpty else { return }
        do {
            let released = try await postgres.execute(
                WorkerQueries.Release(worker: configuration.name, ids: remaining.map(\.0), attempts: remaining.map(\.1)), logger: logger
            ).collect()
            logger.info("shutdown: returned \(released.count) unfinished jobs to available")
            configuration.observer?(.released(released))
        } catch {
            logger.error("shutdown: could not release jobs; the rescuer will take them back when their leases expire",
                         metadata: ["error": "\(String(reflecting: error))"])
        }
        for (_, _, task) in remaining { task?.cancel() }
        // Give cancelled handlers a moment to end; one that ignores cancellation is abandoned (its writes
        // are fenced out, since its jobs were released).
        let abandonAt = ContinuousClock.now + .seconds(2)
        while inFlightCount > 0, ContinuousClock.now < abandonAt, !Task.isCancelled {
            await slotFreed.wait(timeout: .milliseconds(100))
        }
    }

    // MARK: writing outcomes

    private func writeLoop() async {
        while true {
            let (pending, done) = state.withLock { state in
                // Done once shutdown handed over (after in-flight jobs finished, were released, or were
                // abandoned for ignoring cancellation — their late outcomes would be fenced out anyway).
                (state.outcomes.count, state.writerDone && state.outcomes.isEmpty)
            }
            if pending == 0 {
                if done || Task.isCancelled { return }
                await outcomesReady.wait(timeout: .milliseconds(250))
                continue
            }
            // A few outcomes: give others a moment to join, so one commit (and one disk flush) covers them all.
            if pending < configuration.maxBatch / 4, let window = configuration.writeCoalescing, !stopping {
                try? await Task.sleep(for: window)
            }
            let batch = state.withLock { state -> [Outcome] in
                let batch = Array(state.outcomes.prefix(configuration.maxBatch))
                state.outcomes.removeFirst(batch.count)
                return batch
            }
            await write(batch)
        }
    }

    private func write(_ batch: [Outcome]) async {
        var completed: [(Int64, Int, String)] = []
        var failed: [(Int64, Int, String, Duration, Bool)] = []
        var snoozed: [(Int64, Int, Duration)] = []
        for outcome in batch {
            switch outcome {
            case let .completed(id, attempt, result): completed.append((id, attempt, result ?? "null"))
            case let .failed(id, attempt, error, retryIn, permanent): failed.append((id, attempt, error, retryIn, permanent))
            case let .snoozed(id, attempt, delay): snoozed.append((id, attempt, delay))
            }
        }
        var backoff = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                var applied: [Int64: String] = [:]
                if !completed.isEmpty {
                    for id in try await postgres.execute(WorkerQueries.Complete(
                        worker: configuration.name, ids: completed.map(\.0), attempts: completed.map(\.1), results: completed.map(\.2)), logger: logger).collect() {
                        applied[id] = "completed"
                    }
                }
                if !failed.isEmpty {
                    for (id, state) in try await postgres.execute(WorkerQueries.Fail(
                        worker: configuration.name, ids: failed.map(\.0), attempts: failed.map(\.1), errors: failed.map(\.2),
                        retryIn: failed.map { $0.3.intervalText }, permanent: failed.map(\.4)), logger: logger).collect() {
                        applied[id] = state
                    }
                }
                if !snoozed.isEmpty {
                    for id in try await postgres.execute(WorkerQueries.Snooze(
                        worker: configuration.name, ids: snoozed.map(\.0), attempts: snoozed.map(\.1), delays: snoozed.map { $0.2.intervalText }),
                        logger: logger).collect() {
                        applied[id] = "available"
                    }
                }
                report(batch: completed.map(\.0) + failed.map(\.0) + snoozed.map(\.0), applied: applied)
                return
            } catch {
                // Nothing is lost: until this commits the jobs stay running, and if the database stays away
                // past their leases the rescuer returns them and this attempt's writes are fenced out.
                logger.warning("writing \(batch.count) outcomes failed; retrying in \(backoff)",
                               metadata: ["error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }

    private func report(batch ids: [Int64], applied: [Int64: String]) {
        for id in ids {
            if let state = applied[id] {
                configuration.observer?(.finished(id: id, state: state))
            } else {
                logger.info("outcome dropped: this attempt no longer held the job (cancelled or rescued)", metadata: ["job": "\(id)"])
                configuration.observer?(.dropped(id: id))
            }
        }
    }

    // MARK: leases

    private func heartbeatLoop() async {
        let interval = configuration.lease / 3
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if Task.isCancelled { return }
            let held = state.withLock { state in
                state.inFlight.compactMap { id, job in job.stop == nil ? (id, job.attempt) : nil }
            }
            guard !held.isEmpty else { continue }
            do {
                let kept = Set(try await postgres.execute(WorkerQueries.Heartbeat(
                    worker: configuration.name, ids: held.map(\.0), attempts: held.map(\.1), lease: configuration.lease),
                    logger: logger).collect())
                for (id, _) in held where !kept.contains(id) {
                    logger.info("job no longer held (cancelled or rescued); stopping its handler", metadata: ["job": "\(id)"])
                    stopHandler(id, reason: .leaseLost)
                }
            } catch {
                logger.warning("heartbeat failed", metadata: ["error": "\(String(reflecting: error))"])
            }
        }
    }

    private func rescueLoop(every interval: Duration) async {
        while !Task.isCancelled {
            do {
                let rescued = try await postgres.execute(WorkerQueries.RescueExpired(limit: 1000), logger: logger).collect()
                if !rescued.isEmpty {
                    let discarded = rescued.filter { $0.1 == "discarded" }.count
                    logger.info("rescued \(rescued.count) jobs with expired leases (\(discarded) discarded: no attempts left)")
                    configuration.observer?(.rescued(rescued.map(\.0)))
                    wake.raise()
                }
            } catch {
                logger.warning("rescue failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}
