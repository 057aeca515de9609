import Foundation
import PostgresNIO
import Testing
import TestSupport
@testable import Queue

/// Schedulers against a real PostgreSQL: several at once racing for the same ticks, edits made with SQL
/// while they run, outages, and rows an operator got wrong. Tests wait on the schedulers' events.
@Suite("Scheduler")
struct SchedulerTests {
    typealias Log = EventLog<SchedulerEvent>

    /// Every job the schedulers report having made for `schedule`.
    static func jobs(_ events: [SchedulerEvent], _ schedule: String) -> [Int64] {
        events.flatMap { event -> [Int64] in
            if case let .fired(name, jobs) = event, name == schedule { return jobs }
            return []
        }
    }

    static func skipped(_ events: [SchedulerEvent]) -> [String] {
        events.compactMap { if case let .skipped(name, _) = $0 { name } else { nil } }
    }

    /// The ticks of `schedule`'s jobs, from their unique keys, oldest first, as seconds since 1970.
    private func ticks(_ db: TestDatabase, _ schedule: String) async throws -> [Int64] {
        try await db.column("""
            SELECT extract(epoch FROM substring(unique_key FROM length(\(schedule)) + 11)::timestamptz)::bigint
              FROM queue.jobs WHERE schedule_name = \(schedule) ORDER BY 1
            """, as: Int64.self)
    }

    @Test func threeSchedulersFireEachTickOfAOneSecondScheduleExactlyOnce() async throws {
        try await TestDatabase.with { db async throws in
            // catch_up 'all', so that a scheduler delayed by a busy CI machine still fires every tick, late.
            try await db.exec("INSERT INTO queue.schedules (name, kind, every, catch_up) VALUES ('tick', 'noop', '1 second', 'all')")
            let log = Log()
            let schedulers = (0..<3).map { i in db.scheduler(SchedulerConfiguration(name: "s\(i)", observer: { log.record($0) })) }
            try await db.withServices(schedulers) { _ async throws in
                try await log.wait(for: "ten ticks") { Self.jobs($0, "tick").count >= 10 }
            }
            let ticks = try await ticks(db, "tick")
            #expect(ticks.count >= 10)
            #expect(Set(ticks).count == ticks.count, "no tick fired twice")
            #expect(ticks.last! - ticks.first! == Int64(ticks.count - 1), "one job per second, none missed: \(ticks)")
            let ids = try await db.column("SELECT id FROM queue.jobs WHERE schedule_name = 'tick' ORDER BY id", as: Int64.self)
            #expect(Self.jobs(log.all, "tick").sorted() == ids, "each job was reported by exactly one scheduler")
            let lastJob = try await db.scalar("SELECT last_job_id FROM queue.schedules WHERE name = 'tick'", as: Int64.self)
            #expect(lastJob == ids.last)
        }
    }

    @Test func editsMadeWithSQLTakeEffectWithoutARestart() async throws {
        try await TestDatabase.with { db async throws in
            try await db.exec("INSERT INTO queue.schedules (name, kind, every) VALUES ('a', 'noop', '1 hour')")
            let log = Log()
            // A long maxSleep: only the edits' notifications can wake it in time for these waits.
            let scheduler = db.scheduler(SchedulerConfiguration(maxSleep: .seconds(120), observer: { log.record($0) }))
            try await db.withServices([scheduler]) { _ async throws in
                try await log.wait(for: "the first pass") { $0.contains(.pass) }

                try await db.exec("UPDATE queue.schedules SET every = '1 second' WHERE name = 'a'")
                try await log.wait(for: "a to fire at its new interval", timeout: .seconds(30)) { !Self.jobs($0, "a").isEmpty }

                try await db.exec("INSERT INTO queue.schedules (name, kind, every) VALUES ('b', 'noop', '1 second')")
                try await log.wait(for: "the new row b to fire", timeout: .seconds(30)) { !Self.jobs($0, "b").isEmpty }

                try await db.exec("UPDATE queue.schedules SET enabled = false WHERE name = 'a'")
                let aJobs = try await db.scalar("SELECT count(*)::int FROM queue.jobs WHERE schedule_name = 'a'", as: Int.self)
                let bFired = Self.jobs(log.all, "b").count
                try await log.wait(for: "b to fire twice more", timeout: .seconds(30)) { Self.jobs($0, "b").count >= bFired + 2 }
                let aJobsAfter = try await db.scalar("SELECT count(*)::int FROM queue.jobs WHERE schedule_name = 'a'", as: Int.self)
                #expect(aJobsAfter == aJobs, "a disabled schedule fires nothing")
            }
        }
    }

    @Test func catchUpSkipFiresOnceAndAllFiresEachMissedTickUpToTheCap() async throws {
        try await TestDatabase.with { db async throws in
            // As if no scheduler had run for ten and a half minutes (interval) or three days (a daily cron, so
            // that no new tick comes due while the test runs unless it straddles midnight UTC).
            try await db.exec("""
                INSERT INTO queue.schedules (name, kind, every, cron, catch_up, next_run_at) VALUES
                  ('i_skip', 'noop', '1 minute', NULL, 'skip', now() - interval '10 minutes 30 seconds'),
                  ('i_all',  'noop', '1 minute', NULL, 'all',  now() - interval '10 minutes 30 seconds'),
                  ('c_skip', 'noop', NULL, '0 0 * * *', 'skip', date_trunc('day', now()) - interval '3 days'),
                  ('c_all',  'noop', NULL, '0 0 * * *', 'all',  date_trunc('day', now()) - interval '3 days')
                """)
            let log = Log()
            let scheduler = db.scheduler(SchedulerConfiguration(maxCatchUp: 8, observer: { log.record($0) }))
            try await db.withServices([scheduler]) { _ async throws in
                try await log.wait(for: "all four to fire") { events in
                    ["i_skip", "i_all", "c_skip", "c_all"].allSatisfy { !Self.jobs(events, $0).isEmpty }
                }
            }
            let (iSkip, iAll, cSkip, cAll) = (try await ticks(db, "i_skip"), try await ticks(db, "i_all"),
                                              try await ticks(db, "c_skip"), try await ticks(db, "c_all"))
            #expect(iSkip.count == 1, "skip: one run for all eleven missed ticks")
            #expect(iAll.count == 8, "all: every missed tick, capped at the latest 8 of 11")
            #expect(zip(iAll, iAll.dropFirst()).allSatisfy { $1 - $0 == 60 }, "consecutive minutes: \(iAll)")
            #expect(iSkip == [iAll.last!], "skip fires the latest missed tick")
            #expect(cSkip.count == 1)
            #expect(cAll.count == 4, "cron all: the four missed midnights, today's included")
            #expect(zip(cAll, cAll.dropFirst()).allSatisfy { $1 - $0 == 86_400 })
            #expect(cSkip == [cAll.last!])
            // Each schedule's next run is the tick after the last one fired: nothing is still owed.
            let next = try await db.column("""
                SELECT extract(epoch FROM next_run_at)::bigint FROM queue.schedules ORDER BY name
                """, as: Int64.self)
            #expect(next == [cAll.last! + 86_400, cSkip.last! + 86_400, iAll.last! + 60, iSkip.last! + 60])
        }
    }

    @Test func brokenRowsAreRecordedLoggedOnceAndSkippedWhileOthersKeepFiring() async throws {
        try await TestDatabase.with { db async throws in
            try await db.exec("""
                INSERT INTO queue.schedules (name, kind, every, cron, timezone) VALUES
                  ('good',      'noop',    '1 second', NULL,            'UTC'),
                  ('bad_cron',  'noop',    NULL,       'nope * * * *',  'UTC'),
                  ('bad_zone',  'noop',    NULL,       '* * * * *',     'Mars/Olympus_Mons'),
                  ('bad_kind',  'mystery', '1 second', NULL,            'UTC'),
                  ('never',     'noop',    NULL,       '0 0 31 2 *',    'UTC')
                """)
            let log = Log()
            // Short sleeps: many passes over the broken rows, which must still be reported only once.
            let scheduler = db.scheduler(SchedulerConfiguration(knownKinds: ["noop", "sleep"], maxSleep: .milliseconds(100),
                                                                observer: { log.record($0) }))
            try await db.withServices([scheduler]) { _ async throws in
                try await log.wait(for: "good to fire three times") { Self.jobs($0, "good").count >= 3 }
                #expect(Self.skipped(log.all).sorted() == ["bad_cron", "bad_kind", "bad_zone", "never"], "each reported once")

                try await db.exec("UPDATE queue.schedules SET cron = '*/5 * * * *' WHERE name = 'bad_cron'")
                try await log.wait(for: "the repaired row to start") { events in
                    events.contains { if case .started("bad_cron", _) = $0 { true } else { false } }
                }
            }
            let errors = try await db.column("""
                SELECT name || ': ' || coalesce(last_error, '-') FROM queue.schedules ORDER BY name
                """, as: String.self)
            #expect(errors == [
                "bad_cron: -",
                "bad_kind: unknown kind \"mystery\": no handler is registered for it (known: noop, sleep)",
                "bad_zone: unknown time zone \"Mars/Olympus_Mons\"; use an IANA name such as Europe/Berlin or UTC",
                "good: -",
                "never: cron \"0 0 31 2 *\" never fires: no chosen month has the chosen day of month",
            ])
            let made = try await db.scalar("SELECT count(*)::int FROM queue.jobs WHERE schedule_name <> 'good'", as: Int.self)
            #expect(made == 0, "broken rows made no jobs")
        }
    }
}
