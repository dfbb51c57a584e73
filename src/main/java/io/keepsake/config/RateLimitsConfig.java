package io.keepsake.config;

import io.smallrye.config.WithDefault;

/** Settings under {@code keepsake.rate-limits.}: requests per user (or client address), a token bucket per instance. */
public interface RateLimitsConfig {
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
