package io.keepsake.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;

/** Settings under {@code keepsake.store.}: how requests are answered while the store is unreachable, slow or throttling. */
public interface StoreConfig {
    /** Retry-After sent with 503 responses while the store is unreachable. */
    @WithDefault("2s")
    Duration retryAfter();

    /**
     * How long a request (or a background command) keeps sending again what Cosmos DB throttled
     * (error 16500) before its 503: keep it below the clients' patience.
     */
    @WithDefault("3s")
    Duration throttleRetryWithin();

    /**
     * How long one request's store commands together (a background command alone) may wait for the store
     * before a 503: far above what a healthy store needs (a 1.5 MiB save, 3 s of throttling retries), and
     * below clients' time-outs.
     */
    @WithDefault("10s")
    Duration requestDeadline();
}
