package io.keepsake.config;

import io.smallrye.config.WithDefault;

/** Settings under {@code keepsake.built-in-users.}: the guard on built-in users under the production profile. */
public interface BuiltInUsersConfig {
    /**
     * Whether the service may start under the production profile with built-in users (known
     * passwords) configured; without it, it refuses to start and names this setting.
     */
    @WithDefault("false")
    boolean allowInProduction();
}
