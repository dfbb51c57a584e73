package io.keepsake.task;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.keepsake.KeepsakeConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;

/**
 * Task queue depth by status ({@code keepsake_tasks{status="dead"}} is the one to alert on). The
 * figures are the store's, read again after this instance changes the queue (at most every
 * {@link #EVERY} while it keeps changing) and by the runner's safety look (at most every
 * {@code keepsake.tasks.idle-poll-every}), never on a timer of their own: each instance's figures
 * are at least as new as its own changes, so the maximum over instances is the one to watch.
 */
@ApplicationScoped
public class TaskMetrics {

    /** Reads of the figures while this instance keeps changing the queue are at least this far apart. */
    static final Duration EVERY = Duration.ofSeconds(15);
    private static final long SOON = Duration.ofMillis(1).toNanos();

    private final TaskQueue queue;
    private final boolean runnerEnabled;
    private final Map<String, Long> counts = new ConcurrentHashMap<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile long lastRead = System.nanoTime() - EVERY.toNanos();

    public TaskMetrics(TaskQueue queue, MeterRegistry registry, KeepsakeConfig config) {
        this.queue = queue;
        this.runnerEnabled = config.tasks().enabled();
        for (String status : List.of(Task.PENDING, Task.RUNNING, Task.DONE, Task.DEAD)) {
            counts.put(status, 0L);
            Gauge.builder("keepsake.tasks", counts, c -> c.getOrDefault(status, 0L))
                    .tag("status", status).description("Tasks in the store by status").register(registry);
        }
        queue.watch(new TaskQueue.Watcher() {
            @Override
            public void changed() {
                TaskMetrics.this.changed();
            }
        });
    }

    /** The first figures; the runner's first look reads them where it runs. */
    void onStart(@Observes StartupEvent event) {
        if (!runnerEnabled) {
            changed();
        }
    }

    /** The queue changed here: read the figures now, or once the last read is {@link #EVERY} old. */
    void changed() {
        if (!scheduled.compareAndSet(false, true)) {
            return;
        }
        Duration wait = Duration.ofNanos(Math.max(SOON, lastRead + EVERY.toNanos() - System.nanoTime()));
        Uni.createFrom().voidItem().onItem().delayIt().by(wait)
                // A change from here on asks for a read after this one.
                .invoke(() -> scheduled.set(false))
                .chain(this::refresh)
                .subscribe().with(done -> { }, error -> scheduled.set(false));
    }

    /** Reads the figures from the store now; never fails (the gauges keep their last figures). */
    Uni<Void> refresh() {
        lastRead = System.nanoTime();
        return queue.counts().invoke(found -> counts.replaceAll((status, old) -> found.getOrDefault(status, 0L)))
                .onFailure().recoverWithNull().replaceWithVoid();
    }
}
