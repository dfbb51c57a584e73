package io.keepsake.snapshot;

import static io.keepsake.snapshot.SnapshotLifetimes.OWNER;
import static io.keepsake.snapshot.SnapshotLifetimes.VISITOR;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.newSession;
import static io.keepsake.testing.Api.workbenchAs;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.keepsake.store.Time;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * A snapshot may be given an end when it is made, within the deployment's default and maximum
 * lifetimes; from its end on, every way of reading it answers 410 Gone, and its owner's list no
 * longer shows it. The clock is the tests' own: moved forward, never slept on.
 */
@QuarkusTest
@TestProfile(SnapshotLifetimes.class)
class SnapshotEndTest {

    @AfterEach
    void resetClock() {
        Time.reset();
    }

    private static Response create(Map<String, Object> body) {
        return as(OWNER).contentType(ContentType.JSON).body(body).post("/snapshots");
    }

    @Test
    void aSnapshotMadeWithoutAnEndLastsTheDefaultLifetime() {
        Response created = create(Map.of("title", "a week", "content", 1));
        created.then().statusCode(201);
        Instant createdAt = Instant.parse(created.path("createdAt"));
        assertEquals(createdAt.plus(Duration.ofDays(7)), Instant.parse(created.path("expiresAt")));
        as(VISITOR).get("/snapshots/metadata/" + created.path("id")).then().statusCode(200)
                .body("expiresAt", equalTo(created.path("expiresAt")));
    }

    @Test
    void anEndAskedForIsKeptAndShownInBothCreateForms() {
        String end = Time.now().plus(Duration.ofDays(20)).truncatedTo(ChronoUnit.SECONDS).toString();
        Response fromBody = create(Map.of("title", "twenty days", "content", 1, "expiresAt", end));
        fromBody.then().statusCode(201);
        assertEquals(Instant.parse(end), Instant.parse(fromBody.path("expiresAt")));

        String session = newSession(OWNER, "to freeze", Map.of("step", 1));
        Response fromSession = create(Map.of("sessionId", session, "expiresAt", "2099-01-01T00:00:00+01:00"));
        fromSession.then().statusCode(400).contentType("application/problem+json");
        // Formatted with its seconds always (OffsetDateTime.toString drops ":00" seconds, which RFC 3339 requires).
        String offset = java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(Time.now().plus(Duration.ofDays(3))
                .atOffset(java.time.ZoneOffset.ofHours(2)).truncatedTo(ChronoUnit.SECONDS));
        Response frozen = create(Map.of("sessionId", session, "expiresAt", offset));
        frozen.then().statusCode(201).body("sessionVersion", equalTo(1));
        assertEquals(java.time.OffsetDateTime.parse(offset).toInstant(), Instant.parse(frozen.path("expiresAt")));
        as(VISITOR).get("/snapshots/" + frozen.path("id")).then().statusCode(200)
                .body("expiresAt", equalTo(frozen.path("expiresAt")));
    }

    @Test
    void anEndInThePastOrBeyondTheMaximumIsRefusedNamingTheFieldAndTheLimit() {
        create(Map.of("title", "past", "content", 1, "expiresAt", Time.now().minusSeconds(1).toString()))
                .then().statusCode(400).contentType("application/problem+json")
                .body("field", equalTo("expiresAt")).body("detail", containsString("future"));
        create(Map.of("title", "too far", "content", 1, "expiresAt", Time.now().plus(Duration.ofDays(31)).toString()))
                .then().statusCode(400).contentType("application/problem+json")
                .body("field", equalTo("expiresAt")).body("limit", equalTo("keepsake.snapshots.max-lifetime"))
                .body("detail", containsString("PT720H"));
        create(Map.of("title", "not a date", "content", 1, "expiresAt", "next week"))
                .then().statusCode(400).body("field", equalTo("expiresAt"));
        create(Map.of("title", "not text", "content", 1, "expiresAt", 5))
                .then().statusCode(400).body("field", equalTo("expiresAt"));
        String session = newSession(OWNER, "refused freeze", 1);
        create(Map.of("sessionId", session, "expiresAt", Time.now().minusSeconds(60).toString()))
                .then().statusCode(400).body("field", equalTo("expiresAt"));
        as(OWNER).queryParam("filter_title", "too far").get("/snapshots").then().body("items.size()", equalTo(0));
    }

    @Test
    void aCreateAnsweredBeforeItsEndIsReplayedWithItsFirstAnswerAfterIt() {
        Map<String, Object> body = Map.of("title", "replayed", "content", 1,
                "expiresAt", Time.now().plus(Duration.ofHours(1)).toString());
        String key = java.util.UUID.randomUUID().toString();
        String id = as(OWNER).contentType(ContentType.JSON).header("Idempotency-Key", key).body(body).post("/snapshots")
                .then().statusCode(201).extract().path("id");
        Time.advance(Duration.ofHours(2));
        as(OWNER).contentType(ContentType.JSON).header("Idempotency-Key", key).body(body).post("/snapshots")
                .then().statusCode(201).body("id", equalTo(id));
        // A new create asking for that end now is refused.
        as(OWNER).contentType(ContentType.JSON).header("Idempotency-Key", java.util.UUID.randomUUID().toString())
                .body(body).post("/snapshots").then().statusCode(400).body("field", equalTo("expiresAt"));
    }

    @Test
    void atItsEndASnapshotIsGoneFromEveryReadAndFromItsOwnersList() {
        Response created = create(Map.of("title", "until noon", "content", Map.of("a", 1),
                "expiresAt", Time.now().plus(Duration.ofHours(1)).toString()));
        created.then().statusCode(201);
        String id = created.path("id");
        as(VISITOR).get("/snapshots/" + id).then().statusCode(200);
        as(VISITOR).get("/snapshots/metadata/" + id).then().statusCode(200);
        given().redirects().follow(false).accept(ContentType.JSON).get("/s/" + id).then().statusCode(303);
        as(OWNER).queryParam("page_size", 100).get("/snapshots").then().body("items.id", hasItem(id));

        Time.advance(Duration.ofMinutes(61));

        as(VISITOR).get("/snapshots/" + id).then().statusCode(410).contentType("application/problem+json")
                .body("status", equalTo(410)).body("title", equalTo("Gone"))
                .body("detail", equalTo("This snapshot has expired")).body("reason", equalTo("expired"))
                .body("expiresAt", equalTo(created.path("expiresAt")));
        as(VISITOR).header("If-None-Match", "\"" + created.path("contentHash") + "\"").get("/snapshots/" + id)
                .then().statusCode(410);
        as(OWNER).get("/snapshots/metadata/" + id).then().statusCode(410).contentType("application/problem+json")
                .body("detail", equalTo("This snapshot has expired"));
        given().redirects().follow(false).accept(ContentType.JSON).get("/s/" + id).then().statusCode(410)
                .contentType("application/problem+json").body("detail", equalTo("This snapshot has expired"));
        given().redirects().follow(false).accept("text/html,application/xhtml+xml,*/*;q=0.8").get("/s/" + id)
                .then().statusCode(410).contentType(containsString("text/html"))
                .body(containsString("This snapshot has expired"));
        as(OWNER).queryParam("page_size", 100).get("/snapshots").then().statusCode(200).body("items.id", not(hasItem(id)));
        // The original workbench's surface knows no 410: there it answers as a deleted snapshot does.
        workbenchAs(VISITOR).get("/snapshots/" + id).then().statusCode(404)
                .body("error.type", equalTo("NoDataError")).body("error.message", equalTo("Snapshot not found"));
    }

    @Test
    void aSnapshotDeletedBeforeItsEndStaysDeleted() {
        String id = create(Map.of("title", "deleted early", "content", 1)).then().statusCode(201).extract().path("id");
        as(OWNER).delete("/snapshots/" + id).then().statusCode(204);
        Time.advance(Duration.ofDays(8));
        as(VISITOR).get("/snapshots/" + id).then().statusCode(404);
    }
}
