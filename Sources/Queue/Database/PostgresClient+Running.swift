import PostgresNIO

extension PostgresClient {
    /// Runs the pool's background work while `body` runs, and shuts the pool down when `body` returns or
    /// throws. For commands and tests; long-running processes add the client to their `ServiceGroup` instead.
    public func whileRunning<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.run() }
            await Task.yield()  // let run() start before the first lease, which otherwise logs a warning
            defer { group.cancelAll() }
            return try await body()
        }
    }
}
