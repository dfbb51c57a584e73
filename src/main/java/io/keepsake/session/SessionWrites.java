package io.keepsake.session;

import jakarta.enterprise.context.ApplicationScoped;

import io.keepsake.account.Erasures;
import io.keepsake.content.Draft;
import io.keepsake.history.History;
import io.keepsake.web.Keyed;
import io.keepsake.web.RateLimiter;
import io.smallrye.mutiny.Uni;

/**
 * The way in for every session write, from the native API and the original workbench's surface
 * alike: each takes a token from the writer's one bucket
 * ({@code keepsake.rate-limits.session-writes-per-second}) before it runs, so that no surface
 * can skip the limit and a user who writes through both gets the rate once; and none runs while
 * an erase of the writer's data is under way (409).
 */
@ApplicationScoped
public class SessionWrites {

    private final SessionService service;
    private final SessionCreates creates;
    private final SessionPatches patches;
    private final History history;
    private final RateLimiter rateLimiter;
    private final Erasures erasures;

    SessionWrites(SessionService service, SessionCreates creates, SessionPatches patches, History history,
            RateLimiter rateLimiter, Erasures erasures) {
        this.erasures = erasures;
        this.service = service;
        this.creates = creates;
        this.patches = patches;
        this.history = history;
        this.rateLimiter = rateLimiter;
    }

    /** A create from a request body, prepared for its Idempotency-Key. */
    Uni<Keyed<Session>> create(String owner, byte[] body, String origin) {
        admit(owner);
        return gated(owner, creates.create(owner, body, origin));
    }

    /** A create of the owner's keyed state under its id, prepared for its Idempotency-Key (a duplicate when it exists). */
    Uni<Keyed<Session>> createState(String owner, String id, String key, byte[] body, String origin) {
        admit(owner);
        return gated(owner, creates.createState(owner, id, key, body, origin));
    }

    /** A conditional replace from a request body, prepared for its Idempotency-Key. */
    Uni<Keyed<Session>> replace(String owner, String id, String ifMatch, byte[] body, String origin) {
        admit(owner);
        return gated(owner, service.replace(owner, id, ifMatch, body, origin));
    }

    /** A merge patch, prepared for its Idempotency-Key. */
    Uni<Keyed<Session>> patch(String owner, String id, String ifMatch, byte[] body, String origin) {
        admit(owner);
        return gated(owner, patches.patch(owner, id, ifMatch, body, origin));
    }

    /** A restore of the state at {@code version} as a new version, prepared for its Idempotency-Key. */
    Uni<Keyed<Session>> restore(String owner, String id, String ifMatch, long version, String origin) {
        admit(owner);
        return gated(owner, service.restore(owner, id, ifMatch, version, () -> history.draft(owner, id, version), origin));
    }

    /** A delete, prepared for its Idempotency-Key. */
    Keyed<Void> deletion(String owner, String id, String ifMatch, String origin) {
        admit(owner);
        Keyed<Void> deletion = service.deletion(owner, id, ifMatch, origin);
        return new Keyed<>(deletion.fingerprint(), deletion.creates(),
                token -> gated(owner, deletion.write().apply(token)), deletion.answered());
    }

    /** Creates a session under a new id; returns its metadata. */
    public Uni<Session> create(String owner, Draft draft, String origin) {
        admit(owner);
        return gated(owner, creates.create(owner, draft, origin));
    }

    /** Saves title, description and content; last write wins unless {@code ifMatch} is given. */
    public Uni<Session> save(String owner, String id, Draft draft, String ifMatch, String origin) {
        admit(owner);
        return gated(owner, service.save(owner, id, draft, ifMatch, origin));
    }

    /** Changes title and description only; returns the session with its content. */
    public Uni<Session> relabel(String owner, String id, String title, String description, String ifMatch,
            String origin) {
        admit(owner);
        return gated(owner, service.relabel(owner, id, title, description, ifMatch, origin));
    }

    /** Deletes the owner's session; with {@code ifMatch} only if it is still that version. */
    public Uni<Void> delete(String owner, String id, String ifMatch, String origin) {
        admit(owner);
        return gated(owner, service.delete(owner, id, ifMatch, origin));
    }

    /** The write, unless an erase of the owner's data is under way (409 then). */
    private <T> Uni<T> gated(String owner, Uni<T> write) {
        return erasures.admit(owner).chain(() -> write);
    }

    /** Takes the writer's token, or fails with 429 and the time until the next one. */
    private void admit(String owner) {
        rateLimiter.acquire(owner, RateLimiter.Kind.SESSION_WRITE);
    }
}
