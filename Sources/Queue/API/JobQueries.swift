import Foundation
import PostgresNIO

/// The SQL API calls, one prepared statement type each. Every statement calls a `queue.*` function from
/// `migrations/`, so the Swift code and psql can never disagree.
///
/// Each statement declares its parameter types: a statement is prepared once per connection, and a type
/// inferred from a first NULL argument would not fit later non-NULL ones.
public enum JobQueries {
    /// `queue.enqueue(...)`: the new (or existing, for a held unique key) job id.
    public struct Enqueue: PostgresPreparedStatement {
        public static let sql = """
            SELECT queue.enqueue(kind => $1::text, args => $2::jsonb, queue => $3::text, priority => $4::int, \
            run_at => coalesce($5::timestamptz, now()), max_attempts => $6::int, unique_key => $7::text, user_id => $8::text)
            """
        public static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .int8, .timestamptz, .int8, .text, .text]
        public typealias Row = Int64
        public var request: EnqueueRequest
        public init(_ request: EnqueueRequest) { self.request = request }
        public func makeBindings() -> PostgresBindings {
            .values(request.kind, request.argsJSON, request.queue, request.priority, request.runAt,
                    request.maxAttempts, request.uniqueKey, request.userID)
        }
        public func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
    }

    /// `queue.enqueue_many(jobs)`: many requests in one statement and one commit, `(ord, id)` per request.
    public struct EnqueueMany: PostgresPreparedStatement {
        public static let sql = "SELECT ord, id FROM queue.enqueue_many($1::text::jsonb)"
        public static let bindingDataTypes: [PostgresDataType] = [.text]
        public typealias Row = (ordinal: Int, id: Int64)
        public var requests: [EnqueueRequest]
        public init(_ requests: [EnqueueRequest]) { self.requests = requests }
        public func makeBindings() -> PostgresBindings { .values(EnqueueRequest.jsonArray(requests)) }
        public func decodeRow(_ row: PostgresRow) throws -> Row {
            let (ordinal, id) = try row.decode((Int32, Int64).self)
            return (Int(ordinal), id)
        }
    }

    /// `queue.cancel(id)`: false when the job had already finished.
    public struct Cancel: PostgresPreparedStatement {
        public static let sql = "SELECT queue.cancel($1::bigint)"
        public static let bindingDataTypes: [PostgresDataType] = [.int8]
        public typealias Row = Bool
        public var id: Int64
        public func makeBindings() -> PostgresBindings { .values(id) }
        public func decodeRow(_ row: PostgresRow) throws -> Bool { try row.decode(Bool.self) }
    }

    /// `queue.retry(id, attempts)`: false unless the job was discarded or cancelled.
    public struct Retry: PostgresPreparedStatement {
        public static let sql = "SELECT queue.retry($1::bigint, $2::int)"
        public static let bindingDataTypes: [PostgresDataType] = [.int8, .int8]
        public typealias Row = Bool
        public var id: Int64
        public var attempts: Int?
        public func makeBindings() -> PostgresBindings { .values(id, attempts) }
        public func decodeRow(_ row: PostgresRow) throws -> Bool { try row.decode(Bool.self) }
    }

    /// `queue.progress(id, progress, current_step, data, attempt)`: false when the attempt's claim was lost.
    public struct Progress: PostgresPreparedStatement {
        public static let sql = "SELECT queue.progress($1::bigint, $2::int, $3::text, $4::jsonb, $5::int)"
        public static let bindingDataTypes: [PostgresDataType] = [.int8, .int8, .text, .text, .int8]
        public typealias Row = Bool
        public var id: Int64
        public var percent: Int
        public var step: String?
        public var dataJSON: String?
        public var attempt: Int?
        public func makeBindings() -> PostgresBindings { .values(id, percent, step, dataJSON, attempt) }
        public func decodeRow(_ row: PostgresRow) throws -> Bool { try row.decode(Bool.self) }
    }

    /// `queue.notify_user(...)`: the event id.
    public struct NotifyUser: PostgresPreparedStatement {
        public static let sql = "SELECT queue.notify_user($1::text, $2::text, $3::text, $4::text, $5::jsonb)"
        public static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .text, .text]
        public typealias Row = Int64
        public var userID: String
        public var type: String
        public var title: String
        public var message: String
        public var dataJSON: String
        public func makeBindings() -> PostgresBindings { .values(userID, type, title, message, dataJSON) }
        public func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
    }

    /// `queue.pause(queue)`: false when it was already paused.
    public struct Pause: PostgresPreparedStatement {
        public static let sql = "SELECT queue.pause($1::text)"
        public static let bindingDataTypes: [PostgresDataType] = [.text]
        public typealias Row = Bool
        public var queue: String
        public func makeBindings() -> PostgresBindings { .values(queue) }
        public func decodeRow(_ row: PostgresRow) throws -> Bool { try row.decode(Bool.self) }
    }

    /// `queue.resume(queue)`: false when it was not paused.
    public struct Resume: PostgresPreparedStatement {
        public static let sql = "SELECT queue.resume($1::text)"
        public static let bindingDataTypes: [PostgresDataType] = [.text]
        public typealias Row = Bool
        public var queue: String
        public func makeBindings() -> PostgresBindings { .values(queue) }
        public func decodeRow(_ row: PostgresRow) throws -> Bool { try row.decode(Bool.self) }
    }

    /// One job by id, or no row.
    public struct Get: PostgresPreparedStatement {
        /// The select list every job read uses (``decode(_:)`` reads it).
        public static let columns = """
            id, state::text, kind, queue, priority::int, attempt, max_attempts, run_at, progress::int, \
            current_step, user_id, args::text, result::text, errors::text, unique_key, worker, lease_expires_at, \
            schedule_name, created_at, started_at, finished_at
            """
        public static let sql = "SELECT \(columns) FROM queue.jobs WHERE id = $1"
        public static let bindingDataTypes: [PostgresDataType] = [.int8]
        public typealias Row = Job
        public var id: Int64
        public func makeBindings() -> PostgresBindings { .values(id) }
        public func decodeRow(_ row: PostgresRow) throws -> Job { try Self.decode(row) }

        /// A job from a row selecting ``columns``.
        public static func decode(_ row: PostgresRow) throws -> Job {
            let r = row.makeRandomAccess()
            let stateText = try r["state"].decode(String.self)
            guard let state = JobState(rawValue: stateText) else {
                throw QueueError.invalidArgument(message: "unknown job state \(stateText) in queue.jobs", hint: nil)
            }
            return Job(
                id: try r["id"].decode(Int64.self), state: state, kind: try r["kind"].decode(String.self),
                queue: try r["queue"].decode(String.self), priority: try r["priority"].decode(Int.self),
                attempt: try r["attempt"].decode(Int.self), maxAttempts: try r["max_attempts"].decode(Int.self),
                runAt: try r["run_at"].decode(Date.self), progress: try r["progress"].decode(Int.self),
                currentStep: try r["current_step"].decode(String?.self), userID: try r["user_id"].decode(String?.self),
                args: try r["args"].decode(String.self), result: try r["result"].decode(String?.self),
                errors: try r["errors"].decode(String.self), uniqueKey: try r["unique_key"].decode(String?.self),
                worker: try r["worker"].decode(String?.self), leaseExpiresAt: try r["lease_expires_at"].decode(Date?.self),
                scheduleName: try r["schedule_name"].decode(String?.self), createdAt: try r["created_at"].decode(Date.self),
                startedAt: try r["started_at"].decode(Date?.self), finishedAt: try r["finished_at"].decode(Date?.self))
        }
    }
}

extension EnqueueRequest {
    /// The requests as the JSON array `queue.enqueue_many` takes: `args` is spliced in as it is (a malformed
    /// one makes the server refuse the array), `run_at` is UTC with microseconds like a bound timestamptz.
    static func jsonArray(_ requests: [EnqueueRequest]) -> String {
        var json = "["
        for (index, request) in requests.enumerated() {
            if index > 0 { json += "," }
            json += #"{"kind":"# + jsonString(request.kind) + #","args":"# + request.argsJSON
            json += #","queue":"# + jsonString(request.queue) + #","priority":\#(request.priority)"#
            json += #","max_attempts":\#(request.maxAttempts)"#
            if let runAt = request.runAt { json += #","run_at":"# + jsonString(utcTimestamp(runAt)) }
            if let key = request.uniqueKey { json += #","unique_key":"# + jsonString(key) }
            if let user = request.userID { json += #","user_id":"# + jsonString(user) }
            json += "}"
        }
        return json + "]"
    }

    /// Whether `argsJSON` is at most one JSON value by its brackets and strings, so that splicing it into
    /// ``jsonArray(_:)`` cannot close its element early and smuggle in fields or elements of its own. Whether the
    /// value is valid JSON, and an object, is left to the server.
    var argsAreOneJSONValue: Bool {
        var depth = 0, inString = false, escaped = false, closedAtTop = false
        for byte in argsJSON.utf8 {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                continue
            case _ where closedAtTop:
                return false  // anything after the value's closing bracket
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth < 0 { return false }
                closedAtTop = depth == 0
            case UInt8(ascii: ",") where depth == 0, UInt8(ascii: ":") where depth == 0:
                return false
            default:
                continue
            }
        }
        return !inString && depth == 0
    }

    /// A JSON string literal for `text`.
    private static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// `date` as PostgreSQL reads a timestamptz: `2026-11-28 18:00:00.123456+00`, rounded to microseconds.
    private static func utcTimestamp(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        var seconds = time_t(micros.floorDivided(by: 1_000_000))
        let fraction = micros - Int64(seconds) * 1_000_000
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04ld-%02ld-%02ld %02ld:%02ld:%02ld.%06lld+00", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), fraction)
    }
}

private extension Int64 {
    /// Division rounding toward negative infinity (dates before 1970 stay correct).
    func floorDivided(by divisor: Int64) -> Int64 {
        let (q, r) = quotientAndRemainder(dividingBy: divisor)
        return r < 0 ? q - 1 : q
    }
}
