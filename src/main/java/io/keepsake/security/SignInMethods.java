package io.keepsake.security;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.Config;

/**
 * How a caller can sign in here, as the {@code WWW-Authenticate} challenge of a 401 names it:
 * {@code Basic} only while there are built-in users, {@code Bearer} while an OIDC issuer is
 * configured. A challenge that offers what is not accepted sends clients the wrong way.
 */
@ApplicationScoped
public class SignInMethods {

    private final boolean basic;
    private final String challenge;

    public SignInMethods(Config config) {
        this.basic = config.getOptionalValue("quarkus.http.auth.basic", Boolean.class).orElse(false)
                && !BuiltInUsers.names(config).isEmpty();
        boolean bearer = config.getOptionalValue("quarkus.oidc.tenant-enabled", Boolean.class).orElse(true)
                && config.getOptionalValue("quarkus.oidc.auth-server-url", String.class).isPresent();
        List<String> challenges = new ArrayList<>();
        if (basic) {
            challenges.add("Basic realm=\"Keepsake\"");
        }
        if (bearer) {
            challenges.add("Bearer realm=\"Keepsake\"");
        }
        this.challenge = challenges.isEmpty() ? null : String.join(", ", challenges);
    }

    /** The 401 challenge: every scheme accepted here, or null when none is. */
    public String challenge() {
        return challenge;
    }

    /** Whether built-in users sign in with HTTP Basic. */
    public boolean basic() {
        return basic;
    }
}
