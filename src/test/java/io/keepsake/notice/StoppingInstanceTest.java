package io.keepsake.notice;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.as;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.keepsake.testing.Http;
import io.keepsake.testing.ShutdownDelayAndJsonLogs;
import io.keepsake.testing.SocketClient;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * An instance that begins to stop (the shutdown delay starts, as on SIGTERM) answers its waiting
 * long polls and closes its WebSockets with 1001 before the delay ends, so that clients poll or
 * connect again elsewhere instead of holding it up.
 */
@QuarkusTest
@TestProfile(ShutdownDelayAndJsonLogs.class) // quarkus.shutdown.delay=2s
class StoppingInstanceTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    Event<ShutdownDelayInitiatedEvent> stopping;

    @Test
    void waitingLongPollsAreAnsweredEmptyAndWebSocketsToldToGoAwayWhenTheShutdownDelayEnds() throws Exception {
        String from = as(ALICE).get("/notices").then().statusCode(200).extract().path("cursor");
        String ticket = as(ALICE).post("/notices/tickets").then().statusCode(201).extract().path("ticket");
        try (SocketClient tab = SocketClient.open(base, "persistence/notices/ws?ticket=" + ticket)) {
            tab.send("{\"type\":\"ping\"}");
            assertEquals("pong", tab.next("pong").getString("type"), "the connection is open and served");
            CompletableFuture<HttpResponse<String>> poll = HttpClient.newHttpClient().sendAsync(
                    Http.request(base, "persistence/notices?wait=25&after=" + from, ALICE).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            long started = System.nanoTime();
            stopping.fire(new ShutdownDelayInitiatedEvent());

            HttpResponse<String> answer = poll.get(30, TimeUnit.SECONDS);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertEquals(200, answer.statusCode());
            assertEquals(0, JsonPath.from(answer.body()).getList("items").size());
            assertEquals(from, JsonPath.from(answer.body()).getString("cursor"), "the client resumes from the same cursor");
            assertTrue(took.compareTo(Duration.ofSeconds(15)) < 0, "answered at the delay's end, not the wait's: " + took);
            assertEquals(1001, tab.closed.get(15, TimeUnit.SECONDS));
        }
    }
}
