package io.keepsake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;

/** The embedded store keeps its data on disk: a restart on the same directory finds it again. */
class EmbeddedStoreTest {

    @TempDir
    Path dir;

    @Test
    void dataWrittenBeforeARestartIsReadAfterIt() throws IOException {
        EmbeddedStore first = EmbeddedStore.start(dir, "127.0.0.1", 0);
        try (MongoClient client = MongoClients.create(first.connectionString())) {
            client.getDatabase("keepsake").getCollection("sessions")
                    .insertOne(new Document("_id", "abcdefghijkl").append("title", "persisted"));
        } finally {
            first.stop();
        }
        assertEquals(1, Files.list(dir).filter(f -> f.getFileName().toString().equals(EmbeddedStore.FILE_NAME)).count());

        EmbeddedStore second = EmbeddedStore.start(dir, "127.0.0.1", 0);
        try (MongoClient client = MongoClients.create(second.connectionString())) {
            Document found = client.getDatabase("keepsake").getCollection("sessions")
                    .find(Filters.eq("_id", "abcdefghijkl")).first();
            assertEquals("persisted", found.getString("title"));
        } finally {
            second.stop();
        }
    }
}
