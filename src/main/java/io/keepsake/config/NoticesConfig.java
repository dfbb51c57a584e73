package io.keepsake.config;

import java.time.Duration;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.WithDefault;

/** Settings under {@code keepsake.notices.}: the notice log, its feed and outboxes, polls from memory, sockets. */
public interface NoticesConfig {
    /** How long notices are kept for clients to catch up on. */
    @WithDefault("24h")
    Duration retention();

    /** How notices reach every instance: auto (change stream if the store has one), change-stream, tailing. */
    @WithDefault("auto")
    String feed();

    /** How often the tailing feed looks for new notices, only while users listen on this instance. */
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
    MemorySize bodyCacheSize();

    /** Polls are answered from memory only while the notice feed has read the store within this. */
    @WithDefault("1s")
    Duration tagCacheMaxLag();

    /**
     * How long a session's tag and JSON, and the listening to its owner's notices, are kept after
     * their last use; once nothing is kept, the instance's tailing feed stops.
     */
    @WithDefault("10m")
    Duration tagCacheExpireAfter();

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
