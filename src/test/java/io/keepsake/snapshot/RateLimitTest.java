package io.keepsake.snapshot;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.newSnapshot;
import static io.keepsake.testing.Api.workbenchAs;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.keepsake.testing.Http;
import io.keepsake.testing.LowRateLimits;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * Rates are limited per user (snapshot reads and creates, session writes, WebSocket tickets) and
 * per client address (the share link, which needs no sign-in): the excess gets 429 with
 * Retry-After and the setting that limits it, and nothing of it is stored. A bucket holds twice
 * the rate, so a short burst passes.
 */
@QuarkusTest
@TestProfile(LowRateLimits.class)
class RateLimitTest {

    @TestHTTPResource("/")
    URI base;

    @Test
    void readsBeyondTheLimitGet429WithRetryAfter() {
        String id = newSnapshot("bob", "limited", 1);
        int ok = 0;
        for (int i = 0; i < 10; i++) {
            ok += as(ALICE).get("/snapshots/" + id).statusCode() == 200 ? 1 : 0;
        }
        assertEquals(10, ok);
        as(ALICE).get("/snapshots/" + id).then().statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", matchesPattern("[1-9][0-9]*"))
                .body("status", equalTo(429));
        as("bob").get("/snapshots/" + id).then().statusCode(200); // another user has a bucket of their own
    }

    @Test
    void createsBeyondTheLimitGet429OnEitherSurface() {
        // One bucket for the native API and the original workbench's: three creates by each use it up.
        for (int i = 0; i < 3; i++) {
            as(ALICE).contentType(ContentType.JSON).body(Map.of("title", "c" + i, "content", i)).post("/snapshots")
                    .then().statusCode(201);
            workbenchAs(ALICE).contentType(ContentType.JSON).body(Map.of("title", "w" + i, "content", "{}"))
                    .post("/snapshots").then().statusCode(200);
        }
        as(ALICE).contentType(ContentType.JSON).body(Map.of("title", "one too many", "content", 1)).post("/snapshots")
                .then().statusCode(429).header("Retry-After", matchesPattern("[1-9][0-9]*"));
        workbenchAs(ALICE).contentType(ContentType.JSON).body(Map.of("title", "one too many", "content", "{}"))
                .post("/snapshots").then().statusCode(429);
        as(ALICE).queryParam("filter_title", "one too many").get("/snapshots").then().body("items.size()", equalTo(0));
    }

    @Test
    void aBurstOfSessionCreatesIsCutOffAndOnlyTheAnsweredOnesAreStored() {
        long started = System.nanoTime();
        List<HttpResponse<String>> answers = Http.concurrently(100, i -> Http.request(base, "persistence/sessions", "carol")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"burst " + i + "\",\"content\":" + i + "}")).build());
        double seconds = (System.nanoTime() - started) / 1e9;
        long created = answers.stream().filter(a -> a.statusCode() == 201).count();
        long limited = answers.stream().filter(a -> a.statusCode() == 429).count();
        assertEquals(100, created + limited, "every answer is 201 or 429");
        // A bucket of 10 (twice the rate), refilled at 5 a second while the burst lasted.
        assertTrue(created >= 10 && created <= 10 + Math.ceil(5 * seconds) + 1,
                created + " created in " + seconds + " s at 5 a second with a burst of 10");
        HttpResponse<String> refused = answers.stream().filter(a -> a.statusCode() == 429).findFirst().orElseThrow();
        assertTrue(refused.body().contains("keepsake.rate-limits.session-writes-per-second"), refused.body());
        assertTrue(refused.headers().firstValue("Retry-After").isPresent());
        assertEquals((int) created, (int) as("carol").queryParam("filter_title", "burst").queryParam("page_size", "100")
                .get("/sessions").path("items.size()"), "what was refused was not stored");
    }

    @Test
    void ticketsBeyondTheLimitGet429() {
        for (int i = 0; i < 4; i++) {
            as("dave").post("/notices/tickets").then().statusCode(201);
        }
        as("dave").post("/notices/tickets").then().statusCode(429)
                .body("limit", equalTo("keepsake.rate-limits.tickets-per-minute"));
    }

    @Test
    void fiveThousandShareLinkOpensFromOneAddressAreCutOffAndTheServiceStillAnswers() {
        String id = newSnapshot("erin", "shared widely", 1);
        Map<Integer, Long> statuses = new java.util.TreeMap<>();
        for (int batch = 0; batch < 50; batch++) {
            for (HttpResponse<String> answer : Http.concurrently(100, i -> HttpRequest.newBuilder(base.resolve("s/" + id))
                    .header("Accept", "text/html").GET().build())) {
                statuses.merge(answer.statusCode(), 1L, Long::sum);
            }
        }
        assertEquals(5_000L, statuses.getOrDefault(303, 0L) + statuses.getOrDefault(429, 0L), "answers: " + statuses);
        assertTrue(statuses.getOrDefault(429, 0L) >= 4_700, "answers: " + statuses);
        as("erin").get("/snapshots/metadata/" + id).then().statusCode(200);
    }
}
