import ArgumentParser

/// The `huddle` command: one binary for every process role (migrate, work, …) and operator task.
@main
struct Huddle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "huddle",
        abstract: "Jobs, schedules and real-time updates on one PostgreSQL database.",
        discussion: """
            Configuration comes from flags, falling back to the environment: DATABASE_URL for --database-url.
            Every command answers --help. Operators can do everything from psql as well: see docs/sql-api.md.
            """,
        version: "0.1.0",
        subcommands: [Migrate.self, Enqueue.self, Work.self, ScheduleCommand.self, Serve.self, All.self, Token.self,
                      SleeperCommand.self, DemoCommand.self, Bench.self]
    )
}
