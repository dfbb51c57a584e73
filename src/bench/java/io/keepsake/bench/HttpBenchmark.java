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
 * HTTP load against the packaged service on its embedded store, with wrk, side by side with a
 * bare JDK HTTP server that answers each scenario's request with a body of the same size (the
 * reference for what the machine allows). Every answer that is not 2xx or 3xx is an error. Prints
 * req/s, p50, p99 and the ratio to the bare server per scenario, and the service's CPU and memory.
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

    record Row(String scenario, String target, Figure bare, Figure keepsake) {
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
    private final Path dir = Path.of("target", "bench", "wrk");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ObjectMapper json = new ObjectMapper();
    /** The service's process while Keepsake is measured (-1: the bare server, whose CPU is not counted). */
    private long servicePid = -1;

    /** {@code scenarios}: "all" or keys of {@link #SCENARIOS}, comma-separated. */
    HttpBenchmark(int threads, int connections, int seconds, int warmUpSeconds, String scenarios) {
        this.threads = threads;
        this.connections = connections;
        this.seconds = seconds;
        this.warmUpSeconds = warmUpSeconds;
        this.scenarios = scenarios.isBlank() || scenarios.equals("all") ? Set.copyOf(SCENARIOS)
                : Set.of(scenarios.trim().split("\\s*,\\s*"));
        if (!SCENARIOS.containsAll(this.scenarios)) {
            throw new IllegalArgumentException("bench.scenarios: " + scenarios + "; known: " + String.join(",", SCENARIOS));
        }
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
            String get = script("get", null, null, null);
            bare(bare, "get", () -> wrk(base + "/bare/" + body(small).length, get, connections));
            bare(bare, "poll", () -> wrk(base + "/bare/0?status=304", get, connections));
            bare(bare, "put", () -> wrk(base + "/bare/300", script("post", "PUT", body(small), null), connections));
            bare(bare, "post", () -> wrk(base + "/bare/300", script("post", "POST", body(small), null), connections));
            bare(bare, "get-1m", () -> wrk(base + "/bare/" + body(large).length, get, connections));
            bare(bare, "put-1.5m", () -> wrk(base + "/bare/300", script("post", "PUT", body(largest), null), 4));
            bare(bare, "get-1.5m", () -> wrk(base + "/bare/" + body(largest).length, get, 4));
        } finally {
            server.stop(0);
        }

        Path data = Files.createTempDirectory("keepsake-bench");
        List<Row> rows = new ArrayList<>();
        long rssKb;
        long[] gc;
        String notices = "";
        try (ServiceProcess service = ServiceProcess.start(data, Path.of("target", "bench", "http-server.log"),
                BenchMain.serverJvm(), UNLIMITED)) {
            service.awaitReady();
            String base = service.base.toString();
            servicePid = service.process.pid();
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
            String reads = script("get", null, null, null);
            wrk(base + sessionPath, reads, connections, warmUpSeconds * 4);

            measure(rows, "get", "GET a 10 KiB session", ">= 0.25", bare,
                    () -> wrk(base + sessionPath, reads, connections));
            measure(rows, "poll", "poll: metadata, matching If-None-Match -> 304", ">= 0.5", bare,
                    () -> wrk(base + "/persistence/sessions/metadata/" + one.getString("id"),
                            script("get", null, null, etag), connections));
            if (scenarios.contains("put")) {
                Notices heard = Notices.listen(http, base);
                measure(rows, "put", "PUT 10 KiB with If-Match (a change each time)", ">= 0.1, p99 < 50 ms", bare,
                        () -> wrk(base + "/persistence/sessions", putScript(small, pool), connections));
                notices = heard.drained();
            }
            measure(rows, "post", "POST 10 KiB (create)", ">= 0.1, p99 < 50 ms", bare,
                    () -> wrk(base + "/persistence/sessions", script("post", "POST", body(small), null), connections));
            measure(rows, "get-1m", "GET a 1 MiB session", ">= 0.5", bare,
                    () -> wrk(base + "/persistence/sessions/" + largeId, reads, connections));
            measure(rows, "put-1.5m", "PUT 1.5 MiB with If-Match (1 connection)", "p99 < 100 ms", bare,
                    () -> wrk(base + "/persistence/sessions", putScript(largest, largestPool), 1));
            measure(rows, "get-1.5m", "GET a 1.5 MiB session (4 connections)", "p99 < 100 ms", bare,
                    () -> wrk(base + "/persistence/sessions/" + largestId, reads, 4));
            rssKb = ProcessStats.rssKb(servicePid);
            gc = ProcessStats.gcCounts(servicePid);
        }
        return report(rows, rssKb, gc) + notices;
    }

    private interface Load {
        Figure run() throws Exception;
    }

    private void bare(Map<String, Figure> figures, String scenario, Load load) throws Exception {
        if (scenarios.contains(scenario)) {
            figures.put(scenario, load.run());
        }
    }

    private void measure(List<Row> rows, String key, String scenario, String target, Map<String, Figure> bare, Load load)
            throws Exception {
        if (!scenarios.contains(key)) {
            return;
        }
        Figure figure = load.run();
        Figure reference = bare.get(key);
        System.out.printf(Locale.ROOT, "%-50s %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  errors %d  (bare %9.0f)  x%.3f"
                + "  CPU ms/request: service %.3f, store %.3f%n", scenario, figure.perSecond(), figure.p50(), figure.p99(),
                figure.errors(), reference.perSecond(), figure.perSecond() / reference.perSecond(), figure.serviceCpuMs(),
                figure.storeCpuMs());
        rows.add(new Row(scenario, target, reference, figure));
    }

    private static String report(List<Row> rows, long rssKb, long[] gc) {
        StringBuilder out = new StringBuilder("## HTTP load: Keepsake on its embedded store against a bare server\n\n")
                .append(String.format(Locale.ROOT, "wrk, %s; JDK %s, %d cores shared by the service, wrk and the bare "
                        + "server; the service with -Xmx256m. Every answer other than 2xx/3xx is an error. CPU: user + "
                        + "system time of the process over the measured window, as a share of one core and per request "
                        + "wrk completed in it.%n%n",
                        "2 threads", Runtime.version(), Runtime.getRuntime().availableProcessors()))
                .append("| scenario | bare req/s | Keepsake req/s | p50 ms | p99 ms | errors | Keepsake / bare | target "
                        + "| service CPU | service CPU ms/request |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|\n");
        for (Row row : rows) {
            Figure keepsake = row.keepsake();
            out.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %.1f | %.1f | %d | %.3f | %s | %.0f %% | %.3f |%n",
                    row.scenario(), row.bare().perSecond(), keepsake.perSecond(), keepsake.p50(), keepsake.p99(),
                    keepsake.errors(), keepsake.perSecond() / row.bare().perSecond(), row.target(),
                    100 * keepsake.serviceCores(), keepsake.serviceCpuMs()));
        }
        out.append(String.format(Locale.ROOT, "%nResident memory of the service after the run: %,d MiB", rssKb / 1024));
        if (gc != null) {
            out.append(String.format(Locale.ROOT, "; garbage collections during the whole run: %,d young, %,d full, %d s in all",
                    gc[0], gc[1], gc[2]));
        }
        out.append(".\n");
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

    /** A wrk script: GET with auth (and If-None-Match), or a fixed body with the given method. */
    private String script(String name, String method, byte[] body, String ifNoneMatch) throws IOException {
        StringBuilder lua = new StringBuilder();
        lua.append("wrk.headers[\"Authorization\"] = \"").append(AUTH).append("\"\n");
        if (ifNoneMatch != null) {
            lua.append("wrk.headers[\"If-None-Match\"] = ").append(luaString(ifNoneMatch)).append('\n');
        }
        if (method != null) {
            lua.append("wrk.method = \"").append(method).append("\"\n")
                    .append("wrk.headers[\"Content-Type\"] = \"application/json\"\n")
                    .append("wrk.body = ").append(luaString(new String(body, StandardCharsets.UTF_8))).append('\n');
        }
        Path file = dir.resolve(name + "-" + Integer.toHexString(lua.toString().hashCode()) + ".lua");
        Files.writeString(file, lua);
        return file.toString();
    }

    /**
     * PUT with If-Match, a different body each time, to a pool of sessions each thread keeps apart:
     * a session is written again only once its previous answer (and ETag) came back. Each wrk run
     * (warm-up, then measured) starts with If-Match: * for each session, then sends the ETag each
     * answer gave.
     */
    private String putScript(String content, List<String> sessions) throws IOException {
        String lua = """
                local auth = %s
                local state = %s
                local pool = %s
                local threads = 0
                function setup(thread)
                  thread:set("index", threads)
                  threads = threads + 1
                end
                local free, etags, any = {}, {}, nil
                local counter = 0
                function init(args)
                  local total = tonumber(args[1])
                  for i, entry in ipairs(pool) do
                    if (i - 1) %% total == index then
                      local id, etag = entry:match("^([^=]+)=(.+)$")
                      etags[id] = etag
                      table.insert(free, id)
                      any = any or id
                    end
                  end
                end
                function request()
                  local id = table.remove(free, 1) or any
                  counter = counter + 1
                  local body = '{"title":"bench","description":"load","content":{"n":' .. counter .. ',"state":' .. state .. '}}'
                  return wrk.format("PUT", "/persistence/sessions/" .. id, {["Authorization"] = auth,
                    ["Content-Type"] = "application/json", ["If-Match"] = etags[id]}, body)
                end
                function response(status, headers, body)
                  local id = body:match('"id":"([^"]+)"') or body:match('/persistence/sessions/([%%w_-]+)')
                  if id ~= nil and etags[id] ~= nil then
                    etags[id] = headers["ETag"] or headers["etag"] or etags[id]
                    table.insert(free, id)
                  end
                end
                """.formatted(luaString(AUTH), luaString(content),
                "{" + String.join(",", sessions.stream().map(HttpBenchmark::luaString).toList()) + "}");
        Path file = dir.resolve("put-" + content.length() + ".lua");
        Files.writeString(file, lua);
        return file.toString();
    }

    private static String luaString(String text) {
        int level = 0;
        while (text.contains("]" + "=".repeat(level) + "]")) {
            level++;
        }
        String eq = "=".repeat(level);
        return "[" + eq + "[" + text + "]" + eq + "]";
    }

    /** A warm-up run, then the measured one, with the service's CPU over the measured window alone. */
    private Figure wrk(String url, String script, int connections) throws Exception {
        wrk(url, script, connections, warmUpSeconds);
        if (servicePid < 0) {
            return wrk(url, script, connections, seconds);
        }
        double service = ProcessStats.cpuMs(servicePid);
        long from = System.nanoTime();
        Figure figure = wrk(url, script, connections, seconds);
        return figure.withCpu(ProcessStats.cpuMs(servicePid) - service, Double.NaN, (System.nanoTime() - from) / 1e9);
    }

    private Figure wrk(String url, String script, int connections, int duration) throws Exception {
        return Wrk.run(url, script, Math.min(threads, connections), connections, duration);
    }
}
