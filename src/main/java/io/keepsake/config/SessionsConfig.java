package io.keepsake.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;

/** Settings under {@code keepsake.sessions.}: sessions that end. */
public interface SessionsConfig {
    /** How often sessions that went unchanged for their idle lifetime are looked for and deleted. */
    @WithDefault("1m")
    Duration idleSweepEvery();
}
