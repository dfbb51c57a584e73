package io.keepsake.webviz;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import io.keepsake.KeepsakeConfig;
import io.keepsake.security.Caller;
import io.keepsake.snapshot.SnapshotFilter;
import io.keepsake.web.Json;
import io.keepsake.web.KeepsakeApi;
import io.keepsake.web.Page;
import io.keepsake.web.PageRequest;
import io.keepsake.web.QueryParams;
import io.keepsake.web.RateLimiter;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;

/** The original workbench's {@code /persistence/snapshots} calls, in its shapes. */
@Path(WorkbenchApi.ROOT + "/snapshots")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = WorkbenchApi.TAG, description = WorkbenchApi.TAG_DESCRIPTION)
public class WorkbenchSnapshotResource {

    private final WorkbenchSnapshots snapshots;
    private final RateLimiter rateLimiter;
    private final Caller caller;
    private final Json codec;
    private final KeepsakeConfig config;

    WorkbenchSnapshotResource(WorkbenchSnapshots snapshots, RateLimiter rateLimiter, Caller caller, Json codec,
            KeepsakeConfig config) {
        this.config = config;
        this.snapshots = snapshots;
        this.rateLimiter = rateLimiter;
        this.caller = caller;
        this.codec = codec;
    }

    @Operation(summary = "Create a snapshot (original workbench)", description = "Counts as the creator's visit; "
            + "answers with the new id as a JSON string")
    @APIResponse(responseCode = "200", description = "The new snapshot's id")
    @APIResponse(ref = KeepsakeApi.TOO_MANY)
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = WorkbenchViews.DraftBody.class),
            examples = @ExampleObject(name = "snapshot", value = WorkbenchApi.EXAMPLE)))
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<String> create(byte[] body, @RestHeader(KeepsakeApi.CLIENT_ID) String clientId) {
        return snapshots.create(caller.id(), body, clientId).map(codec::write);
    }

    @Operation(summary = "Your snapshots (original workbench)", description = "Metadata without content; sort_by "
            + "created_at (default, newest first), updated_at (the same: snapshots never change), title or title_lower; "
            + "filter_title (contains, any case), filter_created_from/to")
    @APIResponse(responseCode = "200", description = "{items, pageToken}")
    @APIResponse(ref = KeepsakeApi.BAD_REQUEST)
    @GET
    public Uni<Page<WorkbenchViews.SnapshotMetadata>> list(@RestQuery("page_size") String pageSize,
            @RestQuery String cursor,
            @RestQuery("sort_by") String sortBy,
            @RestQuery("sort_direction") String sortDirection,
            @RestQuery("filter_title") String filterTitle,
            @RestQuery("filter_created_from") String createdFrom,
            @RestQuery("filter_created_to") String createdTo) {
        PageRequest page = PageRequest.of(pageSize, cursor, WorkbenchQuery.sort(sortBy, WorkbenchQuery.SNAPSHOT_SORTS),
                sortDirection, SnapshotFilter.SORTABLE, SnapshotFilter.DEFAULT_SORT, config.paging());
        SnapshotFilter filter = new SnapshotFilter(QueryParams.text("filter_title", filterTitle), null,
                WorkbenchQuery.instant("filter_created_from", createdFrom),
                WorkbenchQuery.instant("filter_created_to", createdTo));
        return snapshots.list(caller.id(), filter, page);
    }

    @Operation(summary = "Open any snapshot (original workbench)", description = "{metadata, content}; counts a visit")
    @APIResponse(responseCode = "200", description = "The snapshot")
    @APIResponse(ref = KeepsakeApi.BAD_REQUEST)
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @APIResponse(ref = KeepsakeApi.TOO_MANY)
    @GET
    @Path("/{id}")
    public Uni<WorkbenchViews.FullSnapshot> read(@RestPath String id) {
        String user = caller.id();
        rateLimiter.acquire(user, RateLimiter.Kind.SNAPSHOT_READ);
        return snapshots.read(user, id);
    }

    @Operation(summary = "Delete your snapshot (original workbench)")
    @APIResponse(responseCode = "200", description = "Deleted")
    @APIResponse(ref = KeepsakeApi.BAD_REQUEST)
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @DELETE
    @Path("/{id}")
    public Uni<String> delete(@RestPath String id, @RestHeader(KeepsakeApi.CLIENT_ID) String clientId) {
        return snapshots.delete(caller.id(), id, clientId).replaceWith(WorkbenchApi.NO_RESULT);
    }
}
