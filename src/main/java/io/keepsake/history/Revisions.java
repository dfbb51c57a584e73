package io.keepsake.history;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.keepsake.KeepsakeConfig;
import io.keepsake.session.Session;
import io.keepsake.store.Time;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * What a write does for history: every change of a session keeps the state it replaced (the
 * session's writes call {@link #keep} before they answer, so that an acknowledged change's previous
 * state is stored), and a deleted session's history goes with its tombstone. Old revisions are
 * hidden once past max-age and swept on a timer.
 */
@ApplicationScoped
public class Revisions {

    private final RevisionRepository revisions;
    private final KeepsakeConfig config;

    Revisions(RevisionRepository revisions, KeepsakeConfig config) {
        this.revisions = revisions;
        this.config = config;
    }

    /** Whether changes keep history; when they do, a write's state before it must be read with its content. */
    public boolean enabled() {
        return config.revisions().enabled();
    }

    /** Keeps {@code before}, the state a change replaced at {@code replacedAt} (nothing when history is off). */
    public Uni<Void> keep(Session before, Instant replacedAt) {
        if (!enabled() || before == null || (before.canonical == null && before.content == null)) {
            return Uni.createFrom().voidItem();
        }
        return revisions.keep(Revision.of(before, replacedAt, places()));
    }

    /**
     * A deleted session: its history, up to the version it was deleted at, goes (a keyed state made
     * again under the same id goes on from the next version, and keeps its new history).
     */
    public record Gone(String ownerId, String sessionId, long version) {
    }

    /** Deletes the history of these deleted sessions. */
    public Uni<Void> forget(List<Gone> sessions) {
        return revisions.forget(sessions);
    }

    /** The places in each session's ring: its last max-count revisions. */
    int places() {
        return Math.max(1, config.revisions().maxCount());
    }

    /** Revisions replaced before this are past max-age. */
    Instant cutoff() {
        return Time.now().minus(config.revisions().maxAge()).truncatedTo(ChronoUnit.MILLIS);
    }

    @Scheduled(every = "${keepsake.revisions.sweep-every}", delayed = "5m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return revisions.sweep(cutoff()).replaceWithVoid();
    }
}
