package io.keepsake.notice;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.bson.Document;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Updates;

import io.keepsake.store.Sweep;
import io.keepsake.store.Throttled;
import io.quarkus.logging.Log;
import io.quarkus.mongodb.FindOptions;
import io.quarkus.mongodb.reactive.ReactiveMongoClient;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.quarkus.mongodb.reactive.ReactiveMongoDatabase;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Forgets expired notices. Each user's log is swept from its oldest notice still kept, by id, a
 * batch at a time: no scan of the collection, which on the embedded store would hold up every write
 * while it ran (about a second per 13,000 notices). A notice expires a retention period after its
 * change, and changes are numbered in about the order they happen, so a log's expired notices are
 * its first ones: its sweep stops at the first one still kept (an expired one numbered after it goes
 * at a later sweep). How far a log is gone is kept in its head document ({@code swept}); the sweep
 * never goes past the head, so that what it frees is never numbered again.
 * <p>
 * It also brings the heads an earlier version kept in a collection of their own into the log.
 */
@ApplicationScoped
public class NoticeSweep {

    /** Ids deleted (and then looked up) at once. */
    static final int SWEEP_BATCH = 100;
    private static final Instant EPOCH = Instant.EPOCH;

    private final ReactiveMongoCollection<Document> notices;
    private final ReactiveMongoCollection<Document> legacyHeads;

    @Inject
    public NoticeSweep(ReactiveMongoClient client, @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this(client.getDatabase(database));
    }

    /** A sweep of a database of one's own (in tests). */
    public NoticeSweep(ReactiveMongoDatabase database) {
        this.notices = database.getCollection("notices");
        this.legacyHeads = database.getCollection("notice_heads");
    }

    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public Uni<Void> sweep() {
        Instant now = Instant.now();
        // Every head, from the index on the time it grew: the notices themselves are not read.
        return Sweep.logged("Notice sweep", notices.find(new FindOptions().filter(Filters.gte(NoticeLog.GREW_AT, EPOCH))
                        .projection(Projections.include("userId", "head", "swept")))
                .plug(Throttled::retry)
                .select().where(head -> swept(head) < NoticeIds.headOf(head))
                .onItem().transformToUniAndConcatenate(head -> sweep(head.getString("userId"), swept(head) + 1,
                        NoticeIds.headOf(head), now))
                .collect().last());
    }

    private static long swept(Document head) {
        return head.get("swept") instanceof Number n ? n.longValue() : 0L;
    }

    /** Deletes the user's expired notices numbered {@code from} on, up to {@code head}, a batch at a time. */
    private Uni<Void> sweep(String userId, long from, long head, Instant now) {
        // Read first: most sweeps of a log find nothing expired, and then write nothing. Never past the head.
        int count = (int) Math.min(SWEEP_BATCH, head - from + 1);
        return notices.find(new FindOptions().filter(NoticeIds.numbered(userId, from, count))
                        .projection(Projections.include("seq", "expiresAt")))
                .collect().asList().plug(Throttled::retry)
                .chain(found -> {
                    List<String> expired = new ArrayList<>();
                    long firstKept = from + count;
                    for (Document notice : found) {
                        Date expires = notice.getDate("expiresAt");
                        if (expires != null && expires.toInstant().isBefore(now)) {
                            expired.add(notice.getString("_id"));
                        } else {
                            firstKept = Math.min(firstKept, NoticeIds.seq(notice));
                        }
                    }
                    // Everything numbered before the first notice kept is gone once these are deleted.
                    long gone = Math.min(head, firstKept - 1);
                    boolean more = firstKept == from + count && from + count <= head;
                    Uni<Void> deleted = expired.isEmpty() ? Uni.createFrom().voidItem()
                            : notices.deleteMany(Filters.and(Filters.in("_id", expired), Filters.eq("userId", userId),
                                    Filters.lt("expiresAt", now))).plug(Throttled::retry).replaceWithVoid();
                    Uni<Void> recorded = gone < from ? deleted
                            : deleted.chain(() -> notices.updateOne(NoticeIds.headDocument(userId), Updates.max("swept", gone))
                                    .plug(Throttled::retry))
                                    .replaceWithVoid();
                    return more ? recorded.chain(() -> sweep(userId, from + count, head, now)) : recorded;
                });
    }

    /**
     * Moves heads kept by an earlier version in {@code notice_heads} into the log (never moving one
     * back), then drops that collection. Safe to repeat: an instance of the earlier version still
     * running writes its heads there again, and the next start moves them too.
     */
    void moveLegacyHeads(@Observes StartupEvent event) {
        moveLegacyHeads().subscribe().with(moved -> {
            if (moved > 0) {
                Log.infof("Moved %d notice heads into the notice log", moved);
            }
        }, error -> Log.warnf("Notice heads not moved yet (%s); the next start tries again", error.getMessage()));
    }

    Uni<Long> moveLegacyHeads() {
        return legacyHeads.find().plug(Throttled::retry).onItem().transformToUniAndConcatenate(old -> {
            String userId = old.getString("_id");
            long seq = old.get("seq") instanceof Number n ? n.longValue() : 0L;
            Object at = old.get("at") != null ? old.get("at") : new Date(0);
            return notices.findOneAndUpdate(NoticeIds.headDocument(userId), Updates.combine(Updates.max("head", seq),
                            Updates.max("swept", swept(old)), Updates.max(NoticeLog.GREW_AT, at)), new FindOneAndUpdateOptions().upsert(true))
                    .plug(Throttled::retry).replaceWith(1L);
        }).collect().with(java.util.stream.Collectors.counting())
                .call(moved -> moved > 0 ? legacyHeads.drop().plug(Throttled::retry) : Uni.createFrom().voidItem());
    }
}
