package io.keepsake.notice;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.bson.Document;

import org.bson.conversions.Bson;

import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.Updates;

import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.smallrye.mutiny.Uni;

/**
 * The outbox of one document: the notices its writes left for the publisher, oldest first.
 *
 * @param tombstone the document is deleted and goes once its outbox is published
 */
public record Outbox(Holder holder, String documentId, String userId, List<OutboxEntry> entries, boolean tombstone) {

    /** The keys of its entries, oldest first. */
    public List<String> keys() {
        return entries.stream().map(entry -> entry.key).toList();
    }

    /** This outbox and a later read of the same document's: every entry of both once, in order; the later's state. */
    Outbox and(Outbox later) {
        List<OutboxEntry> all = new ArrayList<>(entries);
        List<String> known = keys();
        later.entries.stream().filter(entry -> !known.contains(entry.key)).forEach(all::add);
        return new Outbox(holder, documentId, userId, all, later.tombstone);
    }

    /** The field every outbox lives in. */
    public static final String FIELD = "outbox";

    /** The update that adds an entry to a document's outbox (combine it with the change itself). */
    public static Bson push(OutboxEntry entry) {
        return Updates.push(FIELD, entry.toDocument());
    }

    /** The update that removes published entries. */
    public static Bson pull(List<String> keys) {
        return Updates.pull(FIELD, Filters.in("key", keys));
    }

    /** Documents with an entry written before {@code cutoff}: left behind by an instance that stopped. */
    public static Bson writtenBefore(Instant cutoff) {
        return Filters.lt(FIELD + ".at", cutoff);
    }

    /**
     * A collection whose documents carry outboxes (sessions, snapshots): how the publisher clears
     * what it published and finds what a stopped instance left behind.
     */
    public interface Holder {

        /** For logs. */
        String name();

        /** Documents whose outbox holds an entry written before {@code cutoff}. */
        Uni<List<Outbox>> leftBehind(Instant cutoff, int limit);

        /** The collection the outboxes live in. */
        ReactiveMongoCollection<Document> outboxes();

        /** The filter that finds an outbox's document (with its shard key). */
        Bson document(Outbox outbox);

        /**
         * Removes the given outboxes' (published) entries from their documents in one store
         * command; then deletes each tombstone among them whose outbox is empty.
         */
        default Uni<Void> published(List<Outbox> cleared) {
            List<UpdateOneModel<Document>> pulls = cleared.stream()
                    .map(outbox -> new UpdateOneModel<Document>(document(outbox), pull(outbox.keys()))).toList();
            List<Uni<Void>> gone = cleared.stream().filter(Outbox::tombstone)
                    .map(tombstone -> outboxes().deleteOne(Filters.and(document(tombstone), Filters.eq("deleted", true),
                            Filters.size(FIELD, 0))).replaceWithVoid())
                    .toList();
            Uni<Void> pulled = outboxes().bulkWrite(pulls, new BulkWriteOptions().ordered(false)).replaceWithVoid();
            return gone.isEmpty() ? pulled : pulled.chain(() -> Uni.join().all(gone).andFailFast().replaceWithVoid());
        }
    }
}
