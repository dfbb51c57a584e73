package io.keepsake.session;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

import io.keepsake.KeepsakeConfig;
import io.keepsake.security.Caller;
import io.keepsake.web.EntityTags.Condition;
import io.keepsake.web.KeepsakeApi;
import io.keepsake.web.Page;
import io.keepsake.web.PageRequest;
import io.keepsake.web.StoredResponse;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;

/**
 * {@code /persistence/states/{key}}: an app's state under a key of its own (e.g.
 * {@code dashboard:42}), unique per user. It is a session in everything else (hashes, conditional
 * writes, notices, history, idle lifetime, quotas, export, erase), whose id is derived from the
 * owner and the key (see {@link StateIds}); it shows in the session list with its {@code key}.
 */
@Path("/persistence/states")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "States", description = "An app's state under a key of its own: a session addressed by that key")
public class StateResource {

    private final SessionService service;
    private final StateRequests requests;
    private final SessionReads reads;
    private final StateIds ids;
    private final Caller caller;
    private final KeepsakeConfig config;

    public StateResource(SessionService service, StateRequests requests, SessionReads reads, StateIds ids, Caller caller,
            KeepsakeConfig config) {
        this.service = service;
        this.requests = requests;
        this.reads = reads;
        this.ids = ids;
        this.caller = caller;
        this.config = config;
    }

    @Operation(summary = "Create or replace the state under a key",
            description = "If-None-Match: * creates only (412 if the key holds a state); If-Match with its ETag, or *, "
                    + "replaces (412 when stale, 404 when there is none); neither creates a state that does not exist yet "
                    + "and is 428 for one that does. Honours Idempotency-Key.")
    @APIResponse(responseCode = "201", description = "Created: its metadata, with Location and ETag")
    @APIResponse(responseCode = "200", description = "Replaced: the new metadata and ETag")
    @APIResponse(ref = KeepsakeApi.PRECONDITION_FAILED)
    @APIResponse(ref = KeepsakeApi.PRECONDITION_REQUIRED)
    @PUT
    @Path("/{key}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> put(@RestPath String key, @RestHeader(HttpHeaders.IF_MATCH) String ifMatch,
            @RestHeader(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch,
            @RestHeader(KeepsakeApi.IDEMPOTENCY_KEY) String idempotencyKey,
            @RestHeader(KeepsakeApi.CLIENT_ID) String clientId,
            @RequestBody(ref = KeepsakeApi.SESSION_BODY, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    examples = @ExampleObject(name = "layout", value = "{\"title\":\"Dashboard 42\",\"content\":{\"panels\":[\"map\","
                            + "\"wells\"]},\"idleLifetime\":\"PT24H\"}"))) byte[] body) {
        return requests.put(caller.id(), key, ifMatch, ifNoneMatch, idempotencyKey, clientId, body)
                .map(StoredResponse::toResponse);
    }

    @Operation(summary = "Read the state under a key, content included")
    @APIResponse(responseCode = "200", description = "The state (a session, with its key), with its ETag")
    @APIResponse(ref = KeepsakeApi.NOT_MODIFIED)
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @GET
    @Path("/{key}")
    public Uni<RestResponse<byte[]>> get(@RestPath String key, @RestHeader(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        String user = caller.id();
        return ids.id(user, key).onItem().transformToUni(id -> reads.get(user, id, Condition.parse(ifNoneMatch)))
                .map(read -> {
                    RestResponse.ResponseBuilder<byte[]> builder = read.notModified()
                            ? RestResponse.ResponseBuilder.notModified() : RestResponse.ResponseBuilder.ok(read.json());
                    return builder.header(HttpHeaders.ETAG, read.etag())
                            .header(HttpHeaders.CACHE_CONTROL, SessionResource.CACHE_CONTROL).build();
                });
    }

    @Operation(summary = "Change the state under a key with a JSON merge patch", description = "If-Match required")
    @APIResponse(responseCode = "200", description = "The new metadata and ETag")
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @APIResponse(ref = KeepsakeApi.PRECONDITION_FAILED)
    @APIResponse(ref = KeepsakeApi.PRECONDITION_REQUIRED)
    @PATCH
    @Path("/{key}")
    @Consumes({SessionResource.MERGE_PATCH, MediaType.APPLICATION_JSON})
    public Uni<Response> patch(@RestPath String key, @RestHeader(HttpHeaders.IF_MATCH) String ifMatch,
            @RestHeader(KeepsakeApi.IDEMPOTENCY_KEY) String idempotencyKey,
            @RestHeader(KeepsakeApi.CLIENT_ID) String clientId, @RequestBody(ref = KeepsakeApi.PATCH_BODY) byte[] body) {
        return requests.patch(caller.id(), key, ifMatch, idempotencyKey, clientId, body).map(StoredResponse::toResponse);
    }

    @Operation(summary = "Delete the state under a key", description = "If-Match honoured when sent")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @APIResponse(ref = KeepsakeApi.PRECONDITION_FAILED)
    @DELETE
    @Path("/{key}")
    public Uni<Response> delete(@RestPath String key, @RestHeader(HttpHeaders.IF_MATCH) String ifMatch,
            @RestHeader(KeepsakeApi.IDEMPOTENCY_KEY) String idempotencyKey,
            @RestHeader(KeepsakeApi.CLIENT_ID) String clientId) {
        return requests.delete(caller.id(), key, ifMatch, idempotencyKey, clientId).map(StoredResponse::toResponse);
    }

    @Operation(summary = "List your keyed states", description = "Paged like the session list; each item has its key")
    @APIResponse(responseCode = "200", description = "A page of metadata")
    @GET
    public Uni<Page<SessionViews.Metadata>> list(@RestQuery("page_size") String pageSize, @RestQuery String cursor,
            @RestQuery("sort_by") String sortBy, @RestQuery("sort_direction") String sortDirection) {
        PageRequest page = PageRequest.of(pageSize, cursor, sortBy, sortDirection, SessionFilter.SORTABLE,
                SessionFilter.DEFAULT_SORT, config.paging());
        return service.list(caller.id(), SessionFilter.states(), page);
    }
}
