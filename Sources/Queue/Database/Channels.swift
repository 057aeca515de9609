/// The LISTEN/NOTIFY channels Huddle uses. Payloads carry names or ids only, never business data, so the
/// 8000-byte NOTIFY limit can never fail a business transaction.
public enum QueueChannel {
    /// Announces new `queue.events` rows; the payload is the newest event id of the notifying statement.
    public static let events = "huddle_events"
    /// Wakes idle workers; the payload is the name of a queue with due work.
    public static let jobs = "huddle_jobs"
    /// Tells the worker holding a running job that it was cancelled; the payload is the job id.
    public static let cancel = "huddle_cancel"
    /// Tells schedulers a schedule was created, edited or deleted; the payload is empty.
    public static let schedules = "huddle_schedules"
}
