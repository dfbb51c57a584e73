package io.keepsake.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.keepsake.testing.ServiceProcess;
import io.restassured.path.json.JsonPath;

/**
 * One user floods the service, running with a 256 MiB heap, with large bodies at once: bodies over
 * the limit, bodies of empty objects just under it, and large valid workbench states. Every answer
 * is a 2xx, 413 or 503 (never a 500 or a dropped connection), small requests are answered all the
 * while, and what was stored before is still there after.
 */
class FloodIT {

    private static final String AUTH = ServiceProcess.basicAuth("alice");

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void floodsOfLargeBodiesAreRefusedOrQueuedAndTheServiceKeepsAnswering() throws Exception {
        assumeTrue(ServiceProcess.packaged(), "needs the packaged application: run ./mvnw verify");
        try (ServiceProcess service = ServiceProcess.start(data, Path.of("target", "flood-it.log"), List.of("-Xmx256m"))) {
            service.awaitReady();
            URI sessions = service.base.resolve("/persistence/sessions");
            HttpResponse<String> kept = send(sessions, "{\"title\":\"kept\",\"content\":{\"keep\":true}}".getBytes(StandardCharsets.UTF_8));
            assertEquals(201, kept.statusCode());
            URI keptUri = service.base.resolve("/persistence/sessions/" + JsonPath.from(kept.body()).getString("id"));

            byte[] overLimit = body("[" + "{},".repeat(1_600_000) + "{}]"); // 4.8 MB
            byte[] manyTokens = body("[" + "{},".repeat(690_000) + "{}]"); // just under 2 MiB, 1.4 million tokens
            StringBuilder workbench = new StringBuilder("{\"modules\":[");
            for (int i = 0; workbench.length() < 1_400_000; i++) {
                workbench.append("{\"id\":\"module-").append(i).append("\",\"camera\":[456123.25,5930000.5,1200.125],")
                        .append("\"layers\":[\"Top Valysar\",\"Base Therys\"],\"visible\":true},");
            }
            workbench.append("{}]}");
            byte[] valid = body(workbench.toString());

            Map<Integer, Integer> statuses = new TreeMap<>();
            for (byte[] flood : List.of(overLimit, manyTokens, valid)) {
                List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    answers.add(http.sendAsync(post(sessions, flood), HttpResponse.BodyHandlers.ofString()));
                }
                // Small requests while the flood is in: answered, and right.
                for (int i = 0; i < 5; i++) {
                    HttpResponse<String> small = http.send(HttpRequest.newBuilder(keptUri).timeout(Duration.ofSeconds(20))
                            .header("Authorization", AUTH).GET().build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, small.statusCode(), "a small read during the flood");
                }
                for (CompletableFuture<HttpResponse<String>> answer : answers) {
                    int status = answer.join().statusCode();
                    statuses.merge(status, 1, Integer::sum);
                    assertTrue(status == 201 || status == 413 || status == 503, "answered " + status + ": "
                            + answer.join().body());
                }
            }
            System.out.println("FloodIT: answers by status " + statuses);
            assertTrue(service.process.isAlive(), "the service is still running");
            HttpResponse<String> after = http.send(HttpRequest.newBuilder(keptUri).header("Authorization", AUTH).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, after.statusCode());
            assertEquals(true, JsonPath.from(after.body()).getBoolean("content.keep"), "what was stored before is intact");
        }
    }

    private static byte[] body(String content) {
        return ("{\"title\":\"flood\",\"content\":" + content + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static HttpRequest post(URI uri, byte[] body) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).header("Authorization", AUTH)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private HttpResponse<String> send(URI uri, byte[] body) throws Exception {
        return http.send(post(uri, body), HttpResponse.BodyHandlers.ofString());
    }
}
