package io.keepsake.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.keepsake.testing.TestOidcProvider;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * Production sign-in: a browser signs in through the OIDC authorization-code flow (against a
 * local provider) and then calls the original workbench's surface, here under a configured
 * prefix, with its session cookie alone; a cross-site write with that cookie is refused; bearer
 * tokens of the same provider keep working next to it. The service runs as in production
 * (profile prod, no built-in users).
 */
@QuarkusTest
@TestProfile(OidcSignInTest.Profile.class)
class OidcSignInTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public String getConfigProfile() {
            return "prod";
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.oidc.tenant-enabled", "true",
                    "quarkus.oidc.token.principal-claim", "email",
                    "quarkus.oidc.web.tenant-enabled", "true",
                    "quarkus.oidc.web.credentials.secret", TestOidcProvider.CLIENT_SECRET,
                    "quarkus.http.auth.session.encryption-key", "keepsake-tests-only-sign-in-cookie-key",
                    "keepsake.webviz.prefix", "/wb",
                    "keepsake.sign-in.landing-page", "/workbench/",
                    "keepsake.snapshots.share-url", "https://workbench.example/snapshot/{id}",
                    "keepsake.snapshots.workbench-link", "https://workbench.example/snapshot/{id}?from=link");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(TestOidcProvider.class));
        }
    }

    @TestHTTPResource("/")
    URI app;

    /** A browser: keeps cookies, follows no redirect by itself (each hop is checked). */
    private final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
    private final HttpClient browser = HttpClient.newBuilder().cookieHandler(cookies)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return browser.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(app.resolve(url)));
    }

    /** Signs in as a browser does: /login, the provider, back to /login, then the landing page. */
    private List<String> signIn() throws IOException, InterruptedException {
        List<String> hops = new ArrayList<>();
        HttpResponse<String> response = get("login");
        while (response.statusCode() == 302 || response.statusCode() == 303) {
            String location = response.headers().firstValue("Location").orElseThrow();
            hops.add(response.statusCode() + " " + location);
            if (location.endsWith("/workbench/")) {
                break;
            }
            response = get(location);
        }
        return hops;
    }

    private HttpRequest.Builder write(String path, String origin, String body) {
        return HttpRequest.newBuilder(app.resolve(path)).header("Origin", origin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    @Test
    void aBrowserSignsInWithTheCodeFlowAndUsesTheWorkbenchSurfaceWithItsCookie() throws Exception {
        TestOidcProvider.signInAs = "frank@example.org";
        List<String> hops = signIn();
        assertEquals(4, hops.size(), hops.toString());
        assertTrue(hops.get(0).startsWith("302 " + TestOidcProvider.issuer() + "/authorize?"), hops.toString());
        assertTrue(hops.get(1).matches("302 http://localhost:\\d+/login\\?code=.*"), hops.toString());
        assertTrue(hops.get(2).matches("302 http://localhost:\\d+/login"), hops.toString());
        assertTrue(hops.get(3).endsWith("/workbench/"), hops.toString());

        HttpResponse<String> me = get("persistence/me");
        assertEquals(200, me.statusCode(), me.body());
        assertEquals("frank@example.org", JsonPath.from(me.body()).getString("user"));

        String origin = "http://localhost:" + app.getPort();
        HttpResponse<String> created = send(write("wb/persistence/sessions", origin,
                "{\"title\":\"signed in by code flow\",\"description\":null,\"content\":\"{}\"}"));
        assertEquals(200, created.statusCode(), created.body());
        String id = JsonPath.from(created.body()).getString("$");
        HttpResponse<String> opened = get("wb/persistence/sessions/" + id);
        assertEquals(200, opened.statusCode(), opened.body());
        assertEquals("frank@example.org", JsonPath.from(opened.body()).getString("metadata.ownerId"));

        HttpResponse<String> forged = send(write("wb/persistence/sessions", "https://evil.example",
                "{\"title\":\"forged\",\"description\":null,\"content\":\"{}\"}"));
        assertEquals(403, forged.statusCode());
        assertEquals("AuthorizationError", JsonPath.from(forged.body()).getString("error.type"));

        String copy = cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().startsWith("q_session"))
                .map(c -> c.getName() + "=" + c.getValue()).collect(java.util.stream.Collectors.joining("; "));
        assertTrue(!copy.isEmpty(), "signed in with a session cookie");
        HttpResponse<String> out = send(HttpRequest.newBuilder(app.resolve("logout")).header("Origin", origin)
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(204, out.statusCode());
        assertEquals(401, get("persistence/me").statusCode());
        assertEquals(401, get("wb/persistence/sessions").statusCode());
        // A copy of the session cookie taken before the sign-out is refused by the service itself.
        HttpResponse<String> withCopy = HttpClient.newHttpClient().send(HttpRequest.newBuilder(app.resolve("persistence/me"))
                .header("Cookie", copy).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, withCopy.statusCode(), withCopy.body());
    }

    @Test
    void bearerTokensOfTheSameProviderWorkNextToIt() throws Exception {
        HttpResponse<String> me = send(HttpRequest.newBuilder(app.resolve("persistence/me"))
                .header("Authorization", "Bearer " + TestOidcProvider.accessToken("grace@example.org")));
        assertEquals(200, me.statusCode(), me.body());
        assertEquals("grace@example.org", JsonPath.from(me.body()).getString("user"));
        assertEquals(401, get("persistence/me").statusCode(), "no cookie, no token");
    }

    @Test
    void shareLinksFollowTheConfiguredTemplates() throws Exception {
        HttpResponse<String> created = send(HttpRequest.newBuilder(app.resolve("persistence/snapshots"))
                .header("Authorization", "Bearer " + TestOidcProvider.accessToken("grace@example.org"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"shared\",\"content\":{\"zoom\":2}}")));
        assertEquals(201, created.statusCode(), created.body());
        String id = JsonPath.from(created.body()).getString("id");
        assertEquals("https://workbench.example/snapshot/" + id, JsonPath.from(created.body()).getString("shareUrl"));

        HttpResponse<String> opened = send(HttpRequest.newBuilder(app.resolve("s/" + id)).header("Accept", "text/html"));
        assertEquals(303, opened.statusCode());
        assertEquals("https://workbench.example/snapshot/" + id + "?from=link", opened.headers().firstValue("Location").orElseThrow());
        HttpResponse<String> unknown = send(HttpRequest.newBuilder(app.resolve("s/abcdefgh")).header("Accept", "text/html"));
        assertEquals(404, unknown.statusCode(), "an 8-character id is an id: looked up, not refused");
    }
}
