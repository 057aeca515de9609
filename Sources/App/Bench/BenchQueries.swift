import PostgresNIO

/// The benchmark's own statements (setup, baselines and cleanup); the jobs themselves go through the
/// same SQL API and worker as production.
enum BenchQueries {
    /// Adds `count` noop jobs to `queue` in one statement (the bulk enqueue of a burn-down).
    struct InsertNoops: PostgresPreparedStatement {
        static let sql = """
            WITH q AS (INSERT INTO queue.queues (name) VALUES ($1) ON CONFLICT DO NOTHING)
            INSERT INTO queue.jobs (kind, queue) SELECT 'noop', $1 FROM generate_series(1, $2::int)
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .int8]
        typealias Row = Void
        var queue: String
        var count: Int
        func makeBindings() -> PostgresBindings {
            var b = PostgresBindings()
            b.append(queue)
            b.append(count)
            return b
        }
        func decodeRow(_ row: PostgresRow) throws {}
    }

    /// Adds `count` completed noop jobs to `queue` (the history a production table carries).
    struct InsertCompleted: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO queue.jobs (kind, queue, state, attempt, progress, started_at, finished_at) \
            SELECT 'noop', $1, 'completed', 1, 100, now(), now() FROM generate_series(1, $2::int)
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .int8]
        typealias Row = Void
        var queue: String
        var count: Int
        func makeBindings() -> PostgresBindings { .values(queue, count) }
        func decodeRow(_ row: PostgresRow) throws {}
    }

    /// Refreshes the planner's statistics for the jobs table.
    static let analyzeJobs: PostgresQuery = "ANALYZE queue.jobs"

    /// Deletes a benchmark queue's jobs, events and settings.
    struct DropQueue: PostgresPreparedStatement {
        static let sql = """
            WITH gone AS (DELETE FROM queue.jobs WHERE queue = $1 RETURNING id)
            DELETE FROM queue.queues WHERE name = $1 AND (SELECT count(*) FROM gone) >= 0
            """
        static let bindingDataTypes: [PostgresDataType] = [.text]
        typealias Row = Void
        var queue: String
        func makeBindings() -> PostgresBindings {
            var b = PostgresBindings()
            b.append(queue)
            return b
        }
        func decodeRow(_ row: PostgresRow) throws {}
    }

    /// Baseline: a bare single-row insert of the same shape, with no function, index set or wake-up.
    struct BaselineInsert: PostgresPreparedStatement {
        static let sql = "INSERT INTO huddle_bench_baseline (kind, args) VALUES ('noop', '{}')"
        typealias Row = Void
        func makeBindings() -> PostgresBindings { PostgresBindings() }
        func decodeRow(_ row: PostgresRow) throws {}
    }

    /// Baseline: the same insert plus a NOTIFY per row, the naive wake-up Huddle avoids.
    struct BaselineInsertNotify: PostgresPreparedStatement {
        static let sql = """
            WITH i AS (INSERT INTO huddle_bench_baseline (kind, args) VALUES ('noop', '{}') RETURNING id)
            SELECT pg_notify('huddle_bench', 'default') FROM i
            """
        typealias Row = Void
        func makeBindings() -> PostgresBindings { PostgresBindings() }
        func decodeRow(_ row: PostgresRow) throws {}
    }

    /// `count` notifications in one statement: event i (from `offset`) goes to user `benchuser<i % users>`,
    /// its title the produce time in milliseconds (what `huddle bench ws` measures latency from).
    struct NotifyUsers: PostgresPreparedStatement {
        static let sql = """
            SELECT count(queue.notify_user('benchuser' || (($3::int + g - 1) % $2::int), 'bench', $4::text, '')) \
            FROM generate_series(1, $1::int) AS g
            """
        static let bindingDataTypes: [PostgresDataType] = [.int8, .int8, .int8, .text]
        typealias Row = Void
        var count: Int
        var users: Int
        var offset: Int
        var stamp: Double
        func makeBindings() -> PostgresBindings { .values(count, users, offset, String(format: "%.3f", stamp)) }
        func decodeRow(_ row: PostgresRow) throws {}
    }

    /// `count` notifications of `bytes` bytes each to one user (the WebSocket bench's stalled client).
    struct FloodUser: PostgresPreparedStatement {
        static let sql = "SELECT count(queue.notify_user($2::text, 'bench', 'flood', repeat('x', $3::int))) FROM generate_series(1, $1::int)"
        static let bindingDataTypes: [PostgresDataType] = [.int8, .text, .int8]
        typealias Row = Void
        var count: Int
        var user: String
        var bytes: Int
        func makeBindings() -> PostgresBindings { .values(count, user, bytes) }
        func decodeRow(_ row: PostgresRow) throws {}
    }

    static let createBaseline: PostgresQuery = """
        CREATE TABLE IF NOT EXISTS huddle_bench_baseline (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind text NOT NULL, args jsonb NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now())
        """
    static let dropBaseline: PostgresQuery = "DROP TABLE IF EXISTS huddle_bench_baseline"
}
