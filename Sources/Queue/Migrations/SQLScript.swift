/// Splits a PostgreSQL script into its statements, the way psql does, so the migrator can run a migration
/// file statement by statement over the extended protocol (which takes one statement at a time).
///
/// It understands single-quoted strings (with `''` and, in `E'…'` strings, backslash escapes), quoted
/// identifiers, dollar-quoted bodies (`$$ … $$`, `$tag$ … $tag$`), `--` line comments and nested `/* */`
/// block comments. It does not interpret psql meta-commands: migration files must not contain any.
/// Pure and I/O-free, so it is unit-tested on its own.
public struct SQLScript: Sendable, Equatable {
    /// One statement of the script, without its terminating semicolon, trimmed of surrounding whitespace.
    public struct Statement: Sendable, Equatable {
        /// The statement's text.
        public var sql: String
        /// The 1-based line on which the statement starts, for error messages.
        public var line: Int
    }

    /// The script's statements in order; empty statements (blank or comment-only) are dropped.
    public var statements: [Statement]

    /// Splits `text` into statements.
    /// - Throws: `SQLScriptError.unterminated` when a string, identifier, dollar quote or comment never closes.
    public init(_ text: String) throws {
        let scalars = Array(text.unicodeScalars)
        var statements: [Statement] = []
        var current = String.UnicodeScalarView()
        var hasCode = false          // the current statement has something besides whitespace and comments
        var line = 1
        var startLine = 1
        var i = 0

        func append(_ s: Unicode.Scalar) {
            if s == "\n" { line += 1 }
            current.append(s)
        }
        // Comments before a statement's first code are dropped, so statements start with their keyword.
        func appendComment(_ s: Unicode.Scalar) {
            if hasCode { append(s) } else if s == "\n" { line += 1 }
        }
        func peek(_ offset: Int) -> Unicode.Scalar? {
            i + offset < scalars.count ? scalars[i + offset] : nil
        }
        func markCode() {
            if !hasCode { hasCode = true; startLine = line }
        }

        while i < scalars.count {
            let c = scalars[i]
            switch c {
            case "-" where peek(1) == "-":
                while i < scalars.count, scalars[i] != "\n" { appendComment(scalars[i]); i += 1 }
            case "/" where peek(1) == "*":
                let opened = line
                var depth = 0
                repeat {
                    if scalars[i] == "/", peek(1) == "*" {
                        depth += 1; appendComment(scalars[i]); appendComment(scalars[i + 1]); i += 2
                    } else if scalars[i] == "*", peek(1) == "/" {
                        depth -= 1; appendComment(scalars[i]); appendComment(scalars[i + 1]); i += 2
                    } else {
                        appendComment(scalars[i]); i += 1
                    }
                } while depth > 0 && i < scalars.count
                if depth > 0 { throw SQLScriptError.unterminated("block comment", line: opened) }
            case "'", "\"":
                markCode()
                let escapes = c == "'" && Self.isEscapeStringPrefix(current)
                let opened = line
                append(c); i += 1
                var closed = false
                while i < scalars.count {
                    let d = scalars[i]
                    if escapes, d == "\\", i + 1 < scalars.count {
                        append(d); append(scalars[i + 1]); i += 2; continue
                    }
                    append(d); i += 1
                    if d == c {
                        if i < scalars.count, scalars[i] == c { append(scalars[i]); i += 1; continue }
                        closed = true
                        break
                    }
                }
                if !closed { throw SQLScriptError.unterminated(c == "'" ? "string" : "quoted identifier", line: opened) }
            case "$":
                markCode()
                if let tag = Self.dollarTag(scalars, at: i), !Self.endsWithIdentifierChar(current) {
                    let opened = line
                    for s in tag { append(s) }
                    i += tag.count
                    var closed = false
                    while i < scalars.count {
                        if scalars[i] == "$", Self.matches(scalars, at: i, tag) {
                            for s in tag { append(s) }
                            i += tag.count
                            closed = true
                            break
                        }
                        append(scalars[i]); i += 1
                    }
                    if !closed { throw SQLScriptError.unterminated("dollar-quoted string", line: opened) }
                } else {
                    append(c); i += 1
                }
            case ";":
                if hasCode {
                    let sql = String(current).trimmingWhitespace()
                    statements.append(Statement(sql: sql, line: startLine))
                }
                current = String.UnicodeScalarView()
                hasCode = false
                i += 1
            default:
                if !c.properties.isWhitespace { markCode() }
                append(c); i += 1
            }
        }
        if hasCode {
            statements.append(Statement(sql: String(current).trimmingWhitespace(), line: startLine))
        }
        self.statements = statements
    }

    /// The tag (`$$` or `$name$`) that starts at `index`, if any.
    private static func dollarTag(_ s: [Unicode.Scalar], at index: Int) -> [Unicode.Scalar]? {
        var j = index + 1
        while j < s.count {
            let c = s[j]
            if c == "$" { return Array(s[index...j]) }
            let isIdent = c == "_" || c.properties.isAlphabetic || (j > index + 1 && ("0"..."9").contains(c))
            if !isIdent { return nil }
            j += 1
        }
        return nil
    }

    private static func matches(_ s: [Unicode.Scalar], at index: Int, _ tag: [Unicode.Scalar]) -> Bool {
        guard index + tag.count <= s.count else { return false }
        for k in 0..<tag.count where s[index + k] != tag[k] { return false }
        return true
    }

    /// `$1` after an identifier character is a parameter or part of a name, never a dollar quote.
    private static func endsWithIdentifierChar(_ s: String.UnicodeScalarView) -> Bool {
        guard let last = s.last else { return false }
        return last == "_" || last.properties.isAlphabetic || ("0"..."9").contains(last)
    }

    /// Whether the quote about to open is an `E'…'` escape string.
    private static func isEscapeStringPrefix(_ s: String.UnicodeScalarView) -> Bool {
        guard let last = s.last, last == "e" || last == "E" else { return false }
        let before = s.dropLast().last
        return before.map { !($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) } ?? true
    }
}

/// A script that cannot be split because something opened is never closed.
public enum SQLScriptError: Error, Equatable, CustomStringConvertible {
    /// `what` (a string, comment, …) opened on `line` is never closed.
    case unterminated(String, line: Int)

    public var description: String {
        switch self {
        case let .unterminated(what, line): "unterminated \(what) starting on line \(line)"
        }
    }
}

extension String {
    /// The string without leading and trailing whitespace and newlines.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
