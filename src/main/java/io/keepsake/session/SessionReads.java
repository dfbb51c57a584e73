package io.keepsake.session;

import jakarta.enterprise.context.ApplicationScoped;

import io.keepsake.store.Ids;
import io.keepsake.web.EntityTags.Condition;
import io.keepsake.web.Json;
import io.smallrye.mutiny.Uni;

/**
 * Conditional reads of one's own session, answered from memory when this instance can vouch for
 * what it holds ({@link SessionTags}), else from the store (and then remembered).
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
        if (current != null) {
            if (unchanged(ifNoneMatch, current)) {
                return Uni.createFrom().item(Read.unchanged(current));
            }
            byte[] held = tags.body(owner, id, current);
            if (held != null) {
                return Uni.createFrom().item(new Read(null, held, current, false));
            }
        }
        long since = tags.stamp();
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
        long since = tags.stamp();
        return sessions.findMetadata(id, owner).map(found -> {
            tags.remember(SessionService.orNotFound(found), since);
            return new Read(found, null, found.etag, ifNoneMatch != null && ifNoneMatch.matchesWeak(found.etag));
        });
    }

    /** A full read from the store, written out once and remembered with its tag. */
    private Read full(Session session, long since) {
        byte[] written = json.bytes(SessionViews.Full.of(session));
        tags.remember(session, since, written);
        return new Read(null, written, session.etag, false);
    }

    /** Whether the client holds the current tag ({@code *}: any, the session existing). */
    private static boolean unchanged(Condition ifNoneMatch, String current) {
        return ifNoneMatch != null && ifNoneMatch.matchesWeak(current);
    }
}
