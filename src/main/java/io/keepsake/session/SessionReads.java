package io.keepsake.session;

import jakarta.enterprise.context.ApplicationScoped;

import io.keepsake.store.Ids;
import io.keepsake.web.EntityTags.Condition;
import io.keepsake.web.Json;
import io.smallrye.mutiny.Uni;

/**
 * Conditional reads of one's own session, answered from memory when this instance can vouch for
 * what it holds ({@link SessionTags}), else from the store (and then remembered). What is held but
 * too old to vouch for is checked with one read of the session's tag, and served when unchanged.
 */
@ApplicationScoped
class SessionReads {

    private final SessionRepository sessions;
    private final SessionTags tags;
    private final Json json;

    SessionReads(SessionRepository sessions, SessionTags tags, Json json) {
        this.sessions = sessions;
        this.tags = tags;
        this.json = json;
    }

    /**
     * What a conditional read found: the session (metadata reads) or its JSON (full reads), or
     * that the client's copy (tag {@code etag}) is current.
     */
    record Read(Session session, byte[] json, String etag, boolean notModified) {

        static Read unchanged(String etag) {
            return new Read(null, null, etag, true);
        }
    }

    /** The session with its content, as JSON. */
    Uni<Read> get(String owner, String id, Condition ifNoneMatch) {
        Ids.require(id);
        String current = tags.current(owner, id);
        Read held = current == null ? null : fromMemory(owner, id, ifNoneMatch, current);
        if (held != null) {
            return Uni.createFrom().item(held);
        }
        if (current == null && tags.held(owner, id)) {
            return storedMetadata(owner, id).onItem().transformToUni(found -> {
                Read checked = fromMemory(owner, id, ifNoneMatch, found.etag);
                return checked != null ? Uni.createFrom().item(checked) : fromStore(owner, id, ifNoneMatch);
            });
        }
        return fromStore(owner, id, ifNoneMatch);
    }

    /** The answer from memory under the session's current tag (the client holds it, or its JSON is held), else null. */
    private Read fromMemory(String owner, String id, Condition ifNoneMatch, String current) {
        if (unchanged(ifNoneMatch, current)) {
            return Read.unchanged(current);
        }
        byte[] held = tags.body(owner, id, current);
        return held == null ? null : new Read(null, held, current, false);
    }

    /** The read from the store, remembered with its tag and JSON. */
    private Uni<Read> fromStore(String owner, String id, Condition ifNoneMatch) {
        SessionTags.Stamp since = tags.stamp();
        if (ifNoneMatch == null) {
            return sessions.findOwned(id, owner).map(found -> full(SessionService.orNotFound(found), since));
        }
        if (ifNoneMatch.any()) {
            return sessions.findMetadata(id, owner)
                    .map(found -> Read.unchanged(SessionService.orNotFound(found).etag));
        }
        // One round trip when it changed; a second, content-free one when it did not.
        return sessions.findOwnedUnlessTagged(id, owner, ifNoneMatch.weakOrStrong())
                .onItem().ifNotNull().transform(found -> full(found, since))
                .onItem().ifNull().switchTo(() -> sessions.findMetadata(id, owner).onItem().transformToUni(found -> {
                    SessionService.orNotFound(found);
                    // Changed between the two reads: the 304 would label old content with the new tag.
                    return ifNoneMatch.matchesWeak(found.etag) ? Uni.createFrom().item(Read.unchanged(found.etag))
                            : sessions.findOwned(id, owner).map(full -> full(SessionService.orNotFound(full), since));
                }));
    }

    /** The session without its content: the polling target. */
    Uni<Read> metadata(String owner, String id, Condition ifNoneMatch) {
        Ids.require(id);
        String current = ifNoneMatch == null ? null : tags.current(owner, id);
        if (current != null && unchanged(ifNoneMatch, current)) {
            return Uni.createFrom().item(Read.unchanged(current));
        }
        return storedMetadata(owner, id).map(found -> new Read(found, null, found.etag,
                ifNoneMatch != null && ifNoneMatch.matchesWeak(found.etag)));
    }

    /** The session without its content from the store, remembered with its tag (which stamps a held one afresh). */
    private Uni<Session> storedMetadata(String owner, String id) {
        SessionTags.Stamp since = tags.stamp();
        return sessions.findMetadata(id, owner).map(found -> {
            tags.remember(SessionService.orNotFound(found), since);
            return found;
        });
    }

    /** A full read from the store, written out once and remembered with its tag. */
    private Read full(Session session, SessionTags.Stamp since) {
        byte[] written = json.bytes(SessionViews.Full.of(session));
        tags.remember(session, since, written);
        return new Read(null, written, session.etag, false);
    }

    /** Whether the client holds the current tag ({@code *}: any, the session existing). */
    private static boolean unchanged(Condition ifNoneMatch, String current) {
        return ifNoneMatch != null && ifNoneMatch.matchesWeak(current);
    }
}
