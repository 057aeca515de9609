import Hummingbird
import PostgresNIO

/// `GET /api/v1/stats` (admins only): jobs per queue and state with the queue's lag, from `queue.stats` —
/// the dashboard's operations view (Prometheus scrapers use `/metrics`).
struct StatsRoutes: Sendable {
    var postgres: PostgresClient

    struct Row: Encodable {
        var queue: String
        var state: String
        var jobs: Int
        var lag_seconds: Double
    }

    struct Stats: ResponseEncodable {
        var queues: [Row]
    }

    func add(to api: RouterGroup<HuddleRequestContext>) {
        api.get("stats") { _, context -> Stats in
            try ScheduleRoutes.requireAdmin(context, "queue statistics")
            let rows = try await postgres.execute(ServerQueries.Stats(), logger: context.logger).collect()
            return Stats(queues: rows.map { Row(queue: $0.queue, state: $0.state, jobs: $0.jobs, lag_seconds: $0.lagSeconds) })
        }
    }
}
