import Foundation
import Hummingbird
import Queue

/// `/api/v1/schedules` (admins only; others get 403): list, create, read, change and delete schedules. The
/// same checks as `queue.upsert_schedule` plus the scheduler's own cron parser and this build's kinds, so
/// whatever is accepted here fires.
struct ScheduleRoutes: Sendable {
    var client: QueueClient
    var kinds: KindCatalog

    struct ScheduleResponse: ResponseEncodable {
        var name: String
        var enabled: Bool
        var kind: String
        var every: String?
        var cron: String?
        var timezone: String
        var args: JSONValue
        var queue: String
        var priority: Int
        var max_attempts: Int
        var catch_up: String
        var next_run_at: Date?
        var last_run_at: Date?
        var last_job_id: Int64?
        var last_error: String?

        init(_ s: Schedule) {
            name = s.name
            enabled = s.enabled
            kind = s.kind
            every = s.every
            cron = s.cron
            timezone = s.timezone
            args = JSONValue(text: s.argsJSON) ?? .object([:])
            queue = s.queue
            priority = s.priority
            max_attempts = s.maxAttempts
            catch_up = s.catchUp
            next_run_at = s.nextRunAt
            last_run_at = s.lastRunAt
            last_job_id = s.lastJobID
            last_error = s.lastError
        }
    }

    /// A create (all of `name`, `kind` and one of `every_seconds`/`cron` required) or a change (any subset).
    struct Body: Decodable {
        var name: String?
        var kind: String?
        var every_seconds: Double?
        var cron: String?
        var timezone: String?
        var args: JSONValue?
        var queue: String?
        var priority: Int?
        var max_attempts: Int?
        var catch_up: String?
        var enabled: Bool?
    }

    struct List: ResponseEncodable {
        var schedules: [ScheduleResponse]
    }

    /// The job `POST /schedules/{name}/run` enqueued.
    struct RunNow: ResponseEncodable {
        var job_id: Int64
    }

    func add(to api: RouterGroup<HuddleRequestContext>) {
        api.get("schedules") { _, context -> List in
            try Self.requireAdmin(context)
            return List(schedules: try await client.schedules().map(ScheduleResponse.init))
        }
        api.post("schedules") { request, context -> EditedResponse<ScheduleResponse> in
            try Self.requireAdmin(context)
            let body = try await request.decode(as: Body.self, context: context)
            guard let name = body.name, !name.isEmpty else { throw APIError.unprocessable("name is required") }
            if try await client.schedule(named: name) != nil { throw APIError.conflict("schedule \"\(name)\" exists; PATCH it instead") }
            let stored = try await client.upsertSchedule(try definition(name: name, body, over: nil), knownKinds: kinds.all)
            return EditedResponse(status: .created, response: ScheduleResponse(stored))
        }
        api.get("schedules/{name}") { _, context -> ScheduleResponse in
            try Self.requireAdmin(context)
            return ScheduleResponse(try await existing(context))
        }
        api.patch("schedules/{name}") { request, context -> ScheduleResponse in
            try Self.requireAdmin(context)
            let current = try await existing(context)
            let body = try await request.decode(as: Body.self, context: context)
            if let renamed = body.name, renamed != current.name { throw APIError.unprocessable("a schedule cannot be renamed") }
            return ScheduleResponse(try await client.upsertSchedule(try definition(name: current.name, body, over: current),
                                                                    knownKinds: kinds.all))
        }
        api.post("schedules/{name}/run") { _, context -> EditedResponse<RunNow> in
            try Self.requireAdmin(context)
            let schedule = try await existing(context)
            return EditedResponse(status: .created, response: RunNow(job_id: try await client.runScheduleNow(named: schedule.name)))
        }
        api.delete("schedules/{name}") { _, context -> HTTPResponse.Status in
            try Self.requireAdmin(context)
            guard try await client.deleteSchedule(named: try context.parameters.require("name")) else {
                throw APIError.notFound("schedule not found")
            }
            return .noContent
        }
    }

    private func existing(_ context: HuddleRequestContext) async throws -> Schedule {
        let name = try context.parameters.require("name")
        guard let schedule = try await client.schedule(named: name) else { throw APIError.notFound("schedule \"\(name)\" not found") }
        return schedule
    }

    /// The definition `body` describes, on top of `current` for a change.
    private func definition(name: String, _ body: Body, over current: Schedule?) throws -> ScheduleDefinition {
        guard let kind = body.kind ?? current?.kind else { throw APIError.unprocessable("kind is required") }
        let cadence: Cadence
        switch (body.every_seconds, body.cron) {
        case (.some, .some):
            throw APIError.unprocessable("give exactly one of every_seconds or cron")
        case let (seconds?, nil):
            cadence = .every(.milliseconds(Int64(seconds * 1000)))
        case let (nil, cron?):
            cadence = .cron(cron, timezone: body.timezone ?? current?.timezone ?? "UTC")
        case (nil, nil):
            if let cron = current?.cron {
                cadence = .cron(cron, timezone: body.timezone ?? current?.timezone ?? "UTC")
            } else if let every = current?.every {
                cadence = .every(try Self.duration(every))
            } else {
                throw APIError.unprocessable("give exactly one of every_seconds or cron")
            }
        }
        let args = body.args ?? current.flatMap { JSONValue(text: $0.argsJSON) } ?? .object([:])
        guard case .object = args else { throw APIError.unprocessable("args must be a JSON object") }
        var catchUp = CatchUp.skip
        if let text = body.catch_up ?? current?.catchUp {
            guard let value = CatchUp(rawValue: text) else { throw APIError.unprocessable("catch_up must be skip or all") }
            catchUp = value
        }
        return ScheduleDefinition(
            name: name, kind: kind, cadence: cadence, argsJSON: args.text, queue: body.queue ?? current?.queue ?? "default",
            priority: body.priority ?? current?.priority ?? 0, maxAttempts: body.max_attempts ?? current?.maxAttempts ?? 5,
            catchUp: catchUp, enabled: body.enabled ?? current?.enabled ?? true)
    }

    /// A stored `every` (PostgreSQL interval text such as `01:30:00` or `1 day 02:00:00`) as a duration.
    static func duration(_ interval: String) throws -> Duration {
        var seconds = 0.0
        var parts = interval.split(separator: " ").map(String.init)
        while parts.count >= 2, let n = Double(parts[0]) {
            let unit = parts[1]
            seconds += n * (unit.hasPrefix("day") ? 86_400 : unit.hasPrefix("mon") ? 30 * 86_400 : unit.hasPrefix("year") ? 365 * 86_400 : 0)
            parts.removeFirst(2)
        }
        if let clock = parts.first {
            let fields = clock.split(separator: ":").compactMap { Double($0) }
            if fields.count == 3 { seconds += fields[0] * 3600 + fields[1] * 60 + fields[2] }
        }
        guard seconds > 0 else { throw APIError.unprocessable("cannot read the stored interval \"\(interval)\"; give every_seconds") }
        return .milliseconds(Int64(seconds * 1000))
    }

    static func requireAdmin(_ context: HuddleRequestContext, _ what: String = "schedules") throws {
        guard try context.requireUser().admin else { throw APIError.forbidden("\(what) are for admins") }
    }
}
