package io.keepsake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.util.ArrayList;

import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;

import de.bwaldvogel.mongo.MongoServer;
import io.keepsake.testing.IdLookupMemoryBackend;

/** The tests' Cosmos DB stand-in refuses what Cosmos DB refuses, so that the API tests run on it mean something. */
class CosmosRulesTest {

    @Test
    void unindexedSortsChangeStreamsAndOversizedDocumentsAreRefused() {
        MongoServer server = new MongoServer(new IdLookupMemoryBackend(true).cosmosRules());
        server.bind(new InetSocketAddress("127.0.0.1", 0), 1, 4);
        try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + server.getLocalAddress().getPort())) {
            MongoCollection<Document> sessions = client.getDatabase("keepsake").getCollection("sessions");
            sessions.insertOne(new Document("_id", "a").append("userId", "u").append("title", "t"));

            MongoCommandException unindexed = assertThrows(MongoCommandException.class,
                    () -> sessions.find().sort(Sorts.ascending("title")).into(new ArrayList<>()));
            assertEquals(2, unindexed.getErrorCode());
            sessions.createIndex(Indexes.ascending("userId", "title"));
            assertEquals(1, sessions.find(new Document("userId", "u")).sort(Sorts.ascending("title")).into(new ArrayList<>()).size());

            assertThrows(MongoException.class, () -> sessions.watch().cursor().tryNext());

            MongoException tooLarge = assertThrows(MongoException.class,
                    () -> sessions.insertOne(new Document("_id", "b").append("content", "x".repeat(2_200_000))));
            assertEquals(16, tooLarge.getCode());
        } finally {
            server.shutdownNow();
        }
    }
}
