package io.keepsake.session;

import jakarta.enterprise.context.ApplicationScoped;

import io.keepsake.store.StoreErrors;
import io.keepsake.web.ApiProblem;
import io.keepsake.web.Idempotency;
import io.keepsake.web.Json;
import io.keepsake.web.StoredResponse;
import io.smallrye.mutiny.Uni;

/**
 * A write of a keyed state as the API answers it, whether it came alone to {@link StateResource}
 * or in a batch: the key's session id (see {@link StateIds}), then the session write.
 */
@ApplicationScoped
public class StateRequests {

    private final SessionWrites writes;
    private final SessionRequests sessions;
    private final StateIds ids;
    private final Idempotency idempotency;
    private final Json json;

    StateRequests(SessionWrites writes, SessionRequests sessions, StateIds ids, Idempotency idempotency, Json json) {
        this.writes = writes;
        this.sessions = sessions;
        this.ids = ids;
        this.idempotency = idempotency;
        this.json = json;
    }

    /**
     * {@code PUT /states/{key}}: If-None-Match: * creates only (412 when the key holds a state);
     * If-Match replaces; neither creates, and is 428 for a key that holds a state.
     */
    public Uni<StoredResponse> put(String user, String key, String ifMatch, String ifNoneMatch, String idempotencyKey,
            String clientId, byte[] body) {
        if (ifNoneMatch != null && !ifNoneMatch.trim().equals("*")) {
            throw ApiProblem.invalidField("If-None-Match", "On a PUT, If-None-Match may only be * (create only)");
        }
        return ids.id(user, key).onItem().transformToUni(id -> {
            if (ifMatch != null) {
                return sessions.replace("PUT /states", user, id, ifMatch, idempotencyKey, clientId, body);
            }
            String location = "/persistence/states/" + key;
            return writes.createState(user, id, key, body, clientId).onItem().transformToUni(create ->
                            idempotency.run(user, "PUT /states (create)", idempotencyKey, create, created -> new StoredResponse(201,
                                    location, created.etag, json.write(SessionViews.Metadata.of(created)))))
                    .onFailure(StoreErrors::isDuplicateKey).transform(taken -> ifNoneMatch != null
                            ? ApiProblem.preconditionFailed("The key already holds a state (If-None-Match: *)")
                            : ApiProblem.preconditionRequired("The key holds a state: send If-Match with its ETag (or *) to "
                                    + "replace it, so that a change made elsewhere is not overwritten"));
        });
    }

    /** {@code PATCH /states/{key}}: a merge patch, If-Match required. */
    public Uni<StoredResponse> patch(String user, String key, String ifMatch, String idempotencyKey, String clientId,
            byte[] body) {
        return ids.id(user, key).onItem().transformToUni(id -> writes.patch(user, id, ifMatch, body, clientId))
                .onItem().transformToUni(patch -> idempotency.run(user, "PATCH /states", idempotencyKey, patch,
                        sessions::written));
    }

    /** {@code DELETE /states/{key}}: 204, If-Match honoured when sent. */
    public Uni<StoredResponse> delete(String user, String key, String ifMatch, String idempotencyKey, String clientId) {
        return ids.id(user, key).onItem().transformToUni(id -> writes.deletion(user, id, ifMatch, clientId))
                .onItem().transformToUni(deletion -> idempotency.run(user, "DELETE /states", idempotencyKey, deletion,
                        deleted -> StoredResponse.noContent()));
    }
}
