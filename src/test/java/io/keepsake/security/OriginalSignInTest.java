package io.keepsake.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.keepsake.testing.OriginalBackEnd;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * The original workbench's front end, unchanged, signs its users in through its own back end and
 * calls persistence with that back end's session cookie: Keepsake asks the back end who it is
 * (a stand-in here) and the user works as that user. Nobody signed in is 401; a back end that does
 * not answer is 503, never a guess.
 */
@QuarkusTest
@TestProfile(OriginalSignInTest.Profile.class)
class OriginalSignInTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(OriginalBackEnd.class));
        }
    }

    private static final String ALICE = OriginalBackEnd.USERS.get("alice-in-webviz");

    @Test
    void theOriginalsCookieSignsItsUserIn() {
        given().cookie("session", "alice-in-webviz").get("/persistence/me").then().statusCode(200)
                .body(equalTo("{\"user\":\"" + ALICE + "\"}"));
        String id = given().cookie("session", "alice-in-webviz").header("Sec-Fetch-Site", "same-origin")
                .contentType(ContentType.JSON).body(Map.of("title", "from the original", "content", "{}"))
                .post("/webviz/persistence/sessions").then().statusCode(200).extract().asString().replace("\"", "");
        given().cookie("session", "alice-in-webviz").get("/webviz/persistence/sessions/" + id).then().statusCode(200)
                .body("metadata.ownerId", equalTo(ALICE)).body("metadata.title", equalTo("from the original"));
        // Not the other user's.
        given().cookie("session", "bob-in-webviz").get("/webviz/persistence/sessions/" + id).then().statusCode(404);
    }

    @Test
    void anAnswerNamingAUserIsKeptAWhileAndOnlyTheOriginalsCookieIsSent() {
        for (int i = 0; i < 5; i++) {
            given().cookie("session", "carol-in-webviz").cookie("quarkus-credential", "not-for-the-original")
                    .get("/persistence/me").then().statusCode(200);
        }
        assertEquals(1, OriginalBackEnd.running().calls("carol-in-webviz"), "asked once, then kept (cache-for, 10 s)");
        assertTrue(OriginalBackEnd.running().cookieHeaders().contains("session=carol-in-webviz"),
                "the original gets its own cookie alone: " + OriginalBackEnd.running().cookieHeaders());
    }

    @Test
    void nobodySignedInThereIs401AndIsAskedAgainEachTime() {
        given().get("/webviz/persistence/sessions").then().statusCode(401);
        given().cookie("session", "signed-out").get("/webviz/persistence/sessions").then().statusCode(401);
        given().cookie("session", "signed-out").get("/persistence/me").then().statusCode(401)
                .contentType("application/problem+json");
        // "Nobody" is not kept: a user signing in there keeps the same cookie and is let in at once.
        assertEquals(2, OriginalBackEnd.running().calls("signed-out"));
        // A value the original never sets is not passed on at all.
        given().cookie("session", "a\\b").get("/persistence/me").then().statusCode(401);
        assertEquals(0, OriginalBackEnd.running().calls("a\\b"));
    }

    @Test
    void aBackEndThatDoesNotAnswerIs503WithinTheDeadline() {
        long started = System.nanoTime();
        given().cookie("session", "slow").get("/webviz/persistence/sessions").then().statusCode(503)
                .header("Retry-After", notNullValue()).time(lessThan(4_000L));
        assertTrue(System.nanoTime() - started >= 900_000_000L, "waited for the deadline (1 s here)");
        given().cookie("session", "broken").get("/persistence/me").then().statusCode(503)
                .contentType("application/problem+json");
    }

    @Test
    void credentialsInTheRequestComeFirstAndTheCookieIsGuardedAcrossSites() {
        given().auth().preemptive().basic("carol", "carol-secret").cookie("session", "alice-in-webviz")
                .get("/persistence/me").then().statusCode(200).body(equalTo("{\"user\":\"carol\"}"));
        // A write with the original's cookie from another site is refused like one with Keepsake's own cookie.
        given().cookie("session", "alice-in-webviz").header("Origin", "https://elsewhere.example")
                .contentType(ContentType.JSON).body(Map.of("title", "forged", "content", "{}"))
                .post("/webviz/persistence/sessions").then().statusCode(403);
    }
}
