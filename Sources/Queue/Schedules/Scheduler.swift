import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Fires schedules: reads the due rows of `queue.schedules`, works out their ticks (interval schedules in
/// SQL, cron schedules with ``CronExpression`` in the row's time zone) and fires each through
/// `queue.fire_schedule`, which inserts the tick's job and moves `next_run_at` on in one transaction guarded
/// by the row and the job's unique key — so any number of schedulers fire each tick exactly once.
///
/// It sleeps until the next row is due (by the database clock), at most ``SchedulerConfiguration/maxSleep``,
/// and wakes at once on `huddle_schedules` (any edit). Broken rows (bad cron, unknown time zone or kind) are
/// recorded in `last_error`, logged once, and skipped; every other schedule keeps firing.
public final class Scheduler: Service, Sendable {
    /// How it runs.
    public let configuration: SchedulerConfiguration
    private let postgres: PostgresClient
    private let database: DatabaseURL
    private let logger: Logger
    private let totals: MaintenanceTotals
    private let wake = Signal()
    private let stopping = Mutex(false)

    /// Creates a scheduler on the pool `postgres` (which the caller runs), with a LISTEN connection of its
    /// own to `database`; what it fires is added to `totals` (default: fresh ones).
    public init(configuration: SchedulerConfiguration = SchedulerConfiguration(), postgres: PostgresClient,
                database: DatabaseURL, totals: MaintenanceTotals = MaintenanceTotals(), logger: Logger) {
        self.configuration = configuration
        self.postgres = postgres
        self.database = database
        self.totals = totals
        var logger = logger
        logger[metadataKey: "scheduler"] = "\(configuration.name)"
        self.logger = logger
    }

    /// Runs until graceful shutdown (or cancellation).
    public func run() async throws {
        let listener = NotificationListener(
            database: database, channels: [QueueChannel.schedules],
            applicationName: "huddle scheduler \(configuration.name)", logger: logger,
            onConnected: { [self] in
                wake.raise()  // an edit may have been missed while disconnected
                configuration.observer?(.listenerConnected)
            },
            onNotification: { [self] _, _ in wake.raise() })
        logger.info("scheduler started")
        await withTaskGroup(of: Void.self) { background in
            background.addTask { await listener.run() }
            await withGracefulShutdownHandler {
                await self.loop()
            } onGracefulShutdown: {
                self.stopping.withLock { $0 = true }
                self.wake.raise()
            }
            background.cancelAll()
        }
        logger.info("scheduler stopped")
    }

    private var isStopping: Bool { stopping.withLock { $0 } || Task.isCancelled }

    private func loop() async {
        var failures = 0
        while !isStopping {
            do {
                let due = try await postgres.execute(ScheduleQueries.Due(limit: configuration.batchSize), logger: logger).collect()
                var progressed = false
                for row in due where !isStopping {
                    progressed = try await handle(row) || progressed
                }
                failures = 0
                configuration.observer?(.pass)
                if due.count == configuration.batchSize && progressed { continue }
                let untilNext = try await postgres.execute(ScheduleQueries.NextDue(), logger: logger).first { _ in true } ?? nil
                var sleep = configuration.maxSleep
                if let untilNext {
                    // One millisecond late rather than early: woken early, the row is not yet due.
                    sleep = min(sleep, .microseconds(max(untilNext, 0)) + .milliseconds(1))
                }
                await wake.wait(timeout: sleep)
            } catch {
                failures += 1
                let backoff = min(Duration.milliseconds(200) * (1 << min(failures, 5)), configuration.maxSleep)
                logger.warning("scheduler pass failed; retrying in \(backoff)", metadata: ["error": "\(String(reflecting: error))"])
                await wake.wait(timeout: backoff)
            }
        }
    }

    /// Validates, starts or fires one row; true when it changed something.
    private func handle(_ row: DueSchedule) async throws -> Bool {
        let cron: CronExpression?
        let zone: TimeZone?
        do {
            (cron, zone) = try validate(row)
        } catch {
            try await skip(row, because: error.message)
            return false
        }
        let now = row.now.date
        guard let due = row.nextRunAt else {
            // A cron schedule not yet started (interval schedules get next_run_at from the row's trigger).
            guard let cron, let zone else { return false }
            guard let next = cron.next(after: now, in: zone) else {
                try await skip(row, because: "cron \"\(cron)\" never fires again")
                return false
            }
            let started = try await postgres.execute(
                ScheduleQueries.Start(name: row.name, cron: row.cron ?? "", timezone: row.timezone, next: Micros(next)),
                logger: logger).first { _ in true } ?? false
            if started {
                logger.debug("schedule started", metadata: ["schedule": "\(row.name)", "next_run_at": "\(next)"])
                configuration.observer?(.started(schedule: row.name, next: next))
            }
            return started
        }
        var cronTicks: [Micros]?
        var cronNext: Micros?
        if let cron, let zone {
            // Every tick from the due one up to now (the latest maxCatchUp), and the first after now.
            var ticks = [due]
            var tick = due.date
            while true {
                guard let next = cron.next(after: tick, in: zone) else {
                    try await skip(row, because: "cron \"\(cron)\" never fires again")
                    return false
                }
                if next > now {
                    cronNext = Micros(next)
                    break
                }
                ticks.append(Micros(next))
                if ticks.count > configuration.maxCatchUp { ticks.removeFirst(ticks.count - configuration.maxCatchUp) }
                tick = next
            }
            cronTicks = ticks
        }
        let jobs = try await postgres.execute(
            ScheduleQueries.Fire(name: row.name, due: due, cronTicks: cronTicks, cronNext: cronNext,
                                 maxCatchUp: configuration.maxCatchUp),
            logger: logger).first { _ in true } ?? nil
        guard let jobs else { return false }  // another scheduler fired it, or the row changed meanwhile
        totals.fired(jobs.count)
        logger.info("fired schedule", metadata: [
            "schedule": "\(row.name)", "kind": "\(row.kind)", "jobs": "\(jobs.map(String.init).joined(separator: ","))",
        ])
        configuration.observer?(.fired(schedule: row.name, jobs: jobs))
        return true
    }

    /// The row's cron and time zone (nil for interval schedules), or why the row cannot fire.
    private func validate(_ row: DueSchedule) throws(CronError) -> (CronExpression?, TimeZone?) {
        if let known = configuration.knownKinds, !known.contains(row.kind) {
            throw CronError("unknown kind \"\(row.kind)\": no handler is registered for it (known: \(known.sorted().joined(separator: ", ")))")
        }
        guard let text = row.cron else { return (nil, nil) }
        let cron = try CronExpression(parsing: text)
        guard let zone = TimeZone(identifier: row.timezone) else {
            throw CronError("unknown time zone \"\(row.timezone)\"; use an IANA name such as Europe/Berlin or UTC")
        }
        return (cron, zone)
    }

    /// Records why `row` is skipped; logs and reports it only when that is news.
    private func skip(_ row: DueSchedule, because error: String) async throws {
        guard row.lastError != error else { return }
        let news = try await postgres.execute(
            ScheduleQueries.Failed(name: row.name, updatedAt: row.updatedAt, error: error), logger: logger
        ).first { _ in true } ?? false
        if news {
            logger.warning("skipping schedule: \(error)", metadata: ["schedule": "\(row.name)"])
            configuration.observer?(.skipped(schedule: row.name, error: error))
        }
    }
}
