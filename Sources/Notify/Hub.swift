import Metrics
import Synchronization

/// Routes events to the sockets of their user. The feed hands it every event once, in id order; the hub
/// offers each to the matching sessions without waiting (a full session is closed by its own outbox, never
/// slowing the rest). Registration and dispatch share one lock, so a session learns exactly which event
/// ids it will receive live (those after ``position`` at registration) — what makes replay-then-live exact.
public final class Hub: Sendable {
    private struct State {
        var sessions: [String: [ObjectIdentifier: Session]] = [:]
        var position: Int64 = 0
        var started = false
    }

    private let state = Mutex(State())
    private let delivered = Counter(label: "huddle_events_delivered_total")
    private let open = Gauge(label: "huddle_sockets_open")

    /// Creates an empty hub.
    public init() {}

    /// The id of the newest event dispatched (every event up to it has been routed).
    public var position: Int64 { state.withLock { $0.position } }

    /// How many sessions are registered.
    public var sessionCount: Int { state.withLock { $0.sessions.values.reduce(0) { $0 + $1.count } } }

    /// Sets the starting position (the newest event id when the feed starts); later calls do nothing.
    func start(at position: Int64) {
        state.withLock { state in
            guard !state.started else { return }
            state.started = true
            state.position = position
        }
    }

    /// Routes `events` (ascending ids, none at or below the current position) and moves the position to
    /// `through` (at least the last event's id: holes that will never fill are passed over).
    func dispatch(_ events: [RealtimeEvent], through: Int64) {
        var count = 0
        state.withLock { state in
            for event in events {
                for session in state.sessions[event.userID]?.values ?? [:].values where session.offer(event) {
                    count += 1
                }
            }
            state.position = max(state.position, through)
        }
        if count > 0 { delivered.increment(by: count) }
    }

    /// Adds `session`, first calling `prepare` with the position under the dispatch lock: events after that
    /// position reach the session, and none before it.
    func register(_ session: Session, prepare: (Int64) -> Void) {
        let total = state.withLock { state -> Int in
            prepare(state.position)
            state.sessions[session.userID, default: [:]][ObjectIdentifier(session)] = session
            return state.sessions.values.reduce(0) { $0 + $1.count }
        }
        open.record(total)
    }

    /// Removes `session`.
    func unregister(_ session: Session) {
        let total = state.withLock { state -> Int in
            state.sessions[session.userID]?[ObjectIdentifier(session)] = nil
            if state.sessions[session.userID]?.isEmpty == true { state.sessions[session.userID] = nil }
            return state.sessions.values.reduce(0) { $0 + $1.count }
        }
        open.record(total)
    }

    /// Ends every session for `reason` (graceful shutdown: their sockets close with 1001).
    public func endAll(_ reason: Session.EndReason) {
        let sessions = state.withLock { $0.sessions.values.flatMap(\.values) }
        for session in sessions { session.end(reason) }
    }

    /// Runs `body` under the dispatch lock: nothing is routed meanwhile.
    func withDispatchPaused<T>(_ body: (Int64) -> T) -> T {
        state.withLock { body($0.position) }
    }
}
