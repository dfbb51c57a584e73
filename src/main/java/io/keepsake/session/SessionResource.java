package io.keepsake.session;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

import io.keepsake.web.KeepsakeApi;
import io.keepsake.KeepsakeConfig;
import io.keepsake.security.Caller;
import io.keepsake.web.EntityTags.Condition;
import io.keepsake.web.Page;
import io.keepsake.web.PageRequest;
import io.keepsake.web.QueryParams;
import io.keepsake.web.StoredResponse;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;

/** {@code /persistence/sessions}: HTTP in, one service call, HTTP out. */
@Path("/persistence/sessions")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Sessions", description = "A user's private, editable workbench state")
public class SessionResource {

    static final String MERGE_PATCH = "application/merge-patch+json";
    /** Sessions are private and change: caches must revalidate every time. */
    static final String CACHE_CONTROL = "private, no-cache";

    private final SessionService service;
    private final SessionRequests requests;
    private final SessionReads reads;
    private final Caller caller;
    private final KeepsakeConfig config;

    public SessionResource(SessionService service, SessionRequests requests, SessionReads reads, Caller caller,
            KeepsakeConfig config) {
        this.service = service;
        this.requests = requests;
        this.reads = reads;
        this.caller = caller;
        this.config = config;
    }

    @Operation(summary = "Create a session", description = "Honours Idempotency-Key: a replay gets the first answer, "
            + "not a second session")
    @APIResponse(responseCode = "201", description = "Created: the session's metadata",
            headers = {
                @Header(name = HttpHeaders.LOCATION, description = "The new session's path",
                        schema = @Schema(type = SchemaType.STRING)),
                @Header(name = HttpHeaders.ETAG, description = "Its entity tag, for If-Match",
                        schema = @Schema(type = SchemaType.STRING))},
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = SessionViews.Metadata.class)))
    @APIResponse(ref = KeepsakeApi.TOO_MANY)
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(@RequestBody(ref = KeepsakeApi.SESSION_BODY) byte[] body,
            @RestHeader(KeepsakeApi.IDEMPOTENCY_KEY) String idempotencyKey,
            @RestHeader(KeepsakeApi.CLIENT_ID) String clientId) {
        return requests.create(caller.id(), body, idempotencyKey, clientId).map(StoredResponse::toResponse);
    }

    @Operation(summary = "List your sessions")
    @APIResponse(responseCode = "200", description = "A page of metadata")
    @APIResponse(ref = KeepsakeApi.BAD_REQUEST)
    @GET
    public Uni<Page<SessionViews.Metadata>> list(@RestQuery("page_size") String pageSize,
            @RestQuery String cursor,
            @RestQuery("sort_by") String sortBy,
            @RestQuery("sort_direction") String sortDirection,
            @RestQuery("filter_title") String filterTitle,
            @RestQuery("filter_description") String filterDescription,
            @RestQuery("filter_updated_from") String updatedFrom,
            @RestQuery("filter_updated_to") String updatedTo,
            @RestQuery("filter_created_from") String createdFrom,
            @RestQuery("filter_created_to") String createdTo) {
        PageRequest page = PageRequest.of(pageSize, cursor, sortBy, sortDirection, SessionFilter.SORTABLE,
                SessionFilter.DEFAULT_SORT, config.paging());
        SessionFilter filter = new SessionFilter(QueryParams.text("filter_title", filterTitle), QueryParams.text("filter_description", filterDescription),
                QueryParams.instant("filter_updated_from", updatedFrom), QueryParams.instant("filter_updated_to", updatedTo),
                QueryParams.instant("filter_created_from", createdFrom), QueryParams.instant("filter_created_to", createdTo));
        return service.list(caller.id(), filter, page);
    }

    @Operation(summary = "Read a session with its content")
    @APIResponse(responseCode = "200", description = "The session, with its ETag",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SessionViews.Full.class)))
    @APIResponse(ref = KeepsakeApi.NOT_MODIFIED)
    @APIResponse(ref = KeepsakeApi.BAD_REQUEST)
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @GET
    @Path("/{id}")
    public Uni<RestResponse<byte[]>> get(@RestPath String id,
            @RestHeader(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        // The JSON as it was written out once (and maybe kept): no per-request serialisation.
        return reads.get(caller.id(), id, Condition.parse(ifNoneMatch)).map(read -> read(read, read.json()));
    }

    @Operation(summary = "Read a session's metadata (the polling target)")
    @APIResponse(responseCode = "200", description = "Metadata, with its ETag")
    @APIResponse(ref = KeepsakeApi.NOT_MODIFIED)
    @APIResponse(ref = KeepsakeApi.BAD_REQUEST)
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @GET
    @Path("/metadata/{id}")
    public Uni<RestResponse<SessionViews.Metadata>> metadata(@RestPath String id,
            @RestHeader(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        return reads.metadata(caller.id(), id, Condition.parse(ifNoneMatch))
                .map(read -> read(read, read.notModified() ? null : SessionViews.Metadata.of(read.session())));
    }

    @Operation(summary = "Replace title, description and content",
            description = "Honours Idempotency-Key: a replay of a write that succeeded gets its first answer")
    @APIResponse(responseCode = "200", description = "The new metadata and ETag",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SessionViews.Metadata.class)))
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @APIResponse(ref = KeepsakeApi.PRECONDITION_FAILED)
    @APIResponse(ref = KeepsakeApi.PRECONDITION_REQUIRED)
    @APIResponse(ref = KeepsakeApi.TOO_MANY)
    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> replace(@RestPath String id, @RestHeader(HttpHeaders.IF_MATCH) String ifMatch,
            @RestHeader(KeepsakeApi.IDEMPOTENCY_KEY) String idempotencyKey,
            @RestHeader(KeepsakeApi.CLIENT_ID) String clientId, @RequestBody(ref = KeepsakeApi.SESSION_BODY) byte[] body) {
        return requests.replace(caller.id(), id, ifMatch, idempotencyKey, clientId, body).map(StoredResponse::toResponse);
    }

    @Operation(summary = "Change a session with a JSON merge patch",
            description = "Honours Idempotency-Key: a replay of a write that succeeded gets its first answer")
    @APIResponse(responseCode = "200", description = "The new metadata and ETag",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SessionViews.Metadata.class)))
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @APIResponse(ref = KeepsakeApi.PRECONDITION_FAILED)
    @APIResponse(ref = KeepsakeApi.PRECONDITION_REQUIRED)
    @APIResponse(ref = KeepsakeApi.TOO_MANY)
    @PATCH
    @Path("/{id}")
    @Consumes({MERGE_PATCH, MediaType.APPLICATION_JSON})
    public Uni<Response> patch(@RestPath String id, @RestHeader(HttpHeaders.IF_MATCH) String ifMatch,
            @RestHeader(KeepsakeApi.IDEMPOTENCY_KEY) String idempotencyKey,
            @RestHeader(KeepsakeApi.CLIENT_ID) String clientId, @RequestBody(ref = KeepsakeApi.PATCH_BODY) byte[] body) {
        return requests.patch(caller.id(), id, ifMatch, idempotencyKey, clientId, body).map(StoredResponse::toResponse);
    }

    @Operation(summary = "Restore a past version as a new version",
            description = "Writes the title, description and content the session had at {version} (a revision, see "
                    + "History) as its next version, announced like any save. If-Match is required; honours Idempotency-Key.")
    @APIResponse(responseCode = "200", description = "The new metadata and ETag",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SessionViews.Metadata.class)))
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @APIResponse(ref = KeepsakeApi.PRECONDITION_FAILED)
    @APIResponse(ref = KeepsakeApi.PRECONDITION_REQUIRED)
    @APIResponse(ref = KeepsakeApi.TOO_MANY)
    @POST
    @Path("/{id}/revisions/{version}/restore")
    public Uni<Response> restore(@RestPath String id, @RestPath String version,
            @RestHeader(HttpHeaders.IF_MATCH) String ifMatch, @RestHeader(KeepsakeApi.IDEMPOTENCY_KEY) String idempotencyKey,
            @RestHeader(KeepsakeApi.CLIENT_ID) String clientId) {
        return requests.restore(caller.id(), id, version, ifMatch, idempotencyKey, clientId).map(StoredResponse::toResponse);
    }

    @Operation(summary = "Delete a session", description = "Honours Idempotency-Key")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(ref = KeepsakeApi.BAD_REQUEST)
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @APIResponse(ref = KeepsakeApi.PRECONDITION_FAILED)
    @APIResponse(ref = KeepsakeApi.TOO_MANY)
    @DELETE
    @Path("/{id}")
    public Uni<Response> delete(@RestPath String id, @RestHeader(HttpHeaders.IF_MATCH) String ifMatch,
            @RestHeader(KeepsakeApi.IDEMPOTENCY_KEY) String idempotencyKey,
            @RestHeader(KeepsakeApi.CLIENT_ID) String clientId) {
        return requests.delete(caller.id(), id, ifMatch, idempotencyKey, clientId).map(StoredResponse::toResponse);
    }

    private static <T> RestResponse<T> read(SessionReads.Read read, T body) {
        RestResponse.ResponseBuilder<T> builder = read.notModified()
                ? RestResponse.ResponseBuilder.<T>notModified()
                : RestResponse.ResponseBuilder.ok(body);
        return builder.header(HttpHeaders.ETAG, read.etag()).header(HttpHeaders.CACHE_CONTROL, CACHE_CONTROL).build();
    }

}
