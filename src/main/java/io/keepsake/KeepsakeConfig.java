package io.keepsake;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Every Keepsake setting, under the {@code keepsake.} prefix. */
@ConfigMapping(prefix = "keepsake")
public interface KeepsakeConfig {

    Limits limits();

    Paging paging();

    Idempotency idempotency();

    Store store();

    Tasks tasks();

    Snapshots snapshots();

    RateLimits rateLimits();

    Notices notices();

    Webviz webviz();

    SignIn signIn();

    BuiltInUsers builtInUsers();

    Quotas quotas();

    interface Limits {
        /** Largest accepted content, measured as UTF-8 bytes of its canonical JSON form (1.5 MiB). */
        @WithDefault("1572864")
        int maxContentBytes();

        /** Longest title, in characters after trimming. */
        @WithDefault("50")
        int maxTitleLength();

        /** Longest description, in characters. */
        @WithDefault("250")
        int maxDescriptionLength();

        /** Deepest nesting of arrays and objects accepted in a request body. */
        @WithDefault("200")
        int maxJsonDepth();

        /**
         * Most JSON tokens (values, member names, brackets) in a request body: what bounds the memory a
         * parse takes (a million tokens of empty objects is about 40 MB of tree; dense 1.5 MiB content has
         * fewer).
         */
        @WithDefault("1000000")
        long maxJsonTokens();

        /** Bodies above this many bytes are parsed only a few at a time (see {@code large-parses}). */
        @WithDefault("65536")
        int largeBodyBytes();

        /** How many large bodies are parsed at once; more wait for a turn. */
        @WithDefault("2")
        int largeParses();

        /** How long a large body waits for its turn before the request gets 503 with Retry-After. */
        @WithDefault("3s")
        Duration largeParseWait();
    }

    interface Paging {
        /** Page size when the client names none. */
        @WithDefault("20")
        int defaultPageSize();

        /** Largest page size a client may ask for; larger requests are clamped. */
        @WithDefault("100")
        int maxPageSize();
    }

    interface Idempotency {
        /** How long a create's response is kept for replay under its Idempotency-Key. */
        @WithDefault("24h")
        Duration retention();

        /** How long a first attempt may run before a retry with the same key may take over. */
        @WithDefault("30s")
        Duration lockTimeout();

        /** How often expired idempotency records are swept (stores without TTL indexes need it). */
        @WithDefault("10m")
        Duration sweepEvery();
    }

    interface Tasks {
        /** Whether this instance runs tasks (every instance may; leases keep them from colliding). */
        @WithDefault("true")
        boolean enabled();

        /** How often the runner looks for due tasks while it finds some. */
        @WithDefault("1s")
        Duration pollEvery();

        /** Longest pause between looks at an idle queue (tasks enqueued by this instance are looked for at once). */
        @WithDefault("10s")
        Duration idlePollEvery();

        /** How long a claimed task is reserved for its runner; after that another may take it. */
        @WithDefault("60s")
        Duration lease();

        /** Delay before the first retry; each further retry waits twice as long. */
        @WithDefault("1s")
        Duration backoff();

        /** Retries after the first attempt before a task is parked as dead. */
        @WithDefault("3")
        int maxRetries();

        /** Most tasks one poll starts. */
        @WithDefault("16")
        int batch();

        /** On shutdown, how long running tasks may finish before their leases are handed back. */
        @WithDefault("5s")
        Duration shutdownGrace();

        /** How long done tasks are kept (for operators to look at) before they are swept. */
        @WithDefault("1d")
        Duration keepDone();
    }

    interface Snapshots {
        /** Public base URL of this service, for share URLs ({base}/s/{id}). */
        @WithDefault("http://localhost:8080")
        String publicBaseUrl();

        /** The workbench page a browser opening a share URL is sent to, with ?snapshot={id} (unless workbench-link is set): this service's own page by default. */
        @WithDefault("/")
        String workbenchUrl();

        /**
         * Where a browser opening a share URL is sent, {id} standing for the snapshot id, e.g.
         * https://workbench.example/snapshot/{id} (the original workbench's own route); unset: workbench-url.
         */
        Optional<String> workbenchLink();

        /** The share URL handed out with a snapshot, {id} standing for its id; unset: {public-base-url}/s/{id}. */
        Optional<String> shareUrl();

        /** A visitor's reads within this window of their last counted visit count once. */
        @WithDefault("5m")
        Duration visitWindow();

        /** How long a browser may cache a snapshot read (snapshots never change). */
        @WithDefault("1h")
        Duration cacheMaxAge();

        /** How long a snapshot read waits for its visit to be recorded before moving on. */
        @WithDefault("1s")
        Duration visitWriteTimeout();
    }

    interface RateLimits {
        /** Snapshot reads per user per minute (token bucket, per instance). */
        @WithDefault("600")
        int snapshotReadsPerMinute();

        /** Snapshot creates per user per minute (token bucket, per instance). */
        @WithDefault("60")
        int snapshotCreatesPerMinute();

        /** Session creates, updates and deletes per user per second (token bucket, per instance). */
        @WithDefault("20")
        int sessionWritesPerSecond();

        /** WebSocket tickets per user per minute (token bucket, per instance). */
        @WithDefault("30")
        int ticketsPerMinute();

        /** Share-link opens ({@code /s/{id}}, no sign-in) per client address per minute (per instance). */
        @WithDefault("120")
        int shareLinksPerMinute();
    }

    interface Notices {
        /** How long notices are kept for clients to catch up on. */
        @WithDefault("24h")
        Duration retention();

        /** How notices reach every instance: auto (change stream if the store has one), change-stream, tailing. */
        @WithDefault("auto")
        String feed();

        /** How often the tailing feed looks for new notices, while users listen on this instance. */
        @WithDefault("100ms")
        Duration tailEvery();

        /** How often the tailing feed reads the log heads of every user listening here (catches late writes). */
        @WithDefault("5s")
        Duration reconcileEvery();

        /** How long a publication is retried while the store is unreachable before recovery takes over. */
        @WithDefault("5m")
        Duration publishRetryFor();

        /** How often notices left in outboxes (by an instance that stopped after a write) are published. */
        @WithDefault("5m")
        Duration recoverEvery();

        /**
         * How long a published outbox waits for the document's next write to clear it (in the same
         * command) before the publisher clears it with one command of its own.
         */
        @WithDefault("30s")
        Duration clearAfter();

        /**
         * How old an outbox entry must be before recovery publishes it: younger ones are still on their
         * way, or published and waiting to be cleared (keep it above clear-after).
         */
        @WithDefault("1m")
        Duration recoverAfter();

        /** Sessions whose current tag polls are answered from memory (0: always read the store). */
        @WithDefault("100000")
        int tagCacheSize();

        /**
         * Memory for the JSON of recently read sessions, answered from it under the same rule as
         * polls (a body larger than an eighth of this is never kept; 0: always read the store).
         */
        @WithDefault("32M")
        io.quarkus.runtime.configuration.MemorySize bodyCacheSize();

        /** Polls are answered from memory only while the notice feed has read the store within this. */
        @WithDefault("1s")
        Duration tagCacheMaxLag();

        /** Longest long-poll a client may ask for. */
        @WithDefault("30s")
        Duration maxWait();

        /** How long a WebSocket ticket is valid. */
        @WithDefault("60s")
        Duration ticketLifetime();

        /** Messages a WebSocket connection may have queued before it is dropped as too slow. */
        @WithDefault("1000")
        int maxPendingMessages();

        /** Malformed client messages tolerated per minute before the connection is closed. */
        @WithDefault("20")
        int maxErrorsPerMinute();

        /** Sessions one WebSocket connection may subscribe to. */
        @WithDefault("100")
        int maxSubscriptions();

        /** Messages a connection may send per second (a burst of twice as many passes); more close it. */
        @WithDefault("20")
        int maxMessagesPerSecond();

        /** Open WebSocket connections per user on one instance. */
        @WithDefault("20")
        int maxSocketsPerUser();

        /** Long polls one user may have waiting at once on one instance. */
        @WithDefault("10")
        int maxLongPollsPerUser();
    }

    interface Webviz {
        /**
         * Path prefix of the original workbench's compatible surface: it serves {prefix}/persistence/...,
         * so that the workbench's proxy maps /api/persistence to {prefix}/persistence.
         */
        @WithDefault("/webviz")
        String prefix();
    }

    interface SignIn {
        /** Where a browser goes after signing in (when it came from nowhere else) and after signing out. */
        @WithDefault("/")
        String landingPage();
    }

    interface Quotas {
        /** Live sessions one user may hold; a create past it is 409. */
        @WithDefault("1000")
        long maxSessionsPerUser();

        /** Live snapshots one user may hold; a create past it is 409. */
        @WithDefault("5000")
        long maxSnapshotsPerUser();

        /** Canonical content bytes of one user's live sessions and snapshots together; a write past it is 413. */
        @WithDefault("512M")
        io.quarkus.runtime.configuration.MemorySize maxStoredBytesPerUser();
    }

    interface BuiltInUsers {
        /**
         * Whether the service may start under the production profile with built-in users (known
         * passwords) configured; without it, it refuses to start and names this setting.
         */
        @WithDefault("false")
        boolean allowInProduction();
    }

    interface Store {
        /** Retry-After sent with 503 responses while the store is unreachable. */
        @WithDefault("2s")
        Duration retryAfter();
    }
}
