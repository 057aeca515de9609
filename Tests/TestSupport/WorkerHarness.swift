import Foundation
import Logging
import PostgresNIO
import Queue
import ServiceLifecycle
import Synchronization

/// Collects a worker's events so a test can wait for what it expects instead of sleeping.
public final class EventLog<Event: Sendable>: Sendable {
    private let events = Mutex<[Event]>([])
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    public init() {
        (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Records an event (pass this as the observer).
    public func record(_ event: Event) {
        events.withLock { $0.append(event) }
        continuation.yield()
    }

    /// Everything recorded so far.
    public var all: [Event] { events.withLock { $0 } }

    /// Waits until `condition` holds for the events so far, failing after `timeout` (default 60 s) with
    /// `what` in the message. Only one task may wait at a time.
    public func wait(for what: String, timeout: Duration = .seconds(60), until condition: @escaping @Sendable ([Event]) -> Bool) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                if condition(self.all) { return }
                for await _ in self.stream {
                    if condition(self.all) { return }
                }
                throw TestDatabaseError("event stream ended while waiting for \(what)")
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw TestDatabaseError("timed out after \(timeout) waiting for \(what)")
            }
            try await group.next()
            group.cancelAll()
        }
    }
}

extension TestDatabase {
    /// Runs workers in one ServiceGroup while `body` runs, then shuts the group down gracefully (as
    /// SIGTERM would) and waits for it to finish.
    public func withWorkers<T: Sendable>(
        _ workers: [Worker], _ body: @Sendable (ServiceGroup) async throws -> T
    ) async throws -> T {
        try await withServices(workers, body)
    }

    /// Runs `services` (workers, schedulers, maintenance) in one ServiceGroup while `body` runs, then shuts
    /// the group down gracefully (as SIGTERM would) and waits for it to finish.
    public func withServices<T: Sendable>(
        _ services: [any Service], _ body: @Sendable (ServiceGroup) async throws -> T
    ) async throws -> T {
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) }, logger: logger))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask { try await group.run(); return nil }
            let result: T
            do {
                result = try await body(group)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            while let next = try await tasks.next() { _ = next }
            return result
        }
    }

    /// A scheduler on this test's database.
    public func scheduler(_ configuration: SchedulerConfiguration, totals: MaintenanceTotals = MaintenanceTotals()) -> Scheduler {
        Scheduler(configuration: configuration, postgres: postgres, database: url, totals: totals, logger: logger)
    }

    /// Maintenance services on this test's database.
    public func maintenance(_ configuration: MaintenanceConfiguration, totals: MaintenanceTotals = MaintenanceTotals()) -> Maintenance {
        Maintenance(configuration: configuration, postgres: postgres, totals: totals, logger: logger)
    }

    /// A worker on this test's database with `configuration` and `handlers` (default the built-ins).
    public func worker(_ configuration: WorkerConfiguration, handlers: JobHandlers = .builtin) -> Worker {
        Worker(configuration: configuration, handlers: handlers, postgres: postgres, database: url, logger: logger)
    }

    /// Enqueues `count` jobs of `kind` in one statement and returns their ids.
    public func enqueueMany(_ count: Int, kind: String, args: String = "{}", queue: String = "default") async throws -> [Int64] {
        try await column("""
            SELECT queue.enqueue(\(kind), \(args)::jsonb, \(queue)) FROM generate_series(1, \(count))
            """, as: Int64.self)
    }
}
