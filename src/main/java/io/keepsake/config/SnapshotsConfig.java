package io.keepsake.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.WithDefault;

/** Settings under {@code keepsake.snapshots.}: share URLs, visit counting, caching of snapshot reads and lifetimes. */
public interface SnapshotsConfig {
    /** Public base URL of this service, for share URLs ({base}/s/{id}). */
    @WithDefault("http://localhost:8080")
    String publicBaseUrl();

    /** The workbench page a browser opening a share URL is sent to, with ?snapshot={id} (unless workbench-link is set): this service's own page by default. */
    @WithDefault("/")
    String workbenchUrl();

    /**
     * Where a browser opening a share URL is sent, {id} standing for the snapshot id, e.g.
     * https://workbench.example/snapshot/{id} (the original workbench's own route); unset: workbench-url.
     */
    Optional<String> workbenchLink();

    /** The share URL handed out with a snapshot, {id} standing for its id; unset: {public-base-url}/s/{id}. */
    Optional<String> shareUrl();

    /** A visitor's reads within this window of their last counted visit count once. */
    @WithDefault("5m")
    Duration visitWindow();

    /** How long a browser may cache a snapshot read (snapshots never change). */
    @WithDefault("1h")
    Duration cacheMaxAge();

    /** How long a snapshot read waits for its visit to be recorded before moving on. */
    @WithDefault("1s")
    Duration visitWriteTimeout();

    /**
     * How long a snapshot lasts when its create names no {@code expiresAt} (e.g. 30d or P30D); unset:
     * until its owner deletes it (or max-lifetime, when that is set).
     */
    Optional<Duration> defaultLifetime();

    /** The longest a snapshot may last from its creation: a later {@code expiresAt} is refused with 400; unset: no limit. */
    Optional<Duration> maxLifetime();

    /** How often snapshots whose end has come are swept: content dropped, visit logs marked, quota freed. */
    @WithDefault("10m")
    Duration endSweepEvery();
}
