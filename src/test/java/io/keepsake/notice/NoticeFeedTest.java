package io.keepsake.notice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;

import de.bwaldvogel.mongo.MongoServer;
import io.keepsake.testing.IdLookupMemoryBackend;
import io.quarkus.mongodb.impl.ReactiveMongoClientImpl;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Other instances' view of the notice log: writers on four "instances" append notices for twenty
 * users (two instances per user) paced at 2,000 a second for four seconds' worth, while a reader that
 * follows the change stream and one that tails the heads each hand every user's notices to a
 * listener. Both hear every notice once and in order. (On two shared cores the writers reach a few
 * hundred a second; the rate reached is printed.) The store here is an in-memory one with a change log, so that both ways can be
 * read from it (the application's own embedded store keeps no change log), and which reads by id as a real store does.
 */
@QuarkusTest
class NoticeFeedTest {

    private static final int USERS = 20;
    private static final int WRITERS = 4;
    private static final int PER_SECOND = 2_000;
    private static final Duration RUN = Duration.ofSeconds(4);

    private MongoServer store;
    private String uri;
    private final List<MongoClient> clients = new ArrayList<>();
    private final List<NoticeFeed> feeds = new ArrayList<>();

    @BeforeEach
    void startStore() {
        store = new MongoServer(new IdLookupMemoryBackend());
        store.enableOplog();
        var address = store.bind();
        uri = "mongodb://127.0.0.1:" + address.getPort();
    }

    @AfterEach
    void stopStore() {
        feeds.forEach(NoticeFeed::stop);
        clients.forEach(MongoClient::close);
        store.shutdownNow();
    }

    /** An instance's notice log on a connection of its own. */
    private NoticeLog instance() {
        MongoClient client = MongoClients.create(uri);
        clients.add(client);
        return new NoticeLog(new ReactiveMongoClientImpl(client).getDatabase("keepsake"), Duration.ofHours(1));
    }

    /** A reader instance: its feed in the given mode, a listener per user recording what it hears. */
    private Map<String, List<Long>> reader(String mode) {
        NoticeLog log = instance();
        NoticeFanout fanout = new NoticeFanout(log);
        Map<String, List<Long>> heard = new ConcurrentHashMap<>();
        for (int u = 0; u < USERS; u++) {
            List<Long> seqs = new CopyOnWriteArrayList<>();
            heard.put("user-" + u, seqs);
            fanout.listen("user-" + u, new NoticeFanout.Listener() {
                @Override
                public void start(long position) {
                }

                @Override
                public void onNotice(Notice notice) {
                    seqs.add(notice.seq);
                }
            });
        }
        NoticeFeed feed = new NoticeFeed(log, fanout, mode, Duration.ofMillis(100), Duration.ofSeconds(5));
        feeds.add(feed);
        feed.start();
        return heard;
    }

    @Test
    void aChangeStreamReaderAndATailingReaderHearTwoThousandNoticesASecondOnceAndInOrder() throws Exception {
        Map<String, List<Long>> streamed = reader("change-stream");
        Map<String, List<Long>> tailed = reader("tailing");
        List<NoticeLog> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            writers.add(instance());
        }
        Thread.sleep(500); // the change stream opens

        // Each user's notices come from two of the writers, one append after another per (writer, user):
        // as two instances taking one user's writes do. Paced to PER_SECOND in all.
        AtomicInteger appended = new AtomicInteger();
        long pause = TimeUnit.SECONDS.toNanos(1) * USERS * 2 / PER_SECOND;
        long started = System.nanoTime();
        long end = started + RUN.toNanos();
        ExecutorService chains = Executors.newFixedThreadPool(USERS * 2);
        for (int u = 0; u < USERS; u++) {
            String user = "user-" + u;
            for (NoticeLog writer : List.of(writers.get(u % WRITERS), writers.get((u + 1) % WRITERS))) {
                chains.submit(() -> {
                    long next = System.nanoTime();
                    // Paced, and stopped at the end of the run however far behind the pace a slow machine is.
                    while (next < end && System.nanoTime() < end) {
                        writer.append(user, OutboxEntry.of(Notice.SESSION_UPDATED, "s", "h", 1L, null, Instant.now()))
                                .await().atMost(Duration.ofSeconds(30));
                        appended.incrementAndGet();
                        next += pause;
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                    }
                    return null;
                });
            }
        }
        chains.shutdown();
        assertTrue(chains.awaitTermination(RUN.toSeconds() + 60, TimeUnit.SECONDS));
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("NoticeFeedTest: %d notices appended by %d writers in %.1f s (%.0f a second)%n", appended.get(),
                WRITERS, seconds, appended.get() / seconds);
        // The rate is the benchmark's business (-Pbench); here, enough notices per user that order matters.
        assertTrue(appended.get() >= USERS * 20, "notices appended: " + appended.get());

        NoticeLog check = instance();
        for (int u = 0; u < USERS; u++) {
            String user = "user-" + u;
            long head = check.head(user).await().atMost(Duration.ofSeconds(10));
            List<Long> all = LongStream.rangeClosed(1, head).boxed().toList();
            for (Map<String, List<Long>> reader : List.of(streamed, tailed)) {
                List<Long> heard = reader.get(user);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (heard.size() < head && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertEquals(head, heard.size(), (reader == streamed ? "change stream" : "tailing") + ", " + user);
                assertTrue(all.equals(heard), (reader == streamed ? "change stream" : "tailing") + ": " + user
                        + "'s notices once each, in order");
            }
        }
    }
}
