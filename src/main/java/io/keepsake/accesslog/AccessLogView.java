package io.keepsake.accesslog;

import java.time.Instant;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A visitor's log of one snapshot, as listed. */
@RegisterForReflection
public record AccessLogView(String snapshotId, String snapshotTitle, String snapshotOwnerId, Instant snapshotCreatedAt,
        long visits, Instant firstVisitedAt, Instant lastVisitedAt, boolean snapshotDeleted, Instant snapshotDeletedAt) {

    static AccessLogView of(AccessLog log) {
        return new AccessLogView(log.snapshotId, log.snapshotTitle, log.snapshotOwnerId, log.snapshotCreatedAt,
                log.visits, log.firstVisitedAt, log.lastVisitedAt, log.snapshotDeleted, log.snapshotDeletedAt);
    }
}
