package io.keepsake.snapshot;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
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
import io.keepsake.web.RateLimiter;
import io.keepsake.web.StoredResponse;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;

/** {@code /persistence/snapshots}: create and list your own, read anyone's, delete your own. */
@Path("/persistence/snapshots")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Snapshots", description = "Immutable copies of workbench state, shared by URL")
public class SnapshotResource {

    private final SnapshotService service;
    private final RateLimiter rateLimiter;
    private final Caller caller;
    private final KeepsakeConfig config;
    private final String cacheControl;
    private final SnapshotRequests requests;

    public SnapshotResource(SnapshotService service, SnapshotRequests requests, RateLimiter rateLimiter, Caller caller,
            KeepsakeConfig config) {
        this.requests = requests;
        this.service = service;
        this.rateLimiter = rateLimiter;
        this.caller = caller;
        this.config = config;
        this.cacheControl = "private, max-age=" + config.snapshots().cacheMaxAge().toSeconds() + ", immutable";
    }

    @Operation(summary = "Create a snapshot from a body or from one of your sessions",
            description = "Honours Idempotency-Key: a replay gets the first answer, not a second snapshot")
    @APIResponse(responseCode = "201", description = "Created: its metadata, with its shareUrl",
            headers = @Header(name = HttpHeaders.LOCATION, description = "The new snapshot's path",
                    schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = SnapshotViews.Metadata.class)))
    @APIResponse(ref = KeepsakeApi.BAD_REQUEST)
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @APIResponse(ref = KeepsakeApi.TOO_MANY)
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(@RequestBody(ref = KeepsakeApi.SNAPSHOT_BODY) byte[] body,
            @RestHeader(KeepsakeApi.IDEMPOTENCY_KEY) String idempotencyKey,
            @RestHeader(KeepsakeApi.CLIENT_ID) String clientId) {
        return requests.create(caller.id(), body, idempotencyKey, clientId).map(StoredResponse::toResponse);
    }

    @Operation(summary = "List your snapshots")
    @APIResponse(responseCode = "200", description = "A page of metadata")
    @APIResponse(ref = KeepsakeApi.BAD_REQUEST)
    @GET
    public Uni<Page<SnapshotViews.Metadata>> list(@RestQuery("page_size") String pageSize,
            @RestQuery String cursor,
            @RestQuery("sort_by") String sortBy,
            @RestQuery("sort_direction") String sortDirection,
            @RestQuery("filter_title") String filterTitle,
            @RestQuery("filter_description") String filterDescription,
            @RestQuery("filter_created_from") String createdFrom,
            @RestQuery("filter_created_to") String createdTo) {
        PageRequest page = PageRequest.of(pageSize, cursor, sortBy, sortDirection, SnapshotFilter.SORTABLE,
                SnapshotFilter.DEFAULT_SORT, config.paging());
        SnapshotFilter filter = new SnapshotFilter(QueryParams.text("filter_title", filterTitle), QueryParams.text("filter_description", filterDescription),
                QueryParams.instant("filter_created_from", createdFrom), QueryParams.instant("filter_created_to", createdTo));
        return service.list(caller.id(), filter, page);
    }

    @Operation(summary = "Read any snapshot (counts a visit)")
    @APIResponse(responseCode = "200", description = "The snapshot, with its ETag and immutable caching headers")
    @APIResponse(ref = KeepsakeApi.NOT_MODIFIED)
    @APIResponse(ref = KeepsakeApi.BAD_REQUEST)
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @APIResponse(ref = KeepsakeApi.GONE)
    @APIResponse(ref = KeepsakeApi.TOO_MANY)
    @GET
    @Path("/{id}")
    public Uni<RestResponse<SnapshotViews.Full>> read(@RestPath String id,
            @RestHeader(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        String user = caller.id();
        rateLimiter.acquire(user, RateLimiter.Kind.SNAPSHOT_READ);
        return service.read(user, id, Condition.parse(ifNoneMatch)).map(read -> {
            Snapshot snapshot = read.snapshot();
            RestResponse.ResponseBuilder<SnapshotViews.Full> builder = read.notModified()
                    ? RestResponse.ResponseBuilder.notModified()
                    : RestResponse.ResponseBuilder.ok(SnapshotViews.Full.of(snapshot, service.shareUrl(snapshot.id)));
            return builder.header(HttpHeaders.ETAG, snapshot.etag()).header(HttpHeaders.CACHE_CONTROL, cacheControl)
                    .build();
        });
    }

    @Operation(summary = "Read a snapshot's metadata (with visit counts for its owner)")
    @APIResponse(responseCode = "200", description = "Metadata")
    @APIResponse(ref = KeepsakeApi.BAD_REQUEST)
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @APIResponse(ref = KeepsakeApi.GONE)
    @GET
    @Path("/metadata/{id}")
    public Uni<SnapshotViews.Metadata> metadata(@RestPath String id) {
        return service.metadata(caller.id(), id);
    }

    @Operation(summary = "Delete your snapshot")
    @APIResponse(responseCode = "204", description = "Deleted; its access logs are marked in the background")
    @APIResponse(ref = KeepsakeApi.BAD_REQUEST)
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @DELETE
    @Path("/{id}")
    public Uni<RestResponse<Void>> delete(@RestPath String id, @RestHeader(KeepsakeApi.CLIENT_ID) String clientId) {
        return service.delete(caller.id(), id, clientId).map(done -> RestResponse.noContent());
    }
}
