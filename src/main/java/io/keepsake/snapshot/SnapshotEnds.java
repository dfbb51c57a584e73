package io.keepsake.snapshot;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import io.keepsake.accesslog.AccessLogs;
import io.keepsake.notice.Notice;
import io.keepsake.notice.NoticePublisher;
import io.keepsake.notice.OutboxEntry;
import io.keepsake.quota.Quotas;
import io.keepsake.store.Time;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
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
        return sweep().invoke(ended -> {
            if (ended > 0) {
                Log.debugf("Carried out the ends of %d snapshots", ended);
            }
        }).onFailure().invoke(error -> Log.warnf("Snapshot end sweep failed: %s", error.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Carries out every end that has come by now; how many. */
    public Uni<Long> sweep() {
        return sweep(Time.now(), 0);
    }

    private Uni<Long> sweep(Instant now, long done) {
        // Each end carried out leaves the query's index, so the next page starts where this one ended.
        return snapshots.endsDue(now, PAGE).flatMap(due -> Multi.createFrom().iterable(due)
                .onItem().transformToUniAndConcatenate(snapshot -> end(snapshot, now))
                .collect().last()
                .flatMap(last -> due.size() < PAGE ? Uni.createFrom().item(done + due.size())
                        : sweep(now, done + due.size())));
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
