package io.keepsake.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;

/** Settings under {@code keepsake.store.}: how requests are answered while the store is unreachable or throttling. */
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
}
