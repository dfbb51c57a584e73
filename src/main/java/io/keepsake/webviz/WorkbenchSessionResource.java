package io.keepsake.webviz;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
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
import io.keepsake.session.SessionFilter;
import io.keepsake.web.Json;
import io.keepsake.web.KeepsakeApi;
import io.keepsake.web.Page;
import io.keepsake.web.PageRequest;
import io.keepsake.web.QueryParams;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;

/** The original workbench's {@code /persistence/sessions} calls, in its shapes. */
@Path(WorkbenchApi.ROOT + "/sessions")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = WorkbenchApi.TAG, description = WorkbenchApi.TAG_DESCRIPTION)
public class WorkbenchSessionResource {

    private final WorkbenchSessions sessions;
    private final Caller caller;
    private final KeepsakeConfig config;
    private final Json codec;

    WorkbenchSessionResource(WorkbenchSessions sessions, Caller caller, KeepsakeConfig config, Json codec) {
        this.sessions = sessions;
        this.caller = caller;
        this.config = config;
        this.codec = codec;
    }

    @Operation(summary = "Create a session (original workbench)", description = "Body {title, description, content}, "
            + "content a JSON-encoded string; answers with the new id as a JSON string")
    @APIResponse(responseCode = "200", description = "The new session's id")
    @APIResponse(ref = KeepsakeApi.TOO_MANY)
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = WorkbenchViews.DraftBody.class),
            examples = @ExampleObject(name = "session", value = WorkbenchApi.EXAMPLE)))
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<String> create(byte[] body, @RestHeader(KeepsakeApi.CLIENT_ID) String clientId) {
        return sessions.create(caller.id(), body, clientId).map(codec::write);
    }

    @Operation(summary = "List your sessions (original workbench)")
    @APIResponse(responseCode = "200", description = "{items, pageToken}")
    @APIResponse(ref = KeepsakeApi.BAD_REQUEST)
    @GET
    public Uni<Page<WorkbenchViews.SessionMetadata>> list(@RestQuery("page_size") String pageSize,
            @RestQuery String cursor,
            @RestQuery("sort_by") String sortBy,
            @RestQuery("sort_direction") String sortDirection,
            @RestQuery("filter_title") String filterTitle,
            @RestQuery("filter_updated_from") String updatedFrom,
            @RestQuery("filter_updated_to") String updatedTo) {
        PageRequest page = PageRequest.of(pageSize, cursor, WorkbenchQuery.sort(sortBy, WorkbenchQuery.SESSION_SORTS),
                sortDirection, SessionFilter.SORTABLE, SessionFilter.DEFAULT_SORT, config.paging());
        SessionFilter filter = new SessionFilter(QueryParams.text("filter_title", filterTitle), null,
                WorkbenchQuery.instant("filter_updated_from", updatedFrom),
                WorkbenchQuery.instant("filter_updated_to", updatedTo), null, null);
        return sessions.list(caller.id(), filter, page);
    }

    @Operation(summary = "Open a session (original workbench)", description = "{metadata, content}")
    @APIResponse(responseCode = "200", description = "The session")
    @APIResponse(ref = KeepsakeApi.BAD_REQUEST)
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @GET
    @Path("/{id}")
    public Uni<WorkbenchViews.FullSession> read(@RestPath String id) {
        return sessions.read(caller.id(), id);
    }

    @Operation(summary = "A session's metadata (original workbench's polling target)")
    @APIResponse(responseCode = "200", description = "The metadata")
    @APIResponse(ref = KeepsakeApi.BAD_REQUEST)
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @GET
    @Path("/metadata/{id}")
    public Uni<WorkbenchViews.SessionMetadata> metadata(@RestPath String id) {
        return sessions.metadata(caller.id(), id);
    }

    @Operation(summary = "Save or rename a session (original workbench)", description = "With content: a save, "
            + "last write wins unless If-Match is sent. Without: a change of title and description")
    @APIResponse(responseCode = "200", description = "The session")
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @APIResponse(responseCode = "409", description = "The session kept changing while its title was being changed; try again")
    @APIResponse(ref = KeepsakeApi.PRECONDITION_FAILED)
    @APIResponse(ref = KeepsakeApi.TOO_MANY)
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = WorkbenchViews.ChangeBody.class),
            examples = {@ExampleObject(name = "save", value = WorkbenchApi.EXAMPLE),
                @ExampleObject(name = "rename", value = "{\"title\":\"Field review, final\"}")}))
    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<WorkbenchViews.FullSession> change(@RestPath String id, @RestHeader(HttpHeaders.IF_MATCH) String ifMatch,
            @RestHeader(KeepsakeApi.CLIENT_ID) String clientId, byte[] body) {
        return sessions.change(caller.id(), id, body, ifMatch, clientId);
    }

    @Operation(summary = "Delete a session (original workbench)")
    @APIResponse(responseCode = "200", description = "Deleted")
    @APIResponse(ref = KeepsakeApi.BAD_REQUEST)
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @APIResponse(ref = KeepsakeApi.PRECONDITION_FAILED)
    @APIResponse(ref = KeepsakeApi.TOO_MANY)
    @DELETE
    @Path("/{id}")
    public Uni<String> delete(@RestPath String id, @RestHeader(HttpHeaders.IF_MATCH) String ifMatch,
            @RestHeader(KeepsakeApi.CLIENT_ID) String clientId) {
        return sessions.delete(caller.id(), id, ifMatch, clientId).replaceWith(WorkbenchApi.NO_RESULT);
    }
}
