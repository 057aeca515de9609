@testable import Fantasy
import Foundation
import Hummingbird
import Logging
import Synchronization
import Testing

/// The Sleeper client against a real local HTTP server: the demo snapshot served as Sleeper serves it, plus
/// routes that fail the ways the real API can.
@Suite("Sleeper client")
struct SleeperClientTests {
    static let logger = Logger(label: "test.sleeper")

    @Test func readsEverySleeperShapeFromTheSnapshotOverHTTP() async throws {
        try await SnapshotServer.with { server in
            let client = try SleeperClient(baseURL: server.baseURL, logger: Self.logger)
            let state = try await client.state()
            #expect(state.season == "2026" && (1...18).contains(state.week))
            let league = try await client.league(SnapshotServer.league)
            #expect(league.totalRosters == 10)
            #expect(league.rosterPositions.contains("SUPER_FLEX") && league.rosterPositions.contains("FLEX"))
            let rosters = try await client.rosters(league: SnapshotServer.league)
            let users = try await client.users(league: SnapshotServer.league)
            #expect(rosters.count == 10 && users.count == 10)
            #expect(Set(rosters.compactMap(\.ownerID)) == Set(users.map(\.userID)))
            let players = try await client.players()
            #expect(players.count >= 250)
            #expect(rosters.allSatisfy { ($0.players ?? []).allSatisfy { players[$0] != nil } })
            let projections = try await client.projections(season: "2026", week: state.week)
            #expect(!projections.isEmpty && projections.allSatisfy { $0.stats["pts_ppr"] != nil })
        }
    }

    @Test func retriesOn429And5xxThenSucceeds() async throws {
        try await SnapshotServer.with { server in
            let client = try SleeperClient(baseURL: server.baseURL, firstBackoff: .milliseconds(10), logger: Self.logger)
            let state: SleeperState = try await client.flaky(path: "/flaky/2")
            #expect(state.week >= 1)
            #expect(server.hits("/flaky/2") == 3, "two failures (429, 503), then the answer")
        }
    }

    @Test func givesUpWithAClearErrorAfterTheRetries() async throws {
        try await SnapshotServer.with { server in
            let client = try SleeperClient(baseURL: server.baseURL, retries: 2, firstBackoff: .milliseconds(10), logger: Self.logger)
            await #expect(throws: SleeperError.status(503, "/flaky/99")) { let _: SleeperState = try await client.flaky(path: "/flaky/99") }
            #expect(server.hits("/flaky/99") == 3)
        }
    }

    @Test func unknownLeagueBadDataAndTimeoutsAreClearErrors() async throws {
        try await SnapshotServer.with { server in
            let client = try SleeperClient(baseURL: server.baseURL, timeout: .milliseconds(300), retries: 1,
                                           firstBackoff: .milliseconds(10), logger: Self.logger)
            // Sleeper answers an unknown league with 200 and `null`.
            await #expect(throws: SleeperError.notFound("/v1/league/999")) { try await client.league("999") }
            do {
                _ = try await client.rosters(league: "broken")
                Issue.record("bad data was accepted")
            } catch let SleeperError.badData(path, detail) {
                #expect(path == "/v1/league/broken/rosters")
                #expect(detail.contains("roster_id"), "names what is wrong: \(detail)")
            }
            do {
                _ = try await client.users(league: "slow")
                Issue.record("a hanging server did not time out")
            } catch let SleeperError.unreachable(path, _) {
                #expect(path == "/v1/league/slow/users")
            }
            await #expect(throws: SleeperError.badData("../x", "an id may contain only letters, digits, - and _")) {
                try await client.league("../x")
            }
            #expect(throws: SleeperError.badBaseURL("ftp://x")) { try SleeperClient(baseURL: "ftp://x", logger: Self.logger) }
        }
    }

    @Test func readsTheSameShapesFromAFileURL() async throws {
        let client = try SleeperClient(baseURL: "file://" + SnapshotServer.directory, logger: Self.logger)
        #expect(try await client.league(SnapshotServer.league).totalRosters == 10)
        await #expect(throws: SleeperError.notFound("/v1/league/999")) { try await client.league("999") }
    }
}

extension SleeperClient {
    /// A test-only path with the client's retries and decoding.
    func flaky<T: Decodable>(path: String) async throws -> T { try await get(path) }
}

/// A Hummingbird server on 127.0.0.1 serving `demo/sleeper` (URL path + `.json`), with `/flaky/N` (N failures —
/// 429 then 503s — before the state), `/v1/league/999` (`null`), `/v1/league/broken/rosters` (wrong shape) and
/// `/v1/league/slow/users` (never answers in time).
struct SnapshotServer: Sendable {
    static let league = "1180000000000000001"
    static var directory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("demo/sleeper").path
    }

    let port: Int
    let counts: Counts
    var baseURL: String { "http://127.0.0.1:\(port)" }

    func hits(_ path: String) -> Int { counts.storage.withLock { $0[path] ?? 0 } }

    static func with(_ body: @Sendable (SnapshotServer) async throws -> Void) async throws {
        let counts = Counts()
        let router = Router()
        // One catch-all route (the router does not fall back from a static segment to a wildcard).
        router.get("/**") { request, _ -> Response in
            let path = request.uri.path
            if path.hasPrefix("/flaky/"), let n = Int(path.dropFirst("/flaky/".count)) {
                let hit = counts.hit(path)
                if hit <= n { return Response(status: hit == 1 ? .tooManyRequests : .serviceUnavailable) }
                return try file("/v1/state/nfl")
            }
            switch path {
            case "/v1/league/999":  // Sleeper's answer for an unknown league
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "null")))
            case "/v1/league/broken/rosters":
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: #"[{"owner_id": "1"}]"#)))
            case "/v1/league/slow/users":
                try await Task.sleep(for: .seconds(5))
                return Response(status: .ok)
            default:
                return try file(path)
            }
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) },
                              logger: Logger(label: "test.snapshot-server"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            guard let port = await ports.first(where: { _ in true }) else { throw CancellationError() }
            defer { group.cancelAll() }
            let server = SnapshotServer(port: port, counts: counts)
            try await body(server)
        }
    }

    private static func file(_ path: String) throws -> Response {
        guard !path.contains(".."), let data = FileManager.default.contents(atPath: directory + path + ".json") else {
            return Response(status: .notFound)
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Request counts per path, shared with the routes.
final class Counts: Sendable {
    let storage = Mutex<[String: Int]>([:])
    func hit(_ path: String) -> Int { storage.withLock { $0[path, default: 0] += 1; return $0[path]! } }
}
