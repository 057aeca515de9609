import ArgumentParser
import Foundation
import Queue

/// `huddle enqueue KIND`: adds a job through `queue.enqueue` and prints its id.
struct Enqueue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue",
        abstract: "Enqueue a job and print its id (the same as SELECT queue.enqueue(...) in psql)."
    )

    @OptionGroup var options: DatabaseOptions

    @Argument(help: "The job kind, e.g. noop, sleep or sit_start.")
    var kind: String

    @Option(help: "The arguments, a JSON object.")
    var args: String = "{}"

    @Option(help: "The queue.")
    var queue: String = "default"

    @Option(help: "Lower runs first.")
    var priority: Int = 0

    @Option(name: .customLong("run-at"), help: "When it may run: ISO-8601 (2026-12-01T09:00:00Z) or +N[s|m|h|d] from now (default: now).")
    var runAt: String?

    @Option(name: .customLong("max-attempts"), help: "Attempts allowed, counting the first.")
    var maxAttempts: Int = 5

    @Option(name: .customLong("unique-key"), help: "While a live job holds this key, print its id instead of adding one.")
    var uniqueKey: String?

    @Option(name: .customLong("user"), help: "The owning user id; their browser gets the job's updates.")
    var user: String?

    func run() async throws {
        let database = try options.database()
        let logger = try options.logger(label: "huddle.enqueue")
        let when = try runAt.map(Self.parseTime)
        let request = EnqueueRequest(kind: kind, argsJSON: args, queue: queue, priority: priority, runAt: when,
                                     maxAttempts: maxAttempts, uniqueKey: uniqueKey, userID: user)
        try await reportingFailures {
            let id = try await withQueueClient(database, logger: logger, maximumConnections: 1) { client in
                try await client.enqueue(request)
            }
            print(id)
        }
    }

    /// Parses `--run-at`: an ISO-8601 instant or `+N` with unit s, m, h or d.
    static func parseTime(_ text: String) throws -> Date {
        if text.hasPrefix("+") {
            let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
            let body = text.dropFirst()
            let unit = body.last.flatMap { units[$0] }
            let number = Double(unit == nil ? body : body.dropLast())
            if let number, number >= 0 { return Date().addingTimeInterval(number * (unit ?? 1)) }
        } else if let date = try? Date(text, strategy: .iso8601) {
            return date
        }
        throw ValidationError("--run-at \(text) is neither ISO-8601 (2026-12-01T09:00:00Z) nor +N[s|m|h|d]")
    }
}
