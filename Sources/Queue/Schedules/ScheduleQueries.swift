import Foundation
import PostgresNIO

/// Instants on the wire between the scheduler and PostgreSQL: microseconds since 1970, so the tick the
/// scheduler read is exactly the tick its guarded fire compares with (a `Date` could round it).
typealias Micros = Int64

extension Micros {
    /// As a `Date` (for cron arithmetic, which works in whole seconds).
    var date: Date { Date(timeIntervalSince1970: TimeInterval(self) / 1_000_000) }
    /// From a `Date`, rounded to the microsecond.
    init(_ date: Date) { self = Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }
}

/// A schedule row as the scheduler reads it in a pass.
struct DueSchedule: Sendable {
    var name: String
    var kind: String
    var cron: String?
    var timezone: String
    var nextRunAt: Micros?
    var updatedAt: Micros
    var lastError: String?
    /// The database clock when the pass read the row.
    var now: Micros
}

/// The scheduler's and the maintenance services' statements, one type each, over the `queue.*` functions
/// of migration 0004.
enum ScheduleQueries {
    /// Enabled schedules that are due or have no next run yet; rows already known to be broken last.
    struct Due: PostgresPreparedStatement {
        static let sql = """
            SELECT name, kind, cron, timezone, queue.to_micros(next_run_at), queue.to_micros(updated_at), last_error, \
            queue.to_micros(now()) \
            FROM queue.schedules \
            WHERE enabled AND (next_run_at IS NULL OR next_run_at <= now()) \
            ORDER BY last_error IS NOT NULL, next_run_at NULLS FIRST, name \
            LIMIT $1
            """
        static let bindingDataTypes: [PostgresDataType] = [.int8]
        typealias Row = DueSchedule
        var limit: Int
        func makeBindings() -> PostgresBindings { .values(limit) }
        func decodeRow(_ row: PostgresRow) throws -> DueSchedule {
            let (name, kind, cron, timezone, next, updated, error, now) =
                try row.decode((String, String, String?, String, Int64?, Int64, String?, Int64).self)
            return DueSchedule(name: name, kind: kind, cron: cron, timezone: timezone, nextRunAt: next,
                               updatedAt: updated, lastError: error, now: now)
        }
    }

    /// Microseconds from now until the next healthy schedule is due (NULL: none is waiting).
    struct NextDue: PostgresPreparedStatement {
        static let sql = """
            SELECT queue.to_micros(min(next_run_at)) - queue.to_micros(now()) \
            FROM queue.schedules WHERE enabled AND next_run_at > now() AND last_error IS NULL
            """
        static let bindingDataTypes: [PostgresDataType] = []
        typealias Row = Int64?
        func makeBindings() -> PostgresBindings { PostgresBindings() }
        func decodeRow(_ row: PostgresRow) throws -> Int64? { try row.decode(Int64?.self) }
    }

    /// `queue.fire_schedule`: the jobs made, or NULL when another scheduler fired the tick first.
    struct Fire: PostgresPreparedStatement {
        static let sql = """
            SELECT queue.fire_schedule($1::text, queue.from_micros($2::bigint), \
            CASE WHEN $3::bigint[] IS NULL THEN NULL ELSE ARRAY(SELECT queue.from_micros(t) FROM unnest($3::bigint[]) AS t) END, \
            queue.from_micros($4::bigint), $5::int)
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .int8, .int8Array, .int8, .int8]
        typealias Row = [Int64]?
        var name: String
        var due: Micros
        var cronTicks: [Micros]?
        var cronNext: Micros?
        var maxCatchUp: Int
        func makeBindings() -> PostgresBindings { .values(name, due, cronTicks, cronNext, maxCatchUp) }
        func decodeRow(_ row: PostgresRow) throws -> [Int64]? { try row.decode([Int64]?.self) }
    }

    /// `queue.start_schedule`: a cron schedule's first next run.
    struct Start: PostgresPreparedStatement {
        static let sql = "SELECT queue.start_schedule($1::text, $2::text, $3::text, queue.from_micros($4::bigint))"
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .int8]
        typealias Row = Bool
        var name: String
        var cron: String
        var timezone: String
        var next: Micros
        func makeBindings() -> PostgresBindings { .values(name, cron, timezone, next) }
        func decodeRow(_ row: PostgresRow) throws -> Bool { try row.decode(Bool.self) }
    }

    /// `queue.schedule_failed`: true when the error is news.
    struct Failed: PostgresPreparedStatement {
        static let sql = "SELECT queue.schedule_failed($1::text, queue.from_micros($2::bigint), $3::text)"
        static let bindingDataTypes: [PostgresDataType] = [.text, .int8, .text]
        typealias Row = Bool
        var name: String
        var updatedAt: Micros
        var error: String
        func makeBindings() -> PostgresBindings { .values(name, updatedAt, error) }
        func decodeRow(_ row: PostgresRow) throws -> Bool { try row.decode(Bool.self) }
    }

    /// `queue.prune` with a batch limit: how many jobs and events it deleted.
    struct Prune: PostgresPreparedStatement {
        static let sql = "SELECT jobs_deleted, events_deleted FROM queue.prune($1::text::interval, $2::text::interval, $3::int)"
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .int8]
        typealias Row = (Int, Int)
        var jobsOlderThan: Duration
        var eventsOlderThan: Duration
        var maxRows: Int
        func makeBindings() -> PostgresBindings {
            .values(jobsOlderThan.intervalText, eventsOlderThan.intervalText, maxRows)
        }
        func decodeRow(_ row: PostgresRow) throws -> (Int, Int) { try row.decode((Int, Int).self) }
    }

    /// `queue.scheduler_heartbeat`.
    struct Heartbeat: PostgresPreparedStatement {
        static let sql = "SELECT queue.scheduler_heartbeat($1::text, $2::bigint, $3::bigint, $4::bigint, $5::bigint, $6::bool)"
        static let bindingDataTypes: [PostgresDataType] = [.text, .int8, .int8, .int8, .int8, .bool]
        typealias Row = Void
        var name: String
        var totals: MaintenanceTotals.Snapshot
        var stopping: Bool
        func makeBindings() -> PostgresBindings {
            .values(name, totals.ticksFired, totals.jobsRescued, totals.jobsPruned, totals.eventsPruned, stopping)
        }
        func decodeRow(_ row: PostgresRow) throws {}
    }
}
