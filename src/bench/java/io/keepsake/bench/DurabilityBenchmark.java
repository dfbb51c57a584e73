package io.keepsake.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import io.keepsake.testing.ServiceProcess;
import io.restassured.path.json.JsonPath;

/**
 * What the packaged service costs and keeps, on its embedded store, started with -Xmx256m on a
 * fresh data directory for each part:
 * <ol>
 * <li>CPU used while idle (no clients), from /proc/&lt;pid&gt;/stat, and store commands sent meanwhile
 * ({@code -Dbench.only=idle}: this part alone, from a later moment after start);</li>
 * <li>create throughput: concurrent clients POSTing 10 KiB sessions, every answer other than 201 an error;</li>
 * <li>resident memory, heap and data on disk after many writes of ~100 KiB (creates, then PUTs with If-Match);</li>
 * <li>a crash probe: SIGKILL while clients create sessions, restart on the same data directory, and
 * count the sessions that were answered 201 but are gone.</li>
 * </ol>
 */
final class DurabilityBenchmark {

    /** CPU as % of one core and store commands a second over {@code seconds}, from {@code from} s after start. */
    record Idle(int from, int seconds, double cpuPercent, double commandsPerSecond) {
    }

    record Throughput(int clients, int seconds, int created, int errors, double perSecond, double p50, double p99) {
    }

    record Footprint(int writes, int sessions, int clients, int errors, double seconds, boolean alive, long rssKb,
            long peakRssKb, long heapKb, long diskBytes) {
    }

    /** {@code missing} and {@code unreadable} are -1 when the service did not come back. */
    record Crash(int clients, int seconds, int acknowledged, int missing, int unreadable, boolean restarted) {
    }

    record Result(Idle idle, Throughput throughput, Footprint footprint, Crash crash) {
    }

    private static final List<String> JVM = BenchMain.serverJvm();
    private static final String SESSIONS = "/persistence/sessions";
    private static final String AUTHORIZATION = "Basic "
            + Base64.getEncoder().encodeToString("alice:alice-secret".getBytes(StandardCharsets.UTF_8));
    private static final int SETTLE_SECONDS = 15;
    /** The JIT compiles the hot paths for about half a minute: figures before that measure the compiler. */
    private static final int WARM_UP_SECONDS = 30;
    private static final int SESSIONS_WRITTEN = 200;
    private static final int CRASH_AFTER_SECONDS = 3;

    private final int idleSeconds;
    private final int clients;
    private final int seconds;
    private final int writes;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    DurabilityBenchmark(int idleSeconds, int clients, int seconds, int writes) {
        this.idleSeconds = idleSeconds;
        this.clients = clients;
        this.seconds = seconds;
        this.writes = writes;
    }

    Result run() throws Exception {
        Idle idle;
        Throughput throughput;
        Path dataDir = Files.createTempDirectory("keepsake-bench");
        try (ServiceProcess service = ServiceProcess.start(dataDir, log("durability-server.log"), JVM, HttpBenchmark.UNLIMITED)) {
            Duration ready = service.awaitReady();
            idle = idle(service, (int) ready.toSeconds() + SETTLE_SECONDS);
            throughput = creates(service);
            System.out.printf(Locale.ROOT, "Creates: %.1f/s, p50 %.1f ms, p99 %.1f ms, %d errors%n",
                    throughput.perSecond(), throughput.p50(), throughput.p99(), throughput.errors());
        } finally {
            deleteTree(dataDir);
        }

        Footprint footprint;
        dataDir = Files.createTempDirectory("keepsake-bench");
        try (ServiceProcess service = ServiceProcess.start(dataDir, log("durability-writes-server.log"), JVM, HttpBenchmark.UNLIMITED)) {
            service.awaitReady();
            footprint = footprint(service, dataDir);
            System.out.printf(Locale.ROOT, "After %,d writes: RSS %,d MiB (peak %,d), heap %,d MiB, disk %,d MiB, %d errors%n",
                    footprint.writes(), footprint.rssKb() / 1024, footprint.peakRssKb() / 1024,
                    footprint.heapKb() / 1024, footprint.diskBytes() >> 20, footprint.errors());
        } finally {
            deleteTree(dataDir);
        }

        Crash crash = crash();
        System.out.printf(Locale.ROOT, "Crash probe: %,d acknowledged, %,d missing%n", crash.acknowledged(), crash.missing());
        return new Result(idle, throughput, footprint, crash);
    }

    /** The idle part alone (-Dbench.only=idle), on a service of its own, from {@code from} s after its start. */
    Idle idleOnly(int from) throws Exception {
        Path dataDir = Files.createTempDirectory("keepsake-bench");
        try (ServiceProcess service = ServiceProcess.start(dataDir, log("idle-server.log"), JVM)) {
            service.awaitReady();
            return idle(service, from);
        } finally {
            deleteTree(dataDir);
        }
    }

    /**
     * CPU time of the service process, as % of one core, and the store commands it sent (its
     * mongodb_driver_commands_seconds_count, summed) over the idle window, which begins {@code from}
     * s after the process started.
     */
    private Idle idle(ServiceProcess service, int from) throws Exception {
        Thread.sleep(Math.max(0, TimeUnit.SECONDS.toMillis(from) - service.age().toMillis()));
        long pid = service.process.pid();
        long ticksBefore = ProcessStats.cpuTicks(pid);
        long commandsBefore = storeCommands(service);
        long start = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(idleSeconds));
        long ticks = ProcessStats.cpuTicks(pid) - ticksBefore;
        long commands = storeCommands(service) - commandsBefore;
        double wallSeconds = (System.nanoTime() - start) / 1e9;
        Idle idle = new Idle(from, idleSeconds, 100.0 * ticks / ProcessStats.clockTicksPerSecond() / wallSeconds,
                commands / wallSeconds);
        System.out.printf(Locale.ROOT, "Idle from %d s after start, %d s: CPU %.2f %% of one core, %.3f store commands/s%n",
                idle.from(), idle.seconds(), idle.cpuPercent(), idle.commandsPerSecond());
        return idle;
    }

    /** The store commands the service has sent so far, from its metrics. */
    private long storeCommands(ServiceProcess service) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(service.management.resolve("/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return (long) metrics.lines().filter(line -> line.startsWith("mongodb_driver_commands_seconds_count"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    /** Clients POST 10 KiB sessions for the warm-up and the measured window; answers completed in the window count. */
    private Throughput creates(ServiceProcess service) throws Exception {
        long measureFrom = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARM_UP_SECONDS);
        long measureTo = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger errors = new AtomicInteger();
        onClients(clients, client -> {
            String content = content(10 * 1024, new Random(client));
            for (int n = 0; System.nanoTime() < measureTo; n++) {
                long sent = System.nanoTime();
                HttpResponse<String> response = trySend(service.base, "POST", SESSIONS,
                        body("throughput " + client + "-" + n, content), null);
                long done = System.nanoTime();
                if (response == null || response.statusCode() != 201) {
                    errors.incrementAndGet(); // warm-up included
                } else if (done >= measureFrom && done <= measureTo) {
                    latencies.add(done - sent);
                }
            }
        });
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Throughput(clients, seconds, sorted.length, errors.get(), (double) sorted.length / seconds,
                NoticeBenchmark.percentile(sorted, 50), NoticeBenchmark.percentile(sorted, 99));
    }

    /**
     * {@code writes} writes of ~100 KiB: each client creates its share of 200 sessions, then replaces
     * them in turn (PUT with the ETag it was last given) until it has done its share of the writes.
     */
    private Footprint footprint(ServiceProcess service, Path dataDir) throws Exception {
        int sessions = Math.min(SESSIONS_WRITTEN, writes);
        AtomicInteger errors = new AtomicInteger();
        long started = System.nanoTime();
        onClients(clients, client -> {
            String content = content(100 * 1024, new Random(client));
            int ownSessions = share(sessions, client);
            List<String> ids = new ArrayList<>();
            List<String> etags = new ArrayList<>();
            for (int n = 0; n < share(writes, client) && service.process.isAlive(); n++) {
                // a new revision each time, so that every write changes the content
                String body = body("footprint " + client, "{\"revision\":" + n + "," + content.substring(1));
                if (n < ownSessions) {
                    HttpResponse<String> created = trySend(service.base, "POST", SESSIONS, body, null);
                    if (created != null && created.statusCode() == 201) {
                        ids.add(JsonPath.from(created.body()).getString("id"));
                        etags.add(created.headers().firstValue("ETag").orElse("*"));
                    } else {
                        errors.incrementAndGet();
                    }
                    continue;
                }
                if (ids.isEmpty()) {
                    errors.incrementAndGet();
                    continue;
                }
                int s = n % ids.size();
                String path = SESSIONS + "/" + ids.get(s);
                HttpResponse<String> replaced = trySend(service.base, "PUT", path, body, etags.get(s));
                if (replaced != null && replaced.statusCode() == 200) {
                    etags.set(s, replaced.headers().firstValue("ETag").orElse("*"));
                } else {
                    errors.incrementAndGet();
                    HttpResponse<String> metadata = trySend(service.base, "GET", SESSIONS + "/metadata/" + ids.get(s), null, null);
                    if (metadata != null && metadata.statusCode() == 200) {
                        etags.set(s, metadata.headers().firstValue("ETag").orElse("*"));
                    }
                }
            }
        });
        double elapsed = (System.nanoTime() - started) / 1e9;
        long pid = service.process.pid();
        boolean alive = service.process.isAlive();
        long rss = ProcessStats.statusKb(pid, "VmRSS:");
        long peak = ProcessStats.statusKb(pid, "VmHWM:");
        long heap = alive ? ProcessStats.heapKb(pid) : -1;
        return new Footprint(writes, sessions, clients, errors.get(), elapsed, alive, rss, peak, heap, sizeOf(dataDir));
    }

    /**
     * Clients create 10 KiB sessions; after a few seconds the service is killed (SIGKILL) while they
     * are at it, started again on the same data directory, and asked for every session it had answered 201.
     */
    private Crash crash() throws Exception {
        Path dataDir = Files.createTempDirectory("keepsake-bench");
        List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
        try (ServiceProcess service = ServiceProcess.start(dataDir, log("durability-crash-server.log"), JVM, HttpBenchmark.UNLIMITED)) {
            service.awaitReady();
            AtomicBoolean killed = new AtomicBoolean();
            Thread killer = new Thread(() -> {
                try {
                    Thread.sleep(TimeUnit.SECONDS.toMillis(CRASH_AFTER_SECONDS));
                    service.process.destroyForcibly(); // SIGKILL
                    service.process.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    killed.set(true);
                }
            });
            killer.start();
            onClients(clients, client -> {
                String content = content(10 * 1024, new Random(client));
                for (int n = 0; !killed.get(); n++) {
                    HttpResponse<String> response = trySend(service.base, "POST", SESSIONS,
                            body("crash " + client + "-" + n, content), null);
                    if (response != null && response.statusCode() == 201) {
                        acknowledged.add(JsonPath.from(response.body()).getString("id"));
                    }
                }
            });
            killer.join();
        }

        try (ServiceProcess service = ServiceProcess.start(dataDir, log("durability-restart-server.log"), JVM, HttpBenchmark.UNLIMITED)) {
            try {
                service.awaitReady();
            } catch (IllegalStateException e) {
                System.out.println("Crash probe: the service did not come back; data kept in " + dataDir);
                return new Crash(clients, CRASH_AFTER_SECONDS, acknowledged.size(), -1, -1, false);
            }
            int missing = 0;
            int unreadable = 0;
            for (String id : acknowledged) {
                HttpResponse<String> read = trySend(service.base, "GET", SESSIONS + "/" + id, null, null);
                if (read != null && read.statusCode() == 404) {
                    missing++;
                } else if (read == null || read.statusCode() != 200) {
                    unreadable++;
                }
            }
            deleteTree(dataDir);
            return new Crash(clients, CRASH_AFTER_SECONDS, acknowledged.size(), missing, unreadable, true);
        }
    }

    @FunctionalInterface
    private interface Client {
        void run(int client) throws Exception;
    }

    /** Runs {@code count} clients, numbered from 0, each on its own thread; returns when all have ended. */
    private static void onClients(int count, Client client) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(count);
        try {
            List<Future<Object>> running = new ArrayList<>();
            for (int c = 0; c < count; c++) {
                int number = c;
                running.add(threads.submit(() -> {
                    client.run(number);
                    return null;
                }));
            }
            for (Future<Object> each : running) {
                each.get();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    /** Client {@code client}'s part of {@code total}, spread evenly over the clients. */
    private int share(int total, int client) {
        return total / clients + (client < total % clients ? 1 : 0);
    }

    /** Sends as alice; null when there was no answer (connection refused or reset, time-out). */
    private HttpResponse<String> trySend(URI base, String method, String path, String body, String ifMatch)
            throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", AUTHORIZATION)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        }
    }

    private static String body(String title, String content) {
        return "{\"title\":\"" + title + "\",\"description\":\"durability benchmark\",\"content\":" + content + "}";
    }

    /** Compact JSON of about {@code chars} characters, shaped like workbench state: rows of short fields. */
    static String content(int chars, Random random) {
        StringBuilder json = new StringBuilder(chars + 100).append("{\"rows\":[");
        for (int i = 0; json.length() < chars - 2; i++) {
            json.append(i == 0 ? "" : ",").append("{\"i\":").append(i)
                    .append(",\"label\":\"").append(Long.toString(random.nextLong() & Long.MAX_VALUE, 36))
                    .append("\",\"value\":").append(random.nextInt(1_000_000)).append('}');
        }
        return json.append("]}").toString();
    }




    private static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> {
                try {
                    return Files.size(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path each : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(each);
            }
        }
    }

    private static Path log(String name) {
        return Path.of("target", "bench", name);
    }

    static String report(Result r) {
        Idle idle = r.idle();
        Throughput t = r.throughput();
        Footprint f = r.footprint();
        Crash c = r.crash();
        String crash = c.restarted()
                ? String.format(Locale.ROOT, "%,d acknowledged (201), %,d missing after restart%s", c.acknowledged(),
                        c.missing(), c.unreadable() == 0 ? "" : String.format(Locale.ROOT, ", %,d unreadable", c.unreadable()))
                : String.format(Locale.ROOT, "%,d acknowledged (201); the service did not start again on its data",
                        c.acknowledged());
        return String.format(Locale.ROOT, """
                ## Durability: idle CPU, create throughput, memory after many writes, crash probe

                Service: packaged jar, embedded store, `-Xmx256m`, a fresh data directory for each part, same machine \
                as the client (JDK %s, %d cores).

                | part | result |
                |---|---|
                | idle, %d s with no clients from %d s after start | %.2f %% of one core, %.3f store commands/s |
                | creates of 10 KiB sessions, %d clients, %d s after a %d s warm-up | %.1f sessions/s; p50 %.1f ms, p99 %.1f ms; %d errors |
                | %,d writes of ~100 KiB (%d sessions created, then PUT with If-Match), %d clients | %.1f s (%.1f writes/s), %d errors%s; RSS %,d MiB (peak %,d MiB); heap used after GC %,d MiB; data directory %,d MiB |
                | crash probe: %d clients creating 10 KiB sessions, SIGKILL after %d s, restart on the same data | %s |
                """, Runtime.version(), Runtime.getRuntime().availableProcessors(),
                idle.seconds(), idle.from(), idle.cpuPercent(), idle.commandsPerSecond(),
                t.clients(), t.seconds(), WARM_UP_SECONDS, t.perSecond(), t.p50(), t.p99(), t.errors(),
                f.writes(), f.sessions(), f.clients(), f.seconds(), f.writes() / f.seconds(), f.errors(),
                f.alive() ? "" : " (the service had exited)", f.rssKb() / 1024, f.peakRssKb() / 1024, f.heapKb() / 1024,
                f.diskBytes() >> 20,
                c.clients(), c.seconds(), crash);
    }

    static String report(Idle idle) {
        return String.format(Locale.ROOT, """
                ## Idle: CPU and store commands with nobody connected and nothing held

                Service: packaged jar, embedded store, `-Xmx256m`, a fresh data directory (JDK %s, %d cores).

                | window | CPU | store commands |
                |---|---|---|
                | %d s from %d s after start | %.2f %% of one core | %.3f a second |
                """, Runtime.version(), Runtime.getRuntime().availableProcessors(),
                idle.seconds(), idle.from(), idle.cpuPercent(), idle.commandsPerSecond());
    }
}
