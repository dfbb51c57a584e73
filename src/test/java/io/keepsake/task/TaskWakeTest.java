package io.keepsake.task;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.keepsake.store.Ids;
import io.keepsake.store.Time;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The runner of an idle instance looks at the queue only every few seconds, yet a task this
 * instance enqueues, or a retry of one it ran, runs as soon as it is due: each test waits until the
 * runner's next look is further off than the task may take. A task enqueued elsewhere waits for
 * that look.
 */
@QuarkusTest
@TestProfile(TaskWakeTest.Profile.class)
class TaskWakeTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("keepsake.tasks.poll-every", "50ms", "keepsake.tasks.idle-poll-every", "5s",
                    "keepsake.tasks.backoff", "100ms");
        }
    }

    /** Longer than a due task takes to run here, shorter than the runner's quiet time below. */
    private static final Duration PROMPT = Duration.ofSeconds(3);
    private static final Duration QUIET = PROMPT.plusSeconds(1);

    @Inject
    TaskQueue queue;

    @Inject
    TaskRunner runner;

    @Inject
    TestTasks tasks;

    /** Waits until no look is due for a while, and returns when the next one is. */
    private Instant nextLookFarOff() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                .until(() -> runner.untilNextLook().compareTo(QUIET) > 0);
        return Instant.now().plus(runner.untilNextLook());
    }

    private String status(String taskId) {
        return queue.findById(taskId).await().atMost(Duration.ofSeconds(5)).status;
    }

    @Test
    void aTaskEnqueuedHereRunsAtOnce() {
        String id = UUID.randomUUID().toString();
        Instant nextLook = nextLookFarOff();
        Task task = queue.enqueue(TestTasks.TYPE, Map.of("id", id)).await().atMost(Duration.ofSeconds(5));

        await().atMost(PROMPT).until(() -> Task.DONE.equals(status(task.id)));
        List<Instant> runs = tasks.runs(id);
        assertEquals(1, runs.size());
        assertTrue(runs.get(0).isBefore(nextLook), "ran before the runner's next look was due");
    }

    @Test
    void aFailedTaskIsRetriedWhenItsBackoffEnds() {
        String id = UUID.randomUUID().toString();
        Instant nextLook = nextLookFarOff();
        Task task = queue.enqueue(TestTasks.TYPE, Map.of("id", id, "fail", "1")).await().atMost(Duration.ofSeconds(5));

        await().atMost(PROMPT).until(() -> Task.DONE.equals(status(task.id)));
        List<Instant> runs = tasks.runs(id);
        assertEquals(2, runs.size());
        assertTrue(Duration.between(runs.get(0), runs.get(1)).toMillis() >= 100, "the retry waited for its backoff");
        assertTrue(runs.get(1).isBefore(nextLook), "retried before the runner's next look was due");
    }

    @Test
    void aTaskEnqueuedForLaterRunsWhenItIsDue() {
        String id = UUID.randomUUID().toString();
        Instant nextLook = nextLookFarOff();
        Instant due = Instant.now().plusMillis(500);
        Task task = queue.enqueue(TestTasks.TYPE, Map.of("id", id), due).await().atMost(Duration.ofSeconds(5));

        await().atMost(PROMPT).until(() -> Task.DONE.equals(status(task.id)));
        Instant ran = tasks.runs(id).get(0);
        assertFalse(ran.isBefore(due.minusMillis(1)), "not before it was due: " + ran + " < " + due);
        assertTrue(ran.isBefore(nextLook), "ran before the runner's next look was due");
    }

    @Test
    void aTaskEnqueuedElsewhereRunsAtTheNextLook() {
        String id = UUID.randomUUID().toString();
        // Written to the store as another instance would, so nothing here is told of it.
        Task task = new Task();
        task.id = Ids.next();
        task.type = TestTasks.TYPE;
        task.payload = Map.of("id", id);
        task.status = Task.PENDING;
        task.nextAttemptAt = Time.now();
        task.createdAt = task.nextAttemptAt;
        task.updatedAt = task.nextAttemptAt;
        queue.persist(task).await().atMost(Duration.ofSeconds(5));

        // idle-poll-every (5 s) bounds the wait.
        await().atMost(Duration.ofSeconds(5).plus(PROMPT)).until(() -> Task.DONE.equals(status(task.id)));
        assertEquals(1, tasks.runs(id).size());
    }
}
