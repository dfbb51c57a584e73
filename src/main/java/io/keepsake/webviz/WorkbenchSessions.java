package io.keepsake.webviz;

import java.nio.charset.StandardCharsets;

import jakarta.enterprise.context.ApplicationScoped;

import io.keepsake.session.Session;
import io.keepsake.session.SessionFilter;
import io.keepsake.session.SessionService;
import io.keepsake.session.SessionWrites;
import io.keepsake.web.BodyWork;
import io.keepsake.web.Json;
import io.keepsake.web.Page;
import io.keepsake.web.PageRequest;
import io.smallrye.mutiny.Uni;

/**
 * The original workbench's session calls on {@link SessionService} and {@link SessionWrites}: the
 * same rules, rate limit, store and notices as the native API. A save without If-Match is the
 * service's last-write-wins save, one store operation; with If-Match it is conditional.
 */
@ApplicationScoped
class WorkbenchSessions {

    private final SessionService sessions;
    private final SessionWrites writes;
    private final WorkbenchBodies bodies;
    private final Json codec;
    private final BodyWork work;

    WorkbenchSessions(SessionService sessions, SessionWrites writes, WorkbenchBodies bodies, Json codec, BodyWork work) {
        this.work = work;
        this.sessions = sessions;
        this.writes = writes;
        this.bodies = bodies;
        this.codec = codec;
    }

    /** Creates a session; returns its id. */
    Uni<String> create(String owner, byte[] body, String origin) {
        return work.run(body.length, () -> bodies.draft(body))
                .onItem().transformToUni(draft -> writes.create(owner, draft, origin))
                .map(created -> created.id);
    }

    Uni<WorkbenchViews.FullSession> read(String owner, String id) {
        return sessions.own(owner, id).map(s -> full(s, new String(s.contentBytes(), StandardCharsets.UTF_8)));
    }

    Uni<WorkbenchViews.SessionMetadata> metadata(String owner, String id) {
        return sessions.metadata(owner, id).map(WorkbenchViews.SessionMetadata::of);
    }

    Uni<WorkbenchViews.FullSession> change(String owner, String id, byte[] body, String ifMatch, String origin) {
        return work.run(body.length, () -> bodies.change(body)).onItem().transformToUni(change -> {
            if (change.save() != null) {
                String content = change.save().content().text();
                return writes.save(owner, id, change.save(), ifMatch, origin).map(saved -> full(saved, content));
            }
            return writes.relabel(owner, id, change.title(), change.description(), ifMatch, origin)
                    .map(s -> full(s, new String(s.contentBytes(), StandardCharsets.UTF_8)));
        });
    }

    Uni<Void> delete(String owner, String id, String ifMatch, String origin) {
        return writes.delete(owner, id, ifMatch, origin);
    }

    Uni<Page<WorkbenchViews.SessionMetadata>> list(String owner, SessionFilter filter, PageRequest page) {
        return sessions.list(owner, filter, page, WorkbenchViews.SessionMetadata::of);
    }

    /** The session as the workbench reads it; {@code content} is the stored canonical JSON text. */
    private WorkbenchViews.FullSession full(Session session, String content) {
        return new WorkbenchViews.FullSession(WorkbenchViews.SessionMetadata.of(session), asString(content, codec));
    }

    /**
     * The content as a JSON string literal. A string's canonical text is one already (written as
     * stored); other content, stored by a native client, is handed over as its canonical text.
     */
    static String asString(String canonical, Json codec) {
        return canonical.startsWith("\"") ? canonical : codec.write(canonical);
    }
}
