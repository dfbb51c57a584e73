package io.keepsake.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;

/** Settings under {@code keepsake.reads.}: answers from memory. */
public interface ReadsConfig {
    /** Longest a tag (and the JSON under it) is served from memory after the store read that found it. */
    @WithDefault("5s")
    Duration maxStaleness();
}
