import PostgresNIO

/// An error from the queue's SQL API, classified so callers can answer properly (CLI exit message,
/// REST status). The message and hint are PostgreSQL's own, written in the migrations.
public enum QueueError: Error, CustomStringConvertible, Equatable {
    /// A bad argument (SQLSTATE 22023, or 22P02 for malformed JSON): the request is wrong and nothing changed.
    case invalidArgument(message: String, hint: String?)
    /// No such job (SQLSTATE P0002).
    case notFound(message: String)
    /// The job is not in a state the operation applies to (SQLSTATE 55000).
    case wrongState(message: String)

    public var description: String {
        switch self {
        case let .invalidArgument(message, hint): hint.map { "\(message)\nhint: \($0)" } ?? message
        case let .notFound(message), let .wrongState(message): message
        }
    }

    /// Classifies a PostgreSQL error raised by a queue function; other errors are returned unchanged.
    public static func classify(_ error: any Error) -> any Error {
        guard let error = error as? PSQLError, let state = error.sqlState else { return error }
        let message = error.serverInfo?[.detail].map { "\(error.serverMessage) (\($0))" } ?? error.serverMessage
        switch state {
        case "22023", "22P02", "22007", "22008", "23514":
            return QueueError.invalidArgument(message: message, hint: error.serverInfo?[.hint])
        case "P0002":
            return QueueError.notFound(message: message)
        case "55000":
            return QueueError.wrongState(message: message)
        default:
            return error
        }
    }
}

/// Runs `body`, turning PostgreSQL errors raised by the SQL API into ``QueueError``s.
func classifyingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch {
        throw QueueError.classify(error)
    }
}
