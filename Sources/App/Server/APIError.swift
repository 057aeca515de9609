import Foundation
import Hummingbird
import PostgresNIO
import Queue

/// An error answered as `{"error":{"code","message"}}` with its HTTP status.
struct APIError: Error, Sendable {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    /// Per-field messages of a 422 (field name → what is wrong), when the request had several problems.
    var fields: [String: String]? = nil

    static func badRequest(_ message: String) -> APIError { APIError(status: .badRequest, code: "bad_request", message: message) }
    static func unauthorized(_ message: String) -> APIError { APIError(status: .unauthorized, code: "unauthorized", message: message) }
    static func forbidden(_ message: String) -> APIError { APIError(status: .forbidden, code: "forbidden", message: message) }
    static func notFound(_ message: String) -> APIError { APIError(status: .notFound, code: "not_found", message: message) }
    static func conflict(_ message: String) -> APIError { APIError(status: .conflict, code: "conflict", message: message) }
    static func unprocessable(_ message: String) -> APIError {
        APIError(status: .unprocessableContent, code: "invalid_request", message: message)
    }
    static func unavailable(_ message: String) -> APIError { APIError(status: .serviceUnavailable, code: "unavailable", message: message) }
}

/// The error body.
struct ErrorBody: ResponseEncodable {
    struct Detail: Encodable {
        var code: String
        var message: String
        var fields: [String: String]?
    }
    var error: Detail
}

/// Turns every error — a handler's, an unknown route's 404, a body over the limit's 413, bad JSON's 400, the
/// SQL API's classified errors — into the JSON error body. Added first, so it wraps everything.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let api = Self.classify(error)
            if api.status == .internalServerError {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            var response = try context.responseEncoder.encode(
                ErrorBody(error: .init(code: api.code, message: api.message, fields: api.fields)), from: request, context: context)
            response.status = api.status
            return response
        }
    }

    static func classify(_ error: any Error) -> APIError {
        switch QueueError.classify(error) {
        case let error as APIError:
            return error
        case let QueueError.invalidArgument(message, hint):
            return .unprocessable(hint.map { "\(message) (\($0))" } ?? message)
        case let QueueError.notFound(message):
            return .notFound(message)
        case let QueueError.wrongState(message):
            return .conflict(message)
        case let error as HTTPError:
            return APIError(status: error.status, code: code(error.status), message: message(error))
        case let error as any HTTPResponseError:
            let message = error.status == .contentTooLarge ? "the request body is over the 64 KiB limit" : error.status.reasonPhrase
            return APIError(status: error.status, code: code(error.status), message: message)
        case is PSQLError:
            return .unavailable("the database is unavailable; try again")
        default:
            return APIError(status: .internalServerError, code: "internal_error", message: "internal server error")
        }
    }

    private static func message(_ error: HTTPError) -> String {
        if error.status == .notFound, error.body == nil { return "no such route" }
        return error.body ?? error.status.reasonPhrase
    }

    private static func code(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "bad_request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 409: "conflict"
        case 413: "payload_too_large"
        case 422: "invalid_request"
        case 503: "unavailable"
        default: "http_\(status.code)"
        }
    }
}
