package io.keepsake.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import de.bwaldvogel.mongo.MongoServer;
import io.quarkus.logging.Log;

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
 * <p>
 * A commit that fails (a full disk) refuses the writes it held, none of which is in the file
 * ({@link GroupCommit}). The store then stops listening and opens its file again, as a restart of
 * the process would, after a pause that doubles while commits keep failing (up to
 * {@link #MAX_REOPEN_PAUSE}): clients meanwhile find it away (the service answers 503 and is not
 * ready), and it comes back by itself once the disk takes writes again.
 */
public final class EmbeddedStore {

    static final String FILE_NAME = "keepsake.mv.db";
    /** Connection threads: a writer's thread waits for its group commit, so there are more than cores. */
    private static final int WORKER_THREADS = 16;
    /** How often the committer may compact the file (see {@link GroupCommit}). */
    private static final Duration HOUSEKEEPING_EVERY = Duration.ofSeconds(1);
    /** The pause before the file is opened again after a failed commit, doubled while commits keep failing. */
    private static final Duration FIRST_REOPEN_PAUSE = Duration.ofMillis(250);
    static final Duration MAX_REOPEN_PAUSE = Duration.ofSeconds(4);

    private static volatile EmbeddedStore running;

    private final Path dataDir;
    private final String host;
    private final boolean forceToDisk;
    private final Duration retention;
    private final Duration housekeepingEvery;
    private final FileWrites writes;
    private final Object lock = new Object();
    /** The open file and the server in front of it; replaced when the file is opened again. */
    private GroupCommit commits;
    private MongoServer server;
    private int port;
    private String connectionString;
    private boolean stopped;
    private Duration reopenPause = FIRST_REOPEN_PAUSE;

    private EmbeddedStore(Path dataDir, String host, boolean forceToDisk, Duration retention, Duration housekeepingEvery,
            FileWrites writes) {
        this.dataDir = dataDir;
        this.host = host;
        this.forceToDisk = forceToDisk;
        this.retention = retention;
        this.housekeepingEvery = housekeepingEvery;
        this.writes = writes;
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
        return start(dataDir, host, port, forceToDisk, FileWrites.NONE);
    }

    /** As above, with each write of the data file shown to {@code writes} first (which may fail it). */
    public static EmbeddedStore start(Path dataDir, String host, int port, boolean forceToDisk, FileWrites writes) {
        return start(dataDir, host, port, forceToDisk, null, HOUSEKEEPING_EVERY, writes);
    }

    /**
     * As above; {@code retention} (null: the MVStore default of 45 s) is how long a chunk no longer
     * needed is kept before its space is reused, in case the file system wrote newer ones first.
     */
    static EmbeddedStore start(Path dataDir, String host, int port, boolean forceToDisk, Duration retention,
            Duration housekeepingEvery) {
        return start(dataDir, host, port, forceToDisk, retention, housekeepingEvery, FileWrites.NONE);
    }

    private static EmbeddedStore start(Path dataDir, String host, int port, boolean forceToDisk, Duration retention,
            Duration housekeepingEvery, FileWrites writes) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the data directory " + dataDir.toAbsolutePath(), e);
        }
        EmbeddedStore store = new EmbeddedStore(dataDir, host, forceToDisk, retention, housekeepingEvery, writes);
        synchronized (store.lock) {
            store.open(port);
        }
        running = store;
        return store;
    }

    /** Opens the data file and listens in front of it; under {@link #lock}. */
    private void open(int port) {
        GroupCommit opened = new GroupCommit(dataDir.resolve(FILE_NAME), forceToDisk, retention, housekeepingEvery,
                writes, this::commitFailed);
        try {
            MongoServer listening = new MongoServer(new EmbeddedBackend(opened.store(), opened));
            listening.bind(new InetSocketAddress(host, port), 1, WORKER_THREADS);
            var address = listening.getLocalAddress();
            this.commits = opened;
            this.server = listening;
            this.port = address.getPort();
            this.connectionString = "mongodb://" + address.getHostString() + ":" + address.getPort();
        } catch (RuntimeException e) {
            close(opened);
            throw e;
        }
    }

    /** Told by the committer that a commit failed: stops listening and opens the file again, in the background. */
    private void commitFailed(RuntimeException failure) {
        Thread reopening = new Thread(this::reopen, "keepsake-store-reopen");
        reopening.setDaemon(true);
        reopening.start();
    }

    private void reopen() {
        Duration pause;
        synchronized (lock) {
            if (stopped) {
                return;
            }
            try {
                server.shutdownNow();
            } catch (RuntimeException e) {
                Log.debugf(e, "Closing the failed store");
            }
            close(commits);
            pause = commits.committedAny() ? FIRST_REOPEN_PAUSE : reopenPause;
            reopenPause = Duration.ofMillis(Math.min(pause.toMillis() * 2, MAX_REOPEN_PAUSE.toMillis()));
        }
        while (true) {
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            synchronized (lock) {
                if (stopped) {
                    return;
                }
                try {
                    open(port);
                    Log.infof("The embedded store opened its data file again and listens at %s", connectionString);
                    return;
                } catch (RuntimeException e) {
                    Log.warnf("The embedded store cannot open its data file again yet: %s", e.getMessage());
                    pause = MAX_REOPEN_PAUSE;
                }
            }
        }
    }

    private static void close(GroupCommit commits) {
        commits.close();
        if (!commits.store().isClosed()) {
            commits.store().closeImmediately(); // what was not committed is not kept
        }
    }

    /** The store this process started, if any. */
    public static EmbeddedStore running() {
        return running;
    }

    public String connectionString() {
        synchronized (lock) {
            return connectionString;
        }
    }

    public int port() {
        synchronized (lock) {
            return port;
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Closes connections and the data file; everything acknowledged is in the file afterwards. */
    public void stop() {
        synchronized (lock) {
            stopped = true;
            server.shutdownNow();
            commits.close();
        }
        if (running == this) {
            running = null;
        }
    }
}
