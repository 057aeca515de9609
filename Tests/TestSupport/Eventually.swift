/// Re-checks `condition` every `interval` until it holds, and throws after `timeout` (default 60 s) naming
/// `what`: for outcomes that are state to look at (rows, counters), not events to wait on.
public func eventually(_ what: String, timeout: Duration = .seconds(60), interval: Duration = .milliseconds(100),
                       _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TestDatabaseError("timed out after \(timeout) waiting for \(what)") }
        try await Task.sleep(for: interval)
    }
}
