import Foundation
import Logging
import Metrics
import PostgresNIO
import Prometheus

/// The Prometheus registry behind `/metrics`. Process metrics (sockets open, events delivered, listener
/// reconnects, job durations by kind, scheduler and maintenance totals) arrive through swift-metrics once
/// ``bootstrap()`` ran; queue gauges (jobs by queue and state, queue lag) are read from `queue.stats` at
/// each scrape, so every API process reports the whole queue.
final class QueueMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private let postgres: PostgresClient

    init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), postgres: PostgresClient) {
        self.registry = registry
        self.postgres = postgres
    }

    /// Makes swift-metrics report into this registry. Once per process (the CLI's serve/all commands).
    func bootstrap() {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }

    /// The exposition text, after refreshing the queue gauges.
    func scrape(logger: Logger) async throws -> String {
        let rows = try await postgres.execute(ServerQueries.Stats(), logger: logger).collect()
        for row in rows {
            registry.makeGauge(descriptor: .init(metricName: "huddle_jobs", unitName: "", helpText: "Jobs by queue and state."),
                               labels: [("queue", row.queue), ("state", row.state)]).set(to: Double(row.jobs))
            if row.state == "available" {
                registry.makeGauge(descriptor: .init(metricName: "huddle_queue_lag", unitName: "seconds",
                                                     helpText: "Age of the oldest due job waiting in the queue."),
                                   labels: [("queue", row.queue)]).set(to: row.lagSeconds)
            }
        }
        return registry.emitToString()
    }
}
