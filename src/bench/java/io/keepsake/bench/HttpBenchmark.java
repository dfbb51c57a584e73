package io.keepsake.bench;

import java.io.IOException;
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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import io.keepsake.testing.ServiceProcess;
import io.restassured.path.json.JsonPath;

/**
 * HTTP load against the packaged service, with wrk, side by side with a bare JDK HTTP server that
 * answers each scenario's request with a body of the same size (the reference for what the machine
 * allows). The service runs on its embedded store or on a store in a process of its own, whose CPU
 * is then counted apart. Every answer that is not 2xx or 3xx is an error. Prints req/s, p50, p99
 * and the ratio to the bare server per scenario, the CPU per request, and the service's memory.
 */
final class HttpBenchmark {

    /**
     * wrk's figures for the measured window; for Keepsake also the CPU time (user + system) the
     * service and the separate store used in that window per request wrk completed (NaN where not
     * measured), and the service's CPU as a share of one core.
     */
    record Figure(double perSecond, double p50, double p99, long errors, long requests,
            double serviceCpuMs, double storeCpuMs, double serviceCores) {

        Figure withCpu(double serviceMs, double storeMs, double seconds) {
            return new Figure(perSecond, p50, p99, errors, requests, serviceMs / requests, storeMs / requests,
                    serviceMs / 1000 / seconds);
        }
    }

    record Row(String store, String scenario, String target, Figure bare, Figure keepsake) {
    }

    /** One store variant's rows, the service's memory and GC counts after them, the notices heard. */
    record Variant(String store, List<Row> rows, long rssKb, long[] gc, String notices) {
    }

    /** The scenarios, in the order they run; {@code -Dbench.scenarios} picks some by these keys. */
    static final List<String> SCENARIOS = List.of("get", "poll", "put", "post", "get-1m", "put-1.5m", "get-1.5m");
    /** The load comes from one user: the per-user write rate and quotas would measure the limits, not the service. */
    static final String[] UNLIMITED = {"KEEPSAKE_RATE_LIMITS_SESSION_WRITES_PER_SECOND", "1000000",
        "KEEPSAKE_QUOTAS_MAX_SESSIONS_PER_USER", "1000000000", "KEEPSAKE_QUOTAS_MAX_SNAPSHOTS_PER_USER", "1000000000",
        "KEEPSAKE_QUOTAS_MAX_STORED_BYTES_PER_USER", "1000G"};
    static final String AUTH = "Basic "
            + Base64.getEncoder().encodeToString("alice:alice-secret".getBytes(StandardCharsets.UTF_8));

    private final int threads;
    private final int connections;
    private final int seconds;
    private final int warmUpSeconds;
    private final Set<String> scenarios;
    private final List<String> stores;
    private final Path dir = Path.of("target", "bench", "wrk");
    private final WrkScripts scripts = new WrkScripts(dir);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ObjectMapper json = new ObjectMapper();
    /** The service's process while Keepsake is measured (-1: the bare server, whose CPU is not counted). */
    private long servicePid = -1;
    /** The separate store's process, -1 on the embedded store (its CPU is the service's). */
    private long storePid = -1;

    /**
     * {@code scenarios}: "all" or keys of {@link #SCENARIOS}, comma-separated; {@code store}:
     * embedded, separate (mongo-java-server in memory as its own process) or both, one after the other.
     */
    HttpBenchmark(int threads, int connections, int seconds, int warmUpSeconds, String scenarios, String store) {
        this.threads = threads;
        this.connections = connections;
        this.seconds = seconds;
        this.warmUpSeconds = warmUpSeconds;
        this.scenarios = scenarios.isBlank() || scenarios.equals("all") ? Set.copyOf(SCENARIOS)
                : Set.of(scenarios.trim().split("\\s*,\\s*"));
        if (!SCENARIOS.containsAll(this.scenarios)) {
            throw new IllegalArgumentException("bench.scenarios: " + scenarios + "; known: " + String.join(",", SCENARIOS));
        }
        this.stores = switch (store) {
            case "embedded", "separate" -> List.of(store);
            case "both" -> List.of("embedded", "separate");
            default -> throw new IllegalArgumentException("bench.store: " + store + "; embedded, separate or both");
        };
    }

    /** The report section; empty of figures when wrk is not installed. */
    String run() throws Exception {
        if (!Wrk.installed()) {
            return "## HTTP load\n\nwrk is not installed (Debian: `apt-get install wrk`); nothing measured.\n";
        }
        Files.createDirectories(dir);
        String small = json.writeValueAsString(WorkbenchJson.atLeast(10 * 1024));
        String large = json.writeValueAsString(WorkbenchJson.atLeast(1024 * 1024));
        String largest = json.writeValueAsString(WorkbenchJson.atLeast(1_500_000));

        // The reference first, alone on the machine.
        Map<String, Figure> bare = new HashMap<>();
        HttpServer server = BareServer.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            String get = scripts.fixed("get", null, null, null);
            bare(bare, "get", () -> wrk(base + "/bare/" + body(small).length, get, connections));
            bare(bare, "poll", () -> wrk(base + "/bare/0?status=304", get, connections));
            bare(bare, "put", () -> wrk(base + "/bare/300", scripts.fixed("post", "PUT", body(small), null), connections));
            bare(bare, "post", () -> wrk(base + "/bare/300", scripts.fixed("post", "POST", body(small), null), connections));
            bare(bare, "get-1m", () -> wrk(base + "/bare/" + body(large).length, get, connections));
            bare(bare, "put-1.5m", () -> wrk(base + "/bare/300", scripts.fixed("post", "PUT", body(largest), null), 4));
            bare(bare, "get-1.5m", () -> wrk(base + "/bare/" + body(largest).length, get, 4));
        } finally {
            server.stop(0);
        }

        List<Variant> variants = new ArrayList<>();
        for (String store : stores) {
            variants.add(keepsake(store, bare, small, large, largest));
        }
        return report(variants);
    }

    /** The scenarios against the packaged service on the embedded store or a separate one. */
    private Variant keepsake(String store, Map<String, Figure> bare, String small, String large, String largest)
            throws Exception {
        Path data = Files.createTempDirectory("keepsake-bench");
        List<Row> rows = new ArrayList<>();
        long rssKb;
        long[] gc;
        String notices = "";
        Path storeLog = Path.of("target", "bench", "http-store.log");
        try (SeparateStore separate = store.equals("separate") ? SeparateStore.start(storeLog) : null;
                ServiceProcess service = ServiceProcess.start(data, Path.of("target", "bench", "http-server.log"),
                        BenchMain.serverJvm(), environment(separate))) {
            service.awaitReady();
            String base = service.base.toString();
            servicePid = service.process.pid();
            storePid = separate == null ? -1 : separate.process.pid();
            JsonPath one = create(base, small);
            String sessionPath = "/persistence/sessions/" + one.getString("id");
            String etag = etagOf(base, sessionPath);
            List<String> pool = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                pool.add(create(base, small).getString("id") + "=*");
            }
            String largeId = create(base, large).getString("id");
            String largestId = create(base, largest).getString("id");
            List<String> largestPool = List.of(largestId + "=*");

            // The JIT compiles the hot paths for about half a minute: warm all of them up first.
            String reads = scripts.fixed("get", null, null, null);
            wrk(base + sessionPath, reads, connections, warmUpSeconds * 4);

            measure(rows, store, "get", "GET a 10 KiB session", ">= 0.25", bare,
                    () -> wrk(base + sessionPath, reads, connections));
            measure(rows, store, "poll", "poll: metadata, matching If-None-Match -> 304", ">= 0.5", bare,
                    () -> wrk(base + "/persistence/sessions/metadata/" + one.getString("id"),
                            scripts.fixed("get", null, null, etag), connections));
            if (scenarios.contains("put")) {
                Notices heard = Notices.listen(http, base);
                measure(rows, store, "put", "PUT 10 KiB with If-Match (a change each time)", ">= 0.1, p99 < 50 ms", bare,
                        () -> wrk(base + "/persistence/sessions", scripts.put(small, pool), connections));
                notices = heard.drained();
            }
            measure(rows, store, "post", "POST 10 KiB (create)", ">= 0.1, p99 < 50 ms", bare,
                    () -> wrk(base + "/persistence/sessions", scripts.fixed("post", "POST", body(small), null), connections));
            measure(rows, store, "get-1m", "GET a 1 MiB session", ">= 0.5", bare,
                    () -> wrk(base + "/persistence/sessions/" + largeId, reads, connections));
            measure(rows, store, "put-1.5m", "PUT 1.5 MiB with If-Match (1 connection)", "p99 < 100 ms", bare,
                    () -> wrk(base + "/persistence/sessions", scripts.put(largest, largestPool), 1));
            measure(rows, store, "get-1.5m", "GET a 1.5 MiB session (4 connections)", "p99 < 100 ms", bare,
                    () -> wrk(base + "/persistence/sessions/" + largestId, reads, 4));
            rssKb = ProcessStats.rssKb(servicePid);
            gc = ProcessStats.gcCounts(servicePid);
        }
        servicePid = -1;
        storePid = -1;
        return new Variant(store, rows, rssKb, gc, notices);
    }

    /**
     * The service's environment: on a separate store, its connection string (which skips the
     * embedded store) and the embedded profile's notice feed, tailing, so that the variants differ
     * in where the store runs only; and any {@code -Dbench.env=NAME=value,...} (e.g.
     * {@code KEEPSAKE_REVISIONS_ENABLED=false}, to compare a setting's cost).
     */
    private static String[] environment(SeparateStore store) {
        List<String> environment = new ArrayList<>(List.of(UNLIMITED));
        if (store != null) {
            environment.addAll(List.of("QUARKUS_MONGODB_CONNECTION_STRING", store.connectionString,
                    "KEEPSAKE_NOTICES_FEED", "tailing"));
        }
        for (String pair : System.getProperty("bench.env", "").split(",")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                environment.addAll(List.of(pair.substring(0, equals).trim(), pair.substring(equals + 1).trim()));
            }
        }
        return environment.toArray(String[]::new);
    }

    private interface Load {
        Figure run() throws Exception;
    }

    private void bare(Map<String, Figure> figures, String scenario, Load load) throws Exception {
        if (scenarios.contains(scenario)) {
            figures.put(scenario, load.run());
        }
    }

    private void measure(List<Row> rows, String store, String key, String scenario, String target, Map<String, Figure> bare,
            Load load) throws Exception {
        if (!scenarios.contains(key)) {
            return;
        }
        Figure figure = load.run();
        Figure reference = bare.get(key);
        System.out.printf(Locale.ROOT, "%-8s %-50s %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  errors %d  (bare %9.0f)  x%.3f"
                + "  CPU ms/request: service %.3f, store %.3f%n", store, scenario, figure.perSecond(), figure.p50(), figure.p99(),
                figure.errors(), reference.perSecond(), figure.perSecond() / reference.perSecond(), figure.serviceCpuMs(),
                figure.storeCpuMs());
        rows.add(new Row(store, scenario, target, reference, figure));
    }

    private static String report(List<Variant> variants) {
        StringBuilder out = new StringBuilder("## HTTP load: Keepsake against a bare server\n\n")
                .append(String.format(Locale.ROOT, "wrk, %s; JDK %s, %d cores shared by the service, its store when "
                        + "separate, wrk and the bare server; the service with -Xmx256m. Store: embedded (in the service's "
                        + "process, on disk) or separate (mongo-java-server in memory, its own process). Every answer other "
                        + "than 2xx/3xx is an error. CPU: user + system time of the process over the measured window, as a "
                        + "share of one core and per request wrk completed in it; on the embedded store the store's is in "
                        + "the service's.%n%n",
                        "2 threads", Runtime.version(), Runtime.getRuntime().availableProcessors()))
                .append("| store | scenario | bare req/s | Keepsake req/s | p50 ms | p99 ms | errors | Keepsake / bare | target "
                        + "| service CPU | service CPU ms/request | store CPU ms/request |\n")
                .append("|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|\n");
        for (Variant variant : variants) {
            for (Row row : variant.rows()) {
                Figure keepsake = row.keepsake();
                out.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %,.0f | %.1f | %.1f | %d | %.3f | %s | %.0f %% "
                        + "| %.3f | %s |%n", row.store(), row.scenario(), row.bare().perSecond(), keepsake.perSecond(),
                        keepsake.p50(), keepsake.p99(), keepsake.errors(), keepsake.perSecond() / row.bare().perSecond(),
                        row.target(), 100 * keepsake.serviceCores(), keepsake.serviceCpuMs(),
                        Double.isNaN(keepsake.storeCpuMs()) ? "-" : String.format(Locale.ROOT, "%.3f", keepsake.storeCpuMs())));
            }
        }
        for (Variant variant : variants) {
            out.append(String.format(Locale.ROOT, "%n%s store: resident memory of the service after the run: %,d MiB",
                    variant.store(), variant.rssKb() / 1024));
            if (variant.gc() != null) {
                out.append(String.format(Locale.ROOT, "; garbage collections during the whole run: %,d young, %,d full, "
                        + "%d s in all", variant.gc()[0], variant.gc()[1], variant.gc()[2]));
            }
            out.append(".\n").append(variant.notices());
        }
        return out.toString();
    }

    private JsonPath create(String base, String content) throws IOException, InterruptedException {
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/persistence/sessions"))
                .header("Authorization", AUTH).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body(content))).build(), HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("create: " + created.statusCode() + " " + created.body());
        }
        return JsonPath.from(created.body());
    }

    private String etagOf(String base, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", AUTH).GET().build(),
                HttpResponse.BodyHandlers.discarding()).headers().firstValue("ETag").orElseThrow();
    }

    private static byte[] body(String content) {
        return ("{\"title\":\"bench\",\"description\":\"load\",\"content\":" + content + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** A warm-up run, then the measured one, with the service's and the store's CPU over the measured window alone. */
    private Figure wrk(String url, String script, int connections) throws Exception {
        wrk(url, script, connections, warmUpSeconds);
        if (servicePid < 0) {
            return wrk(url, script, connections, seconds);
        }
        double service = ProcessStats.cpuMs(servicePid);
        double[] compilerAndGc = ProcessStats.compilerAndGcMs(servicePid);
        long from = System.nanoTime();
        double store = storePid < 0 ? Double.NaN : ProcessStats.cpuMs(storePid);
        Figure figure = wrk(url, script, connections, seconds);
        double[] after = ProcessStats.compilerAndGcMs(servicePid);
        // What of the service's CPU went to compiling code (warm-up) and to collecting garbage, per request.
        System.out.printf(Locale.ROOT, "  service CPU ms/request in JIT compiler threads %.3f, in GC threads %.3f%n",
                (after[0] - compilerAndGc[0]) / figure.requests(), (after[1] - compilerAndGc[1]) / figure.requests());
        return figure.withCpu(ProcessStats.cpuMs(servicePid) - service,
                storePid < 0 ? Double.NaN : ProcessStats.cpuMs(storePid) - store, (System.nanoTime() - from) / 1e9);
    }

    private Figure wrk(String url, String script, int connections, int duration) throws Exception {
        return Wrk.run(url, script, Math.min(threads, connections), connections, duration);
    }
}
