import Foundation
import Notify
import PostgresNIO
import Testing
import TestSupport

/// The database side of the real-time path that Notify's listener relies on: events are rows, and each
/// statement that appends them announces the newest id on `huddle_events` (ids only, never data).
@Suite("Event announcements")
struct EventAnnouncementTests {
    @Test func aStatementAppendingManyEventsAnnouncesItsNewestIdOnce() async throws {
        try await TestDatabase.with { db async throws in
            try await db.listening(on: NotifyChannel.events) { notifications async throws in
                // One statement, three rows (as a bulk insert from psql would be): one announcement.
                let ids = try await db.column("""
                    INSERT INTO queue.events (user_id, type, payload)
                    SELECT u, 'notification', '{"notification_type": "lineup", "title": "t", "message": "m", "data": {}}'
                      FROM unnest(ARRAY['alice', 'bob', 'carol']) AS u
                    RETURNING id
                    """, as: Int64.self)
                #expect(ids.count == 3)
                // A later statement's announcement marks the end: nothing else may arrive before it.
                let marker = try await db.client.notifyUser("dave", type: "marker", title: "m", message: "m")
                var payloads: [String] = []
                for try await notification in notifications {
                    payloads.append(notification.payload)
                    if notification.payload == String(marker) { break }
                }
                #expect(payloads == [String(ids.max()!), String(marker)])
            }
        }
    }

    @Test func anEventCarriesEverythingTheSocketNeedsWhileTheNotificationCarriesOnlyItsId() async throws {
        try await TestDatabase.with { db async throws in
            let bigMessage = String(repeating: "x", count: 20_000)  // far past NOTIFY's 8000-byte limit
            try await db.listening(on: NotifyChannel.events) { notifications async throws in
                let id = try await db.client.notifyUser("alice", type: "injury", title: "Long read", message: bigMessage)
                var iterator = notifications.makeAsyncIterator()
                #expect(try await iterator.next()?.payload == String(id))
                let stored = try await db.scalar("SELECT payload->>'message' FROM queue.events WHERE id = \(id)", as: String.self)
                #expect(stored == bigMessage)
            }
        }
    }
}
