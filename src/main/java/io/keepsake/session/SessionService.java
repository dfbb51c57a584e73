package io.keepsake.session;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.keepsake.content.Draft;
import io.keepsake.store.Time;
import io.keepsake.KeepsakeConfig;
import io.keepsake.notice.Notice;
import io.keepsake.notice.NoticePublisher;
import io.keepsake.notice.Outbox;
import io.keepsake.notice.OutboxEntry;
import io.keepsake.notice.SessionStates;
import io.keepsake.quota.Quotas;
import io.keepsake.hashing.Canonical;
import io.keepsake.hashing.CanonicalJson;
import io.keepsake.store.Ids;
import io.keepsake.store.StoreErrors;
import io.keepsake.web.ApiProblem;
import io.keepsake.web.BodyWork;
import io.keepsake.web.EntityTags;
import io.keepsake.web.EntityTags.Condition;
import io.keepsake.web.Json;
import io.keepsake.web.JsonBodies;
import io.keepsake.web.MergePatch;
import io.keepsake.web.Page;
import io.keepsake.web.PageRequest;
import io.keepsake.web.Keyed;
import io.smallrye.mutiny.Uni;

/**
 * The session rules: validation, ownership, conditional writes, idempotent creates. Every change
 * writes its notice into the session's outbox in the same store operation and hands the outbox
 * to the publisher once the store has acknowledged it.
 */
@ApplicationScoped
public class SessionService implements SessionStates {

    /** How often a relabel reads again when saves keep landing between its read and its write. */
    private static final int RELABEL_ATTEMPTS = 5;

    private final SessionRepository sessions;
    private final JsonBodies json;
    private final Json codec;
    private final KeepsakeConfig config;
    private final NoticePublisher notices;
    private final SessionTags tags;
    private final BodyWork work;
    private final Quotas quotas;

    public SessionService(SessionRepository sessions, JsonBodies json, Json codec,
            KeepsakeConfig config, NoticePublisher notices, SessionTags tags, BodyWork work, Quotas quotas) {
        this.work = work;
        this.quotas = quotas;
        this.notices = notices;
        this.tags = tags;
        this.sessions = sessions;
        this.json = json;
        this.codec = codec;
        this.config = config;
    }

    /** A create from a request body, prepared for its Idempotency-Key; it returns the new session's metadata. */
    Uni<Keyed<Session>> create(String owner, byte[] body, String origin) {
        return work.run(body.length, () -> Draft.from(json.object(body), body.length, config.limits()))
                .map(draft -> Keyed.create(draft.content().sha256() + ':' + draft.metadataHash(),
                        id -> insertNew(owner, draft, id, origin)));
    }

    /** Creates a session under a new id (without an Idempotency-Key); returns its metadata. */
    Uni<Session> create(String owner, Draft draft, String origin) {
        return Uni.createFrom().deferred(() -> insertNew(owner, draft, Ids.next(), origin))
                .onFailure(StoreErrors::isDuplicateKey).retry().atMost(2);
    }

    /** Inserts the session under {@code id}; if an earlier attempt already did, answers with that one. */
    private Uni<Session> insertNew(String owner, Draft draft, String id, String origin) {
        Instant now = Time.now();
        Session session = new Session();
        session.id = id;
        session.ownerId = owner;
        apply(session, draft, 1, now);
        session.createdAt = now;
        session.outbox = List.of(OutboxEntry.of(Notice.SESSION_UPDATED, id, session.contentHash, 1L, origin, now));
        Uni<Session> inserted = sessions.insert(session).replaceWith(session)
                .invoke(created -> {
                    tags.forget(created.id);
                    notices.publish(sessions.outbox(created));
                });
        return quotas.reserve(owner, Quotas.Kind.SESSION, session.contentSize)
                .onItem().transformToUni(reserved -> inserted.onFailure().call(failed ->
                        quotas.release(owner, Quotas.Kind.SESSION, session.contentSize).onFailure().recoverWithNull()))
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

    /** The caller's own session with its content (404 for anyone else's): what a snapshot copies. */
    public Uni<Session> own(String owner, String id) {
        Ids.require(id);
        return sessions.findOwned(id, owner).map(SessionService::orNotFound);
    }

    @Override
    public Uni<Map<String, State>> current(String owner, Collection<String> ids) {
        return sessions.findMetadata(ids, owner).map(found -> {
            Map<String, State> states = new HashMap<>();
            found.forEach(s -> states.put(s.id, new State(s.contentHash, s.version, s.updatedAt)));
            return states;
        });
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

    /** A conditional replace from a request body, prepared for its Idempotency-Key; it returns the new metadata. */
    Uni<Keyed<Session>> replace(String owner, String id, String ifMatch, byte[] body, String origin) {
        Ids.require(id);
        Condition condition = required(ifMatch);
        return work.run(body.length, () -> Draft.from(json.object(body), body.length, config.limits()))
                .map(draft -> Keyed.answered(fingerprint(id, ifMatch, draft.content().sha256() + ':' + draft.metadataHash()),
                        (keyId, fingerprint) -> {
                            KeyedAnswer.Key key = KeyedAnswer.Key.of(keyId, fingerprint);
                            return noticed(owner, id, origin, expectedState(owner, id, condition, key)
                                .onItem().transformToUni(expected -> expected.written() ? Uni.createFrom().item(expected.session())
                                        : write(owner, id, expected.session(), draft, key, origin)));
                        }));
    }

    /**
     * Saves title, description and content. With {@code ifMatch} it is the conditional replace
     * (412 when stale); without, the last write wins, in one store operation. Returns the new
     * metadata (the unchanged session when it already held exactly this).
     */
    Uni<Session> save(String owner, String id, Draft draft, String ifMatch, String origin) {
        Ids.require(id);
        Condition condition = Condition.parse(ifMatch);
        if (condition != null) {
            return noticed(owner, id, origin, conditionalWrite(owner, id, condition, draft, origin));
        }
        Instant now = Time.now();
        Outbox.Write notice = outbox(id, OutboxEntry.of(Notice.SESSION_UPDATED, id, draft.content().sha256(), null,
                origin, now));
        int size = draft.content().length();
        return quotas.headroom(owner, size).onItem().transformToUni(headroom -> sessions.replaceLatest(id, owner, draft,
                        EntityTags.unversioned(draft.content().sha256(), draft.metadataHash()), now, notice,
                        minStoredSize(size, headroom))
                .onItem().ifNotNull().transformToUni(this::replaced)
                // Nothing matched: the session is gone, holds exactly this already, or would grow past the quota.
                .onItem().ifNull().switchTo(() -> metadata(owner, id).invoke(current -> {
                    if (!current.contentHash.equals(draft.content().sha256()) && grewTooMuch(headroom, size, current)) {
                        throw quotas.tooLarge(size - current.contentSize);
                    }
                })));
    }

    /** Whether replacing the current content with {@code size} bytes grows it past the headroom (null: never). */
    private static boolean grewTooMuch(Long headroom, int size, Session current) {
        return headroom != null && size - current.contentSize > headroom;
    }

    /** A replace of content of {@code size} may only grow the stored one by the headroom (null: by anything). */
    private static Long minStoredSize(int size, Long headroom) {
        return headroom == null ? null : size - headroom;
    }

    /** After a replace: its notice goes out, and the quota learns the change of size. */
    private Uni<Session> replaced(SessionRepository.Replaced replaced) {
        Session written = replaced.after();
        tags.forget(written.id);
        notices.publish(sessions.outbox(written));
        return quotas.resized(written.ownerId, (long) written.contentSize - replaced.before().contentSize)
                .replaceWith(written);
    }

    /**
     * Changes title and description (null keeps the current one) and leaves the content alone.
     * It reads the session and writes only if nothing changed in between, trying again when a
     * save came first, so that it never undoes a save; with {@code ifMatch} a change in between
     * is a 412 instead. Returns the session with its content.
     */
    Uni<Session> relabel(String owner, String id, String title, String description, String ifMatch,
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
                    Draft.Metadata metadata = Draft.metadata(title != null ? title : current.title,
                            description != null ? description : current.description, config.limits());
                    if (metadata.metadataHash().equals(current.metadataHash)) {
                        return Uni.createFrom().item(current);
                    }
                    long version = current.version + 1;
                    Instant now = Time.now();
                    Outbox.Write notice = outbox(id, OutboxEntry.of(Notice.SESSION_UPDATED, id, current.contentHash, version,
                            origin, now));
                    return sessions.relabelIfTagged(id, owner, current.etag, version, metadata,
                            EntityTags.of(version, current.contentHash, metadata.metadataHash()), now, notice)
                            .onItem().ifNotNull().transform(written -> {
                                tags.forget(written.id);
                                notices.publish(sessions.outbox(written));
                                written.canonical = current.contentBytes();
                                return written;
                            })
                            .onItem().ifNull().switchTo(() -> condition != null ? missingOrStale(owner, id, null)
                                    : Uni.createFrom().failure(new RelabelRace()));
                });
    }

    /** A save landed between a relabel's read and its write: the relabel reads again. */
    private static final class RelabelRace extends RuntimeException {
        RelabelRace() {
            super("changed between read and write", null, false, false);
        }
    }

    private Uni<Session> conditionalWrite(String owner, String id, Condition condition, Draft draft, String origin) {
        return expectedState(owner, id, condition, null)
                .onItem().transformToUni(expected -> write(owner, id, expected.session(), draft, null, origin));
    }

    /** A merge patch, prepared for its Idempotency-Key; it returns the new metadata. */
    Uni<Keyed<Session>> patch(String owner, String id, String ifMatch, byte[] body, String origin) {
        Ids.require(id);
        Condition condition = required(ifMatch);
        return work.run(body.length, () -> {
            JsonNode patch = json.object(body);
            JsonBodies.onlyFields(patch, Draft.FIELDS);
            return patch;
        }).map(patch -> Keyed.answered(fingerprint(id, ifMatch, CanonicalJson.of(patch).sha256()),
                (keyId, fingerprint) -> noticed(owner, id, origin, sessions.findOwned(id, owner).map(SessionService::orNotFound)
                        .onItem().transformToUni(current -> {
                            if (!condition.matchesStrong(current.etag)) {
                                Session answered = KeyedAnswer.find(current, KeyedAnswer.Key.of(keyId, fingerprint));
                                return answered != null ? Uni.createFrom().item(answered)
                                        : Uni.createFrom().failure(stale(current));
                            }
                            return work.run(body.length + current.contentSize, () -> merged(current, patch))
                                    .onItem().transformToUni(draft -> write(owner, id, current, draft,
                                            KeyedAnswer.Key.of(keyId, fingerprint), origin));
                        }))));
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
    Uni<Void> delete(String owner, String id, String ifMatch, String origin) {
        Ids.require(id);
        return delete(owner, id, ifMatch, origin, null);
    }

    /** A delete, prepared for its Idempotency-Key. */
    Keyed<Void> deletion(String owner, String id, String ifMatch, String origin) {
        Ids.require(id);
        return Keyed.update(fingerprint(id, ifMatch, ""), token -> delete(owner, id, ifMatch, origin, token));
    }

    private Uni<Void> delete(String owner, String id, String ifMatch, String origin, String token) {
        Condition condition = Condition.parse(ifMatch);
        List<String> expected = condition == null || condition.any() ? null : condition.strong();
        Instant now = Time.now();
        Outbox.Write notice = outbox(id, OutboxEntry.of(Notice.SESSION_DELETED, id, null, null, origin, now));
        return noticed(owner, id, origin, sessions.delete(id, owner, expected, now, notice)
                .onItem().ifNull().switchTo(() -> missingOrStale(owner, id, null))
                .call(tombstone -> {
                    tags.forget(id);
                    notices.publish(sessions.outbox(tombstone));
                    return tombstone.deleted ? quotas.release(owner, Quotas.Kind.SESSION, tombstone.contentSize)
                            : Uni.createFrom().voidItem();
                })
                .replaceWithVoid());
    }

    /** What a keyed write means: the session, the tag it must find, and what it writes. */
    private static String fingerprint(String id, String ifMatch, String body) {
        return id + '\n' + (ifMatch == null ? "" : ifMatch.trim()) + '\n' + body;
    }

    /** What a replace must find (the session's tag and version), or the session this write already made. */
    private record Expected(Session session, boolean written) {
    }

    /**
     * The tag and version a write must find. A single tag of ours carries its version, so the
     * common case needs no read; {@code *} or a list of tags is resolved against the stored one.
     */
    private Uni<Expected> expectedState(String owner, String id, Condition condition, KeyedAnswer.Key key) {
        if (!condition.any() && condition.strong().size() == 1) {
            String tag = condition.strong().get(0);
            long version = EntityTags.versionOf(tag);
            if (version > 0) {
                Session expected = new Session();
                expected.etag = tag;
                expected.version = version;
                return Uni.createFrom().item(new Expected(expected, false));
            }
        }
        return stored(owner, id, key).map(current -> {
            orNotFound(current);
            if (!condition.matchesStrong(current.etag)) {
                Session answered = KeyedAnswer.find(current, key);
                if (answered != null) {
                    return new Expected(answered, true);
                }
                throw stale(current);
            }
            return new Expected(current, false);
        });
    }

    /** The conditional write itself; a write that changes nothing leaves version and tag alone. */
    private Uni<Session> write(String owner, String id, Session expected, Draft draft, KeyedAnswer.Key key,
            String origin) {
        String expectedTag = expected.etag;
        long version = expected.version;
        String unchangedTag = EntityTags.of(version, draft.content().sha256(), draft.metadataHash());
        // Unchanged: the tag says so, or (for a tag without a version, after a last-write-wins save) the hashes read.
        boolean unchanged = unchangedTag.equals(expectedTag) || (draft.content().sha256().equals(expected.contentHash)
                && draft.metadataHash().equals(expected.metadataHash));
        if (unchanged) {
            return stored(owner, id, key).map(current -> {
                orNotFound(current);
                Session answered = KeyedAnswer.find(current, key);
                if (answered != null) {
                    return answered;
                }
                if (!current.etag.equals(expectedTag)) {
                    throw stale(current);
                }
                return current;
            });
        }
        String newTag = EntityTags.of(version + 1, draft.content().sha256(), draft.metadataHash());
        Instant now = Time.now();
        Outbox.Write notice = outbox(id, OutboxEntry.of(Notice.SESSION_UPDATED, id, draft.content().sha256(), version + 1,
                origin, now));
        int size = draft.content().length();
        KeyedAnswer answer = key == null ? null : KeyedAnswer.of(key, version + 1, newTag, draft, now);
        return quotas.headroom(owner, size).onItem().transformToUni(headroom -> sessions.replaceIfTagged(id, owner,
                        expectedTag, version + 1, draft, newTag, now, answer, notice, minStoredSize(size, headroom))
                .onItem().ifNotNull().transformToUni(this::replaced)
                .onItem().ifNull().switchTo(() -> headroom == null ? missingOrStale(owner, id, key)
                        : sessions.findMetadata(id, owner).onItem().transformToUni(current ->
                                // The tag matched after all: it was the growth that did not fit.
                                current != null && current.etag.equals(expectedTag) && grewTooMuch(headroom, size, current)
                                        ? Uni.createFrom().failure(quotas.tooLarge(size - current.contentSize))
                                        : missingOrStale(owner, id, key))));
    }

    /**
     * After a conditional write matched nothing: 404 if the session is gone, the session if this
     * very write (same Idempotency-Key) already made it, else 412 with its state.
     */
    private Uni<Session> missingOrStale(String owner, String id, KeyedAnswer.Key key) {
        return stored(owner, id, key).onItem().transformToUni(current -> {
            if (current == null) {
                return Uni.createFrom().failure(ApiProblem.notFound("Session"));
            }
            Session answered = KeyedAnswer.find(current, key);
            return answered != null ? Uni.createFrom().item(answered) : Uni.createFrom().failure(stale(current));
        });
    }

    /** The session's metadata, with the answers of its keyed writes when a key is looked for. */
    private Uni<Session> stored(String owner, String id, KeyedAnswer.Key key) {
        return key == null ? sessions.findMetadata(id, owner) : sessions.findAnswers(id, owner);
    }

    /** How a write of the session puts its notice in the outbox (see Outbox.Write). */
    private Outbox.Write outbox(String id, OutboxEntry entry) {
        return notices.write(sessions, id, entry);
    }

    private Draft merged(Session current, JsonNode patch) {
        if (patch.has("title") && patch.get("title").isNull()) {
            throw ApiProblem.invalidField("title", "title cannot be removed");
        }
        if (patch.has("content") && patch.get("content").isNull()) {
            throw ApiProblem.invalidField("content", "content cannot be removed; PUT a JSON null to store null");
        }
        String title = patch.has("title") ? Draft.text(patch, "title", true) : current.title;
        String description = patch.has("description") ? Draft.text(patch, "description", false) : current.description;
        JsonNode content;
        if (patch.has("content")) {
            content = MergePatch.apply(codec.readStored(current.contentBytes()), patch.get("content"));
        } else {
            content = codec.readStored(current.contentBytes());
        }
        return Draft.of(title, description, content, current.contentSize, config.limits());
    }

    private static void apply(Session session, Draft draft, long version, Instant now) {
        Canonical content = draft.content();
        session.title = draft.title();
        session.titleKey = draft.titleKey();
        session.description = draft.description();
        session.canonical = content.exact();
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

    static Session orNotFound(Session session) {
        if (session == null) {
            throw ApiProblem.notFound("Session");
        }
        return session;
    }
}
