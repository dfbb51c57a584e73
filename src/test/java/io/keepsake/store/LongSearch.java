package io.keepsake.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import org.bson.Document;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Updates;

/**
 * Saves on the embedded store while a search reads a user's many large sessions (a title filter
 * that matches none, as a search box does): how long a save waits, and whether saves complete in
 * the middle of a search. For {@code LongSearchTest} and the benchmark.
 */
public final class LongSearch {

    /**
     * What was measured; {@code inside}: saves that started after a quarter of a search had passed
     * and ended before its last quarter (not ones that slipped in before it reached the store).
     */
    public record Result(int searches, double searchMillis, int saves, int inside, double medianMillis, double p99Millis,
            double maxMillis) {
    }

    private LongSearch() {
    }

    /** Fills the store with {@code sessions} large sessions of one user and one small session of another. */
    public static void fill(EmbeddedStore store, int sessions) {
        try (MongoClient client = MongoClients.create(store.connectionString())) {
            MongoCollection<Document> collection = client.getDatabase("keepsake").getCollection("sessions");
            collection.createIndex(Indexes.ascending("userId", "updatedAt"));
            for (int i = 0; i < sessions; i++) {
                collection.insertOne(new Document("_id", "big-" + i).append("userId", "big").append("title", "session " + i)
                        .append("updatedAt", i).append("content", workbench(i)));
            }
            collection.insertOne(new Document("_id", "small").append("userId", "small").append("n", 0));
        }
    }

    /** Saves the small session one after another for {@code window} (at least 20 of them), with searches running or not. */
    public static Result measure(EmbeddedStore store, Duration window, boolean searching) throws Exception {
        try (MongoClient client = MongoClients.create(store.connectionString())) {
            MongoCollection<Document> sessions = client.getDatabase("keepsake").getCollection("sessions");
            AtomicBoolean running = new AtomicBoolean(searching);
            List<long[]> searches = new ArrayList<>(); // start, end (ns)
            CompletableFuture<Void> searcher = CompletableFuture.runAsync(() -> {
                while (running.get()) {
                    long started = System.nanoTime();
                    sessions.find(Filters.and(Filters.eq("userId", "big"), Filters.regex("title", Pattern.compile("nothing"))))
                            .into(new ArrayList<>());
                    synchronized (searches) {
                        searches.add(new long[] {started, System.nanoTime()});
                    }
                }
            });
            List<long[]> saves = new ArrayList<>();
            long until = System.nanoTime() + window.toNanos();
            for (int n = 1; System.nanoTime() < until || saves.size() < 20; n++) {
                long started = System.nanoTime();
                sessions.updateOne(Filters.eq("_id", "small"), Updates.set("n", n));
                saves.add(new long[] {started, System.nanoTime()});
            }
            running.set(false);
            searcher.get();

            int inside = 0;
            for (long[] save : saves) {
                for (long[] search : searches) {
                    long margin = (search[1] - search[0]) / 4;
                    if (save[0] > search[0] + margin && save[1] < search[1] - margin) {
                        inside++;
                        break;
                    }
                }
            }
            long[] took = saves.stream().mapToLong(save -> save[1] - save[0]).sorted().toArray();
            return new Result(searches.size(), searches.stream().mapToLong(s -> s[1] - s[0]).average().orElse(0) / 1e6,
                    saves.size(), inside, took[took.length / 2] / 1e6, took[(int) (took.length * 0.99)] / 1e6,
                    took[took.length - 1] / 1e6);
        }
    }

    /** Workbench-like content: many small modules with settings, about 150 KB as BSON. */
    private static Document workbench(int seed) {
        List<Document> modules = new ArrayList<>();
        for (int m = 0; m < 1500; m++) {
            modules.add(new Document("id", "module-" + seed + "-" + m).append("kind", "plot").append("x", m * 0.5)
                    .append("settings", new Document("color", "#" + Integer.toHexString(m)).append("visible", m % 2 == 0)));
        }
        return new Document("modules", modules);
    }
}
