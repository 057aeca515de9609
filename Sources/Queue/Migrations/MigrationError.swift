/// Why migrations cannot be applied, or why a database is not ready for this build of Huddle.
/// Each description says what is wrong and what to run.
public enum MigrationError: Error, CustomStringConvertible, Equatable {
    /// A migration file has the wrong name or shape.
    case malformed(file: String, reason: String)
    /// An applied file was edited afterwards (its checksum differs from the recorded one).
    case checksumMismatch(file: String, recorded: String, current: String)
    /// The database records versions this build does not ship (it was migrated by a newer Huddle).
    case unknownVersions([String])
    /// The database lacks migrations this build needs.
    case pending([String])
    /// A statement of a migration failed; nothing of that file was applied.
    case failed(file: String, line: Int, message: String)

    public var description: String {
        switch self {
        case let .malformed(file, reason):
            "migration \(file) is malformed: \(reason)"
        case let .checksumMismatch(file, recorded, current):
            "migrations/\(file) was changed after it was applied (recorded sha256 \(recorded.prefix(12))…, file now \(current.prefix(12))…). Migrations are forward-only: restore the applied text and put the change in a new migration."
        case let .unknownVersions(names):
            "the database has migration\(names.count == 1 ? "" : "s") \(names.joined(separator: ", ")) that this huddle build does not know; it was migrated by a newer Huddle. Upgrade huddle before running it against this database."
        case let .pending(names):
            "the database is missing migration\(names.count == 1 ? "" : "s") \(names.joined(separator: ", ")). Run `huddle migrate` first."
        case let .failed(file, line, message):
            "migration \(file) failed at the statement on line \(line); nothing of it was applied: \(message)"
        }
    }
}
