package io.keepsake.notice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.keepsake.testing.ServiceProcess;
import io.keepsake.testing.SocketClient;
import io.restassured.path.json.JsonPath;

/**
 * A stopping instance with nothing in flight exits at once, also after it has served a WebSocket
 * that has since closed (an upgraded request used to count as in flight until the shutdown
 * time-out, 20 s, ran out).
 */
class ShutdownIT {

    @TempDir
    Path data;

    @Test
    void anInstanceThatServedAWebSocketStopsPromptlyOnSigterm() throws Exception {
        assumeTrue(ServiceProcess.packaged(), "needs the packaged application: run ./mvnw verify");
        try (ServiceProcess service = ServiceProcess.start(data, Path.of("target", "shutdown-it.log"), List.of("-Xmx256m"))) {
            service.awaitReady();
            HttpResponse<String> ticket = HttpClient.newHttpClient().send(HttpRequest
                    .newBuilder(service.base.resolve("/persistence/notices/tickets"))
                    .header("Authorization", ServiceProcess.basicAuth("alice"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, ticket.statusCode());
            SocketClient socket = SocketClient.open(URI.create(service.base + "/"),
                    "persistence/notices/ws?ticket=" + JsonPath.from(ticket.body()).getString("ticket"));
            assertEquals("ready", socket.next().getString("type"));
            socket.close();
            assertEquals(1000, socket.closed.get(10, TimeUnit.SECONDS), "the socket closed normally");

            Duration took = service.stop(Duration.ofSeconds(30));
            System.out.printf("ShutdownIT: stopped %d ms after SIGTERM%n", took.toMillis());
            assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "stopped promptly, not after the 20 s time-out: " + took);
        }
    }
}
