package io.keepsake.task;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

import io.keepsake.KeepsakeConfig;
import io.keepsake.store.Ids;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/** This instance's task runner: polls the queue on a schedule and runs what it claims. */
@ApplicationScoped
public class TaskRunner {

    private final Runner runner;
    private final TaskQueue queue;
    private final KeepsakeConfig.Tasks config;

    public TaskRunner(TaskQueue queue, @Any Instance<TaskHandler> handlers, KeepsakeConfig config) {
        this.queue = queue;
        this.config = config.tasks();
        Map<String, TaskHandler> byType = handlers.stream()
                .collect(Collectors.toMap(TaskHandler::type, Function.identity()));
        this.runner = new Runner("runner-" + Ids.next(), queue, byType, this.config);
    }

    @Scheduled(every = "${keepsake.tasks.poll-every}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> poll() {
        if (!config.enabled()) {
            return Uni.createFrom().voidItem();
        }
        return queue.buryAbandoned().chain(() -> runner.runDue(config.batch())).replaceWithVoid()
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
