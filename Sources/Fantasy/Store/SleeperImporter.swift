import Foundation
import Logging

/// Loads a Sleeper league into the `fantasy` schema: the NFL state, the league with its rosters and owners,
/// every player, and each regular-season week's projections; then links Huddle users to rosters and seeds the
/// domain's schedules. Idempotent: importing again updates in place (status changes notify members).
public struct SleeperImporter: Sendable {
    let client: SleeperClient
    let store: FantasyStore
    let logger: Logger

    /// What an import stored.
    public struct Summary: Sendable, Equatable {
        public var season: String
        public var week: Int
        public var players: Int
        public var rosters: Int
        public var projections: Int
        public var members: Int
    }

    /// An importer reading from `client` and writing through `store`.
    public init(client: SleeperClient, store: FantasyStore, logger: Logger) {
        self.client = client
        self.store = store
        self.logger = logger
    }

    /// Imports league `id` and links `members` (Huddle user → the roster's owner as a Sleeper display name or
    /// user id, or `roster:N`). Projections are read for `weeks` (default the regular season, 1…18); a week
    /// Sleeper has none for is skipped.
    public func importLeague(_ id: String, members: [(user: String, owner: String)] = [],
                             weeks: ClosedRange<Int> = 1...18) async throws -> Summary {
        let state = try await client.state()
        let league = try await client.league(id)
        async let users = client.users(league: id)
        async let rosters = client.rosters(league: id)
        let (userList, rosterList) = try await (users, rosters)
        let players = try await client.players()

        let resolved = try members.map { member -> (String, Int) in
            (member.user, try Self.roster(for: member.owner, rosters: rosterList, users: userList, league: id))
        }
        try await store.setState(state)
        _ = try await store.refreshPlayers(players)
        let rosterCount = try await store.loadLeague(league, rosters: rosterList, users: userList)
        var projections = 0
        for week in weeks {
            do {
                let entries = try await client.projections(season: league.season, week: week)
                projections += try await store.loadProjections(season: league.season, week: week, entries)
            } catch SleeperError.notFound {
                logger.notice("no projections for this week; skipped", metadata: ["season": "\(league.season)", "week": "\(week)"])
            }
        }
        for (user, roster) in resolved { try await store.addMember(user, league: id, roster: roster) }
        try await store.seedSchedules()
        return Summary(season: state.season, week: state.week, players: players.count, rosters: rosterCount,
                       projections: projections, members: resolved.count)
    }

    /// The roster `owner` names: `roster:N`, or the roster owned by the user with that display name or id.
    static func roster(for owner: String, rosters: [SleeperRoster], users: [SleeperUser], league: String) throws -> Int {
        if owner.hasPrefix("roster:"), let number = Int(owner.dropFirst("roster:".count)) {
            guard rosters.contains(where: { $0.rosterID == number }) else {
                throw FantasyError.unknownRoster(league: league, roster: number)
            }
            return number
        }
        let user = users.first { $0.userID == owner || $0.displayName?.caseInsensitiveCompare(owner) == .orderedSame }
        guard let user, let roster = rosters.first(where: { $0.ownerID == user.userID }) else {
            throw FantasyError.invalid("league \(league) has no roster owned by \"\(owner)\" (give a Sleeper display name, user id or roster:N)")
        }
        return roster.rosterID
    }
}

/// A domain error whose message is meant for the user (a job discards with it; the API answers 422).
public enum FantasyError: Error, CustomStringConvertible, Equatable {
    /// No such league in the database.
    case unknownLeague(String)
    /// No such roster in the league.
    case unknownRoster(league: String, roster: Int)
    /// Player ids not found where they should be.
    case unknownPlayers([String])
    /// The user has no roster in the league.
    case notAMember(user: String, league: String)
    /// No current season/week: nothing was imported yet.
    case noState
    /// Anything else the caller got wrong.
    case invalid(String)

    public var description: String {
        switch self {
        case let .unknownLeague(id): "unknown league \(id): import it first (huddle sleeper import --league \(id))"
        case let .unknownRoster(league, roster): "league \(league) has no roster \(roster)"
        case let .unknownPlayers(ids): "unknown player\(ids.count == 1 ? "" : "s"): \(ids.joined(separator: ", "))"
        case let .notAMember(user, league): "\(user) has no roster in league \(league)"
        case .noState: "no NFL season/week known yet: import a league first"
        case let .invalid(message): message
        }
    }
}
