# The `huddle` image: one binary for every role (migrate, serve, work, schedule), chosen by the command:
#   docker build -t huddle .
#   docker run --rm -e DATABASE_URL=postgres://… huddle migrate
# docker-compose.yml runs it as postgres + a one-shot migrate + api + workers + a scheduler.

# ---- build: the full toolchain; only the binary leaves this stage ---------------------------------------
# Swift 6.2 at least: several pinned dependencies (hummingbird 2.28, swift-log 1.16, async-http-client 1.37, …)
# declare swift-tools-version 6.2, which a 6.1 toolchain refuses. 6.3 is what the development machines run.
# Built on Debian 12 (bookworm) like the runtime stage below, so glibc and libstdc++ match.
ARG SWIFT_IMAGE=swift:6.3-bookworm
FROM ${SWIFT_IMAGE} AS build
WORKDIR /build

# Dependencies first: this layer is reused until Package.swift (or a local Package.resolved) changes.
COPY Package.* ./
RUN swift package resolve

# The package: sources, the migrations the EmbedMigrations plugin compiles into the binary, the plugin itself,
# and Tests/ (SwiftPM checks every target's folder, test targets included, even for one product).
COPY . .

# --static-swift-stdlib links the Swift runtime and Foundation (with its ICU data) into the binary; only
# glibc, libstdc++ and libgcc_s stay dynamic, and debian:bookworm-slim has them.
RUN swift build -c release --product huddle --static-swift-stdlib \
    && mkdir -p /staging/bin /staging/app \
    && cp "$(swift build -c release --show-bin-path)/huddle" /staging/bin/ \
    # The static crash reporter: readable backtraces without the toolchain (see SWIFT_BACKTRACE below).
    && cp /usr/libexec/swift/linux/swift-backtrace-static /staging/bin/ \
    # Resource bundles SwiftPM built, if any target declares resources (none does today).
    && find -L "$(swift build -c release --show-bin-path)/" -maxdepth 1 -name '*.resources' -exec cp -Ra {} /staging/app/ \;

# ---- runtime: no toolchain, no compiler -------------------------------------------------------------------
FROM debian:bookworm-slim

# ca-certificates: TLS to PostgreSQL (sslmode=prefer/require) and outgoing HTTPS (the Sleeper API);
# tzdata: schedules with a cron time zone (queue.schedules.timezone) read /usr/share/zoneinfo;
# libstdc++6: still linked dynamically by --static-swift-stdlib;
# curl: docker-compose.yml's health check of `huddle serve` (GET /healthz).
# FoundationNetworking and FoundationXML are not used, so neither libcurl for Foundation nor libxml2 is needed.
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends ca-certificates tzdata libstdc++6 curl \
    && rm -rf /var/lib/apt/lists/*

# An unprivileged user with a numeric id (so Kubernetes' runAsNonRoot can verify it). It owns nothing in
# the image: the binary and the static files are root's and read-only to it.
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home --shell /usr/sbin/nologin huddle

WORKDIR /app
COPY --from=build /staging/bin/ /usr/local/bin/
COPY --from=build /staging/app/ /app/
# The dashboard's static files, served by `huddle serve`, and the offline demo league (`huddle demo load`,
# run from /app, reads demo/sleeper).
COPY web /app/web
COPY demo /app/demo

# Crash reports on standard error, symbolicated by the static backtracer, never waiting for a debugger.
ENV SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/usr/local/bin/swift-backtrace-static

USER 10001:10001
EXPOSE 8000
ENTRYPOINT ["huddle"]
CMD ["--help"]
