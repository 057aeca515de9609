import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context of every HTTP and WebSocket route: Hummingbird's storage plus the authenticated
/// user (set by ``AuthMiddleware``). Request bodies are limited to 64 KiB (larger ones get 413).
struct HuddleRequestContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<HuddleRequestContext>
    /// Who is calling; nil on public routes.
    var user: AuthUser?
    /// The connection, so a WebSocket whose peer stopped reading can be dropped (see ``WebSocketRoute``).
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
        webSocket = .init()
        user = nil
    }

    var maxUploadSize: Int { 64 * 1024 }

    /// The authenticated user (routes behind ``AuthMiddleware`` always have one).
    func requireUser() throws -> AuthUser {
        guard let user else { throw APIError.unauthorized("a bearer token is required") }
        return user
    }
}
