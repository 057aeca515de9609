import Foundation
import Logging

/// What a handler gets besides its arguments: which job and attempt it is running, a logger, and a way
/// to report progress. Cancellation is Swift task cancellation: `queue.cancel`, a lost lease or shutdown
/// cancels the handler's task.
public struct JobContext: Sendable {
    /// The job's id.
    public let jobID: Int64
    /// The kind being run.
    public let kind: String
    /// This attempt's number (1 for the first run).
    public let attempt: Int
    /// The attempt budget.
    public let maxAttempts: Int
    /// The owning user, if any.
    public let userID: String?
    /// A logger carrying the job id and attempt as metadata.
    public let logger: Logger
    let client: QueueClient

    /// Reports progress (0…100) and the current step; the job's user sees it live. `data` goes with it to
    /// the browser. Throws `CancellationError` when this attempt no longer holds the job (cancelled or
    /// rescued), so the handler stops.
    public func progress(_ percent: Int, step: String?, data: (any Encodable & Sendable)? = nil) async throws {
        let dataJSON = try data.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        let applied = try await client.progress(jobID: jobID, percent: percent, step: step, dataJSON: dataJSON, attempt: attempt)
        if !applied {
            logger.info("progress dropped: this attempt no longer holds the job")
            throw CancellationError()
        }
    }
}

/// Errors a handler throws to steer what happens next; any other error is retried with backoff.
public enum JobError: Error, CustomStringConvertible {
    /// Do not retry: discard the job now with this message.
    case permanent(String)
    /// Not a failure: run again after `delay` without using up an attempt.
    case snooze(Duration)

    public var description: String {
        switch self {
        case let .permanent(message): message
        case let .snooze(delay): "snoozed for \(delay)"
        }
    }
}

/// The handlers a worker runs, by kind. Each has typed `Decodable` arguments and a retry policy; a job
/// whose arguments do not decode is discarded at once with a message saying why.
public struct JobHandlers: Sendable {
    struct Entry: Sendable {
        var retry: RetryPolicy
        var run: @Sendable (_ argsJSON: String, _ context: JobContext) async throws -> String?
    }

    private(set) var entries: [String: Entry] = [:]

    /// An empty set; see ``builtin`` for one with `noop` and `sleep`.
    public init() {}

    /// The kinds registered, sorted.
    public var kinds: [String] { entries.keys.sorted() }

    /// Registers `handler` for `kind`, replacing any earlier one. Its return value, encoded as JSON, becomes
    /// the job's `result` (return nothing for none). `retry` defaults to ``RetryPolicy/default``.
    public mutating func register<Args: Decodable & Sendable, Result: Encodable & Sendable>(
        _ kind: String, retry: RetryPolicy = .default,
        _ handler: @escaping @Sendable (Args, JobContext) async throws -> Result
    ) {
        entries[kind] = Entry(retry: retry) { argsJSON, context in
            let args: Args
            do {
                args = try JSONDecoder().decode(Args.self, from: Data(argsJSON.utf8))
            } catch {
                throw JobError.permanent("invalid arguments for \(kind): \(Self.describe(error))")
            }
            let result = try await handler(args, context)
            if result is Void || result is EmptyResult { return nil }
            return String(decoding: try JSONEncoder().encode(result), as: UTF8.self)
        }
    }

    /// Registers a handler that returns no result.
    public mutating func register<Args: Decodable & Sendable>(
        _ kind: String, retry: RetryPolicy = .default,
        _ handler: @escaping @Sendable (Args, JobContext) async throws -> Void
    ) {
        register(kind, retry: retry) { (args: Args, context: JobContext) -> EmptyResult in
            try await handler(args, context)
            return EmptyResult()
        }
    }

    /// The built-in kinds every worker has: `noop` (does nothing) and `sleep` (`{"ms": n}`, waits n
    /// milliseconds, honouring cancellation). Used for operations and benchmarks.
    public static var builtin: JobHandlers {
        var handlers = JobHandlers()
        handlers.register("noop") { (_: EmptyArgs, _: JobContext) in }
        handlers.register("sleep") { (args: SleepArgs, _: JobContext) in
            guard args.ms >= 0 else { throw JobError.permanent("ms must not be negative") }
            try await Task.sleep(for: .milliseconds(args.ms))
        }
        return handlers
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, _): "missing field \(key.stringValue)"
        case let DecodingError.typeMismatch(type, context):
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")) is not a \(type)"
        case let DecodingError.valueNotFound(_, context):
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")) is null"
        case let DecodingError.dataCorrupted(context): context.debugDescription
        default: "\(error)"
        }
    }
}

/// Arguments of `sleep`.
public struct SleepArgs: Codable, Sendable {
    /// How long to sleep, in milliseconds.
    public var ms: Int
}

/// Arguments of a kind that takes none (any JSON object is accepted).
public struct EmptyArgs: Codable, Sendable {}

/// The result of a handler that returns nothing (stored as SQL NULL).
struct EmptyResult: Encodable, Sendable {}
