import Foundation
import PostgresNIO
import Testing
import TestSupport
@testable import Queue

/// `huddle schedule` as a real process: it fires a schedule created with SQL, reports a broken one, shows
/// its heartbeat in psql, and SIGTERM stops it cleanly with exit status 0.
@Suite("huddle schedule")
struct ScheduleCommandTests {
    @Test func firesSchedulesHeartbeatsAndStopsCleanlyOnSigterm() async throws {
        try await TestDatabase.with { db async throws in
            try await db.exec("""
                INSERT INTO queue.schedules (name, kind, every) VALUES ('pulse', 'noop', '1 second'), ('odd', 'no_such_kind', '1 second')
                """)
            let scheduler = try HuddleProcess(db, ["schedule", "--heartbeat", "0.2"])

            // Wait for the outcome a psql user would look for: jobs made by the schedule, the broken row
            // explained, the scheduler alive. (Polled: these are rows, not events.)
            try await eventually("two pulse jobs, odd explained, a live scheduler") {
                try await db.scalar("""
                    SELECT (SELECT count(*) FROM queue.jobs WHERE schedule_name = 'pulse') >= 2
                       AND (SELECT last_error FROM queue.schedules WHERE name = 'odd') LIKE 'unknown kind "no_such_kind"%'
                       AND EXISTS (SELECT 1 FROM queue.scheduler_status WHERE alive)
                    """, as: Bool.self)
            }
            scheduler.process.terminate()
            #expect(await scheduler.exitStatus() == 0, "a graceful shutdown exits 0")
            let stopped = try await db.scalar("SELECT bool_and(stopped_at IS NOT NULL AND NOT alive) FROM queue.scheduler_status", as: Bool.self)
            #expect(stopped, "the clean stop is recorded")
            #expect(try await db.scalar("SELECT count(*)::int FROM queue.jobs WHERE schedule_name = 'odd'", as: Int.self) == 0)
        }
    }
}
