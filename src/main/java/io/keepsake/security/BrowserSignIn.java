package io.keepsake.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.logging.Log;
import io.quarkus.oidc.TenantResolver;
import io.quarkus.vertx.http.security.HttpSecurity;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * Browser sign-in with OIDC: the authorization-code flow runs through {@code GET /login}, under
 * its own OIDC tenant ({@value #TENANT}), next to the bearer tokens of the default tenant. An
 * anonymous visit to {@code /login} is sent to the provider, which sends the browser back there;
 * from then on its session cookie signs it in. API calls that are not signed in get 401, not a
 * redirect (see {@code web.ProblemMapper}). With OIDC browser sign-in off, {@code /login} is the
 * built-in users' login form.
 */
class BrowserSignIn {

    /** The OIDC tenant of browser sign-in: {@code quarkus.oidc.web.*}. */
    static final String TENANT = "web";
    static final String ENABLED = "quarkus.oidc." + TENANT + ".tenant-enabled";

    void protectLogin(@Observes HttpSecurity http, @ConfigProperty(name = ENABLED, defaultValue = "false") boolean oidc) {
        if (oidc) {
            Log.info("Browser sign-in: OIDC authorization-code flow at /login");
            http.get("/login").authorizationCodeFlow().authenticated();
        }
    }

    /**
     * Picks the OIDC tenant of a request: a bearer token is always the default tenant's; the
     * sign-in page and requests carrying the browser tenant's cookies (its session, or the state
     * of a flow under way) are the browser tenant's.
     */
    @ApplicationScoped
    static class Tenants implements TenantResolver {

        /** Quarkus OIDC's name of the default tenant. */
        private static final String DEFAULT_TENANT = "Default";

        @Override
        public String resolve(RoutingContext context) {
            if (context.request().getHeader(HttpHeaders.AUTHORIZATION) != null) {
                return DEFAULT_TENANT;
            }
            if (context.normalizedPath().equals("/login")) {
                return TENANT;
            }
            for (String cookie : context.request().cookieMap().keySet()) {
                if (cookie.startsWith("q_session_" + TENANT) || cookie.startsWith("q_auth_" + TENANT)) {
                    return TENANT;
                }
            }
            return DEFAULT_TENANT;
        }
    }
}
