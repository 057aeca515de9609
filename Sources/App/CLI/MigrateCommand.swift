import ArgumentParser
import Foundation
import Queue

/// `huddle migrate`: applies pending migrations, or reports (`--status`) or prints (`--print`) them.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending SQL migrations (each file in its own transaction; safe to run concurrently).",
        discussion: """
            The files are the repository's migrations/ folder, bundled into this build. Applying them with
            `psql -v ON_ERROR_STOP=1 -f FILE` in order is equivalent; `huddle migrate` then finds nothing to do.
            """
    )

    @OptionGroup var options: DatabaseOptions

    @Flag(help: "List every migration as applied, pending, changed or unknown, and change nothing.")
    var status = false

    @Flag(name: .customLong("print"), help: "Print the SQL of the pending migrations (for teams running their own migration tool) and change nothing.")
    var printSQL = false

    func validate() throws {
        if status && printSQL { throw ValidationError("--status and --print cannot be combined") }
    }

    func run() async throws {
        let database = try options.database()
        let logger = try options.logger(label: "huddle.migrate")
        try await reportingFailures {
            let migrator = Migrator(database: database, migrations: try MigrationSet.bundled(), logger: logger)
            if status {
                let report = try await migrator.status()
                for entry in report.entries {
                    let when = entry.appliedAt.map { " " + $0.formatted(.iso8601) } ?? ""
                    print("\(Self.label(entry.state).padding(toLength: 9, withPad: " ", startingAt: 0)) \(entry.fileName)\(when)")
                }
                try report.requireConsistent()
            } else if printSQL {
                print(try await migrator.pendingSQL(), terminator: "")
            } else {
                let applied = try await migrator.migrate()
                print(applied.isEmpty ? "database is up to date" : "applied \(applied.map(\.fileName).joined(separator: ", "))")
            }
        }
    }

    private static func label(_ state: MigrationReport.Entry.State) -> String {
        switch state {
        case .applied: "applied"
        case .appliedWithoutChecksum: "applied*"
        case .changed: "CHANGED"
        case .pending: "pending"
        case .unknown: "UNKNOWN"
        }
    }
}
