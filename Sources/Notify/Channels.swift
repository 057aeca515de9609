import Queue

/// The channels the real-time path listens on (defined with the rest in ``QueueChannel``).
public enum NotifyChannel {
    /// Announces new `queue.events` rows by id.
    public static let events = QueueChannel.events
}
