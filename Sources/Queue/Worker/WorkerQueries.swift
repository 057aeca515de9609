import PostgresNIO

/// A job a worker has claimed: what it needs to run it and to fence its writes.
public struct ClaimedJob: Sendable, Equatable {
    /// The job's id.
    public var id: Int64
    /// Its kind.
    public var kind: String
    /// Its queue.
    public var queue: String
    /// The attempt this claim started (the fence for every later write).
    public var attempt: Int
    /// The attempt budget.
    public var maxAttempts: Int
    /// The arguments, as JSON text.
    public var argsJSON: String
    /// The owning user, if any.
    public var userID: String?
}

/// The worker's statements, one type each, over the `queue.*` functions of migration 0003. Batches are
/// parallel arrays (one element per job) so one statement finishes many jobs.
enum WorkerQueries {
    /// `queue.claim`: up to `limit` due jobs of one queue.
    struct Claim: PostgresPreparedStatement {
        static let sql = """
            SELECT id, kind, queue, attempt, max_attempts, args::text, user_id \
            FROM queue.claim($1::text, $2::text, $3::text[], $4::int, $5::text::interval, $6::bool)
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .textArray, .int8, .text, .bool]
        typealias Row = ClaimedJob
        var worker: String
        var queue: String
        var kinds: [String]
        var limit: Int
        var lease: Duration
        var stopWakeups: Bool
        func makeBindings() -> PostgresBindings {
            .values(worker, queue, kinds, limit, lease.intervalText, stopWakeups)
        }
        func decodeRow(_ row: PostgresRow) throws -> ClaimedJob {
            let (id, kind, queue, attempt, maxAttempts, args, userID) =
                try row.decode((Int64, String, String, Int, Int, String, String?).self)
            return ClaimedJob(id: id, kind: kind, queue: queue, attempt: attempt, maxAttempts: maxAttempts,
                              argsJSON: args, userID: userID)
        }
    }

    /// `queue.await_work`: true when the queues now wake this worker; false while enqueues are in flight.
    struct AwaitWork: PostgresPreparedStatement {
        static let sql = "SELECT queue.await_work($1::text[])"
        static let bindingDataTypes: [PostgresDataType] = [.textArray]
        typealias Row = Bool
        var queues: [String]
        func makeBindings() -> PostgresBindings { .values(queues) }
        func decodeRow(_ row: PostgresRow) throws -> Bool { try row.decode(Bool.self) }
    }

    /// `queue.complete`: the ids it applied to.
    struct Complete: PostgresPreparedStatement {
        static let sql = "SELECT queue.complete($1::text, $2::bigint[], $3::int[], $4::text[]::jsonb[])"
        static let bindingDataTypes: [PostgresDataType] = [.text, .int8Array, .int8Array, .textArray]
        typealias Row = Int64
        var worker: String
        var ids: [Int64]
        var attempts: [Int]
        var results: [String]
        func makeBindings() -> PostgresBindings { .values(worker, ids, attempts, results) }
        func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
    }

    /// `queue.fail`: each applied id with the state it went to.
    struct Fail: PostgresPreparedStatement {
        static let sql = """
            SELECT id, state::text FROM queue.fail($1::text, $2::bigint[], $3::int[], $4::text[], $5::text[]::interval[], $6::bool[])
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .int8Array, .int8Array, .textArray, .textArray, .boolArray]
        typealias Row = (Int64, String)
        var worker: String
        var ids: [Int64]
        var attempts: [Int]
        var errors: [String]
        var retryIn: [String]
        var permanent: [Bool]
        func makeBindings() -> PostgresBindings { .values(worker, ids, attempts, errors, retryIn, permanent) }
        func decodeRow(_ row: PostgresRow) throws -> (Int64, String) { try row.decode((Int64, String).self) }
    }

    /// `queue.snooze`: the ids it applied to.
    struct Snooze: PostgresPreparedStatement {
        static let sql = "SELECT queue.snooze($1::text, $2::bigint[], $3::int[], $4::text[]::interval[])"
        static let bindingDataTypes: [PostgresDataType] = [.text, .int8Array, .int8Array, .textArray]
        typealias Row = Int64
        var worker: String
        var ids: [Int64]
        var attempts: [Int]
        var delays: [String]
        func makeBindings() -> PostgresBindings { .values(worker, ids, attempts, delays) }
        func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
    }

    /// `queue.release`: the ids it applied to.
    struct Release: PostgresPreparedStatement {
        static let sql = "SELECT queue.release($1::text, $2::bigint[], $3::int[])"
        static let bindingDataTypes: [PostgresDataType] = [.text, .int8Array, .int8Array]
        typealias Row = Int64
        var worker: String
        var ids: [Int64]
        var attempts: [Int]
        func makeBindings() -> PostgresBindings { .values(worker, ids, attempts) }
        func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
    }

    /// `queue.heartbeat`: the ids the worker still holds.
    struct Heartbeat: PostgresPreparedStatement {
        static let sql = "SELECT queue.heartbeat($1::text, $2::bigint[], $3::int[], $4::text::interval)"
        static let bindingDataTypes: [PostgresDataType] = [.text, .int8Array, .int8Array, .text]
        typealias Row = Int64
        var worker: String
        var ids: [Int64]
        var attempts: [Int]
        var lease: Duration
        func makeBindings() -> PostgresBindings { .values(worker, ids, attempts, lease.intervalText) }
        func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
    }

    /// `queue.rescue_expired`: each rescued id with the state it went to.
    struct RescueExpired: PostgresPreparedStatement {
        static let sql = "SELECT id, state::text FROM queue.rescue_expired($1::int)"
        static let bindingDataTypes: [PostgresDataType] = [.int8]
        typealias Row = (Int64, String)
        var limit: Int
        func makeBindings() -> PostgresBindings { .values(limit) }
        func decodeRow(_ row: PostgresRow) throws -> (Int64, String) { try row.decode((Int64, String).self) }
    }
}
