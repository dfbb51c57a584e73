package io.keepsake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Indexes;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;

import io.quarkus.mongodb.impl.ReactiveMongoClientImpl;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A sweep deletes everything expired, however many batches that takes, and nothing live; on the
 * embedded store it reads the expired range of the {@code expiresAt} index. (A QuarkusTest so that
 * Mutiny runs with the application's context setup.)
 */
@QuarkusTest
class SweepTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private EmbeddedStore store;
    private MongoClient client;
    private ReactiveMongoCollection<Document> records;

    @BeforeEach
    void start() {
        store = EmbeddedStore.start(dir, "127.0.0.1", 0);
        client = MongoClients.create(store.connectionString());
        records = new ReactiveMongoClientImpl(client).getDatabase("keepsake").getCollection("records");
        records.createIndex(Indexes.ascending("expiresAt")).await().atMost(WAIT);
    }

    @AfterEach
    void stop() {
        client.close();
        store.stop();
    }

    @Test
    void everythingExpiredGoesInBatchesAndNothingElse() {
        Instant now = Instant.now();
        int expired = 3 * Sweep.BATCH + 17;
        List<Document> documents = new ArrayList<>();
        for (int i = 0; i < expired; i++) {
            documents.add(new Document("_id", "old" + i).append("expiresAt", Date.from(now.minusSeconds(1 + i % 600))));
        }
        for (int i = 0; i < 40; i++) {
            documents.add(new Document("_id", "live" + i).append("expiresAt", Date.from(now.plusSeconds(60 + i))));
        }
        records.insertMany(documents).await().atMost(WAIT);

        long deleted = Sweep.expired(records, Filters.lt("expiresAt", now)).await().atMost(WAIT);

        assertEquals(expired, deleted);
        assertEquals(40L, records.countDocuments().await().atMost(WAIT));
        assertEquals(0L, records.countDocuments(Filters.lt("expiresAt", now)).await().atMost(WAIT));
        assertEquals(0L, Sweep.expired(records, Filters.lt("expiresAt", now)).await().atMost(WAIT),
                "a second sweep finds nothing");
    }
}
