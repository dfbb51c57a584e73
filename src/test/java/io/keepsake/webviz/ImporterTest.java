package io.keepsake.webviz;

import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.workbenchAs;
import static io.keepsake.webviz.WorkbenchSessionContractTest.sha256;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;

import io.keepsake.testing.EmbeddedStoreResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * The importer brings exports shaped like the original's Cosmos DB documents into the running
 * store: ids (8 and 12 characters), owners, timestamps and visit counts kept, complete Keepsake
 * documents that both surfaces read and write, skips reported with their reasons; a second run
 * changes nothing.
 */
@QuarkusTest
class ImporterTest {

    private static final List<String> IDS = List.of("Ab3dE_9z", "Lg12charId_A", "HashDiffers1");

    private static Path export(String name) {
        try {
            return Path.of(ImporterTest.class.getResource("/webviz/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String[] args() {
        return new String[] {"--uri", EmbeddedStoreResource.connectionString(), "--database", "keepsake",
            export("sessions.json").toString(), export("snapshots.json").toString(),
            export("snapshot_access_logs.jsonl").toString()};
    }

    private static String run(int expectedStatus) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Importer.run(args(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String report = out.toString(StandardCharsets.UTF_8);
        assertEquals(expectedStatus, status, report + err.toString(StandardCharsets.UTF_8));
        return report;
    }

    private static List<Document> stored() {
        try (MongoClient client = MongoClients.create(EmbeddedStoreResource.connectionString())) {
            List<Document> docs = new ArrayList<>();
            client.getDatabase("keepsake").getCollection("sessions").find(Filters.in("_id", IDS)).into(docs);
            client.getDatabase("keepsake").getCollection("snapshots").find(Filters.in("_id", "Snap_8ch", "SnapTwelve12"))
                    .into(docs);
            client.getDatabase("keepsake").getCollection("snapshot_access_logs")
                    .find(Filters.in("visitorId", "carol", "dave")).into(docs);
            return docs;
        }
    }

    @Test
    void theOriginalsExportsAreImportedOnceAndTheSecondRunChangesNothing() {
        String first = run(0);
        assertTrue(first.contains("sessions:             3 imported, 0 already in Keepsake (left as they are), 2 skipped"), first);
        assertTrue(first.contains("snapshots:            2 imported, 0 already in Keepsake (left as they are), 1 skipped"), first);
        assertTrue(first.contains("snapshot access logs: 3 imported, 0 already in Keepsake (left as they are), 1 skipped"), first);
        assertTrue(first.contains("skipped sessions/bad id!: id 'bad id!' is not 8 or 12 characters"), first);
        assertTrue(first.contains("skipped sessions/LongTitle123: title must be 1 to 50 characters after trimming, got 61"), first);
        assertTrue(first.contains("skipped (no id): not a session, snapshot or snapshot access log document"), first);
        assertTrue(first.contains("skipped snapshots/NoContent123: content must be a string"), first);
        assertTrue(first.contains("skipped snapshot_access_logs/SnapTwelve12__carol: no visit recorded"), first);
        assertTrue(first.contains("note    sessions/HashDiffers1: its content hash differs from the original's"), first);
        assertTrue(first.contains("note    snapshot_access_logs/dave:Snap_8ch: first visit unknown"), first);
        List<Document> afterFirst = stored();

        String second = run(0);
        assertTrue(second.contains("sessions:             0 imported, 3 already in Keepsake (left as they are), 2 skipped"), second);
        assertTrue(second.contains("snapshots:            0 imported, 2 already in Keepsake (left as they are), 1 skipped"), second);
        assertTrue(second.contains("snapshot access logs: 0 imported, 3 already in Keepsake (left as they are), 1 skipped"), second);
        assertEquals(afterFirst, stored(), "a second run changes nothing");

        importedSessionsAreCompleteOnBothSurfaces();
        importedSnapshotsAndVisitLogsKeepTheirCounts();
    }

    private void importedSessionsAreCompleteOnBothSurfaces() {
        // natively: owner, timestamps, version kept; the tag it gives is one a conditional write accepts
        Response legacy = as("carol").get("/sessions/Ab3dE_9z");
        legacy.then().statusCode(200).body("ownerId", equalTo("carol")).body("version", equalTo(7))
                .body("title", equalTo("Legacy review")).body("description", equalTo(""))
                .body("createdAt", equalTo("2025-06-02T08:15:30.123Z")).body("updatedAt", equalTo("2025-06-03T17:01:02.654Z"));
        String content = legacy.path("content");
        as("carol").get("/sessions?sort_by=title&filter_title=legacy").then().body("items.id", hasItem("Ab3dE_9z"));
        as("dave").get("/sessions/Ab3dE_9z").then().statusCode(404);
        // the original's hash of its content string, as the workbench reads it
        workbenchAs("carol").get("/sessions/Ab3dE_9z").then().statusCode(200)
                .body("metadata.contentHash", equalTo(sha256(content)))
                .body("metadata.contentHash", equalTo("486c67a4f0c22339bd1be424c1b12011a302fc0a198bce686443cb19edc673f7"))
                .body("metadata.updatedAt", equalTo("2025-06-03T17:01:02.654Z"));
        as("carol").contentType(ContentType.JSON).header("If-Match", legacy.header("ETag"))
                .body(Map.of("description", "carried on in Keepsake")).patch("/sessions/Ab3dE_9z")
                .then().statusCode(200).body("version", equalTo(8));
        workbenchAs("carol").get("/sessions/metadata/Lg12charId_A").then().statusCode(200)
                .body("description", equalTo("Q3")).body("createdAt", equalTo("2025-05-01T10:00:00Z"));
    }

    private void importedSnapshotsAndVisitLogsKeepTheirCounts() {
        Response visits = workbenchAs("dave").queryParam("sort_by", "snapshot_metadata.created_at").queryParam("sort_direction", "desc")
                .queryParam("filter_owner_id", "carol").queryParam("cursor", "").get("/snapshot_access_logs");
        visits.then().statusCode(200).body("items.snapshotId", equalTo(List.of("Snap_8ch")))
                .body("items[0].visits", equalTo(3))
                .body("items[0].firstVisitedAt", equalTo("2025-06-06T12:00:00Z"))
                .body("items[0].lastVisitedAt", equalTo("2025-06-06T12:00:00Z"))
                .body("items[0].snapshotMetadata.createdAt", equalTo("2025-06-04T09:00:00.500Z"))
                .body("items[0].snapshotMetadata.contentHash", equalTo("486c67a4f0c22339bd1be424c1b12011a302fc0a198bce686443cb19edc673f7"));
        workbenchAs("dave").queryParam("filter_title", "Deleted since").get("/snapshot_access_logs").then()
                .body("items[0].snapshotDeleted", equalTo(true)).body("items[0].visits", equalTo(2));
        workbenchAs("dave").queryParam("filter_snapshot_deleted", "true").queryParam("filter_title", "Deleted since")
                .get("/snapshot_access_logs").then().body("items.size()", equalTo(0));
        as("dave").get("/snapshot_access_logs?filter_snapshot_deleted=true").then()
                .body("items.snapshotId", hasItem("Gone1234"));
        // the 8-character snapshot opens on both surfaces; opening it counts a visit
        workbenchAs("dave").get("/snapshots/Snap_8ch").then().statusCode(200)
                .body("metadata.contentHash", equalTo("486c67a4f0c22339bd1be424c1b12011a302fc0a198bce686443cb19edc673f7"));
        as("erin").get("/snapshots/Snap_8ch").then().statusCode(200).body("ownerId", equalTo("carol"));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> as("dave")
                .get("/snapshot_access_logs?filter_title=Shared legacy view").then().body("items[0].visits", equalTo(4)));
    }
}
