package io.keepsake;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

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
 * (default 127.0.0.1 and any free port; a fixed port lets a second instance share it). The store
 * has no authentication: an address other than loopback is refused unless
 * {@code KEEPSAKE_STORE_EXPOSE_WITHOUT_AUTHENTICATION} is true</li>
 * <li>{@code KEEPSAKE_STORE_FORCE_TO_DISK} / {@code keepsake.store.force-to-disk}: flush every commit to
 * the disk before answering (default false: a process crash loses nothing acknowledged, a power loss
 * may lose the last moments of writes)</li>
 * <li>{@code QUARKUS_HTTP_AUTH_SESSION_ENCRYPTION_KEY}: the login form's cookie key (default: kept in
 * the embedded store's data directory, else new at each start)</li>
 * </ul>
 */
@QuarkusMain
public final class KeepsakeMain {

    /** The configuration profile that comes with the embedded store (its notice feed: tailing). */
    static final String EMBEDDED_PROFILE = "embedded";

    static final String STORE_URI = "keepsake.mongodb.uri";
    static final String DATA_DIR = "keepsake.store.data-dir";
    static final String STORE_HOST = "keepsake.store.host";
    static final String STORE_PORT = "keepsake.store.port";
    static final String FORCE_TO_DISK = "keepsake.store.force-to-disk";
    static final String EXPOSE = "keepsake.store.expose-without-authentication";
    /** Quarkus' key for the login form's encrypted session cookie. */
    static final String SIGN_IN_KEY = "quarkus.http.auth.session.encryption-key";
    /** The settings read here rather than through Quarkus' configuration. */
    static final List<String> SETTINGS = List.of(STORE_URI, DATA_DIR, STORE_HOST, STORE_PORT, FORCE_TO_DISK, EXPOSE);

    KeepsakeMain() {
    }

    public static void main(String... args) {
        String uri = configuredStoreUri();
        boolean embedded = uri == null;
        if (embedded) {
            uri = startEmbeddedStore();
            System.setProperty("quarkus.config.profile.parent", EMBEDDED_PROFILE);
        }
        System.setProperty("quarkus.mongodb.connection-string", uri);
        if (setting(SIGN_IN_KEY, null) == null) {
            System.setProperty(SIGN_IN_KEY, signInKey(embedded ? Path.of(setting(DATA_DIR, "data")) : null));
        }
        Quarkus.run(args);
    }

    /**
     * The key the login form's session cookie is encrypted with, when none is configured: kept in
     * the embedded store's data directory, so that signed-in browsers stay signed in across
     * restarts; otherwise (a configured store) a new one per start.
     */
    static String signInKey(Path dataDir) {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String fresh = Base64.getEncoder().encodeToString(random);
        if (dataDir == null) {
            return fresh;
        }
        Path file = dataDir.resolve("sign-in.key");
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.US_ASCII).trim();
            }
            Files.createDirectories(dataDir);
            Files.writeString(file, fresh, StandardCharsets.US_ASCII);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // a file system without POSIX permissions keeps its own
            }
            return fresh;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot keep the sign-in key in " + file, e);
        }
    }

    /** The connection string of the store the operator configured, or null. */
    static String configuredStoreUri() {
        String uri = setting("quarkus.mongodb.connection-string", null);
        return uri != null ? uri : setting(STORE_URI, null);
    }

    /**
     * Starts {@code io.keepsake.store.EmbeddedStore} as configured and returns its connection string.
     * Looked up by name: JVM builds have it, native images are built without it (and its H2 backend).
     */
    static String startEmbeddedStore() {
        Path dataDir = Path.of(setting(DATA_DIR, "data"));
        String host = storeHost(setting(STORE_HOST, "127.0.0.1"), Boolean.parseBoolean(setting(EXPOSE, "false")));
        try {
            Class<?> type = Class.forName("io.keepsake.store.EmbeddedStore");
            Object store = type.getMethod("start", Path.class, String.class, int.class, boolean.class).invoke(null,
                    dataDir, host, Integer.parseInt(setting(STORE_PORT, "0")),
                    Boolean.parseBoolean(setting(FORCE_TO_DISK, "false")));
            String uri = (String) type.getMethod("connectionString").invoke(store);
            System.out.printf("Keepsake: embedded store at %s, data in %s%n", uri, dataDir.toAbsolutePath());
            return uri;
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("This build has no embedded store: set KEEPSAKE_MONGODB_URI to a "
                    + "MongoDB or Cosmos DB connection string");
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Where the embedded store may listen. It answers anybody who reaches it (mongo-java-server has
     * no authentication), so an address other than loopback must be meant, and is then warned of.
     */
    static String storeHost(String host, boolean exposeMeant) {
        boolean loopback;
        try {
            loopback = Arrays.stream(InetAddress.getAllByName(host)).allMatch(InetAddress::isLoopbackAddress);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("KEEPSAKE_STORE_HOST: unknown host " + host, e);
        }
        if (loopback) {
            return host;
        }
        if (!exposeMeant) {
            throw new IllegalStateException("KEEPSAKE_STORE_HOST=" + host + " would let other machines read and write "
                    + "the embedded store, which has no authentication; set KEEPSAKE_STORE_EXPOSE_WITHOUT_AUTHENTICATION=true "
                    + "if that is meant, or use MongoDB (KEEPSAKE_MONGODB_URI)");
        }
        System.err.printf("Keepsake: WARNING: the embedded store listens on %s without authentication: anyone who "
                + "reaches that address can read and change every user's data%n", host);
        return host;
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
