package io.keepsake.task;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import io.keepsake.config.TasksConfig;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

/**
 * Claims due tasks one at a time and runs each with its handler. Several runners (threads,
 * instances, replicas) may poll one queue: the lease taken by the atomic claim keeps any task
 * from running twice at once.
 */
public final class Runner {

    private final String id;
    private final TaskQueue queue;
    private final Map<String, TaskHandler> handlers;
    private final TasksConfig config;
    private final AtomicInteger running = new AtomicInteger();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile boolean stopping;

    public Runner(String id, TaskQueue queue, Map<String, TaskHandler> handlers, TasksConfig config) {
        this.id = id;
        this.queue = queue;
        this.handlers = handlers;
        this.config = config;
    }

    public String id() {
        return id;
    }

    /** Runs up to {@code max} due tasks of the types it has handlers for, one after another; returns how many it ran. */
    public Uni<Integer> runDue(int max) {
        if (max <= 0 || stopping) {
            return Uni.createFrom().item(0);
        }
        return queue.claim(id, handlers.keySet()).onItem().transformToUni(task -> task == null
                ? Uni.createFrom().item(0)
                : run(task).onItem().transformToUni(ran -> runDue(max - 1)).map(more -> more + 1));
    }

    /**
     * Stops claiming, lets the tasks in hand finish for up to {@code grace}, then gives back every
     * lease still held so that another runner takes those tasks at its next look rather than after
     * the lease expires. A task given back may still finish here; its completion then no longer counts, and it
     * runs again elsewhere (handlers are idempotent). Emits how many leases were given back.
     */
    public Uni<Long> shutdown(Duration grace) {
        stopping = true;
        if (running.get() == 0) {
            drained.complete(null);
        }
        return Uni.createFrom().completionStage(drained)
                .ifNoItem().after(grace).recoverWithItem((Void) null)
                .chain(() -> queue.release(id));
    }

    private Uni<Void> run(Task task) {
        running.incrementAndGet();
        return attempt(task).onTermination().invoke(() -> {
            if (running.decrementAndGet() == 0 && stopping) {
                drained.complete(null);
            }
        });
    }

    private Uni<Void> attempt(Task task) {
        TaskHandler handler = handlers.get(task.type);
        Uni<Void> work = handler == null
                ? Uni.createFrom().failure(new IllegalStateException("No handler for task type " + task.type))
                : Uni.createFrom().deferred(() -> handler.handle(task.payload));
        return work.ifNoItem().after(config.lease().dividedBy(2)).fail()
                .onItem().transformToUni(done -> queue.complete(task, id))
                .onFailure().recoverWithUni(error -> {
                    Log.warnf("Task %s (%s) attempt %d failed: %s", task.id, task.type, task.attempts, error.getMessage());
                    return queue.fail(task, id, error);
                })
                .replaceWithVoid();
    }
}
