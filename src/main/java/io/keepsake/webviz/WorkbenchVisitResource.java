package io.keepsake.webviz;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import io.keepsake.KeepsakeConfig;
import io.keepsake.accesslog.AccessLogFilter;
import io.keepsake.security.Caller;
import io.keepsake.web.KeepsakeApi;
import io.keepsake.web.Page;
import io.keepsake.web.PageRequest;
import io.keepsake.web.QueryParams;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;

/** The original workbench's {@code /persistence/snapshot_access_logs}: the snapshots you visited. */
@Path(WorkbenchApi.ROOT + "/snapshot_access_logs")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = WorkbenchApi.TAG, description = WorkbenchApi.TAG_DESCRIPTION)
public class WorkbenchVisitResource {

    private final WorkbenchSnapshots snapshots;
    private final Caller caller;
    private final KeepsakeConfig config;

    WorkbenchVisitResource(WorkbenchSnapshots snapshots, Caller caller, KeepsakeConfig config) {
        this.snapshots = snapshots;
        this.caller = caller;
        this.config = config;
    }

    @Operation(summary = "The snapshots you visited (original workbench)", description = "filter_snapshot_deleted "
            + "(true or false) shows live snapshots only; filter_owner_id those of one owner")
    @APIResponse(responseCode = "200", description = "{items, pageToken}")
    @APIResponse(ref = KeepsakeApi.BAD_REQUEST)
    @GET
    public Uni<Page<WorkbenchViews.VisitLog>> list(@RestQuery("page_size") String pageSize,
            @RestQuery String cursor,
            @RestQuery("sort_by") String sortBy,
            @RestQuery("sort_direction") String sortDirection,
            @RestQuery("filter_title") String filterTitle,
            @RestQuery("filter_owner_id") String ownerId,
            @RestQuery("filter_snapshot_deleted") String deleted,
            @RestQuery("filter_created_from") String createdFrom,
            @RestQuery("filter_created_to") String createdTo,
            @RestQuery("filter_last_visited_from") String lastVisitedFrom,
            @RestQuery("filter_last_visited_to") String lastVisitedTo) {
        PageRequest page = PageRequest.of(pageSize, cursor, WorkbenchQuery.sort(sortBy, WorkbenchQuery.VISIT_SORTS),
                sortDirection, AccessLogFilter.SORTABLE, AccessLogFilter.DEFAULT_SORT, config.paging());
        AccessLogFilter filter = new AccessLogFilter(QueryParams.text("filter_title", filterTitle),
                WorkbenchQuery.liveOnly(deleted),
                WorkbenchQuery.instant("filter_last_visited_from", lastVisitedFrom),
                WorkbenchQuery.instant("filter_last_visited_to", lastVisitedTo), null, null,
                QueryParams.text("filter_owner_id", ownerId),
                WorkbenchQuery.instant("filter_created_from", createdFrom),
                WorkbenchQuery.instant("filter_created_to", createdTo));
        return snapshots.visits(caller.id(), filter, page);
    }

    @Operation(summary = "Remove a snapshot from your list (original workbench)", description = "Forgets your visit "
            + "log of it; the snapshot and other users' logs stay")
    @APIResponse(responseCode = "200", description = "Forgotten")
    @APIResponse(ref = KeepsakeApi.BAD_REQUEST)
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @DELETE
    @Path("/{snapshotId}")
    public Uni<String> forget(@RestPath String snapshotId) {
        return snapshots.forgetVisits(caller.id(), snapshotId).replaceWith(WorkbenchApi.NO_RESULT);
    }
}
