package io.keepsake;

import java.nio.file.Path;

import io.keepsake.store.EmbeddedStore;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Starts Keepsake. With no connection string configured, it first opens the embedded store and
 * points the MongoDB client at it; the store must be listening before Quarkus creates the client.
 * Read here from system properties and environment, since Quarkus' configuration is not up yet:
 * <ul>
 * <li>{@code KEEPSAKE_MONGODB_URI} / {@code keepsake.mongodb.uri} or
 * {@code QUARKUS_MONGODB_CONNECTION_STRING} / {@code quarkus.mongodb.connection-string}: use this store</li>
 * <li>{@code KEEPSAKE_STORE_DATA_DIR} / {@code keepsake.store.data-dir}: embedded data directory (default {@code ./data})</li>
 * <li>{@code KEEPSAKE_STORE_HOST}, {@code KEEPSAKE_STORE_PORT}: where the embedded store listens
 * (default 127.0.0.1 and any free port; a fixed port lets a second instance share it)</li>
 * </ul>
 */
@QuarkusMain
public final class KeepsakeMain {

    private KeepsakeMain() {
    }

    public static void main(String... args) {
        System.setProperty("quarkus.mongodb.connection-string", storeUri());
        Quarkus.run(args);
    }

    /** The configured store's connection string, or else that of the embedded store, started here. */
    static String storeUri() {
        String uri = setting("quarkus.mongodb.connection-string", null);
        if (uri == null) {
            uri = setting("keepsake.mongodb.uri", null);
        }
        if (uri != null) {
            return uri;
        }
        Path dataDir = Path.of(setting("keepsake.store.data-dir", "data"));
        EmbeddedStore store = EmbeddedStore.start(dataDir, setting("keepsake.store.host", "127.0.0.1"),
                Integer.parseInt(setting("keepsake.store.port", "0")));
        System.out.printf("Keepsake: embedded store at %s, data in %s%n", store.connectionString(),
                dataDir.toAbsolutePath());
        return store.connectionString();
    }

    /** A system property, else its environment variable form (upper case, '.' and '-' as '_'). */
    private static String setting(String name, String fallback) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            value = System.getenv(name.toUpperCase().replace('.', '_').replace('-', '_'));
        }
        return value == null || value.isBlank() ? fallback : value;
    }
}
