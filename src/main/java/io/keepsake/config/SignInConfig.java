package io.keepsake.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.WithDefault;

/** Settings under {@code keepsake.sign-in.}: where a browser goes around signing in and out, and who else may sign it in. */
public interface SignInConfig {
    /** Where a browser goes after signing in (when it came from nowhere else) and after signing out. */
    @WithDefault("/")
    String landingPage();

    /**
     * How soon every replica refuses the sign-in cookies a user held when they signed out: each
     * replica reads a user's last sign-out at most this often (no store read per request).
     */
    @WithDefault("5s")
    Duration signOutSeenWithin();

    /** Sign-in by the original workbench's own back end ({@code keepsake.sign-in.original.}). */
    Original original();

    /**
     * The original workbench signs its users in itself (its code flow, its session cookie). With
     * {@code user-url} set, a request that carries that cookie is signed in as the user that URL
     * names when Keepsake asks it, server to server, with the cookie.
     */
    interface Original {
        /** The original back end's "who is signed in" URL, e.g. {@code http://webviz-backend:5000/api/logged_in_user}; unset: off. */
        Optional<URI> userUrl();

        /** The name of the original back end's session cookie. */
        @WithDefault("session")
        String cookie();

        /** How long an answer naming a user is believed: a sign-out there is seen here at most this much later. */
        @WithDefault("10s")
        Duration cacheFor();

        /** How long Keepsake waits for that answer; then the request gets 503 with Retry-After. */
        @WithDefault("3s")
        Duration deadline();

        /** How many signed-in cookies' answers are kept (by the SHA-256 of the cookie). */
        @WithDefault("10000")
        int cacheSize();
    }
}
