package io.keepsake.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;

import de.bwaldvogel.mongo.MongoServer;
import io.keepsake.testing.ChildProcesses;
import io.keepsake.testing.IdLookupMemoryBackend;
import io.keepsake.testing.ServiceProcess;

/**
 * mongo-java-server's in-memory backend as its own JVM on a free loopback port, so that the HTTP
 * benchmark can tell the service's CPU from the store's. The backend is the tests' memory backend
 * that reads a query pinning {@code _id} from the id index, as a real store does: the plain one
 * scans the collection for the id-and-owner queries of every read and write, and its CPU per
 * request would grow with the sessions the benchmark creates. Like the plain one it builds no
 * non-unique index (a query on other fields, such as a user's notice log, scans its collection) and
 * keeps nothing on disk.
 */
final class SeparateStore implements AutoCloseable {

    /** Held: a logger nothing references may be collected, and the level set on it with it. */
    private static final Logger ROOT = Logger.getLogger("");

    final Process process;
    final String connectionString;

    private SeparateStore(Process process, String connectionString) {
        this.process = process;
        this.connectionString = connectionString;
    }

    /** Starts the store on this JVM's java and class path; returns once it accepts connections. */
    static SeparateStore start(Path log) throws IOException, InterruptedException {
        int port = ServiceProcess.freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process process = new ProcessBuilder(List.of(java, "-Xmx1g",
                // The logging the service uses (slf4j over JBoss LogManager), configured through JUL in main.
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-cp", System.getProperty("java.class.path"),
                SeparateStore.class.getName(), Integer.toString(port)))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        SeparateStore store = new SeparateStore(process, "mongodb://127.0.0.1:" + port);
        if (!ChildProcesses.awaitListening(process, port, Duration.ofSeconds(30))) {
            store.close();
            throw new IllegalStateException("the separate store did not start; see " + log.toAbsolutePath());
        }
        return store;
    }

    @Override
    public void close() throws InterruptedException {
        ChildProcesses.stop(process);
    }

    /** The store process: listens on the port given until its standard input ends (the benchmark is gone). */
    public static void main(String[] args) throws IOException {
        // Warnings only, as in the service: at debug, the wire protocol handler renders every message,
        // content included, to JSON (a hex dump for binary) for a line nobody reads, most of a write's CPU.
        ROOT.setLevel(Level.WARNING);
        ROOT.addHandler(new ConsoleHandler());
        MongoServer server = new MongoServer(new IdLookupMemoryBackend());
        server.bind("127.0.0.1", Integer.parseInt(args[0]));
        System.out.println("Separate store listening at mongodb://127.0.0.1:" + args[0]);
        while (System.in.read() >= 0) {
            // the benchmark writes nothing; end of input means it exited without stopping us
        }
        server.shutdownNow();
    }
}
