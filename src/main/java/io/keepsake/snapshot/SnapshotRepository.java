package io.keepsake.snapshot;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.bson.conversions.Bson;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;

import io.keepsake.notice.Outbox;
import io.keepsake.notice.OutboxEntry;
import io.keepsake.store.EntityCollection;
import io.keepsake.store.Indexes;
import io.keepsake.store.Keyset;
import io.keepsake.store.Queries;
import io.keepsake.web.PageRequest;
import io.keepsake.store.Pages;
import io.keepsake.store.Throttled;
import io.quarkus.mongodb.FindOptions;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.quarkus.mongodb.panache.reactive.ReactivePanacheMongoRepositoryBase;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Snapshot queries. Snapshots are sharded by {@code _id}, because anyone with a share link reads
 * one by its id: reads by id and every write go to one shard. Two reads go to every shard on
 * purpose: the owner's list (a user's snapshots are spread by their ids; each shard answers from
 * its owner index) and the recovery of outboxes left behind. Creation and deletion carry their
 * notices in the document's outbox (see {@link Outbox}).
 */
@ApplicationScoped
public class SnapshotRepository implements ReactivePanacheMongoRepositoryBase<Snapshot, String>, Outbox.Holder {

    private final EntityCollection<Snapshot> collection = new EntityCollection<>(Snapshot.class);

    private static final Bson WITHOUT_CONTENT = Projections.exclude("canonical", "content");
    private static final Bson LIVE = Filters.ne("deleted", true);
    static final String END_DUE = "endDue";

    void createIndexes(@Observes StartupEvent event) {
        Indexes.ensure(mongoCollection(), Indexes.keys("ownerId", 1, "createdAt", -1, "_id", -1));
        Indexes.ensure(mongoCollection(), Indexes.keys("ownerId", 1, "titleKey", 1, "_id", 1));
        Indexes.ensure(mongoCollection(), Indexes.keys(Outbox.FIELD + ".at", 1));
        // The end sweep's query: its range holds only snapshots whose end is still to be carried out.
        // Not sparse: Cosmos DB refuses sparse indexes, and a date range skips the documents without one anyway.
        Indexes.ensure(mongoCollection(), Indexes.keys(END_DUE, 1));
    }

    Uni<Void> insert(Snapshot snapshot) {
        return mongoCollection().insertOne(snapshot).plug(Throttled::retry).replaceWithVoid();
    }

    /** A snapshot with its content, whoever owns it; a tombstone too (it tells deleted from ended). */
    Uni<Snapshot> find(String id) {
        return Queries.first(mongoCollection(), Filters.eq("_id", id), null);
    }

    /** The same without its content. */
    Uni<Snapshot> findMetadata(String id) {
        return Queries.first(mongoCollection(), Filters.eq("_id", id), WITHOUT_CONTENT);
    }

    /** Marks the owner's live snapshot deleted, drops its content and notes the notice; null if there is none. */
    Uni<Snapshot> tombstone(String id, String ownerId, Instant now, OutboxEntry notice) {
        return tombstone(Filters.and(Filters.eq("_id", id), Filters.eq("ownerId", ownerId), LIVE), now, notice);
    }

    /** The same for a snapshot whose end has come, whoever owns it; null if it is not live any more. */
    Uni<Snapshot> tombstoneEnded(String id, Instant now, OutboxEntry notice) {
        return tombstone(Filters.and(Filters.eq("_id", id), LIVE), now, notice);
    }

    private Uni<Snapshot> tombstone(Bson filter, Instant now, OutboxEntry notice) {
        // Deleted, it has no end left for the sweep to carry out.
        return mongoCollection().findOneAndUpdate(filter,
                Updates.combine(Updates.set("deleted", true), Updates.set("deletedAt", now),
                        Updates.set("cleanupQueued", false), Updates.unset("canonical"), Updates.unset("content"),
                        Updates.unset(END_DUE), Outbox.push(notice)),
                new FindOneAndUpdateOptions().projection(WITHOUT_CONTENT).returnDocument(ReturnDocument.AFTER))
                .plug(Throttled::retry);
    }

    /**
     * Up to {@code limit} snapshots whose end has come by {@code now} and is still to be carried out:
     * a deliberate scatter read (ends are anywhere), from the {@code endDue} index.
     */
    Uni<List<Snapshot>> endsDue(Instant now, int limit) {
        return mongoCollection().find(new FindOptions()
                .filter(Filters.lte(END_DUE, now))
                .projection(Projections.include("ownerId", "contentSize", "deleted", "expiresAt", END_DUE))
                .limit(limit))
                .collect().asList().plug(Throttled::retry);
    }

    /** Notes that the end of a snapshot was carried out: its access-log task queued, nothing left for the sweep. */
    Uni<Void> endCarriedOut(String id) {
        return mongoCollection().updateOne(Filters.eq("_id", id),
                Updates.combine(Updates.set("cleanupQueued", true), Updates.unset(END_DUE))).plug(Throttled::retry)
                .replaceWithVoid();
    }

    /** The owner's tombstone whose clean-up was never queued (a DELETE that failed half-way). */
    Uni<Snapshot> unfinishedTombstone(String id, String ownerId) {
        return Queries.first(mongoCollection(), Filters.and(Filters.eq("_id", id), Filters.eq("ownerId", ownerId),
                Filters.eq("deleted", true), Filters.eq("cleanupQueued", false)), WITHOUT_CONTENT);
    }

    Uni<Void> cleanupQueued(String id) {
        return mongoCollection().updateOne(Filters.eq("_id", id), Updates.set("cleanupQueued", true)).plug(Throttled::retry)
                .replaceWithVoid();
    }

    /** The owner's snapshots: a deliberate scatter read (see above), bounded by the page size on each shard. */
    Uni<List<Snapshot>> list(String ownerId, SnapshotFilter filter, PageRequest page, Instant now) {
        List<Bson> filters = new ArrayList<>();
        filters.add(Filters.eq("ownerId", ownerId));
        filters.add(LIVE);
        // Not ended: no end, or one still to come.
        filters.add(Filters.not(Filters.lte("expiresAt", now)));
        if (filter.title() != null) {
            filters.add(Queries.containsIgnoreCase("title", filter.title()));
        }
        if (filter.description() != null) {
            filters.add(Queries.containsIgnoreCase("description", filter.description()));
        }
        Queries.range(filters, "createdAt", filter.createdFrom(), filter.createdTo());
        String field = SnapshotFilter.sortField(page.sortBy());
        if (page.after() != null) {
            filters.add(Keyset.after(field, page.ascending(), page.after().value(), page.after().id()));
        }
        return mongoCollection().find(new FindOptions()
                .filter(Queries.and(filters))
                .projection(WITHOUT_CONTENT)
                .sort(Keyset.sort(field, page.ascending()))
                .limit(page.size() + 1))
                .collect().asList().plug(Throttled::retry);
    }

    /** The outbox a write left, to publish. */
    Outbox outbox(Snapshot written) {
        return new Outbox(this, written.id, written.ownerId, written.outbox == null ? List.of() : written.outbox, false, 0);
    }

    @Override
    public String name() {
        return "snapshot";
    }

    /** All the owner's live snapshots with their content, in id order, a page at a time (an export; a scatter read). */
    Multi<Snapshot> allWithContent(String ownerId, int pageSize) {
        return Pages.byId(mongoCollection(), Filters.and(Filters.eq("ownerId", ownerId), LIVE),
                com.mongodb.client.model.Projections.exclude(Outbox.FIELD), snapshot -> snapshot.id, pageSize);
    }

    /** Outboxes as the publisher reads them (recovery's is a deliberate scatter read: left-behind outboxes may be anywhere). */
    @Override
    public Uni<List<Outbox>> read(FindOptions options) {
        return mongoCollection().find(options.projection(com.mongodb.client.model.Projections.include("ownerId", Outbox.FIELD, "deleted")))
                .map(this::outbox).collect().asList().plug(Throttled::retry);
    }

    /** Snapshot tombstones stay (a retried DELETE finds them): only the published entries go. */
    @Override
    public ReactiveMongoCollection<org.bson.Document> outboxes() {
        return mongoCollection().withDocumentClass(org.bson.Document.class);
    }

    @Override
    public Bson document(String documentId, String userId) {
        return Filters.eq("_id", documentId);
    }

    /** Its collection, looked up once (see {@link EntityCollection}). */
    @Override
    public ReactiveMongoCollection<Snapshot> mongoCollection() {
        return collection.get();
    }
}
