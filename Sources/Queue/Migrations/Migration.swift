import Crypto
import Foundation

/// One forward-only migration file, `migrations/NNNN_name.sql`.
///
/// A file is a single transaction: `BEGIN;`, then `queue.begin_migration(N, 'name')` (which takes the
/// migration lock and records the version, so psql and `huddle migrate` apply it alike), the changes, and
/// `COMMIT;`. ``MigrationSet`` checks every file has that shape before anything is applied.
public struct Migration: Sendable, Equatable {
    /// The number in the file name; versions run 1, 2, 3, … without gaps.
    public var version: Int
    /// The name after the number, e.g. `queue_schema`.
    public var name: String
    /// The file's text.
    public var sql: String

    /// The file name, e.g. `0001_queue_schema.sql`.
    public var fileName: String { "\(Self.pad(version))_\(name).sql" }

    /// The hex SHA-256 of the file's bytes; a changed applied file is refused by comparing it.
    public var checksum: String {
        SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Creates a migration from its parts.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// The statements between the file's `BEGIN;` and `COMMIT;`, checked to be in the required shape.
    /// - Throws: ``MigrationError/malformed(file:reason:)`` when the shape is wrong.
    public func bodyStatements() throws -> [SQLScript.Statement] {
        let statements: [SQLScript.Statement]
        do {
            statements = try SQLScript(sql).statements
        } catch {
            throw MigrationError.malformed(file: fileName, reason: "\(error)")
        }
        guard statements.count >= 3, statements.first?.sql.uppercased() == "BEGIN",
              statements.last?.sql.uppercased() == "COMMIT" else {
            throw MigrationError.malformed(file: fileName, reason: "it must start with BEGIN; and end with COMMIT;")
        }
        let body = Array(statements.dropFirst().dropLast())
        let marker = "queue.begin_migration(\(version), '\(name)')"
        guard body.contains(where: { $0.sql.contains(marker) }) else {
            throw MigrationError.malformed(file: fileName, reason: "it must call \(marker) to record its version")
        }
        if let stray = body.first(where: { Self.isTransactionControl($0.sql) }) {
            throw MigrationError.malformed(
                file: fileName, reason: "line \(stray.line): transaction control inside the migration's own transaction")
        }
        return body
    }

    static func pad(_ version: Int) -> String {
        let digits = String(version)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private static func isTransactionControl(_ sql: String) -> Bool {
        let head = sql.uppercased().split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).first ?? ""
        return ["BEGIN", "COMMIT", "ROLLBACK", "END", "START", "SAVEPOINT", "RELEASE"].contains(String(head))
    }
}

/// The ordered, validated set of migrations this build of Huddle knows.
public struct MigrationSet: Sendable {
    /// The migrations in version order.
    public var migrations: [Migration]

    /// The newest version, 0 when there are none.
    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Validates and orders `migrations`: versions must run 1…n without gaps or duplicates, and every file
    /// must have the required shape.
    public init(_ migrations: [Migration]) throws {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (index, migration) in sorted.enumerated() where migration.version != index + 1 {
            throw MigrationError.malformed(
                file: migration.fileName, reason: "expected version \(Migration.pad(index + 1)) here: versions must run 1, 2, 3, … without gaps or repeats")
        }
        for migration in sorted { _ = try migration.bodyStatements() }
        self.migrations = sorted
    }

    /// The migrations compiled into this build (the repository's `migrations/` folder, embedded by the
    /// EmbedMigrations build plugin), or those in `$HUDDLE_MIGRATIONS_DIR` when it is set.
    public static func bundled() throws -> MigrationSet {
        if let dir = ProcessInfo.processInfo.environment["HUDDLE_MIGRATIONS_DIR"], !dir.isEmpty {
            return try load(directory: URL(fileURLWithPath: dir))
        }
        return try parse(EmbeddedMigrations.files.map { file in
            (file.name, String(decoding: Data(base64Encoded: file.base64) ?? Data(), as: UTF8.self))
        })
    }

    /// Reads every `NNNN_name.sql` file in `directory`.
    /// - Throws: ``MigrationError/malformed(file:reason:)`` for a `.sql` file whose name is not `NNNN_name.sql`.
    public static func load(directory: URL) throws -> MigrationSet {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }
        return try parse(names.map { name in
            (name, try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8))
        })
    }

    /// Builds the set from (file name, text) pairs.
    static func parse(_ files: [(name: String, sql: String)]) throws -> MigrationSet {
        var migrations: [Migration] = []
        for (file, sql) in files {
            let stem = file.dropLast(4)
            guard file.hasSuffix(".sql"), let underscore = stem.firstIndex(of: "_"),
                  stem.distance(from: stem.startIndex, to: underscore) == 4,
                  let version = Int(stem[..<underscore]),
                  !stem[stem.index(after: underscore)...].isEmpty else {
                throw MigrationError.malformed(file: file, reason: "migration files are named NNNN_name.sql")
            }
            migrations.append(Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql))
        }
        return try MigrationSet(migrations)
    }
}
