import Fantasy
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import Notify
import PostgresNIO
import Queue
import ServiceLifecycle

/// The HTTP + WebSocket server of `huddle serve` and `huddle all`, with the services it needs: the event feed
/// (one LISTEN connection per process) and, shut down first, the closer that ends every socket with 1001.
struct HuddleServer {
    /// How the server runs.
    struct Configuration: Sendable {
        /// Listen address (default 127.0.0.1).
        var host = "127.0.0.1"
        /// Listen port (default 8000; 0 picks a free one).
        var port = 8000
        /// How often the server pings each socket; a peer that misses a pong is closed (default 30 s).
        var pingInterval: Duration = .seconds(30)
        /// The largest WebSocket message accepted; larger frames close the socket with 1009 (default 64 KiB).
        var maxMessageBytes = 64 * 1024
        /// Messages a socket may have waiting before it is closed with 1013 (default 1,024).
        var outboxCapacity = 1024
        /// How long a socket being closed by the server (too slow, token expired, shutdown) may take to accept
        /// the close frame before its connection is dropped (default 5 s).
        var closeGrace: Duration = .seconds(5)
        /// The dashboard's static files, served at `/` (default `web`, relative to the working directory);
        /// nil or a missing folder serves none.
        var webRoot: String? = "web"
        /// The job kinds the API accepts.
        var kinds = KindCatalog.huddle
    }

    let services: [any Service]
    let hub: Hub
    let metrics: QueueMetrics

    /// Assembles the server on `postgres` (which the caller runs, before these services) and `database`
    /// (for the feed's LISTEN connection). `onRunning` gets the bound port.
    init(configuration: Configuration, postgres: PostgresClient, database: DatabaseURL, authority: TokenAuthority,
         logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) {
        let hub = Hub()
        let feed = EventFeed(database: database, postgres: postgres, hub: hub, logger: logger)
        let client = QueueClient(postgres: postgres, logger: logger)
        let metrics = QueueMetrics(postgres: postgres)

        let router = Router(context: HuddleRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        if let root = configuration.webRoot {
            if FileManager.default.fileExists(atPath: root + "/index.html") {
                // Tried after the routes: only what no route answers is looked up as a file.
                router.add(middleware: FileMiddleware(root, searchForIndexHtml: true, logger: logger))
            } else {
                logger.notice("no dashboard: \(root)/index.html not found (set --web-root)")
            }
        }
        HealthRoutes(postgres: postgres, database: database, feed: feed, metrics: metrics).add(to: router)
        WebSocketRoute(hub: hub, postgres: postgres, authority: authority, maxMessageBytes: configuration.maxMessageBytes,
                       outboxCapacity: configuration.outboxCapacity, closeGrace: configuration.closeGrace).add(to: router)
        let api = router.group("api/v1").add(middleware: AuthMiddleware(authority: authority))
        JobRoutes(client: client, kinds: configuration.kinds).add(to: api)
        NotificationRoutes(client: client).add(to: api)
        StatsRoutes(postgres: postgres).add(to: api)
        ScheduleRoutes(client: client, kinds: configuration.kinds).add(to: api)
        AgentRoutes(client: client, store: FantasyStore(postgres: postgres, logger: logger), kinds: configuration.kinds).add(to: api)

        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade(
                webSocketRouter: router,
                configuration: .init(ws: .init(maxFrameSize: configuration.maxMessageBytes,
                                               autoPing: .enabled(timePeriod: configuration.pingInterval),
                                               closeTimeout: .seconds(5)))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "huddle"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
        self.services = [feed, app, SocketCloser(hub: hub)]
        self.hub = hub
        self.metrics = metrics
    }
}

/// Placed after the application in the ServiceGroup so it shuts down first: ends every socket with 1001
/// ("going away") so clients reconnect elsewhere and resume.
struct SocketCloser: Service {
    let hub: Hub

    func run() async throws {
        try? await gracefulShutdown()
        hub.endAll(.shutdown)
    }
}
