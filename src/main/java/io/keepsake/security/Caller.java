package io.keepsake.security;

import jakarta.enterprise.context.RequestScoped;

import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * The authenticated caller, from Quarkus' {@link SecurityIdentity} whatever the mechanism
 * (built-in users with HTTP Basic by default, OIDC bearer tokens by configuration).
 */
@RequestScoped
public class Caller {

    private final SecurityIdentity identity;

    public Caller(SecurityIdentity identity) {
        this.identity = identity;
    }

    /** The caller's user id: the owner of what they create. */
    public String id() {
        if (identity.isAnonymous()) {
            throw new UnauthorizedException();
        }
        return identity.getPrincipal().getName();
    }
}
