import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// How the maintenance services run. Defaults suit production; `huddle schedule` sets them from flags.
public struct MaintenanceConfiguration: Sendable {
    /// The process's name in `queue.schedulers` (default `host/pid/random`; `huddle schedule` uses the
    /// scheduler's).
    public var name: String
    /// How often expired leases are taken back (default 15 s; nil: never).
    public var rescueInterval: Duration?
    /// How often finished jobs and old events are pruned (default 60 s; nil: never).
    public var pruneInterval: Duration?
    /// How long finished jobs are kept (default 7 days).
    public var jobRetention: Duration
    /// How long events are kept (default 1 day): a browser that reconnects later than this gets `resync`.
    public var eventRetention: Duration
    /// The most rows one prune statement deletes of each kind (default 5,000), so no transaction runs long.
    public var pruneBatch: Int
    /// How often the `queue.schedulers` row is refreshed (default 5 s; `queue.scheduler_status` calls a
    /// scheduler alive for 30 s after its last heartbeat).
    public var heartbeatInterval: Duration
    /// Test hook: called on notable events. Default none.
    public var observer: (@Sendable (MaintenanceEvent) -> Void)?

    /// Creates a configuration; see each property for its default.
    public init(name: String = WorkerConfiguration.defaultName(), rescueInterval: Duration? = .seconds(15),
                pruneInterval: Duration? = .seconds(60), jobRetention: Duration = .seconds(7 * 86_400),
                eventRetention: Duration = .seconds(86_400), pruneBatch: Int = 5_000,
                heartbeatInterval: Duration = .seconds(5), observer: (@Sendable (MaintenanceEvent) -> Void)? = nil) {
        self.name = name
        self.rescueInterval = rescueInterval
        self.pruneInterval = pruneInterval
        self.jobRetention = jobRetention
        self.eventRetention = eventRetention
        self.pruneBatch = max(1, pruneBatch)
        self.heartbeatInterval = max(heartbeatInterval, .milliseconds(100))
        self.observer = observer
    }
}

/// Something a maintenance service did, reported to ``MaintenanceConfiguration/observer``.
public enum MaintenanceEvent: Sendable, Equatable {
    /// The rescuer took back these jobs (available again, or discarded on their last attempt).
    case rescued([Int64])
    /// A prune run deleted this many finished jobs and events (reported even when both are 0).
    case pruned(jobs: Int, events: Int)
    /// The heartbeat row was written.
    case heartbeat
}

/// The services that keep the queue healthy, run by `huddle schedule` beside the ``Scheduler``: the rescuer
/// (expired leases back to `available`), the pruner (finished jobs and old events past retention, in
/// batches; never an unfinished job) and the heartbeat (`queue.schedulers`, so operators can see in psql
/// whether a scheduler is alive). Each logs one line per run that did something and counts it in
/// ``MaintenanceTotals`` (metrics and the heartbeat row). Any number may run: every statement is safe to
/// run concurrently (`SKIP LOCKED`).
public final class Maintenance: Service, Sendable {
    /// How it runs.
    public let configuration: MaintenanceConfiguration
    private let postgres: PostgresClient
    private let logger: Logger
    private let totals: MaintenanceTotals

    /// Creates the services on the pool `postgres` (which the caller runs), adding to `totals`.
    public init(configuration: MaintenanceConfiguration = MaintenanceConfiguration(), postgres: PostgresClient,
                totals: MaintenanceTotals = MaintenanceTotals(), logger: Logger) {
        self.configuration = configuration
        self.postgres = postgres
        self.totals = totals
        var logger = logger
        logger[metadataKey: "scheduler"] = "\(configuration.name)"
        self.logger = logger
    }

    /// Runs until graceful shutdown (or cancellation), then records a clean stop in `queue.schedulers`.
    public func run() async throws {
        // Each loop ends when graceful shutdown begins.
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.every(self.configuration.heartbeatInterval, self.heartbeat) }
            if let interval = configuration.rescueInterval {
                group.addTask { await self.every(interval, self.rescue) }
            }
            if let interval = configuration.pruneInterval {
                group.addTask { await self.every(interval, self.prune) }
            }
            await group.waitForAll()
        }
        do {
            try await postgres.execute(ScheduleQueries.Heartbeat(name: configuration.name, totals: totals.snapshot, stopping: true),
                                       logger: logger).consume()
        } catch {
            logger.warning("could not record the clean stop", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// Runs `work` now and then every `interval` until graceful shutdown; a failure is logged and retried
    /// at the next interval.
    private func every(_ interval: Duration, _ work: @escaping @Sendable () async throws -> Void) async {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await work()
                } catch {
                    if Task.isCancelled { return }
                    self.logger.warning("maintenance run failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }

    private func heartbeat() async throws {
        try await postgres.execute(ScheduleQueries.Heartbeat(name: configuration.name, totals: totals.snapshot, stopping: false),
                                   logger: logger).consume()
        configuration.observer?(.heartbeat)
    }

    private func rescue() async throws {
        let limit = 1_000
        var rescued: [(Int64, String)] = []
        while true {
            let batch = try await postgres.execute(WorkerQueries.RescueExpired(limit: limit), logger: logger).collect()
            rescued += batch
            if batch.count < limit || Task.isCancelled { break }
        }
        guard !rescued.isEmpty else { return }
        let discarded = rescued.filter { $0.1 == "discarded" }.count
        totals.rescued(rescued.count)
        logger.info("rescued \(rescued.count) jobs with expired leases (\(discarded) discarded: no attempts left)")
        configuration.observer?(.rescued(rescued.map(\.0)))
    }

    private func prune() async throws {
        var (jobs, events) = (0, 0)
        while true {
            guard let (j, e) = try await postgres.execute(
                ScheduleQueries.Prune(jobsOlderThan: configuration.jobRetention, eventsOlderThan: configuration.eventRetention,
                                      maxRows: configuration.pruneBatch), logger: logger).first(where: { _ in true })
            else { break }
            jobs += j
            events += e
            if (j < configuration.pruneBatch && e < configuration.pruneBatch) || Task.isCancelled { break }
        }
        if jobs + events > 0 {
            totals.pruned(jobs: jobs, events: events)
            logger.info("pruned \(jobs) finished jobs and \(events) events past retention")
        }
        configuration.observer?(.pruned(jobs: jobs, events: events))
    }
}
