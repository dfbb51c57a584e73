package io.keepsake.config;

import java.time.Duration;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.WithDefault;

/** Settings under {@code keepsake.bodies.}: what request bodies being received may cost at once. */
public interface BodiesConfig {

    /**
     * Request bodies received at once, all requests together, counted before they are read: a
     * body's declared length, or the largest body allowed when it declares none. A body that
     * would pass it gets 503 with Retry-After at once, before any of it is buffered.
     */
    @WithDefault("48M")
    MemorySize inFlight();

    /**
     * The same for requests that carry no credentials at all (no Authorization header, no
     * cookie), which are refused later anyway: they share this much, and none may be larger than
     * {@code anonymous-size}.
     */
    @WithDefault("1M")
    MemorySize anonymousInFlight();

    /** Largest body of a request that carries no credentials (a sign-in form is far smaller). */
    @WithDefault("64K")
    MemorySize anonymousSize();

    /** How long a request's body may take to arrive in full; a slower one gets 408 and its connection is closed. */
    @WithDefault("30s")
    Duration readTimeout();
}
