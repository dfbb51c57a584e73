package io.keepsake.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real nginx (Debian's package) as a child process, in the foreground, with everything it writes
 * (temporary bodies, its pid, the access log) in one directory and its errors in a log file: for the
 * tests that put the service behind the reverse proxy configuration in deploy/nginx.
 */
public final class Nginx implements AutoCloseable {

    private final Process process;
    private final Path log;

    private Nginx(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Whether an {@code nginx} executable is on the PATH. */
    public static boolean onPath() {
        String path = System.getenv("PATH");
        return path != null && List.of(path.split(File.pathSeparator)).stream()
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "nginx")));
    }

    /**
     * Starts nginx with {@code http} (directives of the http context: upstreams, maps, servers) in
     * {@code dir}, its error log appended to {@code log}, and waits until {@code port} accepts connections.
     */
    public static Nginx start(Path dir, String http, Path log, int port) throws IOException, InterruptedException {
        Path mimeTypes = Path.of("/etc/nginx/mime.types");
        String conf = String.join("\n",
                // As root, workers would otherwise run as www-data, which cannot read a test's private directory.
                "root".equals(System.getProperty("user.name")) ? "user root;" : "",
                "events {}",
                "http {",
                Files.isReadable(mimeTypes) ? "include " + mimeTypes + ";" : "",
                "access_log " + dir.resolve("access.log") + ";",
                "client_body_temp_path " + dir.resolve("client_body") + ";",
                "proxy_temp_path " + dir.resolve("proxy") + ";",
                "fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
                "uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
                "scgi_temp_path " + dir.resolve("scgi") + ";",
                http,
                "}", "");
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, conf);
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process process = new ProcessBuilder("nginx", "-p", dir + "/", "-c", file.toString(),
                "-g", "daemon off; pid " + dir.resolve("nginx.pid") + "; error_log stderr;")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Nginx nginx = new Nginx(process, log);
        if (!ChildProcesses.awaitListening(process, port, Duration.ofSeconds(20))) {
            nginx.close();
            throw new IllegalStateException("nginx did not start; see " + log.toAbsolutePath());
        }
        return nginx;
    }

    /** SIGTERM (nginx's fast shutdown: the master stops its workers), then waits for the exit. */
    @Override
    public void close() throws InterruptedException {
        ChildProcesses.stop(process);
    }

    @Override
    public String toString() {
        return "nginx (log " + log.toAbsolutePath() + ")";
    }
}
