package io.keepsake.history;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.BOB;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.createSession;
import static io.keepsake.testing.Api.noticeCursor;
import static io.keepsake.testing.Api.noticesAfter;
import static io.keepsake.testing.Api.workbenchAs;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.flipkart.zjsonpatch.JsonPatch;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;

import io.keepsake.store.Time;
import io.keepsake.testing.EmbeddedStoreResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Every change of a session keeps the state it replaced: list, read, diff, restore, and what ends it. */
@QuarkusTest
class HistoryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Revisions revisions;

    @AfterEach
    void resetClock() {
        Time.reset();
    }

    /** Saves {@code content} under {@code title} with If-Match {@code etag}; returns the new ETag. */
    private static String save(String id, String etag, String title, Object content) {
        return as(ALICE).contentType(ContentType.JSON).header("If-Match", etag)
                .body(Map.of("title", title, "description", "d", "content", content))
                .put("/sessions/" + id).then().statusCode(200).extract().header("ETag");
    }

    @Test
    void eachSaveKeepsTheStateItReplacedNewestFirstAndPaged() {
        Response created = createSession(ALICE, "first", Map.of("zoom", 1));
        String id = created.path("id");
        String etag = created.header("ETag");
        etag = save(id, etag, "second", Map.of("zoom", 2));
        etag = save(id, etag, "third", Map.of("zoom", 3));
        save(id, etag, "fourth", Map.of("zoom", 4));

        Response all = as(ALICE).get("/sessions/" + id + "/revisions");
        all.then().statusCode(200)
                .body("items.version", contains(3, 2, 1))
                .body("items.title", contains("third", "second", "first"))
                .body("items[0].sessionId", equalTo(id))
                .body("items[0].author", equalTo(ALICE))
                .body("items[0].content", nullValue())
                .body("items[2].contentHash", equalTo(created.path("contentHash")))
                .body("items[2].savedAt", equalTo(created.path("updatedAt")))
                .body("pageToken", nullValue());

        Response first = as(ALICE).queryParam("page_size", 2).get("/sessions/" + id + "/revisions");
        first.then().statusCode(200).body("items.version", contains(3, 2));
        as(ALICE).queryParam("page_size", 2).queryParam("cursor", (String) first.path("pageToken"))
                .get("/sessions/" + id + "/revisions").then().statusCode(200)
                .body("items.version", contains(1)).body("pageToken", nullValue());

        as(ALICE).get("/sessions/" + id + "/revisions/1").then().statusCode(200)
                .body("version", equalTo(1)).body("title", equalTo("first")).body("content.zoom", equalTo(1))
                .body("replacedAt", equalTo(all.path("items[2].replacedAt")));
        as(ALICE).get("/sessions/" + id + "/revisions/4").then().statusCode(200)
                .body("title", equalTo("fourth")).body("content.zoom", equalTo(4)).body("replacedAt", nullValue());
        as(ALICE).get("/sessions/" + id + "/revisions/5").then().statusCode(404)
                .contentType("application/problem+json");
        as(ALICE).get("/sessions/" + id + "/revisions/zero").then().statusCode(400)
                .contentType("application/problem+json");
    }

    @Test
    void everyKindOfChangeKeepsHistoryButAnUnchangedSaveDoesNot() {
        Response created = createSession(ALICE, "kinds", Map.of("a", 1));
        String id = created.path("id");
        String etag = created.header("ETag");
        // Unchanged: no new version, no revision.
        as(ALICE).contentType(ContentType.JSON).header("If-Match", etag)
                .body(Map.of("title", "kinds", "description", "", "content", Map.of("a", 1)))
                .put("/sessions/" + id).then().statusCode(200).header("ETag", etag);
        etag = as(ALICE).contentType("application/merge-patch+json").header("If-Match", etag)
                .body(Map.of("content", Map.of("b", 2))).patch("/sessions/" + id).then().statusCode(200)
                .extract().header("ETag");
        as(ALICE).contentType("application/merge-patch+json").header("If-Match", etag)
                .body(Map.of("title", "renamed")).patch("/sessions/" + id).then().statusCode(200);
        // The original workbench's surface: a save without If-Match, last write wins.
        workbenchAs(ALICE).contentType(ContentType.JSON)
                .body(Map.of("title", "from the workbench", "description", "", "content", "{\"c\":3}"))
                .put("/sessions/" + id).then().statusCode(200);

        as(ALICE).get("/sessions/" + id + "/revisions").then().statusCode(200)
                .body("items.version", contains(3, 2, 1))
                .body("items.title", contains("renamed", "kinds", "kinds"));
        as(ALICE).get("/sessions/" + id + "/revisions/2").then().statusCode(200)
                .body("content.a", equalTo(1)).body("content.b", equalTo(2));
    }

    @Test
    void aDiffTurnsOneStateIntoTheOther() throws Exception {
        Response created = createSession(ALICE, "diff", Map.of("layers", List.of("wells", "faults"), "zoom", 2,
                "view", Map.of("x", 1, "y", 2)));
        String id = created.path("id");
        save(id, created.header("ETag"), "diff, renamed", Map.of("layers", List.of("wells"), "zoom", 3,
                "view", Map.of("x", 1, "z", 9), "added", true));

        Response diff = as(ALICE).get("/sessions/" + id + "/revisions/1/diff/2");
        diff.then().statusCode(200).contentType("application/json-patch+json");
        JsonNode patch = JSON.readTree(diff.asByteArray());
        assertTrue(patch.isArray() && patch.size() > 0, patch.toString());

        JsonNode from = state(as(ALICE).get("/sessions/" + id + "/revisions/1").asByteArray());
        JsonNode to = state(as(ALICE).get("/sessions/" + id + "/revisions/2").asByteArray());
        assertEquals(to, JsonPatch.apply(patch, from));
        // And back.
        JsonNode back = JSON.readTree(as(ALICE).get("/sessions/" + id + "/revisions/2/diff/1").then().statusCode(200)
                .extract().asByteArray());
        assertEquals(from, JsonPatch.apply(back, to));
        // The same version: nothing changed.
        assertEquals(0, JSON.readTree(as(ALICE).get("/sessions/" + id + "/revisions/2/diff/2").then().statusCode(200)
                .extract().asByteArray()).size());
        as(ALICE).get("/sessions/" + id + "/revisions/1/diff/7").then().statusCode(404);
    }

    @Test
    void contentThatIsAJsonEncodedStringChangesAsOneReplace() throws Exception {
        Response created = createSession(ALICE, "encoded", "{\"modules\":[1]}");
        String id = created.path("id");
        save(id, created.header("ETag"), "encoded", "{\"modules\":[1,2]}");
        JsonNode patch = JSON.readTree(as(ALICE).get("/sessions/" + id + "/revisions/1/diff/2").then().statusCode(200)
                .extract().asByteArray());
        assertEquals(JSON.readTree("[{\"op\":\"replace\",\"path\":\"/description\",\"value\":\"d\"},"
                + "{\"op\":\"replace\",\"path\":\"/content\",\"value\":\"{\\\"modules\\\":[1,2]}\"}]"), patch);
    }

    private static JsonNode state(byte[] revision) throws Exception {
        JsonNode read = JSON.readTree(revision);
        return JSON.createObjectNode().put("title", read.get("title").textValue())
                .put("description", read.get("description").textValue()).set("content", read.get("content"));
    }

    @Test
    void restoreWritesAnOlderStateAsANewVersionAnnouncedLikeASave() {
        Response created = createSession(ALICE, "before", Map.of("zoom", 1));
        String id = created.path("id");
        String etag = save(id, created.header("ETag"), "after", Map.of("zoom", 2));
        String cursor = noticeCursor(ALICE);

        String restore = "/sessions/" + id + "/revisions/1/restore";
        as(ALICE).post(restore).then().statusCode(428).contentType("application/problem+json");
        as(ALICE).header("If-Match", created.header("ETag")).post(restore).then().statusCode(412)
                .contentType("application/problem+json").body("version", equalTo(2));

        Response restored = as(ALICE).header("If-Match", etag).header("Idempotency-Key", "restore-" + id).post(restore);
        restored.then().statusCode(200).body("version", equalTo(3)).body("title", equalTo("before"))
                .body("contentHash", equalTo(created.path("contentHash")));
        // A replay answers as the first time and writes nothing.
        as(ALICE).header("If-Match", etag).header("Idempotency-Key", "restore-" + id).post(restore).then()
                .statusCode(200).header("ETag", restored.header("ETag")).body("version", equalTo(3));
        as(ALICE).get("/sessions/" + id).then().statusCode(200).header("ETag", restored.header("ETag"))
                .body("version", equalTo(3)).body("title", equalTo("before")).body("content.zoom", equalTo(1));
        as(ALICE).get("/sessions/" + id + "/revisions").then().body("items.version", contains(2, 1));

        List<Map<String, Object>> notices = noticesAfter(ALICE, cursor, 1);
        assertTrue(notices.stream().anyMatch(n -> id.equals(n.get("resourceId")) && "session.updated".equals(n.get("type"))
                && Integer.valueOf(3).equals(n.get("version"))), notices.toString());

        as(ALICE).header("If-Match", restored.header("ETag")).post("/sessions/" + id + "/revisions/9/restore").then()
                .statusCode(404).contentType("application/problem+json");
    }

    @Test
    void historyIsTheOwnersAlone() {
        Response created = createSession(ALICE, "private", Map.of("secret", 1));
        String id = created.path("id");
        String etag = save(id, created.header("ETag"), "private", Map.of("secret", 2));
        as(BOB).get("/sessions/" + id + "/revisions").then().statusCode(404);
        as(BOB).get("/sessions/" + id + "/revisions/1").then().statusCode(404);
        as(BOB).get("/sessions/" + id + "/revisions/1/diff/2").then().statusCode(404);
        as(BOB).header("If-Match", etag).post("/sessions/" + id + "/revisions/1/restore").then().statusCode(404);
        as(ALICE).get("/sessions/" + id).then().body("version", equalTo(2)).body("content.secret", equalTo(2));
    }

    @Test
    void theLastMaxCountRevisionsAreKept() {
        Response created = createSession(ALICE, "many", Map.of("n", 0));
        String id = created.path("id");
        String etag = created.header("ETag");
        for (int n = 1; n <= 103; n++) {
            etag = save(id, etag, "many", Map.of("n", n));
        }
        // Version 104 is current; 100 revisions: versions 103 down to 4.
        List<Integer> versions = new ArrayList<>();
        String cursor = null;
        do {
            var request = as(ALICE).queryParam("page_size", 40);
            Response page = (cursor == null ? request : request.queryParam("cursor", cursor)).get("/sessions/" + id + "/revisions");
            page.then().statusCode(200);
            versions.addAll(page.path("items.version"));
            cursor = page.path("pageToken");
        } while (cursor != null);
        assertEquals(100, versions.size());
        assertEquals(103, versions.get(0));
        assertEquals(4, versions.get(99));
        as(ALICE).get("/sessions/" + id + "/revisions/4").then().statusCode(200).body("content.n", equalTo(3));
        as(ALICE).get("/sessions/" + id + "/revisions/3").then().statusCode(404);
        try (MongoClient client = MongoClients.create(EmbeddedStoreResource.connectionString())) {
            assertEquals(100, client.getDatabase("keepsake").getCollection("revisions")
                    .countDocuments(Filters.eq("sessionId", id)));
        }
    }

    @Test
    void revisionsPastMaxAgeAreHiddenThenSwept() {
        Response created = createSession(ALICE, "aging", Map.of("n", 0));
        String id = created.path("id");
        save(id, created.header("ETag"), "aging", Map.of("n", 1));
        as(ALICE).get("/sessions/" + id + "/revisions").then().body("items.version", contains(1));

        Time.advance(Duration.ofDays(89));
        as(ALICE).get("/sessions/" + id + "/revisions").then().body("items.version", contains(1));
        Time.advance(Duration.ofDays(2));
        as(ALICE).get("/sessions/" + id + "/revisions").then().statusCode(200).body("items", hasSize(0));
        as(ALICE).get("/sessions/" + id + "/revisions/1").then().statusCode(404);

        revisions.sweep().await().atMost(Duration.ofSeconds(30));
        try (MongoClient client = MongoClients.create(EmbeddedStoreResource.connectionString())) {
            assertEquals(0, client.getDatabase("keepsake").getCollection("revisions").countDocuments(Filters.eq("sessionId", id)));
        }
    }

    @Test
    void deletingASessionDeletesItsHistory() throws Exception {
        Response created = createSession(ALICE, "going", Map.of("n", 0));
        String id = created.path("id");
        save(id, created.header("ETag"), "going", Map.of("n", 1));
        try (MongoClient client = MongoClients.create(EmbeddedStoreResource.connectionString())) {
            var stored = client.getDatabase("keepsake").getCollection("revisions");
            Document revision = stored.find(Filters.eq("sessionId", id)).first();
            assertNotNull(revision);
            assertEquals(ALICE, revision.getString("ownerId"));

            as(ALICE).delete("/sessions/" + id).then().statusCode(204);
            as(ALICE).get("/sessions/" + id + "/revisions").then().statusCode(404);
            // The history goes with the tombstone, once the deletion's notice is published and cleared.
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (stored.countDocuments(Filters.eq("sessionId", id)) > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(0, stored.countDocuments(Filters.eq("sessionId", id)));
        }
    }
}
