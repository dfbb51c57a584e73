package io.keepsake.snapshot;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.newSnapshot;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/** Snapshot reads and creates are limited per user: the excess gets 429 with Retry-After. */
@QuarkusTest
@TestProfile(RateLimitTest.Profile.class)
class RateLimitTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("keepsake.rate-limits.snapshot-reads-per-minute", "5",
                    "keepsake.rate-limits.snapshot-creates-per-minute", "3");
        }
    }

    @Test
    void readsBeyondTheLimitGet429WithRetryAfter() {
        String id = newSnapshot("bob", "limited", 1);
        int ok = 0;
        for (int i = 0; i < 5; i++) {
            ok += as(ALICE).get("/snapshots/" + id).statusCode() == 200 ? 1 : 0;
        }
        assertEquals(5, ok);
        as(ALICE).get("/snapshots/" + id).then().statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", matchesPattern("[1-9][0-9]*"))
                .body("status", equalTo(429));
        as("bob").get("/snapshots/" + id).then().statusCode(200); // another user has a bucket of their own
    }

    @Test
    void createsBeyondTheLimitGet429() {
        for (int i = 0; i < 3; i++) {
            as(ALICE).contentType(ContentType.JSON).body(Map.of("title", "c" + i, "content", i)).post("/snapshots")
                    .then().statusCode(201);
        }
        as(ALICE).contentType(ContentType.JSON).body(Map.of("title", "one too many", "content", 1)).post("/snapshots")
                .then().statusCode(429).header("Retry-After", matchesPattern("[1-9][0-9]*"));
        as(ALICE).queryParam("filter_title", "one too many").get("/snapshots").then().body("items.size()", equalTo(0));
    }
}
