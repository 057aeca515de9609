import Queue

/// Which job kinds the API accepts: every kind the workers of this build run, and the subset users may
/// create for themselves (admins may create any, for anyone). `sleep` is user-facing for demos, capped
/// at ``sleepCapMilliseconds`` for non-admins.
struct KindCatalog: Sendable {
    /// Every registered kind.
    var all: Set<String>
    /// Kinds a non-admin may create.
    var userFacing: Set<String>
    /// The longest `sleep` a non-admin may ask for (default 10 s).
    var sleepCapMilliseconds = 10_000

    /// The built-in kinds: `noop` (admin only) and `sleep` (user-facing, capped).
    static let builtin = KindCatalog(all: ["noop", "sleep"], userFacing: ["sleep"])

    /// What this build runs: the built-ins and the fantasy kinds. Users start `sit_start` and `trade_analysis`
    /// through the agent endpoints (which check their input and membership); the monitors are for admins.
    static let huddle = KindCatalog(all: Set(JobHandlers.huddleKinds), userFacing: ["sleep"])
}
