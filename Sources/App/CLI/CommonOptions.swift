import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import Queue

/// Options every database-touching command shares.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"),
            help: "PostgreSQL URL, e.g. postgres://user@127.0.0.1:5432/huddle (default: $DATABASE_URL).")
    var databaseURL: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (default: $HUDDLE_LOG_LEVEL, else info).")
    var logLevel: String?

    /// The parsed database URL.
    func database() throws -> DatabaseURL {
        guard let url = databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw ValidationError("no database: pass --database-url or set DATABASE_URL (make run prints one).")
        }
        do {
            return try DatabaseURL(url)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// A logger writing to standard error at the chosen level.
    func logger(label: String) throws -> Logger {
        let text = logLevel ?? ProcessInfo.processInfo.environment["HUDDLE_LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw ValidationError("unknown log level \(text): use trace, debug, info, notice, warning, error or critical")
        }
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level
        return logger
    }
}

/// A failure to report to the operator as `error: …` with exit status 1 (no usage text).
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command body, printing failures as `error: …` on standard error and exiting with status 1.
func reportingFailures(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ValidationError {
        throw error
    } catch let error as PSQLError {
        FileHandle.standardError.write(Data("error: \(error.explanation)\n".utf8))
        throw ExitCode.failure
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode.failure
    }
}

/// Runs `body` with a connection pool on `database` (at most `maximumConnections`, default 20, of which
/// `minimumConnections`, default 0, stay open), after checking that the database carries exactly this build's
/// migrations (so no command runs against a schema it does not understand).
func withQueueClient<T: Sendable>(
    _ database: DatabaseURL, logger: Logger, maximumConnections: Int = 20, minimumConnections: Int = 0,
    _ body: @Sendable (QueueClient) async throws -> T
) async throws -> T {
    try await Migrator(database: database, migrations: try MigrationSet.bundled(), logger: logger).requireCurrent()
    let postgres = PostgresClient(
        configuration: database.clientConfiguration(maximumConnections: maximumConnections, minimumConnections: minimumConnections),
        backgroundLogger: logger)
    return try await postgres.whileRunning {
        try await body(QueueClient(postgres: postgres, logger: logger))
    }
}
