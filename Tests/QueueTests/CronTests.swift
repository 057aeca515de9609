import Foundation
import Testing
@testable import Queue

/// Cron parsing and next-time computation: pure, no database. Expected instants are worked out by hand
/// from the 2026 transition dates (Berlin: 29 March and 25 October at 01:00 UTC; New York: 8 March at
/// 07:00 UTC and 1 November at 06:00 UTC).
@Suite("Cron")
struct CronTests {
    private func at(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }
    private func zone(_ id: String) -> TimeZone { TimeZone(identifier: id)! }

    /// The next `count` firing times after `start`, as UTC ISO-8601 strings.
    private func fires(_ cron: String, after start: String, in zone: String = "UTC", count: Int = 3) throws -> [String] {
        let expression = try CronExpression(parsing: cron)
        var date = at(start)
        var out: [String] = []
        for _ in 0..<count {
            guard let next = expression.next(after: date, in: self.zone(zone)) else { break }
            out.append(next.formatted(.iso8601))
            date = next
        }
        return out
    }

    @Test func fieldsRangesStepsListsAndNames() throws {
        #expect(try fires("*/15 * * * *", after: "2026-11-28T10:07:00Z") ==
                ["2026-11-28T10:15:00Z", "2026-11-28T10:30:00Z", "2026-11-28T10:45:00Z"])
        #expect(try fires("5/20 9-10 * * *", after: "2026-11-28T09:30:00Z", count: 4) ==
                ["2026-11-28T09:45:00Z", "2026-11-28T10:05:00Z", "2026-11-28T10:25:00Z", "2026-11-28T10:45:00Z"])
        #expect(try fires("0 9 * jan-mar MON-fri", after: "2026-11-28T00:00:00Z", count: 2) ==
                ["2027-01-01T09:00:00Z", "2027-01-04T09:00:00Z"], "1 Jan 2027 is a Friday, 4 Jan the Monday after")
        #expect(try fires("0 0 * * 7", after: "2026-11-28T00:00:00Z", count: 1) == ["2026-11-29T00:00:00Z"], "7 is Sunday")
        #expect(try fires("0 0 * * 0", after: "2026-11-28T00:00:00Z", count: 1) == ["2026-11-29T00:00:00Z"], "so is 0")
        #expect(try fires("0 12 1,15 * *", after: "2026-11-28T00:00:00Z", count: 3) ==
                ["2026-12-01T12:00:00Z", "2026-12-15T12:00:00Z", "2027-01-01T12:00:00Z"])
        #expect(try fires("* * * * *", after: "2026-11-28T10:07:30Z", count: 2) ==
                ["2026-11-28T10:08:00Z", "2026-11-28T10:09:00Z"], "strictly after, on whole minutes")
    }

    @Test func macros() throws {
        #expect(try fires("@hourly", after: "2026-11-28T10:07:00Z", count: 1) == ["2026-11-28T11:00:00Z"])
        #expect(try fires("@daily", after: "2026-11-28T10:07:00Z", count: 1) == ["2026-11-29T00:00:00Z"])
        #expect(try fires("@midnight", after: "2026-11-28T10:07:00Z", count: 1) == ["2026-11-29T00:00:00Z"])
        #expect(try fires("@weekly", after: "2026-11-28T10:07:00Z", count: 1) == ["2026-11-29T00:00:00Z"])
        #expect(try fires("@monthly", after: "2026-11-28T10:07:00Z", count: 1) == ["2026-12-01T00:00:00Z"])
        #expect(try fires("@yearly", after: "2026-11-28T10:07:00Z", count: 1) == ["2027-01-01T00:00:00Z"])
        #expect(try fires("@annually", after: "2026-11-28T10:07:00Z", count: 1) == ["2027-01-01T00:00:00Z"])
    }

    @Test func dayOfMonthOrDayOfWeekWhenBothAreRestricted() throws {
        // The 1st or any Monday: Sunday 1 Nov, then Mondays 2 and 9 Nov.
        #expect(try fires("0 0 1 * mon", after: "2026-10-31T12:00:00Z") ==
                ["2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z", "2026-11-09T00:00:00Z"])
        // A field starting with * is not a restriction for the OR rule: odd days that are also Mondays.
        #expect(try fires("0 0 */2 * 1", after: "2026-11-01T00:00:00Z", count: 2) ==
                ["2026-11-09T00:00:00Z", "2026-11-23T00:00:00Z"])
        // Day of month alone.
        #expect(try fires("0 0 13 * *", after: "2026-11-01T00:00:00Z", count: 2) ==
                ["2026-11-13T00:00:00Z", "2026-12-13T00:00:00Z"])
        // 29 February waits for the leap year.
        #expect(try fires("0 0 29 2 *", after: "2026-11-28T00:00:00Z", count: 1) == ["2028-02-29T00:00:00Z"])
    }

    @Test func berlinSpringForwardFiresASkippedTimeOnceAtTheJump() throws {
        // 02:30 does not exist on 29 March: it fires at 03:00 CEST (01:00 UTC), then 02:30 CEST the next day.
        #expect(try fires("30 2 * * *", after: "2026-03-28T12:00:00Z", in: "Europe/Berlin") ==
                ["2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z"])
        // Every 20 minutes: 02:00, 02:20 and 02:40 are all skipped; they fire once, together, at the jump.
        #expect(try fires("*/20 * * * *", after: "2026-03-29T00:30:00Z", in: "Europe/Berlin", count: 4) ==
                ["2026-03-29T00:40:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:20:00Z", "2026-03-29T01:40:00Z"])
    }

    @Test func berlinFallBackFiresARepeatedTimeOnce() throws {
        // 02:30 happens twice on 25 October (00:30 and 01:30 UTC): it fires at the first only.
        #expect(try fires("30 2 * * *", after: "2026-10-24T12:00:00Z", in: "Europe/Berlin") ==
                ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z", "2026-10-27T01:30:00Z"])
        // Asked during the second 02:xx hour, it does not fire again that day.
        #expect(try fires("30 2 * * *", after: "2026-10-25T01:10:00Z", in: "Europe/Berlin", count: 1) ==
                ["2026-10-26T01:30:00Z"])
    }

    @Test func newYorkTransitions() throws {
        // 8 March 02:15 EST does not exist: fires at 03:00 EDT (07:00 UTC).
        #expect(try fires("15 2 * * *", after: "2026-03-07T12:00:00Z", in: "America/New_York") ==
                ["2026-03-08T07:00:00Z", "2026-03-09T06:15:00Z", "2026-03-10T06:15:00Z"])
        // 1 November 01:30 happens at 05:30 UTC (EDT) and again at 06:30 UTC (EST): fires once.
        #expect(try fires("30 1 * * *", after: "2026-10-31T12:00:00Z", in: "America/New_York") ==
                ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z", "2026-11-03T06:30:00Z"])
        // A daily 09:00 keeps its wall-clock time across the change.
        #expect(try fires("0 9 * * *", after: "2026-10-31T00:00:00Z", in: "America/New_York", count: 2) ==
                ["2026-10-31T13:00:00Z", "2026-11-01T14:00:00Z"])
    }

    @Test func badExpressionsAreRefusedWithTheReason() {
        func error(_ text: String) -> String? {
            do { _ = try CronExpression(parsing: text); return nil } catch { return error.message }
        }
        #expect(error("61 * * * *") == "minute 61 is out of range 0-59 in \"61 * * * *\"")
        #expect(error("* * *") == "cron \"* * *\" has 3 fields; expected 5: minute hour day-of-month month day-of-week")
        #expect(error("0 0 31 2 *") == "cron \"0 0 31 2 *\" never fires: no chosen month has the chosen day of month")
        #expect(error("@reboot")?.hasPrefix("unknown cron macro \"@reboot\"") == true)
        #expect(error("5-1 * * * *") == "minute range \"5-1\" runs backwards in \"5-1 * * * *\"")
        #expect(error("*/0 * * * *") == "minute step \"0\" must be a positive number in \"*/0 * * * *\"")
        #expect(error("0 0 * FOO *")?.hasPrefix("month \"FOO\" is not a number or a name (JAN…DEC)") == true)
        #expect(error("0 24 * * *") == "hour 24 is out of range 0-23 in \"0 24 * * *\"")
        #expect(error("0 0 0 * *") == "day-of-month 0 is out of range 1-31 in \"0 0 0 * *\"")
        #expect(error("0 0 * * 8") == "day-of-week 8 is out of range 0-7 in \"0 0 * * 8\"")
        #expect(error("1,,2 * * * *") == "minute field \"1,,2\" has an empty list item in \"1,,2 * * * *\"")
        #expect(error("") != nil)
        #expect(error(" 0  0 * * * ") == nil, "surrounding and repeated spaces are fine")
    }
}
