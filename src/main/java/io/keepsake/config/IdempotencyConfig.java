package io.keepsake.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;

/** Settings under {@code keepsake.idempotency.}: how a create's response is kept for replay under its Idempotency-Key. */
public interface IdempotencyConfig {
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
