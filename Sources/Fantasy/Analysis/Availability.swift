import Foundation

/// Who may start in a given week, the one rule the lineup optimiser, the waiver check and the trade analysis
/// share.
public enum Availability {
    /// Injury statuses that keep a player out for weeks (injured reserve, physically unable to perform,
    /// suspended, non-football injury), so they exclude him from future weeks too.
    public static let longTermStatuses: Set<String> = ["IR", "PUP", "Sus", "NA"]

    /// Statuses that exclude a player in the current week: the long-term ones plus Out and COV (Questionable
    /// and Doubtful players may start on their projection).
    public static let currentWeekStatuses: Set<String> = longTermStatuses.union(["Out", "COV"])

    /// Whether `player` can start in a week where he projects `projection` points: he needs a projection (none
    /// means a bye or no game) and a status that does not rule him out — Out, IR, PUP, Sus, NA and COV in the
    /// current week (`isCurrentWeek`), only the long-term IR, PUP, Sus and NA in later weeks (Out, Doubtful and
    /// Questionable are taken as short-term).
    public static func canStart(_ player: Player, projection: Double?, isCurrentWeek: Bool) -> Bool {
        projection != nil && !player.isOut(isCurrentWeek: isCurrentWeek)
    }

    /// Whether `status` is one of `statuses`, ignoring case (Sleeper's spelling varies between feeds).
    static func matches(_ status: String?, _ statuses: Set<String>) -> Bool {
        guard let status else { return false }
        return statuses.contains { $0.caseInsensitiveCompare(status) == .orderedSame }
    }
}

extension Player {
    /// Whether his injury status keeps him out long-term (IR, PUP, Sus or NA), which also rules out later weeks.
    public var isUnavailableLongTerm: Bool { Availability.matches(injuryStatus, Availability.longTermStatuses) }

    /// Whether his injury status rules him out of a week: the current week (`isCurrentWeek`) excludes Out, IR,
    /// PUP, Sus, NA and COV; a later week only the long-term IR, PUP, Sus and NA.
    public func isOut(isCurrentWeek: Bool) -> Bool {
        isCurrentWeek ? Availability.matches(injuryStatus, Availability.currentWeekStatuses) : isUnavailableLongTerm
    }
}
