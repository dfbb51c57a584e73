package io.keepsake.store;

import static io.keepsake.testing.Api.as;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.keepsake.testing.EmbeddedStoreResource;
import io.keepsake.testing.FullDisk;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * The store's disk full for a few seconds under writers that create sessions: the service answers
 * 201 or 503 (never a 500, never a hang), is not ready while the store cannot commit and ready again
 * by itself once the disk has room; afterwards every acknowledged session is stored as answered, and
 * every create that got a 503 is settled exactly once by repeating it with its Idempotency-Key.
 */
@QuarkusTest
class FullDiskTest {

    private static final List<String> WRITERS = List.of("carol", "dave", "erin", "frank");

    @TestHTTPResource(value = "/", management = true)
    URI management;

    record Create(String user, String key, String title, int n) {
    }

    @Test
    void writesDuringAFullDiskAre503AndNothingAcknowledgedIsLost() throws Exception {
        FullDisk disk = EmbeddedStoreResource.disk();
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<Create, String> acknowledged = new ConcurrentHashMap<>();
        Set<Create> unsettled = ConcurrentHashMap.newKeySet();
        Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        AtomicLong slowest = new AtomicLong();
        Map<Integer, String> last = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS.size());
        List<Future<?>> writers = new ArrayList<>();
        for (String user : WRITERS) {
            writers.add(pool.submit(() -> {
                for (int n = 0; !stop.get(); n++) {
                    Create create = new Create(user, run + "-" + user + "-" + n, "full-disk " + run + " " + user + " " + n, n);
                    long started = System.nanoTime();
                    Response response = post(create);
                    slowest.accumulateAndGet(System.nanoTime() - started, Math::max);
                    last.put(response.statusCode(), response.asString());
                    statuses.computeIfAbsent(response.statusCode(), s -> new AtomicLong()).incrementAndGet();
                    if (response.statusCode() == 201) {
                        acknowledged.put(create, response.path("id"));
                    } else {
                        unsettled.add(create);
                        if (response.statusCode() == 503) {
                            response.then().contentType("application/problem+json").header("Retry-After", "2")
                                    .body("detail", containsString("Idempotency-Key"));
                        }
                    }
                }
                return null;
            }));
        }
        boolean sawNotReady = false;
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 20);
            disk.fill();
            long fullUntil = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            while (System.nanoTime() < fullUntil) {
                sawNotReady |= ready() == 503;
            }
            disk.free();
            int before = acknowledged.size();
            try {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> ready() == 200 && acknowledged.size() >= before + 20);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("not back: ready " + ready() + ", acknowledged " + acknowledged.size() + " of "
                        + before + ", statuses " + statuses + ", last " + last, e);
            }
        } finally {
            disk.free();
            stop.set(true);
            for (Future<?> writer : writers) {
                writer.get();
            }
            pool.shutdown();
        }

        assertTrue(sawNotReady, "readiness went down while the store could not commit");
        assertTrue(disk.refused() > 0, "the disk refused writes");
        assertTrue(statuses.containsKey(503), "some writes were refused: " + statuses);
        assertEquals(Set.of(201, 503), new TreeMap<>(statuses).keySet(), "statuses: " + statuses);
        assertTrue(slowest.get() < Duration.ofSeconds(10).toNanos(), "slowest answer: " + slowest.get() / 1_000_000 + " ms");

        acknowledged.forEach((create, id) -> as(create.user()).get("/sessions/" + id).then().statusCode(200)
                .header("ETag", org.hamcrest.Matchers.notNullValue())
                .body("title", org.hamcrest.Matchers.equalTo(create.title()))
                .body("content.n", org.hamcrest.Matchers.equalTo(create.n())));
        for (Create create : unsettled) {
            // A refused attempt keeps its key locked (up to keepsake.idempotency.lock-timeout) when the
            // store was away for its unlock too: the replay is told to come back (409, Retry-After).
            // The replay is sent at once, and again each second while it is told to come back.
            await().atMost(Duration.ofSeconds(45)).pollDelay(Duration.ZERO).pollInterval(Duration.ofSeconds(1))
                    .until(() -> post(create).statusCode() != 409);
            post(create).then().statusCode(201);
            post(create).then().statusCode(201); // a replay: the same answer, nothing new
            int stored = as(create.user()).queryParam("filter_title", create.title()).get("/sessions")
                    .then().statusCode(200).extract().path("items.size()");
            assertEquals(1, stored, "sessions stored for the refused create " + create.key());
        }
    }

    private static Response post(Create create) {
        return as(create.user()).contentType(ContentType.JSON).header("Idempotency-Key", create.key())
                .body(Map.of("title", create.title(), "description", "", "content", Map.of("n", create.n())))
                .post("/sessions");
    }

    private int ready() {
        return given().baseUri(management.resolve("/").toString()).get("/q/health/ready").statusCode();
    }
}
