import Foundation
import Hummingbird
import Queue

/// A job as the REST API shows it (`status` is the web client's word for `state`).
struct JobResponse: ResponseEncodable {
    var id: Int64
    var kind: String
    var queue: String
    var state: String
    var status: String
    var priority: Int
    var attempt: Int
    var max_attempts: Int
    var run_at: Date
    var progress: Int
    var current_step: String?
    var user_id: String?
    var args: JSONValue
    var result: JSONValue?
    var errors: JSONValue
    var unique_key: String?
    var schedule_name: String?
    var created_at: Date
    var started_at: Date?
    var finished_at: Date?

    init(_ job: Job) {
        id = job.id
        kind = job.kind
        queue = job.queue
        state = job.state.rawValue
        status = job.state.taskStatus
        priority = job.priority
        attempt = job.attempt
        max_attempts = job.maxAttempts
        run_at = job.runAt
        progress = job.progress
        current_step = job.currentStep
        user_id = job.userID
        args = JSONValue(text: job.args) ?? .object([:])
        result = job.result.flatMap { JSONValue(text: $0) }
        errors = JSONValue(text: job.errors) ?? .array([])
        unique_key = job.uniqueKey
        schedule_name = job.scheduleName
        created_at = job.createdAt
        started_at = job.startedAt
        finished_at = job.finishedAt
    }
}

extension JobState {
    /// The web client's word: pending, in_progress, completed, failed, cancelled.
    var taskStatus: String {
        switch self {
        case .available: "pending"
        case .running: "in_progress"
        case .completed: "completed"
        case .discarded: "failed"
        case .cancelled: "cancelled"
        }
    }
}

/// `/api/v1/jobs`: create, list, get, cancel and retry jobs. Users see and act on their own jobs only
/// (another user's job is a 404); admins on all.
struct JobRoutes: Sendable {
    var client: QueueClient
    var kinds: KindCatalog

    struct CreateJob: Decodable {
        var kind: String
        var args: JSONValue?
        var queue: String?
        var priority: Int?
        var run_at: Date?
        var max_attempts: Int?
        var unique_key: String?
        var user_id: String?
    }

    struct JobList: ResponseEncodable {
        var jobs: [JobResponse]
        /// Pass as `before` for the next (older) page; absent on the last page.
        var next_before: Int64?
    }

    struct Outcome: ResponseEncodable {
        /// Whether the call changed the job.
        var changed: Bool
        var job: JobResponse
    }

    func add(to api: RouterGroup<HuddleRequestContext>) {
        api.post("jobs") { request, context -> EditedResponse<JobResponse> in
            let user = try context.requireUser()
            let body = try await request.decode(as: CreateJob.self, context: context)
            let enqueue = try validate(body, by: user)
            let id = try await client.enqueue(enqueue)
            return EditedResponse(status: .created, response: try await visibleJob(id, to: user))
        }
        api.get("jobs") { request, context -> JobList in
            let user = try context.requireUser()
            let query = request.uri.queryParameters
            let limit = try Self.limit(query.get("limit"))
            if let state = query.get("state"), JobState(rawValue: state) == nil {
                throw APIError.unprocessable("unknown state \"\(state)\"; use one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let owner = user.admin ? query.get("user_id") : user.id
            let jobs = try await client.postgres.execute(ServerQueries.ListJobs(
                userID: owner, state: query.get("state"), kind: query.get("kind"), queue: query.get("queue"),
                before: try Self.integer(query.get("before"), "before"), limit: limit), logger: context.logger).collect()
            return JobList(jobs: jobs.map(JobResponse.init), next_before: jobs.count == limit ? jobs.last?.id : nil)
        }
        api.get("jobs/{id}") { _, context -> JobResponse in
            try await visibleJob(try Self.jobID(context), to: try context.requireUser())
        }
        api.post("jobs/{id}/cancel") { _, context -> Outcome in
            let user = try context.requireUser()
            let id = try Self.jobID(context)
            _ = try await visibleJob(id, to: user)
            let changed = try await client.cancel(jobID: id)
            return Outcome(changed: changed, job: try await visibleJob(id, to: user))
        }
        api.post("jobs/{id}/retry") { _, context -> Outcome in
            let user = try context.requireUser()
            let id = try Self.jobID(context)
            _ = try await visibleJob(id, to: user)
            let changed = try await client.retry(jobID: id)
            return Outcome(changed: changed, job: try await visibleJob(id, to: user))
        }
    }

    /// The enqueue a create request stands for, after the rules for who may create what.
    func validate(_ body: CreateJob, by user: AuthUser) throws -> EnqueueRequest {
        guard kinds.all.contains(body.kind) else {
            throw APIError.unprocessable("unknown kind \"\(body.kind)\"; this server runs: \(kinds.all.sorted().joined(separator: ", "))")
        }
        let args = body.args ?? .object([:])
        guard case .object = args else { throw APIError.unprocessable("args must be a JSON object") }
        var owner = body.user_id
        if !user.admin {
            guard kinds.userFacing.contains(body.kind) else {
                throw APIError.forbidden("kind \"\(body.kind)\" is for admins; users may create: \(kinds.userFacing.sorted().joined(separator: ", "))")
            }
            guard owner == nil || owner == user.id else { throw APIError.forbidden("users create jobs for themselves only") }
            owner = user.id
            if body.kind == "sleep" {
                guard case let .number(ms)? = args["ms"], ms >= 0, ms <= Double(kinds.sleepCapMilliseconds) else {
                    throw APIError.unprocessable("sleep needs \"ms\" between 0 and \(kinds.sleepCapMilliseconds)")
                }
            }
        }
        return EnqueueRequest(kind: body.kind, argsJSON: args.text, queue: body.queue ?? "default", priority: body.priority ?? 0,
                              runAt: body.run_at, maxAttempts: body.max_attempts ?? 5, uniqueKey: body.unique_key, userID: owner)
    }

    /// The job, if `user` may see it; 404 otherwise (whether it exists or belongs to someone else).
    func visibleJob(_ id: Int64, to user: AuthUser) async throws -> JobResponse {
        guard let job = try await client.job(id: id), user.admin || job.userID == user.id else {
            throw APIError.notFound("job \(id) not found")
        }
        return JobResponse(job)
    }

    static func jobID(_ context: HuddleRequestContext) throws -> Int64 {
        guard let id = context.parameters.get("id", as: Int64.self) else { throw APIError.notFound("no such job") }
        return id
    }

    static func integer(_ text: String?, _ name: String) throws -> Int64? {
        guard let text else { return nil }
        guard let value = Int64(text) else { throw APIError.badRequest("\(name) must be an integer") }
        return value
    }

    static func limit(_ text: String?) throws -> Int {
        let limit = try integer(text, "limit") ?? 50
        guard (1...200).contains(limit) else { throw APIError.badRequest("limit must be 1 to 200") }
        return Int(limit)
    }
}
