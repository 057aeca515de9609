import Foundation

/// Helpers on the slot names of a Sleeper league's `roster_positions`, so the optimisers know which slots
/// start and which positions each one takes.
public enum Slot {
    /// Slot names that never start: the bench, injured reserve, the taxi squad and Sleeper's reserve.
    public static let nonStarting: Set<String> = ["BN", "IR", "TAXI", "RESERVE"]

    /// Positions each known starting slot accepts ("DST" is read as "DEF").
    static let eligibility: [String: Set<String>] = [
        "QB": ["QB"], "RB": ["RB"], "WR": ["WR"], "TE": ["TE"], "K": ["K"], "DEF": ["DEF"],
        "FLEX": ["RB", "WR", "TE"],
        "WRRB_FLEX": ["RB", "WR"],
        "REC_FLEX": ["WR", "TE"],
        "SUPER_FLEX": ["QB", "RB", "WR", "TE"],
        "DL": ["DL"], "LB": ["LB"], "DB": ["DB"],
        "IDP_FLEX": ["DL", "LB", "DB"],
    ]

    /// The positions slot `slot` accepts, or nil when it is not a starting slot the optimiser knows: the
    /// non-starting BN, IR, TAXI and RESERVE, and any name not listed here (the lineup optimiser leaves such a
    /// slot as the caller has it, see `LineupOptimizer.optimize`). Names are compared case-insensitively.
    public static func eligiblePositions(_ slot: String) -> Set<String>? {
        eligibility[normalizedPosition(slot.uppercased())]
    }

    /// The starting slots of `rosterPositions`, in order: every name except BN, IR, TAXI and RESERVE. Unknown
    /// names are kept (so index i still lines up with Sleeper's `starters[i]`), and the optimiser leaves them
    /// as they are.
    public static func startingSlots(_ rosterPositions: [String]) -> [String] {
        rosterPositions.filter { !nonStarting.contains($0.uppercased()) }
    }

    /// `position` with "DST" read as "DEF" (Sleeper spells team defenses DEF; some sources say DST).
    public static func normalizedPosition(_ position: String) -> String {
        position == "DST" ? "DEF" : position
    }
}
