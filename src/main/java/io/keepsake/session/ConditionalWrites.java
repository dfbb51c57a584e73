package io.keepsake.session;

import java.time.Instant;


import jakarta.enterprise.context.ApplicationScoped;

import io.keepsake.KeepsakeConfig;
import io.keepsake.content.Draft;
import io.keepsake.history.Revisions;
import io.keepsake.store.Ids;
import io.keepsake.notice.Notice;
import io.keepsake.notice.NoticePublisher;
import io.keepsake.notice.Outbox;
import io.keepsake.notice.OutboxEntry;
import io.keepsake.quota.Quotas;
import io.keepsake.store.Time;
import io.keepsake.web.ApiProblem;
import io.keepsake.web.EntityTags;
import io.keepsake.web.EntityTags.Condition;
import io.smallrye.mutiny.Uni;

/**
 * The conditional write of a session and what follows it, for every save (replace, merge patch,
 * the original workbench's save): the If-Match check and the write in one store command that also
 * carries the change's notice and, under a key, its answer; then the tag cache forgets the old
 * state, the publisher takes the notice and the quota the change of size. A write that matched
 * nothing is told apart here (gone, stale, or this very keyed write already made).
 */
@ApplicationScoped
class ConditionalWrites {

    private final SessionRepository sessions;
    private final NoticePublisher notices;
    private final SessionTags tags;
    private final Quotas quotas;
    private final Revisions history;
    private final KeepsakeConfig config;

    ConditionalWrites(SessionRepository sessions, NoticePublisher notices, SessionTags tags, Quotas quotas,
            Revisions history, KeepsakeConfig config) {
        this.history = history;
        this.config = config;
        this.sessions = sessions;
        this.notices = notices;
        this.tags = tags;
        this.quotas = quotas;
    }

    /** Whether replacing the current content with {@code size} bytes grows it past the headroom (null: never). */
    static boolean grewTooMuch(Long headroom, int size, Session current) {
        return headroom != null && size - current.contentSize > headroom;
    }

    /** A replace of content of {@code size} may only grow the stored one by the headroom (null: by anything). */
    static Long minStoredSize(int size, Long headroom) {
        return headroom == null ? null : size - headroom;
    }

    /**
     * After a replace: its notice goes out, the state it replaced is kept in history before the
     * write is answered, and the quota learns the change of size.
     */
    Uni<Session> replaced(SessionRepository.Replaced replaced, SessionTags.Stamp sent) {
        Session written = replaced.after();
        tags.wrote(written, written.canonical, sent);
        notices.publish(sessions.outbox(written));
        return Uni.combine().all().unis(history.keep(replaced.before(), written.updatedAt),
                        quotas.resized(written.ownerId, (long) written.contentSize - replaced.before().contentSize))
                .discardItems().replaceWith(written);
    }

    /**
     * Tells the owner's clients about a write refused as stale ({@code session.conflict}); a write
     * that changed the session tells them in {@link #write}.
     */
    <T> Uni<T> noticed(String owner, String id, String origin, Uni<T> write) {
        return write
                .onFailure(error -> error instanceof ApiProblem problem && problem.status() == 412)
                .invoke(error -> {
                    ApiProblem stale = (ApiProblem) error;
                    notices.publish(owner, OutboxEntry.of(Notice.SESSION_CONFLICT, id, (String) stale.extension("currentHash"),
                            (Long) stale.extension("version"), origin, Time.now()));
                });
    }

    /** What a replace must find (the session's tag and version), or the session this write already made. */
    record Expected(Session session, boolean written) {
    }

    /**
     * The tag and version a write must find. A single tag of ours carries its version, so the
     * common case needs no read; {@code *} or a list of tags is resolved against the stored one.
     */
    Uni<Expected> expectedState(String owner, String id, Condition condition, KeyedAnswer.Key key) {
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
            SessionService.orNotFound(current);
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

    /**
     * The conditional write itself; a write that changes nothing (its content, title, description
     * and, when it names one, idle lifetime are those stored) leaves version and tag alone.
     */
    Uni<Session> write(String owner, String id, Session expected, Draft draft, IdleLifetime lifetime,
            KeyedAnswer.Key key, String origin) {
        String expectedTag = expected.etag;
        String unchangedTag = EntityTags.of(expected.version, draft.content().sha256(), draft.metadataHash());
        // Unchanged: the tag says so, or (for a tag without a version, after a last-write-wins save) the hashes read.
        boolean unchanged = unchangedTag.equals(expectedTag) || (draft.content().sha256().equals(expected.contentHash)
                && draft.metadataHash().equals(expected.metadataHash));
        if (!unchanged) {
            return change(owner, id, expected, draft, lifetime, key, origin);
        }
        return stored(owner, id, key).onItem().transformToUni(current -> {
            SessionService.orNotFound(current);
            Session answered = KeyedAnswer.find(current, key);
            if (answered != null) {
                return Uni.createFrom().item(answered);
            }
            if (!current.etag.equals(expectedTag)) {
                return Uni.createFrom().failure(stale(current));
            }
            return lifetime != null && lifetime.differsFrom(current.idleLifetime)
                    ? change(owner, id, expected, draft, lifetime, key, origin) : Uni.createFrom().item(current);
        });
    }

    private Uni<Session> change(String owner, String id, Session expected, Draft draft, IdleLifetime lifetime,
            KeyedAnswer.Key key, String origin) {
        String expectedTag = expected.etag;
        long version = expected.version;
        String newTag = EntityTags.of(version + 1, draft.content().sha256(), draft.metadataHash());
        Instant now = Time.now();
        Outbox.Write notice = outbox(id, OutboxEntry.of(Notice.SESSION_UPDATED, id, draft.content().sha256(), version + 1,
                origin, now));
        int size = draft.content().length();
        KeyedAnswer answer = key == null ? null : KeyedAnswer.of(key, version + 1, newTag, draft, now);
        SessionTags.Stamp sent = tags.stamp();
        Session held = tags.state(owner, id, expectedTag);
        return quotas.headroom(owner, size).onItem().transformToUni(headroom -> notices.watched(sessions, id, owner,
                        sessions.replaceIfTagged(id, owner, expectedTag, version + 1, draft, lifetime, newTag, now, answer,
                                notice, minStoredSize(size, headroom), held == null ? null : held.canonical))
                .onItem().ifNotNull().transformToUni(replaced -> replaced(replaced, sent))
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
    Uni<Session> missingOrStale(String owner, String id, KeyedAnswer.Key key) {
        return stored(owner, id, key).onItem().transformToUni(current -> {
            if (current == null) {
                return Uni.createFrom().failure(ApiProblem.notFound("Session"));
            }
            Session answered = KeyedAnswer.find(current, key);
            return answered != null ? Uni.createFrom().item(answered) : Uni.createFrom().failure(stale(current));
        });
    }

    /** The session's metadata, with the answers of its keyed writes when a key is looked for. */
    Uni<Session> stored(String owner, String id, KeyedAnswer.Key key) {
        return key == null ? sessions.findMetadata(id, owner) : sessions.findAnswers(id, owner);
    }

    /** How a write of the session puts its notice in the outbox (see Outbox.Write). */
    Outbox.Write outbox(String id, OutboxEntry entry) {
        return notices.write(sessions, id, entry);
    }

    /** How often a relabel reads again when saves keep landing between its read and its write. */
    private static final int RELABEL_ATTEMPTS = 5;

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
                    SessionTags.Stamp sent = tags.stamp();
                    return notices.watched(sessions, id, owner, sessions.relabelIfTagged(id, owner, current.etag, version,
                                    metadata, EntityTags.of(version, current.contentHash, metadata.metadataHash()), now, notice))
                            .onItem().ifNotNull().transformToUni(written -> {
                                written.canonical = current.contentBytes();
                                tags.wrote(written, written.canonical, sent);
                                notices.publish(sessions.outbox(written));
                                return history.keep(current, now).replaceWith(written);
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

    /** The 412 of a write whose If-Match no longer names the session's state, with that state. */
    static ApiProblem stale(Session current) {
        return changed(current, "The session has changed since the version named in If-Match").header("ETag", current.etag);
    }

    /** A 412 because the session is no longer in the state a request named, with the state it is in. */
    static ApiProblem changed(Session current, String detail) {
        return ApiProblem.preconditionFailed(detail)
                .with("currentHash", current.contentHash)
                .with("metadataHash", current.metadataHash)
                .with("version", current.version)
                .with("updatedAt", current.updatedAt.toString())
                .with("etag", current.etag);
    }
}
