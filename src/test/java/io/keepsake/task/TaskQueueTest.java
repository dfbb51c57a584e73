package io.keepsake.task;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.as;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.keepsake.KeepsakeConfig;
import io.keepsake.testing.EmbeddedStoreResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;

/** The queue's guarantees, with this instance's scheduled runner off and runners driven by the test. */
@QuarkusTest
@TestProfile(TaskQueueTest.Profile.class)
class TaskQueueTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("keepsake.tasks.enabled", "false", "keepsake.tasks.backoff", "200ms",
                    "keepsake.tasks.lease", "1s", "keepsake.tasks.max-retries", "3");
        }
    }

    @Inject
    TaskQueue queue;

    @Inject
    KeepsakeConfig config;

    private static final Duration WAIT = Duration.ofSeconds(20);

    private Runner runner(String id, TaskHandler... handlers) {
        return new Runner(id, queue, java.util.Arrays.stream(handlers)
                .collect(java.util.stream.Collectors.toMap(TaskHandler::type, Function.identity())), config.tasks());
    }

    private static TaskHandler handler(String type, Function<Map<String, String>, Uni<Void>> body) {
        return new TaskHandler() {
            @Override
            public String type() {
                return type;
            }

            @Override
            public Uni<Void> handle(Map<String, String> payload) {
                return body.apply(payload);
            }
        };
    }

    private Task stored(String id) {
        return queue.findById(id).await().atMost(Duration.ofSeconds(5));
    }

    private Task enqueue(String type) {
        return queue.enqueue(type, Map.of("n", "1")).await().atMost(Duration.ofSeconds(5));
    }

    @Test
    void aTaskThatFailsTwiceIsRetriedWithGrowingDelaysAndEndsDone() {
        String type = "flaky-" + UUID.randomUUID();
        List<Instant> attempts = new CopyOnWriteArrayList<>();
        Runner runner = runner("flaky-runner", handler(type, payload -> {
            attempts.add(Instant.now());
            return attempts.size() <= 2 ? Uni.createFrom().failure(new IllegalStateException("boom " + attempts.size()))
                    : Uni.createFrom().voidItem();
        }));
        Task task = enqueue(type);

        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            runner.runDue(10).await().atMost(Duration.ofSeconds(5));
            return Task.DONE.equals(stored(task.id).status);
        });

        Task done = stored(task.id);
        assertEquals(3, done.attempts);
        assertNull(done.lastError);
        assertEquals(3, attempts.size());
        Duration first = Duration.between(attempts.get(0), attempts.get(1));
        Duration second = Duration.between(attempts.get(1), attempts.get(2));
        assertTrue(first.toMillis() >= 200, "first retry after " + first);
        assertTrue(second.toMillis() >= 400, "second retry after " + second);
    }

    @Test
    void aTaskThatAlwaysFailsIsDeadAfterTheRetriesWithItsLastError() {
        String type = "doomed-" + UUID.randomUUID();
        AtomicInteger runs = new AtomicInteger();
        Runner runner = runner("doomed-runner", handler(type,
                payload -> Uni.createFrom().failure(new IllegalStateException("attempt " + runs.incrementAndGet()))));
        Task task = enqueue(type);

        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            runner.runDue(10).await().atMost(Duration.ofSeconds(5));
            return Task.DEAD.equals(stored(task.id).status);
        });

        Task dead = stored(task.id);
        assertEquals(4, dead.attempts); // the first run and 3 retries
        assertEquals(4, runs.get());
        assertEquals("IllegalStateException: attempt 4", dead.lastError);
        // Dead tasks stay put.
        runner.runDue(10).await().atMost(Duration.ofSeconds(5));
        assertEquals(4, runs.get());

        given().auth().preemptive().basic("operator", "operator-secret").get("/persistence/admin/tasks").then()
                .statusCode(200).body("counts.dead", greaterThanOrEqualTo(1)).body("dead.id", hasItem(task.id));
        as(ALICE).get("/admin/tasks").then().statusCode(403).contentType("application/problem+json");
        given().get("/persistence/admin/tasks").then().statusCode(401);
    }

    @Test
    void aTaskWhoseRunnerDiedIsRunByAnotherOnceTheLeaseExpires() {
        String type = "orphan-" + UUID.randomUUID();
        AtomicInteger runs = new AtomicInteger();
        Task task = enqueue(type);
        Task claimed = queue.claim("crashed-runner", Set.of(type)).await().atMost(Duration.ofSeconds(5));
        assertNotNull(claimed);
        assertEquals(task.id, claimed.id);

        Runner survivor = runner("survivor", handler(type, payload -> {
            runs.incrementAndGet();
            return Uni.createFrom().voidItem();
        }));
        assertEquals(0, (int) survivor.runDue(10).await().atMost(Duration.ofSeconds(5)), "leased: not yet");
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            survivor.runDue(10).await().atMost(Duration.ofSeconds(5));
            return Task.DONE.equals(stored(task.id).status);
        });
        assertEquals(1, runs.get());
        assertFalse(queue.complete(claimed, "crashed-runner").await().atMost(Duration.ofSeconds(5)),
                "the crashed runner's late completion no longer counts");
    }

    @Test
    void twoRunnersOnOneQueueNeverRunATaskTwiceOrAtOnce() {
        String type = "shared-" + UUID.randomUUID();
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        Set<String> running = ConcurrentHashMap.newKeySet();
        List<String> overlaps = new CopyOnWriteArrayList<>();
        TaskHandler handler = handler(type, payload -> {
            String id = payload.get("id");
            if (!running.add(id)) {
                overlaps.add(id);
            }
            runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            return Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(5))
                    .invoke(() -> running.remove(id));
        });
        for (int i = 0; i < 40; i++) {
            queue.enqueue(type, Map.of("id", "t" + i)).await().atMost(Duration.ofSeconds(5));
        }
        Runner one = runner("runner-one", handler);
        Runner two = runner("runner-two", handler);

        await().atMost(WAIT).until(() -> {
            Uni.combine().all().unis(one.runDue(100), two.runDue(100)).asTuple().await().atMost(Duration.ofSeconds(10));
            return runs.size() == 40;
        });

        assertEquals(List.of(), overlaps);
        runs.forEach((id, count) -> assertEquals(1, count.get(), id));
    }

    @Test
    void aPendingTaskSurvivesARestartOfTheStore() {
        String type = "durable-" + UUID.randomUUID();
        Task task = queue.enqueue(type, Map.of("n", "1"), Instant.now().plusSeconds(1)).await().atMost(Duration.ofSeconds(5));
        EmbeddedStoreResource.stopStore();
        EmbeddedStoreResource.startStore();
        AtomicInteger runs = new AtomicInteger();
        Runner runner = runner("after-restart", handler(type, payload -> {
            runs.incrementAndGet();
            return Uni.createFrom().voidItem();
        }));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            runner.runDue(10).await().atMost(Duration.ofSeconds(5));
            return Task.DONE.equals(stored(task.id).status);
        });
        assertEquals(1, runs.get());
    }

    @Test
    void aRunnerClaimsOnlyTheTypesItKnows() {
        String known = "known-" + UUID.randomUUID();
        String newer = "newer-" + UUID.randomUUID();
        Task unknown = enqueue(newer);
        Task mine = enqueue(known);
        Runner older = runner("older-version", handler(known, payload -> Uni.createFrom().voidItem()));

        await().atMost(WAIT).until(() -> {
            older.runDue(100).await().atMost(Duration.ofSeconds(5));
            return Task.DONE.equals(stored(mine.id).status);
        });
        Task left = stored(unknown.id);
        assertEquals(Task.PENDING, left.status, "a task type this runner has no handler for waits for one that has");
        assertEquals(0, left.attempts);
        assertNull(left.lastError);
    }

    @Test
    void aTaskWhoseRunnersKeepDyingCountsEachLeaseAsAnAttemptAndDies() {
        String type = "doomed-" + UUID.randomUUID();
        Task task = enqueue(type);
        // Runners that claim and die: each expired lease is an attempt (max-retries 3: 4 attempts in all).
        for (int attempt = 1; attempt <= 4; attempt++) {
            int expected = attempt;
            await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
                queue.claim("dies-" + expected, Set.of(type)).await().atMost(Duration.ofSeconds(5));
                return stored(task.id).attempts == expected;
            });
        }
        assertNull(queue.claim("one-too-many", Set.of(type)).await().atMost(Duration.ofSeconds(5)),
                "still leased: nobody may take it yet");
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            queue.buryAbandoned().await().atMost(Duration.ofSeconds(5));
            return Task.DEAD.equals(stored(task.id).status);
        });
        Task dead = stored(task.id);
        assertEquals(4, dead.attempts);
        assertTrue(dead.lastError.contains("Lease expired"), dead.lastError);
        assertNull(queue.claim("after-death", Set.of(type)).await().atMost(Duration.ofSeconds(5)));
    }

    @Test
    void doneTasksExpireAndTheCountsComeFromTheStore() {
        String type = "finished-" + UUID.randomUUID();
        Task task = enqueue(type);
        Runner runner = runner("finisher", handler(type, payload -> Uni.createFrom().voidItem()));
        await().atMost(WAIT).until(() -> {
            runner.runDue(10).await().atMost(Duration.ofSeconds(5));
            return Task.DONE.equals(stored(task.id).status);
        });
        Task done = stored(task.id);
        assertNotNull(done.expiresAt, "a done task has an expiry");
        assertTrue(done.expiresAt.isAfter(Instant.now().plus(config.tasks().keepDone()).minusSeconds(60)));
        assertTrue(queue.counts().await().atMost(Duration.ofSeconds(5)).get(Task.DONE) >= 1);
    }
}
