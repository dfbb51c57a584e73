package io.keepsake.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;

/**
 * The embedded default store: mongo-java-server (the MongoDB wire protocol, in process) on its H2
 * MVStore backend, one file under the data directory. For a laptop and for tests; production
 * points Keepsake at MongoDB or Cosmos DB with a connection string instead.
 */
public final class EmbeddedStore {

    static final String FILE_NAME = "keepsake.mv.db";

    private static volatile EmbeddedStore running;

    private final Path dataDir;
    private final MongoServer server;
    private final String connectionString;

    private EmbeddedStore(Path dataDir, MongoServer server, String connectionString) {
        this.dataDir = dataDir;
        this.server = server;
        this.connectionString = connectionString;
    }

    /** Opens (or creates) the store under {@code dataDir} and listens on host:port (port 0: any free port). */
    public static EmbeddedStore start(Path dataDir, String host, int port) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the data directory " + dataDir.toAbsolutePath(), e);
        }
        MongoServer server = new MongoServer(new H2Backend(dataDir.resolve(FILE_NAME).toString()));
        server.enableOplog(); // change streams, which carry notices between replicas
        server.bind(host, port);
        var address = server.getLocalAddress();
        String uri = "mongodb://" + address.getHostString() + ":" + address.getPort();
        EmbeddedStore store = new EmbeddedStore(dataDir, server, uri);
        running = store;
        return store;
    }

    /** The store this process started, if any. */
    public static EmbeddedStore running() {
        return running;
    }

    public String connectionString() {
        return connectionString;
    }

    public int port() {
        return server.getLocalAddress().getPort();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Closes connections and the data file; committed data is on disk afterwards. */
    public void stop() {
        server.shutdownNow();
        if (running == this) {
            running = null;
        }
    }
}
