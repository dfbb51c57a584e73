package io.keepsake.accesslog;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.keepsake.KeepsakeConfig;
import io.keepsake.task.TaskHandler;
import io.keepsake.task.TaskQueue;
import io.keepsake.web.ApiProblem;
import io.keepsake.web.Page;
import io.keepsake.web.PageRequest;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** The access-log rules: counting visits without ever holding up a read, listing, forgetting. */
@ApplicationScoped
public class AccessLogs {

    static final String RECORD_VISIT = "record-visit";
    static final String MARK_DELETED = "mark-access-logs-deleted";

    private final AccessLogRepository logs;
    private final TaskQueue tasks;
    private final Duration window;
    private final Duration writeTimeout;

    public AccessLogs(AccessLogRepository logs, TaskQueue tasks, KeepsakeConfig config) {
        this.logs = logs;
        this.tasks = tasks;
        this.window = config.snapshots().visitWindow();
        this.writeTimeout = config.snapshots().visitWriteTimeout();
    }

    /**
     * Counts a visit in the background: the read that caused it does not wait. If the write fails
     * or is slow, the visit becomes a {@code record-visit} task, retried with backoff.
     */
    public void countInBackground(Visit visit) {
        logs.record(visit, window)
                .ifNoItem().after(writeTimeout).fail()
                .onFailure().recoverWithUni(error -> {
                    Log.debugf("Visit write failed (%s); queued as a task", error.getMessage());
                    return tasks.enqueue(RECORD_VISIT, visit.toPayload()).replaceWithVoid();
                })
                .subscribe().with(done -> { }, error -> Log.warnf("Visit of %s by %s lost: %s",
                        visit.snapshotId(), visit.visitorId(), error.getMessage()));
    }

    /**
     * Counts a visit before answering (a creator's visit, which their list must show at once). If
     * the write fails, the visit becomes a {@code record-visit} task as in the background case.
     */
    public Uni<Void> count(Visit visit) {
        return logs.record(visit, window)
                .onFailure().recoverWithUni(error -> tasks.enqueue(RECORD_VISIT, visit.toPayload()).replaceWithVoid());
    }

    /** Queues the marking of every log of a deleted snapshot. */
    public Uni<Void> snapshotDeleted(String snapshotId) {
        return tasks.enqueue(MARK_DELETED, Map.of("snapshotId", snapshotId)).replaceWithVoid();
    }

    public Uni<AccessLogRepository.VisitStats> stats(String snapshotId) {
        return logs.stats(snapshotId);
    }

    Uni<Page<AccessLogView>> list(String visitor, AccessLogFilter filter, PageRequest page) {
        return list(visitor, filter, page, AccessLogView::of);
    }

    /** A page of the visitor's logs, each shown through {@code view}. */
    public <T> Uni<Page<T>> list(String visitor, AccessLogFilter filter, PageRequest page, Function<AccessLog, T> view) {
        return logs.list(visitor, filter, page).map(found -> Page.of(found, page,
                l -> AccessLogFilter.sortValue(l, page.sortBy()), l -> l.id, view));
    }

    /** Every log of the visitor's, as listed: a page of {@code pageSize} at a time. */
    public Multi<AccessLogView> export(String visitor, int pageSize) {
        return logs.all(visitor, pageSize).map(AccessLogView::of);
    }

    /** Forgets the visitor's log of a snapshot; 404 if there is none. */
    public Uni<Void> forget(String visitor, String snapshotId) {
        return forgetIfAny(visitor, snapshotId).map(deleted -> {
            if (!deleted) {
                throw ApiProblem.notFound("Access log");
            }
            return null;
        });
    }

    /** Forgets the visitor's log of a snapshot; true if there was one. */
    public Uni<Boolean> forgetIfAny(String visitor, String snapshotId) {
        return logs.forget(visitor, snapshotId).map(deleted -> deleted > 0);
    }

    /** The fallback of a visit whose direct write failed; the window rule makes a repeat harmless. */
    @ApplicationScoped
    static class RecordVisit implements TaskHandler {

        private final AccessLogRepository logs;
        private final Duration window;

        RecordVisit(AccessLogRepository logs, KeepsakeConfig config) {
            this.logs = logs;
            this.window = config.snapshots().visitWindow();
        }

        @Override
        public String type() {
            return RECORD_VISIT;
        }

        @Override
        public Uni<Void> handle(Map<String, String> payload) {
            return logs.record(Visit.fromPayload(payload), window);
        }
    }

    /** Sets snapshotDeleted on every log of a deleted snapshot. */
    @ApplicationScoped
    static class MarkDeleted implements TaskHandler {

        private final AccessLogRepository logs;

        MarkDeleted(AccessLogRepository logs) {
            this.logs = logs;
        }

        @Override
        public String type() {
            return MARK_DELETED;
        }

        @Override
        public Uni<Void> handle(Map<String, String> payload) {
            return logs.markSnapshotDeleted(payload.get("snapshotId"), java.time.Instant.now()).replaceWithVoid();
        }
    }
}
