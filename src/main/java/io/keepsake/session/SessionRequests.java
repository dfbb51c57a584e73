package io.keepsake.session;

import jakarta.enterprise.context.ApplicationScoped;

import io.keepsake.history.RevisionResource;
import io.keepsake.web.Idempotency;
import io.keepsake.web.Json;
import io.keepsake.web.StoredResponse;
import io.smallrye.mutiny.Uni;

/**
 * A session write as the API answers it (status, Location, ETag, body), whether it came alone to
 * {@link SessionResource} or in a batch: the same write, the same Idempotency-Key record, the same answer.
 */
@ApplicationScoped
public class SessionRequests {

    private final SessionWrites writes;
    private final Idempotency idempotency;
    private final Json json;

    SessionRequests(SessionWrites writes, Idempotency idempotency, Json json) {
        this.writes = writes;
        this.idempotency = idempotency;
        this.json = json;
    }

    /** {@code POST /sessions}: 201 with Location, ETag and the metadata. */
    public Uni<StoredResponse> create(String user, byte[] body, String idempotencyKey, String clientId) {
        return writes.create(user, body, clientId).onItem().transformToUni(create -> idempotency.run(user,
                "POST /sessions", idempotencyKey, create, created -> new StoredResponse(201,
                        "/persistence/sessions/" + created.id, created.etag, json.write(SessionViews.Metadata.of(created)))));
    }

    /** {@code PUT /sessions/{id}}: 200 with the new metadata and ETag. */
    public Uni<StoredResponse> replace(String user, String id, String ifMatch, String idempotencyKey, String clientId,
            byte[] body) {
        return replace("PUT /sessions", user, id, ifMatch, idempotencyKey, clientId, body);
    }

    /** A replace under the Idempotency-Key operation of its surface (a keyed state's is its own). */
    Uni<StoredResponse> replace(String operation, String user, String id, String ifMatch, String idempotencyKey,
            String clientId, byte[] body) {
        return writes.replace(user, id, ifMatch, body, clientId).onItem().transformToUni(replace ->
                idempotency.run(user, operation, idempotencyKey, replace, this::written));
    }

    /** {@code PATCH /sessions/{id}}: 200 with the new metadata and ETag. */
    public Uni<StoredResponse> patch(String user, String id, String ifMatch, String idempotencyKey, String clientId,
            byte[] body) {
        return writes.patch(user, id, ifMatch, body, clientId).onItem().transformToUni(patch ->
                idempotency.run(user, "PATCH /sessions", idempotencyKey, patch, this::written));
    }

    /** {@code POST /sessions/{id}/revisions/{version}/restore}: 200 with the new metadata and ETag. */
    public Uni<StoredResponse> restore(String user, String id, String version, String ifMatch, String idempotencyKey,
            String clientId) {
        return writes.restore(user, id, ifMatch, RevisionResource.version("version", version), clientId)
                .onItem().transformToUni(restore -> idempotency.run(user, "POST /sessions/revisions/restore",
                        idempotencyKey, restore, this::written));
    }

    /** {@code DELETE /sessions/{id}}: 204. */
    public Uni<StoredResponse> delete(String user, String id, String ifMatch, String idempotencyKey, String clientId) {
        return writes.deletion(user, id, ifMatch, clientId).onItem().transformToUni(deletion -> idempotency.run(user,
                "DELETE /sessions", idempotencyKey, deletion, deleted -> StoredResponse.noContent()));
    }

    /** A write's answer: the new metadata and its tag. */
    StoredResponse written(Session session) {
        return new StoredResponse(200, null, session.etag, json.write(SessionViews.Metadata.of(session)));
    }
}
