import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOCore
import Notify
import PostgresNIO
import ServiceLifecycle
import Synchronization
import TestSupport
@testable import App
@testable import Queue

/// A live `huddle serve` in the test process: the real router, WebSockets, event feed and auth, on a free
/// port of 127.0.0.1, against the test's own database.
struct LiveServer: Sendable {
    static let secret = "test-secret-0123456789abcdef0123456789abcdef"
    let port: Int
    let authority: TokenAuthority
    let hub: Hub
    let db: TestDatabase

    /// Runs a server on `db` while `body` runs, then shuts it down gracefully.
    static func with<T: Sendable>(_ db: TestDatabase, configure: (inout HuddleServer.Configuration) -> Void = { _ in },
                                  _ body: @Sendable (LiveServer) async throws -> T) async throws -> T {
        var configuration = HuddleServer.Configuration()
        configuration.port = 0
        configure(&configuration)
        let authority = try await TokenAuthority(secret: secret)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let server = HuddleServer(configuration: configuration, postgres: db.postgres, database: db.url, authority: authority,
                                  logger: db.logger) { port in continuation.yield(port) }
        let hub = server.hub
        return try await db.withServices(server.services) { _ async throws in
            guard let port = await ports.first(where: { _ in true }) else { throw TestDatabaseError("the server did not start") }
            let live = LiveServer(port: port, authority: authority, hub: hub, db: db)
            try await live.waitUntilReady()
            return try await body(live)
        }
    }

    func token(_ user: String, admin: Bool = false, ttl: Duration = .seconds(3600)) async throws -> String {
        try await authority.token(for: user, admin: admin, ttl: ttl)
    }

    /// An HTTP request; the status and the body parsed as JSON (nil when empty or not JSON).
    func request(_ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: String? = nil,
                 headers extra: HTTPFields = [:]) async throws -> (HTTPResponse.Status, JSONValue?, String) {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        let request = TestClient.Request(path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        let response = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            try await client.execute(request)
        }
        let text = response.body.map { String(buffer: $0) } ?? ""
        return (response.status, JSONValue(text: text), text)
    }

    /// Waits until `/readyz` says ready (the event listener is connected).
    func waitUntilReady() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while try await request(.get, "/readyz").0 != .ok {
            guard ContinuousClock.now < deadline else { throw TestDatabaseError("the server never became ready") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits until the server's event feed has routed every event up to `id`.
    func waitUntilRouted(through id: Int64) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while hub.position < id {
            guard ContinuousClock.now < deadline else { throw TestDatabaseError("events up to \(id) were never routed") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Opens a WebSocket to `path` (e.g. `/ws/alice?token=…`).
    func socket(_ path: String, headers: HTTPFields = [:], read: Bool = true) -> TestSocket {
        TestSocket(url: "ws://127.0.0.1:\(port)\(path)", headers: headers, read: read, logger: db.logger)
    }
}

/// A WebSocket client for tests: what it receives goes to ``messages`` (an ``EventLog`` to wait on); ``send``
/// queues a text frame; ``close()`` ends it; ``closeFrame`` is what the server closed with. With
/// `read: false` it reads nothing until ``startReading()``, like a stalled browser tab.
final class TestSocket: Sendable {
    let messages = EventLog<JSONValue>()
    private let outgoing: AsyncStream<String>.Continuation
    private let gate: AsyncStream<Void>.Continuation
    private let task: Task<WebSocketCloseFrame?, any Error>

    init(url: String, headers: HTTPFields, read: Bool, logger: Logger) {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        outgoing = continuation
        let (opened, gate) = AsyncStream<Void>.makeStream()
        self.gate = gate
        if read { gate.yield() }
        let messages = self.messages
        task = Task {
            try await WebSocketClient.connect(
                // A reading client pings (every 2 s), so a connection that died without a close frame still ends.
                url: url, configuration: .init(maxFrameSize: 1 << 20, additionalHeaders: headers,
                                               autoPing: read ? .enabled(timePeriod: .seconds(2)) : .disabled),
                logger: logger
            ) { inbound, outbound, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await text in stream { try await outbound.write(.text(text)) }
                    }
                    group.addTask {
                        for await _ in opened { break }  // a stalled client reads nothing until startReading()
                        for try await message in inbound.messages(maxSize: 1 << 20) {
                            if case let .text(text) = message { messages.record(JSONValue(text: text) ?? .string(text)) }
                        }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
        }
    }

    func send(_ text: String) { outgoing.yield(text) }

    /// Lets a socket opened with `read: false` start reading what the server sent (and how it closed).
    func startReading() { gate.yield() }

    /// Ends the connection from the client side.
    func close() { outgoing.finish() }

    /// How the server closed the connection (waits for it, at most 60 s).
    var closeFrame: WebSocketCloseFrame? {
        get async throws {
            try await withThrowingTaskGroup(of: WebSocketCloseFrame?.self) { group in
                group.addTask { try await self.task.value }
                group.addTask {
                    try await Task.sleep(for: .seconds(60))
                    self.task.cancel()  // so the group can end: awaiting `value` ignores cancellation
                    throw TestDatabaseError("the connection did not close within 60 s")
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
        }
    }

    /// Every received message parsed as JSON.
    var received: [JSONValue] { messages.all }

    /// Waits until `count` messages satisfying `filter` arrived.
    func wait(for count: Int, _ what: String, timeout: Duration = .seconds(60),
              where filter: @escaping @Sendable (JSONValue) -> Bool = { _ in true }) async throws {
        try await messages.wait(for: what, timeout: timeout) { all in all.lazy.filter(filter).count >= count }
    }
}

extension JSONValue {
    /// `type` of a message.
    var type: String? { if case let .string(t)? = self["type"] { t } else { nil } }
    /// `id` of an event message.
    var eventID: Int64? { if case let .number(n)? = self["id"] { Int64(n) } else { nil } }
    /// A string member.
    func string(_ key: String) -> String? { if case let .string(s)? = self[key] { s } else { nil } }
}
