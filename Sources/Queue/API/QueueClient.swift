import Foundation
import Logging
import PostgresNIO

/// What to enqueue: the arguments of `queue.enqueue`, with its defaults.
public struct EnqueueRequest: Sendable, Equatable {
    /// The handler kind (required, non-blank).
    public var kind: String
    /// The arguments as a JSON object's text (default `{}`).
    public var argsJSON: String
    /// The queue (default `default`).
    public var queue: String
    /// Lower runs first (default 0).
    public var priority: Int
    /// When it may run (default: now, by the database clock).
    public var runAt: Date?
    /// The attempt budget, counting the first run (default 5).
    public var maxAttempts: Int
    /// A key that at most one live job may hold (default none).
    public var uniqueKey: String?
    /// The owning user (default none: a system job).
    public var userID: String?

    /// Creates a request; every argument but `kind` has the SQL API's default.
    public init(kind: String, argsJSON: String = "{}", queue: String = "default", priority: Int = 0, runAt: Date? = nil,
                maxAttempts: Int = 5, uniqueKey: String? = nil, userID: String? = nil) {
        self.kind = kind
        self.argsJSON = argsJSON
        self.queue = queue
        self.priority = priority
        self.runAt = runAt
        self.maxAttempts = maxAttempts
        self.uniqueKey = uniqueKey
        self.userID = userID
    }

    /// Creates a request whose arguments are `args` encoded as JSON.
    public init(kind: String, args: some Encodable, queue: String = "default", priority: Int = 0, runAt: Date? = nil,
                maxAttempts: Int = 5, uniqueKey: String? = nil, userID: String? = nil) throws {
        let json = String(decoding: try JSONEncoder().encode(args), as: UTF8.self)
        self.init(kind: kind, argsJSON: json, queue: queue, priority: priority, runAt: runAt,
                  maxAttempts: maxAttempts, uniqueKey: uniqueKey, userID: userID)
    }
}

/// The queue's SQL API for Swift callers: a thin wrapper over the `queue.*` functions, one call each.
/// Errors raised by those functions arrive as ``QueueError``.
public struct QueueClient: Sendable {
    /// The connection pool it runs on (whose `run()` the owner must be running).
    public let postgres: PostgresClient
    /// The logger passed to PostgresNIO.
    public let logger: Logger

    /// Creates a client over `postgres`.
    public init(postgres: PostgresClient, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    /// Enqueues a job and returns its id (the existing job's id when its unique key is held).
    public func enqueue(_ request: EnqueueRequest) async throws -> Int64 {
        try await single(JobQueries.Enqueue(request))
    }

    /// Enqueues all `requests` in one statement and one commit (`queue.enqueue_many`) and returns their ids
    /// in order; one invalid request fails them all and enqueues none.
    public func enqueueMany(_ requests: [EnqueueRequest]) async throws -> [Int64] {
        guard !requests.isEmpty else { return [] }
        if let bad = requests.firstIndex(where: { !$0.argsAreOneJSONValue }) {
            throw QueueError.invalidArgument(message: "job \(bad + 1): args must be one JSON object, not \(requests[bad].argsJSON.debugDescription)",
                                             hint: nil)
        }
        return try await classifyingErrors {
            var ids = [Int64](repeating: 0, count: requests.count)
            for try await row in try await postgres.execute(JobQueries.EnqueueMany(requests), logger: logger) {
                ids[row.ordinal - 1] = row.id
            }
            return ids
        }
    }

    /// Cancels a job; false when it had already finished.
    public func cancel(jobID: Int64) async throws -> Bool {
        try await single(JobQueries.Cancel(id: jobID))
    }

    /// Makes a discarded or cancelled job available again with `attempts` more tries (default its budget).
    public func retry(jobID: Int64, attempts: Int? = nil) async throws -> Bool {
        try await single(JobQueries.Retry(id: jobID, attempts: attempts))
    }

    /// Records progress of a running job; with `attempt`, false when that attempt's claim was lost.
    public func progress(jobID: Int64, percent: Int, step: String?, dataJSON: String? = nil, attempt: Int? = nil) async throws -> Bool {
        try await single(JobQueries.Progress(id: jobID, percent: percent, step: step, dataJSON: dataJSON, attempt: attempt))
    }

    /// Sends a notification to a user and returns its event id.
    public func notifyUser(_ userID: String, type: String, title: String, message: String, dataJSON: String = "{}") async throws -> Int64 {
        try await single(JobQueries.NotifyUser(userID: userID, type: type, title: title, message: message, dataJSON: dataJSON))
    }

    /// Pauses a queue; false when it was already paused.
    public func pause(queue: String) async throws -> Bool {
        try await single(JobQueries.Pause(queue: queue))
    }

    /// Resumes a queue; false when it was not paused.
    public func resume(queue: String) async throws -> Bool {
        try await single(JobQueries.Resume(queue: queue))
    }

    /// The job with `id`, or nil.
    public func job(id: Int64) async throws -> Job? {
        try await classifyingErrors {
            try await postgres.execute(JobQueries.Get(id: id), logger: logger).first { _ in true }
        }
    }

    /// Runs `query` and returns its first row, classifying SQL API errors; no row is ``QueueError/notFound(message:)``.
    func single<Q: PostgresPreparedStatement>(_ query: Q) async throws -> Q.Row {
        try await classifyingErrors {
            guard let row = try await postgres.execute(query, logger: logger).first(where: { _ in true }) else {
                throw QueueError.notFound(message: "\(Q.self) returned no row")
            }
            return row
        }
    }
}
