import Foundation
import Metrics
import Synchronization

/// How a scheduler runs. Every field has a default suited to production; `huddle schedule` sets them from flags.
public struct SchedulerConfiguration: Sendable {
    /// The scheduler's name in `queue.schedulers` (default `host/pid/random`).
    public var name: String
    /// The kinds some worker can run; a schedule of any other kind is skipped with `last_error` set.
    /// Default nil: any kind is accepted.
    public var knownKinds: Set<String>?
    /// The longest it sleeps without a notification (default 5 s): the bound on how late it notices an edit
    /// whose NOTIFY was lost, and how often it re-checks rows it skipped as broken.
    public var maxSleep: Duration
    /// Under `catch_up = 'all'`, the most missed ticks one fire enqueues (default 100: the latest ones).
    public var maxCatchUp: Int
    /// How many due schedules one pass reads (default 100; a full pass is followed by another at once).
    public var batchSize: Int
    /// Test hook: called on notable events. Default none.
    public var observer: (@Sendable (SchedulerEvent) -> Void)?

    /// Creates a configuration; see each property for its default.
    public init(name: String = WorkerConfiguration.defaultName(), knownKinds: Set<String>? = nil,
                maxSleep: Duration = .seconds(5), maxCatchUp: Int = 100, batchSize: Int = 100,
                observer: (@Sendable (SchedulerEvent) -> Void)? = nil) {
        self.name = name
        self.knownKinds = knownKinds
        self.maxSleep = max(maxSleep, .milliseconds(10))
        self.maxCatchUp = max(1, maxCatchUp)
        self.batchSize = max(1, batchSize)
        self.observer = observer
    }
}

/// Something a scheduler did, reported to ``SchedulerConfiguration/observer`` (tests wait on these).
public enum SchedulerEvent: Sendable, Equatable {
    /// LISTEN on `huddle_schedules` is (re-)established.
    case listenerConnected
    /// A cron schedule got its first next run.
    case started(schedule: String, next: Date)
    /// This scheduler fired a schedule's due ticks, making these jobs (empty when they already existed).
    case fired(schedule: String, jobs: [Int64])
    /// A schedule is broken and skipped; reported once per distinct error (as it is logged).
    case skipped(schedule: String, error: String)
    /// A pass over the due schedules ended.
    case pass
}

/// What the scheduler and the maintenance services of one `huddle schedule` process have done since it
/// started: written to `queue.schedulers` by the heartbeat and counted in the process's metrics.
public final class MaintenanceTotals: Sendable {
    /// The totals at one moment.
    public struct Snapshot: Sendable, Equatable {
        /// Ticks fired, one job each (under `catch_up = skip` a burst of missed ticks counts once).
        public var ticksFired = 0
        /// Running jobs whose expired lease the rescuer took back.
        public var jobsRescued = 0
        /// Finished jobs the pruner deleted.
        public var jobsPruned = 0
        /// Events the pruner deleted.
        public var eventsPruned = 0
    }

    private let state = Mutex(Snapshot())
    private let ticksFired = Counter(label: "huddle_schedule_ticks_fired_total")
    private let jobsRescued = Counter(label: "huddle_rescued_jobs_total")
    private let jobsPruned = Counter(label: "huddle_pruned_jobs_total")
    private let eventsPruned = Counter(label: "huddle_pruned_events_total")

    /// Creates zeroed totals.
    public init() {}

    /// The totals now.
    public var snapshot: Snapshot { state.withLock { $0 } }

    func fired(_ n: Int) {
        state.withLock { $0.ticksFired += n }
        ticksFired.increment(by: n)
    }

    func rescued(_ n: Int) {
        state.withLock { $0.jobsRescued += n }
        jobsRescued.increment(by: n)
    }

    func pruned(jobs: Int, events: Int) {
        state.withLock {
            $0.jobsPruned += jobs
            $0.eventsPruned += events
        }
        jobsPruned.increment(by: jobs)
        eventsPruned.increment(by: events)
    }
}
