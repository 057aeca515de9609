import Hummingbird
import Queue

/// `GET /api/v1/notifications?after=<id>&limit=<n>`: the caller's notifications after an event id, oldest
/// first, exactly as their sockets received them — how a client catches up on history.
struct NotificationRoutes: Sendable {
    var client: QueueClient

    struct Page: ResponseEncodable {
        var notifications: [JSONValue]
        /// Pass as `after` for the next page; absent on the last page.
        var next_after: Int64?
    }

    func add(to api: RouterGroup<HuddleRequestContext>) {
        api.get("notifications") { request, context -> Page in
            let user = try context.requireUser()
            let after = try JobRoutes.integer(request.uri.queryParameters.get("after"), "after") ?? 0
            let limit = try JobRoutes.limit(request.uri.queryParameters.get("limit"))
            let rows = try await client.postgres.execute(
                ServerQueries.Notifications(userID: user.id, after: after, limit: limit), logger: context.logger).collect()
            return Page(notifications: rows.compactMap { JSONValue(text: $0.1) }, next_after: rows.count == limit ? rows.last?.0 : nil)
        }
    }
}
