package io.keepsake.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;

/** Settings under {@code keepsake.revisions.}: the history of each session's changes. */
public interface RevisionsConfig {
    /** Whether every change of a session keeps the state it replaced; false switches history off. */
    @WithDefault("true")
    boolean enabled();

    /** Revisions kept per session: the last this many (a later one takes the place of the one this many before it). */
    @WithDefault("100")
    int maxCount();

    /** How long a revision is kept after it was replaced; older ones are hidden and then swept. */
    @WithDefault("P90D")
    Duration maxAge();

    /** How often revisions older than max-age are swept. */
    @WithDefault("1h")
    Duration sweepEvery();
}
