package io.keepsake.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.keepsake.KeepsakeConfig;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * An instance that shuts down with a task in hand: two runners on one queue play two instances;
 * the lease is a minute long, so a task only runs elsewhere promptly if the leaving one hands it back.
 */
@QuarkusTest
@TestProfile(TaskShutdownTest.Profile.class)
class TaskShutdownTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("keepsake.tasks.enabled", "false", "keepsake.tasks.lease", "60s");
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    TaskQueue queue;

    @Inject
    KeepsakeConfig config;

    private Runner runner(String id, String type, Supplier<Uni<Void>> work) {
        TaskHandler handler = new TaskHandler() {
            @Override
            public String type() {
                return type;
            }

            @Override
            public Uni<Void> handle(Map<String, String> payload) {
                return work.get();
            }
        };
        return new Runner(id, queue, Map.of(type, handler), config.tasks());
    }

    private Task stored(String id) {
        return queue.findById(id).await().atMost(WAIT);
    }

    @Test
    void aTaskHeldByAnInstanceThatShutsDownRunsAtOnceOnAnother() throws InterruptedException {
        String type = "long-" + UUID.randomUUID();
        CountDownLatch started = new CountDownLatch(1);
        Runner leaving = runner("leaving", type, () -> {
            started.countDown();
            return Uni.createFrom().nothing(); // still working when its instance stops
        });
        Task task = queue.enqueue(type, Map.of("n", "1")).await().atMost(WAIT);
        Cancellable inFlight = leaving.runDue(1).subscribe().with(ran -> { });
        assertTrue(started.await(10, TimeUnit.SECONDS));
        Task held = stored(task.id);
        assertEquals(Task.RUNNING, held.status);
        assertEquals("leaving", held.leaseOwner);

        assertEquals(1L, leaving.shutdown(Duration.ofMillis(300)).await().atMost(WAIT));

        Task handedBack = stored(task.id);
        assertEquals(Task.PENDING, handedBack.status);
        assertNull(handedBack.leaseOwner);
        assertEquals(0, handedBack.attempts, "the interrupted attempt does not count against the retries");
        AtomicInteger runs = new AtomicInteger();
        Runner staying = runner("staying", type, () -> {
            runs.incrementAndGet();
            return Uni.createFrom().voidItem();
        });
        assertEquals(1, staying.runDue(1).await().atMost(WAIT));
        Instant doneAt = Instant.now();
        Task done = stored(task.id);
        assertEquals(Task.DONE, done.status);
        assertEquals(1, done.attempts);
        assertEquals(1, runs.get());
        assertTrue(doneAt.isBefore(held.leaseUntil), "ran before the leaving instance's lease ran out");
        inFlight.cancel();
    }

    @Test
    void aTaskThatFinishesWithinTheGraceIsCompletedNotHandedBack() throws InterruptedException {
        String type = "short-" + UUID.randomUUID();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Runner leaving = runner("leaving-gracefully", type, () -> {
            started.countDown();
            return Uni.createFrom().item(() -> {
                try {
                    finish.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return (Void) null;
            }).runSubscriptionOn(io.smallrye.mutiny.infrastructure.Infrastructure.getDefaultWorkerPool());
        });
        Task task = queue.enqueue(type, Map.of("n", "1")).await().atMost(WAIT);
        leaving.runDue(1).subscribe().with(ran -> { });
        assertTrue(started.await(10, TimeUnit.SECONDS));

        Uni<Long> shutdown = leaving.shutdown(Duration.ofSeconds(10)).memoize().indefinitely();
        shutdown.subscribe().with(released -> { });
        finish.countDown();

        assertEquals(0L, shutdown.await().atMost(WAIT));
        Task done = stored(task.id);
        assertEquals(Task.DONE, done.status);
        assertEquals(1, done.attempts);

        Task later = queue.enqueue(type, Map.of("n", "2")).await().atMost(WAIT);
        assertEquals(0, leaving.runDue(1).await().atMost(WAIT), "a stopping runner claims nothing new");
        assertEquals(Task.PENDING, stored(later.id).status);
        assertEquals(1, runner("another", type, () -> Uni.createFrom().voidItem()).runDue(1).await().atMost(WAIT),
                "it is left for another instance");
        assertEquals(Task.DONE, stored(later.id).status);
    }
}
