import Foundation
import PostgresNIO
import Queue

/// The API server's own statements (everything else goes through ``QueueClient`` and the `queue.*`
/// functions), one type each.
enum ServerQueries {
    /// One row of `queue.stats` (also an item of `GET /api/v1/stats`).
    struct StatsRow: Sendable, Encodable {
        var queue: String
        var state: String
        var jobs: Int
        var lagSeconds: Double

        enum CodingKeys: String, CodingKey {
            case queue, state, jobs
            case lagSeconds = "lag_seconds"
        }
    }

    /// `queue.stats`, with the lag in seconds.
    struct Stats: PostgresPreparedStatement {
        static let sql = """
            SELECT queue, state::text, jobs::bigint, coalesce(extract(epoch FROM lag), 0)::float8 FROM queue.stats
            """
        static let bindingDataTypes: [PostgresDataType] = []
        typealias Row = StatsRow
        func makeBindings() -> PostgresBindings { PostgresBindings() }
        func decodeRow(_ row: PostgresRow) throws -> StatsRow {
            let (queue, state, jobs, lag) = try row.decode((String, String, Int, Double).self)
            return StatsRow(queue: queue, state: state, jobs: jobs, lagSeconds: lag)
        }
    }

    /// A page of jobs, newest first, optionally filtered; `before` is the paging cursor (an id).
    struct ListJobs: PostgresPreparedStatement {
        static let sql = """
            SELECT \(jobColumns) FROM queue.jobs \
            WHERE ($1::text IS NULL OR user_id = $1) AND ($2::text IS NULL OR state = $2::queue.job_state) \
              AND ($3::text IS NULL OR kind = $3) AND ($4::text IS NULL OR queue = $4) AND ($5::bigint IS NULL OR id < $5) \
            ORDER BY id DESC LIMIT $6
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .text, .int8, .int8]
        typealias Row = Job
        var userID: String?
        var state: String?
        var kind: String?
        var queue: String?
        var before: Int64?
        var limit: Int
        func makeBindings() -> PostgresBindings { .values(userID, state, kind, queue, before, limit) }
        func decodeRow(_ row: PostgresRow) throws -> Job { try JobQueries.Get.decode(row) }
    }

    /// A user's notifications after an id, oldest first, as their sockets received them.
    struct Notifications: PostgresPreparedStatement {
        static let sql = """
            SELECT e.id, queue.event_message(e)::text FROM queue.events e \
            WHERE e.user_id = $1 AND e.type = 'notification' AND e.id > $2 ORDER BY e.id LIMIT $3
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .int8, .int8]
        typealias Row = (Int64, String)
        var userID: String
        var after: Int64
        var limit: Int
        func makeBindings() -> PostgresBindings { .values(userID, after, limit) }
        func decodeRow(_ row: PostgresRow) throws -> (Int64, String) { try row.decode((Int64, String).self) }
    }

    static let jobColumns = JobQueries.Get.columns
}
