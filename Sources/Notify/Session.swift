import Foundation
import Logging
import PostgresNIO
import Queue
import Synchronization

/// One WebSocket connection's side of the protocol (docs/websocket.md), independent of the HTTP server:
/// it receives the client's text messages, answers through its ``Outbox``, filters the hub's events by the
/// client's task subscriptions, and replays missed events on `resume` — replayed events first, then live,
/// with no gap and no duplicate.
public final class Session: Sendable {
    /// The authenticated user.
    public let userID: String
    /// What the socket's writer sends, in order.
    public let outbox: Outbox
    private let hub: Hub
    private let postgres: PostgresClient
    private let logger: Logger
    private let state = Mutex(State())

    /// Why a session ended (the socket's close code follows from it).
    public enum EndReason: Sendable, Equatable {
        /// The client fell too far behind (close 1013; it should reconnect and resume).
        case overflow
        /// The token expired (close 1008).
        case tokenExpired
        /// The server is shutting down (close 1001).
        case shutdown
        /// The client went away.
        case clientGone
    }

    private struct State {
        var ended: EndReason?
        /// Tasks the client subscribed to; empty means all of the user's.
        var subscriptions: Set<Int64> = []
        /// While a replay runs, live events wait here (bounded like the outbox).
        var held: [RealtimeEvent]?
        /// Every event of this user after this id has been (or is being) delivered.
        var coveredFrom: Int64 = 0
    }

    /// The most events replayed per database read.
    static let replayPage = 500

    /// Creates a session for `userID`; it receives nothing until ``start(after:)``.
    public init(userID: String, hub: Hub, postgres: PostgresClient, outboxCapacity: Int = 1024, logger: Logger) {
        self.userID = userID
        self.hub = hub
        self.postgres = postgres
        self.outbox = Outbox(capacity: outboxCapacity)
        var logger = logger
        logger[metadataKey: "user"] = "\(userID)"
        self.logger = logger
    }

    /// Registers with the hub: events from now on are delivered; with `after`, the user's events after that
    /// id are replayed first (as `resume` would).
    public func start(after: Int64? = nil) async throws {
        var position: Int64 = 0
        hub.register(self) { current in
            position = current
            state.withLock { state in
                state.coveredFrom = current
                if after != nil { state.held = [] }
            }
        }
        if let after { try await replay(after: after, through: position) }
    }

    /// Leaves the hub and ends the session for `reason` (the first reason given wins): the writer sends what
    /// is queued, then closes.
    public func end(_ reason: EndReason) {
        state.withLock { if $0.ended == nil { $0.ended = reason } }
        hub.unregister(self)
        outbox.finish()
    }

    /// Why the session ended, once it has (an outbox overflow counts as ``EndReason/overflow``).
    public var endReason: EndReason? {
        if outbox.closed == .overflow { return .overflow }
        return state.withLock { $0.ended }
    }

    /// Called by the hub under its lock: queue `event` unless the client's subscriptions exclude it.
    /// False when the event was not for this socket.
    func offer(_ event: RealtimeEvent) -> Bool {
        state.withLock { state -> Bool in
            if let task = event.taskID, !state.subscriptions.isEmpty, !state.subscriptions.contains(task) { return false }
            if state.held != nil {
                guard state.held!.count < outbox.capacity else {
                    outbox.overflow()  // too much arrived during the replay: the client resumes later
                    state.held = nil
                    return false
                }
                state.held!.append(event)
                return true
            }
            return outbox.offer(event.message)
        }
    }

    /// Handles one text message from the client.
    public func receive(_ text: String) async {
        guard let message = try? JSONDecoder().decode(ClientMessage.self, from: Data(text.utf8)) else {
            await reply(error: "messages must be JSON objects with a string \"type\"")
            return
        }
        let type = message.type
        switch type {
        case "ping":
            _ = await outbox.send(#"{"type":"pong"}"#)
        case "subscribe", "unsubscribe":
            guard let task = message.taskID?.value else {
                await reply(error: "\(type) needs a task_id")
                return
            }
            if type == "unsubscribe" {
                _ = state.withLock { $0.subscriptions.remove(task) }
                return
            }
            do {
                let owns = try await postgres.execute(EventQueries.OwnsTask(id: task, userID: userID), logger: logger)
                    .first { _ in true } ?? false
                guard owns else {
                    await reply(error: "task \(task) not found")
                    return
                }
                _ = state.withLock { $0.subscriptions.insert(task) }
            } catch {
                await reply(error: "could not subscribe: the database is unavailable")
            }
        case "resume":
            guard let after = message.after?.value, after >= 0 else {
                await reply(error: "resume needs \"after\": the last event id received (0 for everything kept)")
                return
            }
            do {
                try await resume(after: after)
            } catch {
                logger.warning("resume failed", metadata: ["error": "\(String(reflecting: error))"])
                await reply(error: "could not resume: the database is unavailable; reconnect and resume again")
            }
        default:
            await reply(error: "unknown message type \"\(type)\"")
        }
    }

    /// Replays the user's events after `after` that this socket has not had, holding live events meanwhile.
    private func resume(after: Int64) async throws {
        let covered = hub.withDispatchPaused { _ -> Int64? in
            state.withLock { state -> Int64? in
                guard after < state.coveredFrom, state.held == nil else { return nil }
                state.held = []
                return state.coveredFrom
            }
        }
        guard let covered else { return }  // nothing older to replay (or a replay is already running)
        try await replay(after: after, through: covered)
    }

    /// Sends the user's events in (after, through] from the database, then what arrived live meanwhile.
    private func replay(after: Int64, through: Int64) async throws {
        defer { release() }
        let (_, oldest) = try await postgres.execute(EventQueries.Bounds(), logger: logger).first { _ in true } ?? (0, nil)
        if after > 0, let oldest, oldest > after + 1 {
            // Events after `after` may have been pruned: the client must reload its state.
            _ = await outbox.send(#"{"type":"resync"}"#)
        }
        var cursor = after
        while cursor < through {
            let page = try await postgres.execute(
                EventQueries.ForUser(userID: userID, after: cursor, through: through, limit: Self.replayPage), logger: logger
            ).collect()
            for event in page where passes(event) {
                guard await outbox.send(event.message) else { return }
            }
            guard page.count == Self.replayPage, let last = page.last else { break }
            cursor = last.id
        }
        state.withLock { $0.coveredFrom = min($0.coveredFrom, after) }
    }

    /// Ends a replay: what arrived meanwhile goes out, in order, and live delivery resumes.
    private func release() {
        hub.withDispatchPaused { _ in
            state.withLock { state in
                for event in state.held ?? [] { _ = outbox.offer(event.message) }
                state.held = nil
            }
        }
    }

    private func passes(_ event: RealtimeEvent) -> Bool {
        state.withLock { state in
            guard let task = event.taskID, !state.subscriptions.isEmpty else { return true }
            return state.subscriptions.contains(task)
        }
    }

    private func reply(error: String) async {
        let body = (try? JSONSerialization.data(withJSONObject: ["type": "error", "error": error])) ?? Data()
        _ = await outbox.send(String(decoding: body, as: UTF8.self))
    }

}

/// A message from the client: `{"type": …}` with the fields its type needs.
struct ClientMessage: Decodable {
    var type: String
    var taskID: Identifier?
    var after: Identifier?

    enum CodingKeys: String, CodingKey {
        case type
        case taskID = "task_id"
        case after
    }

    /// An id sent as a JSON number or as a string of digits (the seed's clients send task ids as strings).
    struct Identifier: Decodable {
        var value: Int64?
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int64.self) {
                value = number
            } else {
                value = Int64(try container.decode(String.self))
            }
        }
    }
}
