package io.keepsake.store;

import java.util.List;

import org.bson.Document;
import org.bson.conversions.Bson;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;

import io.quarkus.logging.Log;
import io.quarkus.mongodb.FindOptions;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.smallrye.mutiny.Uni;

/**
 * Deletes what a scheduled sweep has found expired, a batch at a time: the ids of up to
 * {@value #BATCH} documents matching the filter, then a delete of those ids that checks the filter
 * again, until a batch comes back short. A store runs each of these commands alone in its
 * collection (the embedded store holds the collection for a command's whole length, and every
 * write's commit waits for it), so no command of a sweep is ever longer than one batch, however
 * much has expired. Where a TTL index works, the sweep mostly finds nothing.
 */
public final class Sweep {

    static final int BATCH = 500;

    private Sweep() {
    }

    /** A scheduled run of background work: a failure is logged and never passed on (the next run tries again). */
    public static Uni<Void> logged(String what, Uni<?> run) {
        return run.onFailure().invoke(error -> Log.warnf("%s failed: %s", what, error.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Deletes every document matching {@code expired}; never fails (a failed sweep is logged and tried next time). */
    public static Uni<Long> expired(ReactiveMongoCollection<?> collection, Bson expired) {
        return expired(collection, expired, "_id");
    }

    /**
     * The same for a collection sharded by {@code shardKey}: each delete also names the shard key
     * values of the batch, so that it reaches only their shards.
     */
    public static Uni<Long> expired(ReactiveMongoCollection<?> collection, Bson expired, String shardKey) {
        String name = collection.getNamespace().getCollectionName();
        return batches(collection.withDocumentClass(Document.class), expired, shardKey, 0)
                .invoke(deleted -> {
                    if (deleted > 0) {
                        Log.debugf("Swept %d expired documents of %s", deleted, name);
                    }
                })
                .onFailure().invoke(error -> Log.warnf("Sweep of %s failed: %s", name, error.getMessage()))
                .onFailure().recoverWithItem(0L);
    }

    private static Uni<Long> batches(ReactiveMongoCollection<Document> documents, Bson expired, String shardKey,
            long deleted) {
        return documents.find(expired, new FindOptions().projection(Projections.include("_id", shardKey)).limit(BATCH))
                .collect().asList().plug(Throttled::retry)
                .flatMap(found -> found.isEmpty() ? Uni.createFrom().item(deleted)
                        : delete(documents, found, expired, shardKey).flatMap(count -> found.size() < BATCH
                                ? Uni.createFrom().item(deleted + count)
                                : batches(documents, expired, shardKey, deleted + count)));
    }

    private static Uni<Long> delete(ReactiveMongoCollection<Document> documents, List<Document> found, Bson expired,
            String shardKey) {
        List<Object> ids = found.stream().map(document -> document.get("_id")).toList();
        Bson batch = Filters.in("_id", ids);
        if (!shardKey.equals("_id")) {
            batch = Filters.and(batch, Filters.in(shardKey, found.stream().map(document -> document.get(shardKey))
                    .filter(java.util.Objects::nonNull).distinct().toList()));
        }
        // Sent again whole if throttled: what it deleted before no longer matches.
        return documents.deleteMany(Filters.and(batch, expired)).plug(Throttled::retry)
                .map(result -> result.getDeletedCount());
    }
}
