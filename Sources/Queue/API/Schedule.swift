import Foundation
import PostgresNIO

/// When a schedule fires: every fixed interval, or by a cron expression read in a time zone.
public enum Cadence: Sendable, Equatable {
    /// Elapsed time between runs (ticks aligned to multiples of it since 2000-01-01 UTC).
    case every(Duration)
    /// A 5-field cron expression or macro, in an IANA time zone (e.g. `UTC`, `Europe/Berlin`).
    case cron(String, timezone: String)
}

/// What a missed run (no scheduler was up at its tick) turns into when a scheduler comes back.
public enum CatchUp: String, Sendable, Equatable, CaseIterable {
    /// One run for all missed ticks (the default).
    case skip
    /// Every missed tick, up to the scheduler's cap (default 100, the latest).
    case all
}

/// A schedule to create or replace: the columns of `queue.schedules` an operator sets.
public struct ScheduleDefinition: Sendable, Equatable {
    /// Unique name, 1–160 characters.
    public var name: String
    /// The job kind it enqueues.
    public var kind: String
    /// When it fires.
    public var cadence: Cadence
    /// The job's arguments as a JSON object's text (default `{}`).
    public var argsJSON: String
    /// The job's queue (default `default`).
    public var queue: String
    /// The job's priority, lower first (default 0).
    public var priority: Int
    /// The job's attempt budget (default 5).
    public var maxAttempts: Int
    /// Missed-tick policy (default `skip`).
    public var catchUp: CatchUp
    /// Whether it fires (default true).
    public var enabled: Bool

    /// Creates a definition; every argument after `cadence` has the SQL API's default.
    public init(name: String, kind: String, cadence: Cadence, argsJSON: String = "{}", queue: String = "default",
                priority: Int = 0, maxAttempts: Int = 5, catchUp: CatchUp = .skip, enabled: Bool = true) {
        self.name = name
        self.kind = kind
        self.cadence = cadence
        self.argsJSON = argsJSON
        self.queue = queue
        self.priority = priority
        self.maxAttempts = maxAttempts
        self.catchUp = catchUp
        self.enabled = enabled
    }

    /// Checks what PostgreSQL cannot: the cron expression (with the scheduler's own parser), the time zone
    /// (as the scheduler will read it) and, given `knownKinds`, the kind. Throws ``QueueError/invalidArgument(message:hint:)``.
    public func validate(knownKinds: Set<String>? = nil) throws {
        if let knownKinds, !knownKinds.contains(kind) {
            throw QueueError.invalidArgument(message: "unknown kind \"\(kind)\"",
                                             hint: "Known kinds: \(knownKinds.sorted().joined(separator: ", ")).")
        }
        switch cadence {
        case let .every(interval):
            guard interval > .zero else {
                throw QueueError.invalidArgument(message: "every must be a positive interval", hint: nil)
            }
        case let .cron(text, timezone):
            do {
                _ = try CronExpression(parsing: text)
            } catch {
                throw QueueError.invalidArgument(message: error.message, hint: "Five fields: minute hour day-of-month month day-of-week, e.g. 0 9 * * MON-FRI.")
            }
            guard TimeZone(identifier: timezone) != nil else {
                throw QueueError.invalidArgument(message: "unknown time zone \"\(timezone)\"", hint: "Use an IANA name such as Europe/Berlin or UTC.")
            }
        }
    }
}

/// A schedule as stored, with what the scheduler has made of it.
public struct Schedule: Sendable, Equatable {
    /// Its name.
    public var name: String
    /// Whether it fires.
    public var enabled: Bool
    /// The job kind.
    public var kind: String
    /// PostgreSQL's text of `every` (e.g. `00:15:00`, `1 day`), when an interval schedule.
    public var every: String?
    /// The cron expression, when a cron schedule.
    public var cron: String?
    /// The cron time zone.
    public var timezone: String
    /// The job arguments (JSON text).
    public var argsJSON: String
    /// The job queue.
    public var queue: String
    /// The job priority.
    public var priority: Int
    /// The job attempt budget.
    public var maxAttempts: Int
    /// The missed-tick policy.
    public var catchUp: String
    /// The next tick (nil until a scheduler works it out).
    public var nextRunAt: Date?
    /// When it last fired.
    public var lastRunAt: Date?
    /// The job it last made.
    public var lastJobID: Int64?
    /// Why schedulers are skipping it, if they are.
    public var lastError: String?
}

extension QueueClient {
    /// Creates or replaces a schedule after ``ScheduleDefinition/validate(knownKinds:)`` and the SQL checks of
    /// `queue.upsert_schedule`; returns it as stored.
    public func upsertSchedule(_ definition: ScheduleDefinition, knownKinds: Set<String>? = nil) async throws -> Schedule {
        try definition.validate(knownKinds: knownKinds)
        return try await single(ScheduleAPIQueries.Upsert(definition: definition))
    }

    /// The schedule called `name`, or nil.
    public func schedule(named name: String) async throws -> Schedule? {
        try await classifyingErrors {
            try await postgres.execute(ScheduleAPIQueries.Get(name: name), logger: logger).first { _ in true }
        }
    }

    /// Every schedule, by name.
    public func schedules() async throws -> [Schedule] {
        try await classifyingErrors { try await postgres.execute(ScheduleAPIQueries.List(), logger: logger).collect() }
    }

    /// Switches a schedule on (false when it already was); its next run is worked out afresh from now.
    public func enableSchedule(named name: String) async throws -> Bool {
        try await single(ScheduleAPIQueries.SetEnabled(name: name, enabled: true))
    }

    /// Switches a schedule off (false when it already was).
    public func disableSchedule(named name: String) async throws -> Bool {
        try await single(ScheduleAPIQueries.SetEnabled(name: name, enabled: false))
    }

    /// Enqueues the schedule's job now, outside its cadence; returns the job id.
    public func runScheduleNow(named name: String) async throws -> Int64 {
        try await single(ScheduleAPIQueries.RunNow(name: name))
    }

    /// Deletes a schedule (its jobs stay); false when there was none.
    public func deleteSchedule(named name: String) async throws -> Bool {
        try await single(ScheduleAPIQueries.Delete(name: name))
    }
}

/// The schedule API's statements, one type each, over migration 0004's operator helpers.
enum ScheduleAPIQueries {
    static let columns = """
        name, enabled, kind, every::text, cron, timezone, args::text, queue, priority::int, max_attempts, catch_up, \
        next_run_at, last_run_at, last_job_id, last_error
        """

    static func decode(_ row: PostgresRow) throws -> Schedule {
        let r = row.makeRandomAccess()
        return Schedule(
            name: try r[0].decode(String.self), enabled: try r[1].decode(Bool.self), kind: try r[2].decode(String.self),
            every: try r[3].decode(String?.self), cron: try r[4].decode(String?.self), timezone: try r[5].decode(String.self),
            argsJSON: try r[6].decode(String.self), queue: try r[7].decode(String.self), priority: try r[8].decode(Int.self),
            maxAttempts: try r[9].decode(Int.self), catchUp: try r[10].decode(String.self),
            nextRunAt: try r[11].decode(Date?.self), lastRunAt: try r[12].decode(Date?.self),
            lastJobID: try r[13].decode(Int64?.self), lastError: try r[14].decode(String?.self))
    }

    struct Upsert: PostgresPreparedStatement {
        static let sql = """
            SELECT \(columns) FROM queue.upsert_schedule(name => $1::text, kind => $2::text, \
            every => $3::text::interval, cron => $4::text, timezone => coalesce($5::text, 'UTC'), args => $6::jsonb, \
            queue => $7::text, priority => $8::int, max_attempts => $9::int, catch_up => $10::text, enabled => $11::bool)
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .text, .text, .text, .text, .int8, .int8, .text, .bool]
        typealias Row = Schedule
        var definition: ScheduleDefinition
        func makeBindings() -> PostgresBindings {
            var b = PostgresBindings()
            b.append(definition.name)
            b.append(definition.kind)
            switch definition.cadence {
            case let .every(interval):
                b.append(interval.intervalText)
                b.append(String?.none)
                b.append(String?.none)
            case let .cron(text, timezone):
                b.append(String?.none)
                b.append(text)
                b.append(timezone)
            }
            b.append(definition.argsJSON)
            b.append(definition.queue)
            b.append(definition.priority)
            b.append(definition.maxAttempts)
            b.append(definition.catchUp.rawValue)
            b.append(definition.enabled)
            return b
        }
        func decodeRow(_ row: PostgresRow) throws -> Schedule { try ScheduleAPIQueries.decode(row) }
    }

    struct Get: PostgresPreparedStatement {
        static let sql = "SELECT \(columns) FROM queue.schedules WHERE name = $1"
        static let bindingDataTypes: [PostgresDataType] = [.text]
        typealias Row = Schedule
        var name: String
        func makeBindings() -> PostgresBindings { .values(name) }
        func decodeRow(_ row: PostgresRow) throws -> Schedule { try ScheduleAPIQueries.decode(row) }
    }

    struct List: PostgresPreparedStatement {
        static let sql = "SELECT \(columns) FROM queue.schedules ORDER BY name"
        static let bindingDataTypes: [PostgresDataType] = []
        typealias Row = Schedule
        func makeBindings() -> PostgresBindings { PostgresBindings() }
        func decodeRow(_ row: PostgresRow) throws -> Schedule { try ScheduleAPIQueries.decode(row) }
    }

    struct SetEnabled: PostgresPreparedStatement {
        static let sql = "SELECT CASE WHEN $2::bool THEN queue.enable_schedule($1::text) ELSE queue.disable_schedule($1::text) END"
        static let bindingDataTypes: [PostgresDataType] = [.text, .bool]
        typealias Row = Bool
        var name: String
        var enabled: Bool
        func makeBindings() -> PostgresBindings { .values(name, enabled) }
        func decodeRow(_ row: PostgresRow) throws -> Bool { try row.decode(Bool.self) }
    }

    struct RunNow: PostgresPreparedStatement {
        static let sql = "SELECT queue.run_schedule_now($1::text)"
        static let bindingDataTypes: [PostgresDataType] = [.text]
        typealias Row = Int64
        var name: String
        func makeBindings() -> PostgresBindings { .values(name) }
        func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
    }

    struct Delete: PostgresPreparedStatement {
        static let sql = "WITH d AS (DELETE FROM queue.schedules WHERE name = $1 RETURNING 1) SELECT count(*) > 0 FROM d"
        static let bindingDataTypes: [PostgresDataType] = [.text]
        typealias Row = Bool
        var name: String
        func makeBindings() -> PostgresBindings { .values(name) }
        func decodeRow(_ row: PostgresRow) throws -> Bool { try row.decode(Bool.self) }
    }
}
