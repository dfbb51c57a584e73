package io.keepsake.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.jwt.build.Jwt;

/**
 * A small OpenID Connect provider for the sign-in tests (no external service): discovery, JWKS,
 * an authorization endpoint that signs in {@link #signInAs} at once, and a token endpoint that
 * exchanges its codes for tokens signed with the test key under src/test/resources/oidc. Started
 * before the service, whose OIDC tenants are pointed at it.
 */
public class TestOidcProvider implements QuarkusTestResourceLifecycleManager {

    public static final String CLIENT_ID = "keepsake";
    public static final String CLIENT_SECRET = "keepsake-test-secret";
    private static final String KEY = "oidc/test-signing-key.pem";
    private static final String KEY_ID = "test";

    /** The user the next authorization signs in (the provider's "login page" is this field). */
    public static volatile String signInAs = "frank@example.org";
    private static volatile String issuer;

    private final Map<String, Grant> codes = new ConcurrentHashMap<>();
    private HttpServer server;

    private record Grant(String user, String clientId, String redirectUri, String nonce) {
    }

    public static String issuer() {
        return issuer;
    }

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        issuer = "http://localhost:" + server.getAddress().getPort() + "/realm";
        server.createContext("/realm/.well-known/openid-configuration", exchange -> json(exchange, 200, """
                {"issuer":"%1$s","authorization_endpoint":"%1$s/authorize","token_endpoint":"%1$s/token",
                 "jwks_uri":"%1$s/jwks","response_types_supported":["code"],"subject_types_supported":["public"],
                 "id_token_signing_alg_values_supported":["RS256"],
                 "token_endpoint_auth_methods_supported":["client_secret_basic","client_secret_post"]}
                """.formatted(issuer)));
        server.createContext("/realm/jwks", exchange -> json(exchange, 200, jwks()));
        server.createContext("/realm/authorize", this::authorize);
        server.createContext("/realm/token", this::token);
        server.start();
        return Map.of("quarkus.oidc.auth-server-url", issuer, "quarkus.oidc.client-id", CLIENT_ID);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** An access token of the provider's, for the bearer-token side of the service. */
    public static String accessToken(String user) {
        return Jwt.issuer(issuer).subject("subject-" + user).audience(CLIENT_ID).claim("email", user)
                .expiresIn(300).jws().keyId(KEY_ID).sign(KEY);
    }

    private void authorize(HttpExchange exchange) throws IOException {
        Map<String, String> query = form(exchange.getRequestURI().getRawQuery());
        if (!"code".equals(query.get("response_type")) || !CLIENT_ID.equals(query.get("client_id"))
                || query.get("redirect_uri") == null) {
            json(exchange, 400, "{\"error\":\"invalid_request\"}");
            return;
        }
        String code = UUID.randomUUID().toString();
        codes.put(code, new Grant(signInAs, query.get("client_id"), query.get("redirect_uri"), query.get("nonce")));
        String state = query.get("state");
        String location = query.get("redirect_uri") + (query.get("redirect_uri").contains("?") ? "&" : "?") + "code=" + code
                + (state == null ? "" : "&state=" + URLEncoder.encode(state, StandardCharsets.UTF_8));
        exchange.getResponseHeaders().add("Location", location);
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
    }

    private void token(HttpExchange exchange) throws IOException {
        Map<String, String> body = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String clientId = body.get("client_id");
        String secret = body.get("client_secret");
        String basic = exchange.getRequestHeaders().getFirst("Authorization");
        if (basic != null && basic.startsWith("Basic ")) {
            String[] pair = new String(Base64.getDecoder().decode(basic.substring(6)), StandardCharsets.UTF_8).split(":", 2);
            clientId = URLDecoder.decode(pair[0], StandardCharsets.UTF_8);
            secret = URLDecoder.decode(pair[1], StandardCharsets.UTF_8);
        }
        Grant grant = codes.remove(String.valueOf(body.get("code")));
        if (!CLIENT_ID.equals(clientId) || !CLIENT_SECRET.equals(secret)) {
            json(exchange, 401, "{\"error\":\"invalid_client\"}");
            return;
        }
        if (!"authorization_code".equals(body.get("grant_type")) || grant == null
                || !grant.redirectUri().equals(body.get("redirect_uri"))) {
            json(exchange, 400, "{\"error\":\"invalid_grant\"}");
            return;
        }
        var idToken = Jwt.issuer(issuer).subject("subject-" + grant.user()).audience(CLIENT_ID)
                .claim("email", grant.user()).expiresIn(300);
        if (grant.nonce() != null) {
            idToken.claim("nonce", grant.nonce());
        }
        json(exchange, 200, """
                {"access_token":"%s","id_token":"%s","token_type":"Bearer","expires_in":300}
                """.formatted(accessToken(grant.user()), idToken.jws().keyId(KEY_ID).sign(KEY)));
    }

    private static String jwks() {
        try (InputStream in = TestOidcProvider.class.getResourceAsStream("/oidc/test-signing-key.pub.pem")) {
            String pem = new String(in.readAllBytes(), StandardCharsets.US_ASCII)
                    .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            RSAPublicKey key = (RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pem)));
            return "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"%s\",\"use\":\"sig\",\"alg\":\"RS256\",\"n\":\"%s\",\"e\":\"%s\"}]}"
                    .formatted(KEY_ID, base64Url(key.getModulus()), base64Url(key.getPublicExponent()));
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the test key", e);
        }
    }

    private static String base64Url(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static Map<String, String> form(String encoded) {
        Map<String, String> values = new HashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return values;
        }
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            values.put(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return values;
    }

    /** Answers a stand-in server's request with JSON (the test stand-ins of other services share it). */
    static void json(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
