import Logging
import PostgresNIO
import Synchronization

/// One dedicated connection that LISTENs on a set of channels and keeps doing so: a health check notices a
/// dead or silently half-open connection, and it reconnects with backoff and LISTENs again. Whoever uses
/// it must poll as a fallback and treat `onConnected` as "you may have missed notifications".
///
/// Defaults: health check every 5 s with a 5 s timeout; reconnect backoff from 100 ms doubling to 5 s.
public struct NotificationListener: Sendable {
    /// A notification as delivered: the channel and its payload.
    public typealias Handler = @Sendable (_ channel: String, _ payload: String) -> Void

    /// The database to listen on.
    public var database: DatabaseURL
    /// The channels to LISTEN on.
    public var channels: [String]
    /// Shown in `pg_stat_activity.application_name`, so operators can tell what each connection is.
    public var applicationName: String
    /// How often the connection is checked with `SELECT 1` (default 5 s); also the check's timeout.
    public var healthCheckInterval: Duration
    /// Where connection losses are logged.
    public var logger: Logger
    /// Called for every notification, on the listener's task; keep it short.
    public var onNotification: Handler
    /// Called each time LISTEN is (re-)established on all channels.
    public var onConnected: @Sendable () -> Void
    /// Called each time an established LISTEN connection is lost (before reconnecting).
    public var onDisconnected: @Sendable () -> Void

    /// Creates a listener; it does nothing until ``run()``.
    public init(database: DatabaseURL, channels: [String], applicationName: String, healthCheckInterval: Duration = .seconds(5),
                logger: Logger, onConnected: @escaping @Sendable () -> Void = {}, onNotification: @escaping Handler,
                onDisconnected: @escaping @Sendable () -> Void = {}) {
        self.database = database
        self.channels = channels
        self.applicationName = applicationName
        self.healthCheckInterval = healthCheckInterval
        self.logger = logger
        self.onConnected = onConnected
        self.onDisconnected = onDisconnected
        self.onNotification = onNotification
    }

    /// Listens until the task is cancelled, reconnecting as often as needed.
    public func run() async {
        var backoff = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                try await session()
                backoff = .milliseconds(100)
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.warning("listener connection lost; reconnecting in \(backoff)", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(5))
        }
    }

    /// One connection's life: connect, LISTEN, deliver and health-check until something fails.
    private func session() async throws {
        try await database.withConnection(applicationName: applicationName, logger: logger) { connection in
            try await deliver(connection)
        }
    }

    private func deliver(_ connection: PostgresConnection) async throws {
        try await listen(connection, channels[...], sequences: []) { sequences in
            onConnected()
            defer { onDisconnected() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (channel, sequence) in sequences {
                    group.addTask {
                        for try await notification in sequence {
                            onNotification(channel, notification.payload)
                        }
                        throw ListenerClosed()
                    }
                }
                group.addTask { try await healthCheck(connection) }
                // The first of them to end (an error, a closed connection, a failed check) ends the session.
                try await group.next()
                group.cancelAll()
            }
        }
    }

    private func listen(
        _ connection: PostgresConnection, _ remaining: ArraySlice<String>, sequences: [(String, PostgresNotificationSequence)],
        _ body: @Sendable ([(String, PostgresNotificationSequence)]) async throws -> Void
    ) async throws {
        guard let channel = remaining.first else { return try await body(sequences) }
        try await connection.listen(on: channel) { sequence in
            try await listen(connection, remaining.dropFirst(), sequences: sequences + [(channel, sequence)], body)
        }
    }

    private func healthCheck(_ connection: PostgresConnection) async throws {
        while true {
            try await Task.sleep(for: healthCheckInterval)
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await connection.query("SELECT 1", logger: logger).consume()
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: healthCheckInterval)
                    return false
                }
                let answered = try await group.next() ?? false
                group.cancelAll()
                if !answered { throw ListenerClosed() }
            }
        }
    }
}

/// The LISTEN connection stopped delivering (closed, or its health check went unanswered).
struct ListenerClosed: Error, CustomStringConvertible {
    var description: String { "the LISTEN connection closed or stopped answering" }
}
