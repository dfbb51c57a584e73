package io.keepsake.session;

import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.keepsake.account.Writers;
import io.keepsake.content.Draft;
import io.keepsake.history.History;
import io.keepsake.web.Keyed;
import io.keepsake.web.RateLimiter;
import io.smallrye.mutiny.Uni;

/**
 * The way in for every session write, from the native API and the original workbench's surface
 * alike: each is let in by {@link Writers} (a token of
 * {@code keepsake.rate-limits.session-writes-per-second}, no erase under way) before it is prepared.
 */
@ApplicationScoped
public class SessionWrites {

    private final SessionService service;
    private final SessionCreates creates;
    private final SessionPatches patches;
    private final History history;
    private final Writers writers;

    SessionWrites(SessionService service, SessionCreates creates, SessionPatches patches, History history,
            Writers writers) {
        this.service = service;
        this.creates = creates;
        this.patches = patches;
        this.history = history;
        this.writers = writers;
    }

    /** A create from a request body, prepared for its Idempotency-Key. */
    Uni<Keyed<Session>> create(String owner, byte[] body, String origin) {
        return admitted(owner, () -> creates.create(owner, body, origin));
    }

    /** A create of the owner's keyed state under its id, prepared for its Idempotency-Key (a duplicate when it exists). */
    Uni<Keyed<Session>> createState(String owner, String id, String key, byte[] body, String origin) {
        return admitted(owner, () -> creates.createState(owner, id, key, body, origin));
    }

    /** A conditional replace from a request body, prepared for its Idempotency-Key. */
    Uni<Keyed<Session>> replace(String owner, String id, String ifMatch, byte[] body, String origin) {
        return admitted(owner, () -> service.replace(owner, id, ifMatch, body, origin));
    }

    /** A merge patch, prepared for its Idempotency-Key. */
    Uni<Keyed<Session>> patch(String owner, String id, String ifMatch, byte[] body, String origin) {
        return admitted(owner, () -> patches.patch(owner, id, ifMatch, body, origin));
    }

    /** A restore of the state at {@code version} as a new version, prepared for its Idempotency-Key. */
    Uni<Keyed<Session>> restore(String owner, String id, String ifMatch, long version, String origin) {
        return admitted(owner, () -> service.restore(owner, id, ifMatch, version, () -> history.draft(owner, id, version), origin));
    }

    /** A delete, prepared for its Idempotency-Key. */
    Uni<Keyed<Void>> deletion(String owner, String id, String ifMatch, String origin) {
        return admitted(owner, () -> Uni.createFrom().item(() -> service.deletion(owner, id, ifMatch, origin)));
    }

    /** Creates a session under a new id; returns its metadata. */
    public Uni<Session> create(String owner, Draft draft, String origin) {
        return admitted(owner, () -> creates.create(owner, draft, origin));
    }

    /** Saves title, description and content; last write wins unless {@code ifMatch} is given. */
    public Uni<Session> save(String owner, String id, Draft draft, String ifMatch, String origin) {
        return admitted(owner, () -> service.save(owner, id, draft, ifMatch, origin));
    }

    /** Changes title and description only; returns the session with its content. */
    public Uni<Session> relabel(String owner, String id, String title, String description, String ifMatch,
            String origin) {
        return admitted(owner, () -> service.relabel(owner, id, title, description, ifMatch, origin));
    }

    /** Deletes the owner's session; with {@code ifMatch} only if it is still that version. */
    public Uni<Void> delete(String owner, String id, String ifMatch, String origin) {
        return admitted(owner, () -> service.delete(owner, id, ifMatch, origin));
    }

    private <T> Uni<T> admitted(String owner, Supplier<Uni<T>> write) {
        return writers.admitted(owner, RateLimiter.Kind.SESSION_WRITE, write);
    }
}
