package io.keepsake.history;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.databind.JsonNode;

import io.keepsake.KeepsakeConfig;
import io.keepsake.security.Caller;
import io.keepsake.store.Ids;
import io.keepsake.web.ApiProblem;
import io.keepsake.web.KeepsakeApi;
import io.keepsake.web.Page;
import io.keepsake.web.PageRequest;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;

/**
 * {@code /persistence/sessions/{id}/revisions}: a session's history, owner-only. Restoring a
 * revision is a write of the session's ({@code POST .../revisions/{version}/restore}, with the
 * session endpoints).
 */
@Path("/persistence/sessions/{id}/revisions")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "History", description = "The states a session's changes replaced")
public class RevisionResource {

    static final String JSON_PATCH = "application/json-patch+json";
    private static final List<String> SORTABLE = List.of("version");

    private final History history;
    private final Caller caller;
    private final KeepsakeConfig config;

    public RevisionResource(History history, Caller caller, KeepsakeConfig config) {
        this.history = history;
        this.caller = caller;
        this.config = config;
    }

    @Operation(summary = "List a session's revisions, newest first",
            description = "Each change of a session keeps the state it replaced: the last keepsake.revisions.max-count, "
                    + "for at most keepsake.revisions.max-age after they were replaced")
    @APIResponse(responseCode = "200", description = "A page of revisions without content")
    @APIResponse(ref = KeepsakeApi.BAD_REQUEST)
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @GET
    public Uni<Page<RevisionViews.Metadata>> list(@RestPath String id, @RestQuery("page_size") String pageSize,
            @RestQuery String cursor) {
        Ids.require(id);
        PageRequest page = PageRequest.of(pageSize, cursor, null, "desc", SORTABLE, "version", config.paging());
        return history.list(caller.id(), id, page);
    }

    @Operation(summary = "Read a session as it was at a version, content included",
            description = "The version of a revision, or the session's current version")
    @APIResponse(responseCode = "200", description = "That state",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RevisionViews.Full.class)))
    @APIResponse(ref = KeepsakeApi.BAD_REQUEST)
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @GET
    @Path("/{version}")
    public Uni<RestResponse<RevisionViews.Full>> get(@RestPath String id, @RestPath String version) {
        Ids.require(id);
        return history.revision(caller.id(), id, version("version", version))
                .map(revision -> RestResponse.ResponseBuilder.ok(RevisionViews.Full.of(revision))
                        .header(HttpHeaders.CACHE_CONTROL, "private, no-cache").build());
    }

    @Operation(summary = "What changed between two versions, as an RFC 6902 JSON Patch",
            description = "Applied to the state at {from} as {\"title\", \"description\", \"content\"}, the patch gives the "
                    + "state at {to}. Content that is a JSON-encoded string (as the original workbench stores it) changes "
                    + "as one replace of the whole string.")
    @APIResponse(responseCode = "200", description = "The patch",
            content = @Content(mediaType = JSON_PATCH, examples = @ExampleObject(name = "a title and a zoom changed",
                    value = "[{\"op\":\"replace\",\"path\":\"/title\",\"value\":\"Wells, north\"},"
                            + "{\"op\":\"replace\",\"path\":\"/content/zoom\",\"value\":4}]")))
    @APIResponse(ref = KeepsakeApi.BAD_REQUEST)
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @GET
    @Path("/{from}/diff/{to}")
    @Produces({JSON_PATCH, MediaType.APPLICATION_JSON})
    public Uni<RestResponse<JsonNode>> diff(@RestPath String id, @RestPath String from, @RestPath String to) {
        Ids.require(id);
        long older = version("from", from);
        long newer = version("to", to);
        return history.diff(caller.id(), id, older, newer).map(patch -> RestResponse.ResponseBuilder.ok(patch, JSON_PATCH)
                .header(HttpHeaders.CACHE_CONTROL, "private, no-cache").build());
    }

    /** A version in a path: a positive integer. */
    public static long version(String name, String value) {
        try {
            long version = Long.parseLong(value);
            if (version >= 1) {
                return version;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiProblem.invalidField(name, name + " must be a version number (1 or more)");
    }
}
