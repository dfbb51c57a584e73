package io.keepsake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;

import io.keepsake.testing.FullDisk;

import static org.awaitility.Awaitility.await;

/**
 * A commit the disk refuses: the writes it held are refused and never stored, the store is away
 * for a moment instead of failing every later write, and it takes writes again by itself once the
 * disk has room.
 */
class FailedCommitTest {

    @TempDir
    Path dir;

    @Test
    void aFullDiskRefusesTheWritesItHoldsAndTheStoreRecoversWhenSpaceReturns() {
        FullDisk disk = new FullDisk();
        EmbeddedStore store = EmbeddedStore.start(dir, "127.0.0.1", 0, false, disk);
        try (MongoClient client = client(store)) {
            MongoCollection<Document> sessions = client.getDatabase("keepsake").getCollection("sessions");
            sessions.insertOne(new Document("_id", "before").append("n", 1));

            disk.fill();
            assertThrows(MongoException.class, () -> sessions.insertOne(new Document("_id", "refused")));
            assertTrue(disk.refused() > 0, "the commit wrote to the disk");
            // Still full: the store, opened again, refuses again rather than acknowledging.
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> store.connectionString() != null && sessions.countDocuments() >= 0);
            assertThrows(MongoException.class, () -> sessions.insertOne(new Document("_id", "refused-again")));

            disk.free();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> {
                        sessions.replaceOne(new Document("_id", "after"), new Document("n", 2),
                                new com.mongodb.client.model.ReplaceOptions().upsert(true));
                        return true;
                    });
            assertEquals(1, sessions.countDocuments(new Document("_id", "before")));
            assertEquals(1, sessions.countDocuments(new Document("_id", "after")));
            assertEquals(0, sessions.countDocuments(new Document("_id", "refused")), "a refused write was stored");
            assertEquals(0, sessions.countDocuments(new Document("_id", "refused-again")), "a refused write was stored");
        } finally {
            store.stop();
        }

        // What the file holds after a restart: the same.
        EmbeddedStore again = EmbeddedStore.start(dir, "127.0.0.1", 0);
        try (MongoClient client = client(again)) {
            MongoCollection<Document> sessions = client.getDatabase("keepsake").getCollection("sessions");
            assertEquals(2, sessions.countDocuments());
        } finally {
            again.stop();
        }
    }

    private static MongoClient client(EmbeddedStore store) {
        return MongoClients.create(MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(store.connectionString()))
                .applyToClusterSettings(cluster -> cluster.serverSelectionTimeout(2, TimeUnit.SECONDS))
                .applyToSocketSettings(socket -> socket.connectTimeout(1, TimeUnit.SECONDS))
                .build());
    }
}
