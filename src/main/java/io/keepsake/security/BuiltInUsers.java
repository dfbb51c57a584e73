package io.keepsake.security;

import java.util.TreeSet;

import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.Config;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;

/** Says at start-up which built-in users (the embedded default's HTTP Basic users) can sign in. */
class BuiltInUsers {

    private static final String PREFIX = "quarkus.security.users.embedded.users.";

    void announce(@Observes StartupEvent event, Config config) {
        if (!config.getOptionalValue("quarkus.security.users.embedded.enabled", Boolean.class).orElse(false)) {
            return;
        }
        TreeSet<String> users = new TreeSet<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(PREFIX)) {
                users.add(name.substring(PREFIX.length()));
            }
        }
        if (users.isEmpty()) {
            Log.info("No built-in users: callers sign in with OIDC bearer tokens (they come with the embedded store only)");
        } else {
            Log.infof("Built-in users (HTTP Basic): %s; passwords are set in application.properties", String.join(", ", users));
        }
    }
}
