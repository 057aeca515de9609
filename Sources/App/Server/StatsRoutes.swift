import Hummingbird
import PostgresNIO

/// `GET /api/v1/stats` (admins only): jobs per queue and state with the queue's lag, from `queue.stats` —
/// the dashboard's operations view (Prometheus scrapers use `/metrics`).
struct StatsRoutes: Sendable {
    var postgres: PostgresClient

    struct Stats: ResponseEncodable {
        var queues: [ServerQueries.StatsRow]
    }

    func add(to api: RouterGroup<HuddleRequestContext>) {
        api.get("stats") { _, context -> Stats in
            try ScheduleRoutes.requireAdmin(context, "queue statistics")
            return Stats(queues: try await postgres.execute(ServerQueries.Stats(), logger: context.logger).collect())
        }
    }
}
