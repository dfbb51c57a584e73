package io.keepsake.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.WithDefault;

/** Settings under {@code keepsake.batch.}: what one {@code POST /persistence/batch} may hold. */
public interface BatchConfig {
    /** Most operations in one batch; more is 413 naming this setting. */
    @WithDefault("100")
    int maxOperations();

    /** Largest batch body (within {@code quarkus.http.limits.max-body-size}); larger is 413 naming this setting. */
    @WithDefault("3M")
    MemorySize maxBytes();

    /**
     * Session writes a user's write-rate bucket holds for batches: a batch may take this many at once
     * (one full batch), where single requests see only twice the rate of it.
     */
    @WithDefault("100")
    int writeBurst();
}
