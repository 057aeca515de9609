import Foundation
import Logging

/// How a worker runs. Every field has a default suited to production; `huddle work` sets them from flags.
public struct WorkerConfiguration: Sendable {
    /// The worker's name in `queue.jobs.worker` (default `host/pid/random`), unique per process.
    public var name: String
    /// The queues to take jobs from (default `["default"]`), served round-robin.
    public var queues: [String]
    /// How many handlers run at once (default 10).
    public var concurrency: Int
    /// How long a claim holds a job before the rescuer may take it back (default 30 s); heartbeats extend
    /// it every lease/3 while the handler runs.
    public var lease: Duration
    /// How often an idle worker looks for work without being woken (default 1 s): the fallback for lost
    /// notifications and for jobs whose `run_at` comes due.
    public var pollInterval: Duration
    /// How long running jobs get to finish on shutdown before they are returned to `available` (default 25 s).
    public var shutdownGrace: Duration
    /// How often this worker rescues jobs with expired leases, its own or dead peers' (default 15 s; nil: never).
    public var rescueInterval: Duration?
    /// The most outcomes written in one statement (default 1000).
    public var maxBatch: Int
    /// How long a small batch of outcomes waits for more before it is written (default 1 ms; nil: write at
    /// once). One commit then covers several jobs, saving disk flushes under steady load.
    public var writeCoalescing: Duration?
    /// The longest pause between two claims while jobs stream in (default 5 ms; nil: never pause). After a
    /// claim that took several jobs but emptied the queue, the worker waits as long as that claim took (never
    /// longer than this) before claiming again, so a fast stream is claimed in batches instead of a statement
    /// per job or two. A claim that took one job, or filled every free slot, is followed at once.
    public var claimPacingLimit: Duration?
    /// The default ``claimPacingLimit``: 5 ms.
    public static let defaultClaimPacingLimit: Duration = .milliseconds(5)
    /// Test hook: called on notable events (claims, finishes, listener connects). Default none.
    public var observer: (@Sendable (WorkerEvent) -> Void)?

    /// Creates a configuration; see each property for its default.
    public init(name: String = WorkerConfiguration.defaultName(), queues: [String] = ["default"], concurrency: Int = 10,
                lease: Duration = .seconds(30), pollInterval: Duration = .seconds(1), shutdownGrace: Duration = .seconds(25),
                rescueInterval: Duration? = .seconds(15), maxBatch: Int = 1000,
                writeCoalescing: Duration? = .milliseconds(1), claimPacingLimit: Duration? = WorkerConfiguration.defaultClaimPacingLimit,
                observer: (@Sendable (WorkerEvent) -> Void)? = nil) {
        self.name = name
        self.queues = queues
        self.concurrency = max(1, concurrency)
        self.lease = max(lease, .seconds(1))
        self.pollInterval = pollInterval
        self.shutdownGrace = shutdownGrace
        self.rescueInterval = rescueInterval
        self.maxBatch = max(1, maxBatch)
        self.writeCoalescing = writeCoalescing
        self.claimPacingLimit = claimPacingLimit
        self.observer = observer
    }

    /// `hostname/pid/xxxx`: tells operators where a running job is, and differs between restarts.
    public static func defaultName() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        let suffix = String(UInt16.random(in: .min ... .max), radix: 16)
        return "\(host)/\(ProcessInfo.processInfo.processIdentifier)/\(suffix)"
    }
}

/// Something a worker did, reported to ``WorkerConfiguration/observer`` (tests wait on these instead of
/// sleeping).
public enum WorkerEvent: Sendable, Equatable {
    /// LISTEN is (re-)established.
    case listenerConnected
    /// Jobs were claimed.
    case claimed([Int64])
    /// A job's outcome was written: `state` is where it went (`completed`, `available`, `discarded`).
    case finished(id: Int64, state: String)
    /// A job's outcome was dropped because this attempt no longer held it (cancelled or rescued).
    case dropped(id: Int64)
    /// Shutdown began: nothing more will be claimed.
    case stopping
    /// Jobs were returned to `available` at shutdown.
    case released([Int64])
    /// The rescuer took back jobs with expired leases.
    case rescued([Int64])
}
