package io.keepsake.security;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.keepsake.KeepsakeConfig;
import io.keepsake.config.SignInConfig;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.BaseAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * Sign-in by the original workbench's own back end, for its front end as it is: a request that
 * carries the original's session cookie and no Authorization header is signed in as the user the
 * original names for that cookie ({@link OriginalSessions} asks it). Off unless
 * {@code keepsake.sign-in.original.user-url} is set. The cookie is a sign-in cookie like
 * Keepsake's own, so the cross-site guard covers it (see {@link #cookieName}).
 */
@ApplicationScoped
public class OriginalSignIn implements HttpAuthenticationMechanism {

    /** The original's session cookie, as this request carried it. */
    public static final class Request extends BaseAuthenticationRequest {

        private final String cookie;

        Request(String cookie) {
            this.cookie = cookie;
        }

        String cookie() {
            return cookie;
        }
    }

    private final String cookie;

    public OriginalSignIn(KeepsakeConfig config) {
        this.cookie = cookieName(config.signIn());
    }

    /** The original's session cookie while its sign-in is on, else null. */
    public static String cookieName(SignInConfig signIn) {
        return signIn.original().userUrl().isPresent() ? signIn.original().cookie() : null;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        Cookie session = cookie == null || context.request().getHeader(HttpHeaders.AUTHORIZATION) != null ? null
                : context.request().getCookie(cookie);
        if (session == null || session.getValue().isEmpty()) {
            return Uni.createFrom().nullItem();
        }
        AuthenticationRequest request = HttpSecurityUtils.setRoutingContextAttribute(new Request(session.getValue()), context);
        return identities.authenticate(request);
    }

    /** No challenge of its own: the 401 names the schemes a client can answer (see web.ProblemMapper). */
    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().nullItem();
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(Request.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return cookie == null ? Uni.createFrom().nullItem()
                : Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.COOKIE, cookie));
    }
}
