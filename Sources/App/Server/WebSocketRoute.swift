import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import Metrics
import Notify
import PostgresNIO

/// `/ws/{user_id}`: authenticates at the upgrade (`?token=` or `Authorization: Bearer`, subject equal to the
/// path), then runs a ``Session``: the client's messages go to it, and a writer task sends its outbox. Bad
/// tokens close the socket with 1008 (the upgrade itself cannot answer 401 here), an expired token 1008, a
/// client too slow to keep up 1013, shutdown 1001; oversized frames 1009. A peer that does not take the
/// close frame within `closeGrace` (it stopped reading, so even the close waits) has its connection dropped.
/// docs/websocket.md has the protocol.
struct WebSocketRoute: Sendable {
    var hub: Hub
    var postgres: PostgresClient
    var authority: TokenAuthority
    var maxMessageBytes: Int
    var outboxCapacity: Int
    var closeGrace: Duration

    func add(to router: Router<HuddleRequestContext>) {
        router.ws("/ws/{user_id}") { _, _ in
            .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            try await serve(inbound: inbound, outbound: outbound, context: context)
        }
    }

    private func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter,
                       context: WebSocketRouterContext<HuddleRequestContext>) async throws {
        let pathUser = try context.requestContext.parameters.require("user_id")
        guard let token = TokenAuthority.bearer(in: context.request), let user = await authority.verify(token) else {
            try await refuse(outbound, "invalid or expired token")
            return
        }
        guard user.id == pathUser else {
            try await refuse(outbound, "the token is for another user")
            return
        }
        let after = context.request.uri.queryParameters.get("after", as: Int64.self)
        let session = Session(userID: user.id, hub: hub, postgres: postgres, outboxCapacity: outboxCapacity, logger: context.logger)
        defer {
            session.end(.clientGone)
            Counter(label: "huddle_sockets_closed_total", dimensions: [("reason", Self.label(session.endReason))]).increment()
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            // However the client side ends (closed, reset, a bad frame), the session ends before the group
            // waits for its tasks: the writer and the watchdog below only return once the outbox is closed.
            defer {
                session.end(.clientGone)
                group.cancelAll()
            }
            group.addTask {
                while let message = await session.outbox.next() {
                    try await outbound.writeTextMessage(message)
                }
                switch session.endReason {
                case .overflow: try await outbound.close(.unknown(1013), reason: "too slow: reconnect and resume after your last event id")
                case .tokenExpired: try await outbound.close(.policyViolation, reason: "token expired")
                case .shutdown: try await outbound.close(.goingAway, reason: "server shutting down")
                case .clientGone, nil: break
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(max(0, user.expiresAt.timeIntervalSinceNow)))
                session.end(.tokenExpired)
            }
            let channel = context.requestContext.channel
            group.addTask { [closeGrace] in
                // The writer may be stuck behind a full socket (a peer that stopped reading): then neither the
                // last messages nor the close frame can go out, and only dropping the connection frees it.
                _ = await session.outbox.waitUntilClosed()
                guard session.endReason != .clientGone else { return }
                try await Task.sleep(for: closeGrace)
                try? await channel.close()
            }
            do {
                try await session.start(after: after)
            } catch {
                context.logger.warning("replay failed", metadata: ["error": "\(String(reflecting: error))"])
                _ = await session.outbox.send(#"{"type":"error","error":"could not replay: the database is unavailable; reconnect and resume"}"#)
            }
            for try await message in inbound.messages(maxSize: maxMessageBytes) {
                guard case let .text(text) = message else {
                    _ = await session.outbox.send(#"{"type":"error","error":"send JSON text frames"}"#)
                    continue
                }
                await session.receive(text)
            }
        }
    }

    /// The `reason` label of `huddle_sockets_closed_total`.
    private static func label(_ reason: Session.EndReason?) -> String {
        switch reason {
        case .overflow: "too_slow"
        case .tokenExpired: "token_expired"
        case .shutdown: "shutdown"
        case .clientGone, nil: "client"
        }
    }

    /// Closes a socket whose token was refused with 1008. The short pause first lets the client finish
    /// setting up after the upgrade (a close frame sent in the same instant as the 101 can be missed by some
    /// clients), and slows down token guessing.
    private func refuse(_ outbound: WebSocketOutboundWriter, _ reason: String) async throws {
        try await Task.sleep(for: .milliseconds(100))
        try await outbound.close(.policyViolation, reason: reason)
    }
}
