import Foundation
import TestSupport

/// A `huddle` child process (`work`, `schedule`, …) on the test's database, logging warnings only.
struct HuddleProcess {
    let process = Process()
    private let exited = AsyncStream<Int32>.makeStream()

    init(_ db: TestDatabase, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("huddle")
        process.arguments = arguments + ["--log-level", "warning"]
        process.environment = ProcessInfo.processInfo.environment.merging(["DATABASE_URL": db.url.urlString]) { _, new in new }
        let continuation = exited.continuation
        process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
        try process.run()
    }

    /// Waits for the process to end and returns its exit status (or the signal that ended it).
    func exitStatus() async -> Int32? {
        var iterator = exited.stream.makeAsyncIterator()
        return await iterator.next()
    }
}
