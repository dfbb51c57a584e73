package io.keepsake.snapshot;

import static io.keepsake.snapshot.SnapshotLifetimes.HOLDER;
import static io.keepsake.snapshot.SnapshotLifetimes.VISITOR;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.noticeCursor;
import static io.keepsake.testing.Api.noticesAfter;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.mongodb.client.model.Filters;

import io.keepsake.store.Time;
import io.keepsake.testing.EmbeddedStoreResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Once a snapshot's end has come, the end sweep does what its owner's delete would: the content
 * goes (a tombstone answers 410), its visitors' logs are marked as of a deleted snapshot, its quota
 * is given back and its owner hears of it. Snapshots whose end is still to come are left alone.
 */
@QuarkusTest
@TestProfile(SnapshotLifetimes.class)
class SnapshotEndSweepTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    SnapshotEnds ends;

    @AfterEach
    void resetClock() {
        Time.reset();
    }

    private static Document stored(String id) {
        return EmbeddedStoreResource.database().getCollection("snapshots").find(Filters.eq("_id", id)).first();
    }

    private static Document usage(String user) {
        return EmbeddedStoreResource.database().getCollection("usage").find(Filters.eq("_id", user)).first();
    }

    private static long number(Document document, String field) {
        return document == null || !(document.get(field) instanceof Number n) ? -1 : n.longValue();
    }

    private static List<String> visited(String deleted) {
        return as(VISITOR).queryParam("filter_snapshot_deleted", deleted).queryParam("page_size", 100)
                .get("/snapshot_access_logs").then().statusCode(200).extract().path("items.snapshotId");
    }

    @Test
    void theSweepDropsAnEndedSnapshotsContentMarksItsLogsAndGivesBackItsQuota() {
        Response ending = as(HOLDER).contentType(ContentType.JSON).body(Map.of("title", "an hour",
                "content", Map.of("big", "x".repeat(1000)), "expiresAt", Time.now().plus(Duration.ofHours(1)).toString()))
                .post("/snapshots");
        ending.then().statusCode(201);
        String ended = ending.path("id");
        int endedSize = ending.path("contentSize");
        Response lasting = as(HOLDER).contentType(ContentType.JSON).body(Map.of("title", "a week", "content", 2))
                .post("/snapshots");
        String kept = lasting.then().statusCode(201).extract().path("id");
        int keptSize = lasting.path("contentSize");
        as(VISITOR).get("/snapshots/" + ended).then().statusCode(200);
        await().atMost(WAIT).until(() -> visited("false").contains(ended));
        await().atMost(WAIT).until(() -> number(usage(HOLDER), "snapshots") == 2
                && number(usage(HOLDER), "bytes") == endedSize + keptSize);
        String cursor = noticeCursor(HOLDER);

        Time.advance(Duration.ofHours(2));
        assertTrue(ends.sweep().await().atMost(WAIT) >= 1);

        Document tombstone = stored(ended);
        assertEquals(true, tombstone.get("deleted"));
        assertFalse(tombstone.containsKey("canonical") || tombstone.containsKey("content"), "its content is gone");
        assertFalse(tombstone.containsKey("endDue"), "nothing is left for a later sweep");
        assertTrue(stored(kept).containsKey("canonical"), "a snapshot whose end is to come keeps its content");
        as(VISITOR).get("/snapshots/" + ended).then().statusCode(410).body("detail", equalTo("This snapshot has expired"));
        as(VISITOR).get("/snapshots/" + kept).then().statusCode(200);

        await().atMost(WAIT).untilAsserted(() -> {
            assertTrue(visited("true").contains(ended), "the visitor's log is marked as of a deleted snapshot");
            assertFalse(visited("false").contains(ended));
        });
        await().atMost(WAIT).until(() -> number(usage(HOLDER), "snapshots") == 1
                && number(usage(HOLDER), "bytes") == keptSize);
        List<Map<String, Object>> notices = noticesAfter(HOLDER, cursor, 1);
        assertTrue(notices.stream().anyMatch(n -> "snapshot.deleted".equals(n.get("type")) && ended.equals(n.get("resourceId"))),
                () -> "notices: " + notices);

        // A second sweep finds nothing of it to do again.
        ends.sweep().await().atMost(WAIT);
        assertEquals(1, number(usage(HOLDER), "snapshots"));
        as(HOLDER).queryParam("page_size", 100).get("/snapshots").then().body("items.id", not(hasItem(ended)))
                .body("items.id", hasItem(kept));
    }
}
