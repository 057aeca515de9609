import Foundation
import Hummingbird
import Logging
import Notify
import PostgresNIO
import Prometheus
import Queue
import Synchronization

/// `/healthz` (the process answers), `/readyz` (database reachable, migrations current, event listener up)
/// and `/metrics` (Prometheus text: the process's own metrics plus queue gauges read at scrape time).
struct HealthRoutes: Sendable {
    var postgres: PostgresClient
    var database: DatabaseURL
    var feed: EventFeed
    var metrics: QueueMetrics

    struct Readiness: ResponseEncodable {
        var status: String
        var database: Bool
        var migrations: Bool
        var listener: Bool
        var problems: [String]
    }

    func add(to router: Router<HuddleRequestContext>) {
        router.get("/healthz") { _, _ in ["status": "ok"] }
        router.get("/readyz") { _, context -> EditedResponse<Readiness> in
            let readiness = await check(logger: context.logger)
            return EditedResponse(status: readiness.problems.isEmpty ? .ok : .serviceUnavailable, response: readiness)
        }
        router.get("/metrics") { _, context -> Response in
            let text = try await metrics.scrape(logger: context.logger)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    private func check(logger: Logger) async -> Readiness {
        var problems: [String] = []
        var reachable = false
        var current = false
        do {
            try await postgres.query("SELECT 1", logger: logger).consume()
            reachable = true
            try await Migrator(database: database, migrations: try MigrationSet.bundled(), logger: logger).requireCurrent()
            current = true
        } catch {
            problems.append(reachable ? "migrations: \(error)" : "database unreachable")
        }
        let listening = feed.isListening
        if !listening { problems.append("event listener not connected") }
        return Readiness(status: problems.isEmpty ? "ready" : "not ready", database: reachable, migrations: current,
                         listener: listening, problems: problems)
    }
}
