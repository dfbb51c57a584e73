package io.keepsake.store;

import static io.keepsake.testing.Api.as;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.keepsake.testing.Api;
import io.keepsake.testing.CosmosStoreResource;
import io.keepsake.testing.OnCosmosStore;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;

/**
 * On a store that answers every command later than keepsake.store.request-deadline (2 s here), a
 * request does not hang: a save and a read get 503 with Retry-After and a problem body within the
 * deadline and a second, never a 500. Once the store answers in time again, everything succeeds
 * again, and a create that was answered 503 is settled exactly once by its replay with the same
 * Idempotency-Key.
 */
@QuarkusTest
@TestProfile(SlowStoreTest.OnSlowStore.class)
class SlowStoreTest {

    /** The application on a store that answers late when asked (and no other test's store), with a short deadline. */
    public static class OnSlowStore extends OnCosmosStore {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("keepsake.store.request-deadline", DEADLINE.toSeconds() + "s",
                    // An attempt waits for the store at most its deadline: its key need not be held much longer.
                    "keepsake.idempotency.lock-timeout", "3s");
        }
    }

    private static final Duration DEADLINE = Duration.ofSeconds(2);
    /** How late the store answers each command while it is slow: well past the deadline. */
    private static final Duration DELAY = Duration.ofSeconds(4);

    /** An answer and how long it took. */
    record Timed(Response response, Duration took) {
        @Override
        public String toString() {
            return response.statusCode() + " after " + took.toMillis() + " ms";
        }
    }

    @AfterEach
    void storeInTime() {
        CosmosStoreResource.delay(Duration.ZERO);
        CosmosStoreResource.delayAnswers(Duration.ZERO);
    }

    @Test
    void aSaveAndAReadPastTheDeadlineGet503InTimeAndSucceedOnceTheStoreAnswersAgain() {
        String title = "slow " + UUID.randomUUID();
        Response created = create(title, null);
        created.then().statusCode(201);
        String id = created.path("id");
        String key = UUID.randomUUID().toString();

        CosmosStoreResource.delay(DELAY);
        Timed save = timed(() -> save(id, title, created.header("ETag"), key));
        Timed read = timed(() -> as("alice").get("/sessions/metadata/" + id));
        Timed list = timed(() -> as("alice").queryParam("filter_title", title).get("/sessions"));
        CosmosStoreResource.delay(Duration.ZERO);

        System.out.printf("Slow store test: commands %d ms late, deadline %d ms: a save answered %s, a read %s, a list %s%n",
                DELAY.toMillis(), DEADLINE.toMillis(), save, read, list);
        unavailableInTime(save).body("detail", containsString("Idempotency-Key"));
        unavailableInTime(read).body("detail", equalTo("The store is unavailable; retry later"));
        unavailableInTime(list);

        // The save may have been applied after its answer; its replay with the key settles it.
        save(id, title, created.header("ETag"), key).then().statusCode(200);
        as("alice").get("/sessions/" + id).then().statusCode(200).body("content.saved", equalTo(true));
        as("alice").get("/sessions/metadata/" + id).then().statusCode(200).body("title", equalTo(title));
        assertEquals(1, (int) as("alice").queryParam("filter_title", title).get("/sessions").then().statusCode(200)
                .extract().path("items.size()"));
    }

    @Test
    void aCreateAnswered503AtItsDeadlineIsSettledExactlyOnceByItsReplay() {
        String title = "create " + UUID.randomUUID();
        String key = UUID.randomUUID().toString();
        create("in time " + UUID.randomUUID(), UUID.randomUUID().toString()).then().statusCode(201);

        CosmosStoreResource.delay(DELAY);
        Timed refused = timed(() -> create(title, key));
        CosmosStoreResource.delay(Duration.ZERO);
        System.out.printf("Slow store test: commands %d ms late, deadline %d ms: a create answered %s%n",
                DELAY.toMillis(), DEADLINE.toMillis(), refused);
        unavailableInTime(refused).body("detail", containsString("Idempotency-Key"));

        // Its key stays held until keepsake.idempotency.lock-timeout when the store kept the attempt's claim:
        // a replay meanwhile is told to come back (409).
        List<Response> replays = new ArrayList<>();
        long back = System.nanoTime();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250)).until(() -> {
            replays.add(create(title, key));
            return replays.get(replays.size() - 1).statusCode() != 409;
        });
        System.out.printf("Slow store test: its replays answered %s, the last %d ms after the store answered in time%n",
                replays.stream().map(Response::statusCode).toList(), (System.nanoTime() - back) / 1_000_000);
        Response settled = replays.get(replays.size() - 1);
        settled.then().statusCode(201);
        create(title, key).then().statusCode(201).header("Location", equalTo(settled.header("Location")));
        assertEquals(1, (int) as("alice").queryParam("filter_title", title).get("/sessions").then().statusCode(200)
                .extract().path("items.size()"), "sessions stored for the create answered 503");
        as("alice").get("/sessions/" + settled.path("id")).then().statusCode(200).body("title", equalTo(title));
    }

    @Test
    void aSaveAnswered503ThatTheStoreAppliedAnywayIsNoticedWithinSeconds() {
        String title = "noticed " + UUID.randomUUID();
        String cursor = Api.noticeCursor("alice");
        Response created = create(title, null);
        created.then().statusCode(201);
        String id = created.path("id");
        assertTrue(Api.noticesAfter("alice", cursor, 1).stream().anyMatch(n -> id.equals(n.get("resourceId"))), "the create's notice");
        String after = Api.noticeCursor("alice");

        // The store applies the save's write at once; its answer comes after the deadline.
        CosmosStoreResource.delayAnswers(DELAY, "findandmodify");
        Timed save = timed(() -> save(id, title, created.header("ETag"), UUID.randomUUID().toString()));
        CosmosStoreResource.delayAnswers(Duration.ZERO);
        unavailableInTime(save);
        long answered = System.nanoTime();
        as("alice").get("/sessions/" + id).then().statusCode(200).body("content.saved", equalTo(true));

        // Its notice comes within seconds (the document's outbox is read again after an unknown
        // outcome), not at the next outbox recovery (recover-every, 5 min, for entries a minute old).
        Map<String, Object> noticed = null;
        String at = after;
        while (noticed == null && System.nanoTime() - answered < Duration.ofSeconds(15).toNanos()) {
            Response page = as("alice").queryParam("after", at).queryParam("wait", "3").get("/notices");
            page.then().statusCode(200);
            List<Map<String, Object>> items = page.path("items");
            noticed = items.stream().filter(n -> id.equals(n.get("resourceId")) && Integer.valueOf(2).equals(n.get("version")))
                    .findFirst().orElse(null);
            at = page.path("cursor");
        }
        System.out.printf("Slow store test: a save answered 503 and applied anyway was noticed %d ms after its answer%n",
                (System.nanoTime() - answered) / 1_000_000);
        assertTrue(noticed != null, "the applied save's notice within 15 s of its 503");
        assertEquals("session.updated", noticed.get("type"));
    }

    /** The answer is a 503 problem with Retry-After, given within the deadline and a second (and not before the deadline). */
    private static ValidatableResponse unavailableInTime(Timed answer) {
        assertTrue(answer.took().compareTo(DEADLINE.plusSeconds(1)) <= 0,
                "answered after " + answer.took().toMillis() + " ms, deadline " + DEADLINE.toMillis() + " ms");
        assertTrue(answer.took().compareTo(DEADLINE.minusMillis(100)) >= 0,
                "answered after " + answer.took().toMillis() + " ms: before the deadline, for another reason");
        return answer.response().then().statusCode(503).contentType("application/problem+json")
                .header("Retry-After", "2") // keepsake.store.retry-after
                .body("status", equalTo(503));
    }

    private static Timed timed(Supplier<Response> request) {
        long started = System.nanoTime();
        Response response = request.get();
        return new Timed(response, Duration.ofNanos(System.nanoTime() - started));
    }

    private static Response create(String title, String key) {
        var request = as("alice").contentType(ContentType.JSON);
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return request.body(Map.of("title", title, "description", "", "content", Map.of("saved", false))).post("/sessions");
    }

    private static Response save(String id, String title, String etag, String key) {
        return as("alice").contentType(ContentType.JSON).header("If-Match", etag).header("Idempotency-Key", key)
                .body(Map.of("title", title, "description", "", "content", Map.of("saved", true)))
                .put("/sessions/" + id);
    }
}
