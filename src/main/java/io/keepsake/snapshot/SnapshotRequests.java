package io.keepsake.snapshot;

import jakarta.enterprise.context.ApplicationScoped;

import io.keepsake.web.Idempotency;
import io.keepsake.web.Json;
import io.keepsake.web.StoredResponse;
import io.smallrye.mutiny.Uni;

/**
 * A snapshot create as the API answers it, whether it came alone to {@link SnapshotResource} or in
 * a batch: the same Idempotency-Key record, 201 with Location, ETag and the metadata.
 */
@ApplicationScoped
public class SnapshotRequests {

    private final SnapshotService service;
    private final Idempotency idempotency;
    private final Json json;

    SnapshotRequests(SnapshotService service, Idempotency idempotency, Json json) {
        this.service = service;
        this.idempotency = idempotency;
        this.json = json;
    }

    /** {@code POST /snapshots}. */
    public Uni<StoredResponse> create(String user, byte[] body, String idempotencyKey, String clientId) {
        return service.create(user, body, clientId).onItem().transformToUni(create -> idempotency.run(user,
                "POST /snapshots", idempotencyKey, create, created -> new StoredResponse(201,
                        "/persistence/snapshots/" + created.id, created.etag(),
                        json.write(SnapshotViews.Metadata.of(created, service.shareUrl(created.id))))));
    }
}
