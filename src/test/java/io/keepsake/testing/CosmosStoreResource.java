package io.keepsake.testing;

import java.util.Map;

import de.bwaldvogel.mongo.MongoServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * An in-memory store that answers as Cosmos DB for MongoDB does (see {@link IdLookupMemoryBackend}),
 * for a test profile that runs the application on it instead of the embedded store: tests switch
 * its throttling on and off while a load runs.
 */
public class CosmosStoreResource implements QuarkusTestResourceLifecycleManager {

    private static volatile IdLookupMemoryBackend backend;
    private MongoServer server;

    @Override
    public Map<String, String> start() {
        backend = new IdLookupMemoryBackend(true);
        server = new MongoServer(backend);
        var address = server.bind();
        return Map.of("quarkus.mongodb.connection-string", "mongodb://127.0.0.1:" + address.getPort());
    }

    @Override
    public void stop() {
        server.shutdownNow();
    }

    /** Refuses this fraction of the data commands as throttled (0: none), asking for a retry after {@code retryAfterMs}. */
    public static void throttle(double fraction, long retryAfterMs) {
        backend.throttle(fraction, retryAfterMs);
    }

    /** Data commands received so far, and how many of them were refused. */
    public static long[] counts() {
        return backend.counts();
    }
}
