package io.keepsake.task;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

import io.keepsake.KeepsakeConfig;
import io.keepsake.config.TasksConfig;
import io.keepsake.store.Ids;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/** This instance's task runner: polls the queue on a schedule and runs what it claims. */
@ApplicationScoped
public class TaskRunner {

    /** Abandoned leases are looked for this often. */
    private static final long BURY_EVERY_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Runner runner;
    private final TaskQueue queue;
    private final TasksConfig config;
    /** Polls in a row that found nothing: an idle queue is looked at less and less often. */
    private int emptyPolls;
    private long nextPollNanos;
    private long nextBuryNanos;
    private long enqueuedSeen;

    public TaskRunner(TaskQueue queue, @Any Instance<TaskHandler> handlers, KeepsakeConfig config) {
        this.queue = queue;
        this.config = config.tasks();
        Map<String, TaskHandler> byType = handlers.stream()
                .collect(Collectors.toMap(TaskHandler::type, Function.identity()));
        this.runner = new Runner("runner-" + Ids.next(), queue, byType, this.config);
    }

    /**
     * Runs due tasks every {@code poll-every} while there are some. After polls that found none it
     * waits twice as long each time, up to {@code idle-poll-every}, so that an idle instance leaves the
     * store alone; a task enqueued by this instance ends the wait at once.
     */
    @Scheduled(every = "${keepsake.tasks.poll-every}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> poll() {
        long now = System.nanoTime();
        long enqueued = queue.enqueuedHere();
        if (!config.enabled() || (now - nextPollNanos < 0 && enqueued == enqueuedSeen)) {
            return Uni.createFrom().voidItem();
        }
        enqueuedSeen = enqueued;
        Uni<Long> buried = Uni.createFrom().item(0L);
        if (now - nextBuryNanos >= 0) {
            nextBuryNanos = now + BURY_EVERY_NANOS;
            buried = queue.buryAbandoned();
        }
        return buried.chain(() -> runner.runDue(config.batch()))
                .invoke(ran -> {
                    emptyPolls = ran > 0 ? 0 : Math.min(emptyPolls + 1, 20);
                    long wait = ran > 0 ? 0 : Math.min(config.idlePollEvery().toNanos(),
                            config.pollEvery().toNanos() << Math.min(emptyPolls, 10));
                    nextPollNanos = System.nanoTime() + wait;
                })
                .replaceWithVoid()
                .onFailure().invoke(error -> Log.debugf("Task poll failed: %s", error.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Runs due tasks now instead of at the next poll (tests, and after an enqueue that should not wait). */
    public Uni<Integer> runDue() {
        return runner.runDue(config.batch());
    }

    /** On shutdown, lets running tasks finish briefly, then hands back the rest so that another instance runs them at once. */
    void release(@Observes ShutdownEvent event) {
        try {
            Long released = runner.shutdown(config.shutdownGrace())
                    .await().atMost(config.shutdownGrace().plusSeconds(5));
            if (released > 0) {
                Log.infof("Released %d task lease(s) on shutdown", released);
            }
        } catch (RuntimeException e) {
            Log.warnf("Could not release task leases on shutdown: %s", e.getMessage());
        }
    }
}
