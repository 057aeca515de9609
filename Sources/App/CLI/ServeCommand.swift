import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import Queue
import ServiceLifecycle

/// `huddle serve`: the REST API and WebSockets. SIGTERM/SIGINT stop it gracefully.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the REST API (/api/v1), WebSockets (/ws/{user_id}), /healthz, /readyz and /metrics.",
        discussion: """
            Needs HUDDLE_SECRET (32+ characters) to sign and check bearer tokens; `huddle token USER` makes one.
            Run as many as you like behind a load balancer: each holds one LISTEN connection and delivers every
            event to the sockets connected to it.
            """
    )

    @OptionGroup var options: DatabaseOptions
    @OptionGroup var server: ServerOptions

    /// The pool connections a server keeps open for its requests (see `DatabaseURL.clientConfiguration`).
    static let busyConnections = 4

    func run() async throws {
        let database = try options.database()
        let logger = try options.logger(label: "huddle.serve")
        try await reportingFailures {
            try await Migrator(database: database, migrations: try MigrationSet.bundled(), logger: logger).requireCurrent()
            let authority = try await TokenAuthority(secret: try ServerOptions.secret())
            let postgres = PostgresClient(configuration: database.clientConfiguration(maximumConnections: 20, minimumConnections: Self.busyConnections),
                                          backgroundLogger: logger)
            let built = HuddleServer(configuration: server.configuration(), postgres: postgres, database: database,
                                     authority: authority, logger: logger) { port in
                logger.info("listening on http://\(server.host):\(port)")
            }
            built.metrics.bootstrap()
            try await runServices([postgres] + built.services, logger: logger)
        }
    }
}

/// The server's flags, shared by `serve` and `all`.
struct ServerOptions: ParsableArguments {
    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (the seed's frontend expects 8000).")
    var port = 8000

    @Option(help: "Seconds between server pings on each WebSocket; a peer that misses one is closed.")
    var pingInterval: Double = 30

    @Option(help: "Folder of the dashboard's static files, served at / (default: $HUDDLE_WEB_ROOT, else web).")
    var webRoot: String?

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard pingInterval > 0 else { throw ValidationError("--ping-interval must be positive") }
    }

    func configuration() -> HuddleServer.Configuration {
        var configuration = HuddleServer.Configuration()
        configuration.host = host
        configuration.port = port
        configuration.pingInterval = .milliseconds(Int64(pingInterval * 1000))
        configuration.webRoot = webRoot ?? ProcessInfo.processInfo.environment["HUDDLE_WEB_ROOT"].flatMap { $0.isEmpty ? nil : $0 } ?? "web"
        return configuration
    }

    /// `HUDDLE_SECRET`, required.
    static func secret() throws -> String {
        guard let secret = ProcessInfo.processInfo.environment["HUDDLE_SECRET"], !secret.isEmpty else {
            throw CommandFailure("HUDDLE_SECRET is not set: give the server a secret of 32+ characters (e.g. `export HUDDLE_SECRET=$(openssl rand -hex 32)`); make run makes one")
        }
        return secret
    }
}

/// `huddle all`: serve, work and schedule in one process — for development and small installations.
struct All: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all",
        abstract: "Run the server, a worker and the scheduler (with maintenance) in one process, until SIGTERM/SIGINT."
    )

    @OptionGroup var options: DatabaseOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var worker: WorkerOptions
    @OptionGroup var scheduling: ScheduleOptions
    @OptionGroup var sleeper: SleeperOptions

    func run() async throws {
        let database = try options.database()
        let logger = try options.logger(label: "huddle.all")
        try await reportingFailures {
            try await Migrator(database: database, migrations: try MigrationSet.bundled(), logger: logger).requireCurrent()
            let authority = try await TokenAuthority(secret: try ServerOptions.secret())
            let postgres = PostgresClient(configuration: database.clientConfiguration(maximumConnections: worker.concurrency + 24,
                                                                                      minimumConnections: Worker.busyConnections + Serve.busyConnections),
                                          backgroundLogger: logger)
            let built = HuddleServer(configuration: server.configuration(), postgres: postgres, database: database,
                                     authority: authority, logger: logger) { port in
                logger.info("listening on http://\(server.host):\(port)")
            }
            built.metrics.bootstrap()
            let work = Worker(configuration: worker.configuration(), handlers: try sleeper.handlers(postgres: postgres, logger: logger),
                              postgres: postgres, database: database, logger: logger)
            let schedule = scheduling.services(postgres: postgres, database: database, kinds: JobHandlers.huddleKinds, logger: logger)
            try await runServices([postgres, work] + schedule + built.services, logger: logger)
        }
    }
}

/// `huddle token USER`: prints a bearer token signed with HUDDLE_SECRET.
struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Print a bearer token for USER, signed with HUDDLE_SECRET (for the API, WebSockets and the dashboard)."
    )

    @Argument(help: "The user id (the token's subject).")
    var user: String

    @Flag(help: "Make it an admin token (schedules, other users' jobs).")
    var admin = false

    @Option(help: "Seconds until it expires.")
    var ttl: Int = 86_400

    func validate() throws {
        guard !user.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("USER must not be blank") }
        guard ttl > 0 else { throw ValidationError("--ttl must be positive") }
    }

    func run() async throws {
        try await reportingFailures {
            let authority = try await TokenAuthority(secret: try ServerOptions.secret())
            print(try await authority.token(for: user, admin: admin, ttl: .seconds(ttl)))
        }
    }
}
