import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// What went wrong talking to Sleeper, said so an operator can act on it.
public enum SleeperError: Error, CustomStringConvertible, Equatable {
    /// Sleeper has nothing at this path (it answers `null` or 404 for an unknown league).
    case notFound(String)
    /// A status other than 200 after the retries.
    case status(Int, String)
    /// The body is not the JSON expected.
    case badData(String, String)
    /// No answer (connection refused, timeout, unreadable file) after the retries.
    case unreachable(String, String)
    /// The base URL is neither http(s) nor file.
    case badBaseURL(String)

    public var description: String {
        switch self {
        case let .notFound(path): "Sleeper has nothing at \(path) (unknown league or id?)"
        case let .status(code, path): "Sleeper answered \(code) for \(path)"
        case let .badData(path, detail): "Sleeper's answer for \(path) is not what was expected: \(detail)"
        case let .unreachable(path, detail): "could not reach Sleeper for \(path): \(detail)"
        case let .badBaseURL(url): "the Sleeper base URL must be http://, https:// or file:// (got \(url))"
        }
    }
}

/// A client for the public Sleeper API v1 (`state/nfl`, `league/{id}`, its rosters and users, `players/nfl`)
/// and its weekly projections. The base URL defaults to `https://api.sleeper.app`; a `file://` URL reads the
/// same paths from a directory with `.json` appended (the bundled demo snapshot in `demo/sleeper`). Requests
/// time out after `timeout` (default 15 s) and are retried up to `retries` times (default 3) on 429, 5xx or no
/// answer, with exponential backoff and jitter (honouring `Retry-After`).
public struct SleeperClient: Sendable {
    /// The public API.
    public static let defaultBaseURL = "https://api.sleeper.app"

    /// Where requests go.
    public let baseURL: String
    let timeout: Duration
    let retries: Int
    let firstBackoff: Duration
    let http: HTTPClient
    let logger: Logger

    /// A client for `baseURL` (http(s) or file). `firstBackoff` (default 0.5 s) doubles per retry.
    public init(baseURL: String = SleeperClient.defaultBaseURL, timeout: Duration = .seconds(15), retries: Int = 3,
                firstBackoff: Duration = .milliseconds(500), http: HTTPClient = .shared, logger: Logger) throws {
        let trimmed = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        guard trimmed.hasPrefix("http://") || trimmed.hasPrefix("https://") || trimmed.hasPrefix("file://") else {
            throw SleeperError.badBaseURL(baseURL)
        }
        self.baseURL = trimmed
        self.timeout = timeout
        self.retries = max(0, retries)
        self.firstBackoff = firstBackoff
        self.http = http
        self.logger = logger
    }

    /// The current season and week.
    public func state() async throws -> SleeperState { try await get("/v1/state/nfl") }

    /// A league's settings.
    public func league(_ id: String) async throws -> SleeperLeague { try await get("/v1/league/\(try Self.pathComponent(id))") }

    /// A league's rosters.
    public func rosters(league id: String) async throws -> [SleeperRoster] {
        try await get("/v1/league/\(try Self.pathComponent(id))/rosters")
    }

    /// A league's users.
    public func users(league id: String) async throws -> [SleeperUser] {
        try await get("/v1/league/\(try Self.pathComponent(id))/users")
    }

    /// Every NFL player, by id (about 5 MB from the real API).
    public func players() async throws -> [String: SleeperPlayer] { try await get("/v1/players/nfl") }

    /// Projections for one regular-season week.
    public func projections(season: String, week: Int) async throws -> [SleeperProjection] {
        try await get("/projections/nfl/\(try Self.pathComponent(season))/\(week)?season_type=regular")
    }

    /// Fetches and decodes `path`; Sleeper's `null` body means not found.
    func get<T: Decodable>(_ path: String) async throws -> T {
        let data = try await fetch(path)
        if data.isEmpty || String(decoding: data.prefix(8), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "null" {
            throw SleeperError.notFound(path)
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw SleeperError.badData(path, Self.describe(error))
        }
    }

    /// The body at `path`, with retries.
    func fetch(_ path: String) async throws -> Data {
        var attempt = 0
        while true {
            do {
                return try await fetchOnce(path)
            } catch let failure as RetryableFailure {
                attempt += 1
                guard attempt <= retries else { throw failure.error }
                let backoff = failure.retryAfter ?? firstBackoff * (1 << (attempt - 1))
                let delay = min(backoff, .seconds(10)) + .milliseconds(Int.random(in: 0...100))
                logger.warning("Sleeper request failed; retrying", metadata: [
                    "path": "\(path)", "error": "\(failure.error)", "attempt": "\(attempt)", "delay": "\(delay)"])
                try await Task.sleep(for: delay)
            }
        }
    }

    private struct RetryableFailure: Error {
        var error: SleeperError
        var retryAfter: Duration?
    }

    private func fetchOnce(_ path: String) async throws -> Data {
        if baseURL.hasPrefix("file://") {
            let file = String(baseURL.dropFirst("file://".count)) + (path.split(separator: "?").first.map(String.init) ?? path) + ".json"
            guard FileManager.default.fileExists(atPath: file) else { throw SleeperError.notFound(path) }
            do {
                return try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw RetryableFailure(error: .unreachable(path, "\(error)"))
            }
        }
        var request = HTTPClientRequest(url: baseURL + path)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "huddle")
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            let deadline = NIODeadline.now() + .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000
                                                           + timeout.components.attoseconds / 1_000_000_000)
            response = try await http.execute(request, deadline: deadline, logger: logger)
            body = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw RetryableFailure(error: .unreachable(path, "\(error)"))
        }
        switch response.status.code {
        case 200: return Data(body.readableBytesView)
        case 404: throw SleeperError.notFound(path)
        case 429, 500...599:
            let retryAfter = response.headers.first(name: "Retry-After").flatMap(Int.init).map { Duration.seconds($0) }
            throw RetryableFailure(error: .status(Int(response.status.code), path), retryAfter: retryAfter)
        default: throw SleeperError.status(Int(response.status.code), path)
        }
    }

    /// `value` if it is safe as one path segment (letters, digits, `-`, `_`), else an error.
    static func pathComponent(_ value: String) throws -> String {
        guard !value.isEmpty, value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw SleeperError.badData(value, "an id may contain only letters, digits, - and _")
        }
        return value
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case let .keyNotFound(key, context): "missing \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case let .typeMismatch(type, context): "\(context.codingPath.map(\.stringValue).joined(separator: ".")) is not a \(type)"
        case let .valueNotFound(type, context): "\(context.codingPath.map(\.stringValue).joined(separator: ".")) is null, expected \(type)"
        case let .dataCorrupted(context): context.debugDescription
        @unknown default: "\(error)"
        }
    }
}
