import Foundation
import Testing
import TestSupport
@testable import Queue

/// The `huddle` binary as operators and CI run it: a real process, a real database.
@Suite("huddle CLI")
struct CLITests {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the built `huddle` binary (next to the test bundle) with `arguments` and `environment` added.
    static func huddle(_ arguments: [String], environment: [String: String] = [:]) async throws -> Output {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let binary = directory.appendingPathComponent("huddle")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("huddle-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("out"), err = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)

        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["DATABASE_URL"] = nil
        env.merge(environment) { _, new in new }
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        return Output(status: status,
                      stdout: try String(contentsOf: out, encoding: .utf8),
                      stderr: try String(contentsOf: err, encoding: .utf8))
    }

    @Test(arguments: [[], ["migrate"], ["enqueue"], ["work"], ["schedule"], ["serve"], ["all"], ["token"],
                      ["sleeper", "import"], ["demo", "load"], ["bench"]])
    func everyCommandAnswersHelp(command: [String]) async throws {
        let result = try await Self.huddle(command + ["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE: huddle"))
        if command.isEmpty {
            #expect(result.stdout.contains("migrate"))
            #expect(result.stdout.contains("enqueue"))
        }
    }

    @Test(arguments: [
        (["--concurrency", "0"], "--concurrency must be at least 1"),
        (["--lease", "0.5"], "--lease must be at least 1 second"),
        (["--claim-pacing=-1"], "--claim-pacing must not be negative"),
    ])
    func workRefusesBadFlagsBeforeConnecting(flags: [String], message: String) async throws {
        let result = try await Self.huddle(["work"] + flags, environment: ["DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"])
        #expect(result.status != 0)
        #expect(result.stderr.contains(message))
    }

    @Test func withoutADatabaseItSaysWhatToSet() async throws {
        let result = try await Self.huddle(["enqueue", "noop"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("DATABASE_URL"))
    }

    @Test func commandsRefuseAnUnmigratedDatabaseAndSayWhatToRun() async throws {
        try await TestDatabase.with(migrated: false) { db async throws in
            let result = try await Self.huddle(["enqueue", "noop"], environment: ["DATABASE_URL": db.url.urlString])
            #expect(result.status == 1)
            #expect(result.stderr.contains("Run `huddle migrate` first"))
            #expect(result.stderr.contains("0001_queue_schema.sql"))
        }
    }

    @Test func migrateStatusPrintAndIdempotence() async throws {
        try await TestDatabase.with(migrated: false) { db async throws in
            let env = ["DATABASE_URL": db.url.urlString, "HUDDLE_LOG_LEVEL": "warning"]
            let pending = try await Self.huddle(["migrate", "--status"], environment: env)
            #expect(pending.status == 0)
            #expect(pending.stdout.contains("pending   0001_queue_schema.sql"))
            let printed = try await Self.huddle(["migrate", "--print"], environment: env)
            #expect(printed.stdout.hasPrefix("-- migrations/0001_queue_schema.sql\n"))
            #expect(printed.stdout.contains("-- migrations/0002_sql_api.sql\n"))
            #expect(try await db.scalar("SELECT to_regnamespace('queue') IS NULL", as: Bool.self), "--print changes nothing")

            let applied = try await Self.huddle(["migrate"], environment: env)
            #expect(applied.status == 0)
            #expect(applied.stdout.hasPrefix("applied 0001_queue_schema.sql, 0002_sql_api.sql"))
            let again = try await Self.huddle(["migrate"], environment: env)
            #expect(again.stdout == "database is up to date\n")
            let status = try await Self.huddle(["migrate", "--status"], environment: env)
            #expect(status.stdout.contains("applied   0002_sql_api.sql"))
            #expect(try await Self.huddle(["migrate", "--print"], environment: env).stdout.isEmpty)
        }
    }

    @Test func enqueuePrintsTheIdOfTheJobItAdded() async throws {
        try await TestDatabase.with { db async throws in
            let env = ["DATABASE_URL": db.url.urlString]
            let result = try await Self.huddle([
                "enqueue", "sleep", "--args", #"{"ms": 5}"#, "--queue", "slow", "--priority", "2", "--run-at", "+1h",
                "--max-attempts", "3", "--unique-key", "nightly", "--user", "alice",
            ], environment: env)
            #expect(result.status == 0, "\(result.stderr)")
            let id = try #require(Int64(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
            let job = try #require(try await db.client.job(id: id))
            #expect(job.kind == "sleep")
            #expect(job.args == #"{"ms": 5}"#)
            #expect(job.queue == "slow")
            #expect(job.priority == 2)
            #expect(job.maxAttempts == 3)
            #expect(job.uniqueKey == "nightly")
            #expect(job.userID == "alice")
            #expect(job.runAt > Date().addingTimeInterval(3500))

            let same = try await Self.huddle(["enqueue", "sleep", "--unique-key", "nightly"], environment: env)
            #expect(same.stdout == result.stdout, "a held unique key answers with the live job's id")
        }
    }

    @Test func enqueueReportsBadInputWithoutAddingAnything() async throws {
        try await TestDatabase.with { db async throws in
            let env = ["DATABASE_URL": db.url.urlString]
            let badJSON = try await Self.huddle(["enqueue", "noop", "--args", "{nope"], environment: env)
            #expect(badJSON.status == 1)
            #expect(badJSON.stderr.contains("error: invalid input syntax for type json"))
            let badAttempts = try await Self.huddle(["enqueue", "noop", "--max-attempts", "0"], environment: env)
            #expect(badAttempts.stderr.contains("max_attempts must be at least 1"))
            #expect(badAttempts.stderr.contains("hint:"))
            let badTime = try await Self.huddle(["enqueue", "noop", "--run-at", "tomorrow"], environment: env)
            #expect(badTime.status != 0)
            #expect(badTime.stderr.contains("--run-at tomorrow"))
            #expect(try await db.scalar("SELECT count(*)::int FROM queue.jobs", as: Int.self) == 0)
        }
    }
}
