package io.keepsake.security;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.Config;

import io.keepsake.KeepsakeConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;

/**
 * The built-in users (HTTP Basic, passwords in the configuration): they exist where a profile or
 * the operator names them ({@code quarkus.security.users.embedded.users.*}: the laptop profile
 * and the tests do). Under the production profile, a service with any of them refuses to start
 * unless {@code keepsake.built-in-users.allow-in-production} says they are meant.
 */
class BuiltInUsers {

    static final String PREFIX = "quarkus.security.users.embedded.users.";
    /** The same, as an environment variable names it. */
    private static final String ENV_PREFIX = "QUARKUS_SECURITY_USERS_EMBEDDED_USERS_";
    static final String ALLOW = "keepsake.built-in-users.allow-in-production";

    /** The configured built-in user names (none when Quarkus' embedded users are off). */
    static Set<String> names(Config config) {
        TreeSet<String> users = new TreeSet<>();
        if (config.getOptionalValue("quarkus.security.users.embedded.enabled", Boolean.class).orElse(false)) {
            for (String name : config.getPropertyNames()) {
                if (name.startsWith(PREFIX) && config.getOptionalValue(name, String.class).isPresent()) {
                    users.add(name.substring(PREFIX.length()));
                } else if (name.startsWith(ENV_PREFIX)) {
                    users.add(name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT));
                }
            }
        }
        return users;
    }

    void check(@Observes StartupEvent event, Config config, KeepsakeConfig keepsake, SignInMethods methods) {
        Set<String> users = names(config);
        boolean production = LaunchMode.current() == LaunchMode.NORMAL && ConfigUtils.isProfileActive("prod");
        if (!users.isEmpty() && production && !keepsake.builtInUsers().allowInProduction()) {
            throw new IllegalStateException("Built-in users with passwords from the configuration (" + String.join(", ", users)
                    + ") under the production profile: refusing to start. Remove them and sign users in with OIDC, "
                    + "run on a laptop with -Dquarkus.profile=laptop, or set " + ALLOW
                    + "=true (KEEPSAKE_BUILT_IN_USERS_ALLOW_IN_PRODUCTION) if they are meant");
        }
        if (!users.isEmpty()) {
            Log.infof("Built-in users (HTTP Basic): %s", String.join(", ", users));
        }
        if (methods.challenge() == null) {
            Log.warn("Nobody can sign in: there are no built-in users and no OIDC issuer. Configure OIDC "
                    + "(QUARKUS_OIDC_TENANT_ENABLED=true, QUARKUS_OIDC_AUTH_SERVER_URL, QUARKUS_OIDC_CLIENT_ID), "
                    + "or try Keepsake on a laptop with -Dquarkus.profile=laptop");
        }
    }
}
