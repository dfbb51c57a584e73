package io.keepsake.security;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.keepsake.KeepsakeConfig;
import io.keepsake.config.SignInConfig;
import io.keepsake.hashing.CanonicalJson;
import io.quarkus.logging.Log;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/**
 * Who the original workbench's back end says is signed in with a session cookie: Keepsake asks its
 * {@code user-url} (the original's {@code GET /api/logged_in_user}) with that cookie alone, as
 * Kubernetes' webhook token authentication asks its webhook. 200 names the user ({@code user_id},
 * the original's own id, so that documents imported from it stay theirs); 400 (the original's
 * "No user is logged in"), 401 and 403 mean nobody, which is a 401 here. No answer within the
 * deadline, or another status, is {@link Unavailable}: 503, never a guess.
 *
 * <p>An answer naming a user is kept for {@code cache-for} under the SHA-256 of the cookie (never
 * the cookie itself), so a busy user costs the original one call per that time, and a sign-out
 * there is seen here at most that much later. "Nobody" is not kept: a user who signs in there
 * keeps the same cookie and must be let in at once. Concurrent requests with one cookie share one
 * call.
 */
@ApplicationScoped
public class OriginalSessions implements IdentityProvider<OriginalSignIn.Request> {

    /** The longest user id taken from the original (its ids are object ids or e-mail-like names). */
    private static final int MAX_USER_ID = 256;

    /** The original's back end did not answer who is signed in: the request gets 503. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    private final URI url;
    private final String cookie;
    private final long deadlineMs;
    private final WebClient client;
    private final AsyncCache<String, String> users;

    public OriginalSessions(KeepsakeConfig config, Vertx vertx) {
        SignInConfig.Original original = config.signIn().original();
        this.url = original.userUrl().orElse(null);
        this.cookie = original.cookie();
        this.deadlineMs = Math.max(1, original.deadline().toMillis());
        this.client = url == null ? null : WebClient.create(vertx, new WebClientOptions()
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, deadlineMs)).setFollowRedirects(false)
                .setUserAgent("Keepsake"));
        this.users = Caffeine.newBuilder().maximumSize(Math.max(1, original.cacheSize()))
                .expireAfterWrite(positive(original.cacheFor())).buildAsync();
        if (url != null) {
            Log.infof("Sign-in by the original workbench: cookie %s, asking %s", cookie, url);
        }
    }

    private static Duration positive(Duration duration) {
        return duration.isNegative() || duration.isZero() ? Duration.ofNanos(1) : duration;
    }

    @Override
    public Class<OriginalSignIn.Request> getRequestType() {
        return OriginalSignIn.Request.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(OriginalSignIn.Request request, AuthenticationRequestContext context) {
        String value = request.cookie();
        if (url == null || !cookieValue(value)) {
            return Uni.createFrom().failure(new AuthenticationFailedException());
        }
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        // A null answer (nobody signed in) is not kept by the cache: the next request asks again.
        CompletableFuture<String> user = users.get(CanonicalJson.sha256Hex(bytes, bytes.length),
                (key, executor) -> ask(value));
        return Uni.createFrom().completionStage(user).onItem().ifNull().failWith(AuthenticationFailedException::new)
                .map(id -> QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(id)).build());
    }

    private CompletableFuture<String> ask(String value) {
        return client.getAbs(url.toString()).putHeader("Cookie", cookie + "=" + value)
                .putHeader("Accept", "application/json").timeout(deadlineMs).send()
                .map(this::userOf)
                .otherwise(error -> {
                    throw error instanceof Unavailable unavailable ? unavailable
                            : new Unavailable("The workbench's sign-in did not answer: " + error.getMessage());
                })
                .toCompletionStage().toCompletableFuture();
    }

    private String userOf(HttpResponse<?> response) {
        int status = response.statusCode();
        if (status == 400 || status == 401 || status == 403) {
            return null;
        }
        if (status != 200) {
            throw new Unavailable("The workbench's sign-in answered " + status);
        }
        Object id;
        try {
            id = new JsonObject(response.bodyAsString()).getValue("user_id");
        } catch (RuntimeException e) {
            throw new Unavailable("The workbench's sign-in answered 200 without a JSON user");
        }
        if (!(id instanceof String user) || user.isBlank() || user.length() > MAX_USER_ID
                || user.chars().anyMatch(Character::isISOControl)) {
            throw new Unavailable("The workbench's sign-in answered 200 without a usable user_id");
        }
        return user;
    }

    /** RFC 6265's cookie-octets: anything else is not a cookie the original set, and is not passed on. */
    static boolean cookieValue(String value) {
        if (value.isEmpty() || value.length() > 4096) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x21 || c > 0x7e || c == '"' || c == ',' || c == ';' || c == '\\') {
                return false;
            }
        }
        return true;
    }
}
