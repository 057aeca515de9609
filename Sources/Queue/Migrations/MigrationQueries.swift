import Foundation
import PostgresNIO

/// The migrator's statements against the ledger `queue.schema_migrations`, one type per statement.
enum MigrationQueries {
    /// Whether the ledger table exists yet (it does after migration 0001).
    struct LedgerExists: PostgresPreparedStatement {
        static let sql = "SELECT to_regclass('queue.schema_migrations') IS NOT NULL"
        typealias Row = Bool
        func makeBindings() -> PostgresBindings { PostgresBindings() }
        func decodeRow(_ row: PostgresRow) throws -> Bool { try row.decode(Bool.self) }
    }

    /// Every applied version with its recorded checksum (NULL when applied with psql).
    struct Applied: PostgresPreparedStatement {
        static let sql = "SELECT version, name, checksum, applied_at FROM queue.schema_migrations ORDER BY version"
        typealias Row = AppliedMigration
        func makeBindings() -> PostgresBindings { PostgresBindings() }
        func decodeRow(_ row: PostgresRow) throws -> AppliedMigration {
            let (version, name, checksum, appliedAt) = try row.decode((Int, String, String?, Date).self)
            return AppliedMigration(version: version, name: name, checksum: checksum, appliedAt: appliedAt)
        }
    }

    /// Records the file's checksum for an applied version that has none yet.
    struct RecordChecksum: PostgresPreparedStatement {
        static let sql = "UPDATE queue.schema_migrations SET checksum = $2 WHERE version = $1 AND checksum IS NULL"
        static let bindingDataTypes: [PostgresDataType] = [.int8, .text]
        typealias Row = Void
        var version: Int
        var checksum: String
        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(version)
            bindings.append(checksum)
            return bindings
        }
        func decodeRow(_ row: PostgresRow) throws {}
    }

    /// Serialises migrators (and psql runs of migration files, which take the same key per transaction).
    struct Lock: PostgresPreparedStatement {
        static let sql = "SELECT pg_advisory_lock(4829174251)"
        typealias Row = Void
        func makeBindings() -> PostgresBindings { PostgresBindings() }
        func decodeRow(_ row: PostgresRow) throws {}
    }

    /// Releases ``Lock``.
    struct Unlock: PostgresPreparedStatement {
        static let sql = "SELECT pg_advisory_unlock(4829174251)"
        typealias Row = Void
        func makeBindings() -> PostgresBindings { PostgresBindings() }
        func decodeRow(_ row: PostgresRow) throws {}
    }
}

/// A row of `queue.schema_migrations`.
public struct AppliedMigration: Sendable, Equatable {
    /// The migration's version.
    public var version: Int
    /// Its name as recorded.
    public var name: String
    /// The recorded SHA-256, or nil when it was applied with psql and not yet adopted by `huddle migrate`.
    public var checksum: String?
    /// When it was applied (database clock).
    public var appliedAt: Date
}
