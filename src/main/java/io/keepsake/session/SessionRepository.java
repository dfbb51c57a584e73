package io.keepsake.session;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.bson.conversions.Bson;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.PushOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;

import io.keepsake.content.Draft;
import io.keepsake.history.Revisions;
import io.keepsake.notice.Outbox;
import io.keepsake.store.EntityCollection;
import io.keepsake.store.Indexes;
import io.keepsake.store.Keyset;
import io.keepsake.store.Queries;
import io.keepsake.store.Pages;
import io.keepsake.store.Throttled;
import io.quarkus.mongodb.FindOptions;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.quarkus.mongodb.panache.reactive.ReactivePanacheMongoRepositoryBase;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Session queries. Every one names {@code ownerId}: the shard key, and the owner check in one;
 * the only exception is the recovery of outboxes left behind (see {@link #leftBehind}).
 * Every write carries its notice in the document's outbox (see {@link Outbox}); reads skip the
 * tombstones of deleted sessions whose last notice is not yet published.
 */
@ApplicationScoped
public class SessionRepository implements ReactivePanacheMongoRepositoryBase<Session, String>, Outbox.Holder {

    private final EntityCollection<Session> collection = new EntityCollection<>(Session.class);

    private static final Bson WITHOUT_CONTENT = Projections.exclude("canonical", "content", "answers");
    /** Metadata with the answers of keyed writes: what a retry under a key looks for. */
    private static final Bson WITH_ANSWERS = Projections.exclude("canonical", "content");
    private static final Bson LIVE = Filters.ne("deleted", true);
    /** The state a replace found, content included: what history keeps. */
    private static final Bson WITH_CONTENT = Projections.exclude("answers");

    private final Revisions revisions;

    SessionRepository(Revisions revisions) {
        this.revisions = revisions;
    }

    /** One index per sort order of the owner's list; _id breaks ties for keyset paging. */
    void createIndexes(@Observes StartupEvent event) {
        Indexes.ensure(mongoCollection(), Indexes.keys("ownerId", 1, "updatedAt", -1, "_id", -1));
        Indexes.ensure(mongoCollection(), Indexes.keys("ownerId", 1, "createdAt", -1, "_id", -1));
        Indexes.ensure(mongoCollection(), Indexes.keys("ownerId", 1, "titleKey", 1, "_id", 1));
        Indexes.ensure(mongoCollection(), Indexes.keys(Outbox.FIELD + ".at", 1));
        Indexes.ensure(mongoCollection(), Indexes.keys("expiresAt", 1));
    }

    Uni<Session> findOwned(String id, String ownerId) {
        return Queries.first(mongoCollection(), owned(id, ownerId), null);
    }

    Uni<Session> findMetadata(String id, String ownerId) {
        return Queries.first(mongoCollection(), owned(id, ownerId), WITHOUT_CONTENT);
    }

    /** The session without content, with the answers of its keyed writes (null when gone). */
    Uni<Session> findAnswers(String id, String ownerId) {
        return Queries.first(mongoCollection(), owned(id, ownerId), WITH_ANSWERS);
    }

    /** The owner's sessions among the given ids, without content, in one query. */
    Uni<List<Session>> findMetadata(Collection<String> ids, String ownerId) {
        return mongoCollection().find(new FindOptions()
                .filter(Filters.and(Filters.in("_id", ids), Filters.eq("ownerId", ownerId), LIVE))
                .projection(WITHOUT_CONTENT)).collect().asList().plug(Throttled::retry);
    }

    /** The full session only when its tag is none of the given ones (the If-None-Match read). */
    Uni<Session> findOwnedUnlessTagged(String id, String ownerId, List<String> tags) {
        return Queries.first(mongoCollection(), Filters.and(owned(id, ownerId), Filters.nin("etag", tags)), null);
    }

    /** Inserts a new session, its first notice in its outbox. */
    Uni<Void> insert(Session session) {
        return mongoCollection().insertOne(session).plug(Throttled::retry).replaceWithVoid();
    }

    /**
     * Replaces title, description and content only if the stored tag is still {@code expectedTag}
     * (and, with {@code minStoredSize}, the stored content is at least that large: the write's
     * growth fits the owner's quota): the If-Match check and the write are one atomic operation,
     * which also puts the change's notice in the outbox. Returns the session as it was before
     * (its size tells the quota what changed) and as written, or null when nothing matched: the
     * session is gone, was changed by someone else, or would grow too much. With {@code heldContent}
     * (the content under {@code expectedTag}, held by the caller) the store does not send it back.
     */
    Uni<Replaced> replaceIfTagged(String id, String ownerId, String expectedTag, long newVersion, Draft draft,
            IdleLifetime lifetime, String newTag, Instant now, KeyedAnswer answer, Outbox.Write notice, Long minStoredSize,
            byte[] heldContent) {
        byte[] canonical = draft.content().exact();
        Bson update = Updates.combine(SessionUpdates.contentOf(draft, canonical), Updates.set("version", newVersion),
                Updates.set("etag", newTag), Updates.set("updatedAt", now));
        if (lifetime != null) {
            update = Updates.combine(update, SessionUpdates.lifetime(lifetime, now));
        }
        Bson filter = Filters.and(owned(id, ownerId), Filters.eq("etag", expectedTag));
        if (answer != null) {
            // A key whose answer the session holds is a retry: it writes nothing, and finds its answer.
            filter = Filters.and(filter, Filters.ne("answers.key", answer.key));
            update = Updates.combine(update, Updates.pushEach("answers", List.of(answer),
                    new PushOptions().slice(-KeyedAnswer.KEPT)));
        }
        return replace(filter, minStoredSize, update, notice, heldContent == null).map(before -> {
            if (before != null && heldContent != null) {
                before.canonical = heldContent; // what it held under the tag the filter matched
            }
            return before == null ? null : new Replaced(before, SessionUpdates.written(before, draft, canonical, lifetime,
                    newVersion, newTag, now, notice));
        });
    }

    /**
     * Replaces title, description and content whatever the stored version (last write wins), in one
     * operation: the version is incremented in the store, so the tag and the notice's version cannot
     * name it (an unversioned tag; see {@link #outbox}). Returns the session before and after, or
     * null when it is gone, holds exactly this, or (with {@code minStoredSize}) would outgrow the quota.
     */
    Uni<Replaced> replaceLatest(String id, String ownerId, Draft draft, String newTag, Instant now,
            Outbox.Write notice, Long minStoredSize) {
        Bson changed = Filters.or(Filters.ne("contentHash", draft.content().sha256()),
                Filters.ne("metadataHash", draft.metadataHash()));
        byte[] canonical = draft.content().exact();
        Bson update = Updates.combine(SessionUpdates.contentOf(draft, canonical), Updates.inc("version", 1L),
                Updates.set("etag", newTag), Updates.set("updatedAt", now));
        return replace(Filters.and(owned(id, ownerId), changed), minStoredSize, update, notice, true)
                .map(before -> before == null ? null : new Replaced(before, SessionUpdates.written(before, draft, canonical, null, before.version + 1,
                        newTag, now, notice)));
    }

    /**
     * The update of a matching session (with {@code minStoredSize}: only one holding at least that
     * much content); the session before it, with its content when history keeps it and it is to be sent.
     */
    private Uni<Session> replace(Bson filter, Long minStoredSize, Bson update, Outbox.Write notice, boolean sendContent) {
        return change(minStoredSize == null ? filter : Filters.and(filter, Filters.gte("contentSize", minStoredSize)),
                update, notice, ReturnDocument.BEFORE, revisions.enabled() && sendContent ? WITH_CONTENT : WITHOUT_CONTENT);
    }

    /**
     * One conditional update of a session that also puts its notice in the outbox, returning the
     * metadata before or after it (null when the filter matched nothing). A write meant to replace
     * published entries whose outbox held more than that (another instance wrote it) pushes instead.
     */
    private Uni<Session> change(Bson filter, Bson change, Outbox.Write notice, ReturnDocument returned) {
        return change(filter, change, notice, returned, WITHOUT_CONTENT);
    }

    private Uni<Session> change(Bson filter, Bson change, Outbox.Write notice, ReturnDocument returned, Bson projection) {
        FindOneAndUpdateOptions options = new FindOneAndUpdateOptions().projection(projection).returnDocument(returned);
        Uni<Session> written = mongoCollection().findOneAndUpdate(notice.filter(filter),
                Updates.combine(change, notice.update()), options).plug(Throttled::retry);
        return !notice.replaces() ? written : written.onItem().ifNull().switchTo(() -> mongoCollection()
                .findOneAndUpdate(filter, Updates.combine(change, notice.pushed().update()), options).plug(Throttled::retry));
    }

    /** A replaced session: its metadata before the write and as written. */
    record Replaced(Session before, Session after) {
    }

    /** Changes title and description only if the stored tag is still {@code expectedTag}; null otherwise. */
    Uni<Session> relabelIfTagged(String id, String ownerId, String expectedTag, long newVersion,
            Draft.Metadata metadata, String newTag, Instant now, Outbox.Write notice) {
        Bson update = Updates.combine(
                Updates.set("title", metadata.title()),
                Updates.set("titleKey", metadata.titleKey()),
                Updates.set("description", metadata.description()),
                Updates.set("metadataHash", metadata.metadataHash()),
                Updates.set("version", newVersion),
                Updates.set("etag", newTag),
                Updates.set("updatedAt", now));
        return change(Filters.and(owned(id, ownerId), Filters.eq("etag", expectedTag)), update, notice, ReturnDocument.AFTER);
    }

    /**
     * Deletes the session (with tags: only if its current tag is one of them): its content goes at
     * once and a tombstone keeps the deletion's notice until it is published. Null if none matched.
     */
    Uni<Session> delete(String id, String ownerId, List<String> tags, Instant now, Outbox.Write notice) {
        return delete(tags == null ? owned(id, ownerId) : Filters.and(owned(id, ownerId), Filters.in("etag", tags)), now,
                notice);
    }

    /** A deleted session's tombstone, or null: what a keyed state made again takes the place of. */
    Uni<Session> findTombstone(String id, String ownerId) {
        return Queries.first(mongoCollection(), Filters.and(Filters.eq("_id", id), Filters.eq("ownerId", ownerId),
                Filters.eq("deleted", true)), WITHOUT_CONTENT);
    }

    /**
     * Makes a keyed state again in the place of its tombstone (still at {@code tombstoneVersion}),
     * as {@code state} (its version the one after the tombstone's); null if the tombstone changed.
     */
    Uni<Session> revive(Session state, Draft draft, long tombstoneVersion, Outbox.Write notice) {
        Bson update = Updates.combine(SessionUpdates.contentOf(draft, state.canonical), Updates.set("key", state.key),
                Updates.set("version", state.version), Updates.set("etag", state.etag), Updates.set("createdAt", state.createdAt),
                Updates.set("updatedAt", state.updatedAt), Updates.unset("deleted"), state.idleLifetime == null
                        ? Updates.combine(Updates.unset("idleLifetime"), Updates.unset("expiresAt"))
                        : Updates.combine(Updates.set("idleLifetime", state.idleLifetime), Updates.set("expiresAt", state.expiresAt)));
        return change(Filters.and(Filters.eq("_id", state.id), Filters.eq("ownerId", state.ownerId), Filters.eq("deleted", true),
                Filters.eq("version", tombstoneVersion)), update, notice.pushed(), ReturnDocument.AFTER);
    }

    /** Deletes the session if it has not changed since {@code updatedAt} (its idle lifetime ended); null otherwise. */
    Uni<Session> expire(String id, String ownerId, Instant updatedAt, Instant now, Outbox.Write notice) {
        return delete(Filters.and(owned(id, ownerId), Filters.eq("updatedAt", updatedAt)), now, notice);
    }

    private Uni<Session> delete(Bson filter, Instant now, Outbox.Write notice) {
        return change(filter, Updates.combine(Updates.set("deleted", true), Updates.set("updatedAt", now),
                Updates.unset("canonical"), Updates.unset("content")), notice, ReturnDocument.AFTER);
    }

    Uni<List<Session>> list(String ownerId, SessionFilter filter, Keyset.Window window) {
        List<Bson> filters = filter.filters(ownerId);
        filters.add(1, LIVE);
        window.after(filters);
        FindOptions options = new FindOptions().filter(Queries.and(filters)).projection(WITHOUT_CONTENT)
                .sort(window.sort()).limit(window.limit());
        return mongoCollection().find(options).collect().asList().plug(Throttled::retry);
    }

    /** The outbox a write left, to publish (see {@link SessionUpdates#numbered}). */
    Outbox outbox(Session written) {
        return new Outbox(this, written.id, written.ownerId, SessionUpdates.numbered(written), written.deleted,
                written.version);
    }

    @Override
    public String name() {
        return "session";
    }

    /**
     * Outboxes as the publisher reads them. Recovery's read of those left behind is a deliberate
     * scatter read (they may belong to anyone), at start-up and every few minutes, from the outbox
     * index; each one found is then cleared by id and owner.
     */
    @Override
    public Uni<List<Outbox>> read(FindOptions options) {
        return mongoCollection().find(options.projection(Projections.include("ownerId", Outbox.FIELD, "deleted", "version")))
                .map(this::outbox).collect().asList().plug(Throttled::retry);
    }

    /**
     * Clears published outboxes; the tombstones among them go with their history, deleted first so
     * that a tombstone outlives it (a session never changed, at version 1, has none).
     */
    @Override
    public Uni<Void> published(List<Outbox> cleared) {
        List<Revisions.Gone> withHistory = cleared.stream().filter(outbox -> outbox.tombstone() && outbox.version() > 1)
                .map(outbox -> new Revisions.Gone(outbox.userId(), outbox.documentId(), outbox.version())).toList();
        return revisions.forget(withHistory).chain(() -> Outbox.Holder.super.published(cleared));
    }

    @Override
    public ReactiveMongoCollection<org.bson.Document> outboxes() {
        return mongoCollection().withDocumentClass(org.bson.Document.class);
    }

    @Override
    public Bson document(String documentId, String userId) {
        return Filters.and(Filters.eq("_id", documentId), Filters.eq("ownerId", userId));
    }

    /** All the owner's live sessions with their content, in id order, a page at a time (an export). */
    Multi<Session> allWithContent(String ownerId, int pageSize) {
        return Pages.byId(mongoCollection(), Filters.and(Filters.eq("ownerId", ownerId), LIVE),
                Projections.exclude("answers", Outbox.FIELD), session -> session.id, pageSize);
    }

    private static Bson owned(String id, String ownerId) {
        return Filters.and(Filters.eq("_id", id), Filters.eq("ownerId", ownerId), LIVE);
    }

    /** Its collection, looked up once (see {@link EntityCollection}). */
    @Override
    public ReactiveMongoCollection<Session> mongoCollection() {
        return collection.get();
    }
}
