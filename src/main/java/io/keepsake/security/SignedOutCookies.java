package io.keepsake.security;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses a sign-in cookie issued before its user last signed out ({@link SignOuts}). A request
 * signed in by a cookie alone (no Authorization header) is checked: the login form's cookie by
 * when it was issued (it holds, encrypted, the end of its idle time-out, which is the time-out
 * after its issue), an OIDC session by its ID token's {@code iat}. An OIDC session whose tokens
 * are refreshed (quarkus.oidc.web.token.refresh-expired) gets a new ID token, which passes: only
 * the provider's own sign-out ends its refresh token. Passwords and bearer tokens are not cookies
 * and are not affected, nor is the original workbench's cookie, whose sign-out is its own back end's.
 */
@ApplicationScoped
class SignedOutCookies implements SecurityIdentityAugmentor {

    private final SignOuts signOuts;
    private final String formCookie;
    private final String loginPost;
    private final long formTimeout;
    private final SecretKeySpec formKey;

    SignedOutCookies(SignOuts signOuts,
            @ConfigProperty(name = "quarkus.http.auth.form.cookie-name", defaultValue = "quarkus-credential") String formCookie,
            @ConfigProperty(name = "quarkus.http.auth.form.post-location", defaultValue = "/j_security_check") String loginPost,
            @ConfigProperty(name = "quarkus.http.auth.form.timeout", defaultValue = "PT30M") Duration formTimeout,
            @ConfigProperty(name = "quarkus.http.auth.session.encryption-key") Optional<String> key) {
        this.signOuts = signOuts;
        this.formCookie = formCookie;
        this.loginPost = loginPost;
        this.formTimeout = formTimeout.toMillis();
        this.formKey = key.map(SignedOutCookies::aesKey).orElse(null);
    }

    /** Quarkus' key for its form cookie: the SHA-256 of the configured key, for AES-GCM. */
    private static SecretKeySpec aesKey(String key) {
        try {
            return new SecretKeySpec(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)), "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        return Uni.createFrom().item(identity);
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context,
            Map<String, Object> attributes) {
        RoutingContext http = HttpSecurityUtils.getRoutingContextAttribute(attributes);
        if (identity.isAnonymous() || http == null || http.request().getHeader(HttpHeaders.AUTHORIZATION) != null
                || http.request().path().equals(loginPost)) {
            return Uni.createFrom().item(identity);
        }
        String user = identity.getPrincipal().getName();
        long issued = issuedAt(identity, http.request(), user);
        if (issued < 0) {
            return Uni.createFrom().item(identity);
        }
        return signOuts.lastSignOut(user).map(signedOut -> {
            if (issued < signedOut) {
                throw new AuthenticationFailedException("A sign-in cookie from before the user signed out");
            }
            return identity;
        });
    }

    /** When the cookie that signed this request in was issued, in epoch milliseconds; -1 when it is no such cookie. */
    private long issuedAt(SecurityIdentity identity, HttpServerRequest request, String user) {
        if (identity.getPrincipal() instanceof JsonWebToken token) {
            boolean session = request.cookieMap().keySet().stream().anyMatch(n -> n.startsWith(SignInResource.OIDC_SESSION_COOKIE));
            // The ID token's issue time (whole seconds), not auth_time: a sign-in after a sign-out may
            // reuse the provider's own session, whose auth_time is older than the sign-out.
            return session && token.getIssuedAtTime() > 0 ? token.getIssuedAtTime() * 1000 : -1;
        }
        Cookie cookie = request.getCookie(formCookie);
        return cookie == null ? -1 : formIssuedAt(cookie.getValue(), user);
    }

    /** The issue time of a login-form cookie of this user (Quarkus' format: AES-GCM of "end of idle time-out:user"). */
    long formIssuedAt(String value, String user) {
        if (formKey == null) {
            return -1;
        }
        try {
            ByteBuffer sealed = ByteBuffer.wrap(Base64.getDecoder().decode(value));
            byte[] iv = new byte[sealed.get()];
            sealed.get(iv);
            byte[] encrypted = new byte[sealed.remaining()];
            sealed.get(encrypted);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, formKey, new GCMParameterSpec(128, iv));
            String plain = new String(cipher.doFinal(encrypted), StandardCharsets.UTF_8);
            int colon = plain.indexOf(':');
            if (colon < 0 || !plain.substring(colon + 1).equals(user)) {
                return -1;
            }
            return Long.parseLong(plain.substring(0, colon)) - formTimeout;
        } catch (GeneralSecurityException | RuntimeException e) {
            return -1; // not a cookie of ours: it signed nobody in
        }
    }
}
