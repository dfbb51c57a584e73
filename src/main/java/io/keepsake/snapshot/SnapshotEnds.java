package io.keepsake.snapshot;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import io.keepsake.accesslog.AccessLogs;
import io.keepsake.notice.Notice;
import io.keepsake.notice.NoticePublisher;
import io.keepsake.notice.OutboxEntry;
import io.keepsake.quota.Quotas;
import io.keepsake.store.DuePages;
import io.keepsake.store.Time;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Carries out the ends of snapshots: once a snapshot's {@code expiresAt} has come, reads already
 * answer 410 Gone; this sweep then does what a delete does: drops its content (a tombstone stays, for
 * the 410), gives back its quota, tells its owner ({@code snapshot.deleted}) and queues the task that
 * marks its visitors' logs. It goes a page at a time; each snapshot's end is noted as carried out only
 * after its task is queued, so a sweep that stopped half-way is finished by the next one.
 */
@ApplicationScoped
public class SnapshotEnds {

    static final int PAGE = 100;

    private final SnapshotRepository snapshots;
    private final NoticePublisher notices;
    private final Quotas quotas;
    private final AccessLogs accessLogs;

    SnapshotEnds(SnapshotRepository snapshots, NoticePublisher notices, Quotas quotas, AccessLogs accessLogs) {
        this.snapshots = snapshots;
        this.notices = notices;
        this.quotas = quotas;
        this.accessLogs = accessLogs;
    }

    @Scheduled(every = "${keepsake.snapshots.end-sweep-every}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return DuePages.scheduled("Snapshot end sweep", sweep());
    }

    /** Carries out every end that has come by now; how many. */
    public Uni<Long> sweep() {
        Instant now = Time.now();
        return DuePages.settle(() -> snapshots.endsDue(now, PAGE), PAGE, snapshot -> end(snapshot, now));
    }

    private Uni<Void> end(Snapshot due, Instant now) {
        OutboxEntry notice = OutboxEntry.of(Notice.SNAPSHOT_DELETED, due.id, null, null, null, now);
        return notices.watched(snapshots, due.id, due.ownerId, snapshots.tombstoneEnded(due.id, now, notice))
                // Null: an earlier sweep made the tombstone (and gave the quota back) before it stopped.
                .onItem().ifNotNull().call(tombstone -> {
                    notices.publish(snapshots.outbox(tombstone));
                    return quotas.release(tombstone.ownerId, Quotas.Kind.SNAPSHOT, tombstone.contentSize);
                })
                .chain(() -> accessLogs.snapshotDeleted(due.id))
                .chain(() -> snapshots.endCarriedOut(due.id));
    }
}
