package io.keepsake.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.smallrye.jwt.build.Jwt;

/**
 * OIDC bearer tokens, enabled by configuration: verified here against a local key (no issuer
 * server), with the user id taken from the configured claim. The service runs as in production
 * (profile prod, a configured store): the embedded default's built-in users do not exist there.
 */
@QuarkusTest
@TestProfile(BearerTokenTest.Profile.class)
class BearerTokenTest {

    /** Test-only keys, generated once with openssl and kept under src/test/resources/oidc. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public String getConfigProfile() {
            return "prod";
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.oidc.tenant-enabled", "true",
                    "quarkus.oidc.public-key", publicKey(),
                    "quarkus.oidc.token.issuer", "https://issuer.test",
                    "quarkus.oidc.token.principal-claim", "email");
        }
    }

    private static String publicKey() {
        try (InputStream in = BearerTokenTest.class.getResourceAsStream("/oidc/test-signing-key.pub.pem")) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII)
                    .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String token(String email, String keyLocation, String... groups) {
        return Jwt.issuer("https://issuer.test").subject("subject-" + email).claim("email", email)
                .groups(java.util.Set.of(groups)).expiresIn(300).sign(keyLocation);
    }

    @Test
    void theTokensGroupsAreItsRolesSoAnOperatorGroupReadsTheTaskQueue() {
        given().auth().oauth2(token("ops@example.org", "oidc/test-signing-key.pem", "admin"))
                .get("/persistence/admin/tasks").then().statusCode(200);
        given().auth().oauth2(token("carol@example.org", "oidc/test-signing-key.pem"))
                .get("/persistence/admin/tasks").then().statusCode(403).contentType("application/problem+json");
    }

    @Test
    void aSignedTokenAuthenticatesAndItsConfiguredClaimIsTheUser() {
        given().auth().oauth2(token("carol@example.org", "oidc/test-signing-key.pem")).contentType(ContentType.JSON)
                .body(Map.of("title", "by token", "content", 1)).post("/persistence/sessions")
                .then().statusCode(201).body("ownerId", equalTo("carol@example.org"));
    }

    @Test
    void aTokenSignedByAnotherKeyIsRefused() {
        given().auth().oauth2(token("mallory@example.org", "oidc/other-signing-key.pem")).get("/persistence/sessions")
                .then().statusCode(401);
    }

    @Test
    void theEmbeddedDefaultsBuiltInUsersCannotSignIn() {
        given().auth().preemptive().basic("alice", "alice-secret").get("/persistence/sessions")
                .then().statusCode(401).contentType("application/problem+json");
        given().auth().preemptive().basic("operator", "operator-secret").get("/persistence/admin/tasks")
                .then().statusCode(401);
    }
}
