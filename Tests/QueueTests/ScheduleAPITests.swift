import Foundation
import PostgresNIO
import Testing
import TestSupport
@testable import Queue

/// The schedule API for operators (psql helpers) and Swift callers: the same bad input is refused by both
/// with a clear message, and the helpers do what their names say.
@Suite("Schedule API")
struct ScheduleAPITests {
    private func sqlError(_ db: TestDatabase, _ query: PostgresQuery) async throws -> String? {
        do {
            try await db.exec(query)
            return nil
        } catch {
            guard case let .invalidArgument(message, _) = QueueError.classify(error) as? QueueError else { throw error }
            return message
        }
    }

    private func swiftError(_ db: TestDatabase, _ definition: ScheduleDefinition, kinds: Set<String>? = nil) async throws -> String? {
        do {
            _ = try await db.client.upsertSchedule(definition, knownKinds: kinds)
            return nil
        } catch let QueueError.invalidArgument(message, _) {
            return message
        }
    }

    @Test func badSchedulesAreRefusedThroughPsqlAndSwiftAlike() async throws {
        try await TestDatabase.with { db async throws in
            let cron = "minute 61 is out of range 0-59 in \"61 * * * *\""
            #expect(try await sqlError(db, "SELECT queue.upsert_schedule('x', 'noop', cron => '61 * * * *')") == cron)
            #expect(try await swiftError(db, ScheduleDefinition(name: "x", kind: "noop", cadence: .cron("61 * * * *", timezone: "UTC"))) == cron)

            let zone = "unknown time zone \"Mars/Base\""
            #expect(try await sqlError(db, "SELECT queue.upsert_schedule('x', 'noop', cron => '* * * * *', timezone => 'Mars/Base')")?
                .hasPrefix(zone) == true)
            #expect(try await swiftError(db, ScheduleDefinition(name: "x", kind: "noop", cadence: .cron("* * * * *", timezone: "Mars/Base")))?
                .hasPrefix(zone) == true)

            #expect(try await sqlError(db, "SELECT queue.upsert_schedule('x', 'noop')") ==
                    "give exactly one of every (an interval) or cron (5 fields)")
            #expect(try await sqlError(db, "SELECT queue.upsert_schedule('x', 'noop', every => '1 minute', catch_up => 'some')") ==
                    "catch_up must be skip or all, got some")
            #expect(try await swiftError(db, ScheduleDefinition(name: "x", kind: "noop", cadence: .every(.zero))) ==
                    "every must be a positive interval")
            #expect(try await swiftError(db, ScheduleDefinition(name: "x", kind: "mystery", cadence: .every(.seconds(60))),
                                         kinds: ["noop"]) == "unknown kind \"mystery\"")
            // A plain INSERT is held to the table's constraints.
            #expect(try await sqlError(db, "INSERT INTO queue.schedules (name, kind, every, cron) VALUES ('x', 'noop', '1 hour', '* * * * *')")?
                .contains("schedules_every_xor_cron") == true)
            #expect(try await db.client.schedules().isEmpty, "nothing was stored")
        }
    }

    @Test func upsertEnableDisableRunNowAndDelete() async throws {
        try await TestDatabase.with { db async throws in
            let hourly = try await db.client.upsertSchedule(ScheduleDefinition(
                name: "hourly", kind: "noop", cadence: .every(.seconds(3600)), argsJSON: #"{"n": 1}"#, queue: "reports"))
            #expect(hourly.every == "01:00:00")
            let next = try #require(hourly.nextRunAt)
            #expect(Int(next.timeIntervalSince1970) % 3600 == 0, "interval ticks are aligned: on the hour")

            let berlin = try await db.client.upsertSchedule(ScheduleDefinition(
                name: "weekdays", kind: "noop", cadence: .cron("0 9 * * MON-FRI", timezone: "Europe/Berlin"), catchUp: .all))
            #expect(berlin.nextRunAt == nil, "a cron schedule's next run is worked out by a scheduler")
            #expect(berlin.catchUp == "all")

            // Replacing changes the definition in place.
            let replaced = try await db.client.upsertSchedule(ScheduleDefinition(
                name: "hourly", kind: "noop", cadence: .every(.seconds(1800)), queue: "reports"))
            #expect(replaced.every == "00:30:00")
            #expect(try await db.client.schedules().map(\.name) == ["hourly", "weekdays"])

            #expect(try await db.client.disableSchedule(named: "hourly") == true)
            #expect(try await db.client.disableSchedule(named: "hourly") == false)
            #expect(try await db.client.enableSchedule(named: "hourly") == true)
            #expect(try await db.client.schedule(named: "hourly")?.nextRunAt != nil, "re-enabled: next run from now")

            let job = try await db.client.runScheduleNow(named: "hourly")
            let made = try #require(try await db.client.job(id: job))
            #expect(made.scheduleName == "hourly")
            #expect(made.queue == "reports")
            #expect(made.uniqueKey?.hasPrefix("schedule:hourly:") == true)
            #expect(try await db.client.schedule(named: "hourly")?.lastJobID == job)
            let status = try await db.scalar("SELECT format('%s|%s|%s', cadence, last_job_state, lag) FROM queue.schedule_status WHERE name = 'hourly'", as: String.self)
            #expect(status == "every 00:30:00|available|00:00:00")

            do {
                _ = try await db.client.enableSchedule(named: "nope")
                Issue.record("an unknown schedule must be refused")
            } catch let QueueError.notFound(message) {
                #expect(message == "schedule 'nope' does not exist")
            }
            #expect(try await db.client.deleteSchedule(named: "weekdays") == true)
            #expect(try await db.client.deleteSchedule(named: "weekdays") == false)
        }
    }
}
