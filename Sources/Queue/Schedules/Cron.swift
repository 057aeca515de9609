import Foundation

/// Why a cron expression was refused, in words an operator can act on.
public struct CronError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The explanation, e.g. `minute 61 is out of range 0-59 in "61 * * * *"`.
    public var message: String
    /// Wraps `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// A 5-field cron expression (`minute hour day-of-month month day-of-week`) and the times it fires in a
/// time zone. Pure computation, no I/O, so the scheduler and every validating API agree on what it means.
///
/// Fields take `*`, numbers, ranges `a-b`, steps `*/n`, `a-b/n` and `a/n` (from a to the field's end), and
/// comma lists; months take `JAN`–`DEC` and days of week `SUN`–`SAT` (0 and 7 are both Sunday).
/// `@yearly` (`@annually`), `@monthly`, `@weekly`, `@daily` (`@midnight`) and `@hourly` stand for their
/// usual expressions. When both day-of-month and day-of-week are restricted (neither starts with `*`), a
/// day matches if either matches — the classic cron rule.
///
/// Daylight-saving time: a local time that does not exist (the hour skipped in spring) fires once, at the
/// instant the clocks jump; a local time that occurs twice (the hour repeated in autumn) fires once, at its
/// first occurrence.
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    /// The expression as written.
    public let source: String
    private let minutes: UInt64      // bits 0...59
    private let hours: UInt64        // bits 0...23
    private let daysOfMonth: UInt64  // bits 1...31
    private let months: UInt64       // bits 1...12
    private let daysOfWeek: UInt64   // bits 0...6, Sunday = 0
    private let dayOfMonthRestricted: Bool
    private let dayOfWeekRestricted: Bool

    /// The expression as written.
    public var description: String { source }

    private static let macros: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    private static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    private static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    /// Parses `text`, throwing a ``CronError`` that names the offending field and value.
    public init(parsing text: String) throws(CronError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        source = trimmed
        var expanded = trimmed
        if trimmed.hasPrefix("@") {
            guard let macro = Self.macros[trimmed.lowercased()] else {
                throw CronError("unknown cron macro \"\(trimmed)\"; use @yearly, @monthly, @weekly, @daily or @hourly")
            }
            expanded = macro
        }
        let fields = expanded.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 else {
            throw CronError("cron \"\(trimmed)\" has \(fields.count) fields; expected 5: minute hour day-of-month month day-of-week")
        }
        func parse(_ index: Int, _ name: String, _ range: ClosedRange<Int>, names: [String] = [],
                   nameBase: Int = 0) throws(CronError) -> UInt64 {
            do {
                return try Self.parseField(fields[index], name: name, range: range, names: names, nameBase: nameBase)
            } catch {
                throw CronError("\(error.message) in \"\(trimmed)\"")
            }
        }
        minutes = try parse(0, "minute", 0...59)
        hours = try parse(1, "hour", 0...23)
        daysOfMonth = try parse(2, "day-of-month", 1...31)
        months = try parse(3, "month", 1...12, names: Self.monthNames, nameBase: 1)
        let weekdays = try parse(4, "day-of-week", 0...7, names: Self.dayNames)
        daysOfWeek = (weekdays | (weekdays >> 7)) & 0x7F  // 7 is Sunday too
        dayOfMonthRestricted = !fields[2].hasPrefix("*")
        dayOfWeekRestricted = !fields[4].hasPrefix("*")
        if dayOfMonthRestricted && !dayOfWeekRestricted && !Self.anyDayExists(daysOfMonth, in: months) {
            throw CronError("cron \"\(trimmed)\" never fires: no chosen month has the chosen day of month")
        }
    }

    private static func anyDayExists(_ days: UInt64, in months: UInt64) -> Bool {
        let longest = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return (1...12).contains { month in
            months & (1 << month) != 0 && (1...longest[month]).contains { days & (1 << $0) != 0 }
        }
    }

    private static func parseField(_ field: String, name: String, range: ClosedRange<Int>, names: [String],
                                   nameBase: Int) throws(CronError) -> UInt64 {
        func value(_ token: Substring) throws(CronError) -> Int {
            if let number = Int(token) {
                guard range.contains(number) else {
                    throw CronError("\(name) \(number) is out of range \(range.lowerBound)-\(range.upperBound)")
                }
                return number
            }
            if let index = names.firstIndex(of: token.uppercased()) { return index + nameBase }
            throw CronError("\(name) \"\(token)\" is not a number" + (names.isEmpty ? "" : " or a name (\(names.first!)…\(names.last!))"))
        }
        var bits: UInt64 = 0
        for item in field.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw CronError("\(name) field \"\(field)\" has an empty list item") }
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw CronError("\(name) \"\(item)\" has more than one /") }
            var step = 1
            if parts.count == 2 {
                guard let n = Int(parts[1]), n > 0 else {
                    throw CronError("\(name) step \"\(parts[1])\" must be a positive number")
                }
                step = n
            }
            var low: Int, high: Int
            if parts[0] == "*" {
                (low, high) = (range.lowerBound, range.upperBound)
            } else {
                let bounds = parts[0].split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2, !bounds.contains(where: \.isEmpty) else {
                    throw CronError("\(name) \"\(parts[0])\" is not a value or a range a-b")
                }
                low = try value(bounds[0])
                high = bounds.count == 2 ? try value(bounds[1]) : (parts.count == 2 ? range.upperBound : low)
                guard low <= high else { throw CronError("\(name) range \"\(parts[0])\" runs backwards") }
            }
            for v in stride(from: low, through: high, by: step) { bits |= 1 << UInt64(v) }
        }
        return bits
    }

    // MARK: firing times

    /// The first firing time strictly after `date`, as it falls in `timeZone`; nil when none comes within
    /// ten years (only possible for expressions such as `0 0 29 2 *` far from a leap year).
    public func next(after date: Date, in timeZone: TimeZone) -> Date? {
        let after = Int64(date.timeIntervalSince1970.rounded(.down))
        let localStart = Self.floorDiv(after + Int64(timeZone.secondsFromGMT(for: date)), 60) * 60
        let firstDay = Self.floorDiv(localStart, 86_400)
        var day = firstDay
        while day < firstDay + 3_660 {
            let (_, month, dayOfMonth) = Self.civil(fromDays: day)
            guard months & (1 << UInt64(month)) != 0 else {
                day += Int64(Self.daysInMonth(ofDays: day) - dayOfMonth + 1)  // on to the 1st of next month
                continue
            }
            if matches(dayOfMonth: dayOfMonth, dayOfWeek: Int(Self.floorMod(day + 4, 7))) {
                for hour in 0..<24 where hours & (1 << UInt64(hour)) != 0 {
                    for minute in 0..<60 where minutes & (1 << UInt64(minute)) != 0 {
                        let local = day * 86_400 + Int64(hour * 3_600 + minute * 60)
                        guard local >= localStart else { continue }
                        let instant = Self.firstInstant(ofLocal: local, in: timeZone)
                        if instant > after { return Date(timeIntervalSince1970: TimeInterval(instant)) }
                    }
                }
            }
            day += 1
        }
        return nil
    }

    private func matches(dayOfMonth: Int, dayOfWeek: Int) -> Bool {
        let domMatch = daysOfMonth & (1 << UInt64(dayOfMonth)) != 0
        let dowMatch = daysOfWeek & (1 << UInt64(dayOfWeek)) != 0
        // A field starting with `*` is unrestricted for this rule, though a step may still thin it (`*/2`).
        return dayOfMonthRestricted && dayOfWeekRestricted ? domMatch || dowMatch : domMatch && dowMatch
    }

    /// The earliest instant (Unix seconds) whose wall-clock time in `timeZone` is `local` (seconds since
    /// 1970-01-01 00:00 local); for a local time skipped by a forward jump, the instant of the jump.
    static func firstInstant(ofLocal local: Int64, in timeZone: TimeZone) -> Int64 {
        func offset(_ instant: Int64) -> Int64 {
            Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
        }
        // The offsets in force a day either side cover any one transition.
        let candidates = Set([offset(local - 86_400), offset(local), offset(local + 86_400)])
        let valid = candidates.map { local - $0 }.filter { offset($0) == local - $0 }
        if let first = valid.min() { return first }
        // Skipped (spring forward): between the instants the two offsets give lies the jump; find it.
        var low = local - candidates.max()!   // still before the jump
        var high = local - candidates.min()!  // already after it
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if offset(middle) == offset(low) { low = middle } else { high = middle }
        }
        return high
    }

    // MARK: civil calendar arithmetic (proleptic Gregorian, days since 1970-01-01)

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { (a - floorMod(a, b)) / b }
    private static func floorMod(_ a: Int64, _ b: Int64) -> Int64 { ((a % b) + b) % b }

    /// Year, month (1-12) and day (1-31) of a day number.
    static func civil(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0)), Int(month), Int(day))
    }

    private static func daysInMonth(ofDays days: Int64) -> Int {
        let (year, month, _) = civil(fromDays: days)
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
