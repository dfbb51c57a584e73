package io.keepsake.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import de.bwaldvogel.mongo.MongoServer;

/**
 * The embedded default store: mongo-java-server (the MongoDB wire protocol, in process) on its H2
 * MVStore backend, one file under the data directory. For a laptop and for tests; production
 * points Keepsake at MongoDB or Cosmos DB with a connection string instead.
 * <p>
 * A write is answered only after it is committed to the data file ({@link EmbeddedBackend}), so a
 * crash of the process loses nothing acknowledged. The file is written to the operating system at
 * each commit; with {@code forceToDisk} each commit also waits until the disk has it, so that a
 * power loss loses nothing acknowledged either, at the cost of one disk flush per group of writes.
 * Space of the file that no longer holds live data is reused (see {@link GroupCommit}): under a
 * steady write load the file settles at a size of about a minute of writes plus the live data.
 * The store keeps no change log (oplog): notices reach other instances by polling (see the notice
 * feed), and memory does not grow with the number of writes.
 */
public final class EmbeddedStore {

    static final String FILE_NAME = "keepsake.mv.db";
    /** Connection threads: a writer's thread waits for its group commit, so there are more than cores. */
    private static final int WORKER_THREADS = 16;
    /** How often the committer may compact the file (see {@link GroupCommit}). */
    private static final Duration HOUSEKEEPING_EVERY = Duration.ofSeconds(1);

    private static volatile EmbeddedStore running;

    private final Path dataDir;
    private final MongoServer server;
    private final EmbeddedBackend backend;
    private final GroupCommit commits;
    private final String connectionString;

    private EmbeddedStore(Path dataDir, MongoServer server, EmbeddedBackend backend, GroupCommit commits,
            String connectionString) {
        this.dataDir = dataDir;
        this.server = server;
        this.backend = backend;
        this.commits = commits;
        this.connectionString = connectionString;
    }

    /** Opens (or creates) the store under {@code dataDir} and listens on host:port (port 0: any free port). */
    public static EmbeddedStore start(Path dataDir, String host, int port) {
        return start(dataDir, host, port, false);
    }

    /**
     * Opens (or creates) the store under {@code dataDir} and listens on host:port (port 0: any free
     * port); with {@code forceToDisk}, every commit is flushed to the disk before writes are answered.
     */
    public static EmbeddedStore start(Path dataDir, String host, int port, boolean forceToDisk) {
        return start(dataDir, host, port, forceToDisk, null, HOUSEKEEPING_EVERY);
    }

    /**
     * As above; {@code retention} (null: the MVStore default of 45 s) is how long a chunk no longer
     * needed is kept before its space is reused, in case the file system wrote newer ones first.
     */
    static EmbeddedStore start(Path dataDir, String host, int port, boolean forceToDisk, Duration retention,
            Duration housekeepingEvery) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the data directory " + dataDir.toAbsolutePath(), e);
        }
        GroupCommit commits = new GroupCommit(dataDir.resolve(FILE_NAME), forceToDisk, retention, housekeepingEvery);
        EmbeddedBackend backend = new EmbeddedBackend(commits.store(), commits);
        MongoServer server = new MongoServer(backend);
        server.bind(new InetSocketAddress(host, port), 1, WORKER_THREADS);
        var address = server.getLocalAddress();
        String uri = "mongodb://" + address.getHostString() + ":" + address.getPort();
        EmbeddedStore store = new EmbeddedStore(dataDir, server, backend, commits, uri);
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

    /** Closes connections and the data file; everything acknowledged is in the file afterwards. */
    public void stop() {
        server.shutdownNow();
        commits.close();
        if (running == this) {
            running = null;
        }
    }
}
