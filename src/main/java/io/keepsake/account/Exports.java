package io.keepsake.account;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;

import org.jboss.resteasy.reactive.RestMulti;

import io.keepsake.accesslog.AccessLogs;
import io.keepsake.history.History;
import io.keepsake.session.SessionService;
import io.keepsake.snapshot.SnapshotService;
import io.keepsake.store.StoreDeadline;
import io.keepsake.store.Time;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Multi;

/**
 * Everything of a user's, to take away ({@code GET /persistence/me/export}, or an operator's
 * {@code GET /persistence/users/{id}/export}), streamed as NDJSON, one
 * record a line, {@code {"type": ..., "data": ...}}: first {@code export} (who, when, the format's
 * version), then each {@code session} (as a read shows it, content included), each
 * {@code revision} of their sessions (a state a change replaced, with its {@code sessionId} and
 * {@code version}, content included, grouped by session), each {@code snapshot} of theirs (content included), each {@code visit} (their access-log rows, as the
 * visited list shows them), and last {@code end} with the counts, so that a reader knows it has
 * all. Read from the store {@value #PAGE} documents at a time, each page only once the one before
 * is written out, so memory does not grow with what a user has. Nothing of any other user's.
 */
@ApplicationScoped
public class Exports {

    /** Documents read from the store at a time: eight 1.5 MiB sessions at most in memory. */
    static final int PAGE = 8;
    /** The version of the export's format. */
    static final int FORMAT = 1;

    /** One line of the export. */
    @RegisterForReflection
    public record Line(String type, Object data) {
    }

    private final SessionService sessions;
    private final SnapshotService snapshots;
    private final AccessLogs accessLogs;
    private final History history;

    Exports(SessionService sessions, SnapshotService snapshots, AccessLogs accessLogs, History history) {
        this.history = history;
        this.sessions = sessions;
        this.snapshots = snapshots;
        this.accessLogs = accessLogs;
    }

    /** Everything of the user's, as an attachment, line by line. */
    RestMulti<Line> of(String user) {
        StoreDeadline.eachCommandAlone(); // an export is as long as what it holds: each page gets the deadline
        Instant at = Time.now();
        AtomicLong sessionCount = new AtomicLong();
        AtomicLong revisionCount = new AtomicLong();
        AtomicLong snapshotCount = new AtomicLong();
        AtomicLong visitCount = new AtomicLong();
        Multi<Line> lines = Multi.createBy().concatenating().streams(
                Multi.createFrom().item(new Line("export", Map.of("user", user, "at", at.toString(), "format", FORMAT))),
                sessions.export(user, PAGE).map(session -> counted(sessionCount, "session", session)),
                history.export(user, PAGE).map(revision -> counted(revisionCount, "revision", revision)),
                snapshots.export(user, PAGE).map(snapshot -> counted(snapshotCount, "snapshot", snapshot)),
                accessLogs.export(user, PAGE).map(visit -> counted(visitCount, "visit", visit)),
                Multi.createFrom().deferred(() -> Multi.createFrom().item(new Line("end", Map.of(
                        "sessions", sessionCount.get(), "revisions", revisionCount.get(), "snapshots", snapshotCount.get(),
                        "visits", visitCount.get())))));
        return RestMulti.fromMultiData(lines)
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"keepsake-export.ndjson\"")
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .build();
    }

    private static Line counted(AtomicLong count, String type, Object data) {
        count.incrementAndGet();
        return new Line(type, data);
    }
}
