import Foundation
import Logging
import PostgresNIO
import Queue

/// A database of its own for one test, cloned from a migrated template so it is fast and isolated.
///
/// The server comes from `HUDDLE_TEST_DATABASE_URL` (set by `make test`, which starts a throwaway cluster).
/// The first test in a process migrates the template `huddle_template` with the real migrator; every test
/// then gets `CREATE DATABASE … TEMPLATE huddle_template` and drops it when done.
public struct TestDatabase: Sendable {
    /// The test's own database.
    public let url: DatabaseURL
    /// A pool on it, already running.
    public let postgres: PostgresClient
    /// The SQL API on the pool.
    public let client: QueueClient
    /// A logger for the test (warnings only, to keep output readable).
    public let logger: Logger

    /// The server's URL (any database), from `HUDDLE_TEST_DATABASE_URL`.
    public static func serverURL() throws -> DatabaseURL {
        guard let text = ProcessInfo.processInfo.environment["HUDDLE_TEST_DATABASE_URL"], !text.isEmpty else {
            throw TestDatabaseError("HUDDLE_TEST_DATABASE_URL is not set: run the tests with `make test`, which starts a PostgreSQL for them")
        }
        return try DatabaseURL(text)
    }

    /// A logger for tests: warnings and worse, to standard error.
    public static func makeLogger(_ label: String = "test") -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = ProcessInfo.processInfo.environment["HUDDLE_TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .warning
        return logger
    }

    /// Runs `body` with a fresh database: migrated (from the template) when `migrated`, else empty.
    /// The database is dropped afterwards, whether `body` succeeds or throws.
    @discardableResult
    public static func with<T: Sendable>(
        migrated: Bool = true, maximumConnections: Int = 20,
        _ body: @Sendable (TestDatabase) async throws -> T
    ) async throws -> T {
        let server = try serverURL()
        let logger = makeLogger()
        if migrated { try await Template.shared.ensure(server: server, logger: logger) }
        let name = "huddle_test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        try await admin(server, logger: logger) { conn in
            let template = migrated ? Template.name : "template0"
            try await conn.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE \(template)"), logger: logger)
        }
        let url = server.with(database: name)
        let postgres = PostgresClient(configuration: url.clientConfiguration(maximumConnections: maximumConnections),
                                      backgroundLogger: logger)
        let database = TestDatabase(url: url, postgres: postgres, client: QueueClient(postgres: postgres, logger: logger), logger: logger)
        let result: Result<T, any Error>
        do {
            result = .success(try await postgres.whileRunning { try await body(database) })
        } catch let error as PSQLError {
            // PSQLError's description hides the server's message; a failing test should show it.
            result = .failure(TestDatabaseError(String(reflecting: error)))
        } catch {
            result = .failure(error)
        }
        _ = try? await admin(server, logger: logger) { conn in
            try await conn.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
        return try result.get()
    }

    /// Runs `body` on a single connection to the server's `postgres` database.
    public static func admin<T: Sendable>(_ server: DatabaseURL, logger: Logger,
                                          _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await server.with(database: "postgres").withConnection(logger: logger, body)
    }

    /// Runs `body` while a dedicated connection LISTENs on `channel`, handing it the notifications.
    /// LISTEN is in effect before `body` starts, so nothing `body` causes can be missed.
    public func listening<T: Sendable>(
        on channel: String, _ body: (PostgresNotificationSequence) async throws -> T
    ) async throws -> T {
        try await withConnection { connection in
            try await connection.listen(on: channel) { notifications in try await body(notifications) }
        }
    }

    /// Runs `body` on a dedicated connection to this test's database (for session state such as locks).
    public func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await url.withConnection(logger: logger, body)
    }
}

/// Creates the migrated template database once per process (and once per server across processes).
actor Template {
    static let shared = Template()
    static let name = "huddle_template"
    private var ready = false

    func ensure(server: DatabaseURL, logger: Logger) async throws {
        if ready { return }
        try await TestDatabase.admin(server, logger: logger) { conn in
            try await conn.query("SELECT pg_advisory_lock(77001)", logger: logger)
            do {
                let exists = try await conn.query(
                    "SELECT 1 FROM pg_database WHERE datname = \(Template.name)", logger: logger
                ).collect().isEmpty == false
                if !exists {
                    let building = "\(Template.name)_building"
                    try await conn.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(building)"), logger: logger)
                    try await conn.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(building) TEMPLATE template0"), logger: logger)
                    _ = try await Migrator(database: server.with(database: building),
                                           migrations: try MigrationSet.bundled(), logger: logger).migrate()
                    try await conn.query(PostgresQuery(unsafeSQL: "ALTER DATABASE \(building) RENAME TO \(Template.name)"), logger: logger)
                } else {
                    // A template left by an earlier run (a long-lived local server) gets any newer migrations.
                    _ = try await Migrator(database: server.with(database: Template.name),
                                           migrations: try MigrationSet.bundled(), logger: logger).migrate()
                }
                try await conn.query("SELECT pg_advisory_unlock(77001)", logger: logger)
            } catch {
                _ = try? await conn.query("SELECT pg_advisory_unlock(77001)", logger: logger)
                throw error
            }
        }
        ready = true
    }
}

/// The test environment is not set up.
public struct TestDatabaseError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension TestDatabase {
    /// Runs a statement and discards its rows.
    public func exec(_ query: PostgresQuery) async throws {
        try await postgres.query(query, logger: logger).consume()
    }

    /// The first column of the first row, decoded as `T`.
    public func scalar<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> T {
        for try await value in try await postgres.query(query, logger: logger).decode(T.self) { return value }
        throw TestDatabaseError("no row for \(query.sql)")
    }

    /// Every row's first column, decoded as `T`.
    public func column<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> [T] {
        var values: [T] = []
        for try await value in try await postgres.query(query, logger: logger).decode(T.self) { values.append(value) }
        return values
    }

    /// Puts an available job into `running` as a claim would (attempt + 1, worker, lease), for tests of
    /// the SQL API that need a running job; returns the claimed attempt.
    @discardableResult
    public func simulateClaim(_ id: Int64, worker: String = "test-worker") async throws -> Int {
        try await scalar("""
            UPDATE queue.jobs SET state = 'running', attempt = attempt + 1, worker = \(worker),
                   lease_expires_at = now() + interval '30 seconds', started_at = now()
             WHERE id = \(id) AND state = 'available' RETURNING attempt
            """, as: Int.self)
    }

    /// Finishes a running job as a worker's completion would.
    public func simulateComplete(_ id: Int64) async throws {
        try await exec("""
            UPDATE queue.jobs SET state = 'completed', finished_at = now(), result = '{}', lease_expires_at = NULL
             WHERE id = \(id) AND state = 'running'
            """)
    }
}
