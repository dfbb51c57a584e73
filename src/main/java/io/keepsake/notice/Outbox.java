package io.keepsake.notice;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.bson.Document;

import org.bson.conversions.Bson;

import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;

import io.keepsake.store.Throttled;
import io.quarkus.mongodb.FindOptions;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.smallrye.mutiny.Uni;

/**
 * The outbox of one document: the notices its writes left for the publisher, oldest first.
 *
 * @param tombstone the document is deleted and goes once its outbox is published
 * @param version   the document's version when read (0 for documents that have none)
 */
public record Outbox(Holder holder, String documentId, String userId, List<OutboxEntry> entries, boolean tombstone,
        long version) {

    /** The keys of its entries, oldest first. */
    public List<String> keys() {
        return entries.stream().map(entry -> entry.key).toList();
    }

    /** This outbox and a later read of the same document's: every entry of both once, in order; the later's state. */
    Outbox and(Outbox later) {
        List<OutboxEntry> all = new ArrayList<>(entries);
        List<String> known = keys();
        later.entries.stream().filter(entry -> !known.contains(entry.key)).forEach(all::add);
        return new Outbox(holder, documentId, userId, all, later.tombstone, later.version);
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

    /** Documents whose outbox holds exactly the entries of these keys (none: an empty outbox). */
    public static Bson holdsExactly(List<String> keys) {
        Bson size = Filters.size(FIELD, keys.size());
        return keys.isEmpty() ? size : Filters.and(Filters.all(FIELD + ".key", keys), size);
    }

    /**
     * How a write puts its entry in a document's outbox. When this instance knows that every entry
     * there is published ({@code settled}: their keys), the write replaces them, which clears them in
     * the same command, on the condition that the outbox still holds exactly those; else it pushes
     * its entry, and the publisher clears the outbox some time after publishing it.
     */
    public record Write(OutboxEntry entry, List<String> settled) {

        /** Whether the write replaces published entries (and so adds a condition on the outbox). */
        public boolean replaces() {
            return settled != null;
        }

        /** The write's filter with the outbox condition, if any. */
        public Bson filter(Bson filter) {
            return settled == null ? filter : Filters.and(filter, holdsExactly(settled));
        }

        /** The update of the outbox, to combine with the change itself. */
        public Bson update() {
            return settled == null ? push(entry) : Updates.set(FIELD, List.of(entry.toDocument()));
        }

        /** The same write as a push: when the outbox held more than this instance knew of. */
        public Write pushed() {
            return new Write(entry, null);
        }

        /** The outbox as this write left it, from the outbox it found. */
        public List<OutboxEntry> after(List<OutboxEntry> before) {
            List<OutboxEntry> found = before == null ? List.of() : before;
            List<OutboxEntry> after = new ArrayList<>(found.size() + 1);
            if (settled == null || !found.stream().map(e -> e.key).toList().equals(settled)) {
                after.addAll(found);
            }
            after.add(entry);
            return after;
        }
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

        /**
         * The outboxes of the documents {@code options} find (its filter, order and limit; the
         * holder adds the projection).
         */
        Uni<List<Outbox>> read(FindOptions options);

        /**
         * Documents whose outbox holds an entry written before {@code cutoff}, in the order of their
         * ids, after {@code afterId} (null: from the first): recovery pages through all of them, so
         * that outboxes that fail to publish never keep the others waiting.
         */
        default Uni<List<Outbox>> leftBehind(Instant cutoff, String afterId, int limit) {
            Bson filter = afterId == null ? writtenBefore(cutoff) : Filters.and(writtenBefore(cutoff), Filters.gt("_id", afterId));
            return read(new FindOptions().filter(filter).sort(Sorts.ascending("_id")).limit(limit));
        }

        /** The outbox of one document (null if it is gone). */
        default Uni<Outbox> outboxOf(String documentId, String userId) {
            return read(new FindOptions().filter(document(documentId, userId)).limit(1))
                    .map(found -> found.isEmpty() ? null : found.get(0));
        }

        /** The collection the outboxes live in. */
        ReactiveMongoCollection<Document> outboxes();

        /** The filter that finds a document of the user's (with its shard key). */
        Bson document(String documentId, String userId);

        /** The filter that finds an outbox's document. */
        default Bson document(Outbox outbox) {
            return document(outbox.documentId(), outbox.userId());
        }

        /**
         * Clears the given outboxes' (published) entries: one store command removes them from their
         * documents, another deletes the tombstones among them whose outbox holds nothing else (a
         * tombstone holding more keeps it, and goes when that is published).
         */
        default Uni<Void> published(List<Outbox> cleared) {
            List<WriteModel<Document>> pulls = new ArrayList<>();
            List<WriteModel<Document>> gone = new ArrayList<>();
            for (Outbox outbox : cleared) {
                if (outbox.tombstone()) {
                    gone.add(new DeleteOneModel<>(Filters.and(document(outbox), Filters.eq("deleted", true),
                            holdsExactly(outbox.keys()))));
                } else {
                    pulls.add(new UpdateOneModel<>(document(outbox), pull(outbox.keys())));
                }
            }
            BulkWriteOptions unordered = new BulkWriteOptions().ordered(false);
            // Each sent again whole if throttled: a pull or delete already applied changes nothing the second time.
            Uni<Void> pulled = pulls.isEmpty() ? Uni.createFrom().voidItem()
                    : outboxes().bulkWrite(pulls, unordered).plug(Throttled::retry).replaceWithVoid();
            return gone.isEmpty() ? pulled
                    : pulled.chain(() -> outboxes().bulkWrite(gone, unordered).plug(Throttled::retry).replaceWithVoid());
        }
    }
}
