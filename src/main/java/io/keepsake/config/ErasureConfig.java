package io.keepsake.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;

/** Settings under {@code keepsake.erasure.}: erasing everything of a user ({@code DELETE /persistence/me}). */
public interface ErasureConfig {
    /**
     * How long after it is asked for an erase starts: every replica then knows that the user's
     * writes are refused (seen-within) and writes already under way have ended (the store deadline).
     */
    @WithDefault("15s")
    Duration startAfter();

    /** A replica sees an erase asked for on another one at most this much later (one small read per user and period). */
    @WithDefault("5s")
    Duration seenWithin();
}
