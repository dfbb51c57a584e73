package io.keepsake.notice;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.createSession;
import static io.keepsake.testing.Api.noticeCursor;
import static io.keepsake.testing.Api.noticesAfter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;

import io.keepsake.testing.EmbeddedStoreResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * A writer that dies between its change and its notice leaves the notice in the changed document's
 * outbox (both are one single-document write); recovery publishes it, once, and clears the outbox.
 */
@QuarkusTest
class NoticeRecoveryTest {

    @Inject
    NoticePublisher publisher;

    @Test
    void aNoticeLeftInAnOutboxByAWriterThatDiedIsPublishedOnceAndTheOutboxCleared() {
        Response created = createSession(ALICE, "left behind", 1);
        String id = created.path("id");
        String from = noticeCursor(ALICE);
        try (MongoClient client = MongoClients.create(EmbeddedStoreResource.connectionString())) {
            MongoCollection<Document> sessions = client.getDatabase("keepsake").getCollection("sessions");
            // What a write leaves when its instance dies right after the store acknowledged it.
            OutboxEntry entry = OutboxEntry.of(Notice.SESSION_UPDATED, id, "hash-of-version-2", 2L, "tab-that-died",
                    Instant.now().minus(Duration.ofMinutes(1)));
            sessions.updateOne(Filters.eq("_id", id), Updates.combine(Updates.set("version", 2L), Outbox.push(entry)));

            publisher.recover().await().atMost(Duration.ofSeconds(10));
            publisher.recover().await().atMost(Duration.ofSeconds(10)); // a second recovery changes nothing

            List<Map<String, Object>> heard = noticesAfter(ALICE, from, 1);
            assertEquals(1, heard.size());
            assertEquals("session.updated", heard.get(0).get("type"));
            assertEquals(id, heard.get(0).get("resourceId"));
            assertEquals(2, heard.get(0).get("version"));
            assertEquals("tab-that-died", heard.get(0).get("origin"));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!sessions.find(Filters.eq("_id", id)).first().getList("outbox", Document.class).isEmpty()
                    && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertTrue(sessions.find(Filters.eq("_id", id)).first().getList("outbox", Document.class).isEmpty(),
                    "the outbox is cleared once published");
            assertEquals(List.of(), noticesAfter(ALICE, (String) heard.get(0).get("id"), 0), "published once");
        }
    }
}
