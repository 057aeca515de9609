import Testing
@testable import Queue

@Suite("Migration files have the shape psql and the migrator both rely on")
struct MigrationSetTests {
    @Test func shippedMigrationsAreValidAndContiguous() throws {
        let set = try MigrationSet.bundled()
        #expect(set.migrations.count >= 2)
        #expect(set.migrations.map(\.version) == Array(1...set.latestVersion))
        #expect(set.migrations.first?.fileName == "0001_queue_schema.sql")
        for migration in set.migrations {
            #expect(migration.checksum.count == 64)
            #expect(try migration.bodyStatements().isEmpty == false)
        }
    }

    private func file(_ version: Int, _ name: String, _ body: String) -> Migration {
        Migration(version: version, name: name, sql: body)
    }

    @Test func refusesAFileWithoutItsOwnTransaction() {
        let bad = file(1, "x", "DO $$ BEGIN PERFORM queue.begin_migration(1, 'x'); END $$; CREATE TABLE t();")
        #expect(throws: MigrationError.self) { try MigrationSet([bad]) }
    }

    @Test func refusesAFileThatDoesNotRecordItsVersion() {
        let bad = file(1, "x", "BEGIN; DO $$ BEGIN PERFORM queue.begin_migration(2, 'x'); END $$; COMMIT;")
        #expect(throws: MigrationError.malformed(file: "0001_x.sql", reason: "it must call queue.begin_migration(1, 'x') to record its version")) {
            try MigrationSet([bad])
        }
    }

    @Test func refusesTransactionControlInsideTheFile() {
        let bad = file(1, "x", "BEGIN; SELECT queue.begin_migration(1, 'x'); COMMIT; CREATE TABLE t(); COMMIT;")
        #expect(throws: MigrationError.self) { try MigrationSet([bad]) }
    }

    @Test func refusesGapsAndRepeats() {
        let one = file(1, "a", "BEGIN; SELECT queue.begin_migration(1, 'a'); COMMIT;")
        let three = file(3, "c", "BEGIN; SELECT queue.begin_migration(3, 'c'); COMMIT;")
        #expect(throws: MigrationError.self) { try MigrationSet([one, three]) }
        #expect(throws: MigrationError.self) { try MigrationSet([one, one]) }
    }

    @Test func refusesBadFileNames() {
        #expect(throws: MigrationError.malformed(file: "1_short.sql", reason: "migration files are named NNNN_name.sql")) {
            try MigrationSet.parse([("1_short.sql", "BEGIN; COMMIT;")])
        }
    }
}
