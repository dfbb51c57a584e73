package io.keepsake.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The packaged service (target/quarkus-app) as its own process, on the embedded store, on a free port. */
final class ServiceProcess implements AutoCloseable {

    static final Path APP = Path.of("target", "quarkus-app");

    final Process process;
    final URI base;
    final long startedNanos;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ServiceProcess(Process process, URI base, long startedNanos, Path log) {
        this.process = process;
        this.base = base;
        this.startedNanos = startedNanos;
        this.log = log;
    }

    /** Starts {@code java <jvmArgs> -jar quarkus-run.jar} in the application's directory, on this JVM's java. */
    static ServiceProcess start(List<String> jvmArgs, Path log, String... env) throws IOException {
        return start(jvmArgs, Files.createTempDirectory("keepsake-bench"), log, env);
    }

    /** As {@link #start(List, Path, String...)}, with the embedded store's data in {@code dataDir} (kept as it is). */
    static ServiceProcess start(List<String> jvmArgs, Path dataDir, Path log, String... env) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmArgs);
        command.addAll(List.of("-jar", "quarkus-run.jar"));
        ProcessBuilder builder = new ProcessBuilder(command).directory(APP.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("KEEPSAKE_STORE_DATA_DIR", dataDir.toAbsolutePath().toString());
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        for (int i = 0; i + 1 < env.length; i += 2) {
            builder.environment().put(env[i], env[i + 1]);
        }
        long started = System.nanoTime();
        return new ServiceProcess(builder.start(), URI.create("http://127.0.0.1:" + port), started, log);
    }

    /** Waits until readiness answers 200 (the store is reachable); returns how long that took from start. */
    Duration awaitReady() throws InterruptedException {
        long deadline = startedNanos + TimeUnit.SECONDS.toNanos(60);
        HttpRequest ready = HttpRequest.newBuilder(base.resolve("/q/health/ready")).timeout(Duration.ofSeconds(5)).build();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return Duration.ofNanos(System.nanoTime() - startedNanos);
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("the service did not become ready; see " + log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
