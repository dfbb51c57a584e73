package io.keepsake.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.Config;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Checks the built-in users' passwords (the embedded default's plain-text users, from
 * {@code quarkus.security.users.embedded.*}) on the calling thread. Quarkus' own provider for
 * them runs every check as blocking work on a worker thread: two thread hops on every request of
 * every poll. Declines (so that provider decides) when the users are hashed or off.
 */
@ApplicationScoped
public class BuiltInUsersIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    private static final String ROLES = "quarkus.security.users.embedded.roles.";

    private record User(byte[] password, Set<String> roles) {
    }

    private final Map<String, User> users = new HashMap<>();

    public BuiltInUsersIdentityProvider(Config config) {
        boolean enabled = config.getOptionalValue("quarkus.security.users.embedded.enabled", Boolean.class).orElse(false);
        boolean plain = config.getOptionalValue("quarkus.security.users.embedded.plain-text", Boolean.class).orElse(false);
        if (!enabled || !plain) {
            return;
        }
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(BuiltInUsers.PREFIX)) {
                String user = name.substring(BuiltInUsers.PREFIX.length());
                String password = config.getOptionalValue(name, String.class).orElse(null);
                if (password != null) {
                    String roles = config.getOptionalValue(ROLES + user, String.class).orElse("");
                    users.put(user, new User(password.getBytes(StandardCharsets.UTF_8),
                            Set.of(roles.isBlank() ? new String[0] : roles.trim().split("\\s*,\\s*"))));
                }
            }
        }
    }

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    /** Ahead of Quarkus' own provider for these users (whose priority is the default, SYSTEM_FIRST). */
    @Override
    public int priority() {
        return SYSTEM_FIRST + 100;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request,
            AuthenticationRequestContext context) {
        User user = users.get(request.getUsername());
        if (user == null) {
            return Uni.createFrom().nullItem(); // not ours: another provider may know the name
        }
        byte[] given = new String(request.getPassword().getPassword()).getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(user.password(), given)) {
            return Uni.createFrom().failure(new AuthenticationFailedException());
        }
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(request.getUsername()))
                .addRoles(user.roles())
                .addCredential(request.getPassword())
                .build());
    }
}
