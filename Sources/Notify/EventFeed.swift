import Logging
import Metrics
import PostgresNIO
import Queue
import ServiceLifecycle
import Synchronization

/// The one reader of `queue.events` per process: it LISTENs on `huddle_events` (a dedicated connection with
/// health checks and reconnects, see ``NotificationListener``), reads new rows in batches by id, and hands
/// them to the ``Hub`` in id order. Polling (default every 1 s) is the fallback, and after every reconnect
/// it reads from the last id it delivered, so nothing is lost across a dropped connection.
///
/// Ids are handed out when a row is inserted but become visible when its transaction commits, so a reader
/// can see id 11 before id 10. The feed never moves past such a hole while the transactions that might fill
/// it are still running (it waits for them, polling every 5 ms, up to `holeTimeout`, default 10 s); holes
/// left by rolled-back transactions are then passed over.
public final class EventFeed: Service, Sendable {
    private let database: DatabaseURL
    private let postgres: PostgresClient
    private let hub: Hub
    private let logger: Logger
    private let pollInterval: Duration
    private let batchSize: Int
    private let holeTimeout: Duration
    private let wake = Signal()
    private let healthy = Mutex(false)
    private let reconnects = Counter(label: "huddle_listener_reconnects_total")
    private let connects = Mutex(0)

    /// Creates a feed into `hub`, reading with `postgres` and listening on a connection of its own to `database`.
    public init(database: DatabaseURL, postgres: PostgresClient, hub: Hub, pollInterval: Duration = .seconds(1),
                batchSize: Int = 1000, holeTimeout: Duration = .seconds(10), logger: Logger) {
        self.database = database
        self.postgres = postgres
        self.hub = hub
        self.pollInterval = pollInterval
        self.batchSize = max(1, batchSize)
        self.holeTimeout = holeTimeout
        self.logger = logger
    }

    /// Whether the LISTEN connection is up (for `/readyz`).
    public var isListening: Bool { healthy.withLock { $0 } }

    /// A hole in the ids: ids from `start` up to `upTo` were missing when first seen.
    private struct Hole {
        var start: Int64
        var upTo: Int64
        var xids: [String]
        var since: ContinuousClock.Instant
        var settled = false
    }

    /// Reads and dispatches until graceful shutdown or cancellation.
    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.feed() }
    }

    private func feed() async {
        let listener = NotificationListener(
            database: database, channels: [QueueChannel.events], applicationName: "huddle events", logger: logger,
            onConnected: { [self] in
                let count = connects.withLock { $0 += 1; return $0 }
                if count > 1 { reconnects.increment() }
                healthy.withLock { $0 = true }
                wake.raise()  // read whatever was committed while disconnected
            },
            onNotification: { [self] _, _ in wake.raise() },
            onDisconnected: { [self] in healthy.withLock { $0 = false } })
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await listener.run() }
            await self.readLoop()
            group.cancelAll()
        }
    }

    private func readLoop() async {
        var hole: Hole?
        var started = false
        while !Task.isCancelled {
            do {
                if !started {
                    let (newest, _) = try await postgres.execute(EventQueries.Bounds(), logger: logger).first { _ in true } ?? (0, nil)
                    hub.start(at: newest)
                    started = true
                }
                var more = true
                while more && !Task.isCancelled {
                    (more, hole) = try await readBatch(hole: hole)
                }
            } catch {
                logger.warning("reading events failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
            }
            await wake.wait(timeout: hole == nil ? pollInterval : .milliseconds(5))
        }
    }

    /// Reads one batch after the hub's position; returns whether to read again at once, and the pending hole.
    private func readBatch(hole: Hole?) async throws -> (Bool, Hole?) {
        var hole = hole
        if var pending = hole, !pending.settled {
            // Settle the hole before reading, so a transaction that commits in between is read, not skipped.
            let running = try await postgres.execute(EventQueries.AnyInProgress(xids: pending.xids), logger: logger)
                .first { _ in true } ?? false
            if running && ContinuousClock.now - pending.since < holeTimeout { return (false, hole) }
            if running {
                logger.warning("events \(pending.start)...\(pending.upTo) missing for \(holeTimeout) behind a long transaction; moving on")
            }
            pending.settled = true
            hole = pending
        }
        let position = hub.position
        let rows = try await postgres.execute(EventQueries.After(after: position, limit: batchSize), logger: logger).collect()
        var expected = position + 1
        var deliver: [RealtimeEvent] = []
        for row in rows {
            if row.id != expected {
                if let settled = hole, settled.settled, expected >= settled.start, row.id - 1 <= settled.upTo {
                    // Passed over: whatever could have filled it has ended.
                } else {
                    let xids = try await postgres.execute(EventQueries.InProgress(), logger: logger).first { _ in true } ?? []
                    hub.dispatch(deliver, through: expected - 1)
                    return (false, Hole(start: expected, upTo: rows.last!.id - 1, xids: xids, since: .now))
                }
            }
            deliver.append(row)
            expected = row.id + 1
        }
        hub.dispatch(deliver, through: expected - 1)
        if let settled = hole, expected > settled.upTo { hole = nil }
        return (rows.count == batchSize, hole)
    }
}
