import Foundation
import Testing
import TestSupport

/// `huddle bench` keeps working and keeps its machine-readable output; the figures themselves are measured
/// by `make bench`, never asserted here.
@Suite("huddle bench")
struct BenchCommandTests {
    @Test func everyBenchmarkPrintsItsLineAndCleansUpAfterItself() async throws {
        try await TestDatabase.with { db async throws in
            let env = ["DATABASE_URL": db.url.urlString]
            let runs: [([String], [String])] = [
                (["bench", "burn-down", "--jobs", "300", "--history", "50", "--workers", "2", "--concurrency", "20"],
                 ["bench burn_down jobs=300 history=50 workers=2 concurrency=20 seconds=", "jobs_per_s="]),
                (["bench", "latency", "--rate", "100", "--seconds", "0.3"],
                 ["bench latency rate=100 jobs=30 p50_ms=", "p99_ms=", "pickup_p50_ms=", "pickup_p99_ms=", "baseline_insert_p50_ms=", "ratio_p50="]),
                (["bench", "enqueue", "--clients", "2", "--seconds", "0.3", "--claim-pacing", "0"],
                 ["bench enqueue clients=2 seconds=0.3 enqueues_per_s=", "baseline_insert_per_s=", "ratio_to_insert=",
                  "process_cpu_us_per_enqueue=", "process_cpu_us_per_baseline_insert="]),
                (["bench", "ws", "--clients", "20", "--users", "4", "--rate", "50", "--seconds", "0.5"],
                 ["bench ws phase=baseline clients=20 users=4 rate=50", "bench ws phase=stalled_client", "server_rss_mb=",
                  "bench ws ratio p99_stalled/p99_baseline="]),
            ]
            for (arguments, expected) in runs {
                let result = try await CLITests.huddle(arguments, environment: env)
                #expect(result.status == 0, "\(arguments): \(result.stderr)")
                for fragment in expected { #expect(result.stdout.contains(fragment), "\(result.stdout)") }
                #expect(!result.stdout.contains("delivered_per_s=0 "), "the WebSocket clients received the events")
            }
            #expect(try await db.scalar("SELECT count(*)::int FROM queue.jobs", as: Int.self) == 0)
            #expect(try await db.scalar("SELECT count(*)::int FROM queue.queues", as: Int.self) == 0)
            #expect(try await db.scalar("SELECT to_regclass('huddle_bench_baseline') IS NULL", as: Bool.self))
        }
    }
}
