package io.keepsake.notice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;

import de.bwaldvogel.mongo.MongoServer;
import io.keepsake.testing.IdLookupMemoryBackend;
import io.quarkus.mongodb.impl.ReactiveMongoClientImpl;
import io.quarkus.mongodb.reactive.ReactiveMongoDatabase;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Batched appends keep the log's promises: two instances appending batches for one user at once
 * (so that their inserts collide on numbers) store every entry once, numbered 1..n without gaps,
 * each batch in its own order; a batch sent again after it was stored stores nothing twice. (A
 * QuarkusTest, like NoticeFeedTest, so that Mutiny runs with the application's context setup.)
 */
@QuarkusTest
class NoticeBatchTest {

    private static final String USER = "alice";
    private MongoServer store;
    private final List<MongoClient> clients = new ArrayList<>();
    /** The database of the last instance made. */
    private ReactiveMongoDatabase database;

    @BeforeEach
    void startStore() {
        startStore(new IdLookupMemoryBackend());
    }

    private void startStore(IdLookupMemoryBackend backend) {
        store = new MongoServer(backend);
        store.bind();
    }

    @AfterEach
    void stopStore() {
        clients.forEach(MongoClient::close);
        store.shutdownNow();
    }

    private NoticeLog instance() {
        MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + store.getLocalAddress().getPort());
        clients.add(client);
        database = new ReactiveMongoClientImpl(client).getDatabase("keepsake");
        NoticeLog log = new NoticeLog(database, Duration.ofHours(1));
        log.createIndexes(null);
        // Index creation runs in the background: wait until the unique (userId, key) index is there.
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (database.getCollection("notices").listIndexes().collect().asList().await().atMost(Duration.ofSeconds(5))
                .stream().noneMatch(index -> String.valueOf(index.get("key")).contains("key"))) {
            assertTrue(System.nanoTime() < until, "the notices' key index was not made");
            Thread.onSpinWait();
        }
        return log;
    }

    private static List<OutboxEntry> batch(int size) {
        return batch(size, Instant.now());
    }

    private static List<OutboxEntry> batch(int size, Instant at) {
        List<OutboxEntry> entries = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            entries.add(OutboxEntry.of(Notice.SESSION_UPDATED, "s" + i, "h", (long) i, null, at));
        }
        return entries;
    }

    /** Appends {@code count} notices of changes made at {@code at}, a hundred at a time as the publisher does. */
    private static void append(NoticeLog log, String user, int count, Instant at) {
        for (int done = 0; done < count; done += NoticeLog.PAGE) {
            log.append(user, batch(Math.min(NoticeLog.PAGE, count - done), at)).await().atMost(Duration.ofSeconds(30));
        }
    }

    @Test
    void concurrentBatchesAreNumberedWithoutGapsEachInItsOrder() throws Exception {
        List<NoticeLog> instances = List.of(instance(), instance());
        List<CompletableFuture<List<List<Notice>>>> writers = new ArrayList<>();
        List<List<List<OutboxEntry>>> sent = new ArrayList<>();
        for (NoticeLog log : instances) {
            List<List<OutboxEntry>> batches = new ArrayList<>();
            for (int b = 0; b < 20; b++) {
                batches.add(batch(10));
            }
            sent.add(batches);
            writers.add(CompletableFuture.supplyAsync(() -> batches.stream()
                    .map(entries -> log.append(USER, entries).await().atMost(Duration.ofSeconds(30))).toList()));
        }

        Set<String> keys = new HashSet<>();
        for (int w = 0; w < writers.size(); w++) {
            List<List<Notice>> answered = writers.get(w).get();
            for (int b = 0; b < answered.size(); b++) {
                List<Notice> notices = answered.get(b);
                List<OutboxEntry> entries = sent.get(w).get(b);
                assertEquals(entries.size(), notices.size());
                for (int i = 0; i < notices.size(); i++) {
                    assertEquals(entries.get(i).key, notices.get(i).key, "answered in the order sent");
                    assertTrue(i == 0 || notices.get(i).seq > notices.get(i - 1).seq, "numbered in the order sent");
                    keys.add(notices.get(i).key);
                }
            }
        }
        assertEquals(400, keys.size());

        NoticeLog reader = instances.get(0);
        List<Notice> stored = new ArrayList<>();
        for (long after = 0; stored.size() < 400; after = stored.get(stored.size() - 1).seq) {
            List<Notice> page = reader.after(USER, after, NoticeLog.PAGE).await().atMost(Duration.ofSeconds(10));
            assertTrue(!page.isEmpty(), "no gap after " + after);
            stored.addAll(page);
        }
        for (int i = 0; i < stored.size(); i++) {
            assertEquals(i + 1, stored.get(i).seq, "numbers 1..400 without gaps");
        }
        assertEquals(keys, new HashSet<>(stored.stream().map(n -> n.key).toList()), "every entry stored once");
        assertEquals(400L, reader.head(USER).await().atMost(Duration.ofSeconds(10)));
    }

    @Test
    void aBatchSentAgainStoresNothingTwice() {
        NoticeLog log = instance();
        List<OutboxEntry> first = batch(5);
        List<Notice> stored = log.append(USER, first).await().atMost(Duration.ofSeconds(10));
        List<OutboxEntry> again = new ArrayList<>(first.subList(2, 5));
        again.addAll(batch(2));
        List<Notice> answered = instance().append(USER, again).await().atMost(Duration.ofSeconds(10));

        assertEquals(stored.subList(2, 5).stream().map(n -> n.seq).toList(),
                answered.subList(0, 3).stream().map(n -> n.seq).toList(), "the notices published before");
        assertEquals(List.of(6L, 7L), answered.subList(3, 5).stream().map(n -> n.seq).toList());
        assertEquals(7, log.after(USER, 0, NoticeLog.PAGE).await().atMost(Duration.ofSeconds(10)).size());
    }

    @Test
    void theSweepForgetsTheExpiredStartOfEachLogAndNothingElse() {
        NoticeLog log = instance(); // notices kept an hour
        Instant twoHoursAgo = Instant.now().minus(Duration.ofHours(2));
        int expired = 2 * NoticeSweep.SWEEP_BATCH + 150; // more than two of the sweep's batches
        append(log, USER, expired, twoHoursAgo);
        append(log, USER, 30, Instant.now());
        append(log, "bob", 20, Instant.now());

        new NoticeSweep(database).sweep().await().atMost(Duration.ofSeconds(60));

        assertEquals(expired + 1, log.firstAfter(USER, 0).await().atMost(Duration.ofSeconds(10)).seq,
                "the expired notices are gone, the first one kept is the oldest live one");
        List<Notice> kept = log.after(USER, expired, NoticeLog.PAGE).await().atMost(Duration.ofSeconds(10));
        assertEquals(30, kept.size());
        assertEquals(expired + 30, kept.get(kept.size() - 1).seq);
        assertEquals(expired + 30L, log.head(USER).await().atMost(Duration.ofSeconds(10)));
        assertEquals(20, log.after("bob", 0, NoticeLog.PAGE).await().atMost(Duration.ofSeconds(10)).size());

        // Another sweep starts where this one stopped and finds nothing more to forget.
        new NoticeSweep(database).sweep().await().atMost(Duration.ofSeconds(60));
        assertEquals(30, log.after(USER, expired, NoticeLog.PAGE).await().atMost(Duration.ofSeconds(10)).size());
        assertEquals(1L, log.firstAfter("bob", 0).await().atMost(Duration.ofSeconds(10)).seq);
    }

    @Test
    void withCosmosDbsWordingOfADuplicateKeyEveryNoticeIsStillStoredOnceInOrder() throws Exception {
        stopStore();
        clients.clear();
        startStore(new IdLookupMemoryBackend(true)); // "Failed _id or unique index constraint", naming no index
        concurrentBatchesAreNumberedWithoutGapsEachInItsOrder();
        stopStore();
        clients.clear();
        startStore(new IdLookupMemoryBackend(true));
        aBatchSentAgainStoresNothingTwice();
    }

    @Test
    void aNumberIsNeverGivenTwiceWhateverLaggedOrExpired() {
        NoticeLog log = instance();
        append(log, USER, 10, Instant.now().minus(Duration.ofHours(2))); // all expired
        // The head lags, as if the command that stored the last notices had stopped before moving it.
        database.getCollection("notices").updateOne(Filters.eq("_id", NoticeIds.headId(USER)), Updates.set("head", 4L))
                .await().atMost(Duration.ofSeconds(10));
        new NoticeSweep(database).sweep().await().atMost(Duration.ofSeconds(60));
        assertEquals(5L, log.firstAfter(USER, 0).await().atMost(Duration.ofSeconds(10)).seq,
                "the sweep stops at the head: what lies past it is kept");

        // An instance that knows nothing of this log numbers on from the last number given.
        assertEquals(11L, instance().append(USER, batch(1)).await().atMost(Duration.ofSeconds(10)).get(0).seq);
        new NoticeSweep(database).sweep().await().atMost(Duration.ofSeconds(60));
        assertEquals(11L, log.firstAfter(USER, 0).await().atMost(Duration.ofSeconds(10)).seq, "1 to 10 expired and gone");
        assertEquals(12L, instance().append(USER, batch(1)).await().atMost(Duration.ofSeconds(10)).get(0).seq);
    }
}
