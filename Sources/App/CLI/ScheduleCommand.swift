import ArgumentParser
import Logging
import PostgresNIO
import Queue
import ServiceLifecycle

/// `huddle schedule`: the scheduler and the maintenance services. SIGTERM/SIGINT stop it gracefully.
struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Fire schedules (queue.schedules) and run maintenance: the rescuer, the pruner and a heartbeat.",
        discussion: """
            Run as many as you like: each tick fires exactly once whichever scheduler gets it. Schedules are rows;
            create and change them in psql (docs/schedules.md) and they take effect at once, without a restart.
            Rows with a bad cron, an unknown time zone or a kind no worker has are skipped and explained in
            queue.schedules.last_error. queue.scheduler_status shows which schedulers are alive.
            """
    )

    @OptionGroup var options: DatabaseOptions
    @OptionGroup var scheduling: ScheduleOptions

    func run() async throws {
        let database = try options.database()
        let logger = try options.logger(label: "huddle.schedule")
        try await reportingFailures {
            try await Migrator(database: database, migrations: try MigrationSet.bundled(), logger: logger).requireCurrent()
            let postgres = PostgresClient(configuration: database.clientConfiguration(maximumConnections: 4), backgroundLogger: logger)
            try await runServices([postgres] + scheduling.services(postgres: postgres, database: database, kinds: JobHandlers.huddleKinds,
                                                                   logger: logger), logger: logger)
        }
    }
}

/// The scheduler's and maintenance services' flags, shared by `schedule` and `all`.
struct ScheduleOptions: ParsableArguments {
    @Option(help: "Longest sleep, in seconds, between looks at queue.schedules when no edit is announced.")
    var maxSleep: Double = 5

    @Option(help: "Under catch_up = 'all', the most missed ticks one schedule fires at once (the latest).")
    var maxCatchUp: Int = 100

    @Option(help: "Seconds between rescues of jobs whose lease expired (0: never).")
    var rescueInterval: Double = 15

    @Option(help: "Seconds between prunes of finished jobs and old events (0: never).")
    var pruneInterval: Double = 60

    @Option(help: "Days finished jobs are kept before the pruner deletes them.")
    var jobRetentionDays: Double = 7

    @Option(help: "Hours events are kept (a browser reconnecting later than this is told to resync).")
    var eventRetentionHours: Double = 24

    @Option(help: "Seconds between heartbeats in queue.schedulers.")
    var heartbeat: Double = 5

    func validate() throws {
        guard maxSleep > 0 else { throw ValidationError("--max-sleep must be positive") }
        guard maxCatchUp >= 1 else { throw ValidationError("--max-catch-up must be at least 1") }
        guard rescueInterval >= 0, pruneInterval >= 0 else { throw ValidationError("intervals must not be negative") }
        guard jobRetentionDays >= 0, eventRetentionHours >= 0 else { throw ValidationError("retention must not be negative") }
        guard heartbeat > 0 else { throw ValidationError("--heartbeat must be positive") }
    }

    /// The scheduler and the maintenance services, sharing one name and one set of totals.
    func services(postgres: PostgresClient, database: DatabaseURL, kinds: [String], logger: Logger) -> [any Service] {
        let name = WorkerConfiguration.defaultName()
        let totals = MaintenanceTotals()
        func seconds(_ value: Double) -> Duration { .milliseconds(Int64(value * 1000)) }
        let scheduler = Scheduler(
            configuration: SchedulerConfiguration(name: name, knownKinds: Set(kinds), maxSleep: seconds(maxSleep), maxCatchUp: maxCatchUp),
            postgres: postgres, database: database, totals: totals, logger: logger)
        let maintenance = Maintenance(
            configuration: MaintenanceConfiguration(
                name: name, rescueInterval: rescueInterval > 0 ? seconds(rescueInterval) : nil,
                pruneInterval: pruneInterval > 0 ? seconds(pruneInterval) : nil,
                jobRetention: seconds(jobRetentionDays * 86_400), eventRetention: seconds(eventRetentionHours * 3_600),
                heartbeatInterval: seconds(heartbeat)),
            postgres: postgres, totals: totals, logger: logger)
        return [scheduler, maintenance]
    }
}
