package io.keepsake.accesslog;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import io.keepsake.KeepsakeConfig;
import io.keepsake.store.Time;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/** Forgets visit logs whose last visit is older than {@code keepsake.access-logs.retention}. */
@ApplicationScoped
public class AccessLogRetention {

    private final AccessLogRepository logs;
    private final Duration retention;

    AccessLogRetention(AccessLogRepository logs, KeepsakeConfig config) {
        this.logs = logs;
        this.retention = config.accessLogs().retention();
    }

    @Scheduled(every = "${keepsake.access-logs.sweep-every}", delayed = "5m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return sweep().replaceWithVoid();
    }

    /** Deletes every log last visited longer than the retention ago; how many (a failed sweep is logged, and counts 0). */
    public Uni<Long> sweep() {
        return logs.deleteVisitedBefore(Time.now().minus(retention)).invoke(deleted -> {
            if (deleted > 0) {
                Log.infof("Forgot %d visit logs not visited for %s", deleted, retention);
            }
        });
    }
}
