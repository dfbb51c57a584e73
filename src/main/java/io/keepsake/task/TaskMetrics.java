package io.keepsake.task;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/** Task queue depth by status ({@code keepsake_tasks{status="dead"}} is the one to alert on). */
@ApplicationScoped
public class TaskMetrics {

    private final TaskQueue queue;
    private final Map<String, Long> counts = new ConcurrentHashMap<>();

    public TaskMetrics(TaskQueue queue, MeterRegistry registry) {
        this.queue = queue;
        for (String status : List.of(Task.PENDING, Task.RUNNING, Task.DONE, Task.DEAD)) {
            counts.put(status, 0L);
            Gauge.builder("keepsake.tasks", counts, c -> c.getOrDefault(status, 0L))
                    .tag("status", status).description("Tasks in the store by status").register(registry);
        }
    }

    @Scheduled(every = "15s", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refresh() {
        return queue.counts().invoke(found -> counts.replaceAll((status, old) -> found.getOrDefault(status, 0L)))
                .onFailure().recoverWithNull().replaceWithVoid();
    }
}
