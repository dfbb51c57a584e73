package io.keepsake.web;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.createSession;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.keepsake.testing.EmbeddedStoreResource;
import io.keepsake.testing.SocketClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * What an operator watches, on the management interface: health that follows the store, and the
 * metrics that matter. None of it answers on the public port.
 */
@QuarkusTest
class OperationsTest {

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @TestHTTPResource("/")
    URI base;

    private RequestSpecification manage() {
        return given().baseUri(management.resolve("/").toString());
    }

    @Test
    void managementEndpointsAnswerOnTheManagementPortOnly() {
        for (String path : List.of("/q/health", "/q/health/ready", "/q/metrics", "/q/openapi", "/q/swagger-ui/")) {
            given().get(path).then().statusCode(404);
            manage().get(path).then().statusCode(200);
        }
    }

    @Test
    void readinessTurnsDownWhileTheStoreIsUnreachableAndUpWhenItReturns() {
        manage().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        manage().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        EmbeddedStoreResource.stopStore();
        try {
            manage().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"));
            manage().get("/q/health/live").then().statusCode(200);
        } finally {
            EmbeddedStoreResource.startStore();
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                .until(() -> manage().get("/q/health/ready").statusCode() == 200);
    }

    @Test
    void metricsCountConflictsRejectedBodiesAndShowTheStoreTasksAndSockets() {
        Response created = createSession(ALICE, "metered", 1);
        as(ALICE).contentType(ContentType.JSON).header("If-Match", "\"9-000000000000000000000000\"")
                .body(Map.of("title", "metered", "content", 2)).put("/sessions/" + created.path("id"))
                .then().statusCode(412);
        as(ALICE).contentType(ContentType.JSON).body(Map.of("title", "big", "content", "x".repeat(1_600_000)))
                .post("/sessions").then().statusCode(413);

        String metrics = manage().get("/q/metrics").then().statusCode(200).extract().asString();
        assertCounterAtLeastOne(metrics, "keepsake_conflicts_total");
        assertCounterAtLeastOne(metrics, "keepsake_rejected_bodies_total");
        manage().get("/q/metrics").then()
                .body(containsString("http_server_requests_seconds_count"))
                .body(containsString("mongodb_driver_commands_seconds"))
                .body(containsString("keepsake_tasks{status=\"dead\"}"))
                .body(containsString("keepsake_websocket_connections"))
                .body(containsString("keepsake_notices_pushed_total"));
    }

    @Test
    void aNoticeWrittenToASocketIsTimedFromItsChange() throws Exception {
        double before = sum(manage().get("/q/metrics").asString(), "keepsake_notices_delay_seconds_count");
        Response created = createSession(ALICE, "timed", 1);
        String ticket = as(ALICE).post("/notices/tickets").then().statusCode(201).extract().path("ticket");
        try (SocketClient socket = SocketClient.open(base, "persistence/notices/ws?ticket=" + ticket + "&client_id=t")) {
            assertNotNull(socket.next("ready"));
            as(ALICE).contentType(ContentType.JSON).header("If-Match", created.header("ETag"))
                    .body(Map.of("title", "timed", "content", 2)).put("/sessions/" + created.path("id"))
                    .then().statusCode(200);
            assertNotNull(socket.next("session.updated"));
        }
        // Recorded once the message is written, which may come just after the client read it.
        await().atMost(Duration.ofSeconds(10)).until(() ->
                sum(manage().get("/q/metrics").asString(), "keepsake_notices_delay_seconds_count") >= before + 1);
        manage().get("/q/metrics").then()
                .body(containsString("keepsake_notices_delay_seconds{quantile=\"0.99\""))
                .body(containsString("keepsake_notices_delay_seconds_bucket{le="));
    }

    @Test
    void aConfiguredWorkbenchOriginMayCallTheApiFromABrowser() {
        given().header("Origin", "http://localhost:3000").header("Access-Control-Request-Method", "PUT")
                .header("Access-Control-Request-Headers", "if-match,content-type")
                .options("/persistence/sessions/abcdefghijkl").then()
                .statusCode(200)
                .header("Access-Control-Allow-Origin", "http://localhost:3000")
                .header("Access-Control-Allow-Methods", containsString("PUT"));
        given().header("Origin", "https://elsewhere.example").header("Access-Control-Request-Method", "PUT")
                .options("/persistence/sessions/abcdefghijkl").then()
                .header("Access-Control-Allow-Origin", org.hamcrest.Matchers.nullValue());
    }

    private static void assertCounterAtLeastOne(String metrics, String name) {
        double value = sum(metrics, name);
        org.junit.jupiter.api.Assertions.assertTrue(value >= 1, name + " = " + value);
    }

    /** The sum of a metric's samples (all its tags). */
    private static double sum(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
