package io.keepsake.session;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.keepsake.KeepsakeConfig;
import io.keepsake.content.Draft;
import io.keepsake.hashing.CanonicalJson;
import io.keepsake.store.Ids;
import io.keepsake.web.ApiProblem;
import io.keepsake.web.BodyWork;
import io.keepsake.web.EntityTags.Condition;
import io.keepsake.web.Json;
import io.keepsake.web.JsonBodies;
import io.keepsake.web.Keyed;
import io.keepsake.web.MergePatch;
import io.smallrye.mutiny.Uni;

/**
 * JSON merge patches of sessions (RFC 7396): the session is read (or taken from what this instance
 * holds under the tag If-Match names), the patch applied to its title, description and content,
 * and the result written conditionally like any save.
 */
@ApplicationScoped
class SessionPatches {

    private static final Set<String> LIFETIME_AND_DRAFT = Set.of("title", "description", "content", IdleLifetime.FIELD);

    private final SessionRepository sessions;
    private final SessionTags tags;
    private final ConditionalWrites writes;
    private final JsonBodies json;
    private final Json codec;
    private final BodyWork work;
    private final KeepsakeConfig config;

    SessionPatches(SessionRepository sessions, SessionTags tags, ConditionalWrites writes, JsonBodies json, Json codec,
            BodyWork work, KeepsakeConfig config) {
        this.sessions = sessions;
        this.tags = tags;
        this.writes = writes;
        this.json = json;
        this.codec = codec;
        this.work = work;
        this.config = config;
    }

    /** A merge patch, prepared for its Idempotency-Key; it returns the new metadata. */
    Uni<Keyed<Session>> patch(String owner, String id, String ifMatch, byte[] body, String origin) {
        Ids.require(id);
        Condition condition = SessionService.required(ifMatch);
        return work.run(body.length, () -> {
            JsonNode patch = json.object(body);
            Draft.onlyFields(patch, LIFETIME_AND_DRAFT);
            return patch;
        }).map(patch -> Keyed.answered(SessionService.fingerprint(id, ifMatch, CanonicalJson.of(patch).sha256()),
                (keyId, fingerprint) -> writes.noticed(owner, id, origin, patched(owner, id, condition)
                        .onItem().transformToUni(current -> {
                            if (!condition.matchesStrong(current.etag)) {
                                Session answered = KeyedAnswer.find(current, KeyedAnswer.Key.of(keyId, fingerprint));
                                return answered != null ? Uni.createFrom().item(answered)
                                        : Uni.createFrom().failure(ConditionalWrites.stale(current));
                            }
                            IdleLifetime lifetime = IdleLifetime.take(((ObjectNode) patch).deepCopy(), true);
                            return work.run(body.length + current.contentSize, () -> merged(current, patch))
                                    .onItem().transformToUni(draft -> writes.write(owner, id, current, draft, lifetime,
                                            KeyedAnswer.Key.of(keyId, fingerprint), origin));
                        }))));
    }

    /**
     * The session to patch: held here under the one tag If-Match names (written or read by this
     * instance; the write is conditional on that tag, so it is exact however old), else read.
     */
    private Uni<Session> patched(String owner, String id, Condition condition) {
        Session held = !condition.any() && condition.strong().size() == 1
                ? tags.state(owner, id, condition.strong().get(0)) : null;
        return held != null ? Uni.createFrom().item(held) : sessions.findOwned(id, owner).map(SessionService::orNotFound);
    }

    private Draft merged(Session current, JsonNode patch) {
        if (patch.has("title") && patch.get("title").isNull()) {
            throw ApiProblem.invalidField("title", "title cannot be removed");
        }
        if (patch.has("content") && patch.get("content").isNull()) {
            throw ApiProblem.invalidField("content", "content cannot be removed; PUT a JSON null to store null");
        }
        String title = patch.has("title") ? Draft.text(patch, "title", true) : current.title;
        String description = patch.has("description") ? Draft.text(patch, "description", false) : current.description;
        JsonNode stored = codec.readStored(current.contentBytes());
        JsonNode content = patch.has("content") ? MergePatch.apply(stored, patch.get("content")) : stored;
        return Draft.of(title, description, content, current.contentSize, config.limits());
    }
}
