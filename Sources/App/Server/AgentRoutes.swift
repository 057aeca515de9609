import Foundation
import Hummingbird
import Queue

/// The seed's agent endpoints: `POST /agents/sit-start` and `/agents/trade-analysis` enqueue the domain job
/// kinds for the caller (503 while this build has no handler for them), and `GET /agents/tasks/{task_id}`
/// reports a task in the seed's shape.
struct AgentRoutes: Sendable {
    var client: QueueClient
    var kinds: KindCatalog

    struct TaskStatus: ResponseEncodable {
        var task_id: String
        var status: String
        var progress: Int
        var current_step: String?
        var result: JSONValue?
        var error: String?
    }

    func add(to api: RouterGroup<HuddleRequestContext>) {
        for (path, kind) in [("agents/sit-start", "sit_start"), ("agents/trade-analysis", "trade_analysis")] {
            api.post(RouterPath(path)) { request, context -> EditedResponse<TaskStatus> in
                let user = try context.requireUser()
                guard kinds.all.contains(kind) else {
                    throw APIError.unavailable("\(kind) is not available yet: this build has no fantasy-football job handlers")
                }
                let body = try await request.decode(as: JSONValue.self, context: context)
                guard case .object = body else { throw APIError.unprocessable("the body must be a JSON object") }
                let id = try await client.enqueue(EnqueueRequest(kind: kind, argsJSON: body.text, userID: user.id))
                return EditedResponse(status: .created, response: TaskStatus(task_id: String(id), status: "pending", progress: 0))
            }
        }
        api.get("agents/tasks/{task_id}") { _, context -> TaskStatus in
            let user = try context.requireUser()
            guard let id = context.parameters.get("task_id", as: Int64.self),
                  let job = try await client.job(id: id), job.userID == user.id || user.admin else {
                throw APIError.notFound("task not found")
            }
            let errors = JSONValue(text: job.errors)
            var lastError: String?
            if case let .array(entries)? = errors, case let .string(message)? = entries.last?["error"] { lastError = message }
            return TaskStatus(task_id: String(job.id), status: job.state.taskStatus, progress: job.progress,
                              current_step: job.currentStep, result: job.result.flatMap { JSONValue(text: $0) },
                              error: job.state == .completed ? nil : lastError)
        }
    }
}
