import Synchronization

/// A socket's bounded queue of outgoing text messages. The hub offers messages without ever waiting
/// (`offer` fails when the queue is full, and the socket is then closed with 1013, so one slow client never
/// slows the others); replies and replays wait for room instead (`send`). One writer task drains it.
public final class Outbox: Sendable {
    /// Why an outbox stopped taking messages.
    public enum Closed: Sendable, Equatable {
        /// A message was offered while the queue was full: the client is too slow.
        case overflow
        /// The session ended.
        case finished
    }

    private struct State {
        var queue: [String] = []
        var head = 0
        var closed: Closed?
        var reader: CheckedContinuation<Void, Never>?
        var writers: [CheckedContinuation<Void, Never>] = []
        var watchers: [CheckedContinuation<Closed, Never>] = []
        var count: Int { queue.count - head }
    }

    /// The most messages held at once.
    public let capacity: Int
    private let state = Mutex(State())

    /// Creates an outbox holding at most `capacity` messages (at least 1).
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Queues `message` if there is room; otherwise closes the outbox as ``Closed/overflow`` and returns false.
    @discardableResult
    public func offer(_ message: String) -> Bool {
        let (accepted, reader) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            guard state.closed == nil else { return (false, nil) }
            guard state.count < capacity else {
                state.closed = .overflow
                return (false, Self.takeAll(&state))
            }
            state.queue.append(message)
            defer { state.reader = nil }
            return (true, state.reader)
        }
        if !accepted { wakeWriters() }
        reader?.resume()
        return accepted
    }

    /// Queues `message`, waiting while the outbox is full; false when the outbox is closed.
    public func send(_ message: String) async -> Bool {
        while true {
            let full = state.withLock { state -> Bool? in
                guard state.closed == nil else { return nil }
                return state.count >= capacity
            }
            guard let full else { return false }
            if !full { return offer(message) }
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Bool in
                    if state.closed != nil || state.count < capacity { return true }
                    state.writers.append(continuation)
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }

    /// The next message, waiting for one; nil once closed (messages queued before a ``finish()`` are still
    /// returned; after an overflow nothing more is).
    public func next() async -> String? {
        while true {
            let (message, done, writer) = state.withLock { state -> (String?, Bool, CheckedContinuation<Void, Never>?) in
                if state.closed == .overflow { return (nil, true, nil) }
                if state.count > 0 {
                    let message = state.queue[state.head]
                    state.head += 1
                    if state.head > 1024 && state.head * 2 > state.queue.count {
                        state.queue.removeFirst(state.head)
                        state.head = 0
                    }
                    return (message, false, state.writers.isEmpty ? nil : state.writers.removeFirst())
                }
                return (nil, state.closed != nil, nil)
            }
            writer?.resume()
            if let message { return message }
            if done { return nil }
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Bool in
                    if state.count > 0 || state.closed != nil { return true }
                    state.reader = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }

    /// Closes the outbox as ``Closed/overflow`` (the client fell too far behind): the writer stops at once.
    public func overflow() {
        let reader = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.closed == nil { state.closed = .overflow }
            return Self.takeAll(&state)
        }
        reader?.resume()
        wakeWriters()
    }

    /// Stops taking messages; the reader still gets what is queued, then nil.
    public func finish() {
        let reader = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.closed == nil { state.closed = .finished }
            return Self.takeAll(&state)
        }
        reader?.resume()
        wakeWriters()
    }

    /// Why it closed, if it has.
    public var closed: Closed? { state.withLock { $0.closed } }

    /// Waits until the outbox closes and returns why (at once if it already has).
    public func waitUntilClosed() async -> Closed {
        await withCheckedContinuation { continuation in
            let closed = state.withLock { state -> Closed? in
                if let closed = state.closed { return closed }
                state.watchers.append(continuation)
                return nil
            }
            if let closed { continuation.resume(returning: closed) }
        }
    }

    /// Called with the lock held once `closed` is set: hands back the waiting reader, and frees the queue
    /// when nothing more will be read from it (an overflow).
    private static func takeAll(_ state: inout State) -> CheckedContinuation<Void, Never>? {
        defer { state.reader = nil }
        if state.closed == .overflow {
            state.queue = []
            state.head = 0
        }
        return state.reader
    }

    /// Wakes everything waiting on a closed outbox: senders waiting for room and ``waitUntilClosed()``.
    private func wakeWriters() {
        let (writers, watchers, closed) = state.withLock { state in
            defer { state.writers = []; state.watchers = [] }
            return (state.writers, state.watchers, state.closed)
        }
        for writer in writers { writer.resume() }
        if let closed { for watcher in watchers { watcher.resume(returning: closed) } }
    }
}
