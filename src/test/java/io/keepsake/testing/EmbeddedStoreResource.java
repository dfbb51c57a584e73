package io.keepsake.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import io.keepsake.store.EmbeddedStore;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Runs the tests' store: the same embedded, on-disk store the service uses by default, in a
 * temporary directory and on a free port. Tests may stop and restart it to play an outage or a
 * restart, or fill its disk; the data file and port stay the same.
 */
public class EmbeddedStoreResource implements QuarkusTestResourceLifecycleManager {

    private static Path dataDir;
    private static int port;
    private static volatile EmbeddedStore store;
    private static final FullDisk DISK = new FullDisk();

    @Override
    public Map<String, String> start() {
        try {
            dataDir = Files.createTempDirectory("keepsake-test-store");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        store = EmbeddedStore.start(dataDir, "127.0.0.1", 0, false, DISK);
        port = store.port();
        return Map.of("quarkus.mongodb.connection-string", store.connectionString());
    }

    @Override
    public void stop() {
        stopStore();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }

    /** Stops the store as a crash or outage would look to the service: connections drop. */
    public static synchronized void stopStore() {
        if (store != null) {
            store.stop();
            store = null;
        }
    }

    /** Starts the store again on the same data file and port. */
    public static synchronized void startStore() {
        if (store == null) {
            store = EmbeddedStore.start(dataDir, "127.0.0.1", port, false, DISK);
        }
    }

    /** The disk under the store, which a test may fill up (and must free again). */
    public static FullDisk disk() {
        return DISK;
    }

    public static String connectionString() {
        return "mongodb://127.0.0.1:" + port;
    }

    private static com.mongodb.client.MongoClient direct;

    /**
     * The service's database through a client of the tests' own: what a test reads or writes there
     * directly is none of the service's store commands.
     */
    public static synchronized com.mongodb.client.MongoDatabase database() {
        if (direct == null) {
            direct = com.mongodb.client.MongoClients.create(connectionString());
        }
        return direct.getDatabase("keepsake");
    }
}
