package io.keepsake.account;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.bson.Document;
import org.bson.conversions.Bson;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.WriteModel;

import io.keepsake.notice.NoticeIds;
import io.keepsake.session.SessionTags;
import io.keepsake.store.Pages;
import io.keepsake.store.Sweep;
import io.keepsake.store.Throttled;
import io.keepsake.store.Time;
import io.keepsake.task.TaskHandler;
import io.quarkus.mongodb.reactive.ReactiveMongoClient;
import io.quarkus.mongodb.reactive.ReactiveMongoDatabase;
import io.smallrye.mutiny.Uni;

/**
 * The durable task that erases everything of one user's, step by step, each step idempotent (a
 * run cut short by a crash is run again from the start and finds less to do): their snapshots
 * become tombstones (id and "erased" only, so that share links answer 410) and every visit-log row
 * of them goes; then their own visit-log rows, sessions, revisions, idempotency records, notices
 * (the head of their notice log stays: numbers are never given out twice) and usage. Each step
 * deletes a batch at a time (see {@link Sweep}). This replica's reads from memory forget the user's
 * sessions once they are deleted; another replica's serve them at most
 * {@code keepsake.reads.max-staleness} longer.
 */
@ApplicationScoped
public class EraseUser implements TaskHandler {

    static final String TYPE = "erase-user";
    static final String USER = "user";
    /** Snapshots turned into tombstones at a time. */
    private static final int PAGE = 100;

    private final ReactiveMongoDatabase store;
    private final Erasures erasures;
    private final SessionTags tags;

    EraseUser(ReactiveMongoClient client, Erasures erasures, SessionTags tags,
            @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this.store = client.getDatabase(database);
        this.erasures = erasures;
        this.tags = tags;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Uni<Void> handle(Map<String, String> payload) {
        String user = payload.get(USER);
        return erasures.started(user)
                .chain(() -> snapshots(user))
                .chain(() -> sweep(user, "snapshotAccessLogs", "snapshot_access_logs",
                        Filters.or(Filters.eq("visitorId", user), Filters.eq("snapshotOwnerId", user))))
                .chain(() -> sweep(user, "sessions", "sessions", Filters.eq("ownerId", user)))
                .invoke(() -> tags.forgetOwner(user))
                .chain(() -> sweep(user, "revisions", "revisions", Filters.eq("ownerId", user)))
                .chain(() -> sweep(user, "idempotencyRecords", "idempotency_records", Filters.eq("userId", user)))
                .chain(() -> sweep(user, "notices", "notices",
                        Filters.and(Filters.eq("userId", user), Filters.ne("_id", NoticeIds.headId(user)))))
                .chain(() -> sweep(user, "usage", "usage", Filters.eq("_id", user)))
                .chain(() -> erasures.done(user));
    }

    /** Deletes what {@code filter} finds in {@code collection}, and adds the count to the record under {@code name}. */
    private Uni<Void> sweep(String user, String name, String collection, Bson filter) {
        return Sweep.expired(store.getCollection(collection), filter)
                .chain(deleted -> erasures.deleted(user, name, deleted));
    }

    /**
     * The user's snapshots, a page at a time: the visit-log rows of each page go first, then its
     * snapshots become tombstones (a tombstone no longer names its owner, so a run again finds only
     * what is left).
     */
    private Uni<Void> snapshots(String user) {
        var snapshots = store.getCollection("snapshots");
        var logs = store.getCollection("snapshot_access_logs");
        return Pages.byId(snapshots, Filters.eq("ownerId", user), Projections.include("_id"), doc -> doc.getString("_id"), PAGE)
                .map(doc -> doc.getString("_id"))
                .group().intoLists().of(PAGE)
                .onItem().transformToUniAndConcatenate(ids -> logs.deleteMany(Filters.in("snapshotId", ids))
                        .plug(Throttled::retry)
                        .chain(result -> erasures.deleted(user, "snapshotAccessLogs", result.getDeletedCount()))
                        .chain(() -> snapshots.bulkWrite(tombstones(user, ids), new BulkWriteOptions().ordered(false))
                                .plug(Throttled::retry))
                        .chain(result -> erasures.deleted(user, "snapshots", result.getModifiedCount())))
                .collect().last().replaceWithVoid();
    }

    private static List<WriteModel<Document>> tombstones(String user, List<String> ids) {
        Document tombstone = new Document("deleted", true).append("erased", true).append("erasedAt",
                java.util.Date.from(Time.now()));
        return ids.stream().<WriteModel<Document>>map(id -> new ReplaceOneModel<>(
                Filters.and(Filters.eq("_id", id), Filters.eq("ownerId", user)), tombstone)).toList();
    }
}
