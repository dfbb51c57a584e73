package io.keepsake.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;

/** Settings under {@code keepsake.access-logs.}: how long a visitor's log of a snapshot is kept. */
public interface AccessLogsConfig {
    /** A log whose last visit is older than this is deleted by the retention sweep. */
    @WithDefault("365d")
    Duration retention();

    /** How often the retention sweep runs. */
    @WithDefault("1h")
    Duration sweepEvery();
}
