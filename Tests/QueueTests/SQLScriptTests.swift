import Testing
@testable import Queue

@Suite("SQLScript splits migration files like psql")
struct SQLScriptTests {
    @Test func splitsOnSemicolonsAndDropsEmptyStatements() throws {
        let script = try SQLScript("SELECT 1;\n\n;  SELECT 2 ;\n-- trailing comment\n")
        #expect(script.statements.map(\.sql) == ["SELECT 1", "SELECT 2"])
        #expect(script.statements.map(\.line) == [1, 3])
    }

    @Test func keepsSemicolonsInsideStringsIdentifiersAndComments() throws {
        let sql = """
            SELECT 'a;b', 'it''s; fine', "odd;name" FROM t; -- not; a split
            /* block; /* nested; */ still comment; */ SELECT E'x\\';y';
            """
        let statements = try SQLScript(sql).statements.map(\.sql)
        #expect(statements.count == 2)
        #expect(statements[0] == #"SELECT 'a;b', 'it''s; fine', "odd;name" FROM t"#)
        #expect(statements[1] == #"SELECT E'x\';y'"#)
    }

    @Test func keepsDollarQuotedBodiesWhole() throws {
        let sql = """
            CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM 1; RETURN 2;
            END;
            $$;
            DO $body$ BEGIN RAISE NOTICE '$$;'; END $body$;
            SELECT $1, a$b FROM x;
            """
        let statements = try SQLScript(sql).statements
        #expect(statements.count == 3)
        #expect(statements[0].sql.hasSuffix("END;\n$$"))
        #expect(statements[1].sql == "DO $body$ BEGIN RAISE NOTICE '$$;'; END $body$")
        #expect(statements[1].line == 6)
        #expect(statements[2].sql == "SELECT $1, a$b FROM x")
    }

    @Test func leadingCommentsAreNotPartOfTheStatement() throws {
        let statements = try SQLScript("-- header\n/* note */\nBEGIN;\n-- why\nCOMMIT;").statements
        #expect(statements.map(\.sql) == ["BEGIN", "COMMIT"])
        #expect(statements.map(\.line) == [3, 5])
    }

    @Test(arguments: [
        ("SELECT 'open", "string"),
        ("SELECT \"open", "quoted identifier"),
        ("DO $x$ BEGIN END", "dollar-quoted string"),
        ("/* never /* closed */", "block comment"),
    ])
    func reportsWhatIsLeftOpen(sql: String, what: String) {
        #expect(throws: SQLScriptError.unterminated(what, line: 1)) { try SQLScript(sql) }
    }
}
