import Foundation
import Hummingbird
import JWTKit

/// Who made a request: the token's subject, whether it is an admin, and when the token expires.
struct AuthUser: Sendable, Equatable {
    var id: String
    var admin: Bool
    var expiresAt: Date
}

/// The claims of a Huddle token: `sub` (the user id), `exp`, and `admin` when true.
struct HuddleClaims: JWTPayload {
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var admin: Bool?

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

/// Signs and verifies HS256 bearer tokens with the secret from `HUDDLE_SECRET` (at least 32 characters).
struct TokenAuthority: Sendable {
    /// Why a secret was refused.
    struct BadSecret: Error, CustomStringConvertible {
        var description: String
    }

    private let keys: JWTKeyCollection

    /// Creates an authority for `secret`, refusing one shorter than 32 bytes (HS256 needs 256 bits).
    init(secret: String) async throws {
        guard secret.utf8.count >= 32 else {
            throw BadSecret(description: "HUDDLE_SECRET must be at least 32 characters (e.g. `openssl rand -hex 32`)")
        }
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
    }

    /// A token for `user`, valid for `ttl` (default 24 hours).
    func token(for user: String, admin: Bool = false, ttl: Duration = .seconds(86_400)) async throws -> String {
        let expiry = Date().addingTimeInterval(Double(ttl.components.seconds))
        return try await keys.sign(HuddleClaims(sub: SubjectClaim(value: user), exp: ExpirationClaim(value: expiry),
                                                admin: admin ? true : nil))
    }

    /// The user of a valid, unexpired token; nil otherwise.
    func verify(_ token: String) async -> AuthUser? {
        guard let claims = try? await keys.verify(token, as: HuddleClaims.self), !claims.sub.value.isEmpty else { return nil }
        return AuthUser(id: claims.sub.value, admin: claims.admin ?? false, expiresAt: claims.exp.value)
    }

    /// The bearer token of a request: `Authorization: Bearer …`, or `?token=` (browsers cannot set headers
    /// on a WebSocket).
    static func bearer(in request: Request) -> String? {
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            return String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        return request.uri.queryParameters.get("token")
    }
}

/// Requires a valid bearer token and puts its user in the context; 401 otherwise.
struct AuthMiddleware: RouterMiddleware {
    let authority: TokenAuthority

    func handle(_ request: Request, context: HuddleRequestContext,
                next: (Request, HuddleRequestContext) async throws -> Response) async throws -> Response {
        guard let token = TokenAuthority.bearer(in: request) else {
            throw APIError.unauthorized("a bearer token is required (Authorization: Bearer …); `huddle token USER` makes one")
        }
        guard let user = await authority.verify(token) else {
            throw APIError.unauthorized("the token is invalid or has expired")
        }
        var context = context
        context.user = user
        return try await next(request, context)
    }
}
