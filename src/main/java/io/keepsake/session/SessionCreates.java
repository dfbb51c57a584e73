package io.keepsake.session;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.keepsake.KeepsakeConfig;
import io.keepsake.content.Draft;
import io.keepsake.hashing.Canonical;
import io.keepsake.notice.Notice;
import io.keepsake.notice.NoticePublisher;
import io.keepsake.notice.Outbox;
import io.keepsake.notice.OutboxEntry;
import io.keepsake.quota.Quotas;
import io.keepsake.store.Inserts;
import io.keepsake.store.StoreErrors;
import io.keepsake.store.Time;
import io.keepsake.web.BodyWork;
import io.keepsake.web.EntityTags;
import io.keepsake.web.JsonBodies;
import io.keepsake.web.Keyed;
import io.smallrye.mutiny.Uni;

/**
 * Making sessions: under a new id (with or without an Idempotency-Key), and an app's keyed state
 * under the id derived from its key (made again in the place of its tombstone when it was deleted
 * a moment ago). The quota is reserved first and given back if the insert fails; the notice is in
 * the new document's outbox.
 */
@ApplicationScoped
class SessionCreates {

    private final SessionRepository sessions;
    private final JsonBodies json;
    private final KeepsakeConfig config;
    private final NoticePublisher notices;
    private final SessionTags tags;
    private final BodyWork work;
    private final Quotas quotas;

    SessionCreates(SessionRepository sessions, JsonBodies json, KeepsakeConfig config, NoticePublisher notices,
            SessionTags tags, BodyWork work, Quotas quotas) {
        this.sessions = sessions;
        this.json = json;
        this.config = config;
        this.notices = notices;
        this.tags = tags;
        this.work = work;
        this.quotas = quotas;
    }

    /** A create from a request body, prepared for its Idempotency-Key; it returns the new session's metadata. */
    Uni<Keyed<Session>> create(String owner, byte[] body, String origin) {
        return work.run(body.length, () -> SentSession.of(json, body, config.limits()))
                .map(sent -> Keyed.create(sent.fingerprint(), id -> insertNew(owner, sent.draft(), sent.lifetime(), id, origin)));
    }

    /** Creates a session under a new id (without an Idempotency-Key); returns its metadata. */
    Uni<Session> create(String owner, Draft draft, String origin) {
        return Inserts.underNewId(id -> insertNew(owner, draft, IdleLifetime.NONE, id, origin));
    }

    /**
     * A create of the owner's keyed state under its id, prepared for its Idempotency-Key; it fails as
     * a duplicate when the state exists.
     */
    Uni<Keyed<Session>> createState(String owner, String id, String key, byte[] body, String origin) {
        return work.run(body.length, () -> SentSession.of(json, body, config.limits())).map(sent -> Keyed.update(id + '\n' + sent.fingerprint(),
                token -> insert(owner, sent.draft(), sent.lifetime(), id, key, origin)
                        // Deleted, and its tombstone not yet gone: made again in its place, from the next version.
                        .onFailure(StoreErrors::isDuplicateKey).recoverWithUni(taken -> sessions.findTombstone(id, owner)
                                .onItem().ifNull().failWith(() -> taken)
                                .onItem().transformToUni(tombstone -> revive(owner, sent.draft(), sent.lifetime(), id, key,
                                        tombstone.version, origin))
                                .onItem().ifNull().failWith(() -> taken))));
    }

    /** Inserts the session under {@code id}; if an earlier attempt already did, answers with that one. */
    private Uni<Session> insertNew(String owner, Draft draft, IdleLifetime lifetime, String id, String origin) {
        // An earlier attempt under the same Idempotency-Key may have created it (and its notice).
        return Inserts.orMadeBefore(insert(owner, draft, lifetime, id, null, origin), () -> sessions.findMetadata(id, owner));
    }

    /** Inserts the session under {@code id} (a keyed state's with its {@code key}); a taken id fails as a duplicate. */
    private Uni<Session> insert(String owner, Draft draft, IdleLifetime lifetime, String id, String key, String origin) {
        Session session = fresh(owner, draft, lifetime, id, key, 1, origin);
        return made(session, sessions.insert(session).replaceWith(session));
    }

    /** Makes a keyed state again over its tombstone (at {@code tombstoneVersion}); null if that changed meanwhile. */
    private Uni<Session> revive(String owner, Draft draft, IdleLifetime lifetime, String id, String key, long tombstoneVersion,
            String origin) {
        Session session = fresh(owner, draft, lifetime, id, key, tombstoneVersion + 1, origin);
        return made(session, sessions.revive(session, draft, tombstoneVersion,
                new Outbox.Write(session.outbox.get(0), null)));
    }

    /** A new session at {@code version}, its notice in its outbox. */
    private static Session fresh(String owner, Draft draft, IdleLifetime lifetime, String id, String key, long version,
            String origin) {
        Instant now = Time.now();
        Session session = new Session();
        session.id = id;
        session.ownerId = owner;
        session.key = key;
        apply(session, draft, version, now);
        session.idleLifetime = lifetime.stored();
        session.expiresAt = session.end();
        session.createdAt = now;
        session.outbox = List.of(OutboxEntry.of(Notice.SESSION_UPDATED, id, session.contentHash, version, origin, now));
        return session;
    }

    /** A new session's write, with its quota reserved first (given back if the write fails) and its notice after. */
    private Uni<Session> made(Session session, Uni<Session> write) {
        String owner = session.ownerId;
        SessionTags.Stamp sent = tags.stamp();
        Uni<Session> written = notices.watched(sessions, session.id, owner, write)
                .onItem().ifNotNull().invoke(created -> {
                    tags.wrote(created, session.canonical, sent);
                    notices.publish(sessions.outbox(created));
                });
        return quotas.reserved(owner, Quotas.Kind.SESSION, session.contentSize, written);
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
}
