import ArgumentParser
import Foundation
import HummingbirdWSClient
import Logging
import PostgresNIO
import Queue
import Synchronization

/// `huddle bench ws`: starts `huddle serve` as a separate process, connects N WebSocket clients spread over M
/// users, and produces notifications from SQL at a fixed rate. Reports messages delivered per second and
/// produce→receive latency (from before the producing statement to the client's receipt), and the server's
/// RSS. Both phases also send user `benchstalled` `--stall-bytes` notifications at the same rate; in the
/// baseline nobody is connected as that user, in the second phase one client is and reads nothing (stalled).
/// So the database does the same work in both, and the ratio of the healthy clients' p99 between the two
/// shows what the stalled socket costs everyone else. The last line also says how the server ended the
/// stalled socket (`1013`, or `dropped` when not even the close frame could get past its full socket).
struct WebSocketBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ws",
        abstract: "WebSocket fan-out: N clients of M users, notifications produced from SQL at a fixed rate; delivered/s, latency, server RSS.")

    @OptionGroup var options: BenchOptions
    @Option(help: "WebSocket clients.") var clients: Int = 1000
    @Option(help: "Users the clients are spread over (events go to one user each).") var users: Int = 100
    @Option(help: "Events produced per second (each delivered to every client of its user).") var rate: Int = 500
    @Option(help: "Seconds per phase.") var seconds: Double = 5
    @Option(help: "Size of each notification sent to the stalled client in the second phase, in bytes.") var stallBytes: Int = 8192

    func validate() throws {
        guard clients >= 1, users >= 1, users <= clients, rate >= 1, seconds > 0, (0...60_000).contains(stallBytes) else {
            throw ValidationError("need clients >= users >= 1, rate >= 1, seconds > 0 and stall-bytes in 0...60000")
        }
    }

    func run() async throws {
        let (database, logger) = try options.setUp()
        try await reportingFailures {
            try await withQueueClient(database, logger: logger, maximumConnections: 4) { client in
                let secret = (0..<4).map { _ in String(UInt64.random(in: .min ... .max), radix: 16) }.joined()
                let authority = try await TokenAuthority(secret: secret)
                let port = try freePort()
                let server = try startServer(database: database, secret: secret, port: port)
                defer { server.terminate() }
                try await waitForServer(port: port)

                let clock = ContinuousClock()
                let origin = clock.now
                let counters = BenchSockets(origin: origin)
                let (release, releaseStalled) = AsyncStream<Void>.makeStream()
                let total = try await withThrowingTaskGroup(of: Void.self) { group -> (Phase, Phase, String) in
                    for index in 0..<clients {
                        let user = "benchuser\(index % users)"
                        let token = try await authority.token(for: user, ttl: .seconds(3600))
                        group.addTask {
                            try await Self.connect(port: port, user: user, token: token, counters: counters, logger: logger)
                        }
                        if index % 200 == 199 { try await Task.sleep(for: .milliseconds(20)) }  // pace the handshakes
                    }
                    try await counters.waitForConnections(clients)
                    let baseline = try await produce(client: client, counters: counters, pid: server.processIdentifier, logger: logger)
                    let stalledToken = try await authority.token(for: "benchstalled", ttl: .seconds(3600))
                    group.addTask {
                        try await Self.connectStalled(port: port, token: stalledToken, counters: counters, release: release, logger: logger)
                    }
                    try await counters.waitForConnections(clients + 1)
                    let stalled = try await produce(client: client, counters: counters, pid: server.processIdentifier, logger: logger)
                    // The server gets its close grace (5 s) to end the stalled socket; then the client reads again
                    // to learn how it ended.
                    try await Task.sleep(for: .seconds(6))
                    releaseStalled.yield()
                    let ending = try await counters.stalledEnding(within: .seconds(5))
                    group.cancelAll()
                    return (baseline, stalled, ending)
                }
                for (name, phase) in [("baseline", total.0), ("stalled_client", total.1)] {
                    print("bench ws phase=\(name) clients=\(clients) users=\(users) rate=\(rate) seconds=\(format(seconds)) produced_per_s=\(Int(phase.produced)) delivered_per_s=\(Int(phase.delivered)) missing=\(phase.missing) p50_ms=\(format(phase.p50)) p99_ms=\(format(phase.p99)) max_ms=\(format(phase.max)) server_rss_mb=\(phase.rssMB)")
                }
                print("bench ws ratio p99_stalled/p99_baseline=\(String(format: "%.2f", total.1.p99 / max(total.0.p99, 0.001))) stalled_client_end=\(total.2)")
            }
        }
    }

    struct Phase {
        var produced: Double
        var delivered: Double
        /// Deliveries still missing 10 s after the last event was produced.
        var missing: Int
        var p50: Double
        var p99: Double
        var max: Double
        var rssMB: Int
    }

    /// Produces `rate` events/s for `seconds` in 10 ms ticks, waits for the deliveries to drain, and measures.
    /// Each tick also sends as many `stallBytes` notifications to the stalled client's user.
    private func produce(client: QueueClient, counters: BenchSockets, pid: Int32, logger: Logger) async throws -> Phase {
        counters.reset()
        let tick = Duration.milliseconds(10)
        let ticks = Int(seconds * 100)
        let perTick = Double(rate) / 100
        var produced = 0
        let start = ContinuousClock.now
        for index in 0..<ticks {
            try await Task.sleep(until: start + tick * index, clock: .continuous)
            let due = Int(perTick * Double(index + 1)) - produced
            guard due > 0 else { continue }
            let stamp = counters.milliseconds(ContinuousClock.now)
            try await client.postgres.execute(BenchQueries.NotifyUsers(count: due, users: users, offset: produced, stamp: stamp),
                                              logger: logger).consume()
            try await client.postgres.execute(BenchQueries.FloodUser(count: due, user: "benchstalled", bytes: stallBytes),
                                              logger: logger).consume()
            produced += due
        }
        let elapsed = (ContinuousClock.now - start).seconds
        let expected = counters.expectedDeliveries(produced: produced, clients: clients, users: users)
        let drainBy = ContinuousClock.now + .seconds(10)
        while counters.delivered < expected, ContinuousClock.now < drainBy { try await Task.sleep(for: .milliseconds(20)) }
        let latencies = counters.latencies.sorted
        func p(_ q: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * q))] }
        return Phase(produced: Double(produced) / elapsed, delivered: Double(counters.delivered) / elapsed,
                     missing: expected - counters.delivered,
                     p50: p(0.5), p99: p(0.99), max: latencies.last ?? 0, rssMB: Self.rssMB(pid))
    }

    /// A reading client. It counts as connected once the server answered its first ping: the server replies
    /// only after registering the socket for live events, so none produced afterwards can be missed.
    private static func connect(port: Int, user: String, token: String, counters: BenchSockets, logger: Logger) async throws {
        try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/ws/\(user)?token=\(token)",
                                          configuration: .init(maxFrameSize: 1 << 16), logger: logger) { inbound, outbound, _ in
            try await outbound.write(.text(#"{"type":"ping"}"#))
            var registered = false
            for try await message in inbound.messages(maxSize: 1 << 16) {
                guard case let .text(text) = message else { continue }
                if let stamp = Self.stamp(in: text) {
                    counters.received(stamp: stamp, user: user)
                } else if !registered, text.contains(#""pong""#) {
                    registered = true
                    counters.connected()
                }
            }
        }
    }

    /// A client of `benchstalled` that reads nothing until `release`, then reads to the end and records how
    /// the server ended the socket.
    private static func connectStalled(port: Int, token: String, counters: BenchSockets, release: AsyncStream<Void>,
                                       logger: Logger) async throws {
        do {
            let frame = try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/ws/benchstalled?token=\(token)",
                                                          configuration: .init(maxFrameSize: 1 << 16), logger: logger) { inbound, _, _ in
                counters.connected()
                for await _ in release { break }
                for try await _ in inbound.messages(maxSize: 1 << 16) {}
            }
            counters.stalledEnded(frame.map { "\($0.closeCode)" } ?? "dropped")
        } catch {
            counters.stalledEnded("dropped")
        }
    }

    /// The produce time the bench put in the notification's title (`"title": "<ms>"`), found without
    /// parsing the whole message.
    private static func stamp(in text: String) -> Double? {
        guard let key = text.range(of: #""title""#) else { return nil }
        let rest = text[key.upperBound...].drop { $0 == ":" || $0 == " " || $0 == "\"" }
        return Double(rest.prefix { $0 != "\"" })
    }

    private func startServer(database: DatabaseURL, secret: String, port: Int) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["serve", "--port", String(port), "--log-level", "error"]
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["DATABASE_URL": database.urlString, "HUDDLE_SECRET": secret]) { _, new in new }
        try process.run()
        return process
    }

    private func waitForServer(port: Int) async throws {
        for _ in 0..<300 {
            if Self.ready(port: port) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CommandFailure("huddle serve did not become ready on port \(port)")
    }

    /// Whether `GET /readyz` answers 200 (a plain blocking HTTP/1.1 request over loopback).
    private static func ready(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return false }
        let request = "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        guard request.withCString({ send(fd, $0, strlen($0), 0) }) > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = recv(fd, &buffer, buffer.count, 0)
        return count > 12 && String(decoding: buffer[0..<count], as: UTF8.self).hasPrefix("HTTP/1.1 200")
    }

    private func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw CommandFailure("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func rssMB(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return 0 }
        return kb / 1024
    }
}

/// What the bench's clients observed.
final class BenchSockets: Sendable {
    private let origin: ContinuousClock.Instant
    private let state = Mutex<(connected: Int, delivered: Int, stalledEnd: String?)>((0, 0, nil))
    let latencies = Samples()

    init(origin: ContinuousClock.Instant) { self.origin = origin }

    func milliseconds(_ instant: ContinuousClock.Instant) -> Double { (instant - origin).seconds * 1000 }

    func connected() { state.withLock { $0.connected += 1 } }

    func received(stamp: Double, user: String) {
        let latency = milliseconds(.now) - stamp
        state.withLock { $0.delivered += 1 }
        latencies.append(latency)
    }

    var delivered: Int { state.withLock { $0.delivered } }

    func reset() {
        state.withLock { $0.delivered = 0 }
        latencies.removeAll()
    }

    func expectedDeliveries(produced: Int, clients: Int, users: Int) -> Int {
        // Event i goes to user i % users, whose clients are those with index % users == i % users.
        (0..<produced).reduce(0) { sum, i in sum + (clients / users + ((i % users) < clients % users ? 1 : 0)) }
    }

    func stalledEnded(_ how: String) { state.withLock { $0.stalledEnd = how } }

    /// How the stalled socket ended (`unknown(1013)`, `dropped`), or `open` if it did not within `timeout`
    /// (it never fell behind far enough to be closed).
    func stalledEnding(within timeout: Duration) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let end = state.withLock({ $0.stalledEnd }) { return end }
            try await Task.sleep(for: .milliseconds(50))
        }
        return "open"
    }

    func waitForConnections(_ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while state.withLock({ $0.connected }) < count {
            guard ContinuousClock.now < deadline else {
                throw CommandFailure("only \(state.withLock { $0.connected }) of \(count) sockets connected within 120 s")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
