package io.keepsake.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;

/** Settings under {@code keepsake.store.}: how requests are answered while the store is unreachable. */
public interface StoreConfig {
    /** Retry-After sent with 503 responses while the store is unreachable. */
    @WithDefault("2s")
    Duration retryAfter();
}
