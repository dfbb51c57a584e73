package io.keepsake.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;

/** Settings under {@code keepsake.tasks.}: the background task queue: polling, leases, retries and clean-up. */
public interface TasksConfig {
    /** Whether this instance runs tasks (every instance may; leases keep them from colliding). */
    @WithDefault("true")
    boolean enabled();

    /** How soon the runner looks again after a look that found tasks; waits after looks that find none double from it. */
    @WithDefault("1s")
    Duration pollEvery();

    /** Longest wait between looks that find nothing: bounds the wait of tasks enqueued elsewhere or left by a stopped instance. */
    @WithDefault("5m")
    Duration idlePollEvery();

    /** How long a claimed task is reserved for its runner; after that another may take it. */
    @WithDefault("60s")
    Duration lease();

    /** Delay before the first retry; each further retry waits twice as long. */
    @WithDefault("1s")
    Duration backoff();

    /** Retries after the first attempt before a task is parked as dead. */
    @WithDefault("3")
    int maxRetries();

    /** Most tasks one poll starts. */
    @WithDefault("16")
    int batch();

    /** On shutdown, how long running tasks may finish before their leases are handed back. */
    @WithDefault("5s")
    Duration shutdownGrace();

    /** How long done tasks are kept (for operators to look at) before they are swept. */
    @WithDefault("1d")
    Duration keepDone();
}
