package io.keepsake.history;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flipkart.zjsonpatch.DiffFlags;
import com.flipkart.zjsonpatch.JsonDiff;

import io.keepsake.KeepsakeConfig;
import io.keepsake.content.Draft;
import io.keepsake.hashing.Canonical;
import io.keepsake.session.Session;
import io.keepsake.session.SessionService;
import io.keepsake.web.ApiProblem;
import io.keepsake.web.BodyWork;
import io.keepsake.web.Json;
import io.keepsake.web.Page;
import io.keepsake.web.PageRequest;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Reading a session's history: its revisions, one of them, what changed between two, and the
 * draft a restore writes. Owner-only, like the session: anyone else's session is 404. A version
 * names a revision or the session's current state.
 */
@ApplicationScoped
public class History {

    private final RevisionRepository revisions;
    private final Revisions kept;
    private final SessionService sessions;
    private final Json codec;
    private final BodyWork work;
    private final KeepsakeConfig config;

    History(RevisionRepository revisions, Revisions kept, SessionService sessions, Json codec, BodyWork work,
            KeepsakeConfig config) {
        this.revisions = revisions;
        this.kept = kept;
        this.sessions = sessions;
        this.codec = codec;
        this.work = work;
        this.config = config;
    }

    /** A page of the session's revisions, newest first, without content. */
    Uni<Page<RevisionViews.Metadata>> list(String owner, String id, PageRequest page) {
        return sessions.metadata(owner, id).onItem().transformToUni(current -> revisions.list(owner, id,
                        oldestKept(current), kept.cutoff(), page.window("version")))
                .map(found -> Page.of(found, page, r -> r.version, r -> r.id, RevisionViews.Metadata::of));
    }

    /** The session's state at {@code version}, content included: a revision, or the current state. */
    Uni<Revision> revision(String owner, String id, long version) {
        return sessions.metadata(owner, id).onItem().transformToUni(current -> {
            if (version == current.version) {
                // Read again with its content, from the store: a save in between has put this version in history.
                return sessions.stored(owner, id).onItem().transformToUni(now -> now.version == version
                        ? Uni.createFrom().item(Revision.current(now)) : kept(owner, id, version));
            }
            if (version < oldestKept(current) || version > current.version) {
                return Uni.createFrom().failure(ApiProblem.notFound("Revision"));
            }
            return kept(owner, id, version);
        });
    }

    private Uni<Revision> kept(String owner, String id, long version) {
        return revisions.find(owner, id, version, kept.cutoff()).onItem().ifNull().failWith(() -> ApiProblem.notFound("Revision"));
    }

    /**
     * An RFC 6902 JSON Patch that turns the state at {@code from} into the state at {@code to}, both
     * taken as {@code {"title", "description", "content"}}.
     */
    Uni<JsonNode> diff(String owner, String id, long from, long to) {
        return revision(owner, id, from).onItem().transformToUni(older -> revision(owner, id, to)
                .onItem().transformToUni(newer -> work.run(older.contentSize + newer.contentSize,
                        () -> JsonDiff.asJson(state(older), state(newer), DiffFlags.dontNormalizeOpIntoMoveAndCopy()))));
    }

    private ObjectNode state(Revision revision) {
        ObjectNode state = JsonNodeFactory.instance.objectNode();
        state.put("title", revision.title);
        state.put("description", revision.description);
        state.set("content", codec.readStored(revision.canonical));
        return state;
    }

    /** What restoring {@code version} writes: that state's title, description and content, as stored. */
    public Uni<Draft> draft(String owner, String id, long version) {
        return revision(owner, id, version).map(revision -> Draft.of(revision.title, revision.description,
                Canonical.stored(revision.canonical, revision.contentHash), revision.textHash, config.limits()));
    }

    /** Every revision of the owner's, content included, a page at a time (an export). */
    public Multi<Object> export(String owner, int pageSize) {
        return revisions.allWithContent(owner, kept.cutoff(), pageSize).map(RevisionViews.Full::of);
    }

    /** The oldest version the session's ring still holds. */
    private long oldestKept(Session current) {
        return current.version - kept.places();
    }
}
