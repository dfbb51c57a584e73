package io.keepsake.web;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.keepsake.KeepsakeConfig;
import io.keepsake.security.OriginalSignIn;
import io.keepsake.security.SignInResource;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Cross-site request forgery protection for browsers signed in with a cookie: a POST, PUT, PATCH
 * or DELETE that carries a sign-in cookie (Keepsake's, OIDC's, or the original workbench's) and no
 * Authorization header is refused (403) unless the browser says it comes from this very origin
 * ({@code Sec-Fetch-Site: same-origin}) or its {@code Origin} (else its {@code Referer}) is this
 * service's origin or one of the CORS origins. A page's own {@code fetch} calls pass without any
 * extra header. Basic credentials are guarded too, since a browser that has cached them adds them
 * to a forged request: refused when the browser says the request comes from elsewhere; a script
 * (no {@code Origin}, {@code Referer} or {@code Sec-Fetch-Site}) is not affected, nor is a bearer
 * token, which no browser adds by itself. The login form's post is guarded as well (with no
 * cookie yet), so that another site cannot sign a browser in as someone else. It runs before
 * CORS, which would refuse a foreign origin too, but without saying why.
 */
class CrossSiteGuard {

    private static final Set<HttpMethod> WRITES = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE);
    /** Prefix of Quarkus OIDC's session cookies (per tenant, possibly in chunks). */
    static final String REFUSED = "Cross-site request refused: a change made with a sign-in cookie must come from this "
            + "site or an allowed origin";

    void install(@Observes Router router, Meters meters, Json json, Instance<ErrorBodies> surfaces, KeepsakeConfig config,
            @ConfigProperty(name = "quarkus.http.auth.form.cookie-name", defaultValue = "quarkus-credential") String formCookie,
            @ConfigProperty(name = "quarkus.http.auth.form.post-location", defaultValue = "/j_security_check") String loginPost,
            @ConfigProperty(name = "quarkus.http.cors.origins") Optional<List<String>> corsOrigins) {
        // Regular-expression origins (/.../) are not used here: only exact origins are trusted.
        Set<String> allowed = corsOrigins.orElse(List.of()).stream().filter(o -> !o.startsWith("/"))
                .map(CrossSiteGuard::normalize).filter(o -> o != null).collect(Collectors.toUnmodifiableSet());
        List<ErrorBodies> shapes = surfaces.stream().toList();
        String originalCookie = OriginalSignIn.cookieName(config.signIn());
        Set<String> cookies = originalCookie == null ? Set.of(formCookie) : Set.of(formCookie, originalCookie);
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            if (!refused(ctx.request(), cookies, allowed, loginPost)) {
                ctx.next();
                return;
            }
            meters.problem(403);
            String path = ctx.request().path();
            Object body = shapes.stream().filter(s -> s.covers(path)).findFirst()
                    .map(shape -> (Object) json.write(shape.body(403, REFUSED)))
                    .orElse(null);
            String type = body != null ? "application/json" : Problem.MEDIA_TYPE;
            String text = body != null ? (String) body : new JsonObject().put("title", "Forbidden").put("status", 403)
                    .put("detail", REFUSED).put("instance", path).encode();
            ctx.response().setStatusCode(403).putHeader(HttpHeaders.CONTENT_TYPE, type).end(text);
        });
    }

    static boolean refused(HttpServerRequest request, Set<String> cookies, Set<String> allowed, String loginPost) {
        if (!WRITES.contains(request.method())) {
            return false;
        }
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        // A browser adds a cookie, and Basic credentials it has cached, to a forged request; never a bearer token.
        boolean basic = authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6);
        if (authorization != null && !basic) {
            return false;
        }
        boolean cookie = authorization == null && signedInByCookie(request, cookies);
        boolean login = request.method() == HttpMethod.POST && request.path().equals(loginPost);
        // Only a cookie is refused when nothing says where the request comes from: a script sends
        // credentials, or posts the login form, without Origin, Referer or Sec-Fetch-Site.
        return (cookie || basic || login) && fromElsewhere(request, allowed, cookie);
    }

    private static boolean fromElsewhere(HttpServerRequest request, Set<String> allowed, boolean unknownIsElsewhere) {
        String site = request.getHeader("Sec-Fetch-Site");
        if ("same-origin".equalsIgnoreCase(site)) {
            return false;
        }
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (origin == null || origin.isBlank() || origin.equals("null")) {
            origin = request.getHeader(HttpHeaders.REFERER);
        }
        if (origin == null && site == null) {
            return unknownIsElsewhere;
        }
        String from = origin == null ? null : normalize(origin);
        return from == null || !(from.equals(normalize(request.absoluteURI())) || allowed.contains(from));
    }

    /** Whether the request carries a cookie that signs it in: the login form's, the original workbench's, or OIDC's. */
    private static boolean signedInByCookie(HttpServerRequest request, Set<String> cookies) {
        for (String name : request.cookieMap().keySet()) {
            if (cookies.contains(name) || name.startsWith(SignInResource.OIDC_SESSION_COOKIE)) {
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
