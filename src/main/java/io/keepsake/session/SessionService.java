package io.keepsake.session;

import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.keepsake.store.Time;
import io.keepsake.KeepsakeConfig;
import io.keepsake.notice.Notice;
import io.keepsake.notice.NoticePublisher;
import io.keepsake.notice.OutboxEntry;
import io.keepsake.notice.SessionStates;
import io.keepsake.hashing.Canonical;
import io.keepsake.store.Ids;
import io.keepsake.store.StoreErrors;
import io.keepsake.web.ApiProblem;
import io.keepsake.web.EntityTags;
import io.keepsake.web.EntityTags.Condition;
import io.keepsake.web.Idempotency;
import io.keepsake.web.Json;
import io.keepsake.web.JsonBodies;
import io.keepsake.web.MergePatch;
import io.keepsake.web.Page;
import io.keepsake.web.PageRequest;
import io.keepsake.web.StoredResponse;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The session rules: validation, ownership, conditional writes, idempotent creates. Every change
 * writes its notice into the session's outbox in the same store operation and hands the outbox
 * to the publisher once the store has acknowledged it.
 */
@ApplicationScoped
public class SessionService implements SessionStates {

    /** Bodies above this are parsed and hashed on a worker thread, not on the event loop. */
    private static final int INLINE_CPU_LIMIT = 64 * 1024;
    /** How often a relabel reads again when saves keep landing between its read and its write. */
    private static final int RELABEL_ATTEMPTS = 5;

    private final SessionRepository sessions;
    private final Idempotency idempotency;
    private final JsonBodies json;
    private final Json codec;
    private final KeepsakeConfig config;
    private final NoticePublisher notices;

    public SessionService(SessionRepository sessions, Idempotency idempotency, JsonBodies json, Json codec,
            KeepsakeConfig config, NoticePublisher notices) {
        this.notices = notices;
        this.sessions = sessions;
        this.idempotency = idempotency;
        this.json = json;
        this.codec = codec;
        this.config = config;
    }

    /** What a conditional read found: the session, or that the client's copy is current. */
    record Read(Session session, boolean notModified) {
    }

    Uni<StoredResponse> create(String owner, byte[] body, String idempotencyKey, String origin) {
        return cpu(body.length, () -> SessionDraft.from(json.object(body), body.length, config.limits()))
                .onItem().transformToUni(draft -> idempotency.run(owner, "POST /sessions", idempotencyKey,
                        draft.content().sha256() + ':' + draft.metadataHash(),
                        id -> insertNew(owner, draft, id, origin)
                                .map(created -> new StoredResponse(201, "/persistence/sessions/" + created.id,
                                        created.etag, codec.write(SessionViews.Metadata.of(created))))));
    }

    /** Creates a session under a new id (without an Idempotency-Key); returns its metadata. */
    public Uni<Session> create(String owner, SessionDraft draft, String origin) {
        return Uni.createFrom().deferred(() -> insertNew(owner, draft, Ids.next(), origin))
                .onFailure(StoreErrors::isDuplicateKey).retry().atMost(2);
    }

    /** Inserts the session under {@code id}; if an earlier attempt already did, answers with that one. */
    private Uni<Session> insertNew(String owner, SessionDraft draft, String id, String origin) {
        Instant now = Time.now();
        Session session = new Session();
        session.id = id;
        session.ownerId = owner;
        apply(session, draft, 1, now);
        session.createdAt = now;
        session.outbox = List.of(OutboxEntry.of(Notice.SESSION_UPDATED, id, session.contentHash, 1L, origin, now));
        return sessions.insert(session).replaceWith(session)
                .invoke(created -> notices.publish(sessions.outbox(created)))
                // An earlier attempt under the same Idempotency-Key created it (and its notice).
                .onFailure(StoreErrors::isDuplicateKey).recoverWithUni(taken -> sessions.findMetadata(id, owner)
                        .onItem().ifNull().failWith(() -> taken));
    }

    Uni<Page<SessionViews.Metadata>> list(String owner, SessionFilter filter, PageRequest page) {
        return list(owner, filter, page, SessionViews.Metadata::of);
    }

    /** A page of the owner's sessions (without content), each shown through {@code view}. */
    public <T> Uni<Page<T>> list(String owner, SessionFilter filter, PageRequest page, Function<Session, T> view) {
        return sessions.list(owner, filter, page).map(found -> Page.of(found, page,
                s -> SessionFilter.sortValue(s, page.sortBy()), s -> s.id, view));
    }

    Uni<Read> get(String owner, String id, Condition ifNoneMatch) {
        Ids.require(id);
        if (ifNoneMatch == null) {
            return sessions.findOwned(id, owner).map(found -> new Read(orNotFound(found), false));
        }
        if (ifNoneMatch.any()) {
            return sessions.findMetadata(id, owner).map(found -> new Read(orNotFound(found), true));
        }
        // One round trip when it changed; a second, content-free one when it did not.
        return sessions.findOwnedUnlessTagged(id, owner, ifNoneMatch.weakOrStrong())
                .onItem().ifNotNull().transform(found -> new Read(found, false))
                .onItem().ifNull().switchTo(() -> sessions.findMetadata(id, owner).onItem().transformToUni(found -> {
                    orNotFound(found);
                    // Changed between the two reads: the 304 would label old content with the new tag.
                    return ifNoneMatch.matchesWeak(found.etag) ? Uni.createFrom().item(new Read(found, true))
                            : sessions.findOwned(id, owner).map(full -> new Read(orNotFound(full), false));
                }));
    }

    /** The caller's own session with its content (404 for anyone else's): what a snapshot copies. */
    public Uni<Session> own(String owner, String id) {
        Ids.require(id);
        return sessions.findOwned(id, owner).map(SessionService::orNotFound);
    }

    /** The caller's session's state, or null: what a notice subscriber compares its hash with. */
    @Override
    public Uni<State> current(String owner, String id) {
        return sessions.findMetadata(id, owner)
                .map(found -> found == null ? null : new State(found.contentHash, found.version, found.updatedAt));
    }

    /** The caller's own session without its content (404 for anyone else's). */
    public Uni<Session> metadata(String owner, String id) {
        Ids.require(id);
        return sessions.findMetadata(id, owner).map(SessionService::orNotFound);
    }

    Uni<Read> metadata(String owner, String id, Condition ifNoneMatch) {
        Ids.require(id);
        return sessions.findMetadata(id, owner).map(found -> {
            orNotFound(found);
            return new Read(found, ifNoneMatch != null && ifNoneMatch.matchesWeak(found.etag));
        });
    }

    Uni<Session> replace(String owner, String id, String ifMatch, byte[] body, String origin) {
        Ids.require(id);
        Condition condition = required(ifMatch);
        return noticed(owner, id, origin, cpu(body.length, () -> SessionDraft.from(json.object(body), body.length, config.limits()))
                .onItem().transformToUni(draft -> conditionalWrite(owner, id, condition, draft, origin)));
    }

    /**
     * Saves title, description and content. With {@code ifMatch} it is the conditional replace
     * (412 when stale); without, the last write wins, in one store operation. Returns the new
     * metadata (the unchanged session when it already held exactly this).
     */
    public Uni<Session> save(String owner, String id, SessionDraft draft, String ifMatch, String origin) {
        Ids.require(id);
        Condition condition = Condition.parse(ifMatch);
        if (condition != null) {
            return noticed(owner, id, origin, conditionalWrite(owner, id, condition, draft, origin));
        }
        Instant now = Time.now();
        OutboxEntry notice = OutboxEntry.of(Notice.SESSION_UPDATED, id, draft.content().sha256(), null, origin, now);
        return sessions.replaceLatest(id, owner, draft, EntityTags.unversioned(draft.content().sha256(), draft.metadataHash()),
                now, notice)
                .onItem().ifNotNull().invoke(written -> notices.publish(sessions.outbox(written)))
                // Nothing matched: the session is gone, or it holds exactly this already.
                .onItem().ifNull().switchTo(() -> metadata(owner, id));
    }

    /**
     * Changes title and description (null keeps the current one) and leaves the content alone.
     * It reads the session and writes only if nothing changed in between, trying again when a
     * save came first, so that it never undoes a save; with {@code ifMatch} a change in between
     * is a 412 instead. Returns the session with its content.
     */
    public Uni<Session> relabel(String owner, String id, String title, String description, String ifMatch,
            String origin) {
        Ids.require(id);
        Condition condition = Condition.parse(ifMatch);
        return noticed(owner, id, origin, relabelOnce(owner, id, title, description, condition, origin)
                .onFailure(RelabelRace.class).retry().atMost(RELABEL_ATTEMPTS - 1)
                .onFailure(RelabelRace.class).transform(race -> ApiProblem.conflict(
                        "The session kept changing while its title was being changed; try again")));
    }

    private Uni<Session> relabelOnce(String owner, String id, String title, String description, Condition condition,
            String origin) {
        return Uni.createFrom().deferred(() -> sessions.findOwned(id, owner)).map(SessionService::orNotFound)
                .onItem().transformToUni(current -> {
                    if (condition != null && !condition.matchesStrong(current.etag)) {
                        return Uni.createFrom().failure(stale(current));
                    }
                    SessionDraft.Metadata metadata = SessionDraft.metadata(title != null ? title : current.title,
                            description != null ? description : current.description, config.limits());
                    if (metadata.metadataHash().equals(current.metadataHash)) {
                        return Uni.createFrom().item(current);
                    }
                    long version = current.version + 1;
                    Instant now = Time.now();
                    OutboxEntry notice = OutboxEntry.of(Notice.SESSION_UPDATED, id, current.contentHash, version, origin, now);
                    return sessions.relabelIfTagged(id, owner, current.etag, version, metadata,
                            EntityTags.of(version, current.contentHash, metadata.metadataHash()), now, notice)
                            .onItem().ifNotNull().transform(written -> {
                                notices.publish(sessions.outbox(written));
                                written.content = current.content;
                                return written;
                            })
                            .onItem().ifNull().switchTo(() -> condition != null ? missingOrStale(owner, id)
                                    : Uni.createFrom().failure(new RelabelRace()));
                });
    }

    /** A save landed between a relabel's read and its write: the relabel reads again. */
    private static final class RelabelRace extends RuntimeException {
        RelabelRace() {
            super("changed between read and write", null, false, false);
        }
    }

    private Uni<Session> conditionalWrite(String owner, String id, Condition condition, SessionDraft draft, String origin) {
        return expectedState(owner, id, condition)
                .onItem().transformToUni(expected -> write(owner, id, expected, draft, origin));
    }

    Uni<Session> patch(String owner, String id, String ifMatch, byte[] body, String origin) {
        Ids.require(id);
        Condition condition = required(ifMatch);
        return noticed(owner, id, origin, cpu(body.length, () -> {
            JsonNode patch = json.object(body);
            JsonBodies.onlyFields(patch, SessionDraft.FIELDS);
            return patch;
        }).onItem().transformToUni(patch -> sessions.findOwned(id, owner).map(SessionService::orNotFound)
                .onItem().transformToUni(current -> {
                    if (!condition.matchesStrong(current.etag)) {
                        return Uni.createFrom().failure(stale(current));
                    }
                    return cpu(body.length + current.contentSize, () -> merged(current, patch))
                            .onItem().transformToUni(draft -> write(owner, id, current, draft, origin));
                })));
    }

    /**
     * Tells the owner's clients about a write refused as stale ({@code session.conflict}); a write
     * that changed the session tells them in {@link #write}.
     */
    private <T> Uni<T> noticed(String owner, String id, String origin, Uni<T> write) {
        return write
                .onFailure(error -> error instanceof ApiProblem problem && problem.status() == 412)
                .invoke(error -> {
                    ApiProblem stale = (ApiProblem) error;
                    notices.publish(owner, OutboxEntry.of(Notice.SESSION_CONFLICT, id, (String) stale.extension("currentHash"),
                            (Long) stale.extension("version"), origin, Time.now()));
                });
    }

    /** Deletes the caller's session; with {@code ifMatch} only if it is still that version. */
    public Uni<Void> delete(String owner, String id, String ifMatch, String origin) {
        Ids.require(id);
        Condition condition = Condition.parse(ifMatch);
        List<String> tags = condition == null || condition.any() ? null : condition.strong();
        Instant now = Time.now();
        OutboxEntry notice = OutboxEntry.of(Notice.SESSION_DELETED, id, null, null, origin, now);
        return noticed(owner, id, origin, sessions.delete(id, owner, tags, now, notice)
                .onItem().ifNull().switchTo(() -> missingOrStale(owner, id))
                .invoke(tombstone -> notices.publish(sessions.outbox(tombstone)))
                .replaceWithVoid());
    }

    /**
     * The tag and version a write must find. A single tag of ours carries its version, so the
     * common case needs no read; {@code *} or a list of tags is resolved against the stored one.
     */
    private Uni<Session> expectedState(String owner, String id, Condition condition) {
        if (!condition.any() && condition.strong().size() == 1) {
            String tag = condition.strong().get(0);
            long version = EntityTags.versionOf(tag);
            if (version > 0) {
                Session expected = new Session();
                expected.etag = tag;
                expected.version = version;
                return Uni.createFrom().item(expected);
            }
        }
        return sessions.findMetadata(id, owner).map(current -> {
            orNotFound(current);
            if (!condition.matchesStrong(current.etag)) {
                throw stale(current);
            }
            return current;
        });
    }

    /**
     * The conditional write itself; a write that changes nothing leaves version and tag alone.
     * {@code expected} carries the tag and version it must find (and the hashes, when it was read).
     */
    private Uni<Session> write(String owner, String id, Session expected, SessionDraft draft, String origin) {
        String expectedTag = expected.etag;
        long version = expected.version;
        String unchangedTag = EntityTags.of(version, draft.content().sha256(), draft.metadataHash());
        boolean unchanged = unchangedTag.equals(expectedTag) || (draft.content().sha256().equals(expected.contentHash)
                && draft.metadataHash().equals(expected.metadataHash));
        if (unchanged) {
            return sessions.findMetadata(id, owner).map(current -> {
                orNotFound(current);
                if (!current.etag.equals(expectedTag)) {
                    throw stale(current);
                }
                return current;
            });
        }
        String newTag = EntityTags.of(version + 1, draft.content().sha256(), draft.metadataHash());
        Instant now = Time.now();
        OutboxEntry notice = OutboxEntry.of(Notice.SESSION_UPDATED, id, draft.content().sha256(), version + 1, origin, now);
        return sessions.replaceIfTagged(id, owner, expectedTag, version + 1, draft, newTag, now, notice)
                .onItem().ifNull().switchTo(() -> missingOrStale(owner, id))
                .invoke(written -> notices.publish(sessions.outbox(written)));
    }

    /** After a conditional write matched nothing: 404 if the session is gone, else 412 with its state. */
    private <T> Uni<T> missingOrStale(String owner, String id) {
        return sessions.findMetadata(id, owner).onItem().transformToUni(current -> Uni.createFrom()
                .failure(current == null ? ApiProblem.notFound("Session") : stale(current)));
    }

    private SessionDraft merged(Session current, JsonNode patch) {
        if (patch.has("title") && patch.get("title").isNull()) {
            throw ApiProblem.invalidField("title", "title cannot be removed");
        }
        if (patch.has("content") && patch.get("content").isNull()) {
            throw ApiProblem.invalidField("content", "content cannot be removed; PUT a JSON null to store null");
        }
        String title = patch.has("title") ? SessionDraft.text(patch, "title", true) : current.title;
        String description = patch.has("description") ? SessionDraft.text(patch, "description", false) : current.description;
        JsonNode content;
        if (patch.has("content")) {
            content = MergePatch.apply(codec.readStored(current.content), patch.get("content"));
        } else {
            content = codec.readStored(current.content);
        }
        return SessionDraft.of(title, description, content, current.contentSize, config.limits());
    }

    private static void apply(Session session, SessionDraft draft, long version, Instant now) {
        Canonical content = draft.content();
        session.title = draft.title();
        session.titleKey = draft.titleKey();
        session.description = draft.description();
        session.content = content.text();
        session.contentSize = content.length();
        session.contentHash = content.sha256();
        session.textHash = draft.textHash();
        session.metadataHash = draft.metadataHash();
        session.version = version;
        session.etag = EntityTags.of(version, session.contentHash, session.metadataHash);
        session.updatedAt = now;
    }

    static ApiProblem stale(Session current) {
        return ApiProblem.preconditionFailed("The session has changed since the version named in If-Match")
                .with("currentHash", current.contentHash)
                .with("metadataHash", current.metadataHash)
                .with("version", current.version)
                .with("updatedAt", current.updatedAt.toString())
                .with("etag", current.etag)
                .header("ETag", current.etag);
    }

    private static Condition required(String ifMatch) {
        Condition condition = Condition.parse(ifMatch);
        if (condition == null) {
            throw ApiProblem.preconditionRequired(
                    "Send If-Match with the ETag you last read, so that concurrent edits are not overwritten");
        }
        return condition;
    }

    private static Session orNotFound(Session session) {
        if (session == null) {
            throw ApiProblem.notFound("Session");
        }
        return session;
    }

    /** Runs CPU-bound work inline when small, on a worker thread when large. */
    public static <T> Uni<T> cpu(int size, Supplier<T> work) {
        Uni<T> uni = Uni.createFrom().item(work);
        return size > INLINE_CPU_LIMIT ? uni.runSubscriptionOn(Infrastructure.getDefaultWorkerPool()) : uni;
    }

}
