package io.keepsake.store;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Updates;

/**
 * A search that reads many large documents (a title filter over a user's big sessions) does not
 * hold up a save to the same collection: saves complete while the search still runs.
 */
class LongSearchTest {

    private static final int SESSIONS = 120;

    @TempDir
    Path dir;

    @Test
    void aSaveCompletesWhileALongSearchOfTheSameCollectionRuns() throws Exception {
        EmbeddedStore store = EmbeddedStore.start(dir, "127.0.0.1", 0);
        try (MongoClient client = MongoClients.create(store.connectionString())) {
            MongoCollection<Document> sessions = client.getDatabase("keepsake").getCollection("sessions");
            sessions.createIndex(Indexes.ascending("userId", "updatedAt"));
            for (int i = 0; i < SESSIONS; i++) {
                sessions.insertOne(new Document("_id", "big-" + i).append("userId", "big").append("title", "session " + i)
                        .append("updatedAt", i).append("content", workbench(i)));
            }
            sessions.insertOne(new Document("_id", "small").append("userId", "small").append("n", 0));

            AtomicBoolean searching = new AtomicBoolean(true);
            List<long[]> searches = new ArrayList<>(); // start, end (ns)
            CompletableFuture<Void> searcher = CompletableFuture.runAsync(() -> {
                while (searching.get()) {
                    long started = System.nanoTime();
                    sessions.find(Filters.and(Filters.eq("userId", "big"), Filters.regex("title", Pattern.compile("nothing"))))
                            .into(new ArrayList<>());
                    synchronized (searches) {
                        searches.add(new long[] {started, System.nanoTime()});
                    }
                }
            });
            List<long[]> saves = new ArrayList<>();
            long until = System.nanoTime() + 4_000_000_000L;
            for (int n = 1; System.nanoTime() < until || saves.size() < 20; n++) {
                long started = System.nanoTime();
                sessions.updateOne(Filters.eq("_id", "small"), Updates.set("n", n));
                saves.add(new long[] {started, System.nanoTime()});
            }
            searching.set(false);
            searcher.get();

            int inside = 0;
            long slowest = 0;
            for (long[] save : saves) {
                slowest = Math.max(slowest, save[1] - save[0]);
                for (long[] search : searches) {
                    // Well inside: not a save that slipped in before the search reached the store, nor
                    // one that the search's answer was on its way back for.
                    long margin = (search[1] - search[0]) / 4;
                    if (save[0] > search[0] + margin && save[1] < search[1] - margin) {
                        inside++;
                        break;
                    }
                }
            }
            long median = saves.stream().mapToLong(save -> save[1] - save[0]).sorted().skip(saves.size() / 2).findFirst()
                    .orElse(0);
            double searchMs = searches.stream().mapToLong(s -> s[1] - s[0]).average().orElse(0) / 1e6;
            System.out.printf("Long search: %d searches of %.0f ms on average; %d saves, %d of them done in the middle "
                    + "of a search; a save took %.1f ms (median), %.1f ms at most%n", searches.size(), searchMs, saves.size(), inside,
                    median / 1e6, slowest / 1e6);
            assertTrue(inside > 0, "no save completed while a search ran (" + saves.size() + " saves, searches of "
                    + Math.round(searchMs) + " ms)");
        } finally {
            store.stop();
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
