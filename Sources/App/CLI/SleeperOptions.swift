import ArgumentParser
import Fantasy
import Foundation
import Logging
import PostgresNIO
import Queue

/// Where Sleeper data comes from, shared by `work`, `all`, `sleeper import` and `demo load`.
struct SleeperOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Sleeper API base URL, or file:///path to read a snapshot directory (default: $HUDDLE_SLEEPER_URL, else https://api.sleeper.app).",
        valueName: "url"))
    var sleeperURL: String?

    /// The URL to use: the flag, else `HUDDLE_SLEEPER_URL`, else the public API.
    var resolvedURL: String {
        sleeperURL ?? ProcessInfo.processInfo.environment["HUDDLE_SLEEPER_URL"].flatMap { $0.isEmpty ? nil : $0 }
            ?? SleeperClient.defaultBaseURL
    }

    func validate() throws {
        do {
            _ = try SleeperClient(baseURL: resolvedURL, logger: Logger(label: "huddle.validate"))
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// A client for the resolved URL.
    func client(logger: Logger) throws -> SleeperClient { try SleeperClient(baseURL: resolvedURL, logger: logger) }

    /// The job handlers of this build: built-ins plus the fantasy kinds over `postgres`.
    func handlers(postgres: PostgresClient, logger: Logger) throws -> JobHandlers {
        let agents = FantasyAgents(store: FantasyStore(postgres: postgres, logger: logger), sleeper: try client(logger: logger),
                                   logger: logger)
        return .huddle(agents: agents)
    }
}
