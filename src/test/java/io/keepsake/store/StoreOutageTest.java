package io.keepsake.store;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.createSession;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.keepsake.testing.EmbeddedStoreResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * While the store is down, requests fail fast with 503 + Retry-After; once it is back, the
 * service recovers by itself and every acknowledged write is still there (the embedded store
 * reopens its data file, as after a restart of the process).
 */
@QuarkusTest
class StoreOutageTest {

    @Test
    void anOutageIs503WithRetryAfterAndTheServiceRecoversWithItsData() {
        Response created = createSession(ALICE, "survives", Map.of("kept", true));
        String id = created.path("id");
        String etag = created.header("ETag");

        EmbeddedStoreResource.stopStore();
        try {
            long started = System.nanoTime();
            as(ALICE).get("/sessions/" + id).then()
                    .statusCode(503)
                    .contentType("application/problem+json")
                    .header("Retry-After", "2")
                    .body("status", equalTo(503));
            as(ALICE).contentType("application/json").body(Map.of("title", "lost?", "content", 1))
                    .post("/sessions").then().statusCode(503).header("Retry-After", "2");
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertTrue(took.compareTo(Duration.ofSeconds(20)) < 0, "two failing requests took " + took);
        } finally {
            EmbeddedStoreResource.startStore();
        }

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> as(ALICE).get("/sessions/" + id).statusCode() == 200);
        as(ALICE).get("/sessions/" + id).then().statusCode(200)
                .header("ETag", etag).body("content.kept", equalTo(true));
        assertEquals(0, (int) as(ALICE).queryParam("filter_title", "lost?").get("/sessions").path("items.size()"));
    }
}
