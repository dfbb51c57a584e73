package io.keepsake.webviz;

import jakarta.enterprise.context.ApplicationScoped;

import io.keepsake.accesslog.AccessLogFilter;
import io.keepsake.accesslog.AccessLogs;
import io.keepsake.session.SessionService;
import io.keepsake.snapshot.SnapshotFilter;
import io.keepsake.snapshot.SnapshotService;
import io.keepsake.store.Ids;
import io.keepsake.web.ApiProblem;
import io.keepsake.web.BodyWork;
import io.keepsake.web.Json;
import io.keepsake.web.Page;
import io.keepsake.web.PageRequest;
import io.smallrye.mutiny.Uni;

/**
 * The original workbench's snapshot and visit-log calls on {@link SnapshotService} and
 * {@link AccessLogs}, with the original's two rules of its own: creating a snapshot counts as the
 * creator's visit (so their list shows it at once), and deleting one also forgets the owner's own
 * visit log of it.
 */
@ApplicationScoped
class WorkbenchSnapshots {

    private final SnapshotService snapshots;
    private final AccessLogs logs;
    private final WorkbenchBodies bodies;
    private final Json codec;
    private final BodyWork work;

    WorkbenchSnapshots(SnapshotService snapshots, AccessLogs logs, WorkbenchBodies bodies, Json codec, BodyWork work) {
        this.work = work;
        this.snapshots = snapshots;
        this.logs = logs;
        this.bodies = bodies;
        this.codec = codec;
    }

    Uni<String> create(String owner, byte[] body, String origin) {
        return work.run(body.length, () -> bodies.draft(body))
                .onItem().transformToUni(draft -> snapshots.create(owner, draft, origin, true))
                .map(created -> created.id);
    }

    /** An ended snapshot answers here as a deleted one does: the original knows no 410. */
    Uni<WorkbenchViews.FullSnapshot> read(String visitor, String id) {
        return snapshots.read(visitor, id).map(s -> new WorkbenchViews.FullSnapshot(WorkbenchViews.SnapshotMetadata.of(s),
                WorkbenchSessions.asString(new String(s.contentBytes(), java.nio.charset.StandardCharsets.UTF_8), codec)))
                .onFailure(failure -> failure instanceof ApiProblem problem && problem.status() == 410)
                .transform(ended -> ApiProblem.notFound("Snapshot"));
    }

    Uni<Void> delete(String owner, String id, String origin) {
        return snapshots.delete(owner, id, origin).call(() -> logs.forgetIfAny(owner, id));
    }

    Uni<Page<WorkbenchViews.SnapshotMetadata>> list(String owner, SnapshotFilter filter, PageRequest page) {
        return snapshots.list(owner, filter, page, WorkbenchViews.SnapshotMetadata::of);
    }

    Uni<Void> forgetVisits(String visitor, String snapshotId) {
        return logs.forget(visitor, Ids.require(snapshotId));
    }

    Uni<Page<WorkbenchViews.VisitLog>> visits(String visitor, AccessLogFilter filter, PageRequest page) {
        return logs.list(visitor, filter, page, WorkbenchViews.VisitLog::of);
    }
}
