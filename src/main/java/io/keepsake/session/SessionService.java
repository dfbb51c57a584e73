package io.keepsake.session;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;


import io.keepsake.content.Draft;
import io.keepsake.store.Time;
import io.keepsake.KeepsakeConfig;
import io.keepsake.notice.Notice;
import io.keepsake.notice.NoticePublisher;
import io.keepsake.notice.Outbox;
import io.keepsake.notice.OutboxEntry;
import io.keepsake.notice.SessionStates;
import io.keepsake.quota.Quotas;
import io.keepsake.store.Ids;
import io.keepsake.web.ApiProblem;
import io.keepsake.web.BodyWork;
import io.keepsake.web.EntityTags;
import io.keepsake.web.EntityTags.Condition;
import io.keepsake.web.JsonBodies;
import io.keepsake.web.Page;
import io.keepsake.web.PageRequest;
import io.keepsake.web.Keyed;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The session rules: validation, ownership, conditional writes, idempotent creates. Every change
 * writes its notice into the session's outbox in the same store operation and hands the outbox
 * to the publisher once the store has acknowledged it.
 */
@ApplicationScoped
public class SessionService implements SessionStates {

    private final SessionRepository sessions;
    private final JsonBodies json;
    private final KeepsakeConfig config;
    private final NoticePublisher notices;
    private final SessionTags tags;
    private final BodyWork work;
    private final Quotas quotas;
    private final ConditionalWrites writes;

    public SessionService(SessionRepository sessions, JsonBodies json,
            KeepsakeConfig config, NoticePublisher notices, SessionTags tags, BodyWork work, Quotas quotas,
            ConditionalWrites writes) {
        this.writes = writes;
        this.work = work;
        this.quotas = quotas;
        this.notices = notices;
        this.tags = tags;
        this.sessions = sessions;
        this.json = json;
        this.config = config;
    }

    /** Every live session of the owner, content included, as a read shows it: a page of {@code pageSize} at a time. */
    public Multi<Object> export(String owner, int pageSize) {
        return sessions.allWithContent(owner, pageSize).map(SessionViews.Full::of);
    }

    Uni<Page<SessionViews.Metadata>> list(String owner, SessionFilter filter, PageRequest page) {
        return list(owner, filter, page, SessionViews.Metadata::of);
    }

    /** A page of the owner's sessions (without content), each shown through {@code view}. */
    public <T> Uni<Page<T>> list(String owner, SessionFilter filter, PageRequest page, Function<Session, T> view) {
        return sessions.list(owner, filter, page.window(SessionFilter.sortField(page.sortBy()))).map(found -> Page.of(found, page,
                s -> SessionFilter.sortValue(s, page.sortBy()), s -> s.id, view));
    }

    /**
     * The caller's own session with its content (404 for anyone else's): what a snapshot copies. It
     * is the state a read here would show: held in memory under the tag this instance can vouch
     * for (see {@link SessionTags}), else read from the store and then held.
     */
    public Uni<Session> own(String owner, String id) {
        return own(owner, id, null);
    }

    /**
     * As {@link #own(String, String)}, in the state {@code wanted} names (when it is not null): 412
     * when the session, as a read here would show it, is no longer in that state.
     */
    public Uni<Session> own(String owner, String id, Condition wanted) {
        Ids.require(id);
        String current = tags.current(owner, id);
        Session held = current == null || (wanted != null && !wanted.matchesStrong(current)) ? null
                : tags.state(owner, id, current);
        if (held != null) {
            return Uni.createFrom().item(held);
        }
        SessionTags.Stamp since = tags.stamp();
        return sessions.findOwned(id, owner).map(SessionService::orNotFound).invoke(found -> {
            tags.rememberWithContent(found, since);
            if (wanted != null && !wanted.matchesStrong(found.etag)) {
                throw ConditionalWrites.changed(found, "The session has changed since the state sessionEtag names");
            }
        });
    }

    /** The caller's own session with its content as the store holds it now (404 for anyone else's). */
    public Uni<Session> stored(String owner, String id) {
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
        return work.run(body.length, () -> SentSession.of(json, body, config.limits())).map(sent -> replace(owner, id, ifMatch, condition,
                sent.fingerprint(), () -> Uni.createFrom().item(sent.draft()), sent.lifetime(), origin));
    }

    /**
     * Writes a past state again as a new version (a restore), prepared for its Idempotency-Key:
     * {@code draft} reads that state, and only when the write is not a replay of one already made.
     */
    Uni<Keyed<Session>> restore(String owner, String id, String ifMatch, long version, Supplier<Uni<Draft>> draft,
            String origin) {
        Ids.require(id);
        Condition condition = required(ifMatch);
        return Uni.createFrom().item(replace(owner, id, ifMatch, condition, "restore " + version, draft, null, origin));
    }

    /** A conditional replace whose request means {@code what} (its fingerprint), writing what {@code draft} gives. */
    private Keyed<Session> replace(String owner, String id, String ifMatch, Condition condition, String what,
            Supplier<Uni<Draft>> draft, IdleLifetime lifetime, String origin) {
        return Keyed.answered(fingerprint(id, ifMatch, what), (keyId, fingerprint) -> {
            KeyedAnswer.Key key = KeyedAnswer.Key.of(keyId, fingerprint);
            return writes.noticed(owner, id, origin, writes.expectedState(owner, id, condition, key)
                    .onItem().transformToUni(expected -> expected.written() ? Uni.createFrom().item(expected.session())
                            : draft.get().onItem().transformToUni(written -> writes.write(owner, id, expected.session(),
                                    written, lifetime, key, origin))));
        });
    }

    /** Changes title and description only (see {@link ConditionalWrites#relabel}). */
    Uni<Session> relabel(String owner, String id, String title, String description, String ifMatch, String origin) {
        return writes.relabel(owner, id, title, description, ifMatch, origin);
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
            return writes.noticed(owner, id, origin, conditionalWrite(owner, id, condition, draft, origin));
        }
        Instant now = Time.now();
        Outbox.Write notice = writes.outbox(id, OutboxEntry.of(Notice.SESSION_UPDATED, id, draft.content().sha256(), null,
                origin, now));
        int size = draft.content().length();
        SessionTags.Stamp sent = tags.stamp();
        return quotas.headroom(owner, size).onItem().transformToUni(headroom -> notices.watched(sessions, id, owner,
                        sessions.replaceLatest(id, owner, draft, EntityTags.unversioned(draft.content().sha256(),
                                draft.metadataHash()), now, notice, ConditionalWrites.minStoredSize(size, headroom)))
                .onItem().ifNotNull().transformToUni(replaced -> writes.replaced(replaced, sent))
                // Nothing matched: the session is gone, holds exactly this already, or would grow past the quota.
                .onItem().ifNull().switchTo(() -> metadata(owner, id).invoke(current -> {
                    if (!current.contentHash.equals(draft.content().sha256()) && ConditionalWrites.grewTooMuch(headroom, size, current)) {
                        throw quotas.tooLarge(size - current.contentSize);
                    }
                })));
    }

    private Uni<Session> conditionalWrite(String owner, String id, Condition condition, Draft draft, String origin) {
        return writes.expectedState(owner, id, condition, null)
                .onItem().transformToUni(expected -> writes.write(owner, id, expected.session(), draft, null, null, origin));
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
        Outbox.Write notice = writes.outbox(id, OutboxEntry.of(Notice.SESSION_DELETED, id, null, null, origin, now));
        return writes.noticed(owner, id, origin, notices.watched(sessions, id, owner, sessions.delete(id, owner, expected, now, notice))
                .onItem().ifNull().switchTo(() -> writes.missingOrStale(owner, id, null))
                .call(tombstone -> {
                    tags.forget(id);
                    notices.publish(sessions.outbox(tombstone));
                    return tombstone.deleted ? quotas.release(owner, Quotas.Kind.SESSION, tombstone.contentSize)
                            : Uni.createFrom().voidItem();
                })
                .replaceWithVoid());
    }

    /** What a keyed write means: the session, the tag it must find, and what it writes. */
    static String fingerprint(String id, String ifMatch, String body) {
        return id + '\n' + (ifMatch == null ? "" : ifMatch.trim()) + '\n' + body;
    }

    static Condition required(String ifMatch) {
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
