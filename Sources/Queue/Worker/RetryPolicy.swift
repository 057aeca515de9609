import Foundation

/// How long to wait before the next attempt after a failure: exponential backoff with jitter, so many jobs
/// failing together do not retry together. Pure; unit-tested without a database.
public struct RetryPolicy: Sendable, Equatable {
    /// The delay after the first failed attempt (default 1 s).
    public var baseDelay: Duration
    /// The factor each later failure multiplies it by (default 2).
    public var multiplier: Double
    /// The longest delay (default 1 hour).
    public var maxDelay: Duration
    /// The fraction by which a delay may randomly grow or shrink (default 0.2, i.e. ±20 %).
    public var jitter: Double

    /// Creates a policy; the defaults give about 1 s, 2 s, 4 s, 8 s, … up to an hour, each ±20 %.
    public init(baseDelay: Duration = .seconds(1), multiplier: Double = 2, maxDelay: Duration = .seconds(3600), jitter: Double = 0.2) {
        self.baseDelay = baseDelay
        self.multiplier = max(1, multiplier)
        self.maxDelay = maxDelay
        self.jitter = min(max(0, jitter), 1)
    }

    /// The default policy.
    public static let `default` = RetryPolicy()

    /// The delay before the attempt after failed attempt number `attempt` (1-based). `unit` is a random
    /// number in 0..<1 (injected so tests are deterministic).
    public func delay(afterAttempt attempt: Int, unit: Double = Double.random(in: 0..<1)) -> Duration {
        let base = baseDelay.seconds * pow(multiplier, Double(max(0, attempt - 1)))
        let capped = min(base, maxDelay.seconds)
        let factor = 1 + jitter * (2 * unit - 1)
        return .milliseconds(Int64((capped * factor * 1000).rounded()))
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    public var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }

    /// The duration as PostgreSQL interval text to the millisecond, e.g. `2500 milliseconds` (integer
    /// arithmetic: the worker sends one with every claim, and String(format:) showed up in its profile).
    var intervalText: String {
        let (s, attoseconds) = components
        return "\(s * 1000 + attoseconds / 1_000_000_000_000_000) milliseconds"
    }
}

