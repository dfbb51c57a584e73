package io.keepsake.sync;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestHeader;

import io.keepsake.security.Caller;
import io.keepsake.web.KeepsakeApi;
import io.keepsake.web.StoredResponse;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;

/** {@code /persistence/batch}: an offline queue's writes in one request, run in order. */
@Path("/persistence/batch")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Sync", description = "Writes sent together, as an offline-first app catches up")
public class BatchResource {

    private final Batches batches;
    private final Caller caller;

    public BatchResource(Batches batches, Caller caller) {
        this.batches = batches;
        this.caller = caller;
    }

    @Operation(summary = "Run up to 100 writes in order",
            description = "Each operation is what a single request would be (creates, saves, merge patches and deletes of "
                    + "sessions and keyed states, creates of snapshots), with its own If-Match and Idempotency-Key, and runs "
                    + "through the same rules (write rate, quotas, conditional writes, notices, history). $n in a path, "
                    + "If-Match or a snapshot's sessionId stands for operation n's created id or answered ETag; an operation "
                    + "whose reference failed gets 424. One failure does not stop the rest unless stopOnError is true (then "
                    + "they get 424). A batch sent with its own Idempotency-Key and replayed gets the same results.")
    @APIResponse(responseCode = "200", description = "One result per operation, in order, failures included",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = BatchViews.Results.class),
                    examples = @ExampleObject(name = "createThenSave", value = "{\"results\":["
                            + "{\"status\":201,\"headers\":{\"ETag\":\"\\\"1-5f0c…\\\"\",\"Location\":\"/persistence/sessions/"
                            + "Xy3_9aB-c0dE\"},\"body\":{\"id\":\"Xy3_9aB-c0dE\",\"title\":\"Field review\",\"version\":1}},"
                            + "{\"status\":200,\"headers\":{\"ETag\":\"\\\"2-a41b…\\\"\"},\"body\":{\"id\":\"Xy3_9aB-c0dE\","
                            + "\"title\":\"Field review\",\"version\":2}},"
                            + "{\"status\":412,\"headers\":{},\"body\":{\"title\":\"Precondition Failed\",\"status\":412,"
                            + "\"detail\":\"The session has changed since the version named in If-Match\","
                            + "\"instance\":\"/persistence/sessions/Q8_2mPz-4kLr\"}},"
                            + "{\"status\":424,\"headers\":{},\"body\":{\"title\":\"Failed Dependency\",\"status\":424,"
                            + "\"detail\":\"Operation 4 depends on operation 3, which failed (412)\","
                            + "\"instance\":\"/persistence/sessions/$3\",\"dependsOn\":3}}]}")))
    @APIResponse(ref = KeepsakeApi.TOO_LARGE)
    @APIResponse(ref = KeepsakeApi.TOO_MANY)
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> run(@RequestBody(required = true, description = "The operations, in the order to run them",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = BatchViews.Request.class),
                    examples = @ExampleObject(name = "createThenSave", value = "{\"operations\":["
                            + "{\"method\":\"POST\",\"path\":\"/sessions\",\"headers\":{\"Idempotency-Key\":\"q-101\"},"
                            + "\"body\":{\"title\":\"Field review\",\"content\":{\"zoom\":1}}},"
                            + "{\"method\":\"PUT\",\"path\":\"/sessions/$1\",\"headers\":{\"If-Match\":\"$1\","
                            + "\"Idempotency-Key\":\"q-102\"},\"body\":{\"title\":\"Field review\",\"content\":{\"zoom\":2}}},"
                            + "{\"method\":\"PATCH\",\"path\":\"/sessions/Q8_2mPz-4kLr\",\"headers\":{\"If-Match\":"
                            + "\"\\\"3-77de…\\\"\"},\"body\":{\"description\":\"Q3\"}},"
                            + "{\"method\":\"DELETE\",\"path\":\"/sessions/$3\"}],\"stopOnError\":false}"))) byte[] body,
            @RestHeader(KeepsakeApi.IDEMPOTENCY_KEY) String idempotencyKey,
            @RestHeader(KeepsakeApi.CLIENT_ID) String clientId) {
        return batches.run(caller.id(), body, idempotencyKey, clientId).map(StoredResponse::toResponse);
    }
}
