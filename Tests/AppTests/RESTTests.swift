import Foundation
import HTTPTypes
import PostgresNIO
import Testing
import TestSupport
@testable import App
@testable import Queue

/// The REST API over real HTTP against a live server: who may do what, paging, error bodies and statuses.
@Suite("REST API")
struct RESTTests {
    private func code(_ body: JSONValue?) -> String? { body?["error"]?.string("code") }

    @Test func jobsAreCreatedListedAndChangedOnlyByTheirOwnerOrAnAdmin() async throws {
        try await TestDatabase.with { db async throws in
            try await LiveServer.with(db) { server async throws in
                let alice = try await server.token("alice")
                let bob = try await server.token("bob")
                let admin = try await server.token("ops", admin: true)

                let (created, job, _) = try await server.request(.post, "/api/v1/jobs", token: alice, json: #"{"kind":"sleep","args":{"ms":10}}"#)
                #expect(created == .created)
                #expect(job?.string("user_id") == "alice")
                #expect(job?.string("status") == "pending")
                let id = try #require(job?.eventID)

                #expect(try await server.request(.post, "/api/v1/jobs", token: alice, json: #"{"kind":"noop"}"#).0 == .forbidden)
                let (tooLong, tooLongBody, _) = try await server.request(.post, "/api/v1/jobs", token: alice, json: #"{"kind":"sleep","args":{"ms":999999}}"#)
                #expect(tooLong == .unprocessableContent)
                #expect(code(tooLongBody) == "invalid_request")
                #expect(try await server.request(.post, "/api/v1/jobs", token: alice, json: #"{"kind":"mystery"}"#).0 == .unprocessableContent)
                #expect(try await server.request(.post, "/api/v1/jobs", token: alice,
                                                 json: #"{"kind":"sleep","args":{"ms":1},"user_id":"bob"}"#).0 == .forbidden)
                #expect(try await server.request(.post, "/api/v1/jobs", token: alice, json: #"{"kind":"sleep","max_attempts":0,"args":{"ms":1}}"#).0
                        == .unprocessableContent, "the SQL API's own checks answer 422")
                let (adminMade, forBob, _) = try await server.request(.post, "/api/v1/jobs", token: admin, json: #"{"kind":"noop","user_id":"bob"}"#)
                #expect(adminMade == .created)
                #expect(forBob?.string("user_id") == "bob")

                #expect(try await server.request(.get, "/api/v1/jobs/\(id)", token: alice).0 == .ok)
                let (hidden, hiddenBody, _) = try await server.request(.get, "/api/v1/jobs/\(id)", token: bob)
                #expect(hidden == .notFound, "another user's job does not exist for bob")
                #expect(code(hiddenBody) == "not_found")
                #expect(try await server.request(.post, "/api/v1/jobs/\(id)/cancel", token: bob).0 == .notFound)

                _ = try await server.request(.post, "/api/v1/jobs", token: alice, json: #"{"kind":"sleep","args":{"ms":20}}"#)
                let (_, page1, _) = try await server.request(.get, "/api/v1/jobs?limit=1", token: alice)
                guard case let .array(first)? = page1?["jobs"], case let .number(cursor)? = page1?["next_before"] else {
                    Issue.record("a first page with a cursor: \(String(describing: page1))")
                    return
                }
                #expect(first.count == 1)
                let (_, page2, _) = try await server.request(.get, "/api/v1/jobs?limit=1&before=\(Int64(cursor))", token: alice)
                guard case let .array(second)? = page2?["jobs"] else { Issue.record("a second page"); return }
                #expect(second.first?.eventID == id, "newest first, then older")
                let (_, all, _) = try await server.request(.get, "/api/v1/jobs?state=available", token: alice)
                if case let .array(jobs)? = all?["jobs"] { #expect(jobs.count == 2 && jobs.allSatisfy { $0.string("user_id") == "alice" }) }
                #expect(try await server.request(.get, "/api/v1/jobs?state=bogus", token: alice).0 == .unprocessableContent)

                let (_, cancelled, _) = try await server.request(.post, "/api/v1/jobs/\(id)/cancel", token: alice)
                #expect(cancelled?["changed"] == .bool(true))
                #expect(cancelled?["job"]?.string("state") == "cancelled")
                let (_, retried, _) = try await server.request(.post, "/api/v1/jobs/\(id)/retry", token: alice)
                #expect(retried?["changed"] == .bool(true))
                #expect(retried?["job"]?.string("status") == "pending")
            }
        }
    }

    @Test func errorsAreJSONWithTheRightStatus() async throws {
        try await TestDatabase.with { db async throws in
            try await LiveServer.with(db) { server async throws in
                let alice = try await server.token("alice")
                let (missing, missingBody, _) = try await server.request(.get, "/api/v1/nowhere", token: alice)
                #expect(missing == .notFound)
                #expect(code(missingBody) == "not_found")
                let (bad, badBody, _) = try await server.request(.post, "/api/v1/jobs", token: alice, json: "{not json")
                #expect(bad == .badRequest)
                #expect(code(badBody) == "bad_request")
                let huge = #"{"kind":"sleep","args":{"pad":""# + String(repeating: "x", count: 70_000) + #""}}"#
                let (tooBig, tooBigBody, _) = try await server.request(.post, "/api/v1/jobs", token: alice, json: huge)
                #expect(tooBig == .contentTooLarge)
                #expect(code(tooBigBody) == "payload_too_large")
                let (expired, _, _) = try await server.request(.get, "/api/v1/jobs", token: try await server.token("alice", ttl: .seconds(-10)))
                #expect(expired == .unauthorized)
            }
        }
    }

    @Test func schedulesAreForAdmins() async throws {
        try await TestDatabase.with { db async throws in
            try await LiveServer.with(db) { server async throws in
                let alice = try await server.token("alice")
                let admin = try await server.token("ops", admin: true)
                #expect(try await server.request(.get, "/api/v1/schedules", token: alice).0 == .forbidden)
                let (made, schedule, _) = try await server.request(.post, "/api/v1/schedules", token: admin,
                                                                   json: #"{"name":"pulse","kind":"noop","every_seconds":60}"#)
                #expect(made == .created)
                #expect(schedule?.string("every") == "00:01:00")
                #expect(try await server.request(.post, "/api/v1/schedules", token: admin,
                                                 json: #"{"name":"pulse","kind":"noop","every_seconds":60}"#).0 == .conflict)
                let (badCron, badCronBody, _) = try await server.request(.post, "/api/v1/schedules", token: admin,
                                                                         json: #"{"name":"x","kind":"noop","cron":"61 * * * *"}"#)
                #expect(badCron == .unprocessableContent)
                #expect(badCronBody?["error"]?.string("message")?.hasPrefix("minute 61 is out of range 0-59") == true)
                #expect(try await server.request(.post, "/api/v1/schedules", token: admin,
                                                 json: #"{"name":"x","kind":"mystery","every_seconds":5}"#).0 == .unprocessableContent)
                let (_, patched, _) = try await server.request(.patch, "/api/v1/schedules/pulse", token: admin,
                                                               json: #"{"cron":"0 9 * * MON","timezone":"Europe/Berlin","enabled":false}"#)
                #expect(patched?.string("cron") == "0 9 * * MON")
                #expect(patched?["enabled"] == .bool(false))
                #expect(patched?.string("timezone") == "Europe/Berlin")
                let (_, list, _) = try await server.request(.get, "/api/v1/schedules", token: admin)
                if case let .array(items)? = list?["schedules"] { #expect(items.count == 1) } else { Issue.record("a list") }
                #expect(try await server.request(.delete, "/api/v1/schedules/pulse", token: admin).0 == .noContent)
                #expect(try await server.request(.get, "/api/v1/schedules/pulse", token: admin).0 == .notFound)
            }
        }
    }

    @Test func statsAndRunNowAreForAdminsAndTheDashboardIsServedBesideTheAPI() async throws {
        try await TestDatabase.with { db async throws in
            let web = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("web").path
            try await LiveServer.with(db, configure: { $0.webRoot = web }) { server async throws in
                let alice = try await server.token("alice")
                let admin = try await server.token("ops", admin: true)
                try await db.exec("SELECT queue.enqueue('noop', '{}')")
                #expect(try await server.request(.get, "/api/v1/stats", token: alice).0 == .forbidden)
                let (_, stats, _) = try await server.request(.get, "/api/v1/stats", token: admin)
                guard case let .array(rows)? = stats?["queues"] else { Issue.record("no queues: \(String(describing: stats))"); return }
                #expect(rows.contains { $0.string("queue") == "default" && $0.string("state") == "available" && $0["jobs"] == .number(1) })

                try await db.exec("SELECT queue.upsert_schedule('nightly', 'noop', every => '1 day')")
                #expect(try await server.request(.post, "/api/v1/schedules/nightly/run", token: alice).0 == .forbidden)
                #expect(try await server.request(.post, "/api/v1/schedules/nope/run", token: admin).0 == .notFound)
                let (ran, job, _) = try await server.request(.post, "/api/v1/schedules/nightly/run", token: admin)
                #expect(ran == .created)
                guard case let .number(jobID)? = job?["job_id"] else { Issue.record("no job_id: \(String(describing: job))"); return }
                #expect(try await db.scalar("SELECT schedule_name FROM queue.jobs WHERE id = \(Int64(jobID))", as: String.self) == "nightly")

                let (page, _, html) = try await server.request(.get, "/")
                #expect(page == .ok)
                #expect(html.lowercased().contains("<!doctype html"))
                let (script, _, js) = try await server.request(.get, "/huddle-client.js")
                #expect(script == .ok && js.contains("HuddleClient"))
                let (missing, body, _) = try await server.request(.get, "/no-such-page")
                #expect(missing == .notFound && code(body) == "not_found", "what is neither a route nor a file is still a JSON 404")
            }
        }
    }

    @Test func notificationsHistoryAgentsAndHealth() async throws {
        try await TestDatabase.with { db async throws in
            try await LiveServer.with(db) { server async throws in
                let alice = try await server.token("alice")
                for title in ["one", "two", "three"] {
                    try await db.exec("SELECT queue.notify_user('alice', 'injury', \(title), 'm')")
                }
                try await db.exec("SELECT queue.notify_user('bob', 'injury', 'not for alice', 'm')")
                let (_, page, _) = try await server.request(.get, "/api/v1/notifications?after=0&limit=2", token: alice)
                guard case let .array(first)? = page?["notifications"], case let .number(next)? = page?["next_after"] else {
                    Issue.record("a page: \(String(describing: page))")
                    return
                }
                #expect(first.compactMap { $0.string("title") } == ["one", "two"])
                let (_, rest, _) = try await server.request(.get, "/api/v1/notifications?after=\(Int64(next))", token: alice)
                if case let .array(items)? = rest?["notifications"] { #expect(items.compactMap { $0.string("title") } == ["three"]) }

                let (unknown, body, _) = try await server.request(.post, "/api/v1/agents/sit-start", token: alice,
                                                                  json: #"{"league_id":"1","roster_id":1}"#)
                #expect(unknown == .unprocessableContent)
                #expect(code(body) == "invalid_request")
                let job = try await db.scalar("SELECT queue.enqueue('sleep', '{\"ms\":1}', user_id => 'alice')", as: Int64.self)
                let (_, task, _) = try await server.request(.get, "/api/v1/agents/tasks/\(job)", token: alice)
                #expect(task?.string("task_id") == String(job))
                #expect(task?.string("status") == "pending")
                #expect(try await server.request(.get, "/api/v1/agents/tasks/\(job)", token: try await server.token("bob")).0 == .notFound)

                #expect(try await server.request(.get, "/healthz").0 == .ok)
                let (ready, readiness, _) = try await server.request(.get, "/readyz")
                #expect(ready == .ok)
                #expect(readiness?["listener"] == .bool(true))
                let (metricsStatus, _, metrics) = try await server.request(.get, "/metrics")
                #expect(metricsStatus == .ok)
                #expect(metrics.contains(#"huddle_jobs{queue="default",state="available"} 1"#))
                #expect(metrics.contains("huddle_queue_lag_seconds"))
            }
        }
    }
}
