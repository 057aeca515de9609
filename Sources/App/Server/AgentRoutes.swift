import Fantasy
import Foundation
import Hummingbird
import Queue

/// The seed's agent endpoints: `POST /agents/sit-start` and `/agents/trade-analysis` check the request against
/// the stored league (422 with an error per field) and enqueue `sit_start` / `trade_analysis` for the caller;
/// `GET /agents/tasks/{task_id}` reports a task in the seed's shape; `GET /me/leagues` lists the caller's
/// leagues and rosters for the UI.
struct AgentRoutes: Sendable {
    var client: QueueClient
    var store: FantasyStore
    var kinds: KindCatalog

    struct TaskStatus: ResponseEncodable {
        var task_id: String
        var status: String
        var progress: Int
        var current_step: String?
        var result: JSONValue?
        var error: String?
    }

    struct Leagues: ResponseEncodable {
        var leagues: [Membership]
    }

    func add(to api: RouterGroup<HuddleRequestContext>) {
        api.post("agents/sit-start") { request, context -> EditedResponse<TaskStatus> in
            let user = try context.requireUser()
            let body = try await Self.object(request, context)
            let args = try await validateSitStart(body, user: user)
            return try await enqueue("sit_start", args, user: user)
        }
        api.post("agents/trade-analysis") { request, context -> EditedResponse<TaskStatus> in
            let user = try context.requireUser()
            let body = try await Self.object(request, context)
            let args = try await validateTrade(body, user: user)
            return try await enqueue("trade_analysis", args, user: user)
        }
        api.get("agents/tasks/{task_id}") { _, context -> TaskStatus in
            let user = try context.requireUser()
            guard let id = context.parameters.get("task_id", as: Int64.self),
                  let job = try await client.job(id: id), job.userID == user.id || user.admin else {
                throw APIError.notFound("task not found")
            }
            let errors = JSONValue(text: job.errors)
            var lastError: String?
            if case let .array(entries)? = errors, case let .string(message)? = entries.last?["error"] { lastError = message }
            return TaskStatus(task_id: String(job.id), status: job.state.taskStatus, progress: job.progress,
                              current_step: job.currentStep, result: job.result.flatMap { JSONValue(text: $0) },
                              error: job.state == .completed ? nil : lastError)
        }
        api.get("me/leagues") { _, context -> Leagues in
            Leagues(leagues: try await store.memberships(of: try context.requireUser().id))
        }
    }

    private func enqueue(_ kind: String, _ args: some Encodable, user: AuthUser) async throws -> EditedResponse<TaskStatus> {
        guard kinds.all.contains(kind) else { throw APIError.unavailable("\(kind) is not available in this build") }
        let json = String(decoding: try JSONEncoder().encode(args), as: UTF8.self)
        let id = try await client.enqueue(EnqueueRequest(kind: kind, argsJSON: json, userID: user.id))
        return EditedResponse(status: .created, response: TaskStatus(task_id: String(id), status: "pending", progress: 0))
    }

    /// `{league_id, roster_id, week?}`: the league exists, the roster is in it, the caller plays in it (admins
    /// may ask for any league), the week is 1…18.
    private func validateSitStart(_ body: [String: JSONValue], user: AuthUser) async throws -> SitStartArgs {
        var fields = FieldErrors()
        let leagueID = fields.string(body, "league_id")
        let rosterID = fields.integer(body, "roster_id", in: 1...1000)
        var week: Int?
        if body["week"] != nil && body["week"] != .null { week = fields.integer(body, "week", in: 1...18) }
        if let leagueID, let league = try await knownLeague(leagueID, user: user, fields: &fields), let rosterID {
            let rosters = try await store.rosters(league: league)
            if !rosters.contains(where: { $0.id == rosterID }) {
                fields["roster_id"] = "league \(leagueID) has no roster \(rosterID)"
            }
        }
        try fields.check()
        return SitStartArgs(league_id: leagueID!, roster_id: rosterID!, week: week)
    }

    /// `{league_id, my_players, their_players}`: the caller has a roster in the league holding every one of
    /// my_players, and their_players are all on one other roster.
    private func validateTrade(_ body: [String: JSONValue], user: AuthUser) async throws -> TradeAnalysisArgs {
        var fields = FieldErrors()
        let leagueID = fields.string(body, "league_id")
        let mine = fields.ids(body, "my_players")
        let theirs = fields.ids(body, "their_players")
        if let leagueID, let league = try await knownLeague(leagueID, user: user, fields: &fields, requireMembership: true) {
            let rosters = try await store.rosters(league: league)
            let rosterID = try await store.memberships(of: user.id).first { $0.leagueID == league }?.rosterID
            if let mine, let own = rosters.first(where: { $0.id == rosterID }) {
                let missing = mine.filter { !own.players.contains($0) }
                if !missing.isEmpty { fields["my_players"] = "not on your roster: \(missing.joined(separator: ", "))" }
            }
            if let theirs {
                let holders = Set(theirs.compactMap { id in rosters.first { $0.players.contains(id) }?.id })
                let unrostered = theirs.filter { id in !rosters.contains { $0.players.contains(id) } }
                if !unrostered.isEmpty {
                    fields["their_players"] = "not on any roster of league \(league): \(unrostered.joined(separator: ", "))"
                } else if holders.count != 1 || holders.first == rosterID {
                    fields["their_players"] = "must all be on one roster other than yours"
                }
            }
        }
        try fields.check()
        return TradeAnalysisArgs(league_id: leagueID!, my_players: mine!, their_players: theirs!)
    }

    /// The league id if it exists and the caller may use it; otherwise records why under `league_id`.
    private func knownLeague(_ id: String, user: AuthUser, fields: inout FieldErrors,
                             requireMembership: Bool = false) async throws -> String? {
        guard try await store.league(id) != nil else {
            fields["league_id"] = "unknown league \(id)"
            return nil
        }
        if requireMembership || !user.admin {
            guard try await store.memberships(of: user.id).contains(where: { $0.leagueID == id }) else {
                fields["league_id"] = "you have no roster in league \(id)"
                return nil
            }
        }
        return id
    }

    private static func object(_ request: Request, _ context: HuddleRequestContext) async throws -> [String: JSONValue] {
        guard case let .object(body) = try await request.decode(as: JSONValue.self, context: context) else {
            throw APIError.unprocessable("the body must be a JSON object")
        }
        return body
    }
}

/// Per-field validation messages, answered together as one 422.
struct FieldErrors {
    private(set) var messages: [String: String] = [:]

    subscript(field: String) -> String? {
        get { messages[field] }
        set { if messages[field] == nil { messages[field] = newValue } }
    }

    mutating func string(_ body: [String: JSONValue], _ key: String) -> String? {
        guard case let .string(value)? = body[key], !value.trimmingCharacters(in: .whitespaces).isEmpty else {
            self[key] = body[key] == nil ? "required" : "must be a non-empty string"
            return nil
        }
        return value
    }

    mutating func integer(_ body: [String: JSONValue], _ key: String, in range: ClosedRange<Int>) -> Int? {
        guard case let .number(value)? = body[key], value == value.rounded(), range.contains(Int(exactly: value) ?? .min) else {
            self[key] = body[key] == nil ? "required" : "must be an integer from \(range.lowerBound) to \(range.upperBound)"
            return nil
        }
        return Int(value)
    }

    mutating func ids(_ body: [String: JSONValue], _ key: String) -> [String]? {
        guard case let .array(values)? = body[key] else {
            self[key] = body[key] == nil ? "required" : "must be a list of player ids"
            return nil
        }
        let ids = values.compactMap { value -> String? in if case let .string(id) = value, !id.isEmpty { id } else { nil } }
        guard ids.count == values.count, !ids.isEmpty else {
            self[key] = "must be a non-empty list of player ids (strings)"
            return nil
        }
        guard Set(ids).count == ids.count else {
            self[key] = "lists a player twice"
            return nil
        }
        return ids
    }

    /// Throws the 422 when any field is wrong.
    func check() throws {
        guard !messages.isEmpty else { return }
        let summary = messages.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
        throw APIError(status: .unprocessableContent, code: "invalid_request", message: summary, fields: messages)
    }
}
