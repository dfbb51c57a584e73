package io.keepsake.web;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.vertx.core.http.HttpServerRequest;

/**
 * Cross-site request forgery protection for browsers signed in with a cookie: a POST, PUT, PATCH
 * or DELETE that carries a sign-in cookie and no Authorization header is refused (403) unless the
 * browser says it comes from this very origin ({@code Sec-Fetch-Site: same-origin}) or its
 * {@code Origin} (else its {@code Referer}) is this service's origin or one of the CORS origins.
 * A page's own {@code fetch} calls pass without any extra header; requests with an Authorization
 * header are not affected (a browser never adds one to a forged request).
 */
class CrossSiteGuard {

    private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");
    /** Prefix of Quarkus OIDC's session cookies (per tenant, possibly in chunks). */
    private static final String OIDC_SESSION_COOKIE = "q_session";

    private final String formCookie;
    private final Set<String> allowed;

    CrossSiteGuard(@ConfigProperty(name = "quarkus.http.auth.form.cookie-name", defaultValue = "quarkus-credential")
            String formCookie,
            @ConfigProperty(name = "quarkus.http.cors.origins") Optional<List<String>> corsOrigins) {
        this.formCookie = formCookie;
        // Regular-expression origins (/.../) are not used here: only exact origins are trusted.
        this.allowed = corsOrigins.orElse(List.of()).stream().filter(o -> !o.startsWith("/"))
                .map(CrossSiteGuard::normalize).filter(o -> o != null).collect(Collectors.toUnmodifiableSet());
    }

    @ServerRequestFilter
    void check(ContainerRequestContext request, HttpServerRequest http) {
        if (!WRITES.contains(request.getMethod()) || request.getHeaderString(HttpHeaders.AUTHORIZATION) != null
                || !signedInByCookie(request.getCookies())) {
            return;
        }
        if ("same-origin".equalsIgnoreCase(request.getHeaderString("Sec-Fetch-Site"))) {
            return;
        }
        String origin = request.getHeaderString("Origin");
        if (origin == null || origin.isBlank() || origin.equals("null")) {
            origin = request.getHeaderString("Referer");
        }
        String from = origin == null ? null : normalize(origin);
        if (from != null && (from.equals(normalize(http.absoluteURI())) || allowed.contains(from))) {
            return;
        }
        throw new ApiProblem(403, "Forbidden", "Cross-site request refused: a change made with a sign-in cookie must "
                + "come from this site or an allowed origin");
    }

    private boolean signedInByCookie(Map<String, Cookie> cookies) {
        for (String name : cookies.keySet()) {
            if (name.equals(formCookie) || name.startsWith(OIDC_SESSION_COOKIE)) {
                return true;
            }
        }
        return false;
    }

    /** {@code scheme://host:port} of a URL or origin, default ports made explicit; null if it is not one. */
    static String normalize(String url) {
        try {
            URI uri = URI.create(url.trim());
            String scheme = uri.getScheme();
            String host = uri.getHost();
            if (scheme == null || host == null) {
                return null;
            }
            scheme = scheme.toLowerCase(Locale.ROOT);
            int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
            return scheme + "://" + host.toLowerCase(Locale.ROOT) + ":" + port;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
