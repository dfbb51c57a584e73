package io.keepsake.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

/**
 * Abuse at once, on the packaged service with a 256 MiB heap: 1,000 idle connections, 500 slow
 * chunked uploads without credentials and 20 signed-in bodies of 4 MB each. Only 4xx and 503 come
 * back, a normal save is answered while all of it is held, no OutOfMemoryError is logged, and the
 * service is healthy afterwards.
 */
class AbuseIT {

    private static final String AUTH = ServiceProcess.basicAuth("alice");

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void idleConnectionsSlowUploadsAndLargeBodiesAtOnceLeaveTheServiceAnswering() throws Exception {
        assumeTrue(ServiceProcess.packaged(), "needs the packaged application: run ./mvnw verify");
        Path log = Path.of("target", "abuse-it.log");
        Files.deleteIfExists(log);
        List<Socket> held = new ArrayList<>();
        try (ServiceProcess service = ServiceProcess.start(data, log, List.of("-Xmx256m"))) {
            service.awaitReady();
            URI sessions = service.base.resolve("/persistence/sessions");
            try {
                for (int i = 0; i < 1_000; i++) {
                    held.add(new Socket(service.base.getHost(), service.base.getPort()));
                }
                String upload = "POST /persistence/sessions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n10\r\n{\"title\":\"slow\",\r\n";
                for (int i = 0; i < 500; i++) {
                    Socket socket = new Socket(service.base.getHost(), service.base.getPort());
                    held.add(socket);
                    OutputStream out = socket.getOutputStream();
                    out.write(upload.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                byte[] large = workbench(4_000_000);
                List<CompletableFuture<HttpResponse<String>>> floods = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    floods.add(http.sendAsync(post(sessions, large), HttpResponse.BodyHandlers.ofString()));
                }

                long started = System.nanoTime();
                HttpResponse<String> save = http.send(post(sessions,
                        "{\"title\":\"while abused\",\"content\":{\"ok\":true}}".getBytes(StandardCharsets.UTF_8)),
                        HttpResponse.BodyHandlers.ofString());
                long savedIn = (System.nanoTime() - started) / 1_000_000;
                System.out.printf("AbuseIT: a normal save answered %d in %d ms while held%n", save.statusCode(), savedIn);
                assertEquals(201, save.statusCode(), save.body());

                Map<Integer, Integer> statuses = new TreeMap<>();
                for (CompletableFuture<HttpResponse<String>> flood : floods) {
                    HttpResponse<String> answer = flood.join();
                    statuses.merge(answer.statusCode(), 1, Integer::sum);
                    assertTrue(answer.statusCode() == 413 || answer.statusCode() == 503,
                            "a 4 MB body answered " + answer.statusCode() + ": " + answer.body());
                }
                System.out.println("AbuseIT: 4 MB bodies answered " + statuses);
            } finally {
                for (Socket socket : held) {
                    closeQuietly(socket);
                }
            }
            assertTrue(service.process.isAlive(), "the service is still running");
            HttpResponse<String> after = http.send(post(sessions,
                    "{\"title\":\"after abuse\",\"content\":{\"ok\":true}}".getBytes(StandardCharsets.UTF_8)),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, after.statusCode(), after.body());
            assertEquals(200, http.send(HttpRequest.newBuilder(service.management.resolve("/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
        }
        assertFalse(Files.readString(log).contains("OutOfMemoryError"), "the log shows an OutOfMemoryError");
    }

    /** A workbench-like body of about {@code bytes} bytes. */
    private static byte[] workbench(int bytes) {
        StringBuilder json = new StringBuilder("{\"title\":\"large\",\"content\":{\"modules\":[");
        for (int i = 0; json.length() < bytes - 200; i++) {
            json.append("{\"id\":\"module-").append(i).append("\",\"camera\":[456123.25,5930000.5,1200.125],")
                    .append("\"layers\":[\"Top Valysar\",\"Base Therys\"],\"visible\":true},");
        }
        return json.append("{}]}}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static HttpRequest post(URI uri, byte[] body) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).header("Authorization", AUTH)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
