package io.keepsake.store;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A search that reads many large documents (a title filter over a user's big sessions) does not
 * hold up a save to the same collection: saves complete while the search still runs. How long a
 * save waits is the benchmark's ({@code -Pbench -Dbench.only=search}).
 */
class LongSearchTest {

    @TempDir
    Path dir;

    @Test
    void aSaveCompletesWhileALongSearchOfTheSameCollectionRuns() throws Exception {
        EmbeddedStore store = EmbeddedStore.start(dir, "127.0.0.1", 0);
        try {
            LongSearch.fill(store, 120);
            LongSearch.Result result = LongSearch.measure(store, Duration.ofSeconds(4), true);
            System.out.println("Long search: " + result);
            assertTrue(result.inside() > 0, "no save completed in the middle of a search: " + result);
        } finally {
            store.stop();
        }
    }
}
