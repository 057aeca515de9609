import PostgresNIO
import Testing
import TestSupport
@testable import Queue

@Suite("huddle migrate: ordered, once, checksummed, safe to run concurrently")
struct MigratorTests {
    let shipped: MigrationSet

    init() throws {
        shipped = try MigrationSet.bundled()
    }

    private func migrator(_ db: TestDatabase, _ set: MigrationSet? = nil) -> Migrator {
        Migrator(database: db.url, migrations: set ?? shipped, logger: db.logger)
    }

    @Test func freshDatabaseIsPendingThenCurrentAndASecondRunDoesNothing() async throws {
        try await TestDatabase.with(migrated: false) { db async throws in
            let migrator = migrator(db)
            #expect(try await migrator.status().entries.allSatisfy { $0.state == .pending })
            await #expect(throws: MigrationError.pending(shipped.migrations.map(\.fileName))) {
                try await migrator.requireCurrent()
            }
            let applied = try await migrator.migrate()
            #expect(applied.map(\.version) == shipped.migrations.map(\.version))
            #expect(try await migrator.migrate().isEmpty)
            try await migrator.requireCurrent()
            let states = try await migrator.status().entries.map(\.state)
            #expect(states == Array(repeating: .applied, count: shipped.migrations.count))
            let recorded = try await db.column("SELECT checksum FROM queue.schema_migrations ORDER BY version", as: String.self)
            #expect(recorded == shipped.migrations.map(\.checksum))
        }
    }

    @Test func concurrentMigratorsApplyEachFileExactlyOnce() async throws {
        try await TestDatabase.with(migrated: false) { db async throws in
            let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 {
                    group.addTask { try await migrator(db).migrate().map(\.version) }
                }
                var all: [Int] = []
                for try await versions in group { all += versions }
                return all
            }
            #expect(applied.sorted() == shipped.migrations.map(\.version))
            let rows = try await db.scalar("SELECT count(*)::int FROM queue.schema_migrations", as: Int.self)
            #expect(rows == shipped.migrations.count)
        }
    }

    @Test func anAppliedFileThatChangedIsRefusedByName() async throws {
        try await TestDatabase.with { db async throws in
            var edited = shipped.migrations
            edited[1].sql += "\n-- an innocent-looking edit\n"
            let migrator = migrator(db, try MigrationSet(edited))
            await #expect(throws: MigrationError.checksumMismatch(
                file: "0002_sql_api.sql", recorded: shipped.migrations[1].checksum, current: edited[1].checksum)) {
                _ = try await migrator.migrate()
            }
            await #expect(throws: MigrationError.self) { try await migrator.requireCurrent() }
            #expect(try await migrator.status().entries[1].state == .changed)
        }
    }

    @Test func aDatabaseFromANewerBuildIsRefused() async throws {
        try await TestDatabase.with { db async throws in
            try await db.exec("INSERT INTO queue.schema_migrations (version, name, checksum) VALUES (99, 'future', 'x')")
            let migrator = migrator(db)
            await #expect(throws: MigrationError.unknownVersions(["0099_future.sql"])) { _ = try await migrator.migrate() }
            await #expect(throws: MigrationError.unknownVersions(["0099_future.sql"])) { try await migrator.requireCurrent() }
        }
    }

    @Test func aFailingMigrationIsRolledBackWholeAndNamesTheFileAndLine() async throws {
        try await TestDatabase.with(migrated: false) { db async throws in
            let broken = Migration(version: shipped.latestVersion + 1, name: "broken", sql: """
                BEGIN;
                DO $$ BEGIN PERFORM queue.begin_migration(\(shipped.latestVersion + 1), 'broken'); END $$;
                CREATE TABLE queue.half_done (id int);
                SELECT no_such_function();
                COMMIT;
                """)
            let migrator = migrator(db, try MigrationSet(shipped.migrations + [broken]))
            await #expect {
                _ = try await migrator.migrate()
            } throws: { error in
                guard case let .failed(file, line, message) = error as? MigrationError else { return false }
                return file == broken.fileName && line == 4 && message.contains("no_such_function")
            }
            let latest = try await db.scalar("SELECT max(version) FROM queue.schema_migrations", as: Int.self)
            #expect(latest == shipped.latestVersion)
            let table = try await db.scalar("SELECT to_regclass('queue.half_done') IS NULL", as: Bool.self)
            #expect(table)
        }
    }

    @Test func filesAppliedWithPsqlAreAdoptedWithoutBeingReapplied() async throws {
        try await TestDatabase.with { db async throws in
            // psql records the version (the file does that itself) but no checksum.
            try await db.exec("UPDATE queue.schema_migrations SET checksum = NULL")
            let migrator = migrator(db)
            #expect(try await migrator.status().entries.allSatisfy { $0.state == .appliedWithoutChecksum })
            try await migrator.requireCurrent()
            #expect(try await migrator.migrate().isEmpty)
            #expect(try await migrator.status().entries.allSatisfy { $0.state == .applied })
        }
    }

    @Test func rerunningAnAppliedFileByHandSaysItIsApplied() async throws {
        try await TestDatabase.with { db async throws in
            await #expect {
                try await db.exec("SELECT queue.begin_migration(2, 'sql_api')")
            } throws: { error in
                (error as? PSQLError)?.serverMessage == "migration 0002 (sql_api) is already applied"
            }
        }
    }
}
