package io.keepsake.snapshot;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.BOB;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.createSnapshot;
import static io.keepsake.testing.Api.newSession;
import static io.keepsake.testing.Api.newSnapshot;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.client.model.Filters;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

@QuarkusTest
class SnapshotTest {

    @Inject
    SnapshotRepository repository;

    @Test
    void aSnapshotFromABodyIsReadableByAnyUserWithImmutableCaching() {
        Response created = createSnapshot(ALICE, "Shared view", Map.of("zoom", 2.50));
        created.then().statusCode(201)
                .header("Location", matchesPattern(".*/persistence/snapshots/[A-Za-z0-9_-]{12}$"))
                .body("shareUrl", matchesPattern("http://localhost:8080/s/[A-Za-z0-9_-]{12}"))
                .body("ownerId", equalTo(ALICE));
        String id = created.path("id");
        String hash = created.path("contentHash");

        as(BOB).get("/snapshots/" + id).then().statusCode(200)
                .header("ETag", equalTo("\"" + hash + "\""))
                .header("Cache-Control", equalTo("private, max-age=3600, immutable"))
                .body("content.zoom", equalTo(2.5f))
                .body("title", equalTo("Shared view"));
        as(BOB).header("If-None-Match", "\"" + hash + "\"").get("/snapshots/" + id).then().statusCode(304);
        as(BOB).get("/snapshots/metadata/" + id).then().statusCode(200)
                .body("content", nullValue()).body("visits", nullValue());
    }

    @Test
    void aSnapshotOfASessionCopiesItsCurrentState() {
        String session = newSession(ALICE, "Working copy", Map.of("step", 7));
        Response created = as(ALICE).contentType(ContentType.JSON)
                .body(Map.of("sessionId", session, "title", "Frozen")).post("/snapshots");
        created.then().statusCode(201).body("sourceSessionId", equalTo(session)).body("title", equalTo("Frozen"));
        as(BOB).get("/snapshots/" + created.path("id")).then().body("content.step", equalTo(7));
        as(BOB).contentType(ContentType.JSON).body(Map.of("sessionId", session)).post("/snapshots")
                .then().statusCode(404); // only one's own sessions
    }

    @Test
    void aSnapshotOfASessionRecordsTheVersionItFrozeAndOneFromABodyHasNone() {
        Response session = as(ALICE).contentType(ContentType.JSON)
                .body(Map.of("title", "Versioned", "content", Map.of("step", 1))).post("/sessions");
        String sessionId = session.path("id");
        as(ALICE).contentType(ContentType.JSON).header("If-Match", session.header("ETag"))
                .body(Map.of("title", "Versioned", "content", Map.of("step", 2))).put("/sessions/" + sessionId)
                .then().statusCode(200).body("version", equalTo(2));

        Response frozen = as(ALICE).contentType(ContentType.JSON).body(Map.of("sessionId", sessionId)).post("/snapshots");
        frozen.then().statusCode(201).body("sessionVersion", equalTo(2)).body("sourceSessionId", equalTo(sessionId));
        String id = frozen.path("id");
        as(BOB).get("/snapshots/metadata/" + id).then().statusCode(200).body("sessionVersion", equalTo(2));
        as(BOB).get("/snapshots/" + id).then().statusCode(200).body("sessionVersion", equalTo(2))
                .body("content.step", equalTo(2));
        assertEquals(2L, stored(id).get("sessionVersion", Number.class).longValue());

        String fromBody = newSnapshot(ALICE, "No session", 1);
        as(ALICE).get("/snapshots/metadata/" + fromBody).then().statusCode(200)
                .body("$", not(hasKey("sessionVersion"))).body("$", not(hasKey("expiresAt")));
        assertFalse(stored(fromBody).containsKey("sessionVersion"));
        assertFalse(stored(fromBody).containsKey("expiresAt"), "no end unless asked or configured");
    }

    @Test
    void aSnapshotNamingTheSessionsEtagFreezesThatStateOrGets412() {
        Response first = as(ALICE).contentType(ContentType.JSON)
                .body(Map.of("title", "Exact", "content", Map.of("step", 1))).post("/sessions");
        String sessionId = first.path("id");
        String saved = as(ALICE).contentType(ContentType.JSON).header("If-Match", first.header("ETag"))
                .body(Map.of("title", "Exact", "content", Map.of("step", 2))).put("/sessions/" + sessionId)
                .then().statusCode(200).extract().header("ETag");

        String frozen = as(ALICE).contentType(ContentType.JSON).body(Map.of("sessionId", sessionId, "sessionEtag", saved,
                "title", "exactly step 2")).post("/snapshots").then().statusCode(201).body("sessionVersion", equalTo(2))
                .extract().path("id");
        as(BOB).get("/snapshots/" + frozen).then().statusCode(200).body("content.step", equalTo(2));

        // The session has moved on from the first ETag: 412 with the state it is in, and no snapshot.
        as(ALICE).contentType(ContentType.JSON).body(Map.of("sessionId", sessionId, "sessionEtag", first.header("ETag"),
                "title", "exactly step 1")).post("/snapshots").then().statusCode(412)
                .contentType("application/problem+json").body("etag", equalTo(saved)).body("version", equalTo(2));
        as(ALICE).queryParam("filter_title", "exactly step 1").get("/snapshots").then().body("items.size()", equalTo(0));

        for (Object bad : new Object[] {"not a tag", "W/" + saved, "*", saved + ", " + saved, 2}) {
            as(ALICE).contentType(ContentType.JSON).body(Map.of("sessionId", sessionId, "sessionEtag", bad)).post("/snapshots")
                    .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("sessionEtag"));
        }
    }

    private Document stored(String id) {
        return repository.mongoCollection().withDocumentClass(Document.class).find(Filters.eq("_id", id))
                .collect().first().await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void snapshotsAreImmutable() {
        String id = newSnapshot(ALICE, "fixed", 1);
        as(ALICE).contentType(ContentType.JSON).header("If-Match", "*").body(Map.of("title", "x", "content", 2))
                .put("/snapshots/" + id).then().statusCode(405).contentType("application/problem+json");
        as(ALICE).contentType("application/merge-patch+json").header("If-Match", "*").body(Map.of("title", "x"))
                .patch("/snapshots/" + id).then().statusCode(405);
    }

    @Test
    void onlyTheOwnerDeletesAndADeletedSnapshotIsGone() {
        String id = newSnapshot(ALICE, "to delete", 1);
        as(BOB).delete("/snapshots/" + id).then().statusCode(404);
        as(BOB).get("/snapshots/" + id).then().statusCode(200);
        as(ALICE).delete("/snapshots/" + id).then().statusCode(204);
        as(BOB).get("/snapshots/" + id).then().statusCode(404).contentType("application/problem+json");
        as(ALICE).get("/snapshots/metadata/" + id).then().statusCode(404);
        as(ALICE).delete("/snapshots/" + id).then().statusCode(404);
        as(ALICE).queryParam("page_size", 100).get("/snapshots").then().body("items.id", not(hasItem(id)));
    }

    @Test
    void theListShowsOnlyOwnSnapshotsFilteredAndSorted() {
        String tag = "list-" + UUID.randomUUID();
        String b = newSnapshot(ALICE, tag + " b", 1);
        String a = newSnapshot(ALICE, tag + " A", 1);
        newSnapshot(BOB, tag + " c", 1);
        as(ALICE).queryParam("filter_title", tag).queryParam("sort_by", "title").get("/snapshots").then()
                .statusCode(200).body("items.id", equalTo(java.util.List.of(a, b)))
                .body("items[0].shareUrl", containsString("/s/" + a));
        as(ALICE).queryParam("filter_title", tag).get("/snapshots").then().body("items.id", equalTo(java.util.List.of(a, b)));
        as(ALICE).queryParam("filter_title", tag).queryParam("filter_created_to", "2000-01-01T00:00:00Z")
                .get("/snapshots").then().body("items.size()", equalTo(0));
    }

    @Test
    void createsAreValidatedAndIdempotentLikeSessions() {
        as(ALICE).contentType(ContentType.JSON).body(Map.of("title", "big", "content", "x".repeat(1_699_998)))
                .post("/snapshots").then().statusCode(413)
                .body("detail", equalTo("Content size (1.62 MB) exceeds maximum (1.50 MB)"));
        as(ALICE).contentType(ContentType.JSON).body("{\"title\":\"\",\"content\":1}").post("/snapshots")
                .then().statusCode(400).body("field", equalTo("title"));
        String key = UUID.randomUUID().toString();
        String first = as(ALICE).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(Map.of("title", "once", "content", 1)).post("/snapshots").path("id");
        as(ALICE).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(Map.of("title", "once", "content", 1)).post("/snapshots")
                .then().statusCode(201).body("id", equalTo(first));
    }

    @Test
    void theShareUrlSendsBrowsersToTheWorkbenchAndApiClientsToTheApi() {
        String id = newSnapshot(ALICE, "link", 1);
        given().redirects().follow(false).accept("text/html,application/xhtml+xml,*/*;q=0.8").get("/s/" + id)
                .then().statusCode(303).header("Location", matchesPattern("http://localhost:\\d+/\\?snapshot=" + id));
        given().redirects().follow(false).accept(ContentType.JSON).get("/s/" + id)
                .then().statusCode(303).header("Location", matchesPattern(".*/persistence/snapshots/" + id + "$"));
        given().redirects().follow(false).accept("text/html").get("/s/AAAAAAAAAAAA")
                .then().statusCode(404).contentType(containsString("text/html")).body(containsString("Snapshot not found"));
        given().redirects().follow(false).accept(ContentType.JSON).get("/s/AAAAAAAAAAAA")
                .then().statusCode(404).contentType("application/problem+json");
        as(ALICE).delete("/snapshots/" + id).then().statusCode(204);
        given().redirects().follow(false).accept(ContentType.JSON).get("/s/" + id).then().statusCode(404);
    }
}
