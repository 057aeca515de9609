import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import Queue
import ServiceLifecycle
import Synchronization

/// `huddle bench`: measures the queue on the database at DATABASE_URL. Each line of output is
/// machine-readable (`bench NAME key=value …`). Run it on a release build with PostgreSQL's durability
/// defaults; `bench/limit.sh` puts the burn-down next to pgbench's bare SQL cycle.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark the queue and the real-time path: burn-down, enqueue-to-start latency, enqueue throughput, WebSocket fan-out.",
        discussion: "Each benchmark uses a queue of its own (bench_<random>) and deletes it afterwards, also when it fails.",
        subcommands: [BurnDown.self, Latency.self, EnqueueRate.self, WebSocketBench.self],
        defaultSubcommand: nil
    )
}

/// What every benchmark shares: the database and a logger.
struct BenchOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions

    func setUp() throws -> (DatabaseURL, Logger) {
        var logger = try database.logger(label: "huddle.bench")
        if database.logLevel == nil, ProcessInfo.processInfo.environment["HUDDLE_LOG_LEVEL"] == nil { logger.logLevel = .warning }
        return (try database.database(), logger)
    }
}

/// Measurements appended from many tasks.
final class Samples: Sendable {
    private let values = Mutex<[Double]>([])
    func append(_ value: Double) { values.withLock { $0.append(value) } }
    func removeAll() { values.withLock { $0.removeAll() } }
    var sorted: [Double] { values.withLock { $0 }.sorted() }
}

/// A time per probe number, recorded from any task (ms since the benchmark's origin).
final class ProbeTimes: Sendable {
    private let times = Mutex<[Int: Double]>([:])
    func record(_ probe: Int, _ time: Double) { times.withLock { $0[probe] = time } }
    /// `self - earlier` for every probe both recorded, sorted.
    func sortedDifferences(since earlier: ProbeTimes) -> [Double] {
        let (mine, theirs) = (times.withLock { $0 }, earlier.times.withLock { $0 })
        return mine.compactMap { probe, time in theirs[probe].map { time - $0 } }.sorted()
    }
}

/// Counts finished jobs and wakes a waiter when a target is reached.
final class FinishCounter: Sendable {
    private let state = Mutex<(count: Int, target: Int, waiter: CheckedContinuation<Void, Never>?)>((0, .max, nil))

    func record(_ event: WorkerEvent) {
        guard case .finished = event else { return }
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.count += 1
            guard state.count >= state.target, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    func wait(for target: Int) async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.count >= target { return true }
                state.target = target
                state.waiter = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }
}

/// Runs `workers` workers (each with its own pool, as separate processes would have) on `queue` while
/// `body` runs, then stops them gracefully.
func withBenchWorkers<T: Sendable>(
    _ database: DatabaseURL, logger: Logger, queue: String, workers: Int, concurrency: Int, handlers: JobHandlers = .builtin,
    claimPacingLimit: Duration? = WorkerConfiguration.defaultClaimPacingLimit,
    observer: (@Sendable (WorkerEvent) -> Void)?, _ body: @Sendable () async throws -> T
) async throws -> T {
    var services: [any Service] = []
    for index in 0..<workers {
        let pool = PostgresClient(configuration: database.clientConfiguration(maximumConnections: 4, minimumConnections: 4), backgroundLogger: logger)
        let worker = Worker(
            configuration: WorkerConfiguration(name: "bench-\(index)-\(queue)", queues: [queue], concurrency: concurrency,
                                               claimPacingLimit: claimPacingLimit, observer: observer),
            handlers: handlers, postgres: pool, database: database, logger: logger)
        services += [pool, worker]
    }
    let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: logger))
    return try await withThrowingTaskGroup(of: T?.self) { tasks in
        tasks.addTask { try await group.run(); return nil }
        defer { tasks.cancelAll() }
        let result = try await body()
        await group.triggerGracefulShutdown()
        while let next = try await tasks.next() { _ = next }
        return result
    }
}

/// Runs `body` with a queue of its own (`bench_<random>`) and deletes that queue's jobs and settings
/// afterwards, also when `body` fails.
func withBenchQueue<T: Sendable>(_ client: QueueClient, logger: Logger, _ body: @Sendable (String) async throws -> T) async throws -> T {
    let queue = "bench_\(String(UInt32.random(in: .min ... .max), radix: 36))"
    let result: Result<T, any Error>
    do { result = .success(try await body(queue)) } catch { result = .failure(error) }
    try await client.postgres.execute(BenchQueries.DropQueue(queue: queue), logger: logger).consume()
    return try result.get()
}

func format(_ value: Double) -> String { String(format: "%.1f", value) }

/// `huddle bench burn-down`.
struct BurnDown: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "burn-down", abstract: "Enqueue N noop jobs in bulk, then time workers × concurrency working through them.")

    @OptionGroup var options: BenchOptions
    @Option(help: "How many jobs.") var jobs: Int = 100_000
    @Option(help: "How many workers (each with its own connection pool).") var workers: Int = 2
    @Option(help: "Concurrency per worker (handlers in flight, and the most jobs one claim takes).") var concurrency: Int = 500
    @Option(help: "Completed jobs to add first, then ANALYZE: statistics that saw only finished work, as after a quiet spell in production (default 0).")
    var history: Int = 0

    func validate() throws {
        guard jobs > 0, workers > 0, concurrency > 0 else { throw ValidationError("--jobs, --workers and --concurrency must be positive") }
        guard history >= 0 else { throw ValidationError("--history must not be negative") }
    }

    func run() async throws {
        let (database, logger) = try options.setUp()
        try await reportingFailures {
            try await withQueueClient(database, logger: logger, maximumConnections: 2) { client in
                let seconds = try await withBenchQueue(client, logger: logger) { queue in
                    if history > 0 {
                        try await client.postgres.execute(BenchQueries.InsertCompleted(queue: queue, count: history), logger: logger).consume()
                        try await client.postgres.query(BenchQueries.analyzeJobs, logger: logger).consume()
                    }
                    try await client.postgres.execute(BenchQueries.InsertNoops(queue: queue, count: jobs), logger: logger).consume()
                    let counter = FinishCounter()
                    let started = ContinuousClock.now
                    try await withBenchWorkers(database, logger: logger, queue: queue, workers: workers, concurrency: concurrency,
                                               observer: { counter.record($0) }) {
                        await counter.wait(for: jobs)
                    }
                    return (ContinuousClock.now - started).seconds
                }
                print("bench burn_down jobs=\(jobs) history=\(history) workers=\(workers) concurrency=\(concurrency) seconds=\(String(format: "%.2f", seconds)) jobs_per_s=\(Int(Double(jobs) / seconds))")
            }
        }
    }
}

/// `huddle bench latency`.
struct Latency: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latency",
        abstract: "Single-row enqueues at a fixed rate; report enqueue→start latency percentiles.",
        discussion: """
            The baseline, run first in the same command at the same rate and schedule, is the commit latency of a
            bare single-row INSERT: no job system can start a job sooner than its enqueue commits. pickup_p50_ms and
            pickup_p99_ms are the part after the commit (from the enqueue call's return to the handler's start),
            which the disk's commit time does not enter.
            """)

    @OptionGroup var options: BenchOptions
    @Option(help: "Enqueues per second.") var rate: Int = 200
    @Option(help: "How long to enqueue, in seconds.") var seconds: Double = 5
    @Option(help: "Concurrency of the one worker.") var concurrency: Int = 50
    @OptionGroup var pacing: ClaimPacingOption

    static let lanes = 8

    func run() async throws {
        let (database, logger) = try options.setUp()
        guard rate > 0, seconds > 0 else { throw ValidationError("--rate and --seconds must be positive") }
        let total = Int(Double(rate) * seconds)
        let origin = ContinuousClock.now
        let baseline = Samples()
        // Per probe: when it was sent, when its enqueue returned (committed), when its handler started.
        let (sent, committed, started) = (ProbeTimes(), ProbeTimes(), ProbeTimes())
        var handlers = JobHandlers.builtin
        handlers.register("bench_probe") { (args: ProbeArgs, _: JobContext) in
            started.record(args.n, (ContinuousClock.now - origin).seconds * 1000)
        }
        let probeHandlers = handlers
        let rate = self.rate
        try await reportingFailures {
            try await withQueueClient(database, logger: logger, maximumConnections: Self.lanes, minimumConnections: Self.lanes) { client in
                try await client.postgres.query(BenchQueries.createBaseline, logger: logger).consume()
                try await Self.schedule(rate: rate, total: total, origin: origin) { _ in
                    try await client.postgres.execute(BenchQueries.BaselineInsert(), logger: logger).consume()
                } done: { _, _, duration in baseline.append(duration) }
                try await client.postgres.query(BenchQueries.dropBaseline, logger: logger).consume()

                try await withBenchQueue(client, logger: logger) { queue in
                    let counter = FinishCounter()
                    try await withBenchWorkers(database, logger: logger, queue: queue, workers: 1, concurrency: concurrency,
                                               handlers: probeHandlers, claimPacingLimit: pacing.limit, observer: { counter.record($0) }) {
                        try await Task.sleep(for: .milliseconds(500))  // let the worker connect and go idle
                        try await Self.schedule(rate: rate, total: total, origin: origin) { n in
                            _ = try await client.enqueue(EnqueueRequest(kind: "bench_probe", argsJSON: "{\"n\": \(n)}", queue: queue))
                        } done: { n, t, duration in
                            sent.record(n, t)
                            committed.record(n, t + duration)
                        }
                        await counter.wait(for: total)
                    }
                }
            }
            let latencies = started.sortedDifferences(since: sent)
            let enqueued = committed.sortedDifferences(since: sent)
            let pickups = started.sortedDifferences(since: committed)
            let bare = baseline.sorted
            func p(_ values: [Double], _ q: Double) -> Double { values.isEmpty ? .nan : values[min(values.count - 1, Int(Double(values.count) * q))] }
            print("bench latency rate=\(rate) jobs=\(latencies.count) p50_ms=\(format(p(latencies, 0.5))) p99_ms=\(format(p(latencies, 0.99))) max_ms=\(format(latencies.last ?? 0)) enqueue_p50_ms=\(format(p(enqueued, 0.5))) enqueue_p99_ms=\(format(p(enqueued, 0.99))) pickup_p50_ms=\(format(p(pickups, 0.5))) pickup_p99_ms=\(format(p(pickups, 0.99))) baseline_insert_p50_ms=\(format(p(bare, 0.5))) baseline_insert_p99_ms=\(format(p(bare, 0.99))) ratio_p50=\(String(format: "%.2f", p(latencies, 0.5) / p(bare, 0.5))) ratio_p99=\(String(format: "%.2f", p(latencies, 0.99) / p(bare, 0.99)))")
        }
    }

    /// Calls `send(n)` for n in 0..<`total` at `rate` per second from several lanes (so one slow commit does not
    /// delay the next send); reports each call's n, send time `t` in ms since `origin`, and duration.
    static func schedule(rate: Int, total: Int, origin: ContinuousClock.Instant,
                         send: @escaping @Sendable (Int) async throws -> Void,
                         done: @escaping @Sendable (Int, Double, Double) -> Void) async throws {
        let interval = 1.0 / Double(rate)
        let begin = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    var i = lane
                    while i < total {
                        try await Task.sleep(until: begin + .milliseconds(Int64(Double(i) * interval * 1000)), clock: .continuous)
                        let t = (ContinuousClock.now - origin).seconds * 1000
                        try await send(i)
                        done(i, t, (ContinuousClock.now - origin).seconds * 1000 - t)
                        i += lanes
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    struct ProbeArgs: Codable, Sendable { var n: Int }
}

/// `huddle bench enqueue`.
struct EnqueueRate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue",
        abstract: "Single-row enqueues from N clients while a worker listens; compared with bare INSERTs in the same run.")

    @OptionGroup var options: BenchOptions
    @Option(help: "Concurrent clients, each on its own connection.") var clients: Int = 8
    @Option(help: "Seconds per measurement.") var seconds: Double = 5
    @OptionGroup var pacing: ClaimPacingOption

    func run() async throws {
        let (database, logger) = try options.setUp()
        try await reportingFailures {
            try await withQueueClient(database, logger: logger, maximumConnections: clients, minimumConnections: clients) { client in
                try await client.postgres.query(BenchQueries.createBaseline, logger: logger).consume()
                let bare = try await measure { try await client.postgres.execute(BenchQueries.BaselineInsert(), logger: logger).consume() }
                let notifying = try await measure {
                    try await client.postgres.execute(BenchQueries.BaselineInsertNotify(), logger: logger).consume()
                }
                try await client.postgres.query(BenchQueries.dropBaseline, logger: logger).consume()

                let huddle = try await withBenchQueue(client, logger: logger) { queue in
                    try await withBenchWorkers(database, logger: logger, queue: queue, workers: 1, concurrency: 50,
                                               claimPacingLimit: pacing.limit, observer: nil) {
                        try await Task.sleep(for: .milliseconds(500))
                        return try await measure { _ = try await client.enqueue(EnqueueRequest(kind: "noop", queue: queue)) }
                    }
                }
                // The CPU this process spent per operation: the clients' own cost (a PostgreSQL client's share of
                // the two cores), and for Huddle the clients plus the worker running every job.
                print("bench enqueue clients=\(clients) seconds=\(format(seconds)) enqueues_per_s=\(Int(huddle.rate)) baseline_insert_per_s=\(Int(bare.rate)) baseline_insert_notify_per_s=\(Int(notifying.rate)) ratio_to_insert=\(String(format: "%.2f", huddle.rate / bare.rate)) ratio_to_insert_notify=\(String(format: "%.2f", huddle.rate / notifying.rate)) process_cpu_us_per_enqueue=\(Int(huddle.cpuMicroseconds)) process_cpu_us_per_baseline_insert=\(Int(bare.cpuMicroseconds))")
            }
        }
    }

    /// Runs `operation` from `clients` tasks for `seconds`; returns operations per second and this process's CPU
    /// time per operation.
    private func measure(_ operation: @escaping @Sendable () async throws -> Void) async throws -> (rate: Double, cpuMicroseconds: Double) {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        let started = ContinuousClock.now
        let cpuBefore = processCPUSeconds()
        let count = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<clients {
                group.addTask {
                    var n = 0
                    while ContinuousClock.now < deadline {
                        try await operation()
                        n += 1
                    }
                    return n
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = (ContinuousClock.now - started).seconds
        return (Double(count) / elapsed, (processCPUSeconds() - cpuBefore) * 1_000_000 / Double(max(count, 1)))
    }

    /// CPU time this process has used, user and system, in seconds.
    private func processCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
