import Foundation

/// The state of a job (`queue.job_state`); see docs/state-machine.md.
public enum JobState: String, Sendable, Codable, CaseIterable {
    /// Waiting to run, possibly until a future `run_at`.
    case available
    /// Claimed by a worker that holds its lease.
    case running
    /// Finished successfully.
    case completed
    /// Attempts exhausted or failed permanently.
    case discarded
    /// Cancelled by a user or operator.
    case cancelled

    /// The web client's word for the state: pending, in_progress, completed, failed or cancelled.
    public var taskStatus: String {
        switch self {
        case .available: "pending"
        case .running: "in_progress"
        case .completed: "completed"
        case .discarded: "failed"
        case .cancelled: "cancelled"
        }
    }
}

/// A job row as the API returns it. JSON columns are kept as JSON text so nothing is lost in transit.
public struct Job: Sendable, Equatable {
    /// The job's id.
    public var id: Int64
    /// Its current state.
    public var state: JobState
    /// The handler kind, e.g. `sit_start`.
    public var kind: String
    /// The queue it runs on.
    public var queue: String
    /// Lower runs first.
    public var priority: Int
    /// Attempts started so far.
    public var attempt: Int
    /// The attempt budget.
    public var maxAttempts: Int
    /// When it may run.
    public var runAt: Date
    /// Percent done, 0…100.
    public var progress: Int
    /// What the handler is doing now.
    public var currentStep: String?
    /// The owning user, nil for system jobs.
    public var userID: String?
    /// The arguments, as JSON text.
    public var args: String
    /// The result, as JSON text, once completed.
    public var result: String?
    /// One `{attempt, error, at}` per failed attempt, as JSON text.
    public var errors: String
    /// The unique key, if any.
    public var uniqueKey: String?
    /// The worker holding it while running.
    public var worker: String?
    /// When its lease expires while running.
    public var leaseExpiresAt: Date?
    /// The schedule that made it, if any.
    public var scheduleName: String?
    /// When it was enqueued.
    public var createdAt: Date
    /// When its latest attempt started.
    public var startedAt: Date?
    /// When it reached a final state.
    public var finishedAt: Date?
}
