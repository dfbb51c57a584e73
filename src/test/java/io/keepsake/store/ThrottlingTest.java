package io.keepsake.store;

import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.createSession;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.keepsake.testing.CosmosStoreResource;
import io.keepsake.testing.OnCosmosStore;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * On a store that throttles as Cosmos DB does (error 16500, "retry after RetryAfterMs"), writers
 * do not see it: throttled commands are sent again within keepsake.store.throttle-retry-within.
 * Only past that budget does a request get 503 with Retry-After; never a 500, and every write that
 * was acknowledged is stored.
 */
@QuarkusTest
@TestProfile(OnCosmosStore.class)
class ThrottlingTest {

    private static final List<String> WRITERS = List.of("alice", "bob", "carol", "dave", "erin", "frank");
    private static final long RETRY_AFTER_MS = 100;

    @Inject
    @ConfigProperty(name = "keepsake.store.throttle-retry-within", defaultValue = "3s")
    Duration budget;

    /** A session's write as its writer last saw it acknowledged. */
    record Acknowledged(String user, String etag, Map<String, Object> content) {
    }

    @AfterEach
    void stopThrottling() {
        CosmosStoreResource.throttle(0, 0);
    }

    @Test
    void underThirtyPercentThrottlingWritesSucceedAndEveryAcknowledgedOneIsStored() throws Exception {
        Map<String, Acknowledged> sessions = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<String> refusedTitles = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Response> answers = new ConcurrentLinkedQueue<>();
        // One second of load, four with 30 % of the store's commands throttled, one more without.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        long[][] counts = new long[2][];
        ScheduledExecutorService switches = Executors.newSingleThreadScheduledExecutor();
        switches.schedule(() -> {
            CosmosStoreResource.throttle(0.3, RETRY_AFTER_MS);
            counts[0] = CosmosStoreResource.counts();
        }, 1, TimeUnit.SECONDS);
        switches.schedule(() -> {
            CosmosStoreResource.throttle(0, 0);
            counts[1] = CosmosStoreResource.counts();
        }, 5, TimeUnit.SECONDS);
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS.size());
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS.size(); w++) {
            String user = WRITERS.get(w);
            int writer = w;
            writers.add(pool.submit(() -> {
                for (int i = 0; System.nanoTime() < end; i++) {
                    String title = "[" + writer + ":" + i + "]";
                    Response created = createSession(user, title, Map.of("writer", writer, "i", i));
                    answers.add(created);
                    if (created.statusCode() != 201) {
                        refusedTitles.add(user + " " + title);
                        continue;
                    }
                    String id = created.path("id");
                    sessions.put(id, new Acknowledged(user, created.header("ETag"), Map.of("writer", writer, "i", i)));
                    for (int save = 1; save <= 3; save++) {
                        Map<String, Object> content = Map.of("writer", writer, "i", i, "save", save);
                        Response saved = as(user).contentType(ContentType.JSON).header("If-Match", sessions.get(id).etag())
                                .body(Map.of("title", title, "description", "", "content", content))
                                .put("/sessions/" + id);
                        answers.add(saved);
                        if (saved.statusCode() == 200) {
                            sessions.put(id, new Acknowledged(user, saved.header("ETag"), content));
                        }
                    }
                }
                return null;
            }));
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS), "the writers finished");
        for (Future<?> finished : writers) {
            finished.get();
        }
        switches.shutdown();
        assertTrue(switches.awaitTermination(10, TimeUnit.SECONDS));

        long ok = answers.stream().filter(r -> r.statusCode() == 200 || r.statusCode() == 201).count();
        long unavailable = answers.stream().filter(r -> r.statusCode() == 503).count();
        System.out.printf("Throttling test: %d writes, %d acknowledged, %d answered 503; store commands while"
                + " throttling %d, %d of them refused%n", answers.size(), ok, unavailable, counts[1][0] - counts[0][0],
                counts[1][1] - counts[0][1]);
        for (Response answer : answers) {
            if (answer.statusCode() == 503) {
                assertNotNull(answer.header("Retry-After"), "a 503 says when to retry");
                assertTrue(answer.contentType().startsWith("application/problem+json"), answer.contentType());
            } else {
                assertTrue(answer.statusCode() == 200 || answer.statusCode() == 201,
                        () -> "only 2xx and 503, but " + answer.statusCode() + ": " + answer.body().asString());
            }
        }
        assertTrue(ok >= answers.size() * 0.95, "most writes are acknowledged: " + ok + " of " + answers.size());

        sessions.forEach((id, acknowledged) -> as(acknowledged.user()).get("/sessions/" + id).then()
                .statusCode(200)
                .header("ETag", acknowledged.etag())
                .body("content", equalTo(acknowledged.content())));
        for (String refused : refusedTitles) {
            String[] userAndTitle = refused.split(" ", 2);
            assertEquals(0, (int) as(userAndTitle[0]).queryParam("filter_title", userAndTitle[1]).get("/sessions")
                    .path("items.size()"), "a create answered 503 stored nothing: " + refused);
        }
    }

    @Test
    void pastTheBudgetAWriteGets503WithTheStoresRetryAfterAndIsNotApplied() {
        Response created = createSession("alice", "budget", Map.of("kept", true));
        String id = created.path("id");
        String etag = created.header("ETag");

        CosmosStoreResource.throttle(1.0, RETRY_AFTER_MS);
        long started = System.nanoTime();
        Response refused = as("alice").contentType(ContentType.JSON).header("If-Match", etag)
                .body(Map.of("title", "budget", "description", "", "content", Map.of("kept", false)))
                .put("/sessions/" + id);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        CosmosStoreResource.throttle(0, 0);

        refused.then().statusCode(503).contentType("application/problem+json")
                .header("Retry-After", "1") // RetryAfterMs=100, rounded up to a whole second
                .body("status", equalTo(503));
        System.out.printf("Throttling test: a write throttled throughout was answered 503 after %d ms (budget %d ms)%n",
                took.toMillis(), budget.toMillis());
        assertTrue(took.compareTo(budget.plusSeconds(1)) <= 0, "answered after " + took + ", budget " + budget);
        as("alice").get("/sessions/" + id).then().statusCode(200).header("ETag", etag).body("content.kept", equalTo(true));
        as("alice").contentType(ContentType.JSON).header("If-Match", etag)
                .body(Map.of("title", "budget", "description", "", "content", Map.of("kept", false)))
                .put("/sessions/" + id).then().statusCode(200);
    }
}
