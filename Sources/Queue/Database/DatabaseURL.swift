import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// A PostgreSQL connection URL (`postgres://user:password@host:port/database?sslmode=disable`), parsed
/// once into the configurations PostgresNIO needs. Defaults: user `postgres`, port 5432, database = user,
/// TLS preferred unless `sslmode=disable` (or the host is a Unix socket directory).
public struct DatabaseURL: Sendable, CustomStringConvertible {
    /// The host name or address; a path starting with `/` means a Unix socket directory.
    public var host: String
    /// The TCP port (default 5432).
    public var port: Int
    /// The role to connect as (default `postgres`).
    public var username: String
    /// The password, if any.
    public var password: String?
    /// The database name (default: the user name).
    public var database: String
    /// Whether to attempt TLS (from `sslmode`; default true except for `disable` and local hosts).
    public var useTLS: Bool

    /// Parses `url`.
    /// - Throws: ``DatabaseURLError`` naming what is wrong with it.
    public init(_ url: String) throws {
        guard let components = URLComponents(string: url),
              let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme) else {
            throw DatabaseURLError("expected postgres://user[:password]@host[:port]/database, got \(Self.redact(url))")
        }
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        let host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? query["host"] ?? "127.0.0.1"
        self.host = host.removingPercentEncoding ?? host
        self.port = components.port ?? query["port"].flatMap(Int.init) ?? 5432
        self.username = components.user?.removingPercentEncoding ?? query["user"] ?? "postgres"
        self.password = components.password?.removingPercentEncoding ?? query["password"]
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = path.isEmpty ? username : (path.removingPercentEncoding ?? path)
        let sslmode = query["sslmode"] ?? (["127.0.0.1", "localhost", "::1"].contains(self.host) ? "disable" : "prefer")
        self.useTLS = sslmode != "disable" && !self.host.hasPrefix("/")
    }

    /// The same server with another database, e.g. for creating test databases.
    public func with(database: String) -> DatabaseURL {
        var copy = self
        copy.database = database
        return copy
    }

    /// A pool configuration for `PostgresClient`, with at most `maximumConnections` connections (default 20), of
    /// which `minimumConnections` (default 0) are opened at start and kept open while idle.
    ///
    /// Both choices below save CPU on every query: each time PostgresNIO parks an idle connection it schedules
    /// a timer task per concern and cancels it at the next lease. Connections kept open need no idle-timeout
    /// timer, and no keep-alive timer is scheduled because idle connections are not pinged (a connection the
    /// server or the network closes is dropped when its socket closes, and a failed query reports its error as
    /// usual). Measured from 8 clients: ~110 µs of client CPU per single-row INSERT with both timers, ~65 µs
    /// without (docs/benchmarks.md). Keep `minimumConnections` to the connections a process uses all the time
    /// (a worker's: `Worker.busyConnections`); a burn-down ran ~1.4× faster with its workers' kept open.
    public func clientConfiguration(maximumConnections: Int = 20, minimumConnections: Int = 0) -> PostgresClient.Configuration {
        var config: PostgresClient.Configuration
        if host.hasPrefix("/") {
            config = .init(unixSocketPath: "\(host)/.s.PGSQL.\(port)", username: username, password: password, database: database)
        } else {
            config = .init(host: host, port: port, username: username, password: password, database: database,
                           tls: useTLS ? .prefer(.makeClientConfiguration()) : .disable)
        }
        config.options.maximumConnections = maximumConnections
        config.options.minimumConnections = min(max(minimumConnections, 0), maximumConnections)
        config.options.keepAliveBehavior = nil
        return config
    }

    /// A single-connection configuration for `PostgresConnection.connect` (migrator, listeners).
    /// - Throws: when a TLS context cannot be created.
    public func connectionConfiguration() throws -> PostgresConnection.Configuration {
        if host.hasPrefix("/") {
            return .init(unixSocketPath: "\(host)/.s.PGSQL.\(port)", username: username, password: password, database: database)
        }
        return .init(host: host, port: port, username: username, password: password, database: database,
                     tls: useTLS ? .prefer(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable)
    }

    /// Runs `body` on one dedicated connection (for session state: advisory locks, LISTEN) and closes it
    /// afterwards, whether `body` returns or throws. `applicationName` shows in `pg_stat_activity`.
    public func withConnection<T>(applicationName: String? = nil, logger: Logger,
                                  _ body: (PostgresConnection) async throws -> T) async throws -> T {
        var configuration = try connectionConfiguration()
        if let applicationName { configuration.options.additionalStartupParameters = [("application_name", applicationName)] }
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// The URL as text, password included, for handing to another process (never log it: use `description`).
    public var urlString: String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = username
        components.password = password
        components.host = host
        components.port = port
        components.path = "/" + database
        if !useTLS { components.queryItems = [URLQueryItem(name: "sslmode", value: "disable")] }
        return components.string ?? description
    }

    /// The URL with any password replaced by `***`, safe to log.
    public var description: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
    }

    private static func redact(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "<unparseable URL>"
    }
}

/// A database URL that cannot be used, with the reason.
public struct DatabaseURLError: Error, CustomStringConvertible {
    /// What is wrong.
    public var description: String
    init(_ description: String) { self.description = description }
}
