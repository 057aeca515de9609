import ArgumentParser
import Logging
import PostgresNIO
import Queue
import ServiceLifecycle

/// `huddle work`: a worker process. SIGTERM/SIGINT stop it gracefully.
struct Work: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "work",
        abstract: "Run jobs: claim due jobs of the given queues and run their handlers until SIGTERM/SIGINT.",
        discussion: """
            On SIGTERM or SIGINT the worker stops claiming, lets running jobs finish for --grace seconds, returns
            the rest to the queue without using up an attempt, and exits 0. Run as many workers as PostgreSQL
            connections allow; each uses up to concurrency + 3 connections plus one for LISTEN.
            """
    )

    @OptionGroup var options: DatabaseOptions
    @OptionGroup var worker: WorkerOptions
    @OptionGroup var sleeper: SleeperOptions

    func run() async throws {
        let database = try options.database()
        let logger = try options.logger(label: "huddle.work")
        try await reportingFailures {
            try await Migrator(database: database, migrations: try MigrationSet.bundled(), logger: logger).requireCurrent()
            let postgres = PostgresClient(
                configuration: database.clientConfiguration(maximumConnections: worker.concurrency + 3, minimumConnections: Worker.busyConnections),
                backgroundLogger: logger)
            let service = Worker(configuration: worker.configuration(), handlers: try sleeper.handlers(postgres: postgres, logger: logger), postgres: postgres,
                                 database: database, logger: logger)
            try await runServices([postgres, service], logger: logger)
        }
    }
}

/// The worker's flags, shared by `work` and `all`.
struct WorkerOptions: ParsableArguments {
    @Option(help: "How many jobs run at once.")
    var concurrency: Int = 10

    @Option(help: "Comma-separated queues to take jobs from.")
    var queues: String = "default"

    @Option(help: "Seconds a claim holds a job before the rescuer may take it back (heartbeats renew it every lease/3).")
    var lease: Double = 30

    @Option(help: "Seconds between polls when idle (the fallback for missed wake-ups and for scheduled jobs).")
    var poll: Double = 1

    @Option(help: "Seconds running jobs get to finish on shutdown before they are returned to the queue.")
    var grace: Double = 25

    @OptionGroup var pacing: ClaimPacingOption

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard lease >= 1 else { throw ValidationError("--lease must be at least 1 second") }
        guard poll > 0 else { throw ValidationError("--poll must be positive") }
        guard grace >= 0 else { throw ValidationError("--grace must not be negative") }
        guard !queueList.isEmpty else { throw ValidationError("--queues must name at least one queue") }
    }

    var queueList: [String] {
        queues.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func configuration() -> WorkerConfiguration {
        WorkerConfiguration(queues: queueList, concurrency: concurrency, lease: .milliseconds(Int64(lease * 1000)),
                            pollInterval: .milliseconds(Int64(poll * 1000)), shutdownGrace: .milliseconds(Int64(grace * 1000)),
                            claimPacingLimit: pacing.limit)
    }
}

/// `--claim-pacing MS`: the worker's longest pause between claims while jobs stream in (default: the
/// worker's own, 5 ms; 0 turns pacing off). Shared by `work`, `all` and the benchmarks that stream jobs to a
/// worker, so its effect can be measured in one command.
struct ClaimPacingOption: ParsableArguments {
    @Option(help: "Longest pause between claims while jobs stream in, in milliseconds (default 5; 0: claim again at once). See docs/worker.md.")
    var claimPacing: Double?

    func validate() throws {
        if let claimPacing, claimPacing < 0 { throw ValidationError("--claim-pacing must not be negative") }
    }

    var limit: Duration? {
        guard let claimPacing else { return WorkerConfiguration.defaultClaimPacingLimit }
        return claimPacing > 0 ? .microseconds(Int64(claimPacing * 1000)) : nil
    }
}

/// Runs `services` as one ServiceGroup that shuts down gracefully on SIGTERM/SIGINT. Services shut down in
/// reverse order, so list the connection pool first: it then outlives everything that uses it.
func runServices(_ services: [any Service], logger: Logger) async throws {
    let group = ServiceGroup(configuration: .init(
        services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
        gracefulShutdownSignals: [.sigterm, .sigint],
        logger: logger))
    try await group.run()
}
