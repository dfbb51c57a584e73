package io.keepsake.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service (target/quarkus-app, built by {@code package}) as its own process on its
 * embedded on-disk store, on free ports (the API's and the management interface's), under the laptop
 * profile (its built-in users) unless the environment given says otherwise: for the tests that
 * start, stop or kill it, and the benchmarks.
 */
public final class ServiceProcess implements AutoCloseable {

    public static final Path APP = Path.of("target", "quarkus-app");

    public final Process process;
    public final URI base;
    /** The management interface: health, metrics, the API description. */
    public final URI management;
    public final Path dataDir;
    public final Path log;
    private final long startedNanos;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ServiceProcess(Process process, URI base, URI management, Path dataDir, Path log, long startedNanos) {
        this.process = process;
        this.base = base;
        this.management = management;
        this.dataDir = dataDir;
        this.log = log;
        this.startedNanos = startedNanos;
    }

    /** The Authorization header of one of the laptop profile's built-in users (password {@code <user>-secret}). */
    public static String basicAuth(String user) {
        return "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + user + "-secret").getBytes(StandardCharsets.UTF_8));
    }

    /** Whether the packaged application exists (tests that need it run after {@code package}). */
    public static boolean packaged() {
        return Files.isRegularFile(APP.resolve("quarkus-run.jar"));
    }

    /**
     * Starts {@code java <jvmArgs> -jar quarkus-run.jar} on the java running this JVM, with its data
     * in {@code dataDir}, the log appended to {@code log}, and more environment as name/value pairs.
     */
    public static ServiceProcess start(Path dataDir, Path log, List<String> jvmArgs, String... env) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        int port = freePort();
        int managementPort = freePort();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmArgs);
        command.addAll(List.of("-jar", "quarkus-run.jar"));
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder builder = new ProcessBuilder(command).directory(APP.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("KEEPSAKE_STORE_DATA_DIR", dataDir.toAbsolutePath().toString());
        environment.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        environment.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
        environment.put("QUARKUS_PROFILE", "laptop");
        for (int i = 0; i + 1 < env.length; i += 2) {
            environment.put(env[i], env[i + 1]);
        }
        builder.environment().putAll(environment);
        long started = System.nanoTime();
        return new ServiceProcess(builder.start(), URI.create("http://127.0.0.1:" + port),
                URI.create("http://127.0.0.1:" + managementPort), dataDir, log, started);
    }

    /** A port nothing listens on now (another process may take it before the caller binds it). */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** How long since the process was started. */
    public Duration age() {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    /** Waits until readiness answers 200 (the store is reachable); returns how long that took from start. */
    public Duration awaitReady() throws InterruptedException {
        long deadline = startedNanos + TimeUnit.SECONDS.toNanos(90);
        HttpRequest ready = HttpRequest.newBuilder(management.resolve("/q/health/ready")).timeout(Duration.ofSeconds(5)).build();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return Duration.ofNanos(System.nanoTime() - startedNanos);
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the service did not become ready; see " + log.toAbsolutePath());
    }

    /** SIGKILL: the process dies at once, with no shutdown of any kind. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then waits for the exit; returns how long the process took to exit. */
    public Duration stop(Duration atMost) throws InterruptedException {
        long asked = System.nanoTime();
        process.destroy();
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        return Duration.ofNanos(System.nanoTime() - asked);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop(Duration.ofSeconds(30));
        }
    }
}
