package io.keepsake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import org.bson.Document;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.mongodb.client.MongoClient;
import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOptions;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;

/** The embedded store keeps its data on disk: a restart on the same directory finds it again, indexes included. */
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

    @Test
    void aSortedPageIsTheSameAsSortingEveryMatch() {
        EmbeddedStore store = EmbeddedStore.start(dir, "127.0.0.1", 0);
        try (MongoClient client = MongoClients.create(store.connectionString())) {
            MongoCollection<Document> sessions = client.getDatabase("keepsake").getCollection("pages");
            sessions.createIndex(Indexes.ascending("ownerId", "updatedAt"));
            Random random = new Random(7);
            List<Document> mine = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                Document session = new Document("_id", String.format("s%03d", i)).append("ownerId", i % 3 == 0 ? "bob" : "alice")
                        .append("updatedAt", random.nextInt(40)).append("content", "x".repeat(1000));
                sessions.insertOne(session);
                if (session.getString("ownerId").equals("alice")) {
                    mine.add(session);
                }
            }
            mine.sort(java.util.Comparator.<Document>comparingInt(d -> -d.getInteger("updatedAt")).thenComparing(d -> d.getString("_id")));
            for (int skip : new int[] {0, 7, 150, 199}) {
                List<Document> page = sessions.find(Filters.eq("ownerId", "alice"))
                        .sort(new Document("updatedAt", -1).append("_id", 1)).skip(skip).limit(21)
                        .projection(com.mongodb.client.model.Projections.exclude("content")).into(new ArrayList<>());
                List<Document> expected = mine.subList(Math.min(skip, mine.size()), Math.min(skip + 21, mine.size()));
                assertEquals(expected.stream().map(d -> d.getString("_id")).toList(), page.stream().map(d -> d.getString("_id")).toList(),
                        "page after " + skip);
                assertTrue(page.stream().noneMatch(d -> d.containsKey("content")), "the projection holds");
                assertEquals(expected.stream().map(d -> d.getInteger("updatedAt")).toList(),
                        page.stream().map(d -> d.getInteger("updatedAt")).toList());
            }
            // Paged in id order, after the last id of the page before: every one once, in order.
            List<String> byId = new ArrayList<>();
            String after = null;
            while (true) {
                List<Document> page = sessions.find(after == null ? Filters.eq("ownerId", "alice")
                        : Filters.and(Filters.eq("ownerId", "alice"), Filters.gt("_id", after)))
                        .sort(new Document("_id", 1)).limit(8).into(new ArrayList<>());
                page.forEach(d -> byId.add(d.getString("_id")));
                if (page.size() < 8) {
                    break;
                }
                after = page.get(page.size() - 1).getString("_id");
            }
            assertEquals(mine.stream().map(d -> d.getString("_id")).sorted().toList(), byId);
            List<String> descending = sessions.find(Filters.and(Filters.eq("ownerId", "alice"), Filters.lt("_id", "s100")))
                    .sort(new Document("_id", -1)).limit(5).into(new ArrayList<>()).stream().map(d -> d.getString("_id")).toList();
            assertEquals(mine.stream().map(d -> d.getString("_id")).filter(id -> id.compareTo("s100") < 0)
                    .sorted(java.util.Comparator.reverseOrder()).limit(5).toList(), descending);
            // Without a limit every match comes back, sorted.
            assertEquals(mine.size(), sessions.find(Filters.eq("ownerId", "alice")).sort(new Document("updatedAt", 1))
                    .into(new ArrayList<>()).size());
        } finally {
            store.stop();
        }
    }

    @Test
    void uniqueIndexesHoldAcrossARestart() {
        EmbeddedStore first = EmbeddedStore.start(dir, "127.0.0.1", 0);
        try (MongoClient client = MongoClients.create(first.connectionString())) {
            MongoCollection<Document> notices = notices(client);
            notices.createIndex(Indexes.ascending("userId", "key"), new IndexOptions().unique(true));
            for (int i = 0; i < 200; i++) {
                notices.insertOne(notice("n" + i, "u" + i % 3, i));
            }
            assertDuplicate(() -> notices.insertOne(notice("other", "u1", 1)));
        } finally {
            first.stop();
        }
        EmbeddedStore second = EmbeddedStore.start(dir, "127.0.0.1", 0);
        try (MongoClient client = MongoClients.create(second.connectionString())) {
            MongoCollection<Document> notices = notices(client);
            assertDuplicate(() -> notices.insertOne(notice("again", "u1", 1)));
            assertDuplicate(() -> notices.insertOne(notice("n7", "u9", 900)));
            notices.insertOne(notice("n200", "u2", 200));
            assertEquals(201, notices.countDocuments());
            assertEquals("n7", notices.find(Filters.eq("_id", "n7")).first().getString("_id"));
        } finally {
            second.stop();
        }
    }

    /**
     * Rewriting the same documents while another collection only grows (as sessions and the
     * notice log do) leaves a little live data in every chunk of the file; the file must still
     * reuse its space rather than grow with every write. Chunks are kept 0 s here instead of 45 s.
     */
    @Test
    void theFileReusesItsSpaceUnderRewrites() throws Exception {
        EmbeddedStore store = EmbeddedStore.start(dir, "127.0.0.1", 0, false, Duration.ZERO, Duration.ZERO);
        String content = incompressible(20_000);
        String text = incompressible(500);
        int writers = 4;
        int rounds = 400;
        try (MongoClient client = MongoClients.create(store.connectionString())) {
            MongoCollection<Document> sessions = client.getDatabase("keepsake").getCollection("sessions");
            MongoCollection<Document> notices = notices(client);
            notices.createIndex(Indexes.ascending("userId", "key"), new IndexOptions().unique(true));
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    String user = "u" + w;
                    // Concurrent writers share commits: each chunk mixes rewritten and growing data.
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < rounds; i++) {
                            sessions.replaceOne(Filters.eq("_id", user), new Document("_id", user).append("round", i)
                                    .append("content", content), new ReplaceOptions().upsert(true));
                            notices.insertOne(notice(user + "-" + i, user, i).append("text", text));
                        }
                    }));
                }
                for (Future<?> writer : done) {
                    writer.get();
                }
            } finally {
                pool.shutdown();
            }
            assertEquals(writers * rounds, notices.countDocuments());
            assertEquals(rounds - 1, sessions.find(Filters.eq("_id", "u0")).first().getInteger("round"));
        } finally {
            store.stop();
        }
        long written = (long) writers * rounds * content.length();
        long size = Files.size(dir.resolve(EmbeddedStore.FILE_NAME));
        assertTrue(size < written / 4, "file of " + size + " bytes after writing " + written);
    }

    /** A data file whose indexes were kept in the backend's own form opens with its indexes built again. */
    @Test
    void aFileWithTheBackendsOwnIndexesOpens() {
        withTheBackendAsItIs(client -> {
            MongoCollection<Document> notices = notices(client);
            notices.createIndex(Indexes.ascending("userId", "key"), new IndexOptions().unique(true));
            notices.insertMany(List.of(notice("a", "u1", 1), notice("b", "u1", 2)));
        });

        EmbeddedStore store = EmbeddedStore.start(dir, "127.0.0.1", 0);
        try (MongoClient client = MongoClients.create(store.connectionString())) {
            MongoCollection<Document> notices = notices(client);
            assertEquals(2, notices.countDocuments());
            assertDuplicate(() -> notices.insertOne(notice("c", "u1", 2)));
            assertDuplicate(() -> notices.insertOne(notice("a", "u2", 1)));
            notices.insertOne(notice("c", "u1", 3));
            assertEquals(3, notices.countDocuments());
        } finally {
            store.stop();
        }
        MVStore reopened = new MVStore.Builder().fileName(dir.resolve(EmbeddedStore.FILE_NAME).toString()).readOnly().open();
        try {
            assertFalse(reopened.getMapNames().stream().anyMatch(name -> name.contains("._index_")), "old index maps removed");
            assertTrue(reopened.getMapNames().stream().anyMatch(name -> name.endsWith("._keys_userId_1_key_1")));
        } finally {
            reopened.close();
        }
    }

    /**
     * A data file whose documents the backend kept Java-serialised opens with every document
     * readable; what changes is written as BSON, which the backend's own type cannot read.
     */
    @Test
    void aFileWithJavaSerialisedDocumentsOpens() {
        withTheBackendAsItIs(client -> notices(client).insertMany(List.of(notice("a", "u1", 1), notice("b", "u1", 2))));

        for (int run = 0; run < 2; run++) { // the second run reads a file with documents of both formats
            EmbeddedStore store = EmbeddedStore.start(dir, "127.0.0.1", 0);
            try (MongoClient client = MongoClients.create(store.connectionString())) {
                MongoCollection<Document> notices = notices(client);
                assertEquals(1, notices.find(Filters.eq("_id", "a")).first().getInteger("key"));
                assertEquals(run == 0 ? 2 : 20, notices.find(Filters.eq("_id", "b")).first().getInteger("key"));
                if (run == 0) {
                    notices.replaceOne(Filters.eq("_id", "b"), notice("b", "u1", 20));
                }
            } finally {
                store.stop();
            }
        }

        MVStore reopened = new MVStore.Builder().fileName(dir.resolve(EmbeddedStore.FILE_NAME).toString()).readOnly().open();
        try {
            MVMap<Object, Object> asBefore = reopened.openMap("databases.keepsake.notices");
            assertThrows(MVStoreException.class, () -> asBefore.get("b"), "stored as BSON, not as a serialised object");
        } finally {
            reopened.close();
        }
    }

    /** Writes a data file in {@code dir} through mongo-java-server's H2 backend as it comes, without Keepsake's changes. */
    private void withTheBackendAsItIs(Consumer<MongoClient> writes) {
        MVStore file = new MVStore.Builder().fileName(dir.resolve(EmbeddedStore.FILE_NAME).toString()).open();
        MongoServer plain = new MongoServer(new H2Backend(file));
        plain.bind(new InetSocketAddress("127.0.0.1", 0));
        try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + plain.getLocalAddress().getPort())) {
            writes.accept(client);
        } finally {
            plain.shutdownNow();
            file.close();
        }
    }

    /** Pages are compressed: random text keeps the test's volume what it says. */
    private static String incompressible(int length) {
        byte[] random = new byte[length * 3 / 4];
        new Random(length).nextBytes(random);
        return Base64.getEncoder().encodeToString(random);
    }

    private static MongoCollection<Document> notices(MongoClient client) {
        return client.getDatabase("keepsake").getCollection("notices");
    }

    private static Document notice(String id, String userId, int key) {
        return new Document("_id", id).append("userId", userId).append("key", key);
    }

    private static void assertDuplicate(Runnable insert) {
        MongoWriteException refused = assertThrows(MongoWriteException.class, insert::run);
        assertEquals(ErrorCategory.DUPLICATE_KEY, refused.getError().getCategory());
    }
}
