import PostgresNIO
import Queue

/// One event as the real-time path routes it: who it is for, which task it concerns, and the message text
/// exactly as sockets receive it (built by `queue.event_message`).
public struct RealtimeEvent: Sendable, Equatable {
    /// The event id (what clients resume after).
    public var id: Int64
    /// The owner.
    public var userID: String
    /// The task (job) it concerns; nil for notifications.
    public var taskID: Int64?
    /// The JSON message.
    public var message: String
}

/// The real-time path's statements over `queue.events`, one type each.
enum EventQueries {
    /// Every user's events after `after`, in id order: the feed's read.
    struct After: PostgresPreparedStatement {
        static let sql = """
            SELECT e.id, e.user_id, e.job_id, queue.event_message(e)::text FROM queue.events e \
            WHERE e.id > $1 ORDER BY e.id LIMIT $2
            """
        static let bindingDataTypes: [PostgresDataType] = [.int8, .int8]
        typealias Row = RealtimeEvent
        var after: Int64
        var limit: Int
        func makeBindings() -> PostgresBindings { .values(after, limit) }
        func decodeRow(_ row: PostgresRow) throws -> RealtimeEvent { try EventQueries.decode(row) }
    }

    /// One user's events in (after, through], in id order: a socket's replay.
    struct ForUser: PostgresPreparedStatement {
        static let sql = """
            SELECT e.id, e.user_id, e.job_id, queue.event_message(e)::text FROM queue.events e \
            WHERE e.user_id = $1 AND e.id > $2 AND e.id <= $3 ORDER BY e.id LIMIT $4
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .int8, .int8, .int8]
        typealias Row = RealtimeEvent
        var userID: String
        var after: Int64
        var through: Int64
        var limit: Int
        func makeBindings() -> PostgresBindings { .values(userID, after, through, limit) }
        func decodeRow(_ row: PostgresRow) throws -> RealtimeEvent { try EventQueries.decode(row) }
    }

    /// The newest and oldest event ids (0 and nil on an empty log).
    struct Bounds: PostgresPreparedStatement {
        static let sql = "SELECT coalesce(max(id), 0), min(id) FROM queue.events"
        static let bindingDataTypes: [PostgresDataType] = []
        typealias Row = (Int64, Int64?)
        func makeBindings() -> PostgresBindings { PostgresBindings() }
        func decodeRow(_ row: PostgresRow) throws -> (Int64, Int64?) { try row.decode((Int64, Int64?).self) }
    }

    /// `queue.in_progress_xids()`, as text.
    struct InProgress: PostgresPreparedStatement {
        static let sql = "SELECT queue.in_progress_xids()::text[]"
        static let bindingDataTypes: [PostgresDataType] = []
        typealias Row = [String]
        func makeBindings() -> PostgresBindings { PostgresBindings() }
        func decodeRow(_ row: PostgresRow) throws -> [String] { try row.decode([String].self) }
    }

    /// `queue.any_in_progress(xids)`.
    struct AnyInProgress: PostgresPreparedStatement {
        static let sql = "SELECT queue.any_in_progress($1::text[]::xid8[])"
        static let bindingDataTypes: [PostgresDataType] = [.textArray]
        typealias Row = Bool
        var xids: [String]
        func makeBindings() -> PostgresBindings { .values(xids) }
        func decodeRow(_ row: PostgresRow) throws -> Bool { try row.decode(Bool.self) }
    }

    /// Whether task `id` belongs to `userID`.
    struct OwnsTask: PostgresPreparedStatement {
        static let sql = "SELECT EXISTS (SELECT 1 FROM queue.jobs WHERE id = $1 AND user_id = $2)"
        static let bindingDataTypes: [PostgresDataType] = [.int8, .text]
        typealias Row = Bool
        var id: Int64
        var userID: String
        func makeBindings() -> PostgresBindings { .values(id, userID) }
        func decodeRow(_ row: PostgresRow) throws -> Bool { try row.decode(Bool.self) }
    }

    static func decode(_ row: PostgresRow) throws -> RealtimeEvent {
        let (id, user, task, message) = try row.decode((Int64, String, Int64?, String).self)
        return RealtimeEvent(id: id, userID: user, taskID: task, message: message)
    }
}
