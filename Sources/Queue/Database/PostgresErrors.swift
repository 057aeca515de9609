import PostgresNIO

extension PSQLError {
    /// The server's SQLSTATE code (e.g. `22023`), when the error came from the server.
    public var sqlState: String? { serverInfo?[.sqlState] }

    /// The server's message, or the client-side error code when there is none.
    public var serverMessage: String { serverInfo?[.message] ?? "\(code)" }

    /// A one-paragraph explanation for people: message, detail and hint. PSQLError's own description
    /// hides all of these to avoid leaking data; we show them where the operator asked for the operation.
    public var explanation: String {
        var text = serverMessage
        if let detail = serverInfo?[.detail] { text += " (\(detail))" }
        if let hint = serverInfo?[.hint] { text += "\nhint: \(hint)" }
        return text
    }
}
