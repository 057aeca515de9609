import Foundation
import PostgresNIO
import Testing
import TestSupport
@testable import Queue

/// `queue.enqueue_many`, from psql and from Swift: many jobs in one statement and one commit, with the rules of
/// `queue.enqueue`.
@Suite("Enqueue many")
struct EnqueueManyTests {
    @Test func enqueueManyFromPsqlKeepsOrderDefaultsAndUniqueKeys() async throws {
        try await TestDatabase.with { db async throws in
            let ids = try await db.column("""
                SELECT id FROM queue.enqueue_many('[{"kind": "noop"},
                    {"kind": "sleep", "args": {"ms": 5}, "queue": "slow", "priority": -2, "max_attempts": 1,
                     "user_id": "alice", "unique_key": "k", "run_at": "2030-01-02 03:04:05.123456+00"},
                    {"kind": "noop", "unique_key": "k"}]') ORDER BY ord
                """, as: Int64.self)
            #expect(ids.count == 3)
            #expect(ids[2] == ids[1], "a unique key held earlier in the same call returns that job")
            let first = try #require(try await db.client.job(id: ids[0]))
            #expect(first.queue == "default" && first.priority == 0 && first.maxAttempts == 5 && first.args == "{}")
            let second = try #require(try await db.client.job(id: ids[1]))
            #expect(second.kind == "sleep" && second.queue == "slow" && second.priority == -2 && second.maxAttempts == 1)
            #expect(second.userID == "alice" && second.args == #"{"ms": 5}"#)
            #expect(abs(second.runAt.timeIntervalSince1970 - 1_893_553_445.123456) < 0.000_001)
            #expect(try await db.scalar("SELECT count(DISTINCT xmin::text)::int FROM queue.jobs", as: Int.self) == 1, "one transaction")
        }
    }

    @Test func enqueueManyRefusesBadInputWithTheElementAndEnqueuesNothing() async throws {
        try await TestDatabase.with { db async throws in
            for (jobs, expected) in [(#"{"kind": "noop"}"#, "jobs must be a JSON array"),
                                     (#"[{"kind": "noop"}, 7]"#, "job 2: must be a JSON object"),
                                     (#"[{"kind": "noop", "retries": 3}]"#, "job 1: has unknown keys: retries"),
                                     (#"[{"kind": "noop"}, {"kind": " "}]"#, "job 2: kind must not be empty"),
                                     (#"[{"kind": "noop", "max_attempts": 0}]"#, "job 1: max_attempts must be at least 1"),
                                     (#"[{"kind": "noop", "priority": 40000}]"#, "job 1: priority 40000 is out of range")] {
                await #expect(throws: QueueError.self, "\(jobs)") {
                    do {
                        try await db.exec("SELECT * FROM queue.enqueue_many(\(jobs)::jsonb)")
                    } catch {
                        let classified = QueueError.classify(error)
                        #expect("\(classified)".contains(expected), "\(jobs): \(classified)")
                        throw classified
                    }
                }
            }
            #expect(try await db.scalar("SELECT count(*)::int FROM queue.jobs", as: Int.self) == 0)
        }
    }

    @Test func enqueueManyFromSwiftCarriesEveryFieldExactlyInOneCommit() async throws {
        try await TestDatabase.with { db async throws in
            let requests = (0..<40).map { i in
                EnqueueRequest(kind: "noop", argsJSON: #"{"n": \#(i), "text": "quote \" backslash \\ tab \t"}"#,
                               queue: i == 7 ? "line\nbreak \"q\"" : "default",
                               runAt: i == 5 ? Date(timeIntervalSince1970: 1_700_000_000.5) : nil,
                               uniqueKey: i == 10 || i == 20 ? "shared" : nil, userID: i == 3 ? "bob" : nil)
            }
            let ids = try await db.client.enqueueMany(requests)
            #expect(ids[10] == ids[20], "a unique key held by an earlier element answers with that job")
            #expect(Set(ids).count == 39)
            #expect(try await db.scalar("SELECT count(DISTINCT xmin::text)::int FROM queue.jobs", as: Int.self) == 1, "one commit")
            for (i, id) in ids.enumerated() {
                let job = try #require(try await db.client.job(id: id))
                #expect(job.args.contains("\"n\": \(i == 20 ? 10 : i)"), "job \(i) has its own arguments: \(job.args)")
                #expect(job.args.contains(#""text": "quote \" backslash \\ tab \t""#), "escapes survive: \(job.args)")
            }
            #expect(try await db.client.job(id: ids[7])?.queue == "line\nbreak \"q\"")
            let scheduled = try #require(try await db.client.job(id: ids[5]))
            #expect(abs(scheduled.runAt.timeIntervalSince1970 - 1_700_000_000.5) < 0.000_001, "run_at crosses the JSON exactly")
            #expect(try await db.client.job(id: ids[3])?.userID == "bob")
            #expect(try await db.client.enqueueMany([]) == [])
        }
    }

    @Test func oneBadRequestFailsTheWholeCallWithItsNumberAndEnqueuesNothing() async throws {
        try await TestDatabase.with { db async throws in
            let requests = (0..<12).map { i in EnqueueRequest(kind: "noop", argsJSON: i == 7 ? "[1]" : #"{"n": \#(i)}"#) }
            do {
                _ = try await db.client.enqueueMany(requests)
                Issue.record("a request with array args was accepted")
            } catch let QueueError.invalidArgument(message, _) {
                #expect(message == "job 8: args must be a JSON object, not a JSON array")
            }
            #expect(try await db.scalar("SELECT count(*)::int FROM queue.jobs", as: Int.self) == 0)
        }
    }

    /// `args` text is spliced into the JSON array as it is, so text that closes its element early could add
    /// fields or jobs of its own, and extra rows would not match the requests: refused before anything is sent.
    @Test(arguments: [
        #"{}},{"kind":"smuggled","args":{}"#, #"{}},{"kind":"smuggled"}"#, #"{"a": 1}, {"kind": "smuggled"}"#, #"1},{"kind":"smuggled""#, #"{}, "user_id": "mallory""#,
        #"{"a": "unterminated}"#, "{", "}",
    ])
    func argsThatCouldCloseTheirElementAreRefusedAndNothingIsEnqueued(args: String) async throws {
        try await TestDatabase.with { db async throws in
            let requests = [EnqueueRequest(kind: "noop"), EnqueueRequest(kind: "noop", argsJSON: args)]
            do {
                _ = try await db.client.enqueueMany(requests)
                Issue.record("args \(args) were accepted")
            } catch let QueueError.invalidArgument(message, _) {
                #expect(message.hasPrefix("job 2: args must be one JSON object"), "\(message)")
            }
            #expect(try await db.scalar("SELECT count(*)::int FROM queue.jobs", as: Int.self) == 0)
        }
    }

    @Test func bracketsAndQuotesInsideStringsAreJustText() async throws {
        try await TestDatabase.with { db async throws in
            let tricky = #"{"text": "}, {\"kind\": \"x\"} ] [", "nested": {"list": [1, {"b": "\\"}]}}"#
            let ids = try await db.client.enqueueMany([EnqueueRequest(kind: "noop", argsJSON: tricky), EnqueueRequest(kind: "noop")])
            #expect(ids.count == 2)
            #expect(try await db.scalar("SELECT count(*)::int FROM queue.jobs", as: Int.self) == 2)
            let job = try #require(try await db.client.job(id: ids[0]))
            #expect(job.args.contains(#""text": "}, {\"kind\": \"x\"} ] [""#), "\(job.args)")
        }
    }
}
