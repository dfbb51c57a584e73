package io.keepsake.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

import io.keepsake.store.EmbeddedStore;
import io.keepsake.store.LongSearch;

/**
 * How long a save waits on the embedded store while a search reads a user's many large sessions
 * (target: p99 < 100 ms), against saves with no search running.
 */
final class LongSearchBenchmark {

    private LongSearchBenchmark() {
    }

    static String run(int sessions, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("keepsake-bench-search");
        EmbeddedStore store = EmbeddedStore.start(dir, "127.0.0.1", 0);
        try {
            LongSearch.fill(store, sessions);
            LongSearch.measure(store, Duration.ofSeconds(2), true); // warm-up
            LongSearch.Result alone = LongSearch.measure(store, Duration.ofSeconds(seconds), false);
            LongSearch.Result searched = LongSearch.measure(store, Duration.ofSeconds(seconds), true);
            StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
                    "## A save behind a long search (embedded store; target: p99 < 100 ms)%n%n"
                            + "%d sessions of about 150 KB, one user; the search (a title filter matching none) takes "
                            + "%.0f ms on average. Saves of another user's small session, one after another, for %d s.%n%n"
                            + "| searches | saves | done mid-search | median ms | p99 ms | max ms |%n|---|---|---|---|---|---|%n",
                    sessions, searched.searchMillis(), seconds));
            for (LongSearch.Result result : new LongSearch.Result[] {alone, searched}) {
                report.append(String.format(Locale.ROOT, "| %s | %d | %d | %.1f | %.1f | %.1f |%n",
                        result == alone ? "none" : Integer.toString(result.searches()), result.saves(), result.inside(),
                        result.medianMillis(), result.p99Millis(), result.maxMillis()));
            }
            return report.toString();
        } finally {
            store.stop();
        }
    }
}
