package io.keepsake.config;

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
}
