package io.keepsake.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.keepsake.testing.ServiceProcess;

/**
 * Catching up after a day offline: 1,000 queued saves of one session sent one request each (each
 * with If-Match from the answer before and an Idempotency-Key, as the browser client sent them
 * before batches) against the same saves in batches of 100 ({@code $n} references chaining the
 * If-Match inside a batch). The packaged service on its embedded store; wall time on loopback,
 * requests (each a round trip: at 300 ms of latency, 1,000 of them are five minutes), and store
 * commands per save from the service's metrics.
 */
final class CatchUpBenchmark {

    record Figure(String how, int saves, int requests, double seconds, double commandsPerSave) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUTHORIZATION = "Basic "
            + Base64.getEncoder().encodeToString("alice:alice-secret".getBytes(StandardCharsets.UTF_8));
    private static final int BATCH = 100;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private URI base;

    static String run(int saves) throws Exception {
        return new CatchUpBenchmark().measure(saves);
    }

    private String measure(int saves) throws Exception {
        Path dataDir = Files.createTempDirectory("keepsake-catchup");
        try (ServiceProcess service = ServiceProcess.start(dataDir, Path.of("target", "bench", "catchup-server.log"),
                BenchMain.serverJvm(), HttpBenchmark.UNLIMITED)) {
            service.awaitReady();
            base = service.base;
            // Warm-up: the JIT compiles both paths first.
            oneByOne(200);
            batched(200);
            long before = commands(service);
            Figure single = timed("one request per save", saves, () -> oneByOne(saves), service, before);
            before = commands(service);
            Figure batches = timed("batches of " + BATCH, saves, () -> batched(saves), service, before);
            return report(List.of(single, batches));
        } finally {
            DurabilityBenchmark.deleteTree(dataDir);
        }
    }

    private interface Work {
        int run() throws Exception;
    }

    private Figure timed(String how, int saves, Work work, ServiceProcess service, long before) throws Exception {
        long started = System.nanoTime();
        int requests = work.run();
        double seconds = (System.nanoTime() - started) / 1e9;
        Thread.sleep(3_000); // the publications that follow the last answers
        double perSave = (commands(service) - before) / (double) saves;
        System.out.printf(Locale.ROOT, "Catch-up, %s: %d saves in %d requests, %.2f s, %.2f store commands a save%n",
                how, saves, requests, seconds, perSave);
        return new Figure(how, saves, requests, seconds, perSave);
    }

    /** A new session, then {@code saves} saves of it one request each; returns the requests sent. */
    private int oneByOne(int saves) throws Exception {
        HttpResponse<String> created = send("POST", "/persistence/sessions", body(0).toString(), null);
        String id = JSON.readTree(created.body()).get("id").asText();
        String tag = created.headers().firstValue("ETag").orElseThrow();
        for (int n = 1; n <= saves; n++) {
            HttpResponse<String> saved = send("PUT", "/persistence/sessions/" + id, body(n).toString(), tag);
            if (saved.statusCode() != 200) {
                throw new IllegalStateException("save " + n + ": " + saved.statusCode() + " " + saved.body());
            }
            tag = saved.headers().firstValue("ETag").orElseThrow();
        }
        return saves + 1;
    }

    /** A new session, then {@code saves} saves of it in batches, each save's If-Match the one before's answer. */
    private int batched(int saves) throws Exception {
        HttpResponse<String> created = send("POST", "/persistence/sessions", body(0).toString(), null);
        String id = JSON.readTree(created.body()).get("id").asText();
        String tag = created.headers().firstValue("ETag").orElseThrow();
        int requests = 1;
        for (int from = 1; from <= saves; from += BATCH) {
            ArrayNode operations = JSON.createArrayNode();
            int count = Math.min(BATCH, saves - from + 1);
            for (int i = 0; i < count; i++) {
                ObjectNode operation = operations.addObject().put("method", "PUT").put("path", "/sessions/" + id);
                operation.putObject("headers").put("If-Match", i == 0 ? tag : "$" + i)
                        .put("Idempotency-Key", UUID.randomUUID().toString());
                operation.set("body", body(from + i));
            }
            ObjectNode batch = JSON.createObjectNode();
            batch.set("operations", operations);
            HttpResponse<String> answer = send("POST", "/persistence/batch", batch.toString(), null);
            requests++;
            JsonNode results = JSON.readTree(answer.body()).get("results");
            JsonNode last = results.get(results.size() - 1);
            for (JsonNode result : results) {
                if (result.get("status").asInt() != 200) {
                    throw new IllegalStateException("a batched save: " + result);
                }
            }
            tag = last.get("headers").get("ETag").asText();
        }
        return requests;
    }

    /** A 10 KiB session body, the n-th change. */
    private static ObjectNode body(int n) {
        ObjectNode body = JSON.createObjectNode().put("title", "catching up").put("description", "change " + n);
        ObjectNode content = body.putObject("content");
        content.put("change", n);
        ArrayNode panels = content.putArray("panels");
        for (int i = 0; i < 100; i++) {
            panels.addObject().put("x", i * 1.5).put("label", "panel " + i + " of a workbench state");
        }
        return body;
    }

    private HttpResponse<String> send(String method, String path, String body, String ifMatch) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", AUTHORIZATION).header("Content-Type", "application/json")
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The store commands the service has sent so far, from its metrics. */
    private long commands(ServiceProcess service) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(service.management.resolve("/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return (long) metrics.lines().filter(line -> line.startsWith("mongodb_driver_commands_seconds_count"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static String report(List<Figure> figures) {
        StringBuilder report = new StringBuilder("## Catching up: queued saves one request each against batches\n\n"
                + "The packaged service on its embedded store, loopback, one client; saves of one 10 KiB session, each "
                + "with If-Match from the answer before and an Idempotency-Key; store commands from the service's "
                + "metrics, 3 s after the last answer (its publications included; outbox clears due later not).\n\n"
                + "| how | saves | requests (round trips) | wall time | store commands a save |\n|---|---:|---:|---:|---:|\n");
        for (Figure figure : figures) {
            report.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %.2f s | %.2f |%n", figure.how(), figure.saves(),
                    figure.requests(), figure.seconds(), figure.commandsPerSave()));
        }
        return report.toString();
    }
}
