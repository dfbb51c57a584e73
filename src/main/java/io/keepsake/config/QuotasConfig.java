package io.keepsake.config;

import java.time.Duration;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.WithDefault;

/** Settings under {@code keepsake.quotas.}: what one user may keep in the store. */
public interface QuotasConfig {
    /** Live sessions one user may hold; a create past it is 409. */
    @WithDefault("1000")
    long maxSessionsPerUser();

    /** Live snapshots one user may hold; a create past it is 409. */
    @WithDefault("5000")
    long maxSnapshotsPerUser();

    /** Canonical content bytes of one user's live sessions and snapshots together; a write past it is 413. */
    @WithDefault("512M")
    MemorySize maxStoredBytesPerUser();

    /**
     * How long a create, delete or resize made far from the limits waits before it is added to its
     * user's usage document, with every other user's of that moment, in one store command.
     */
    @WithDefault("2s")
    Duration usageFlushAfter();

    /**
     * How often usage documents changed since they were last counted (and quiet for a minute) are
     * counted again from the sessions and snapshots themselves: a change that an instance held when
     * it stopped, or a reservation whose insert never happened, is made good then.
     */
    @WithDefault("10m")
    Duration reconcileEvery();
}
