import ArgumentParser
import Fantasy
import Foundation
import Queue

/// `huddle sleeper import`: loads a Sleeper league into the `fantasy` schema and links Huddle users to rosters.
struct SleeperCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sleeper",
        abstract: "Sleeper data: import a league.",
        subcommands: [SleeperImport.self]
    )
}

/// `huddle sleeper import --league ID [--member USER=OWNER …]`.
struct SleeperImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a Sleeper league (state, league, rosters, users, players, projections) and link members.",
        discussion: """
            Idempotent: run it again to refresh. --member links a Huddle user (a token's subject) to the roster of
            a Sleeper owner, given as display name, user id or roster:N, e.g. --member alice=roster:1. Also creates
            the domain's schedules (monitor-injuries, check-waiver-wire, optimize-lineups) unless they exist.
            """
    )

    @OptionGroup var options: DatabaseOptions
    @OptionGroup var sleeper: SleeperOptions

    @Option(help: "The Sleeper league id.")
    var league: String

    @Option(parsing: .singleValue, help: ArgumentHelp("USER=OWNER: link a Huddle user to a roster (repeatable).", valueName: "user=owner"))
    var member: [String] = []

    func validate() throws { _ = try members() }

    func members() throws -> [(user: String, owner: String)] {
        try member.map { entry in
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--member takes USER=OWNER (e.g. alice=roster:1), got \"\(entry)\"")
            }
            return (parts[0], parts[1])
        }
    }

    func run() async throws {
        let database = try options.database()
        let logger = try options.logger(label: "huddle.sleeper")
        let members = try members()
        try await reportingFailures {
            let summary = try await withQueueClient(database, logger: logger, maximumConnections: 2) { client in
                let importer = SleeperImporter(client: try sleeper.client(logger: logger),
                                               store: FantasyStore(postgres: client.postgres, logger: logger), logger: logger)
                return try await importer.importLeague(league, members: members)
            }
            print(summary.line(league: league))
        }
    }
}

/// `huddle demo load`: the bundled offline snapshot (demo/sleeper) with members alice … judy.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Demo data: load the bundled Sleeper snapshot.",
        subcommands: [DemoLoad.self]
    )
}

/// `huddle demo load [--snapshot DIR]`.
struct DemoLoad: AsyncParsableCommand {
    /// The demo league in the snapshot.
    static let league = "1180000000000000001"
    /// Demo users, each linked to the roster of the Sleeper owner with the same display name.
    static let users = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"]

    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load the demo league (10 teams, ~300 players, weeks 1-18) and link users alice … judy to rosters 1-10.",
        discussion: "Idempotent; also creates the domain's schedules unless they exist. See demo/README.md."
    )

    @OptionGroup var options: DatabaseOptions

    @Option(help: "The snapshot directory.")
    var snapshot: String = "demo/sleeper"

    func run() async throws {
        let database = try options.database()
        let logger = try options.logger(label: "huddle.demo")
        let directory = URL(fileURLWithPath: snapshot).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: directory + "/v1/state/nfl.json") else {
            throw ValidationError("no Sleeper snapshot at \(directory) (expected v1/state/nfl.json); pass --snapshot")
        }
        try await reportingFailures {
            let summary = try await withQueueClient(database, logger: logger, maximumConnections: 2) { client in
                let importer = SleeperImporter(client: try SleeperClient(baseURL: "file://" + directory, logger: logger),
                                               store: FantasyStore(postgres: client.postgres, logger: logger), logger: logger)
                return try await importer.importLeague(Self.league, members: Self.users.map { ($0, $0) })
            }
            print(summary.line(league: Self.league))
        }
    }
}

extension SleeperImporter.Summary {
    /// One line for the terminal.
    func line(league: String) -> String {
        "imported league \(league): season \(season) week \(week), \(rosters) rosters, \(players) players, \(projections) projections, \(members) members"
    }
}
