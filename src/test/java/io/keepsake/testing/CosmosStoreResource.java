package io.keepsake.testing;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;

import de.bwaldvogel.mongo.MongoServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * An in-memory store that answers as Cosmos DB for MongoDB does (see {@link IdLookupMemoryBackend}),
 * for a test profile that runs the application on it instead of the embedded store: tests switch
 * its throttling, or a delay of every command, on and off while a load runs.
 */
public class CosmosStoreResource implements QuarkusTestResourceLifecycleManager {

    /** Threads answering connections: with one each, a command held up holds up no other connection's. */
    private static final int THREADS = 32;

    private static volatile IdLookupMemoryBackend backend;
    private MongoServer server;

    @Override
    public Map<String, String> start() {
        backend = new IdLookupMemoryBackend(true).cosmosRules();
        server = new MongoServer(backend);
        server.bind(new InetSocketAddress("127.0.0.1", 0), 1, THREADS);
        return Map.of("quarkus.mongodb.connection-string", "mongodb://127.0.0.1:" + server.getLocalAddress().getPort());
    }

    @Override
    public void stop() {
        server.shutdownNow();
    }

    /** Refuses this fraction of the data commands as throttled (0: none), asking for a retry after {@code retryAfterMs}. */
    public static void throttle(double fraction, long retryAfterMs) {
        backend.throttle(fraction, retryAfterMs);
    }

    /** Holds every command (but the driver's handshake and heartbeats) for this long before answering (zero: none). */
    public static void delay(Duration delay) {
        backend.delay(delay);
    }

    /** Carries out these commands (lower case, e.g. {@code findandmodify}) at once but answers them this much later. */
    public static void delayAnswers(Duration delay, String... commands) {
        backend.delayAnswers(delay, java.util.Set.of(commands));
    }

    /** Data commands received so far, and how many of them were refused. */
    public static long[] counts() {
        return backend.counts();
    }
}
