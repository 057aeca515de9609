import Foundation
import Logging
import PostgresNIO

/// Applies the bundled migrations to a database and reports where a database stands.
///
/// Each file runs in its own transaction on one dedicated connection, under a session advisory lock that
/// every migration file also takes, so any number of migrators (or psql runs of the files) started at once
/// apply each file exactly once. The file records its own version first; the migrator adds the file's
/// SHA-256 in the same transaction, and refuses to go on when an applied file has changed or the database
/// knows versions this build does not.
public struct Migrator: Sendable {
    /// The migrations this build ships.
    public let migrations: MigrationSet
    /// The database to migrate.
    public let database: DatabaseURL
    /// Where progress is logged (one line per applied file).
    public let logger: Logger

    /// Creates a migrator for `database` with `migrations` (default: the bundled set).
    public init(database: DatabaseURL, migrations: MigrationSet, logger: Logger) {
        self.database = database
        self.migrations = migrations
        self.logger = logger
    }

    /// Reads the ledger and compares it with the files, without changing anything.
    public func status() async throws -> MigrationReport {
        try await database.withConnection(logger: logger) { connection in try await report(connection) }
    }

    /// Applies every pending migration in order and returns the ones applied (empty when up to date).
    /// Also records checksums for files applied with psql, which have none yet.
    /// - Throws: ``MigrationError`` when a file changed after it was applied, the database is newer than
    ///   this build, or a statement fails (that file is rolled back; earlier files stay applied).
    public func migrate() async throws -> [Migration] {
        try await database.withConnection(logger: logger) { connection in
            try await connection.execute(MigrationQueries.Lock(), logger: logger).consume()
            do {
                let report = try await report(connection)
                try report.requireConsistent()
                for migration in migrations.migrations {
                    if let applied = report.applied[migration.version], applied.checksum == nil {
                        try await connection.execute(
                            MigrationQueries.RecordChecksum(version: migration.version, checksum: migration.checksum),
                            logger: logger
                        ).consume()
                        logger.info("recorded checksum of \(migration.fileName), which was applied outside huddle")
                    }
                }
                var applied: [Migration] = []
                for migration in report.pending {
                    try await apply(migration, on: connection)
                    applied.append(migration)
                }
                try await connection.execute(MigrationQueries.Unlock(), logger: logger).consume()
                return applied
            } catch {
                _ = try? await connection.execute(MigrationQueries.Unlock(), logger: logger).consume()
                throw error
            }
        }
    }

    /// The SQL of every pending migration, in order, ready for `psql -v ON_ERROR_STOP=1 -f -`.
    public func pendingSQL() async throws -> String {
        let report = try await status()
        try report.requireConsistent()
        return report.pending.map { "-- migrations/\($0.fileName)\n\($0.sql)" }.joined(separator: "\n")
    }

    /// Succeeds only when the database has exactly this build's migrations, unchanged.
    /// - Throws: ``MigrationError`` saying what to run otherwise.
    public func requireCurrent() async throws {
        let report = try await status()
        try report.requireConsistent()
        if !report.pending.isEmpty { throw MigrationError.pending(report.pending.map(\.fileName)) }
    }

    private func apply(_ migration: Migration, on connection: PostgresConnection) async throws {
        let statements = try migration.bodyStatements()
        let started = ContinuousClock.now
        try await connection.query("BEGIN", logger: logger)
        do {
            for statement in statements {
                do {
                    try await connection.query(PostgresQuery(unsafeSQL: statement.sql), logger: logger)
                } catch let error as PSQLError {
                    throw MigrationError.failed(file: migration.fileName, line: statement.line, message: error.explanation)
                }
            }
            try await connection.execute(
                MigrationQueries.RecordChecksum(version: migration.version, checksum: migration.checksum), logger: logger
            ).consume()
            try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
        logger.info("applied \(migration.fileName) in \(ContinuousClock.now - started)")
    }

    private func report(_ connection: PostgresConnection) async throws -> MigrationReport {
        let exists = try await connection.execute(MigrationQueries.LedgerExists(), logger: logger).first { _ in true } ?? false
        let applied = exists ? try await connection.execute(MigrationQueries.Applied(), logger: logger).collect() : []
        return MigrationReport(migrations: migrations, applied: applied)
    }
}

/// Where a database stands against this build's migrations.
public struct MigrationReport: Sendable {
    /// One line of `huddle migrate --status`.
    public struct Entry: Sendable, Equatable {
        /// What is known of this version.
        public enum State: Sendable, Equatable {
            /// Applied, with its checksum matching the file.
            case applied
            /// Applied with psql; its checksum is recorded at the next `huddle migrate`.
            case appliedWithoutChecksum
            /// Applied, but the file has changed since.
            case changed
            /// Not applied yet.
            case pending
            /// Applied, but this build has no such file.
            case unknown
        }
        /// The version number.
        public var version: Int
        /// The file name (or the recorded name for unknown versions).
        public var fileName: String
        /// Its state.
        public var state: State
        /// When it was applied, if it was.
        public var appliedAt: Date?
    }

    /// Every version known to the files or the database, in order.
    public let entries: [Entry]
    /// Files not applied yet, in order.
    public let pending: [Migration]
    /// The ledger's rows by version.
    public let applied: [Int: AppliedMigration]

    init(migrations: MigrationSet, applied rows: [AppliedMigration]) {
        let applied = Dictionary(rows.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
        var entries: [Entry] = []
        var pending: [Migration] = []
        for migration in migrations.migrations {
            guard let row = applied[migration.version] else {
                entries.append(Entry(version: migration.version, fileName: migration.fileName, state: .pending))
                pending.append(migration)
                continue
            }
            let state: Entry.State = switch row.checksum {
            case nil: .appliedWithoutChecksum
            case migration.checksum?: .applied
            default: .changed
            }
            entries.append(Entry(version: migration.version, fileName: migration.fileName, state: state, appliedAt: row.appliedAt))
        }
        let known = Set(migrations.migrations.map(\.version))
        for row in rows where !known.contains(row.version) {
            entries.append(Entry(version: row.version, fileName: "\(Migration.pad(row.version))_\(row.name).sql",
                                 state: .unknown, appliedAt: row.appliedAt))
        }
        self.entries = entries
        self.pending = pending
        self.applied = applied
        self.migrations = migrations
    }

    private let migrations: MigrationSet

    /// Throws when an applied file has changed or the database has versions this build does not know.
    public func requireConsistent() throws {
        let unknown = entries.filter { $0.state == .unknown }.map(\.fileName)
        if !unknown.isEmpty { throw MigrationError.unknownVersions(unknown) }
        for migration in migrations.migrations {
            if let row = applied[migration.version], let recorded = row.checksum, recorded != migration.checksum {
                throw MigrationError.checksumMismatch(file: migration.fileName, recorded: recorded, current: migration.checksum)
            }
        }
    }
}

extension AsyncSequence {
    /// Reads the sequence to its end, discarding the elements (e.g. the rows of a statement run for effect).
    public func consume() async throws {
        for try await _ in self {}
    }

    /// All the elements, in order.
    public func collect() async throws -> [Element] {
        var result: [Element] = []
        for try await element in self { result.append(element) }
        return result
    }
}
