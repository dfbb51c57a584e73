package io.keepsake.accesslog;

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
import org.jboss.resteasy.reactive.RestResponse;

import io.keepsake.web.KeepsakeApi;
import io.keepsake.KeepsakeConfig;
import io.keepsake.security.Caller;
import io.keepsake.store.Ids;
import io.keepsake.web.ApiProblem;
import io.keepsake.web.Page;
import io.keepsake.web.PageRequest;
import io.keepsake.web.QueryParams;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;

/** {@code /persistence/snapshot_access_logs}: the snapshots the caller has visited. */
@Path("/persistence/snapshot_access_logs")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Access logs", description = "The snapshots you visited")
public class AccessLogResource {

    private final AccessLogs logs;
    private final Caller caller;
    private final KeepsakeConfig config;

    public AccessLogResource(AccessLogs logs, Caller caller, KeepsakeConfig config) {
        this.logs = logs;
        this.caller = caller;
        this.config = config;
    }

    @Operation(summary = "List the snapshots you visited")
    @APIResponse(responseCode = "200", description = "A page of access logs")
    @APIResponse(ref = KeepsakeApi.BAD_REQUEST)
    @GET
    public Uni<Page<AccessLogView>> list(@RestQuery("page_size") String pageSize,
            @RestQuery String cursor,
            @RestQuery("sort_by") String sortBy,
            @RestQuery("sort_direction") String sortDirection,
            @RestQuery("filter_title") String filterTitle,
            @RestQuery("filter_snapshot_deleted") String filterDeleted,
            @RestQuery("filter_last_visited_from") String lastFrom,
            @RestQuery("filter_last_visited_to") String lastTo,
            @RestQuery("filter_first_visited_from") String firstFrom,
            @RestQuery("filter_first_visited_to") String firstTo,
            @RestQuery("filter_owner_id") String ownerId,
            @RestQuery("filter_created_from") String createdFrom,
            @RestQuery("filter_created_to") String createdTo) {
        PageRequest page = PageRequest.of(pageSize, cursor, sortBy, sortDirection, AccessLogFilter.SORTABLE,
                AccessLogFilter.DEFAULT_SORT, config.paging());
        AccessLogFilter filter = new AccessLogFilter(QueryParams.text("filter_title", filterTitle), deleted(filterDeleted),
                QueryParams.instant("filter_last_visited_from", lastFrom), QueryParams.instant("filter_last_visited_to", lastTo),
                QueryParams.instant("filter_first_visited_from", firstFrom),
                QueryParams.instant("filter_first_visited_to", firstTo), QueryParams.text("filter_owner_id", ownerId),
                QueryParams.instant("filter_created_from", createdFrom), QueryParams.instant("filter_created_to", createdTo));
        return logs.list(caller.id(), filter, page);
    }

    @Operation(summary = "Forget your visits of a snapshot")
    @APIResponse(responseCode = "204", description = "Forgotten")
    @APIResponse(ref = KeepsakeApi.BAD_REQUEST)
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @DELETE
    @Path("/{snapshotId}")
    public Uni<RestResponse<Void>> forget(@RestPath String snapshotId) {
        return logs.forget(caller.id(), Ids.require(snapshotId)).map(done -> RestResponse.noContent());
    }

    /** Deleted snapshots are hidden unless asked for: {@code true} only them, {@code all} both. */
    private static Boolean deleted(String value) {
        if (value == null || value.isBlank() || value.equalsIgnoreCase("false")) {
            return false;
        }
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("all")) {
            return null;
        }
        throw ApiProblem.invalidField("filter_snapshot_deleted", "filter_snapshot_deleted must be true, false or all");
    }
}
