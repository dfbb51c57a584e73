package io.keepsake.config;

import io.smallrye.config.WithDefault;

/** Settings under {@code keepsake.sign-in.}: where a browser goes around signing in and out. */
public interface SignInConfig {
    /** Where a browser goes after signing in (when it came from nowhere else) and after signing out. */
    @WithDefault("/")
    String landingPage();
}
