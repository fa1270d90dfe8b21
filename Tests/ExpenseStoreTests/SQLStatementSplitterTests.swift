import ExpenseStore
import Testing

@Suite struct SQLStatementSplitterTests {
    @Test func splitsOnSemicolonsAndDropsEmptyStatements() {
        let statements = SQLStatementSplitter.split("CREATE TABLE a (x int);\n\n  ;CREATE TABLE b (y int);\n")
        #expect(statements == ["CREATE TABLE a (x int)", "CREATE TABLE b (y int)"])
    }

    @Test func keepsSemicolonsInsideQuotesAndIdentifiers() {
        let statements = SQLStatementSplitter.split(
            "INSERT INTO t VALUES ('a;b', 'it''s; fine'); SELECT \"odd;name\" FROM t;"
        )
        #expect(statements == ["INSERT INTO t VALUES ('a;b', 'it''s; fine')", "SELECT \"odd;name\" FROM t"])
    }

    @Test func dropsCommentsAndTheirSemicolons() {
        let statements = SQLStatementSplitter.split(
            """
            -- a comment; with a semicolon
            CREATE TABLE a (x int); /* block; comment */
            -- trailing comment only;
            """
        )
        #expect(statements == ["CREATE TABLE a (x int)"])
    }

    @Test func keepsDollarQuotedBodiesWhole() {
        let sql = """
            CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;
            CREATE FUNCTION g() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 2; END; $body$;
            SELECT $1;
            """
        let statements = SQLStatementSplitter.split(sql)
        #expect(statements.count == 3)
        #expect(statements[0] == "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$")
        #expect(statements[1].hasSuffix("$body$ BEGIN RETURN 2; END; $body$"))
        #expect(statements[2] == "SELECT $1")
    }

    @Test func keepsSQLiteTriggerBodiesWhole() {
        let sql = """
            CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
            BEGIN
                SELECT CASE WHEN 1 THEN RAISE(ABORT, 'append only') END;
                SELECT 1;
            END;
            CREATE TABLE after_trigger (x int);
            """
        let statements = SQLStatementSplitter.split(sql)
        #expect(statements.count == 2)
        #expect(statements[0].hasPrefix("CREATE TRIGGER audit_no_update"))
        #expect(statements[0].hasSuffix("END"))
        #expect(statements[1] == "CREATE TABLE after_trigger (x int)")
    }

    @Test func postgresTriggerWithoutBodyEndsAtItsSemicolon() {
        let sql = """
            CREATE TRIGGER t BEFORE UPDATE ON a FOR EACH ROW EXECUTE FUNCTION f();
            CREATE TABLE b (x int);
            """
        #expect(SQLStatementSplitter.split(sql).count == 2)
    }
}
