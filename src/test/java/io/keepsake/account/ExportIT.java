package io.keepsake.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.keepsake.testing.ServiceProcess;
import io.restassured.path.json.JsonPath;

/**
 * The packaged service at -Xmx256m exports a user with 200 sessions of about 1.5 MiB (300 MiB of
 * content, more than its heap): the NDJSON is complete and valid, every session is in it with its
 * content, and the service neither runs out of memory nor stops. The heap in use while it streams
 * is printed from the service's own metrics.
 */
class ExportIT {

    private static final int SESSIONS = 200;
    private static final Pattern HEAP = Pattern.compile("^jvm_memory_used_bytes\\{area=\"heap\",[^}]*} ([0-9.E+]+)$", Pattern.MULTILINE);

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aUserWithMoreContentThanTheHeapIsExportedWhole() throws Exception {
        assumeTrue(ServiceProcess.packaged(), "needs the packaged application: run ./mvnw verify");
        Path log = Path.of("target", "export-it.log");
        java.nio.file.Files.deleteIfExists(log); // this run's alone: the OutOfMemoryError check reads it
        try (ServiceProcess service = ServiceProcess.start(data, log, List.of("-Xmx256m"),
                "KEEPSAKE_RATE_LIMITS_SESSION_WRITES_PER_SECOND", "100000")) {
            service.awaitReady();
            String auth = ServiceProcess.basicAuth("alice");
            String filler = "0123456789abcdef".repeat(1_500_000 / 16);
            Set<String> created = new TreeSet<>();
            for (int i = 0; i < SESSIONS; i++) {
                String body = "{\"title\":\"large " + i + "\",\"content\":{\"n\":" + i + ",\"text\":\"" + filler + "\"}}";
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(service.base.resolve("/persistence/sessions"))
                        .header("Authorization", auth).header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(201, answer.statusCode(), answer.body());
                created.add(JsonPath.from(answer.body()).getString("id"));
            }

            AtomicBoolean streaming = new AtomicBoolean(true);
            AtomicLong heap = new AtomicLong();
            Thread sampler = new Thread(() -> {
                while (streaming.get()) {
                    heap.accumulateAndGet(heapInUse(service.management), Math::max);
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            long started = System.nanoTime();
            HttpResponse<Stream<String>> export = http.send(HttpRequest.newBuilder(service.base.resolve("/persistence/me/export"))
                    .header("Authorization", auth).timeout(Duration.ofMinutes(5)).GET().build(), HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, export.statusCode());
            Set<String> exported = new TreeSet<>();
            String last = null;
            long bytes = 0;
            int lines = 0;
            try (Stream<String> body = export.body()) {
                for (Iterator<String> it = body.iterator(); it.hasNext();) {
                    String line = it.next();
                    bytes += line.length() + 1;
                    lines++;
                    if (line.startsWith("{\"type\":\"session\"")) {
                        JsonPath session = JsonPath.from(line);
                        assertEquals(filler.length(), session.getString("data.content.text").length());
                        exported.add(session.getString("data.id"));
                    }
                    last = line;
                }
            } finally {
                streaming.set(false);
                sampler.join();
            }
            System.out.printf("ExportIT: %d lines, %d MiB in %d ms; heap in use at most %d MiB (-Xmx256m)%n", lines,
                    bytes >> 20, (System.nanoTime() - started) / 1_000_000, heap.get() >> 20);
            assertEquals(created, exported, "every session once");
            assertEquals(SESSIONS, JsonPath.from(last).getInt("data.sessions"), "the end line closes a complete export");
            assertTrue(service.process.isAlive(), "the service is still running");
            assertTrue(!java.nio.file.Files.readString(service.log).contains("OutOfMemoryError"), "no OutOfMemoryError");
        }
    }

    private long heapInUse(URI management) {
        try {
            String metrics = http.send(HttpRequest.newBuilder(management.resolve("/q/metrics")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            long sum = 0;
            Matcher pool = HEAP.matcher(metrics);
            while (pool.find()) {
                sum += (long) Double.parseDouble(pool.group(1));
            }
            return sum;
        } catch (Exception e) {
            return 0;
        }
    }
}
