package io.keepsake.accesslog;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.bson.Document;
import org.bson.conversions.Bson;

import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;

import io.keepsake.store.Indexes;
import io.keepsake.store.Keyset;
import io.keepsake.store.Queries;
import io.keepsake.store.StoreErrors;
import io.keepsake.store.Sweep;
import io.keepsake.web.PageRequest;
import io.keepsake.store.Pages;
import io.keepsake.store.Throttled;
import io.quarkus.mongodb.FindOptions;
import io.quarkus.mongodb.panache.reactive.ReactivePanacheMongoRepositoryBase;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Access log queries. Every write and the visitor's list name {@code visitorId}, the shard key: a
 * log's {@code _id} ({@code visitorId:snapshotId}) holds it too, but a sharded store routes by the
 * key field, not by what an id happens to contain. Two queries go across every shard on purpose,
 * because they ask about a snapshot, whose visitors live anywhere: the owner's visit totals and the
 * marking of a deleted snapshot's logs (once per deletion, by a task).
 */
@ApplicationScoped
public class AccessLogRepository implements ReactivePanacheMongoRepositoryBase<AccessLog, String> {

    void createIndexes(@Observes StartupEvent event) {
        Indexes.ensure(mongoCollection(), Indexes.keys("visitorId", 1, "lastVisitedAt", -1, "_id", -1));
        Indexes.ensure(mongoCollection(), Indexes.keys("visitorId", 1, "visits", -1, "_id", -1));
        Indexes.ensure(mongoCollection(), Indexes.keys("visitorId", 1, "snapshotTitleKey", 1, "_id", 1));
        Indexes.ensure(mongoCollection(), Indexes.keys("visitorId", 1, "snapshotCreatedAt", -1, "_id", -1));
        Indexes.ensure(mongoCollection(), Indexes.keys("snapshotId", 1));
        // The retention sweep's query, which names no visitor.
        Indexes.ensure(mongoCollection(), Indexes.keys("lastVisitedAt", 1));
    }

    /**
     * Records a visit in one atomic upsert: +1 only when the last counted visit is older than the
     * window. Inside the window the conditional upsert finds no match and its insert collides on
     * the _id of the existing log (E11000); then only the last-visit time moves. Both name the
     * visitor: an upsert on a sharded collection must carry the whole shard key in its filter.
     */
    Uni<Void> record(Visit visit, Duration window) {
        String id = AccessLog.key(visit.visitorId(), visit.snapshotId());
        List<Bson> shown = new ArrayList<>(List.of(
                Updates.set("snapshotTitle", visit.snapshotTitle()),
                Updates.set("snapshotTitleKey", visit.snapshotTitle().toLowerCase(Locale.ROOT)),
                Updates.set("snapshotOwnerId", visit.snapshotOwnerId()),
                Updates.max("lastVisitedAt", visit.at())));
        setIfPresent(shown, "snapshotDescription", visit.snapshotDescription());
        setIfPresent(shown, "snapshotCreatedAt", visit.snapshotCreatedAt());
        setIfPresent(shown, "snapshotContentHash", visit.snapshotContentHash());
        setIfPresent(shown, "snapshotTextHash", visit.snapshotTextHash());
        Bson display = Updates.combine(shown);
        return mongoCollection().updateOne(
                Filters.and(Filters.eq("_id", id), Filters.eq("visitorId", visit.visitorId()),
                        Filters.lt("lastCountedAt", visit.at().minus(window))),
                Updates.combine(display,
                        Updates.inc("visits", 1),
                        Updates.max("lastCountedAt", visit.at()),
                        Updates.min("firstVisitedAt", visit.at()),
                        Updates.setOnInsert("visitorId", visit.visitorId()),
                        Updates.setOnInsert("snapshotId", visit.snapshotId()),
                        Updates.setOnInsert("snapshotDeleted", false)),
                new UpdateOptions().upsert(true))
                .plug(Throttled::retry).replaceWithVoid()
                .onFailure(StoreErrors::isDuplicateKey)
                .recoverWithUni(inWindow -> mongoCollection()
                        .updateOne(ofVisitor(visit.visitorId(), visit.snapshotId()), display).plug(Throttled::retry)
                        .replaceWithVoid());
    }

    private static void setIfPresent(List<Bson> updates, String field, Object value) {
        if (value != null) {
            updates.add(Updates.set(field, value));
        }
    }

    /**
     * Marks every log of a snapshot as deleted; running it again changes nothing. A deliberate
     * scatter write: the snapshot's visitors are on any shard, and this runs once per deleted
     * snapshot, as a task, never on a request.
     */
    Uni<Long> markSnapshotDeleted(String snapshotId, Instant at) {
        return mongoCollection().updateMany(
                Filters.and(Filters.eq("snapshotId", snapshotId), Filters.ne("snapshotDeleted", true)),
                Updates.combine(Updates.set("snapshotDeleted", true), Updates.set("snapshotDeletedAt", at)))
                .plug(Throttled::retry).map(result -> result.getModifiedCount());
    }

    /**
     * Deletes the logs last visited before {@code cutoff}, a batch at a time (see {@link Sweep}): a
     * deliberate scatter read, from the {@code lastVisitedAt} index; each delete names its visitors.
     */
    Uni<Long> deleteVisitedBefore(Instant cutoff) {
        return Sweep.expired(mongoCollection(), Filters.lt("lastVisitedAt", cutoff), "visitorId");
    }

    Uni<Long> forget(String visitorId, String snapshotId) {
        return mongoCollection().deleteOne(ofVisitor(visitorId, snapshotId)).plug(Throttled::retry)
                .map(result -> result.getDeletedCount());
    }

    /**
     * Total visits and distinct visitors of one snapshot. A deliberate scatter read: a snapshot's
     * logs are spread over its visitors' shards; only the owner asks, on the snapshot's metadata,
     * and each shard answers from its {@code snapshotId} index.
     */
    public Uni<VisitStats> stats(String snapshotId) {
        return mongoCollection().aggregate(List.of(
                Aggregates.match(Filters.eq("snapshotId", snapshotId)),
                Aggregates.group(null, Accumulators.sum("visits", "$visits"), Accumulators.sum("visitors", 1))),
                Document.class)
                .collect().first().plug(Throttled::retry)
                .map(doc -> doc == null ? new VisitStats(0, 0)
                        : new VisitStats(((Number) doc.get("visits")).longValue(), ((Number) doc.get("visitors")).longValue()));
    }

    Uni<List<AccessLog>> list(String visitorId, AccessLogFilter filter, PageRequest page) {
        List<Bson> filters = new ArrayList<>();
        filters.add(Filters.eq("visitorId", visitorId));
        if (filter.deleted() != null) {
            filters.add(filter.deleted() ? Filters.eq("snapshotDeleted", true) : Filters.ne("snapshotDeleted", true));
        }
        if (filter.title() != null) {
            filters.add(Queries.containsIgnoreCase("snapshotTitle", filter.title()));
        }
        if (filter.ownerId() != null) {
            filters.add(Filters.eq("snapshotOwnerId", filter.ownerId()));
        }
        Queries.range(filters, "snapshotCreatedAt", filter.createdFrom(), filter.createdTo());
        Queries.range(filters, "lastVisitedAt", filter.lastVisitedFrom(), filter.lastVisitedTo());
        Queries.range(filters, "firstVisitedAt", filter.firstVisitedFrom(), filter.firstVisitedTo());
        String field = AccessLogFilter.sortField(page.sortBy());
        if (page.after() != null) {
            filters.add(Keyset.after(field, page.ascending(), page.after().value(), page.after().id()));
        }
        return mongoCollection().find(new FindOptions()
                .filter(Queries.and(filters))
                .sort(Keyset.sort(field, page.ascending()))
                .limit(page.size() + 1))
                .collect().asList().plug(Throttled::retry);
    }

    /** All of one visitor's logs, in id order, a page at a time (an export). */
    Multi<AccessLog> all(String visitorId, int pageSize) {
        return Pages.byId(mongoCollection(), Filters.eq("visitorId", visitorId), null, log -> log.id, pageSize);
    }

    /** One visitor's log of one snapshot, found by the shard key and the id. */
    private static Bson ofVisitor(String visitorId, String snapshotId) {
        return Filters.and(Filters.eq("_id", AccessLog.key(visitorId, snapshotId)), Filters.eq("visitorId", visitorId));
    }

    /** What a snapshot's owner sees of its visits. */
    public record VisitStats(long visits, long uniqueVisitors) {
    }
}
