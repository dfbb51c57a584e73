package io.keepsake.history;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.bson.conversions.Bson;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReplaceOptions;

import io.keepsake.store.EntityCollection;
import io.keepsake.store.Indexes;
import io.keepsake.store.Keyset;
import io.keepsake.store.Pages;
import io.keepsake.store.Queries;
import io.keepsake.store.StoreErrors;
import io.keepsake.store.Sweep;
import io.keepsake.store.Throttled;
import io.quarkus.mongodb.FindOptions;
import io.quarkus.mongodb.panache.reactive.ReactivePanacheMongoRepositoryBase;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** Revision queries. Every one names {@code ownerId}, the shard key, but the sweep of old ones. */
@ApplicationScoped
public class RevisionRepository implements ReactivePanacheMongoRepositoryBase<Revision, String> {

    private final EntityCollection<Revision> collection = new EntityCollection<>(Revision.class);

    private static final Bson WITHOUT_CONTENT = Projections.exclude("canonical");

    void createIndexes(@Observes StartupEvent event) {
        Indexes.ensure(mongoCollection(), Indexes.keys("ownerId", 1, "sessionId", 1, "version", -1, "_id", -1));
        Indexes.ensure(mongoCollection(), Indexes.keys("replacedAt", 1));
    }

    /**
     * Keeps a replaced state in its place of the session's ring, over the revision max-count versions
     * before it. One store command; a place already holding this version or a later one is left as it
     * is (a retry, or a late write overtaken by newer history).
     */
    Uni<Void> keep(Revision revision) {
        Bson place = Filters.and(Filters.eq("_id", revision.id), Filters.eq("ownerId", revision.ownerId),
                Filters.lt("version", revision.version));
        return mongoCollection().replaceOne(place, revision, new ReplaceOptions().upsert(true)).plug(Throttled::retry)
                .replaceWithVoid()
                .onFailure(StoreErrors::isDuplicateKey).recoverWithNull();
    }

    /** A page of the session's revisions from {@code fromVersion} on and replaced after {@code cutoff}, without content. */
    Uni<List<Revision>> list(String ownerId, String sessionId, long fromVersion, Instant cutoff, Keyset.Window window) {
        List<Bson> filters = new ArrayList<>();
        filters.add(Filters.eq("ownerId", ownerId));
        filters.add(Filters.eq("sessionId", sessionId));
        filters.add(Filters.gte("version", fromVersion));
        filters.add(Filters.gte("replacedAt", cutoff));
        window.after(filters);
        return mongoCollection().find(new FindOptions().filter(Queries.and(filters)).projection(WITHOUT_CONTENT)
                        .sort(window.sort()).limit(window.limit()))
                .collect().asList().plug(Throttled::retry);
    }

    /** One revision with its content, or null. */
    Uni<Revision> find(String ownerId, String sessionId, long version, Instant cutoff) {
        return Queries.first(mongoCollection(), Filters.and(Filters.eq("ownerId", ownerId), Filters.eq("sessionId", sessionId),
                Filters.eq("version", version), Filters.gte("replacedAt", cutoff)), null);
    }

    /** Deletes the history of deleted sessions, each up to the version it was deleted at. */
    Uni<Void> forget(List<Revisions.Gone> sessions) {
        if (sessions.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Bson> each = sessions.stream().map(gone -> Filters.and(Filters.eq("ownerId", gone.ownerId()),
                Filters.eq("sessionId", gone.sessionId()), Filters.lte("version", gone.version()))).toList();
        // Sent again whole if throttled: what it deleted no longer matches.
        return mongoCollection().deleteMany(each.size() == 1 ? each.get(0) : Filters.or(each)).plug(Throttled::retry)
                .replaceWithVoid();
    }

    /** Deletes revisions replaced before {@code cutoff}, a batch at a time. */
    Uni<Long> sweep(Instant cutoff) {
        return Sweep.expired(mongoCollection(), Filters.lt("replacedAt", cutoff));
    }

    /** All the owner's revisions with their content, in id order (so by session), a page at a time (an export). */
    Multi<Revision> allWithContent(String ownerId, Instant cutoff, int pageSize) {
        return Pages.byId(mongoCollection(), Filters.and(Filters.eq("ownerId", ownerId), Filters.gte("replacedAt", cutoff)),
                null, revision -> revision.id, pageSize);
    }

    /** Its collection, looked up once (see {@link EntityCollection}). */
    @Override
    public ReactiveMongoCollection<Revision> mongoCollection() {
        return collection.get();
    }
}
